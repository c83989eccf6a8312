"""model, the clock: a programme's days -> sessions and talk slots placed in minutes.

The timetable grid and the pocket programme both need each session's extent and
each slot's time; they read them here, so both say the same. A slot given twice
(a talk in two sessions) is simply placed twice: everything goes by day ->
session -> slot.
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import ALL_ROOMS, Day, Program, ProgramSlot, Session

DEFAULT_TALK_MINUTES = 20
"""What a talk without a duration takes of its session, when nothing later says."""


@dataclass(frozen=True)
class TimedSlot:
    slot: ProgramSlot
    index: int  # its place in the session, from 0
    start: int | None  # minutes from midnight, as the programme gives or implies it


@dataclass(frozen=True)
class TimedSession:
    session: Session
    index: int  # its place in the day, from 0
    start: int | None  # None: the session has no time and stays out of the grid
    end: int | None
    slots: tuple[TimedSlot, ...]

    @property
    def spans_all(self) -> bool:
        return self.session.room == ALL_ROOMS


def minutes(hhmm: str | None) -> int | None:
    if not hhmm:
        return None
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


def clock(value: int) -> str:
    """Minutes from midnight as 'HH:MM' (a day running past midnight reads 24:30)."""
    return f"{value // 60:02d}:{value % 60:02d}"


def timed_day(day: Day) -> list[TimedSession]:
    return [timed(s, i) for i, s in enumerate(day.sessions)]


def timed(session: Session, index: int = 0) -> TimedSession:
    """Slot times as the book prints them (a given start, else the previous slot's
    start plus its duration); the session ends at its `end`, else when its last talk
    does, a talk without a duration lasting until the next given start or
    DEFAULT_TALK_MINUTES."""
    start = minutes(session.start)
    printed: list[TimedSlot] = []
    known = start  # the printed clock: unknown after a talk without a duration
    extent = start  # the clock for the session's extent, which always goes on
    for i, slot in enumerate(session.slots):
        given = minutes(slot.start)
        if given is not None:
            known = extent = given
        printed.append(TimedSlot(slot, i, known))
        if extent is not None:
            if slot.duration is not None:
                extent += slot.duration
            else:
                following = next(
                    (minutes(s.start) for s in session.slots[i + 1 :] if s.start), None
                )
                if following is None or following <= extent:
                    extent += DEFAULT_TALK_MINUTES
                else:
                    extent = following
        if known is not None:
            known = known + slot.duration if slot.duration is not None else None
    end = minutes(session.end)
    if end is None and start is not None:
        end = extent if extent is not None and extent > start else start + DEFAULT_TALK_MINUTES
    return TimedSession(session, index, start, end, tuple(printed))


def room_order(program: Program) -> tuple[str, ...]:
    """The timetable's columns: the `rooms:` list, else rooms in order of first
    mention; sessions without a room share one column, named by nothing."""
    rooms: dict[str, None] = dict.fromkeys(program.rooms)
    for day in program.days:
        for session in day.sessions:
            if session.room != ALL_ROOMS:
                rooms.setdefault(session.room or "", None)
    return tuple(rooms)


def room_label(room: str | None) -> str | None:
    """A session's room as printed: 'all rooms' for one that spans them."""
    return "all rooms" if room == ALL_ROOMS else room


def parallel(program: Program) -> bool:
    """Does the meeting run sessions in more than one room? Then rooms are named."""
    return len([r for r in room_order(program) if r]) > 1
