"""``export``: the decided grants as a 360Giving file, checked before a byte is written.

JSON is the package, validated against the shipped schema; CSV is that same validated
package flattened. Either is written atomically (a temporary file beside ``--out``, then
renamed), so a reader never sees half a file and a failure leaves any old file as it was.
"""

from __future__ import annotations

import json
from pathlib import Path

from pine_select.after.giving_csv import giving_csv
from pine_select.after.giving_schema import check_package
from pine_select.after.grants import giving_package
from pine_select.atomic import write_atomically
from pine_select.decision import Decided
from pine_select.errors import UsageError, display_path
from pine_select.model.call import CallFiles
from pine_select.outputs import check_file, refuse_inputs

FORMATS = ("360giving", "360giving-csv")


def grants_file(outcome: Decided, fmt: str) -> bytes:
    """The bytes of the export in ``fmt`` (one of FORMATS); InputError if not valid 360Giving."""
    package = giving_package(outcome)
    check_package(package, display_path(outcome.source) if outcome.source else "export")
    if fmt == "360giving-csv":
        return giving_csv(package).encode("utf-8")
    return (json.dumps(package, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def write_export(data: bytes, out: Path, inputs: CallFiles, decision: Path | None, *,
                 force: bool = False) -> None:
    """Write ``data`` to ``out`` atomically; never over or inside the call's own files, and
    over an existing file only with ``force``."""
    _check_apart(out, inputs, decision)
    check_file(out, force=force)
    write_atomically(out, data, mode=0o644)  # the export is for publishing


def _check_apart(out: Path, inputs: CallFiles, decision: Path | None) -> None:
    if not out.parent.is_dir():
        raise UsageError(f"out: {display_path(out)}: its folder does not exist; choose a file "
                         "in an existing folder", option="out")
    target = out.resolve()
    if out.is_dir() or target.is_relative_to(inputs.applications_dir.resolve()):
        raise UsageError(f"out: {display_path(out)}: is a folder or inside the call's "
                         "applications folder; choose a file outside the call", option="out")
    refuse_inputs(out, (*inputs.all(), decision))
