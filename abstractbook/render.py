"""render: a laid-out `Document` -> PDF bytes. The only code that touches a canvas.

Each page's drawing is written as PDF operators through reportlab's documented
route for TrueType subsets (`TTFont.splitString`, `getSubsetInternalName`).
Every character of the book is assigned its subset code up front, in code-point
order, so a page's operators depend on nothing but that page: they can be
cached across builds and a cached rebuild gives the same bytes as a cold one.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Iterable
from functools import cache
from typing import Any, BinaryIO

from reportlab import rl_config
from reportlab.lib.colors import HexColor
from reportlab.lib.rl_accel import escapePDF, fp_str
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from .formulas import OBJECT, formula
from .layout import Document, Op, Page
from .lines import Line, width
from .model import Settings
from .theme import ensure_registered

CROP_BORDER = 36.0  # room around the bleed for crop marks

# page operators by (page content hash, character-set signature); see `render_pdf`
StreamCache = dict[tuple[str, str], bytes]


@cache
def _rgb(hex_: str) -> str:
    c = HexColor(hex_)
    return f"{fp_str(c.red)} {fp_str(c.green)} {fp_str(c.blue)}"


def charsets(pages: Iterable[Page]) -> dict[str, str]:
    """Every character each font draws, sorted: fixes the subset codes for the book."""
    used: dict[str, set[str]] = {}
    for page in pages:
        for op in page.raw_ops():
            if op[0] == "text":
                for text, font, *_ in op[4].frags:
                    if font != OBJECT:
                        used.setdefault(font, set()).update(text)
    return {font: "".join(sorted(chars)) for font, chars in sorted(used.items())}


def render_pdf(
    doc: Document,
    settings: Settings,
    font: str,
    *,
    title: str | None = None,
    subject: str = "",
    author: str = "",
    keywords: str = "",
    page_hashes: list[str] | None = None,
    cache: StreamCache | None = None,
    release: bool = False,
    out: BinaryIO | None = None,
) -> bytes:
    """Draw every page; returns the finished PDF's bytes.

    With `page_hashes` and `cache`, a page whose content and character set are
    unchanged reuses its operators from `cache` (kept compressed); new ones are
    added to it. With `release`, each page's operations are dropped once drawn,
    so a big book never holds its whole layout and its whole PDF at once. With
    `out`, the PDF goes straight into that file and b"" is returned.
    """
    p = settings.page
    bleed = p.bleed
    border = bleed + (CROP_BORDER if p.crop_marks else 0.0)
    W, H = p.width + 2 * border, p.height + 2 * border
    target: BinaryIO = out if out is not None else io.BytesIO()
    rl_config.useA85 = 0  # binary streams: smaller and faster to write
    # The initial font is ours, so no unembedded Helvetica is referenced.
    canv = Canvas(
        target,
        pagesize=(W, H),
        invariant=1,
        pageCompression=1,
        initialFontName=font,
        trimBox=(border, border, border + p.width, border + p.height),
        bleedBox=(border - bleed, border - bleed, W - border + bleed, H - border + bleed),
    )
    canv.setTitle(title or settings.title)
    canv.setSubject(subject)
    canv.setAuthor(author)
    canv.setKeywords(keywords)
    canv.setCreator("abstractbook")
    canv.setProducer("abstractbook")
    sets = charsets(doc.pages)
    pdf_doc = canv._doc
    enc = Encoder(pdf_doc, sets)
    signature = repr(sorted(sets.items()))
    forms = _formula_forms(canv, doc.pages)
    for index, page in enumerate(doc.pages):
        if p.crop_marks:
            _crop_marks(canv, border, bleed, p.width, p.height)
        canv.saveState()
        canv.translate(border, border)
        key = (page_hashes[index], signature) if page_hashes and cache is not None else None
        packed = cache.get(key) if cache is not None and key else None
        stream = zlib.decompress(packed).decode("latin-1") if packed else None
        ops = page.ops
        if stream is None:
            stream = page_stream(ops, enc)
            if cache is not None and key:
                cache[key] = zlib.compress(stream.encode("latin-1"), 1)
        canv.addLiteral(stream)
        _annotate(canv, ops, forms)
        if release:
            page.ops = []
        canv.restoreState()
        canv.showPage()
    for title_, dest, level in doc.outline:
        canv.addOutlineEntry(title_, dest, level=level, closed=False)
    canv.showOutline()
    if doc.front_pages:
        canv.addPageLabel(0, "ROMAN_LOWER", 1)
    if len(doc.pages) > doc.front_pages:
        canv.addPageLabel(doc.front_pages, "ARABIC", 1)
    canv.save()
    return target.getvalue() if isinstance(target, io.BytesIO) else b""


class Encoder:
    """Text to the codes of the book's font subsets.

    The codes are fixed before the first page (see `render_pdf`), so a font
    whose characters all fit one subset gets a translation table, much faster
    than asking reportlab character by character.
    """

    def __init__(self, pdf_doc: object, charsets: dict[str, str]) -> None:
        self.pdf_doc = pdf_doc
        self.tables: dict[str, tuple[str, dict[int, str]]] = {}
        for fname, chars in charsets.items():  # codes and resource names, in a fixed order
            ensure_registered(fname)
            face: Any = pdfmetrics.getFont(fname)
            chunks = face.splitString(chars, pdf_doc)
            for subset in sorted({sub for sub, _ in chunks}):
                face.getSubsetInternalName(subset, pdf_doc)
            if len(chunks) == 1 and chunks[0][0] == 0:  # one subset: a table does it all
                codes = chunks[0][1].decode("latin-1")
                table = {ord(ch): code for ch, code in zip(chars, codes, strict=True)}
                self.tables[fname] = (face.getSubsetInternalName(0, pdf_doc), table)

    def encode(self, fname: str, text: str) -> list[tuple[str, str | bytes]]:
        """(font resource name, encoded text) runs for `text` in font `fname`."""
        known = self.tables.get(fname)
        if known is not None:
            return [(known[0], text.translate(known[1]))]
        face: Any = pdfmetrics.getFont(fname)
        return [
            (face.getSubsetInternalName(subset, self.pdf_doc), chunk)
            for subset, chunk in face.splitString(text, self.pdf_doc)
        ]


def page_stream(ops: list[Op], enc: Encoder) -> str:
    """A page's drawing as PDF operators (text, rules, filled boxes)."""
    out: list[str] = []
    word_space = 0.0
    for op in ops:
        kind = op[0]
        if kind == "text":
            word_space = _text(out, op, enc, word_space)
        elif kind == "rect":
            _, x, y, w, h, color = op
            out.append(f"q {_rgb(color)} rg {fp_str(x)} {fp_str(y)} {fp_str(w)} {fp_str(h)} re f Q")
        elif kind == "rule":
            _, x1, y1, x2, y2, lw, color = op
            out.append(
                f"q {_rgb(color)} RG {fp_str(lw)} w {fp_str(x1)} {fp_str(y1)} m "
                f"{fp_str(x2)} {fp_str(y2)} l S Q"
            )
    return "\n".join(out)


