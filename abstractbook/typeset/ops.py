"""lay out -> render: the drawing operations a laid-out page is made of.

One named tuple per kind, so mypy checks what layout hands to render, and render
dispatches on the type. Named tuples rather than dataclasses: they build quickly (a
book has a line op per line). Page hashes and the rebuild cache read them as plain
tuples (`drawn`), which the cache turns back into operations (`undrawn`).

In an `Item`, x runs from the frame's left and y down from the item's top (a
`Rect` is placed by its top edge); on a page (`translate`), both are page
coordinates with y up (a `Rect` by its lower edge). `Image` is only ever drawn in
page coordinates (the title page).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple, overload

from .shaping import glyph_count
from .spans import Frag, Line


class Text(NamedTuple):
    """A laid-out line; `y` is its baseline, `avail` the width justification fills."""

    x: float
    y: float
    avail: float
    line: Line
    tag: str = ""

    @property
    def word_space(self) -> float:
        """The extra width each space of a justified line takes (PDF's Tw), beyond its
        glyphs' own (`Line.scale` widens or narrows those, spaces included)."""
        line = self.line
        if not line.justify or not line.spaces:
            return 0.0
        room = self.avail - line.width * line.scale
        if line.track:  # letter-spaced: room after each glyph but the last
            room -= line.track * (sum(glyph_count(f.text, f.font) for f in line.frags) - 1)
        return room / line.spaces

    @property
    def char_space(self) -> float:
        """The extra width after each character of a justified line with no stretching
        spaces (Chinese, Japanese: `lines`), PDF's Tc; or the letter-spacing of a line
        too loose (`Line.track`)."""
        line = self.line
        if line.track:
            return line.track
        if not line.justify or line.spaces:
            return 0.0
        n = sum(len(f.text) for f in line.frags)
        # glyphs at the line's scale: a piece of a scaled line (`layout.line_ops`) gets none
        return (self.avail - line.width * line.scale) / (n - 1) if n > 1 else 0.0


class Rule(NamedTuple):
    x1: float
    y1: float
    x2: float
    y2: float
    width: float
    color: str
    tag: str = ""  # untagged: an artifact (a rule, a box)


class Rect(NamedTuple):
    """A filled box: on a page (x, y) is its lower left corner, in an item its upper left."""

    x: float
    y: float
    w: float
    h: float
    color: str
    tag: str = ""


class Link(NamedTuple):
    """A link over a box to a destination of the book."""

    x1: float
    y1: float
    x2: float
    y2: float
    key: str
    tag: str = ""  # the Link element its annotation belongs to


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
    tag: str = ""  # untagged: decorative, an artifact


class PageRef(NamedTuple):
    """A page number, right-aligned at `x_right`; a `Text` once pages are numbered."""

    key: str
    x_right: float
    y: float
    font: str
    size: float
    color: str
    tag: str = ""


class DisplayMath(NamedTuple):
    """A display formula drawn as outlines; `y` is its baseline."""

    tex: str
    size: float
    x: float
    y: float
    tag: str = ""


class MathSource(NamedTuple):
    """A formula's TeX source, written as invisible text over its outlines so that a
    reader copies and searches it; `w` is the outlines' width, which it is scaled to."""

    x: float
    y: float
    w: float
    line: Line
    tag: str = ""


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
    tag: str = ""


Op = Text | Rule | Rect | Link | Dest | Image | PageRef | DisplayMath | MathSource | Figure


def translate(op: Op, x0: float, top: float) -> Op:
    """An item's operation (x from the frame's left, y down from the item's top) on the page."""
    match op:
        case Text(x, y, avail, line, tag):
            return Text(x0 + x, top - y, avail, line, tag)
        case Dest(key, x, y):
            return Dest(key, x0 + x, top - y)
        case PageRef(key, x, y, font, size, color, tag):
            return PageRef(key, x0 + x, top - y, font, size, color, tag)
        case Link(x1, y1, x2, y2, key, tag):
            return Link(x0 + x1, top - y1, x0 + x2, top - y2, key, tag)
        case DisplayMath(tex, size, x, y, tag):
            return DisplayMath(tex, size, x0 + x, top - y, tag)
        case MathSource(x, y, w, line, tag):
            return MathSource(x0 + x, top - y, w, line, tag)
        case Rule(x1, y1, x2, y2, w, color, tag):
            return Rule(x0 + x1, top - y1, x0 + x2, top - y2, w, color, tag)
        case Rect(x, y, w, h, color, tag):  # an item's box is placed by its top edge
            return Rect(x0 + x, top - y - h, w, h, color, tag)
        case Figure(path, page, x, y, w, h, alt, tag):
            return Figure(path, page, x0 + x, top - y, w, h, alt, tag)
    return op


def offset(op: Op, dx: float, dy: float) -> Op:
    """An operation moved by (dx, dy) within the coordinates it is in."""
    match op:
        case Text(x, y, avail, line, tag):
            return Text(x + dx, y + dy, avail, line, tag)
        case Dest(key, x, y):
            return Dest(key, x + dx, y + dy)
        case PageRef(key, x, y, font, size, color, tag):
            return PageRef(key, x + dx, y + dy, font, size, color, tag)
        case Link(x1, y1, x2, y2, key, tag):
            return Link(x1 + dx, y1 + dy, x2 + dx, y2 + dy, key, tag)
        case DisplayMath(tex, size, x, y, tag):
            return DisplayMath(tex, size, x + dx, y + dy, tag)
        case MathSource(x, y, w, line, tag):
            return MathSource(x + dx, y + dy, w, line, tag)
        case Rule(x1, y1, x2, y2, w, color, tag):
            return Rule(x1 + dx, y1 + dy, x2 + dx, y2 + dy, w, color, tag)
        case Rect(x, y, w, h, color, tag):
            return Rect(x + dx, y + dy, w, h, color, tag)
        case Image(path, x, y, w, h, tag):
            return Image(path, x + dx, y + dy, w, h, tag)
        case Figure(path, page, x, y, w, h, alt, tag):
            return Figure(path, page, x + dx, y + dy, w, h, alt, tag)
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
    MathSource: "source",
    Figure: "figure",
}


