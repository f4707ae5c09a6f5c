"""The tuning page's server over real HTTP on a free port (SPEC 12): what it refuses, what it
answers, and that its answers are what ``select`` prints."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from pathlib import Path

import helpers_serve
import pytest
from click.testing import Result
from helpers_pack import EXAMPLE_APPS, EXAMPLE_RUBRIC
from helpers_serve import Running

from pine_select.options import RunOptions
from pine_select.pipeline import decide
from pine_select.report.cells import points, points_text
from pine_select.report.select_output import select_json
from pine_select.serve.api import LatestOnly
from pine_select.serve.server import MAX_BODY
from pine_select.serve.view import same_as_select

# One server on the example call for the module (a start costs seconds), and its save folder.
served, saves = helpers_serve.served, helpers_serve.saves


def _error(reply: object) -> str:
    message = reply.json()["error"]  # type: ignore[attr-defined]
    assert isinstance(message, str) and len(message) > 20
    return message


# -- refusals --------------------------------------------------------------------------------

@pytest.mark.parametrize("host", ["evil.example:{port}", "127.0.0.1.nip.io:{port}",
                                  "127.0.0.1:1", "localhost", ""])
def test_a_foreign_host_is_refused(served: Running, host: str) -> None:
    """DNS rebinding: a page on another name pointed at 127.0.0.1 gets nothing."""
    shown = host.format(port=served.port)
    page = served.request("GET", f"/?key={served.key}", headers={"Host": shown})
    assert page.status == 421
    assert "answers only to 127.0.0.1" in _error(page)
    change = served.request("POST", "/api/select", b"{}", {
        "Host": shown, "Content-Type": "application/json", "X-Pine-Token": served.key})
    assert change.status == 421


def test_localhost_by_name_is_served(served: Running) -> None:
    page = served.request("GET", f"/?key={served.key}",
                          headers={"Host": f"localhost:{served.port}"})
    assert page.status == 200


def test_the_page_needs_the_printed_key(served: Running) -> None:
    assert served.request("GET", "/").status == 403
    assert served.request("GET", "/?key=guess").status == 403
    assert "printed" in _error(served.request("GET", "/"))


@pytest.mark.parametrize("path", ["/index.html", "/api", "/../../etc/passwd", "/favicon.ico",
                                  "//etc/passwd", "/pine_select/serve/page.py"])
def test_unknown_paths_are_404(served: Running, path: str) -> None:
    reply = served.request("GET", path + f"?key={served.key}")
    assert reply.status == 404
    assert reply.headers["content-type"].startswith("application/json")
    assert _error(reply)


def test_an_unknown_api_call_is_404(served: Running) -> None:
    assert served.post("/api/delete", {}).status == 404


def test_other_methods_are_refused(served: Running) -> None:
    for method in ("PUT", "DELETE", "OPTIONS", "PATCH"):
        assert served.request(method, "/api/select").status == 405


def test_changes_need_the_token(served: Running) -> None:
    body = json.dumps({"weights": {"promise": "60"}}).encode()
    missing = served.request("POST", "/api/select", body, {"Content-Type": "application/json"})
    wrong = served.request("POST", "/api/select", body, {"Content-Type": "application/json",
                                                         "X-Pine-Token": served.key[:-1] + "x"})
    assert missing.status == wrong.status == 403
    assert "X-Pine-Token" in _error(missing)


def test_changes_from_another_origin_are_refused(served: Running) -> None:
    reply = served.post("/api/select", {}, Origin="http://evil.example")
    assert reply.status == 403 and "evil.example" in _error(reply)
    assert served.post("/api/select", {}, Sec_Fetch_Site="cross-site").status == 403
    # The page's own origin passes on to reading the request (a bad one: no solve needed).
    same = served.post("/api/select", {"colour": 1}, Origin=f"http://127.0.0.1:{served.port}")
    assert same.status == 400 and "unknown key" in _error(same)


def test_only_json_bodies_are_read(served: Running) -> None:
    form = served.request("POST", "/api/select", b"weights=1", {
        "Content-Type": "application/x-www-form-urlencoded", "X-Pine-Token": served.key})
    assert form.status == 415


def test_a_body_above_the_cap_is_refused_unread(served: Running) -> None:
    reply = served.request("POST", "/api/select", b"{}", {
        "Content-Type": "application/json", "X-Pine-Token": served.key,
        "Content-Length": str(MAX_BODY + 1)})
    assert reply.status == 413
    assert f"{MAX_BODY:,}" in _error(reply)


@pytest.mark.parametrize("body", [b"{not json", b"\xff\xfe", b"[" * 100_000])
def test_bad_json_is_400_with_a_sentence(served: Running, body: bytes) -> None:
    reply = served.request("POST", "/api/select", body, {
        "Content-Type": "application/json", "X-Pine-Token": served.key})
    assert reply.status == 400
    assert "not JSON" in _error(reply)


@pytest.mark.parametrize(("request_body", "said"), [
    ({"weights": {"promise": "-5"}}, "weights: promise=-5 is negative"),
    ({"weights": {"promise": "2000000"}}, "is above 1,000,000"),
    ({"weights": {"promise": "ten"}}, "is not a number"),
    ({"weights": {"promise": 40}}, 'weights.promise: the JSON number 40; expected text of at '
                                   'most 2,000 characters, in quotes (such as "40")'),
    ({"weights": {"promise": True}}, "weights.promise: true or false; expected text"),
    ({"weights": {"promise": "\u0663"}}, "promise='\u0663' is not a number (write its digits "
                                        "as 0-9)"),
    ({"weights": {"promis": "40"}}, "did you mean 'promise'"),
    ({"weights": {c: "0" for c in ("promise", "need", "evaluability", "feasibility",
                                   "learning")}}, "every weight is 0"),
    ({"size": -1}, "size: expected a whole number"),
    ({"size": 10**9}, "size: "),
    ({"budget": "lots"}, "budget: expected a whole number"),
    ({"drop_rules": ["nope"]}, "'nope' is not a rule of the rubric"),
    ({"include": ["PINE-2019-999"]}, "no application has this id"),
    ({"exclude": "PINE-2019-001"}, "exclude: expected a list"),
    ({"colour": "red"}, "unknown key(s) 'colour'"),
    ([1, 2], "expected a JSON object"),
])
def test_bad_what_ifs_are_400_with_a_sentence(served: Running, request_body: object,
                                             said: str) -> None:
    reply = served.post("/api/select", request_body)
    assert reply.status == 400, reply.body
    assert said in _error(reply)


def test_every_answer_carries_the_security_headers(served: Running) -> None:
    page = served.request("GET", f"/?key={served.key}")
    policy = page.headers["content-security-policy"]
    nonce = re.search(r"script-src 'nonce-([^']+)'", policy)
    assert nonce and "default-src 'none'" in policy and "connect-src 'self'" in policy
    html = page.body.decode()
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts and all(f'nonce="{nonce.group(1)}"' in tag for tag in scripts)
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html)
    for reply in (page, served.request("GET", "/nothing")):
        assert reply.headers["x-content-type-options"] == "nosniff"
        assert reply.headers["cache-control"] == "no-store"
    second = served.request("GET", f"/?key={served.key}").headers["content-security-policy"]
    assert second != policy  # a fresh nonce each time


# -- answers ---------------------------------------------------------------------------------

WHAT_IFS = [
    pytest.param({"weights": {"promise": "60", "learning": "2.5"}},
                 ["--weights", "promise=60,learning=2.5"], marks=pytest.mark.slow),
    ({"weights": {"evaluability": "40"}, "size": 7, "budget": 300000,
      "exclude": ["PINE-2019-003"], "drop_rules": ["region_cap"]},
     ["--weights", "evaluability=40", "--size", "7", "--budget", "300000",
      "--exclude", "PINE-2019-003", "--drop-rule", "region_cap"]),
    pytest.param({"include": ["PINE-2019-002"],
                  "drop_rules": ["age_coverage", "practice_type_cap"]},
                 ["--include", "PINE-2019-002", "--drop-rule", "age_coverage",
                  "--drop-rule", "practice_type_cap"], marks=pytest.mark.slow),
    ({"budget": 150000}, ["--budget", "150000"]),  # no portfolio: the same answer too
]


@pytest.mark.parametrize(("request_body", "flags"), WHAT_IFS)
def test_the_page_gets_what_select_prints(served: Running, run_cli: Callable[..., Result],
                                          request_body: dict[str, object],
                                          flags: list[str]) -> None:
    reply = served.post("/api/select", request_body)
    assert reply.status == 200, reply.body
    printed = json.loads(run_cli("select", EXAMPLE_RUBRIC, EXAMPLE_APPS, *flags,
                                 "--format", "json").stdout)
    found = reply.json()
    # The page asks for no explanation but the price of balance: what it does show is
    # select's, field for field (the portfolio, total, cost, price, a conflict's rules).
    assert found["selection"] == same_as_select(printed)
    assert set(found["selection"]) >= {"status", "selected", "total_score", "weights"}
    assert [item["id"] for item in found["portfolio"]] == printed["selected"]
    assert found["status"] == printed["status"]
    if printed["status"] == "optimal":
        assert found["total"] == f"{printed['total_score']:.2f}"
        assert "price_of_balance" in found["selection"]


@pytest.mark.parametrize("weights", [
    {"promise": "60"}, {"need": "0", "feasibility": "45"},
    pytest.param({"promise": "5", "evaluability": "100/3"}, marks=pytest.mark.slow),
    pytest.param({"learning": "80"}, marks=pytest.mark.slow)])
def test_the_pages_portfolio_total_and_price_are_select_weights(
        served: Running, weights: dict[str, str]) -> None:
    # In-process against the library call `select --weights` makes, with every explanation.
    call = served.server.session.call
    parsed = served.server.session.weights_of(weights)
    full = decide(call, RunOptions(weights=parsed)).selection
    found = served.post("/api/select", {"weights": weights}).json()
    assert [item["id"] for item in found["portfolio"]] == list(full.selected)
    assert found["selection"]["total_score"] == float(points(full.total_cents))
    assert found["selection"]["price_of_balance"] == same_as_select(
        select_json(full))["price_of_balance"]
    assert found["price"] is not None and points_text(full.price_of_balance_cents or 0) in (
        found["price"])
    assert full.left_out or full.withdrawals  # the command line explained; the page did not
    assert found["selection"]["selected"] == list(full.selected)


def test_left_names_who_left_the_rubrics_portfolio(served: Running) -> None:
    rubric = served.server.session.state()["result"]
    tuned = served.post("/api/select", {"weights": {"promise": "60"}}).json()
    before = [item["id"] for item in rubric["portfolio"]]
    after = [item["id"] for item in tuned["portfolio"]]
    assert rubric["left"] == [] and before != after
    assert [item["id"] for item in tuned["left"]] == [i for i in before if i not in after]
    assert all(item["new"] == (item["id"] not in before) for item in tuned["portfolio"])
    assert tuned["shares"]["promise"] == "46.2%"  # 60 of 130
    assert tuned["left"][0]["title"] and tuned["left"][0]["organisation"]


def test_an_infeasible_what_if_says_which_rules_conflict(served: Running) -> None:
    found = served.post("/api/select", {"budget": 150000}).json()
    assert found["status"] == "infeasible" and found["portfolio"] == []
    assert found["message"].startswith("No portfolio satisfies every rule.")


def test_the_page_starts_with_the_rubrics_intervals(served: Running) -> None:
    state = served.server.session.state()
    promise = next(c for c in state["criteria"] if c["id"] == "promise")
    assert promise["interval"]["low_text"] == "11.111111"  # 100/9 (sensitivity)
    assert promise["interval"]["high_text"] == "38.333333"  # 115/3
    need = next(c for c in state["criteria"] if c["id"] == "need")
    assert need["interval"]["high"] is None and need["interval"]["high_text"] == "no limit"
    assert [r["label"] for r in state["rules"]][-1] == "A voluntary-sector partner"


# -- one solve at a time ---------------------------------------------------------------------

def test_a_burst_of_requests_costs_the_solve_under_way_and_the_latest() -> None:
    gate = LatestOnly()
    release, started = threading.Event(), threading.Event()
    answers: list[str | None] = []

    def slow() -> str:
        started.set()
        release.wait(10)
        return "first"

    first = threading.Thread(target=lambda: answers.append(gate.run(slow)))
    first.start()
    started.wait(10)
    waiting = [threading.Thread(target=lambda n=n: answers.append(gate.run(lambda: f"r{n}")))
               for n in range(6)]
    for thread in waiting:
        thread.start()
    while gate._issued < 7:  # every request has taken its ticket
        threading.Event().wait(0.01)
    release.set()
    for thread in [first, *waiting]:
        thread.join(10)
    assert gate.done == 2  # the one under way, and the newest of those that waited
    assert sorted(a for a in answers if a) == ["first", "r5"]
    assert answers.count(None) == 5


# -- saving ----------------------------------------------------------------------------------

def test_save_writes_a_new_rubric_that_loads_with_the_new_weights(served: Running,
                                                                  saves: Path) -> None:
    from pine_select.loading.loader import load_call

    original = EXAMPLE_RUBRIC.read_bytes()
    reply = served.post("/api/save", {"weights": {"promise": "45.5", "need": "20"},
                                      "note": "More weight on promise.\nversion: 666"})
    assert reply.status == 200, reply.body
    found = reply.json()
    saved = saves / "pine-2019-tuned-1.yaml"
    assert found["path"].endswith("pine-2019-tuned-1.yaml") and saved.is_file()
    assert found["version"] == "2019.1-tuned.1"
    tuned = load_call(saved, EXAMPLE_APPS).rubric  # the project's strict loader
    assert tuned.version == "2019.1-tuned.1"
    assert tuned.weights()["promise"] == 45.5 and tuned.weights()["need"] == 20
    text = saved.read_text(encoding="utf-8")
    assert "# version: 666" in text  # the note stays a comment, whatever it says
    old_comments = [line for line in original.decode().splitlines() if line.lstrip()
                    .startswith("#")]
    assert all(line in text.splitlines() for line in old_comments)
    assert "-    weight: 30\n+    weight: 45.5\n" in found["diff"]
    assert EXAMPLE_RUBRIC.read_bytes() == original


def test_save_never_overwrites_a_file(served: Running, saves: Path) -> None:
    taken = saves / "pine-2019-tuned-7.yaml"
    for n in range(2, 8):
        (saves / f"pine-2019-tuned-{n}.yaml").write_text(f"mine {n}\n")
    reply = served.post("/api/save", {"weights": {"learning": "12"}, "version": "2019.2"})
    assert reply.status == 200, reply.body
    assert reply.json()["path"].endswith("pine-2019-tuned-8.yaml")
    assert reply.json()["version"] == "2019.2"
    assert taken.read_text() == "mine 7\n"
    assert not list(saves.glob(".pine-tuned-*"))  # no temporary file left behind


@pytest.mark.parametrize(("request_body", "said"), [
    ({"weights": {"promise": "100/3"}}, "cannot be written exactly"),
    ({"weights": {"promise": "30"}, "version": "2019.1"}, "is the original's"),
    ({"version": "../../etc/x"}, "is not a version"),
    ({"note": "x" * 3000}, "note: 3,000 characters; expected text of at most 2,000 characters"),
    ({"version": 2020}, 'version: the JSON number 2020; expected text of at most 2,000 '
                        'characters, in quotes (such as "2020")'),
    ({"path": "/tmp/x.yaml"}, "unknown key(s) 'path'"),
])
def test_bad_saves_are_refused_and_write_nothing(served: Running, saves: Path,
                                                 request_body: object, said: str) -> None:
    before = sorted(saves.iterdir())
    reply = served.post("/api/save", request_body)
    assert reply.status == 400 and said in _error(reply)
    assert sorted(saves.iterdir()) == before
