"""Cell conversions of the intake, and the application YAML writer (property-tested)."""

from __future__ import annotations

import datetime
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pine_select.intake import convert
from pine_select.intake.application_yaml import render
from pine_select.intake.convert import Unfit, Vocabulary
from pine_select.intake.export import column_letter
from pine_select.loading.yaml_source import parse_yaml


@pytest.mark.parametrize("cell, pounds", [
    ("£45,000", 45000), ("45000", 45000), ("45,000.00", 45000), ("45 000 zł", 45000),
    ("45\u00a0000 zł", 45000), ("GBP 45,000", 45000), ("45,000 GBP", 45000),
    ("£ 1,234,567", 1234567), (" £0 ", 0), ("$12", 12), ("€1 000", 1000), ("45000£", 45000),
    (45000, 45000), (45000.0, 45000), ("1,000,000,000,000", 10**12),
])
def test_money_accepts_what_forms_write(cell: convert.CellValue, pounds: int) -> None:
    assert convert.money(cell) == pounds


@pytest.mark.parametrize("cell, wrong", [
    ("£45,000.50", "has pence (.50)"), (45000.5, "has pence"), ("-£45,000", "is negative"),
    ("£-45", "is negative"), (-3, "is negative"), ("1,5", "thousands split oddly"),
    ("45,00,000", "thousands split oddly"), ("45,000 000", "thousands split oddly"),
    ("£45k", "is not an amount"), ("GBP 4 GBP", "is not an amount"),
    ("forty thousand", "is not an amount"), ("1,000,000,000,001", "is too big"),
    ("9" * 40, "is too big"), ("9" * 5000, "is too big"), (1e13, "is too big"),
    (True, "is not an amount"), ("45.000", "3 digits after the point"),
    ("45.000,00 zł", "is not an amount"),
])
def test_money_refuses_what_it_cannot_be_sure_of(cell: convert.CellValue, wrong: str) -> None:
    with pytest.raises(Unfit) as caught:
        convert.money(cell)
    assert wrong in caught.value.message


@pytest.mark.parametrize("cell, number", [("14", 14), (" 1,200 ", 1200), ("-3", -3), (14.0, 14),
                                          (7, 7), ("1 200", 1200)])
def test_integer(cell: convert.CellValue, number: int) -> None:
    assert convert.integer(cell) == number


@pytest.mark.parametrize("cell", ["1.5", 1.5, "twelve", "", "10" * 9, 10**16, True])
def test_integer_refuses(cell: convert.CellValue) -> None:
    with pytest.raises(Unfit):
        convert.integer(cell)


@pytest.mark.parametrize("cell, value", [("Yes", True), ("NO", False), (" y ", True), ("n", False),
                                         ("TRUE", True), ("false", False), ("1", True), (0, False),
                                         (True, True)])
def test_boolean(cell: convert.CellValue, value: bool) -> None:
    assert convert.boolean(cell) is value


def test_boolean_refuses_and_says_what_it_takes() -> None:
    with pytest.raises(Unfit) as caught:
        convert.boolean("Maybe")
    assert caught.value.expected == "yes or no (also true/false, y/n, 1/0, in any case)"


def test_text_of_cells_as_a_person_reads_them() -> None:
    assert convert.text(7.0) == "7"
    assert convert.text(2.5) == "2.5"
    assert convert.text(datetime.datetime(2019, 3, 4, 9, 30)) == "2019-03-04 09:30:00"
    assert convert.text("  padded  ") == "padded"


def test_multi_select_parts() -> None:
    assert convert.parts("Early years;Primary;", ";") == ["Early years", "Primary"]
    assert convert.parts(" a ;; b ;", ";") == ["a", "b"]


def test_vocabulary_matches_trimmed_in_any_case() -> None:
    vocabulary = Vocabulary.of("organisation.type", {"Local authority": "local_authority"},
                               ["local_authority", "health"])
    assert vocabulary("  LOCAL AUTHORITY ") == "local_authority"
    assert vocabulary("Health") == "health"
    with pytest.raises(Unfit) as caught:
        vocabulary("Helth")
    assert caught.value.expected.startswith("'health' (one of: ")


@pytest.mark.parametrize("cell, template, made", [
    (7, "PINE-2019-{:03d}", "PINE-2019-007"), ("7", "PINE-2019-{:03d}", "PINE-2019-007"),
    (7.0, "APP-{}", "APP-7"), ("SG-00017", None, "SG-00017"), ("x1", "{}", "x1"),
])
def test_application_ids(cell: convert.CellValue, template: str | None, made: str) -> None:
    assert convert.application_id(cell, template) == made


def test_column_letters() -> None:
    assert [column_letter(i) for i in (0, 25, 26, 27, 701, 702)] == [
        "A", "Z", "AA", "AB", "ZZ", "AAA"]


# --- The writer: whatever the text, the file reads back as exactly that text -----------

texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60)
words = st.text(string.ascii_letters + " -'/,.:#&!?\"\n\t", max_size=30)


@settings(max_examples=300, deadline=None)
@given(title=st.one_of(texts, words).filter(lambda t: t.strip()),
       answer=st.one_of(texts, words), fact=st.one_of(texts, st.integers(), st.booleans()),
       ages=st.lists(st.one_of(words, texts).filter(bool), min_size=1, max_size=3))
def test_any_text_reads_back_exactly(title: str, answer: str, fact: object,
                                     ages: list[str]) -> None:
    values = {"id": "APP-1", "title": title, "age_groups": ages,
              "facts": {"key: with colon": fact}, "answers": {"a": answer}}
    text = render(values, "Imported from a\nfile.csv, row 2.")  # the name cannot break out
    doc, problems = parse_yaml(text, "x")
    assert problems == [] and doc is not None and doc.data == values
    assert [line for line in text.splitlines() if line.startswith("#")] == [
        '# "Imported from a\\nfile.csv, row 2."']


def test_values_a_plain_yaml_reader_would_misread_are_quoted() -> None:
    text = render({"id": "A", "title": "yes", "summary": "2019", "practice_type": "a: b",
                   "age_groups": ["x, y"], "answers": {"q": "line one\nline two"}}, "o")
    assert 'title: "yes"\n' in text and 'summary: "2019"\n' in text
    assert 'practice_type: "a: b"\n' in text and 'age_groups: ["x, y"]\n' in text
    assert "  q: |-\n    line one\n    line two\n" in text
