"""The pack's manifest: what made it, with which parameters, and the hash of every file.

The manifest is the one file of a pack that is not reproducible byte for byte: it records
when the pack was made. Everything an auditor needs to re-run the pack is in it.
"""

from __future__ import annotations

import json
import platform
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from pydantic import StringConstraints, ValidationError

from pine_select import __version__
from pine_select.errors import PackError
from pine_select.model.base import Strict
from pine_select.options import OptionsError, RunOptions

MANIFEST = "manifest.json"


Digest = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


class RecordedManifest(Strict):
    tool: dict[str, str]
    python: str
    solver: dict[str, str]
    parameters: dict[str, Any]  # checked by RunOptions.from_recorded
    seed: int
    inputs: dict[str, Digest]
    inputs_included: bool = True
    redacted_originals: dict[str, Digest] = {}
    outputs: dict[str, Digest]
    created_at: str = ""


@dataclass(frozen=True)
class Manifest:
    parameters: RunOptions
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
            "parameters": self.parameters.as_recorded(),
            "seed": self.seed,
            "inputs": self.inputs,
            "inputs_included": self.inputs_included,
            "redacted_originals": self.redacted,
            "outputs": self.outputs,
            "created_at": self.created_at or datetime.now(UTC).isoformat(timespec="seconds"),
        }
        return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode()


def read_manifest(folder: Path) -> Manifest:
    """The manifest of a pack, checked key by key (PackError naming what is wrong)."""
    path = folder / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        recorded = RecordedManifest.model_validate(data)
    except FileNotFoundError as exc:
        raise PackError(f"{path}: no manifest; is {folder} a briefing pack?") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PackError(f"{path}: not a JSON manifest ({exc}); expected the pack's "
                        "manifest.json as pine-select wrote it") from exc
    except ValidationError as exc:
        wrong = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg'].lower()}"
                          for e in exc.errors())
        raise PackError(f"{path}: {wrong}; expected the manifest as pine-select wrote it "
                        "(has it been edited?)") from exc
    try:
        parameters = RunOptions.from_recorded(recorded.parameters)
    except OptionsError as exc:
        raise PackError(f"{path}: parameters: {exc}; expected the parameters as pine-select "
                        "recorded them (has the manifest been edited?)") from exc
    return Manifest(
        parameters=parameters,
        seed=recorded.seed, solver=recorded.solver, inputs=recorded.inputs,
        outputs=recorded.outputs, redacted=recorded.redacted_originals,
        inputs_included=recorded.inputs_included, tool=recorded.tool,
        created_at=recorded.created_at,
    )
