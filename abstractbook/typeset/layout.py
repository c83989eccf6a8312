"""lay out: a `Book` and its `Theme` -> pages of positioned drawing operations.

One pass: front matter is numbered in roman numerals, so its length does not
depend on the body; the TOC's line breaks leave a fixed column for page
numbers, which are filled in once the body is paginated. Each talk's items are
a pure function of the talk and the theme (`layout_talk`), shared by the book
and the per-talk export, and cacheable across builds.
"""

from __future__ import annotations

import hashlib
import marshal
import pickle
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from ..project.markup import (
    BOLD,
    BOLD_ITALIC,
    ITALIC,
    MONO,
    REGULAR,
    Block,
    ListBlock,
    Paragraph,
    Run,
    link_citations,
    parse,
    reference,
)
from ..project.markup import Figure as FigureBlock
from ..project.model import FigureFile, Settings, Talk
from .formulas import OBJECT, formula, simple
from .lines import EXPANSION, balanced_lines, break_lines, single_line, width
from .margins import protruded
from .ops import (
    Dest,
    DisplayMath,
    Figure,
    MathSource,
    Op,
    OpsOnDemand,
    PageRef,
    Text,
    drawn,
    link_key,
    translate,
    undrawn,
    within,
)
from .shaping import glyph_count
from .spans import Frag, Line, Span
from .theme import Style, Theme

FLOAT = "float"  # an item's `brk` for a figure: it may wait for the next page's top
FIGURE_GAP = 5.0  # between a figure and its caption


class Item(NamedTuple):
    """A slice of the flow: ops at x from the frame's left, y down from the item's top.

    `ops` is a tuple, or for a talk from the rebuild cache a sequence read when first
    used: paginating and naming pages needs only the other fields."""

    height: float
    ops: Sequence[Op]
    keep: bool = False  # keep with the next item on the same page
    space: float = 0.0  # space before; dropped at the top of a page
    brk: str | None = None  # "page" or "odd": start a new (odd) page first; FLOAT: see paginate
    mark: str | None = None  # the talk that starts here


TalkRun = tuple[str, int, int]  # (talk id, first, last place among its items)


@dataclass
class Page:
    """A page: items placed on it (kept as they are, shared with the talk's layout) and
    operations of its own (running head, title page), in page coordinates."""

    label: str
    kind: str  # title | front | body | back | blank
    extra: list[Op] = field(default_factory=list)
    talks: list[str] = field(default_factory=list)  # talks with text on this page
    head: str = ""  # running head of a recto page
    placed: list[tuple[Item, float, float]] = field(default_factory=list)  # item, x, top
    # A body page's items as runs of talks' items, (talk id, first, last place): with
    # the page's frame they say what it draws (see `manifest.page_hash`).
    runs: tuple[TalkRun, ...] | None = None

    def raw_ops(self) -> Iterator[Op]:
        """Every operation, placed items' ones untranslated: for what does not need
        positions (the characters and formulas a page uses)."""
        for item, _, _ in self.placed:
            yield from item.ops
        yield from self.extra

    @property
    def ops(self) -> list[Op]:
        """Every operation in page coordinates (placed items translated on the fly)."""
        out = [translate(op, x0, top) for item, x0, top in self.placed for op in item.ops]
        return out + self.extra


# An entry as the memo keeps it: its operations pickled, its `item_digest`, and the
# rest of the item with the keys of its page references and destinations.
MemoEntry = tuple[
    bytes, str, tuple[float, bool, float, str | None, str | None, tuple[str, ...], tuple[str, ...]]
]


