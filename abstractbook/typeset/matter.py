"""lay out, front and back matter: title page, contents, author index.

Kept apart from `layout` because they read the whole book (every talk, every
author) where `layout_talk` reads one talk.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Collection, Iterator
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple

from ..errors import BuildError, SourceLocation
from ..project.limits import drawing_size_problem
from ..project.markup import ITALIC, REGULAR
from ..project.model import (
    Book,
    Listing,
    Section,
    Session,
    Talk,
    fold,
    parallel_sessions,
    surname_key,
)
from ..project.timing import clock, room_label, timed
from .layout import Item, Memo, line_ops, talk_key
from .lines import balanced_lines, break_lines, single_line, width
from .ops import ARTIFACT, Dest, Image, Link, Op, PageRef, Rect, Rule, Text, retag
from .spans import Frag, Line, Span
from .theme import Style, Theme

MemoKey = tuple[Any, ...]

NUMBER_COLUMN = 26.0
WHITE = "#ffffff"
TITLE_SIZES = (24.0, 22.0, 20.0, 18.0, 16.0, 14.0)  # the title page's title, largest first


def format_dates(start: dt.date | None, end: dt.date | None) -> str:
    """'20–22 January 2019', '30 January – 2 February 2019', or one date."""
    if start is None:
        return ""

    def full(d: dt.date) -> str:
        return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"

    if end is None or end == start:
        return full(start)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{end.day} {_MONTHS[end.month - 1]} {end.year}"
    if start.year == end.year:
        return f"{start.day} {_MONTHS[start.month - 1]} – {full(end)}"
    return f"{full(start)} – {full(end)}"


_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def day_heading(d: dt.date) -> str:
    return f"{_WEEKDAYS[d.weekday()]}, {d.day} {_MONTHS[d.month - 1]} {d.year}"


def _text(text: str, st: Style, x: float, y: float, avail: float, tag: str = "") -> Text:
    return Text(x, y, avail, single_line(Span(text, st.font, st.size, st.color)), tag)


def _lines_ops(
    lines: list[Line], x: float, y: float, leading: float, avail: float, tag: str = ""
) -> list[Op]:
    return [Text(x + ln.indent, y - i * leading, avail, ln, tag) for i, ln in enumerate(lines)]


# -- title page ---------------------------------------------------------------------


def title_page_ops(book: Book, theme: Theme) -> list[Op]:
    """A band in the accent colour across the top, bleeding off three edges."""
    s, t = book.settings, theme
    W, H, bleed = t.page_width, t.page_height, s.page.bleed
    x0 = t.frame_left(recto=True)
    avail = t.frame_width
    band_bottom = H * 0.58
    ops: list[Op] = [Rect(-bleed, band_bottom, W + 2 * bleed, H - band_bottom + bleed, t.accent)]
    sub = t.heading_style(13.0, "regular", WHITE)
    sub_lines = (
        break_lines([Span(s.subtitle, sub.font, sub.size, WHITE)], avail, lang=None, justify=False)
        if s.subtitle
        else []
    )
    base = band_bottom + 22.0  # the lowest line's baseline
    title_bottom = base + (len(sub_lines) * sub.leading + 10.0 if sub_lines else 0.0)
    # A long title wraps, and steps down in size until it stays below the top margin.
    for size in TITLE_SIZES:
        big = t.heading_style(size, color=WHITE)
        lines = balanced_lines([Span(s.title, big.font, big.size, WHITE)], avail)
        title_top = title_bottom + (len(lines) - 1) * big.leading
        if title_top + big.size <= H - s.page.top:
            break
    # Title, subtitle, dates, venue, organisers: the order a reader of the page and of
    # the file's text meets them.
    ops += _lines_ops(lines, x0, title_top, big.leading, avail, "H#title")
    if sub_lines:
        ops += _lines_ops(
            sub_lines,
            x0,
            base + (len(sub_lines) - 1) * sub.leading,
            sub.leading,
            avail,
            "P#subtitle",
        )

    y = band_bottom - 34.0
    info = t.heading_style(11.0, "bold", t.ink)
    plain = Style(t.text[REGULAR], 9.5, 13.0, t.ink)
    dates = format_dates(s.date_start, s.date_end)
    if dates:
        ops.append(_text(dates, info, x0, y, avail, "P#dates"))
        y -= info.leading + 4.0
    if s.venue:
        lines = break_lines(
            [Span(s.venue, plain.font, plain.size, plain.color)], avail, lang=None, justify=False
        )
        ops += _lines_ops(lines, x0, y, plain.leading, avail, "P#venue")
        y -= len(lines) * plain.leading + 8.0
    if s.organisers:
        label = Style(t.text[ITALIC], 8.5, 11.0, t.grey)
        ops.append(_text("Organised by", label, x0, y, avail, "P#organisers"))
        y -= label.leading
        lines = break_lines(
            [Span(", ".join(s.organisers), plain.font, plain.size, plain.color)],
            avail,
            lang=None,
            justify=False,
        )
        ops += _lines_ops(lines, x0, y, plain.leading, avail, "P#organisers")
    if s.logo:
        ops.append(_logo(s.logo, x0, t.settings.page.bottom, *logo_room(t)))
    return ops


def image_size(path: Path) -> tuple[float, float]:
    """Natural size in points of a PNG, JPEG or SVG file."""
    from reportlab.lib.utils import ImageReader
    from svglib.svglib import svg2rlg

    try:
        if path.suffix.lower() == ".svg":
            drawing = svg2rlg(str(path))
            if drawing is None:
                raise ValueError("not an SVG drawing")
            why = drawing_size_problem(float(drawing.width), float(drawing.height))
            if why:
                raise ValueError(why)
            return float(drawing.width), float(drawing.height)
        w, h = ImageReader(str(path)).getSize()
        return float(w), float(h)
    except Exception as e:  # any unreadable image is the user's file, not our bug
        raise BuildError(f"logo: cannot read the image ({e})", SourceLocation(path, 1, 1)) from None


def logo_room(theme: Theme) -> tuple[float, float]:
    """The box the title page's logo is scaled into (points)."""
    return theme.frame_width * 0.45, 60.0


