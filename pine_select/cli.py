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
from typing import TYPE_CHECKING, Any, TypeVar

import click

from pine_select import __version__
from pine_select.errors import InputError, PineSelectError, Problem, UsageError

if TYPE_CHECKING:
    from pine_select.decision import Decided
    from pine_select.model.call import Call
    from pine_select.options import RunOptions

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
        click.echo(f"error: {_with_flags(exc)}", err=True)
        sys.exit(exc.exit_code)
    except OSError as exc:
        # The library turns the file errors it expects into PineSelectErrors; this is the
        # last net (a disk that fills, a folder made unreadable mid-run): a sentence, exit 2.
        place = f"{exc.filename}: " if exc.filename else ""
        click.echo(f"error: {place}{exc.strerror or exc}", err=True)
        sys.exit(EXIT_INVALID)


# The library names an option by its RunOptions field; the command line by its flag.
FLAG_OF_FIELD = {"include": "--include", "exclude": "--exclude", "drop_rules": "--drop-rule",
                 "sensitivity_samples": "--samples / --sensitivity-samples"}


def flag_of(field: str) -> str:
    return FLAG_OF_FIELD.get(field, "--" + field.replace("_", "-"))


def _with_flags(exc: PineSelectError) -> str:
    from pine_select.options import OptionsError

    if isinstance(exc, OptionsError):
        return "; ".join(f"{flag_of(name)}: {message}" for name, message in exc.problems)
    # A UsageError names its option as a field at its start (``weights: ...``).
    text = str(exc)
    option: str | None = getattr(exc, "option", None)
    if option and text.startswith(option):
        return flag_of(option) + text[len(option):]
    return text


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
        click.option("--no-cache", is_flag=True,
                     help="Parse every application file again (docs/scale.md: the cache)."),
    ]
    for decorator in reversed(decorators):
        command = decorator(command)
    return command


def weights_option(command: F) -> F:
    """``--weights id=w,...``: what-if weights (parse with ``scoring.parse_weights``)."""
    return click.option(
        "--weights", metavar="ID=W,...",
        help="What-if weights replacing some or all of the rubric's, e.g. "
             "promise=40,need=10 (non-negative numbers; only their ratios matter).",
    )(command)


def calibrate_option(command: F) -> F:
    """``--calibrate``: correct each reviewer's leniency (SPEC 10; docs/method.md)."""
    return click.option(
        "--calibrate", is_flag=True, default=None,
        help="Correct for lenient and harsh reviewers: criterion scores less each "
             "reviewer's fitted leniency (as the rubric's aggregate: calibrated).")(command)


def decision_option(command: F) -> F:
    """``--decision FILE``: the panel's decision [default: APPS/decision.yaml]."""
    return click.option(
        "--decision", "decision_file", type=click.Path(path_type=Path),
        help="The panel's decision YAML [default: APPS/decision.yaml, if present].")(command)


def what_if_options(alternatives: int) -> Callable[[F], F]:
    """The what-if options shared by ``select`` and ``pack`` (see :func:`run_options`)."""
    decorators = [
        weights_option,
        click.option("--size", type=click.IntRange(min=0),
                     help="What-if: choose exactly this many."),
        click.option("--budget", type=click.IntRange(min=0),
                     help="What-if: this budget in pounds."),
        click.option("--include", "includes", multiple=True, metavar="ID",
                     help="What-if: force this application in (repeatable)."),
        click.option("--exclude", "excludes", multiple=True, metavar="ID",
                     help="What-if: keep this application out (repeatable)."),
        click.option("--solver", type=click.Choice(["highs", "cbc"]), default=None,
                     help="Solver backend [default: cbc up to 100 candidates, highs "
                          "above (measured fastest)]."),
        click.option("--alternatives", type=click.IntRange(min=0), default=alternatives,
                     show_default=True, help="Also show the N next-best portfolios."),
        click.option("--min-swaps", type=click.IntRange(min=1), default=1, show_default=True,
                     help="Each alternative differs from every earlier one by this many "
                          "applications."),
        click.option("--explain-limit", type=click.IntRange(min=0), default=None,
                     help="Most re-solves spent on explanations [default: 60; 0 above 1,000 "
                          "applications]."),
        click.option("--drop-rule", "drop_rules", multiple=True, metavar="RULE",
                     help="What-if: leave out this balance rule (its id; repeatable)."),
    ]

    def decorate(command: F) -> F:
        for decorator in reversed(decorators):
            command = decorator(command)
        return command

    return decorate


