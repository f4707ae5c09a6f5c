"""Briefing packs (SPEC 6): build one from a call, and verify one months later.

A pack folder holds ``briefing.html`` (self-contained), ``results.json`` (the score and
select results), ``inputs/`` (exact copies of every input) and ``manifest.json`` (tool,
solver, parameters, seed and the SHA-256 of every other file). Every file but the
manifest is a pure function of ``inputs/`` and the recorded parameters, which is what
:func:`verify_pack` checks by re-running.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from pine_select.errors import InputError, PackError, PineSelectError, UsageError
from pine_select.loading.loader import load_call
from pine_select.model.call import Call
from pine_select.options import RunOptions
from pine_select.pack import files
from pine_select.pack.manifest import MANIFEST, Manifest, read_manifest
from pine_select.pipeline import Decision, decide

__all__ = ["PackSummary", "VerifyReport", "build_pack", "verify_pack"]

BRIEFING = "briefing.html"
RESULTS = "results.json"

Progress = Callable[[str], None]


@dataclass(frozen=True)
class PackSummary:
    folder: Path
    decision: Decision
    files: tuple[str, ...]


@dataclass(frozen=True)
class VerifyReport:
    """What ``verify`` found: empty lists mean the pack is exactly what its inputs make."""

    folder: Path
    altered: tuple[str, ...] = ()  # hash differs from the manifest
    missing: tuple[str, ...] = ()  # named in the manifest, not on disk
    added: tuple[str, ...] = ()  # on disk, not in the manifest
    differs_on_rerun: tuple[str, ...] = ()  # re-running from inputs/ gives other bytes
    rerun_error: str = ""

    @property
    def ok(self) -> bool:
        return not (self.altered or self.missing or self.added or self.differs_on_rerun
                    or self.rerun_error)


def build_pack(
    call: Call,
    out: Path,
    params: RunOptions = RunOptions(),
    *,
    force: bool = False,
    progress: Progress | None = None,
) -> PackSummary:
    """Write the briefing pack for ``call`` into ``out``, atomically.

    The pack is computed from the copies in ``inputs/`` (not from ``call`` itself), so a
    pack is always exactly what its own inputs make. Raises PackError for an existing
    ``out`` (unless ``force``), and whatever scoring or selection raise.
    """
    say = progress or (lambda _message: None)
    if call.files is None:
        raise ValueError("build_pack needs a call loaded from files (call.files is None)")
    files.check_destination(out, force)
    files.check_not_over_inputs(out, call.files)
    _check_member(call, params.member)
    with files.staging_folder(out) as staging:
        say("copying inputs")
        redacted = files.copy_inputs(call.files, staging,
                                     redact_contacts=not params.include_contacts)
        copied = _load_inputs(staging / files.INPUTS)
        input_hashes = _input_hashes(staging / files.INPUTS)
        say(f"scoring and selecting {len(copied.applications)} applications")
        decision = decide(copied, params)
        say("rendering the briefing")
        outputs = render_outputs(decision, params, input_hashes)
        for name, content in outputs.items():
            files.write_bytes(staging, name, content)
        if params.member is not None:
            # A member's copy must not carry the scores it withholds: no inputs/ in it.
            shutil.rmtree(staging / files.INPUTS)
        manifest = Manifest(
            parameters=params, seed=decision.scores.seed,
            solver=_solver_info(decision), inputs=input_hashes,
            outputs={name: files.sha256_of(staging / name) for name in sorted(outputs)},
            redacted=redacted, inputs_included=params.member is None,
        )
        files.write_bytes(staging, MANIFEST, manifest.to_json())
        files.publish(staging, out)
    say(f"wrote {out}")
    return PackSummary(out, decision, (*sorted(outputs), MANIFEST))


def render_outputs(decision: Decision, params: RunOptions,
                   input_hashes: dict[str, str]) -> dict[str, bytes]:
    """The reproducible files of a pack, by name, all made from one disclosure.

    The withholding policy (pack/withhold.py) is applied once, here, before any output.
    """
    from pine_select.pack.render import render_briefing
    from pine_select.pack.results import results_json
    from pine_select.pack.sensitivity_view import sensitivity_view
    from pine_select.pack.view import briefing_view
    from pine_select.pack.withhold import Audience, disclose

    disclosed = disclose(decision, Audience(params.member, params.include_contacts))
    view = briefing_view(disclosed, params, input_hashes)
    view["sensitivity"] = sensitivity_view(disclosed, params)
    results = results_json(disclosed)
    return {
        RESULTS: (json.dumps(results, indent=2, ensure_ascii=False) + "\n").encode(),
        BRIEFING: render_briefing(view).encode(),
    }


def verify_pack(folder: Path, inputs: Path | None = None) -> VerifyReport:
    """Check every file of a pack against its manifest, then re-run it from its inputs.

    ``inputs`` defaults to the pack's own ``inputs/``; a panel member's copy has none, so
    it is verified against the inputs of the panel's full pack (``FULL/inputs``).
    """
    manifest = read_manifest(folder)
    inputs = inputs if inputs is not None else folder / files.INPUTS
    if not inputs.is_dir():
        raise PackError(f"{inputs}: no inputs folder; a panel member's copy is verified "
                        "against the full pack's inputs: pass --inputs FULL_PACK/inputs")
    report = _check_hashes(folder, inputs, manifest)
    try:
        decision = decide(_load_inputs(inputs), manifest.parameters)
        rerun = render_outputs(decision, manifest.parameters, _input_hashes(inputs))
    except InputError as exc:
        shown = "; ".join(str(p) for p in exc.problems[:3])
        more = f" (and {len(exc.problems) - 3} more)" if len(exc.problems) > 3 else ""
        return replace(report, rerun_error=f"its inputs are invalid: {shown}{more}")
    except PineSelectError as exc:
        return replace(report, rerun_error=str(exc))
    differs = tuple(name for name, content in sorted(rerun.items())
                    if not (folder / name).is_file() or (folder / name).read_bytes() != content)
    return replace(report, differs_on_rerun=differs)


def _check_hashes(folder: Path, inputs: Path, manifest: Manifest) -> VerifyReport:
    outputs = {name: path for name, path in files.pack_files(folder).items()
               if name != MANIFEST and not name.startswith(files.INPUTS + "/")}
    present = {**outputs, **_input_files(inputs)}
    recorded = {**manifest.inputs, **manifest.outputs}
    return VerifyReport(
        folder=folder,
        altered=tuple(n for n in sorted(recorded)
                      if n in present and files.sha256_of(present[n]) != recorded[n]),
        missing=tuple(n for n in sorted(recorded) if n not in present),
        added=tuple(n for n in sorted(present) if n not in recorded),
    )


def _input_files(inputs: Path) -> dict[str, Path]:
    """The files of an inputs folder, named as the manifest names them (``inputs/...``)."""
    return {f"{files.INPUTS}/{name}": path for name, path in files.pack_files(inputs).items()}


def _input_hashes(inputs: Path) -> dict[str, str]:
    return {name: files.sha256_of(path) for name, path in _input_files(inputs).items()}


def _check_member(call: Call, member: str | None) -> None:
    """Refuse an unknown --member: a typo would give them the full pack, scores and all."""
    known = {r.reviewer for r in call.reviews} | {c.reviewer for c in call.conflicts}
    if member is not None and member not in known:
        raise UsageError(f"--member {member!r} is not a reviewer of this call nor named in "
                         f"its conflicts; expected one of: {', '.join(sorted(known))}")


def _load_inputs(inputs: Path) -> Call:
    return load_call(inputs / files.RUBRIC_NAME, inputs / files.APPLICATIONS)


def _solver_info(decision: Decision) -> dict[str, str]:
    return {"name": decision.selection.solver, "version": decision.selection.solver_version}
