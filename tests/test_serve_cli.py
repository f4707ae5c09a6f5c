"""``pine-select serve`` as a lead runs it: the address on stderr, nothing on stdout, a
clean stop on Ctrl-C; and a page whose applicant text stays text."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import html5lib
import pytest
from click.testing import Result
from conftest import merged, tiny_application, tiny_rubric
from helpers_pack import EXAMPLE_APPS, EXAMPLE_RUBRIC
from helpers_serve import running_server

HOSTILE = '</script><script>alert(1)</script><img src=x onerror=alert(2)> & "q" \u202e'


def _tiny(make_call: Callable[..., Any]) -> Any:
    rubric = merged(tiny_rubric(), {"call": "Tiny <b>call</b>",
                                    "selection": {"rules": [{"id": "cap", "field":
                                                             "practice_type",
                                                             "at_most": 2}]}})
    apps = [tiny_application(1, title=HOSTILE, organisation={"name": HOSTILE}),
            tiny_application(2), tiny_application(3)]
    return make_call(rubric=rubric, applications=apps)


def test_serve_prints_its_address_on_stderr_and_stops_cleanly_on_ctrl_c(
        make_call: Callable[..., Any], tmp_path: Path) -> None:
    paths = _tiny(make_call)
    process = subprocess.Popen(
        [sys.executable, "-m", "pine_select", "serve", *paths.args, "--port", "0",
         "--save-dir", str(tmp_path)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        assert process.stderr is not None
        deadline, seen = time.monotonic() + 60, ""
        while "(Ctrl-C stops)" not in seen and time.monotonic() < deadline:
            line = process.stderr.readline()
            if not line:
                break
            seen += line
        assert re.search(r"http://127\.0\.0\.1:\d+/\?key=[\w-]{40,}", seen), seen
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert out == ""  # never solver output (or anything) on stdout
    assert "pine-select serve: stopped" in err and "Traceback" not in err


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_a_ctrl_c_while_starting_stops_cleanly_too(tmp_path: Path, stop: signal.Signals) -> None:
    # Issue 18: a Ctrl-C during the start (seconds on a large call) gave click's
    # "Aborted!" and exit 1; SIGTERM then killed it without a word.
    process = subprocess.Popen(
        [sys.executable, "-m", "pine_select", "serve", str(EXAMPLE_RUBRIC), str(EXAMPLE_APPS),
         "--port", "0", "--save-dir", str(tmp_path)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        assert process.stderr is not None
        started = process.stderr.readline()  # said just before the first selection
        assert started.startswith("serve: re-selecting"), started
        process.send_signal(stop)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert out == ""
    assert err.strip() == "pine-select serve: stopped while starting; nothing was served"


def test_serve_refuses_a_missing_save_folder(make_call: Callable[..., Any],
                                             run_cli: Callable[..., Result],
                                             tmp_path: Path) -> None:
    paths = _tiny(make_call)
    found = run_cli("serve", *paths.args, "--save-dir", tmp_path / "nowhere")
    assert found.exit_code == 2
    assert "--save-dir" in found.stderr and "is not a folder" in found.stderr


def test_applicant_text_on_the_page_stays_text(make_call: Callable[..., Any],
                                               tmp_path: Path) -> None:
    paths = _tiny(make_call)
    with running_server(tmp_path, paths.rubric, paths.apps) as served:
        html = served.request("GET", f"/?key={served.key}").body.decode()
    document = html5lib.parse(html, namespaceHTMLElements=False)
    assert len(document.findall(".//script")) == 2  # the data and the page's own script
    assert not document.findall(".//img") and not document.findall(".//b")
    assert "</script><script>" not in html and "\u202e" not in html
    cells = [td.text for td in document.iter("td") if td.text and "alert(1)" in td.text]
    assert cells and cells[0].startswith("</script><script>alert(1)")
