"""import, the records: a converted `Record` -> the mapping written as abstracts/<id>.yaml.

Keys come in the order a person reads them; defaults are left out (`type:
talk`, `presenting` for a lone author), so a record says only what the source said.
"""

from __future__ import annotations

import re
from typing import Any

from .common import Issues, Person, Record, Slot
from .project import InlineList

_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
"""What `check` refuses in text (Unicode's Cc but tab and newline, lone surrogates)."""
_LINE_ENDS = {"\r": "\n", "\x0b": "\n", "\x0c": "\n", "\x85": "\n"}


def _cp1252(code: int) -> str:
    """A C1 control that Windows-1252 gives a character (0x92 ’): text decoded wrongly."""
    try:
        return bytes([code]).decode("cp1252")
    except UnicodeDecodeError:
        return ""


def clean_text(text: str) -> tuple[str, set[str]]:
    """`text` without the control characters `check` refuses, and their code points.

    Line-ending controls become line ends, C1 controls the Windows-1252 character
    they stand for (text decoded as Latin-1), the rest (DEL, NUL, ...) are dropped."""
    found: set[str] = set()

    def replace(m: re.Match[str]) -> str:
        ch = m.group()
        found.add(f"U+{ord(ch):04X}")
        if ch in _LINE_ENDS:
            return _LINE_ENDS[ch]
        return _cp1252(ord(ch)) if 0x80 <= ord(ch) <= 0x9F else ""

    return _CONTROLS.sub(replace, text), found


def clean_record(record: Record, issues: Issues) -> None:
    """Drop or replace, in every text of `record` and its slots, what `check` would refuse;
    each record so changed is reported with the fields and code points."""
    fields: dict[str, set[str]] = {}

    def clean(name: str, text: str | None) -> str | None:
        if text is None or not _CONTROLS.search(text):
            return text
        out, found = clean_text(text)
        fields.setdefault(name, set()).update(found)
        return " ".join(out.split()) if name != "body" and name != "notes" else out

    record.title = clean("title", record.title) or "?"
    record.body = clean("body", record.body)
    record.notes = clean("notes", record.notes)
    record.board = clean("board", record.board)
    record.keywords = [k for k in (clean("keywords", k) for k in record.keywords) if k]
    for person in record.authors:
        person.name = clean("authors", person.name) or "?"
        person.family = clean("authors", person.family)
        person.affiliations = [
            a for a in (clean("affiliations", a) for a in person.affiliations) if a
        ]
    for slot in ([record.slot] if record.slot else []) + record.more_slots:
        _clean_slot(slot, clean)
    if fields:
        said = "; ".join(f"{k}: {', '.join(sorted(v))}" for k, v in sorted(fields.items()))
        issues.warn(None, "", f"{record.id}: control characters dropped or replaced ({said})")


def _clean_slot(slot: Slot, clean: Any) -> None:
    slot.room = clean("room", slot.room)
    slot.session_title = clean("session", slot.session_title)
    slot.chair = clean("chair", slot.chair)
    slot.track = clean("track", slot.track)


def record_data(record: Record) -> dict[str, Any]:
    data: dict[str, Any] = {"id": record.id, "title": record.title}
    if record.type != "talk":
        data["type"] = record.type
    if record.board:
        data["board"] = record.board
    data["authors"] = [_author(a, len(record.authors)) for a in record.authors]
    if record.body:
        data["body"] = record.body + "\n"
    if record.notes:
        data["notes"] = record.notes
    if record.keywords:
        data["keywords"] = InlineList(record.keywords)
    return data


def _author(person: Person, count: int) -> dict[str, Any]:
    data: dict[str, Any] = {"name": person.name}
    if person.affiliations:
        data["affiliations"] = InlineList(person.affiliations)
    if person.presenting and count > 1:
        data["presenting"] = True
    if person.family:
        data["family"] = person.family
    return data
