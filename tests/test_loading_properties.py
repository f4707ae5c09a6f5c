"""Property: any valid call written to files loads, and what loads writes back the same.

Random categories (with spaces, accents and YAML-looking words such as ``yes`` or ``0o17``),
applications using them, reviews on the scale, conflicts and overrides are written with the
shared builder, loaded, dumped from the models, written again and loaded again.
"""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path
from typing import Any

from conftest import CONFLICT_HEADER, REVIEW_HEADER, build_call
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pine_select import InputError, load_call
from pine_select.loading import csv_source, fast_path
from pine_select.model.call import Call

CATEGORICAL = ("age_groups", "practice_type", "organisation.type", "organisation.region")
YAML_LOOKALIKES = ["yes", "NO", "on", "null", "true", "0o17", "1e5", "12000", "2019-07-02",
                   "~", "- x", "a: b", "#hash", "'quoted'", "  padded"]

words = st.one_of(
    st.from_regex(r"[A-Za-z][A-Za-z _-]{0,14}", fullmatch=True),
    st.sampled_from(YAML_LOOKALIKES),
    st.text(st.characters(categories=["L", "N", "P", "S", "Zs"]), min_size=1, max_size=15),
)
# Free text as a person types it: any printable character, line breaks included.
free_text = st.text(st.characters(categories=["L", "N", "P", "S", "Zs"],
                                  include_characters="\n\t"), max_size=40)
non_blank = free_text.filter(lambda t: t.strip() != "")
fact_values = st.one_of(st.booleans(), st.integers(-10**12, 10**12), words,
                        st.floats(allow_nan=False, allow_infinity=False, width=64),
                        st.none())
ids = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,20}", fullmatch=True)
# Reviewer ids in any case: the loader keeps them in lower case (model/ids.py).
reviewers = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,12}", fullmatch=True)


@st.composite
def calls(draw: st.DrawFn) -> dict[str, Any]:
    """The parts of a valid call, as :func:`build_call` takes them."""
    categories = {name: draw(st.lists(words, min_size=1,
                                      max_size=4, unique=True))
                  for name in CATEGORICAL}
    low = draw(st.integers(-3, 3))
    high = low + draw(st.integers(1, 9))
    criteria = draw(st.lists(st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True),
                             min_size=1, max_size=3, unique=True))
    weights = draw(st.lists(st.one_of(st.integers(0, 100), st.floats(0, 100)),
                            min_size=len(criteria), max_size=len(criteria))
                   .filter(lambda ws: any(w > 0 for w in ws)))
    rubric = {
        "call": draw(non_blank), "version": draw(non_blank),
        "scale": {"min": low, "max": high},
        "aggregate": draw(st.sampled_from(["mean", "median"])),
        "min_reviews": draw(st.integers(1, 4)),
        "categories": categories,
        "criteria": [{"id": c, "name": draw(non_blank), "weight": w,
                      "guidance": draw(free_text)}
                     for c, w in zip(criteria, weights, strict=True)],
        "eligibility": [{"id": "in_england", "field": "facts.based_in_england",
                         "equals": True}],
        "selection": {"size": draw(st.integers(1, 5)), "tie_break_seed": draw(st.integers()),
                      "rules": [{"field": name, "each": [draw(st.sampled_from(values))],
                                 "at_most": draw(st.integers(1, 3))}
                                for name, values in sorted(categories.items())[:2]]},
    }
    app_ids = draw(st.lists(ids, min_size=1, max_size=5,
                            unique_by=lambda i: i.lower()))  # file names on any file system
    applications = {f"app{n}.yaml": draw(application(app_id, categories))
                    for n, app_id in enumerate(app_ids)}
    people = draw(st.lists(reviewers, min_size=1, max_size=3, unique_by=str.lower))
    triples = [(a, r, c) for a in app_ids for r in people for c in criteria]
    reviewed = draw(st.lists(st.sampled_from(triples), unique=True, max_size=20))
    reviews = [{"application_id": a, "reviewer": r, "criterion": c,
                "score": draw(st.integers(low, high)), "comment": draw(free_text).strip()}
               for a, r, c in reviewed]
    free = [(r, a) for a in app_ids for r in people
            if not any(t[0] == a and t[1] == r for t in reviewed)]
    conflicts = [{"reviewer": r, "application_id": a, "reason": draw(free_text).strip()}
                 for r, a in draw(st.lists(st.sampled_from(free), unique=True, max_size=3))
                 ] if free else []
    chosen = draw(st.lists(st.sampled_from(app_ids), unique=True, max_size=3))
    overrides = {"include": [{"id": i, "reason": draw(non_blank)} for i in chosen[:1]],
                 "exclude": [{"id": i, "reason": draw(non_blank)} for i in chosen[1:]]}
    return {"rubric": rubric, "applications": applications, "reviews": reviews,
            "conflicts": conflicts, "overrides": overrides}


@st.composite
def application(draw: st.DrawFn, app_id: str, categories: dict[str, list[str]]) -> dict[str, Any]:
    pick = lambda name: draw(st.sampled_from(categories[name]))  # noqa: E731
    return {
        "id": app_id,
        "title": draw(non_blank),
        "organisation": {"name": draw(non_blank), "type": pick("organisation.type"),
                         "region": pick("organisation.region")},
        "summary": draw(free_text),
        "practice_type": pick("practice_type"),
        "age_groups": draw(st.lists(st.sampled_from(categories["age_groups"]), min_size=1,
                                    max_size=3, unique=True)),
        "requested_amount": draw(st.integers(0, 10**9)),
        "contact": {"name": draw(free_text), "email": draw(free_text)},
        "facts": {"based_in_england": draw(st.booleans()),
                  **draw(st.dictionaries(st.from_regex(r"[a-z][a-z_]{0,8}", fullmatch=True)
                                         .filter(lambda k: k != "based_in_england"),
                                         fact_values, max_size=3))},
        "answers": draw(st.dictionaries(st.from_regex(r"[a-z][a-z_]{0,8}", fullmatch=True),
                                        free_text, max_size=2)),
    }