class Memo:
    """Laid-out entries of the contents, programme and indexes by everything they
    depend on: a rebuild reuses them (only page numbers change, filled in later).

    Entries of earlier builds (`known`) and of this one (`used`) are kept pickled,
    with a digest of their key: the cache writes them back without pickling them
    again, and an entry's operations are read only when a page that shows it is drawn
    again (`MemoOps`). `names` gives each item handed out that digest, which says what
    it draws in fewer characters than its operations (for page hashes).
    """

    def __init__(
        self, known: dict[tuple[Any, ...], MemoEntry] | None = None, keep: bool = True
    ) -> None:
        self.known = known or {}
        self.offered: dict[tuple[Any, ...], MemoEntry] = {}  # see `offer`
        self.used: dict[tuple[Any, ...], MemoEntry] = {}
        self.keep = keep  # pickle what is made now, for a later build
        self.items: dict[tuple[Any, ...], Item] = {}
        self.names: dict[int, tuple[Any, ...]] = {}

    def offer(self, entries: dict[tuple[Any, ...], MemoEntry]) -> None:
        """Entries made elsewhere in this build (by a worker), used when asked for."""
        self.offered.update(entries)

    def let_go(self) -> None:
        """Pagination is done: the items handed out are the pages' alone from now on
        (a big book's pages let theirs go as they are written; its index has tens of
        thousands), and no new one is asked for."""
        self.items = {}

    def get(self, key: tuple[Any, ...], make: Callable[[], Item]) -> Item:
        item = self.items.get(key)
        if item is None:
            entry = self.known.get(key) or self.offered.get(key)
            item = _remembered(entry, make) if entry is not None else None
            if item is None or entry is None:
                item = make()
                ops = tuple(item.ops)
                plain = tuple(map(drawn, ops))
                packed = pickle.dumps(plain, pickle.HIGHEST_PROTOCOL) if self.keep else b""
                refs = tuple(op.key for op in ops if isinstance(op, PageRef))
                dests = tuple(op.key for op in ops if isinstance(op, Dest))
                shape = (item.height, item.keep, item.space, item.brk, item.mark, refs, dests)
                entry = (packed, item_digest(item, plain), shape)
            self.items[key] = item
            self.used[key] = entry
            self.names[id(item)] = ("memo", entry[1])
        return item


def _remembered(entry: MemoEntry, make: Callable[[], Item]) -> Item | None:
    """An entry of an earlier build as an item whose operations are read when first
    used; None if it is not an entry."""
    try:
        packed, _, (height, keep, space, brk, mark, refs, dests) = entry
    except (TypeError, ValueError):
        return None
    if not isinstance(packed, bytes) or not isinstance(height, int | float):
        return None
    ops = MemoOps(packed, make, tuple(refs), tuple(dests))
    return Item(height, ops, keep, space, brk, mark)


class MemoOps(OpsOnDemand):
    """An entry's operations, unpickled when first read (or made again by `make`, if
    they cannot be): a rebuild paginates and names its pages by the entries' other
    fields and draws again only the pages that changed. `refs` and `dests` are the
    keys of its page references and destinations, which pagination reads."""

    __slots__ = ("packed", "make", "refs", "dests", "_ops")

    def __init__(
        self, packed: bytes, make: Callable[[], Item], refs: tuple[str, ...], dests: tuple[str, ...]
    ) -> None:
        self.packed = packed
        self.make = make
        self.refs = refs
        self.dests = dests
        self._ops: tuple[Op, ...] | None = None

    def _read(self) -> tuple[Op, ...]:
        if self._ops is None:
            try:
                ops = tuple(map(undrawn, pickle.loads(self.packed)))
            except Exception:
                ops = None
            self._ops = ops if isinstance(ops, tuple) else tuple(self.make().ops)
            self.packed = b""
        return self._ops


def page_refs(item: Item) -> tuple[str, ...]:
    """The keys of an item's page references, in order."""
    if isinstance(item.ops, MemoOps):
        return item.ops.refs
    return tuple(op.key for op in item.ops if isinstance(op, PageRef))


def dest_keys(item: Item) -> tuple[str, ...]:
    """The keys of an item's destinations, in order."""
    if isinstance(item.ops, MemoOps):
        return item.ops.dests
    return tuple(op.key for op in item.ops if isinstance(op, Dest))


def item_digest(item: Item, ops: tuple[tuple[object, ...], ...] | None = None) -> str:
    """What an item draws and how much room it takes, as a digest: made once when a
    talk is laid out, kept with it in the cache. `ops`: its operations `drawn`, when
    known. The values are written by marshal's version 2, which has no references
    between objects (so equal values give equal bytes however they were made) and
    writes a float's bits rather than its shortest decimal, three times faster than
    `repr`; a value marshal does not know (which `drawn` never gives) is spelt by
    `repr`."""
    if ops is None:
        ops = tuple(map(drawn, item.ops))
    shown: Any = (item.height, item.keep, item.space, item.mark, ops)
    try:
        data = marshal.dumps(shown, 2)
    except ValueError:
        data = repr(shown).encode("utf-8")
    return hashlib.sha1(data, usedforsecurity=False).hexdigest()


@dataclass(frozen=True)
class Document:
    pages: tuple[Page, ...]
    outline: tuple[tuple[str, str, int], ...]  # (title, destination key, level)
    talk_pages: dict[str, tuple[int, int]]  # id -> (first, last) physical page, from 1
    front_pages: int


