"""The PDF file format: numbered objects written as soon as they are known,
images, drawings, strings and the cross-reference table (fonts: `cidfonts`).

reportlab's document model keeps every object of the file as Python objects and
formats them all when the file is saved: for a book of a thousand pages with
thousands of links that formatting was most of a rebuild. Here each object goes
to the file as bytes the moment it is complete, so a page whose content stream
comes from the rebuild cache costs a few string operations. reportlab still draws
formulas and SVG pictures (`renderPDF`), read back as operators.
"""

from __future__ import annotations

import hashlib
import io
import re
import struct
from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple
from urllib.parse import quote

from deflate import zlib_compress
from reportlab.lib.rl_accel import fp_str

from ..digests import digest
from ..project.limits import drawing_size_problem

LEVEL = 6  # deflate level of streams: page streams are cached, so compressing well is paid once
PACKED = 200  # small objects per object stream (a book's structure tree has tens of thousands)
_XREF_ROW = struct.Struct(">BIH")  # a cross-reference stream's row: /W [1 4 2]
UNWRITTEN = -1  # an object reserved and not yet written (`PdfFile.where`)


def _in_stream(stream: int, place: int) -> int:
    """A packed object's `where`: below UNWRITTEN, its stream and place in one number."""
    return -2 - (stream << 16 | place)


def _unwritten(count: int) -> array[int]:
    return array("q", [UNWRITTEN]) * count


def flate(data: bytes, level: int = LEVEL) -> bytes:
    """Data for a /FlateDecode stream (the zlib format), compressed by libdeflate:
    as small as zlib's at the same level in half the time, and at level 1 smaller
    than zlib's in a third of it. An export compresses some 80 MB of font programs
    and page streams for its thousand files. The bytes depend on libdeflate's
    version (pinned), never on the machine."""
    return bytes(zlib_compress(data, level))


class Deflated:
    """Object streams compressed by earlier builds, by a digest of their data: a
    rebuild that changed a page or two writes the same structure tree and links as
    the build before, and compressing them again was a twentieth of its time. `used`
    holds this build's, for the next; an entry is the compression of its own data, so
    taking it changes no byte."""

    def __init__(self, known: dict[bytes, bytes] | None = None) -> None:
        self.known = known or {}
        self.used: dict[bytes, bytes] = {}

    @staticmethod
    def key(data: bytes) -> bytes:
        return hashlib.sha1(data, usedforsecurity=False).digest() + len(data).to_bytes(4, "big")

    def compress(self, data: bytes, key: bytes) -> bytes:
        packed = self.take(key)
        if packed is None:
            packed = self.used[key] = flate(data)
        return packed

    def take(self, key: bytes) -> bytes | None:
        """The compressed stream of data with this key, if known (and kept for the next)."""
        packed = self.used.get(key) or self.known.get(key)
        if packed is not None:
            self.used[key] = packed
        return packed


class Packs(NamedTuple):
    """Objects written into object streams between `PdfFile.begin_packs` and
    `end_packs`, as a later file that numbers them the same can write them again
    without making them (`PdfFile.replay`): the streams by their `Deflated` keys."""

    reserved: int  # object numbers reserved meanwhile
    places: bytes  # each one's `where` (an array of "q"; a stream's own is rewritten)
    streams: tuple[tuple[int, str, bytes], ...]  # (number, entries, Deflated key), in order


