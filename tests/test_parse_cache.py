"""The parse cache (loading/parse_cache.py): a second run skips YAML parsing of the
application files, and never gives another answer, whatever the cache holds."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import CallPaths, tiny_application

from pine_select.errors import InputError
from pine_select.loading import fast_path, loader, parse_cache, yaml_source

MakeCall = Callable[..., CallPaths]
RunCli = Callable[..., Any]


@pytest.fixture(autouse=True)
def _cache_small_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parse_cache, "CACHED_FROM", 1)


def parsed_files(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The labels of the YAML files parsed from now on."""
    labels: list[str] = []
    parse = yaml_source.parse_yaml

    def counting(text: str, label: str) -> Any:
        labels.append(label)
        return parse(text, label)

    monkeypatch.setattr(yaml_source, "parse_yaml", counting)
    return labels


def cache_files(kind: str = "yaml") -> list[Path]:
    """The cache's files of application files (``yaml``) or of reviews.csv (``reviews``)."""
    return sorted(parse_cache.cache_folder().rglob(f"{kind}-*/*.json"))


def read_reviews(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The labels of the reviews.csv files read from now on (not taken from the cache)."""
    labels: list[str] = []
    read = fast_path.reviews_of_text

    def counting(text: Any, label: str, problems: list[Any]) -> Any:
        labels.append(label)
        return read(text, label, problems)

    monkeypatch.setattr(fast_path, "reviews_of_text", counting)
    return labels


def outputs(run_cli: RunCli, paths: CallPaths, *extra: str) -> list[bytes]:
    runs = [run_cli(command, paths.rubric, paths.apps, "--format", "json", *extra)
            for command in ("score", "select", "validate")]
    return [r.stdout_bytes + r.stderr_bytes + bytes([r.exit_code]) for r in runs]


def at_once(*runs: Callable[[], None]) -> None:
    """Each of ``runs`` in its own thread, at the same time; returns when all are done."""
    threads = [threading.Thread(target=run) for run in runs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def many(n: int) -> list[dict[str, Any]]:
    # "&" in a title sends the file through the full builder, which records lines itself.
    return [tiny_application(i, title=f"Project {i}" + (" & co" if i % 2 else ""))
            for i in range(1, n + 1)]


def test_cached_and_uncached_runs_give_the_same_bytes(make_call: MakeCall, run_cli: RunCli,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    paths = make_call(applications=many(6))
    uncached = outputs(run_cli, paths, "--no-cache")
    assert cache_files() == []  # --no-cache writes nothing
    cold = outputs(run_cli, paths)
    assert len(cache_files()) == len(cache_files("reviews")) == 1
    parsed = parsed_files(monkeypatch)
    reviews = read_reviews(monkeypatch)
    warm = outputs(run_cli, paths)
    assert uncached == cold == warm
    assert all(label.endswith("rubric.yaml") for label in parsed)  # no application file
    assert reviews == []  # nor reviews.csv


def test_problems_and_their_lines_are_the_same_from_the_cache(
        make_call: MakeCall, monkeypatch: pytest.MonkeyPatch) -> None:
    apps = many(4)
    apps[1]["requested_amount"] = "lots"  # valid YAML, not a valid application
    paths = make_call(applications=apps)

    def problems(cache: bool) -> list[str]:
        with pytest.raises(InputError) as caught:
            loader.load_call(paths.rubric, paths.apps, cache=cache)
        return [str(p) for p in caught.value.problems]

    uncached = problems(False)
    assert problems(True) == uncached
    parsed = parsed_files(monkeypatch)
    assert problems(True) == uncached and any(":" in p for p in uncached)
    assert not any("app" in Path(label).name for label in parsed)


def test_a_changed_file_is_parsed_again(make_call: MakeCall) -> None:
    paths = make_call(applications=many(3))
    loader.load_call(paths.rubric, paths.apps)
    first = paths.apps / "APP-1.yaml"
    first.write_text(first.read_text().replace("Project 1", "Renamed"))
    call = loader.load_call(paths.rubric, paths.apps)
    assert call.by_id["APP-1"].title.startswith("Renamed")


def test_a_file_edited_while_it_is_read_is_not_stored(make_call: MakeCall,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A first run hashes each file while the parser reads it: a file whose two readings
    differ (edited in between) is not stored, so the cache never pairs one file's hash
    with another version's values."""
    paths = make_call(applications=many(3))
    read = parse_cache._read

    def edited_meanwhile(path: Path) -> Any:
        found = read(path)
        if path.name == "APP-2.yaml":
            path.write_text(path.read_text().replace("Project 2", "Edited"))
        return found

    monkeypatch.setattr(parse_cache, "_read", edited_meanwhile)
    loader.load_call(paths.rubric, paths.apps)
    monkeypatch.setattr(parse_cache, "_read", read)
    stored = json.loads(cache_files()[0].read_text())["entries"]
    assert len(stored) == 2  # APP-1 and APP-3
    assert loader.load_call(paths.rubric, paths.apps).by_id["APP-2"].title == "Edited"


@pytest.mark.parametrize("content", [b"not json", b'{"format": 1, "entries": []}',
                                     b"\xff\xfe", b'{"format": 1, "entries": {"x": 1}}',
                                     b"[" * 100_000])
def test_a_corrupt_cache_file_is_ignored_and_rewritten(
        make_call: MakeCall, monkeypatch: pytest.MonkeyPatch, content: bytes) -> None:
    paths = make_call(applications=many(3))
    expected = loader.load_call(paths.rubric, paths.apps, cache=False)
    loader.load_call(paths.rubric, paths.apps)
    (stored,) = cache_files()
    stored.write_bytes(content)
    parsed = parsed_files(monkeypatch)
    assert loader.load_call(paths.rubric, paths.apps).applications == expected.applications
    assert len(parsed) == 4  # the rubric and every application: nothing taken from it
    assert len(json.loads(stored.read_bytes())["entries"]) == 3


def test_entries_that_are_not_plain_values_are_refused(make_call: MakeCall,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    paths = make_call(applications=many(2))
    loader.load_call(paths.rubric, paths.apps)
    (stored,) = cache_files()
    entries = json.loads(stored.read_bytes())["entries"]
    key = next(iter(entries))
    for bad in ("NaN", "Infinity", "-Infinity", "[" * 100_000 + "]" * 100_000):
        stored.write_text(json.dumps({"format": 1, "entries": {**entries, key: "@"}})
                          .replace('"@"', bad))
        parsed = parsed_files(monkeypatch)
        loader.load_call(paths.rubric, paths.apps)
        assert len(parsed) == 3  # refused as a whole: every file parsed again


def test_two_runs_may_share_the_cache(make_call: MakeCall) -> None:
    paths = make_call(applications=many(8))
    expected = loader.load_call(paths.rubric, paths.apps, cache=False)
    results: list[Any] = []

    def run() -> None:
        for _ in range(5):
            for stored in cache_files():  # both runs then write it, maybe at once
                stored.unlink(missing_ok=True)
            results.append(loader.load_call(paths.rubric, paths.apps).applications)

    at_once(run, run)
    assert results == [expected.applications] * 10
    (stored,) = cache_files()
    assert len(json.loads(stored.read_bytes())["entries"]) == 8
    assert not [p for p in stored.parent.iterdir() if p.suffix == ".tmp"]


def test_the_cache_folder_is_where_the_docs_say(monkeypatch: pytest.MonkeyPatch,
                                                tmp_path: Path) -> None:
    monkeypatch.setenv("PINE_SELECT_CACHE", str(tmp_path / "mine"))
    assert parse_cache.cache_folder() == tmp_path / "mine"
    monkeypatch.delenv("PINE_SELECT_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert parse_cache.cache_folder() == tmp_path / "xdg" / "pine-select"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert parse_cache.cache_folder() == tmp_path / ".cache" / "pine-select"
    assert os.sep in str(parse_cache.cache_folder())


# --- reviews.csv ------------------------------------------------------------------------


def test_a_changed_reviews_file_is_read_again(make_call: MakeCall,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    paths = make_call(applications=many(3))
    loader.load_call(paths.rubric, paths.apps)
    reviews = paths.apps / "reviews.csv"
    text = reviews.read_text()
    reviews.write_text(text.replace(",4,", ",5,", 1) if ",4," in text
                       else text.replace(",3,", ",4,", 1))
    read = read_reviews(monkeypatch)
    expected = loader.load_call(paths.rubric, paths.apps, cache=False)
    assert loader.load_call(paths.rubric, paths.apps).reviews == expected.reviews
    assert len(read) == 2  # the uncached run and the changed file: nothing from the cache
    assert reviews.read_text() != text


def stored_reviews(paths: CallPaths) -> tuple[Path, dict[str, Any]]:
    loader.load_call(paths.rubric, paths.apps)
    (stored,) = cache_files("reviews")
    return stored, json.loads(stored.read_bytes())


def with_column(data: dict[str, Any], column: str, **change: Any) -> bytes:
    """The stored reviews ``data`` with one column of its table changed."""
    table = data["table"]
    return json.dumps({**data, "table": {**table, column: {**table[column], **change}}}).encode()


@pytest.mark.parametrize("edit", [
    lambda d: b"not json",
    lambda d: b"[" * 100_000,
    lambda d: json.dumps({**d, "hash": "0" * 32}).encode(),  # stored for other text
    lambda d: json.dumps({**d, "table": {**d["table"], "line": "AAAA"}}).encode(),  # lengths
    lambda d: with_column(d, "score", values=[]),  # codes naming no value
    lambda d: with_column(d, "score", values=[True, *d["table"]["score"]["values"][1:]]),
    lambda d: with_column(d, "reviewer",  # not a reviewer id
                          values=["Not An Id!", *d["table"]["reviewer"]["values"][1:]]),
])
def test_a_corrupt_or_edited_reviews_entry_is_ignored_and_rewritten(
        make_call: MakeCall, monkeypatch: pytest.MonkeyPatch,
        edit: Callable[[dict[str, Any]], bytes]) -> None:
    paths = make_call(applications=many(3))
    expected = loader.load_call(paths.rubric, paths.apps, cache=False)
    stored, data = stored_reviews(paths)
    stored.write_bytes(edit(data))
    read = read_reviews(monkeypatch)
    assert loader.load_call(paths.rubric, paths.apps).reviews == expected.reviews
    assert len(read) == 1  # read from the file, not taken from the cache
    assert json.loads(stored.read_bytes()) == data  # and stored again as it should be


def test_a_stored_table_is_the_table_read(make_call: MakeCall) -> None:
    paths = make_call(applications=many(4))
    expected = loader.load_call(paths.rubric, paths.apps, cache=False).reviews
    loader.load_call(paths.rubric, paths.apps)
    table = loader.load_call(paths.rubric, paths.apps).reviews
    assert table == expected and table.line.tolist() == expected.line.tolist()
    assert all(getattr(table, c).values == getattr(expected, c).values
               and getattr(table, c).codes.tolist() == getattr(expected, c).codes.tolist()
               for c in ("application_id", "reviewer", "criterion", "score", "comment"))


def test_another_version_of_the_readers_does_not_read_the_cache(
        make_call: MakeCall, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = make_call(applications=many(3))
    loader.load_call(paths.rubric, paths.apps)
    monkeypatch.setattr(parse_cache, "_FINGERPRINTS", {})
    monkeypatch.setattr(parse_cache.metadata, "version", lambda name: "99.0")
    parsed, read = parsed_files(monkeypatch), read_reviews(monkeypatch)
    loader.load_call(paths.rubric, paths.apps)
    assert len(parsed) == 4 and len(read) == 1  # every file read again
    assert len(cache_files()) == len(cache_files("reviews")) == 2  # beside the old ones


def test_two_runs_may_share_the_reviews_cache(make_call: MakeCall) -> None:
    paths = make_call(applications=many(6))
    expected = loader.load_call(paths.rubric, paths.apps, cache=False)
    results: list[Any] = []

    def run() -> None:
        for _ in range(5):
            for stored in cache_files("reviews"):  # both runs then write it, maybe at once
                stored.unlink(missing_ok=True)
            results.append(loader.load_call(paths.rubric, paths.apps).reviews)

    at_once(run, run)
    assert results == [expected.reviews] * 10
    (stored,) = cache_files("reviews")
    assert stored.read_bytes().startswith(b'{"format":1,')
    assert not [p for p in stored.parent.iterdir() if p.suffix == ".tmp"]
