"""``pine-select mapping``: a draft mapping from an export's headers, its answers and a rubric.

Each column is matched to an application key by how much its header reads like the key's
usual wordings, and (for categorical keys) by how many of its answers are the rubric's
categories. Each category-like column's answers are matched to categories. Whatever is
not certain is marked ``# check``; answers matched to nothing are listed. The draft is
valid mapping YAML, so a lead edits what is marked and runs ``import``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pine_select.intake import convert
from pine_select.intake.application_yaml import comment_text, yaml_scalar
from pine_select.intake.convert import Unfit
from pine_select.intake.export import CellValue, Export, read_export
from pine_select.intake.mapping import fold, is_list_key, kinds_for, required_keys
from pine_select.loading.applications import load_rubric
from pine_select.model.base import ID_PATTERN
from pine_select.model.rubric import Rubric

SURE = 0.8  # a match at least this good is written without "# check"
LIKELY = 0.6  # below this, a header is not matched to a key at all
CATEGORY_LIKE = 30  # at most this many distinct answers: a column of choices
LONG_TEXT = 40  # answers this long on average are free text (answers.NAME)

# The usual wordings of each key in forms (Microsoft Forms, Google Forms, grant platforms).
WORDINGS: dict[str, tuple[str, ...]] = {
    "title": ("project title", "title", "name of the project", "name of the practice",
              "project name", "practice name"),
    "organisation.name": ("organisation name", "name of your organisation", "organisation",
                          "organization name", "applicant organisation", "organisation"),
    "organisation.type": ("type of organisation", "organisation type", "kind of organisation",
                          "sector"),
    "organisation.region": ("region", "which region", "english region", "where are you based"),
    "organisation.identifier": ("organisation identifier", "org id", "charity number",
                                "registered charity number", "company number",
                                "charity or company number", "360giving identifier"),
    "summary": ("summary", "project summary", "short description", "describe the practice",
                "description"),
    "practice_type": ("practice type", "type of practice", "area of practice", "practice area"),
    "age_groups": ("age groups", "which age groups", "ages", "age range",
                   "ages of children"),
    "requested_amount": ("amount requested", "requested amount", "cost", "budget",
                         "how much", "total cost", "cost of the evaluation", "amount"),
    "contact.name": ("name", "contact name", "your name", "full name", "lead contact"),
    "contact.email": ("email", "email address", "e-mail", "contact email"),
    "contact.phone": ("phone", "telephone", "phone number", "contact number"),
}
IGNORED = ("start time", "completion time", "timestamp", "last modified time", "submitted at",
           "submission date", "date submitted")
ID_WORDINGS = ("id", "reference", "application id", "submission id", "ref", "application number")


@dataclass(frozen=True)
class Column:
    """One column of the export with what its answers look like."""

    header: str
    answers: tuple[str, ...]  # distinct, non-empty, in first-seen order
    mean_length: float
    separator: str | None  # ";" or "," when the cells look like multi-select answers


@dataclass(frozen=True)
class Match:
    key: str
    column: Column
    score: float


def draft_mapping(export_path: Path, rubric_path: Path) -> str:
    """The draft mapping's YAML text for the export at ``export_path``."""
    rubric = load_rubric(rubric_path)
    export = read_export(export_path)  # a formula's answers are unknown: no draft guesses
    columns = [_column(export, i) for i, header in enumerate(export.header) if header]
    id_column = _id_column(columns)
    # Columns a form adds itself (Start time, Timestamp) are ignored, never matched.
    others = [c for c in columns if c is not id_column and not _form_metadata(c)]
    matches = _assign(others, _wordings(rubric), rubric)
    return _render(export, id_column, matches, columns, rubric)


def _form_metadata(column: Column) -> bool:
    return name_score(column.header, IGNORED) >= SURE


def _column(export: Export, index: int) -> Column:
    cells = [convert.text(row.cells[index]) for row in export.rows]
    answers = tuple(dict.fromkeys(c for c in cells if c))
    mean = sum(map(len, answers)) / len(answers) if answers else 0.0
    separator = next((s for s in (";", ",") if answers and
                      sum(s in a for a in answers) * 2 >= len(answers) and mean < LONG_TEXT),
                     None)
    return Column(export.header[index], answers, mean, separator)


def _wordings(rubric: Rubric) -> dict[str, tuple[str, ...]]:
    """The known wordings, and the facts and answers the rubric's gates and categories use."""
    wordings = dict(WORDINGS)
    facts = [g.field for g in rubric.eligibility] + list(rubric.categories)
    for key in dict.fromkeys(facts):
        if key.startswith(("facts.", "answers.")):
            words = key.partition(".")[2].replace("_", " ")
            wordings[key] = (words, *(g.description for g in rubric.eligibility
                                      if g.field == key and g.description))
    return wordings


