"""Briefing packs (SPEC 6): build one from a call, and verify one months later.

A pack folder holds ``briefing.html`` (self-contained), ``results.json`` (the score and
select results), ``inputs/`` (exact copies of every input) and ``manifest.json`` (tool,
solver, parameters, seed and the SHA-256 of every other file). The work is done in
``build`` (making), ``verify`` (checking), ``files`` (the layout), ``destination``
(writing the folder safely) and ``manifest``; this module only names the public API.
"""

from __future__ import annotations

from pine_select.pack.build import (
    PackSummary,
    build_pack,
    read_key,
    render_outputs,
)
from pine_select.pack.verify import Originals, VerifyReport, verify_pack

__all__ = ["Originals", "PackSummary", "VerifyReport", "build_pack",
           "read_key", "render_outputs", "verify_pack"]
