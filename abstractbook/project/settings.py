"""validate, part two: book.yaml's `Node` -> `model.Settings` (meeting, page geometry, fonts).

Files named here (logo, fonts) are checked now, so a typo in a path is reported
with every other input problem rather than as a failure halfway through a build.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pyphen

from .colors import parse_color
from .limits import font_problem, picture_problem
from .model import MM, PROGRAM_PAGE, FaceSet, PageSettings, Settings
from .sources import Node, path_kind
from .standards import (
    BOOK_DEFAULT,
    STANDARDS,
    TALK_DEFAULT,
    combination_problem,
    ordered,
    standard_name,
)
from .values import Reader, closest, one_of, suggest

PAGE_SIZES = {
    "A4": (595.28, 841.89),
    "A5": (419.53, 595.28),
    "A6": (297.64, 419.53),
    "B5": (498.90, 708.66),
    "letter": (612.0, 792.0),
}
MIN_TEXT_WIDTH = 40 * MM
"""Narrower than this, a justified line holds two or three words: a layout mistake."""
MIN_TEXT_HEIGHT = 60 * MM
MAX_PAD_TO = 64

BOOK_KEYS = (
    "title",
    "subtitle",
    "dates",
    "venue",
    "organisers",
    "logo",
    "abstracts",
    "order",
    "page",
    "layout",
    "fonts",
    "colors",
    "front_matter",
    "back_matter",
    "program",
    "pdf",
)
ORDERS = ("program", "title", "speaker", "id")
LAYOUT_KEYS = (
    "abstract_start",
    "session_start",
    "keep_together",
    "hyphenate",
    "language",
    "smart_punctuation",
    "protrusion",
    "expansion",
)
FRONT_MATTER = ("title_page", "toc", "timetable", "program")
BACK_MATTER = ("author_index", "keyword_index")
ABSTRACT_STARTS = ("flow", "page", "odd-page")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".svg")
# How a font file starts: TrueType outlines, a TrueType collection, CFF outlines.
_TRUETYPE = (b"\x00\x01\x00\x00", b"true", b"ttcf")
_CFF = b"OTTO"


@dataclass(frozen=True)
class BookFile:
    """What book.yaml says: the settings, plus where the abstracts are to be found."""

    settings: Settings
    abstracts: Path
    abstracts_node: Node | None


def read_book(reader: Reader, node: Node, root: Path, has_program: bool) -> BookFile | None:
    """Settings from book.yaml's root node; None only when it is not a mapping at all."""
    fields = reader.fields(node, "", BOOK_KEYS, required=("title",))
    if fields is None:
        return None
    get = fields.get
    start, end = _dates(reader, get("dates"))
    order = reader.choice(get("order"), "order", ORDERS)
    if order == "program" and not has_program and (where := get("order")) is not None:
        reader.error(
            where,
            "order: 'program' needs a program.yaml next to book.yaml",
            "add program.yaml, or order by title, speaker or id",
        )
    layout = reader.fields(get("layout"), "layout", LAYOUT_KEYS) or {}
    text_fonts, heading_fonts, fallback = _fonts(reader, get("fonts"), root)
    front = _parts(reader, get("front_matter"), "front_matter", FRONT_MATTER)
    for part in ("program", "timetable"):
        if front is not None and part in front and not has_program:
            reader.warn(
                fields["front_matter"],
                f"front_matter names '{part}' but there is no program.yaml",
                "the programme pages are left out",
            )
    back = _parts(reader, get("back_matter"), "back_matter", BACK_MATTER)
    hyphenate = reader.flag(layout.get("hyphenate"), "layout.hyphenate")
    smart = reader.flag(layout.get("smart_punctuation"), "layout.smart_punctuation")
    margins = reader.flag(layout.get("protrusion"), "layout.protrusion")
    expansion = reader.flag(layout.get("expansion"), "layout.expansion")
    page = _page(reader, get("page"))
    pocket = reader.fields(get("program"), "program", ("page",)) or {}
    standards = _standards(reader, get("pdf"))
    settings = Settings(
        title=reader.text(get("title"), "title", required=True) or "",
        subtitle=reader.text(get("subtitle"), "subtitle"),
        date_start=start,
        date_end=end,
        venue=reader.text(get("venue"), "venue"),
        organisers=reader.texts(get("organisers"), "organisers"),
        logo=_logo(reader, get("logo"), root),
        order=order,
        page=page,
        abstract_start=reader.choice(
            layout.get("abstract_start"), "layout.abstract_start", ABSTRACT_STARTS
        )
        or "flow",
        session_start=reader.choice(
            layout.get("session_start"), "layout.session_start", ABSTRACT_STARTS
        )
        or "flow",
        keep_together=bool(reader.flag(layout.get("keep_together"), "layout.keep_together")),
        hyphenate=True if hyphenate is None else hyphenate,
        language=_language(reader, layout.get("language")),
        smart_punctuation=True if smart is None else smart,
        protrusion=True if margins is None else margins,
        expansion=True if expansion is None else expansion,
        text_fonts=text_fonts,
        heading_fonts=heading_fonts,
        fallback_fonts=fallback,
        accent=_accent(reader, get("colors")),
        standards=BOOK_DEFAULT if standards is None else standards,
        talk_standards=TALK_DEFAULT if standards is None else standards,
        front_matter=Settings.front_matter if front is None else front,
        back_matter=Settings.back_matter if back is None else back,
        program_page=_page(reader, pocket.get("page"), "program.page", _pocket_default(page)),
    )
    folder = reader.text(get("abstracts"), "abstracts", required=True)
    return BookFile(settings, root / (folder or "abstracts"), get("abstracts"))


