"""What every model shares: strict, frozen, no unknown keys, and the id types (model/ids.py)."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

# Re-exported for code that imported them from here; their home is model/ids.py.
from pine_select.model.ids import CRITERION_ID_PATTERN as CRITERION_ID_PATTERN
from pine_select.model.ids import GRANT_PREFIX_PATTERN, ORG_ID_PATTERN
from pine_select.model.ids import ID_PATTERN as ID_PATTERN

# A ceiling on any amount of money: far above any real grant or budget, and far below
# the sizes at which a solver's floating-point arithmetic stops being exact (a typo of
# 1e22 pounds made the whole call "infeasible").
MAX_POUNDS = 10**12
# A whole number in ASCII digits, as a CSV cell or a descriptor key writes it. str.isdigit()
# also accepts "²" (which int() refuses) and "٣" (which would pass as 3); at most 18 digits,
# so that int() never meets Python's limit (4,300) and the value fits any integer column.
WHOLE_NUMBER = re.compile(r"-?[0-9]{1,18}")


class Strict(BaseModel):
    """Base of every model: a typo fails loudly; "12000" is not 12000; nothing mutates."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)


def _list_to_tuple(value: Any) -> Any:
    # Files give lists; models hold tuples so that they stay immutable (strict mode would
    # otherwise refuse a list for a tuple field).
    return tuple(value) if isinstance(value, list) else value


Id = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
# Canonical (lower case) once valid: see model/ids.py.
ReviewerId = Annotated[str, StringConstraints(pattern=ID_PATTERN, to_lower=True)]
CriterionId = Annotated[str, StringConstraints(pattern=CRITERION_ID_PATTERN)]
OrgId = Annotated[str, StringConstraints(pattern=ORG_ID_PATTERN)]
GrantPrefix = Annotated[str, StringConstraints(pattern=GRANT_PREFIX_PATTERN)]
NonEmptyText = Annotated[str, StringConstraints(min_length=1, strip_whitespace=False)]
Scalar = str | int | float | bool | None
Pounds = Annotated[int, Field(ge=0, le=MAX_POUNDS)]


def _iso_date(value: Any) -> Any:
    # The loader reads `2019-03-01` as text (it resolves no timestamps): read it as a date.
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a date; expected YYYY-MM-DD") from None
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date)]

# A tuple field that also accepts a list (files give lists; models stay immutable).
AsTuple = BeforeValidator(_list_to_tuple)
Names = Annotated[tuple[str, ...], AsTuple]
