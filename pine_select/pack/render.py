"""Render the briefing pack's HTML: the only module that imports jinja2.

Templates ship inside the package and are the only template source: applicant text is
always data, passed in a prepared view model, and autoescaped wherever it appears.
``StrictUndefined`` turns a misspelt variable into an error instead of an empty cell.
Every value printed passes through the one neutraliser of applicant text first
(``report.cells.neutralised``, as in the terminal): a bidi override in a title cannot
reorder the page.
"""

from __future__ import annotations

import re
from typing import Any

import jinja2
from markupsafe import Markup

from pine_select.report.cells import fixed, neutralised

LONG_WORD = re.compile(r"\S{65,}")  # longer than a SHA-256 in hex, which must copy whole
WRAP_EVERY = 32
ZERO_WIDTH_SPACE = "\u200b"


def wrappable(text: str) -> str:
    """``text`` with a line-break opportunity every 32 characters of any word over 64.

    Table cells then keep whole words on a line (no "authorit-y" when a column is squeezed)
    while a 5,000-character word still cannot widen the page.
    """
    def broken(match: re.Match[str]) -> str:
        word = match.group(0)
        return ZERO_WIDTH_SPACE.join(word[i:i + WRAP_EVERY]
                                     for i in range(0, len(word), WRAP_EVERY))
    return LONG_WORD.sub(broken, text)


def _shown(value: Any) -> Any:
    """Each ``{{ value }}`` before it is escaped (``|join`` gives markup: it has text too)."""
    if isinstance(value, Markup):
        return Markup(neutralised(str(value), keep="\n"))  # escaping adds no control
    if isinstance(value, str):
        return wrappable(neutralised(value, keep="\n"))
    return value


def template_environment(package: str) -> jinja2.Environment:
    """How pine-select renders HTML (the pack, the tuning page): the templates shipped in
    ``package``'s ``templates/`` only, autoescaped, strict, every value neutralised."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader(package, "templates"),
        autoescape=True,  # every template, whatever its name: applicant text is untrusted
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_shown,
    )


_ENV = template_environment("pine_select.pack")
# Every number a person reads is rounded by the one rule (scoring/rounding.py: half up).
_ENV.filters["points"] = lambda value: "—" if value is None else fixed(value, 2)
_ENV.filters["fixed"] = lambda value, places, plus=False: (
    "—" if value is None else fixed(value, places, plus=plus))
_ENV.filters["pounds"] = lambda value: "—" if value is None else f"£{value:,}"


def render_briefing(view: dict[str, Any]) -> str:
    """The self-contained briefing.html for a prepared view model."""
    return _ENV.get_template("briefing.html.j2").render(**view)