def talk_key(talk_id: str) -> str:
    return f"talk-{talk_id}"


def reference_key(talk_id: str, n: int) -> str:
    """The destination of a talk's n-th reference (citations in its body link to it)."""
    return f"ref-{talk_id}-{n}"


# -- paragraphs and blocks ----------------------------------------------------------


def _spans(
    runs: tuple[Run, ...], style_of: dict[str, Style], link_color: str, base: str = REGULAR
) -> list[Span]:
    """The runs of a paragraph whose text is in style `base`, each read as its role."""
    out = []
    for n, r in enumerate(runs):
        st = style_of.get(r.style, style_of[REGULAR])
        color = link_color if r.href else st.color
        if r.math:
            out += _math_spans(r.text, style_of, color, r.href, n)
        else:
            out.append(Span(r.text, st.font, st.size, color, 0.0, r.href, _role(r.style, base, n)))
    return out


def _role(style: str, base: str, n: int) -> str:
    """The inline element the `n`-th run of a paragraph is read as: emphasis (Em),
    strong emphasis (Strong), both, or code (Code); "" where its style is the text's."""
    if style == MONO:
        return f"Code#{n}"
    strong = style in (BOLD, BOLD_ITALIC) and base not in (BOLD, BOLD_ITALIC)
    em = style in (ITALIC, BOLD_ITALIC) and base not in (ITALIC, BOLD_ITALIC)
    if strong and em:
        return f"Strong#{n}/Em#{n}"
    return f"Strong#{n}" if strong else f"Em#{n}" if em else ""


def _math_spans(
    tex: str, style_of: dict[str, Style], color: str, href: str | None, n: int = 0
) -> list[Span]:
    """Simple math as text (italic letters, upright digits and operators), else a drawing.
    The text is read as a Formula whose alternative text is its TeX source (`math_role`)."""
    base = style_of[REGULAR]
    pieces = simple(tex)
    if pieces is None:
        return [Span(tex, OBJECT, base.size, color, 0.0, href)]
    out = []
    role = math_role(tex, n)
    for text, italic, script in pieces:
        font = style_of[ITALIC if italic else REGULAR].font
        size = base.size * (0.7 if script else 1.0)
        rise = {"sup": base.size * 0.36, "sub": -base.size * 0.16}.get(script, 0.0)
        out.append(Span(text, font, size, color, rise, href, role))
    return out


def math_role(tex: str, n: int) -> str:
    """The role of the `n`-th run of a paragraph, a formula set as text: a Formula whose
    key carries its TeX source (hex: a path never holds "/"), its alternative text."""
    return f"Formula#{n}={tex.encode('utf-8').hex()}"


def _hyphenated(line: Line) -> bool:
    """The line ends inside a word: at a hyphen after a letter."""
    text = line.frags[-1].text if line.frags else ""
    return len(text) >= 2 and text[-1] == "-" and text[-2].isalpha()


def _line_items(
    lines: list[Line],
    leading: float,
    size: float,
    x: float,
    avail: float,
    space: float,
    keep_all: bool = False,
    tag: str = "",
    font: str = "",
    protrude: bool = False,
) -> list[Item]:
    """Items of a paragraph's lines; no single line is left at a page's foot or head.

    The lines draw element `tag`; a formula drawn as outlines is an element of its own
    inside it, with its TeX source as invisible text in `font` over the drawing.
    `protrude`: marks at the lines' edges hang into the margins (`margins`)."""
    n = len(lines)
    items = []
    baseline = leading - (leading - size) / 2 - size * 0.2
    for k, line in enumerate(lines, start=1):
        breakable = k >= 2 and n - k >= 2
        above, below = _formula_extent(line, size)
        # A book has many lines: plain ones share their numbers instead of new floats.
        if line.indent or above or below:
            op = Text(x + line.indent, baseline + above, avail - line.indent, line, tag)
            height = leading + above + below
        else:
            op, height = Text(x, baseline, avail, line, tag), leading
        if protrude:
            op = protruded(op)
        ops = line_ops(op, font, f"{k}.")
        items.append(
            Item(
                height,
                ops,
                # a word split by a hyphen is not split by a page turn as well
                keep=keep_all or (k < n and (not breakable or _hyphenated(line))),
                space=space if k == 1 else 0.0,
            )
        )
    return items


