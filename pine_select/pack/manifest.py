"""The pack's manifest: what made it, with which parameters, and the hash of every file.

The manifest is the one file of a pack that is not reproducible byte for byte: it records
when the pack was made. Everything an auditor needs to re-run the pack is in it.

A received manifest is untrusted input: :func:`read_manifest` checks it key by key, its
parameters through :meth:`RunOptions.from_recorded` (which caps what they may ask a re-run
to do), and answers every way it can be unreadable with a sentence.
"""

from __future__ import annotations

import json
import platform
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, Field, StringConstraints, ValidationError

from pine_select import __version__
from pine_select.errors import PackError
from pine_select.model.base import AsTuple, Strict
from pine_select.options import OptionsError, RunOptions
from pine_select.pack.files import MANIFEST, Redaction

TOOL_NAME = "pine-select"
MAX_MANIFEST_BYTES = 16 << 20  # far above any real call's manifest (10,000 files: ~1.2 MB)
_MAX_FILES = 1_000_000

Digest = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
Name = Annotated[str, StringConstraints(min_length=1, max_length=500)]
Version = Annotated[str, StringConstraints(min_length=1, max_length=200)]


def _date_time(text: str) -> str:
    """``text`` if it is a date-time as the pack writes it (ISO 8601, with its offset)."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or "T" not in text or moment.tzinfo is None:
        raise ValueError(f"{text[:60]!r} is not an ISO 8601 date-time with its UTC offset "
                         "(e.g. 2026-12-01T12:00:00+00:00)")
    return text


CreatedAt = Annotated[str, StringConstraints(max_length=100), AfterValidator(_date_time)]


class RecordedTool(Strict):
    name: Version
    version: Version


class RecordedRedaction(Strict):
    copies: Annotated[tuple[Name, ...], AsTuple, Field(max_length=_MAX_FILES)] = ()
    hmac_sha256: dict[Name, Digest] = {}
    key_id: Digest | None = None


class RecordedManifest(Strict):
    tool: RecordedTool
    python: Version
    solver: RecordedTool
    printer: RecordedTool | None = None  # the Chromium that printed briefing.pdf, if any
    parameters: dict[str, Any]  # checked by RunOptions.from_recorded
    seed: Annotated[int, Field(ge=-(2**63), le=2**63)]
    inputs: dict[Name, Digest]
    inputs_included: bool = True
    redacted_originals: RecordedRedaction = RecordedRedaction()
    outputs: dict[Name, Digest]
    created_at: CreatedAt | None = None


@dataclass(frozen=True)
class Manifest:
    parameters: RunOptions
    seed: int
    solver: dict[str, str]
    inputs: dict[str, str]  # relative path -> SHA-256
    outputs: dict[str, str]
    redaction: Redaction = field(default_factory=Redaction)
    key_id: str | None = None  # names the funder's key the originals' HMACs were made with
    inputs_included: bool = True  # False for a panel member's copy
    tool: dict[str, str] = field(default_factory=lambda: this_tool())
    python: str = field(default_factory=platform.python_version)
    created_at: str = ""
    printer: dict[str, str] | None = None  # {"name": "Chromium", "version": ...} with a PDF

    def to_json(self) -> bytes:
        data = {
            "tool": self.tool,
            "python": self.python,
            "solver": self.solver,
            **({} if self.printer is None else {"printer": self.printer}),
            "parameters": self.parameters.as_recorded(),
            "seed": self.seed,
            "inputs": self.inputs,
            "inputs_included": self.inputs_included,
            "redacted_originals": {"copies": list(self.redaction.copies),
                                   "hmac_sha256": dict(self.redaction.hmacs),
                                   "key_id": self.key_id},
            "outputs": self.outputs,
            "created_at": self.created_at or datetime.now(UTC).isoformat(timespec="seconds"),
        }
        return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode()


def this_tool() -> dict[str, str]:
    return {"name": TOOL_NAME, "version": __version__}


def read_manifest(folder: Path) -> Manifest:
    """The manifest of a pack, checked key by key (PackError naming what is wrong)."""
    path = folder / MANIFEST
    recorded = _recorded(path, folder)
    try:
        parameters = RunOptions.from_recorded(recorded.parameters)
    except OptionsError as exc:
        raise PackError(f"{path}: parameters: {exc}; expected the parameters as pine-select "
                        "recorded them (has the manifest been edited?)") from exc
    return Manifest(
        parameters=parameters,
        seed=recorded.seed, solver=recorded.solver.model_dump(), inputs=recorded.inputs,
        outputs=recorded.outputs,
        redaction=Redaction(recorded.redacted_originals.copies,
                            tuple(sorted(recorded.redacted_originals.hmac_sha256.items()))),
        key_id=recorded.redacted_originals.key_id,
        inputs_included=recorded.inputs_included, tool=recorded.tool.model_dump(),
        python=recorded.python, created_at=recorded.created_at or "",
        printer=None if recorded.printer is None else recorded.printer.model_dump(),
    )


def _recorded(path: Path, folder: Path) -> RecordedManifest:
    data = read_json(path, folder)
    try:
        return RecordedManifest.model_validate(data)
    except ValidationError as exc:
        raise PackError(f"{path}: {_wrong(exc)}; expected the manifest as pine-select wrote "
                        "it (has it been edited?)") from exc


def read_json(path: Path, folder: Path) -> Any:
    """Parse the manifest at ``path``, answering every way it can be unreadable with a sentence."""
    try:
        if path.is_symlink() or (path.exists() and not path.is_file()):
            raise PackError(f"{path}: not a regular file; expected the pack's manifest.json")
        if path.stat().st_size > MAX_MANIFEST_BYTES:
            raise PackError(f"{path}: larger than {MAX_MANIFEST_BYTES >> 20} MiB; expected "
                            "the pack's manifest.json as pine-select wrote it")
        return json.loads(path.read_bytes().decode("utf-8"), object_pairs_hook=_once_each)
    except _DuplicateKey as exc:
        raise PackError(f"{path}: {exc}; expected each key once, as pine-select wrote it "
                        "(has the manifest been edited?)") from exc
    except FileNotFoundError as exc:
        raise PackError(f"{path}: no manifest; is {folder} a briefing pack?") from exc
    except OSError as exc:
        raise PackError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise PackError(f"{path}: not a JSON manifest ({_short(exc)}); expected the pack's "
                        "manifest.json as pine-select wrote it") from exc


class _DuplicateKey(ValueError):
    pass


def _once_each(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object, refusing a key given twice (json's default keeps the last silently)."""
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise _DuplicateKey(f"the key {key[:100]!r} appears twice in one object")
        found[key] = value
    return found


def _short(exc: BaseException) -> str:
    text = str(exc) if not isinstance(exc, RecursionError) else "nested too deeply"
    return text if len(text) <= 200 else text[:200] + "..."


def _wrong(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {_sentence(e['msg'])}"
                     for e in exc.errors()[:10])


def _sentence(message: str) -> str:
    """Pydantic's message as part of ours: its own first letter lowered, its prefix cut."""
    message = message.removeprefix("Value error, ")
    return message[:1].lower() + message[1:]
