"""What the tuning page asks of the library, and what it gets back (JSON in, JSON out).

A :class:`TuningSession` holds one loaded call for the life of the server. Each re-selection
turns the page's what-ifs into :class:`RunOptions` and calls :func:`pipeline.decide`: the
same call ``select`` makes for ``--weights``, ``--size``, ``--budget``, ``--include``,
``--exclude`` and ``--drop-rule``, so the page and the command line cannot disagree. The
page shows no explanation, so it asks for none but the price of balance
(``explanations="price_of_balance"``: the same solves, in the same order, for the portfolio
and the price; about 45 of the example's 66 re-solves are skipped). The reply carries the
fields of ``select --format json``'s document that this gives exactly, under ``selection``.

Requests are untrusted: each key is checked for its type and size before any library call,
and every problem is a :class:`RequestError` with a sentence the page shows.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, TypeVar

from pine_select.errors import UsageError, display_path
from pine_select.model.call import Call
from pine_select.options import MAX_OVERRIDES, RunOptions
from pine_select.pipeline import decide
from pine_select.scoring.weights import Weights, parse_weight, resolve_weights
from pine_select.serve.rubric_file import RubricSource, SavedRubric, save_tuned_rubric
from pine_select.serve.view import SessionView, page_result, starting_state

T = TypeVar("T")

SELECT_KEYS = frozenset({"weights", "size", "budget", "include", "exclude", "drop_rules"})
SAVE_KEYS = frozenset({"weights", "note", "version"})
MAX_TEXT = 2_000  # characters of any one string in a request
PAGE_OPTIONS = RunOptions(explanations="price_of_balance")  # what every page solve asks


class RequestError(ValueError):
    """A request the page (or anyone) sent that cannot be answered; the message says why."""


class LatestOnly:
    """One piece of work at a time; a request overtaken while it waits is dropped.

    A fast slider sends many requests: only the newest waiting one is worth solving, so a
    burst costs at most the solve under way plus one.
    """

    def __init__(self) -> None:
        self._running = threading.Lock()
        self._counting = threading.Lock()
        self._issued = 0
        self.done = 0  # work actually run (tests count it)

    def run(self, work: Callable[[], T]) -> T | None:
        """``work()``, or None when a newer request arrived while this one waited."""
        with self._counting:
            self._issued += 1
            ticket = self._issued
        with self._running:
            if ticket != self._issued:
                return None
            self.done += 1
            return work()


@dataclass
class TuningSession:
    """One call, its rubric's portfolio and weight intervals (computed once, at start)."""

    call: Call
    source: RubricSource
    save_dir: Path
    view: SessionView
    gate: LatestOnly = field(default_factory=LatestOnly)
    _saving: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def start(cls, call: Call, rubric_path: Path, save_dir: Path) -> TuningSession:
        """Raises InputError (the rubric cannot be tuned in place) or SolverError."""
        from pine_select.sensitivity import weight_sensitivity

        source = RubricSource.read(rubric_path, call.rubric)
        baseline = decide(call, PAGE_OPTIONS)
        intervals = weight_sensitivity(call).intervals
        return cls(call, source, save_dir, SessionView(call, baseline, intervals))

    def state(self) -> dict[str, Any]:
        """Everything the page draws before its first change (embedded in the page)."""
        return starting_state(self.view)

    def reselect(self, request: object) -> dict[str, Any] | None:
        """The page's what-ifs re-selected; None when a newer request overtook this one."""
        options = self.options_of(request)
        return self.gate.run(lambda: page_result(self.view, decide(self.call, options)))

    def options_of(self, request: object) -> RunOptions:
        """The RunOptions a re-selection request asks for (RequestError saying why not)."""
        data = _object(request, SELECT_KEYS)
        weights = self.weights_of(data.get("weights"))
        try:
            return PAGE_OPTIONS.replaced(
                weights=weights, size=_whole(data, "size"), budget=_whole(data, "budget"),
                include=_names(data, "include"), exclude=_names(data, "exclude"),
                drop_rules=_names(data, "drop_rules"))
        except UsageError as exc:
            raise RequestError(str(exc)) from None

    def weights_of(self, given: object) -> Weights | None:
        """The rubric's weights with those given (text, as typed) replaced; read as
        ``--weights`` reads them."""
        if given is None:
            return None
        if not isinstance(given, dict) or len(given) > len(self.call.rubric.criteria):
            raise RequestError("weights: expected an object of criterion ids to numbers "
                               "written as text, such as {\"promise\": \"40\"}")
        parsed, problems = {}, []
        for criterion, text in given.items():
            try:
                parsed[str(criterion)] = parse_weight(_text(f"weights.{criterion}", text))
            except UsageError as exc:  # "weights: -5 is negative; ...": say whose it is
                problems.append(f"{criterion}={str(exc).removeprefix('weights: ')}")
        if problems:
            raise RequestError("weights: " + "; ".join(problems))
        try:
            return resolve_weights(self.call.rubric, parsed)
        except UsageError as exc:
            raise RequestError(str(exc)) from None

    def save(self, request: object) -> dict[str, Any]:
        """A new rubric file with the page's weights; its name, version and diff."""
        data = _object(request, SAVE_KEYS)
        weights = self.weights_of(data.get("weights")) or self.call.rubric.weights()
        note = _text("note", data.get("note", ""))
        version = data.get("version") or None
        with self._saving:
            try:
                saved = save_tuned_rubric(self.source, _changed(weights, self.call), note,
                                          self.save_dir, _text("version", version)
                                          if version is not None else None)
            except UsageError as exc:
                raise RequestError(str(exc)) from None
        return saved_json(saved)


