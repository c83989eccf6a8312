"""import, pretalx: the public schedule.json (+ the speakers CSV) -> records and slots.

schedule.json is pretalx's frab-compatible export: `schedule.conference.days[]
.rooms{name: [talk]}`, each talk with `code`, `title`, `date` (ISO, local with
offset), `start`, `duration` ("HH:MM"), `room`, `track`, `type`, `abstract`,
`description` (Markdown) and `persons[]` (`code`, `name`). It carries no
affiliations; the organiser's speakers CSV export does (a question such as
"Affiliation"), joined on the speaker code in its `ID` column, never on the
name. pretalx leaves out talks that have no room or time, so proposals the CSV
names but the schedule lacks are reported.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from .common import (
    At,
    Conversion,
    Issues,
    Meeting,
    Person,
    Record,
    Records,
    Slot,
    duration_problem,
    listing,
    local_start,
    make_id,
    minutes,
    parse_date,
    read_json,
    report_shifted,
    split_lines,
    talk_type,
    year_problem,
    zone,
)
from .tables import CSV_SUFFIXES, XLSX_SUFFIXES, Row, read_tables
from .text import html_to_markdown, looks_like_html, markdown_with_breaks, one_line, without_images

AFFILIATION_WORDS = (
    "affiliation",
    "afiliación",
    "affiliazione",
    "zugehörigkeit",
    "institution",
    "institute",
    "organisation",
    "organization",
    "organización",
    "company",
    "employer",
    "firma",
    "university",
)
BREAK_TYPES = ("break", "pause")
BREAK_TITLE = re.compile(r"(coffee|tea|lunch|dinner)?\s*(break|pause)|lunch|dinner", re.I)


def is_break(kind: str | None, title: str) -> bool:
    """A break by its type, or by a title that says nothing else ("Coffee break")."""
    return (kind or "").lower() in BREAK_TYPES or BREAK_TITLE.fullmatch(title.strip()) is not None


@dataclass
class Speakers:
    """The speakers CSV: affiliations by speaker code, and what else it says exists."""

    path: Path
    affiliations: dict[str, list[str]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    proposals: dict[str, str] = field(default_factory=dict)  # proposal code -> speaker code
    has_affiliations: bool = False
    unmatched: list[str] = field(default_factory=list)  # schedule speakers it has no row for


def read(sources: list[Path], issues: Issues, tz: dt.tzinfo | None) -> Conversion | None:
    schedules = [p for p in sources if p.suffix.lower() == ".json"]
    tables = [p for p in sources if p.suffix.lower() in CSV_SUFFIXES + XLSX_SUFFIXES]
    for p in sources:
        if p not in schedules and p not in tables:
            hint = " (schedule.xml is read by the frab format)" if p.suffix == ".xml" else ""
            issues.error(p, "", f"not a pretalx export: expected schedule.json or a CSV{hint}")
    if len(schedules) != 1:
        issues.error(
            sources[0], "", "pretalx needs exactly one schedule.json (the public JSON export)"
        )
        return None
    speakers = [s for t in tables if (s := read_speakers(t, issues)) is not None]
    data = read_json(schedules[0], issues)
    if data is None or issues.failed:
        return None
    root = At(data, "", schedules[0], issues)
    if root.has("schedule"):
        root = At(data["schedule"], "", schedules[0], issues)
    return convert(root, speakers[0] if speakers else None, issues, tz, "pretalx")


def read_speakers(path: Path, issues: Issues) -> Speakers | None:
    tables = read_tables(path, issues)
    if not tables:
        return None
    table = tables[0]
    code = table.column("ID", "code")
    if code is None:
        issues.error(path, "", "no ID column: this is not pretalx's speakers CSV export")
        return None
    found = Speakers(path)
    place = table.columns_like(AFFILIATION_WORDS)
    found.has_affiliations = bool(place)
    name = table.column("Name")
    proposals = table.column("Proposal IDs", "submission_ids")
    if not place:
        issues.warn(
            path, "", "no affiliation column (a question such as 'Affiliation' or 'Institution')"
        )
    for row in table.rows:
        speaker = row.get(code)
        if not speaker:
            issues.error(path, table.place(row, code), "no speaker code")
            continue
        found.affiliations[speaker] = split_lines(row.get(place[0])) if place else []
        found.names[speaker] = row.get(name) or speaker
        for proposal in _codes(row, proposals):
            found.proposals.setdefault(proposal, speaker)
    return found


def _codes(row: Row, column: str | None) -> list[str]:
    """Proposal codes in a cell: one per line, or separated by commas."""
    return [
        c.strip() for line in split_lines(row.get(column)) for c in line.split(",") if c.strip()
    ]


def convert(
    root: At, speakers: Speakers | None, issues: Issues, tz: dt.tzinfo | None, tool: str
) -> Conversion:
    """The frab-compatible JSON (pretalx's, or frab's own) -> records."""
    conference = root["conference"]
    if not conference.is_dict():
        issues.error(root.path, "", f"not a {tool} schedule.json export: it has no conference")
        return Conversion(Meeting(), [])
    zone_name = conference["time_zone_name"].text()
    source_tz = zone(zone_name) if zone_name else None
    meeting = Meeting(
        title=conference["title"].text(),
        start=parse_date(conference["start"].text() or ""),
        end=parse_date(conference["end"].text() or ""),
        timezone=zone_name,
    )
    conversion = Conversion(meeting, [], timezone=tz or source_tz)
    records = Records(conversion)
    persons_seen: set[str] = set()
    shifted: list[str] = []
    for day in conference["days"].items():
        day_date = parse_date(day["date"].text() or "")
        for room_name, talks in day["rooms"].entries():
            for talk in talks.items():
                record = _talk(talk, day_date, room_name, source_tz, speakers, conversion, issues)
                if record is None:
                    continue
                if record.slot is not None and record.slot.note:
                    shifted.append(f"{record.id} ({record.slot.note})")
                records.add(record, talk.path, talk.place, issues)
                persons_seen.update(
                    str(p.get("code")) for p in talk["persons"].value or [] if isinstance(p, dict)
                )
    report_shifted(shifted, root.path, issues, zone_name)
    _report_missing(speakers, set(records.by_id), persons_seen, root.path, issues, tool)
    return conversion


def _talk(
    talk: At,
    day: dt.date | None,
    room: str,
    source_tz: dt.tzinfo | None,
    speakers: Speakers | None,
    conversion: Conversion,
    issues: Issues,
) -> Record | None:
    title = talk["title"].text(required="title")
    kind = talk["type"].text()
    persons = list(talk["persons"].items())
    if title is None:
        return None
    label = f"{title} ({talk.place})"
    if is_break(kind, title):
        conversion.skipped.append(f"{label}: a break")
        return None
    raw_id = talk["code"].text() or talk["id"].text() or talk["slug"].text()
    record_id = make_id(raw_id) if raw_id else None
    if record_id is None:
        talk.error("no code, id or slug to name the record by")
        return None
    authors = [a for p in persons if (a := _person(p, speakers)) is not None]
    subtitle = talk["subtitle"].text()
    if subtitle:
        title = f"{title} {subtitle}" if title[-1] in ":?!." else f"{title}: {subtitle}"
    record = Record(
        id=record_id,
        title=one_line(title),
        authors=authors,
        body=_body(talk, record_id, issues),
        type=talk_type(kind),
        slot=_slot(talk, day, room, source_tz),
        source={"talk": talk.value, "speakers": _rows(talk, speakers)},
        label=label,
    )
    if len(authors) > 1:
        for author in authors:
            author.presenting = True  # every pretalx speaker presents
    return record


def _person(person: At, speakers: Speakers | None) -> Person | None:
    if not person.is_dict():
        person.error("expected a person (a mapping with a name)")
        return None
    name = person["public_name"].text() or person["name"].text(required="name")
    if name is None:
        return None
    code = person["code"].text()
    if speakers is None:
        return Person(one_line(name))
    if code not in speakers.affiliations:
        speakers.unmatched.append(f"{one_line(name)} ({code or 'no code'})")
    affiliations = speakers.affiliations.get(code or "", [])
    return Person(one_line(name), [one_line(a) for a in affiliations])


def _rows(talk: At, speakers: Speakers | None) -> list[list[str]]:
    if speakers is None:
        return []
    codes = [str(p.get("code")) for p in talk["persons"].value or [] if isinstance(p, dict)]
    return [speakers.affiliations.get(c, []) for c in codes]


def _body(talk: At, record_id: str, issues: Issues) -> str | None:
    """abstract, then description: both are the talk's text on pretalx's page."""
    parts = []
    for field_name in ("abstract", "description"):
        text = talk[field_name].text()
        if not text:
            continue
        if looks_like_html(text):
            markdown, notes = html_to_markdown(text, math=False)
            for note in notes:
                issues.warn(talk.path, talk[field_name].place, f"{record_id}: {note}")
        else:
            markdown, notes = without_images(markdown_with_breaks(text, math=False))
            for note in notes:
                issues.warn(talk.path, talk[field_name].place, f"{record_id}: {note}")
        if markdown.strip():
            parts.append(markdown.strip())
    return "\n\n".join(parts) or None


def _slot(talk: At, day: dt.date | None, room: str, source_tz: dt.tzinfo | None) -> Slot | None:
    clock = talk["start"].text()
    start, note = local_start(talk["date"].text(), clock, day, source_tz)
    if start is None:
        if clock and day is not None and talk["date"].text() is None:
            talk["start"].error(f"expected a time (HH:MM), found '{clock}'")
        else:
            talk["date"].error("no date and time")
        return None
    if why := year_problem(start):
        talk["date" if talk.has("date") else "start"].error(why)
        return None
    duration_text = talk["duration"].text()
    duration = minutes(duration_text) if duration_text else None
    if duration_text and duration is None:
        talk["duration"].error(f"expected a duration (HH:MM), found '{duration_text}'")
    if why := duration_problem(duration):
        talk["duration"].error(why)
        return None
    return Slot(
        start=start,
        duration=duration or None,
        room=talk["room"].text() or room or None,
        day=day,
        track=talk["track"].text(),
        note=note,
    )


def _report_missing(
    speakers: Speakers | None,
    talks: set[str],
    persons: set[str],
    schedule: Path,
    issues: Issues,
    tool: str,
) -> None:
    """What the speakers CSV says exists but the schedule does not contain."""
    if speakers is None:
        hint = ": pass the speakers CSV export too (with an affiliation question ticked)"
        message = f"{tool}'s schedule carries no affiliations"
        issues.warn(schedule, "", message + (hint if tool == "pretalx" else ""))
        return
    missing = sorted(p for p in speakers.proposals if make_id(p) not in talks)
    if missing:
        issues.warn(
            speakers.path,
            "",
            f"proposals not in the schedule: {listing(missing)} (pretalx leaves out talks "
            "without a room or a time, and proposals not accepted)",
        )
    absent = sorted(f"{speakers.names[c]} ({c})" for c in speakers.names if c not in persons)
    if absent:
        issues.warn(speakers.path, "", f"speakers with no talk in the schedule: {listing(absent)}")
    if speakers.unmatched:
        issues.warn(
            speakers.path,
            "",
            f"no row for these speakers of the schedule, so no affiliation: "
            f"{listing(sorted(set(speakers.unmatched)))}",
        )
