"""The stages on one screen: load -> validate -> model -> lay out -> render -> export.

This is also the one place for the rebuild cache: laid-out talks and page
operators, keyed by content hashes, kept beside the output and safe to delete.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import time
from collections.abc import Callable, Iterator
from contextlib import nullcontext, suppress
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, BinaryIO

from . import __version__, parallel
from .building import export
from .building.cache import (
    PACK,
    Cache,
    InputCache,
    PackedTalk,
    open_store,
    pack,
    packed_talks,
    unpack,
)
from .building.export import ExportResult, TalkJob
from .building.manifest import (
    ChangeReport,
    compare,
    dump,
    make_manifest,
    page_hash,
    read_manifest,
    talk_hash,
)
from .building.outputs import Commit, tidy
from .building.preflight import figure_problems, formula_problems, logo_problems, unprintable
from .building.store import Store
from .digests import digest, file_digest
from .errors import InputError, Problem, error
from .pdf.render import Ahead, draw_ahead, render_pdf
from .project.model import PROGRAM_PAGE, Book, Talk, assemble
from .project.schema import validate
from .project.values import suggest
from .typeset.fonts import shipped
from .typeset.formulas import load_renderer
from .typeset.layout import (
    Document,
    Item,
    Memo,
    MemoEntry,
    Page,
    layout_talk,
    settings_punctuation,
)
from .typeset.lines import found_points, load_hyphenation, remember_points
from .typeset.matter import MemoKey, listed_entries
from .typeset.pages import body_page_labels, lay_out
from .typeset.shaping import PackedShapes, found_shapes, remember_shapes
from .typeset.theme import Theme, make_theme

CACHE_FORMAT = 4
TALKS_CACHE = "talks"  # an export's cache: <out_dir>/.abstractbook-cache/talks/


def sample_project() -> Path:
    """The bundled sample book: the 2019 'Deep Learning and the Brain' abstracts."""
    return shipped("data") / "dlbrain2019"


def load_book(
    root: Path, inputs: InputCache | None = None, ahead: parallel.Helper | None = None
) -> Book:
    """load + validate + model; raises InputError with every problem found, the
    formulas that cannot be typeset among them. With `inputs`, what an earlier build
    read and checked is taken from it, and what this one reads is added. `ahead`: a
    worker loading the math renderer meanwhile (`parallel.ahead`)."""
    if inputs is None:
        inputs = InputCache(None, "")
    project = validate(root, inputs.records)
    # the formulas drawn by `ahead` while the book is assembled
    language = settings_punctuation(project.settings)
    known, fine = inputs.formulas_known, inputs.formulas_fine
    checked = formula_problems(project.talks, known, fine, ahead, language)
    book = assemble(project, inputs.refine)
    problems = checked()
    if any(f.kind == "svg" for t in book.talks for f in t.figures):
        problems += figure_problems(book)
    if problems:
        raise InputError(problems + list(book.warnings))
    return book


def source_date(book: Book) -> dt.datetime:
    """The date a book's files carry: SOURCE_DATE_EPOCH when set (reproducible builds'
    convention), else when its newest input changed. A cached rebuild and a cold build
    of the same files get the same date, so the same bytes."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    s = book.settings
    paths = [book.root / "book.yaml", book.root / "program.yaml", *filter(None, [s.logo])]
    paths += [t.source.path for t in book.talks if t.source is not None]
    paths += [f.path for t in book.talks for f in t.figures]
    newest = 0.0
    for path in paths:
        with suppress(OSError):
            newest = max(newest, path.stat().st_mtime)
    return dt.datetime.fromtimestamp(int(newest), dt.UTC)


def manifest_path(output: Path) -> Path:
    """build/book.pdf -> build/book.manifest.json (SPEC §4)."""
    return output.with_name(output.stem + ".manifest.json")


def finish_interrupted(output: Path, report: Path | None = None) -> list[Path]:
    """What a build killed while renaming its files left: renamed now (see outputs)."""
    targets = [output, manifest_path(output), *([report] if report else [])]
    return tidy(targets, output.parent / ".abstractbook-cache" / output.name)


@dataclass
class BuildResult:
    book: Book
    document: Document
    output: Path
    pages: int
    seconds: float
    manifest: dict[str, Any]
    report: ChangeReport | None = None  # None: no earlier build to compare with

    warnings: tuple[Problem, ...] = ()
    # The build's caches and the previous manifest, freed with the result rather than
    # in the middle of a command (which exits without freeing anything).
    held: tuple[object, ...] = field(default=(), repr=False, compare=False)