def frag_xs(op: Text, x: float) -> list[float]:
    """Where each fragment of a line that starts at `x` starts, word spacing included."""
    tw, scale, track = op.word_space, op.line.scale, op.line.track
    xs = []
    for frag in op.line.frags:
        xs.append(x)
        x += frag_width(frag, tw, scale, track)
    return xs


def frag_width(frag: Frag, word_space: float, scale: float = 1.0, track: float = 0.0) -> float:
    """A fragment's width on the page: its glyphs at the line's `scale`, its spaces
    stretched on a justified line, and `track` after each glyph of a letter-spaced one
    (the last glyph's too: the next fragment starts after it)."""
    text, font, size = frag.text, frag.font, frag.size
    if font == OBJECT:
        return width(text, font, size)
    w = width(text, font, size) * scale + word_space * text.count(" ")
    return w + track * glyph_count(text, font) if track else w


def line_ops(op: Text, font: str, key: str) -> tuple[Op, ...]:
    """A line as it is read. A tagged line with links, formulas or emphasis is cut into
    pieces where they start and end, so that each link's text is its Link element, each
    emphasis its Em (`Span.role`) and each formula sits where it is read; the pieces are
    placed and spaced as the whole line."""
    line = op.line
    if len(line.frags) == 1:  # most lines: no generator to set up
        f = line.frags[0]
        plain = f.font != OBJECT and not f.href and not f.role
    else:
        plain = all(f.font != OBJECT and not f.href and not f.role for f in line.frags)
    if plain:
        return (op,)
    if not op.tag or any(f.rtl for f in line.frags):  # reordered for display: drawn whole
        return (op, *_formula_ops(op, font, key))
    tw = op.word_space
    out: list[Op] = []
    piece: list[Frag] = []
    start = op.x

    def flush() -> None:
        if not piece:
            return
        frags = tuple(piece)
        w = sum(width(f.text, f.font, f.size) for f in frags)
        spaces = sum(f.text.count(" ") for f in frags)
        href, role = frags[0].href, frags[0].role
        tag = within(op.tag, f"Link#{link_key(href)}") if href else op.tag
        if role:
            tag = within(tag, role)
        sub = Line(frags, w, spaces, line.justify, scale=line.scale, track=line.track)
        wide = w * line.scale + tw * spaces
        if line.track:  # its glyphs' room, but the last's, which is the next piece's gap
            wide += line.track * (sum(glyph_count(f.text, f.font) for f in frags) - 1)
        out.append(Text(start, op.y, wide, sub, tag))
        piece.clear()

    for n, (frag, fx) in enumerate(zip(line.frags, frag_xs(op, op.x), strict=True)):
        if frag.font == OBJECT:
            flush()
            out += _formula(frag, fx, op.y, op.tag, font, f"{key}{n}")
            continue
        if piece and (frag.href != piece[0].href or frag.role != piece[0].role):
            flush()
        if not piece:
            start = fx
        piece.append(frag)
    flush()
    return tuple(out)


def _lifted(op: Op, body: str) -> Op:
    """An operation of a list item's only paragraph, as content of the item's body."""
    if isinstance(op, Dest) or not op.tag.startswith(body + "/P#0"):
        return op
    return op._replace(tag=body + op.tag[len(body) + 4 :])


def _formula(frag: Frag, x: float, y: float, tag: str, font: str, key: str) -> list[Op]:
    """An inline formula drawn as outlines, an element inside `tag`, with its TeX source
    as invisible text over it (in `font`, when given)."""
    inner = within(tag, f"Formula#{key}") if tag else ""
    out: list[Op] = [DisplayMath(frag.text, frag.size, x, y, inner)]
    if font:
        out.append(_source(frag.text, font, frag.size, frag.color, x, y, inner))
    return out


def _formula_ops(op: Text, font: str, key: str) -> tuple[Op, ...]:
    """The formulas of a line drawn as outlines, each an element inside the line's, with
    its TeX source as invisible text over it (in `font`, when given)."""
    out: list[Op] = []
    for n, (frag, fx) in enumerate(zip(op.line.frags, frag_xs(op, op.x), strict=True)):
        if frag.font == OBJECT:
            out += _formula(frag, fx, op.y, op.tag, font, f"{key}{n}")
    return tuple(out)


def _source(tex: str, font: str, size: float, color: str, x: float, y: float, tag: str) -> Op:
    line = single_line(Span(tex, font, size, color))
    return MathSource(x, y, formula(tex, size).width, line, tag)


