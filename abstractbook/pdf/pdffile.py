"""The PDF file format: numbered objects written as soon as they are known,
TrueType subsets, images, drawings, strings and the cross-reference table.

reportlab's document model keeps every object of the file as Python objects and
formats them all when the file is saved: for a book of a thousand pages with
thousands of links that formatting was most of a rebuild. Here each object goes
to the file as bytes the moment it is complete, so a page whose content stream
comes from the rebuild cache costs a few string operations. reportlab still
provides the fonts' metrics and subsets (`TTFontFace.makeSubset`) and draws
formulas and SVG pictures (`renderPDF`), read back as operators.
"""

from __future__ import annotations

import hashlib
import io
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple
from urllib.parse import quote

from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase import pdfmetrics

from ..digests import digest
from ..project.limits import drawing_size_problem
from ..typeset.fonts import current
from ..typeset.kerning import LETTERS

LEVEL = 6  # zlib level of streams: page streams are cached, so compressing well is paid once
# Font programs are binary tables that deflate compresses almost as well at level 1
# (a per-talk file 3 % larger) in 40 % of the time; an export makes four per file.
FONT_LEVEL = 1


class PdfFile:
    """A PDF written front to back: objects in any order, the table at the end.

    Object numbers are handed out by `reserve` before or while objects are made,
    so an object can point to one written later (a page to its annotations, a
    link to a page further on).
    """

    def __init__(self, out: BinaryIO, version: str = "1.5") -> None:
        self.out = out
        self.offsets: dict[int, int] = {}
        self.reserved = 0
        self.position = 0
        self.digest = hashlib.md5(usedforsecurity=False)  # the file's /ID: its own content
        self._write(f"%PDF-{version}\n%\xe2\xe3\xcf\xd3\n".encode("latin-1"))

    def _write(self, data: bytes) -> None:
        self.out.write(data)
        self.digest.update(data)
        self.position += len(data)

    def reserve(self, count: int = 1) -> int:
        """The first of `count` new consecutive object numbers."""
        first = self.reserved + 1
        self.reserved += count
        return first

    def put(self, num: int, body: str) -> None:
        """Write object `num`: a dictionary, array or other value, as PDF source."""
        self.offsets[num] = self.position
        self._write(f"{num} 0 obj\n{body}\nendobj\n".encode("latin-1"))

    def put_stream(self, num: int, entries: str, data: bytes, packed: bool = False) -> None:
        """Write a stream object; `packed` data is already Flate-compressed."""
        if not packed:
            data = zlib.compress(data, LEVEL)
        self.offsets[num] = self.position
        head = f"{num} 0 obj\n<< {entries} /Filter /FlateDecode /Length {len(data)} >>\nstream\n"
        self._write(head.encode("latin-1") + data + b"\nendstream\nendobj\n")

    def put_raw_stream(self, num: int, entries: str, data: bytes) -> None:
        """Write a stream object whose data is encoded as `entries` say (its filters)."""
        self.offsets[num] = self.position
        head = f"{num} 0 obj\n<< {entries} /Length {len(data)} >>\nstream\n"
        self._write(head.encode("latin-1") + data + b"\nendstream\nendobj\n")

    def finish(self, root: int, info: int) -> None:
        """The cross-reference table and trailer; every reserved number must be written."""
        missing = [n for n in range(1, self.reserved + 1) if n not in self.offsets]
        assert not missing, f"objects reserved but never written: {missing[:5]}"
        start = self.position
        ident = self.digest.hexdigest()
        rows = "".join(f"{self.offsets[n]:010d} 00000 n \n" for n in range(1, self.reserved + 1))
        size = self.reserved + 1
        self._write(
            (
                f"xref\n0 {size}\n0000000000 65535 f \n{rows}"
                f"trailer\n<< /Size {size} /Root {root} 0 R /Info {info} 0 R "
                f"/ID [<{ident}> <{ident}>] >>\nstartxref\n{start}\n%%EOF\n"
            ).encode("latin-1")
        )