def settings_hash(book: Book, theme: Theme) -> str:
    """Everything besides the records that shapes the pages: settings and font files."""
    s = dataclasses.replace(book.settings, program_page=PROGRAM_PAGE)  # the pocket's own
    portable = dataclasses.replace(
        s, logo=None, text_fonts=None, heading_fonts=None, fallback_fonts=()
    )
    files = [theme.fonts.digest(p) for p in theme.files + s.fallback_fonts]
    logo = theme.fonts.digest(s.logo) if s.logo else ""
    return digest(repr((portable, files, logo)))


def cache_key(settings_key: str) -> str:
    """A cache is only valid for the same settings and fonts and the same code, ours
    and that of the libraries that shape the pages."""
    return digest(repr((CACHE_FORMAT, __version__, _code_hash(), _libraries(), settings_key)))


@cache
def _libraries() -> tuple[str, ...]:
    """The installed distributions beside the libraries that shape the pages, with
    their versions (the names of their .dist-info folders): an upgrade of reportlab,
    pyphen or any other invalidates the cache. Listing the folder costs less than
    asking importlib.metadata about each."""
    import reportlab
    import yaml

    folders = {Path(m.__file__).parent.parent for m in (reportlab, yaml) if m.__file__}
    return tuple(
        sorted(
            entry.name
            for folder in folders
            for entry in os.scandir(folder)
            if entry.name.endswith(".dist-info")
        )
    )


@cache
def _code_hash() -> str:
    """The package's own source, as this process imported it: a cache made by other
    code is never reused."""
    here = Path(__file__).parent
    return digest("".join(file_digest(p) for p in sorted(here.rglob("*.py"))))


def lay_out_book(root: Path) -> tuple[Book, Document]:
    """load, validate, model and lay out, without rendering: the pages as data."""
    book = load_book(root)
    theme = make_theme(book.settings)
    items = {e.talk.id: layout_talk(e.talk, theme) for e in book.entries}
    return book, lay_out(book, theme, items)


def talk_layouts(
    book: Book,
    theme: Theme,
    cache: Cache,
    contents: bool = False,
    digests: bool = True,
    borrowed: dict[str, bytes] | None = None,
) -> tuple[dict[str, tuple[Item, ...]], dict[str, tuple[str, ...]]]:
    """Each talk laid out: from the cache, else anew, in parallel on all cores when
    there are many. Also gives each talk's item digests, for page hashes (empty
    without `digests`: the cache then holds none either). With `contents`, a talk
    laid out anew has its entries in the contents and programme made beside it (into
    `cache.memo`), where the book's pagination finds them. `borrowed`: talks another
    output's cache holds (`packed_talks`), taken before any is laid out anew."""
    hashes = talk_hashes(book)
    if borrowed:
        cache.adopt(borrowed, hashes.values())
    talks: dict[str, PackedTalk] = {}
    missing = []
    for e in book.entries:
        known = cache.talk(hashes[e.talk.id])
        if known is None:
            missing.append(e.talk)
        else:
            talks[e.talk.id] = known
    if missing:
        remember_points(cache.hyphenation())
    jobs = [(talk, hashes[talk.id]) for talk in missing]
    entries = listed_entries(book, theme, {t.id for t in missing}) if contents and missing else {}
    laid_out = _lay_out_many(jobs, theme, cache, entries, digests)
    for talk, packed in zip(missing, laid_out, strict=True):
        talks[talk.id] = unpack(packed, cache.recent)
    ordered = [talks[e.talk.id] for e in book.entries]
    ids = [e.talk.id for e in book.entries]
    return (
        {i: t.items for i, t in zip(ids, ordered, strict=True)},
        {i: t.digests for i, t in zip(ids, ordered, strict=True)},
    )


def talk_hashes(book: Book) -> dict[str, str]:
    """Each talk's `talk_hash`, by id: what the cache keeps it under (made once per
    record, when it is read)."""
    return {e.talk.id: talk_hash(e.talk) for e in book.entries}


Points = dict[tuple[str, str], tuple[int, ...]]


Entries = dict[str, list[tuple[MemoKey, Callable[[], Item]]]]


def _lay_out_chunk(
    context: tuple[Theme, Cache, Entries, bool, list[tuple[Talk, str]], bool],
    span: tuple[int, int],
) -> tuple[list[bytes], Points, dict[str, PackedShapes], dict[MemoKey, MemoEntry]]:
    """Talks `span` of the jobs laid out, packed and kept in the cache (by the worker:
    the parent has enough to do), with the hyphenation points and shaped words found
    on the way (a worker's memo dies with it; its parent keeps the points for the next
    build and draws the words without shaping them again), and the talks' entries in
    the contents and programme, packed as the parent's memo keeps them. The jobs came
    with the fork: only where a chunk starts and ends goes through a pipe."""
    theme, cache, entries, digests, every, forked = context
    jobs = every[span[0] : span[1]]
    found_points()
    found_shapes(pack=False)
    out = {key: pack(layout_talk(talk, theme), digests) for talk, key in jobs}
    cache.keep_packed(out)
    memo = Memo()
    for talk, _ in jobs:
        for key, make in entries.get(talk.id, ()):
            memo.get(key, make)
    return [out[key] for _, key in jobs], found_points(), found_shapes(pack=forked), memo.used