_KIND_NAMED = {name: kind for kind, name in KINDS.items()}


def drawn(op: Op) -> tuple[object, ...]:
    """What an operation draws, as plain values under its kind's fixed name (tuples,
    strings, numbers): what page hashes read, and how the cache keeps operations
    (plain tuples pickle several times faster than named ones, whose pickling calls
    back into Python for each)."""
    if isinstance(op, (Text, MathSource)):  # a line: its fragments plain too
        x, y, w, line, tag = op
        return (KINDS[type(op)], x, y, w, tuple(map(tuple, line.frags)), *line[1:], tag)
    if isinstance(op, (Figure, Image)):
        return (KINDS[type(op)], str(op.path), *op[1:])
    return (KINDS[type(op)], *op)


def undrawn(values: tuple[Any, ...]) -> Op:
    """The operation `drawn` gave `values` for."""
    make = tuple.__new__  # the named tuples' own __new__ would fill in defaults all given
    kind = values[0]
    if kind == "text" or kind == "source":
        frags = tuple([make(Frag, frag) for frag in values[4]])
        line = make(Line, (frags, *values[5:-1]))
        fields: tuple[Any, ...] = (values[1], values[2], values[3], line, values[-1])
    elif kind == "figure" or kind == "image":
        fields = (Path(values[1]), *values[2:])
    else:
        fields = values[1:]
    op: Op = make(_KIND_NAMED[kind], fields)
    return op


# -- structure tags -----------------------------------------------------------------
#
# An operation's `tag` says which element of the document's structure it draws: a path
# of elements from the outermost, "Type" or "Type#key" each, joined by "/", such as
# "Sect#3:talk-yamins/L#b2/LI#1/LBody/P#0". Keys only tell apart siblings of one type
# (a book's paragraphs, lists, entries); an element is made the first time its path is
# drawn, so the structure follows the reading order of the pages. An outermost "Sect"
# key may start with its outline level ("1:" a day, "2:" a session, "3:" a talk): a
# section nests in the last open one of a lower level. Artifacts are content that is
# not read: running heads and folios, rules, boxes.

ARTIFACT = "Artifact"  # decorative: rules, boxes, ornaments
HEADER = "Artifact:Header"  # running heads and folios at the top of a page
FOOTER = "Artifact:Footer"


def within(parent: str, part: str) -> str:
    """The path of element `part` ("Type" or "Type#key") inside `parent`."""
    return f"{parent}/{part}" if parent else part


def link_key(href: str) -> str:
    """A link's key in a structure path, from its target (which may hold any character)."""
    return hashlib.sha1(href.encode("utf-8"), usedforsecurity=False).hexdigest()[:10]


def retag(op: Op, tag: str) -> Op:
    """The operation drawing part of element `tag` (an untagged one keeps its default)."""
    if isinstance(op, Dest) or op.tag:
        return op
    return op._replace(tag=tag)


class OpsOnDemand(Sequence[Op]):
    """An item's operations, made when first read (`_read`): unpickled from a talk or
    an entry, or with page numbers filled in. A page that is not drawn again never
    reads them; pickled, they are the plain tuple."""

    __slots__ = ()

    def _read(self) -> tuple[Op, ...]:
        raise NotImplementedError

    @overload
    def __getitem__(self, i: int) -> Op: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[Op]: ...
    def __getitem__(self, i: int | slice) -> Op | Sequence[Op]:
        return self._read()[i]

    def __len__(self) -> int:
        return len(self._read())

    def __iter__(self) -> Iterator[Op]:
        return iter(self._read())

    def __repr__(self) -> str:
        return repr(self._read())

    def __reduce__(self) -> tuple[Any, ...]:
        return (tuple, (self._read(),))