class PdfFile:
    """A PDF written front to back: objects in any order, the table at the end.

    Object numbers are handed out by `reserve` before or while objects are made,
    so an object can point to one written later (a page to its annotations, a
    link to a page further on).
    """

    def __init__(
        self, out: BinaryIO, version: str = "1.5", deflated: Deflated | None = None
    ) -> None:
        self.out = out
        self.deflated = deflated
        # Where each object is, by number (0 unused): its offset in the file, UNWRITTEN,
        # or a packed object's stream and place (`_in_stream`). An array, not a dict: a
        # big book has hundreds of thousands of objects.
        self.where = array("q", [UNWRITTEN])
        self.reserved = 0
        self.position = 0
        self.digest = hashlib.md5(usedforsecurity=False)  # the file's /ID: its own content
        self.packed: list[tuple[int, str]] = []  # objects waiting for their object stream
        self.packs: list[tuple[int, str, bytes]] = []  # streams written with `deflated`
        self.any_packed = False
        self._write(f"%PDF-{version}\n%\xe2\xe3\xcf\xd3\n".encode("latin-1"))

    def _write(self, data: bytes) -> None:
        self.out.write(data)
        self.digest.update(data)
        self.position += len(data)

    def reserve(self, count: int = 1) -> int:
        """The first of `count` new consecutive object numbers."""
        first = self.reserved + 1
        self.reserved += count
        if count == 1:  # most often: a link, a stream, an object of the file's own
            self.where.append(UNWRITTEN)
        else:
            self.where.extend(_unwritten(count))
        return first

    def put(self, num: int, body: str) -> None:
        """Write object `num`: a dictionary, array or other value, as PDF source."""
        self.where[num] = self.position
        self._write(f"{num} 0 obj\n{body}\nendobj\n".encode("latin-1"))

    def put_packed(self, num: int, body: str) -> None:
        """Write object `num` (no stream) into a compressed object stream: the thousands
        of small objects of a structure tree take a tenth of their room there."""
        self.packed.append((num, body))
        if len(self.packed) >= PACKED:
            self._pack()

    def _pack(self) -> None:
        if not self.packed:
            return
        stream = self.reserve()
        heads, bodies, at = [], [], 0
        for place, (num, body) in enumerate(self.packed):
            heads.append(f"{num} {at}")
            bodies.append(body)
            at += len(body) + 1  # latin-1: a character a byte
            self.where[num] = _in_stream(stream, place)
        self.any_packed = True
        head = " ".join(heads) + "\n"
        entries = f"/Type /ObjStm /N {len(self.packed)} /First {len(head)}"
        self.packed = []
        data = (head + "\n".join(bodies) + "\n").encode("latin-1")  # encoded once
        if self.deflated is None:
            self.put_stream(stream, entries, data)
            return
        key = self.deflated.key(data)
        self.put_stream(stream, entries, self.deflated.compress(data, key), packed=True)
        self.packs.append((stream, entries, key))

    def begin_packs(self) -> tuple[int, int]:
        """Start objects of their own object streams (the waiting ones are packed now);
        returns where they start, for `end_packs`."""
        self._pack()
        return self.reserved, len(self.packs)

    def end_packs(self, start: tuple[int, int]) -> Packs | None:
        """What was packed since `begin_packs`, for `replay` (None without `deflated`)."""
        self._pack()
        if self.deflated is None:
            return None
        first, streams = start
        places = self.where[first + 1 : self.reserved + 1]
        return Packs(self.reserved - first, places.tobytes(), tuple(self.packs[streams:]))

    def replay(self, packs: Packs) -> bool:
        """Write objects packed by an earlier file, numbered from where this one is as
        they were there (the caller's key says so); False, writing nothing, when a
        stream is no longer known."""
        if self.deflated is None or self.packed:
            return False
        places = array("q")
        places.frombytes(packs.places)
        first = self.reserved
        found = [self.deflated.take(key) for _, _, key in packs.streams]
        if len(places) != packs.reserved or None in found:
            return False
        if not all(first < num <= first + packs.reserved for num, _, _ in packs.streams):
            return False
        self.reserve(packs.reserved)
        for (num, entries, key), data in zip(packs.streams, found, strict=True):
            self.put_stream(num, entries, data or b"", packed=True)
            self.packs.append((num, entries, key))
        for n, at in enumerate(places, start=first + 1):
            if at < UNWRITTEN:
                self.where[n] = at
        self.any_packed = self.any_packed or bool(packs.streams)
        return True

    def put_stream(self, num: int, entries: str, data: bytes, packed: bool = False) -> None:
        """Write a stream object; `packed` data is already Flate-compressed."""
        if not packed:
            data = flate(data)
        self.where[num] = self.position
        head = f"{num} 0 obj\n<< {entries} /Filter /FlateDecode /Length {len(data)} >>\nstream\n"
        self._write(head.encode("latin-1") + data + b"\nendstream\nendobj\n")

    def put_raw_stream(self, num: int, entries: str, data: bytes) -> None:
        """Write a stream object whose data is encoded as `entries` say (its filters)."""
        self.where[num] = self.position
        head = f"{num} 0 obj\n<< {entries} /Length {len(data)} >>\nstream\n"
        self._write(head.encode("latin-1") + data + b"\nendstream\nendobj\n")

    def finish(self, root: int, info: int) -> None:
        """The cross-reference table and trailer (a cross-reference stream when objects
        are packed in object streams); every reserved number must be written."""
        self._pack()
        if self.any_packed:
            self._finish_stream(root, info)
            return
        missing = [n for n in range(1, self.reserved + 1) if self.where[n] == UNWRITTEN]
        assert not missing, f"objects reserved but never written: {missing[:5]}"
        start = self.position
        ident = self.digest.hexdigest()
        rows = "".join(f"{self.where[n]:010d} 00000 n \n" for n in range(1, self.reserved + 1))
        size = self.reserved + 1
        self._write(
            (
                f"xref\n0 {size}\n0000000000 65535 f \n{rows}"
                f"trailer\n<< /Size {size} /Root {root} 0 R /Info {info} 0 R "
                f"/ID [<{ident}> <{ident}>] >>\nstartxref\n{start}\n%%EOF\n"
            ).encode("latin-1")
        )

    def _finish_stream(self, root: int, info: int) -> None:
        """A cross-reference stream (PDF 1.5): offsets of plain objects, and the stream
        and place of packed ones."""
        xref = self.reserve()
        start = self.position
        size = self.reserved + 1
        self.where[xref] = start
        places = self.where[1:size]
        if UNWRITTEN in places:
            raise AssertionError(f"object {places.index(UNWRITTEN) + 1} reserved but never written")
        row = _XREF_ROW.pack  # a packed object: its stream and place, both in `at`
        rows = [b"\x00\x00\x00\x00\x00\xff\xff"] + [
            row(1, at, 0) if at >= 0 else row(2, (-at - 2) >> 16, (-at - 2) & 0xFFFF)
            for at in places
        ]
        ident = self.digest.hexdigest()
        data = flate(b"".join(rows))
        head = (
            f"{xref} 0 obj\n<< /Type /XRef /Size {size} /W [1 4 2] /Root {root} 0 R "
            f"/Info {info} 0 R /ID [<{ident}> <{ident}>] /Filter /FlateDecode "
            f"/Length {len(data)} >>\nstream\n"
        )
        self._write(head.encode("latin-1") + data)
        self._write(f"\nendstream\nendobj\nstartxref\n{start}\n%%EOF\n".encode("latin-1"))


# -- values ---------------------------------------------------------------------------


def ref(num: int) -> str:
    return f"{num} 0 R"


def number(value: float) -> str:
    return str(fp_str(value))


def box(x1: float, y1: float, x2: float, y2: float) -> str:
    return f"[{fp_str(x1, y1, x2, y2)}]"  # fp_str joins its numbers with spaces


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
    filtered = " /Filter /FlateDecode"
    mask = None
    if alpha is not None and alpha.getextrema() != (255, 255):
        mask_entries = _image_entries(alpha.size, "DeviceGray") + filtered
        mask = (mask_entries, flate(alpha.tobytes()))
    space = "DeviceGray" if grey else "DeviceRGB"
    entries = _image_entries(pixels.size, space) + filtered
    return EncodedImage(entries, flate(pixels.tobytes()), mask)


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