def logo_printed_size(path: Path, theme: Theme) -> tuple[float, float]:
    """The logo's size on the title page (points)."""
    image = _logo(path, 0.0, 0.0, *logo_room(theme))
    return image.w, image.h


def _logo(path: Path, x: float, y: float, max_w: float, max_h: float) -> Image:
    w, h = image_size(path)
    scale = min(max_w / w, max_h / h) if w and h else 0.0
    # decorative: the meeting's name is printed above it
    return Image(path, x, y, w * scale, h * scale, ARTIFACT)


# -- session headings in the body --------------------------------------------------


def session_key(index: int) -> str:
    """The destination of the body's heading of section `index` (the contents link it)."""
    return f"session-{index}"


def day_key(day: dt.date) -> str:
    return f"day-{day.isoformat()}"


def session_heading_items(
    section: Section,
    index: int,
    new_day: bool,
    theme: Theme,
    memo: Memo | None = None,
) -> list[Item]:
    """The day (when it changes) and the session opening in the body: title, then time,
    room and chair. Kept with what follows, so never alone at a page's foot."""
    t = theme
    memo = memo if memo is not None else Memo(keep=False)
    avail = t.frame_width
    items: list[Item] = []
    if new_day and section.day:
        day_st = t.heading_style(12.5)
        key: tuple[object, ...] = ("body-day", section.day, day_st, t.accent, avail)
        items.append(memo.get(key, partial(_body_day, section.day, day_st, t.accent, avail)))
    title_st = t.heading_style(10.5, "bold", t.ink)
    space = 10.0 if items else 0.0
    title = section.title or ""
    # a session of a day is a section inside the day's, one without a day stands alone
    sect = f"Sect#{2 if section.day else 1}:{session_key(index)}"
    key = ("body-session", title, index, title_st, avail, space, sect)
    make = partial(
        _heading_item,
        title,
        title_st,
        avail,
        space,
        dest=session_key(index),
        tag=f"{sect}/H",
        balance=True,
    )
    items.append(memo.get(key, make))
    session = section.session
    details = []
    if session is not None:
        details = [d for d in (_hours(session), room_label(session.room), session.chair) if d]
        if session.chair:
            details[-1] = f"Chair: {session.chair}"
    if details:
        st = Style(t.heading["regular"], 8.5, 11.0, t.grey)
        text = " · ".join(details)
        items.append(
            memo.get(
                ("body-session-details", text, st, avail, sect),
                partial(_heading_item, text, st, avail, 1.0, tag=f"{sect}/P#details"),
            )
        )
    last_item = items[-1]
    items[-1] = last_item._replace(height=last_item.height + 4.0)
    return items