def _dates(reader: Reader, node: Node | None) -> tuple[dt.date | None, dt.date | None]:
    fields = reader.fields(node, "dates", ("start", "end")) or {}
    start = reader.date(fields.get("start"), "dates.start")
    end = reader.date(fields.get("end"), "dates.end")
    if start and end and end < start:
        reader.error(fields["end"], f"dates.end: {end} is before dates.start {start}")
    return start, end


def _pocket_default(book: PageSettings) -> PageSettings:
    """The pocket programme: A6, padded to 4, with the book's bleed and crop marks (the
    same printer)."""
    return dataclasses.replace(PROGRAM_PAGE, bleed=book.bleed, crop_marks=book.crop_marks)


def _page(
    reader: Reader, node: Node | None, label: str = "page", default: PageSettings | None = None
) -> PageSettings:
    """Page size and margins in points; margins must leave a usable text block."""
    default = default or PageSettings()
    fields = reader.fields(node, label, ("size", "margins", "bleed", "crop_marks", "pad_to"))
    if fields is None:
        return default
    size = _size(reader, fields.get("size"), label)
    margin_node = fields.get("margins")
    margins = reader.fields(margin_node, f"{label}.margins", ("inner", "outer", "top", "bottom"))
    sides = {
        side: reader.length((margins or {}).get(side), f"{label}.margins.{side}")
        for side in ("inner", "outer", "top", "bottom")
    }
    page = PageSettings(
        width=size[0] if size else default.width,
        height=size[1] if size else default.height,
        inner=_or(sides["inner"], default.inner),
        outer=_or(sides["outer"], default.outer),
        top=_or(sides["top"], default.top),
        bottom=_or(sides["bottom"], default.bottom),
        bleed=_or(reader.length(fields.get("bleed"), f"{label}.bleed"), default.bleed),
        crop_marks=_flag(reader.flag(fields.get("crop_marks"), f"{label}.crop_marks"), default),
        pad_to=_pad_to(reader, fields.get("pad_to"), label) or default.pad_to,
    )
    sides_ok = margins is not None and all(
        side not in margins or sides[side] is not None for side in sides
    )
    size_ok = size is not None or fields.get("size") is None
    where = margin_node or fields.get("size") or node
    if sides_ok and size_ok and where is not None:
        _check_text_block(reader, page, where, label)
    return page


def _flag(value: bool | None, default: PageSettings) -> bool:
    return default.crop_marks if value is None else value


def _or(value: float | None, default: float) -> float:
    return default if value is None else value


