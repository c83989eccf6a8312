"""render: a laid-out `Document` -> a PDF file.

Each page becomes a content stream (text in the faces' glyph ids, rules, boxes,
formulas and pictures) and the link annotations on it. What a page needs from
the rest of the book, where its links lead, is gathered from every page's
`PageInfo` before any page is written (a big book's are found by the workers that
draw its pages); glyph ids are the faces' own, so a page's stream depends only on
what is drawn on it. The rebuild cache keeps both per page hash, with the glyphs each
page draws (the fonts embed those): a cached page is copied, and a cached rebuild
gives the same bytes as a cold one.
"""

from __future__ import annotations

import datetime as dt
import io
import pickle
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import BinaryIO, NamedTuple

from reportlab.lib.rl_accel import fp_str

from .. import parallel
from ..digests import digest
from ..errors import BuildError, SourceLocation
from ..project.markup import live_link
from ..project.model import PageSettings, Settings
from ..typeset.formulas import OBJECT, Outline, formula
from ..typeset.layout import Document, Page, frag_width, frag_xs
from ..typeset.ops import (
    ARTIFACT,
    Dest,
    DisplayMath,
    Figure,
    Image,
    Link,
    MathSource,
    Op,
    PageRef,
    Rect,
    Rule,
    Text,
    link_key,
    translate,
)
from .cidfonts import CidFont, EmbeddedFont
from .colors import Conversion, conversions, fill, recolor, remember, stroke
from .conformance import (
    catalog_entries,
    cmyk_intent,
    document_info,
    image_spaces,
    metadata,
    output_intents,
    pdf_version,
)
from .glyphs import show, utf16
from .pdffile import (
    Deflated,
    Drawing,
    EncodedImage,
    Packs,
    PdfFile,
    UnsupportedDrawing,
    box,
    drawing_ops,
    encode_image,
    flate,
    foreign_colors,
    hex_tag,
    outline_objects,
    put_form,
    put_image,
    put_pdf_page,
    ref,
    text_string,
    uri_string,
)
from .shared import Shared
from .structure import Mark, Structure, TreeMemo, artifact_operator, is_artifact, kind_of, marks_of

MAX_CACHED_IMAGES = 64  # encoded PNG and JPEG images a rebuild may take from the cache
CROP_BORDER = 36.0  # room around the bleed for crop marks
DEST_ABOVE = 14.0  # a destination shows a little above its mark: the heading's cap height


class PageInfo(NamedTuple):
    """What a page takes from, and gives to, the rest of the file (page coordinates)."""

    formulas: tuple[tuple[str, float], ...]  # (TeX, size) drawn as forms
    dests: tuple[tuple[str, float, float], ...]  # (key, x, y) destinations here
    # rect; "#key" or a URL; the Link element it belongs to
    links: tuple[tuple[float, float, float, float, str, str], ...]
    figures: tuple[tuple[Path, int], ...] = ()  # (file, PDF page or 0) of the figures here
    marks: tuple[Mark, ...] = ()  # the element each MCID of the page's stream draws
    marks_digest: str = ""  # of `marks`: what the structure tree's memo names them by


# (font, the glyph ids a page draws in it, as unsigned 16-bit numbers: a big book's
# cache holds one per page and face)
Glyphs = tuple[tuple[str, bytes], ...]


class FormulaForm(NamedTuple):
    drawing: Drawing
    depth: float  # below the baseline


@dataclass
class RenderCache:
    """Per page hash: its PageInfo (pickled: read only when asked, and written back
    as it is), and its compressed stream with the glyphs it draws; the file's object
    streams compressed, by their data, and the structure tree they hold."""

    pages: dict[str, bytes] = field(default_factory=dict)
    streams: dict[str, tuple[bytes, Glyphs]] = field(default_factory=dict)
    formulas: dict[tuple[str, float], FormulaForm] = field(default_factory=dict)
    fonts: dict[tuple[str, str], EmbeddedFont] = field(default_factory=dict)  # this build's
    pictures: dict[str, Drawing] = field(default_factory=dict)  # SVG, by content
    images: dict[str, EncodedImage] = field(default_factory=dict)  # PNG, JPEG, by content
    colors: dict[Conversion, tuple[float, ...]] = field(default_factory=dict)  # by content
    deflated: dict[bytes, bytes] = field(default_factory=dict)  # object streams (`Deflated`)
    trees: dict[str, Packs] = field(default_factory=dict)  # the structure tree (`TreeMemo`)

    def kept(self, used_pages: set[str]) -> RenderCache:
        """What a later build may use: the pages of this one."""
        return RenderCache(
            {h: i for h, i in self.pages.items() if h in used_pages},
            {k: v for k, v in self.streams.items() if k in used_pages},
            self.formulas,
            self.fonts,
            self.pictures,
            self.images,
            conversions(),
            self.deflated,
            self.trees,
        )


EPOCH = dt.datetime(1980, 1, 1, tzinfo=dt.UTC)  # a file's date when none is given
# The crop marks' colour: registration, printed on every plate (an alternate of grey, which
# any output intent allows).
REGISTRATION = (
    "[/Separation /All /DeviceGray << /FunctionType 2 /Domain [0 1] /C0 [1] /C1 [0] /N 1 >>]"
)


