"""export: a book's talks -> one PDF each for the web site, and their index talks.json.

Every file is written atomically (`files`), so an interrupted or failed run leaves
the previous files as they were.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property, partial
from pathlib import Path
from typing import BinaryIO

from .. import parallel
from ..digests import digest, file_digest
from ..pdf.render import render_pdf
from ..pdf.shared import Shared
from ..project.model import Book, Entry, Settings, Talk
from ..typeset.layout import Item
from ..typeset.pages import lay_out_talk_alone
from ..typeset.theme import Theme
from .files import write_atomic, write_atomic_with
from .outputs import remove_leftovers

TALKS_FORMAT = 1


@dataclass
class ExportResult:
    out_dir: Path
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # file names


@dataclass(frozen=True)
class TalkJob:
    """Everything a worker needs to typeset talks on its own (shared by fork)."""

    book: Book
    theme: Theme
    items: dict[str, tuple[Item, ...]]
    book_pages: dict[str, str]  # id -> printed page label in the book
    date: dt.datetime | None = None  # the files' date (see `pipeline.source_date`)
    shared: Shared = field(default_factory=Shared)  # what every file embeds, made once

    @cached_property
    def screen(self) -> Settings:
        """The book's settings for a file read on screen: no bleed, crop marks or
        blank pages, the per-talk standards."""
        s = self.book.settings
        return dataclasses.replace(
            s,
            page=dataclasses.replace(s.page, bleed=0.0, crop_marks=False, pad_to=1),
            standards=s.talk_standards,
        )


def talk_pdf(job: TalkJob, entry: Entry) -> bytes:
    """One talk, typeset alone with the book's typography."""
    book = job.book
    talk_id = entry.talk.id
    # The operations read once (from the cache's pickle), not at each pass of render.
    items = tuple(item._replace(ops=tuple(item.ops)) for item in job.items[talk_id])
    doc = lay_out_talk_alone(book, job.theme, entry, items, job.book_pages.get(talk_id, ""))
    talk = entry.talk
    s = book.settings
    return render_pdf(
        doc,
        job.screen,
        title=talk.title,
        subject=s.title,
        author="; ".join(a.name for a in talk.authors),
        keywords=", ".join(talk.keywords),
        date=job.date,
        common=job.shared,
    )


def _put(data: bytes, f: BinaryIO) -> None:
    f.write(data)


def _work(
    context: tuple[TalkJob, Path, dict[str, Entry]], talk_ids: list[str]
) -> list[tuple[str, str]]:
    """Typeset and write talks (by the worker: the files never cross a pipe); returns
    their ids and SHA-256 digests. Each file is renamed into place when complete; the
    index, written last, is what waits for the disk."""
    job, out, entries = context
    done = []
    for tid in talk_ids:
        data = talk_pdf(job, entries[tid])
        write_atomic_with(out / f"{tid}.pdf", partial(_put, data), durable=False)
        done.append((tid, digest(data)))
    return done


def export_talks(
    job: TalkJob,
    out_dir: Path,
    keys: dict[str, str],
    only: set[str] | None,
    progress: Callable[[int, int], None] | None = None,
) -> ExportResult:
    """Write `out_dir/<id>.pdf` for each talk whose key or file changed, and talks.json.

    `keys` holds, per talk, a hash of everything its PDF depends on; a talk whose
    key and file match the previous export is left alone. Files of talks that no
    longer exist are removed (only files an earlier export listed).
    """
    result = ExportResult(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    remove_leftovers(out_dir)  # of an export that was killed
    index_path = out_dir / "talks.json"
    previous = _read_index(index_path)
    entries = {e.talk.id: e for e in job.book.entries}
    wanted = [tid for tid in entries if only is None or tid in only]
    todo = []
    for tid in wanted:
        old = previous.get(tid)
        path = out_dir / f"{tid}.pdf"
        if (
            old
            and old.get("key") == keys[tid]
            and path.exists()
            and file_digest(path) == old.get("sha256")
        ):
            result.unchanged.append(tid)
        else:
            todo.append(tid)
    records = {tid: rec for tid, rec in previous.items() if tid in entries}
    try:
        for tid, sha256 in _run((job, out_dir, entries), todo, progress):
            records[tid] = _record(entries[tid].talk, job, keys[tid], sha256)
            result.written.append(tid)
    except BaseException:  # a full disk, an interrupt: the index still says what is there
        with contextlib.suppress(OSError):
            _write_index(index_path, job, list((previous | records).values()))
        raise
    finally:
        remove_leftovers(out_dir)  # of workers stopped by an interrupt
    for tid in result.unchanged:
        records.setdefault(tid, previous[tid])
    if only is None:
        for tid in sorted(previous.keys() - entries.keys()):
            name = str(previous[tid].get("file", f"{tid}.pdf"))
            path = out_dir / name
            if path.name == name and name.endswith(".pdf") and path.parent == out_dir:
                path.unlink(missing_ok=True)  # a link is removed itself, never its target
                result.removed.append(name)
    _write_index(index_path, job, [records[tid] for tid in entries if tid in records])
    return result


def _write_index(path: Path, job: TalkJob, talks: list[dict[str, object]]) -> None:
    index = {"format": TALKS_FORMAT, "meeting": job.book.settings.title, "talks": talks}
    write_atomic(path, (json.dumps(index, ensure_ascii=False, indent=1) + "\n").encode())


def _run(
    context: tuple[TalkJob, Path, dict[str, Entry]],
    todo: list[str],
    progress: Callable[[int, int], None] | None,
) -> Iterator[tuple[str, str]]:
    """Typeset in parallel across the machine's cores; yields in book order."""
    total = len(todo)
    workers = max(1, parallel.workers_for(total, 8))
    size = max(1, min(25, total // (workers * 4))) if workers > 1 else 1
    chunks = [todo[i : i + size] for i in range(0, total, size)]
    done = 0
    if progress:
        progress(0, total)
    for batch in parallel.fork_map(_work, context, chunks, workers):
        yield from batch
        done += len(batch)
        if progress:
            progress(done, total)


def _record(talk: Talk, job: TalkJob, key: str, sha256: str) -> dict[str, object]:
    tid = talk.id
    return {
        "id": tid,
        "title": talk.title,
        "speakers": [a.name for a in talk.presenters],
        "authors": [a.name for a in talk.authors],
        "file": f"{tid}.pdf",
        "page": job.book_pages.get(tid, ""),
        "sha256": sha256,
        "key": key,
    }


def _read_index(path: Path) -> dict[str, dict[str, object]]:
    try:
        data = json.loads(path.read_text("utf-8"))
        return {str(t["id"]): t for t in data["talks"] if isinstance(t, dict)}
    except (OSError, ValueError, KeyError, TypeError):
        return {}
