"""import, shared part: what every format's reader hands on (`Conversion`), and its helpers.

A reader turns source files into `Record`s (one per talk) with an optional
`Slot` in the schedule; `program.py` and `project.py` take it from there. Every
problem is collected with the file and the place inside it, so one run reports
them all.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..errors import Level, Problem, SourceLocation, error, warning

MAX_SOURCE_BYTES = 64 * 1024 * 1024
"""Larger than any real schedule export (a 3-day, 800-talk pretalx schedule is ~5 MB)."""

_ID = re.compile(r"[a-z0-9][a-z0-9-]*")


@dataclass
class Person:
    name: str
    affiliations: list[str] = field(default_factory=list)
    presenting: bool = False
    family: str | None = None


@dataclass
class Slot:
    """Where and when a talk is in the schedule. `start` is aware when the source says
    which zone it is in, else already the meeting's wall-clock time."""

    start: dt.datetime
    duration: int | None = None  # minutes
    room: str | None = None
    day: dt.date | None = None  # the day the source files the talk under
    session: str | None = None  # the source's own session (block) identity
    session_title: str | None = None
    chair: str | None = None
    track: str | None = None
    note: str | None = None  # a disagreement in the source about its time, to report


@dataclass
class Record:
    id: str
    title: str
    authors: list[Person]
    body: str | None = None
    notes: str | None = None
    keywords: list[str] = field(default_factory=list)
    type: str = "talk"
    board: str | None = None
    slot: Slot | None = None
    more_slots: list[Slot] = field(default_factory=list)  # a talk given more than once
    source: Any = None  # the talk as the source has it: what --update remembers a hash of
    label: str = ""  # "title (place in the source)", for what the import reports
    decision: str | None = None  # EasyChair's decision column, as written


@dataclass
class Meeting:
    title: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    venue: str | None = None
    timezone: str | None = None  # IANA name, when the source names one


@dataclass
class Conversion:
    meeting: Meeting
    records: list[Record]
    skipped: list[str] = field(default_factory=list)
    timezone: dt.tzinfo | None = None  # the meeting's zone: slots are shown in it


class Records:
    """The records read so far, by id: a talk met again is another slot of the same talk."""

    def __init__(self, conversion: Conversion) -> None:
        self.conversion = conversion
        self.by_id: dict[str, Record] = {}

    def add(self, record: Record, path: Path, place: str, issues: Issues) -> None:
        """Keep `record`; one with a known id and the same title is another slot of that
        talk (pretalx lists a workshop on four days four times); one with another title is
        another talk, kept under the id with a number added, and reported."""
        first = self.by_id.get(record.id)
        if first is None:
            self.by_id[record.id] = record
            self.conversion.records.append(record)
            return
        if _same_title(first.title, record.title):
            if record.slot is not None:
                first.more_slots.append(record.slot)
            return
        n = 2
        while f"{record.id}-{n}" in self.by_id:
            n += 1
        issues.warn(
            path,
            place,
            f"id '{record.id}' is also '{first.title}': this talk is kept as '{record.id}-{n}'",
        )
        record.id = f"{record.id}-{n}"
        self.add(record, path, place, issues)


