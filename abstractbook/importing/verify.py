"""import, the last check: the planned project files -> the problems `check` would report.

An import must never write a project that does not build: the planned files are
put in a scratch folder and read back by the same loader `check` uses, formulas
included. Any error stops the import, with the file each would be in.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

from ..errors import InputError, Level, Problem, SourceLocation
from .common import Issues, Record
from .project import Planned
from .text import escape_dollars


def settle_formulas(record: Record, issues: Issues) -> None:
    """A body whose `$...$` the book cannot typeset prints its dollars as typed instead,
    and says so: one unreadable formula should not stop a whole import."""
    if not record.body or "$" not in record.body:
        return
    from ..building.preflight import math_runs
    from ..typeset.formulas import problem, shown

    bad = [tex for tex in math_runs(record.body) if problem(tex)]
    if bad:
        record.body = escape_dollars(record.body)
        issues.warn(
            None,
            "",
            f"{record.id}: the formula ${shown(bad[0])}$ cannot be typeset, so the dollars of "
            "this abstract print as typed",
        )


def verify(out_dir: Path, files: list[Planned], book: bytes) -> None:
    """Raise `InputError` with every error `check` would find in the planned project,
    placed in `out_dir` where the files would be written."""
    from ..pipeline import load_book  # the whole loader: only needed here

    scratch = Path(tempfile.mkdtemp(prefix=".abstractbook-import-"))
    try:
        (scratch / "book.yaml").write_bytes(book)
        for f in files:
            target = scratch / f.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(f.data)
        try:
            load_book(scratch)
        except InputError as e:
            errors = [_moved(p, scratch, out_dir) for p in e.problems if p.level is Level.ERROR]
            if errors:
                raise InputError([*errors, _summary(len(errors))]) from None
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _moved(problem: Problem, scratch: Path, out_dir: Path) -> Problem:
    loc = problem.location
    if loc is None or not loc.path.is_relative_to(scratch):
        return problem
    where = SourceLocation(out_dir / loc.path.relative_to(scratch), loc.line, loc.column)
    return replace(problem, location=where)


def _summary(count: int) -> Problem:
    return Problem(
        Level.ERROR,
        f"the import would write {count} problem(s) that `check` refuses: please report "
        "this with the source file",
    )
