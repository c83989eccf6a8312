"""import, Indico: abstracts.json, contributions.json and the timetable JSON -> records and slots.

Each file is recognised by its shape:

- abstracts.json (Abstracts -> Export -> JSON): `{"abstracts": [{id, title,
  content, state, persons[], accepted_contrib_type, ...}]}`;
- contributions.json (Contributions -> Export -> JSON): `[{id, friendly_id,
  title, description, keywords, board_number, room_name, start_dt, end_dt,
  duration, session, session_block, type, abstract_id, persons[]}]`, with
  `start_dt` in UTC and no word of the meeting's zone;
- the timetable (`/export/timetable/<event>.json`): `{"results": {event:
  {YYYYMMDD: {key: entry}}}}`, entries `Contribution`, `Break` or `Session`
  (with `entries` inside), times as `{date, time, tz}`;
- the HTTP API's event export (`/export/event/<event>.json?detail=contributions`,
  or `detail=sessions`), the one most Indico scripts use: `{"results":
  [{"_type": "Conference", title, timezone, startDate, contributions[],
  sessions[]}]}`, each contribution with `id`, `title`, `description`,
  `startDate`/`endDate` as `{date, time, tz}`, `duration` in minutes, `room`,
  `session` (its title), `track`, `type`, `keywords`, `board_number` and the
  people as `speakers`, `primaryauthors` and `coauthors`; with
  `detail=sessions`, sessions hold their own `contributions`.

Persons carry `first_name`/`last_name` (or `firstName`/`familyName`),
`affiliation`, `is_speaker` and `author_type`, or a list of `roles`; their
order is `indico_people`'s business.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .common import (
    At,
    Conversion,
    Issues,
    Meeting,
    Slot,
    duration_problem,
    listing,
    parse_date,
    parse_datetime,
    read_json,
    talk_type,
    year_problem,
    zone,
)
from .indico_people import IndicoPerson, Notes, make_record, read_persons
from .text import one_line

_DAY = re.compile(r"\d{8}")
ACCEPTED = ("accepted", "invited", "3", "7")


@dataclass
class _Contribution:
    key: str  # Indico's contribution id
    at: At
    title: str
    persons: list[IndicoPerson] = field(default_factory=list)
    description: str | None = None
    keywords: list[str] = field(default_factory=list)
    kind: str | None = None
    board: str | None = None
    abstract: str | None = None  # the abstract's id
    slot: Slot | None = None
    poster: bool = False
    utc: bool = False  # start was read in UTC, with no zone named


@dataclass
class _Sources:
    abstracts: dict[str, At] = field(default_factory=dict)
    contributions: dict[str, _Contribution] = field(default_factory=dict)
    scheduled: dict[str, _Contribution] = field(default_factory=dict)  # from the timetable
    zone_name: str | None = None
    skipped: list[str] = field(default_factory=list)
    meeting: Meeting = field(default_factory=Meeting)


def read(sources: list[Path], issues: Issues, tz: dt.tzinfo | None) -> Conversion | None:
    found = _Sources()
    for path in sources:
        data = read_json(path, issues)
        if data is None:
            continue
        root = At(data, "", path, issues)
        if isinstance(data, dict) and isinstance(data.get("abstracts"), list):
            for item in root["abstracts"].items():
                if (key := item["id"].text(required="id")) is not None:
                    found.abstracts[key] = item
        elif isinstance(data, list) and all(
            isinstance(i, dict) and "title" in i and ("id" in i or "friendly_id" in i) for i in data
        ):
            for item in root.items():
                if item.is_dict() and ("startDate" in item.value or "_fossil" in item.value):
                    _api_contribution(item, None, found)  # the HTTP API's list, saved alone
                elif (c := _contribution(item)) is not None:
                    found.contributions[c.key] = c
        elif isinstance(data, dict) and isinstance(data.get("results"), list):
            _events(root["results"], found)
        elif isinstance(data, dict) and (days := _timetable_days(root)) is not None:
            for day, entries in days:
                _entries(entries, _day(day), None, found)
        else:
            issues.error(
                path,
                "",
                "not an Indico export: expected abstracts.json, contributions.json, "
                "the timetable JSON or export/event/ID.json?detail=contributions",
            )
    if issues.failed:
        return None
    meeting_tz = tz or (zone(found.zone_name) if found.zone_name else None)
    found.meeting.timezone = found.zone_name
    conversion = Conversion(found.meeting, [], found.skipped, meeting_tz)
    _combine(found, conversion, issues, meeting_tz)
    return conversion


def _events(results: At, found: _Sources) -> None:
    """The HTTP API's event export: each event's contributions, in sessions or not."""
    for event in results.items():
        if not event.is_dict():
            event.error("expected an event")
            continue
        found.zone_name = found.zone_name or event["timezone"].loose_text()
        meeting = found.meeting
        meeting.title = meeting.title or event["title"].loose_text()
        meeting.venue = meeting.venue or event["location"].loose_text()
        if meeting.start is None:
            meeting.start = parse_date(_date_of(event["startDate"]) or "")
            meeting.end = parse_date(_date_of(event["endDate"]) or "")
        for item in event["contributions"].items():
            _api_contribution(item, None, found)
        for session in event["sessions"].items():
            block = {
                "title": session["title"].loose_text()
                or (
                    session["session"]["title"].loose_text()
                    if session["session"].is_dict()
                    else None
                ),
                "room": session["room"].loose_text(),
                "chair": ", ".join(
                    p.name for p in read_persons(session, (), ("sessionConveners", "conveners"))
                )
                or None,
                "poster": session["isPoster"].flag(),
            }
            for item in session["contributions"].items():
                _api_contribution(item, block, found)


def _date_of(value: At) -> str | None:
    return value["date"].loose_text() if value.is_dict() else None


def _api_contribution(item: At, block: dict[str, Any] | None, found: _Sources) -> None:
    c = _contribution(item, api=True)
    if c is None:
        return
    c.kind = c.kind or None
    start = item["startDate"]
    when = _clock(start, found)
    tz = zone(start["tz"].text() or "") if start.is_dict() else None
    moment = parse_datetime(when.replace(" ", "T")) if when else None
    if moment is not None:
        duration = item["duration"].value
        session_title = block["title"] if block else item["session"].loose_text()
        c.slot = Slot(
            start=moment.replace(tzinfo=tz) if tz else moment,
            duration=round(duration)
            if isinstance(duration, (int, float)) and duration > 0
            else None,
            room=item["room"].loose_text()
            or item["roomFullname"].loose_text()
            or (block or {}).get("room"),
            day=moment.date(),
            session=None,  # grouped by room, half-day and this title: a session has blocks
            session_title=session_title,
            chair=block["chair"] if block else None,
            track=item["track"].loose_text(),
        )
    c.poster = bool(block and block["poster"])
    found.scheduled[c.key] = c


def _day(key: str) -> dt.date | None:
    try:
        return dt.datetime.strptime(key, "%Y%m%d").date()
    except ValueError:
        return None


def _timetable_days(root: At) -> list[tuple[str, At]] | None:
    """The days of a timetable export: `results` holds one timetable per event."""
    if root.has("results"):
        results = root["results"]
        tables = [t for _, t in results.entries()] if results.is_dict() else []
        return [(d, e) for t in tables for d, e in t.entries()]
    if root.value and all(_DAY.fullmatch(str(k)) for k in root.value):
        return list(root.entries())
    return None


def _entries(
    entries: At, day: dt.date | None, block: dict[str, Any] | None, found: _Sources
) -> None:
    for key, entry in entries.entries():
        kind = entry["entryType"].text()
        if kind == "Session":
            _entries(entry["entries"], day, _block(key, entry), found)
        elif kind == "Break":
            title = entry["title"].text() or "Break"
            when = _clock(entry["startDate"], found)
            found.skipped.append(f"{title} ({when or entry.place}): a break")
        elif kind == "Contribution":
            c = _contribution(entry, key)
            if c is not None:
                c.slot = _timetable_slot(entry, day, block, found)
                c.poster = bool(block and block["poster"])
                found.scheduled[c.key] = c
        else:
            entry.error(f"unknown entryType '{kind}'")


def _block(key: str, entry: At) -> dict[str, Any]:
    conveners = read_persons(entry, ("conveners",), ()) or read_persons(entry, ("personLinks",), ())
    return {
        "key": key,
        "title": entry["title"].text() or entry["sessionTitle"].text() or entry["slotTitle"].text(),
        "room": entry["room"].text(),
        "chair": ", ".join(p.name for p in conveners) or None,
        "poster": entry["isPoster"].flag(),
    }


def _clock(date: At, found: _Sources) -> str | None:
    if not date.is_dict():
        return None
    day, time, tz = date["date"].text(), date["time"].text(), date["tz"].text()
    if tz:
        found.zone_name = found.zone_name or tz
    return f"{day} {time[:5]}" if day and time else None


def _timetable_slot(
    entry: At, day: dt.date | None, block: dict[str, Any] | None, found: _Sources
) -> Slot | None:
    start = entry["startDate"]
    when = _clock(start, found)
    tz = zone(start["tz"].text() or "") if start.is_dict() else None
    moment = parse_datetime(when.replace(" ", "T")) if when else None
    if moment is None:
        return None
    if why := year_problem(moment):
        start.error(why)
        return None
    duration = entry["duration"].value
    if isinstance(duration, (int, float)) and (why := duration_problem(duration)):
        entry["duration"].error(why)
        return None
    return Slot(
        start=moment.replace(tzinfo=tz) if tz else moment,
        duration=round(duration) if isinstance(duration, (int, float)) and duration > 0 else None,
        room=entry["room"].text() or (block["room"] if block else None),
        day=day,
        session=block["key"] if block else None,
        session_title=block["title"] if block else None,
        chair=block["chair"] if block else None,
    )


def _contribution(item: At, key: str | None = None, api: bool = False) -> _Contribution | None:
    """A contribution from contributions.json, a timetable entry or the HTTP API."""
    ident = item["id"].text()
    if key is not None:
        ident = item["contributionId"].text() or item["objId"].text() or key.lstrip("c")
    title = item["title"].text(required="title")
    if ident is None or title is None:
        if ident is None:
            item.error("no id")
        return None
    c = _Contribution(ident, item, one_line(title))
    c.persons = read_persons(
        item,
        ("persons", "personLinks"),
        ("presenters", "primaryauthors", "authors", "coauthors", "speakers"),
    )
    c.description = item["description"].text()
    c.keywords = [one_line(k) for k in (item["keywords"].value or []) if isinstance(k, str)]
    kind = item["type"]
    c.kind = kind["name"].text() if kind.is_dict() else kind.text()
    c.board = item["board_number"].text() or item["boardNumber"].text()
    c.abstract = item["abstract_id"].text()
    if key is None and not api and item.has("start_dt"):
        c.slot, c.utc = _utc_slot(item), True
    return c


def _merged(timed: Slot, listed: Slot | None) -> Slot:
    """The timetable's slot, with the session the contribution export names if it has none."""
    if listed is not None and timed.session is None and listed.session is not None:
        timed.session, timed.session_title = listed.session, listed.session_title
    return timed