def _hours(session: Session) -> str:
    """'09:00–10:30': the end as the timetable has it, when the programme gives it or
    the last talk's time and duration say it; else the start alone."""
    timed_session = timed(session)
    if timed_session.start is None:
        return ""
    hours = clock(timed_session.start)
    last = timed_session.slots[-1] if timed_session.slots else None
    known = last is not None and last.start is not None and last.slot.duration is not None
    if timed_session.end is not None and (session.end or known):
        hours += f"–{clock(timed_session.end)}"
    return hours


def _body_day(day: dt.date, st: Style, accent: str, avail: float) -> Item:
    tag = f"Sect#1:{day_key(day)}/H"
    item = _heading_item(day_heading(day), st, avail, 0.0, dest=day_key(day), tag=tag)
    rule = Rule(0.0, item.height + 2.0, avail, item.height + 2.0, 0.6, accent, ARTIFACT)
    return item._replace(height=item.height + 6.0, ops=(*item.ops, rule))


# -- contents -----------------------------------------------------------------------


def detail_lines(details: list[str], st: Style, avail: float) -> list[Line]:
    """A session's room and chair ("Aula · Chair: Ada Lovelace"), wrapped to `avail`:
    the line under a session's title in the programme and in the pocket programme."""
    if not details:
        return []
    text = " · ".join(details)
    return break_lines([Span(text, st.font, st.size, st.color)], avail, lang=None, justify=False)


def _heading_item(
    text: str,
    st: Style,
    avail: float,
    space: float,
    keep: bool = True,
    dest: str | None = None,
    tag: str = "",
    balance: bool = False,
) -> Item:
    """A heading's lines; a title's (`balance`) as even as they can be."""
    spans = [Span(text, st.font, st.size, st.color)]
    if balance:
        lines = balanced_lines(spans, avail)
    else:
        lines = break_lines(spans, avail, lang=None, justify=False)
    base = st.leading * 0.8
    ops: list[Op] = [Dest(dest, 0.0, 0.0)] if dest else []
    ops += [Text(0.0, base + i * st.leading, avail, ln, tag) for i, ln in enumerate(lines)]
    return Item(st.leading * len(lines), tuple(ops), keep=keep, space=space)


def _leader(x_from: float, x_to: float, y: float, st: Style) -> Text | None:
    """Dot leaders ending at `x_to`; right-aligned, so dots line up from entry to entry."""
    unit = width(" .", st.font, st.size)
    n = int((x_to - x_from - 4.0) / unit)
    if n < 2:
        return None
    dots = " ." * n
    w = unit * n
    line = Line((Frag(dots, st.font, st.size, 0.0, st.color, None),), w, 0, False)
    return Text(x_to - w, y, w, line, ARTIFACT)


