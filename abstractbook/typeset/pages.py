"""lay out, the book level: talks' items and front and back matter -> numbered pages.

Front matter is numbered in roman numerals and padded to an even count, so page
1 is a recto and the body's page numbers never depend on the front matter.
Page numbers in the contents and indexes are filled in after pagination.
"""

from __future__ import annotations

import hashlib
import math
from bisect import bisect_right
from collections.abc import Callable, Sequence

from ..project.model import Book, Entry, TalkSlot, end_time
from ..project.timing import room_label
from .layout import (
    Document,
    Item,
    Memo,
    Page,
    TalkRun,
    dest_keys,
    page_refs,
    paginate,
    place,
    talk_key,
)
from .lines import break_lines, single_line, width
from .matter import (
    INDEX_GUTTER,
    author_index,
    day_heading,
    day_key,
    format_dates,
    index_column_width,
    index_items,
    keyword_index,
    program_items,
    session_heading_items,
    session_key,
    title_page_ops,
    toc_items,
)
from .ops import ARTIFACT, FOOTER, HEADER, Dest, Op, OpsOnDemand, PageRef, Rule, Text, drawn
from .spans import Frag, Line, Span
from .theme import Style, Theme
from .timetable import book_grid_pages

AFTER_HEADING = 10.0  # between a session's heading and its first abstract's title


def roman(n: int) -> str:
    out = ""
    for value, letters in (
        (1000, "m"),
        (900, "cm"),
        (500, "d"),
        (400, "cd"),
        (100, "c"),
        (90, "xc"),
        (50, "l"),
        (40, "xl"),
        (10, "x"),
        (9, "ix"),
        (5, "v"),
        (4, "iv"),
        (1, "i"),
    ):
        while n >= value:
            out += letters
            n -= value
    return out


def lay_out(
    book: Book,
    theme: Theme,
    talk_items: dict[str, tuple[Item, ...]],
    memo: Memo | None = None,
    heads: Heads | None = None,
    body_ready: Callable[[list[Page]], None] | None = None,
) -> Document:
    """Assemble title page, contents, programme, abstracts and indexes into pages.
    `memo` and `heads` may hold an earlier build's entries and running heads.

    The body is paginated first: its pages, numbers and running heads depend on
    nothing before them (the front matter fills an even number of pages). Then
    `body_ready` is given the body's pages, final from then on (a build draws them
    while the rest is paginated)."""
    s = book.settings
    memo = memo if memo is not None else Memo(keep=False)
    heads = heads if heads is not None else Heads()
    body: list[Page] = []
    spans = _body(book, theme, talk_items, body, memo)
    for i, p in enumerate(body, start=1):
        p.label = str(i)
        running_head(p, book, theme, i, heads)  # a recto where i is odd, as in the book
    if body_ready is not None:
        body_ready(body)

    pages: list[Page] = []
    outline: list[tuple[str, str, int]] = []

    def flow(items: list[Item], kind: str, head: str) -> None:
        for placed in paginate(items, theme.frame_height):
            page = _page_from("", kind, placed, theme, len(pages) + 1)
            page.head = head
            pages.append(page)

    for part in s.front_matter:
        if part == "title_page":
            pages.append(Page("", "title", title_page_ops(book, theme)))
            pages.append(Page("", "blank"))
        elif part == "toc":
            flow(toc_items(book, theme, memo), "front", "Contents")
        elif part == "timetable" and book.program is not None:
            grid = book_grid_pages(book, theme, len(pages) + 1, memo)
            pages += grid
            if grid:
                outline.append(("Timetable", "timetable", 0))
        elif part == "program" and book.program is not None:
            flow(program_items(book, theme, memo), "front", "Programme")
            outline.append(("Programme", "programme", 0))
    if len(pages) % 2:
        pages.append(Page("", "blank"))
    front = len(pages)
    for i, p in enumerate(pages):
        p.label = roman(i + 1)
    pages += body
    spans = {tid: (first + front, last + front) for tid, (first, last) in spans.items()}
    outline += _talk_outline(book)

    labels = {tid: pages[first - 1].label for tid, (first, _) in spans.items()}
    backs = {
        "author_index": ("Author index", "author-index", author_index),
        "keyword_index": ("Keyword index", "keyword-index", keyword_index),
    }
    for part in s.back_matter:
        title, dest, collect = backs[part]
        entries = collect(book, labels)
        if not entries:
            continue
        if len(pages) % 2:  # an index opens on a recto
            pages.append(Page("", "blank"))
        columns = _balanced(
            paginate(index_items(theme, title, dest, entries, memo), theme.frame_height)
        )
        step = index_column_width(theme) + INDEX_GUTTER
        for n in range(0, len(columns), 2):
            page = _page_from("", "back", columns[n], theme, len(pages) + 1)
            if n + 1 < len(columns):
                right = _page_from("", "back", columns[n + 1], theme, len(pages) + 1)
                page.placed += [(item, x0 + step, top) for item, x0, top in right.placed]
            page.head = title
            pages.append(page)
        outline.append((title, dest, 0))

    pad = s.page.pad_to
    while pad > 1 and len(pages) % pad:
        pages.append(Page("", "blank"))
    after = front + len(body)  # the back matter's pages, numbered on from the body's
    for i, p in enumerate(pages[after:], start=len(body) + 1):
        p.label = str(i)

    refs = {talk_key(tid): label for tid, label in labels.items()}
    for p in pages:
        if p.kind == "body":
            continue
        keys = [key for item, _, _ in p.placed for key in dest_keys(item)]
        for key in keys + [op.key for op in p.extra if isinstance(op, Dest)]:
            if key not in refs:
                refs[key] = p.label
    for index, p in enumerate(pages, start=1):
        if front < index <= after:  # the body's, headed already
            continue
        p.placed = [(_resolved(item, refs, memo), x0, top) for item, x0, top in p.placed]
        p.extra = [_resolve(op, refs) for op in p.extra]
        running_head(p, book, theme, index, heads)
    return Document(tuple(pages), tuple(outline), spans, front)


