"""validate: what a font or picture file costs, checked before anything decodes it.

Every input kind has a size limit (README, Limits), measured where it matters: a
picture by its pixels or its SVG elements, not by its compressed bytes. A font or
picture that cannot be read is named here, with what is wrong, even when no page
would need it, so `check` finds it and a build never fails half-way on it.
"""

from __future__ import annotations

import io
import math
import re
import warnings
from pathlib import Path

MAX_FONT_BYTES = 32 * 2**20
MAX_IMAGE_BYTES = 20 * 2**20  # a PNG or JPEG file
MAX_PIXELS = 50_000_000  # a PNG or JPEG decoded
MAX_SVG_BYTES = 2 * 2**20
MAX_SVG_ELEMENTS = 5_000  # a logo
MAX_FIGURE_SVG_ELEMENTS = 20_000  # a figure (a chart of many points)
MAX_POINTS = 14_400.0  # a picture's side in points (200 inches, PDF's own limit)

_LENGTH = re.compile(r"\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([a-z%]*)\s*$")


def _mb(n: int) -> str:
    return f"{n / 2**20:.1f} MB".replace(".0 MB", " MB")


def font_problem(path: Path) -> str | None:
    """What makes a TrueType or OpenType (CFF) file unusable (too big, cut short,
    damaged tables), or None: read by fontTools as shaping and embedding will."""
    try:
        size = path.stat().st_size
    except OSError as e:
        return f"cannot be read ({e.strerror})"
    if size > MAX_FONT_BYTES:
        return f"is {_mb(size)}; a font file may be at most {_mb(MAX_FONT_BYTES)}"
    if _restricted(path):
        return (
            "forbids embedding (its licence flag, OS/2 fsType, is 'restricted'): a PDF "
            "embeds every font it shows, as print (PDF/X) and archives (PDF/A) require"
        )
    from fontTools.ttLib import TTFont, TTLibError

    try:
        with open(path, "rb") as stream, TTFont(stream, fontNumber=0, lazy=True) as font:
            missing = [t for t in ("cmap", "head", "hhea", "hmtx", "maxp") if t not in font]
            if "glyf" not in font and "CFF " not in font:
                missing.append("glyf or CFF")
            if missing:
                return f"cannot be read as a font (it has no {', '.join(missing)} table)"
            cmap = font.getBestCmap() or {}
            font["head"], font["hhea"], font["hmtx"]  # noqa: B018  (parsed when read)
            # Drawing reads the glyph outlines, which parsing the tables does not.
            glyphs = font.getGlyphSet()
            for name in [font.getGlyphOrder()[0], *(cmap[c] for c in sorted(cmap)[:64])]:
                glyphs[name].draw(_NullPen())
    except TTLibError:  # its header or table directory is not a font's
        return "cannot be read as a font (it is not a TrueType or OpenType file, or is cut short)"
    except Exception:  # struct.error, IndexError, …: fontTools' parser on damaged data
        return "cannot be read as a font (it is cut short or its tables are damaged)"
    return None


def _restricted(path: Path) -> bool:
    """The font's OS/2 table says 'restricted licence embedding' (fsType 2): it may not
    be embedded at all. (A collection is judged by its first face.)"""
    import struct

    try:
        with open(path, "rb") as f:
            head = f.read(12)
            if head[:4] == b"ttcf":
                f.seek(struct.unpack(">I", f.read(4))[0])
                head = f.read(12)
            tables = struct.unpack(">H", head[4:6])[0]
            directory = f.read(16 * min(tables, 512))
            for i in range(0, len(directory) - 15, 16):
                if directory[i : i + 4] == b"OS/2":
                    f.seek(struct.unpack(">I", directory[i + 8 : i + 12])[0] + 8)
                    (fs_type,) = struct.unpack(">H", f.read(2))
                    return bool(fs_type & 0x000F == 0x0002)
    except (OSError, struct.error):
        return False  # unreadable: the parse below says why
    return False


class _NullPen:
    """A pen that draws nothing: reading outlines is the point."""

    def moveTo(self, pt: object) -> None: ...  # noqa: N802
    def lineTo(self, pt: object) -> None: ...  # noqa: N802
    def curveTo(self, *pts: object) -> None: ...  # noqa: N802
    def qCurveTo(self, *pts: object) -> None: ...  # noqa: N802
    def closePath(self) -> None: ...  # noqa: N802
    def endPath(self) -> None: ...  # noqa: N802
    def addComponent(self, name: str, transform: object) -> None: ...  # noqa: N802