def render_pdf(
    doc: Document,
    settings: Settings,
    *,
    title: str | None = None,
    subject: str = "",
    author: str = "",
    keywords: str = "",
    page_hashes: list[str] | None = None,
    cache: RenderCache | None = None,
    release: bool = False,
    out: BinaryIO | None = None,
    date: dt.datetime | None = None,
    common: Shared | None = None,
    ahead: Ahead | None = None,
) -> bytes:
    """Write the document as a PDF; returns its bytes, or b"" when written to `out`.

    With `page_hashes` and `cache`, a page already in `cache` is not looked at
    again, and new pages are added to it. With `release` (the caller gives the pages
    up), each page's operations are dropped once written, so a big book never holds
    its whole layout and its whole PDF at once. `date` is the file's creation and
    modification date (the caller's choice keeps the bytes reproducible). `common`
    holds what the other files of a run embed too (`shared.Shared`). `ahead`: the
    body's pages being drawn already (`draw_ahead`).
    """
    p = settings.page
    bleed = p.bleed
    border = _border(p)
    W, H = p.width + 2 * border, p.height + 2 * border
    target: BinaryIO = out if out is not None else io.BytesIO()
    standards = settings.standards
    cmyk = cmyk_intent(standards)
    deflated = Deflated(cache.deflated) if cache is not None else None
    pdf = PdfFile(target, pdf_version(standards), deflated)
    catalog, info, pages_root, outlines = (pdf.reserve() for _ in range(4))
    first_page = pdf.reserve(len(doc.pages))
    hashes = page_hashes if page_hashes and cache is not None else None
    if cache is not None:
        remember(cache.colors)
    streams = cache.streams if cache is not None and hashes is not None else {}
    todo = [i for i in range(len(doc.pages)) if hashes is None or hashes[i] not in streams]
    # Pictures by the paths the pages name now (a cached PageInfo would keep the path
    # of the build that made it, and a project may have moved since): they are only
    # ever drawn by a page's own operations, such as the title page's logo.
    images = sorted({op.path for page in doc.pages for op in page.extra if isinstance(op, Image)})
    pictures = {path: _picture(path, cache) for path in images}
    shown = [tuple(op.path for op in page.extra if isinstance(op, Image)) for page in doc.pages]
    frame = _frame(p)
    # A big book's pages are drawn first, on every core, each worker finding what its
    # pages show (`page_info`) and making the formulas and figures they draw; the
    # drawer of this process is given those of every page before it draws one.
    drawer = _Drawer({}, pictures, {}, cmyk, cache)
    if ahead is not None:
        drawn = _drawn_beside(doc, todo, ahead, frame, drawer, release)
    else:
        drawn = _draw_many(doc.pages, todo, frame, drawer, release)
    given = {i: (d[2], d[3]) for i, d in drawn.items()}
    infos = list(_page_infos(doc.pages, hashes, cache, given))

    forms = _formula_forms(infos, cache, drawer.forms)
    # Figures by the paths of this build too: a talk whose figure moved or changed is
    # laid out again (its hash covers its figures' paths and content), and so are its pages.
    figures = sorted({f for inf in infos for f in inf.figures})
    for path in sorted({path for path, page in figures if not page} - set(images)):
        images.append(path)
        pictures[path] = drawer.pictures.get(path) or _picture(path, cache, "figure")
    pdf_pages = {
        (path, page): drawer.pdf_pages.get((path, page)) or _pdf_page_name(path, page)
        for path, page in figures
        if page
    }
    drawer.forms, drawer.pictures, drawer.pdf_pages = forms, pictures, pdf_pages
    top = border + DEST_ABOVE
    dests = {  # explicit destinations: a link needs no name tree
        key: f"[{ref(first_page + i)} /XYZ {fp_str(x + border)} {fp_str(y + top)} 0]"
        for i, inf in enumerate(infos)
        for key, x, y in inf.dests
    }

    shared = (
        f"/Parent {ref(pages_root)} /MediaBox {box(0, 0, W, H)} "
        f"/TrimBox {box(border, border, border + p.width, border + p.height)} "
        f"/BleedBox {box(border - bleed, border - bleed, W - border + bleed, H - border + bleed)}"
    )
    # Each page names only the fonts and pictures it draws, so a soft-masked logo makes
    # the title page alone a page with transparency (which PDF/X conversions flatten).
    page_xobjects = [
        _page_xobjects(paths, inf, pictures, pdf_pages)
        for paths, inf in zip(shown, infos, strict=True)
    ]
    resource_objects: dict[tuple[tuple[str, ...], tuple[str, ...]], int] = {}
    used: dict[str, set[int]] = {}  # font -> the glyphs the book draws in it
    labels = {key: doc.pages[i].label for i, inf in enumerate(infos) for key, _, _ in inf.dests}
    # (made once the pages drawn by workers are let go: a big book's tree takes their room)
    tree = Structure(len(doc.pages))
    for index, inf in enumerate(infos):
        tree.page(index, inf.marks, inf.marks_digest)
    for index, (page, inf) in enumerate(zip(doc.pages, infos, strict=True)):
        key = hashes[index] if hashes is not None else None
        known = streams.get(key) if key else None
        if known is None:
            made = drawn.pop(index, None)
            known = made[:2] if made is not None else _drawn(drawer, frame, page)
            if cache is not None and key:
                cache.streams[key] = known
        packed, glyphs = known
        for font, ids in glyphs:
            used.setdefault(font, set()).update(array("H", ids))
        if release:
            page.placed, page.extra = [], []
        contents = pdf.reserve()
        pdf.put_stream(contents, "", packed, packed=True)
        annots = _annotations(pdf, inf, dests, labels, border, tree, index)
        listed = f" /Annots [{' '.join(ref(a) for a in annots)}]" if annots else ""
        uses = (tuple(sorted(_resource(font) for font, _ in glyphs)), page_xobjects[index])
        if uses not in resource_objects:
            resource_objects[uses] = pdf.reserve()
        res = resource_objects[uses]
        pdf.put(
            first_page + index,
            f"<< /Type /Page {shared} /Resources {ref(res)} /Contents {ref(contents)}{listed} "
            f"/StructParents {index} /Tabs /S >>",
        )

    xobjects = {}
    for (tex, size), form in sorted(forms.items()):
        num = xobjects[_formula_name(tex, size)] = pdf.reserve()
        put_form(pdf, num, form.drawing._replace(ops=recolor(form.drawing.ops, cmyk)))
    for (path, number), name_ in sorted(pdf_pages.items()):
        if name_ not in xobjects:
            _check_figure_colors(path, number, standards)
            num = xobjects[name_] = pdf.reserve()
            try:
                put_pdf_page(pdf, num, path, number)
            except Exception as e:  # the user's file, read when checked, fails to copy
                where = SourceLocation(path, 1, 1)
                raise BuildError(
                    f"figure: cannot copy page {number} of the PDF ({e})", where
                ) from None
    encoded: dict[str, EncodedImage] = {}  # this book's images, for the next build
    for path in images:
        name_, picture = pictures[path]
        if isinstance(picture, Drawing):
            continue
        image = cache.images.get(name_) if cache is not None else None
        if image is None:
            try:
                image = encode_image(path)
            except Exception as e:  # the header read when checked, the pixels broken
                where = SourceLocation(path, 1, 1)
                raise BuildError(f"cannot read the image ({e})", where) from None
        encoded[name_] = image
    used_spaces = {
        d for i in encoded.values() for d in ("DeviceRGB", "DeviceCMYK") if d in i.entries
    }
    spaces = image_spaces(pdf, standards, used_spaces)
    for path in images:
        name_, picture = pictures[path]
        num = xobjects[name_] = pdf.reserve()
        if isinstance(picture, Drawing):
            put_form(pdf, num, picture._replace(ops=recolor(picture.ops, cmyk)))
        else:
            put_image(pdf, num, encoded[name_], spaces)
    if cache is not None:  # the last images used stay, for the next build
        for name_, image in encoded.items():
            cache.images.pop(name_, None)
            cache.images[name_] = image
        while len(cache.images) > MAX_CACHED_IMAGES:
            del cache.images[next(iter(cache.images))]
    font_objects: dict[str, int] = {}
    embedded = cache.fonts if cache is not None else None
    fonts = [CidFont(f, tuple(sorted(used[f])), _resource(f)) for f in sorted(used)]
    for cid_font in fonts:
        font_objects[cid_font.resource] = cid_font.write(
            pdf, embedded, common.faces if common else None
        )
    if cache is not None:  # the subsets of this book, for the next build
        cache.fonts = {f.key(): cache.fonts[f.key()] for f in fonts}
    space = f" /ColorSpace << /All {REGISTRATION} >>" if p.crop_marks else ""
    for (font_names, xobject_names), num in resource_objects.items():
        named_fonts = {n: font_objects[n] for n in font_names if n in font_objects}
        named = {n: xobjects[n] for n in xobject_names}
        pdf.put(
            num,
            f"<< /Font << {_names(named_fonts)} >> /XObject << {_names(named)} >>{space} >>",
        )
    visible = outline_objects(pdf, outlines, doc.outline, dests)
    kids = " ".join(ref(first_page + i) for i in range(len(doc.pages)))
    pdf.put(pages_root, f"<< /Type /Pages /Kids [{kids}] /Count {len(doc.pages)} >>")
    page_labels = []
    if doc.front_pages:
        page_labels.append("0 << /S /r >>")
    if len(doc.pages) > doc.front_pages:
        page_labels.append(f"{doc.front_pages} << /S /D >>")
    mode = " /PageMode /UseOutlines" if visible else ""
    trees = TreeMemo(cache.trees) if cache is not None else None
    struct = tree.write(pdf, first_page, trees)
    meta = {
        "Title": title or settings.title,
        "Author": author,
        "Subject": subject,
        "Keywords": keywords,
        "Creator": "abstractbook",
        "Producer": "abstractbook",
    }
    when = date or EPOCH
    extra = (
        output_intents(pdf, standards, common.profiles if common else None)
        + metadata(pdf, meta, when, standards)
        + catalog_entries(settings.language)
    )
    pdf.put(
        catalog,
        f"<< /Type /Catalog /Pages {ref(pages_root)} /Outlines {ref(outlines)}{mode} "
        f"/PageLabels << /Nums [{' '.join(page_labels)}] >> "
        f"/StructTreeRoot {ref(struct)} /MarkInfo << /Marked true >>{extra} >>",
    )
    pdf.put(info, document_info(meta, when, standards))
    pdf.finish(catalog, info)
    if cache is not None and deflated is not None and trees is not None:
        cache.deflated = deflated.used  # the object streams of this file, for the next
        cache.trees = trees.used
    return target.getvalue() if isinstance(target, io.BytesIO) else b""