def toc_items(book: Book, theme: Theme, memo: Memo) -> list[Item]:
    t = theme
    avail = t.frame_width
    sect = "Sect#1:contents"
    contents = _heading_item(
        "Contents", t.heading_style(16.0), avail, 0.0, dest="contents", tag=f"{sect}/H"
    )
    items = [Item(contents.height + 8.0, contents.ops, True)]
    toc = f"{sect}/TOC"
    entry_st, who_st = _toc_styles(t)
    for heading in _toc_walk(book):
        if isinstance(heading, _Listed):
            items.append(memo.get(*_toc_job(heading, t)))
            continue
        title, level, key, tag = heading
        if level == 0:
            item = _heading_item(title, t.heading_style(10.5), avail, 12.0)
        else:
            item = _heading_item(title, t.heading_style(9.0, "regular", t.grey), avail, 7.0)
        items.append(_linked(item, avail, key, tag))
    backs = {
        "author_index": ("Author index", "author-index", True),
        "keyword_index": (
            "Keyword index",
            "keyword-index",
            any(e.talk.keywords for e in book.entries),
        ),
    }
    space = 10.0
    for part in book.settings.back_matter:
        title, dest, present = backs[part]
        if present and book.entries:
            tag = f"{toc}/TOCI#{dest}/Reference/Link"
            items.append(_toc_entry(title, "", dest, entry_st, who_st, avail, space, tag))
            space = 5.0
    return items


def listed_entries(
    book: Book, theme: Theme, only: Collection[str] | None = None
) -> dict[str, list[tuple[MemoKey, Callable[[], Item]]]]:
    """Each abstract's entries in the contents and, when the book prints one, in the
    programme (one per session it is listed in), as memo keys and makers: an entry
    depends on its talk and its place alone, so it can be made where its talk is laid
    out, on every core. `only`: of these talks."""
    out: dict[str, list[tuple[MemoKey, Callable[[], Item]]]] = {}
    for listed in _toc_walk(book):
        if isinstance(listed, _Listed) and (only is None or listed.talk.id in only):
            out.setdefault(listed.talk.id, []).append(_toc_job(listed, theme))
    if "program" in book.settings.front_matter and book.program is not None:
        for entries in book.section_listings():
            for e in entries:
                if only is None or e.talk.id in only:
                    out.setdefault(e.talk.id, []).append(_programme_job(e, theme))
    return out


class _Listed(NamedTuple):
    """An abstract listed in the contents, as the structure element `tag`."""

    talk: Talk
    tag: str


def _toc_walk(book: Book) -> Iterator[_Listed | tuple[str, int, str, str]]:
    """The contents in order: day (level 0) and session (1) headings as (title, level,
    link key, tag), and the abstracts listed under them."""
    toc = "Sect#1:contents/TOC"
    grouped = len(book.sections) > 1 or book.sections[0].title is not None
    parallel = frozenset(
        i for day in (book.program.days if book.program else ()) for i in parallel_sessions(day)
    )
    last_day = None
    day_entry = session_entry = ""
    printed = {e.section for e in book.entries}  # sections with a heading in the body
    for n, (section, entries) in enumerate(
        zip(book.sections, book.section_listings(), strict=True)
    ):
        if not entries:
            continue
        if grouped:  # headings link to the day's and session's headings in the body
            if section.day and section.day != last_day:
                day_entry = f"{toc}/TOCI#{day_key(section.day)}"
                yield (
                    day_heading(section.day),
                    0,
                    day_key(section.day),
                    f"{day_entry}/Reference/Link",
                )
                last_day = section.day
            title = section.title or ""
            if section.session and section.session.start:
                title = f"{section.session.start}  {title}"
            session = section.session
            if (
                session
                and session.room
                and session.id in parallel
                and session.room != session.title
            ):
                title = f"{title} · {room_label(session.room)}"
            key = session_key(n) if n in printed else talk_key(entries[0].talk.id)
            # the contents nest as the book does: a day's sessions, a session's abstracts
            within_day = f"{day_entry}/TOC" if section.day and day_entry else toc
            session_entry = f"{within_day}/TOCI#{session_key(n)}"
            yield title, 1, key, f"{session_entry}/Reference/Link"
        for e in entries:
            listed = f"{session_entry}/TOC" if grouped else toc
            yield _Listed(e.talk, f"{listed}/TOCI#{talk_key(e.talk.id)}/Reference/Link")


def _toc_styles(theme: Theme) -> tuple[Style, Style]:
    """The styles of a contents entry's title and of its speaker."""
    return (
        Style(theme.text[REGULAR], 9.0, 11.4, theme.ink),
        Style(theme.text[ITALIC], 8.0, 10.2, theme.grey),
    )


