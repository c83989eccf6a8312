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

from ..errors import InputError, Problem, SourceLocation, error
from ..sources import MAX_FILE_BYTES
from . import easychair, frab, indico, pretalx
from . import project as _project
from .common import Conversion, Issues, zone
from .program import book_settings, build_program, program_days
from .project import Planned, dump, source_hash
from .records import record_data

FORMATS = ("pretalx", "frab", "indico", "easychair")

Reader = Callable[[list[Path], Issues, dt.tzinfo | None], Conversion | None]
_READERS: dict[str, Reader] = {
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
) -> ImportResult:
    """Convert `sources` (exports in format `fmt`) into the book project at `out_dir`.

    Raises `InputError` listing every problem in the sources, or when `out_dir`
    is not empty and `update` is off; nothing is written then.
    """
    issues = Issues()
    if fmt not in _READERS:
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
    conversion = _READERS[fmt](sources, issues, tz)
    if conversion is None or issues.failed:
        raise InputError([p for p in issues.problems if p not in issues.warnings])
    files, book = _plan(conversion, fmt, tz is not None, issues)
    too_big = [
        error(
            f"{f.label}: its record would be {len(f.data) / 2**20:.1f} MB, more than the "
            f"{MAX_FILE_BYTES // 2**20} MB a project file may have",
            SourceLocation(sources[0]),
        )
        for f in files
        if len(f.data) > MAX_FILE_BYTES
    ]
    if too_big:
        raise InputError(too_big)
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


def _plan(
    conversion: Conversion, fmt: str, zone_given: bool, issues: Issues
) -> tuple[list[Planned], bytes]:
    """Every project file as bytes: the records, program.yaml and book.yaml."""
    files = [
        Planned(f"abstracts/{r.id}.yaml", r.id, dump(record_data(r)), source_hash(r.source))
        for r in sorted(conversion.records, key=lambda r: r.id)
    ]
    program = build_program(conversion.records, conversion.timezone, trust_days=not zone_given)
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
