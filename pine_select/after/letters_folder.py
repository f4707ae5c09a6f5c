"""Write every letter into ``DIR/<id>.html``: all or nothing, one writer at a time.

The pack's machinery does the work (``pack/destination.py``): the letters are written in
a staging folder beside ``DIR``, under a lock, and moved into place only when all are
written. An existing ``DIR`` is refused unless ``--force``, and even then only when it
holds nothing but letters (``*.html`` files): ``--force`` never deletes anything else.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from pathlib import Path

from pine_select.errors import UsageError, display_path
from pine_select.model.call import CallFiles
from pine_select.pack.destination import (
    check_place,
    plain_out,
    publish,
    recover,
    staging_folder,
    writer_lock,
)

LETTER_SUFFIX = ".html"


def write_letters(letters: Mapping[str, str], out: Path, files: CallFiles, *, force: bool
                  ) -> Path:
    """Write ``letters`` (application id -> HTML) as ``out/<id>.html``; the folder written."""
    shown = Path(display_path(out))
    target = plain_out(out)
    check_place(target, shown, files)
    with writer_lock(target, shown):
        recover(target)  # a staging folder left by a killed run
        _recover_old_letters(target)
        _check_replaceable(target, shown, force)
        with staging_folder(target) as staging:
            for app_id, html in letters.items():
                (staging / f"{app_id}{LETTER_SUFFIX}").write_bytes(html.encode("utf-8"))
            publish(staging, target)
    return target


def _check_replaceable(out: Path, shown: Path, force: bool) -> None:
    if not (out.exists() or out.is_symlink()):
        return
    if out.is_symlink() or not out.is_dir():
        raise UsageError(f"out: {shown} exists and is not a folder (or is a symbolic link); "
                         "choose another folder for the letters", option="out")
    if not force:
        raise UsageError(f"out: {shown} already exists; choose another folder, or replace it "
                         "(force)", option="out")
    other = _not_a_letter(out)
    if other:
        raise UsageError(f"out: {shown} holds {other}, which is not a letter; only a folder of "
                         "letters is replaced: choose another folder", option="out")


def _not_a_letter(folder: Path) -> str:
    """The first entry of ``folder`` that letters did not write ("" if none)."""
    with os.scandir(folder) as entries:
        for entry in sorted(entries, key=lambda e: e.name):
            if entry.is_symlink() or not entry.is_file() or not entry.name.endswith(
                    LETTER_SUFFIX):
                return entry.name
    return ""


def _recover_old_letters(out: Path) -> None:
    """Finish a killed run's replacement (``.OUT.old``): put the old letters back, or drop them."""
    old = out.with_name(f".{out.name}.old")
    if not old.is_dir() or old.is_symlink() or _not_a_letter(old):
        return
    if out.exists() or out.is_symlink():
        shutil.rmtree(old)
    else:
        os.replace(old, out)