def body_page_labels(
    book: Book, theme: Theme, talk_items: dict[str, tuple[Item, ...]]
) -> dict[str, str]:
    """Each talk's first page as printed in the book. The body is numbered from 1
    after an even number of front pages, so this needs no front or back matter."""
    spans = _body(book, theme, talk_items, [])
    return {tid: str(first) for tid, (first, _) in spans.items()}


def _balanced(columns: list[list[tuple[Item, float]]]) -> list[list[tuple[Item, float]]]:
    """Columns whose last page shares its entries evenly between its two columns."""
    last = len(columns) - (2 if len(columns) % 2 == 0 else 1)
    items = [item for col in columns[last:] for item, _ in col]
    total = sum(item.height + item.space for item in items)
    height = total / 2
    while True:  # the shortest height that fits the last page's items in two columns
        tail = paginate(items, height)
        if len(tail) <= 2:
            return columns[:last] + tail
        height += 2.0


def _body(
    book: Book,
    theme: Theme,
    talk_items: dict[str, tuple[Item, ...]],
    pages: list[Page],
    memo: Memo | None = None,
) -> dict[str, tuple[int, int]]:
    """Paginate the abstracts, and with a programme the headings of their days and
    sessions, onto `pages`; returns each talk's first and last page."""
    s = book.settings
    body_items: list[Item] = []
    starts: list[int] = []  # where each run of items (a talk's, a heading's) begins
    ids: list[str] = []  # the talk, or a heading's name, of each run
    brk = {"page": "page", "odd-page": "odd"}
    last_day = None
    previous = None
    for n, entry in enumerate(book.entries):
        items = _kept_whole(talk_items[entry.talk.id], theme) if s.keep_together else None
        items = items or talk_items[entry.talk.id]
        talk_brk = brk.get(s.abstract_start) if n else None
        section = book.sections[entry.section]
        if entry.section != previous and section.title is not None:
            previous = entry.section
            head = session_heading_items(
                section,
                entry.section,
                section.day is not None and section.day != last_day,
                theme,
                memo,
            )
            last_day = section.day or last_day
            first_brk = (brk.get(s.session_start) or talk_brk) if n else None
            head[0] = head[0]._replace(space=24.0, brk=first_brk)
            together = _height(head) + AFTER_HEADING + _height(items)
            if s.keep_together and together > theme.frame_height:
                items = talk_items[entry.talk.id]  # with the heading it cannot be whole
            starts.append(len(body_items))
            ids.append("heading:" + _digest(head))
            body_items += head
            items = (items[0]._replace(space=AFTER_HEADING), *items[1:])
        elif talk_brk:
            items = (items[0]._replace(brk=talk_brk), *items[1:])
        starts.append(len(body_items))
        ids.append(entry.talk.id)
        body_items += items
    talk_pages: dict[str, list[int]] = {}
    talk_by_id = {e.talk.id: e for e in book.entries}
    speakers: dict[str, str] = {}
    for indexes in place(body_items, theme.frame_height):
        index = len(pages) + 1
        placed = [(body_items[i], y) for i, y in indexes]
        page = _page_from("", "body" if placed else "blank", placed, theme, index)
        first, last = (indexes[0][0], indexes[-1][0]) if indexes else (0, -1)
        if placed and last - first + 1 == len(indexes):  # in order: no figure floated
            page.runs = _runs(ids, starts, first, last + 1)
            on_page = [t for t, _, _ in page.runs]
        else:  # a floated figure belongs to the talk it was written in
            owners = (ids[bisect_right(starts, i) - 1] for i, _ in indexes)
            on_page = list(dict.fromkeys(owners))
        on_page = [t for t in on_page if t in talk_by_id]  # headings are no talks
        for tid in on_page:
            talk_pages.setdefault(tid, []).append(index)
        if on_page:
            page.talks = on_page
            entry = talk_by_id[on_page[0]]
            if entry.talk.id not in speakers:  # once per talk: a talk can have thousands
                speakers[entry.talk.id] = entry.talk.speaker
            page.head = book.sections[entry.section].title or speakers[entry.talk.id]
        pages.append(page)
    return {tid: (min(v), max(v)) for tid, v in talk_pages.items()}


