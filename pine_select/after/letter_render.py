"""Render letters to applicants: jinja2 here only, and always sandboxed.

A funder may give its own template (``letters --template FILE``): a file from outside the
package, so it is rendered in Jinja's immutable sandbox (no attribute tricks, no calls
that change data), with autoescaping on, no loader (it cannot include or extend other
files) and ``StrictUndefined`` (a misspelt name is an error, not an empty line). The
default template is rendered the same way. Every value printed passes the project's one
neutraliser of untrusted text first (``report.cells.neutralised``): a bidi override in a
comment cannot reorder the letter.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from pine_select.after.redaction import without_invisibles
from pine_select.errors import InputError, Problem, display_path
from pine_select.report.cells import neutralised

DEFAULT_TEMPLATE = "letter.html.j2"
MAX_TEMPLATE_BYTES = 200_000
# What a template's own mistakes raise while rendering ({{ 1/0 }}, {{ total + [] }}, a
# sandbox refusal, an undefined name): each is the template's fault, reported as such.
RENDER_ERRORS = (jinja2.TemplateError, ArithmeticError, TypeError, ValueError, LookupError,
                 AttributeError, RecursionError)


def _shown(value: Any) -> Any:
    if isinstance(value, Markup):
        return Markup(neutralised(without_invisibles(str(value)), keep="\n"))
    if isinstance(value, str):
        return neutralised(without_invisibles(value), keep="\n")
    return value


def _environment() -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(
        # A loader that finds nothing: {% include %} and {% extends %} name no other file.
        loader=jinja2.FunctionLoader(lambda name: None),
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
        lstrip_blocks=True, keep_trailing_newline=True, finalize=_shown)
    env.filters["pounds"] = lambda value: "—" if value is None else f"£{value:,}"
    return env


class LetterTemplate:
    """A compiled letter template and where it came from (for its error messages)."""

    def __init__(self, text: str, label: str) -> None:
        self.label = label
        try:
            self._template = _environment().from_string(text)
        except jinja2.TemplateSyntaxError as exc:
            raise InputError([Problem(label, exc.lineno, f"template error: {exc.message}",
                                      "a Jinja template (docs/after-the-decision.md)",
                                      code="template")]) from None

    @classmethod
    def default(cls) -> LetterTemplate:
        text = (files("pine_select.after") / "templates" / DEFAULT_TEMPLATE).read_text("utf-8")
        return cls(text, DEFAULT_TEMPLATE)

    @classmethod
    def from_file(cls, path: Path) -> LetterTemplate:
        label = display_path(path)
        if not path.is_file():  # never opened otherwise: a FIFO would block
            raise InputError([Problem(label, None, "no such file", "a Jinja template file",
                                      code="template")])
        try:
            with path.open("rb") as stream:
                raw = stream.read(MAX_TEMPLATE_BYTES + 1)
            text = raw.decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError([Problem(label, None, f"cannot read the template ({exc})",
                                      "a UTF-8 Jinja template file", code="template")]) from None
        if len(raw) > MAX_TEMPLATE_BYTES:
            raise InputError([Problem(label, None, "the template is too large",
                                      f"at most {MAX_TEMPLATE_BYTES:,} bytes", code="template")])
        return cls(text, label)

    def render(self, letter: dict[str, Any]) -> str:
        """The letter's HTML; a template that fails (or breaks the sandbox) is an InputError."""
        try:
            return self._template.render(**letter)
        except RENDER_ERRORS as exc:
            raise InputError([Problem(self.label, _line(exc), f"template error: {exc}",
                                      "a template that uses only the letter's fields "
                                      "(docs/after-the-decision.md)", code="template")]) from None


def _line(exc: Exception) -> int | None:
    line = getattr(exc, "lineno", None)
    return line if isinstance(line, int) else None