def _utc_slot(item: At) -> Slot | None:
    start = parse_datetime(item["start_dt"].text() or "")
    if start is None:
        item["start_dt"].error("not a date and time")
        return None
    if why := year_problem(start):
        item["start_dt"].error(why)
        return None
    if start.tzinfo is None:
        start = start.replace(tzinfo=dt.UTC)  # Indico writes UTC, naming no zone
    end = parse_datetime(item["end_dt"].text() or "")
    seconds = item["duration"].value
    if end is not None:
        length = (end.replace(tzinfo=end.tzinfo or dt.UTC) - start).total_seconds() / 60
    else:
        length = seconds / 60 if isinstance(seconds, (int, float)) else 0
    if why := duration_problem(length):
        item["duration" if end is None else "end_dt"].error(why)
        return None
    block, session = item["session_block"], item["session"]
    return Slot(
        start=start,
        duration=round(length) if length > 0 else None,
        room=item["room_name"].text(),
        session=f"s{block['id'].text()}" if block.has("id") else None,
        session_title=block["title"].text() or session["title"].text(),
    )


def _combine(found: _Sources, conversion: Conversion, issues: Issues, tz: dt.tzinfo | None) -> None:
    """Contributions (from either export) with their abstracts; abstracts alone otherwise."""
    contributions = dict(found.scheduled)
    for key, c in found.contributions.items():
        timed = contributions.get(key)
        if timed is not None and timed.slot is not None:
            c.slot, c.utc = _merged(timed.slot, c.slot), False  # the timetable names the zone
        c.poster = c.poster or bool(timed and timed.poster)
        contributions[key] = c
    used: set[str] = set()
    notes = Notes()
    for key in sorted(contributions, key=_number):
        c = contributions[key]
        abstract = found.abstracts.get(c.abstract or "")
        if abstract is not None:
            used.add(c.abstract or "")
        if c.utc and c.slot is not None and tz is None:
            c.at["start_dt"].error(
                "the time is in UTC and the export names no time zone: add "
                "the timetable export, or pass --timezone (e.g. Europe/Zurich)"
            )
            tz = dt.UTC  # one error is enough
        text = c.description or (abstract["content"].text() if abstract else None)
        record = make_record(f"c{key}", c.title, c.persons, text, c.at, notes, issues)
        if record is None:
            continue
        record.label = f"{c.title} ({c.at.place})"
        record.keywords, record.board, record.slot = c.keywords, c.board, c.slot
        record.type = "poster" if c.poster else talk_type(c.kind)
        record.source = {"contribution": c.at.value, "abstract": abstract and abstract.value}
        conversion.records.append(record)
    unscheduled = [r.id for r in conversion.records if r.slot is None]
    if unscheduled and (found.scheduled or any(c.utc for c in found.contributions.values())):
        issues.warn(None, "", f"not in the timetable: {listing(unscheduled)}")
    _abstracts(found, used, bool(contributions), conversion, notes, issues)
    notes.report(issues)