def run_options(options: dict[str, Any], call: Call) -> RunOptions:
    """The one place command-line values become the run's options (RunOptions).

    Every command passes all its values; those it does not have are simply absent, and
    ``--weights`` is read against the rubric. Raises OptionsError naming the field.
    """
    from pine_select.options import RunOptions
    from pine_select.scoring import parse_weights

    text = options.get("weights")
    return RunOptions.build(
        weights=None if text is None else parse_weights(text, call.rubric),
        size=options.get("size"), budget=options.get("budget"),
        include=tuple(options.get("includes", ())), exclude=tuple(options.get("excludes", ())),
        drop_rules=tuple(options.get("drop_rules", ())), calibrate=options.get("calibrate"),
        solver=options.get("solver"), alternatives=options.get("alternatives"),
        min_swaps=options.get("min_swaps"), explain_limit=options.get("explain_limit"),
        include_contacts=options.get("include_contacts"), member=options.get("member"),
        pdf=options.get("pdf"),
        robustness_draws=options.get("robustness_draws"), lottery=options.get("lottery"),
        sensitivity_samples=options.get("sensitivity_samples", options.get("samples")),
        concentration=options.get("concentration"), seed=options.get("seed"),
        breakpoint_limit=options.get("breakpoint_limit"),
    )


def open_call(options: dict[str, Any]) -> Call:
    """Load the call named by :func:`call_arguments` options (raises InputError)."""
    from pine_select.loading.loader import load_call  # models are costly to import

    return load_call(
        options["rubric"],
        options["apps"],
        reviews=options.get("reviews"),
        conflicts=options.get("conflicts"),
        overrides=options.get("overrides"),
        decision=options.get("decision_file"),
        cache=not options.get("no_cache"),
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
    from pine_select.gc_pause import uncollected_at_exit

    uncollected_at_exit()  # a large call's objects need no collection as the process ends


@main.command()
@call_arguments
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output format.")
def validate(fmt: str, **options: Any) -> None:
    """Check every file of a call and list every problem, not just the first.

    Exits 0 when the call is valid (warnings are shown but do not fail), 2 when it is not.
    """
    from pine_select.report.call_output import (
        validation_json,
        validation_text,
        validation_warnings,
    )

    try:
        call = open_call(options)
    except InputError as exc:
        if fmt == "json":
            echo_json(validation_json(None, exc.problems))
        else:
            echo_problems(exc.problems)
        sys.exit(EXIT_INVALID)
    warnings = validation_warnings(call)
    if fmt == "json":
        echo_json(validation_json(call, warnings))
    else:
        echo_warnings(warnings)
        click.echo(validation_text(call, len(warnings)))


@main.command()
@call_arguments
@weights_option
@calibrate_option
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True, help="Output format (json adds assessment quality).")
def score(fmt: str, **options: Any) -> None:
    """Eligibility, criterion scores, weighted totals, ranks and flags of every application.

    Ties are broken by the rubric's seeded lottery; the weights used are shown in every format.
    """
    from pine_select.gc_pause import paused_gc
    from pine_select.pipeline import score as score_with
    from pine_select.report.cells import json_text
    from pine_select.report.score_output import score_csv, score_json, score_table

    with reporting_errors():
        call = open_call(options)
        report, _ = score_with(call, run_options(options, call))
    echo_warnings(call.warnings)
    with paused_gc():  # a row of small objects per application: see gc_pause.py
        if fmt == "json":
            click.echo(json_text(score_json(report, call)))  # one application per line
        elif fmt == "csv":
            # Bytes, so CRLF reaches the file as is; the byte-order mark makes Excel read the
            # file as UTF-8 (without it, non-ASCII names come out garbled when double-clicked).
            click.echo(score_csv(report, call).encode("utf-8-sig"), nl=False)
        else:
            click.echo(score_table(report, call))