def _formula_forms(canv: Canvas, pages: Iterable[Page]) -> dict[tuple[str, float], str]:
    """Each distinct formula of the book as a form, drawn once and placed where used."""
    wanted: set[tuple[str, float]] = set()
    for page in pages:
        for op in page.raw_ops():
            if op[0] == "formula":
                wanted.add((op[1], op[2]))
            elif op[0] == "text":
                wanted |= {(f[0], f[2]) for f in op[4].frags if f[1] == OBJECT}
    names: dict[tuple[str, float], str] = {}
    if not wanted:
        return names
    from reportlab.graphics import renderPDF

    for n, (tex, size) in enumerate(sorted(wanted)):
        f = formula(tex, size)
        name = names[(tex, size)] = f"Formula{n}"
        canv.beginForm(name, 0, 0, f.width, f.height)
        renderPDF.draw(f.drawing, canv, 0, 0)
        canv.endForm()
    return names


def _place_formula(
    canv: Canvas,
    forms: dict[tuple[str, float], str],
    tex: str,
    size: float,
    x: float,
    baseline: float,
) -> None:
    """A formula on the baseline; its TeX source is the text a reader copies or searches."""
    f = formula(tex, size)
    logical = ("\ufeff" + tex).encode("utf-16-be").hex().upper()
    canv.addLiteral(f"/Span <</ActualText <{logical}>>> BDC")
    canv.saveState()
    canv.translate(x, baseline - f.depth)
    canv.doForm(forms[(tex, size)])
    canv.restoreState()
    canv.addLiteral("EMC")


def _frag_xs(op: Op) -> list[float]:
    """Where each fragment of a line starts, word spacing included."""
    _, x, _, avail, line = op
    tw = (avail - line.width) / line.spaces if line.justify and line.spaces else 0.0
    xs = []
    for text, fname, size, *_ in line.frags:
        xs.append(x)
        x += width(text, fname, size) + (tw * text.count(" ") if fname != OBJECT else 0.0)
    return xs


