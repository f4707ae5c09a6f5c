"""Verifying a briefing pack: every file, every claim of its manifest, and a re-run.

A received pack is untrusted. :func:`verify_pack` lists it without following links
(:func:`files.scan`), refuses any file a pack does not consist of, checks every hash,
checks each claim of the manifest that needs no re-run (tool, Python, parameters and seed
against the hash-covered results.json, the printer, the listing), then re-runs the decision
from the inputs with the recorded parameters (capped by ``options``), compares every output
byte for byte (briefing.pdf: see :func:`_compared`) and checks the claims only a re-run can
(seed, solver, outputs). A pack holding a link or a foreign file, or whose manifest already
makes a false claim, is not re-run at all: a forged manifest cannot buy hours of re-running.
"""

from __future__ import annotations

import json
import platform
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pine_select.errors import InputError, PackError, PineSelectError
from pine_select.pack import files
from pine_select.pack.build import (
    input_digests,
    load_inputs,
    printer_claim,
    render_outputs,
    solver_claim,
)
from pine_select.pack.differences import differences
from pine_select.pack.files import INPUTS, MANIFEST, Listing
from pine_select.pack.manifest import Manifest, read_manifest, this_tool
from pine_select.pack.originals import check_originals
from pine_select.pack.withhold import MAY_BE_UNRECORDED
from pine_select.pipeline import Decision, decide


@dataclass(frozen=True)
class VerifyReport:
    """What ``verify`` found: empty lists mean the pack is exactly what its inputs make."""

    folder: Path
    altered: tuple[str, ...] = ()  # hash differs from the manifest
    missing: tuple[str, ...] = ()  # named in the manifest, not on disk
    added: tuple[str, ...] = ()  # on disk, not in the manifest
    refused: tuple[str, ...] = ()  # "PATH: why a pack may not hold it" (links, foreign files)
    differs_on_rerun: tuple[str, ...] = ()  # re-running from inputs/ gives other bytes
    differences: tuple[str, ...] = ()  # "NAME: where it differs" for those files
    claims: tuple[str, ...] = ()  # "CLAIM: what the manifest says, what was found"
    rerun_error: str = ""
    caveats: tuple[str, ...] = ()  # what verifying could not check (it still verifies)

    @property
    def ok(self) -> bool:
        return not (self.altered or self.missing or self.added or self.refused
                    or self.differs_on_rerun or self.claims or self.rerun_error)


@dataclass(frozen=True)
class Originals:
    """An auditor's means to check redacted copies: the funder's key and the original files."""

    key: bytes
    folder: Path | None = None


def verify_pack(folder: Path, inputs: Path | None = None,
                originals: Originals | None = None) -> VerifyReport:
    """Check every file and claim of a pack, then re-run it from its inputs.

    ``inputs`` defaults to the pack's own ``inputs/``; a panel member's copy has none, so
    it is verified against the inputs of the panel's full pack (``FULL/inputs``).
    Raises PackError (exit 2) when ``folder`` is not a readable pack at all.
    """
    _check_folder(folder)
    manifest = read_manifest(folder)
    own = files.scan(folder)
    given = _inputs_listing(folder, inputs, manifest, own)
    recorded, unchecked = _recorded_inputs(manifest, given, inputs)
    report = _check_files(folder, own, given, manifest, recorded, unchecked)
    if given is None:
        return replace(report, missing=(*report.missing, f"{INPUTS}/"),
                       rerun_error="a full pack carries its inputs/ folder, and this "
                                   "one's is gone")
    claims = _claims_without_rerun(folder, manifest)
    audit = () if originals is None else check_originals(manifest, originals.key,
                                                         originals.folder)
    # The environment's versions are claims too, but a re-run under another still says
    # whether the bytes re-run (an auditor tells another environment from a changed pack).
    report = replace(report, claims=claims + tuple(_tool_claims(manifest)) + audit)
    if report.refused:
        return replace(report, rerun_error="it holds files a pack does not (named above), "
                                           "so it was not loaded")
    if claims:
        # The pack contradicts itself: a re-run would prove nothing, and a forged manifest
        # could ask for hours of it (draws, samples). Refuse first.
        return replace(report, rerun_error="its manifest contradicts itself or results.json "
                                           "(named above), so it was not re-run")
    return _rerun(folder, inputs or folder / INPUTS, manifest, report)


