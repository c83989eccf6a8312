"""lay out, one timetable page: sessions placed in time and room -> drawing operations.

The page's head (the day, which rooms), the room heads, the time axis with a line
at every full hour, and each session's block with what fits in it: title, chair,
each talk's start and speaker (and title), every talk linked. `timetable` decides
which sessions, rooms and hours go on which page. No text is set below 6 pt.

In the structure a page of the grid is a Table read row by row: a head row of the
rooms (TH), then a row (TR) per starting time, each session a cell (TD) under its
rooms' heads holding its lines, each talk's a Link, spanning the rows until it ends
and a plenary every column (`pdf.structure` writes Headers, RowSpan and ColSpan);
where no session starts, an empty cell, so that the grid is regular. The hour
labels are artifacts: each talk's time is read in its cell.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from ..project.colors import tint
from ..project.model import Day
from ..project.timing import TimedSession, TimedSlot, clock
from .lines import break_lines, single_line, width
from .matter import day_heading
from .ops import ARTIFACT, Dest, Link, Op, Rect, Rule, Text, offset, retag, within
from .spans import Line, Span
from .theme import Style, Theme

AXIS = 24.0  # the time axis column


PAD = 2.0  # inside a block


MAX_HEAD_LINES = 3  # a room's name in the column head


# slot -> the destination its lines link to (a talk's page, a slot's entry), or None
LinkOf = Callable[[TimedSession, TimedSlot], str | None]


@dataclass(frozen=True)
class Styles:
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


def styles(theme: Theme) -> Styles:
    t = theme
    return Styles(
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


@dataclass(frozen=True)
class Row:
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
    last = "".join(f.text for f in lines[-1].frags).rstrip()
    while last and width(last + "…", st.font, st.size) > avail:
        last = last[:-1].rstrip()
    line = single_line(_span(last + "…", st))
    while last and line.width > avail:  # drawn in a fallback face after all
        last = last[:-1].rstrip()
        line = single_line(_span(last + "…", st))
    lines[-1] = line
    return lines


def _text_row(lines: list[Line], st: Style, x: float, avail: float, link: str | None) -> Row:
    ops = tuple(Text(x, st.size * 0.85 + i * st.leading, avail, ln) for i, ln in enumerate(lines))
    return Row(st.leading * len(lines), ops, link)


def block_rows(
    ts: TimedSession,
    width: float,
    st: Styles,
    speakers: dict[str, str],
    titles: dict[str, str],
    link_of: LinkOf,
    title_lines: int,
) -> list[Row]:
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
            ops += [offset(op, 0.0, height) for op in more.ops]
            height += more.height
        rows.append(Row(height + 1.0, tuple(ops), key))
    return rows


def _span(text: str, st: Style) -> Span:
    return Span(text, st.font, st.size, st.color)


def rows_height(rows: list[Row]) -> float:
    return sum(r.height for r in rows) + 2 * PAD


def columns(
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


def room_heads(
    group: tuple[str, ...], lanes: dict[str, tuple[dict[int, int], int]], fw: float, st: Styles
) -> tuple[float, list[Text]]:
    """The column heads: each room's name, wrapped in its column."""
    xs, lane_w = columns(group, lanes, fw)
    ops: list[Text] = []
    tallest = 0
    for room in group:
        col = lane_w * lanes.get(room, ({}, 1))[1]
        lines = _wrapped(room, st.head, col - 2 * PAD, MAX_HEAD_LINES) if room else []
        tallest = max(tallest, len(lines))
        x = xs[room] + PAD
        head = head_cell(room, lanes.get(room, ({}, 1))[1])
        ops += [
            Text(x, st.head.size * 0.85 + k * st.head.leading, col - 2 * PAD, ln, head)
            for k, ln in enumerate(lines)
        ]
    return tallest * st.head.leading + 2.0, ops


EMPTY = Line((), 0.0, 0, False)  # an empty cell's content: no glyph


def head_cell(room: str, lanes: int = 1) -> str:
    """A room's head cell in its page's table ("TR#head/TH#…"), keyed by its name; it
    spans a column per lane of the room ("~1x2": `pdf.structure` writes ColSpan)."""
    return f"TR#head/TH#{_key(room)}" + (f"~1x{lanes}" if lanes > 1 else "")


def _key(text: str) -> str:
    """A name as a key of a structure path (which never holds "/", "#", "@" or ",")."""
    return hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()[:10]


def day_head(
    day: Day,
    n: int,
    g: int,
    groups: list[tuple[str, ...]],
    rooms_total: int,
    st: Styles,
    fw: float,
) -> list[Op]:
    """The day (and 'continued' after its first page); which rooms, when split. The
    day's first page heads the day's section; later ones say which part they are."""
    ops: list[Op] = []
    sect = day_section(day)
    if n == 0 and g == 0:
        ops.append(Dest(f"timetable-{day.date.isoformat()}", 0.0, 0.0))
    avail = fw
    note: list[Op] = []
    if len(groups) > 1:
        before = sum(len(x) for x in groups[:g])
        count = len(groups[g])
        which = (
            f"rooms {before + 1}–{before + count} of {rooms_total}"
            if count > 1
            else f"room {before + 1} of {rooms_total}"
        )
        line = single_line(_span(which, st.axis))
        tag = f"{sect}/P#rooms{n}.{g}"
        note.append(Text(fw - line.width, st.day.size * 0.85, line.width, line, tag))
        avail -= line.width + 6.0
    text = day_heading(day.date) + (" (continued)" if n else "")
    tag = f"{sect}/H" if n == 0 and g == 0 else f"{sect}/P#{n}.{g}"
    ops.append(Text(0.0, st.day.size * 0.85, avail, _wrapped(text, st.day, avail, 1)[0], tag))
    return ops + note  # read after the day


