"""Helpers for the briefing-pack tests (tests/test_pack*.py).

The golden tiny call (tests/golden/tiny-call/) and the way its pack is made come from
scripts/regen_golden.py, loaded here by path, so the tests and the script cannot disagree
on the arguments.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from html.parser import HTMLParser
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_RUBRIC = ROOT / "rubrics" / "pine-2019.yaml"
EXAMPLE_APPS = ROOT / "applications" / "pine-2019"
MANIFEST_KEYS = {"tool", "python", "solver", "parameters", "seed", "inputs", "outputs",
                 "inputs_included", "redacted_originals",
                 "created_at"}
SVG_NAMESPACE = "http://www.w3.org/2000/svg"


def load_regen_golden() -> ModuleType:
    """scripts/regen_golden.py as a module (scripts/ is not a package)."""
    name = "regen_golden"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / "regen_golden.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


golden = load_regen_golden()
GOLDEN_CALL_ARGS = [str(golden.RUBRIC), str(golden.APPLICATIONS)]


def files_of(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` by POSIX path relative to it, with its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def everything_under(folder: Path) -> set[str]:
    """Every file and folder under ``folder`` (relative POSIX paths), hidden ones too."""
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")}


def copy_pack(pack: Path, to: Path) -> Path:
    shutil.copytree(pack, to)
    return to


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def start_tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    """Every start tag of ``html`` with its attributes, as a browser's tokenizer sees them."""
    parser = _Tags()
    parser.feed(html)
    parser.close()
    return parser.tags


def briefing(pack: Path) -> str:
    return (pack / "briefing.html").read_text(encoding="utf-8")
