"""lay out, the timetable: a programme's days -> grid pages, rooms as columns, time down.

Shared by the book's `timetable` front matter and the pocket programme. Each
session is a block in its room's column from its start to its end, so what runs
at the same time reads across; breaks and plenaries (`room: all`) cross every
column. The rules, decided once:

- Time scale: per day, the smallest that gives every block room for its title,
  chair and talks (never under MIN_SCALE), but at most one page per session.
- Long days: the grid continues on the next page, cut at a time no session
  crosses where there is one, with the time axis and the room heads repeated.
- Many rooms: a column is never narrower than MIN_COLUMN; when the rooms do not
  fit, they are split into even groups on consecutive pages (facing pages when
  there are two), each with its own time axis. Text is never set below 6 pt.
- Two sessions at once in one room share its column side by side.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, partial

from ..project.model import Book, Day, Program
from ..project.timing import TimedSession, TimedSlot, room_order, timed_day
from .grid import (
    AXIS,
    LinkOf,
    Row,
    Styles,
    block_rows,
    columns,
    day_head,
    day_section,
    page_ops,
    room_heads,
    rows_height,
    styles,
)
from .layout import Item, Memo, Page, talk_key
from .ops import Dest
from .theme import Theme

MIN_COLUMN = 46.0  # the narrowest room column (about 16 mm)


MIN_SCALE = 0.55  # points per minute: an hour is at least 33 pt


@dataclass(frozen=True)
class GridPage:
    """One page of a day's grid: its ops in frame coordinates (an Item's)."""

    day: Day
    item: Item
    first_of_day: bool


def _lanes(sessions: list[TimedSession]) -> tuple[dict[int, int], int]:
    """Sessions of one room that overlap go side by side: each one's lane, and how many."""
    lane_ends: list[int] = []
    lane_of: dict[int, int] = {}
    for ts in sorted(sessions, key=lambda t: (t.start or 0, t.end or 0, t.index)):
        assert ts.start is not None and ts.end is not None
        for n, end in enumerate(lane_ends):
            if end <= ts.start:
                lane_ends[n] = ts.end
                lane_of[ts.index] = n
                break
        else:
            lane_of[ts.index] = len(lane_ends)
            lane_ends.append(ts.end)
    return lane_of, max(1, len(lane_ends))


