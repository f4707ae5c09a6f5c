"""What every model shares: strict, frozen, no unknown keys, and the ID pattern."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, StringConstraints

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
CRITERION_ID_PATTERN = r"^[a-z][a-z0-9_]*$"


class Strict(BaseModel):
    """Base of every model: a typo fails loudly; "12000" is not 12000; nothing mutates."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)


def _list_to_tuple(value: Any) -> Any:
    # Files give lists; models hold tuples so that they stay immutable (strict mode would
    # otherwise refuse a list for a tuple field).
    return tuple(value) if isinstance(value, list) else value


Id = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
CriterionId = Annotated[str, StringConstraints(pattern=CRITERION_ID_PATTERN)]
NonEmptyText = Annotated[str, StringConstraints(min_length=1, strip_whitespace=False)]
Scalar = str | int | float | bool | None

# A tuple field that also accepts a list (files give lists; models stay immutable).
AsTuple = BeforeValidator(_list_to_tuple)
Names = Annotated[tuple[str, ...], AsTuple]