# Pages a drawing worker deserves: below this, forking costs more than it saves.
PAGES_PER_WORKER = 48


def _border(p: PageSettings) -> float:
    """How far the trim lies inside the media box: the bleed, and room for crop marks."""
    return p.bleed + (CROP_BORDER if p.crop_marks else 0.0)


def _frame(p: PageSettings) -> str:
    """What every page's stream starts with: crop marks, and the move into the trim."""
    border = _border(p)
    return (_crop_marks(border, p.bleed, p.width, p.height) if p.crop_marks else "") + (
        f"q 1 0 0 1 {fp_str(border)} {fp_str(border)} cm\n" if border else "q\n"
    )


class Ahead(NamedTuple):
    """The body's pages being drawn by workers (`draw_ahead`): `chunks` of their
    indexes among the body's pages, and each chunk's `_draw_chunk` result to come."""

    chunks: list[list[int]]
    results: parallel.Started[ChunkDrawn]


def draw_ahead(
    pages: list[Page], hashes: list[str] | None, settings: Settings, cache: RenderCache | None
) -> Ahead | None:
    """The body's pages (`pages`, with their `hashes`), drawn from now on, on every
    core, while this process paginates the contents and indexes (which wait for the
    body's page numbers): `render_pdf` takes their streams and `PageInfo`s. None when
    too few of them need drawing (the others are in `cache`) for workers to pay."""
    streams = cache.streams if cache is not None and hashes else {}
    todo = [i for i in range(len(pages)) if hashes is None or hashes[i] not in streams]
    workers = parallel.workers_for(len(todo), PAGES_PER_WORKER)
    if workers <= 1 or not parallel.forks():
        return None
    if cache is not None:
        remember(cache.colors)
    drawer = _Drawer({}, {}, {}, cmyk_intent(settings.standards), cache)
    chunks = _chunks(todo, workers)
    context = (tuple(pages), _frame(settings.page), drawer)
    return Ahead(chunks, parallel.start_map(_draw_chunk, context, chunks, workers))