def load(folder: Path, parts: dict[str, Any]) -> Call:
    paths = build_call(folder, **parts)
    return load_call(paths.rubric, paths.apps)


def dumped(call: Call) -> dict[str, Any]:
    """The call's models as build_call parts: model -> dict, as a person would write it."""
    def rows(models: tuple[Any, ...], header: tuple[str, ...]) -> list[dict[str, Any]]:
        return [{k: v for k, v in m.model_dump().items() if k in header} for m in models]

    return {
        "rubric": call.rubric.model_dump(mode="json", by_alias=True, exclude_unset=True),
        "applications": {f"app{n}.yaml": app.model_dump(mode="json")
                         for n, app in enumerate(call.applications)},
        "reviews": rows(call.reviews, REVIEW_HEADER),
        "conflicts": rows(call.conflicts, CONFLICT_HEADER),
        "overrides": call.overrides.model_dump(mode="json"),
    }


def same_models(a: Call, b: Call) -> None:
    assert a.rubric == b.rubric
    assert [g.conditions() for g in a.rubric.eligibility] == [
        g.conditions() for g in b.rubric.eligibility]
    assert a.applications == b.applications
    assert a.reviews == b.reviews  # same rows in the same order: same lines too
    assert a.conflicts == b.conflicts
    assert a.overrides == b.overrides


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(calls())
def test_valid_random_calls_load_and_round_trip(parts: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        first = load(Path(tmp) / "first", parts)
        assert sorted(a.id for a in first.applications) == [a.id for a in first.applications]
        assert len(first.applications) == len(parts["applications"])
        assert [(r.application_id, r.reviewer, r.criterion, r.score, r.comment)
                for r in first.reviews] == [
            (r["application_id"], r["reviewer"].lower(), r["criterion"], r["score"],
             r["comment"]) for r in parts["reviews"]]
        by_id = {a["id"]: a for a in parts["applications"].values()}
        for app in first.applications:
            written = by_id[app.id]
            assert app.title == written["title"]
            assert app.facts == written["facts"]
            assert list(app.age_groups) == written["age_groups"]
        assert first.rubric.categories == {k: tuple(v) for k, v in
                                           parts["rubric"]["categories"].items()}
        second = load(Path(tmp) / "second", dumped(first))
        same_models(first, second)


# --- Any bytes at all: a list of problems, never a crash -----------------------------------

junk_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=200)
yaml_fragments = st.lists(st.sampled_from(
    ["id: A", "title:", "  - x", "- y", "&a", "*a", "!!str", "!x", "{", "}", "[", "]", ":",
     "? ", "'", '"', "#", "---", "...", "|", ">", "<<: *a", "\t", "%YAML 1.1", "yes", "1e9",
     "age_groups: [a, b]", "facts: {k: v}", "organisation:", "  name: n", "²", "-", "\ufeff"]),
    max_size=20).map("\n".join)


@settings(max_examples=25, deadline=None)
@given(application=st.one_of(junk_text, yaml_fragments), rubric=st.one_of(junk_text,
       yaml_fragments), reviews=junk_text, overrides=st.one_of(junk_text, yaml_fragments))
def test_any_text_gives_problems_not_a_crash(application: str, rubric: str, reviews: str,
                                             overrides: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for parts in ({"applications": [application]}, {"rubric": rubric},
                      {"reviews": "application_id,reviewer,criterion,score,comment\n" + reviews},
                      {"overrides": overrides}):
            paths = build_call(Path(tmp) / str(len(parts)) / next(iter(parts)), **parts)
            try:
                load_call(paths.rubric, paths.apps)
            except InputError as exc:
                assert exc.problems
                assert all(p.message for p in exc.problems)


# Text without quotes, where line breaks, blank lines, spaces and stray commas meet.
# "\xa0" and "\x1c" are whitespace to str.strip too: rows with none skip its checks.
unquoted_csv = st.lists(st.sampled_from(["a", "b", "1", ",", " ", "\t", "\r", "\n", "\r\n",
                                         "\x00", "é", "0123456789", "\xa0", "\x1c", "a,b",
                                         "\na,b"]), max_size=40).map("".join)


@settings(max_examples=300, deadline=None)
@given(text=unquoted_csv, header=st.sampled_from(["a,b", "a", "", "a,b,c", " a , b "]),
       field_limit=st.sampled_from([None, 12]))
def test_csv_without_quotes_reads_as_the_csv_module_reads_it(
        text: str, header: str, field_limit: int | None) -> None:
    """The fast path for text without quotes gives exactly the csv module's rows and problems.

    Also when a value is longer than the csv module's limit (lowered here to 12 characters).
    """
    full = header + "\n" + text if header else text
    default_limit = csv.field_size_limit()
    try:
        if field_limit is not None:
            csv.field_size_limit(field_limit)
        fast = fast_path.parse_csv_text(full, "r.csv", ("a",), ("b",))
        slow = csv_source.parse_text(full, "r.csv", ("a",), ("b",))
        assert (fast.header, list(fast.records), fast.problems) == (
            slow.header, list(slow.records), slow.problems)
    finally:
        csv.field_size_limit(default_limit)
