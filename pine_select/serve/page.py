"""Render the tuning page: one self-contained HTML file, through the pack's renderer.

The template ships in the package (``templates/tuning.html.j2``) and is rendered by
``pack.render.template_environment`` (jinja2 stays in that one module): autoescaped
throughout, every value neutralised. Its script and styles are inline; no file comes from
anywhere else. The page's data goes in as JSON inside a ``<script type="application/json">``
(``tojson`` escapes ``<``, ``>``, ``&`` and quotes, so applicant text cannot end the script),
and the page's script places every piece of it with ``textContent``. The inline script and
styles carry the response's Content-Security-Policy nonce; nothing without it runs.
"""

from __future__ import annotations

from typing import Any

from pine_select.pack.render import template_environment

_ENV = template_environment("pine_select.serve")


def render_page(state: dict[str, Any], token: str, nonce: str) -> str:
    """The tuning page for ``state`` (TuningSession.state), with the session's token."""
    return _ENV.get_template("tuning.html.j2").render(state=state, token=token, nonce=nonce)