# -- values ---------------------------------------------------------------------------


def ref(num: int) -> str:
    return f"{num} 0 R"


def number(value: float) -> str:
    return str(fp_str(value))


def box(x1: float, y1: float, x2: float, y2: float) -> str:
    return f"[{fp_str(x1)} {fp_str(y1)} {fp_str(x2)} {fp_str(y2)}]"


_LITERAL = str.maketrans({"\\": "\\\\", "(": "\\(", ")": "\\)"})


def text_string(text: str) -> str:
    """A text string (titles, metadata): plain ASCII as is, anything else in UTF-16."""
    if text.isascii() and text.isprintable():
        return f"({text.translate(_LITERAL)})"
    return f"<FEFF{text.encode('utf-16-be').hex().upper()}>"


def uri_string(url: str) -> str:
    """A URI is 7-bit ASCII: other characters are percent-encoded (RFC 3986); escapes
    already there (Markdown's parser writes some) stay as they are."""
    safe = "".join(chr(c) for c in range(33, 127))
    return f"({quote(url, safe=safe).translate(_LITERAL)})"


def name(text: str) -> str:
    """A PDF name: its UTF-8 bytes, those outside printable ASCII and delimiters as #xx."""
    return "/" + "".join(
        chr(b) if 33 <= b <= 126 and chr(b) not in "()<>[]{}/%#" else f"#{b:02X}"
        for b in text.encode("utf-8")
    )


def hex_tag(*parts: object) -> str:
    """A short stable name for a resource, from what it is."""
    return digest(repr(parts))[:10]


# -- fonts ----------------------------------------------------------------------------


class FontSubsets:
    """The characters one TrueType face draws in a document, as 8-bit codes.

    PDF's simple TrueType fonts have 256 codes, so a face is embedded as one or
    more subsets. Printable ASCII keeps its own codes (page operators stay
    readable) and every subset has the space at 32, the only code that word
    spacing (Tw) stretches; other characters take the free codes in code-point
    order, so the codes depend on nothing but the set of characters.
    """

    def __init__(self, font: str, chars: str, resource: str) -> None:
        self.font = font
        self.resource = resource  # subset k is /<resource>s<k>
        subsets: list[list[int]] = [[0] * 256]
        self.codes: dict[str, tuple[int, int]] = {" ": (0, 32)}
        others = []
        for ch in chars:
            if ch == " ":
                continue
            if 32 < ord(ch) < 127:
                subsets[0][ord(ch)] = ord(ch)
                self.codes[ch] = (0, ord(ch))
            else:
                others.append(ch)
        free = [c for c in range(1, 256) if not 32 <= c < 127]
        for ch in others:
            if not free:
                subsets.append([0] * 256)
                free = [c for c in range(1, 256) if c != 32]
            code = free.pop(0)
            subsets[-1][code] = ord(ch)
            self.codes[ch] = (len(subsets) - 1, code)
        for subset in subsets:
            subset[32] = 32
        self.subsets = [s[: max(i for i, c in enumerate(s) if c) + 1] for s in subsets]
        self.table: dict[int, str] | None = None
        if len(subsets) == 1:  # the usual case: one translation does it all
            self.table = {ord(ch): chr(code) for ch, (_, code) in self.codes.items()}

    def codes_text(self, chars: str) -> str:
        """The resource name and the subset and code of each of `chars`, as text."""
        codes = self.codes
        return self.resource + "".join(chr(256 * s + c) for s, c in map(codes.__getitem__, chars))

    def encode(self, text: str) -> list[tuple[str, str]]:
        """(subset resource name, text as codes) runs; codes as latin-1 characters."""
        if self.table is not None:
            return [(f"/{self.resource}s0", text.translate(self.table))]
        runs: list[tuple[str, str]] = []
        current, chunk = -1, list[str]()
        for ch in text:
            subset, code = self.codes[ch]
            if ch == " " and current >= 0:
                subset = current  # every subset has the space
            if subset != current and chunk:
                runs.append((f"/{self.resource}s{current}", "".join(chunk)))
                chunk = []
            current = subset
            chunk.append(chr(code))
        if chunk:
            runs.append((f"/{self.resource}s{current}", "".join(chunk)))
        return runs

    def write(
        self, pdf: PdfFile, known: dict[tuple[str, str], SubsetFont] | None = None
    ) -> dict[str, int]:
        """Each subset's font objects; returns resource name -> font object number.
        `known` holds subsets made before (a rebuild need not read the font file)."""
        fonts = {}
        for k, subset in enumerate(self.subsets):
            key = self.key(k)
            made = known.get(key) if known is not None else None
            if made is None:
                made = _subset_font(self.font, subset)
                if known is not None:
                    known[key] = made
            font, descriptor, program, cmap = (pdf.reserve() for _ in range(4))
            pdf.put(font, made.font.format(descriptor=ref(descriptor), cmap=ref(cmap)))
            pdf.put(descriptor, made.descriptor.format(program=ref(program)))
            pdf.put_stream(program, f"/Length1 {made.length}", made.program, packed=True)
            pdf.put_stream(cmap, "", made.cmap, packed=True)
            fonts[f"{self.resource}s{k}"] = font
        return fonts

    def key(self, k: int) -> tuple[str, str]:
        """What subset `k` is: the face and its code-to-character table."""
        return (self.font, "".join(map(chr, self.subsets[k])))


