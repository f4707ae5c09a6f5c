"""The briefing's rows and pages per application: the ranking table and one page each.

A withheld application (pack/withhold.py) keeps its public facts and outcome; its row in
the disclosed decision has no score of any kind, so nothing here can show one. Pages come
in the disclosed ranking's order (rank order, then the unranked by id), which leaks no
withheld rank.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from pine_select.model.application import Application
from pine_select.model.rubric import Criterion
from pine_select.pack.formatting import fact, score_text
from pine_select.pack.withhold import Disclosure
from pine_select.pack.words import Words
from pine_select.report.cells import points, points_text
from pine_select.scoring.result import ApplicationScore


def app_row(disclosed: Disclosure, score: ApplicationScore, words: Words) -> dict[str, Any]:
    app = disclosed.decision.call.by_id[score.id]
    profile = words.profile(app)
    return {
        "id": app.id,
        "title": app.title,
        "organisation": app.organisation.name,
        "type": profile["organisation.type"],
        "region": profile["organisation.region"],
        "practice_type": profile["practice_type"],
        "age_groups": profile["age_groups"],
        "amount": app.requested_amount,
        "rank": score.rank,
        "total": points(score.total_cents),
        "raw_total": points(score.raw_total_cents),  # calibrated calls only
        "visible": disclosed.visible(app.id),
    }


def ranking_rows(disclosed: Disclosure, outcomes: dict[str, str], words: Words,
                 ties: dict[str, str]) -> list[dict[str, Any]]:
    """The full ranking, in the disclosed order (withheld rows among the unranked, by id)."""
    decision = disclosed.decision
    rows = []
    for score in decision.scores.applications:
        row = app_row(disclosed, score, words)
        row.update({
            "eligible": score.eligible,
            "selectable": score.selectable,
            "criteria": [score_text(score.criteria[c].score) if c in score.criteria else None
                         for c in decision.call.rubric.criterion_ids()],
            "flags": [words.flag_text(f) for f in score.flags],
            "selected": score.id in decision.selection.selected,
            "outcome": outcomes[score.id],
            "tie": ties.get(score.id),
        })
        rows.append(row)
    return rows


def tie_notes(disclosed: Disclosure) -> dict[str, str]:
    """For each application tied on its total with others: the tie and the lottery's order."""
    scores = disclosed.decision.scores
    by_id = scores.by_id()
    notes = {}
    for group in scores.tie_groups:
        total = points_text(by_id[group[0]].total_cents or 0)
        for position, app_id in enumerate(group, start=1):
            others = ", ".join(i for i in group if i != app_id)
            notes[app_id] = (f"Tied at {total} with {others}: the tie-break lottery "
                             f"(seed {scores.seed}) puts it {position} of {len(group)}.")
    return notes


def application_pages(disclosed: Disclosure, outcomes: dict[str, str], words: Words,
                      ties: dict[str, str]) -> list[dict[str, Any]]:
    """One page each, in rank order (then the unranked, by id)."""
    return [_page(disclosed, score, outcomes, words, ties)
            for score in disclosed.decision.scores.applications]


def _page(disclosed: Disclosure, score: ApplicationScore, outcomes: dict[str, str],
          words: Words, ties: dict[str, str]) -> dict[str, Any]:
    app = disclosed.decision.call.by_id[score.id]
    page = app_row(disclosed, score, words)
    page.update({
        "summary": app.summary,
        "facts": sorted((words.field_label(f"facts.{k}"), fact(v)) for k, v in app.facts.items()),
        "answers": sorted((words.field_label(f"answers.{k}"), v) for k, v in app.answers.items()),
        "contact": _contact(app) if disclosed.audience.include_contacts else None,
        "outcome": outcomes[app.id],
        "selected": app.id in disclosed.decision.selection.selected,
        "flags": [words.flag_text(f) for f in score.flags],
        "tie": ties.get(app.id),
        "criteria": _criterion_blocks(disclosed, score) if page["visible"] else [],
    })
    page["missing_comments"] = sum(1 for c in page["criteria"] for r in c["reviews"]
                                   if not r["comment"])
    return page


def _criterion_blocks(disclosed: Disclosure, score: ApplicationScore) -> list[dict[str, Any]]:
    call = disclosed.decision.call
    comments = {(r.reviewer, r.criterion): r.comment for r in call.reviews_of(score.id)}
    blocks = []
    for criterion in call.rubric.criteria:
        result = score.criteria.get(criterion.id)
        value = result.score if result else None
        blocks.append({
            "id": criterion.id,
            "name": criterion.name,
            "score": score_text(value),
            "described": described_around(criterion, value),
            "reviews": [{"reviewer": r, "score": s,
                         "comment": comments.get((r, criterion.id), "").strip()}
                        for r, s in (result.scores if result else ())],
        })
    return blocks


def described_around(criterion: Criterion, value: Fraction | None) -> list[tuple[str, str]]:
    """The described scale points nearest ``value``: the one it equals, or those either side."""
    points_ = sorted((int(k), text) for k, text in criterion.descriptors.items()
                     if k.lstrip("-").isdigit())
    if value is None or not points_:
        return []
    exact = [(str(p), t) for p, t in points_ if p == value]
    if exact:
        return exact
    below = [(str(p), t) for p, t in points_ if p < value][-1:]
    above = [(str(p), t) for p, t in points_ if p > value][:1]
    return below + above


def descriptor_table(disclosed: Disclosure) -> list[dict[str, Any]]:
    """What each described scale point of each criterion means (shown once, before the pages)."""
    return [{"name": c.name,
             "points": sorted(c.descriptors.items(), key=lambda kv: _as_number(kv[0]))}
            for c in disclosed.decision.call.rubric.criteria if c.descriptors]


def _as_number(key: str) -> float:
    try:
        return float(key)
    except ValueError:
        return float("inf")


def _contact(app: Application) -> list[tuple[str, str]]:
    fields = (("name", app.contact.name), ("email", app.contact.email),
              ("phone", app.contact.phone))
    return [(k, v) for k, v in fields if v]
