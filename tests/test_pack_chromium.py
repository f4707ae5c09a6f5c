"""The example pack renders in a real browser (headless Chromium) to a page that is not blank.

Slow (a browser start-up) and skipped where Chromium is not installed.
"""

from __future__ import annotations

import struct
import subprocess
import zlib
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from helpers_browser import require_chromium
from helpers_pack import EXAMPLE_APPS, EXAMPLE_RUBRIC, GOLDEN_CALL_ARGS

WIDTH, HEIGHT = 1200, 1600
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_pixels(png: bytes) -> tuple[int, int, bytes]:
    """Width, height and the decompressed (still filtered) scanlines of a PNG file."""
    assert png.startswith(PNG_SIGNATURE), "not a PNG file"
    position, width, height, idat = len(PNG_SIGNATURE), 0, 0, b""
    while position < len(png):
        (length,) = struct.unpack(">I", png[position:position + 4])
        kind = png[position + 4:position + 8]
        data = png[position + 8:position + 8 + length]
        if kind == b"IHDR":
            width, height = struct.unpack(">II", data[:8])
        elif kind == b"IDAT":
            idat += data
        position += 12 + length
    return width, height, zlib.decompress(idat)


def test_png_pixels_tells_a_blank_page_from_a_drawn_one() -> None:
    """The blankness check itself, on two tiny hand-made PNGs."""
    def png(rows: list[bytes]) -> bytes:
        def chunk(kind: bytes, data: bytes) -> bytes:
            return struct.pack(">I", len(data)) + kind + data + struct.pack(
                ">I", zlib.crc32(kind + data))
        header = struct.pack(">IIBBBBB", len(rows[0]) // 3, len(rows), 8, 2, 0, 0, 0)
        raw = b"".join(b"\x00" + row for row in rows)
        return PNG_SIGNATURE + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) \
            + chunk(b"IEND", b"")

    blank = png([b"\xff" * 30] * 10)
    drawn = png([bytes((i * 7 + j * 13) % 256 for i in range(30)) for j in range(10)])
    assert not looks_drawn(png_pixels(blank)[2])
    assert looks_drawn(png_pixels(drawn)[2])


def looks_drawn(scanlines: bytes) -> bool:
    """Many different byte values, and no single value filling almost everything."""
    counts = Counter(scanlines)
    most_common_share = counts.most_common(1)[0][1] / len(scanlines)
    return len(counts) > 32 and most_common_share < 0.98


@pytest.mark.slow
def test_the_example_pack_renders_in_headless_chromium(
        run_cli: Callable[..., Result], tmp_path: Path) -> None:
    chromium = require_chromium()
    call = [EXAMPLE_RUBRIC, EXAMPLE_APPS] if EXAMPLE_RUBRIC.is_file() else GOLDEN_CALL_ARGS
    assert run_cli("pack", *call, "--out", tmp_path / "pack").exit_code == 0
    shot = tmp_path / "first-page.png"
    subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}",
         f"--window-size={WIDTH},{HEIGHT}", f"--screenshot={shot}",
         (tmp_path / "pack" / "briefing.html").as_uri()],
        check=True, capture_output=True, timeout=120)
    png = shot.read_bytes()
    assert len(png) > 20_000, f"suspiciously small screenshot ({len(png)} bytes)"
    width, height, scanlines = png_pixels(png)
    assert (width, height) == (WIDTH, HEIGHT)
    assert looks_drawn(scanlines), "the first page looks blank"
