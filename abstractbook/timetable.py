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

from .layout import Item, Memo, Op, Page, talk_key
from .lines import Line, Span, break_lines, single_line, width
from .matter import day_heading
from .model import Book, Day, Program
from .theme import Style, Theme
from .timing import TimedSession, TimedSlot, clock, room_order, timed_day

AXIS = 24.0  # the time axis column
MIN_COLUMN = 46.0  # the narrowest room column (about 16 mm)
MIN_SCALE = 0.55  # points per minute: an hour is at least 33 pt
MIN_TEXT = 6.0  # no text smaller than this, in points
PAD = 2.0  # inside a block
MAX_HEAD_LINES = 3  # a room's name in the column head

# slot -> the destination its lines link to (a talk's page, a slot's entry), or None
LinkOf = Callable[[TimedSession, TimedSlot], str | None]


@dataclass(frozen=True)
class GridPage:
    """One page of a day's grid: its ops in frame coordinates (an Item's)."""

    day: Day
    item: Item
    first_of_day: bool


@dataclass(frozen=True)
class _Styles:
    title: Style
    chair: Style
    time: Style
    who: Style
    talk: Style
    head: Style
    axis: Style
    day: Style
    block: str  # fill colours
    plenary: str
    rule: str


def _styles(theme: Theme) -> _Styles:
    t = theme
    return _Styles(
        title=Style(t.heading["bold"], 7.0, 8.2, t.ink),
        chair=Style(t.text["italic"], 6.0, 7.2, t.grey),
        time=Style(t.heading["regular"], 6.0, 7.4, t.accent),
        who=Style(t.text["regular"], 6.5, 7.4, t.ink),
        talk=Style(t.text["italic"], 6.0, 7.0, t.grey),
        head=Style(t.heading["bold"], 6.5, 7.6, t.accent),
        axis=Style(t.heading["regular"], 6.0, 7.0, t.grey),
        day=t.heading_style(10.5),
        block=tint(t.accent, 0.13),
        plenary="#ececec",
        rule="#c8c8c8",
    )


def tint(color: str, amount: float) -> str:
    """`color` mixed with white: a block's fill behind dark text."""
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    mix = [round(255 - (255 - c) * amount) for c in (r, g, b)]
    return "#" + "".join(f"{c:02x}" for c in mix)


@dataclass(frozen=True)
class _Row:
    """A line or a few of a block's content, stacked from the block's top."""

    height: float
    ops: tuple[Op, ...]  # at x from the block's left, y down from the row's top
    link: str | None = None


def _wrapped(text: str, st: Style, avail: float, max_lines: int | None = None) -> list[Line]:
    """`text` broken into lines; with `max_lines`, cut short with an ellipsis. Only
    what can show is broken: a long title in a narrow column costs no more than a
    short one."""
    shown = text
    if max_lines is not None:  # no glyph is narrower than a fifth of the size
        shown = text[: int(max_lines * avail / (st.size * 0.2)) + 1]
    lines = break_lines([_span(shown, st)], avail, lang=None, justify=False)
    if max_lines is None or (len(lines) <= max_lines and shown == text):
        return lines
    lines = lines[:max_lines]
    last = "".join(f[0] for f in lines[-1].frags).rstrip()
    while last and width(last + "…", st.font, st.size) > avail:
        last = last[:-1].rstrip()
    line = single_line(_span(last + "…", st))
    while last and line.width > avail:  # drawn in a fallback face after all
        last = last[:-1].rstrip()
        line = single_line(_span(last + "…", st))
    lines[-1] = line
    return lines


def _text_row(lines: list[Line], st: Style, x: float, avail: float, link: str | None) -> _Row:
    ops = tuple(
        ("text", x, st.size * 0.85 + i * st.leading, avail, ln) for i, ln in enumerate(lines)
    )
    return _Row(st.leading * len(lines), ops, link)


