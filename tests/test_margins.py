"""Optical margins: hyphens, stops, commas and quotes at a justified line's edge hang
out into the margin; letters end at the edge (read back with poppler's word boxes)."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from abstractbook import pipeline

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler")

_LINE = re.compile(
    r'<line xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">(.*?)</line>', re.S
)


def right_ends(pdf: Path) -> list[tuple[int, float, str]]:
    """(page, right edge of the line's last glyph, the line's text) of every line."""
    xml = subprocess.run(
        ["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    out = []
    for page, body in enumerate(xml.split("<page ")[1:]):
        for m in _LINE.finditer(body):
            words = re.findall(r">([^<]*)</word>", m.group(3))
            out.append((page, float(m.group(2)), " ".join(words)))
    return out


def edge_offsets(pdf: Path) -> dict[str, list[float]]:
    """How far lines ending in a hyphen or a comma reach past the column's right edge:
    the edge is the commonest end of lines ending in a letter, page by page."""
    ends = right_ends(pdf)
    edges: dict[int, float] = {}
    for page in {p for p, _, _ in ends}:
        letters = Counter(round(x, 1) for p, x, t in ends if p == page and t[-1:].isalpha())
        if letters and letters.most_common(1)[0][1] >= 5:
            edges[page] = letters.most_common(1)[0][0]
    out: dict[str, list[float]] = {"-": [], ",": []}
    for page, x, text in ends:
        mark = text[-1:]
        if page in edges and mark in out and abs(x - edges[page]) < 5:
            out[mark].append(x - edges[page])
    return out


@pytest.fixture(scope="module")
def without(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("off") / "sample"
    shutil.copytree(pipeline.sample_project(), root)
    with (root / "book.yaml").open("a", encoding="utf-8") as f:
        f.write("layout:\n  protrusion: false\n")
    return pipeline.build(root, root / "book.pdf").output


def test_hyphens_and_commas_hang_into_the_right_margin(sample_pdf: Path) -> None:
    offsets = edge_offsets(sample_pdf)
    assert len(offsets["-"]) >= 20 and len(offsets[","]) >= 5
    # 0.7 of a hyphen or a comma of 9–10 pt type (each about 3 pt wide) hangs out
    for mark in "-,":
        hanging = [d for d in offsets[mark] if 1.2 < d < 3.0]
        assert len(hanging) >= 0.9 * len(offsets[mark]), (mark, offsets[mark])


def test_with_protrusion_off_every_line_ends_at_the_edge(without: Path) -> None:
    offsets = edge_offsets(without)
    assert len(offsets["-"]) >= 20
    assert all(abs(d) < 0.15 for mark in "-," for d in offsets[mark]), offsets
