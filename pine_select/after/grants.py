"""The funded grants as 360Giving Data Standard records (1.4), from the panel's decision.

One record per funded application, in rank order. What each field holds, and why:

- ``id``: the funder's 360Giving prefix and the application's id (``360G-ABC-PINE-2019-003``):
  unique for the funder, and the same every time the call is exported;
- ``amountAwarded``: the decided amount (the request unless the panel set one);
- ``awardDate``: the decision's ``decided_on``;
- ``recipientOrganization``: the application's ``organisation.identifier`` when it has one
  (org-id.guide), else one under the funder's prefix (``360G-ABC-ORG-PINE-2019-003``), as
  360Giving advises for a recipient without a registered number;
- ``beneficiaryLocation``: the organisation's region, in the rubric's words;
- ``grantProgramme``: the call; ``fromOpenCall``: ``Yes`` (the call was open).
"""

from __future__ import annotations

from typing import Any

from pine_select.decision import Decided
from pine_select.errors import InputError, Problem, display_path
from pine_select.model.application import Application
from pine_select.model.rubric import Funder, Rubric

STANDARD_VERSION = "1.4"
CURRENCY = "GBP"


def giving_package(outcome: Decided) -> dict[str, Any]:
    """The 360Giving package ``{"grants": [...], ...}`` of the decided grants (not yet checked).

    Raises InputError when the rubric has no ``funder`` block or nothing is funded.
    """
    funder = _funder(outcome)
    comparison = outcome.comparison
    if comparison is None or not comparison.amounts:
        label = display_path(outcome.source) if outcome.source else "decision.yaml"
        raise InputError([Problem(label, None, "the decision funds no application",
                                  "at least one funded grant to publish", code="no_grants")])
    call = outcome.recommendation.call
    awarded = comparison.decided_on.isoformat()
    grants = [_grant(call.by_id[app_id], amount, awarded, funder, call.rubric)
              for app_id, amount in comparison.amounts.items()]
    return {
        "grants": grants,
        "version": STANDARD_VERSION,
        "title": f"{call.rubric.call}: grants awarded",
        "issued": awarded,
        "publisher": {"identifier": funder.id, "name": funder.name},
    }


def _funder(outcome: Decided) -> Funder:
    call = outcome.recommendation.call
    if call.rubric.funder is not None:
        return call.rubric.funder
    label = display_path(call.files.rubric) if call.files else "rubric"
    raise InputError([Problem(label, None, "no funder block: the grants cannot be published",
                              "funder: {id: GB-CHC-1234567, name: ..., grant_id_prefix: "
                              "360G-ABC} (docs/formats.md#funder)", code="no_funder")])


def _grant(app: Application, amount: int, awarded: str, funder: Funder, rubric: Rubric
           ) -> dict[str, Any]:
    return {
        "id": f"{funder.grant_id_prefix}-{app.id}",
        "title": app.title,
        "description": app.summary or app.title,
        "currency": CURRENCY,
        "amountAppliedFor": app.requested_amount,
        "amountAwarded": amount,
        "awardDate": awarded,
        "recipientOrganization": [{"id": recipient_id(app, funder),
                                   "name": app.organisation.name}],
        "fundingOrganization": [{"id": funder.id, "name": funder.name}],
        "beneficiaryLocation": [{"name": rubric.label(app.organisation.region)}],
        "grantProgramme": [{"title": rubric.call}],
        "fromOpenCall": "Yes",
    }


def recipient_id(app: Application, funder: Funder) -> str:
    """The recipient's org-id, else an identifier under the funder's 360Giving prefix."""
    return app.organisation.identifier or f"{funder.grant_id_prefix}-ORG-{app.id}"
