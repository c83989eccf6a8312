"""Reading the PDF as a reader would, with pypdf: text by page, positions, outline."""

from __future__ import annotations

import html
import io
import re
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from fontTools.ttLib import TTFont
from pypdf import PdfReader
from pypdf._page import PageObject
from pypdf.generic import ContentStream

from abstractbook.typeset.fonts import read_face, shipped


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
    """The fragment's natural width (word spacing not counted), shaped in the shipped
    face of that name (an estimate for another face)."""
    name = f.font.lstrip("/").split("+", 1)[-1]
    path = shipped("fonts") / f"{name}.ttf"
    if not path.exists():
        return 0.5 * f.size * len(f.text)
    return _face_width(path, f.text) * f.size / 1000


@lru_cache(maxsize=4096)
def _face_width(path: Path, text: str) -> float:
    import uharfbuzz as hb

    face = read_face(path)
    buf = hb.Buffer()
    buf.add_str(text)
    buf.guess_segment_properties()
    hb.shape(face.font, buf)
    return sum(p.x_advance for p in buf.glyph_positions) * face.scale


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


def pages_headed(reader: PdfReader, heading: str) -> list[int]:
    """The pages whose running head names `heading` (physical, from 0)."""
    labels = reader.page_labels
    return [
        i
        for i, p in enumerate(reader.pages)
        if (lines(p) or [""])[0] in (f"{heading} {labels[i]}", f"{labels[i]} {heading}")
    ]


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


@dataclass(frozen=True)
class Shown:
    """One string a page's content stream shows, decoded as a reader's copy would be."""

    font: str  # the font's /BaseFont, subset tag included
    codes: tuple[int, ...]  # the codes drawn (glyph ids), in drawing order (left to right)
    text: str  # the same, through the font's ToUnicode map
    actual: str | None  # the /ActualText of the marked span the string sits in
    x: float  # where it starts and ends on the baseline, from the font's widths
    end: float
    y: float
    size: float
    word_space: float  # what justification adds to (or takes from) each space
    space: float  # the natural width of a space in this font and size
    numbers: tuple[float, ...] = ()  # the TJ numbers between its codes (kerning, spacing)
    scale: float = 1.0  # horizontal scaling (Tz / 100): its glyphs expanded or condensed


def shown(page: PageObject) -> list[Shown]:
    """Every string the page draws, in the order drawn, with its font, place and
    /ActualText (text objects placed with Tm, as abstractbook writes them). Fonts are
    Type0 (two-byte glyph ids); a TJ number right after a space is word spacing.
    Horizontal scaling (Tz, font expansion) scales advances and TJ numbers alike."""
    fonts = page["/Resources"].get("/Font", {})
    maps: dict[str, tuple[dict[int, str], dict[int, float]]] = {}
    out: list[Shown] = []
    spans: list[str | None] = []
    font, size, word_space, x, y = "", 0.0, 0.0, 0.0, 0.0
    scale, saved = 1.0, list[float]()
    contents = page.get_contents()
    if contents is None:
        return out
    for operands, operator in ContentStream(contents, page.pdf).operations:
        if operator == b"Tf":
            font, size = str(operands[0]), float(operands[1])
            if font not in maps:
                maps[font] = (to_unicode(fonts[font].get_object()), widths(fonts[font]))
        elif operator == b"Tm":
            x, y = float(operands[4]), float(operands[5])
        elif operator == b"Tz":
            scale = float(operands[0]) / 100
        elif operator == b"q":
            saved.append(scale)
        elif operator == b"Q" and saved:
            scale = saved.pop()
        elif operator in (b"BDC", b"BMC"):
            props = operands[1] if operator == b"BDC" else None
            spans.append(str(props["/ActualText"]) if props and "/ActualText" in props else None)
        elif operator == b"EMC" and spans:
            spans.pop()
        elif operator in (b"Tj", b"TJ"):
            pieces = operands[0] if operator == b"TJ" else [operands[0]]
            chars, advance = maps[font]
            codes: list[int] = []
            numbers: list[float] = []
            start = x
            spacing = 0.0
            for piece in pieces:
                if hasattr(piece, "original_bytes"):
                    data = piece.original_bytes
                    got = [int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data), 2)]
                    codes += got
                    x += sum(advance.get(c, 0.0) * size for c in got) * scale
                else:
                    n = float(piece)
                    numbers.append(n)
                    x -= n / 1000 * size * scale
                    if codes and chars.get(codes[-1]) == " ":
                        spacing = -n / 1000 * size * scale
            text = "".join(chars.get(c, "\ufffd") for c in codes)
            actual = next((a for a in reversed(spans) if a is not None), None)
            base = str(fonts[font].get_object()["/BaseFont"])
            space_code = next((c for c, t in chars.items() if t == " "), None)
            space = advance.get(space_code, 0.0) * size * scale if space_code is not None else 0.0
            word_space = spacing
            out.append(
                Shown(
                    base,
                    tuple(codes),
                    text,
                    actual,
                    start,
                    x,
                    y,
                    size,
                    word_space,
                    space,
                    tuple(numbers),
                    scale,
                )
            )
    return out


