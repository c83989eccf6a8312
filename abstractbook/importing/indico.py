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
  (with `entries` inside), times as `{date, time, tz}`.

Persons carry `first_name`/`last_name` (or `firstName`/`familyName`),
`affiliation`, `is_speaker` and `author_type` (primary/secondary), or a list
of `roles`. Indico may list a co-author before the primary author, or sort
everyone by name; a speaker need not be an author. Primary authors come first,
then co-authors, then speakers who are not authors, and each guess is reported.
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
    Person,
    Record,
    Slot,
    family_name,
    full_name,
    listing,
    parse_datetime,
    read_json,
    talk_type,
    zone,
)
from .text import html_to_markdown, looks_like_html, markdown_with_breaks, one_line

_DAY = re.compile(r"\d{8}")
ACCEPTED = ("accepted", "invited", "3", "7")


@dataclass
class _Person:
    name: str
    last: str | None
    affiliation: str | None
    primary: bool = False
    secondary: bool = False
    speaker: bool = False


@dataclass
class _Contribution:
    key: str  # Indico's contribution id
    at: At
    title: str
    persons: list[_Person] = field(default_factory=list)
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
        elif isinstance(data, list):
            for item in root.items():
                if (c := _contribution(item)) is not None:
                    found.contributions[c.key] = c
        elif isinstance(data, dict) and (days := _timetable_days(root)) is not None:
            for day, entries in days:
                _entries(entries, _day(day), None, found)
        else:
            issues.error(
                path,
                "",
                "not an Indico export: expected abstracts.json, "
                "contributions.json or the timetable JSON",
            )
    if issues.failed:
        return None
    meeting_tz = tz or (zone(found.zone_name) if found.zone_name else None)
    conversion = Conversion(Meeting(timezone=found.zone_name), [], found.skipped, meeting_tz)
    _combine(found, conversion, issues, meeting_tz)
    return conversion


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
    conveners = _persons(entry, ("conveners",), ()) or _persons(entry, ("personLinks",), ())
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
    duration = entry["duration"].value
    return Slot(
        start=moment.replace(tzinfo=tz) if tz else moment,
        duration=round(duration) if isinstance(duration, (int, float)) and duration > 0 else None,
        room=entry["room"].text() or (block["room"] if block else None),
        day=day,
        session=block["key"] if block else None,
        session_title=block["title"] if block else None,
        chair=block["chair"] if block else None,
    )


