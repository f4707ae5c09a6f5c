"""The ``pine-select`` command: a thin layer over the library.

Each command parses its options, makes one or two library calls and renders the result.
Errors from the library are turned into messages and exit codes in one place,
:func:`reporting_errors`: 0 done, 1 done but the answer is negative, 2 bad input or usage.
Heavy modules (the solver, the renderer) are imported inside the commands that use them,
so that ``pine-select --help`` starts fast.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click

from pine_select import __version__
from pine_select.errors import InputError, PineSelectError, Problem
from pine_select.loading.loader import load_call
from pine_select.model.call import Call

F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK, EXIT_NEGATIVE, EXIT_INVALID = 0, 1, 2


@contextmanager
def reporting_errors() -> Iterator[None]:
    """Print library errors as the SPEC's ``FILE[:LINE]: ...`` lines and exit; no traceback."""
    try:
        yield
    except InputError as exc:
        echo_problems(exc.problems)
        sys.exit(EXIT_INVALID)
    except PineSelectError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)


def call_arguments(command: F) -> F:
    """RUBRIC APPS and the options that locate the rest of a call's files."""
    decorators = [
        click.argument("rubric", type=click.Path(path_type=Path)),
        click.argument("apps", type=click.Path(path_type=Path)),
        click.option("--reviews", type=click.Path(path_type=Path),
                     help="Reviewer scores CSV [default: APPS/reviews.csv]."),
        click.option("--conflicts", type=click.Path(path_type=Path),
                     help="Declared conflicts CSV [default: APPS/conflicts.csv, if present]."),
        click.option("--overrides", type=click.Path(path_type=Path),
                     help="Panel overrides YAML [default: APPS/overrides.yaml, if present]."),
    ]
    for decorator in reversed(decorators):
        command = decorator(command)
    return command


def open_call(options: dict[str, Any]) -> Call:
    """Load the call named by :func:`call_arguments` options (raises InputError)."""
    return load_call(
        options["rubric"],
        options["apps"],
        reviews=options.get("reviews"),
        conflicts=options.get("conflicts"),
        overrides=options.get("overrides"),
    )


def echo_json(data: object) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def echo_problems(problems: tuple[Problem, ...]) -> None:
    for problem in problems:
        click.echo(str(problem), err=True)
    click.echo(f"{len(problems)} problem(s) found.", err=True)


def echo_warnings(warnings: tuple[Problem, ...]) -> None:
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pine-select")
def main() -> None:
    """Score applications to an open call, pick a balanced portfolio, and write an
    auditable briefing pack. See docs/ for the file formats."""


@main.command()
@call_arguments
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output format.")
def validate(fmt: str, **options: Any) -> None:
    """Check every file of a call and list every problem, not just the first.

    Exits 0 when the call is valid (warnings are shown but do not fail), 2 when it is not.
    """
    try:
        call = open_call(options)
    except InputError as exc:
        if fmt == "json":
            echo_json({"valid": False, "problems": [p.as_dict() for p in exc.problems]})
        else:
            echo_problems(exc.problems)
        sys.exit(EXIT_INVALID)
    if fmt == "json":
        echo_json({"valid": True, "applications": len(call.applications),
                   "reviews": len(call.reviews),
                   "problems": [p.as_dict() for p in call.warnings]})
    else:
        echo_warnings(call.warnings)
        click.echo(f"OK: {len(call.applications)} applications, {len(call.reviews)} review "
               f"scores, {len(call.conflicts)} declared conflicts; "
               f"{len(call.warnings)} warning(s).")

