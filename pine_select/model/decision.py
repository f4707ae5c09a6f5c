"""The panel's decision (SPEC 11): what it funds, and the reason for each departure.

The panel may depart from the recommendation, but every departure carries its reason
(GovS 015): an application funded that was not recommended is ``added``, one recommended
and not funded is ``removed``. That each application appears once, and that the changes
match the differences, is checked against the call and its recommendation
(``pine_select.decision.checks``), which this model does not know.

A decision may say where its funded list came from: ``source: {lottery: {zone, seed,
draws}}`` records that the panel drew lots (``pine-select lottery``) and decided on the
drawn portfolio; its changes are then the departures from the draw, not from the
recommendation (``pine_select.decision.source`` re-runs the draw).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from pine_select.limits import DEFAULT_DRAWS, MAX_DRAWS, MAX_SEED
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


class LotterySource(Strict):
    """The lottery the funded list was drawn from: ``pine-select lottery`` with these options.

    The zone and the draws default as the command's do; the seed must be written, since a
    record of a draw that does not say its seed cannot be re-done by anyone.
    """

    zone: Literal["contested", "all"] = "contested"
    seed: Annotated[int, Field(ge=-MAX_SEED, le=MAX_SEED)]
    draws: Annotated[int, Field(ge=0, le=MAX_DRAWS)] = DEFAULT_DRAWS


class DecisionSource(Strict):
    """Where the funded list came from (absent: the recommendation)."""

    lottery: LotterySource


class PanelDecision(Strict):
    decided_on: IsoDate
    decided_by: NonEmptyText
    source: DecisionSource | None = None  # None: decided on the recommendation
    funded: Annotated[tuple[FundedGrant, ...], AsTuple] = ()
    changes: Annotated[tuple[Change, ...], AsTuple] = ()

    def funded_ids(self) -> tuple[str, ...]:
        return tuple(f.id for f in self.funded)

    def change_of(self, application_id: str) -> Change | None:
        return next((c for c in self.changes if c.id == application_id), None)
