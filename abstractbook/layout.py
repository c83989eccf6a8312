"""lay out: a `Book` and its `Theme` -> pages of positioned drawing operations.

One pass: front matter is numbered in roman numerals, so its length does not
depend on the body; the TOC's line breaks leave a fixed column for page
numbers, which are filled in once the body is paginated. Each talk's items are
a pure function of the talk and the theme (`layout_talk`), shared by the book
and the per-talk export, and cacheable across builds.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from .formulas import OBJECT, formula, simple
from .lines import Frag, Line, Span, break_lines, width
from .markup import BOLD, BOLD_ITALIC, ITALIC, REGULAR, Block, ListBlock, Paragraph, Run, parse
from .model import Talk
from .ops import Dest, DisplayMath, Op, Text, drawn, translate
from .theme import Style, Theme


class Item(NamedTuple):
    """A slice of the flow: ops at x from the frame's left, y down from the item's top.

    `ops` is a tuple, or for a talk from the rebuild cache a sequence read when first
    used: paginating and naming pages needs only the other fields."""

    height: float
    ops: Sequence[Op]
    keep: bool = False  # keep with the next item on the same page
    space: float = 0.0  # space before; dropped at the top of a page
    brk: str | None = None  # "page" or "odd": start a new (odd) page first
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


class Memo:
    """Laid-out entries of the contents, programme and indexes by everything they
    depend on: a rebuild reuses them (only page numbers change, filled in later).

    Entries of earlier builds (`known`) and of this one (`used`) are kept pickled,
    with a digest of their key: the cache writes them back without pickling them
    again. `names` gives each item handed out that digest, which says what it draws
    in fewer characters than its operations (for page hashes).
    """

    def __init__(
        self, known: dict[tuple[Any, ...], tuple[bytes, str]] | None = None, keep: bool = True
    ) -> None:
        self.known = known or {}
        self.used: dict[tuple[Any, ...], tuple[bytes, str]] = {}
        self.keep = keep  # pickle what is made now, for a later build
        self.items: dict[tuple[Any, ...], Item] = {}
        self.names: dict[int, tuple[Any, ...]] = {}

    def get(self, key: tuple[Any, ...], make: Callable[[], Item]) -> Item:
        item = self.items.get(key)
        if item is None:
            entry = self.known.get(key)
            item = pickle.loads(entry[0]) if entry is not None else None
            if entry is None or not isinstance(item, Item):
                item = make()
                name = item_digest(item)
                packed = pickle.dumps(item, pickle.HIGHEST_PROTOCOL) if self.keep else b""
                entry = (packed, name)
            self.items[key] = item
            self.used[key] = entry
            self.names[id(item)] = ("memo", entry[1])
        return item


def item_digest(item: Item) -> str:
    """What an item draws and how much room it takes, as a digest: made once when a
    talk is laid out, kept with it in the cache."""
    ops = tuple(map(drawn, item.ops))
    shown = repr((item.height, item.keep, item.space, item.mark, ops))
    return hashlib.sha1(shown.encode("utf-8"), usedforsecurity=False).hexdigest()


@dataclass(frozen=True)
class Document:
    pages: tuple[Page, ...]
    outline: tuple[tuple[str, str, int], ...]  # (title, destination key, level)
    talk_pages: dict[str, tuple[int, int]]  # id -> (first, last) physical page, from 1
    front_pages: int


def talk_key(talk_id: str) -> str:
    return f"talk-{talk_id}"


# -- paragraphs and blocks ----------------------------------------------------------


def _spans(runs: tuple[Run, ...], style_of: dict[str, Style], link_color: str) -> list[Span]:
    out = []
    for r in runs:
        st = style_of.get(r.style, style_of[REGULAR])
        color = link_color if r.href else st.color
        if r.math:
            out += _math_spans(r.text, style_of, color, r.href)
        else:
            out.append(Span(r.text, st.font, st.size, color, 0.0, r.href))
    return out


def _math_spans(tex: str, style_of: dict[str, Style], color: str, href: str | None) -> list[Span]:
    """Simple math as text (italic letters, upright digits and operators), else a drawing."""
    base = style_of[REGULAR]
    pieces = simple(tex)
    if pieces is None:
        return [Span(tex, OBJECT, base.size, color, 0.0, href)]
    out = []
    for text, italic, script in pieces:
        font = style_of[ITALIC if italic else REGULAR].font
        size = base.size * (0.7 if script else 1.0)
        rise = {"sup": base.size * 0.36, "sub": -base.size * 0.16}.get(script, 0.0)
        out.append(Span(text, font, size, color, rise, href))
    return out


def _line_items(
    lines: list[Line],
    leading: float,
    size: float,
    x: float,
    avail: float,
    space: float,
    keep_all: bool = False,
) -> list[Item]:
    """Items of a paragraph's lines; no single line is left at a page's foot or head."""
    n = len(lines)
    items = []
    baseline = leading - (leading - size) / 2 - size * 0.2
    for k, line in enumerate(lines, start=1):
        breakable = k >= 2 and n - k >= 2
        above, below = _formula_extent(line, size)
        # A book has many lines: plain ones share their numbers instead of new floats.
        if line.indent or above or below:
            op = Text(x + line.indent, baseline + above, avail - line.indent, line)
            height = leading + above + below
        else:
            op, height = Text(x, baseline, avail, line), leading
        items.append(
            Item(
                height,
                (op,),
                keep=keep_all or (k < n and not breakable),
                space=space if k == 1 else 0.0,
            )
        )
    return items


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

    def __init__(self, theme: Theme, lang: str | None) -> None:
        self.theme, self.lang = theme, lang
        self.avail = theme.frame_width

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
    ) -> list[Item]:
        items: list[Item] = []
        smap = self.style_map(base)
        for i, block in enumerate(blocks):
            space = first_space if i == 0 else para_space
            if isinstance(block, Paragraph):
                items += self.paragraph(block, smap, base, indent, space)
            else:
                items += self.list_block(block, base, indent, space)
        return items

    def paragraph(
        self, p: Paragraph, smap: dict[str, Style], base: Style, indent: float, space: float
    ) -> list[Item]:
        spans = _spans(p.runs, smap, self.theme.accent)
        justify = p.kind == "text"
        lang = self.lang if p.kind == "text" else None
        avail = self.avail - indent
        lines = break_lines(spans, avail, lang=lang, justify=justify)
        if p.kind == "code":
            space = 0.0
        if p.kind == "math" and simple(p.runs[0].text) is None:
            return [self.display_formula(p.runs[0].text, base, indent, avail, space)]
        if p.kind == "math":  # display formula as text, centred
            lines = [
                Line(ln.frags, ln.width, ln.spaces, False, max(0.0, (avail - ln.width) / 2))
                for ln in lines
            ]
        return _line_items(lines, base.leading, base.size, indent, avail, space)

    def display_formula(
        self, tex: str, base: Style, indent: float, avail: float, space: float
    ) -> Item:
        f = formula(tex, base.size)
        x = indent + max(0.0, (avail - f.width) / 2)
        return Item(
            f.height + 6.0, (DisplayMath(tex, base.size, x, 3.0 + f.height - f.depth),), space=space
        )

    def list_block(self, lst: ListBlock, base: Style, indent: float, space: float) -> list[Item]:
        items: list[Item] = []
        step = 13.0 if not lst.ordered else 15.0
        label_font = self.theme.text[REGULAR]
        for n, item_blocks in enumerate(lst.items):
            label = f"{lst.start + n}." if lst.ordered else ("•" if indent == 0 else "–")
            sub = self.blocks(
                item_blocks,
                base,
                indent + step,
                para_space=2.0,
                first_space=space if n == 0 else 2.0,
            )
            if not sub:
                continue
            first = sub[0]
            op = first.ops[0]  # the label sits on the first line's (or formula's) baseline
            y = op.y if isinstance(op, Text | DisplayMath) else 0.0
            lw = width(label, label_font, base.size)
            label_line = Line(
                (Frag(label, label_font, base.size, 0.0, base.color, None),), lw, 0, False
            )
            label_op = Text(indent + step - 4.0 - lw, y, lw, label_line)
            sub[0] = Item(first.height, (*first.ops, label_op), first.keep, first.space)
            items += sub
        return items


# -- a talk -------------------------------------------------------------------------


def layout_talk(talk: Talk, theme: Theme, *, head_space: float = 24.0) -> tuple[Item, ...]:
    """Title, authors, affiliations, body and notes of one talk, as flow items."""
    t = theme
    lang = t.settings.language if t.settings.hyphenate else None
    flow = Flow(t, lang)
    avail = t.frame_width
    items: list[Item] = []

    ts = t.title()
    lines = break_lines(
        [Span(talk.heading, ts.font, ts.size, ts.color)], avail, lang=None, justify=False
    )
    head = _line_items(lines, ts.leading, ts.size, 0.0, avail, 0.0, keep_all=True)
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
    items += _line_items(lines, body.leading, body.size, 0.0, avail, 3.0, keep_all=True)

    small = t.small(ITALIC)
    for n, aff in enumerate(affs, start=1):
        aspans = []
        if numbered:
            aspans.append(
                Span(str(n), t.text[REGULAR], small.size * 0.7, small.color, small.size * 0.34)
            )
        aspans.append(Span(aff, small.font, small.size, small.color))
        lines = break_lines(aspans, avail, lang=None, justify=False)
        items += _line_items(
            lines, small.leading, small.size, 0.0, avail, 2.0 if n == 1 else 0.0, keep_all=True
        )

    opening = len(items)
    if talk.body:
        items += flow.blocks(parse(talk.body), body, first_space=7.0)
    else:
        items += flow.blocks(
            (Paragraph((Run("Abstract to be announced.", ITALIC),)),), body, first_space=7.0
        )
    # The heading stays with the body's first two lines, also when the first paragraph
    # has only one line (which a paragraph's own keep rule would let go).
    if len(items) > opening:
        items[opening] = items[opening]._replace(keep=True)
    if talk.notes:
        items += flow.blocks(parse(talk.notes), t.small(), para_space=2.0, first_space=6.0)
    last = items[-1]
    items[-1] = Item(last.height, last.ops, False, last.space, last.brk, last.mark)
    return tuple(items)


# -- pagination ---------------------------------------------------------------------


def paginate(items: list[Item], frame_height: float) -> list[list[tuple[Item, float]]]:
    """Fill pages first-fit, breaking only where `keep` allows.

    When the next item does not fit, the page ends at the last allowed break on
    it; what follows moves on. A group taller than a page breaks where it must.
    """
    pages: list[list[tuple[Item, float]]] = []
    cur: list[tuple[Item, float]] = []
    used = 0.0
    i = 0
    n = len(items)
    start_index = 0  # index in `items` of cur[0]
    while i < n:
        item = items[i]
        if item.brk and cur:
            pages.append(cur)
            cur, used, start_index = [], 0.0, i
            if item.brk == "odd" and len(pages) % 2 == 1:
                pages.append([])
            continue
        space = item.space if cur else 0.0
        if used + space + item.height <= frame_height + 0.01 or not cur:
            cur.append((item, used + space))
            used += space + item.height
            i += 1
            continue
        cut = len(cur)
        while cut > 0 and cur[cut - 1][0].keep:
            cut -= 1
        if cut == 0:  # nothing may break here: break at the page's end anyway
            cut = len(cur)
        pages.append(cur[:cut])
        i = start_index + cut
        start_index = i
        cur, used = [], 0.0
    if cur:
        pages.append(cur)
    return pages