def widths(font: Any) -> dict[int, float]:
    """A Type0 font's advance widths per glyph id (its descendant's /W), in text space
    units per point of size."""
    cid = font.get_object()["/DescendantFonts"][0].get_object()
    out: dict[int, float] = {}
    w = list(cid.get("/W", []))
    i = 0
    while i < len(w):
        first = int(w[i])
        if isinstance(w[i + 1], list) or hasattr(w[i + 1], "__iter__"):
            for n, value in enumerate(w[i + 1]):
                out[first + n] = float(value) / 1000
            i += 2
        else:
            for code in range(first, int(w[i + 1]) + 1):
                out[code] = float(w[i + 2]) / 1000
            i += 3
    return out


def to_unicode(font: Any) -> dict[int, str]:
    """A font's ToUnicode CMap: code -> the text it stands for."""
    return parse_cmap(font["/ToUnicode"].get_object().get_data().decode("latin-1"))


def parse_cmap(data: str) -> dict[int, str]:
    """A ToUnicode CMap's source: code -> the text it stands for."""
    out: dict[int, str] = {}

    def text(hexa: str) -> str:
        return bytes.fromhex(hexa).decode("utf-16-be")

    for block in re.findall(r"beginbfchar(.*?)endbfchar", data, re.S):
        for code, value in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            out[int(code, 16)] = text(value)
    for block in re.findall(r"beginbfrange(.*?)endbfrange", data, re.S):
        for lo, hi, value in re.findall(
            r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block
        ):
            start = text(value)
            for n, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                out[code] = start[:-1] + chr(ord(start[-1]) + n)
    return out


def font_program(font: Any) -> TTFont:
    """The embedded font program of a Type0 font, read by fontTools (a bare CFF table
    is wrapped in a font of its own)."""
    cid = font.get_object()["/DescendantFonts"][0].get_object()
    descriptor = cid["/FontDescriptor"]
    if "/FontFile2" in descriptor:
        return TTFont(io.BytesIO(descriptor["/FontFile2"].get_data()))
    from fontTools.cffLib import CFFFontSet

    cff = CFFFontSet()
    cff.decompile(io.BytesIO(descriptor["/FontFile3"].get_data()), None)
    tt = TTFont()
    tt["CFF "] = table = __import__("fontTools.ttLib").ttLib.newTable("CFF ")
    table.cff = cff
    tt.setGlyphOrder(cff[cff.fontNames[0]].charset)
    return tt


def font_texts(reader: PdfReader) -> dict[str, dict[int, str]]:
    """Per font the pages use: code -> its text by the ToUnicode map (a ligature's is
    its letters)."""
    return {
        str(ref.get_object()["/BaseFont"]): to_unicode(ref.get_object())
        for page in reader.pages
        for ref in page["/Resources"]["/Font"].values()
    }


def embedded_glyphs(reader: PdfReader) -> dict[str, dict[int, tuple[str, bool]]]:
    """Per embedded font: glyph id -> (glyph name, whether the glyph draws anything)."""
    out: dict[str, dict[int, tuple[str, bool]]] = {}
    for page in reader.pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            base = str(font["/BaseFont"])
            if base in out:
                continue
            tt = font_program(font)
            order = tt.getGlyphOrder()
            if "glyf" in tt:
                glyf = tt["glyf"]
                out[base] = {
                    gid: (name, glyf[name].numberOfContours != 0) for gid, name in enumerate(order)
                }
            else:
                charstrings = tt["CFF "].cff[0].CharStrings
                out[base] = {
                    gid: (name, _cff_draws(charstrings[name])) for gid, name in enumerate(order)
                }
    return out


def _cff_draws(charstring: Any) -> bool:
    from fontTools.pens.boundsPen import BoundsPen

    pen = BoundsPen(None)
    charstring.draw(pen)
    return pen.bounds is not None
