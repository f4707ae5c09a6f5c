"""Does a decision file account for itself against the recommendation? Every problem at once.

Each problem names the decision file and the line of the entry at fault. The rules:

- every id names an application of the call, once in ``funded`` and once in ``changes``;
- a funded application is selectable (eligible, reviewed enough, not excluded), and its
  amount is no more than it requested;
- every difference from the recommendation has a change with the matching action
  (``added`` for funded but not recommended, ``removed`` for recommended but not funded),
  and every change is such a difference. A decision drawn by lot (``source: {lottery:
  ...}``) is checked against the drawn portfolio instead (``source.py``).
"""

from __future__ import annotations

from collections.abc import Sequence

from pine_select.decision.source import Basis, recommendation_basis
from pine_select.errors import Problem
from pine_select.loading.yaml_source import PathKey, YamlDocument
from pine_select.model.decision import PanelDecision
from pine_select.pipeline import Decision


def change_expected(basis: Basis) -> str:
    return (f"one change for every difference from the {basis.name}: "
            "{id: ID, action: added|removed, reason: ...}")


class _Place:
    """The decision file's label and lines, to put a problem where its entry is."""

    def __init__(self, label: str, doc: YamlDocument) -> None:
        self.label, self.doc = label, doc

    def problem(self, path: PathKey, message: str, expected: str, code: str) -> Problem:
        return Problem(self.label, self.doc.line_of(path), message, expected, code=code)


def check_decision(panel: PanelDecision, doc: YamlDocument, label: str,
                   recommendation: Decision, basis: Basis | None = None) -> list[Problem]:
    """Every problem of ``panel`` (read from ``label``) against ``recommendation``, its
    differences judged against ``basis`` (default: the recommended portfolio)."""
    problems = check_entries(panel, doc, label, recommendation)
    if not problems:  # differences only mean something once every id is sound
        basis = basis or recommendation_basis(recommendation)
        problems += _unexplained(_Place(label, doc), panel, basis)
    return problems


def check_entries(panel: PanelDecision, doc: YamlDocument, label: str,
                  recommendation: Decision) -> list[Problem]:
    """The problems of each entry alone: ids, duplicates, what can be funded and for how much."""
    place = _Place(label, doc)
    problems = _duplicates(place, "funded", panel.funded_ids())
    problems += _duplicates(place, "changes", tuple(c.id for c in panel.changes))
    problems += _funded_problems(place, panel, recommendation)
    problems += _unknown_changes(place, panel, recommendation)
    return problems


def _duplicates(place: _Place, key: str, ids: Sequence[str]) -> list[Problem]:
    seen: set[str] = set()
    problems = []
    for index, app_id in enumerate(ids):
        if app_id in seen:
            problems.append(place.problem((key, index, "id"), f"{app_id} is listed again under "
                                          f"{key}", "each application once", "duplicate"))
        seen.add(app_id)
    return problems


def _funded_problems(place: _Place, panel: PanelDecision, recommendation: Decision
                     ) -> list[Problem]:
    scores = recommendation.scores.by_id()
    apps = recommendation.call.by_id
    problems = []
    for index, grant in enumerate(panel.funded):
        where = ("funded", index, "id")
        if grant.id not in apps:
            problems.append(_unknown(place, where, grant.id))
        elif not scores[grant.id].selectable:
            why = "; ".join(scores[grant.id].reasons) or "not selectable"
            problems.append(place.problem(where, f"{grant.id} cannot be funded ({why})",
                                          "only eligible, fully reviewed, not excluded "
                                          "applications", "not_selectable"))
        elif grant.amount is not None and grant.amount > apps[grant.id].requested_amount:
            problems.append(place.problem(
                ("funded", index, "amount"),
                f"{grant.id}: £{grant.amount:,} is more than it requested "
                f"(£{apps[grant.id].requested_amount:,})",
                "an amount no more than the request (or none: the request)", "above_request"))
    return problems


def _unknown(place: _Place, where: PathKey, app_id: str) -> Problem:
    return place.problem(where, f"{app_id}: no application has this id",
                         "an application id of the call", "unknown_application")


def _unknown_changes(place: _Place, panel: PanelDecision, recommendation: Decision
                     ) -> list[Problem]:
    apps = recommendation.call.by_id
    return [_unknown(place, ("changes", index, "id"), change.id)
            for index, change in enumerate(panel.changes) if change.id not in apps]


def _unexplained(place: _Place, panel: PanelDecision, basis: Basis) -> list[Problem]:
    """Differences without a change, and changes without a difference (or the wrong action)."""
    recommended, word = set(basis.ids), basis.word
    funded = set(panel.funded_ids())
    actual = {**dict.fromkeys(sorted(funded - recommended), "added"),
              **dict.fromkeys(sorted(recommended - funded), "removed")}
    problems = []
    for index, change in enumerate(panel.changes):
        found = actual.get(change.id)
        if found != change.action:
            state = (f"{word} and funded" if change.id in recommended & funded
                     else f"neither {word} nor funded")
            message = (f"change {change.action} {change.id}: {change.id} was {found}, not "
                       f"{change.action}" if found else f"change {change.action} "
                       f"{change.id}: no such difference ({change.id} is {state})")
            problems.append(place.problem(("changes", index), message, change_expected(basis),
                                          "change_without_difference"))
    given = {c.id for c in panel.changes}
    for app_id, action in actual.items():
        if app_id not in given:
            where = (("funded", panel.funded_ids().index(app_id), "id") if action == "added"
                     else ("changes",) if panel.changes else ("funded",))
            problems.append(place.problem(where, _no_reason(app_id, action, word),
                                          change_expected(basis), "difference_without_reason"))
    return problems


def _no_reason(app_id: str, action: str, word: str) -> str:
    if action == "added":
        return f"{app_id} is funded but was not {word}, and no change gives the reason"
    return f"{app_id} was {word} but is not funded, and no change gives the reason"
