"""validate, part four: program.yaml's `Node` -> `model.Program` (days, sessions, talk slots).

Every id the programme names must be an abstract's. A talk may be in several
sessions (a talk given twice: one abstract, several slots), but only once in each;
an abstract left out of every session is only a warning, since the book lists it
under "Other abstracts".
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import SourceLocation
from .model import ALL_ROOMS, Day, Program, ProgramSlot, Session, Settings, Talk
from .sources import Node
from .timing import TimedSession, clock, timed_day
from .values import Reader, suggest

PROGRAM_KEYS = ("rooms", "days")
DAY_KEYS = ("date", "sessions")
SESSION_KEYS = ("id", "title", "start", "end", "room", "chair", "talks")
SLOT_KEYS = ("id", "start", "duration")


@dataclass
class _Schedule:
    """What reading program.yaml keeps track of across days and sessions."""

    talks: dict[str, Talk]
    unreadable: list[str]  # stems of abstract files that could not be parsed
    placed: dict[str, Node] = field(default_factory=dict)
    sessions: dict[str, Node] = field(default_factory=dict)
    rooms: tuple[str, ...] = ()  # the top-level `rooms:` list, when given


def read_program(
    reader: Reader,
    node: Node,
    talks: dict[str, Talk],
    unreadable: list[str],
    settings: Settings | None,
) -> Program | None:
    """program.yaml: days of sessions naming talk ids that must exist, each at most once.

    `unreadable` holds the stems of abstract files that would not parse: an id
    they probably hold is not reported as unknown on top of the parse error.
    """
    schedule = _Schedule(talks, unreadable)
    fields = reader.fields(node, "", PROGRAM_KEYS, required=("days",))
    if fields is None:
        return None
    schedule.rooms = _rooms(reader, fields.get("rooms"))
    days: list[Day] = []
    for i, day_node in enumerate(reader.items(fields.get("days"), "days"), 1):
        label = f"days[{i}]"
        day = reader.fields(day_node, label, DAY_KEYS, required=("date",))
        if day is None:
            continue
        date = reader.date(day.get("date"), f"{label}.date")
        if date is not None:
            _check_day(reader, day["date"], date, settings)
        found = [
            s
            for j, s_node in enumerate(reader.items(day.get("sessions"), f"{label}.sessions"), 1)
            if (s := _session(reader, s_node, f"{label}.sessions[{j}]", schedule)) is not None
        ]
        if date is not None:
            days.append(Day(date, tuple(found)))
            _check_times(reader, days[-1])
    for talk in schedule.talks.values():
        if talk.id not in schedule.placed:
            reader.warn(
                talk.source or SourceLocation(Path("")),
                f"'{talk.id}' is in no session of program.yaml",
                "it goes under Other abstracts",
            )
    return Program(tuple(days), schedule.rooms)


def _rooms(reader: Reader, node: Node | None) -> tuple[str, ...]:
    """The timetable's columns in order: each room once, and 'all' is not a room."""
    rooms: list[str] = []
    for text, item in reader.located_texts(node, "rooms"):
        if text == ALL_ROOMS:
            reader.error(item, "rooms: 'all' is not a room; a session with room: all spans them")
        elif text in rooms:
            reader.error(item, f"rooms: '{text}' is named twice")
        else:
            rooms.append(text)
    return tuple(rooms)


def _check_times(reader: Reader, day: Day) -> None:
    """Warnings an organiser wants before printing a timetable: talks that run past
    their session's `end`, and a room booked twice at once (the grid then sets the
    two sessions side by side)."""
    booked: dict[str, list[tuple[str, int, int]]] = {}
    for ts in timed_day(day):
        s = ts.session
        where = s.location or SourceLocation(Path(""))
        if s.end is not None and ts.end is not None:
            last = _talks_end(ts)
            if last is not None and last > ts.end:
                reader.warn(
                    where,
                    f"the talks of session '{s.id}' run to {clock(last)}, past its end {s.end}",
                )
        if ts.start is None or ts.end is None or s.room in (None, ALL_ROOMS):
            continue
        room = booked.setdefault(s.room or "", [])
        for other, start, end in room:
            if ts.start < end and start < ts.end:
                reader.warn(
                    where,
                    f"session '{s.id}' overlaps '{other}' in {s.room} "
                    f"({clock(ts.start)}–{clock(ts.end)} and {clock(start)}–{clock(end)})",
                )
                break
        room.append((s.id, ts.start, ts.end))


