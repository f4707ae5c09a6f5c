"""Load a whole call from its files, collecting every problem before reporting any.

``load_call`` is the one entry point. It reads the rubric, every application file, the
reviews, conflicts and overrides; validates each against its model; then runs the checks
that relate files to each other (``checks.py``). If anything is wrong it raises one
:class:`InputError` listing every problem, each with its file and line.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from sys import intern
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from pine_select.errors import InputError, Problem, Severity, display_path
from pine_select.gc_pause import paused_gc
from pine_select.loading import checks
from pine_select.loading.csv_source import CsvRow, open_csv, read_csv
from pine_select.loading.review_rows import REVIEW_COLUMNS, NotValid, ReviewRows, score_value
from pine_select.loading.yaml_source import Results, YamlDocument, read_yaml, reading_many
from pine_select.model.application import Application
from pine_select.model.base import CRITERION_ID_PATTERN, ID_PATTERN, MAX_POUNDS
from pine_select.model.call import Call, CallFiles
from pine_select.model.reviews import Conflict, Overrides, Review
from pine_select.model.rubric import Rubric

M = TypeVar("M", bound=BaseModel)

CONFLICT_COLUMNS = ("reviewer", "application_id")
OVERRIDES_NAME = "overrides.yaml"
CALL_FILE_NAMES = ("reviews.csv", "conflicts.csv", OVERRIDES_NAME)


@dataclass(frozen=True)
class Parsed:
    """A model read from a file, with the file's label and line map for later checks.

    ``model`` is None when the file is valid YAML but not a valid model: its raw values
    still get the cross-file checks, so that one run reports every problem.
    """

    model: Any
    label: str
    doc: YamlDocument


@paused_gc()  # millions of small acyclic objects: see gc_pause.py
def load_call(
    rubric: Path | str,
    applications: Path | str,
    *,
    reviews: Path | str | None = None,
    conflicts: Path | str | None = None,
    overrides: Path | str | None = None,
) -> Call:
    """Read and check a call. Optional files default to their SPEC place in ``applications``.

    Raises :class:`InputError` with every problem found, across all files.
    """
    files = locate_files(Path(rubric), Path(applications), reviews, conflicts, overrides)
    problems: list[Problem] = []
    parsed_rubric = _parse_yaml_model(files.rubric, Rubric, problems)
    unloadable: set[str] = set()
    app_docs, review_rows = _parse_applications_and_reviews(files, problems, unloadable)
    parsed_apps = [p for p in app_docs if p.model is not None]
    conflict_rows = _load_conflicts(files.conflicts, problems)
    parsed_overrides = _parse_yaml_model(files.overrides, Overrides, problems)
    problems.extend(_unread_files(files))
    if not files.applications:
        problems.append(Problem(display_path(files.applications_dir), None,
                                "no application files", "one *.yaml file per application",
                                code="no_applications"))
    rubric_model: Rubric | None = parsed_rubric.model if parsed_rubric else None
    parsed_overrides = parsed_overrides if parsed_overrides and parsed_overrides.model else None
    found = checks.check_call(rubric_model, parsed_rubric, app_docs, review_rows,
                              conflict_rows, parsed_overrides, unloadable)
    problems.extend(found)
    errors = [p for p in problems if p.severity is Severity.ERROR]
    if errors or rubric_model is None:
        raise InputError(errors)
    return Call(
        rubric=rubric_model,
        applications=tuple(sorted((p.model for p in parsed_apps), key=lambda a: a.id)),
        reviews=tuple(review_rows.models),
        conflicts=tuple(c.model for c in conflict_rows),
        overrides=parsed_overrides.model if parsed_overrides else Overrides(),
        files=files,
        warnings=tuple(sorted((p for p in problems if p.severity is Severity.WARNING),
                              key=Problem.sort_key)),
    )


def locate_files(
    rubric: Path,
    applications: Path,
    reviews: Path | str | None,
    conflicts: Path | str | None,
    overrides: Path | str | None,
) -> CallFiles:
    """Where each file of the call is; raises InputError if a named file or folder is absent."""
    problems = []
    if not rubric.is_file():
        problems.append(Problem(display_path(rubric), None, "no such file", "the rubric YAML"))
    if not applications.is_dir():
        problems.append(Problem(display_path(applications), None, "no such folder",
                                "the folder of application files"))
    named = {"--reviews": reviews, "--conflicts": conflicts, "--overrides": overrides}
    for option, value in named.items():
        if value is not None and not Path(value).is_file():
            problems.append(Problem(display_path(value), None, f"no such file (given as {option})",
                                    "an existing file"))
    if problems:
        raise InputError(problems)
    application_files, unread = _application_files(
        applications, {Path(v).name for v in named.values() if v is not None})
    return CallFiles(
        rubric=rubric,
        applications_dir=applications,
        applications=application_files,
        unread=unread,
        reviews=_optional(reviews, applications / "reviews.csv"),
        conflicts=_optional(conflicts, applications / "conflicts.csv"),
        overrides=_optional(overrides, applications / OVERRIDES_NAME),
    )


def _application_files(folder: Path, named: set[str]) -> tuple[tuple[Path, ...],
                                                                 tuple[Path, ...]]:
    """The application files in ``folder``, and the other files there that are not read.

    Hidden files (.gitkeep, .DS_Store) and the files of the call (``named``: those given
    by option) are neither.
    """
    # os.scandir knows which entries are files without a stat call per file.
    with os.scandir(folder) as entries:
        names = sorted(entry.name for entry in entries if entry.is_file())
    applications, unread = [], []
    for name in names:
        if name.endswith((".yaml", ".yml")) and name not in (OVERRIDES_NAME, ".yaml", ".yml"):
            applications.append(folder / name)
        elif name not in CALL_FILE_NAMES and name not in named and not name.startswith("."):
            unread.append(folder / name)
    return tuple(applications), tuple(unread)


def _unread_files(files: CallFiles) -> list[Problem]:
    """A warning for each file in the applications folder that is not read.

    ``A.YAML`` is not an application (names are case-sensitive, as the SPEC's are): without
    a word, the application would vanish from scoring and selection.
    """
    problems = []
    for path in files.unread:
        name = path.name
        if name.lower() in CALL_FILE_NAMES:
            message, expected = ("not read: file names are case-sensitive",
                                 f"the name {name.lower()} (rename it)")
        elif path.suffix.lower() in (".yaml", ".yml"):
            message, expected = ("not read: file names are case-sensitive",
                                 f"*.yaml or *.yml in lower case (rename it to "
                                 f"{path.stem}{path.suffix.lower()})")
        else:
            message, expected = ("not read", "*.yaml or *.yml for an application, or "
                                 f"{', '.join(CALL_FILE_NAMES)}")
        problems.append(Problem(display_path(path), None, message, expected, code="not_read",
                                severity=Severity.WARNING))
    return problems


def _labels(folder: Path, paths: Sequence[Path]) -> list[str]:
    """``display_path`` of each file in ``folder``, resolving the folder once.

    Resolving each of 100,000 files took 4 s. A file that is not a symbolic link resolves
    to the resolved folder plus its name, so only links need the full treatment.
    """
    with os.scandir(folder) as entries:
        links = {entry.name for entry in entries if entry.is_symlink()}
    try:
        inside: Path | None = folder.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        inside = None  # outside the working folder: display_path keeps the path as given
    prefix = _child_prefix(folder if inside is None else inside)
    return [display_path(p) if p.name in links else prefix + p.name for p in paths]


def _child_prefix(folder: Path) -> str:
    """What ``(folder / name).as_posix()`` puts before ``name``: "" for ".", "/" for "/".

    Joined as text: a Path per file costs a third of building the labels of 10,000 files.
    """
    return (folder / "_").as_posix()[:-1]


def _parse_applications_and_reviews(files: CallFiles, problems: list[Problem],
                                    unloadable: set[str]) -> tuple[list[Parsed], Reviews]:
    """The application files and reviews.csv; problems in that order, as if read in turn.

    Other processes may parse the application files (``reading_many``): this one reads
    the reviews meanwhile instead of waiting, a third of the time of loading a large call.
    """
    labels = _labels(files.applications_dir, files.applications)
    review_problems: list[Problem] = []
    with reading_many(list(zip(files.applications, labels, strict=True))) as app_docs:
        reviews = _load_reviews(files.reviews, review_problems)
        parsed = _parse_applications(files, labels, app_docs(), problems, unloadable)
    problems.extend(review_problems)
    return parsed, reviews


def _parse_applications(files: CallFiles, labels: list[str], docs: Results,
                        problems: list[Problem], unloadable: set[str]) -> list[Parsed]:
    """Every application file (``docs``, as read) validated; those not valid YAML are left out.

    Adds to ``unloadable`` the ids that files with problems may have: the file name's stem,
    and the ``id`` written in the file if it is text. Reviews naming them are not then
    reported as naming an unknown application, an echo of the problem already reported.
    """
    parsed = []
    for path, label, (doc, found) in zip(files.applications, labels, docs, strict=True):
        problems.extend(found)
        app = None if doc is None else _validated(doc, label, Application, problems)
        if app is not None:
            parsed.append(app)
        if found or app is None or app.model is None:
            unloadable.add(path.stem)
            raw_id = doc.data.get("id") if doc is not None and isinstance(doc.data, dict) else None
            if isinstance(raw_id, str):
                unloadable.add(raw_id)
    return parsed


def _optional(given: Path | str | None, default: Path) -> Path | None:
    if given is not None:
        return Path(given)
    return default if default.is_file() else None


def _parse_yaml_model(path: Path | None, model: type[M], problems: list[Problem]) -> Parsed | None:
    if path is None:
        return None
    label = display_path(path)
    doc, found = read_yaml(path, label)
    problems.extend(found)
    return None if doc is None else _validated(doc, label, model, problems)


def _validated(doc: YamlDocument, label: str, model: type[M],
               problems: list[Problem]) -> Parsed | None:
    if not isinstance(doc.data, dict):
        problems.append(Problem(label, 1, "the file does not hold a mapping of keys",
                                f"keys such as {', '.join(list(model.model_fields)[:3])}"))
        return None
    try:
        return Parsed(model.model_validate(doc.data), label, doc)
    except ValidationError as exc:
        problems.extend(validation_problems(exc, doc, label))
        return Parsed(None, label, doc)


@dataclass(frozen=True)
class Row:
    model: Any
    label: str
    line: int


@dataclass(frozen=True)
class Reviews:
    """The valid rows of reviews.csv as models (each knows its ``line``), and the file's label."""

    models: list[Review]
    label: str = ""


# Batches with a value that is not valid go through one adapter (a call per row costs a
# third more), and row by row only if that fails.
_REVIEW_BATCH: TypeAdapter[list[Review]] = TypeAdapter(list[Review])
REVIEW_BATCH_SIZE = 4096


def _load_reviews(path: Path | None, problems: list[Problem]) -> Reviews:
    if path is None:
        return Reviews([])
    label = display_path(path)
    table = open_csv(path, label, REVIEW_COLUMNS, ("comment",))
    models: list[Review] = []
    if set(REVIEW_COLUMNS) <= set(table.header):  # else a header problem, and no rows
        review_rows = ReviewRows(table.header)
        fields_of = _review_fields(table.header)
        while batch := list(itertools.islice(table.records, REVIEW_BATCH_SIZE)):
            try:
                models += review_rows.models(batch)  # sharing review_rows.fields_set
            except NotValid:  # validate, to say what is wrong where
                valid = _validated_reviews([fields_of(*record) for record in batch], label,
                                           problems)
                models += _sharing_fields_set(valid, review_rows.fields_set)
    problems.extend(table.problems)
    return Reviews(models, label)


def _validated_reviews(batch: list[dict[str, Any]], label: str,
                       problems: list[Problem]) -> list[Review]:
    try:
        return _REVIEW_BATCH.validate_python(batch)
    except ValidationError:  # row by row, to say what is wrong where
        rows = [CsvRow(fields.pop("line"), fields) for fields in batch]
        return [row.model for row in _rows_to_models(rows, label, Review, problems, dict)]


def _review_fields(header: tuple[str, ...]) -> Callable[[int, list[str]], dict[str, Any]]:
    """A function from a row of reviews.csv (line, values) to the fields of its Review."""
    app, reviewer, criterion, score = (header.index(column) for column in REVIEW_COLUMNS)
    comment = header.index("comment") if "comment" in header else None

    def fields(line: int, values: list[str]) -> dict[str, Any]:
        # Ids repeat on every row: one string each, not one per row (a tenth of the memory).
        result = {"application_id": intern(values[app]), "reviewer": intern(values[reviewer]),
                  "criterion": intern(values[criterion]), "score": score_value(values[score]),
                  "line": line}
        if comment is not None:
            result["comment"] = values[comment]
        return result

    return fields


def _sharing_fields_set(models: list[Review], common: set[str]) -> list[Review]:
    """``models``, made to share one record of which fields their row gave.

    Pydantic keeps, in each model, a set of the fields its input gave: 728 bytes against
    350 for the review itself, 1.3 GB at 1.8 million reviews. Every row of a file gives
    the same columns, so the sets are all equal; models are frozen, so one set serves
    them all (pydantic copies it before any change, in ``model_copy``).
    """
    for model in models:
        object.__setattr__(model, "__pydantic_fields_set__", common)
    return models


def _load_conflicts(path: Path | None, problems: list[Problem]) -> list[Row]:
    if path is None:
        return []
    label = display_path(path)
    rows, found = read_csv(path, label, CONFLICT_COLUMNS, ("reason",))
    problems.extend(found)
    return _rows_to_models(rows, label, Conflict, problems, dict)


def _rows_to_models(
    rows: list[CsvRow], label: str, model: type[M], problems: list[Problem], prepare: Any
) -> list[Row]:
    result = []
    for row in rows:
        try:
            fields = prepare(row.values)  # a fresh dict: adding the line number is safe
            fields["line"] = row.line
            result.append(Row(model.model_validate(fields), label, row.line))
        except ValidationError as exc:
            for error in exc.errors():
                column = str(error["loc"][0]) if error["loc"] else "row"
                details = dict(error)
                problems.append(Problem(label, row.line, f"{column}: {_describe(details)}",
                                        _expectation(details), code="csv_value"))
    return result


def validation_problems(exc: ValidationError, doc: YamlDocument, label: str) -> list[Problem]:
    """Turn pydantic's errors into problems that name the line of each bad value."""
    merged: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for error in exc.errors():
        path = _data_path(doc.data, error["loc"], missing=error["type"] == "missing")
        merged.setdefault(path, []).append(dict(error))
    problems = []
    for path, all_errors in merged.items():
        where = ".".join(str(p) for p in path) or "the file"
        line = doc.line_of(path)
        # A value of a union (size: 8 or {min, max}) that has the type of one branch is
        # judged by that branch alone: "not a valid integer" of a mapping is noise.
        errors = [e for e in all_errors if not e["type"].endswith("_type")] or all_errors
        first = errors[0]
        message = " or ".join(dict.fromkeys(_describe(e) for e in errors))
        problems.append(Problem(label, line, f"{where}: {message}", _expectation(first),
                                code=str(first["type"])))
    return problems


def _data_path(data: Any, loc: tuple[Any, ...], missing: bool) -> tuple[str, ...]:
    """The part of pydantic's ``loc`` that is a real path into the data.

    Pydantic inserts union-branch and validator names (``int``, ``function-after[...]``)
    into ``loc``; they are not keys of the file, so they are skipped.
    """
    path: list[Any] = []
    node = data
    for index, part in enumerate(loc):
        if _has_step(node, part):
            node = node[part]
        elif isinstance(node, dict) and part == "in_" and "in" in node:
            part, node = "in", node["in"]
        elif not (missing and index == len(loc) - 1):
            continue
        path.append(part)
    return tuple(path)


def _has_step(node: Any, part: Any) -> bool:
    if isinstance(node, dict):
        return part in node
    return isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)


