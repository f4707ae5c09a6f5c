"""Building a briefing pack (SPEC 6): copy the inputs, decide from the copies, write, publish.

Every file but the manifest is a pure function of ``inputs/`` and the recorded
parameters (:func:`render_outputs`), which is what ``verify`` checks by re-running.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from pine_select.errors import InputError, PackError, UsageError, display_path
from pine_select.loading.loader import load_call
from pine_select.model.call import Call, CallFiles
from pine_select.options import RunOptions
from pine_select.outputs import refuse_inputs
from pine_select.pack import destination, files
from pine_select.pack.files import BRIEFING, BRIEFING_PDF, MANIFEST, RESULTS
from pine_select.pack.manifest import Manifest, this_tool
from pine_select.pack.withhold import recorded_hashes, withheld_for
from pine_select.pipeline import Decision, decide

Progress = Callable[[str], None]
MIN_KEY_BYTES = 16


@dataclass(frozen=True)
class PackSummary:
    folder: Path
    decision: Decision
    files: tuple[str, ...]


def build_pack(
    call: Call,
    out: Path,
    params: RunOptions = RunOptions(),
    *,
    force: bool = False,
    key: bytes | None = None,
    progress: Progress | None = None,
) -> PackSummary:
    """Write the briefing pack for ``call`` into ``out``, atomically.

    The pack is computed from the copies in ``inputs/`` (not from ``call`` itself), so a
    pack is always exactly what its own inputs make. ``key`` (a funder-held secret) lets
    the manifest carry an HMAC of each original whose contacts were cut. Raises PackError
    for an ``out`` that must not be written (existing, unless ``force`` and a pack), and
    whatever scoring or selection raise.
    """
    say = progress or (lambda _message: None)
    if call.files is None:
        raise ValueError("build_pack needs a call loaded from files (call.files is None)")
    check_key(key)
    _check_member(call, params.member)
    target = destination.plain_out(out)
    destination.check_place(target, out, call.files)
    with _writing(out), _locked_out(target, out, force) as staging:
        decision, names = _write_pack(call, staging, params, key, say)
        destination.publish(staging, target)
    say(f"wrote {out}")
    return PackSummary(out, decision, names)


@contextmanager
def _locked_out(target: Path, shown: Path, force: bool) -> Iterator[Path]:
    """A staging folder for ``target``, holding its writer lock after recovering its state."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with destination.writer_lock(target, shown):
        destination.recover(target)
        destination.check_replaceable(target, shown, force)
        with destination.staging_folder(target) as staging:
            yield staging


@contextmanager
def _writing(shown: Path) -> Iterator[None]:
    """Turn a failed write (full disk, no permission) into one sentence naming ``--out``."""
    try:
        yield
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        raise PackError(f"{shown}: the pack could not be written{where}: "
                        f"{exc.strerror or exc}; nothing was left half-written") from exc


def _write_pack(call: Call, staging: Path, params: RunOptions, key: bytes | None,
                say: Progress) -> tuple[Decision, tuple[str, ...]]:
    assert call.files is not None
    say("copying inputs")
    redaction = files.copy_inputs(call.files, staging, key=key,
                                  redact_contacts=not params.include_contacts)
    copied = load_inputs(staging / files.INPUTS)
    input_hashes = input_digests(staging / files.INPUTS)
    say(f"scoring and selecting {len(copied.applications)} applications")
    decision = decide(copied, params)
    say("rendering the briefing" + (" and printing it to PDF" if params.pdf else ""))
    with _named_as_given(call.files, copied.files):
        outputs = render_outputs(decision, params, input_hashes)
    for name, content in outputs.items():
        files.write_bytes(staging, name, content)
    if params.member is not None:
        # A member's copy must not carry the scores it withholds: no inputs/ in it.
        shutil.rmtree(staging / files.INPUTS)
    manifest = Manifest(
        parameters=params, seed=decision.scores.seed, solver=solver_claim(decision),
        printer=printer_claim(params),
        inputs=recorded_hashes(input_hashes, params.member,
                               withheld_for(decision.call, params.member)),
        redaction=redaction,
        key_id=None if key is None else files.key_id(key),
        outputs={name: files.sha256_of(staging / name) for name in sorted(outputs)},
        inputs_included=params.member is None,
    )
    files.write_bytes(staging, MANIFEST, manifest.to_json())
    return decision, (*sorted(outputs), MANIFEST)


@contextmanager
def _named_as_given(given: CallFiles, copies: CallFiles | None) -> Iterator[None]:
    """Problems of the copied decision file (SPEC 11) named by the file the user gave."""
    try:
        yield
    except InputError as exc:
        if given.decision is None or copies is None or copies.decision is None:
            raise
        copy, original = display_path(copies.decision), display_path(given.decision)
        raise InputError(replace(p, file=original) if p.file == copy else p
                         for p in exc.problems) from None