def _height(items: tuple[Item, ...] | list[Item]) -> float:
    """The room items take stacked on a fresh page (the first one's space dropped)."""
    return sum(i.height + i.space for i in items) - items[0].space


def _kept_whole(items: tuple[Item, ...], theme: Theme) -> tuple[Item, ...] | None:
    """A talk that fits on a page, held together (`layout.keep_together`): it moves to
    the next page rather than split. None when it is longer than a page."""
    if _height(items) > theme.frame_height:
        return None
    return (*(i._replace(keep=True) for i in items[:-1]), items[-1])


def _digest(items: list[Item]) -> str:
    """What heading items draw, for page hashes (named like a talk's run)."""
    shapes = [(i.height, i.keep, i.space, i.brk, tuple(map(drawn, i.ops))) for i in items]
    return hashlib.sha1(repr(shapes).encode("utf-8"), usedforsecurity=False).hexdigest()


def _runs(ids: list[str], starts: list[int], first: int, end: int) -> tuple[TalkRun, ...]:
    """The talks' items body_items[first:end] as (talk id, first place, last place)."""
    runs = []
    t = bisect_right(starts, first) - 1
    while first < end:
        stop = min(end, starts[t + 1] if t + 1 < len(starts) else end)
        runs.append((ids[t], first - starts[t], stop - 1 - starts[t]))
        first, t = stop, t + 1
    return tuple(runs)