def _size(reader: Reader, node: Node | None, label: str = "page") -> tuple[float, float] | None:
    if node is None or node.value is None:
        return None
    if isinstance(node.value, list):
        if len(node.value) != 2:
            reader.error(
                node, f"{label}.size: expected [width, height], found {len(node.value)} values"
            )
            return None
        width = reader.length(node.value[0], f"{label}.size width")
        height = reader.length(node.value[1], f"{label}.size height")
        for value, item in ((width, node.value[0]), (height, node.value[1])):
            if value == 0 or item.value is None:
                reader.error(item, f"{label}.size: a page needs a width and a height above 0")
        return (width, height) if width and height else None
    if isinstance(node.value, dict):
        reader.expected(node, f"{label}.size", "a size name or [width, height]")
        return None
    names = {name.lower(): name for name in PAGE_SIZES}
    name = names.get(node.text.strip().lower())
    if name is None:
        reader.error(
            node,
            f"{label}.size: unknown page size '{node.text}'",
            suggest(node.text, PAGE_SIZES)
            or f"use {one_of(list(PAGE_SIZES))}, or [width, height] such as [170mm, 240mm]",
        )
        return None
    return PAGE_SIZES[name]


def _check_text_block(reader: Reader, page: PageSettings, where: Node, label: str) -> None:
    """Margins that leave no text block, or one too small to set text in, are errors."""
    for across, side_a, side_b, a, b, extent, minimum in (
        ("wide", "inner", "outer", page.inner, page.outer, page.width, MIN_TEXT_WIDTH),
        ("high", "top", "bottom", page.top, page.bottom, page.height, MIN_TEXT_HEIGHT),
    ):
        if a + b >= extent:
            reader.error(
                where,
                f"{label}.margins: {side_a} + {side_b} ({_mm(a + b)}) leave no "
                f"room: the page is {_mm(extent)} {across}",
            )
        elif extent - a - b < minimum:
            reader.error(
                where,
                f"{label}.margins: the text block is only {_mm(extent - a - b)} "
                f"{across}; it needs at least {_mm(minimum)}",
                f"make the {side_a} or {side_b} margin smaller",
            )


def _mm(points: float) -> str:
    return f"{points / MM:.4g}mm"


def _pad_to(reader: Reader, node: Node | None, label: str = "page") -> int | None:
    value = reader.count(node, f"{label}.pad_to")
    if value is not None and value > MAX_PAD_TO and node is not None:
        reader.error(
            node,
            f"{label}.pad_to: {value} is more than {MAX_PAD_TO}",
            "pad to the pages of one folded signature, such as 4, 8 or 16",
        )
        return None
    return value


def _language(reader: Reader, node: Node | None) -> str:
    language = reader.text(node, "layout.language", required=True)
    if language is None or node is None:
        return Settings.language
    if pyphen.language_fallback(language) is None:
        reader.error(
            node,
            f"layout.language: no hyphenation patterns for '{language}'",
            suggest(language, pyphen.LANGUAGES) or "use a code such as en, de or fr",
        )
    return language


def _accent(reader: Reader, node: Node | None) -> str:
    fields = reader.fields(node, "colors", ("accent",)) or {}
    accent = fields.get("accent")
    if accent is None:
        return Settings.accent
    if accent.value is None:
        reader.error(
            accent,
            "colors.accent is empty",
            'an unquoted # starts a comment: write accent: "#1f4e79"',
        )
        return Settings.accent
    value = reader.text(accent, "colors.accent")
    if value is None:
        return Settings.accent
    color = parse_color(value)
    if color is None:
        reader.error(
            accent,
            f"colors.accent: '{value}' is not a colour written \"#rrggbb\" or "
            '"cmyk(c, m, y, k)" (percentages up to 100)',
        )
        return Settings.accent
    return color


def _standards(reader: Reader, node: Node | None) -> tuple[str, ...] | None:
    """`pdf.standard`: one name or a list (an empty list: a plain PDF); None when not
    given, for the defaults of the book and of per-talk files."""
    fields = reader.fields(node, "pdf", ("standard",)) or {}
    given = fields.get("standard")
    if given is None:
        return None
    items = reader.items(given, "pdf.standard") if isinstance(given.value, list) else [given]
    names: list[str] = []
    for item in items:
        text = reader.text(item, "pdf.standard")
        if text is None:
            continue
        name = standard_name(text)
        if name not in STANDARDS:
            reader.error(
                item,
                f"pdf.standard: unknown standard '{text}'",
                suggest(name, STANDARDS) or f"use {one_of(list(STANDARDS))}",
            )
        else:
            names.append(name)
    why = combination_problem(tuple(names))
    if why:
        reader.error(given, f"pdf.standard: {why}")
        return None
    return ordered(tuple(names))