def _formula_extent(line: Line, size: float) -> tuple[float, float]:
    """Room a tall inline formula needs above and below the usual line."""
    above = below = 0.0
    for text, font, fsize, *_ in line.frags:
        if font == OBJECT:
            f = formula(text, fsize)
            above = max(above, f.height - f.depth - size * 0.85)
            below = max(below, f.depth - size * 0.3)
    return above, below


class Flow:
    """Builds items for body text in one theme (bodies, notes, lists)."""

    def __init__(
        self, theme: Theme, lang: str | None, figures: tuple[FigureFile, ...] = ()
    ) -> None:
        self.theme, self.lang = theme, lang
        self.avail = theme.frame_width
        self.figures = iter(figures)  # the talk's figure files, in reading order
        self.figure_number = 0

    def style_map(self, base: Style) -> dict[str, Style]:
        """The base style in each face; code a little smaller, as monospace runs wide."""
        faces = self.theme.text
        styles = {
            name: Style(faces[name], base.size, base.leading, base.color)
            for name in (REGULAR, ITALIC, BOLD, BOLD_ITALIC)
        }
        styles["mono"] = Style(faces["mono"], base.size * 0.9, base.leading, base.color)
        return styles

    def blocks(
        self,
        blocks: tuple[Block, ...],
        base: Style,
        indent: float = 0.0,
        para_space: float = 4.0,
        first_space: float = 0.0,
        tag: str = "",
    ) -> list[Item]:
        """The blocks' items; each block is an element inside `tag` (P, L, Figure, Formula)."""
        items: list[Item] = []
        smap = self.style_map(base)
        for i, block in enumerate(blocks):
            space = first_space if i == 0 else para_space
            if isinstance(block, Paragraph):
                items += self.paragraph(block, smap, base, indent, space, within(tag, f"P#{i}"))
            elif isinstance(block, FigureBlock):
                items += self.figure(block, space, tag, i)
            else:
                items += self.list_block(block, base, indent, space, within(tag, f"L#{i}"))
        return items

    def paragraph(
        self,
        p: Paragraph,
        smap: dict[str, Style],
        base: Style,
        indent: float,
        space: float,
        tag: str = "",
    ) -> list[Item]:
        spans = _spans(p.runs, smap, self.theme.accent, BOLD if p.kind == "heading" else REGULAR)
        justify = p.kind == "text"
        lang = self.lang if p.kind == "text" else None
        avail = self.avail - indent
        expansion = EXPANSION if justify and self.theme.settings.expansion else 0.0
        protrude = justify and self.theme.settings.protrusion
        lines = break_lines(
            spans, avail, lang=lang, justify=justify, expansion=expansion, protrusion=protrude
        )
        if p.kind == "code":
            space = 0.0
        if p.kind == "math" and simple(p.runs[0].text) is None:
            return [self.display_formula(p.runs[0].text, base, indent, avail, space, tag)]
        if p.kind == "math":  # display formula as text, centred
            lines = [
                Line(ln.frags, ln.width, ln.spaces, False, max(0.0, (avail - ln.width) / 2))
                for ln in lines
            ]
        return _line_items(
            lines,
            base.leading,
            base.size,
            indent,
            avail,
            space,
            tag=tag,
            font=base.font,
            protrude=protrude,
        )

    def display_formula(
        self, tex: str, base: Style, indent: float, avail: float, space: float, tag: str = ""
    ) -> Item:
        """A formula on a line of its own, centred: in the structure a Formula inside a P."""
        f = formula(tex, base.size)
        x = indent + max(0.0, (avail - f.width) / 2)
        y = 3.0 + f.height - f.depth
        inner = within(tag, "Formula") if tag else ""
        ops = (
            DisplayMath(tex, base.size, x, y, inner),
            _source(tex, base.font, base.size, base.color, x, y, inner),
        )
        return Item(f.height + 6.0, ops, space=space)

    def figure(self, figure: FigureBlock, space: float, tag: str = "", n: int = 0) -> list[Item]:
        """A figure centred in the column with its numbered caption below, one item:
        never split from its caption. It floats: when the rest of the page cannot
        hold it, it goes to the next page's top and the text goes on (`paginate`)."""
        file = next(self.figures, None)
        self.figure_number += 1
        t = self.theme
        st = t.small()
        smap = self.style_map(st)
        label = f"Figure {self.figure_number}."
        spans = [Span(label + (" " if figure.caption else ""), t.text[BOLD], st.size, st.color)]
        spans += _spans(figure.caption, smap, t.accent)
        lines = break_lines(spans, self.avail, lang=None, justify=False)
        caption_height = len(lines) * st.leading
        if file is None:  # not checked (a talk laid out on its own): the caption alone
            alone = within(tag, f"P#{n}")
            return _line_items(
                lines, st.leading, st.size, 0.0, self.avail, max(space, 6.0), tag=alone
            )
        # the picture and its caption, read together (as Typst tags a figure)
        caption = within(tag, f"Div#{n}/Caption")
        w, h = file.size(self.avail, t.frame_height - caption_height - FIGURE_GAP - 8.0)
        x = (self.avail - w) / 2
        figure_tag = within(tag, f"Div#{n}/Figure")
        ops: list[Op] = [Figure(file.path, file.page, x, h, w, h, figure.alt, figure_tag)]
        baseline = st.leading - (st.leading - st.size) / 2 - st.size * 0.2
        y = h + FIGURE_GAP
        for i, ln in enumerate(lines):
            indent = (self.avail - ln.width) / 2 if len(lines) == 1 else 0.0
            line_y = y + i * st.leading + baseline
            op = Text(indent, line_y, self.avail - indent, ln, caption)
            ops += line_ops(op, st.font, f"{i}.")
        height = y + caption_height + 4.0
        return [Item(height, tuple(ops), space=max(space, 8.0), brk=FLOAT)]

    def list_block(
        self, lst: ListBlock, base: Style, indent: float, space: float, tag: str = ""
    ) -> list[Item]:
        """A list: L, each item an LI of its label (Lbl) and its blocks (LBody)."""
        items: list[Item] = []
        step = 13.0 if not lst.ordered else 15.0
        label_font = self.theme.text[REGULAR]
        for n, item_blocks in enumerate(lst.items):
            label = f"{lst.start + n}." if lst.ordered else ("•" if indent == 0 else "–")
            entry = within(tag, f"LI#{n}")
            body = within(entry, "LBody")
            sub = self.blocks(
                item_blocks,
                base,
                indent + step,
                para_space=2.0,
                first_space=space if n == 0 else 2.0,
                tag=body,
            )
            if len(item_blocks) == 1 and isinstance(item_blocks[0], Paragraph):
                # an item of one paragraph: its lines are the LBody's own content
                sub = [i._replace(ops=tuple(_lifted(op, body) for op in i.ops)) for i in sub]
            if not sub:
                continue
            first = sub[0]
            op = first.ops[0]  # the label sits on the first line's (or formula's) baseline
            y = op.y if isinstance(op, Text | DisplayMath) else 0.0
            lw = width(label, label_font, base.size)
            label_line = Line(
                (Frag(label, label_font, base.size, 0.0, base.color, None),), lw, 0, False
            )
            label_op = Text(indent + step - 4.0 - lw, y, lw, label_line, within(entry, "Lbl"))
            sub[0] = Item(first.height, (label_op, *first.ops), first.keep, first.space)
            items += sub
        return items


