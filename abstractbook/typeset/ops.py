"""lay out -> render: the drawing operations a laid-out page is made of.

One named tuple per kind, so mypy checks what layout hands to render, and render
dispatches on the type. Named tuples rather than dataclasses: they pickle compactly
and fast into the rebuild cache, and build quickly (a book has a line op per line).

In an `Item`, x runs from the frame's left and y down from the item's top (a
`Rect` is placed by its top edge); on a page (`translate`), both are page
coordinates with y up (a `Rect` by its lower edge). `Image` is only ever drawn in
page coordinates (the title page).
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from .spans import Line


class Text(NamedTuple):
    """A laid-out line; `y` is its baseline, `avail` the width justification fills."""

    x: float
    y: float
    avail: float
    line: Line

    @property
    def word_space(self) -> float:
        """The extra width each space of a justified line takes (PDF's Tw)."""
        line = self.line
        return (self.avail - line.width) / line.spaces if line.justify and line.spaces else 0.0


class Rule(NamedTuple):
    x1: float
    y1: float
    x2: float
    y2: float
    width: float
    color: str


class Rect(NamedTuple):
    """A filled box: on a page (x, y) is its lower left corner, in an item its upper left."""

    x: float
    y: float
    w: float
    h: float
    color: str


class Link(NamedTuple):
    """A link over a box to a destination of the book."""

    x1: float
    y1: float
    x2: float
    y2: float
    key: str


class Dest(NamedTuple):
    """A destination (a bookmark's or a link's target)."""

    key: str
    x: float
    y: float


class Image(NamedTuple):
    """A picture (PNG, JPEG or SVG) in a box, page coordinates."""

    path: Path
    x: float
    y: float
    w: float
    h: float


class PageRef(NamedTuple):
    """A page number, right-aligned at `x_right`; a `Text` once pages are numbered."""

    key: str
    x_right: float
    y: float
    font: str
    size: float
    color: str


class DisplayMath(NamedTuple):
    """A display formula drawn as outlines; `y` is its baseline."""

    tex: str
    size: float
    x: float
    y: float


class Figure(NamedTuple):
    """A figure of an abstract: a PNG, JPEG or SVG file, or a page of a PDF (`page`
    from 1; 0 for other files), its lower left corner at (x, y) (in an item, `y` is
    its lower edge's depth below the item's top); `alt` is read to those who cannot
    see it."""

    path: Path
    page: int
    x: float
    y: float
    w: float
    h: float
    alt: str


Op = Text | Rule | Rect | Link | Dest | Image | PageRef | DisplayMath | Figure


def translate(op: Op, x0: float, top: float) -> Op:
    """An item's operation (x from the frame's left, y down from the item's top) on the page."""
    match op:
        case Text(x, y, avail, line):
            return Text(x0 + x, top - y, avail, line)
        case Dest(key, x, y):
            return Dest(key, x0 + x, top - y)
        case PageRef(key, x, y, font, size, color):
            return PageRef(key, x0 + x, top - y, font, size, color)
        case Link(x1, y1, x2, y2, key):
            return Link(x0 + x1, top - y1, x0 + x2, top - y2, key)
        case DisplayMath(tex, size, x, y):
            return DisplayMath(tex, size, x0 + x, top - y)
        case Rule(x1, y1, x2, y2, w, color):
            return Rule(x0 + x1, top - y1, x0 + x2, top - y2, w, color)
        case Rect(x, y, w, h, color):  # an item's box is placed by its top edge
            return Rect(x0 + x, top - y - h, w, h, color)
        case Figure(path, page, x, y, w, h, alt):
            return Figure(path, page, x0 + x, top - y, w, h, alt)
    return op


def offset(op: Op, dx: float, dy: float) -> Op:
    """An operation moved by (dx, dy) within the coordinates it is in."""
    match op:
        case Text(x, y, avail, line):
            return Text(x + dx, y + dy, avail, line)
        case Dest(key, x, y):
            return Dest(key, x + dx, y + dy)
        case PageRef(key, x, y, font, size, color):
            return PageRef(key, x + dx, y + dy, font, size, color)
        case Link(x1, y1, x2, y2, key):
            return Link(x1 + dx, y1 + dy, x2 + dx, y2 + dy, key)
        case DisplayMath(tex, size, x, y):
            return DisplayMath(tex, size, x + dx, y + dy)
        case Rule(x1, y1, x2, y2, w, color):
            return Rule(x1 + dx, y1 + dy, x2 + dx, y2 + dy, w, color)
        case Rect(x, y, w, h, color):
            return Rect(x + dx, y + dy, w, h, color)
        case Image(path, x, y, w, h):
            return Image(path, x + dx, y + dy, w, h)
        case Figure(path, page, x, y, w, h, alt):
            return Figure(path, page, x + dx, y + dy, w, h, alt)
    return op


# The names page hashes give each kind: fixed here, so that renaming a class or a
# field in the code changes no page's hash.
KINDS: dict[type, str] = {
    Text: "text",
    Rule: "rule",
    Rect: "rect",
    Link: "link",
    Dest: "dest",
    Image: "image",
    PageRef: "pageref",
    DisplayMath: "math",
    Figure: "figure",
}


def drawn(op: Op) -> tuple[object, ...]:
    """What an operation draws, as plain values under its kind's fixed name."""
    if isinstance(op, Text):
        line = op.line
        frags = tuple(map(tuple, line.frags))
        return ("text", op.x, op.y, op.avail, frags, *line[1:])
    return (KINDS[type(op)], *op)