@main.command()
@call_arguments
@what_if_options(alternatives=0)
@calibrate_option
@click.option("--diff", is_flag=True,
              help="With --weights: show what the weights change against the rubric's "
                   "(who enters and leaves, total, rules that bind or go slack).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="Output format.")
def select(fmt: str, diff: bool, **options: Any) -> None:
    """The best balanced portfolio, proven optimal, and why.

    Exits 0 with a portfolio, 1 when the rules cannot all hold (naming a minimal set of
    conflicting rules and the smallest relaxations), 2 on invalid input or options.
    """
    from pine_select.pipeline import decide
    from pine_select.report.select_output import select_json, select_table

    if diff:
        _select_diff(fmt, options)
        return
    with reporting_errors():
        call = open_call(options)
        result = decide(call, run_options(options, call)).selection
    echo_warnings(call.warnings)
    if fmt == "json":
        echo_json(select_json(result))
    else:
        click.echo(select_table(result, call))
    if not result.optimal:
        sys.exit(EXIT_NEGATIVE)


def _select_diff(fmt: str, options: dict[str, Any]) -> None:
    """``select --diff``: the what-if weights against the rubric's; exits 1 if infeasible."""
    from pine_select.report.sensitivity_output import diff_json, diff_table
    from pine_select.sensitivity import weight_diff

    if options.get("weights") is None:
        raise click.UsageError("--diff compares --weights with the rubric's weights; give "
                               "--weights")
    with reporting_errors():
        call = open_call(options)
        found = weight_diff(call, run_options(options, call))
    echo_warnings(call.warnings)
    if fmt == "json":
        echo_json(diff_json(found))
    else:
        click.echo(diff_table(found))
    if not found.after.optimal:
        sys.exit(EXIT_NEGATIVE)


@main.command()
@call_arguments
@click.option("--samples", type=click.IntRange(min=0), default=0, show_default=True,
              help="Also draw N weight vectors around the rubric's (Dirichlet) and report "
                   "how often each application is selected.")
@click.option("--concentration", default="50", show_default=True, metavar="NUMBER",
              help="How tightly the drawn weights cluster around the rubric's (larger: closer).")
@click.option("--seed", type=int, default=None,
              help="Seed of the weight draws [default: the rubric's tie_break_seed].")
@click.option("--breakpoint-limit", type=click.IntRange(min=1), default=10, show_default=True,
              help="Most breakpoints followed per criterion and direction for rank stability.")
@calibrate_option
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="Output format.")
def sensitivity(fmt: str, **options: Any) -> None:
    """How far each rubric weight can move before the portfolio changes, and who moves.

    For each criterion, the exact interval of its weight (others unchanged) over which the
    chosen portfolio stays optimal, with who enters and leaves beyond each end; the
    smallest single-weight change that moves each application near the line; with
    --samples, selection frequencies under weights drawn around the rubric's. Exits 1 when
    no portfolio satisfies the rules.
    """
    from pine_select.report.sensitivity_output import sensitivity_json, sensitivity_table
    from pine_select.sensitivity import weight_sensitivity

    with reporting_errors():
        call = open_call(options)
        result = weight_sensitivity(call, options=run_options(options, call))
    echo_warnings(call.warnings)
    if fmt == "json":
        echo_json(sensitivity_json(result))
    else:
        click.echo(sensitivity_table(result))
    if not result.optimal:
        sys.exit(EXIT_NEGATIVE)


