"""lay out, the pocket programme: a `Book` (its programme) -> the booklet's pages.

Title page, one grid per day, the sessions with their talks (time, title,
speakers, room, the abstract's page in the book when one was built), and a
speaker index giving day, time and room. Grid lines link to the talk's entry in
the list, index entries to the same. Pages are numbered 1, 2, ... from the title
page, and padded to `program.page.pad_to` (4: a saddle-stitched booklet).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from ..project.markup import ITALIC, REGULAR
from ..project.model import Book, Session, surname_key
from ..project.timing import TimedSession, TimedSlot, clock, room_label, timed_day
from .layout import Document, Item, Page, paginate
from .lines import break_lines, single_line, width
from .matter import _heading_item, _leader, day_heading, detail_lines, title_page_ops
from .ops import Dest, Link, Op, Text
from .pages import running_head
from .spans import Span
from .theme import Style, Theme
from .timetable import grid_pages

TIME_COLUMN = 30.0
PAGE_COLUMN = 22.0
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def slot_key(session: Session, slot: TimedSlot) -> str:
    """The destination of a talk's entry in the list: one per slot, as a talk may be
    given in more than one session."""
    return f"slot-{session.id}-{slot.index}"


def lay_out_pocket(book: Book, theme: Theme, book_pages: dict[str, str]) -> Document:
    """The booklet's pages; `book_pages` gives each talk's first page in the book."""
    assert book.program is not None
    s = book.settings
    talks = {e.talk.id: e.talk for e in book.entries}
    pages: list[Page] = []
    outline: list[tuple[str, str, int]] = []

    front = dataclasses.replace(book, settings=dataclasses.replace(s, subtitle="Programme"))
    pages.append(Page("", "title", title_page_ops(front, theme)))

    def link_of(ts: TimedSession, slot: TimedSlot) -> str | None:
        return slot_key(ts.session, slot) if slot.slot.talk_id in talks else None

    speakers = {tid: t.speaker for tid, t in talks.items()}
    titles = {tid: t.heading for tid, t in talks.items()}
    grids = grid_pages(
        book.program,
        theme,
        speakers,
        titles,
        link_of,
        title_lines=1,
        facing=lambda: (len(pages) + 1) % 2 == 0,
    )
    for grid in grids:
        if grid is None:
            pages.append(Page("", "blank"))
            continue
        page = _placed_page(grid.item, theme, len(pages) + 1, "Timetable")
        if grid.first_of_day:
            outline.append((day_heading(grid.day.date), f"timetable-{grid.day.date}", 0))
        pages.append(page)

    def flow(items: list[Item], head: str) -> None:
        for placed in paginate(items, theme.frame_height):
            page = Page("", "front", head=head)
            x0 = theme.frame_left(recto=(len(pages) + 1) % 2 == 1)
            page.placed = [(item, x0, theme.frame_top - y) for item, y in placed]
            pages.append(page)

    flow(_session_items(book, theme, book_pages), "Sessions")
    outline.append(("Sessions", "sessions", 0))
    index = _speaker_items(book, theme)
    if len(index) > 1:
        flow(index, "Speakers")
        outline.append(("Speakers", "speakers", 0))
    while s.page.pad_to > 1 and len(pages) % s.page.pad_to:
        pages.append(Page("", "blank"))
    for n, page in enumerate(pages, start=1):
        page.label = str(n)
        running_head(page, book, theme, n)
    return Document(tuple(pages), tuple(outline), {}, 0)


def _placed_page(item: Item, theme: Theme, index: int, head: str) -> Page:
    x0 = theme.frame_left(recto=index % 2 == 1)
    return Page("", "front", placed=[(item, x0, theme.frame_top)], head=head)


def short_day(day: dt.date) -> str:
    """'Mon 10 Mar': the day in the speaker index."""
    return f"{_WEEKDAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]}"


# -- the sessions and their talks ---------------------------------------------------------


def _session_items(book: Book, theme: Theme, book_pages: dict[str, str]) -> list[Item]:
    assert book.program is not None
    t = theme
    avail = t.frame_width
    items = [_heading_item("Sessions", t.heading_style(13.0), avail, 0.0, dest="sessions")]
    head_st = t.heading_style(8.5)
    detail_st = Style(t.text[ITALIC], 7.0, 8.6, t.grey)
    time_st = Style(t.heading["regular"], 7.0, 9.0, t.grey)
    title_st = Style(t.text[REGULAR], 7.5, 9.0, t.ink)
    talks = {e.talk.id: e.talk for e in book.entries}
    for n, day in enumerate(book.program.days):
        items.append(
            _heading_item(day_heading(day.date), t.heading_style(10.0), avail, 12.0 if n else 6.0)
        )
        for ts in timed_day(day):
            items.append(_session_head(ts, head_st, detail_st, avail))
            for slot in ts.slots:
                talk = talks.get(slot.slot.talk_id)
                if talk is None:
                    continue
                args = (
                    clock(slot.start) if slot.start is not None else "",
                    talk.heading,
                    talk.speaker,
                    book_pages.get(talk.id, ""),
                    slot_key(ts.session, slot),
                    time_st,
                    title_st,
                    detail_st,
                    avail,
                )
                items.append(_talk_item(*args))
    return items


def _session_head(ts: TimedSession, st: Style, detail_st: Style, avail: float) -> Item:
    s = ts.session
    when = ""
    if ts.start is not None:
        when = clock(ts.start) + (f"–{clock(ts.end)}" if ts.end is not None else "")
    spans = [Span(s.title, st.font, st.size, st.color)]
    if when:
        spans.insert(0, Span(when + "  ", st.font, st.size, st.color))
    lines = break_lines(spans, avail, lang=None, justify=False)
    y = st.size * 0.85
    ops: list[Op] = [Text(0.0, y + i * st.leading, avail, ln) for i, ln in enumerate(lines)]
    height = st.leading * len(lines)
    x = 0.0
    details = [room] if (room := room_label(s.room)) else []
    if s.chair:
        details.append(f"Chair: {s.chair}")
    for ln in detail_lines(details, detail_st, avail - x):
        ops.append(Text(x, height + detail_st.size * 0.85, avail - x, ln))
        height += detail_st.leading
    return Item(height + 1.5, tuple(ops), keep=True, space=7.0)


def _talk_item(
    start: str,
    title: str,
    who: str,
    book_page: str,
    key: str,
    time_st: Style,
    title_st: Style,
    who_st: Style,
    avail: float,
) -> Item:
    text_avail = avail - TIME_COLUMN - PAGE_COLUMN
    y = title_st.size * 0.85
    ops: list[Op] = [Dest(key, 0.0, 0.0)]
    if start:
        ops.append(Text(0.0, y, TIME_COLUMN, single_line(Span(start, *time_st[:2], time_st.color))))
    lines = break_lines(
        [Span(title, title_st.font, title_st.size, title_st.color)],
        text_avail,
        lang=None,
        justify=False,
    )
    ops += [
        Text(TIME_COLUMN, y + i * title_st.leading, text_avail, ln) for i, ln in enumerate(lines)
    ]
    if book_page:
        label = f"p. {book_page}"
        w = width(label, time_st.font, time_st.size)
        ops.append(Text(avail - w, y, w, single_line(Span(label, *time_st[:2], time_st.color))))
    height = title_st.leading * len(lines)
    for ln in break_lines(
        [Span(who, who_st.font, who_st.size, who_st.color)], text_avail, lang=None, justify=False
    ):
        ops.append(Text(TIME_COLUMN, height + who_st.size * 0.85, text_avail, ln))
        height += who_st.leading
    return Item(height, tuple(ops), space=3.0)


# -- the speaker index --------------------------------------------------------------------


def speaker_slots(book: Book) -> dict[tuple[tuple[str, str], str], list[tuple[str, str]]]:
    """Each presenting speaker, by sort key and printed name, with the slots they speak
    in: ('Mon 10 Mar, 10:15, Aula Magna', the slot's destination), in programme order."""
    assert book.program is not None
    talks = {e.talk.id: e.talk for e in book.entries}
    found: dict[tuple[tuple[str, str], str], list[tuple[str, str]]] = {}
    for day in book.program.days:
        for ts in timed_day(day):
            room = room_label(ts.session.room)
            for slot in ts.slots:
                talk = talks.get(slot.slot.talk_id)
                if talk is None:
                    continue
                when = clock(slot.start) if slot.start is not None else None
                text = ", ".join(x for x in (short_day(day.date), when, room) if x)
                for a in talk.presenters:
                    found.setdefault((surname_key(a), a.index_name), []).append(
                        (text, slot_key(ts.session, slot))
                    )
    return found


def _speaker_items(book: Book, theme: Theme) -> list[Item]:
    t = theme
    avail = t.frame_width
    st = Style(t.text[REGULAR], 7.5, 9.2, t.ink)
    when_st = Style(t.heading["regular"], 6.8, 9.2, t.grey)
    items = [_heading_item("Speakers", t.heading_style(13.0), avail, 0.0, dest="speakers")]
    for (_, name), slots in sorted(speaker_slots(book).items()):
        items.append(_speaker_entry(name, slots, st, when_st, avail))
    return items


def _speaker_entry(
    name: str, slots: list[tuple[str, str]], st: Style, when_st: Style, avail: float
) -> Item:
    """The name, then each slot right-aligned on a line of its own (the first beside
    the name when both fit), with dot leaders; each slot links to its entry."""
    ops: list[Op] = []
    name_lines = break_lines(
        [Span(name, st.font, st.size, st.color)], avail, lang=None, justify=False
    )
    y = st.size * 0.85
    ops += [Text(0.0, y + i * st.leading, avail, ln) for i, ln in enumerate(name_lines)]
    row = len(name_lines) - 1
    x_end = name_lines[-1].width
    for text, key in slots:
        line = single_line(Span(text, when_st.font, when_st.size, when_st.color))
        if x_end + 12.0 + line.width > avail:
            row += 1
            x_end = 10.0
        yy = y + row * st.leading
        leader = _leader(x_end, avail - line.width - 2.0, yy, when_st)
        if leader is not None:
            ops.append(leader)
        ops.append(Text(avail - line.width, yy, line.width, line))
        ops.append(Link(avail - line.width, yy - st.size, avail, yy + 2.0, key))
        x_end = avail
    return Item(st.leading * (row + 1), tuple(ops), space=1.0)
