"""Rebuild the golden briefing pack of the tiny call (tests/golden/tiny-pack/).

    python scripts/regen_golden.py            rewrite tests/golden/tiny-pack/
    python scripts/regen_golden.py --check    exit 1 if the golden files are out of date

The tiny call lives in tests/golden/tiny-call/ as real input files. The pack is made the
way a user makes it, through ``pine-select pack``, and only its reproducible files
(briefing.html, results.json) are kept: the manifest records when it was made, so
tests/test_pack_golden.py checks its keys and hashes instead of its bytes.

Run it after a deliberate change to the pack (template, view model, results), read the
diff of tests/golden/tiny-pack/ like any other change, and commit it with that change.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOLDEN_CALL = ROOT / "tests" / "golden" / "tiny-call"
GOLDEN_PACK = ROOT / "tests" / "golden" / "tiny-pack"
RUBRIC = GOLDEN_CALL / "rubric.yaml"
APPLICATIONS = GOLDEN_CALL / "applications"
COMPARED = ("briefing.html", "results.json")
REGENERATE = "python scripts/regen_golden.py"


def pack_arguments(out: Path) -> list[str]:
    """The ``pine-select`` arguments that make the golden pack into ``out``."""
    return ["pack", str(RUBRIC), str(APPLICATIONS), "--out", str(out)]


def build(out: Path) -> dict[str, bytes]:
    """Make the golden call's pack in ``out`` through the CLI; its compared files' bytes."""
    from pine_select.cli import main

    try:
        main.main(pack_arguments(out), prog_name="pine-select", standalone_mode=False)
    except SystemExit as exc:  # reporting_errors exits on bad input
        if exc.code:
            raise RuntimeError(f"pine-select pack failed (exit {exc.code})") from exc
    return {name: (out / name).read_bytes() for name in COMPARED}


def stale_files(fresh: dict[str, bytes]) -> list[str]:
    """The golden files that differ from ``fresh`` (or are missing)."""
    return [name for name, content in sorted(fresh.items())
            if not (GOLDEN_PACK / name).is_file()
            or (GOLDEN_PACK / name).read_bytes() != content]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="only report whether the golden files are up to date")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        fresh = build(Path(scratch) / "pack")
    stale = stale_files(fresh)
    if args.check:
        for name in stale:
            print(f"{GOLDEN_PACK / name} is out of date; run {REGENERATE}")
        return 1 if stale else 0
    GOLDEN_PACK.mkdir(parents=True, exist_ok=True)
    for name, content in sorted(fresh.items()):
        (GOLDEN_PACK / name).write_bytes(content)
    print(f"wrote {', '.join(COMPARED)} to {GOLDEN_PACK.relative_to(ROOT)} "
          f"({len(stale)} changed)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