@main.command()
@call_arguments
@what_if_options(alternatives=3)
@calibrate_option
@decision_option
@click.option("--out", type=click.Path(path_type=Path), required=True,
              help="The pack folder to create (refused if it exists, unless --force).")
@click.option("--force", is_flag=True, help="Replace an existing --out folder.")
@click.option("--include-contacts", is_flag=True,
              help="Show applicants' contact details (personal data: off by default).")
@click.option("--sensitivity-samples", type=click.IntRange(min=0), default=0, show_default=True,
              help="Weight vectors to draw for the pack's selection-frequency table "
                   "(about 16 ms each on the example call).")
@click.option("--robustness-draws", type=click.IntRange(min=0), default=0, show_default=True,
              help="Bootstrap draws of the reviewers for the pack's chance section "
                   "(P(selected) against rank; see the robustness command).")
@click.option("--lottery", type=click.Choice(["contested", "all"]), default=None,
              help="Also run the lottery over this zone and show its distribution and "
                   "draw (needs --robustness-draws).")
@click.option("--pdf", is_flag=True,
              help="Also write briefing.pdf: the same briefing on A4 with page numbers, "
                   "printed by the system's Chromium.")
@click.option("--member", metavar="REVIEWER",
              help="A copy for one panel member: applications they declared a conflict "
                   "with show only public facts.")
@click.option("--key-file", type=click.Path(path_type=Path), metavar="KEY",
              help="A secret the funder keeps outside the pack: the manifest then records "
                   "an HMAC of each original whose contacts were cut (none without it).")
def pack(out: Path, force: bool, key_file: Path | None, **options: Any) -> None:
    """Write the panel briefing pack: briefing.html, results.json, inputs/, manifest.json.

    The pack is built in a temporary folder and moved into place when complete. Exits 0
    when written (even if no portfolio keeps every rule: the pack then explains why).
    """
    from pine_select.pack import build_pack, read_key
    from pine_select.pack.summary import pack_text

    with reporting_errors():
        call = open_call(options)
        key = None if key_file is None else read_key(key_file, call.files)
        echo_warnings(call.warnings)
        summary = build_pack(call, out, run_options(options, call), force=force, key=key,
                             progress=lambda message: click.echo(f"pack: {message}", err=True))
    click.echo(pack_text(summary))


@main.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--inputs", type=click.Path(path_type=Path),
              help="The inputs to re-run from [default: FOLDER/inputs]. A panel member's "
                   "copy carries none: give the full pack's inputs folder.")
@click.option("--key-file", type=click.Path(path_type=Path), metavar="KEY",
              help="The funder's key the pack was made with: checks the manifest's HMACs "
                   "of redacted originals.")
@click.option("--originals", type=click.Path(path_type=Path), metavar="APPS",
              help="With --key-file: the folder of the original (contact-bearing) "
                   "applications, each checked against its redacted copy.")
def verify(folder: Path, inputs: Path | None, key_file: Path | None,
           originals: Path | None) -> None:
    """Re-run a briefing pack from its own inputs/ and check every file against its manifest.

    Exits 0 when every file and every claim of the manifest (tool, Python, solver, seed,
    parameters) matches, 1 naming each file that differs, was altered, added, is missing
    or may not be in a pack, and each claim that does not hold; 2 when FOLDER is no pack.
    """
    from pine_select.pack import Originals, read_key, verify_pack
    from pine_select.pack.summary import verify_lines

    with reporting_errors():
        if originals is not None and key_file is None:
            raise UsageError("--originals needs --key-file: the originals are checked "
                             "against HMACs made with the funder's key")
        auditor = None if key_file is None else Originals(read_key(key_file), originals)
        report = verify_pack(folder, inputs, auditor)
    click.echo("\n".join(verify_lines(report)))
    if not report.ok:
        sys.exit(EXIT_NEGATIVE)


# --- Intake: applications from a form export (SPEC section 8) -------------------------


@main.command("import")
@click.argument("export", type=click.Path(path_type=Path))
@click.option("--mapping", "mapping_path", type=click.Path(path_type=Path), required=True,
              help="The mapping of the export's columns to application keys (YAML).")