def _toc_job(listed: _Listed, theme: Theme) -> tuple[MemoKey, Callable[[], Item]]:
    entry_st, who_st = _toc_styles(theme)
    talk = listed.talk
    args = (talk.heading, talk.speaker, talk_key(talk.id), entry_st, who_st, theme.frame_width)
    board = talk.board or ""
    return ("toc", *args, listed.tag), partial(_toc_entry, *args, tag=listed.tag, board=board)


def _linked(item: Item, avail: float, key: str, tag: str) -> Item:
    """A heading of the contents as a link to its place; it reads as element `tag`."""
    ops = tuple(retag(op, tag) for op in item.ops)
    return item._replace(ops=(*ops, Link(0.0, 0.0, avail, item.height, key, tag)))


def _toc_entry(
    title: str,
    who: str,
    key: str,
    st: Style,
    who_st: Style,
    avail: float,
    space: float = 5.0,
    tag: str = "",
    board: str = "",
) -> Item:
    """A line of the contents: title, speaker and page, all one link (element `tag`);
    a poster's board number in front of its title (`board`) is read as its label."""
    text_avail = avail - NUMBER_COLUMN
    spans = [Span(title, st.font, st.size, st.color)]
    if board and title.startswith(board):
        spans = [
            Span(board, st.font, st.size, st.color, role="Lbl"),
            Span(title[len(board) :], st.font, st.size, st.color),
        ]
    # balanced as the abstract's own title is: no lone word left before the leader
    lines = balanced_lines(spans, text_avail)
    ops: list[Op] = []
    y = st.leading * 0.8
    for i, ln in enumerate(lines):
        ops += line_ops(Text(0.0, y + i * st.leading, text_avail, ln, tag), "", f"{i}.")
    last_y = y + (len(lines) - 1) * st.leading
    leader = _leader(lines[-1].width, avail - NUMBER_COLUMN + 8.0, last_y, st)
    if leader:
        ops.append(leader)
    ops.append(PageRef(key, avail, last_y, st.font, st.size, st.color, tag))
    height = st.leading * len(lines)
    if who:
        who_lines = break_lines(
            [Span(who, who_st.font, who_st.size, who_st.color)],
            text_avail,
            lang=None,
            justify=False,
        )
        for ln in who_lines:
            ops.append(Text(0.0, height + who_st.leading * 0.8, text_avail, ln, tag))
            height += who_st.leading
    ops.append(Link(0.0, 0.0, avail, height, key, tag))
    return Item(height, tuple(ops), space=space)


# -- programme ----------------------------------------------------------------------


def program_items(book: Book, theme: Theme, memo: Memo) -> list[Item]:
    """Per day, each session with time, room and chair, and its talks with times."""
    t = theme
    avail = t.frame_width
    sect = "Sect#1:programme"
    items = [
        _heading_item(
            "Programme", t.heading_style(16.0), avail, 0.0, dest="programme", tag=f"{sect}/H"
        )
    ]
    items[0] = items[0]._replace(height=items[0].height + 6.0)
    who_st = _programme_styles(t)[2]
    session_st = t.heading_style(9.5)
    col = PROGRAMME_COLUMN
    last_day = None
    for section, entries in zip(book.sections, book.section_listings(), strict=True):
        session = section.session
        if section.day and section.day != last_day:
            items.append(
                _heading_item(
                    day_heading(section.day),
                    t.heading_style(11.5),
                    avail,
                    14.0 if len(items) > 1 else 0.0,
                )
            )
            last_day = section.day
        if not entries and session is None:
            continue
        title = section.title or ""
        start = session.start if session and session.start else ""
        head: list[Op] = []
        lines = break_lines(
            [Span(title, session_st.font, session_st.size, session_st.color)],
            avail - col,
            lang=None,
            justify=False,
        )
        y = session_st.leading * 0.8
        if start:
            head.append(
                _text(
                    start,
                    Style(session_st.font, session_st.size, session_st.leading, session_st.color),
                    0.0,
                    y,
                    col,
                )
            )
        head += [
            Text(col, y + i * session_st.leading, avail - col, ln) for i, ln in enumerate(lines)
        ]
        height = session_st.leading * len(lines)
        details = [
            d
            for d in (
                (room_label(session.room) if session and session.room != title else None),
                (f"Chair: {session.chair}" if session and session.chair else None),
            )
            if d
        ]
        for ln in detail_lines(details, who_st, avail - col):
            head.append(Text(col, height + who_st.leading * 0.8, avail - col, ln))
            height += who_st.leading
        items.append(Item(height + 2.0, tuple(head), keep=True, space=9.0))
        items += [memo.get(*_programme_job(e, t)) for e in entries]
    return items


