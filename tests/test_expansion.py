"""Font expansion (`layout.expansion`): a justified line's glyphs are drawn up to 2 %
wider or narrower (PDF's Tz) so that its spaces stretch less; read back from the PDF,
the lines still end at the column's edge and copy as typed in three readers."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pypdfium2
import pytest
from pypdf import PdfReader

from abstractbook import pipeline
from abstractbook.project import scaffold
from tests.pdftext import Shown, shown

# Long words and no hyphen of its own, so that the paragraph needs stretch; a line's
# hyphen is the breaker's.
BODY = (
    "Electrophysiological recordings characterize the representational geometry of "
    "hierarchical convolutional networks, whose interpretability remains surprisingly "
    "limited. We demonstrate that unsupervised representations generalize across "
    "discriminative benchmarks and quantify the variability of population responses "
    "in the hippocampus during navigation. "
) * 2  # two paragraphs of this fit on the first page of the book's body


def _project(root: Path, expansion: bool) -> Path:
    scaffold.write_project(root)
    path = root / "abstracts" / "lovelace.yaml"
    text = path.read_text("utf-8")
    start, end = text.index("body: |"), text.index("keywords:")
    path.write_text(f"{text[:start]}body: |\n  {BODY}\n\n  {BODY}\n{text[end:]}", "utf-8")
    book = root / "book.yaml"
    settings = book.read_text("utf-8")
    assert "\n  expansion: true\n" in settings  # what a new project says
    if not expansion:
        book.write_text(settings.replace("expansion: true", "expansion: false"), "utf-8")
    return pipeline.build(root, root / "build" / "book.pdf").output


@pytest.fixture(scope="module")
def expanded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _project(tmp_path_factory.mktemp("expanded") / "book", True)


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _project(tmp_path_factory.mktemp("plain") / "book", False)


def body_lines(pdf: Path) -> list[list[Shown]]:
    """The body's lines (Noto Serif at 9.5 pt), each as the strings it draws."""
    rows: dict[tuple[int, float], list[Shown]] = {}
    for n, page in enumerate(PdfReader(pdf).pages):
        for s in shown(page):
            if "NotoSerif-Regular" in s.font and s.size == 9.5 and s.text.strip():
                rows.setdefault((n, s.y), []).append(s)
    return list(rows.values())


def test_justified_lines_widen_or_narrow_their_glyphs_by_two_percent_at_most(
    expanded: Path,
) -> None:
    scales = [line[0].scale for line in body_lines(expanded)]
    assert all(0.98 <= s <= 1.02 for s in scales), scales
    assert sum(s > 1.0 for s in scales) >= 3  # most of these loose lines widen theirs
    assert len(set(scales)) >= 3


def test_scaling_is_undone_after_each_line(expanded: Path) -> None:
    for page in PdfReader(expanded).pages:
        data = page.get_contents().get_data().decode("latin-1")  # type: ignore[union-attr]
        for text in re.findall(r"BT(.*?)ET", data, re.S):
            if re.search(r"\bTz\b", text):
                assert text.rstrip().endswith("100 Tz"), text[-80:]


def test_expanded_lines_still_end_at_the_columns_edge(expanded: Path) -> None:
    """Justification (TJ numbers after each space, scaled by Tz as readers scale them)
    still brings every justified line to the same right edge."""
    lines = body_lines(expanded)
    ends = [round(line[-1].end, 1) for line in lines if line[-1].text[-1:].isalpha()]
    edge = max(set(ends), key=ends.count)
    assert ends.count(edge) >= 5
    assert all(e <= edge + 0.05 for e in ends)


def test_expansion_leaves_spaces_tighter_and_fewer_hyphens(expanded: Path, plain: Path) -> None:
    """What it is for: the same paragraphs, with and without, as a reader measures them."""

    def spaces_and_hyphens(pdf: Path) -> tuple[float, int]:
        lines = body_lines(pdf)
        gaps = [s.space + s.word_space for line in lines[:-1] for s in line if s.word_space]
        return max(gaps) / 9.5, sum(line[-1].text.endswith("-") for line in lines)

    with_, without = spaces_and_hyphens(expanded), spaces_and_hyphens(plain)
    assert with_[0] < without[0] and with_[0] <= 0.6
    assert with_[1] <= without[1]
    assert all(line[0].scale == 1.0 for line in body_lines(plain))


def readers(pdf: Path) -> dict[str, str]:
    """The text as pypdf, poppler (pdftotext) and PDFium copy it, a word split by a
    hyphen at a line's end joined again (PDFium joins it, the hyphen read as U+FFFE),
    spaces made single."""
    poppler = subprocess.run(
        ["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    doc = pypdfium2.PdfDocument(str(pdf))
    try:
        pdfium = "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
        pdfium = pdfium.replace("\ufffe", "")  # PDFium joins the word itself
    finally:
        doc.close()
    pypdf = "\n".join(p.extract_text() for p in PdfReader(pdf).pages)
    return {
        name: re.sub(r"\s+", " ", re.sub(r"(\w)-[ \t]*\r?\n\s*(\w)", r"\1\2", text))
        for name, text in (("pypdf", pypdf), ("poppler", poppler), ("pdfium", pdfium))
    }


def test_expanded_lines_copy_as_typed(expanded: Path) -> None:
    for reader, text in readers(expanded).items():
        assert text.count(BODY.strip()) == 2, reader