@click.option("--out", type=click.Path(path_type=Path), required=True,
              help="The applications folder to write (refused if it exists, unless --force).")
@click.option("--rubric", type=click.Path(path_type=Path),
              help="Also check every application against this rubric before writing.")
@click.option("--dry-run", is_flag=True, help="Check and report, but write nothing.")
@click.option("--force", is_flag=True,
              help="Update an existing --out: rewrite only files whose bytes change.")
def import_(export: Path, mapping_path: Path, out: Path, rubric: Path | None, dry_run: bool,
            force: bool) -> None:
    """Write one application file per row of a form export (.csv or .xlsx).

    Every problem of every row is listed as EXPORT:ROW:COLUMN: what; expected what, and
    nothing is written (exit 2). Files of ids no longer in the export are listed, never
    deleted.
    """
    from pine_select.intake import plan_import, write_import
    from pine_select.intake.summary import import_text

    with reporting_errors():
        plan = plan_import(export, mapping_path, rubric,
                           progress=lambda message: click.echo(f"import: {message}", err=True))
        echo_warnings(plan.warnings)
        result = write_import(plan, out, force=force, dry_run=dry_run)
    click.echo(import_text(plan, result))


@main.command("mapping")
@click.argument("export", type=click.Path(path_type=Path))
@click.option("--rubric", type=click.Path(path_type=Path), required=True,
              help="The rubric whose categories the export's answers are matched to.")
def mapping_(export: Path, rubric: Path) -> None:
    """Print a draft mapping for a form export, to edit and then give to import.

    Each column is matched to an application key by its header and its answers, each
    category-like column's answers to the rubric's categories; unsure matches are marked
    `# check`.
    """
    from pine_select.intake import draft_mapping

    with reporting_errors():
        text = draft_mapping(export, rubric)
    click.echo(text, nl=False)


# -- The review round (SPEC 9): assign, sheets, collect --------------------------------------


def round_call_arguments(command: F) -> F:
    """:func:`call_arguments` but ``--reviews``: the round writes reviews.csv, never reads it."""
    command = call_arguments(command)
    params = command.__click_params__  # type: ignore[attr-defined]
    command.__click_params__ = [p for p in params if p.name != "reviews"]  # type: ignore[attr-defined]
    return command


def open_round_call(options: dict[str, Any]) -> Call:
    """The call without its reviews: the round writes reviews.csv, an old one must not stop it."""
    from pine_select.loading.loader import load_call

    return load_call(options["rubric"], options["apps"], conflicts=options.get("conflicts"),
                     overrides=options.get("overrides"), read_reviews=False,
                     cache=not options.get("no_cache"))


@main.command()
@round_call_arguments
@click.option("--reviewers", "reviewers_file", type=click.Path(path_type=Path),
              help="Reviewers CSV [default: APPS/reviewers.csv].")
@click.option("--per-application", type=click.IntRange(min=1, max=1000), required=True,
              metavar="K", help="Reviewers for each application.")
@click.option("--out", type=click.Path(path_type=Path),
              help="Assignments CSV to write [default: APPS/assignments.csv]; if it exists, "
                   "the new assignments keep as many of its pairs as the rules allow.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output format.")
def assign(fmt: str, per_application: int, reviewers_file: Path | None, out: Path | None,
           **options: Any) -> None:
    """Assign K reviewers to every eligible application, proven optimal.

    Never a reviewer with a declared conflict or from the applicant's organisation; loads
    as even as max_load allows; then experts; then stability; then the seeded lottery.
    Exits 1 naming each application that cannot get enough reviewers.
    """
    from pine_select.errors import display_path
    from pine_select.review_round.output import assign_json, assign_text
    from pine_select.review_round.steps import assign_step, round_warnings

    with reporting_errors():
        call = open_round_call(options)
        result, written = assign_step(call, options["apps"], per_application, reviewers_file,
                                      out)
    echo_warnings(round_warnings(call) + result.warnings)
    if fmt == "json":
        echo_json(assign_json(result))
    else:
        click.echo(assign_text(result, display_path(written) if result.optimal else None))
    if not result.optimal:
        sys.exit(EXIT_NEGATIVE)


