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
    assert "briefing.html: line 10: '<p>forged</p>' in the pack," in result.stdout


def test_places_are_few_and_cut_short() -> None:
    ours = json.dumps({"a": list(range(50)), "b": "x" * 500}).encode()
    theirs = json.dumps({"a": list(range(1, 51)), "b": "y"}).encode()
    found = differences("results.json", ours, theirs)
    assert len(found) == MOST_PLACES and all(len(place) < 150 for place in found)
    lines = differences("briefing.html", b"a\nb\n", b"a\nc\nd\n")
    assert lines == ("line 2: 'b' in the pack, 'c' on re-run", "2 lines in the pack, 3 on re-run")