def _claims_without_rerun(folder: Path, manifest: Manifest) -> tuple[str, ...]:
    """What the manifest claims falsely by its own files: checked before any re-run."""
    return (_static_claims(manifest)
            + _results_claims(_bytes_of(folder / files.RESULTS), manifest)
            + _printer_claims(_bytes_of(folder / files.BRIEFING_PDF), manifest))


def _check_folder(folder: Path) -> None:
    if not folder.exists():
        raise PackError(f"{folder}: does not exist; expected a briefing pack folder")
    if not folder.is_dir():
        raise PackError(f"{folder}: is a file, not a folder; expected a briefing pack folder "
                        f"(holding {MANIFEST})")


def _inputs_listing(folder: Path, inputs: Path | None, manifest: Manifest,
                    own: Listing) -> Listing | None:
    """The inputs to check and re-run from (None: a full pack whose inputs/ is gone)."""
    if inputs is not None:
        if not inputs.is_dir():
            raise PackError(f"{inputs}: not a folder; expected the inputs/ folder of the "
                            "panel's full pack")
        return files.scan(inputs, f"{INPUTS}/")
    if (folder / INPUTS).is_dir() and not (folder / INPUTS).is_symlink():
        return Listing({n: p for n, p in own.files.items() if n.startswith(f"{INPUTS}/")}, ())
    if manifest.inputs_included:
        return None
    raise PackError(f"{folder}: a panel member's copy carries no inputs; it is verified "
                    "against the full pack's inputs: give them (FULL_PACK/inputs) as the inputs "
                    "to verify with")


def _recorded_inputs(manifest: Manifest, given: Listing | None, inputs: Path | None
                     ) -> tuple[dict[str, str], dict[str, str]]:
    """The hashes to check the inputs against, and the inputs that cannot be, with why.

    A member's copy records no hash of the inputs that hold what it withholds
    (withhold.unrecorded_inputs); they are checked against the full pack's manifest,
    beside the inputs given (FULL/manifest.json for FULL/inputs).
    """
    if manifest.inputs_included or given is None or inputs is None:
        return manifest.inputs, {}
    unrecorded = [name for name in given.files if name not in manifest.inputs
                  and name.rsplit("/", 1)[-1] in MAY_BE_UNRECORDED]
    if not unrecorded:
        return manifest.inputs, {}
    full = inputs.absolute().parent
    try:
        full_inputs = read_manifest(full).inputs if (full / MANIFEST).is_file() else None
    except PackError as exc:
        return manifest.inputs, dict.fromkeys(unrecorded, f"the full pack's manifest "
                                                           f"cannot be read ({exc})")
    if full_inputs is None:
        return manifest.inputs, dict.fromkeys(
            unrecorded, f"no full pack's {MANIFEST} is beside the inputs given, and a member's "
                        "copy records no hash of it (it holds what the copy withholds)")
    return manifest.inputs | {n: full_inputs[n] for n in unrecorded if n in full_inputs}, {}


def _check_files(folder: Path, own: Listing, given: Listing | None, manifest: Manifest,
                 inputs_recorded: dict[str, str], unchecked: dict[str, str]) -> VerifyReport:
    present = {n: p for n, p in own.files.items()
               if n != MANIFEST and not n.startswith(f"{INPUTS}/")}
    present |= given.files if given is not None else {}
    recorded = dict(manifest.outputs)
    recorded |= inputs_recorded if given is not None else {}
    digests, unreadable = _digests(present)
    refused = [f"{name}: {reason}" for name, reason in own.refused]
    refused += [f"{name}: {reason}" for name, reason in (given.refused if given else ())]
    if not manifest.inputs_included:
        refused += [f"{n}: a panel member's copy holds no inputs" for n in own.files
                    if n.startswith(f"{INPUTS}/")]
    return VerifyReport(
        folder=folder,
        altered=tuple(n for n in sorted(recorded) if n in digests and digests[n] != recorded[n]),
        missing=tuple(n for n in sorted(recorded) if n not in present),
        added=tuple(n for n in sorted(present) if n not in recorded and n not in unchecked),
        refused=tuple(sorted(refused + unreadable)),
        caveats=tuple(f"{name}: not checked: {why}" for name, why in sorted(unchecked.items())),
    )


