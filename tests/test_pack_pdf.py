"""briefing.pdf: printed by the system Chromium, A4, numbered pages, same bytes every time."""

from __future__ import annotations

import html
import http.server
import io
import json
import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from helpers_browser import require_chromium
from helpers_pack import EXAMPLE_APPS, EXAMPLE_RUBRIC, GOLDEN_CALL_ARGS, copy_pack, rehash
from pypdf import PdfReader, PdfWriter
from pypdf.annotations import FreeText, Link
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    NameObject,
    StreamObject,
    TextStringObject,
)

from pine_select.cli import main
from pine_select.errors import PackError
from pine_select.loading.loader import load_call
from pine_select.pack import render_outputs
from pine_select.pack.pdf import (
    destination_pages,
    page_texts,
    producer_milestone,
    render_pdf,
    same_content,
    unprinted_parts,
)
from pine_select.pipeline import decide

A4_POINTS = (595.3, 841.9)  # 210 x 297 mm


@pytest.fixture(scope="module")
def example_html() -> str:
    decision = decide(load_call(EXAMPLE_RUBRIC, EXAMPLE_APPS))
    return render_outputs(decision, decision.options, {})["briefing.html"].decode()


@pytest.fixture(scope="module")
def example_pdf(example_html: str) -> bytes:
    require_chromium()
    return render_pdf(example_html)


SAMPLED = (0, 1, 2, 3, -2, -1)  # the summary, the first application page, the appendix's end


@pytest.fixture(scope="module")
def example_texts(example_pdf: bytes) -> dict[int, str]:
    """The text of the sampled pages, by page number (extracting all 60 takes seconds)."""
    pages = PdfReader(io.BytesIO(example_pdf)).pages
    return {(i % len(pages)) + 1: pages[i].extract_text() for i in SAMPLED}


def test_every_page_is_a4_and_numbered_once(example_pdf: bytes,
                                            example_texts: dict[int, str]) -> None:
    pages = PdfReader(io.BytesIO(example_pdf)).pages
    assert len(pages) > 3
    for page in pages:
        size = (float(page.mediabox.width), float(page.mediabox.height))
        assert all(abs(got - a4) < 1.5 for got, a4 in zip(size, A4_POINTS, strict=True))
    for number, text in example_texts.items():
        # from the briefing's own @page margin box; no second footer from the printer
        assert text.count(f"page {number} of {len(pages)}") == 1


SUMMARY_HEADINGS = ("Panel summary", "The recommended portfolio", "What balance cost",
                    "Close calls near the funding line", "Reserves and withdrawals",
                    "Strong applications left out, and why", "To discuss")


def test_the_panel_summary_fills_pages_1_to_3_and_the_pages_per_application_follow(
        example_texts: dict[int, str]) -> None:
    summary = "\n".join(example_texts[n] for n in (1, 2, 3))
    for heading in SUMMARY_HEADINGS:
        assert heading in summary, heading
    assert "One page per application, in rank order" in example_texts[4]
    assert "For analysts and auditors" not in summary  # the appendix starts later
    last = sorted(example_texts)[-2:]
    assert "Provenance and hashes" in "".join(example_texts[n] for n in last)  # the end


def test_the_contents_list_gives_the_page_each_section_starts_on(
        example_pdf: bytes, example_html: str) -> None:
    pages = PdfReader(io.BytesIO(example_pdf)).pages
    contents = re.search(r'<nav id="contents".*?</nav>', example_html, re.DOTALL)
    assert contents is not None
    entries = re.findall(r'<a href="#([a-z-]+)">([^<]*)</a>', contents.group(0))
    numbers = destination_pages(example_pdf)
    cover = pages[0].extract_text()
    for anchor, label in entries:
        number = numbers[anchor]
        written = re.search(re.escape(label.split()[-1]) + r"\s+p\. (\d+)", cover)
        assert written is not None and int(written.group(1)) == number, (label, number)
        heading = html.unescape(label).split(",")[0].split()[:2]  # the heading may be shorter
        assert " ".join(heading) in pages[number - 1].extract_text(), (label, number)


def test_the_same_briefing_prints_to_the_same_bytes(example_pdf: bytes,
                                                    example_html: str) -> None:
    assert render_pdf(example_html) == example_pdf
    assert b"D:19700101000000" in example_pdf  # Chromium's time stamps are fixed


