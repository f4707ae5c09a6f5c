"""One application to the call (SPEC 2.1)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from pine_select.model.base import Id, Names, NonEmptyText, OrgId, Pounds, Scalar, Strict

MISSING = object()
"""What :func:`field_value` returns for a field the application does not have."""

CATEGORICAL_FIELDS = ("age_groups", "practice_type", "organisation.type", "organisation.region")


class Organisation(Strict):
    name: NonEmptyText
    type: NonEmptyText
    region: NonEmptyText
    # Its org-id.guide identifier (GB-CHC-1234567), when it has one: 360Giving data names
    # the recipient by it (SPEC 11).
    identifier: OrgId | None = None


class Contact(Strict):
    """Personal data: kept out of packs unless the panel asks for it."""

    name: str = ""
    email: str = ""
    phone: str = ""


class Application(Strict):
    id: Id
    title: NonEmptyText
    organisation: Organisation
    summary: str = ""
    practice_type: NonEmptyText
    age_groups: Annotated[Names, Field(min_length=1)]
    requested_amount: Pounds
    contact: Contact = Contact()
    facts: dict[Annotated[str, StringConstraints(min_length=1)], Scalar] = {}
    answers: dict[Annotated[str, StringConstraints(min_length=1)], str] = {}


def field_value(app: Application, path: str) -> object:
    """The value at a dotted field path (``organisation.region``, ``facts.months_running``).

    Returns :data:`MISSING` when the application has no such value, so that an eligibility
    gate on a fact the applicant left out fails with a reason rather than an exception.
    """
    head, _, rest = path.partition(".")
    if head in ("facts", "answers") and rest:
        return getattr(app, head).get(rest, MISSING)
    if head == "organisation" and rest in ("name", "type", "region"):
        return getattr(app.organisation, rest)
    if not rest and head in Application.model_fields and head not in ("facts", "answers"):
        return getattr(app, head)
    return MISSING


def is_known_field(path: str) -> bool:
    """Whether ``path`` names a field an application can have (facts/answers are open)."""
    head, _, rest = path.partition(".")
    if head in ("facts", "answers"):
        return bool(rest)
    if head == "organisation":
        return rest in ("name", "type", "region")
    return not rest and head in Application.model_fields and head != "contact"


def categories_of(app: Application, path: str) -> tuple[str, ...]:
    """The category values an application has on a categorical field (lists count each)."""
    value = field_value(app, path)
    if value is MISSING or value is None:
        return ()
    if isinstance(value, tuple):
        return tuple(str(v) for v in value)
    return (str(value),)
