"""validate, figures: the images a record's body names -> checked `FigureFile`s.

Each figure is resolved against its record's folder, kept inside the project and
read far enough to know its kind and size, so a bad one is one input error naming
the record, the field and the path, never a failure halfway through a build. This
runs on every build, apart from the remembered records: a figure file can change
while its record does not.
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings
from dataclasses import replace
from pathlib import Path

from .limits import MAX_FIGURE_SVG_ELEMENTS, svg_problem
from .markup import Figure, figures, parse
from .model import LOW_DPI, FigureFile, Settings, Talk
from .sources import Node, path_kind
from .values import Reader

MAX_FIGURE_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 40_000_000  # an A4 page at 600 dpi is 35 million
KINDS = {".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg", ".svg": "svg", ".pdf": "pdf"}
CAPTION_ROOM = 40.0  # what a caption leaves of the text block's height, about
_SOURCE = re.compile(r"(?P<file>.*?)(?:#page=(?P<page>\d+))?")
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)%")
_SVG_TEXT = re.compile(rb"<(?:[\w-]+:)?text[\s>]")


class FigureProblem(Exception):
    """Why a figure cannot be used, in words for the organiser."""


def resolve_figures(
    reader: Reader, talk: Talk, nodes: dict[str, Node], root: Path, settings: Settings
) -> Talk:
    """The talk with its figures checked and measured; each bad one is noted as an
    error at its field (`nodes`: the body's and notes' nodes)."""
    found: list[FigureFile] = []
    number = 0
    for field_name, source in (("body", talk.body), ("notes", talk.notes)):
        if not source or "![" not in source:
            continue
        for figure in figures(parse(source)):
            number += 1
            where = nodes.get(field_name) or talk.source
            if where is None:
                continue
            label = f"{field_name}: figure {number}, '{_shown(figure.src)}'"
            try:
                file = _figure_file(figure, talk, root)
            except FigureProblem as e:
                reader.error(where, f"{label}: {e}")
                continue
            at = where.location if isinstance(where, Node) else where
            file = replace(file, label=label, location=at)
            found.append(file)
            dpi = _printed_dpi(file, settings)
            if dpi is not None and dpi < LOW_DPI:
                reader.warn(
                    where,
                    f"{label}: {dpi:.0f} dpi at its printed size",
                    f"under {LOW_DPI} dpi prints blurred; give a larger image or a smaller width",
                )
    return replace(talk, figures=tuple(found)) if found else talk


def _figure_file(figure: Figure, talk: Talk, root: Path) -> FigureFile:
    scale = _scale(figure.width)
    m = _SOURCE.fullmatch(figure.src)
    name, page = (m.group("file"), int(m.group("page") or 0)) if m else (figure.src, 0)
    if not name or "://" in name or name.startswith("data:"):
        raise FigureProblem("a figure is a file in the project (PNG, JPEG, SVG or PDF)")
    folder = talk.source.path.parent if talk.source else root
    try:
        path = (folder / name).resolve()
    except (OSError, ValueError):  # a NUL byte (typed as %00), a name too long
        raise FigureProblem("this is not a file name the system accepts") from None
    if not path.is_relative_to(root.resolve()):
        raise FigureProblem("the file is outside the project folder")
    kind = path_kind(path)
    if kind == "folder":
        raise FigureProblem("this is a folder, not an image file")
    if kind != "file":
        raise FigureProblem("no such file")
    suffix = KINDS.get(path.suffix.lower())
    if suffix is None:
        raise FigureProblem("not a PNG, JPEG, SVG or PDF file")
    if page and suffix != "pdf":
        raise FigureProblem("#page= only selects a page of a PDF file")
    try:
        size = path.stat().st_size
        if size > MAX_FIGURE_BYTES:
            raise FigureProblem(f"the file is {size:,} bytes, over the 20 MB limit for a figure")
        data = path.read_bytes()
    except (OSError, ValueError) as e:
        why = e.strerror if isinstance(e, OSError) else str(e)
        raise FigureProblem(f"cannot read the file ({why})") from None
    digest = hashlib.sha256(data).hexdigest()
    if suffix == "svg":
        w, h = _svg_size(data)
        return FigureFile(figure.src, path, "svg", 0, w, h, digest, scale)
    if suffix == "pdf":
        page = page or 1
        w, h = _pdf_size(data, page)
        return FigureFile(figure.src, path, "pdf", page, w, h, digest, scale)
    found, w, h = _bitmap_size(data)
    return FigureFile(figure.src, path, found, 0, w, h, digest, scale)


def _scale(width: str | None) -> float | None:
    if width is None:
        return None
    m = _PERCENT.fullmatch(width.strip())
    value = float(m.group(1)) if m else 0.0
    if not 0 < value <= 100:
        raise FigureProblem(f"width '{width}' is not a part of the column such as 60%")
    return value / 100


def _bitmap_size(data: bytes) -> tuple[str, float, float]:
    """Kind and pixel size of a PNG or JPEG, from its header: the pixel count is
    checked before anything is decoded."""
    from PIL import Image

    size = _header_size(data)
    if size is not None and size[0] * size[1] > MAX_PIXELS:
        raise _too_many(*size)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as im:
                w, h = im.size
                kind = (im.format or "").lower()
                if kind not in ("png", "jpeg"):
                    raise FigureProblem("the file is not a PNG or JPEG image")
                if w * h > MAX_PIXELS:
                    raise _too_many(w, h)
                im.verify()
        except Image.DecompressionBombError:
            raise FigureProblem(
                f"the image has too many pixels (over {MAX_PIXELS:,}); scale it down"
            ) from None
        except FigureProblem:
            raise
        except Exception as e:  # the user's file is broken, not our code
            raise FigureProblem(f"cannot read the image ({_why(e)})") from None
    if not w or not h:
        raise FigureProblem("the image is empty")
    return kind, float(w), float(h)


_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}  # JPEG frame headers


def _header_size(data: bytes) -> tuple[int, int] | None:
    """Width and height as a PNG's or JPEG's header states them, read without any
    decoder (a huge image is refused before an image library sees it)."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR":
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    at = 2
    while data[:2] == b"\xff\xd8" and at + 9 <= len(data) and data[at] == 0xFF:
        marker, length = data[at + 1], int.from_bytes(data[at + 2 : at + 4], "big")
        if marker in _SOF:
            h, w = (
                int.from_bytes(data[at + 5 : at + 7], "big"),
                int.from_bytes(data[at + 7 : at + 9], "big"),
            )
            return w, h
        at += 2 + length
    return None


