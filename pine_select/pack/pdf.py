"""briefing.pdf: the briefing as headless Chromium prints it (the one module importing Playwright).

Chromium is the engine the browser tests already use, and it paginates the briefing's
print stylesheet as a panel member's own browser would. Page size, margins and page numbers
come from the document's own ``@page`` rules (the briefing numbers its pages "page N of M"
in a margin box), so printing it from a browser gives the same pages as this module.
Playwright drives the system's Chromium (``/usr/bin/chromium`` on Debian): it never
downloads a browser. The page is loaded from a string with JavaScript off and every request
refused, so applicant text can reach nothing outside the document.

Chromium cannot fill a contents list's page numbers (CSS ``target-counter`` is not
implemented), so the briefing is printed, the page of each contents entry read back from the
PDF's named destinations (Chromium makes one per ``id``), the numbers written into the
contents list of a copy of the HTML, and that copy printed again, until the pages hold still.

Chromium stamps each PDF with the time it was made; those stamps are set to a fixed date, so
the same HTML printed by the same Chromium gives the same bytes (the manifest records which
Chromium printed, :func:`chromium_version`). Another Chromium version may lay out bytes
differently: :func:`same_content` then compares the text of each page, and
:func:`unprinted_parts` names whatever a received PDF holds that the re-print does not make
(annotations, actions, scripts, forms, attached files, appended updates): text alone cannot
vouch for those, nor for the appearance, which only a same-Chromium byte comparison checks.
"""

from __future__ import annotations

import io
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from pine_select.errors import PackError

if TYPE_CHECKING:
    from playwright.sync_api import PdfMargins
    from pypdf import PageObject, PdfReader
    from pypdf.generic import DictionaryObject

# For a document without @page rules of its own (the briefing has them and they win).
A4_MARGINS: PdfMargins = {"top": "14mm", "bottom": "16mm", "left": "12mm", "right": "12mm"}
# Without these, Chromium's background services try the network at every start.
CHROMIUM_FLAGS = ("--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run",
                  "--disable-quic")
_STAMP = re.compile(rb"D:\d{14}(?:[+-]\d{2}'\d{2}'|Z)?")
# A contents entry as the briefing's template writes it (applicant text is escaped, so it
# can never make one): its anchor, whose page number is added after the link.
_CONTENTS = re.compile(r'<nav id="contents".*?</nav>', re.DOTALL)
_ENTRY = re.compile(r'<a href="#([A-Za-z0-9_-]+)">([^<]*)</a>')
_EOF = b"%%EOF"
_PRODUCER = re.compile(rb"/Producer \(Skia/PDF m(\d{1,6})\)")
MAX_PRINTINGS = 4  # numbers two digits longer can move an entry at most a line or two
FIXED_STAMP = b"D:19700101000000+00'00'"
# Keys a PDF can use to run, submit or carry something; Chromium's printing writes none.
_ACTIVE_KEYS = frozenset({"/OpenAction", "/AA", "/JavaScript", "/JS", "/EmbeddedFile",
                          "/EmbeddedFiles", "/AcroForm", "/XFA", "/Launch", "/RichMedia"})
_LINK_ACTIONS = frozenset({"/URI", "/GoTo"})
_MAX_OBJECTS = 1_000_000  # far above a printed briefing's (about 8 per page)
# The version of each Chromium executable that printed in this process (see chromium_version).
_VERSIONS: dict[str, str] = {}


