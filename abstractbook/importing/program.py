"""import, the programme: the talks' `Slot`s -> program.yaml's days and sessions, and book.yaml.

Times are the meeting's local time: a slot the source gives in another zone
(Indico's UTC) is moved into the meeting's zone first, so a 21:15 lecture in
São Paulo stays on its day. Sources without sessions (pretalx, frab) get one
session per room and stretch of talks, split where a gap of 15 minutes or more
(a break) or a change of track falls.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from .common import Meeting, Record, Slot, make_id

SESSION_GAP = dt.timedelta(minutes=15)
"""A gap this long between two talks in a room ends a session (the break between them)."""


@dataclass(frozen=True)
class _Placed:
    record: Record
    slot: Slot
    day: dt.date
    start: dt.datetime  # naive wall-clock time in the meeting's zone

    @property
    def end(self) -> dt.datetime:
        return self.start + dt.timedelta(minutes=self.slot.duration or 0)


def build_program(
    records: list[Record], tz: dt.tzinfo | None, trust_days: bool
) -> dict[str, Any] | None:
    """program.yaml's content, or None when no talk has a time.

    `trust_days`: keep the day the source files a talk under when it is the
    local date or the one before (pretalx counts a 01:00 talk to the evening
    before); off when the user asked for another time zone.
    """
    placed = [_place(r, r.slot, tz, trust_days) for r in records if r.slot is not None]
    if not placed:
        return None
    by_day: dict[dt.date, list[_Placed]] = {}
    for p in placed:
        by_day.setdefault(p.day, []).append(p)
    days = []
    used: set[str] = set()
    for day in sorted(by_day):
        groups = sorted(
            _groups(by_day[day]),
            key=lambda g: (min(p.start for p in g), g[0].slot.room or "", g[0].record.id),
        )
        days.append({"date": day, "sessions": [_session(day, g, used) for g in groups]})
    return {"days": days}


def program_days(program: dict[str, Any] | None) -> list[dt.date]:
    return [d["date"] for d in program["days"]] if program else []


def _place(record: Record, slot: Slot, tz: dt.tzinfo | None, trust_days: bool) -> _Placed:
    start = slot.start
    if start.tzinfo is not None and tz is not None:
        start = start.astimezone(tz)
    local = start.replace(tzinfo=None)
    day = local.date()
    if trust_days and slot.day is not None and 0 <= (day - slot.day).days <= 1:
        day = slot.day
    return _Placed(record, slot, day, local)


def _groups(placed: list[_Placed]) -> list[list[_Placed]]:
    """The source's own sessions; otherwise stretches of talks per room."""
    by_session: dict[str, list[_Placed]] = {}
    by_room: dict[str, list[_Placed]] = {}
    for p in placed:
        if p.slot.session is not None:
            by_session.setdefault(p.slot.session, []).append(p)
        else:
            by_room.setdefault(p.slot.room or "", []).append(p)
    groups = list(by_session.values())
    for talks in by_room.values():
        talks.sort(key=lambda p: (p.start, p.record.id))
        current: list[_Placed] = []
        end = dt.datetime.min  # the latest end in `current` (kept, not searched: runs are long)
        for p in talks:
            # a stretch holds one track: a talk of another track starts a new one
            if current and (p.start - end >= SESSION_GAP or p.slot.track != current[0].slot.track):
                groups.append(current)
                current = []
                end = dt.datetime.min
            current.append(p)
            end = max(end, p.end)
        groups.append(current)
    return groups


def _track(group: list[_Placed]) -> str | None:
    tracks = {p.slot.track for p in group}
    return tracks.pop() if len(tracks) == 1 else None


def _session(day: dt.date, group: list[_Placed], used: set[str]) -> dict[str, Any]:
    group = sorted(group, key=lambda p: (p.start, p.slot.room or "", p.record.id))
    first = group[0]
    rooms = {p.slot.room for p in group}
    room = rooms.pop() if len(rooms) == 1 else None
    title = first.slot.session_title or _track(group) or room or "Talks"
    start = first.start.strftime("%H:%M")
    base = f"{day.isoformat()}-{make_id(title) or 'session'}-{start.replace(':', '')}"
    session_id, n = base, 1
    while session_id in used:
        n += 1
        session_id = f"{base}-{n}"
    used.add(session_id)
    session: dict[str, Any] = {"id": session_id, "title": title, "start": start}
    if room:
        session["room"] = room
    chair = next((p.slot.chair for p in group if p.slot.chair), None)
    if chair:
        session["chair"] = chair
    talks: list[dict[str, Any]] = []
    for p in group:
        talk: dict[str, Any] = {"id": p.record.id, "start": p.start.strftime("%H:%M")}
        if p.slot.duration:
            talk["duration"] = p.slot.duration
        talks.append(talk)
    session["talks"] = talks
    return session


def book_settings(meeting: Meeting, days: list[dt.date]) -> dict[str, Any]:
    """book.yaml for a new project: the meeting's title, dates and venue."""
    book: dict[str, Any] = {"title": meeting.title or "Book of Abstracts"}
    starts = [d for d in (meeting.start, *days) if d is not None]
    ends = [d for d in (meeting.end, meeting.start, *days) if d is not None]
    if starts:
        book["dates"] = {"start": min(starts), "end": max(ends)}
    if meeting.venue:
        book["venue"] = meeting.venue
    return book
