"""The pocket programme's pipeline: load -> validate -> model -> lay out -> render -> export.

The same stages as the book's (`pipeline.build`), with the booklet's own page
(`program.page`), its own manifest and change report beside its PDF, and the
book's page numbers taken from the book's manifest when a book was built.
"""

from __future__ import annotations

import dataclasses
import shlex
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .building import files
from .building.cache import InputCache, open_store
from .building.manifest import ChangeReport, compare, dump, page_hash, read_manifest
from .errors import InputError, SourceLocation, error
from .pdf.render import render_pdf
from .pipeline import (
    cache_key,
    load_book,
    manifest_path,
    sample_project,
    settings_hash,
    source_date,
)
from .project.model import Book
from .typeset.pocket import lay_out_pocket
from .typeset.theme import make_theme


@dataclass
class ProgramResult:
    book: Book
    output: Path
    pages: int
    seconds: float
    manifest: dict[str, Any]
    report: ChangeReport | None = None  # None: no earlier programme to compare with
    book_manifest: Path | None = None  # whose page numbers were printed
    paged: int = 0  # talks printed with their page in the book
    held: tuple[object, ...] = field(default=(), repr=False, compare=False)


def build_program(root: Path, output: Path, book_pdf: Path | None = None) -> ProgramResult:
    """Typeset the pocket programme and write it atomically, with its manifest.

    The book's page numbers come from `book_pdf`'s manifest (default: see
    `_book_manifest`), when there is one."""
    started = time.perf_counter()
    inputs = InputCache(open_store(output), cache_key(""))
    book = load_book(root, inputs)
    if book.program is None:
        where = SourceLocation(root / "program.yaml", 1, 1)
        message = "the pocket programme needs a program.yaml"
        raise InputError([error(message, where, _without_programme(root))])
    settings = dataclasses.replace(book.settings, page=book.settings.program_page)
    theme = make_theme(settings)
    pocket_book = dataclasses.replace(book, settings=settings)
    key = settings_hash(pocket_book, theme)
    found = _book_manifest(root, output, book_pdf)
    if book_pdf is not None and found is None:
        where = SourceLocation(manifest_path(book_pdf), 1, 1)
        raise InputError([error("no manifest of that book: build it first", where)])
    book_pages = _book_pages(read_manifest(found), book) if found else {}
    document = lay_out_pocket(pocket_book, theme, book_pages)
    hashes = [page_hash(p, key) for p in document.pages]
    mpath = manifest_path(output)
    old = read_manifest(mpath) if output.exists() else None
    s = book.settings

    def write(f: Any) -> None:
        render_pdf(
            document,
            settings,
            title=f"{s.title}: programme",
            subject="Programme",
            author="; ".join(s.organisers),
            out=f,
            date=source_date(book),
        )

    files.write_atomic_with(output, write)
    pages = [
        {"index": i, "label": p.label, "hash": h}
        for i, (p, h) in enumerate(zip(document.pages, hashes, strict=True), start=1)
    ]
    manifest = {"format": 1, "settings": key, "pages": pages, "abstracts": {}}
    files.write_atomic(mpath, dump(manifest))
    inputs.save()
    return ProgramResult(
        book,
        output,
        len(document.pages),
        time.perf_counter() - started,
        manifest,
        compare(old, manifest) if old else None,
        found if book_pages else None,
        len(book_pages),
        (inputs, old),
    )


def _without_programme(root: Path) -> str:
    """What to do about a book without a programme. Outside any project the command
    falls back to the bundled sample, which has none (its source text gives none): the
    bundled demonstration has one, printed with `-o` under the current folder rather
    than into the installed package."""
    if root.resolve() == sample_project().resolve():
        demo = sample_project().parent / "demo"
        return (
            "the bundled sample has none; the bundled demonstration has one: "
            f"abstractbook program {shlex.quote(str(demo))} -o build/program.pdf"
        )
    return "write one beside book.yaml: the days, their sessions and the talks' ids"


def _book_manifest(root: Path, output: Path, book_pdf: Path | None) -> Path | None:
    """The manifest of the book to take page numbers from: `book_pdf`'s, else that of
    book.pdf beside the programme or in the project's build/ folder."""
    candidates = (
        [book_pdf]
        if book_pdf is not None
        else [output.parent / "book.pdf", root / "build" / "book.pdf"]
    )
    for pdf in candidates:
        path = manifest_path(pdf)
        if path.is_file():
            return path
    return None


def _book_pages(manifest: dict[str, Any] | None, book: Book) -> dict[str, str]:
    """Each talk's first page as the book prints it; only for talks the book holds
    under the same id and title (another project's book, or a talk retitled since
    the book was built, gives no page rather than a wrong one)."""
    if manifest is None:
        return {}
    labels = {p.get("index"): p.get("label") for p in manifest.get("pages", [])}
    known = manifest.get("abstracts", {})
    out = {}
    for entry in book.entries:
        found = known.get(entry.talk.id)
        if not isinstance(found, dict) or found.get("title") != entry.talk.title:
            continue
        label = labels.get(found.get("first_page"))
        if isinstance(label, str):
            out[entry.talk.id] = label
    return out