def _block_rows(
    ts: TimedSession,
    width: float,
    st: _Styles,
    speakers: dict[str, str],
    titles: dict[str, str],
    link_of: LinkOf,
    title_lines: int,
) -> list[_Row]:
    """What a session's block shows: title, chair, each talk's time and speaker (and
    title, in `title_lines` lines at most)."""
    avail = width - 2 * PAD
    s = ts.session
    first = next((link_of(ts, slot) for slot in ts.slots), None)
    rows = [_text_row(_wrapped(s.title, st.title, avail), st.title, 0.0, avail, first)]
    if s.chair:
        rows.append(_text_row(_wrapped(s.chair, st.chair, avail, 2), st.chair, 0.0, avail, None))
    for slot in ts.slots:
        talk_id = slot.slot.talk_id
        key = link_of(ts, slot)
        when = clock(slot.start) + " " if slot.start is not None else ""
        who = speakers.get(talk_id, talk_id)
        spans = [_span(when, st.time), _span(who, st.who)] if when else [_span(who, st.who)]
        lines = break_lines(spans, avail, lang=None, justify=False)
        row = _text_row(lines, st.who, 0.0, avail, key)
        ops = list(row.ops)
        height = row.height
        if title_lines:
            more = _text_row(
                _wrapped(titles.get(talk_id, ""), st.talk, avail, title_lines),
                st.talk,
                0.0,
                avail,
                None,
            )
            ops += [(op[0], op[1], op[2] + height, *op[3:]) for op in more.ops]
            height += more.height
        rows.append(_Row(height + 1.0, tuple(ops), key))
    return rows


def _span(text: str, st: Style) -> Span:
    return Span(text, st.font, st.size, st.color)


def _rows_height(rows: list[_Row]) -> float:
    return sum(r.height for r in rows) + 2 * PAD


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