class SubsetFont(NamedTuple):
    """A subset's objects, references left as {fields}: made once, kept by the cache."""

    font: str
    descriptor: str
    program: bytes  # compressed
    length: int  # uncompressed (/Length1)
    cmap: bytes  # compressed


def _subset_font(font: str, subset: list[int]) -> SubsetFont:
    current().load(font)
    face: Any = pdfmetrics.getFont(font).face
    psname = face.name.decode("latin-1") + face.subfontNameX.decode("latin-1")
    tag = "".join(chr(65 + int(c, 16) % 26) for c in hex_tag(font, subset)[:6])
    base = name(f"{tag}+{psname}")
    widths = " ".join(_width(font, cp) if cp else "0" for cp in subset)
    flags = (face.flags & ~32) | 4  # symbolic: the subset has its own code map
    data = face.makeSubset(subset)
    return SubsetFont(
        f"<< /Type /Font /Subtype /TrueType /BaseFont {base} /FirstChar 0 "
        f"/LastChar {len(subset) - 1} /Widths [{widths}] "
        "/FontDescriptor {descriptor} /ToUnicode {cmap} >>",
        f"<< /Type /FontDescriptor /FontName {base} /Flags {flags} "
        f"/FontBBox [{' '.join(number(v) for v in face.bbox)}] "
        f"/ItalicAngle {number(face.italicAngle)} /Ascent {number(face.ascent)} "
        f"/Descent {number(face.descent)} /CapHeight {number(face.capHeight)} "
        f"/StemV {number(face.stemV)} /MissingWidth {number(face.defaultWidth)} "
        "/FontFile2 {program} >>",
        zlib.compress(data, FONT_LEVEL),
        len(data),
        zlib.compress(_to_unicode(f"{tag}+{psname}", subset).encode("ascii"), LEVEL),
    )


@lru_cache(maxsize=1 << 16)
def _width(font: str, cp: int) -> str:
    return number(pdfmetrics.getFont(font).face.getCharWidth(cp))


