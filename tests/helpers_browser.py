"""The system Chromium for browser tests: skipped where it is missing, unless CI requires it."""

from __future__ import annotations

import os

import pytest

from pine_select.pack.pdf import find_chromium


def require_chromium() -> str:
    """The Chromium to drive; skips the test without one (fails it under PINE_REQUIRE_BROWSER)."""
    found = find_chromium()
    if found is None:
        message = "Chromium is not installed (scripts/ensure-chromium installs it)"
        if os.environ.get("PINE_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return found
