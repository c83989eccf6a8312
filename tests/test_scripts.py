"""Every name prints: font fallback, right-to-left text, CJK, and a visible stand-in."""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from typer.testing import CliRunner

from abstractbook import pipeline
from abstractbook.cli import app
from tests.pdftext import embedded_glyphs, font_texts, normal, shown

FIXTURE = Path(__file__).parent / "fixtures" / "multilingual"
NAMES = [
    "Jiří Dvořák",
    "Zofia Łukasiewicz",
    "Øystein Ødegård",
    "Íñigo Núñez",
    "Γιώργος Παπαδόπουλος",
    "Анна Иванова",
    "דוד כהן",
    "王小明",
    "Московский государственный университет",
    "האוניברסיטה העברית בירושלים",
    "北京大学",
]


@pytest.fixture(scope="module")
def multilingual(tmp_path_factory: pytest.TempPathFactory) -> pipeline.BuildResult:
    return pipeline.build(FIXTURE, tmp_path_factory.mktemp("ml") / "book.pdf")


def pdf_text(path: Path) -> str:
    return normal(" ".join(p.extract_text() for p in PdfReader(path).pages))


def test_every_name_is_in_the_text_layer(multilingual: pipeline.BuildResult) -> None:
    text = pdf_text(multilingual.output)
    for name in NAMES:
        # right-to-left text may come out in logical or in visual order, by letter or by word
        forms = {name, name[::-1], " ".join(reversed(name.split()))}
        assert any(form in text for form in forms), name


def test_no_missing_glyph_is_drawn(multilingual: pipeline.BuildResult) -> None:
    """Every code a page draws picks a real glyph of the embedded subset, not the
    empty box (.notdef) and not an empty outline for a visible character."""
    reader = PdfReader(multilingual.output)
    glyphs = embedded_glyphs(reader)
    texts = font_texts(reader)
    drawn = 0
    for page in reader.pages:
        for s in shown(page):
            font = glyphs[s.font]
            for code in s.codes:
                ch = texts[s.font].get(code, s.actual or "")
                assert code != 0 and code in font, (s.font, ch)
                name, outlined = font[code]
                assert name != ".notdef", (s.font, ch)
                assert outlined or ch.isspace(), (s.font, ch)
                drawn += 1
    assert drawn > 500


def test_fallback_faces_are_embedded(multilingual: pipeline.BuildResult) -> None:
    reader = PdfReader(multilingual.output)
    fonts = set()
    for page in reader.pages:
        for ref in page["/Resources"]["/Font"].values():
            fonts.add(str(ref.get_object()["/BaseFont"]).split("+")[-1])
    assert {
        "NotoSerifHebrew-Regular",
        "NotoNaskhArabic-Regular",
        "DroidSansFallback",
        "NotoSansMath-Regular",
    } <= fonts


RIGHT_TO_LEFT = re.compile(
    "[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]"
)  # Hebrew, Arabic and their forms
AFFILIATION = "האוניברסיטה העברית בירושלים"  # "The Hebrew University of Jerusalem"


def test_hebrew_reads_right_to_left(multilingual: pipeline.BuildResult) -> None:
    """A Hebrew affiliation is drawn right to left (its first letter rightmost), its
    number on its right, and set flush right in the column, as its readers expect."""
    reader = PdfReader(multilingual.output)
    drawn = "םילשוריב תירבעה הטיסרבינואה"  # the glyphs left to right
    page = next(p for p in reader.pages if any(drawn in s.text for s in shown(p)))
    y = next(s.y for s in shown(page) if drawn in s.text)
    line = [s for s in shown(page) if s.y == y]
    assert "".join(s.text for s in line) == drawn + "7"
    assert [s.x for s in line] == sorted(s.x for s in line)  # drawn left to right
    p = multilingual.book.settings.page
    right = p.width - p.outer  # a recto
    assert line[-1].end == pytest.approx(right, abs=0.5)
    assert line[0].x > p.inner + 100


