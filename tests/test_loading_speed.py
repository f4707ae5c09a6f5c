"""The loader's fast paths give exactly what the careful paths give.

YAML without anchors or tags is read without recording lines (they are worked out again
when a problem needs one); many files are parsed in parallel; reviews are validated in
batches. Each shortcut must give the same values, lines and problems as the long way.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from pine_select.loading import yaml_source
from pine_select.loading.yaml_source import parse_yaml, read_many

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
    monkeypatch.setattr(yaml_source, "PARALLEL_FROM", 1)
    parallel = read_many(files)
    assert [(d and d.data, p) for d, p in parallel] == [(d and d.data, p) for d, p in serial]
    assert [d.lines for d, _ in parallel if d] == [d.lines for d, _ in serial if d]
    assert any(p for _, p in serial) and any(d for d, _ in serial)


def test_small_calls_are_parsed_in_this_process() -> None:
    assert yaml_source._workers_for(yaml_source.PARALLEL_FROM - 1) == 1
