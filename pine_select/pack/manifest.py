"""The pack's manifest: what made it, with which parameters, and the hash of every file.

The manifest is the one file of a pack that is not reproducible byte for byte: it records
when the pack was made. Everything an auditor needs to re-run the pack is in it.
"""

from __future__ import annotations

import json
import platform
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pine_select import __version__
from pine_select.errors import PackError
from pine_select.pipeline import WhatIf

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class PackParameters:
    """Every choice that shapes a pack's content; a re-run with these gives the same pack.

    The decision's what-ifs, plus who the pack is for. The manifest records them as one
    flat mapping (``weights``, ``size``, ... ``include_contacts``, ``member``).
    """

    what_if: WhatIf = WhatIf()
    include_contacts: bool = False
    member: str | None = None
    sensitivity_samples: int = 0  # weight draws for the robustness table (0: none)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self.what_if)
        data["include"], data["exclude"] = list(self.what_if.include), list(self.what_if.exclude)
        return {**data, "include_contacts": self.include_contacts, "member": self.member,
                "sensitivity_samples": self.sensitivity_samples}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PackParameters:
        what_if = {k: v for k, v in data.items() if k in WhatIf.__dataclass_fields__}
        what_if["include"] = tuple(what_if.get("include", ()))
        what_if["exclude"] = tuple(what_if.get("exclude", ()))
        return cls(WhatIf(**what_if), bool(data.get("include_contacts", False)),
                   data.get("member"), int(data.get("sensitivity_samples", 0)))


@dataclass(frozen=True)
class Manifest:
    parameters: PackParameters
    seed: int
    solver: dict[str, str]
    inputs: dict[str, str]  # relative path -> SHA-256
    outputs: dict[str, str]
    redacted: dict[str, str] = field(default_factory=dict)  # copy -> SHA-256 of the original
    inputs_included: bool = True  # False for a panel member's copy
    tool: dict[str, str] = field(default_factory=lambda: {"name": "pine-select",
                                                          "version": __version__})
    created_at: str = ""

    def to_json(self) -> bytes:
        data = {
            "tool": self.tool,
            "python": platform.python_version(),
            "solver": self.solver,
            "parameters": self.parameters.as_dict(),
            "seed": self.seed,
            "inputs": self.inputs,
            "inputs_included": self.inputs_included,
            "redacted_originals": self.redacted,
            "outputs": self.outputs,
            "created_at": self.created_at or datetime.now(UTC).isoformat(timespec="seconds"),
        }
        return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode()


def read_manifest(folder: Path) -> Manifest:
    path = folder / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Manifest(
            parameters=PackParameters.from_dict(data["parameters"]),
            seed=int(data["seed"]),
            solver=dict(data["solver"]),
            inputs=dict(data["inputs"]),
            outputs=dict(data["outputs"]),
            redacted=dict(data.get("redacted_originals", {})),
            inputs_included=bool(data.get("inputs_included", True)),
            tool=dict(data["tool"]),
            created_at=str(data.get("created_at", "")),
        )
    except FileNotFoundError as exc:
        raise PackError(f"{path}: no manifest; is {folder} a briefing pack?") from exc
    except (ValueError, KeyError, TypeError) as exc:
        raise PackError(f"{path}: unreadable manifest ({exc})") from exc
