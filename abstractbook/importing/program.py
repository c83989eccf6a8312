"""import, the programme: the talks' `Slot`s -> program.yaml's days and sessions, and book.yaml.

Times are the meeting's local time: a slot the source gives in another zone
(Indico's UTC) is moved into the meeting's zone first, so a 21:15 lecture in
São Paulo stays on its day; and a talk is filed under the date it starts on,
so one at 00:50 is on the next day. A talk given several times has a slot in
each session. Sources without sessions (pretalx, frab) get one session per
room and half-day (morning, afternoon, evening), split further where the room
stands empty for `session_gap` minutes (a lunch break), and between blocks of
two or more talks of one track.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from .common import Meeting, Record, Slot, make_id

SESSION_GAP = 60
"""Minutes a room stands empty that end a session: a lunch, not a coffee break.
Real CCC, DebConf and camp schedules leave 10-30 minutes between talks; splitting
there made nearly every talk a session of its own."""
HALF_DAYS = (dt.time(13, 0), dt.time(18, 0))
"""Afternoon and evening start here: a session never runs across them."""


@dataclass(frozen=True)
class _Placed:
    record: Record
    slot: Slot
    day: dt.date
    start: dt.datetime  # naive wall-clock time in the meeting's zone

    @property
    def end(self) -> dt.datetime:
        return self.start + dt.timedelta(minutes=self.slot.duration or 0)

    @property
    def half_day(self) -> int:
        return sum(1 for t in HALF_DAYS if self.start.time() >= t)


def build_program(
    records: list[Record], tz: dt.tzinfo | None, session_gap: int = SESSION_GAP
) -> dict[str, Any] | None:
    """program.yaml's content, or None when no talk has a time."""
    placed = [
        _place(r, slot, tz)
        for r in records
        for slot in ([r.slot] if r.slot is not None else []) + r.more_slots
    ]
    if not placed:
        return None
    by_day: dict[dt.date, list[_Placed]] = {}
    for p in placed:
        by_day.setdefault(p.day, []).append(p)
    days = []
    used: set[str] = set()
    gap = dt.timedelta(minutes=session_gap)
    for day in sorted(by_day):
        groups = sorted(
            (
                part
                for g in _groups(by_day[day], gap)
                for t in _by_track(g)
                for part in _once_each(t)
            ),
            key=lambda g: (min(p.start for p in g), g[0].slot.room or "", g[0].record.id),
        )
        days.append({"date": day, "sessions": [_session(day, g, used) for g in groups]})
    return {"days": days}


def program_days(program: dict[str, Any] | None) -> list[dt.date]:
    return [d["date"] for d in program["days"]] if program else []


def _place(record: Record, slot: Slot, tz: dt.tzinfo | None) -> _Placed:
    start = slot.start
    if start.tzinfo is not None and tz is not None:
        start = start.astimezone(tz)
    local = start.replace(tzinfo=None)
    return _Placed(record, slot, local.date(), local)


def _groups(placed: list[_Placed], gap: dt.timedelta) -> list[list[_Placed]]:
    """The source's own sessions; otherwise per room, half-days split at long gaps."""
    by_session: dict[str, list[_Placed]] = {}
    by_room: dict[tuple[str, str], list[_Placed]] = {}
    for p in placed:
        if p.slot.session is not None:
            by_session.setdefault(p.slot.session, []).append(p)
        else:
            by_room.setdefault((p.slot.room or "", p.slot.session_title or ""), []).append(p)
    groups = list(by_session.values())
    for talks in by_room.values():
        talks.sort(key=lambda p: (p.start, p.record.id))
        current: list[_Placed] = []
        end = dt.datetime.min  # the latest end in `current` (kept, not searched: runs are long)
        for p in talks:
            if current and (p.start - end >= gap or p.half_day != current[0].half_day):
                groups.append(current)
                current = []
                end = dt.datetime.min
            current.append(p)
            end = max(end, p.end)
        groups.append(current)
    return groups


def _by_track(group: list[_Placed]) -> list[list[_Placed]]:
    """A room's half-day in blocks of tracks (two talks or more each) is a session per
    block; tracks changing from talk to talk (CCC, camps) make no sessions of one."""
    if group and group[0].slot.session is not None:
        return [group]
    runs: list[list[_Placed]] = []
    for p in sorted(group, key=lambda p: (p.start, p.record.id)):
        if runs and runs[-1][0].slot.track == p.slot.track:
            runs[-1].append(p)
        else:
            runs.append([p])
    return runs if len(runs) > 1 and all(len(r) >= 2 for r in runs) else [group]


def _once_each(group: list[_Placed]) -> list[list[_Placed]]:
    """A session names a talk once: a talk given twice in one stretch splits it there."""
    parts: list[list[_Placed]] = [[]]
    ids: set[str] = set()  # those in the last part (a set: a stretch can be thousands long)
    for p in sorted(group, key=lambda p: (p.start, p.slot.room or "", p.record.id)):
        if p.record.id in ids:
            parts.append([])
            ids = set()
        parts[-1].append(p)
        ids.add(p.record.id)
    return parts


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
