"""A funder's letter template can neither print the data unescaped nor run away
(after/letter_render.py, after/template_limits.py)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from helpers_after import AGREEING, tiny_call_with

from pine_select.after.letter_render import LetterTemplate
from pine_select.errors import InputError

LETTER = {"title": "<script>alert(1)</script>", "organisation": "<b>Org</b>", "amount": 100,
          "criteria": [{"name": "Promise", "score": "3.00", "weight": "60"}],
          "comments": [{"criterion": "Promise", "comments": ["<i>good</i>"]}]}

UNESCAPED = [
    "{{ title|safe }}",
    "{{ title|e|replace('&lt;', '<')|safe }}",
    "{% filter safe %}{{ title }}{% endfilter %}",
    "{% autoescape false %}{{ title }}{% endautoescape %}",
]
ESCAPED = [  # what may look like a way out, but escapes
    "{{ title|forceescape }}", "{{ title|e|replace('&lt;', '<') }}", "{{ '%s'|format(title) }}",
    "{{ '%s' % title }}", "{{ title ~ '' }}", "{{ [title]|join }}", "{{ title|urlize }}",
    "{% set b %}{{ title }}{% endset %}{{ b }}",
    "{% macro m() %}{{ title }}{% endmacro %}{{ m() }}",
    "{{ title|replace('<', '<') }}", "{{ title|center(40) }}", "{{ title|indent(2) }}",
]
RUNAWAY = [  # each would hang, or fill the memory, if let run
    "{{ '%999999999s'|format(1) }}", "{{ '%.999999999f'|format(1) }}",
    "{{ '%*s'|format(999999999, 1) }}", "{{ '%999999999s' % 1 }}",
    "{{ '{:>999999999}'.format(1) }}", "{{ 'a' * 100000000 }}", "{{ [1] * 100000000 }}",
    "{{ 9 ** 999999999 }}", "{{ title|indent(1000000000) }}", "{{ title|center(999999999) }}",
    "{{ title.center(999999999) }}", "{{ title.ljust(999999999) }}",
    "{{ (1).to_bytes(999999999, 'big') }}", "{{ criteria|tojson(999999999) }}",
    "{{ range(3)|batch(999999999, 'x')|list }}", "{{ range(3)|slice(999999999)|list }}",
    "{{ ('x' * 1000)|wordwrap(1, wrapstring='y' * 999) }}",
    "{{ ('x' * 1000)|replace('x', 'y' * 2000) }}",
    "{{ ('x' * 1000).replace('x', 'y' * 2000) }}", "{{ range(99999)|join('y' * 999) }}",
    "{% set ns = namespace(x='x') %}{% for i in range(60) %}{% set ns.x = ns.x ~ ns.x %}"
    "{% endfor %}{{ ns.x|length }}",
    "{% set ns = namespace(x='x') %}{% for i in range(60) %}{% set ns.x = ns.x + ns.x %}"
    "{% endfor %}{{ ns.x|length }}",
    "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}",
    "{% set s = 'x' * 100000 %}{% for a in s %}{% for b in s %}{% endfor %}{% endfor %}",
    "{% macro m(n) %}{% if n %}{{ m(n - 1) }}{{ m(n - 1) }}{% endif %}{% endmacro %}{{ m(40) }}",
    "{% for i in range(100000) %}{{ 'y' * 999 }}{% endfor %}",
    "{{ lipsum(999999999) }}",
]


def _refusal(body: str) -> str:
    """The problem a template made of ``line one`` and ``body`` is refused for."""
    started = time.process_time()
    with pytest.raises(InputError) as caught:
        LetterTemplate("line one\n" + body + "\n", "own.html.j2").render(dict(LETTER))
    assert time.process_time() - started < 3, body  # refused early, not after the work
    (problem,) = caught.value.problems
    assert problem.file == "own.html.j2" and "template error" in problem.message, body
    return str(problem)


@pytest.mark.parametrize("body", UNESCAPED)
def test_nothing_marks_the_data_safe(body: str) -> None:
    said = _refusal(body)
    assert "own.html.j2:2:" in said, said


@pytest.mark.parametrize("body", ESCAPED)
def test_what_remains_escapes_every_value(body: str) -> None:
    page = LetterTemplate(body, "own.html.j2").render(dict(LETTER))
    assert "<script>" not in page and "&lt;script&gt;" in page, (body, page)


@pytest.mark.parametrize("body", RUNAWAY)
def test_no_template_runs_away(body: str) -> None:
    said = _refusal(body)
    assert "own.html.j2" in said and ("at most" in said or "not allowed" in said
                                       or "'lipsum' is undefined" in said), said


def test_the_limits_leave_real_templates_alone() -> None:
    body = ("{% for c in criteria %}{{ c.name|upper }}: {{ '%6.2f'|format(c.score|float) }} "
            "{{ c.name.center(20) }} {{ c.name ~ '!' }} {{ loop.index }}{% endfor %}"
            "{% for i in range(1000) %}{{ i }}{% endfor %}{{ amount|pounds }}")
    page = LetterTemplate(body, "own.html.j2").render(dict(LETTER))
    assert page.startswith("PROMISE:   3.00       Promise        Promise! 10")
    assert page.endswith("999£100")


def test_a_hostile_template_file_is_an_input_error_naming_it(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    rubric, apps = tiny_call_with(tmp_path, AGREEING)
    own = tmp_path / "own.html.j2"
    for n, body in enumerate(["{{ title|safe }} {{ organisation|safe }}",
                              "{{ '%s'|format(title) }} {{ '%999999999s'|format(1) }}"]):
        own.write_text("<p>\n" + body + "\n", "utf-8")
        result = run_cli("letters", rubric, apps, "--out", tmp_path / f"x{n}", "--template", own)
        assert result.exit_code == 2, body
        assert "own.html.j2:2: template error" in result.stderr, result.stderr
        assert "Traceback" not in result.stderr and not (tmp_path / f"x{n}").exists()