def test_text_comparison_sees_a_changed_figure() -> None:
    require_chromium()
    html = "<style>p { break-after: page }</style><p>Total 608.66</p><p>Reserve 1</p>"
    first, changed = render_pdf(html), render_pdf(html.replace("608.66", "618.66"))
    assert same_content(first, first)
    assert changed != first and not same_content(changed, first)


@pytest.fixture
def listening() -> Iterator[tuple[int, list[str]]]:
    requests: list[str] = []

    class Record(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *_args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Record)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1], requests
    server.shutdown()
    server.server_close()


def test_printing_requests_nothing_and_runs_no_script(
        listening: tuple[int, list[str]]) -> None:
    require_chromium()
    port, requests = listening
    base = f"http://127.0.0.1:{port}"
    html = (f'<h1>Hostile</h1><img src="{base}/img"><link rel="stylesheet" href="{base}/css">'
            f'<iframe src="{base}/frame"></iframe>'
            f'<script>document.body.append("ran"); fetch("{base}/js")</script>')
    texts = page_texts(render_pdf(html))
    assert requests == []
    assert "ran" not in "".join(texts)


def test_without_chromium_a_pdf_is_refused_with_a_sentence(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PINE_CHROMIUM", "/nonexistent/chromium")
    with pytest.raises(PackError, match="needs Chromium"):
        render_pdf("<p>x</p>")


def test_a_file_that_is_not_a_pdf_is_a_pack_error() -> None:
    with pytest.raises(PackError, match="not a readable PDF"):
        page_texts(b"%PDF-1.4 nonsense")


# --- pack --pdf and verify ---------------------------------------------------------------


@pytest.fixture(scope="module")
def pdf_pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_chromium()
    out = tmp_path_factory.mktemp("pdf") / "pack"
    result = CliRunner().invoke(main, ["pack", *GOLDEN_CALL_ARGS, "--out", str(out), "--pdf"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out


def test_pack_pdf_is_listed_recorded_and_verifies(pdf_pack: Path,
                                                  run_cli: Callable[..., Result]) -> None:
    manifest = json.loads((pdf_pack / "manifest.json").read_text(encoding="utf-8"))
    assert "briefing.pdf" in manifest["outputs"] and manifest["parameters"]["pdf"] is True
    assert (pdf_pack / "briefing.pdf").read_bytes().startswith(b"%PDF-")
    assert run_cli("verify", pdf_pack).exit_code == 0


def test_a_pdf_printed_by_another_chromium_verifies_by_its_text(
        pdf_pack: Path, tmp_path: Path, run_cli: Callable[..., Result]) -> None:
    pack = copy_pack(pdf_pack, tmp_path / "other")
    _recorded_printer(pack, "100.0.0.0")  # and its PDF's producer: other bytes, same text
    result = run_cli("verify", pack)
    assert result.exit_code == 0, result.output
    assert "briefing.pdf: text matches; printed by Chromium 100.0.0.0" in result.stdout


def test_a_pdf_whose_text_differs_does_not_verify(
        pdf_pack: Path, tmp_path: Path, run_cli: Callable[..., Result]) -> None:
    pack = copy_pack(pdf_pack, tmp_path / "forged")
    html = (pack / "briefing.html").read_text(encoding="utf-8")
    (pack / "briefing.pdf").write_bytes(render_pdf(html.replace("Panel", "Panne", 1)))
    rehash(pack, "briefing.pdf")
    _recorded_printer(pack, "100.0.0.0")
    result = run_cli("verify", pack)
    assert result.exit_code == 1
    assert "briefing.pdf: differs when re-run" in result.stdout
    assert "briefing.pdf: its text differs from the re-print's" in result.stdout


def test_every_printed_page_of_a_what_if_pack_says_so() -> None:
    require_chromium()
    from helpers_pack import golden

    from pine_select.options import RunOptions

    options = RunOptions(size=1)
    decision = decide(load_call(golden.RUBRIC, golden.APPLICATIONS), options)
    html = render_outputs(decision, options, {})["briefing.html"].decode()
    texts = page_texts(render_pdf(html))
    assert len(texts) > 3
    assert all("WHAT-IF PACK: not the published rules" in text for text in texts)
    assert "Changed for this run: portfolio size 1" in texts[0]


# --- a received PDF altered after printing (hostile finding 3) ---------------------------

LINKED = ('<h1 id="top">Briefing</h1><p>Total 608.66</p><p><a href="#top">back</a> '
          '<a href="https://example.org/rules">the rules</a></p>')


@pytest.fixture(scope="module")
def linked_pdf() -> bytes:
    require_chromium()
    return render_pdf(LINKED)


def _rewritten(pdf: bytes, change: Callable[[PdfWriter], object]) -> bytes:
    writer = PdfWriter(clone_from=io.BytesIO(pdf))
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _white_box(writer: PdfWriter) -> None:
    box = StreamObject()
    box.set_data(b"q 1 1 1 rg 0 0 612 500 re f Q")
    page = writer.pages[0]
    page[NameObject("/Contents")] = ArrayObject([page.raw_get("/Contents"),
                                                 writer._add_object(box)])


def _note(writer: PdfWriter) -> None:
    writer.add_annotation(0, FreeText(text="PANEL NOTE: fund PINE-2019-002 instead",
                                      rect=(50, 50, 400, 100)))


def _script(writer: PdfWriter) -> None:
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject({
        NameObject("/S"): NameObject("/JavaScript"),
        NameObject("/JS"): TextStringObject("app.alert('x');")})


def _foreign_link(writer: PdfWriter) -> None:
    writer.add_annotation(0, Link(rect=(50, 50, 100, 100), url="https://evil.example/"))


def test_a_clean_reprint_has_nothing_unprinted(linked_pdf: bytes) -> None:
    assert unprinted_parts(linked_pdf, render_pdf(LINKED)) == []


@pytest.mark.parametrize(("change", "named"), [
    (_note, "a '/FreeText' annotation"),
    (_script, "a /OpenAction entry"),
    (_foreign_link, "a link to 'https://evil.example/'"),
])
def test_what_chromium_never_prints_is_named(linked_pdf: bytes,
                                             change: Callable[[PdfWriter], object],
                                             named: str) -> None:
    altered = _rewritten(linked_pdf, change)
    assert page_texts(altered) == page_texts(linked_pdf)  # the text alone cannot tell
    assert any(named in problem for problem in unprinted_parts(altered, linked_pdf))


def test_a_script_is_named_wherever_it_hides(linked_pdf: bytes) -> None:
    def named_script(writer: PdfWriter) -> None:  # in the catalog's name tree
        writer.add_open_action(DictionaryObject({  # type: ignore[arg-type]
            NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("1")}))

    for change in (_script, named_script):
        problems = unprinted_parts(_rewritten(linked_pdf, change), linked_pdf)
        assert "a /JS entry (Chromium's printing makes none)" in problems


def test_an_appended_update_and_trailing_bytes_are_named(linked_pdf: bytes) -> None:
    update = b"xref\n0 1\n0000000000 65535 f \ntrailer\n<< /Size 1 >>\nstartxref\n0\n%%EOF\n"
    assert any("2 end-of-file markers and 2 cross-reference sections" in p
               for p in unprinted_parts(linked_pdf + update, linked_pdf))
    assert "13 bytes after the final %%EOF" in unprinted_parts(linked_pdf + b"<script>x</s>",
                                                               linked_pdf)


def test_another_page_count_or_size_is_named(linked_pdf: bytes) -> None:
    longer = _rewritten(linked_pdf, lambda writer: writer.add_blank_page())
    assert "2 pages, but the re-print has 1" in unprinted_parts(longer, linked_pdf)
    letter = _rewritten(linked_pdf, lambda w: w.pages[0].mediabox.__setattr__("top", 792))
    assert any("page 1: 595.9 x 792.0 points" in p or "792.0 points" in p
               for p in unprinted_parts(letter, linked_pdf))


def _forge_pdf(pack: Path, change: Callable[[PdfWriter], object]) -> None:
    (pack / "briefing.pdf").write_bytes(_rewritten((pack / "briefing.pdf").read_bytes(), change))
    rehash(pack, "briefing.pdf")


def _recorded_printer(pack: Path, version: str) -> None:
    """Say (in the manifest and the PDF) that another Chromium printed the pack's PDF."""
    pdf = (pack / "briefing.pdf").read_bytes()
    milestone = producer_milestone(pdf)
    assert milestone is not None and len(milestone) == len(version.split(".")[0])
    (pack / "briefing.pdf").write_bytes(pdf.replace(
        f"/Producer (Skia/PDF m{milestone})".encode(),
        f"/Producer (Skia/PDF m{version.split('.')[0]})".encode()))
    rehash(pack, "briefing.pdf")
    manifest = json.loads((pack / "manifest.json").read_text(encoding="utf-8"))
    manifest["printer"]["version"] = version
    (pack / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def test_a_printer_the_pdf_contradicts_is_refused_without_a_rerun(
        pdf_pack: Path, tmp_path: Path, run_cli: Callable[..., Result]) -> None:
    pack = copy_pack(pdf_pack, tmp_path / "contradicted")
    manifest = json.loads((pack / "manifest.json").read_text(encoding="utf-8"))
    manifest["printer"]["version"] = "100.0.0.0"
    (pack / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    result = run_cli("verify", pack)
    assert result.exit_code == 1
    assert "printer.version: says '100.0.0.0', but briefing.pdf says Chromium " in result.stdout
    assert "not re-run" in result.stdout


def test_the_pack_records_the_chromium_that_printed_it(pdf_pack: Path) -> None:
    from pine_select.pack.pdf import chromium_version

    manifest = json.loads((pdf_pack / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["printer"] == {"name": "Chromium", "version": chromium_version()}
    assert re.fullmatch(r"\d+(\.\d+)+", manifest["printer"]["version"])


def test_a_pdf_altered_in_appearance_only_is_refused_by_the_same_chromium(
        pdf_pack: Path, tmp_path: Path, run_cli: Callable[..., Result]) -> None:
    pack = copy_pack(pdf_pack, tmp_path / "boxed")
    _forge_pdf(pack, _white_box)
    result = run_cli("verify", pack)
    assert result.exit_code == 1, result.output
    assert "briefing.pdf: differs when re-run" in result.stdout
    assert "not the same bytes as the re-print by the same Chromium" in result.stdout


def _verified_as_printed_elsewhere(pack: Path, change: Callable[[PdfWriter], object],
                                   run_cli: Callable[..., Result], tail: bytes = b"") -> Result:
    """``pack`` recorded as printed by another Chromium, its PDF then changed, verified."""
    _recorded_printer(pack, "100.0.0.0")
    _forge_pdf(pack, change)
    (pack / "briefing.pdf").write_bytes((pack / "briefing.pdf").read_bytes() + tail)
    rehash(pack, "briefing.pdf")
    return run_cli("verify", pack)


@pytest.mark.slow
def test_another_chromium_vouches_for_the_text_only_and_says_so(
        pdf_pack: Path, tmp_path: Path, run_cli: Callable[..., Result]) -> None:
    result = _verified_as_printed_elsewhere(copy_pack(pdf_pack, tmp_path / "elsewhere"),
                                            _white_box, run_cli)
    assert result.exit_code == 0, result.output
    assert ("briefing.pdf: text matches; printed by Chromium 100.0.0.0, re-printed by "
            "Chromium ") in result.stdout
    assert "appearance not checked" in result.stdout
    assert "verifies, but for what is said above" in result.stdout


@pytest.mark.slow
def test_another_chromium_refuses_what_it_never_prints(
        pdf_pack: Path, tmp_path: Path, run_cli: Callable[..., Result]) -> None:
    result = _verified_as_printed_elsewhere(copy_pack(pdf_pack, tmp_path / "noted"), _note,
                                            run_cli, tail=b"trailing")
    assert result.exit_code == 1, result.output
    assert "briefing.pdf: page 1: a '/FreeText' annotation" in result.stdout
    assert "briefing.pdf: 8 bytes after the final %%EOF" in result.stdout


def test_a_pdf_pack_without_its_printer_recorded_does_not_verify(
        pdf_pack: Path, tmp_path: Path, run_cli: Callable[..., Result]) -> None:
    pack = copy_pack(pdf_pack, tmp_path / "unrecorded")
    manifest = json.loads((pack / "manifest.json").read_text(encoding="utf-8"))
    del manifest["printer"]
    (pack / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    result = run_cli("verify", pack)
    assert result.exit_code == 1
    assert "printer: not recorded, but the pack has briefing.pdf" in result.stdout