def _talks_end(ts: TimedSession) -> int | None:
    """When the last talk with a known start and duration ends."""
    ends = [
        slot.start + slot.slot.duration
        for slot in ts.slots
        if slot.start is not None and slot.slot.duration is not None
    ]
    return max(ends, default=None)


def _check_day(reader: Reader, node: Node, date: dt.date, settings: Settings | None) -> None:
    if settings is None or settings.date_start is None:
        return
    end = settings.date_end or settings.date_start
    if settings.date_start <= end and not settings.date_start <= date <= end:
        reader.warn(
            node,
            f"{date} is outside the meeting's dates in book.yaml ({settings.date_start} to {end})",
        )


def _session(reader: Reader, node: Node, label: str, schedule: _Schedule) -> Session | None:
    fields = reader.fields(node, label, SESSION_KEYS, required=("id", "title"))
    if fields is None:
        return None
    session_id = reader.text(fields.get("id"), f"{label}.id", required=True)
    sessions = schedule.sessions
    if session_id is not None and session_id in sessions:
        reader.error(
            fields["id"],
            f"duplicate session id '{session_id}' (first at line "
            f"{sessions[session_id].location.line})",
        )
    elif session_id is not None:
        sessions[session_id] = fields["id"]
    here: dict[str, Node] = {}
    slots = [
        slot
        for i, item in enumerate(reader.items(fields.get("talks"), f"{label}.talks"), 1)
        if (slot := _slot(reader, item, f"{label}.talks[{i}]", schedule, here))
    ]
    start = reader.clock(fields.get("start"), f"{label}.start")
    end = reader.clock(fields.get("end"), f"{label}.end")
    if end is not None and start is not None and end <= start:
        reader.error(fields["end"], f"{label}.end: {end} is not after the start {start}")
        end = None
    elif end is not None and start is None:
        reader.error(fields["end"], f"{label}.end: an end needs a start", "add start: HH:MM")
        end = None
    room = reader.text(fields.get("room"), f"{label}.room")
    if room is not None and schedule.rooms and room not in (*schedule.rooms, ALL_ROOMS):
        reader.error(
            fields["room"],
            f"{label}.room: '{room}' is not in the rooms list of program.yaml",
            suggest(room, schedule.rooms) or "add it to rooms:, or write room: all",
        )
    return Session(
        id=session_id or "",
        title=reader.text(fields.get("title"), f"{label}.title", required=True) or "",
        slots=tuple(slots),
        start=start,
        room=room,
        chair=reader.text(fields.get("chair"), f"{label}.chair"),
        location=node.location,
        end=end,
    )


def _slot(
    reader: Reader, node: Node, label: str, schedule: _Schedule, here: dict[str, Node]
) -> ProgramSlot | None:
    """One talk of a session: its id alone, or {id, start, duration}."""
    if isinstance(node.value, dict):
        fields = reader.fields(node, label, SLOT_KEYS, required=("id",)) or {}
        id_node = fields.get("id")
        start = reader.clock(fields.get("start"), f"{label}.start")
        duration = reader.count(fields.get("duration"), f"{label}.duration")
    else:
        id_node, start, duration = node, None, None
    talk_id = reader.text(id_node, f"{label}" if id_node is node else f"{label}.id", required=True)
    if talk_id is None or id_node is None:
        return None
    placed = schedule.placed
    if talk_id not in schedule.talks:
        # An abstract whose file would not parse may well be this one: say nothing more.
        named = re.compile(rf"(.*[-_ .])?{re.escape(talk_id)}")
        if not any(named.fullmatch(stem) for stem in schedule.unreadable):
            reader.error(
                id_node, f"no abstract has id '{talk_id}'", suggest(talk_id, schedule.talks)
            )
        return None
    if talk_id in here:
        reader.error(
            id_node,
            f"'{talk_id}' is already in this session (line {here[talk_id].location.line})",
        )
        return None
    here[talk_id] = id_node
    placed.setdefault(talk_id, id_node)
    return ProgramSlot(talk_id, start, duration, node.location)