def _parts(
    reader: Reader, node: Node | None, label: str, options: tuple[str, ...]
) -> tuple[str, ...] | None:
    """An ordered choice of parts, each at most once; None when not given."""
    if node is None or node.value is None:
        return None
    parts: list[str] = []
    for i, item in enumerate(reader.items(node, label), 1):
        part = reader.choice(item, f"{label}[{i}]", options)
        if part in parts:
            reader.error(item, f"{label}: '{part}' is named twice")
        elif part is not None:
            parts.append(part)
    return tuple(parts)


def _logo(reader: Reader, node: Node | None, root: Path) -> Path | None:
    path = _file(reader, node, "logo", root)
    if path is not None and node is not None and path.suffix.lower() not in IMAGE_SUFFIXES:
        reader.error(node, f"logo: {node.text} is not a PNG, JPEG or SVG image")
        return None
    why = picture_problem(path) if path is not None and node is not None else None
    if why and node is not None:
        reader.error(node, f"logo: {node.text} {why}")
        return None
    return path


def _fonts(
    reader: Reader, node: Node | None, root: Path
) -> tuple[FaceSet | None, FaceSet | None, tuple[Path, ...]]:
    fields = reader.fields(node, "fonts", ("text", "heading", "fallback")) or {}
    text = _faces(
        reader, fields.get("text"), "fonts.text", ("regular", "italic", "bold", "bold_italic"), root
    )
    heading = _faces(reader, fields.get("heading"), "fonts.heading", ("regular", "bold"), root)
    fallback = [
        _font(reader, item, f"fonts.fallback[{i}]", root)
        for i, item in enumerate(reader.items(fields.get("fallback"), "fonts.fallback"), 1)
    ]
    return text, heading, tuple(path for path in fallback if path is not None)


def _faces(
    reader: Reader, node: Node | None, label: str, styles: tuple[str, ...], root: Path
) -> FaceSet | None:
    fields = reader.fields(node, label, styles, required=("regular",))
    if not fields:
        return None
    paths = {style: _font(reader, fields.get(style), f"{label}.{style}", root) for style in styles}
    regular = paths.pop("regular")
    return FaceSet(regular, **paths) if regular else None


def _font(reader: Reader, node: Node | None, label: str, root: Path) -> Path | None:
    """A font file we can shape and embed: TrueType or OpenType (CFF) outlines."""
    path = _file(reader, node, label, root)
    if path is None or node is None:
        return None
    try:
        with open(path, "rb") as stream:
            magic = stream.read(4)
    except OSError as exc:
        reader.error(node, f"{label}: cannot read {node.text}: {exc.strerror}")
        return None
    if magic not in (*_TRUETYPE, _CFF) or path.suffix.lower() not in (".ttf", ".ttc", ".otf"):
        reader.error(
            node, f"{label}: {node.text} is not a TrueType or OpenType font (.ttf, .otf or .ttc)"
        )
    elif why := font_problem(path):
        reader.error(node, f"{label}: {node.text} {why}")
    else:
        return path
    return None


def _file(reader: Reader, node: Node | None, label: str, root: Path) -> Path | None:
    """A file named relative to the project, which must exist."""
    name = reader.text(node, label, required=True)
    if name is None or node is None:
        return None
    path = root / name
    if path_kind(path) == "file":
        return path
    reader.error(node, f"{label}: file not found: {name}", nearby_file(path, name))
    return None


def nearby_file(path: Path, name: str) -> str | None:
    """'did you mean' for a misspelt file `name`, from the files beside where `path` would be."""
    try:
        folder = path_kind(path.parent) == "folder"
        siblings = [p.name for p in path.parent.iterdir()] if folder else []
    except (OSError, ValueError):
        return None
    close = closest(path.name, siblings)
    return f"did you mean '{Path(name).parent / close}'?" if close else None
