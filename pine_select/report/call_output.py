"""``pine-select validate`` output: a short summary for people, plain data for scripts.

(What ``pack`` and ``verify`` print lives with them, in ``pack/summary.py``: the pack layer
sits above this one.)"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pine_select.errors import Problem

if TYPE_CHECKING:
    from pine_select.model.call import Call


def validation_json(call: Call | None, problems: tuple[Problem, ...]) -> dict[str, object]:
    """``validate --format json``: valid or not, and every problem (warnings when valid)."""
    if call is None:
        return {"valid": False, "problems": [p.as_dict() for p in problems]}
    return {"valid": True, "applications": len(call.applications),
            "reviews": len(call.reviews), "problems": [p.as_dict() for p in problems]}


def validation_text(call: Call) -> str:
    return (f"OK: {len(call.applications)} applications, {len(call.reviews)} review scores, "
            f"{len(call.conflicts)} declared conflicts; {len(call.warnings)} warning(s).")
