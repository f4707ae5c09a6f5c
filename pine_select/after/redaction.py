"""Keep every other applicant, and every reviewer, out of a letter's free text.

A letter quotes words others wrote about this application (reviewers' comments, the
panel's reasons). Those words may name another applicant ("stronger than PINE-2019-005")
or sign a reviewer's id or name (reviewers.csv's display names, when given): each such
mention becomes "[another applicant]" or "[a reviewer]". Matching is whole-word and
case-insensitive, any run of spaces matching any other ("Ann  Smith" is "Ann Smith"),
longest name first, so that "Project 10" is not read as "Project 1". One pattern serves
every letter of a call.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from pine_select.model.application import Application
from pine_select.model.call import Call

ANOTHER_APPLICANT = "[another applicant]"
A_REVIEWER = "[a reviewer]"


@dataclass(frozen=True)
class Redactor:
    """The names of a call's applicants and reviewers, found in any text in one pass."""

    pattern: re.Pattern[str] | None
    reviewers: frozenset[str]  # lower case, as reviewer ids are

    @classmethod
    def of(cls, call: Call, more_reviewers: Iterable[str] = ()) -> Redactor:
        """The names of ``call`` and ``more_reviewers`` (display names, ids; any case).

        A reviewer is redacted even in the comments they wrote themselves: a signature or
        "as Ann Smith I ..." would name them.
        """
        applicants = {_folded(name) for app in call.applications
                      for name in (app.id, app.title, app.organisation.name)}
        reviewers = frozenset({_folded(n) for n in (*reviewer_ids(call), *more_reviewers)}
                              - {""})
        names = sorted(applicants | reviewers, key=lambda n: (-len(n), n))
        alternatives = "|".join(r"\s+".join(map(re.escape, n.split(" "))) for n in names)
        pattern = (re.compile(r"(?<!\w)(?:" + alternatives + r")(?!\w)", re.IGNORECASE)
                   if names else None)
        return cls(pattern, reviewers)

    def in_letter_to(self, own: Application, text: str) -> str:
        """``text`` with every name that is not ``own``'s replaced."""
        if self.pattern is None:
            return text
        mine = {_folded(own.id), _folded(own.title), _folded(own.organisation.name)}

        def replaced(match: re.Match[str]) -> str:
            name = _folded(match.group(0))
            if name in self.reviewers:
                return A_REVIEWER
            return match.group(0) if name in mine else ANOTHER_APPLICANT

        return self.pattern.sub(replaced, text)


def _folded(name: str) -> str:
    """A name as matched: lower case, runs of spaces as one, no spaces at either end."""
    return " ".join(name.split()).lower()


def reviewer_ids(call: Call) -> set[str]:
    """Every reviewer the call's files name (reviews and declared conflicts)."""
    return {r.reviewer for r in call.reviews} | {c.reviewer for c in call.conflicts}