def find_chromium() -> str | None:
    """The system Chromium: ``PINE_CHROMIUM``, else ``chromium`` on the PATH, else None."""
    named = os.environ.get("PINE_CHROMIUM")
    if named:
        return named if Path(named).is_file() else None
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def render_pdf(html: str) -> bytes:
    """``html`` printed on A4 (its own @page rules number the pages); raises PackError."""
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        raise PackError("a PDF needs Playwright: pip install 'pine-select[pdf]'") from None
    chromium = find_chromium()
    if chromium is None:
        raise PackError("a PDF needs Chromium, and none was found; install it (Debian: "
                        "apt-get install chromium) or name it in PINE_CHROMIUM")
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium,
                                                 args=list(CHROMIUM_FLAGS))
            try:
                page = browser.new_page(java_script_enabled=False)
                page.route("**/*", lambda route: route.abort())

                def printed(document: str) -> bytes:
                    page.set_content(document, wait_until="load")
                    return page.pdf(format="A4", print_background=True, margin=A4_MARGINS,
                                    prefer_css_page_size=True)

                pdf = _with_contents_pages(html, printed)
                _VERSIONS[chromium] = browser.version
            finally:
                browser.close()
    except Error as exc:
        raise PackError(f"Chromium ({chromium}) could not print the briefing: "
                        f"{str(exc).splitlines()[0]}") from None
    return _STAMP.sub(FIXED_STAMP, pdf)


def chromium_version() -> str:
    """The version of the Chromium that prints here (e.g. ``150.0.7871.100``); PackError.

    Read from the browser that printed last in this process, else from a launch of it.
    """
    chromium = find_chromium()
    if chromium is not None and chromium not in _VERSIONS:
        render_pdf("<p></p>")
    if chromium is None or chromium not in _VERSIONS:
        raise PackError("no Chromium was found to print with")
    return _VERSIONS[chromium]


def producer_milestone(pdf: bytes) -> str | None:
    """The Chromium milestone (``150``) a PDF says produced it, if it says so as Chromium does."""
    found = _PRODUCER.search(pdf)
    return None if found is None else found.group(1).decode()


def _with_contents_pages(html: str, printed: Callable[[str], bytes]) -> bytes:
    """``html`` printed with each contents entry's page number, once the numbers hold."""
    pdf = printed(html)
    if _CONTENTS.search(html) is None:
        return pdf
    written: dict[str, int] = {}
    for _ in range(MAX_PRINTINGS):
        pages = destination_pages(pdf)
        if pages == written:
            break
        written = pages
        pdf = printed(with_page_numbers(html, pages))
    return pdf


def destination_pages(pdf: bytes) -> dict[str, int]:
    """The page (from 1) of each named destination: each element ``id`` Chromium printed."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    pages = {}
    for name, dest in sorted(reader.named_destinations.items()):
        index = reader.get_destination_page_number(dest)
        if index is not None:  # a destination on no page (never seen from Chromium)
            pages[name.lstrip("/")] = index + 1
    return pages


def with_page_numbers(html: str, pages: dict[str, int]) -> str:
    """``html`` with the page number of each contents entry written after its link."""
    def numbered(entry: re.Match[str]) -> str:
        page = pages.get(entry.group(1))
        tail = "" if page is None else f' <span class="page-ref">p.&nbsp;{page}</span>'
        return entry.group(0) + tail

    return _CONTENTS.sub(lambda nav: _ENTRY.sub(numbered, nav.group(0)), html, count=1)


def page_texts(pdf: bytes) -> list[str]:
    """The text of each page (for comparing two printings of the same briefing)."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
    except (PyPdfError, ValueError, KeyError) as exc:
        raise PackError(f"not a readable PDF ({exc})") from None


def same_content(first: bytes, second: bytes) -> bool:
    """Whether two PDFs are the same bytes, or failing that hold the same text on every page."""
    return first == second or page_texts(first) == page_texts(second)



def unprinted_parts(found: bytes, reprint: bytes) -> list[str]:
    """What ``found`` holds that ``reprint`` (Chromium's printing of the same briefing) does not.

    Chromium writes one body and one cross-reference section, ending at ``%%EOF``; its only
    annotations are links to the document's own destinations or to the addresses the
    briefing links to; it writes no action, script, form or attached file. Anything else
    was added after printing. Raises PackError for a file that is not a readable PDF.
    """
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    problems = _appended(found)
    try:
        found_reader, reprint_reader = PdfReader(io.BytesIO(found)), PdfReader(io.BytesIO(reprint))
        problems += _layout_changes(found_reader, reprint_reader)
        problems += _active_parts(found_reader)
        problems += _foreign_links(found_reader, _link_targets(reprint_reader))
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        raise PackError(f"not a readable PDF ({exc})") from None
    return problems


