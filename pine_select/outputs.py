"""Where a run may write: the one home of the rules every writing command keeps.

- :func:`refuse_inputs`: an output is never one of the run's own inputs (the same file,
  through any symbolic or hard link), and a folder that is replaced whole never holds one.
  assign, sheets, collect, import, export, letters and pack all ask it, so a typo in
  ``--out`` cannot turn the rubric, an application or a returned workbook into output.
- :func:`check_file`: an output file that exists is replaced only with ``force`` (export:
  the file is for publishing, and ``--out`` may be mistyped onto anything).
- :func:`check_folder` and :func:`write_files`: an output folder that already holds files
  is refused unless ``force``; with ``force`` only the files the run itself writes are
  replaced, and nothing else in the folder is touched (a reviewer's returned workbook, an
  ``index.html`` of one's own). A new folder is filled beside its place and appears whole;
  in an existing one, every file is written beside its place first and then moved in
  (each one atomically), so a failure while writing leaves the folder as it was.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from pine_select.errors import UsageError, display_path


def refuse_inputs(out: Path, inputs: Iterable[Path | None], *, option: str = "out",
                  folder: bool = False) -> None:
    """Refuse (UsageError naming both) an ``out`` that is one of ``inputs``.

    ``folder``: ``out`` is a folder the run replaces whole, so no input may lie inside it;
    else ``out`` is a file, and an existing folder there is refused too.
    """
    if not folder and out.is_dir():
        raise UsageError(f"{option}: {display_path(out)} is a folder; expected the name of "
                         "the file to write", option=option)
    for source in inputs:
        if source is not None and _clashes(out, source, folder):
            shown, named = display_path(out), display_path(source)
            which = "" if named == shown else f" ({named})"
            if folder:
                raise UsageError(f"{option}: {shown}: holds {named}, one of the run's inputs; "
                                 "choose another folder", option=option)
            raise UsageError(f"{option}: {shown}: is one of the run's inputs{which}; choose "
                             "another file", option=option)


def _clashes(out: Path, source: Path, folder: bool) -> bool:
    target, real = out.resolve(), source.resolve()
    if target == real or (folder and real.is_relative_to(target)):
        return True
    try:  # a hard link: another name for the same file
        return out.exists() and source.exists() and os.path.samefile(out, source)
    except OSError:
        return False


def check_folder(out: Path, *, force: bool, option: str = "out") -> None:
    """Refuse an ``out`` that is not a folder, or a folder holding anything, unless ``force``."""
    shown = display_path(out)
    if not (out.exists() or out.is_symlink()):
        return
    if out.is_symlink() or not out.is_dir():
        raise UsageError(f"{option}: {shown} exists and is not a folder (or is a symbolic "
                         "link); choose another folder", option=option)
    if not force and any(out.iterdir()):
        raise UsageError(f"{option}: {shown} already exists and is not empty; choose another "
                         "folder, or replace the files this run writes in it (force: nothing "
                         "else in it is touched)", option=option)


def check_file(out: Path, *, force: bool, option: str = "out") -> None:
    """Refuse an ``out`` file that already exists, unless ``force``."""
    if not force and (out.exists() or out.is_symlink()):
        raise UsageError(f"{option}: {display_path(out)} already exists; choose another file, "
                         "or replace it (force)", option=option)


def write_files(folder: Path, files: Mapping[str, bytes], *, mode: int | None = None) -> None:
    """Write ``files`` (plain name -> bytes) into ``folder``; nothing else in it is touched.

    ``mode``: the files' permission bits (default: as ``open`` makes them, by the umask).
    """
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.staging-", dir=folder.parent))
    try:
        for name, data in files.items():
            (staging / name).write_bytes(data)
            if mode is not None:
                os.chmod(staging / name, mode)
        if not folder.exists():
            os.chmod(staging, 0o755)  # mkdtemp makes it private
            os.replace(staging, folder)
            return
        for name in files:
            os.replace(staging / name, folder / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)