def _too_many(w: int, h: int) -> FigureProblem:
    return FigureProblem(
        f"{w:,} × {h:,} pixels is over the limit of {MAX_PIXELS:,} pixels for a figure; "
        "scale it down"
    )


def _svg_size(data: bytes) -> tuple[float, float]:
    from svglib.svglib import svg2rlg

    if _SVG_TEXT.search(data):
        raise FigureProblem("the SVG shows text, which would need its fonts: convert it to paths")
    why = svg_problem(data, MAX_FIGURE_SVG_ELEMENTS)
    if why:
        raise FigureProblem(f"the SVG {why}")
    try:
        drawing = svg2rlg(io.BytesIO(data))
    except Exception as e:  # the user's file is broken, not our code
        raise FigureProblem(f"cannot read the SVG drawing ({_why(e)})") from None
    if drawing is None or not drawing.width or not drawing.height:
        raise FigureProblem("cannot read the SVG drawing (no size)")
    return float(drawing.width), float(drawing.height)


def _pdf_size(data: bytes, page: int) -> tuple[float, float]:
    from pypdf import PdfReader

    try:
        pdf = PdfReader(io.BytesIO(data))
        if pdf.is_encrypted:
            raise FigureProblem("the PDF is encrypted")
        count = len(pdf.pages)
        if page > count:
            raise FigureProblem(f"the PDF has {count} page(s), not {page}")
        box = pdf.pages[page - 1].cropbox
        w, h = float(box.width), float(box.height)
    except FigureProblem:
        raise
    except Exception as e:  # the user's file is broken, not our code
        raise FigureProblem(f"cannot read the PDF ({_why(e)})") from None
    if w <= 0 or h <= 0:
        raise FigureProblem("the PDF page is empty")
    return w, h


def _shown(src: str) -> str:
    """A figure's path as a message can show it: control characters escaped, a very
    long one cut."""
    text = re.sub(r"[\x00-\x1f\x7f]", lambda m: f"\\x{ord(m.group()):02x}", src)
    return text if len(text) <= 120 else text[:119] + "…"


def _why(e: Exception) -> str:
    return str(e).splitlines()[0][:120] if str(e) else type(e).__name__


def _printed_dpi(file: FigureFile, settings: Settings) -> float | None:
    if not file.bitmap:
        return None
    p = settings.page
    column = p.width - p.inner - p.outer
    w, _ = file.size(column, p.height - p.top - p.bottom - CAPTION_ROOM)
    return file.width / (w / 72) if w else None
