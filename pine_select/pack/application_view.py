"""The briefing's rows and pages per application: the ranking table and one page each.

A withheld application (pack/withhold.py) keeps its public facts and outcome; its row in
the disclosed decision has no score of any kind, so nothing here can show one.
"""

from __future__ import annotations

from typing import Any

from pine_select.model.application import Application
from pine_select.pack.formatting import fact, score_text
from pine_select.pack.withhold import Disclosure
from pine_select.report.cells import points
from pine_select.scoring.result import ApplicationScore


def app_row(disclosed: Disclosure, score: ApplicationScore) -> dict[str, Any]:
    app = disclosed.decision.call.by_id[score.id]
    return {
        "id": app.id,
        "title": app.title,
        "organisation": app.organisation.name,
        "type": app.organisation.type,
        "region": app.organisation.region,
        "practice_type": app.practice_type,
        "age_groups": list(app.age_groups),
        "amount": app.requested_amount,
        "rank": score.rank,
        "total": points(score.total_cents),
        "visible": disclosed.visible(app.id),
    }


def ranking_rows(disclosed: Disclosure, outcomes: dict[str, str]) -> list[dict[str, Any]]:
    """The full ranking, in the disclosed order (withheld rows among the unranked, by id)."""
    decision = disclosed.decision
    rows = []
    for score in decision.scores.applications:
        row = app_row(disclosed, score)
        row.update({
            "eligible": score.eligible,
            "selectable": score.selectable,
            "criteria": [score_text(score.criteria[c].score) if c in score.criteria else None
                         for c in decision.call.rubric.criterion_ids()],
            "flags": list(score.flags),
            "selected": score.id in decision.selection.selected,
            "outcome": outcomes[score.id],
        })
        rows.append(row)
    return rows


def application_pages(disclosed: Disclosure, outcomes: dict[str, str]) -> list[dict[str, Any]]:
    """One page each: recommended first, then the rest of the ranking, then the unranked."""
    decision = disclosed.decision
    chosen = set(decision.selection.selected)
    by_id = decision.scores.by_id()
    order = [*decision.selection.selected,
             *(s.id for s in decision.scores.applications if s.id not in chosen)]
    return [_page(disclosed, by_id[i], outcomes) for i in order]


def _page(disclosed: Disclosure, score: ApplicationScore, outcomes: dict[str, str]
          ) -> dict[str, Any]:
    app = disclosed.decision.call.by_id[score.id]
    page = app_row(disclosed, score)
    page.update({
        "summary": app.summary,
        "facts": sorted((k, fact(v)) for k, v in app.facts.items()),
        "answers": sorted(app.answers.items()),
        "contact": _contact(app) if disclosed.audience.include_contacts else None,
        "outcome": outcomes[app.id],
        "reasons": list(score.reasons),
        "flags": list(score.flags),
        "criteria": _criterion_blocks(disclosed, score) if page["visible"] else [],
    })
    return page


def _criterion_blocks(disclosed: Disclosure, score: ApplicationScore) -> list[dict[str, Any]]:
    call = disclosed.decision.call
    comments = {(r.reviewer, r.criterion): r.comment for r in call.reviews_of(score.id)}
    blocks = []
    for criterion in call.rubric.criteria:
        result = score.criteria.get(criterion.id)
        blocks.append({
            "id": criterion.id,
            "name": criterion.name,
            "score": score_text(result.score) if result else None,
            "reviews": [{"reviewer": r, "score": s,
                         "comment": comments.get((r, criterion.id), "")}
                        for r, s in (result.scores if result else ())],
        })
    return blocks


def _contact(app: Application) -> list[tuple[str, str]]:
    fields = (("name", app.contact.name), ("email", app.contact.email),
              ("phone", app.contact.phone))
    return [(k, v) for k, v in fields if v]