def _appended(pdf: bytes) -> list[str]:
    problems = []
    ends, sections = pdf.count(_EOF), pdf.count(b"startxref")
    if ends != 1 or sections != 1:
        problems.append(f"{ends} end-of-file markers and {sections} cross-reference sections "
                        "(an update appended after printing; Chromium writes one of each)")
    tail = pdf[pdf.rfind(_EOF) + len(_EOF):].lstrip(b"\r\n") if ends else b""
    if tail:
        problems.append(f"{len(tail)} bytes after the final %%EOF")
    return problems


def _layout_changes(found: PdfReader, reprint: PdfReader) -> list[str]:
    if len(found.pages) != len(reprint.pages):
        return [f"{len(found.pages)} pages, but the re-print has {len(reprint.pages)}"]
    return [f"page {number}: {_size(mine)} points, but the re-print's is {_size(theirs)}"
            for number, (mine, theirs) in enumerate(zip(found.pages, reprint.pages,
                                                        strict=True), start=1)
            if _size(mine) != _size(theirs)]


def _size(page: PageObject) -> str:
    box = page.mediabox
    return f"{float(box.width):.1f} x {float(box.height):.1f}"


def _active_parts(reader: PdfReader) -> list[str]:
    """Each key anywhere in the document that runs, submits or carries something."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    found: set[str] = set()
    seen: set[tuple[int, int]] = set()
    pending: list[object] = [reader.trailer]
    while pending and len(seen) < _MAX_OBJECTS:
        item = pending.pop()
        if isinstance(item, IndirectObject):
            if (item.idnum, item.generation) in seen:
                continue
            seen.add((item.idnum, item.generation))
            item = item.get_object()
        if isinstance(item, DictionaryObject):
            found |= _ACTIVE_KEYS & {str(key) for key in item}
            pending.extend(item.values())
        elif isinstance(item, ArrayObject):
            pending.extend(item)
    return [f"a {key} entry (Chromium's printing makes none)" for key in sorted(found)]


def _link_targets(reader: PdfReader) -> set[str]:
    """Where the links of a printing lead: ``#name`` for its destinations, else the address."""
    return {f"#{name.lstrip('/')}" for name in reader.named_destinations} | {
        target for page in reader.pages for annotation in _annotations(page)
        if (target := _target(annotation)) is not None}


def _foreign_links(reader: PdfReader, targets: set[str]) -> list[str]:
    """Annotations other than links to the re-print's own destinations and addresses."""
    problems = []
    for number, page in enumerate(reader.pages, start=1):
        for annotation in _annotations(page):
            subtype, target = annotation.get("/Subtype"), _target(annotation)
            if subtype != "/Link":
                problems.append(f"page {number}: a {_shown(subtype)} annotation (Chromium's "
                                "printing makes only links)")
            elif target is None or target not in targets:
                problems.append(f"page {number}: a link to {_shown(target or 'an action')}, "
                                "which the re-print does not have")
    return problems


def _annotations(page: PageObject) -> list[DictionaryObject]:
    return [annotation.get_object() for annotation in page.get("/Annots") or ()]


def _target(annotation: DictionaryObject) -> str | None:
    """``#name`` for a link to a named destination, the address of a URI link, else None."""
    destination, action = annotation.get("/Dest"), annotation.get("/A")
    if action is None:
        return f"#{destination.lstrip('/')}" if isinstance(destination, str) else None
    action = action.get_object()
    if action.get("/S") == "/URI" and isinstance(action.get("/URI"), str):
        return str(action["/URI"])
    return None


def _shown(value: object) -> str:
    text = repr(str(value))
    return text if len(text) <= 80 else text[:80] + "..."