def normalised(text: str) -> str:
    """Text compared loosely: lower case, runs of anything but letters and digits as one space."""
    return " ".join(re.findall(r"[^\W_]+", text.casefold()))


def name_score(header: str, wordings: Iterable[str]) -> float:
    """How much ``header`` reads like one of ``wordings`` (1: the same words)."""
    words = set(normalised(header).split())
    best = 0.0
    for wording in wordings:
        wanted = normalised(wording)
        ratio = difflib.SequenceMatcher(None, normalised(header), wanted).ratio()
        # Every word of a wording in the question ("Which age groups does it serve?").
        contained = 0.0
        if wanted and set(wanted.split()) <= words:
            contained = 0.7 if " " not in wanted else 0.85  # one word proves less
        best = max(best, ratio, contained)
    return best


def category_matches(answer: str, declared: Sequence[str]) -> tuple[str | None, bool]:
    """The declared category an answer means, and whether that is certain."""
    by_form = {normalised(c): c for c in declared}
    if normalised(answer) in by_form:
        return by_form[normalised(answer)], True
    words = set(normalised(answer).split())
    within = [c for c in declared if set(normalised(c).split()) <= words]
    if len(within) == 1:
        return within[0], False
    close = difflib.get_close_matches(normalised(answer), list(by_form), n=1, cutoff=0.6)
    return (by_form[close[0]], False) if close else (None, False)


def _values_score(column: Column, declared: Sequence[str]) -> float:
    answers = _answers(column)
    if not answers or len(answers) > CATEGORY_LIKE:
        return 0.0
    found = [category_matches(a, declared) for a in answers]
    return sum(1.0 if sure else 0.7 for value, sure in found if value) / len(answers)


def _answers(column: Column) -> list[str]:
    if column.separator is None:
        return list(column.answers)
    separator = column.separator
    return list(dict.fromkeys(p for a in column.answers for p in convert.parts(a, separator)))


def _assign(columns: Sequence[Column], wordings: dict[str, tuple[str, ...]],
            rubric: Rubric) -> list[Match]:
    """The best match of each key to a column, best first, each column and key used once."""
    scored = []
    for column in columns:
        for key, words in wordings.items():
            score = name_score(column.header, words)
            if key in rubric.categories:
                score = max(score, _values_score(column, rubric.categories[key]))
            if key == "requested_amount" and _all_convert(column, convert.money):
                score = min(1.0, score + 0.2)
            if score >= LIKELY:
                scored.append(Match(key, column, score))
    scored.sort(key=lambda m: (-m.score, m.column.header, m.key))
    used_keys: set[str] = set()
    used_columns: set[str] = set()
    chosen = []
    for match in scored:
        if match.key not in used_keys and match.column.header not in used_columns:
            chosen.append(match)
            used_keys.add(match.key)
            used_columns.add(match.column.header)
    return chosen


def _all_convert(column: Column, conversion: Callable[[CellValue], object]) -> bool:
    try:
        for answer in column.answers:
            conversion(answer)
    except Unfit:
        return False
    return bool(column.answers)


def _id_column(columns: Sequence[Column]) -> Column | None:
    scored = [(name_score(c.header, ID_WORDINGS), i) for i, c in enumerate(columns)]
    best = max(scored, default=(0.0, -1))
    return columns[best[1]] if best[0] >= SURE else None


# --- Rendering ---------------------------------------------------------------------------


def _render(export: Export, id_column: Column | None, matches: list[Match],
            columns: Sequence[Column], rubric: Rubric) -> str:
    sheet = f" (sheet {export.sheet})" if export.sheet else ""
    lines = [f"# Draft mapping for {comment_text(export.name)}{sheet}, made by pine-select "
             "mapping.",
             "# Every line marked '# check' is a guess: read it, fix it, remove the mark.",
             *([f"sheet: {yaml_scalar(export.sheet)}"] if export.sheet else []),
             "header_row: 1", *_id_lines(id_column), "fields:"]
    by_key = {m.key: m for m in matches}
    for key in [*required_keys(), *(m.key for m in matches if m.key not in required_keys())]:
        lines += _field_lines(key, by_key.get(key), rubric)
    taken = {m.column.header for m in matches}
    if id_column is not None:
        taken.add(id_column.header)
    left = [c for c in columns if c.header not in taken and not _form_metadata(c)]
    extra, used = _extra_lines(left)
    lines += extra
    lines += _ignore_lines([c for c in columns if c.header not in taken and c.header not in used])
    return "\n".join(lines) + "\n"


