"""PDF standards: what a printer's preflight, an archive and a reader's viewer find in
the files (output intent, colours, separations, metadata, links), and Ghostscript's
conversions as a second opinion."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw
from pypdf import PdfReader
from typer.testing import CliRunner

from abstractbook import pipeline
from abstractbook.cli import app
from abstractbook.project import scaffold

EPOCH = 1_700_000_000  # 2023-11-14T22:13:20Z

needs_gs = pytest.mark.skipif(
    shutil.which("gs") is None, reason="Ghostscript (make test installs it)"
)


def project(tmp_path: Path, extra: str = "") -> Path:
    """The starter project with a half-transparent PNG logo, bleed and crop marks."""
    root = tmp_path / "book"
    scaffold.write_project(root)
    logo = Image.new("RGBA", (300, 150), (0, 0, 0, 0))
    ImageDraw.Draw(logo).ellipse((10, 10, 290, 140), fill=(200, 30, 30, 180))
    logo.save(root / "logo.png")
    with (root / "book.yaml").open("a", encoding="utf-8") as f:
        f.write("logo: logo.png\n" + extra)
    text = (root / "book.yaml").read_text("utf-8")
    text = text.replace("  size: A5\n", "  size: A5\n  bleed: 3mm\n  crop_marks: true\n")
    (root / "book.yaml").write_text(text, "utf-8")
    return root


@pytest.fixture(scope="module")
def x4(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The starter book built to its default standard, x-4."""
    root = project(tmp_path_factory.mktemp("x4"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
        return pipeline.build(root, root / "build" / "book.pdf").output


def streams(reader: PdfReader) -> list[str]:
    out = []
    for page in reader.pages:
        contents = page.get_contents()
        assert contents is not None
        out.append(contents.get_data().decode("latin-1"))
    return out


def xmp(path: Path) -> str:
    data = path.read_bytes()
    start = data.index(b"<?xpacket begin")
    return data[start : data.index(b"<?xpacket end", start)].decode("utf-8")


# -- what book.yaml and the command line ask -----------------------------------------


def test_the_book_is_for_the_printer_and_talks_for_the_web_by_default(tmp_path: Path) -> None:
    book = pipeline.load_book(project(tmp_path))
    assert book.settings.standards == ("x-4",)
    assert book.settings.talk_standards == ("a-2u", "ua-1")


def test_pdf_standard_names_the_standards_of_book_and_talks(tmp_path: Path) -> None:
    root = project(tmp_path, "pdf: {standard: [UA-1, PDF/A-2b]}\n")
    settings = pipeline.load_book(root).settings
    assert settings.standards == settings.talk_standards == ("a-2b", "ua-1")
    root = project(tmp_path / "plain", "pdf: {standard: []}\n")
    assert pipeline.load_book(root).settings.standards == ()


def test_a_standard_the_command_line_cannot_claim_is_a_usage_error(tmp_path: Path) -> None:
    root = project(tmp_path)
    result = CliRunner().invoke(app, ["build", str(root), "--standard", "a-2b,a-2u"])
    assert result.exit_code == 2
    assert "--standard: a file claims one level of PDF/A-2" in result.output
    result = CliRunner().invoke(app, ["export", str(root), "--standard", "x-3"])
    assert result.exit_code == 2 and "unknown standard 'x-3'" in result.output
    assert not (root / "build").exists()


# -- print: x-4 ------------------------------------------------------------------------


def test_x4_book_declares_its_version_intent_dates_and_trapping(x4: Path) -> None:
    data = x4.read_bytes()
    assert data.startswith(b"%PDF-1.6\n")
    reader = PdfReader(x4)
    intents: Any = reader.trailer["/Root"]["/OutputIntents"]
    assert [i["/S"] for i in intents] == ["/GTS_PDFX"]
    assert intents[0]["/OutputConditionIdentifier"] == "FOGRA39"
    profile = intents[0]["/DestOutputProfile"].get_object()
    assert profile["/N"] == 4 and profile.get_data()[36:40] == b"acsp"
    assert profile.get_data()[16:20] == b"CMYK"
    info: Any = reader.trailer["/Info"]
    assert info["/CreationDate"] == info["/ModDate"] == "D:20231114221320+00'00'"
    assert info["/Trapped"] == "/False" and info["/GTS_PDFXVersion"] == "PDF/X-4"
    meta = xmp(x4)
    assert "<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>" in meta
    assert "<xmp:CreateDate>2023-11-14T22:13:20+00:00</xmp:CreateDate>" in meta
    assert "pdfuaid" not in meta.split("<rdf:Description")[1].split(">", 1)[1]


def test_x4_text_and_rules_are_black_ink_only_and_crop_marks_in_registration(x4: Path) -> None:
    reader = PdfReader(x4)
    pages = streams(reader)
    for text in pages:
        for op in re.findall(r"([\d. ]+) (rg|RG)\b", text):
            pytest.fail(f"an RGB colour under a CMYK intent: {op}")
        for block in re.findall(r"BT .*?ET", text, re.S):
            for colour in re.findall(r"\n([\d. ]+) (k|g)\n", block):
                assert colour[1] == "g" or colour[0] != "0 0 0 1"  # greys as black ink alone
        assert "\n0 g\n" in text or not re.search(r"\bT[jJ]\b", text)  # body text: solid black
        # trim marks on every plate, an artifact for screen readers
        assert text.startswith("/Artifact BMC q /All CS 1 SCN .25 w")
    res: Any = reader.pages[3]["/Resources"]
    space = res["/ColorSpace"]["/All"]
    assert space[0] == "/Separation" and space[1] == "/All"


def test_only_the_title_page_names_the_transparent_logo(x4: Path) -> None:
    reader = PdfReader(x4)
    with_mask = []
    for n, page in enumerate(reader.pages):
        xobjects: Any = page["/Resources"].get("/XObject", {})
        if any("/SMask" in x.get_object() for x in xobjects.values()):
            with_mask.append(n)
    assert with_mask == [0]
    assert len({id(p["/Resources"].get_object()) for p in reader.pages}) >= 2


def test_every_link_prints_as_pdf_a_and_x_want(x4: Path) -> None:
    reader = PdfReader(x4)
    links = [a.get_object() for p in reader.pages for a in p.get("/Annots", [])]
    assert links and all(a["/F"] == 4 for a in links)


def test_a_cmyk_accent_is_written_as_inks_and_an_rgb_one_converted(tmp_path: Path) -> None:
    root = project(tmp_path, 'colors: {accent: "cmyk(100, 60, 0, 40)"}\n')
    reader = PdfReader(pipeline.build(root, root / "build" / "book.pdf").output)
    assert "1 .6 0 .4 k" in streams(reader)[0]
    root = project(tmp_path / "rgb", 'colors: {accent: "#1f4e79"}\n')
    reader = PdfReader(pipeline.build(root, root / "build" / "book.pdf").output)
    band = re.search(r"q ([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+) k [-\d. ]+ re f Q", streams(reader)[0])
    assert band is not None
    c, m, y, k = (float(v) for v in band.groups())
    assert c > 0.7 and m > 0.3 and y < 0.2  # a dark blue, as inks


def black_book(tmp_path: Path) -> Path:
    """The x-4 book with its transparent logo and a black accent: every page but the
    title page (the logo) should print on the black plate alone."""
    root = project(tmp_path, 'colors: {accent: "cmyk(0, 0, 0, 100)"}\n')
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
        return pipeline.build(root, root / "build" / "book.pdf").output


def plates_inside_trim(gs: str, pdf: Path, out: Path) -> list[dict[str, tuple[int, int]]]:
    """Ghostscript's separations of every page but the first: each plate's darkest
    and lightest pixel inside the trim (255 is no ink), and "marks" its darkest pixel
    anywhere (the crop marks outside the trim print on every plate)."""
    out.mkdir()
    subprocess.run(
        [gs, "-q", "-dBATCH", "-dNOPAUSE", "-dSAFER", "-sDEVICE=tiffsep", "-r36",
         "-dFirstPage=2", f"-sOutputFile={out}/p%d.tif", str(pdf)],
        check=True,
    )  # fmt: skip
    reader = PdfReader(pdf)
    media, trim = reader.pages[1].mediabox, reader.pages[1].trimbox
    scale = 36 / 72  # pixels a point; rows counted from the top
    inside = (
        round(float(trim.left) * scale) + 1,
        round((float(media.top) - float(trim.top)) * scale) + 1,
        round(float(trim.right) * scale) - 1,
        round((float(media.top) - float(trim.bottom)) * scale) - 1,
    )
    pages = []
    for n in range(1, len(reader.pages)):
        plates = {}
        for plate in ("Cyan", "Magenta", "Yellow", "Black"):
            with Image.open(out / f"p{n}({plate}).tif") as im:
                plates[plate] = im.crop(inside).getextrema()
                plates[plate + " marks"] = im.getextrema()
        pages.append(plates)
    return pages


def assert_black_plate_only(pdf: Path, pages: list[dict[str, tuple[int, int]]]) -> None:
    reader = PdfReader(pdf)
    texts = sum(bool(p.extract_text().strip()) for p in reader.pages[1:])
    black = 0
    for n, plates in enumerate(pages, start=1):
        for plate in ("Cyan", "Magenta", "Yellow"):
            assert plates[plate] == (255, 255), (n, plate)
            assert plates[plate + " marks"][0] < 128  # the crop marks, in registration
        black += plates["Black"][0] < 128
    assert black == texts > 0  # every page with text has it in black


@needs_gs
def test_x4_body_pages_separate_to_the_black_plate_only(tmp_path: Path) -> None:
    """Ghostscript's separations: with a black accent, every page but the title page
    (the logo) puts ink on the black plate alone."""
    pdf = black_book(tmp_path)
    assert_black_plate_only(pdf, plates_inside_trim("gs", pdf, tmp_path / "sep"))


@needs_gs
def test_ghostscript_keeps_every_link_in_pdf_a(x4: Path, tmp_path: Path) -> None:
    pdfa = tmp_path / "a.pdf"
    subprocess.run(
        ["gs", "-q", "-dPDFA=2", "-dPDFACompatibilityPolicy=1", "-dBATCH", "-dNOPAUSE",
         "-sDEVICE=pdfwrite", "-sColorConversionStrategy=RGB", f"-sOutputFile={pdfa}", str(x4)],
        capture_output=True, check=True,
    )  # fmt: skip
    links = sum(len(p.get("/Annots", [])) for p in PdfReader(x4).pages)
    assert links > 0
    assert sum(len(p.get("/Annots", [])) for p in PdfReader(pdfa).pages) == links


# -- Ghostscript's PDF/X-4 conversion (10.05 or later; `make test-slow` provides it) ----

GS_X4 = Path(__file__).resolve().parents[1] / "build/tools/ghostscript-10.05.1/bin/gs"


@pytest.fixture(scope="module")
def pdfx4(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """The black-accent x-4 book and Ghostscript's PDF/X-4 conversion of it, with what
    Ghostscript said. Annotations it cannot keep are dropped one by one, with a
    message each (`-dPDFACompatibilityPolicy=1`), rather than the whole file
    falling back to plain PDF."""
    if not GS_X4.exists():
        pytest.skip(f"{GS_X4} (make test-slow builds it)")
    from abstractbook.pdf.profiles import CMYK_PROFILE

    tmp = tmp_path_factory.mktemp("pdfx4")
    book = black_book(tmp)
    prologue = tmp / "pdfx.ps"  # what Ghostscript's lib/PDFX_def.ps asks for, for X-4
    prologue.write_text(
        "[ /GTS_PDFXVersion (PDF/X-4) /Title (Workshop) /Trapped /False /DOCINFO pdfmark\n"
        "[/_objdef {icc} /type /stream /OBJ pdfmark\n"
        "[{icc} << /N 4 >> /PUT pdfmark\n"
        f"[{{icc}} ({CMYK_PROFILE}) (r) file /PUT pdfmark\n"
        "[/_objdef {intent} /type /dict /OBJ pdfmark\n"
        "[{intent} << /Type /OutputIntent /S /GTS_PDFX /OutputConditionIdentifier (FOGRA39)"
        " /DestOutputProfile {icc} >> /PUT pdfmark\n"
        "[{Catalog} << /OutputIntents [ {intent} ] >> /PUT pdfmark\n",
        "ascii",
    )
    converted = tmp / "x.pdf"
    run = subprocess.run(
        [str(GS_X4), "-q", "-dPDFX=4", "-dPDFACompatibilityPolicy=1", "-dBATCH", "-dNOPAUSE",
         "-dNOSAFER", "-sDEVICE=pdfwrite", "-sColorConversionStrategy=CMYK",
         "-sProcessColorModel=DeviceCMYK", f"-sOutputFile={converted}", str(prologue),
         str(book)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return book, converted, run.stdout + run.stderr


def _images(page: Any) -> list[Any]:
    xobjects = page["/Resources"].get("/XObject", {})
    return [x.get_object() for x in xobjects.values() if x.get_object()["/Subtype"] == "/Image"]


@pytest.mark.slow
def test_ghostscript_writes_pdf_x4_keeping_the_logo_live_and_rasterising_nothing(
    pdfx4: tuple[Path, Path, str],
) -> None:
    """PDF/X-4 allows live transparency: the logo stays a picture with its soft mask,
    the size it was, and no page becomes a picture."""
    book, converted, _ = pdfx4
    reader = PdfReader(converted)
    assert converted.read_bytes().startswith(b"%PDF-1.6\n")
    assert reader.trailer["/Info"]["/GTS_PDFXVersion"] == "PDF/X-4"
    intents: Any = reader.trailer["/Root"]["/OutputIntents"]
    assert [(i["/S"], i["/OutputConditionIdentifier"]) for i in intents] == [
        ("/GTS_PDFX", "FOGRA39")
    ]
    assert [_images(page) for page in reader.pages[1:]] == [[]] * (len(reader.pages) - 1)
    logo = _logo_object(book)
    title = _images(reader.pages[0])  # the logo, and its soft mask listed beside it
    masked = [image for image in title if "/SMask" in image]
    assert len(masked) == 1
    assert (masked[0]["/Width"], masked[0]["/Height"]) == (logo["/Width"], logo["/Height"])
    assert {image.indirect_reference for image in title} == {
        masked[0].indirect_reference,
        masked[0].raw_get("/SMask"),
    }


@pytest.mark.slow
def test_ghostscript_pdf_x4_keeps_every_pages_text_as_text(
    pdfx4: tuple[Path, Path, str],
) -> None:
    """Every word of every page is still text. Only words with a ligature lose their
    letters: Ghostscript (10.0 and 10.05 alike, in any pdfwrite conversion) drops a
    Type 0 font's ToUnicode entries of more than one character, "fl" for the fl
    ligature, reading the font's union as a simple font's Encoding."""
    book, converted, _ = pdfx4
    for before, after in zip(PdfReader(book).pages, PdfReader(converted).pages, strict=True):
        words, kept = before.extract_text().split(), after.extract_text().split()
        assert len(kept) == len(words)
        lost = Counter(words) - Counter(kept)
        assert all(re.search("f[fil]", word) for word in lost), lost


@pytest.mark.slow
def test_ghostscript_pdf_x4_refuses_nothing_but_the_links_inside_the_trim(
    pdfx4: tuple[Path, Path, str],
) -> None:
    """Ghostscript's only objection to the file: each link, an annotation inside the
    trim, which it does not allow in any PDF/X (10.05.1's pdfmark_annot applies one
    rule to every PDF/X level). It drops them; with its default policy it would keep
    them and write a plain PDF instead."""
    book, converted, said = pdfx4
    links = sum(len(p.get("/Annots", [])) for p in PdfReader(book).pages)
    assert links > 0
    complaints = [line for line in said.splitlines() if line.strip()]
    dropped = "Annotation (not TrapNet or PrinterMark) on page,"
    assert sum(dropped in line for line in complaints) == links
    assert all(
        dropped in line or "not permitted in PDF/X, annotation will not be present" in line
        for line in complaints
    ), complaints
    assert sum(len(p.get("/Annots", [])) for p in PdfReader(converted).pages) == 0


@pytest.mark.slow
def test_ghostscript_pdf_x4_body_pages_separate_to_the_black_plate_only(
    pdfx4: tuple[Path, Path, str], tmp_path: Path
) -> None:
    _, converted, _ = pdfx4
    assert_black_plate_only(converted, plates_inside_trim(str(GS_X4), converted, tmp_path / "s"))


# -- the archive and the web ---------------------------------------------------------


def test_a_talk_for_the_web_names_its_standards_language_and_title(tmp_path: Path) -> None:
    root = project(tmp_path, "")
    text = (root / "book.yaml").read_text("utf-8")
    (root / "book.yaml").write_text(
        text.replace(
            "title: Workshop on Example Science", "title: Réunion d’exemple — Ωμέγα"
        ).replace("language: en", "language: en_GB"),
        "utf-8",
    )
    out = tmp_path / "talks"
    pipeline.export_talks(root, out)
    pdf = next(out.glob("*.pdf"))
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-1.7\n")
    reader = PdfReader(pdf)
    root_: Any = reader.trailer["/Root"]
    assert root_["/Lang"] == "en-GB"
    assert root_["/ViewerPreferences"]["/DisplayDocTitle"] == True  # noqa: E712 (a PDF boolean)
    assert [i["/S"] for i in root_["/OutputIntents"]] == ["/GTS_PDFA1"]
    assert root_["/OutputIntents"][0]["/DestOutputProfile"]["/N"] == 3
    meta = xmp(pdf)
    for part in (
        "<pdfaid:part>2</pdfaid:part><pdfaid:conformance>U</pdfaid:conformance>",
        "<pdfuaid:part>1</pdfuaid:part>",
        '<dc:description><rdf:Alt><rdf:li xml:lang="x-default">Réunion d’exemple — Ωμέγα',
    ):
        assert part in meta
    # PDF/A knows no pdfuaid schema: the file describes it
    assert "<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>" in meta
    from xml.dom.minidom import parseString

    parseString(meta[meta.index("<x:xmpmeta") :])  # well-formed XML
    info: Any = reader.trailer["/Info"]
    assert info["/Subject"] == "Réunion d’exemple — Ωμέγα"
    assert root_["/Metadata"].get_object().get("/Filter") is None  # readable as it is


def test_empty_author_and_keywords_are_left_out(tmp_path: Path) -> None:
    root = project(tmp_path, "")
    text = (root / "book.yaml").read_text("utf-8")
    (root / "book.yaml").write_text(text.replace("organisers: [Ada Example, Grace Sample]\n", ""))
    reader = PdfReader(pipeline.build(root, root / "build" / "book.pdf").output)
    info: Any = reader.trailer["/Info"]
    assert "/Author" not in info and "/Title" in info
    assert "<dc:creator>" not in xmp(root / "build" / "book.pdf")


def test_a_plain_file_has_no_intent_and_the_lowest_version(tmp_path: Path) -> None:
    root = project(tmp_path, "pdf: {standard: []}\n")
    pdf = pipeline.build(root, root / "build" / "book.pdf").output
    assert pdf.read_bytes().startswith(b"%PDF-1.5\n")
    assert "/OutputIntents" not in PdfReader(pdf).trailer["/Root"]


def test_the_date_is_the_newest_inputs_without_source_date_epoch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    root = project(tmp_path)
    for f in root.rglob("*"):
        os.utime(f, (EPOCH, EPOCH))
    os.utime(root / "abstracts" / "hopper.yaml", (EPOCH + 60, EPOCH + 60))
    pdf = pipeline.build(root, root / "build" / "book.pdf").output
    info: Any = PdfReader(pdf).trailer["/Info"]
    assert info["/ModDate"] == "D:20231114221420+00'00'"
    first = pdf.read_bytes()
    again = pipeline.build(root, root / "build" / "again.pdf", use_cache=False).output
    assert again.read_bytes() == first  # the same bytes, cold and cached


# -- images ------------------------------------------------------------------------------


def _logo_object(pdf: Path) -> Any:
    page = PdfReader(pdf).pages[0]
    xobjects: Any = page["/Resources"]["/XObject"]
    return next(x.get_object() for x in xobjects.values() if x["/Subtype"] == "/Image")


def test_a_16_bit_grey_logo_keeps_its_tones(tmp_path: Path) -> None:
    root = project(tmp_path)
    ramp = Image.new("I;16", (256, 64))
    ramp.putdata([x * 257 for _ in range(64) for x in range(256)])  # black to white
    ramp.save(root / "logo.png")
    logo = _logo_object(pipeline.build(root, root / "build" / "book.pdf").output)
    assert logo["/ColorSpace"] == "/DeviceGray" and logo["/BitsPerComponent"] == 8
    row = first_row(logo)
    assert row[0] == 0 and row[128] == 128 and row[255] == 255  # not clamped to white


def first_row(image: Any) -> bytes:
    return bytes(image.get_data()[: int(image["/Width"])])


def test_a_cmyk_jpeg_is_embedded_as_it_is(tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / "logo.png").unlink()
    Image.new("CMYK", (120, 60), (200, 40, 0, 30)).save(root / "logo.jpg", quality=90)
    text = (root / "book.yaml").read_text("utf-8").replace("logo.png", "logo.jpg")
    (root / "book.yaml").write_text(text, "utf-8")
    logo = _logo_object(pipeline.build(root, root / "build" / "book.pdf").output)
    assert logo["/Filter"] == "/DCTDecode" and logo["/ColorSpace"] == "/DeviceCMYK"
    assert logo._data == (root / "logo.jpg").read_bytes()  # the file's own bytes


def test_an_rgb_logo_in_a_print_file_is_tagged_srgb(x4: Path) -> None:
    space = _logo_object(x4)["/ColorSpace"]
    assert space[0] == "/ICCBased" and space[1].get_object()["/N"] == 3


def test_a_logo_below_300_dpi_at_its_size_is_a_warning(tmp_path: Path) -> None:
    root = project(tmp_path)  # 300 × 150 pixels, about 48 mm wide on the title page
    warnings = [str(w) for w in pipeline.build(root, root / "build" / "book.pdf").warnings]
    low = [w for w in warnings if "logo:" in w]
    assert (
        len(low) == 1 and "300 × 150 pixels print at" in low[0] and "print wants 300 dpi" in low[0]
    )
    assert low[0].startswith(f"{root / 'logo.png'}:1:1:")
    result = CliRunner().invoke(app, ["check", str(root)])
    assert "print wants 300 dpi" in result.output
    Image.new("RGB", (1200, 600), "white").save(root / "logo.png")
    assert not [
        w for w in pipeline.build(root, root / "build" / "book.pdf").warnings if "logo:" in str(w)
    ]


# -- the title page ----------------------------------------------------------------------

LONG_TITLE = (
    "An International Interdisciplinary Symposium on the Computational, Cognitive and Systems "
    "Neuroscience of Learning, Memory, Attention and Decision Making in Humans and Machines"
)
LONG_SUBTITLE = (
    "Book of Abstracts of the Twenty-Seventh Annual Meeting, with the Satellite Workshops "
    "on Methods and Data Sharing"
)


def test_a_long_title_and_subtitle_wrap_inside_the_trim_in_reading_order(tmp_path: Path) -> None:
    from tests.pdftext import words

    root = project(tmp_path)
    text = (root / "book.yaml").read_text("utf-8")
    text = text.replace("title: Workshop on Example Science", f"title: {LONG_TITLE}")
    text = text.replace("subtitle: Book of Abstracts", f"subtitle: {LONG_SUBTITLE}")
    (root / "book.yaml").write_text(text, "utf-8")
    pdf = pipeline.build(root, root / "build" / "book.pdf").output
    trim = PdfReader(pdf).pages[0].trimbox
    found = words(pdf, 0)
    for w in found:
        assert float(trim.left) <= w.x1 and w.x2 <= float(trim.right), w
        assert float(trim.bottom) <= w.y1 and w.y2 <= float(trim.top), w
    # the order of the file's text (what a screen reader and copying follow)
    stream = PdfReader(pdf).pages[0].extract_text()
    order = [
        "International",
        "Machines",
        "Twenty-Seventh",
        "Sharing",
        "March",
        "Lecture",
        "Organised",
        "Ada",
    ]
    places = [stream.index(word) for word in order]
    assert places == sorted(places)
    tops = {word: max(w.y2 for w in found if w.text.startswith(word)) for word in order}
    assert [tops[w] for w in order] == sorted(tops.values(), reverse=True)  # top to bottom


def test_a_font_that_forbids_embedding_is_an_error_naming_it(tmp_path: Path) -> None:
    import struct

    from abstractbook.typeset.fonts import shipped

    root = project(tmp_path)
    data = bytearray((shipped("fonts") / "NotoSansMono-Regular.ttf").read_bytes())
    tables = struct.unpack(">H", data[4:6])[0]
    for i in range(12, 12 + 16 * tables, 16):
        if data[i : i + 4] == b"OS/2":
            offset = struct.unpack(">I", data[i + 8 : i + 12])[0]
            data[offset + 8 : offset + 10] = struct.pack(">H", 2)  # restricted licence
    (root / "Locked.ttf").write_bytes(bytes(data))
    with (root / "book.yaml").open("a", encoding="utf-8") as f:
        f.write("fonts: {fallback: [Locked.ttf]}\n")
    result = CliRunner().invoke(app, ["check", str(root)])
    assert result.exit_code == 1
    assert "fonts.fallback[1]: Locked.ttf forbids embedding (its licence flag" in result.output


def test_x4_with_an_archive_claim_shares_one_profile_and_stays_pdf_1_6(tmp_path: Path) -> None:
    root = project(tmp_path, "pdf: {standard: [x-4, a-2b, ua-1]}\n")
    pdf = pipeline.build(root, root / "build" / "book.pdf").output
    assert pdf.read_bytes().startswith(b"%PDF-1.6\n")
    intents: Any = PdfReader(pdf).trailer["/Root"]["/OutputIntents"]
    assert [i["/S"] for i in intents] == ["/GTS_PDFX", "/GTS_PDFA1"]
    assert intents[0].raw_get("/DestOutputProfile") == intents[1].raw_get("/DestOutputProfile")
    meta = xmp(pdf)
    for claim in ("<pdfaid:conformance>B</pdfaid:conformance>", "PDF/X-4", "<pdfuaid:part>1"):
        assert claim in meta


def test_a_pdf_figure_in_rgb_is_an_error_in_a_print_file(tmp_path: Path) -> None:
    import io

    from reportlab.pdfgen.canvas import Canvas

    root = project(tmp_path)
    out = io.BytesIO()
    c = Canvas(out, pagesize=(200, 100), invariant=True)
    c.setFillColorRGB(0.9, 0.2, 0.1)
    c.rect(10, 10, 180, 80, fill=1)
    c.save()
    (root / "abstracts" / "figures").mkdir()
    (root / "abstracts" / "figures" / "chart.pdf").write_bytes(out.getvalue())
    record = root / "abstracts" / "hopper.yaml"
    text = record.read_text("utf-8").replace(
        "body: |\n", "body: |\n  ![A chart](figures/chart.pdf)\n\n", 1
    )
    record.write_text(text, "utf-8")
    result = CliRunner().invoke(app, ["build", str(root)])
    assert result.exit_code == 1
    assert "chart.pdf:1:1: figure: page 1 of this PDF draws in DeviceRGB" in result.output
    assert "x-4 cannot hold" in result.output
    assert not (root / "build" / "book.pdf").exists()
    assert CliRunner().invoke(app, ["build", str(root), "--standard", "ua-1"]).exit_code == 0
