"""Helpers for the briefing-pack tests (tests/test_pack*.py).

The golden tiny call (tests/golden/tiny-call/) and the way its pack is made come from
scripts/regen_golden.py, loaded here by path, so the tests and the script cannot disagree
on the arguments.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
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


# Elements whose text a reader never sees on the page (an SVG <title> is a tooltip).
_UNSEEN = {"head", "style", "script", "title", "template"}
# Elements with no end tag: they open nothing to skip.
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
         "track", "wbr", "rect", "line", "path", "circle"}


class _VisibleText(HTMLParser):
    """The text of the page a reader sees, leaving out the elements whose id is skipped."""

    def __init__(self, skip_ids: frozenset[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.skip_ids = skip_ids
        self.stack: list[bool] = []  # per open element: whether its text is hidden
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            return
        hidden = bool(self.stack and self.stack[-1]) or tag in _UNSEEN \
            or dict(attrs).get("id") in self.skip_ids
        self.stack.append(hidden)

    def handle_endtag(self, tag: str) -> None:
        if tag not in _VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not (self.stack and self.stack[-1]):
            self.parts.append(data)


def visible_text(html: str, skip_ids: tuple[str, ...] = ()) -> str:
    """The briefing's visible text (no head, style or tooltips), without ``skip_ids``."""
    parser = _VisibleText(frozenset(skip_ids))
    parser.feed(html)
    parser.close()
    return " ".join(" ".join(parser.parts).split())


SNAKE_CASE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")


def snake_case_words(text: str) -> list[str]:
    """Every snake_case identifier in ``text`` (``region_cap``; not "pre-birth")."""
    return SNAKE_CASE.findall(text)


def rehash(pack: Path, name: str) -> None:
    """Record ``name``'s present bytes in the manifest, as a forger (or another machine) would."""
    manifest = json.loads((pack / "manifest.json").read_text(encoding="utf-8"))
    manifest["outputs"][name] = hashlib.sha256((pack / name).read_bytes()).hexdigest()
    (pack / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