def _talk_outline(book: Book) -> list[tuple[str, str, int]]:
    """Bookmarks mirroring the contents: days, their sessions, then talks, as parents
    of what they hold; a talk as its heading prints (a poster with its board number)."""
    outline = []
    grouped = len(book.sections) > 1 or book.sections[0].title is not None
    printed = {e.section for e in book.entries}  # sections whose heading is in the body
    days_printed = {book.sections[n].day for n in printed}
    listings = book.section_listings()
    last_day = None
    for n, (section, entries) in enumerate(zip(book.sections, listings, strict=True)):
        if not entries:
            continue
        level = 0
        if grouped:
            first = talk_key(entries[0].talk.id)
            if section.day is not None:
                if section.day != last_day:
                    key = day_key(section.day) if section.day in days_printed else first
                    outline.append((day_heading(section.day), key, 0))
                    last_day = section.day
                level = 1
            title = section.title or ""  # the day above it tells parallel sessions apart
            outline.append((title, session_key(n) if n in printed else first, level))
            level += 1
        outline += [(e.talk.heading, talk_key(e.talk.id), level) for e in entries]
    return outline


def _page_from(
    label: str, kind: str, placed: list[tuple[Item, float]], theme: Theme, index: int
) -> Page:
    """Place items on a page: frame offsets, mirrored by recto/verso."""
    x0 = theme.frame_left(recto=index % 2 == 1)
    top = theme.frame_top
    return Page(label, kind, placed=[(item, x0, top - y) for item, y in placed])


def _resolved(item: Item, labels: dict[str, str], memo: Memo) -> Item:
    """An item with its page numbers filled in; named after its memo key and the
    numbers, as the item with blanks was named after its key."""
    refs = tuple(labels.get(key, "") for key in page_refs(item))
    if not refs:
        return item
    filled = item._replace(ops=_Resolved(item.ops, labels))
    key = memo.names.get(id(item))
    if key is not None:
        memo.names[id(filled)] = (*key, refs)
    return filled


class _Resolved(OpsOnDemand):
    """An item's operations with its page numbers filled in when first read: a page
    that a rebuild takes from the cache never reads them."""

    __slots__ = ("base", "labels", "_ops")

    def __init__(self, base: Sequence[Op], labels: dict[str, str]) -> None:
        self.base = base
        self.labels = labels
        self._ops: tuple[Op, ...] | None = None

    def _read(self) -> tuple[Op, ...]:
        if self._ops is None:
            self._ops = tuple(_resolve(op, self.labels) for op in self.base)
        return self._ops


def _resolve(op: Op, labels: dict[str, str]) -> Op:
    if not isinstance(op, PageRef):
        return op
    label = labels.get(op.key, "")
    w = width(label, op.font, op.size)
    frag = Frag(label, op.font, op.size, 0.0, op.color, None)
    return Text(op.x_right - w, op.y, w, Line((frag,), w, 0, False), op.tag)


class Heads:
    """Running heads and folios as set lines, by text and room: the same heads come
    back page after page, and a rebuild takes the last build's from the cache (for
    the same settings and fonts) instead of shaping a thousand folios again."""

    def __init__(self, known: dict[tuple[str, float], Line] | None = None) -> None:
        self.known = known or {}
        self.used: dict[tuple[str, float], Line] = {}  # this build's, for the next

    def line(self, text: str, st: Style, room: float) -> Line:
        """`text` on one line in the running heads' style, shortened to fit `room`."""
        key = (text, room)
        line = self.used.get(key)
        if line is None:
            line = self.known.get(key)
            if line is None:
                line = _clip(text, st, room)
            self.used[key] = line
        return line


def running_head(
    page: Page, book: Book, theme: Theme, index: int, heads: Heads | None = None
) -> None:
    """Folio at the outer corner; book title on versos, section or speaker on rectos.
    `heads` keeps the lines of heads and folios set before."""
    if page.kind in ("title", "blank"):
        return
    st = theme.running()
    recto = index % 2 == 1
    x0 = theme.frame_left(recto)
    x1 = x0 + theme.frame_width
    y = theme.frame_top + 14.0
    heads = heads if heads is not None else Heads()
    folio = heads.line(page.label, st, math.inf)  # a folio is never shortened
    fw = folio.width
    if page.kind in ("front", "back"):
        head = page.head
    elif recto:
        head = page.head or book.settings.title
    else:
        head = book.settings.title
    head_line = heads.line(head, st, theme.frame_width - fw - 12)
    hw = head_line.width
    if recto:
        page.extra += [
            Text(x1 - fw - 10 - hw, y, hw, head_line, HEADER),
            Text(x1 - fw, y, fw, folio, HEADER),
        ]
    else:
        page.extra += [Text(x0, y, fw, folio, HEADER), Text(x0 + fw + 10, y, hw, head_line, HEADER)]
    page.extra.append(Rule(x0, y - 4.0, x1, y - 4.0, 0.4, st.color, HEADER))