# -- a talk -------------------------------------------------------------------------


def layout_talk(talk: Talk, theme: Theme, *, head_space: float = 24.0) -> tuple[Item, ...]:
    """Title, authors, affiliations, body and notes of one talk, as flow items."""
    t = theme
    lang = t.settings.language if t.settings.hyphenate else None
    flow = Flow(t, lang, talk.figures)
    avail = t.frame_width
    items: list[Item] = []
    sect = talk_section(talk.id)

    ts = t.title()
    lines = balanced_lines(_heading_spans(talk, ts), avail)
    head = _line_items(
        lines, ts.leading, ts.size, 0.0, avail, 0.0, keep_all=True, tag=within(sect, "H")
    )
    first = head[0]
    head[0] = Item(
        first.height,
        (Dest(talk_key(talk.id), 0.0, 0.0), *first.ops),
        True,
        head_space,
        mark=talk.id,
    )
    items += head

    # Authors, with affiliation numbers when there is more than one affiliation.
    body = t.body()
    affs = talk.affiliations
    numbered = len(affs) > 1
    order = talk.affiliation_order()
    several = len(talk.authors) > 1
    presenters = set(id(a) for a in talk.presenters)
    spans: list[Span] = []
    for i, a in enumerate(talk.authors):
        face = BOLD if several and id(a) in presenters else REGULAR
        if i:
            spans.append(Span(", ", t.text[REGULAR], body.size, body.color))
        spans.append(
            Span(
                a.name.replace(" ", "\u00a0") if len(a.name) < 30 else a.name,
                t.text[face],
                body.size,
                body.color,
            )
        )
        nums = talk.affiliation_numbers(a, order) if numbered else ()
        if nums:
            spans.append(
                Span(
                    ",".join(map(str, nums)),
                    t.text[REGULAR],
                    body.size * 0.62,
                    body.color,
                    body.size * 0.36,
                )
            )
    lines = break_lines(spans, avail, lang=None, justify=False)
    authors = within(sect, "P#authors")
    items += _line_items(
        lines, body.leading, body.size, 0.0, avail, 3.0, keep_all=True, tag=authors
    )

    small = t.small(ITALIC)
    for n, aff in enumerate(affs, start=1):
        aspans = []
        if numbered:
            aspans.append(
                Span(str(n), t.text[REGULAR], small.size * 0.7, small.color, small.size * 0.34)
            )
        aspans.append(Span(aff, small.font, small.size, small.color))
        lines = break_lines(aspans, avail, lang=None, justify=False)
        space = 2.0 if n == 1 else 0.0
        tag = within(sect, f"P#affiliation{n}")
        items += _line_items(
            lines, small.leading, small.size, 0.0, avail, space, keep_all=True, tag=tag
        )

    items += _contacts(talk, t, within(sect, "P#contacts"))

    language = punctuation(t)
    opening = len(items)
    if talk.body:
        body_blocks = _cited(parse(talk.body, language), talk)
        items += flow.blocks(body_blocks, body, first_space=7.0, tag=sect)
    else:
        missing = (Paragraph((Run("Abstract to be announced.", ITALIC),)),)
        items += flow.blocks(missing, body, first_space=7.0, tag=sect)
    # The heading stays with the body's first two lines, also when the first paragraph
    # has only one line (which a paragraph's own keep rule would let go).
    if len(items) > opening:
        items[opening] = items[opening]._replace(keep=True)
    if talk.notes:
        notes = _cited(parse(talk.notes, language), talk)
        notes_tag = within(sect, "Div#notes")
        items += flow.blocks(notes, t.small(), para_space=2.0, first_space=6.0, tag=notes_tag)
    items += _references(talk, flow, within(sect, "Sect#references"))
    last = items[-1]
    items[-1] = Item(last.height, last.ops, False, last.space, last.brk, last.mark)
    return tuple(items)


