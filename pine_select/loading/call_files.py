"""Finding the files of a call: which are applications, and a word for everything else.

Nothing in the applications folder vanishes without a word: a file that is not read, a
folder, a dangling link, a FIFO (never opened: it would block) and hidden files (macOS
``._*`` copies, ``.DS_Store``) are named in warnings; an application file whose name is not
UTF-8 is an error. Only regular files (or links to them) named ``*.yaml`` / ``*.yml`` and
not hidden are applications.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pine_select.errors import InputError, Problem, Severity, display_path
from pine_select.model.call import CallFiles
from pine_select.model.decision import DECISION_NAME

OVERRIDES_NAME = "overrides.yaml"
# decision.yaml (SPEC 11) is the panel's, read by the commands after the decision only.
CALL_FILE_NAMES = ("reviews.csv", "conflicts.csv", OVERRIDES_NAME, DECISION_NAME)
# Files of the review round (SPEC 9) that may sit in the applications folder: the call
# itself does not read them, so they are neither applications nor "not read" warnings.
REVIEW_ROUND_FILE_NAMES = ("reviewers.csv", "assignments.csv")
APPLICATION_SUFFIXES = (".yaml", ".yml")
# How many hidden files the one warning about them lists by name.
HIDDEN_LISTED = 8


@dataclass(frozen=True)
class FolderEntries:
    """The applications folder sorted out: what is read, and the problems of the rest."""

    applications: tuple[Path, ...]
    unread: tuple[Path, ...]
    problems: tuple[Problem, ...]


def locate_files(
    rubric: Path,
    applications: Path,
    reviews: Path | str | None,
    conflicts: Path | str | None,
    overrides: Path | str | None,
    decision: Path | str | None = None,
) -> tuple[CallFiles, list[Problem]]:
    """Where each file of the call is, and the problems of the applications folder.

    Raises InputError if a named file or folder is absent.
    """
    named = {"reviews": reviews, "conflicts": conflicts, "overrides": overrides,
             "decision": decision}
    _check_given(rubric, applications, named)
    entries = sort_folder(applications, {Path(v).name for v in named.values() if v is not None})
    files = CallFiles(
        rubric=rubric,
        applications_dir=applications,
        applications=entries.applications,
        unread=entries.unread,
        reviews=_optional(reviews, applications / "reviews.csv"),
        conflicts=_optional(conflicts, applications / "conflicts.csv"),
        overrides=_optional(overrides, applications / OVERRIDES_NAME),
        decision=_optional(decision, applications / DECISION_NAME),
    )
    problems = [*entries.problems, *(_unread_warning(path) for path in entries.unread)]
    if not files.applications:
        problems.append(Problem(display_path(applications), None, "no application files",
                                "one *.yaml file per application", code="no_applications"))
    return files, problems


def _check_given(rubric: Path, applications: Path, named: dict[str, Path | str | None]) -> None:
    problems = []
    if not rubric.is_file():
        problems.append(Problem(display_path(rubric), None, "no such file", "the rubric YAML"))
    if not applications.is_dir():
        problems.append(Problem(display_path(applications), None, "no such folder",
                                "the folder of application files"))
    for role, value in named.items():
        if value is not None and not Path(value).is_file():
            problems.append(Problem(display_path(value), None,
                                    f"no such file (given as --{role})",
                                    "an existing file"))
    if problems:
        raise InputError(problems)


def sort_folder(folder: Path, named: set[str]) -> FolderEntries:
    """The application files in ``folder``, the other files there, and what is wrong.

    ``named``: the names of the call's files given by option, which are not applications.
    """
    # os.scandir knows which entries are files without a stat call per file.
    with os.scandir(folder) as scan:
        entries = sorted(scan, key=lambda entry: entry.name)
    applications, unread, problems, hidden = [], [], [], []
    for entry in entries:
        name = entry.name
        if name.startswith("."):
            hidden.append(name)
        elif not entry.is_file():  # follows links; never opens the entry (a FIFO blocks)
            problems.append(_not_a_file(folder, entry))
        elif name in named:  # a call file given by option (--overrides FILE): not an application
            continue
        elif (meant := _misnamed_call_file(name)) is not None:
            problems.append(Problem(display_path(folder / name), None,
                                    f"not read: did you mean {meant}?",
                                    f"the name {meant} (rename it: only that name is read)",
                                    code="not_read",
                                    severity=Severity.WARNING))
        elif not _is_application_name(name):
            if name not in (*CALL_FILE_NAMES, *REVIEW_ROUND_FILE_NAMES) and name not in named:
                unread.append(folder / name)
        elif _is_utf8(name):
            applications.append(folder / name)
        else:
            problems.append(Problem(display_path(folder / name), None,
                                    "the file name is not UTF-8 text",
                                    "a UTF-8 file name (rename the file)", code="encoding"))
    if hidden:
        problems.append(_hidden_warning(folder, hidden))
    return FolderEntries(tuple(applications), tuple(unread), tuple(problems))


_CALL_FILE_STEMS = frozenset(meant.rpartition(".")[0] for meant in CALL_FILE_NAMES)


def _misnamed_call_file(name: str) -> str | None:
    """The call file ``name`` is nearly named (``decision.yml``, ``Overrides.yaml``,
    ``reviews.CSV``), if any: not an application, and not silently unread either."""
    stem, dot, suffix = name.lower().rpartition(".")
    if stem not in _CALL_FILE_STEMS:  # as nearly every name is not: one look-up
        return None
    for meant in CALL_FILE_NAMES:
        meant_stem, _, meant_suffix = meant.rpartition(".")
        same_kind = suffix == meant_suffix or (meant_suffix == "yaml" and suffix == "yml")
        if dot and stem == meant_stem and same_kind and name != meant:
            return meant
    return None


def _is_application_name(name: str) -> bool:
    return name.endswith(APPLICATION_SUFFIXES) and name not in (OVERRIDES_NAME, DECISION_NAME)


def _is_utf8(name: str) -> bool:
    # os.scandir turns bytes that are not UTF-8 into lone surrogates (PEP 383).
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _not_a_file(folder: Path, entry: os.DirEntry[str]) -> Problem:
    # Named as it is in the folder: display_path would name a link's (missing) target.
    label = (Path(display_path(folder)) / entry.name).as_posix()
    if entry.is_symlink() and not entry.is_dir():
        what = "a symbolic link to nothing (its target is missing)"
    elif entry.is_dir():
        what = "a folder"
    else:
        what = "not a regular file (a FIFO, socket or device)"
    expected = ("one *.yaml file per application" if _is_application_name(entry.name)
                else "only the call's files in this folder")
    return Problem(label, None, f"not read: {what}", expected, code="not_read",
                   severity=Severity.WARNING)


def _hidden_warning(folder: Path, names: Sequence[str]) -> Problem:
    listed = ", ".join(names[:HIDDEN_LISTED])
    if len(names) > HIDDEN_LISTED:
        listed += f", ... ({len(names) - HIDDEN_LISTED} more)"
    return Problem(display_path(folder), None, f"hidden files not read: {listed}",
                   "no hidden files (macOS ._* copies and .DS_Store may be deleted)",
                   code="not_read", severity=Severity.WARNING)


def _unread_warning(path: Path) -> Problem:
    """A warning for a file in the applications folder that is not read.

    ``A.YAML`` is not an application (names are case-sensitive, as the SPEC's are): without
    a word, the application would vanish from scoring and selection.
    """
    if path.suffix.lower() in APPLICATION_SUFFIXES:
        message, expected = ("not read: file names are case-sensitive",
                             f"*.yaml or *.yml in lower case (rename it to "
                             f"{path.stem}{path.suffix.lower()})")
    else:
        message, expected = ("not read", "*.yaml or *.yml for an application, or "
                             f"{', '.join(CALL_FILE_NAMES)}")
    return Problem(display_path(path), None, message, expected, code="not_read",
                   severity=Severity.WARNING)


def labels(folder: Path, paths: Sequence[Path]) -> list[str]:
    """``display_path`` of each file in ``folder``, resolving the folder once.

    A file that is not a symbolic link resolves to the resolved folder plus its name, so
    only links need the full treatment (resolving each file is most of the cost).
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

    Joined as text: a Path per file would cost more than the rest of building the labels.
    """
    return (folder / "_").as_posix()[:-1]


def _optional(given: Path | str | None, default: Path) -> Path | None:
    if given is not None:
        return Path(given)
    return default if default.is_file() else None
