"""Files of a briefing pack: copying inputs, hashing, and writing the folder atomically.

A pack is built in a temporary folder beside ``--out`` and moved into place only when
complete, so a failure never leaves a half-written pack, and nothing is written outside
the output folder: every name inside it is checked to stay inside it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pine_select.errors import PackError
from pine_select.loading.yaml_source import without_top_level_key
from pine_select.model.call import CallFiles

INPUTS = "inputs"
APPLICATIONS = "applications"
RUBRIC_NAME = "rubric.yaml"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def pack_files(folder: Path) -> dict[str, Path]:
    """Every file in a pack folder, by its POSIX path relative to the folder, sorted."""
    found = {p.relative_to(folder).as_posix(): p for p in folder.rglob("*") if p.is_file()}
    return dict(sorted(found.items()))


def inside(folder: Path, relative: str) -> Path:
    """``folder / relative``, refusing any name that would land outside ``folder``."""
    target = (folder / relative).resolve()
    if not target.is_relative_to(folder.resolve()) or Path(relative).is_absolute():
        raise PackError(f"refusing to write {relative!r}: it is outside the pack folder")
    return target


def copy_inputs(files: CallFiles, folder: Path, *, redact_contacts: bool) -> dict[str, str]:
    """Copy the call's files into ``folder/inputs`` in the layout ``load_call`` defaults to.

    The rubric becomes ``inputs/rubric.yaml``; applications, reviews.csv, conflicts.csv and
    overrides.yaml go into ``inputs/applications/``, so a re-run needs no options. With
    ``redact_contacts`` an application's ``contact`` block is cut from its copy (personal
    data stays out of packs); the SHA-256 of each original so redacted is returned, by the
    copy's name, so an auditor holding the originals can still match them.
    """
    apps = folder / INPUTS / APPLICATIONS
    apps.mkdir(parents=True)
    shutil.copyfile(files.rubric, folder / INPUTS / RUBRIC_NAME)
    redacted: dict[str, str] = {}
    for path in files.applications:
        target = inside(apps, path.name)
        original = path.read_bytes()
        copy = _without_contact(original) if redact_contacts else original
        target.write_bytes(copy)
        if copy != original:
            redacted[f"{INPUTS}/{APPLICATIONS}/{path.name}"] = hashlib.sha256(original).hexdigest()
    extras = {"reviews.csv": files.reviews, "conflicts.csv": files.conflicts,
              "overrides.yaml": files.overrides}
    for name, source in extras.items():
        if source is not None:
            shutil.copyfile(source, apps / name)
    return dict(sorted(redacted.items()))


def _without_contact(original: bytes) -> bytes:
    try:
        text = original.decode("utf-8-sig")
    except UnicodeDecodeError:
        return original
    return without_top_level_key(text, "contact").encode()


def write_bytes(folder: Path, relative: str, content: bytes) -> None:
    target = inside(folder, relative)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)


def check_destination(out: Path, force: bool) -> None:
    """Refuse an existing --out (unless forced) before any work is done."""
    if out.exists() and not force:
        raise PackError(f"{out} already exists; choose another --out or pass --force")
    if out.exists() and not out.is_dir():
        raise PackError(f"{out} exists and is not a folder")


def check_not_over_inputs(out: Path, files: CallFiles) -> None:
    """Refuse an --out that holds the call's own files: --force would delete them."""
    target = out.resolve()
    for source in (files.applications_dir, *files.all()):
        if source.resolve().is_relative_to(target):
            raise PackError(f"{out} holds the call's input {source}; choose another --out")


@contextmanager
def staging_folder(out: Path) -> Iterator[Path]:
    """A temporary folder beside ``out``, removed unless :func:`publish` moved it."""
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    try:
        yield staging
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def publish(staging: Path, out: Path) -> None:
    """Move a complete pack into place; an existing pack is replaced only at the end."""
    os.chmod(staging, 0o755)  # mkdtemp makes it private; a pack is meant to be shared
    if not out.exists():
        os.replace(staging, out)
        return
    old = out.with_name(f".{out.name}.old")
    if old.exists():
        shutil.rmtree(old)
    os.replace(out, old)
    os.replace(staging, out)
    shutil.rmtree(old, ignore_errors=True)
