"""import, frab: schedule.xml (as frab, pretalx and pentabarf write it) -> records and slots.

`<schedule><conference>` gives the title, dates and `time_zone_name`; each
`<day date=…><room name=…><event id=…>` has `date` (ISO with offset; pentabarf
has only `start`), `start`, `duration`, `room`, `slug` (pentabarf: `tag`),
`title`, `subtitle`, `track`, `type`, `abstract`, `description` and
`<persons><person id=…>Name</person>`. No affiliations. The XML is read with
defusedxml (no entity expansion, no external references) and every element
keeps its line for messages. frab's JSON export is the pretalx schedule format
and is read as such.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax import SAXParseException
from xml.sax.handler import ContentHandler
from xml.sax.xmlreader import AttributesImpl, Locator

import defusedxml.sax
from defusedxml import DefusedXmlException

from . import pretalx
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
    local_start,
    make_id,
    minutes,
    parse_date,
    read_bytes,
    read_json,
    report_shifted,
    talk_type,
    year_problem,
    zone,
)
from .text import html_to_markdown, looks_like_html, markdown_with_breaks, one_line, without_images


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    line: int
    children: list[Element] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(self.parts).strip()

    def find(self, tag: str) -> Element | None:
        return next((c for c in self.children if c.tag == tag), None)

    def findall(self, tag: str) -> list[Element]:
        return [c for c in self.children if c.tag == tag]

    def child_text(self, *tags: str) -> str | None:
        for tag in tags:
            child = self.find(tag)
            if child is not None and child.text:
                return child.text
        return None

    def label(self) -> str:
        shown = {k: v for k, v in self.attrs.items() if k in ("id", "name", "date")}
        attrs = "".join(f' {k}="{v}"' for k, v in shown.items())
        return f"<{self.tag}{attrs}>"


class _Builder(ContentHandler):
    def __init__(self) -> None:
        super().__init__()
        self.stack: list[Element] = []
        self.root: Element | None = None
        self.locator: Locator | None = None

    def setDocumentLocator(self, locator: Locator) -> None:  # noqa: N802 (SAX's name)
        self.locator = locator

    def startElement(self, name: str, attrs: AttributesImpl) -> None:  # noqa: N802
        line = self.locator.getLineNumber() if self.locator else 0
        element = Element(name, {k: attrs[k] for k in attrs.getNames()}, line or 0)
        if self.stack:
            self.stack[-1].children.append(element)
        else:
            self.root = element
        self.stack.append(element)

    def endElement(self, name: str) -> None:  # noqa: N802
        self.stack.pop()

    def characters(self, content: str) -> None:
        if self.stack:
            self.stack[-1].parts.append(content)


def parse_xml(path: Path, issues: Issues) -> Element | None:
    data = read_bytes(path, issues)
    if data is None:
        return None
    builder = _Builder()
    try:
        defusedxml.sax.parseString(data, builder)
    except SAXParseException as e:
        line, column = e.getLineNumber() or 0, (e.getColumnNumber() or 0) + 1
        issues.error(path, "", f"not well-formed XML: {e.getMessage()}", line, column)
        return None
    except DefusedXmlException as e:
        issues.error(path, "", f"refused: the XML declares entities or external references ({e})")
        return None
    return builder.root


def read(sources: list[Path], issues: Issues, tz: dt.tzinfo | None) -> Conversion | None:
    if len(sources) != 1:
        issues.error(sources[1 if len(sources) > 1 else 0], "", "frab reads one schedule.xml")
        return None
    path = sources[0]
    if path.suffix.lower() == ".json":
        data = read_json(path, issues)
        if data is None:
            return None
        root = At(data.get("schedule", data) if isinstance(data, dict) else data, "", path, issues)
        return pretalx.convert(root, None, issues, tz, "frab")
    tree = parse_xml(path, issues)
    if tree is None:
        return None
    if tree.tag != "schedule":
        issues.error(
            path, tree.label(), "not a frab schedule: the root element is not <schedule>", tree.line
        )
        return None
    return _convert(tree, path, issues, tz)


def _convert(tree: Element, path: Path, issues: Issues, tz: dt.tzinfo | None) -> Conversion:
    conference = tree.find("conference") or Element("conference", {}, 0)
    zone_name = conference.child_text("time_zone_name")
    source_tz = zone(zone_name) if zone_name else None
    meeting = Meeting(
        title=conference.child_text("title"),
        start=parse_date(conference.child_text("start") or ""),
        end=parse_date(conference.child_text("end") or ""),
        timezone=zone_name,
    )
    conversion = Conversion(meeting, [], timezone=tz or source_tz)
    records = Records(conversion)
    shifted: list[str] = []
    for day in tree.findall("day"):
        day_date = parse_date(day.attrs.get("date", ""))
        for room in day.findall("room"):
            for event in room.findall("event"):
                record = _event(
                    event, day_date, room.attrs.get("name"), source_tz, path, issues, conversion
                )
                if record is None:
                    continue
                if record.slot is not None and record.slot.note:
                    shifted.append(f"{record.id} ({record.slot.note})")
                records.add(record, path, f"{event.label()} (line {event.line})", issues)
    report_shifted(shifted, path, issues, zone_name)
    if conversion.records:
        issues.warn(
            path, "", "frab's schedule.xml carries no affiliations: add them to the records by hand"
        )
    return conversion


def _event(
    event: Element,
    day: dt.date | None,
    room: str | None,
    source_tz: dt.tzinfo | None,
    path: Path,
    issues: Issues,
    conversion: Conversion,
) -> Record | None:
    def fail(message: str) -> None:
        issues.error(path, event.label(), message, event.line)

    title = event.child_text("title")
    if title is None:
        fail("no <title>")
        return None
    kind = event.child_text("type")
    persons = [p.text for p in (event.find("persons") or Element("", {}, 0)).findall("person")]
    persons = [one_line(p) for p in persons if p.strip()]
    label = f"{one_line(title)} (line {event.line})"
    if pretalx.is_break(kind, title):
        conversion.skipped.append(f"{label}: a break")
        return None
    raw_id = event.attrs.get("id") or event.child_text("slug", "tag") or ""
    record_id = make_id(raw_id)
    if record_id is None:
        fail("no id attribute or <slug> to name the record by")
        return None
    subtitle = event.child_text("subtitle")
    if subtitle:
        title = f"{title} {subtitle}" if title[-1] in ":?!." else f"{title}: {subtitle}"
    authors = [Person(name, presenting=len(persons) > 1) for name in persons]
    slot = _slot(event, day, room, source_tz, fail)
    return Record(
        id=record_id,
        title=one_line(title),
        authors=authors,
        body=_body(event, record_id, path, issues),
        type=talk_type(kind),
        slot=slot,
        source=_plain(event),
        label=label,
    )


def _body(event: Element, record_id: str, path: Path, issues: Issues) -> str | None:
    parts = []
    for tag in ("abstract", "description"):
        text = event.child_text(tag)
        if not text:
            continue
        if looks_like_html(text):
            markdown, notes = html_to_markdown(text, math=False)
            for note in notes:
                issues.warn(path, f"<{tag}> of {record_id}", note)
        else:
            markdown, notes = without_images(markdown_with_breaks(text, math=False))
            for note in notes:
                issues.warn(path, f"<{tag}> of {record_id}", note)
        if markdown.strip():
            parts.append(markdown.strip())
    return "\n\n".join(parts) or None


def _slot(
    event: Element,
    day: dt.date | None,
    room: str | None,
    source_tz: dt.tzinfo | None,
    fail: Callable[[str], None],
) -> Slot | None:
    clock = event.child_text("start")
    start, note = local_start(event.child_text("date"), clock, day, source_tz)
    if start is None:
        if clock and day is not None and not event.child_text("date"):
            fail(f"<start>: expected a time (HH:MM), found '{clock}'")
        else:
            fail("no <date>, and no <start> on a dated <day>")
        return None
    if why := year_problem(start):
        fail(f"<date>: {why}")
        return None
    text = event.child_text("duration")
    duration = minutes(text) if text else None
    if text and duration is None:
        fail(f"<duration>: expected HH:MM, found '{text}'")
    if why := duration_problem(duration):
        fail(f"<duration>: {why}")
        return None
    return Slot(
        start=start,
        duration=duration or None,
        room=event.child_text("room") or room,
        day=day,
        track=event.child_text("track"),
        note=note,
    )


def _plain(element: Element) -> dict[str, object]:
    """The element as plain data, for the hash --update keeps."""
    return {
        "tag": element.tag,
        "attrs": element.attrs,
        "text": element.text,
        "children": [_plain(c) for c in element.children],
    }
