"""The pack's manifest: what made it, with which parameters, and the hash of every file.

The manifest is the one file of a pack that is not reproducible byte for byte: it records
when the pack was made. Everything an auditor needs to re-run the pack is in it.
"""

from __future__ import annotations

import json
import platform
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, ValidationError

from pine_select import __version__
from pine_select.errors import PackError
from pine_select.model.base import AsTuple, Strict
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
        weights = self.what_if.weights
        # Exact fractions as text ("100/3"): a float would not re-run to the same bytes.
        data["weights"] = None if weights is None else {k: str(v) for k, v in weights.items()}
        return {**data, "include_contacts": self.include_contacts, "member": self.member,
                "sensitivity_samples": self.sensitivity_samples}

    @classmethod
    def from_recorded(cls, recorded: RecordedParameters) -> PackParameters:
        weights = recorded.weights
        what_if = WhatIf(
            weights=None if weights is None else {k: Fraction(v) for k, v in weights.items()},
            size=recorded.size, budget=recorded.budget, include=recorded.include,
            exclude=recorded.exclude, solver=recorded.solver, alternatives=recorded.alternatives,
            min_swaps=recorded.min_swaps, explain_limit=recorded.explain_limit,
        )
        return cls(what_if, recorded.include_contacts, recorded.member,
                   recorded.sensitivity_samples)


Count = Annotated[int, Field(ge=0)]
Digest = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
FractionText = Annotated[str, StringConstraints(pattern=r"^\d+(/\d+)?$")]


class RecordedParameters(Strict):
    """``parameters`` as a manifest records them: checked strictly, since packs travel."""

    weights: dict[str, FractionText] | None = None
    size: Count | None = None
    budget: Count | None = None
    include: Annotated[tuple[str, ...], AsTuple] = ()
    exclude: Annotated[tuple[str, ...], AsTuple] = ()
    solver: Literal["highs", "cbc"] | None = None
    alternatives: Count = 0
    min_swaps: Annotated[int, Field(ge=1)] = 1
    explain_limit: Count | None = None
    include_contacts: bool = False
    member: str | None = None
    sensitivity_samples: Count = 0


class RecordedManifest(Strict):
    tool: dict[str, str]
    python: str
    solver: dict[str, str]
    parameters: RecordedParameters
    seed: int
    inputs: dict[str, Digest]
    inputs_included: bool = True
    redacted_originals: dict[str, Digest] = {}
    outputs: dict[str, Digest]
    created_at: str = ""


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
    return Manifest(
        parameters=PackParameters.from_recorded(recorded.parameters),
        seed=recorded.seed, solver=recorded.solver, inputs=recorded.inputs,
        outputs=recorded.outputs, redacted=recorded.redacted_originals,
        inputs_included=recorded.inputs_included, tool=recorded.tool,
        created_at=recorded.created_at,
    )
