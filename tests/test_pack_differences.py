"""verify says where a re-run differs: the fields of results.json, the lines of the briefing."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from click.testing import Result
from helpers_pack import copy_pack, rehash

from pine_select.pack.differences import MOST_PLACES, differences


def test_a_changed_result_is_named_by_its_field(golden_pack: Path, tmp_path: Path,
                                                run_cli: Callable[..., Result]) -> None:
    pack = copy_pack(golden_pack, tmp_path / "p")
    results = json.loads((pack / "results.json").read_text(encoding="utf-8"))
    results["select"]["total_score"] = 999.5
    (pack / "results.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    html = (pack / "briefing.html").read_text(encoding="utf-8").splitlines(keepends=True)
    html[9] = "<p>forged</p>\n"
    (pack / "briefing.html").write_text("".join(html), encoding="utf-8")
    rehash(pack, "results.json")
    rehash(pack, "briefing.html")
    result = run_cli("verify", pack)
    assert result.exit_code == 1
    assert "results.json: select.total_score: 999.5 in the pack, 155.0 on re-run" in result.stdout
    assert "briefing.html: line 10, column 1: '<p>forged</p>' in the pack," in result.stdout


def test_places_are_few_and_cut_short() -> None:
    ours = json.dumps({"a": list(range(50)), "b": "x" * 500}).encode()
    theirs = json.dumps({"a": list(range(1, 51)), "b": "y"}).encode()
    found = differences("results.json", ours, theirs)
    assert len(found) == MOST_PLACES and all(len(place) < 150 for place in found)
    lines = differences("briefing.html", b"a\nb\n", b"a\nc\nd\n")
    assert lines == ("line 2, column 1: 'b' in the pack, 'c' on re-run",
                     "2 lines in the pack, 3 on re-run")


def test_a_line_is_shown_around_where_it_first_differs() -> None:
    line = "<td>" + "London Borough of Kenbury, " * 4 + "total 608.66</td>"
    forged = line.replace("608.66", "618.66")
    (place,) = differences("briefing.html", f"{forged}\n".encode(), f"{line}\n".encode())
    column = line.index("608.66") + 2
    assert place.startswith(f"line 1, column {column}: ...")
    assert "'y, total 618.66</td>' in the pack" in place
    assert "'y, total 608.66</td>' on re-run" in place


def test_a_window_stays_escaped_and_short() -> None:
    line = "x" * 300 + "\x1b]0;pwned\x07" + "y" * 300
    (place,) = differences("briefing.html", line.encode(), ("x" * 300 + "z" * 311).encode())
    assert "\x1b" not in place and "\x07" not in place and "\\x1b" in place
    assert "column 301" in place and len(place) < 150
