"""import, the records: a converted `Record` -> the mapping written as abstracts/<id>.yaml.

Keys come in the order a person reads them; defaults are left out (`type:
talk`, `presenting` for a lone author), so a record says only what the source said.
"""

from __future__ import annotations

from typing import Any

from .common import Person, Record
from .project import InlineList


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