def readers_text(pdf: Path) -> dict[str, str]:
    """The text as poppler (pdftotext), MuPDF and PDFium copy it, the direction marks
    poppler adds around right-to-left runs left out."""
    import subprocess

    import pymupdf
    import pypdfium2

    poppler = subprocess.run(
        ["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    with pymupdf.open(str(pdf)) as doc:
        mupdf = " ".join(page.get_text() for page in doc)
    pdfium_doc = pypdfium2.PdfDocument(str(pdf))
    try:
        pdfium = " ".join(
            pdfium_doc[i].get_textpage().get_text_range() for i in range(len(pdfium_doc))
        )
    finally:
        pdfium_doc.close()
    marks = str.maketrans("", "", "\u202a\u202b\u202c\u200e\u200f")
    return {
        name: normal(text.translate(marks))
        for name, text in (("poppler", poppler), ("mupdf", mupdf), ("pdfium", pdfium))
    }


def test_right_to_left_text_copies_in_the_order_typed(multilingual: pipeline.BuildResult) -> None:
    """Hebrew and Arabic come back in logical order from poppler, MuPDF and PDFium:
    the letters as typed (Arabic joined by shaping, not stored as presentation forms),
    so a search for مرحبا finds the word; no /ActualText wrapper makes a reader turn
    the line round a second time."""
    for reader, text in readers_text(multilingual.output).items():
        assert "مرحبا" in text, reader
        # PDFium keeps the drawing order of the words of a right-to-left phrase inside a
        # left-to-right line (the letters of each word it turns right): بالعالم مرحبا.
        # CPDF_TextPage sorts a line's text objects by position, then CloseTempLine turns
        # each run of right-to-left letters round in place (CFX_BidiString: a space is a
        # run of its own) and keeps the runs' order when the line has fewer right-to-left
        # runs than left-to-right ones, reversing it otherwise. The words drawn in the
        # order typed in one TJ copy right here, but add a space before the full stop in
        # PDFium and MuPDF, lose the one between the words in pdf.js, and turn round the
        # words of lines PDFium takes as right-to-left. Typst's PDFs copy as ours do.
        if reader != "pdfium":
            assert "مرحبا بالعالم" in text, reader
        assert "שלום" in text, reader
        assert AFFILIATION in text, reader
        assert "דוד כהן" in text, reader
        assert not re.search("[\ufb50-\ufdff\ufe70-\ufeff]", text), reader
    strings = [s for p in PdfReader(multilingual.output).pages for s in shown(p)]
    rtl = [s for s in strings if RIGHT_TO_LEFT.search(s.text)]
    assert rtl and not any(s.actual for s in rtl)


def test_emoji_warned_and_shown_as_stand_in(multilingual: pipeline.BuildResult) -> None:
    warned = [str(w) for w in multilingual.warnings if "no font has" in str(w)]
    assert len(warned) == 1 and "U+1F600" in warned[0] and "body" in warned[0]
    assert "[U+1F600]" in pdf_text(multilingual.output)


def test_latin_book_loads_no_cjk_face(sample_build: pipeline.BuildResult) -> None:
    reader = PdfReader(sample_build.output)
    names = {
        str(ref.get_object()["/BaseFont"])
        for p in reader.pages
        for ref in p["/Resources"]["/Font"].values()
    }
    assert not any("Droid" in n or "Hebrew" in n for n in names)


# Characters the shipped faces print (Latin, Greek, Cyrillic, Hebrew, Arabic, CJK,
# Hangul, Georgian, Armenian, Devanagari, Tamil, Malayalam, Thai, Ethiopic, Khmer,
# symbols) and characters none of them has (Tibetan, Cherokee, Yi, private use, emoji).
PRINTABLE = list("aé ŁЖλשم王한∀→€ΩʃǅⅣ℃½ἀაԱ☃❤\u0915\u0b95\u0d15\u0e01\u1200\u1780")
UNPRINTABLE = list("\u0f40\u13a0\ua000\ue000\U0001f600\U0001f680")


@settings(max_examples=25, deadline=None)
@given(notes=st.lists(st.sampled_from(PRINTABLE + UNPRINTABLE), min_size=1, max_size=30))
def test_check_names_exactly_what_cannot_print(notes: list[str]) -> None:
    """`check` warns once for each character no face has, by its code point, and for
    nothing else."""
    with tempfile.TemporaryDirectory() as folder:
        project = Path(folder)
        (project / "abstracts").mkdir()
        (project / "book.yaml").write_text("title: T\n", "utf-8")
        text = json.dumps("x" + "".join(notes), ensure_ascii=False)
        (project / "abstracts" / "a.yaml").write_text(
            f"id: a\ntitle: Title\nauthors: [{{name: A}}]\nbody: Text.\nnotes: {text}\n", "utf-8"
        )
        result = CliRunner().invoke(app, ["check", str(project)])
    assert result.exit_code == 0, result.stderr
    warned = re.findall(r"no font has .*\(U\+([0-9A-F]+)\)", result.stderr)
    assert sorted(warned) == sorted({f"{ord(c):04X}" for c in notes if c in UNPRINTABLE})


def test_cached_rebuild_in_a_new_process_matches_cold(tmp_path: Path) -> None:
    """Cached pages name fallback faces that a fresh process has not loaded yet."""
    import shutil
    import subprocess
    import sys

    project = tmp_path / "p"
    shutil.copytree(FIXTURE, project)

    def build(out: Path) -> bytes:
        subprocess.run(
            [sys.executable, "-m", "abstractbook", "build", str(project), "-o", str(out)],
            check=True,
            capture_output=True,
        )
        return out.read_bytes()

    build(tmp_path / "warm" / "book.pdf")
    path = project / "abstracts" / "01-world.yaml"
    path.write_text(path.read_text("utf-8").replace("means peace", "means hello"), "utf-8")
    warm = build(tmp_path / "warm" / "book.pdf")
    cold = build(tmp_path / "cold" / "book.pdf")
    assert warm == cold


@pytest.mark.parametrize(
    ("text", "printed"),
    [
        ("plain words", "plain words"),
        ("a\tb", "a b"),  # ASCII, read without a search: its tab is still a space
        ("a\u200bb\tc\u2028d", "ab c d"),  # the dropped character goes, separators space
        ("caf\u00e9\u0085 menu", "caf\u00e9 menu"),  # a C1 control in Latin-1 text
    ],
)
def test_characters_never_drawn_leave_the_text(text: str, printed: str) -> None:
    from abstractbook.typeset.scripts import printable

    assert printable(text) == printed


@pytest.mark.parametrize(
    ("text", "rtl", "cjk"),
    [
        ("ASCII only", False, False),
        ("caf\u00e9", False, False),
        ("\u05e9\u05dc\u05d5\u05dd", True, False),
        ("\u0645\u0631\u062d\u0628\u0627", True, False),
        ("\u6771\u4eac", False, True),
        ("\ud55c\uad6d\uc5b4", False, True),
    ],
)
def test_scripts_are_told_apart_in_every_kind_of_text(text: str, rtl: bool, cjk: bool) -> None:
    from abstractbook.typeset.linebreak import has_cjk
    from abstractbook.typeset.scripts import has_rtl

    assert (has_rtl(text), has_cjk(text)) == (rtl, cjk)
