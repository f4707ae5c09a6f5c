"""Writing a pack folder: refuse what must not be replaced, one writer at a time, all or nothing.

A pack is built in a staging folder beside ``--out`` and moved into place only when
complete. Beside ``out`` live, at most:

- ``.OUT.lock``: held (``flock``) by the one run writing ``out``; the kernel releases it
  when that run dies, however it dies, so a lock never outlives its writer;
- ``.OUT.staging-XXXXXXXX``: a pack being built; one left by a killed run is removed by
  the next run (under the lock, so never another run's);
- ``.OUT.old``: the pack ``--force`` is replacing, for the instant between its two
  renames. A run killed in that instant leaves ``out`` missing and ``.OUT.old`` whole:
  the next run puts it back before doing anything else, so the old pack is never lost.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from pine_select.errors import PackError
from pine_select.model.call import CallFiles
from pine_select.outputs import refuse_inputs
from pine_select.pack.files import MANIFEST, scan

_STAGING = ".staging-"


def plain_out(out: Path) -> Path:
    """``out`` made absolute, its folder's links resolved (one lock for one real place), its
    own name kept as given (a link there is refused, not followed)."""
    absolute = Path(os.path.abspath(out))
    return absolute if absolute.parent == absolute else absolute.parent.resolve() / absolute.name


def check_place(out: Path, shown: Path, files: CallFiles) -> None:
    """Refuse an --out that cannot or must not hold a pack, before anything is written."""
    here = Path.cwd().resolve()
    if out.parent == out or here.is_relative_to(out.resolve()):
        raise PackError(f"{shown}: is the working folder or holds it; choose a new folder "
                        "for the pack")
    for parent in out.parents:
        if parent.exists() and not parent.is_dir():
            raise PackError(f"{shown}: cannot be made, since {parent} is a file; choose "
                            "another output folder")
    _check_apart_from_inputs(out, shown, files)


def _check_apart_from_inputs(out: Path, shown: Path, files: CallFiles) -> None:
    target = out.resolve()
    apps = files.applications_dir.resolve()
    if target.is_relative_to(apps):
        raise PackError(f"{shown}: is inside the call's applications folder {apps}; "
                        "choose an output folder outside the call's files")
    refuse_inputs(out, (files.applications_dir, *files.all()), folder=True)


def check_replaceable(out: Path, shown: Path, force: bool) -> None:
    """Refuse an existing ``out`` unless ``force`` and it is a briefing pack."""
    if not (out.exists() or out.is_symlink()):
        return
    if out.is_symlink() or not out.is_dir():
        raise PackError(f"{shown} exists and is not a folder (or is a symbolic link); "
                        "choose another output folder")
    if not force:
        raise PackError(f"{shown} already exists; choose another output folder, or replace "
                        "it (force)")
    reason = not_a_pack(out)
    if reason:
        raise PackError(f"{shown} is not a briefing pack ({reason}); only a pack is "
                        "replaced: choose another output folder, or move this one away yourself")


def not_a_pack(folder: Path) -> str:
    """Why ``folder`` is not a pack pine-select made ("" if it is one)."""
    listing = scan(folder)
    if listing.refused:
        name, reason = listing.refused[0]
        return f"it holds {name}: {reason}"
    if MANIFEST not in listing.files:
        return f"it has no {MANIFEST}"
    try:
        tool = json.loads(listing.files[MANIFEST].read_bytes()).get("tool", {})
    except (OSError, ValueError, RecursionError, AttributeError):
        tool = None
    if not isinstance(tool, dict) or tool.get("name") != "pine-select":
        return f"its {MANIFEST} is not one pine-select wrote"
    return ""


@contextmanager
def writer_lock(out: Path, shown: Path) -> Iterator[None]:
    """Hold ``.OUT.lock`` while writing ``out``; a second writer is refused at once."""
    lock = out.with_name(f".{out.name}.lock")
    descriptor = _locked(lock, shown)
    try:
        yield
    finally:
        with suppress(OSError):
            lock.unlink()
        os.close(descriptor)


def _locked(lock: Path, shown: Path) -> int:
    while True:
        descriptor = os.open(lock, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o644)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)
            raise PackError(f"{shown}: another pine-select run is writing this pack now; "
                            "wait for it to finish, then run again") from None
        if _same_file(descriptor, lock):
            return descriptor
        os.close(descriptor)  # the holder removed the lock file as we opened it: again


def _same_file(descriptor: int, path: Path) -> bool:
    try:
        return os.fstat(descriptor).st_ino == os.stat(path, follow_symlinks=False).st_ino
    except FileNotFoundError:
        return False


def recover(out: Path) -> None:
    """Finish what a killed run left beside ``out`` (call it holding the writer lock)."""
    old = _old(out)
    if old.is_dir() and not old.is_symlink() and not not_a_pack(old):
        if out.exists() or out.is_symlink():
            shutil.rmtree(old)  # killed after the second rename: the new pack is in place
        else:
            os.replace(old, out)  # killed between the renames: the old pack goes back
    pattern = re.compile(re.escape(f".{out.name}{_STAGING}") + r"[a-z0-9_]{8}")
    for entry in out.parent.iterdir():
        if pattern.fullmatch(entry.name) and entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)


@contextmanager
def staging_folder(out: Path) -> Iterator[Path]:
    """A temporary folder beside ``out``, removed unless :func:`publish` moved it."""
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}{_STAGING}", suffix="",
                                    dir=out.parent))
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
    old = _old(out)
    os.replace(out, old)
    try:
        os.replace(staging, out)
    except BaseException:
        os.replace(old, out)  # put the old pack back before reporting the failure
        raise
    shutil.rmtree(old, ignore_errors=True)


def _old(out: Path) -> Path:
    return out.with_name(f".{out.name}.old")