def _columns(
    group: tuple[str, ...], lanes: dict[str, tuple[dict[int, int], int]], fw: float
) -> tuple[dict[str, float], float]:
    """Where each room's column starts on the page, and the width of one lane."""
    units = [lanes.get(r, ({}, 1))[1] for r in group]
    lane_w = (fw - AXIS) / max(1, sum(units))
    xs, x = {}, AXIS
    for room, n in zip(group, units, strict=True):
        xs[room] = x
        x += n * lane_w
    return xs, lane_w


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
    st = _styles(theme)
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
    st: _Styles,
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
    st: _Styles,
    speakers: dict[str, str],
    titles: dict[str, str],
    link_of: LinkOf,
    title_lines: int,
) -> list[GridPage]:
    fw, fh = theme.frame_width, theme.frame_height
    heads = [_room_heads(g, lanes, fw, st) for g in groups]
    day_h = st.day.leading + 4.0
    top = day_h + max(h for h, _ in heads) + 2.0
    avail_h = fh - top

    # The content of each block at its narrowest width, and the scale that fits it.
    rows: dict[int, list[_Row]] = {}
    scale = MIN_SCALE
    longest = max((ts.end or 0) - (ts.start or 0) for ts in sessions)
    for ts in sessions:
        width = _block_width(ts, groups, fw, lanes)
        rows[ts.index] = _block_rows(ts, width, st, speakers, titles, link_of, title_lines)
        minutes = max(1, (ts.end or 0) - (ts.start or 0))
        scale = max(scale, _rows_height(rows[ts.index]) / minutes)
    scale = min(scale, avail_h / max(1, longest))

    first = min(ts.start or 0 for ts in sessions) // 60 * 60
    last = -(-max(ts.end or 0 for ts in sessions) // 60) * 60
    cuts = _cuts(sessions, first, last, int(avail_h / scale))
    out = []
    for n, (a, b) in enumerate(zip(cuts, cuts[1:], strict=False)):
        for g, group in enumerate(groups):
            ops = _day_head(day, n, g, groups, rooms_total=sum(map(len, groups)), st=st, fw=fw)
            ops += _page_ops(group, heads[g][1], top, a, b, scale, sessions, rows, lanes, theme, st)
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
    return _columns(group, lanes, fw)[1]


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


def _room_heads(
    group: tuple[str, ...], lanes: dict[str, tuple[dict[int, int], int]], fw: float, st: _Styles
) -> tuple[float, list[Op]]:
    """The column heads: each room's name, wrapped in its column."""
    xs, lane_w = _columns(group, lanes, fw)
    ops: list[Op] = []
    tallest = 0
    for room in group:
        col = lane_w * lanes.get(room, ({}, 1))[1]
        lines = _wrapped(room, st.head, col - 2 * PAD, MAX_HEAD_LINES) if room else []
        tallest = max(tallest, len(lines))
        x = xs[room] + PAD
        ops += [
            ("text", x, st.head.size * 0.85 + k * st.head.leading, col - 2 * PAD, ln)
            for k, ln in enumerate(lines)
        ]
    return tallest * st.head.leading + 2.0, ops


def _day_head(
    day: Day,
    n: int,
    g: int,
    groups: list[tuple[str, ...]],
    rooms_total: int,
    st: _Styles,
    fw: float,
) -> list[Op]:
    """The day (and 'continued' after its first page); which rooms, when split."""
    ops: list[Op] = []
    if n == 0 and g == 0:
        ops.append(("dest", f"timetable-{day.date.isoformat()}", 0.0, 0.0))
    avail = fw
    if len(groups) > 1:
        before = sum(len(x) for x in groups[:g])
        count = len(groups[g])
        which = (
            f"rooms {before + 1}–{before + count} of {rooms_total}"
            if count > 1
            else f"room {before + 1} of {rooms_total}"
        )
        line = single_line(_span(which, st.axis))
        ops.append(("text", fw - line.width, st.day.size * 0.85, line.width, line))
        avail -= line.width + 6.0
    text = day_heading(day.date) + (" (continued)" if n else "")
    ops.append(("text", 0.0, st.day.size * 0.85, avail, _wrapped(text, st.day, avail, 1)[0]))
    return ops


def _page_ops(
    group: tuple[str, ...],
    head_ops: list[Op],
    top: float,
    a: int,
    b: int,
    scale: float,
    sessions: list[TimedSession],
    rows: dict[int, list[_Row]],
    lanes: dict[str, tuple[dict[int, int], int]],
    theme: Theme,
    st: _Styles,
) -> list[Op]:
    """One page of the grid: heads, the hour lines and axis, then the blocks."""
    fw = theme.frame_width
    xs, lane_w = _columns(group, lanes, fw)
    day_h = st.day.leading + 4.0
    ops: list[Op] = [(op[0], op[1], op[2] + day_h, *op[3:]) for op in head_ops]

    def y(t: int) -> float:
        return top + (t - a) * scale

    labels = sorted({a, b, *range(-(-a // 60) * 60, b + 1, 60)})
    last_label = -100.0
    for t in labels:
        ops.append(("rule", AXIS - 3.0, y(t), fw, y(t), 0.3, st.rule))
        if y(t) - last_label >= st.axis.leading:
            ops.append(("text", 0.0, y(t) + st.axis.size * 0.35, AXIS - 4.0, _axis(t, st)))
            last_label = y(t)
    for x in [*xs.values(), fw]:
        ops.append(("rule", x, y(a), x, y(b), 0.3, st.rule))

    for ts in sessions:
        start, end = ts.start or 0, ts.end or 0
        if end <= a or start >= b:
            continue
        if ts.spans_all:
            x, w, fill = AXIS, fw - AXIS, st.plenary
        else:
            room = ts.session.room or ""
            if room not in group:
                continue
            w = lane_w
            x = xs[room] + lanes[room][0][ts.index] * w
            fill = st.block
        top_y, bottom_y = y(max(start, a)), y(min(end, b))
        ops.append(("rect", x + 0.6, top_y + 0.4, w - 1.2, bottom_y - top_y - 0.8, fill))
        ops += _block_content(ts, rows[ts.index], x, top_y, bottom_y, w, start < a, st)
    return ops


def _axis(t: int, st: _Styles) -> Line:
    return single_line(_span(clock(t), st.axis))


def _block_content(
    ts: TimedSession,
    rows: list[_Row],
    x: float,
    top: float,
    bottom: float,
    w: float,
    continued: bool,
    st: _Styles,
) -> list[Op]:
    """The rows that fit in the block, linked to their talks; '…' when some do not."""
    avail = w - 2 * PAD
    if continued:
        cont = _wrapped(f"{ts.session.title} (continued)", st.chair, avail, 1)
        rows = [_text_row(cont, st.chair, 0.0, avail, None)]
    room = bottom - top - 2 * PAD + 0.01
    shown = len(rows)
    while shown and sum(r.height for r in rows[:shown]) > room:
        shown -= 1
    if shown < len(rows):  # make room for the mark that says some are left out
        while shown and sum(r.height for r in rows[:shown]) + st.who.leading > room:
            shown -= 1
    ops: list[Op] = []
    yy = top + PAD
    for row in rows[:shown]:
        ops += [(op[0], x + PAD + op[1], yy + op[2], *op[3:]) for op in row.ops]
        if row.link:
            ops.append(("link", x, yy, x + w, yy + row.height, row.link))
        yy += row.height
    if shown < len(rows) and yy + st.who.leading <= bottom + 0.01:
        ops.append(
            ("text", x + PAD, yy + st.who.size * 0.85, avail, single_line(_span("…", st.who)))
        )
    return ops


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
            page.extra.append(("dest", "timetable", x0, top))
        pages.append(page)
    return pages