@main.command()
@round_call_arguments
@click.option("--assignments", type=click.Path(path_type=Path),
              help="Assignments CSV [default: APPS/assignments.csv].")
@click.option("--out", type=click.Path(path_type=Path), required=True,
              help="Folder for the scoresheets, one <reviewer>.xlsx each (made if absent; "
                   "refused if it holds anything, unless --force).")
@click.option("--force", is_flag=True,
              help="Write into a folder that holds files: replaces only the <reviewer>.xlsx "
                   "files this run writes (a returned, filled-in one too), nothing else.")
def sheets(assignments: Path | None, out: Path, force: bool, **options: Any) -> None:
    """Write one Excel scoresheet per reviewer, with guidance and validated score cells."""
    from pine_select.review_round.output import sheets_text
    from pine_select.review_round.steps import round_warnings, sheets_step

    with reporting_errors():
        call = open_round_call(options)
        written = sheets_step(call, options["apps"], assignments, out, force=force)
    echo_warnings(round_warnings(call))
    click.echo(sheets_text(written))


@main.command()
@round_call_arguments
@click.argument("sheet_files", metavar="SHEET...", nargs=-1, required=True,
                type=click.Path(path_type=Path))
@click.option("--assignments", type=click.Path(path_type=Path),
              help="Assignments CSV [default: APPS/assignments.csv].")
@click.option("--out", type=click.Path(path_type=Path),
              help="Reviews CSV to write [default: APPS/reviews.csv].")
def collect(sheet_files: tuple[Path, ...], assignments: Path | None, out: Path | None,
            **options: Any) -> None:
    """Read returned scoresheets into reviews.csv; list what is still outstanding.

    Give every workbook returned so far: reviews.csv is rebuilt from them. Exits 0 with
    blank scores outstanding, 2 (nothing written) listing every problem as
    FILE:Scores!CELL.
    """
    from pine_select.errors import display_path
    from pine_select.review_round.collect import comment_warnings
    from pine_select.review_round.output import collect_text
    from pine_select.review_round.steps import collect_step, round_warnings

    with reporting_errors():
        call = open_round_call(options)
        collected, written = collect_step(call, options["apps"], sheet_files, assignments, out)
    echo_warnings(round_warnings(call) + comment_warnings(collected, written))
    click.echo(collect_text(collected, display_path(written)))


# -- The weight-tuning page (SPEC 12): serve ----------------------------------------------


@main.command()
@call_arguments
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True,
              help="Port on 127.0.0.1 (0: any free one).")
@click.option("--save-dir", type=click.Path(path_type=Path), default=None,
              help="Folder for tuned rubric files [default: the rubric's folder].")
def serve(port: int, save_dir: Path | None, **options: Any) -> None:
    """Serve the weight-tuning page on 127.0.0.1 until Ctrl-C.

    Sliders for the weights, size, budget, balance rules and include/exclude; every change
    re-selects as `select` would. Saving writes a new rubric file (new version; the
    original is never overwritten). The address is printed on stderr; Ctrl-C (or SIGTERM)
    stops it at any moment, even while starting, and exits 0.
    """
    from pine_select.serve import (
        TuningServer,
        TuningSession,
        serve_until_stopped,
        stopped_by_signals,
    )

    def say(line: str) -> None:
        click.echo(line, err=True)

    with stopped_by_signals(say):
        with reporting_errors():
            call = open_call(options)
            folder = save_dir if save_dir is not None else Path(options["rubric"]).parent
            if not folder.is_dir():
                raise UsageError(f"--save-dir: {folder} is not a folder; expected an existing "
                                 "folder for tuned rubric files")
            echo_warnings(call.warnings)
            say("serve: re-selecting at the rubric's weights and finding each weight's "
                "stability interval...")
            session = TuningSession.start(call, Path(options["rubric"]), folder)
            server = TuningServer(session, port)
        serve_until_stopped(server, say)


