"""The CLI's one place for errors: every failure is a sentence and an exit code, no traceback."""

from __future__ import annotations

import errno
from collections.abc import Callable
from typing import Any

import pytest
from click.testing import Result
from conftest import CallPaths


def test_a_disk_error_mid_run_is_a_sentence(make_call: Callable[..., CallPaths],
                                            run_cli: Callable[..., Result],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    def full_disk(*_args: Any, **_kwargs: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", "/data/call/reviews.csv")

    monkeypatch.setattr("pine_select.loading.loader.load_call", full_disk)
    result = run_cli("score", *make_call().args)
    assert result.exit_code == 2
    assert result.stderr == "error: /data/call/reviews.csv: No space left on device\n"


def test_diff_without_weights_names_the_flags(make_call: Callable[..., CallPaths],
                                              run_cli: Callable[..., Result]) -> None:
    result = run_cli("select", *make_call().args, "--diff")
    assert result.exit_code == 2 and "--diff compares --weights" in result.stderr
