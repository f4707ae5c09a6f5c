"""The tiny golden call with a panel decision beside it, for the tests of SPEC 11."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from conftest import yaml_text

GOLDEN_CALL = Path(__file__).resolve().parent / "golden" / "tiny-call"
# The tiny call's recommendation (TINY-003 then TINY-002): tests/golden/tiny-pack.
RECOMMENDED = ("TINY-003", "TINY-002")


def decision(funded: list[Any], changes: list[Any] | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"decided_on": "2019-06-20", "decided_by": "Tiny panel",
                            "funded": funded}
    if changes is not None:
        data["changes"] = changes
    return data


AGREEING = decision([{"id": "TINY-003"}, {"id": "TINY-002", "amount": 30000}])
# TINY-001 (rank 2, a local authority) in place of TINY-002 (the only voluntary-sector one).
DIFFERING = decision(
    [{"id": "TINY-003"}, {"id": "TINY-001"}],
    [{"id": "TINY-001", "action": "added", "reason": "Its key-worker model fills a gap."},
     {"id": "TINY-002", "action": "removed", "reason": "Funded by another trust meanwhile."}])


def tiny_call_with(folder: Path, panel: Any | None) -> tuple[Path, Path]:
    """A copy of the tiny golden call in ``folder``; ``panel`` written as its decision.yaml."""
    shutil.copytree(GOLDEN_CALL, folder / "call")
    rubric, apps = folder / "call" / "rubric.yaml", folder / "call" / "applications"
    if panel is not None:
        text = panel if isinstance(panel, str) else yaml_text(panel)
        (apps / "decision.yaml").write_text(text, encoding="utf-8")
    return rubric, apps
