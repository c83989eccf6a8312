"""import: a pretalx, frab, Indico or EasyChair export -> a book project (or its update).

One reader per format turns the export into records (`common.Conversion`);
`program` lays the scheduled ones out in days and sessions; `project` writes
the files, or brings an earlier import up to date without overwriting local
edits. Nothing is written unless the whole source converts without error.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError, Problem, error
from . import easychair, frab, indico, pretalx
from . import project as _project
from .common import Conversion, Issues, Person, listing, zone
from .program import SESSION_GAP, book_settings, build_program, program_days
from .project import Planned, dump, source_hash
from .records import clean_record, record_data
from .verify import settle_formulas, verify

UNASSIGNED = "N.N."
"""The author of a talk kept without speakers (`--keep-unassigned`): the printed
programme's usual "name not known"."""
DECISIONS = ("accept",)
"""EasyChair decisions imported by default: only accepted submissions go in the book."""

FORMATS = ("pretalx", "frab", "indico", "easychair")

Converter = Callable[[list[Path], Issues, dt.tzinfo | None], Conversion | None]
_CONVERTERS: dict[str, Converter] = {
    "pretalx": pretalx.read,
    "frab": frab.read,
    "indico": indico.read,
    "easychair": easychair.read,
}


@dataclass
class ImportResult:
    out_dir: Path
    written: list[Path] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    vanished: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # non-talk items, each with a short reason
    conflicts: list[tuple[str, str]] = field(default_factory=list)  # (id, diff text)
    warnings: list[Problem] = field(default_factory=list)  # assumptions made


def import_project(
    fmt: str,
    sources: list[Path],
    out_dir: Path,
    *,
    update: bool = False,
    timezone: str | None = None,
    session_gap: int = SESSION_GAP,
    keep_unassigned: bool = False,
    decisions: tuple[str, ...] = DECISIONS,
) -> ImportResult:
    """Convert `sources` (exports in format `fmt`) into the book project at `out_dir`.

    Raises `InputError` listing every problem in the sources, when nothing in
    them can be imported, when a record would not pass `check`, or when
    `out_dir` is not empty and `update` is off; nothing is written then.
    """
    issues = Issues()
    if fmt not in _CONVERTERS:
        raise InputError([error(f"unknown import format '{fmt}' (one of {', '.join(FORMATS)})")])
    tz = None
    if timezone is not None:
        tz = zone(timezone)
        if tz is None:
            raise InputError(
                [error(f"--timezone: unknown time zone '{timezone}' (e.g. America/Sao_Paulo)")]
            )
    if not sources:
        raise InputError([error(f"{fmt}: no source files given")])
    conversion = _CONVERTERS[fmt](sources, issues, tz)
    if conversion is None or issues.failed:
        raise InputError([p for p in issues.problems if p not in issues.warnings])
    if fmt == "easychair":
        _by_decision(conversion, decisions, issues)
    _unassigned(conversion, keep_unassigned, issues)
    if not conversion.records:
        raise InputError([_nothing(fmt, sources, conversion)])
    for record in conversion.records:
        clean_record(record, issues)
        settle_formulas(record, issues)
    files, book = _plan(conversion, fmt, session_gap, issues)
    verify(out_dir, files, book)
    write = _project.update if update else _project.write_new
    outcome = write(out_dir, files, book, fmt)
    return ImportResult(
        out_dir=out_dir,
        written=outcome.written,
        unchanged=outcome.unchanged,
        added=outcome.added,
        updated=outcome.updated,
        vanished=outcome.vanished,
        skipped=conversion.skipped,
        conflicts=outcome.conflicts,
        warnings=issues.warnings + outcome.warnings,
    )


def _unassigned(conversion: Conversion, keep: bool, issues: Issues) -> None:
    """Talks without speakers: left out and listed, or kept with an unnamed author."""
    kept, named = [], []
    for record in conversion.records:
        if not record.authors and keep:
            record.authors = [Person(UNASSIGNED)]
            named.append(record.id)
        if record.authors:
            kept.append(record)
        else:
            conversion.skipped.append(f"{record.label}: no speakers (--keep-unassigned keeps it)")
    if named:
        issues.warn(
            None, "", f"talks without speakers, kept with author {UNASSIGNED}: {listing(named)}"
        )
    conversion.records = kept


def _by_decision(conversion: Conversion, decisions: tuple[str, ...], issues: Issues) -> None:
    """EasyChair submissions whose decision is one of `decisions` (by word, any case)."""
    wanted = [d.strip().casefold() for d in decisions if d.strip()]
    kept, left = [], dict[str, int]()
    for record in conversion.records:
        name = (record.decision or "").strip() or "no decision"  # EasyChair leaves it blank
        if record.decision is None or name.casefold().startswith(tuple(wanted)):
            kept.append(record)
        else:
            left[name] = left.get(name, 0) + 1
            conversion.skipped.append(f"{record.label}: decision '{name}'")
    if left:
        counts = ", ".join(f"{n} '{d}'" for d, n in sorted(left.items(), key=lambda x: -x[1]))
        issues.warn(
            None,
            "",
            f"{sum(left.values())} submissions left out by their decision ({counts}); "
            f"only {', '.join(repr(w) for w in wanted)} imported: --decisions chooses others "
            "(e.g. --decisions accept,'no decision')",
        )
    conversion.records = kept


def _nothing(fmt: str, sources: list[Path], conversion: Conversion) -> Problem:
    """One line: the sources hold nothing that would make a record."""
    names = ", ".join(p.name for p in sources)
    if conversion.skipped:
        why = f"all {len(conversion.skipped)} were skipped: {listing(conversion.skipped, 3)}"
    else:
        why = f"no talks, contributions or submissions found (is this a {fmt} export?)"
    return error(f"nothing to import from {names}: {why}")


def _plan(
    conversion: Conversion, fmt: str, session_gap: int, issues: Issues
) -> tuple[list[Planned], bytes]:
    """Every project file as bytes: the records, program.yaml and book.yaml."""
    files = [
        Planned(f"abstracts/{r.id}.yaml", r.id, dump(record_data(r)), source_hash(r.source))
        for r in sorted(conversion.records, key=lambda r: r.id)
    ]
    program = build_program(conversion.records, conversion.timezone, session_gap)
    header = f"# Written by `abstractbook import {fmt}`. "
    if program is not None:
        note = header + "`import --update` rewrites it unless you edited it.\n"
        data = dump(program, note)
        files.append(Planned("program.yaml", "program.yaml", data, source_hash(program)))
    if conversion.meeting.title is None:
        issues.warn(None, "", "the source names no meeting: book.yaml's title is a placeholder")
    settings = book_settings(conversion.meeting, program_days(program))
    book = dump(settings, header + "Yours to edit: `import --update` never rewrites it.\n")
    return files, book