def _lay_out_many(
    jobs: list[tuple[Talk, str]], theme: Theme, cache: Cache, entries: Entries, digests: bool
) -> Iterator[bytes]:
    """Lay talks out (packed, as the cache keeps them), on every core for a big book;
    yields them in order as they come, so a big book never holds them all twice."""
    workers = parallel.workers_for(len(jobs), 64)
    if workers > 1:  # what every worker would load for itself, loaded once before they fork
        for font in {*theme.text.values(), *theme.heading.values()}:
            theme.fonts.load(font)
        if theme.settings.hyphenate:
            load_hyphenation(theme.settings.language)
    # chunks small enough that no worker waits long for the last one to finish
    size = max(PACK, len(jobs) // (workers * 16)) if workers > 1 else PACK
    spans = [(i, min(i + size, len(jobs))) for i in range(0, len(jobs), size)]
    forked = workers > 1 and parallel.forks()  # else the words stay where they were shaped
    context = (theme, cache, entries, digests, jobs, forked)
    done = parallel.fork_map(_lay_out_chunk, context, spans, workers)
    for (start, end), (packed, points, shapes, made) in zip(spans, done, strict=True):
        remember_points(points)  # found by a worker, whose memo dies with it
        remember_shapes(shapes)
        cache.memo.offer(made)
        cache.kept(key for _, key in jobs[start:end])  # the pack the worker wrote
        yield from packed


def typeset(
    book: Book,
    theme: Theme,
    settings: str,
    cache: Cache,
    out: BinaryIO,
    keep_pages: bool = True,
) -> tuple[Document, list[str]]:
    """lay out + render into `out`: returns the pages and their hashes, which depend on
    what the pages draw and on `settings` (the settings and font files), never on the
    code that drew them. Fills `cache`. Without `keep_pages`, the document's pages are
    emptied as they are written."""
    talk_items, digests = talk_layouts(book, theme, cache, contents=True)
    s = book.settings
    render_cache = cache.render if cache.enabled else None
    # The body's pages are drawn while the contents and indexes are paginated.
    body_hashes: list[str] = []
    ahead: list[Ahead] = []

    def draw_body(body: list[Page]) -> None:
        body_hashes.extend(page_hash(p, settings, cache.memo.names, digests) for p in body)
        started = draw_ahead(body, body_hashes, s, render_cache)
        ahead.extend([started] if started is not None else [])

    try:
        document = lay_out(book, theme, talk_items, cache.memo, cache.heads, draw_body)
        del talk_items  # the pages hold what they need; a big book needs the memory
        cache.memo.let_go()
        front, after = document.front_pages, document.front_pages + len(body_hashes)
        pages = [
            body_hashes[i - front]
            if front <= i < after
            else page_hash(p, settings, cache.memo.names, digests)
            for i, p in enumerate(document.pages)
        ]
        keywords = ", ".join(sorted({k for t in book.talks for k in t.keywords}))
        render_pdf(
            document,
            s,
            subject=s.subtitle or "Abstracts",
            author="; ".join(s.organisers),
            keywords=keywords,
            page_hashes=pages,
            cache=render_cache,
            release=not keep_pages,
            out=out,
            date=source_date(book),
            ahead=ahead[0] if ahead else None,
        )
    except BaseException as e:  # the workers drawing the body are not waited for
        for started in ahead:
            started.results.close(interrupted=not isinstance(e, Exception))
        raise
    return document, pages


def build(
    root: Path,
    output: Path,
    *,
    use_cache: bool = True,
    keep_pages: bool = True,
    report: Path | None = None,
    standards: tuple[str, ...] | None = None,
) -> BuildResult:
    """Typeset the booklet; the PDF, its manifest and the `report` JSON replace the
    old ones together, and the old ones survive any failure.

    The result's document keeps its pages; a caller that does not read them (the
    command line) passes `keep_pages=False`, so a big book never holds its whole
    layout while its PDF is written."""
    with parallel.no_cycle_collection():
        return _build(root, output, use_cache, keep_pages, report, standards)


def with_standards(book: Book, standards: tuple[str, ...] | None, talks: bool = False) -> Book:
    """The book with the PDF standards of the command line (`--standard`), which
    replace book.yaml's for the file this command writes."""
    if standards is None:
        return book
    if talks:
        settings = dataclasses.replace(book.settings, talk_standards=standards)
    else:
        settings = dataclasses.replace(book.settings, standards=standards)
    return dataclasses.replace(book, settings=settings)


def _build(
    root: Path,
    output: Path,
    use_cache: bool,
    keep_pages: bool,
    report_path: Path | None,
    standards: tuple[str, ...] | None = None,
) -> BuildResult:
    started = time.perf_counter()
    mpath = manifest_path(output)
    targets = [output, mpath, *([report_path] if report_path else [])]
    finish_interrupted(output, report_path)
    store = open_store(output) if use_cache else None
    if store is not None:
        store.read_ahead()  # while the project is read
    inputs = InputCache(store, cache_key(""))
    # Reading a book anew, its formulas are checked by drawing them: the math renderer
    # is loaded meanwhile, on another core.
    with parallel.ahead(load_renderer) if inputs.empty else nullcontext() as ahead:
        book = with_standards(load_book(root, inputs, ahead), standards)
    theme = make_theme(book.settings)
    key = settings_hash(book, theme)
    cache = Cache(store, cache_key(key))  # (which clears a cache made under another key)
    inputs.save()  # what reading learnt is kept now, and not held while typesetting
    made: list[tuple[Document, list[str]]] = []
    # Each file is written beside its target, and all are renamed when complete.
    with Commit(targets) as commit:
        old = read_manifest(mpath) if output.exists() else None
        commit.write_with(
            output, lambda f: made.append(typeset(book, theme, key, cache, f, keep_pages))
        )
        document, page_hashes = made[0]
        manifest = make_manifest(book, document, key, page_hashes)
        commit.write(mpath, dump(manifest))
        report = compare(old, manifest) if old else None
        if report_path is not None:
            commit.write(report_path, (report.to_json() if report else "null\n").encode())
        printable = unprintable(book, theme, cache.printable, cache.printable_now)
        cache.save(set(talk_hashes(book).values()), set(page_hashes))
        warnings = tuple(book.warnings) + tuple(printable) + tuple(logo_problems(book, theme))
    return BuildResult(
        book,
        document,
        output,
        len(document.pages),
        time.perf_counter() - started,
        manifest,
        report,
        warnings,
        (cache, inputs, old),
    )


def export_talks(
    root: Path,
    out_dir: Path,
    only: set[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
    standards: tuple[str, ...] | None = None,
) -> ExportResult:
    """One PDF per talk in `out_dir`, with the book's typography and page numbers.

    Raises InputError for bad input or an `only` id the book does not have.
    """
    # A book built into the project has read the records and laid the talks out: its
    # cache gives them (read only), and a cold export lays out and reads the rest.
    # Its formulas, when read anew, are drawn by a worker that loads the math renderer
    # meanwhile (as a build's are).
    built = _built_book_cache(root, out_dir)
    inputs = InputCache(built, cache_key(""))
    with parallel.ahead(load_renderer) if inputs.empty else nullcontext() as ahead:
        book = with_standards(load_book(root, inputs, ahead), standards, talks=True)
    del inputs
    if only is not None:
        known = {t.id for t in book.talks}
        unknown = sorted(only - known)
        if unknown:
            raise InputError(
                [
                    error(
                        f"export --only: no abstract has the id {u!r}",
                        hint=_unknown_id_hint(u, known),
                    )
                    for u in unknown
                ]
            )
    theme = make_theme(book.settings)
    # The export's own cache, under the folder it writes: talks laid out by the last
    # export are reused. It hashes no pages, so its talks carry no item digests, and
    # its key says so (a book's cache could never take them for its own).
    settings = settings_hash(book, theme)
    key = cache_key(settings + " talks")
    cache = Cache(open_store(out_dir / TALKS_CACHE), key)
    book_talks = packed_talks(built, cache_key(settings))
    hashes = talk_hashes(book)
    items, _ = talk_layouts(book, theme, cache, digests=False, borrowed=book_talks)
    del book_talks
    cache.save(set(hashes.values()), set())
    labels = body_page_labels(book, theme, items)
    # Content only, never a path: a project named another way keeps its keys.
    keys = {
        e.talk.id: digest(
            repr(
                (
                    key,
                    hashes[e.talk.id],
                    labels.get(e.talk.id),
                    book.sections[e.section].title,
                    tuple(slot.content for slot in e.slots),
                )
            )
        )
        for e in book.entries
    }
    job = TalkJob(book, theme, items, labels, source_date(book))
    return export.export_talks(job, out_dir, keys, only, progress)


def _built_book_cache(root: Path, out_dir: Path) -> Store | None:
    """The cache of a book built beside the export's folder (`site/book.pdf` for
    `site/talks`) or into the project (`build/book.pdf`), if there is one."""
    for book in (out_dir.parent / "book.pdf", root / "build" / "book.pdf"):
        if (book.parent / ".abstractbook-cache" / book.name).is_dir():
            return open_store(book)
    return None


def _unknown_id_hint(word: str, known: set[str]) -> str | None:
    hint = suggest(word, known)
    if word.lower() in known:  # pretalx shows its codes in capitals
        return f"ids are lower case: {hint}"
    return hint
