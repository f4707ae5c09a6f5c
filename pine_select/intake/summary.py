"""What an import says when it is done (stdout: the result, never progress)."""

from __future__ import annotations

from pine_select.errors import display_path
from pine_select.intake.importer import ImportPlan, ImportResult

LISTED = 20  # names shown of each kind; the rest are counted


def import_text(plan: ImportPlan, result: ImportResult) -> str:
    """A few lines: how many files were new, changed and unchanged; which are not in the export."""
    folder = display_path(result.folder)
    counts = (f"{len(result.new)} new, {len(result.changed)} changed, "
              f"{len(result.unchanged)} unchanged")
    source = f"{len(plan.files)} application(s) from {plan.export.name}"
    lines = ([f"Dry run: {source}; {folder}/ would get {counts} (nothing written)."]
             if result.dry_run else [f"Imported {source} into {folder}/: {counts}."])
    if result.changed:
        lines.append(f"{'Would rewrite' if result.dry_run else 'Rewritten'}: "
                     f"{_listed(result.changed)}")
    if result.not_in_export:
        lines.append(f"Not in the export (kept, not deleted): {_listed(result.not_in_export)}")
    return "\n".join(lines)


def _listed(names: tuple[str, ...]) -> str:
    shown = ", ".join(names[:LISTED])
    return shown + (f", ... ({len(names) - LISTED} more)" if len(names) > LISTED else "")