def _contribution(item: At, key: str | None = None) -> _Contribution | None:
    """A contribution from contributions.json or a timetable entry."""
    ident = item["id"].text()
    if key is not None:
        ident = item["contributionId"].text() or item["objId"].text() or key.lstrip("c")
    title = item["title"].text(required="title")
    if ident is None or title is None:
        if ident is None:
            item.error("no id")
        return None
    c = _Contribution(ident, item, one_line(title))
    c.persons = _persons(
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
    if key is None and item.has("start_dt"):
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
    if start.tzinfo is None:
        start = start.replace(tzinfo=dt.UTC)  # Indico writes UTC, naming no zone
    end = parse_datetime(item["end_dt"].text() or "")
    seconds = item["duration"].value
    if end is not None:
        length = (end.replace(tzinfo=end.tzinfo or dt.UTC) - start).total_seconds() / 60
    else:
        length = seconds / 60 if isinstance(seconds, (int, float)) else 0
    block, session = item["session_block"], item["session"]
    return Slot(
        start=start,
        duration=round(length) if length > 0 else None,
        room=item["room_name"].text(),
        session=f"s{block['id'].text()}" if block.has("id") else None,
        session_title=block["title"].text() or session["title"].text(),
    )


def _persons(item: At, linked: tuple[str, ...], listed: tuple[str, ...]) -> list[_Person]:
    """Persons in the order Indico gives them, with their roles."""
    people: dict[str, _Person] = {}
    for name in linked:
        for p in item[name].items():
            person = _person(p)
            roles = [str(r) for r in p["roles"].value or []]
            kind = str(p["author_type"].value or "").lower()
            person.primary = kind in ("primary", "1") or "primary" in roles
            person.secondary = kind in ("secondary", "2") or "secondary" in roles
            person.speaker = p["is_speaker"].flag() or "speaker" in roles
            people[f"{name}{len(people)}"] = person
    # The old timetable lists presenters apart from the other `authors`: take them as authors.
    presenters_author = not (item.has("primaryauthors") or item.has("coauthors"))
    for name in listed:
        for p in item[name].items():
            person = _person(p)
            ident = p["person_id"].text() or p["db_id"].text() or p["email"].text() or person.name
            person = people.setdefault(ident, person)
            person.speaker |= name in ("presenters", "speakers")
            person.primary |= name in ("primaryauthors", "authors") or (
                name == "presenters" and presenters_author
            )
            person.secondary |= name == "coauthors"
    return list(people.values())


def _person(p: At) -> _Person:
    first = p["first_name"].text() or p["firstName"].text()
    last = p["last_name"].text() or p["familyName"].text()
    name = full_name(first, last) or one_line(
        p["full_name"].text() or p["fullName"].text() or p["name"].text(required="name") or "?"
    )
    return _Person(name, last, p["affiliation"].text())


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
    notes = _Notes()
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
        record = _record(f"c{key}", c.title, c.persons, text, c.at, notes, issues)
        if record is None:
            conversion.skipped.append(f"{c.title} ({c.at.place}): no authors or speakers")
            continue
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
    notes: _Notes,
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
        persons = _persons(a, ("persons",), ())
        record = _record(f"a{key}", title, persons, a["content"].text(), a, notes, issues)
        if record is None:
            conversion.skipped.append(f"{title} ({a.place}): no authors")
            continue
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


class _Notes:
    """Guesses about authors, gathered over all records and reported once each."""

    def __init__(self) -> None:
        self.reordered: list[str] = []
        self.no_speaker: list[str] = []
        self.alphabetical: list[str] = []

    def report(self, issues: Issues) -> None:
        if self.reordered:
            issues.warn(
                None,
                "",
                "a co-author was listed before the primary author; primary "
                f"authors are put first in: {listing(self.reordered)}",
            )
        if self.no_speaker:
            issues.warn(
                None,
                "",
                "no speaker is marked, so the first author is taken to "
                f"present, in: {listing(self.no_speaker)}",
            )
        if self.alphabetical:
            issues.warn(
                None,
                "",
                "the authors are in alphabetical order, which is also how "
                "Indico lists them when no order was set; check the order in: "
                f"{listing(self.alphabetical)}",
            )


def _record(
    record_id: str,
    title: str,
    persons: list[_Person],
    text: str | None,
    at: At,
    notes: _Notes,
    issues: Issues,
) -> Record | None:
    primary = [p for p in persons if p.primary]
    secondary = [p for p in persons if p.secondary and not p.primary]
    authors_in_order = [p for p in persons if p.primary or p.secondary]
    others = [p for p in persons if p.speaker and not (p.primary or p.secondary)]
    ordered = primary + secondary + others
    if not ordered:
        return None
    if authors_in_order != primary + secondary:
        notes.reordered.append(record_id)
    if not any(p.speaker for p in ordered):
        notes.no_speaker.append(record_id)
    for p in others:
        if primary or secondary:
            issues.warn(
                at.path,
                at.place,
                f"{record_id}: {p.name} presents but is not an author; listed after the authors",
            )
    for group in (primary, secondary):
        keys = [(p.last or p.name).casefold() for p in group]
        if len(keys) >= 3 and keys == sorted(keys):
            notes.alphabetical.append(record_id)
            break
    authors = [
        Person(
            p.name,
            [one_line(p.affiliation)] if p.affiliation else [],
            p.speaker,
            family_name(p.name, p.last),
        )
        for p in ordered
    ]
    return Record(record_id, title, authors, body=_body(text, record_id, at, issues))


def _body(text: str | None, record_id: str, at: At, issues: Issues) -> str | None:
    """Indico's text is HTML or Markdown; it renders `$...$` as math, so dollars stay live."""
    if not text:
        return None
    if looks_like_html(text):
        markdown, notes = html_to_markdown(text, math=True)
        for note in notes:
            issues.warn(at.path, at.place, f"{record_id}: {note}")
    else:
        markdown = markdown_with_breaks(text, math=True)
    return markdown.strip() or None