def _to_unicode(base: str, subset: list[int]) -> str:
    """The CMap that maps codes back to text, for copying and searching (a ligature
    to its letters)."""
    pairs = []
    for code, cp in enumerate(subset):
        if cp:
            text = LETTERS.get(chr(cp), chr(cp)).encode("utf-16-be").hex().upper()
            pairs.append(f"<{code:02X}> <{text}>")
    chunks = [pairs[i : i + 100] for i in range(0, len(pairs), 100)]
    body = "".join(f"{len(c)} beginbfchar\n" + "\n".join(c) + "\nendbfchar\n" for c in chunks)
    return (
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        f"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        f"/CMapName /{base.replace('+', '-')} def\n/CMapType 2 def\n"
        f"1 begincodespacerange\n<00> <FF>\nendcodespacerange\n{body}"
        "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
    )


# -- drawings and images -----------------------------------------------------------------


class Drawing(NamedTuple):
    """A vector drawing as a form's operators, with its box (points)."""

    width: float
    height: float
    ops: str


_FONT_NOOP = re.compile(r"BT /F\d+ [\d.]+ Tf [\d.]+ TL ET\n?")


class UnsupportedDrawing(ValueError):
    """A drawing whose operators need resources: text, transparency, patterns."""


def drawing_ops(drawing: Any) -> Drawing:
    """A reportlab Drawing (from svglib) as operators, drawn by reportlab itself.

    renderPDF sets an initial font in empty text objects; those are dropped. A
    drawing that still names a resource (text, transparency, patterns) would need
    fonts and states of its own, and is refused.
    """
    from reportlab.graphics import renderPDF
    from reportlab.pdfgen.canvas import Canvas

    size_problem = drawing_size_problem(float(drawing.width), float(drawing.height))
    if size_problem:
        raise UnsupportedDrawing(size_problem)
    canvas = Canvas(io.BytesIO())
    try:
        renderPDF.draw(drawing, canvas, 0, 0)
    except (ValueError, OverflowError, ZeroDivisionError):  # rl_accel: "number too large"
        raise UnsupportedDrawing("it has coordinates too large to draw") from None
    ops = _FONT_NOOP.sub("", canvas.getCurrentPageContent())
    if re.search(r"/[A-Za-z]|\bT[jJ]\b", ops):  # a resource named, or text shown
        raise UnsupportedDrawing("it uses text, transparency or patterns (convert text to paths)")
    if re.search(r"nan|inf", ops, re.I):
        raise UnsupportedDrawing("it has coordinates that are not numbers (nan or inf)")
    return Drawing(float(drawing.width), float(drawing.height), ops)


def put_form(pdf: PdfFile, num: int, drawing: Drawing) -> None:
    pdf.put_stream(
        num,
        f"/Type /XObject /Subtype /Form /BBox {box(0, 0, drawing.width, drawing.height)} "
        "/Resources << >>",
        drawing.ops.encode("latin-1"),
    )


class EncodedImage(NamedTuple):
    """A PNG or JPEG as the PDF holds it, so a rebuild need not decode it again."""

    entries: str  # the stream's dictionary, its filter included
    data: bytes  # encoded as `entries` say
    mask: tuple[str, bytes] | None = None  # the soft mask's entries and data, likewise


def put_image(
    pdf: PdfFile, num: int, image: EncodedImage, spaces: dict[str, str] | None = None
) -> None:
    """An encoded image as an image XObject, its alpha as a soft mask; `spaces` replaces
    a device colour space the file's output intent does not allow (by an ICC one)."""
    mask = ""
    if image.mask is not None:
        smask = pdf.reserve()
        pdf.put_raw_stream(smask, *image.mask)
        mask = f" /SMask {ref(smask)}"
    entries = image.entries
    for device, icc in (spaces or {}).items():
        entries = entries.replace(f"/ColorSpace /{device} ", f"/ColorSpace {icc} ")
    pdf.put_raw_stream(num, entries + mask, image.data)


