"""import, Indico's people: person links with their roles -> the record's authors, in order.

Indico may list a co-author before the primary author, or everyone sorted by
name when no order was set; and a speaker need not be an author. Primary
authors come first, then co-authors, then speakers who are not authors; who
presents is who Indico marks as speaker (else the first author), and each
guess is reported.
"""

from __future__ import annotations

from dataclasses import dataclass

from .common import At, Issues, Person, Record, family_name, full_name, listing
from .text import html_to_markdown, looks_like_html, markdown_with_breaks, one_line, without_images


@dataclass
class IndicoPerson:
    name: str
    last: str | None
    affiliation: str | None
    primary: bool = False
    secondary: bool = False
    speaker: bool = False


def read_persons(item: At, linked: tuple[str, ...], listed: tuple[str, ...]) -> list[IndicoPerson]:
    """Persons in the order Indico gives them, with their roles."""
    people: dict[str, IndicoPerson] = {}
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


def _person(p: At) -> IndicoPerson:
    first = p["first_name"].text() or p["firstName"].text()
    last = p["last_name"].text() or p["familyName"].text()
    name = full_name(first, last) or one_line(
        p["full_name"].text() or p["fullName"].text() or p["name"].text(required="name") or "?"
    )
    return IndicoPerson(name, last, p["affiliation"].text())


class Notes:
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


def make_record(
    record_id: str,
    title: str,
    persons: list[IndicoPerson],
    text: str | None,
    at: At,
    notes: Notes,
    issues: Issues,
) -> Record | None:
    primary = [p for p in persons if p.primary]
    secondary = [p for p in persons if p.secondary and not p.primary]
    authors_in_order = [p for p in persons if p.primary or p.secondary]
    others = [p for p in persons if p.speaker and not (p.primary or p.secondary)]
    ordered = primary + secondary + others
    if not ordered:  # the import's policy for talks without speakers decides
        return Record(record_id, title, [], body=_body(text, record_id, at, issues))
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
        markdown, notes = without_images(markdown_with_breaks(text, math=True))
        for note in notes:
            issues.warn(at.path, at.place, f"{record_id}: {note}")
    return markdown.strip() or None