def _id_lines(column: Column | None) -> list[str]:
    if column is None:
        return ["id: {column: ID}  # check: no column looks like an id; add one to the export"]
    numbers = column.answers and all(re.fullmatch(r"[0-9]+", a) for a in column.answers)
    if numbers:
        return [f"id: {{column: {yaml_scalar(column.header, flow=True)}, "
                'template: "APP-{:03d}"}  # check: the call\'s own id prefix']
    ids = all(re.fullmatch(ID_PATTERN, a) for a in column.answers)
    mark = "" if ids else "  # check: some answers are not valid ids"
    return [f"id: {{column: {yaml_scalar(column.header, flow=True)}}}{mark}"]


def _field_lines(key: str, match: Match | None, rubric: Rubric) -> list[str]:
    if match is None:
        return [f"  # {key}: no column matched  # check: every application needs it"]
    mark = "" if match.score >= SURE else "  # check"
    options = _options(key, match.column)
    declared = rubric.categories.get(key)
    values = _values_lines(match.column, declared) if declared is not None else []
    if not values and not options:
        return [f"  {key}: {yaml_scalar(match.column.header)}{mark}"]
    lines = [f"  {key}:{mark}", f"    column: {yaml_scalar(match.column.header)}"]
    return lines + [f"    {name}: {yaml_scalar(value)}" for name, value in options] + values


def _options(key: str, column: Column) -> list[tuple[str, str]]:
    kinds = kinds_for(key)
    if "money" in kinds and key == "requested_amount":
        return [("type", "money")]
    if key.startswith("facts."):
        for kind, conversion in (("boolean", convert.boolean), ("integer", convert.integer),
                                 ("money", convert.money)):
            if _all_convert(column, conversion):
                return [("type", kind)]
    if is_list_key(key) and column.separator is not None:
        return [("split", column.separator)]
    return []


def _values_lines(column: Column, declared: Sequence[str]) -> list[str]:
    entries, unmatched = [], []
    for answer in _answers(column):
        value, sure = category_matches(answer, declared)
        if value is None:
            unmatched.append(answer)
        elif not sure or fold(answer) != fold(value):
            mark = "" if sure else "  # check"
            entries.append(f"      {yaml_scalar(answer)}: {yaml_scalar(value)}{mark}")
    lines = (["    values:", *entries] if entries else [])
    if unmatched:
        lines.append(f"    # check: answers matched to no category: "
                     f"{comment_text(', '.join(map(repr, unmatched)))}")
    return lines


def _extra_lines(columns: Sequence[Column]) -> tuple[list[str], set[str]]:
    """Columns matched to no key: free text as answers, yes/no and numbers as facts."""
    lines, used, names = [], set(), set()
    for column in columns:
        kind = _fact_kind(column)
        if column.mean_length < LONG_TEXT and kind is None:
            continue
        name = key_name(column.header)
        while name in names:
            name += "_2"
        names.add(name)
        used.add(column.header)
        if kind is None:
            lines.append(f"  {yaml_scalar('answers.' + name)}: {yaml_scalar(column.header)}"
                         "  # check: free text, kept as an answer")
        else:
            lines.append(f"  {yaml_scalar('facts.' + name)}: {{column: "
                         f"{yaml_scalar(column.header, flow=True)}, type: {kind}}}"
                         "  # check: a fact no gate uses; name it, or ignore it")
    return lines, used


# Words a question is worded with that say nothing about what it asks.
_FILLER = frozenset({"a", "an", "and", "are", "do", "does", "for", "has", "have", "how", "is",
                     "it", "many", "of", "or", "the", "this", "to", "what", "which", "with",
                     "you", "your"})


def key_name(header: str) -> str:
    """A key for a question: its telling words (``Do you have a data sharing agreement?``
    gives ``data_sharing_agreement``)."""
    words = [w for w in normalised(header).split() if w not in _FILLER]
    return "_".join(words[:5]) or "answer"


def _fact_kind(column: Column) -> str | None:
    for kind, conversion in (("boolean", convert.boolean), ("integer", convert.integer)):
        if _all_convert(column, conversion):
            return kind
    return None


def _ignore_lines(columns: Sequence[Column]) -> list[str]:
    if not columns:
        return []
    lines = ["ignore:"]
    for column in columns:
        mark = "" if _form_metadata(column) else "  # check: matched to no key"
        lines.append(f"  - {yaml_scalar(column.header)}{mark}")
    return lines


