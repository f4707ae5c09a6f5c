"""Render the tuning page: the serve package's one module that imports jinja2.

One self-contained HTML file (its script and styles inline, no file from anywhere else),
from a template shipped in the package, autoescaped throughout. The page's data goes in as
JSON inside a ``<script type="application/json">`` (``tojson`` escapes ``<``, ``>``, ``&``
and quotes, so applicant text cannot end the script), and the page's script places every
piece of it with ``textContent``. The inline script and styles carry the response's
Content-Security-Policy nonce; nothing without it runs.
"""

from __future__ import annotations

from typing import Any

import jinja2

from pine_select.report.cells import neutralised


def _shown(value: Any) -> Any:
    return neutralised(value, keep="\n") if isinstance(value, str) else value


_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("pine_select.serve", "templates"),
    autoescape=True,  # every template, whatever its name: applicant text is untrusted
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    finalize=_shown,
)


def render_page(state: dict[str, Any], token: str, nonce: str) -> str:
    """The tuning page for ``state`` (TuningSession.state), with the session's token."""
    return _ENV.get_template("tuning.html.j2").render(state=state, token=token, nonce=nonce)
