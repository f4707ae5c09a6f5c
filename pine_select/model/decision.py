"""The panel's decision (SPEC 11): what it funds, and the reason for each departure.

The panel may depart from the recommendation, but every departure carries its reason
(GovS 015): an application funded that was not recommended is ``added``, one recommended
and not funded is ``removed``. That each application appears once, and that the changes
match the differences, is checked against the call and its recommendation
(``pine_select.decision.checks``), which this model does not know.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pine_select.model.base import AsTuple, Id, IsoDate, NonEmptyText, Pounds, Strict
from pine_select.model.reviews import Reason

DECISION_NAME = "decision.yaml"
Action = Literal["added", "removed"]


class FundedGrant(Strict):
    """One application funded; without ``amount``, the amount it requested."""

    id: Id
    amount: Pounds | None = None


class Change(Strict):
    """One departure from the recommendation, with its reason in words."""

    id: Id
    action: Action
    reason: Reason


class PanelDecision(Strict):
    decided_on: IsoDate
    decided_by: NonEmptyText
    funded: Annotated[tuple[FundedGrant, ...], AsTuple] = ()
    changes: Annotated[tuple[Change, ...], AsTuple] = ()

    def funded_ids(self) -> tuple[str, ...]:
        return tuple(f.id for f in self.funded)

    def change_of(self, application_id: str) -> Change | None:
        return next((c for c in self.changes if c.id == application_id), None)