def day_section(day: Day) -> str:
    """The outermost section of a day's grid pages."""
    return f"Sect#1:timetable-{day.date.isoformat()}"


def page_ops(
    group: tuple[str, ...],
    head_ops: list[Text],
    top: float,
    a: int,
    b: int,
    scale: float,
    sessions: list[TimedSession],
    rows: dict[int, list[Row]],
    lanes: dict[str, tuple[dict[int, int], int]],
    theme: Theme,
    st: Styles,
    table: str = "Table",
) -> list[Op]:
    """One page of the grid: heads, the hour lines and axis, then the blocks, in the
    order they are read: by starting time, then from left to right. The page's cells
    are the elements of Table `table`."""
    fw = theme.frame_width
    xs, lane_w = columns(group, lanes, fw)
    day_h = st.day.leading + 4.0
    ops: list[Op] = [offset(op._replace(tag=within(table, op.tag)), 0.0, day_h) for op in head_ops]
    heads = [_key(r) for r in group if r]

    def y(t: int) -> float:
        return top + (t - a) * scale

    labels = sorted({a, b, *range(-(-a // 60) * 60, b + 1, 60)})
    last_label = -100.0
    for t in labels:
        ops.append(Rule(AXIS - 3.0, y(t), fw, y(t), 0.3, st.rule))
        if y(t) - last_label >= st.axis.leading:
            ops.append(Text(0.0, y(t) + st.axis.size * 0.35, AXIS - 4.0, _axis(t, st), ARTIFACT))
            last_label = y(t)
    for x in [*xs.values(), fw]:
        ops.append(Rule(x, y(a), x, y(b), 0.3, st.rule))

    # The table's grid: a column per lane of a room, a row per time a session starts.
    ncols = max(1, round((fw - AXIS) / lane_w))
    starting: dict[tuple[int, int], tuple[TimedSession, float, float, str, list[str], int]] = {}
    for ts in sessions:
        start, end = ts.start or 0, ts.end or 0
        if end <= a or start >= b:
            continue
        if ts.spans_all:
            x, w, fill, cols = AXIS, fw - AXIS, st.plenary, ncols
            under = heads
        else:
            room = ts.session.room or ""
            if room not in group:
                continue
            w, cols = lane_w, 1
            x = xs[room] + lanes[room][0][ts.index] * w
            fill = st.block
            under = [_key(room)] if room else []
        starting[(max(start, a), round((x - AXIS) / lane_w))] = (ts, x, w, fill, under, cols)
    times = sorted({t for t, _ in starting})
    taken: set[tuple[int, int]] = set()  # (row, column) cells a session spans
    for r, t in enumerate(times):
        for c in range(ncols):
            if (r, c) in taken:
                continue
            found = starting.get((t, c))
            if found is None:  # an empty cell, so that every row has every column
                empty = f"{table}/TR#{t}/TD#e{c}"
                ops.append(Text(AXIS + c * lane_w + PAD, y(t) + PAD, 0.0, EMPTY, empty))
                continue
            ts, x, w, fill, under, cols = found
            start, end = ts.start or 0, min(ts.end or 0, b)
            spanned = sum(1 for u in times[r:] if u < end)
            taken |= {(r + i, c + j) for i in range(spanned) for j in range(cols)}
            top_y, bottom_y = y(t), y(end)
            ops.append(Rect(x + 0.6, top_y + 0.4, w - 1.2, bottom_y - top_y - 0.8, fill))
            cell = f"{table}/TR#{t}/TD#{ts.index}@{','.join(under)}~{spanned}x{cols}"
            ops += _block_content(ts, rows[ts.index], x, top_y, bottom_y, w, start < a, st, cell)
    return ops


def _axis(t: int, st: Styles) -> Line:
    return single_line(_span(clock(t), st.axis))


def _block_content(
    ts: TimedSession,
    rows: list[Row],
    x: float,
    top: float,
    bottom: float,
    w: float,
    continued: bool,
    st: Styles,
    cell: str,
) -> list[Op]:
    """The rows that fit in the block, linked to their talks; '…' when some do not.
    They are the content of element `cell`, each linked row a Link in it."""
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
    for n, row in enumerate(rows[:shown]):
        tag = f"{cell}/Link#{n}" if row.link else cell
        ops += [retag(offset(op, x + PAD, yy), tag) for op in row.ops]
        if row.link:
            ops.append(Link(x, yy, x + w, yy + row.height, row.link, tag))
        yy += row.height
    if shown < len(rows) and yy + st.who.leading <= bottom + 0.01:
        more = single_line(_span("…", st.who))
        ops.append(Text(x + PAD, yy + st.who.size * 0.85, avail, more, cell))
    return ops