def talk_section(talk_id: str) -> str:
    """The structure element of a talk: a section at the outline level of talks."""
    return f"Sect#3:talk-{talk_id}"


def _contacts(talk: Talk, t: Theme, tag: str) -> list[Item]:
    """'Correspondence:' and the corresponding authors' e-mails as mailto links, under
    the affiliations; with several authors each address follows its author's name."""
    contacts = talk.contacts
    if not contacts:
        return []
    st, face = t.small(), t.text[REGULAR]
    spans = [Span("Correspondence: ", t.text[ITALIC], st.size, st.color)]
    for i, a in enumerate(contacts):
        if i:
            spans.append(Span("; ", face, st.size, st.color))
        if len(talk.authors) > 1:
            spans.append(Span(f"{a.name}, ", face, st.size, st.color))
        email = a.email or ""
        spans.append(Span(email, face, st.size, t.accent, 0.0, f"mailto:{email}"))
    lines = break_lines(spans, t.frame_width, lang=None, justify=False)
    return _line_items(lines, st.leading, st.size, 0.0, t.frame_width, 2.0, keep_all=True, tag=tag)


def punctuation(theme: Theme) -> str | None:
    """The language whose dashes and quotes bodies, notes and references get; None:
    as typed (`layout.smart_punctuation: false`)."""
    return settings_punctuation(theme.settings)


def settings_punctuation(settings: Settings) -> str | None:
    """`punctuation` by the book's settings, before there is a theme: the preflight
    parses bodies as layout will, and a worker forked later finds them parsed."""
    return settings.language if settings.smart_punctuation else None


def _cited(blocks: tuple[Block, ...], talk: Talk) -> tuple[Block, ...]:
    """Blocks whose citations [n] link to the talk's n-th reference."""
    count = len(talk.references)
    if not count:
        return blocks
    return link_citations(blocks, lambda n: f"#{reference_key(talk.id, n)}" if n <= count else None)


REFERENCE_LABEL = 16.0  # room for "[12]" before a reference's text


