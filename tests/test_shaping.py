"""shaping: the faces' kerning and ligatures as a reader's viewer places them, and the
text still copies as typed in pypdf, poppler and PDFium."""

from __future__ import annotations

import pickle
import re
import subprocess
from functools import cache
from pathlib import Path

import pypdfium2
import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from abstractbook import pipeline
from abstractbook.project import scaffold
from abstractbook.typeset import shaping
from abstractbook.typeset.fonts import shipped
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


@cache
def _advances(face: str) -> tuple[dict[int, int], int]:
    """The face's own advance widths per character (its hmtx, read by fontTools)."""
    tt = TTFont(shipped("fonts") / f"{face}.ttf")
    metrics = tt["hmtx"].metrics
    return (
        {cp: metrics[name][0] for cp, name in tt.getBestCmap().items()},
        tt["head"].unitsPerEm,
    )


def nominal(word: str, face: str, size: float) -> float:
    """A word's width as its letters' advances, kerning left out."""
    advances, upem = _advances(face)
    return sum(advances[ord(c)] for c in word) * size / upem


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
    for w in widths:
        assert w < nominal(word, "NotoSerif-Regular", 9.5) - at_least * 9.5, word


def test_unkerned_word_keeps_its_width(kerned: Path) -> None:
    widths = [w for found, w in word_boxes(kerned) if found == "xxxx"]
    assert widths and abs(widths[0] - nominal("xxxx", "NotoSerif-Regular", 9.5)) < 0.05


def pdfium_text(pdf: Path) -> str:
    doc = pypdfium2.PdfDocument(str(pdf))
    try:
        return " ".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    finally:
        doc.close()


def texts(pdf: Path) -> dict[str, str]:
    """The whole text as pypdf, poppler (pdftotext) and PDFium copy it."""
    poppler = subprocess.run(
        ["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    pypdf_text = " ".join(p.extract_text() for p in PdfReader(pdf).pages)
    return {
        "pypdf": normal(pypdf_text),
        "poppler": normal(poppler),
        "pdfium": normal(pdfium_text(pdf)),
    }


def test_kerned_words_copy_as_typed(kerned: Path) -> None:
    for reader, text in texts(kerned).items():
        assert "Tomorrow WAVE Yawning office Taiwan" in text, reader
        assert "A fine, baffling office of fluffy fjords" in text, reader


def test_f_ligatures_are_one_glyph_and_copy_as_letters(kerned: Path) -> None:
    """ff, fi, fl, ffi and ffl are drawn as one glyph each in the text face (the
    ToUnicode map gives their letters back); code keeps every letter; "fj" has no
    ligature in Noto Serif."""
    drawn = [s for page in PdfReader(kerned).pages for s in shown(page)]
    body = [s for s in drawn if "fine" in s.text or "fluffy" in s.text]
    assert body and all("Serif" in s.font for s in body)
    text = "".join(s.text for s in body)
    assert "A fine, baffling" in text and "of fluffy fjords" in text
    letters = sum(len(s.text) for s in body)
    # fi, ffl, fl, ff: four ligatures saving five glyphs
    assert sum(len(s.codes) for s in body) == letters - 5
    code = [s for s in drawn if "Mono" in s.font]
    assert [(s.text, len(s.codes)) for s in code] == [("office", 6)]


def test_the_sample_shows_ligatures_and_kerning_and_copies_as_typed(
    sample_build: pipeline.BuildResult,
) -> None:
    """The sample book: its words with fi, ffi and ff read as typed in three readers,
    its pages draw ligature glyphs (one glyph copying as several letters) and kerning
    (TJ numbers between the glyphs of a word)."""
    for reader, text in texts(sample_build.output).items():
        for word in ("artificial", "first", "efficient", "diffusion", "sufficient"):
            assert word in text, (reader, word)
    ligatures = kerns = 0
    for page in PdfReader(sample_build.output).pages:
        for s in shown(page):
            ligatures += len(s.text) - len(s.codes)  # letters beyond one per glyph
            kerns += sum(1 for n in s.numbers if abs(n) < 100)
    assert ligatures > 50
    assert kerns > 500


def test_words_a_worker_shaped_reach_its_parent_as_they_were_shaped() -> None:
    """A layout worker sends the words it shaped to its parent packed in flat arrays
    (`found_shapes`, pickled through a pipe); remembered there, each word draws with
    the glyphs, advances, mark offsets, clusters and width HarfBuzz gave it."""
    face = "NotoSerif-Regular"
    words = [("office", False), ("WAVE", False), ("x\u0301\u0323", False), ("q\u0303", True)]
    memo = shaping._SHAPED.setdefault(face, {})
    shaping.found_shapes(pack=False)  # forget what this process shaped before
    for key in words:
        memo.pop(key, None)
    shaped = {(word, rtl): shaping.shape(word, face, rtl) for word, rtl in words}
    assert any(s.offsets for s in shaped.values())  # a word with marks moved
    sent = pickle.loads(pickle.dumps(shaping.found_shapes()))
    for key in words:
        del memo[key]
    shaping.remember_shapes(sent)
    for key, s in shaped.items():
        back = memo[key]
        assert list(back.glyphs) == list(s.glyphs)
        assert list(back.advances) == list(s.advances)
        assert back.offsets == s.offsets
        assert list(back.clusters) == list(s.clusters)
        assert back.width == s.width