PROGRAMME_COLUMN = 34.0  # a session's or talk's start time, left of its title


def _programme_styles(t: Theme) -> tuple[Style, Style, Style]:
    """The programme's times, talk titles and speakers."""
    return (
        Style(t.heading["regular"], 8.0, 10.6, t.grey),
        Style(t.text[REGULAR], 8.5, 10.6, t.ink),
        Style(t.text[ITALIC], 7.8, 9.8, t.grey),
    )


def _programme_job(e: Listing, t: Theme) -> tuple[MemoKey, Callable[[], Item]]:
    """A talk's line in the programme, as a memo key and its maker."""
    time_st, title_st, who_st = _programme_styles(t)
    pargs = (
        e.start or "",
        e.talk.heading,
        e.talk.speaker,
        talk_key(e.talk.id),
        time_st,
        title_st,
        who_st,
        t.frame_width,
        PROGRAMME_COLUMN,
    )
    return ("programme", *pargs), partial(_program_talk, *pargs)


def _program_talk(
    start: str,
    title: str,
    who: str,
    key: str,
    time_st: Style,
    title_st: Style,
    who_st: Style,
    avail: float,
    col: float,
) -> Item:
    text_avail = avail - col - NUMBER_COLUMN
    y = title_st.leading * 0.8
    ops: list[Op] = []
    tag = f"Sect#1:programme/P#{key}/Link"  # a talk's line is one link to its abstract
    if start:
        ops.append(_text(start, time_st, 0.0, y, col, tag))
    lines = break_lines(
        [Span(title, title_st.font, title_st.size, title_st.color)],
        text_avail,
        lang=None,
        justify=False,
    )
    ops += [Text(col, y + i * title_st.leading, text_avail, ln, tag) for i, ln in enumerate(lines)]
    ops.append(PageRef(key, avail, y, title_st.font, title_st.size, title_st.color, tag))
    height = title_st.leading * len(lines)
    for ln in break_lines(
        [Span(who, who_st.font, who_st.size, who_st.color)], text_avail, lang=None, justify=False
    ):
        ops.append(Text(col, height + who_st.leading * 0.8, text_avail, ln, tag))
        height += who_st.leading
    ops.append(Link(0.0, 0.0, avail, height, key, tag))
    return Item(height, tuple(ops), space=3.5)


# -- indexes ------------------------------------------------------------------------

# An index: (sort key, printed term) -> {page label: destination key}
IndexEntries = dict[tuple[tuple[str, ...], str], dict[str, str]]


UNNAMED = frozenset({"N.N.", "NN", "N.N", "TBA", "TBD"})
"""Names that say the speaker is not known yet."""


def author_index(book: Book, labels: dict[str, str]) -> IndexEntries:
    """Every author, 'Surname, Given names', sorted by surname with accents folded; "N.N."
    (a speaker not yet known) is nobody to look up."""
    people: IndexEntries = {}
    for e in book.entries:
        for a in e.talk.authors:
            if a.name.strip() in UNNAMED:
                continue
            pages = people.setdefault((surname_key(a), a.index_name), {})
            label = labels.get(e.talk.id)
            if label:
                pages.setdefault(label, talk_key(e.talk.id))
    return people