def _describe(error: dict[str, Any]) -> str:
    kind = error["type"]
    value = error.get("input")
    if kind == "extra_forbidden":
        return "unknown key (a typo?)"
    if kind == "missing":
        return "missing"
    if _is_id_mismatch(error):
        return f"{value!r} is not a valid id"
    if kind == "string_pattern_mismatch":
        return f"{value!r} is blank"
    if kind in _OUT_OF_RANGE:
        return f"{value!r} is {_OUT_OF_RANGE[kind]} {_number(error['ctx'][_BOUND[kind]])}"
    if kind in ("string_too_short", "too_short") and not value:
        return "the value is empty"
    if kind == "literal_error":
        return f"{value!r} is not one of the allowed values"
    message = _model_message(error)[0]
    if kind.endswith("_type") and value is not None and not isinstance(value, dict | list):
        return f"{message[0].lower()}{message[1:]}, got {value!r}"
    return message[0].lower() + message[1:]


def _expectation(error: dict[str, Any]) -> str:
    """What to write instead: never empty, so every problem says what was expected."""
    kind = error["type"]
    ctx = error.get("ctx", {})
    if kind == "extra_forbidden":
        return "only the keys of the SPEC (see docs/formats.md)"
    if kind == "missing":
        return "this key to be given"
    if _is_id_mismatch(error) and ctx["pattern"] == CRITERION_ID_PATTERN:
        return "a lower-case letter, then lower-case letters, digits or '_'"
    if _is_id_mismatch(error):
        return "a letter or digit, then up to 63 letters, digits, '.', '_' or '-'"
    if kind == "string_pattern_mismatch":
        return "some text"
    key = str(error["loc"][-1]) if error["loc"] else ""
    if key in _MONEY_KEYS and kind in (*_OUT_OF_RANGE, "int_type", "int_from_float"):
        return f"a whole number of pounds, from 0 to {MAX_POUNDS:,}"
    if kind in _OUT_OF_RANGE and key.startswith("share_"):
        return "a fraction from 0 to 1"
    if kind in _OUT_OF_RANGE:
        return _range_expected(error)
    if kind in ("string_too_short", "string_too_long"):
        return _length_expected(ctx, "character", "a reason in words" if key == "reason"
                                else "some text, not left empty")
    if kind in ("too_short", "too_long"):
        return _length_expected(ctx, "item", "a list of at least one item")
    if kind == "literal_error":
        return "true, or leave the key out" if ctx.get("expected") == "True" else (
            f"one of {ctx.get('expected', 'the values in docs/formats.md')}")
    if kind == "value_error":
        return _model_message(error)[1]
    return _TYPE_EXPECTATIONS.get(kind, "a value as described in docs/formats.md")