def _digests(present: dict[str, Path]) -> tuple[dict[str, str], list[str]]:
    digests: dict[str, str] = {}
    unreadable: list[str] = []
    for name, path in present.items():
        try:
            digests[name] = files.sha256_of(path)
        except (OSError, PackError) as exc:
            unreadable.append(f"{name}: cannot be read ({getattr(exc, 'strerror', None) or exc})")
    return digests, unreadable


def _static_claims(manifest: Manifest) -> tuple[str, ...]:
    """Claims the manifest makes that need no re-run: its own consistency."""
    params = manifest.parameters
    found = [f"outputs: lists {name}, which is not a file a pack's outputs hold"
             for name in manifest.outputs if name not in files.OUTPUT_NAMES]
    found += [f"inputs: lists {name}, which is not a file a pack's inputs/ holds"
              for name in manifest.inputs
              if not (name.startswith(f"{INPUTS}/") and files.is_pack_file(name))]
    if manifest.inputs_included != (params.member is None):
        found.append(f"inputs_included: says {manifest.inputs_included}, but the pack is "
                     f"{'a member copy' if params.member else 'a full pack'}")
    printed = files.BRIEFING_PDF in manifest.outputs
    if printed != params.pdf:
        found.append(f"outputs: {'lists' if printed else 'does not list'} "
                     f"{files.BRIEFING_PDF}, but parameters.pdf is {str(params.pdf).lower()}")
    if printed and manifest.printer is None:
        found.append(f"printer: not recorded, but the pack has {files.BRIEFING_PDF}; expected "
                     "the Chromium that printed it")
    if manifest.printer is not None and not printed:
        found.append(f"printer: names {manifest.printer}, but the pack has no "
                     f"{files.BRIEFING_PDF}")
    if params.include_contacts and manifest.redaction.copies:
        found.append("redacted_originals: lists redacted copies, but include_contacts is true")
    return tuple(found)


def _printer_claims(pdf: bytes | None, manifest: Manifest) -> tuple[str, ...]:
    """The recorded Chromium against the one briefing.pdf says produced it."""
    if pdf is None or manifest.printer is None:
        return ()  # reported as missing, or as not recorded
    from pine_select.pack.pdf import producer_milestone

    milestone = producer_milestone(pdf)
    if milestone is None or manifest.printer["version"].split(".")[0] == milestone:
        return ()  # a PDF that does not say: the comparison with the re-print decides
    return (f"printer.version: says {manifest.printer['version']!r}, but "
            f"{files.BRIEFING_PDF} says Chromium {milestone} produced it",)


def _tool_claims(manifest: Manifest) -> list[str]:
    tool, here = manifest.tool, this_tool()
    found = []
    if tool["name"] != here["name"]:
        found.append(f"tool.name: says {tool['name']!r}; only {here['name']} packs verify")
    elif tool["version"] != here["version"]:
        found.append(f"tool.version: says {tool['version']}, but this is {here['name']} "
                     f"{here['version']}, whose re-run cannot confirm it; verify with "
                     f"{here['name']} {tool['version']}")
    if manifest.python != platform.python_version():
        found.append(f"python: says {manifest.python}, but this is Python "
                     f"{platform.python_version()}, which cannot confirm it; verify under "
                     f"Python {manifest.python}")
    return found


def _rerun(folder: Path, inputs: Path, manifest: Manifest, report: VerifyReport) -> VerifyReport:
    try:
        decision = decide(load_inputs(inputs), manifest.parameters)
        rerun = render_outputs(decision, manifest.parameters, input_digests(inputs))
    except InputError as exc:
        shown = "; ".join(str(p) for p in exc.problems[:3])
        more = f" (and {len(exc.problems) - 3} more)" if len(exc.problems) > 3 else ""
        return replace(report, rerun_error=f"its inputs are invalid: {shown}{more}")
    except PineSelectError as exc:
        return replace(report, rerun_error=str(exc))
    compared = {name: _compared(name, _bytes_of(folder / name), content, manifest)
                for name, content in sorted(rerun.items())}
    differs = tuple(name for name, outcome in compared.items() if not outcome.same)
    where = tuple(f"{name}: {place}" for name in differs for place in compared[name].places)
    claims = report.claims + _rerun_claims(manifest, decision, set(rerun))
    caveats = tuple(f"{name}: {outcome.caveat}" for name, outcome in compared.items()
                    if outcome.same and outcome.caveat)
    return replace(report, differs_on_rerun=differs, differences=where, claims=claims,
                   caveats=report.caveats + caveats)


