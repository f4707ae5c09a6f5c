"""``pine-select import``: a form export and its mapping into one YAML file per application.

:func:`plan_import` reads and checks everything and renders every file in memory; only a
plan with no problem at all exists. :func:`write_import` then writes it: a new folder is
filled beside its place and moved in whole; an existing one (with ``force``) gets only
the files whose bytes change, and files of ids no longer in the export are listed, never
deleted (reviews may already name them).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pine_select.errors import InputError, Problem, Severity, display_path
from pine_select.intake.application_yaml import comment_text, render
from pine_select.intake.export import Export, ReadOptions, column_letter, read_export
from pine_select.intake.mapping import MappingFile, load_mapping
from pine_select.intake.rows import (
    PROGRESS_EVERY,
    Places,
    RowValues,
    convert_rows,
    duplicate_ids,
    key_readers,
)
from pine_select.loading.applications import check_applications, load_rubric
from pine_select.loading.checks import closest
from pine_select.loading.yaml_source import YamlDocument
from pine_select.model.rubric import Rubric
from pine_select.outputs import refuse_inputs, write_files

Progress = Callable[[str], None]
# Files in an applications folder that are not applications (SPEC 2 and 11).
NOT_APPLICATIONS = ("overrides.yaml", "decision.yaml")


@dataclass(frozen=True)
class ImportedFile:
    """One application file to write: its name, the row it came from, and its text."""

    name: str
    row: int
    text: str


@dataclass(frozen=True)
class ImportPlan:
    """Every file the export gives, rendered and checked; warnings to show the user."""

    export: Export
    files: tuple[ImportedFile, ...]
    warnings: tuple[Problem, ...]
    inputs: tuple[Path, ...] = ()  # the files read: the export, the mapping, the rubric


def plan_import(export: Path, mapping: Path, rubric: Path | None = None,
                progress: Progress | None = None) -> ImportPlan:
    """Read, convert and check every row; raises InputError with every problem of every row."""
    report = progress or (lambda _: None)
    mapping_file, rubric_model = _inputs(mapping, rubric)
    spec = mapping_file.mapping
    table = read_export(export, ReadOptions(spec.sheet, spec.header_row, spec.delimiter),
                        report, with_refused=True)  # raised below with every other problem
    try:
        columns = _columns(table, mapping_file)
    except InputError as exc:
        raise InputError([*table.refused, *exc.problems]) from None
    places = Places(table)
    readers = key_readers(spec, columns, rubric_model)
    rows, problems = convert_rows(table, (columns[spec.id.column], spec.id.template),
                                  readers, places, report)
    problems += [*table.refused, *duplicate_ids(rows, table.label, spec.id.column)]
    problems += _checked(rows, rubric_model, places)
    if problems:
        raise InputError(problems)
    if len(rows) >= PROGRESS_EVERY:
        report(f"rendering {len(rows):,} application files")
    files = tuple(ImportedFile(f"{row.id}.yaml", row.row, render(row.values, _origin(table, row)))
                  for row in rows)
    return ImportPlan(table, files, tuple(_unmapped(table, mapping_file)),
                      (export, mapping, *((rubric,) if rubric else ())))


def _inputs(mapping: Path, rubric: Path | None) -> tuple[MappingFile, Rubric | None]:
    """The mapping and the rubric, or one InputError with the problems of both."""
    problems: list[Problem] = []
    loaded_mapping = loaded_rubric = None
    try:
        loaded_mapping = load_mapping(mapping)
    except InputError as exc:
        problems += exc.problems
    try:
        loaded_rubric = load_rubric(rubric) if rubric is not None else None
    except InputError as exc:
        problems += exc.problems
    if loaded_mapping is not None and loaded_rubric is not None:
        problems += loaded_mapping.against_rubric(loaded_rubric)
    if problems or loaded_mapping is None:
        raise InputError(problems)
    return loaded_mapping, loaded_rubric


def _columns(export: Export, mapping: MappingFile) -> dict[str, int]:
    """Each column the mapping reads, by its index in the export; every one must be there."""
    index = {header: i for i, header in enumerate(export.header) if header}
    problems = [
        Problem(mapping.label, line, f"column {column!r} is not in {export.name}",
                closest(column, list(index)), code="unknown_column")
        for column, line in mapping.columns_with_lines() if column not in index
    ]
    problems += _repeated(export, mapping)
    if not export.rows and not problems:
        problems.append(Problem(export.label, mapping.mapping.header_row,
                                "no applications under the header",
                                "a row for each application", code="export_empty"))
    if problems:
        raise InputError(problems)
    return index


def _repeated(export: Export, mapping: MappingFile) -> list[Problem]:
    """A column the mapping reads or ignores whose header the export uses more than once."""
    named = {column: line for column, line in mapping.columns_with_lines()}
    problems = []
    for column in dict.fromkeys(h for h in export.header if h and export.header.count(h) > 1):
        if column in named or column in mapping.mapping.ignore:
            letters = ", ".join(column_letter(i) for i, h in enumerate(export.header)
                                if h == column)
            problems.append(Problem(export.label, mapping.mapping.header_row,
                                    f"the header {column!r} heads columns {letters}",
                                    "each column the mapping names under one header (rename "
                                    "the others in the export)", code="export_header"))
    return problems


def _checked(rows: list[RowValues], rubric: Rubric | None, places: Places) -> list[Problem]:
    """The loader's own checks of each application (with a rubric: categories, gates)."""
    documents = [(YamlDocument(row.values, row.lines), places.export.label) for row in rows]
    return [places.problem(found) for found in check_applications(rubric, documents)]