def encode_image(path: Path) -> EncodedImage:
    """A PNG or JPEG as the PDF holds it. A JPEG is embedded as it is (grey, RGB or
    CMYK: no re-encoding, no loss); a PNG as 8-bit grey or RGB with its alpha as a soft
    mask, Flate-compressed, a 16-bit one scaled to 8 bits."""
    from PIL import Image

    with Image.open(path) as opened:
        if opened.format == "JPEG" and opened.mode in ("L", "RGB", "CMYK"):
            space = {"L": "DeviceGray", "RGB": "DeviceRGB", "CMYK": "DeviceCMYK"}[opened.mode]
            entries = _image_entries(opened.size, space) + " /Filter /DCTDecode"
            if opened.mode == "CMYK" and "adobe" in opened.info:  # Adobe's inverted inks
                entries += " /Decode [1 0 1 0 1 0 1 0]"
            return EncodedImage(entries, path.read_bytes())
        im = opened.convert("RGBA") if opened.mode == "P" else opened.copy()
    if im.mode.startswith("I;16") or im.mode == "I":  # 16-bit grey: Pillow would clamp it
        im = im.convert("I").point(lambda v: v / 257).convert("L")
    alpha = im.getchannel("A") if im.mode in ("RGBA", "LA", "PA") else None
    grey = im.mode in ("1", "L", "LA", "F")
    pixels = im.convert("L" if grey else "RGB")
    flate = " /Filter /FlateDecode"
    mask = None
    if alpha is not None and alpha.getextrema() != (255, 255):
        mask_entries = _image_entries(alpha.size, "DeviceGray") + flate
        mask = (mask_entries, zlib.compress(alpha.tobytes(), LEVEL))
    space = "DeviceGray" if grey else "DeviceRGB"
    entries = _image_entries(pixels.size, space) + flate
    return EncodedImage(entries, zlib.compress(pixels.tobytes(), LEVEL), mask)


_OPERATORS = {"DeviceRGB": re.compile(rb"\b(rg|RG)\b"), "DeviceCMYK": re.compile(rb"\b(k|K)\b")}


def foreign_colors(path: Path, page: int, space: str) -> bool:
    """Whether page `page` of a PDF draws in the device colour space `space`: in its
    content's operators or named in its resources (nested forms not opened)."""
    from pypdf import PdfReader

    source = PdfReader(path).pages[page - 1]
    contents = source.get_contents()
    data = contents.get_data() if contents is not None else b""
    resources = source.get("/Resources")
    named = space in repr(resources.get_object()) if resources is not None else False
    return bool(_OPERATORS[space].search(data)) or named


def put_pdf_page(pdf: PdfFile, num: int, path: Path, page: int) -> None:
    """Page `page` (from 1) of a PDF file as a form XObject: its content stream and
    every object its resources reach, copied as they are, so a figure stays vector."""
    from pypdf import PdfReader

    reader = PdfReader(path)
    source = reader.pages[page - 1]
    box_ = source.cropbox
    x, y, w, h = float(box_.left), float(box_.bottom), float(box_.width), float(box_.height)
    contents = source.get_contents()
    data = contents.get_data() if contents is not None else b""
    copier = _Copier(pdf)
    resources = source.get("/Resources")
    listed = copier.value(resources) if resources is not None else "<< >>"
    # drawn in a unit square, as an image is: the page's box is needed only here
    matrix = f"[{1 / w:.9f} 0 0 {1 / h:.9f} {-x / w:.9f} {-y / h:.9f}]"
    pdf.put_stream(
        num,
        f"/Type /XObject /Subtype /Form /BBox {box(x, y, x + w, y + h)} /Matrix {matrix} "
        f"/Resources {listed}",
        data,
    )