def _text(out: list[str], op: Op, enc: Encoder, word_space: float) -> float:
    _, x, y, avail, line = op
    assert isinstance(line, Line)
    tw = (avail - line.width) / line.spaces if line.justify and line.spaces else 0.0
    objects = any(f[1] == OBJECT for f in line.frags)
    xs = _frag_xs(op) if objects else []
    if line.actual is not None:  # reordered for display: the logical text for copy and search
        logical = ("\ufeff" + line.actual).encode("utf-16-be").hex().upper()
        out.append(f"/Span <</ActualText <{logical}>>> BDC")
    out.append(f"BT 1 0 0 1 {fp_str(x)} {fp_str(y)} Tm")
    if tw != word_space:  # Tw outlives a text object: set it whenever it changes
        out.append(f"{fp_str(tw)} Tw")
    current = None
    color = None
    for n, (text, fname, size, rise, fcolor, _href) in enumerate(line.frags):
        if fname == OBJECT:  # drawn as a form, beside the text
            continue
        if objects:  # a line with formulas places each fragment itself
            out.append(f"1 0 0 1 {fp_str(xs[n])} {fp_str(y)} Tm")
        if fcolor != color:
            out.append(f"{_rgb(fcolor)} rg")
            color = fcolor
        if rise:
            out.append(f"{fp_str(rise)} Ts")
        for name, chunk in enc.encode(fname, text):
            if (name, size) != current:
                out.append(f"{name} {fp_str(size)} Tf")
                current = (name, size)
            out.append(f"({escapePDF(chunk)}) Tj")
        if rise:
            out.append("0 Ts")
    out.append("ET")
    if line.actual is not None:
        out.append("EMC")
    return tw


def _annotate(canv: Canvas, ops: list[Op], forms: dict[tuple[str, float], str]) -> None:
    """Destinations, links, images and formulas: objects of the file, not page operators."""
    for op in ops:
        kind = op[0]
        if kind == "text":
            _line_links(canv, op)
            if any(f[1] == OBJECT for f in op[4].frags):
                for (text, fname, size, *_), x in zip(op[4].frags, _frag_xs(op), strict=True):
                    if fname == OBJECT:
                        _place_formula(canv, forms, text, size, x, op[2])
        elif kind == "formula":
            _, tex, size, x, y = op
            _place_formula(canv, forms, tex, size, x, y)
        elif kind == "dest":
            _, key, x, y = op
            canv.bookmarkHorizontal(key, x, y + 14.0)
        elif kind == "link":
            _, x1, y1, x2, y2, key = op
            canv.linkRect("", key, (x1, min(y1, y2), x2, max(y1, y2)), relative=1, thickness=0)
        elif kind == "image":
            _draw_image(canv, op)


def _draw_image(canv: Canvas, op: Op) -> None:
    _, path, x, y, w, h = op
    if path.suffix.lower() != ".svg":
        canv.drawImage(str(path), x, y, w, h, mask="auto")
        return
    from reportlab.graphics import renderPDF
    from svglib.svglib import svg2rlg

    drawing = svg2rlg(str(path))
    if drawing is None:  # checked when the title page was laid out
        return
    canv.saveState()
    canv.translate(x, y)
    canv.scale(w / drawing.width, h / drawing.height)
    renderPDF.draw(drawing, canv, 0, 0)
    canv.restoreState()


def _line_links(canv: Canvas, op: Op) -> None:
    _, x, y, avail, line = op
    if not any(f[5] for f in line.frags):
        return
    tw = (avail - line.width) / line.spaces if line.justify and line.spaces else 0.0
    cx = x
    for text, fname, size, _rise, _color, href in line.frags:
        fw = width(text, fname, size) + (tw * text.count(" ") if fname != OBJECT else 0.0)
        if href:
            rect = (cx, y - size * 0.25, cx + fw, y + size * 0.85)
            if href.startswith("#"):
                canv.linkRect("", href[1:], rect, relative=1, thickness=0)
            else:
                canv.linkURL(href, rect, relative=1, thickness=0)
        cx += fw


def _crop_marks(canv: Canvas, border: float, bleed: float, w: float, h: float) -> None:
    """Trim marks at the four corners, outside the bleed."""
    canv.saveState()
    canv.setStrokeColorRGB(0, 0, 0)
    canv.setLineWidth(0.25)
    gap = bleed + 3.0
    length = CROP_BORDER - 6.0
    for x in (border, border + w):
        for y in (border, border + h):
            dx = -1 if x == border else 1
            dy = -1 if y == border else 1
            canv.line(x + dx * gap, y, x + dx * (gap + length), y)
            canv.line(x, y + dy * gap, x, y + dy * (gap + length))
    canv.restoreState()
