"""Every name prints: font fallback, right-to-left text, CJK, and a visible stand-in."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from reportlab.pdfbase import pdfmetrics

from abstractbook import pipeline, preflight
from abstractbook.layout import Document
from abstractbook.ops import Text
from abstractbook.scripts import face_for, invisible
from tests.pdftext import normal

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


@pytest.fixture(scope="module")
def laid_out() -> Document:
    return pipeline.lay_out_book(FIXTURE)[1]


def pdf_text(path: Path) -> str:
    return normal(" ".join(p.extract_text() for p in PdfReader(path).pages))


def test_every_name_is_in_the_text_layer(multilingual: pipeline.BuildResult) -> None:
    text = pdf_text(multilingual.output)
    for name in NAMES:
        # right-to-left text may come out in logical or in visual order, by letter or by word
        forms = {name, name[::-1], " ".join(reversed(name.split()))}
        assert any(form in text for form in forms), name


def test_no_missing_glyph_is_drawn(laid_out: Document) -> None:
    """Every character drawn is in the cmap of the font that draws it."""
    for page in laid_out.pages:
        for op in page.ops:
            if not isinstance(op, Text):
                continue
            for text, font, *_ in op.line.frags:
                cmap = pdmap(font)
                missing = {c for c in text if ord(c) not in cmap and c != " "}
                assert not missing, (font, missing)


def pdmap(font: str) -> dict[int, int]:
    return pdfmetrics.getFont(font).face.charToGlyph  # type: ignore[no-any-return]


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


def test_hebrew_reads_right_to_left(laid_out: Document) -> None:
    """The first logical letter of a Hebrew line is drawn rightmost."""
    for page in laid_out.pages:
        for op in page.ops:
            if isinstance(op, Text) and op.line.actual and "האוניברסיטה" in op.line.actual:
                drawn = "".join(f.text for f in op.line.frags)
                assert drawn.index("ה") > drawn.index("ם")  # first letter right of last
                assert op.x + op.line.indent >= op.x
                return
    raise AssertionError("Hebrew affiliation not found")


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


def printable(ch: str) -> bool:
    return ch.isspace() or invisible(ch) or face_for(ch, "NotoSerif-Regular") is not None


TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=TEXT)
def test_check_names_exactly_what_cannot_print(
    tmp_path: Path, body: str, sample_build: pipeline.BuildResult
) -> None:
    project = tmp_path / "p"
    (project / "abstracts").mkdir(parents=True, exist_ok=True)
    (project / "book.yaml").write_text("title: T\n", "utf-8")
    quoted = body.replace("\\", "\\\\").replace('"', '\\"')
    (project / "abstracts" / "a.yaml").write_text(
        f'id: a\ntitle: Title\nauthors: [{{name: A}}]\nnotes: "{quoted}"\n', "utf-8"
    )
    try:
        book = pipeline.load_book(project)
    except Exception as e:  # only input errors, never a crash
        assert type(e).__name__ == "InputError"
        return
    notes = book.talks[0].notes or ""
    warned = {
        w.message.split("(U+")[1].split(")")[0]
        for w in preflight.check_book(book)
        if "no font has" in w.message
    }
    expected = {f"{ord(c):04X}" for c in set(notes) if not printable(c)}
    assert warned == expected


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