class _Copier:
    """Objects of another PDF written into ours, each once, streams with their own
    encoding. Parent links are left out: they would pull in the whole document."""

    def __init__(self, pdf: PdfFile) -> None:
        self.pdf = pdf
        self.numbers: dict[tuple[int, int], int] = {}

    def value(self, obj: Any) -> str:
        from pypdf.generic import (
            ArrayObject,
            DictionaryObject,
            IndirectObject,
            StreamObject,
        )

        if isinstance(obj, IndirectObject):
            key = (obj.idnum, obj.generation)
            if key not in self.numbers:
                self.numbers[key] = num = self.pdf.reserve()
                target = obj.get_object()
                if isinstance(target, StreamObject):
                    self._stream(num, target)
                else:
                    self.pdf.put(num, self.value(target))
            return ref(self.numbers[key])
        if isinstance(obj, StreamObject):  # a direct stream cannot be: write it apart
            num = self.pdf.reserve()
            self._stream(num, obj)
            return ref(num)
        if isinstance(obj, DictionaryObject):
            return "<< " + " ".join(self._entries(obj)) + " >>"
        if isinstance(obj, ArrayObject):
            return "[" + " ".join(self.value(v) for v in obj) + "]"
        out = io.BytesIO()
        obj.write_to_stream(out)
        return out.getvalue().decode("latin-1")

    def _entries(self, obj: Any) -> list[str]:
        return [
            f"{name(str(k)[1:])} {self.value(v)}"
            for k, v in obj.items()
            if k not in ("/Parent", "/P", "/Length")
        ]

    def _stream(self, num: int, stream: Any) -> None:
        """A stream as read: its data still encoded by the filters its entries name
        (pypdf keeps that in `_data`), so images and fonts are copied, not re-encoded."""
        raw = stream._data
        if not isinstance(raw, bytes):
            raw = stream.get_data()
        self.pdf.put_raw_stream(num, " ".join(self._entries(stream)), raw)


def _image_entries(size: tuple[int, int], space: str) -> str:
    w, h = size
    return (
        f"/Type /XObject /Subtype /Image /Width {w} /Height {h} /ColorSpace /{space} "
        "/BitsPerComponent 8"
    )


# -- the document's skeleton ------------------------------------------------------------


@dataclass
class _Entry:
    num: int
    title: str = ""
    key: str = ""
    parent: _Entry | None = None
    place: int = 0  # among its parent's kids
    kids: list[_Entry] = field(default_factory=list)

    def count(self) -> int:
        """Entries below, all open."""
        return sum(1 + k.count() for k in self.kids)


def outline_objects(
    pdf: PdfFile, root: int, entries: Iterable[tuple[str, str, int]], dests: dict[str, str]
) -> int:
    """The outline (bookmarks) under `root`, every entry open; returns the visible count.

    `entries` are (title, destination key, level) in reading order; `dests` maps a key
    to its explicit destination array.
    """
    top = _Entry(root)
    stack, nodes = [top], []
    for title, key, level in entries:
        del stack[level + 1 :]
        parent = stack[-1]
        node = _Entry(pdf.reserve(), title, key, parent, len(parent.kids))
        parent.kids.append(node)
        nodes.append(node)
        stack.append(node)
    for node in nodes:
        assert node.parent is not None
        siblings = node.parent.kids
        parts = [f"/Title {text_string(node.title)} /Parent {ref(node.parent.num)}"]
        if node.place > 0:
            parts.append(f"/Prev {ref(siblings[node.place - 1].num)}")
        if node.place + 1 < len(siblings):
            parts.append(f"/Next {ref(siblings[node.place + 1].num)}")
        if node.kids:
            first, last = node.kids[0].num, node.kids[-1].num
            parts.append(f"/First {ref(first)} /Last {ref(last)} /Count {node.count()}")
        if node.key in dests:
            parts.append(f"/Dest {dests[node.key]}")
        pdf.put(node.num, "<< " + " ".join(parts) + " >>")
    kids = top.kids
    head = f"/First {ref(kids[0].num)} /Last {ref(kids[-1].num)} " if kids else ""
    total = top.count()
    pdf.put(root, f"<< /Type /Outlines {head}/Count {total} >>")
    return total
