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
from tests.pdftext import embedded_glyphs, normal, shown

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
    drawn = 0
    for page in reader.pages:
        for s in shown(page):
            font = glyphs[s.font]
            for code, ch in zip(s.codes, s.text, strict=True):
                assert code in font, (s.font, ch)
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
    page = next(p for p in reader.pages if any(AFFILIATION in (s.actual or "") for s in shown(p)))
    line = [s for s in shown(page) if s.actual == "7" + AFFILIATION]
    assert "".join(s.text for s in line) == "םילשוריב תירבעה הטיסרבינואה7"
    assert [s.x for s in line] == sorted(s.x for s in line)  # drawn left to right
    p = multilingual.book.settings.page
    right = p.width - p.outer  # a recto
    assert line[-1].end == pytest.approx(right, abs=0.5)
    assert line[0].x > p.inner + 100


def test_right_to_left_lines_copy_as_typed(multilingual: pipeline.BuildResult) -> None:
    """Every line that holds right-to-left letters carries /ActualText with the text in
    the order typed, Arabic letters as typed rather than in their joined forms."""
    reader = PdfReader(multilingual.output)
    strings = [s for p in reader.pages for s in shown(p)]
    rtl = [s for s in strings if RIGHT_TO_LEFT.search(s.text)]
    assert rtl and all(s.actual is not None for s in rtl)
    actual = {s.actual for s in rtl}
    assert "English: the word שלום means peace. Arabic: مرحبا بالعالم." in actual
    assert "7" + AFFILIATION in actual
    assert "דוד כהן" in actual  # the presenting speaker in the running head


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
# Georgian, Armenian, symbols) and characters none of them has (Devanagari, Tamil,
# Malayalam, Thai, Tibetan, Ethiopic, Cherokee, Khmer, Yi, private use, emoji).
PRINTABLE = list("aé ŁЖλשم王∀→€ΩʃǅⅣ℃½ἀაԱ☃❤")
UNPRINTABLE = list(
    "\u0915\u0b95\u0d15\u0e01\u0f40\u1200\u13a0\u1780\ua000\ue000\U0001f600\U0001f680"
)


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