# -- After the decision (SPEC 11): export, letters ---------------------------------------------


def open_decided(options: dict[str, Any], *, required: bool) -> Decided:
    """The call, its recommendation and the panel's checked decision (``Decided``).

    Without ``--decision`` the default file is read when it exists, or (``required``) must.
    """
    from pine_select.decision import decided
    from pine_select.loading.decision import decision_path

    call = open_call(options)
    echo_warnings(call.warnings)
    found = call.files.decision if call.files else None
    # Required and absent: the default place, which load_decision names as missing.
    path = decision_path(options["apps"], None) if found is None and required else found
    return decided(call, run_options(options, call), path)


@main.command()
@call_arguments
@decision_option
@click.option("--format", "fmt", type=click.Choice(["360giving", "360giving-csv"]),
              required=True, help="360Giving JSON package, or its flattened CSV.")
@click.option("--out", type=click.Path(path_type=Path),
              help="The file to write (atomically; refused if it exists, unless --force) "
                   "[default: standard output].")
@click.option("--force", is_flag=True, help="Replace an existing --out file.")
def export(fmt: str, out: Path | None, force: bool, **options: Any) -> None:
    """Write the funded grants in the 360Giving Data Standard (1.4), checked against its schema.

    Funder details come from the rubric's funder block, amounts and the award date from the
    decision. Nothing is written unless the whole package is valid.
    """
    from pine_select.after.publish import grants_file, write_export

    with reporting_errors():
        outcome = open_decided(options, required=True)
        data = grants_file(outcome, fmt)
        if out is None:
            sys.stdout.buffer.write(data)
            return
        files = outcome.recommendation.call.files
        assert files is not None  # a call read from files knows them
        write_export(data, out, files, outcome.source, force=force)
    kind = "CSV" if fmt == "360giving-csv" else "JSON"
    click.echo(f"Wrote {out} ({len(outcome.funded)} grant(s), 360Giving {kind}).", err=True)


@main.command()
@call_arguments
@decision_option
@click.option("--out", type=click.Path(path_type=Path), required=True,
              help="The folder to write, one <id>.html per applicant (refused if it exists, "
                   "unless --force).")
@click.option("--template", type=click.Path(path_type=Path),
              help="The funder's own Jinja template for a letter (rendered sandboxed, "
                   "autoescaped) [default: the bundled one].")
@click.option("--force", is_flag=True, help="Replace an existing --out folder of letters.")
@click.option("--reviewers", "reviewers_file", type=click.Path(path_type=Path),
              help="Reviewers CSV whose names the letters keep out [default: "
                   "APPS/reviewers.csv, if present].")
def letters(out: Path, template: Path | None, force: bool, reviewers_file: Path | None,
            **options: Any) -> None:
    """Write one printable (A4) HTML letter per applicant: outcome, scores, feedback.

    Each letter gives its own scores and total, the range of funded totals, reviewers'
    comments without reviewer names and, if not funded, why; it names no other applicant.
    Without a decision file the recommendation is the outcome.
    """
    from pine_select.after.steps import letters_step
    from pine_select.review_round.steps import reviewer_names

    with reporting_errors():
        outcome = open_decided(options, required=False)
        names = reviewer_names(outcome.recommendation.call, options["apps"], reviewers_file)
        written, count = letters_step(outcome, out, template, force=force, reviewers=names)
    click.echo(f"Wrote {count} letter(s) to {written}/.")


# -- How much of the choice is chance (SPEC 10): robustness, lottery --------------------------