def _same_title(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def local_start(
    date_text: str | None, clock: str | None, day: dt.date | None, source_tz: dt.tzinfo | None
) -> tuple[dt.datetime | None, str | None]:
    """A talk's start from a frab-style schedule: `date` (ISO with offset) and `start`
    (the local "HH:MM"), the day's date and the schedule's zone.

    Returns the start and, when `date` in the zone named gives another wall-clock time
    than `start` (a `time_zone_name` of "UTC" over +01:00 offsets), what disagreed: the
    local `start` wins then, on the date of `date`, as a wall-clock time."""
    start = parse_datetime(date_text or "")
    try:
        wall = dt.time.fromisoformat(clock.strip()) if clock else None
    except ValueError:
        wall = None
    if start is None:
        if day is None or wall is None:
            return None, None
        start = dt.datetime.combine(day, wall)
        return (start.replace(tzinfo=source_tz) if source_tz else start), None
    if wall is None or start.tzinfo is None:
        return start, None
    local = start.astimezone(source_tz) if source_tz else start
    if (local.hour, local.minute) == (wall.hour, wall.minute):
        return start, None
    zone_name = getattr(source_tz, "key", None) or str(source_tz or "its offset")
    said = f"start {wall:%H:%M}, but date {date_text} in {zone_name} is {local:%H:%M}"
    return dt.datetime.combine(start.date(), wall), said


def report_shifted(shifted: list[str], path: Path, issues: Issues, zone_name: str | None) -> None:
    """One warning for every talk whose local `start` was taken over its `date` and zone."""
    if shifted:
        issues.warn(
            path,
            "",
            f"the schedule's time zone ({zone_name or 'none named'}) disagrees with the "
            f"talks' local start times; the start times were taken: {listing(shifted, 8)}",
        )


class Issues:
    """Every problem found, each naming the file and the place inside it."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def error(self, path: Path, place: str, message: str, line: int = 0, column: int = 0) -> None:
        if not place and not line:  # a problem with the whole file: at its start, as SPEC §2
            line = column = 1
        self.problems.append(error(_at(place, message), SourceLocation(path, line, column)))

    def warn(self, path: Path | None, place: str, message: str) -> None:
        where = None if path is None else SourceLocation(path, *((0, 0) if place else (1, 1)))
        self.problems.append(warning(_at(place, message), where))

    @property
    def failed(self) -> bool:
        return any(p.level is Level.ERROR for p in self.problems)

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level is Level.WARNING]


def _at(place: str, message: str) -> str:
    return f"{place}: {message}" if place else message


# -- reading files ------------------------------------------------------------------


def read_bytes(path: Path, issues: Issues) -> bytes | None:
    try:
        size = path.stat().st_size
        if size > MAX_SOURCE_BYTES:
            issues.error(path, "", f"{size:,} bytes, over the 64 MB limit for an import source")
            return None
        return path.read_bytes()
    except IsADirectoryError:
        issues.error(path, "", "a folder, not an export file")
    except OSError as e:
        issues.error(path, "", f"cannot read: {e.strerror or e}")
    return None


def read_text(path: Path, issues: Issues) -> str | None:
    data = read_bytes(path, issues)
    if data is None:
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        issues.error(
            path, f"byte {e.start + 1}", f"not UTF-8 text (byte 0x{data[e.start]:02x})", line
        )
        return None


def read_json(path: Path, issues: Issues) -> Any:
    text = read_text(path, issues)
    if text is None:
        return None
    if not text.strip():
        issues.error(path, "", "the file is empty")
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        issues.error(path, "", f"not valid JSON: {e.msg}", e.lineno, e.colno)
    except RecursionError:
        issues.error(path, "", "not valid JSON: nested too deeply")
    return None


# -- a JSON value with its place ----------------------------------------------------


class At:
    """A JSON value and its place, e.g. `conference.days[1].rooms["Hall A"][3]`.

    Indexes count from 1, as the rest of abstractbook's messages do. Getters
    report a wrong type as an error and hand back an empty value, so a reader
    goes on and finds the next problem too.
    """

    def __init__(self, value: Any, place: str, path: Path, issues: Issues) -> None:
        self.value, self.place, self.path, self.issues = value, place, path, issues

    def error(self, message: str) -> None:
        self.issues.error(self.path, self.place, message)

    def __getitem__(self, key: str) -> At:
        value = self.value.get(key) if isinstance(self.value, dict) else None
        name = (
            key if re.fullmatch(r"[A-Za-z_$][\w$]*", key) else json.dumps(key, ensure_ascii=False)
        )
        place = f"{self.place}.{name}" if name[0] != '"' else f"{self.place}[{name}]"
        return At(value, place.lstrip("."), self.path, self.issues)

    def has(self, key: str) -> bool:
        return isinstance(self.value, dict) and self.value.get(key) is not None

    def items(self) -> Iterator[At]:
        if self.value is None:
            return
        if not isinstance(self.value, list):
            self.error(f"expected a list, found {_kind(self.value)}")
            return
        for i, item in enumerate(self.value, 1):
            yield At(item, f"{self.place}[{i}]", self.path, self.issues)

    def entries(self) -> Iterator[tuple[str, At]]:
        if self.value is None:
            return
        if not isinstance(self.value, dict):
            self.error(f"expected a mapping, found {_kind(self.value)}")
            return
        for key in self.value:
            yield key, self[str(key)]

    def is_dict(self) -> bool:
        return isinstance(self.value, dict)

    def text(self, required: str | None = None) -> str | None:
        """A string (numbers are taken as their digits); None when absent or blank.
        `required`: what to call the field in the error when it is missing."""
        value = self.value
        if isinstance(value, (bool, list, dict)):
            self.error(f"expected text, found {_kind(value)}")
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = str(value).strip() if value is not None else ""
        if not text:
            if required:
                self.error(f"no {required}")
            return None
        return text

    def loose_text(self) -> str | None:
        """Text when the value is text or a number, else None without a word: for fields
        that only add detail and whose shape differs between versions of a tool."""
        if isinstance(self.value, (str, int, float)) and not isinstance(self.value, bool):
            return self.text()
        return None

    def flag(self) -> bool:
        return self.value is True or (isinstance(self.value, str) and self.value.lower() == "true")


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    return {dict: "a mapping", list: "a list", str: "text", bool: "true/false"}.get(
        type(value), "a number"
    )


# -- values ---------------------------------------------------------------------


def make_id(raw: str) -> str | None:
    """The source's own id or slug as a record id (lower-case letters, digits, '-')."""
    text = raw.strip().lower()
    if _ID.fullmatch(text):
        return text
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    return slug or None


def talk_type(*labels: str | None) -> str:
    """The book's type from what the source calls it: poster, keynote, else talk."""
    words = " ".join(label.lower() for label in labels if label)
    if "poster" in words:
        return "poster"
    if re.search(r"keynote|plenary|invited", words):
        return "keynote"
    return "talk"


def family_name(name: str, last: str | None) -> str | None:
    """`family:` for a record, needed only when the surname is not the name's last word."""
    if not last:
        return None
    last = " ".join(last.split())
    words = name.split()
    return None if words and words[-1] == last else last


def full_name(first: str | None, last: str | None) -> str:
    return " ".join(" ".join(p for p in (first, last) if p).split())


def minutes(text: str) -> int | None:
    """A duration as "HH:MM" or "HH:MM:SS" -> whole minutes; None when malformed."""
    parts = text.strip().split(":")
    if not 2 <= len(parts) <= 3 or not all(p.isdigit() for p in parts):
        return None
    numbers = [int(p) for p in parts] + [0]
    if numbers[1] >= 60 or numbers[2] >= 60:
        return None
    return numbers[0] * 60 + numbers[1] + (1 if numbers[2] >= 30 else 0)


# A programme's times stay within these (README, Limits): beyond them, arithmetic on
# dates overflows, and no meeting falls there.
FIRST_YEAR, LAST_YEAR = 1900, 2999
MAX_MINUTES = 24 * 60  # a talk's duration


def year_problem(moment: dt.date) -> str | None:
    """Why a date cannot be in a programme, or None."""
    if FIRST_YEAR <= moment.year <= LAST_YEAR:
        return None
    return f"the year {moment.year} is outside {FIRST_YEAR}–{LAST_YEAR}"


def duration_problem(length: float | None) -> str | None:
    """Why a duration in minutes cannot be in a programme, or None."""
    if length is None or (math.isfinite(length) and length <= MAX_MINUTES):
        return None
    shown = f"{int(length) // 60}:{int(length) % 60:02d}" if math.isfinite(length) else "endless"
    return f"a duration of {shown} is longer than {MAX_MINUTES // 60} hours"


def zone(name: str) -> dt.tzinfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def parse_datetime(text: str) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None


def parse_date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None


def listing(items: list[str], limit: int = 12) -> str:
    """Items as "a, b, c", at most `limit` of them shown."""
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def split_lines(text: str | None) -> list[str]:
    """Items one per line (how several values share one cell in these exports)."""
    if not text:
        return []
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]