def _origin(export: Export, row: RowValues) -> str:
    sheet = f" (sheet {comment_text(export.sheet)})" if export.sheet else ""
    return f"Imported by pine-select from {comment_text(export.name)}{sheet}, row {row.row}."


def _unmapped(export: Export, mapping: MappingFile) -> list[Problem]:
    """One warning for the columns neither mapped nor ignored, one for unknown ignores."""
    spec = mapping.mapping
    known = {*spec.columns(), *spec.ignore}
    left = [header or f"column {column_letter(i)} (no header)"
            for i, header in enumerate(export.header) if header not in known]
    warnings = []
    if left:
        warnings.append(Problem(export.label, spec.header_row,
                                f"column(s) neither mapped nor ignored: {', '.join(left)}",
                                "each column under fields: or ignore: in the mapping",
                                code="unmapped_column", severity=Severity.WARNING))
    headers = set(export.header)
    absent = [column for column in spec.ignore if column not in headers]
    if absent:
        warnings.append(Problem(mapping.label, mapping.doc.line_of(("ignore",)),
                                f"ignore: {', '.join(map(repr, absent))} not in {export.name}",
                                "only the export's own headers", code="unknown_column",
                                severity=Severity.WARNING))
    return warnings


@dataclass(frozen=True)
class ImportResult:
    """What an import wrote (or, in a dry run, would write) into ``folder``."""

    folder: Path
    new: tuple[str, ...]
    changed: tuple[str, ...]
    unchanged: tuple[str, ...]
    not_in_export: tuple[str, ...]
    dry_run: bool


def write_import(plan: ImportPlan, folder: Path, *, force: bool = False,
                 dry_run: bool = False) -> ImportResult:
    """Write the plan's files into ``folder`` (see the module docstring)."""
    exists = folder.exists()
    if exists and not (folder.is_dir() and force):
        what = "is not a folder" if not folder.is_dir() else "already exists"
        raise InputError([Problem(display_path(folder), None, what,
                                  "a new folder, or to update this one (force: only files "
                                  "whose bytes change are rewritten)", code="exists")])
    sorted_files = sorted(plan.files, key=lambda f: f.name)
    for file in sorted_files:
        refuse_inputs(folder / file.name, plan.inputs)
    current = _current_bytes(folder, sorted_files) if exists else {}
    new = tuple(f.name for f in sorted_files if f.name not in current)
    changed = tuple(f.name for f in sorted_files
                    if f.name in current and current[f.name] != f.text.encode())
    result = ImportResult(folder, new, changed,
                          tuple(name for name in current if name not in changed),
                          _not_in_export(folder, sorted_files) if exists else (), dry_run)
    if not dry_run:
        write_files(folder, {f.name: f.text.encode() for f in sorted_files
                             if f.name in (*new, *changed)})
    return result


def _current_bytes(folder: Path, files: list[ImportedFile]) -> dict[str, bytes]:
    return {f.name: (folder / f.name).read_bytes() for f in files
            if (folder / f.name).is_file()}


def _not_in_export(folder: Path, files: list[ImportedFile]) -> tuple[str, ...]:
    written = {f.name for f in files}
    return tuple(sorted(
        path.name for path in folder.iterdir()
        if path.is_file() and path.suffix in (".yaml", ".yml") and path.name not in written
        and path.name not in NOT_APPLICATIONS and not path.name.startswith(".")))
