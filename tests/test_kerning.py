"""kerning: the faces' kerning pairs are set closer and f-ligatures drawn as one glyph
in the PDF, as a reader's viewer places them, and the text still copies as typed."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader
from reportlab.pdfbase.pdfmetrics import stringWidth

from abstractbook import pipeline
from abstractbook.project import scaffold
from tests.pdftext import normal, shown

BODY = (
    "Tomorrow WAVE Yawning office Taiwan\n\n"
    "Tomorrow WAVE Yawning office Taiwan xxxx\n\n"
    "A fine, baffling `office` of fluffy fjords"
)


@pytest.fixture(scope="module")
def kerned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("kern") / "book"
    scaffold.write_project(root)
    path = root / "abstracts" / "lovelace.yaml"
    text = path.read_text("utf-8")
    start = text.index("body: |")
    end = text.index("keywords:")
    body = "".join(f"  {line}\n" for line in BODY.split("\n"))
    path.write_text(text[:start] + "body: |\n" + body + text[end:], "utf-8")
    return pipeline.build(root, root / "build" / "book.pdf").output


def word_boxes(pdf: Path) -> list[tuple[str, float]]:
    """(word, width) as poppler lays the glyphs out, TJ adjustments included."""
    html = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    box = r'xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)<'
    found = re.findall(box, html)
    return [(word, float(x2) - float(x1)) for x1, x2, word in found]


@pytest.mark.parametrize(
    "word, at_least",
    [("Tomorrow", 0.04), ("WAVE", 0.12), ("Yawning", 0.05), ("Taiwan", 0.02)],
)
def test_kerning_pairs_are_set_closer(kerned: Path, word: str, at_least: float) -> None:
    """Each word is narrower than its letters' advances by at least `at_least` em
    ("To" 0.05 em in Noto Serif; "WA", "AV", "VE" more; "Ya"; "Ta")."""
    widths = [w for found, w in word_boxes(kerned) if found == word]
    assert len(widths) == 2
    nominal = stringWidth(word, "NotoSerif-Regular", 9.5)
    for w in widths:
        assert w < nominal - at_least * 9.5, (word, w, nominal)


def test_unkerned_word_keeps_its_width(kerned: Path) -> None:
    widths = [w for found, w in word_boxes(kerned) if found == "xxxx"]
    assert widths and abs(widths[0] - stringWidth("xxxx", "NotoSerif-Regular", 9.5)) < 0.05


def test_kerned_words_copy_as_typed(kerned: Path) -> None:
    poppler = subprocess.run(
        ["pdftotext", str(kerned), "-"], check=True, capture_output=True, text=True
    ).stdout
    pypdf_text = " ".join(p.extract_text() for p in PdfReader(kerned).pages)
    for text in (normal(poppler), normal(pypdf_text)):
        assert "Tomorrow WAVE Yawning office Taiwan" in text


def test_f_ligatures_are_one_glyph_and_copy_as_letters(kerned: Path) -> None:
    """ff, fi, fl, ffi and ffl are drawn as one code each in the text face (the
    ToUnicode map gives their letters back); code keeps every letter; "fj" has no
    ligature in Noto Serif."""
    drawn = [s for page in PdfReader(kerned).pages for s in shown(page)]
    body = [s for s in drawn if "fine" in s.text or "fluffy" in s.text]
    assert body and all("Serif" in s.font for s in body)
    text = "".join(s.text for s in body)
    assert "A fine, baffling" in text and "of fluffy fjords" in text
    letters = sum(len(s.text) for s in body)
    # fi, ffl, fl, ff: four ligatures saving five codes
    assert sum(len(s.codes) for s in body) == letters - 5
    code = [s for s in drawn if "Mono" in s.font]
    assert [(s.text, len(s.codes)) for s in code] == [("office", 6)]


def test_a_face_declared_late_is_still_kerned() -> None:
    """Asked about a face its build has not declared yet (a cached page naming a
    fallback face), kerning remembers nothing, so once declared the face is kerned."""
    from abstractbook.typeset import kerning
    from abstractbook.typeset.fonts import FontBook, activate, current, shipped

    before = current()
    try:
        book = FontBook()
        activate(book)
        path = shipped("fonts") / "NotoSans-Regular.ttf"
        name = book.name(path)
        kerning._WORDS.pop(name, None)
        kerning._FACES.pop(name, None)
        kerning._PAIRS.pop(name, None)
        assert kerning.kerns("To Wa", name) == ()
        book.declare(path)
        assert kerning.kerns("To Wa", name)
    finally:
        activate(before)
