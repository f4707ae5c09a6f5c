"""Words for people (SPEC 7): what the briefing prints where the data holds an identifier.

Category values, fields, criteria and rules are shown by their rubric label (or a rule's
``description``) wherever a panel member reads; identifiers stay in results.json and the
technical appendix. Flags and rule kinds get fixed words here, so that no snake_case word
of the code reaches the panel's pages.
"""

from __future__ import annotations

from collections.abc import Iterable

from pine_select.model.application import Application, categories_of
from pine_select.model.rubric import Rubric, Rule
from pine_select.scoring.flags import SINGLE_REVIEWER_EXTREME

# The built-in rules of every call, in words (balance rules have their own description).
BUILT_IN_RULES = {"size": "The portfolio's size.", "budget": "The budget."}
FIELDS = ("age_groups", "practice_type", "organisation.type", "organisation.region")


class Words:
    """The words of one rubric for the identifiers a briefing shows."""

    def __init__(self, rubric: Rubric) -> None:
        self.rubric = rubric
        self._rules = {r.name: r for r in rubric.selection.rules}
        self._criteria = {c.id: c.name for c in rubric.criteria}

    def label(self, name: str) -> str:
        """A category value, field or gate in words (a criterion by its name)."""
        if name in self.rubric.labels:
            return self.rubric.label(name)
        return self._criteria.get(name, name)

    def field_label(self, path: str) -> str:
        """A fact or answer key in words: its label, else the key with spaces for "_"."""
        if path in self.rubric.labels:
            return self.rubric.label(path)
        key = path.rsplit(".", 1)[-1].replace("_", " ")
        return key[:1].upper() + key[1:]

    def labels(self, names: Iterable[str]) -> list[str]:
        return [self.label(n) for n in names]

    def rule(self, name: str) -> Rule | None:
        return self._rules.get(name)

    def rule_text(self, name: str) -> str:
        """A rule as the panel reads it: its description, else its label, else its name."""
        rule = self._rules.get(name)
        if rule is not None and rule.description:
            return rule.description
        if name in BUILT_IN_RULES:
            return BUILT_IN_RULES[name]
        return self.rubric.label(name)

    def quoted_rule(self, name: str) -> str:
        """A rule quoted in a sentence, its own full stop dropped: 'No more than two ...'."""
        return f"'{self.rule_text(name).rstrip('.')}'"

    def flag_text(self, flag: str) -> str:
        """A score flag in words: ``disagreement:need`` is "reviewers disagree on Need"."""
        kind, _, criterion = flag.partition(":")
        if kind == "disagreement":
            return f"reviewers disagree on {self.label(criterion)}"
        if kind == "insufficient_reviews":
            return f"too few reviews on {self.label(criterion)}"
        if flag == SINGLE_REVIEWER_EXTREME:
            return "one reviewer far from the others"
        return flag

    def profile(self, app: Application) -> dict[str, str]:
        """The application's balanced fields in words, by field."""
        return {field: ", ".join(self.labels(categories_of(app, field))) for field in FIELDS}