_HEAD_CHARS = 300  # more than any running head can show


def _clip(text: str, st: Style, avail: float) -> Line:
    """A running head on one line, shortened with an ellipsis when it is too long (the
    longest start that fits, found by halving: a huge name costs a few measurements)."""
    if len(text) <= _HEAD_CHARS:
        line = single_line(Span(text, st.font, st.size, st.color))
        if line.width <= avail:
            return line
    lo, hi = 0, min(len(text), _HEAD_CHARS)  # text[:lo] + "…" fits; text[:hi + 1] does not

    def shortened(n: int) -> Line:
        return single_line(Span(text[:n].rstrip() + "…", st.font, st.size, st.color))

    while lo < hi:
        mid = (lo + hi + 1) // 2
        if shortened(mid).width <= avail:
            lo = mid
        else:
            hi = mid - 1
    return shortened(lo)


# -- one talk on its own (per-talk export) ------------------------------------------


def _when(slot: TalkSlot) -> str:
    """Day, time, session and room of one slot, as the per-talk head prints it."""
    when = [day_heading(slot.day)] if slot.day else []
    if slot.start:
        end = f"–{end_time(slot.start, slot.duration)}" if slot.duration else ""
        when.append(slot.start + end)
    if slot.session:
        when.append(slot.session.title)
    room = room_label(slot.room)
    if room:
        when.append(room)
    return ", ".join(when)


def lay_out_talk_alone(
    book: Book, theme: Theme, entry: Entry, items: tuple[Item, ...], book_page: str
) -> Document:
    """A talk as its own small document: the meeting in the head, the book page at the foot.

    The talk's items are the very ones the book uses, so it looks the same.
    """
    s = book.settings
    grey = Style(theme.text["regular"], 7.8, 10.0, theme.grey)
    dates = format_dates(s.date_start, s.date_end)
    head_lines = [" · ".join(x for x in (s.title, dates) if x)]
    head_lines += [_when(slot) for slot in entry.slots]  # every time the talk is given
    avail = theme.frame_width
    ops: list[Op] = []
    y = 0.0
    for text in head_lines:
        for ln in break_lines(
            [Span(text, grey.font, grey.size, grey.color)], avail, lang=None, justify=False
        ):
            y += grey.leading
            ops.append(Text(0.0, y - grey.leading * 0.25, avail, ln, "P#meeting"))
    ops.append(Rule(0.0, y + 4.0, avail, y + 4.0, 0.4, theme.grey, ARTIFACT))
    flow = [Item(y + 4.0, tuple(ops), keep=True), items[0]._replace(space=14.0), *items[1:]]
    placed_pages = paginate(flow, theme.frame_height)
    pages: list[Page] = []
    total = len(placed_pages)
    for n, placed in enumerate(placed_pages, start=1):
        page = _page_from(str(n), "body", placed, theme, 1)  # no facing pages on screen
        foot = f"{s.title}, book of abstracts, page {book_page}" if book_page else s.title
        if total > 1:
            foot += f"  ·  {n}/{total}"
        foot_line = single_line(Span(foot, grey.font, grey.size, grey.color))
        x = theme.frame_left(recto=True) + (avail - foot_line.width) / 2
        page.extra.append(Text(x, s.page.bottom - 20.0, foot_line.width, foot_line, FOOTER))
        pages.append(page)
    outline = ((entry.talk.title, talk_key(entry.talk.id), 0),)
    return Document(tuple(pages), outline, {entry.talk.id: (1, total)}, 0)
