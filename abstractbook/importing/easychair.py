"""import, EasyChair: the submissions and authors tables (CSV or XLSX) -> records.

The submissions table (submission.csv, or the "Submissions" sheet of the
Excel download) has `#`, `title`, `authors`, `keywords` (one per line),
`decision`, `abstract` and `deleted?`, and, with several tracks, `track name`.
The authors table (author.csv, sheet "Authors") has one row per author, in
order: `submission #`, `first name`, `last name`, `affiliation`,
`corresponding?`, `person #`. Tables are told apart by their columns, not
their file names.

EasyChair has no schedule, so no program.yaml is written; and no presenter
column: the first author is taken to present (its corresponding author is
someone to write to, not the speaker), which the import says as a warning.
Abstracts are plain text and print exactly as typed.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from .common import (
    Conversion,
    Issues,
    Meeting,
    Person,
    Record,
    family_name,
    full_name,
    make_id,
    split_lines,
    talk_type,
)
from .tables import CSV_SUFFIXES, XLSX_SUFFIXES, Row, Table, read_tables
from .text import one_line, plain_to_markdown

NOT_A_TABLE = (
    "not an EasyChair table: expected the submissions or authors export "
    "(submission.csv, author.csv, or the XLSX download with '#' and 'title' columns)"
)


def read(sources: list[Path], issues: Issues, tz: dt.tzinfo | None) -> Conversion | None:
    submissions: list[Table] = []
    authors: list[Table] = []
    for path in sources:
        if path.suffix.lower() not in CSV_SUFFIXES + XLSX_SUFFIXES + (".xls",):
            issues.error(path, "", NOT_A_TABLE)
            continue
        found = Issues()  # a file of another kind would give an error per row: one is enough
        tables = read_tables(path, found)
        known = []
        for table in tables:
            if table.column("submission #") and (
                table.column("first name") or table.column("last name")
            ):
                authors.append(table)
                known.append(table.place())
            elif table.column("#") and table.column("title"):
                submissions.append(table)
                known.append(table.place())
        if known or not tables:  # a workbook's other sheets are no concern of ours
            issues.problems += [
                p
                for p in found.problems
                if not p.message.startswith("sheet ")
                or any(place and p.message.startswith(place) for place in known)
            ]
        else:
            issues.error(path, "", NOT_A_TABLE)
    if issues.failed:
        return None
    if not submissions:
        issues.error(
            sources[0],
            "",
            "no submissions table (EasyChair's submission.csv or its "
            "Submissions sheet, with '#' and 'title' columns)",
        )
        return None
    by_submission = _authors(authors, issues)
    conversion = Conversion(Meeting(), [])
    seen: dict[str, str] = {}
    for table in submissions:
        for row in table.rows:
            record = _submission(table, row, by_submission, conversion, issues)
            if record is None:
                continue
            if record.id in seen:
                issues.error(
                    table.path,
                    table.place(row, table.column("#")),
                    f"submission #{record.id} again (also {seen[record.id]})",
                )
                continue
            seen[record.id] = table.place(row)
            conversion.records.append(record)
    if conversion.records:
        issues.warn(
            None,
            "",
            "EasyChair names no presenter: the first author of each abstract is taken "
            "to present (not the corresponding author); mark `presenting: true` where not",
        )
    if not authors and conversion.records:
        issues.warn(
            submissions[0].path,
            "",
            "no authors table: names come from the submissions' "
            "authors column, without affiliations (add author.csv or the Authors sheet)",
        )
    return conversion


def _authors(tables: list[Table], issues: Issues) -> dict[str, list[tuple[Person, str]]]:
    """Authors per submission number, in row order, with where each came from."""
    found: dict[str, list[tuple[Person, str]]] = {}
    for table in tables:
        number, first, last = (
            table.column("submission #"),
            table.column("first name"),
            table.column("last name"),
        )
        affiliation = table.column("affiliation", "organization", "organisation")
        for row in table.rows:
            submission = row.get(number)
            name = full_name(row.get(first), row.get(last))
            if not submission or not name:
                issues.error(table.path, table.place(row), "no submission # or no name")
                continue
            place = split_lines(row.get(affiliation))
            person = Person(name, place, family=family_name(name, row.get(last)))
            found.setdefault(submission, []).append((person, table.place(row)))
    return found


def _submission(
    table: Table,
    row: Row,
    authors: dict[str, list[tuple[Person, str]]],
    conversion: Conversion,
    issues: Issues,
) -> Record | None:
    number = row.get(table.column("#"))
    title = one_line(row.get(table.column("title")))
    label = f"{title or '(no title)'} ({table.place(row)})"
    if row.get(table.column("deleted?")).lower() in ("yes", "true", "1"):
        conversion.skipped.append(f"{label}: deleted")
        return None
    decision = row.get(table.column("decision"))
    record_id = make_id(number) if number else None
    if record_id is None or not title:
        issues.error(table.path, table.place(row), "no submission # or no title")
        return None
    people = [p for p, _ in authors.get(number, [])]
    if not people:
        people = [Person(n) for n in _names(row.get(table.column("authors")))]
    if not people:
        conversion.skipped.append(f"{label}: no authors")
        return None
    abstract = row.get(table.column("abstract"))
    keywords = [one_line(k) for k in split_lines(row.get(table.column("keywords")))]
    track = row.get(table.column("track name", "track"))
    return Record(
        id=record_id,
        title=title,
        authors=people,
        body=plain_to_markdown(abstract) or None,
        keywords=keywords,
        type=talk_type(decision, track),
        source={
            "submission": row.cells,
            "authors": [(p.name, p.affiliations) for p in people],
        },
        label=label,
        decision=decision if table.column("decision") else None,
    )


def _names(text: str) -> list[str]:
    """EasyChair's "A, B and C" -> [A, B, C]."""
    head, _, last = one_line(text).rpartition(" and ")
    names = [n.strip() for n in head.split(",")] + [last.strip()] if head else [last.strip()]
    return [n for n in names if n]
