"""Reading the PDF as a reader would, with pypdf: text by page, positions, outline."""

from __future__ import annotations

import html
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader
from pypdf._page import PageObject
from reportlab.pdfbase.pdfmetrics import stringWidth


@dataclass(frozen=True)
class Fragment:
    x: float
    y: float
    text: str
    font: str
    size: float


def fragments(page: PageObject) -> list[Fragment]:
    """Text pieces with their positions (points from the MediaBox's lower left)."""
    out: list[Fragment] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if not text.strip():
            return
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        name = ""
        if isinstance(font, dict):
            name = str(font.get("/BaseFont", ""))
        out.append(Fragment(x, y, text, name, size * abs(cm[3] or 1)))

    page.extract_text(visitor_text=visit)
    return out


def lines(page: PageObject, below: float | None = None, split: float | None = None) -> list[str]:
    """The page's lines, top to bottom, optionally only those below a height; with
    `split`, a two-column page: the left column's lines (x < split), then the right's."""
    if split is not None:
        frags = fragments(page)
        return [
            ln
            for right in (False, True)
            for ln in _rows([f for f in frags if (f.x >= split) == right], below)
        ]
    return _rows(fragments(page), below)


def _rows(frags: list[Fragment], below: float | None) -> list[str]:
    rows: dict[int, list[Fragment]] = {}
    for f in frags:
        if below is None or f.y < below:
            rows.setdefault(round(f.y), []).append(f)
    return [
        _join(sorted(r, key=lambda f: f.x)) for _, r in sorted(rows.items(), key=lambda kv: -kv[0])
    ]


def width(f: Fragment) -> float:
    """The fragment's natural width (word spacing not counted)."""
    name = f.font.lstrip("/").split("+", 1)[-1]
    try:
        return float(stringWidth(f.text, name, f.size))
    except KeyError:  # a font this process has not registered
        return 0.5 * f.size * len(f.text)


def _join(row: list[Fragment]) -> str:
    """Fragments of one line; a visible gap between two becomes a space."""
    out = ""
    end = None
    for f in row:
        if end is not None and f.x > end + 1.0 and not out.endswith(" "):
            out += " "
        out += f.text
        end = f.x + width(f)
    return out.strip()


def squash(text: str) -> str:
    """Text without whitespace or hyphens: compares across line breaks and hyphenation."""
    return re.sub(r"[\s\-\u00ad]+", "", text)


def normal(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def reader(path: Path) -> PdfReader:
    return PdfReader(str(path))


@dataclass(frozen=True)
class Word:
    x1: float
    y1: float  # from the page's foot, as PDF rectangles are
    x2: float
    y2: float
    text: str


_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>'
)


def words(pdf: Path, index: int) -> list[Word]:
    """The words of a page with their boxes, as poppler's pdftotext finds them (pypdf
    gives no position inside a line of several pieces)."""
    number = str(index + 1)
    out = subprocess.run(
        ["pdftotext", "-bbox", "-f", number, "-l", number, str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    height = float(re.search(r'<page width="[\d.]+" height="([\d.]+)"', out).group(1))  # type: ignore[union-attr]
    return [
        Word(float(a), height - float(d), float(c), height - float(b), html.unescape(t))
        for a, b, c, d, t in _WORD.findall(out)
    ]


def words_in(pdf: Path, index: int, rect: list[float]) -> str:
    """The words a rectangle (a link's, say) overlaps, on the lines it holds."""
    x1, y1, x2, y2 = rect
    return " ".join(
        w.text
        for w in words(pdf, index)
        if min(w.x2, x2) - max(w.x1, x1) > 0.5 and y1 <= (w.y1 + w.y2) / 2 <= y2
    )
