"""render: a laid-out `Document` -> PDF bytes. The only code that touches a canvas.

Draws each page's operations, then adds what belongs to the file: bookmarks,
page labels, boxes for the printer, metadata. `invariant` keeps the bytes
identical for identical input.
"""

from __future__ import annotations

import io
from functools import cache

from reportlab.lib.colors import Color, HexColor
from reportlab.pdfgen.canvas import Canvas

from .layout import Document, Op, Page
from .lines import Line, width
from .model import Settings

CROP_BORDER = 36.0  # room around the bleed for crop marks


@cache
def _color(hex_: str) -> Color:
    return HexColor(hex_)


def render_pdf(doc: Document, settings: Settings, font: str, *, title: str | None = None,
               subject: str = "", author: str = "", keywords: str = "") -> bytes:
    """Draw every page; returns the finished PDF's bytes."""
    p = settings.page
    bleed = p.bleed
    border = bleed + (CROP_BORDER if p.crop_marks else 0.0)
    W, H = p.width + 2 * border, p.height + 2 * border
    trim = (border, border, border + p.width, border + p.height)
    out = io.BytesIO()
    # The initial font is ours, so no unembedded Helvetica is referenced.
    canv = Canvas(out, pagesize=(W, H), invariant=1, pageCompression=1, initialFontName=font,
                  trimBox=trim if border else None,
                  bleedBox=(border - bleed, border - bleed, W - border + bleed,
                            H - border + bleed) if border else None)
    canv.setTitle(title or settings.title)
    canv.setSubject(subject)
    canv.setAuthor(author)
    canv.setKeywords(keywords)
    canv.setCreator("abstractbook")
    canv.setProducer("abstractbook")
    for page in doc.pages:
        if p.crop_marks:
            _crop_marks(canv, border, bleed, p.width, p.height)
        canv.saveState()
        canv.translate(border, border)
        draw_page(canv, page)
        canv.restoreState()
        canv.showPage()
    for title_, key, level in doc.outline:
        canv.addOutlineEntry(title_, key, level=level, closed=False)
    canv.showOutline()
    _page_labels(canv, doc)
    canv.save()
    return out.getvalue()


def _page_labels(canv: Canvas, doc: Document) -> None:
    """Roman numerals for the front matter, arabic from 1 for the rest."""
    if doc.front_pages:
        canv.addPageLabel(0, "ROMAN_LOWER", 1)
    if len(doc.pages) > doc.front_pages:
        canv.addPageLabel(doc.front_pages, "ARABIC", 1)


def draw_page(canv: Canvas, page: Page) -> None:
    word_space = [0.0]  # Tw outlives a text object: reset it when a line needs none
    for op in page.ops:
        kind = op[0]
        if kind == "text":
            _draw_line(canv, op, word_space)
        elif kind == "rect":
            _, x, y, w, h, color = op
            canv.setFillColor(_color(color))
            canv.rect(x, y, w, h, stroke=0, fill=1)
        elif kind == "rule":
            _, x1, y1, x2, y2, lw, color = op
            canv.setStrokeColor(_color(color))
            canv.setLineWidth(lw)
            canv.line(x1, y1, x2, y2)
        elif kind == "dest":
            _, key, x, y = op
            canv.bookmarkHorizontal(key, x, y + 14.0)
        elif kind == "link":
            _, x1, y1, x2, y2, key = op
            canv.linkRect("", key, (x1, min(y1, y2), x2, max(y1, y2)), relative=1, thickness=0)
        elif kind == "image":
            _, path, x, y, w, h = op
            canv.drawImage(str(path), x, y, w, h, mask="auto", preserveAspectRatio=True)


def _draw_line(canv: Canvas, op: Op, word_space: list[float]) -> None:
    _, x, y, avail, line = op
    assert isinstance(line, Line)
    tw = (avail - line.width) / line.spaces if line.justify and line.spaces else 0.0
    t = canv.beginText(x, y)
    if tw != word_space[0]:
        t.setWordSpace(tw)
        word_space[0] = tw
    font = None
    color = None
    cx = x
    for text, fname, size, rise, fcolor, href in line.frags:
        if (fname, size) != font:
            t.setFont(fname, size)
            font = (fname, size)
        if fcolor != color:
            t.setFillColor(_color(fcolor))
            color = fcolor
        if rise:
            t.setRise(rise)
        t.textOut(text)
        if rise:
            t.setRise(0)
        fw = width(text, fname, size) + tw * text.count(" ")
        if href:
            rect = (cx, y - size * 0.25, cx + fw, y + size * 0.85)
            if href.startswith("#"):
                canv.linkRect("", href[1:], rect, relative=1, thickness=0)
            else:
                canv.linkURL(href, rect, relative=1, thickness=0)
        cx += fw
    canv.drawText(t)


def _crop_marks(canv: Canvas, border: float, bleed: float, w: float, h: float) -> None:
    """Trim marks at the four corners, outside the bleed."""
    canv.saveState()
    canv.setStrokeColor(_color("#000000"))
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