def keyword_index(book: Book, labels: dict[str, str]) -> IndexEntries:
    """Every keyword, as first spelt, with the pages of the abstracts that give it."""
    spelt: dict[str, str] = {}
    words: IndexEntries = {}
    for e in book.entries:
        for k in e.talk.keywords:
            term = spelt.setdefault(fold(k), k)
            pages = words.setdefault(((fold(term),), term), {})
            label = labels.get(e.talk.id)
            if label:
                pages.setdefault(label, talk_key(e.talk.id))
    return words


INDEX_GUTTER = 14.0


def index_column_width(theme: Theme) -> float:
    """Indexes are set in two columns: names are short, and the book gets no thicker."""
    return (theme.frame_width - INDEX_GUTTER) / 2


def index_items(
    theme: Theme, title: str, dest: str, entries: IndexEntries, memo: Memo
) -> list[Item]:
    """Letter headings kept with their first entry; page numbers are links."""
    t = theme
    avail = index_column_width(t)
    st = Style(t.text[REGULAR], 8.5, 11.0, t.ink)
    sect = f"Sect#1:{dest}"
    items = [_heading_item(title, t.heading_style(16.0), avail, 0.0, dest=dest, tag=f"{sect}/H")]
    items[0] = items[0]._replace(height=items[0].height + 6.0)
    index = f"{sect}/Index"
    jobs: list[tuple[str, tuple[MemoKey, Callable[[], Item]]]] = []  # (initial, entry)
    for (sort_key, name), pages in sorted(entries.items()):
        initial = (sort_key[0][:1] or "#").upper()
        tag = f"{index}/Sect#{_letter_key(initial)}/P#{hex_tag(name)}"
        key = ("index", name, tuple(sorted(pages.items())), st, avail, tag)
        jobs.append((initial, (key, partial(_index_entry, name, pages, st, avail, tag))))
    letter = None
    for initial, (key, make) in jobs:
        if initial != letter:
            letter = initial
            space = 9.0 if len(items) > 1 else 0.0
            tag = f"{index}/Sect#{_letter_key(initial)}/H"
            items.append(_heading_item(initial, t.heading_style(10.0), avail, space, tag=tag))
        items.append(memo.get(key, make))
    return items


def hex_tag(text: str) -> str:
    """A short key for a structure path, from text that may hold any character."""
    return hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()[:10]


def _letter_key(letter: str) -> str:
    """A letter heading's key in a structure path: its code point (a letter may be "/")."""
    return f"{ord(letter):x}"


def _index_entry(name: str, pages: dict[str, str], st: Style, avail: float, tag: str) -> Item:
    """An index entry, a P whose page numbers are links."""
    order = sorted(pages, key=lambda p: (len(p), p))
    spans = [Span(name, st.font, st.size, st.color)]
    nums: list[Span] = []
    for i, label in enumerate(order):
        if i:
            nums.append(Span(", ", st.font, st.size, st.color))
        nums.append(Span(label, st.font, st.size, st.color, 0.0, "#" + pages[label]))
    name_w = width(name, st.font, st.size)
    nums_w = sum(width(s.text, s.font, s.size) for s in nums)
    y = st.leading * 0.8
    if name_w + nums_w + 16.0 <= avail:
        ops: list[Op] = [
            Text(0.0, y, avail, break_lines(spans, avail, lang=None, justify=False)[0], tag)
        ]
        leader = _leader(name_w, avail - nums_w - 3.0, y, st)
        if leader:
            ops.append(leader)
        line = break_lines(nums, avail, lang=None, justify=False)[0]
        ops += line_ops(Text(avail - line.width, y, line.width, line, tag), "", "")
        return Item(st.leading, tuple(ops))
    lines = break_lines(
        spans + [Span("  ", st.font, st.size, st.color)] + nums,
        avail,
        lang=None,
        justify=False,
        indent=14.0,
    )
    # the page numbers are links: each line drawn in pieces, their words in the Links
    ops = [
        piece
        for i, ln in enumerate(lines)
        for piece in line_ops(
            Text(ln.indent, y + i * st.leading, avail - ln.indent, ln, tag), "", ""
        )
    ]
    return Item(st.leading * len(lines), tuple(ops))
