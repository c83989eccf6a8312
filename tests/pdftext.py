"""Reading the PDF as a reader would, with pypdf: text by page, positions, outline."""

from __future__ import annotations

import re
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


# Real punctuation read back as typewriter characters, to compare a PDF with its records.
TYPEWRITER = str.maketrans(
    {"\u2014": "---", "\u2013": "--", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2026": "..."}
)


def typewriter(text: str) -> str:
    return text.translate(TYPEWRITER)


def normal(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def reader(path: Path) -> PdfReader:
    return PdfReader(str(path))
