"""Load a whole call from its files, collecting every problem before reporting any.

``load_call`` is the one entry point. It finds the files (``call_files.py``), reads the
rubric, every application file, the reviews, conflicts and overrides, validates each
against its model (``applications.py``, ``review_table.py``), then runs the checks that
relate files to each other (``checks.py``). If anything is wrong it raises one
:class:`InputError` listing every problem, each with its file and line. The speed
machinery is used from here only, through ``fast_path.py``.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from pine_select.errors import InputError, Problem, Severity
from pine_select.loading import checks, fast_path, parse_cache
from pine_select.loading.applications import parse_applications, parse_yaml_model
from pine_select.loading.call_files import labels, locate_files
from pine_select.loading.parsed import Parsed, Reviews, Row
from pine_select.loading.review_table import load_conflicts
from pine_select.model.call import Call, CallFiles
from pine_select.model.reviews import Overrides
from pine_select.model.rubric import Rubric


def load_call(
    rubric: Path | str,
    applications: Path | str,
    *,
    reviews: Path | str | None = None,
    conflicts: Path | str | None = None,
    overrides: Path | str | None = None,
    decision: Path | str | None = None,
    read_reviews: bool = True,
    cache: bool = True,
) -> Call:
    """Read and check a call. Optional files default to their SPEC place in ``applications``.

    ``decision`` (SPEC 11) is only located here (``call.files.decision``), not read: it is
    checked against the recommendation by ``pine_select.decision``.

    ``read_reviews=False``: the call without its reviews, as the review round needs it
    (it writes reviews.csv, and an old one must not stop it). ``cache=False``: neither
    read nor write the parse cache (``parse_cache.py``; it never changes the answer).
    Raises :class:`InputError` with every problem found, across all files.
    """
    # Millions of small acyclic objects: the collector would only walk them (gc_pause.py).
    with fast_path.paused_gc():
        files, problems = locate_files(Path(rubric), Path(applications), reviews, conflicts,
                                       overrides, decision)
        if not read_reviews:
            files = replace(files, reviews=None)
        parsed_rubric = parse_yaml_model(files.rubric, Rubric, problems)
        unloadable: set[str] = set()
        app_docs, review_rows = _parse_applications_and_reviews(files, problems, unloadable,
                                                                cache)
        conflict_rows = load_conflicts(files.conflicts, problems)
        parsed_overrides = parse_yaml_model(files.overrides, Overrides, problems)
        valid_overrides = parsed_overrides if parsed_overrides and parsed_overrides.model else None
        problems += checks.check_call(parsed_rubric, app_docs, review_rows, conflict_rows,
                                      parsed_overrides, unloadable)
        return _assembled(files, parsed_rubric, app_docs, review_rows, conflict_rows,
                          valid_overrides, problems)


def _parse_applications_and_reviews(files: CallFiles, problems: list[Problem],
                                    unloadable: set[str],
                                    cache: bool) -> tuple[list[Parsed], Reviews]:
    """The application files and reviews.csv; problems in that order, as if read in turn.

    Other processes may parse the application files (``fast_path.reading_many``): this
    one reads the reviews meanwhile instead of waiting. A large call's files (and its
    reviews.csv) found in the parse cache are not parsed again.
    """
    names = labels(files.applications_dir, files.applications)
    review_problems: list[Problem] = []
    named = list(zip(files.applications, names, strict=True))
    cached = cache and len(named) >= parse_cache.CACHED_FROM
    reading = (parse_cache.cached_reading(named, files.applications_dir, fast_path.reading_many)
               if cached else fast_path.reading_many(named))
    with reading as docs:
        reviews = (parse_cache.cached_reviews(files.reviews, review_problems,
                                              fast_path.reviews_of_text,
                                              fast_path.valid_review_values)
                   if cached and files.reviews is not None
                   else fast_path.load_reviews(files.reviews, review_problems))
        parsed = parse_applications(files.applications, names, docs(), problems, unloadable)
    problems.extend(review_problems)
    return parsed, reviews


def _assembled(files: CallFiles, parsed_rubric: Parsed | None, app_docs: list[Parsed],
               reviews: Reviews, conflicts: list[Row], overrides: Parsed | None,
               problems: list[Problem]) -> Call:
    """The call, or the InputError of every error in ``problems``."""
    errors = [p for p in problems if p.severity is Severity.ERROR]
    rubric: Rubric | None = parsed_rubric.model if parsed_rubric else None
    if errors or rubric is None:
        raise InputError(errors)
    return Call(
        rubric=rubric,
        applications=tuple(sorted((p.model for p in app_docs if p.model is not None),
                                  key=lambda a: a.id)),
        reviews=reviews.table,
        conflicts=tuple(c.model for c in conflicts),
        overrides=overrides.model if overrides else Overrides(),
        files=files,
        warnings=tuple(sorted((p for p in problems if p.severity is Severity.WARNING),
                              key=Problem.sort_key)),
    )