def render_outputs(decision: Decision, params: RunOptions,
                   input_hashes: dict[str, str]) -> dict[str, bytes]:
    """The reproducible files of a pack, by name, all made from one disclosure.

    The withholding policy (pack/withhold.py) is applied once, here, before any output.
    """
    from pine_select.pack.calibration_view import calibration_view
    from pine_select.pack.chance_view import chance_json, chance_results, chance_view
    from pine_select.pack.decision_view import decision_part
    from pine_select.pack.render import render_briefing
    from pine_select.pack.results import results_json
    from pine_select.pack.sensitivity_view import sensitivity_view
    from pine_select.pack.view import briefing_view
    from pine_select.pack.withhold import Audience, disclose

    disclosed = disclose(decision, Audience(params.member, params.include_contacts))
    view = briefing_view(disclosed, params, input_hashes)
    view["sensitivity"] = sensitivity_view(disclosed, params)
    view["calibration"] = calibration_view(disclosed, params)
    chance = chance_results(disclosed, params)
    view["chance"] = chance_view(chance)
    results = results_json(disclosed)
    panel = decision_part(decision, params)  # the panel's decision (SPEC 11), if the pack shows it
    view["decision"] = None if panel is None else panel.view
    if panel is not None:
        results["decision"] = panel.results
    if chance.shown:
        results["chance"] = chance_json(chance)
    # The claims a re-run can make again, hash-covered here (the manifest is not).
    results["made_with"] = {"tool": this_tool(), "parameters": params.as_recorded()}
    html = render_briefing(view)
    outputs = {
        RESULTS: (json.dumps(results, indent=2, ensure_ascii=False) + "\n").encode(),
        BRIEFING: html.encode(),
    }
    if params.pdf:
        from pine_select.pack.pdf import render_pdf

        outputs[BRIEFING_PDF] = render_pdf(html)
    return outputs


def check_key(key: bytes | None) -> None:
    if key is not None and len(key) < MIN_KEY_BYTES:
        raise UsageError(f"the key file holds {len(key)} bytes; expected a secret of at least "
                         f"{MIN_KEY_BYTES} random bytes (e.g. head -c 32 /dev/urandom > KEY)")


def read_key(path: Path, published: CallFiles | None = None) -> bytes:
    """A funder's key file, as bytes (PackError with a sentence when it cannot be read).

    ``published``: the files of the call a pack is made of; a key among them, or in their
    applications folder, is refused (UsageError) before it is read.
    """
    if published is not None:
        _check_key_apart(path, published)
    try:
        if path.exists() and not path.is_file():  # a FIFO would block the read
            raise PackError(f"{path}: not a regular file; expected a key file of random bytes")
        if path.stat().st_size > 1 << 16:
            raise PackError(f"{path}: larger than 64 KiB; expected a key file of random bytes")
        return path.read_bytes()
    except OSError as exc:
        raise PackError(f"{path}: the key file cannot be read ({exc.strerror or exc})") from exc


def _check_key_apart(path: Path, files: CallFiles) -> None:
    """Refuse a key file the pack would publish: one of the call's files (copied into
    ``inputs/``), or anything in its applications folder (where a key is one rename away
    from being read, and copied, as the call's reviews or conflicts)."""
    if path.resolve().is_relative_to(files.applications_dir.resolve()):
        raise UsageError(f"key_file: {display_path(path)}: is inside the call's applications "
                         "folder, whose files a pack copies and publishes; keep the key "
                         "outside the call's files", option="key_file")
    refuse_inputs(path, files.all(), option="key_file")


def solver_claim(decision: Decision) -> dict[str, str]:
    return {"name": decision.selection.solver, "version": decision.selection.solver_version}


def printer_claim(params: RunOptions) -> dict[str, str] | None:
    """The Chromium that prints briefing.pdf here (None for a pack without one)."""
    if not params.pdf:
        return None
    from pine_select.pack.pdf import chromium_version

    return {"name": "Chromium", "version": chromium_version()}


def input_digests(inputs: Path) -> dict[str, str]:
    """The SHA-256 of every file of an inputs folder, named ``inputs/...`` as in a pack."""
    listing = files.scan(inputs, f"{files.INPUTS}/")
    return {name: files.sha256_of(path) for name, path in listing.files.items()}


def load_inputs(inputs: Path) -> Call:
    return load_call(inputs / files.RUBRIC_NAME, inputs / files.APPLICATIONS)


def _check_member(call: Call, member: str | None) -> None:
    """Refuse an unknown --member: a typo would give them the full pack, scores and all."""
    known = {r.reviewer for r in call.reviews} | {c.reviewer for c in call.conflicts}
    if member is not None and member not in known:
        raise UsageError(f"member {member!r} is not a reviewer of this call nor named in "
                         f"its conflicts; expected one of: {', '.join(sorted(known))}",
                         option="member")