def saved_json(saved: SavedRubric) -> dict[str, Any]:
    return {"path": display_path(saved.path), "version": saved.version, "diff": saved.diff}


def _changed(weights: Mapping[str, Fraction], call: Call) -> dict[str, Fraction]:
    original = call.rubric.weights()
    return {c: w for c, w in weights.items() if w != original[c]}


def _object(request: object, allowed: frozenset[str]) -> dict[str, Any]:
    if not isinstance(request, dict):
        raise RequestError("expected a JSON object")
    unknown = sorted(str(key)[:40] for key in request if key not in allowed)
    if unknown:
        raise RequestError(f"unknown key(s) {', '.join(map(repr, unknown))}; expected some "
                           f"of: {', '.join(sorted(allowed))}")
    return request


def _text(name: str, value: object) -> str:
    if isinstance(value, str) and len(value) <= MAX_TEXT:
        return value
    expected = f"expected text of at most {MAX_TEXT:,} characters"
    if isinstance(value, int | float) and not isinstance(value, bool):  # 40, not "40"
        raise RequestError(f"{name}: the JSON number {value!r}; {expected}, in quotes "
                           f"(such as \"{value!r}\")")
    if not isinstance(value, str):
        raise RequestError(f"{name}: {_json_kind(value)}; {expected}")
    raise RequestError(f"{name}: {len(value):,} characters; {expected}")


def _json_kind(value: object) -> str:
    kinds = ((bool, "true or false"), (list, "a list"), (dict, "an object"))
    return next((said for kind, said in kinds if isinstance(value, kind)), "null")


def _whole(data: dict[str, Any], name: str) -> int | None:
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise RequestError(f"{name}: expected a whole number >= 0 (or null for the "
                           "rubric's)")
    return value


def _names(data: dict[str, Any], name: str) -> tuple[str, ...]:
    value = data.get(name, [])
    if not isinstance(value, list) or len(value) > MAX_OVERRIDES:
        raise RequestError(f"{name}: expected a list of at most {MAX_OVERRIDES:,} names")
    return tuple(_text(name, item) for item in value)


__all__ = ["LatestOnly", "RequestError", "TuningSession"]