def _drawn_beside(
    doc: Document, todo: list[int], ahead: Ahead, frame: str, drawer: _Drawer, release: bool
) -> dict[int, Drawn]:
    """The pages of `todo` that `ahead`'s workers do not draw (the contents, programme
    and indexes), drawn here while they draw the body; then theirs, as `_draw_many`
    takes its workers'."""
    body = {doc.front_pages + i for chunk in ahead.chunks for i in chunk}
    done: dict[int, Drawn] = {}
    for i in todo:
        if i not in body:
            page = doc.pages[i]
            done[i] = (*_drawn(drawer, frame, page), page_info(page), b"")
            if release:
                page.placed, page.extra = [], []
    chunks = [[doc.front_pages + i for i in chunk] for chunk in ahead.chunks]
    _take(doc.pages, chunks, ahead.results, drawer, release, done)
    return done


def _chunks(todo: list[int], workers: int) -> list[list[int]]:
    """Pages for workers in chunks small enough that none waits long for the last."""
    size = max(8, len(todo) // (workers * 6))
    return [todo[i : i + size] for i in range(0, len(todo), size)]


def _drawn(drawer: _Drawer, frame: str, page: Page) -> tuple[bytes, Glyphs]:
    """A page's content stream, compressed, and the glyphs it draws."""
    stream = frame + drawer.page(page) + "\nQ"
    return flate(stream.encode("latin-1")), drawer.glyphs()


def _draw_many(
    pages: tuple[Page, ...], todo: list[int], frame: str, drawer: _Drawer, release: bool
) -> dict[int, Drawn]:
    """The streams and `PageInfo`s of pages `todo`, drawn on every core when they are
    many (a cold build of a big book); nothing when one process is enough, as the
    pages are then drawn as they are written. A page's stream depends on nothing but
    the page, so where it is drawn changes no byte. The formulas and figures the
    workers made come back into `drawer`. With `release`, a page's operations are let
    go as soon as its stream comes back."""
    workers = parallel.workers_for(len(todo), PAGES_PER_WORKER)
    if workers <= 1:
        return {}
    chunks = _chunks(todo, workers)
    done: dict[int, Drawn] = {}
    results = parallel.fork_map(_draw_chunk, (pages, frame, drawer), chunks, workers)
    _take(pages, chunks, results, drawer, release, done)
    return done


def _take(
    pages: Sequence[Page],
    chunks: list[list[int]],
    results: Iterable[ChunkDrawn],
    drawer: _Drawer,
    release: bool,
    done: dict[int, Drawn],
) -> None:
    """The workers' results (`_draw_chunk`'s, for `chunks` of indexes into `pages`)
    into `done`, as they come: the colours they converted and the formulas and figures
    they made as if drawn here, and with `release`, each page's operations let go."""
    for chunk, (got, converted, made) in zip(chunks, results, strict=True):
        for i, (stream, glyphs, packed) in zip(chunk, got, strict=True):
            done[i] = (stream, glyphs, pickle.loads(packed), packed)
        remember(converted)  # for the render cache, as if drawn here
        drawer.take(made)
        if release:
            for i in chunk:
                pages[i].placed, pages[i].extra = [], []


def _draw_chunk(context: tuple[tuple[Page, ...], str, _Drawer], indices: list[int]) -> ChunkDrawn:
    pages, frame, drawer = context
    # Each `PageInfo` pickled here, as the render cache keeps it: the pipe carries the
    # bytes, and the build process need not pickle them again.
    drawn = [
        (
            *_drawn(drawer, frame, pages[i]),
            pickle.dumps(page_info(pages[i]), pickle.HIGHEST_PROTOCOL),
        )
        for i in indices
    ]
    return drawn, conversions(), drawer.made()


@cache
def _resource(font: str) -> str:
    """A font's resource name, from its name (which stands for its content), not its
    place in the book's list: a page's operators depend on nothing else."""
    return "F" + hex_tag(font)[:8]


def _page_xobjects(
    images: tuple[Path, ...],
    inf: PageInfo,
    pictures: dict[Path, tuple[str, Drawing | None]],
    pdf_pages: dict[tuple[Path, int], str],
) -> tuple[str, ...]:
    """The XObject resource names a page's stream draws: formulas, pictures of its own
    (`images`, such as the logo), figures."""
    xobjects = {_formula_name(tex, size) for tex, size in inf.formulas}
    xobjects |= {pictures[path][0] for path in images}
    for path, number in inf.figures:
        xobjects.add(pdf_pages[(path, number)] if number else pictures[path][0])
    return tuple(sorted(xobjects))


def _check_figure_colors(path: Path, number: int, standards: tuple[str, ...]) -> None:
    """A PDF figure is copied as it is: one drawn in a colour space the output intent
    excludes (RGB in a print file, CMYK in an sRGB archive) cannot meet the standard."""
    if not any(s in ("x-4", "a-2b", "a-2u") for s in standards):
        return
    space = "DeviceRGB" if cmyk_intent(standards) else "DeviceCMYK"
    try:
        found = foreign_colors(path, number, space)
    except Exception:  # unreadable: copying it says why
        return
    if found:
        wanted = "CMYK" if space == "DeviceRGB" else "RGB"
        claimed = ", ".join(standards)
        raise BuildError(
            f"figure: page {number} of this PDF draws in {space}, which a file written to "
            f"{claimed} cannot hold (its output intent is {wanted}): export the figure in "
            f"{wanted}, or as SVG or PNG, which are converted",
            SourceLocation(path, 1, 1),
        )


def _names(objects: dict[str, int]) -> str:
    return " ".join(f"/{n} {ref(num)}" for n, num in sorted(objects.items()))


# -- what each page needs and gives -------------------------------------------------------


def _page_infos(
    pages: tuple[Page, ...],
    hashes: list[str] | None,
    cache: RenderCache | None,
    given: dict[int, tuple[PageInfo, bytes]],
) -> Iterator[PageInfo]:
    """Each page's `PageInfo`: as `given` (by the process that drew it, with its pickle
    if a worker), else from the cache, else found now; the cache keeps each for the
    next build."""
    for index, page in enumerate(pages):
        known: object = None
        packed: bytes | None = None
        fresh = True  # not in the cache yet
        if index in given:
            known, packed = given[index]
        elif cache is not None and hashes:
            packed = cache.pages.get(hashes[index])
            known = pickle.loads(packed) if packed is not None else None
            fresh = packed is None
        if not isinstance(known, PageInfo):
            known, packed = page_info(page), None
        if fresh and cache is not None and hashes:
            cache.pages[hashes[index]] = packed or pickle.dumps(known, pickle.HIGHEST_PROTOCOL)
        yield known


def page_info(page: Page) -> PageInfo:
    """Characters, formulas, destinations and links of a page. Placed items are
    translated only for what needs positions."""
    formulas: set[tuple[str, float]] = set()
    dests: list[tuple[str, float, float]] = []
    links: list[tuple[float, float, float, float, str, str]] = []
    figures: set[tuple[Path, int]] = set()
    for op, at in _ops_and_places(page):
        match op:
            case Text(line=line):
                for text, font, size, *_ in line.frags:
                    if font == OBJECT:
                        formulas.add((text, size))
                if any(f.href for f in line.frags):
                    links += _line_links(_placed(op, at))
            case DisplayMath(tex, size):
                formulas.add((tex, size))
            case Figure(path, number):
                figures.add((path, number))
            case Dest() | Link():
                match _placed(op, at):
                    case Dest(key, x, y):
                        dests.append((key, x, y))
                    case Link(x1, y1, x2, y2, key, tag):
                        links.append((x1, min(y1, y2), x2, max(y1, y2), "#" + key, tag))
    marks = marks_of([(tag, _alt(op)) for op, _, tag in _tagged(page)])
    return PageInfo(
        tuple(sorted(formulas)),
        tuple(dests),
        tuple(links),
        tuple(sorted(figures)),
        marks,
        digest(repr(marks)),
    )


def _mark(kind: str, mcid: int, alt: str) -> str:
    """The operator opening an element's content. A formula's TeX source is its actual
    text: what a reader copies, once, where the invisible text over it is not read
    alone; a figure's description is its alternative text here as in its element."""
    if alt and kind == "Formula":
        return f"/Formula <</MCID {mcid} /ActualText {utf16(alt)}>> BDC"
    if alt:
        return f"/{kind} <</MCID {mcid} /Alt {text_string(alt)}>> BDC"
    return f"/{kind} <</MCID {mcid}>> BDC"


def _alt(op: Op) -> str:
    """The alternative text an operation gives its element: a formula's TeX source, a
    figure's description."""
    if isinstance(op, DisplayMath):
        return op.tex
    if isinstance(op, Figure):
        return op.alt
    return ""


_READ = (Text, MathSource, DisplayMath, Figure)  # untagged, these are read as a paragraph
_NOT_DRAWN = (Dest, Link, PageRef)


def _tagged(page: Page) -> Iterator[tuple[Op, tuple[float, float] | None, str]]:
    """The operations a page draws, in order, each with the element it draws: its tag,
    or an untagged item's own paragraph ("~n"), or for rules, boxes and logos an artifact."""
    for n, (item, x0, top) in enumerate(page.placed):
        at = (x0, top)
        for op in item.ops:
            if not isinstance(op, _NOT_DRAWN):
                yield op, at, op.tag or (f"~{n}" if isinstance(op, _READ) else ARTIFACT)
    for op in page.extra:
        if not isinstance(op, _NOT_DRAWN):
            yield op, None, op.tag or ("~extra" if isinstance(op, _READ) else ARTIFACT)


def _ops_and_places(page: Page) -> Iterator[tuple[Op, tuple[float, float] | None]]:
    """Every operation of a page with the place of its item (None: in page coordinates)."""
    for item, x0, top in page.placed:
        at = (x0, top)
        for op in item.ops:
            yield op, at
    for op in page.extra:
        yield op, None


def _placed(op: Op, at: tuple[float, float] | None) -> Op:
    return op if at is None else translate(op, *at)


def _line_links(op: Op) -> list[tuple[float, float, float, float, str, str]]:
    assert isinstance(op, Text)
    out = []
    for frag, x in zip(op.line.frags, frag_xs(op, op.x), strict=True):
        if frag.href:
            fw = frag_width(frag, op.word_space, op.line.scale, op.line.track)
            tag = _link_tag(op.tag, frag.href)
            y1, y2 = op.y - frag.size * 0.25, op.y + frag.size * 0.85
            out.append((x, y1, x + fw, y2, frag.href, tag))
    return out


def _link_tag(tag: str, href: str) -> str:
    """The Link element of a piece of a line that is a link (`layout.line_ops`), which
    may be emphasised inside it ("…/Link#k/Em#3"); for an untagged line, none."""
    if not tag or kind_of(tag) == "Link":
        return tag
    inner = f"/Link#{link_key(href)}"
    head, found, _ = tag.partition(inner + "/")
    return head + inner if found else tag + inner


def _annotations(
    pdf: PdfFile,
    inf: PageInfo,
    dests: dict[str, str],
    labels: dict[str, str],
    border: float,
    tree: Structure,
    index: int,
) -> list[int]:
    """The page's link annotations, written, each in its Link element and described
    for those who hear it; links to a destination the book lacks are left out."""
    nums = []
    for x1, y1, x2, y2, target, tag in inf.links:
        if target.startswith("#"):
            dest = dests.get(target[1:])
            if dest is None:
                continue
            action = f"/Dest {dest}"
            about = f"Go to page {labels[target[1:]]}"
        elif not live_link(target):
            continue
        else:
            action = f"/A << /S /URI /URI {uri_string(target)} >>"
            about = f"E-mail {target[7:]}" if target.startswith("mailto:") else target
        num = pdf.reserve()
        rect = box(x1 + border, y1 + border, x2 + border, y2 + border)
        parent = tree.annotation(tag, index, num, about)
        # printed (F 4) as PDF/A and PDF/X want every annotation, though a link draws nothing
        pdf.put_packed(
            num,
            f"<< /Type /Annot /Subtype /Link /Rect {rect} /F 4 /Border [0 0 0] {action} "
            f"/Contents {text_string(about)} /StructParent {parent} >>",
        )
        nums.append(num)
    return nums


# -- formulas and pictures ------------------------------------------------------------------


def _formula_name(tex: str, size: float) -> str:
    return "Fm" + hex_tag(tex, size)


def _formula_forms(
    infos: list[PageInfo],
    cache: RenderCache | None,
    made: dict[tuple[str, float], FormulaForm],
) -> dict[tuple[str, float], FormulaForm]:
    """Each distinct formula of the document, drawn once (or taken from `made`, by the
    workers that drew the pages, or from the cache)."""
    forms = {}
    for key in sorted({f for inf in infos for f in inf.formulas}):
        form = made.get(key) or _formula_form(key, cache)
        if cache is not None:
            cache.formulas[key] = form
        forms[key] = form
    return forms


def _formula_form(key: tuple[str, float], cache: RenderCache | None) -> FormulaForm:
    """A formula as a form: from the cache, else drawn now."""
    form = cache.formulas.get(key) if cache is not None else None
    if form is None:
        f = formula(*key)
        drawn = f.drawing
        if isinstance(drawn, Outline):
            ops = Drawing(*drawn)
        else:  # svglib's, or its operators made by a worker
            ops = drawn if isinstance(drawn, Drawing) else drawing_ops(drawn)
        form = FormulaForm(ops, f.depth)
    return form


def _pdf_page_name(path: Path, page: int) -> str:
    """A figure's XObject name when it is a page of a PDF file: from its content."""
    return "Fp" + hex_tag(path.read_bytes(), page)


def _picture(
    path: Path, cache: RenderCache | None, label: str = "logo"
) -> tuple[str, Drawing | None]:
    """A picture's resource name (from its content, not its place) and, for SVG, its
    drawing (kept by the cache: reading SVG loads svglib and reportlab's graphics)."""
    data = path.read_bytes()
    name = hex_tag(data)
    if path.suffix.lower() != ".svg":
        return "Im" + name, None
    drawing = cache.pictures.get(name) if cache is not None else None
    if drawing is None:
        from svglib.svglib import svg2rlg

        try:
            drawing = drawing_ops(svg2rlg(io.BytesIO(data)))
        except UnsupportedDrawing as e:
            where = SourceLocation(path, 1, 1)
            raise BuildError(f"{label}: this SVG cannot be embedded: {e}", where) from None
        except Exception as e:  # svglib on a drawing it cannot read: the user's file
            where = SourceLocation(path, 1, 1)
            raise BuildError(f"{label}: this SVG cannot be drawn ({e})", where) from None
        if cache is not None:
            cache.pictures[name] = drawing
    return "Fm" + name, drawing


# Formulas, figures and PDF pages a drawing worker made for its pages (`_Drawer.made`).
Made = tuple[
    dict[tuple[str, float], FormulaForm],
    dict[Path, tuple[str, Drawing | None]],
    dict[tuple[Path, int], str],
]
# A page drawn: its stream (compressed), the glyphs it draws, its `PageInfo`, and that
# pickled for the render cache by the worker that drew it (b"" if drawn here).
Drawn = tuple[bytes, Glyphs, PageInfo, bytes]
# What a drawing worker gives back for a chunk of pages (`_draw_chunk`): each page's
# stream, glyphs and pickled `PageInfo`, the colours it converted, and what it made.
ChunkDrawn = tuple[list[tuple[bytes, Glyphs, bytes]], dict[Conversion, tuple[float, ...]], Made]


class _Drawer:
    """Page operations to PDF operators, given the document's fonts and forms. A
    formula, figure or PDF page not given is made when first drawn (by a worker that
    draws pages before their `PageInfo`s are known) and kept for `made`."""

    def __init__(
        self,
        forms: dict[tuple[str, float], FormulaForm],
        pictures: dict[Path, tuple[str, Drawing | None]],
        pdf_pages: dict[tuple[Path, int], str] | None = None,
        cmyk: bool = False,
        cache: RenderCache | None = None,
    ) -> None:
        self.cmyk = cmyk  # colours for a CMYK output intent
        self.used: dict[str, set[bytes]] = {}  # the page's glyphs, by word (`glyphs`)
        self.forms = forms
        self.pictures = pictures
        self.pdf_pages = pdf_pages or {}
        self.cache = cache
        self.new: Made = ({}, {}, {})

    def made(self) -> Made:
        """What was made since the last call, for the process that writes the file."""
        made, self.new = self.new, ({}, {}, {})
        return made

    def take(self, made: Made) -> None:
        """What a worker made (`made`), as if made here."""
        self.forms.update(made[0])
        self.pictures.update(made[1])
        self.pdf_pages.update(made[2])
        if self.cache is not None:  # an SVG figure's drawing, for the next build
            for name, drawing in made[1].values():
                if drawing is not None:
                    self.cache.pictures[name.removeprefix("Fm")] = drawing

    def _form(self, key: tuple[str, float]) -> FormulaForm:
        form = self.forms.get(key)
        if form is None:
            form = self.forms[key] = self.new[0][key] = _formula_form(key, self.cache)
        return form

    def _picture(self, path: Path) -> tuple[str, Drawing | None]:
        picture = self.pictures.get(path)
        if picture is None:  # a figure: the logo is given
            picture = self.pictures[path] = self.new[1][path] = _picture(path, self.cache, "figure")
        return picture

    def _pdf_page(self, path: Path, page: int) -> str:
        name = self.pdf_pages.get((path, page))
        if name is None:
            name = self.pdf_pages[(path, page)] = self.new[2][(path, page)] = _pdf_page_name(
                path, page
            )
        return name

    def glyphs(self) -> Glyphs:
        """The glyphs drawn since the last call (by the last page drawn)."""
        found = tuple(
            (font, array("H", sorted(set(array("H", b"".join(words))))).tobytes())
            for font, words in sorted(self.used.items())
        )
        self.used = {}
        return found

    def page(self, page: Page) -> str:
        """The page's operators, each run drawing one element marked as its content (an
        MCID, in the order of `page_info`'s marks) or as an artifact."""
        out: list[str] = []
        last = None
        mcid = 0
        for op, at, tag in _tagged(page):
            if tag != last:
                if last is not None:
                    out.append("EMC")
                last = tag
                if is_artifact(tag):
                    out.append(artifact_operator(tag))
                else:
                    out.append(_mark(kind_of(tag), mcid, _alt(op)))
                    mcid += 1
            if type(op) is Text:  # most operations: drawn where placed, not copied there
                self.text(out, op, at)
                continue
            match _placed(op, at):
                case Rect(x, y, w, h, color):
                    spot = f"{fp_str(x)} {fp_str(y)} {fp_str(w)} {fp_str(h)}"
                    out.append(f"q {fill(color, self.cmyk)} {spot} re f Q")
                case Rule(x1, y1, x2, y2, lw, color):
                    out.append(
                        f"q {stroke(color, self.cmyk)} {fp_str(lw)} w {fp_str(x1)} {fp_str(y1)} m "
                        f"{fp_str(x2)} {fp_str(y2)} l S Q"
                    )
                case DisplayMath(tex, size, x, y):
                    self.formula(out, tex, size, x, y)
                case Image() as image:
                    self.image(out, image)
                case Figure() as figure:
                    self.figure(out, figure)
                case MathSource(x, y, w, line):
                    # invisible (3 Tr), as wide as the drawing; q … Q restores Tw as well
                    scale = f"{fp_str(100 * w / line.width)} Tz " if line.width else ""
                    out.append(f"q 3 Tr {scale}")
                    self.text(out, Text(x, y, line.width, line), None)
                    out.append("Q")
                case Text() | Dest() | Link() | PageRef():  # not drawn: annotations, or resolved
                    pass
        if last is not None:
            out.append("EMC")
        return "\n".join(out)

    def text(self, out: list[str], op: Text, at: tuple[float, float] | None) -> None:
        """A line at its place on the page (`at`: its item's, as in `translate`); its
        words as shaped when measured, the spaces of a justified line widened."""
        x, y = (op.x, op.y) if at is None else (at[0] + op.x, at[1] - op.y)
        line = op.line
        tw = op.word_space
        objects = any(f.font == OBJECT for f in line.frags)
        xs = frag_xs(op, x) if objects else []
        out.append(f"BT 1 0 0 1 {fp_str(x)} {fp_str(y)} Tm")
        tc = op.char_space
        scale = line.scale
        if tc:  # Chinese or Japanese stretched between characters, a loose line letter-spaced
            out.append(f"{fp_str(tc / scale)} Tc")  # Tz scales Tc as well
        if scale != 1.0:  # glyphs expanded or condensed (`lines`); Tz scales TJ numbers too
            out.append(f"{fp_str(100 * scale)} Tz")
            tw /= scale
        current = None
        color = None
        for n, (text, fname, size, rise, fcolor, _href, rtl, _role) in enumerate(line.frags):
            if fname == OBJECT:  # drawn as a form, after the text object
                continue
            if objects:  # a line with formulas places each fragment itself
                out.append(f"1 0 0 1 {fp_str(xs[n])} {fp_str(y)} Tm")
            if fcolor != color:
                out.append(fill(fcolor, self.cmyk))
                color = fcolor
            if (fname, size) != current:
                out.append(f"/{_resource(fname)} {fp_str(size)} Tf")
                current = (fname, size)
            if rise:
                out.append(f"{fp_str(rise)} Ts")
            used = self.used.get(fname)
            if used is None:
                used = self.used[fname] = set()
            show(out, text, fname, size, rise, rtl, tw, used)
            if rise:
                out.append("0 Ts")
        out.append(("0 Tc " if tc else "") + ("100 Tz ET" if scale != 1.0 else "ET"))

    def formula(self, out: list[str], tex: str, size: float, x: float, baseline: float) -> None:
        """A formula on the baseline; its TeX source, the text a reader copies or searches,
        is its element's alternative text and invisible text over it (`MathSource`)."""
        form = self._form((tex, size))
        out.append(
            f"q 1 0 0 1 {fp_str(x)} {fp_str(baseline - form.depth)} cm "
            f"/{_formula_name(tex, size)} Do Q"
        )

    def figure(self, out: list[str], op: Figure) -> None:
        """A figure (its element carries the alternative text); a PDF page's form draws
        in a unit square, as an image does."""
        path, page, x, y, w, h = op[:6]
        if page:
            name_ = self._pdf_page(path, page)
            out.append(f"q {fp_str(w)} 0 0 {fp_str(h)} {fp_str(x)} {fp_str(y)} cm /{name_} Do Q")
        else:
            self.image(out, Image(path, x, y, w, h))

    def image(self, out: list[str], op: Image) -> None:
        path, x, y, w, h = op[:5]
        name, drawing = self._picture(path)
        if drawing is None:
            out.append(f"q {fp_str(w)} 0 0 {fp_str(h)} {fp_str(x)} {fp_str(y)} cm /{name} Do Q")
            return
        sx = w / drawing.width if drawing.width else 0.0
        sy = h / drawing.height if drawing.height else 0.0
        out.append(f"q {fp_str(sx)} 0 0 {fp_str(sy)} {fp_str(x)} {fp_str(y)} cm /{name} Do Q")


def _crop_marks(border: float, bleed: float, w: float, h: float) -> str:
    """Trim marks at the four corners, outside the bleed."""
    gap = bleed + 3.0
    length = CROP_BORDER - 6.0
    out = ["/Artifact BMC q /All CS 1 SCN .25 w"]
    for x in (border, border + w):
        for y in (border, border + h):
            dx = -1 if x == border else 1
            dy = -1 if y == border else 1
            out.append(
                f"{fp_str(x + dx * gap)} {fp_str(y)} m {fp_str(x + dx * (gap + length))} "
                f"{fp_str(y)} l S {fp_str(x)} {fp_str(y + dy * gap)} m {fp_str(x)} "
                f"{fp_str(y + dy * (gap + length))} l S"
            )
    out.append("Q EMC\n")
    return "\n".join(out)
