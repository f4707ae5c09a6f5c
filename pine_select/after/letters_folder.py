"""Write every letter into ``DIR/<id>.html``: all or nothing, one writer at a time.

The rules are the shared ones of ``outputs.py``: an existing ``DIR`` that holds anything
is refused unless ``--force``, and even then only the ``<id>.html`` files of the letters
written now are replaced: ``--force`` never deletes or rewrites anything else (an
``index.html`` or notes of one's own stay as they were). The letters are written in a
staging folder beside ``DIR`` first; a writer lock and the clean-up of a killed run's
staging folder are the pack's (``pack/destination.py``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from pine_select.errors import display_path
from pine_select.model.call import CallFiles
from pine_select.outputs import check_folder, refuse_inputs, write_files
from pine_select.pack.destination import check_place, plain_out, recover, writer_lock

LETTER_SUFFIX = ".html"


def write_letters(letters: Mapping[str, str], out: Path, files: CallFiles, *, force: bool,
                  inputs: Sequence[Path] = ()) -> Path:
    """Write ``letters`` (application id -> HTML) as ``out/<id>.html``; the folder written.

    ``inputs``: files the run read beside the call's (its template), never overwritten.
    """
    shown = Path(display_path(out))
    target = plain_out(out)
    check_place(target, shown, files)
    named = {f"{app_id}{LETTER_SUFFIX}": html.encode("utf-8") for app_id, html in letters.items()}
    for name in named:
        refuse_inputs(target / name, (*files.all(), *inputs))
    with writer_lock(target, shown):
        recover(target)  # a staging folder left by a killed run
        check_folder(target, force=force)
        write_files(target, named)
    return target