def room_groups(
    rooms: tuple[str, ...], frame_width: float, lanes: dict[str, int] | None = None
) -> list[tuple[str, ...]]:
    """The rooms split into even groups, each narrow enough for one page: a room takes
    a column of at least MIN_COLUMN per lane (sessions at once in it)."""
    per_page = max(1, int((frame_width - AXIS) // MIN_COLUMN))
    units = [(lanes or {}).get(r, 1) for r in rooms]
    count = max(1, math.ceil(sum(units) / per_page))
    groups: list[tuple[str, ...]] = []
    current: list[str] = []
    used = done = 0
    for room, n in zip(rooms, units, strict=True):
        boundary = sum(units) * (len(groups) + 1) / count
        if current and (used + n > per_page or done + n > boundary + 0.5):
            groups.append(tuple(current))
            current, used = [], 0
        current.append(room)
        used += n
        done += n
    return [*groups, tuple(current)]


def grid_pages(
    program: Program,
    theme: Theme,
    speakers: dict[str, str],
    titles: dict[str, str],
    link_of: LinkOf,
    *,
    title_lines: int = 2,
    facing: Callable[[], bool] | None = None,
    memo: Memo | None = None,
) -> list[GridPage | None]:
    """Every day's grid, page by page. A None asks for a blank page first, so that a
    day split over two room groups opens on a verso (`facing` says whether the next
    page would be one). With `memo`, a day whose sessions, talks and links are as an
    earlier build had them is not laid out again."""
    st = styles(theme)
    order = room_order(program)
    memo = memo if memo is not None else Memo(keep=False)
    out: list[GridPage | None] = []
    for day in program.days:
        sessions = [t for t in timed_day(day) if t.start is not None and t.end is not None]
        if not sessions:
            continue
        make = cache(
            partial(
                _day_items, day, sessions, order, theme, st, speakers, titles, link_of, title_lines
            )
        )
        key = _day_key(day, sessions, order, theme, speakers, titles, link_of, title_lines)
        items, groups = _remembered(memo, key, make)
        if groups == 2 and facing is not None and not facing():
            out.append(None)
        out += [GridPage(day, item, first_of_day=n == 0) for n, item in enumerate(items)]
    return out


def _remembered(
    memo: Memo, key: tuple[object, ...], make: Callable[[], tuple[list[Item], int]]
) -> tuple[list[Item], int]:
    """A day's pages from the memo (one entry a page, and one saying how many pages
    and room groups), laid out by `make` only when missing."""
    count = memo.get((*key, "pages"), lambda: Item(float(len(make()[0])), (), space=make()[1]))
    items = [memo.get((*key, n), partial(_page_item, make, n)) for n in range(int(count.height))]
    return items, int(count.space)


def _page_item(make: Callable[[], tuple[list[Item], int]], n: int) -> Item:
    return make()[0][n]


def _day_key(
    day: Day,
    sessions: list[TimedSession],
    order: tuple[str, ...],
    theme: Theme,
    speakers: dict[str, str],
    titles: dict[str, str],
    link_of: LinkOf,
    title_lines: int,
) -> tuple[object, ...]:
    """Everything a day's grid shows, as plain values (no places in files: moving a line
    of program.yaml changes no page)."""
    shown = tuple(
        (
            ts.session.id,
            ts.session.title,
            ts.session.chair,
            ts.session.room,
            ts.start,
            ts.end,
            tuple(
                (
                    slot.start,
                    speakers.get(slot.slot.talk_id, slot.slot.talk_id),
                    titles.get(slot.slot.talk_id, "") if title_lines else "",
                    link_of(ts, slot),
                )
                for slot in ts.slots
            ),
        )
        for ts in sessions
    )
    t = theme
    look = (
        t.frame_width,
        t.frame_height,
        tuple(sorted(t.text.items())),
        tuple(sorted(t.heading.items())),
    )
    return ("timetable", day.date, order, shown, title_lines, look, t.accent, t.ink, t.grey)


def _day_items(
    day: Day,
    sessions: list[TimedSession],
    order: tuple[str, ...],
    theme: Theme,
    st: Styles,
    speakers: dict[str, str],
    titles: dict[str, str],
    link_of: LinkOf,
    title_lines: int,
) -> tuple[list[Item], int]:
    """A day's grid pages, and into how many room groups its rooms were split."""
    by_room: dict[str, list[TimedSession]] = {}
    for ts in sessions:
        if not ts.spans_all:
            by_room.setdefault(ts.session.room or "", []).append(ts)
    lanes = {room: _lanes(found) for room, found in by_room.items()}
    rooms = tuple(r for r in order if r in by_room) or ("",)
    groups = room_groups(rooms, theme.frame_width, {r: n for r, (_, n) in lanes.items()})
    pages = _day_pages(
        day, sessions, groups, lanes, theme, st, speakers, titles, link_of, title_lines
    )
    return [p.item for p in pages], len(groups)


def _day_pages(
    day: Day,
    sessions: list[TimedSession],
    groups: list[tuple[str, ...]],
    lanes: dict[str, tuple[dict[int, int], int]],
    theme: Theme,
    st: Styles,
    speakers: dict[str, str],
    titles: dict[str, str],
    link_of: LinkOf,
    title_lines: int,
) -> list[GridPage]:
    fw, fh = theme.frame_width, theme.frame_height
    heads = [room_heads(g, lanes, fw, st) for g in groups]
    day_h = st.day.leading + 4.0
    top = day_h + max(h for h, _ in heads) + 2.0
    avail_h = fh - top

    # The content of each block at its narrowest width, and the scale that fits it.
    rows: dict[int, list[Row]] = {}
    scale = MIN_SCALE
    longest = max((ts.end or 0) - (ts.start or 0) for ts in sessions)
    for ts in sessions:
        width = _block_width(ts, groups, fw, lanes)
        rows[ts.index] = block_rows(ts, width, st, speakers, titles, link_of, title_lines)
        minutes = max(1, (ts.end or 0) - (ts.start or 0))
        scale = max(scale, rows_height(rows[ts.index]) / minutes)
    scale = min(scale, avail_h / max(1, longest))

    first = min(ts.start or 0 for ts in sessions) // 60 * 60
    last = -(-max(ts.end or 0 for ts in sessions) // 60) * 60
    cuts = _cuts(sessions, first, last, int(avail_h / scale))
    out = []
    for n, (a, b) in enumerate(zip(cuts, cuts[1:], strict=False)):
        for g, group in enumerate(groups):
            ops = day_head(day, n, g, groups, rooms_total=sum(map(len, groups)), st=st, fw=fw)
            table = f"{day_section(day)}/Table#{n}.{g}"
            ops += page_ops(
                group, heads[g][1], top, a, b, scale, sessions, rows, lanes, theme, st, table
            )
            item = Item(fh, tuple(ops))
            out.append(GridPage(day, item, first_of_day=n == 0 and g == 0))
    return out


def _block_width(
    ts: TimedSession,
    groups: list[tuple[str, ...]],
    fw: float,
    lanes: dict[str, tuple[dict[int, int], int]],
) -> float:
    """The width a block gets on its narrowest page."""
    if ts.spans_all:
        return fw - AXIS
    room = ts.session.room or ""
    group = next(g for g in groups if room in g)
    return columns(group, lanes, fw)[1]


def _cuts(sessions: list[TimedSession], first: int, last: int, capacity: int) -> list[int]:
    """Where the day's pages begin and end, in minutes: as late as the page allows, at
    a time no session crosses when there is one."""
    capacity = max(capacity, 15)
    spans = [(ts.start or 0, ts.end or 0) for ts in sessions]
    candidates = sorted(
        {t for span in spans for t in span} | set(range(first, last + 1, 60)) | {last}
    )
    cuts = [first]
    while cuts[-1] < last:
        a = cuts[-1]
        limit = a + capacity
        if limit >= last:
            cuts.append(last)
            break
        clean = [t for t in candidates if a < t <= limit and not any(s < t < e for s, e in spans)]
        cuts.append(max(clean) if clean else limit)
    return cuts


def book_grid_pages(book: Book, theme: Theme, first_index: int, memo: Memo) -> list[Page]:
    """The book's timetable: each talk's lines link to its abstract."""
    assert book.program is not None
    known = {e.talk.id: e.talk for e in book.entries}
    speakers = {tid: t.speaker for tid, t in known.items()}
    titles = {tid: t.heading for tid, t in known.items()}

    def link_of(_: TimedSession, slot: TimedSlot) -> str | None:
        return talk_key(slot.slot.talk_id) if slot.slot.talk_id in known else None

    pages: list[Page] = []

    def verso_next() -> bool:
        return (first_index + len(pages)) % 2 == 0

    grids = grid_pages(book.program, theme, speakers, titles, link_of, facing=verso_next, memo=memo)
    for grid in grids:
        if grid is None:
            pages.append(Page("", "blank"))
            continue
        index = first_index + len(pages)
        x0, top = theme.frame_left(recto=index % 2 == 1), theme.frame_top
        page = Page("", "front", placed=[(grid.item, x0, top)], head="Timetable")
        if not pages:
            page.extra.append(Dest("timetable", x0, top))
        pages.append(page)
    return pages
