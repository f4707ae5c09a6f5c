"""The loader's fast paths give exactly what the careful paths give.

YAML without anchors or tags is read without recording lines (they are worked out again
when a problem needs one); many files are parsed in parallel; reviews are checked one
distinct value at a time, else validated in batches. Each shortcut must give the same
values, lines and problems as the long way.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from pine_select.errors import Problem
from pine_select.loading import fast_path, review_table, yaml_source
from pine_select.loading.fast_path import read_many
from pine_select.loading.yaml_source import parse_yaml

TEXTS = [
    "id: A\norganisation:\n  name: N\n  region: London\nages:\n  - x\n  - y\n",
    "title: Children & Families\nfacts: {a: 1, b: [1, 2, {c: d}]}\n",  # '&' only in text
    "title: 'Kids!'\ndescriptors: {1: low, 5: high}\n",  # '!' only in text
    "a: 1\na: 2\n",  # duplicate key
    "x: " + "[" * 40 + "]" * 40 + "\n",  # too deep
    "? [a, b]\n: 1\n",  # key that is not a name
    "a: &x {k: 1}\nb: *x\n",  # alias
    "x: !!python/name:os.system\n",  # tag
    "",
    "- a\n- b\n",
    "id: [open\n",
]


def full_builder(text: str) -> tuple[object, dict[tuple[str | int, ...], int]]:
    """Values and lines the long way: the builder that records every line."""
    node = yaml.compose(text, Loader=yaml_source._Loader)
    builder = yaml_source._Builder()
    return builder.value(node, (), 0), builder.lines


@pytest.mark.parametrize("text", TEXTS)
def test_fast_path_gives_the_same_values_lines_and_problems(text: str) -> None:
    doc, problems = parse_yaml(text, "f.yaml")
    if doc is None or problems or not text:
        return  # refused or reported: the full builder's own answer (test_loading.py)
    data, lines = full_builder(text)
    assert doc.data == data
    assert doc.lines == lines


keys = st.from_regex(r"[a-z][a-z_]{0,6}", fullmatch=True)
scalars = st.one_of(st.integers(-10**6, 10**6), st.booleans(), st.none(),
                    st.text(st.characters(categories=["L", "N", "P", "S", "Zs"]), max_size=12))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(keys, inner, max_size=3)), max_leaves=12)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(keys, values, min_size=1, max_size=5),
       st.sampled_from([False, True]))
def test_fast_path_matches_the_full_builder_on_any_mapping(data: dict[str, object],
                                                           flow: bool) -> None:
    text = yaml.safe_dump(data, default_flow_style=flow, allow_unicode=True, sort_keys=False)
    doc, problems = parse_yaml(text, "f.yaml")
    assert problems == [] and doc is not None
    expected_data, expected_lines = full_builder(text)
    assert doc.data == expected_data
    assert doc.lines == expected_lines


def test_parallel_parse_is_the_same_as_one_process(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    files = []
    for n in range(40):
        path = tmp_path / f"a{n:02d}.yaml"
        path.write_text(TEXTS[n % len(TEXTS)] + f"n: {n}\n" if n % 7 else "x: [\n")
        files.append((path, path.name))
    serial = read_many(files)
    monkeypatch.setattr(fast_path, "PARALLEL_FROM", 1)
    parallel = read_many(files)
    assert [(d and d.data, p) for d, p in parallel] == [(d and d.data, p) for d, p in serial]
    assert [d.lines for d, _ in parallel if d] == [d.lines for d, _ in serial if d]
    assert any(p for _, p in serial) and any(d for d, _ in serial)


def test_workers_results_come_back_as_they_were_read(tmp_path: Path) -> None:
    """What a worker sends back (marshal data, pickled objects for the rest) is what it
    read: documents with their values and text, problems, and documents whose lines are
    known; also when a value is one marshal cannot write."""
    files = []
    for n, text in enumerate(TEXTS):
        path = tmp_path / f"a{n:02d}.yaml"
        path.write_text(text)
        files.append((path, path.name))
    results = [yaml_source.read_yaml(path, label) for path, label in files]
    odd = (yaml_source.YamlDocument({"a": object()}, text="a: 1\n"), [])  # not marshal's
    for sent in (results, [*results, odd]):
        back = fast_path._unpacked(fast_path._packed(sent))
        assert [(d and d.data, p) for d, p in back[:len(results)]] == \
            [(d and d.data, p) for d, p in results]
        assert [d and d.lines for d, _ in back[:len(results)]] == \
            [d and d.lines for d, _ in results]
    assert any(d is not None and d.known_lines is not None for d, _ in results)


def test_small_calls_are_parsed_in_this_process() -> None:
    assert fast_path._workers_for(fast_path.PARALLEL_FROM - 1) == 1


HEADERS = [("application_id", "reviewer", "criterion", "score", "comment"),
           ("comment", "score", "criterion", "reviewer", "application_id"),
           ("reviewer", "application_id", "score", "criterion")]
cells = st.one_of(st.sampled_from(["A-1", "b.2", "promise", "r1", "3", "-2", "007", "x" * 100]),
                  st.sampled_from(["", " ", "3.0", "bad id", "Promise", "x" * 101, "1e3"]),
                  st.text(max_size=6))


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(HEADERS), st.lists(st.lists(cells, min_size=5, max_size=5),
                                          min_size=1, max_size=4))
def test_review_columns_are_the_models_validation_makes(header: tuple[str, ...],
                                                        rows: list[list[str]]) -> None:
    assert_review_columns_as_validated(header, rows)


@pytest.mark.parametrize("header", HEADERS)
def test_review_columns_of_valid_rows_are_read_column_by_column(
        header: tuple[str, ...]) -> None:
    rows = [{"application_id": "A-1", "reviewer": "Ann.Lee", "criterion": "need",
             "score": "3", "comment": "fine"},
            {"application_id": "b.2", "reviewer": "r" * 64, "criterion": "x_1",
             # An empty first value is the careful path's to judge (maybe a blank line).
             "score": "-2", "comment": "" if header[0] != "comment" else "-"},
            {"application_id": "A-1", "reviewer": "ann.lee", "criterion": "x_1",
             "score": "03", "comment": "fine"}]
    assert assert_review_columns_as_validated(header, [[row[c] for c in header]
                                                       for row in rows])


def assert_review_columns_as_validated(header: tuple[str, ...], rows: list[list[str]]) -> bool:
    """The column reader gives what validating every row gives, or leaves the file to the
    careful path; True if it read it."""
    text = "\n".join(",".join(values[:len(header)]) for values in [list(header), *rows])
    problems: list[Problem] = []
    careful = review_table.load_review_table(
        fast_path.parse_csv_text(text, "r.csv", review_table.REVIEW_COLUMNS, ("comment",)),
        "r.csv", problems)
    made = fast_path.plain_review_table(text, "r.csv")
    if made is None:
        return False
    assert not problems
    assert [list(m.__dict__.items()) for m in made] == [list(m.__dict__.items())
                                                         for m in careful]
    assert [repr(m) for m in made] == [repr(m) for m in careful]
    assert made == careful and list(made) == list(careful)
    return True