def _heading_spans(talk: Talk, st: Style) -> list[Span]:
    """A talk's title as printed; a poster's board number in front is read as its label."""
    if not talk.board:
        return [Span(talk.heading, st.font, st.size, st.color)]
    return [
        Span(talk.board, st.font, st.size, st.color, role="Lbl"),
        Span(talk.heading[len(talk.board) :], st.font, st.size, st.color),
    ]


def _references(talk: Talk, flow: Flow, tag: str) -> list[Item]:
    """The numbered reference list, smaller than the body, after the body and notes;
    each entry is the destination its citations link to. In the structure a section
    with its heading and a list whose labels are the numbers."""
    if not talk.references:
        return []
    t = flow.theme
    st = t.small()
    smap = flow.style_map(st)
    avail = flow.avail - REFERENCE_LABEL
    head = single_line(Span("References", t.heading["bold"], st.size, st.color))
    heading = Text(0.0, st.leading * 0.8, flow.avail, head, within(tag, "H"))
    items = [Item(st.leading, (heading,), True, 7.0)]
    listed = within(tag, "L")
    face = t.text[REGULAR]
    for n, text in enumerate(talk.references, start=1):
        spans = _spans(reference(text, punctuation(t)), smap, t.accent)
        lines = break_lines(spans, avail, lang=None, justify=False)
        entry = within(listed, f"LI#{n}")
        refs = _line_items(
            lines,
            st.leading,
            st.size,
            REFERENCE_LABEL,
            avail,
            1.5,
            tag=within(entry, "LBody/BibEntry"),
            font=st.font,
        )
        first = refs[0]
        label = f"[{n}]"
        lw = width(label, face, st.size)
        label_line = Line((Frag(label, face, st.size, 0.0, st.color, None),), lw, 0, False)
        line_op = first.ops[0]
        assert isinstance(line_op, Text)
        label_op = Text(REFERENCE_LABEL - 4.0 - lw, line_op.y, lw, label_line, within(entry, "Lbl"))
        # render shows a destination 14 pt above its mark (a heading's cap height): a
        # reference's view starts at its own line, not at the line before
        dest = Dest(reference_key(talk.id, n), 0.0, 13.0)
        refs[0] = first._replace(ops=(dest, label_op, *first.ops))
        items += refs
    return items


# -- pagination ---------------------------------------------------------------------


def paginate(items: Sequence[Item], frame_height: float) -> list[list[tuple[Item, float]]]:
    """Items placed on pages: (item, its top's distance below the frame's top)."""
    return [[(items[i], y) for i, y in page] for page in place(items, frame_height)]


def place(items: Sequence[Item], frame_height: float) -> list[list[tuple[int, float]]]:
    """Fill pages first-fit, breaking only where `keep` allows; items by their index.

    When the next item does not fit, the page ends at the last allowed break on
    it; what follows moves on. A group taller than a page breaks where it must.
    A float (a figure) that does not fit the rest of the page waits for the top
    of the next one while the text goes on; floats keep their order.
    """
    pages: list[list[tuple[int, float]]] = []
    carry: list[int] = []  # floats waiting for the top of the page being filled
    i, n = 0, len(items)
    while i < n or carry:
        cur: list[tuple[int, float]] = []
        used = 0.0
        waiting: list[int] = []
        for f in carry:  # the floats that wait go first, as many as fit
            item = items[f]
            space = item.space if cur else 0.0
            if cur and used + space + item.height > frame_height + 0.01:
                waiting.append(f)
                continue
            cur.append((f, used + space))
            used += space + item.height
        top = len(cur)
        odd = False
        limit = frame_height + 0.01
        while i < n:
            item = items[i]
            brk = item.brk
            if brk is not None and cur:
                if brk != FLOAT:
                    odd = brk == "odd"
                    break
                if waiting or used + item.space + item.height > limit:
                    waiting.append(i)
                    i += 1
                    continue
            space = item.space if cur else 0.0
            if used + space + item.height <= limit or not cur:
                cur.append((i, used + space))
                used += space + item.height
                i += 1
                continue
            cut = len(cur)
            while cut > top and items[cur[cut - 1][0]].keep:
                cut -= 1
            if cut == top:  # nothing may break here: break at the page's end anyway
                cut = len(cur)
            if cut < len(cur):
                i = cur[cut][0]
                del cur[cut:]
                waiting = [w for w in waiting if w < i]
            break
        pages.append(cur)
        carry = waiting
        if odd and len(pages) % 2 == 1:
            pages.append([])
    return pages