def picture_problem(path: Path) -> str | None:
    """What makes a PNG, JPEG or SVG file unusable or too costly to draw, or None."""
    try:
        size = path.stat().st_size
    except OSError as e:
        return f"cannot be read ({e.strerror})"
    if path.suffix.lower() == ".svg":
        if size > MAX_SVG_BYTES:
            return f"is {_mb(size)}; an SVG file may be at most {_mb(MAX_SVG_BYTES)}"
        return _svg_problem(path)
    if size > MAX_IMAGE_BYTES:
        return f"is {_mb(size)}; a PNG or JPEG file may be at most {_mb(MAX_IMAGE_BYTES)}"
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as im:  # reads the header only
                w, h = im.size
    except Image.DecompressionBombError:
        return f"has more than {MAX_PIXELS // 1_000_000} megapixels, the most that can be embedded"
    except Exception:  # PIL's many kinds of "not an image I can read"
        return "cannot be read as a PNG or JPEG image"
    if w <= 0 or h <= 0:
        return f"has no pixels ({w} × {h})"
    if w * h > MAX_PIXELS:
        return (
            f"has {w:,} × {h:,} pixels ({w * h / 1e6:.0f} megapixels); "
            f"at most {MAX_PIXELS // 1_000_000} megapixels can be embedded"
        )
    return None


def _svg_problem(path: Path) -> str | None:
    try:
        data = path.read_bytes()
    except OSError as e:
        return f"cannot be read ({e.strerror})"
    return svg_problem(data, MAX_SVG_ELEMENTS)


def svg_problem(data: bytes, max_elements: int) -> str | None:
    """What makes an SVG unreadable, or too costly to draw (svglib takes about a
    millisecond an element), or of no usable size; read in one streaming pass."""
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import iterparse

    count = 0
    try:
        for _event, element in iterparse(io.BytesIO(data), events=("start",)):
            count += 1
            if count == 1:
                why = _svg_size_problem(element.attrib)
                if why:
                    return why
            if count > max_elements:
                return f"has more than {max_elements:,} elements; simplify the drawing"
            why = _number_problem(element.tag, element.attrib)
            if why:
                return why
    except ParseError as e:
        return f"cannot be read as SVG ({e})"
    except DefusedXmlException:
        return "cannot be read as SVG (it declares entities or external references)"
    return None


MAX_COORDINATE = 1e9  # any number of an SVG's geometry, in its own units
_NUMERIC = frozenset(
    "d transform points x y x1 y1 x2 y2 cx cy r rx ry width height viewBox".split()
)
_NUMBER = re.compile(
    r"nan|inf(?:inity)?"
    r"|[-+]?(?:\d+\.?\d*|\.\d+)[eE][-+]?\d+|\d{10,}",
    re.I,
)


def _number_problem(tag: str, attrib: dict[str, str]) -> str | None:
    """A number of the geometry that no page can draw: nan, inf or astronomically
    large (svglib reads them, and the PDF would be malformed). Only numbers with an
    exponent or ten digits can be too large, so ordinary ones are skipped quickly."""
    for key, value in attrib.items():
        if key not in _NUMERIC:
            continue
        for m in _NUMBER.finditer(value):
            try:
                number = float(m.group())
            except ValueError:
                continue
            if not math.isfinite(number) or abs(number) > MAX_COORDINATE:
                element = tag.rpartition("}")[2]
                return (
                    f"has a <{element}> whose {key} holds {m.group()!r}; the numbers of a "
                    f"drawing must be finite and at most {MAX_COORDINATE:.0e} in size"
                )
    return None


def _svg_size_problem(attrib: dict[str, str]) -> str | None:
    """An SVG's width, height and viewBox must be finite, positive sizes."""
    for key in ("width", "height"):
        value = attrib.get(key)
        if value is None:
            continue
        m = _LENGTH.match(value)
        try:
            number = float(m.group(1) if m else value)
        except ValueError:
            continue  # svglib's own reading decides
        if not math.isfinite(number) or number <= 0 or number > MAX_POINTS * 100:
            return f"has {key}={value!r}; a picture's size must be a positive number"
    box = attrib.get("viewBox")
    if box is not None:
        try:
            numbers = [float(v) for v in box.replace(",", " ").split()]
        except ValueError:
            return f"has viewBox={box!r}, which is not four numbers"
        if len(numbers) != 4 or not all(math.isfinite(v) for v in numbers):
            return f"has viewBox={box!r}, which is not four numbers"
        if numbers[2] <= 0 or numbers[3] <= 0:
            return f"has viewBox={box!r}; its width and height must be positive"
    return None


def drawing_size_problem(width: float, height: float) -> str | None:
    """A drawn picture's size in points must be finite, positive and printable."""
    if not (math.isfinite(width) and math.isfinite(height)) or width <= 0 or height <= 0:
        return f"its size ({width} × {height} pt) is not a positive size"
    if max(width, height) > MAX_POINTS:
        return f"it is {width:,.0f} × {height:,.0f} pt; at most {MAX_POINTS:,.0f} pt a side"
    return None