def _abstracts(
    found: _Sources,
    used: set[str],
    with_contributions: bool,
    conversion: Conversion,
    notes: Notes,
    issues: Issues,
) -> None:
    """Accepted abstracts: records of their own when there are no contributions."""
    missing = []
    for key in sorted(found.abstracts, key=_number):
        if key in used:
            continue
        a = found.abstracts[key]
        title = one_line(a["title"].text(required="title") or "?")
        state = str(a["state"].value or "").lower()
        if state and state not in ACCEPTED:
            conversion.skipped.append(f"{title} ({a.place}): abstract state '{state}'")
            continue
        if with_contributions:
            missing.append(f"#{a['friendly_id'].text() or key} {title}")
            continue
        persons = read_persons(a, ("persons",), ())
        record = make_record(f"a{key}", title, persons, a["content"].text(), a, notes, issues)
        if record is None:
            continue
        record.label = f"{title} ({a.place})"
        kind = a["accepted_contrib_type"]
        kind = kind if kind.is_dict() else a["submitted_contrib_type"]
        record.type = talk_type(kind["name"].text() if kind.is_dict() else None)
        record.source = {"abstract": a.value}
        conversion.records.append(record)
    if missing:
        issues.warn(
            next(iter(found.abstracts.values())).path,
            "",
            "accepted abstracts with no "
            f"contribution in the contribution export: {listing(missing)}",
        )


def _number(key: str) -> tuple[int, str]:
    return (int(key), key) if key.isdigit() else (0, key)