# Words for pydantic's range errors, and the name of the bound in the error's context.
_OUT_OF_RANGE = {"greater_than_equal": "below", "greater_than": "not above",
                 "less_than_equal": "above", "less_than": "not below"}
_BOUND = {"greater_than_equal": "ge", "greater_than": "gt",
          "less_than_equal": "le", "less_than": "lt"}
_MONEY_KEYS = ("requested_amount", "budget")


def _number(value: object) -> str:
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)


def _range_expected(error: dict[str, Any]) -> str:
    ctx = error["ctx"]
    words = {"ge": "{} or more", "gt": "above {}", "le": "at most {}", "lt": "below {}"}
    return "a number " + " and ".join(words[bound].format(_number(ctx[bound]))
                                      for bound in ("ge", "gt", "le", "lt") if bound in ctx)


def _length_expected(ctx: dict[str, Any], unit: str, not_empty: str) -> str:
    if ctx.get("min_length") == 1:
        return not_empty
    if "max_length" in ctx:
        return f"at most {ctx['max_length']} {unit}s"
    return f"at least {ctx.get('min_length', 1)} {unit}s"


def _model_message(error: dict[str, Any]) -> tuple[str, str]:
    """A model's own message split into what is wrong and what was expected.

    The models' validators write ``what is wrong; expected what`` (see model/rubric.py).
    """
    message = str(error["msg"]).removeprefix("Value error, ")
    wrong, _, expected = message.partition("; expected ")
    return wrong, expected or "a value as described in docs/formats.md"


# What to write instead of a value of the wrong type (strict models convert nothing).
_TYPE_EXPECTATIONS = {
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "int_parsing": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false, unquoted (yes, no, on and off are text)",
    "bool_parsing": "true or false, unquoted (yes, no, on and off are text)",
    "string_type": "text (in quotes if it looks like a number)",
    "dict_type": "keys and values (a mapping)",
    "model_type": "keys and values (a mapping)",
    "model_attributes_type": "keys and values (a mapping)",
    "tuple_type": "a list",
    "list_type": "a list",
    "none_required": "nothing (leave the value out)",
}


def _is_id_mismatch(error: dict[str, Any]) -> bool:
    # Only the id patterns are worth explaining; other patterns (a reason) mean "not blank".
    pattern = error.get("ctx", {}).get("pattern")
    return error["type"] == "string_pattern_mismatch" and pattern in (ID_PATTERN,
                                                                      CRITERION_ID_PATTERN)
