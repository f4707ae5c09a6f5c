"""The one home of every identifier rule: what an id may be, and how reviewers compare.

An id (of an application, a gate, a rule or a reviewer) is an ASCII letter or digit, then
up to 63 ASCII letters, digits, ``.``, ``_`` or ``-``. Nothing else: no spaces, no ``/``,
no look-alikes (a Cyrillic "a" (U+0430), a zero-width space, a bidi mark, NUL), so that an id is
always safe as a file name and two ids that look the same are the same.

Reviewer ids are compared case-insensitively: "Gareth.Evans" in reviews.csv is the same
reviewer as "gareth.evans" in conflicts.csv. Their canonical form is lower case; models
hold it, so every comparison and every output (terminal, JSON, pack) uses it.
"""

from __future__ import annotations

import re

ID_BODY = r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}"  # for patterns that hold an id (a CSV row's start)
ID_PATTERN = f"^{ID_BODY}$"
CRITERION_ID_PATTERN = r"^[a-z][a-z0-9_]*$"
ID_EXPECTED = ("a letter or digit, then up to 63 letters, digits, '.', '_' or '-' "
               "(ASCII only)")
CRITERION_ID_EXPECTED = "a lower-case letter, then lower-case letters, digits or '_'"

# An organisation identifier in the org-id.guide style: a list's prefix (a country code and
# the list: GB-CHC charities, GB-COH companies, GB-LAE English local authorities), a hyphen,
# then the organisation's number or code on that list. 360Giving data uses these.
ORG_ID_PATTERN = r"^[A-Z]{2}-[A-Z0-9]{2,10}-[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
ORG_ID_EXPECTED = ("an org-id.guide identifier: a list prefix, a hyphen, the number on that "
                   "list, e.g. GB-CHC-1234567, GB-COH-01234567 or GB-LAE-WAR")
# A 360Giving publisher prefix (360G- then the code 360Giving gave the funder).
GRANT_PREFIX_PATTERN = r"^360G-[A-Za-z0-9][A-Za-z0-9._-]{0,39}$"

# fullmatch with \Z semantics: Python's "$" would also match before a final newline.
_ID = re.compile(ID_BODY)


def is_id(text: str) -> bool:
    """Whether ``text`` is a valid id of an application, gate, rule or reviewer."""
    return _ID.fullmatch(text) is not None


def canonical_reviewer(text: str) -> str:
    """The form a reviewer id is compared and shown in (lower case); check :func:`is_id` first."""
    return text.lower()
