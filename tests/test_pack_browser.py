"""The example briefing in a real browser (Playwright driving the system Chromium).

One browser for the module; each test opens a page at the width it needs. Skipped where
Chromium is missing (failed instead under PINE_REQUIRE_BROWSER=1, as in CI).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest
from helpers_browser import require_chromium
from helpers_pack import EXAMPLE_APPS, EXAMPLE_RUBRIC

from pine_select.loading.loader import load_call
from pine_select.pack import render_outputs
from pine_select.pack.pdf import CHROMIUM_FLAGS
from pine_select.pipeline import decide

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

WIDTHS = (360, 768, 1280, 1600)


@pytest.fixture(scope="module")
def example() -> tuple[str, dict[str, Any]]:
    decision = decide(load_call(EXAMPLE_RUBRIC, EXAMPLE_APPS))
    outputs = render_outputs(decision, decision.options, {})
    return outputs["briefing.html"].decode(), json.loads(outputs["results.json"])


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    chromium = require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium,
                                              args=list(CHROMIUM_FLAGS))
        try:
            yield launched
        finally:
            launched.close()


def _open(browser: Browser, html: str, width: int) -> Page:
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.route("**/*", lambda route: route.abort())
    page.set_content(html)
    return page


@pytest.mark.parametrize("width", WIDTHS)
def test_no_page_level_horizontal_scroll(browser: Browser, example: tuple[str, Any],
                                         width: int) -> None:
    page = _open(browser, example[0], width)
    try:
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= page.evaluate("innerWidth"), f"{width} px: {scroll_width} wide"
        # Whatever is wider than the screen scrolls inside its own box, never the page.
        escaping = page.evaluate("""[...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > innerWidth + 1
                         && !e.closest('.scroll'))
            .map(e => e.tagName + '.' + e.className).slice(0, 5)""")
        assert escaping == []
    finally:
        page.close()


def test_the_portfolio_table_shows_every_recommended_name_and_total(
        browser: Browser, example: tuple[str, dict[str, Any]]) -> None:
    html, results = example
    apps = {a["id"]: a for a in results["score"]["applications"]}
    page = _open(browser, html, 768)
    try:
        table = page.locator("table.portfolio")
        text = table.inner_text()
        for app_id in results["select"]["selected"]:
            row = table.locator("tr", has_text=app_id).first
            assert apps[app_id]["organisation"] in text
            total = row.locator("td.total")
            assert total.inner_text() == f"{apps[app_id]['total']:.2f}"
            assert total.is_visible()
            box = total.bounding_box()
            assert box is not None and box["x"] + box["width"] <= 768
    finally:
        page.close()


def test_at_phone_width_the_total_stays_on_screen_and_ids_stay_whole(
        browser: Browser, example: tuple[str, Any]) -> None:
    page = _open(browser, example[0], 360)
    try:
        for cell in page.locator("#portfolio td.total, #left-out td.total").all():
            box = cell.bounding_box()
            assert box is not None and box["x"] + box["width"] <= 360
        broken = page.evaluate("""[...document.querySelectorAll('.id')]
            .filter(e => e.getClientRects().length > 1).map(e => e.textContent)""")
        assert broken == []  # an id is never split over two lines (mid-hyphen or anywhere)
    finally:
        page.close()


A4_CONTENT_PX = 703  # 210 mm less the 12 mm margins either side, at 96 px to the inch


def test_in_print_every_table_fits_the_width_of_an_a4_page(
        browser: Browser, example: tuple[str, Any]) -> None:
    """In print nothing scrolls, so nothing may be wider than the page: it would be cut off."""
    page = _open(browser, example[0], A4_CONTENT_PX)
    try:
        page.emulate_media(media="print")
        assert page.evaluate("document.documentElement.scrollWidth") <= A4_CONTENT_PX
        too_wide = page.evaluate("""[...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > innerWidth + 1)
            .map(e => e.tagName + ' ' + (e.textContent || '').slice(0, 30)).slice(0, 5)""")
        assert too_wide == []
    finally:
        page.close()