def _results_claims(results: bytes | None, manifest: Manifest) -> tuple[str, ...]:
    """The manifest's tool, parameters and seed against results.json's (hash-covered).

    Checked before any re-run: they need none.
    """
    if results is None:
        return ()  # reported as missing
    try:
        data = json.loads(results)
        recorded = {part: dict(data.get("made_with")[part]) for part in ("tool", "parameters")}
    except (ValueError, TypeError, KeyError, RecursionError, AttributeError):
        return ("made_with: results.json does not record the tool and parameters the pack "
                "was made with",)
    claimed = {"tool": manifest.tool, "parameters": manifest.parameters.as_recorded()}
    found = []
    for part, values in claimed.items():
        for key in sorted(set(values) | set(recorded[part])):
            if values.get(key) != recorded[part].get(key):
                found.append(f"{part}.{key}: says {values.get(key)!r}, but results.json "
                             f"records {recorded[part].get(key)!r}")
    seed = _recorded_seed(data)
    if seed is not None and seed != manifest.seed:
        found.append(f"seed: says {manifest.seed}, but results.json records {seed}")
    return tuple(found)


def _recorded_seed(results: Any) -> Any:
    """The tie-break seed results.json records (None when it records none)."""
    score = results.get("score") if isinstance(results, dict) else None
    return score.get("seed") if isinstance(score, dict) else None


@dataclass(frozen=True)
class _Compared:
    same: bool
    places: tuple[str, ...] = ()  # where they differ
    caveat: str = ""  # what the comparison could not check


def _compared(name: str, found: bytes | None, rerun: bytes, manifest: Manifest) -> _Compared:
    """Byte for byte, except a PDF re-printed by another Chromium than the one recorded."""
    if found is None or found == rerun:
        return _Compared(found == rerun)
    if name != files.BRIEFING_PDF:
        return _Compared(False, differences(name, found, rerun))
    reprinter = printer_claim(manifest.parameters)
    if manifest.printer is not None and manifest.printer == reprinter:
        return _Compared(False, ("not the same bytes as the re-print by the same Chromium",))
    return _reprinted_elsewhere(found, rerun, manifest.printer, reprinter)


def _reprinted_elsewhere(found: bytes, rerun: bytes, printer: dict[str, str] | None,
                         reprinter: dict[str, str] | None) -> _Compared:
    """Another Chromium lays out other bytes: the same text, and nothing we never print."""
    from pine_select.pack.pdf import page_texts, unprinted_parts

    try:
        places = tuple(unprinted_parts(found, rerun))
        if page_texts(found) != page_texts(rerun):
            places += ("its text differs from the re-print's",)
    except PackError as exc:
        return _Compared(False, (str(exc),))
    recorded = "an unrecorded Chromium" if printer is None else f"Chromium {printer['version']}"
    here = "no Chromium" if reprinter is None else f"Chromium {reprinter['version']}"
    return _Compared(not places, places,
                     f"text matches; printed by {recorded}, re-printed by {here}; "
                     "appearance not checked")


def _bytes_of(path: Path) -> bytes | None:
    try:
        return path.read_bytes() if path.is_file() and not path.is_symlink() else None
    except OSError:
        return None


def _rerun_claims(manifest: Manifest, decision: Decision, made: set[str]) -> tuple[str, ...]:
    found = []
    if manifest.seed != decision.scores.seed:
        found.append(f"seed: says {manifest.seed}, but the re-run's tie-break seed (the "
                     f"rubric's) is {decision.scores.seed}")
    rerun_solver = solver_claim(decision)
    for part in ("name", "version"):
        if manifest.solver.get(part) != rerun_solver[part]:
            found.append(f"solver.{part}: says {manifest.solver.get(part)!r}, but the re-run "
                         f"used {rerun_solver[part]!r}")
    found += [f"outputs: lists {name}, which the re-run does not make"
              for name in sorted(set(manifest.outputs) - made) if name in files.OUTPUT_NAMES]
    found += [f"outputs: does not list {name}, which the re-run makes"
              for name in sorted(made - set(manifest.outputs))]
    return tuple(found)