def chance_options(command: F) -> F:
    """--draws, --seed and --workers of the bootstrap of reviewers."""
    from pine_select.limits import DEFAULT_DRAWS, MAX_DRAWS, MAX_WORKERS

    decorators = [
        click.option("--draws", type=click.IntRange(0, MAX_DRAWS), default=DEFAULT_DRAWS,
                     show_default=True,
                     help="Bootstrap draws of the reviewers (each re-selects the portfolio)."),
        click.option("--seed", type=int, default=None,
                     help="Seed of the draws and of the lottery [default: the rubric's "
                          "tie_break_seed]."),
        click.option("--workers", type=click.IntRange(1, MAX_WORKERS), default=1,
                     show_default=True,
                     help="Worker processes sharing the draws (the output is the same "
                          "for any number)."),
        click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
                     show_default=True, help="Output format."),
    ]
    for decorator in reversed(decorators):
        command = decorator(command)
    return command


def draws_progress(label: str) -> Callable[[int, int], None]:
    """Progress on stderr: a bar on a terminal, a line per tenth of the draws otherwise."""
    on_terminal = sys.stderr.isatty()
    shown = [-1]

    def report(done: int, total: int) -> None:
        if on_terminal:
            filled = 30 * done // max(total, 1)
            click.echo(f"\r{label}: [{'#' * filled}{' ' * (30 - filled)}] {done:,}/{total:,} "
                       "draws", err=True, nl=done >= total)
        elif 10 * done // max(total, 1) > shown[0]:
            shown[0] = 10 * done // max(total, 1)
            click.echo(f"{label}: {done:,}/{total:,} draws", err=True)

    return report


@main.command()
@call_arguments
@calibrate_option
@chance_options
def robustness(fmt: str, draws: int, seed: int | None, workers: int, **options: Any) -> None:
    """How often each application is selected when its reviewers are resampled.

    Each draw resamples every application's reviewers with replacement (a reviewer's
    scores travel together), recomputes the totals and re-selects under the same rules.
    Bands: always (p >= 0.95), never (p <= 0.05), contested. Exits 1 when no portfolio
    keeps every rule.
    """
    from pine_select.chance import prepare, reviewer_robustness
    from pine_select.report.chance_output import robustness_json, robustness_text

    with reporting_errors():
        call = open_call(options)
        echo_warnings(call.warnings)
        calibrate = run_options(options, call).calibrate
        result = reviewer_robustness(prepare(call, calibrate=calibrate), draws=draws,
                                     seed=seed, workers=workers,
                                     progress=draws_progress("robustness"))
    echo_chance(fmt, robustness_json(result), robustness_text(result),
                result.status == "optimal")


@main.command()
@call_arguments
@click.option("--zone", type=click.Choice(["contested", "all"]), default="contested",
              show_default=True,
              help="Who the lottery chooses among: the contested applications of the "
                   "bootstrap (always held in, never held out), or every selectable one.")
@chance_options
def lottery(fmt: str, zone: str, draws: int, seed: int | None, workers: int,
            **options: Any) -> None:
    """A fair lottery that keeps every rule, and the portfolio it draws.

    Among all portfolios that keep every rule, the distribution that maximises the
    smallest selection probability in the zone, then the next smallest (leximin); one
    portfolio is drawn with the seed, in a way anyone can re-do (docs/method.md). Exits 1
    when no portfolio keeps every rule.
    """
    from pine_select.chance import prepare, run_lottery
    from pine_select.report.chance_output import lottery_json, lottery_text

    with reporting_errors():
        call = open_call(options)
        echo_warnings(call.warnings)
        result = run_lottery(prepare(call), zone="all" if zone == "all" else "contested",
                             draws=draws, seed=seed, workers=workers,
                             progress=draws_progress("lottery"))
    echo_chance(fmt, lottery_json(result), lottery_text(result), result.status == "drawn")


def echo_chance(fmt: str, as_json: dict[str, object], as_text: str, answered: bool) -> None:
    """The result in its format; exit 1 when no portfolio kept the rules."""
    if fmt == "json":
        echo_json(as_json)
    else:
        click.echo(as_text)
    if not answered:
        sys.exit(EXIT_NEGATIVE)
