"""render, fonts: the glyphs a file draws in each face -> CID font subsets.

Faces are subset by HarfBuzz and embedded as Type0 fonts whose codes are the
faces' glyph ids. What a face gives every subset of it — its descriptor's
numbers, each glyph's width and ToUnicode entry, and the face made ready for
subsetting — is kept in its `FaceParts`: one per file for the book, one per run
for an export, whose thousand files embed the same four faces.
"""

from __future__ import annotations

import re
import struct
from typing import TYPE_CHECKING, NamedTuple

from ..typeset.fonts import Face, current
from ..typeset.shaping import glyph_text
from .pdffile import PdfFile, flate, hex_tag, name, number, ref

if TYPE_CHECKING:
    import uharfbuzz

# Font programs are binary tables that deflate compresses almost as well at level 1
# (3 % larger than at 6) in half the time; an export makes four per file.
FONT_LEVEL = 1
# Subsets of a face made before it is made ready for more: HarfBuzz's preprocessing
# costs as much as some thirty subsets and makes each later one a third as costly, so
# an export's workers do it early, and a book, which subsets each face once, never.
READY_AFTER = 8
# Tables no PDF reader uses: layout (the glyphs are shaped already), signatures,
# vertical metrics.
DROPPED = ("GSUB", "GPOS", "GDEF", "BASE", "JSTF", "MATH", "kern", "DSIG", "vhea", "vmtx")


class CidFont:
    """The glyphs one face draws in a document, embedded as a CID font.

    A Type0 font with Identity-H: a code is two bytes, the glyph's id in the face, so
    a page's operators depend on nothing but the face and what the page draws, and a
    face has as many glyphs as it needs (ligatures and shaped forms included, which
    no character names). The subset keeps every glyph at its id (HarfBuzz's
    subsetter, `RETAIN_GIDS`): glyphs the book does not draw are empty.
    """

    def __init__(self, font: str, glyphs: tuple[int, ...], resource: str) -> None:
        self.font = font
        self.glyphs = glyphs
        self.resource = resource

    def key(self) -> tuple[str, str]:
        """What the embedded subset is: the face and its glyphs."""
        return (self.font, ",".join(map(str, self.glyphs)))

    def write(
        self,
        pdf: PdfFile,
        known: dict[tuple[str, str], EmbeddedFont] | None,
        faces: dict[str, FaceParts] | None = None,
    ) -> int:
        """The font's objects; returns the Type0 font's number. `known` holds subsets
        made before (a rebuild need not read the font file), `faces` the parts of the
        faces that other files of the same run embed too."""
        key = self.key()
        made = known.get(key) if known is not None else None
        if made is None:
            parts = faces.get(self.font) if faces is not None else None
            if parts is None:
                parts = FaceParts(self.font)
                if faces is not None:
                    faces[self.font] = parts
            made = _embedded_font(parts, self.glyphs)
            if known is not None:
                known[key] = made
        font, cid, descriptor, program, cmap = (pdf.reserve() for _ in range(5))
        pdf.put(font, made.font.format(cid=ref(cid), cmap=ref(cmap)))
        pdf.put(cid, made.cid.format(descriptor=ref(descriptor)))
        pdf.put(descriptor, made.descriptor.format(program=ref(program)))
        pdf.put_stream(program, made.entries, made.program, packed=True)
        pdf.put_stream(cmap, "", made.cmap, packed=True)
        return font


class EmbeddedFont(NamedTuple):
    """A subset's objects, references left as {fields}: made once, kept by the cache."""

    font: str  # the Type0 font
    cid: str  # its descendant CIDFont
    descriptor: str
    entries: str  # the font program's stream entries
    program: bytes  # compressed
    cmap: bytes  # compressed ToUnicode


class FaceParts:
    """What every subset of one face shares, each piece worked out when first needed:
    the descriptor's numbers, each glyph's /W width and ToUnicode entry, and after
    `READY_AFTER` subsets the face as HarfBuzz's preprocessing leaves it (the same
    subsets, made faster). Belongs to the build that made it (its `FontBook`)."""

    def __init__(self, font: str) -> None:
        self.font = font
        self.face = current().face(font)
        self.metrics = _metrics(self.face)
        self._widths: dict[int, str] = {}
        self._texts: dict[int, str] = {}  # glyph -> its ToUnicode entry, "" for none
        self._subsets = 0
        self._ready: uharfbuzz.Face | None = None

    def subset(self, glyphs: tuple[int, ...]) -> uharfbuzz.Face:
        """The face cut down to `glyphs` (and .notdef), each at its own id."""
        import uharfbuzz as hb

        self._subsets += 1
        if self._ready is None and self._subsets > READY_AFTER:
            self._ready = hb.subset_preprocess(self.face.face)
        keep = hb.SubsetInput()
        for glyph in (0, *glyphs):
            keep.glyph_set.add(glyph)
        keep.flags = hb.SubsetFlags.RETAIN_GIDS
        drop = keep.sets(hb.SubsetInputSets.DROP_TABLE_TAG)
        for tag in DROPPED:
            drop.add(int.from_bytes(tag.encode("ascii"), "big"))
        subset = hb.subset(self._ready or self.face.face, keep)
        if subset is None:
            raise ValueError(f"cannot subset the font {self.face.path}")
        return subset

    def width(self, glyph: int) -> str:
        """A glyph's width in the /W array: its advance (what shaping measured)."""
        known = self._widths.get(glyph)
        if known is None:
            advance = self.face.font.get_glyph_h_advance(glyph)
            known = self._widths[glyph] = number(advance * self.face.scale)
        return known

    def unicode_entry(self, glyph: int) -> str:
        """A glyph's line of the ToUnicode map (`bfchar`), "" when its text is unknown."""
        known = self._texts.get(glyph)
        if known is None:
            text = glyph_text(self.font, glyph)
            known = f"<{glyph:04X}> <{text.encode('utf-16-be').hex().upper()}>" if text else ""
            self._texts[glyph] = known
        return known


def _embedded_font(parts: FaceParts, glyphs: tuple[int, ...]) -> EmbeddedFont:
    """A face's subset and its dictionaries: /W from the face's advances (what
    shaping measured), metrics for the descriptor, a ToUnicode map of each glyph's
    text. TrueType outlines go in as FontFile2 (CIDFontType2, CIDToGIDMap
    /Identity); CFF outlines as their bare CFF table (FontFile3 /CIDFontType0C,
    whose CIDs a non-CID-keyed CFF takes as glyph indices)."""
    subset = parts.subset(glyphs)
    metrics = parts.metrics
    cff = metrics.cff
    if cff:
        data = bytes(subset.reference_table("CFF ").data)
        entries = "/Subtype /CIDFontType0C"
        program_key = "FontFile3"
    else:
        data = bytes(subset.blob.data)
        entries = f"/Length1 {len(data)}"
        program_key = "FontFile2"
    scale = parts.face.scale
    psname = metrics.name
    tag = "".join(chr(65 + int(c, 16) % 26) for c in hex_tag(parts.font, glyphs)[:6])
    base = name(f"{tag}+{psname}")
    italic = metrics.italic
    flags = 4 | (1 if metrics.fixed else 0) | (64 if italic else 0)
    weight = metrics.weight
    cap = metrics.cap
    bbox = " ".join(number(v * scale) for v in metrics.bbox)
    widths = _widths([(g, parts.width(g)) for g in glyphs])
    kind = "CIDFontType0" if cff else "CIDFontType2"
    gid_map = "" if cff else " /CIDToGIDMap /Identity"
    return EmbeddedFont(
        f"<< /Type /Font /Subtype /Type0 /BaseFont {base} /Encoding /Identity-H "
        "/DescendantFonts [{cid}] /ToUnicode {cmap} >>",
        f"<< /Type /Font /Subtype /{kind} /BaseFont {base} "
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
        f"/FontDescriptor {{descriptor}} /DW 1000 /W [{widths}]{gid_map} >>",
        f"<< /Type /FontDescriptor /FontName {base} /Flags {flags} /FontBBox [{bbox}] "
        f"/ItalicAngle {number(italic)} /Ascent {number(metrics.ascent * scale)} "
        f"/Descent {number(metrics.descent * scale)} /CapHeight {number(cap * scale)} "
        f"/StemV {number(50 + (weight / 65) ** 2)} /{program_key} {{program}} >>",
        entries,
        flate(data, FONT_LEVEL),
        flate(_to_unicode(parts, f"{tag}+{psname}", glyphs).encode("ascii")),
    )


class _Metrics(NamedTuple):
    """What a font descriptor says of a face, in font units."""

    name: str
    bbox: tuple[int, int, int, int]
    italic: float
    fixed: bool
    weight: int
    ascent: int
    descent: int
    cap: int
    cff: bool


def _metrics(face: Face) -> _Metrics:
    """The descriptor's numbers, read from the face's head, post, hhea and OS/2
    tables as HarfBuzz hands them over (fixed offsets of the OpenType format)."""
    import uharfbuzz as hb

    def table(tag: str) -> bytes:
        return bytes(face.face.reference_table(tag).data)

    head, post, hhea, os2 = table("head"), table("post"), table("hhea"), table("OS/2")
    bbox = struct.unpack(">4h", head[36:44]) if len(head) >= 44 else (0, 0, 1000, 1000)
    italic = struct.unpack(">i", post[4:8])[0] / 65536 if len(post) >= 16 else 0.0
    fixed = len(post) >= 16 and struct.unpack(">I", post[12:16])[0] != 0
    ascent, descent = struct.unpack(">2h", hhea[4:8]) if len(hhea) >= 8 else (800, -200)
    weight = struct.unpack(">H", os2[4:6])[0] if len(os2) >= 6 else 400
    cap = 0
    if len(os2) >= 90 and struct.unpack(">H", os2[0:2])[0] >= 2:
        cap = struct.unpack(">h", os2[88:90])[0]
    found = face.face.get_name(hb.OTNameIdPredefined.POSTSCRIPT_NAME)
    ps = re.sub(r"[^!-~]|[()<>\[\]{}/%]", "", found or face.path.stem) or "Font"
    cff = "CFF " in face.face.table_tags
    return _Metrics(ps, bbox, italic, fixed, weight, ascent, descent, cap or ascent, cff)


def _widths(widths: list[tuple[int, str]]) -> str:
    """The /W array: runs of consecutive glyph ids with their widths."""
    out: list[str] = []
    run: list[str] = []
    start = last = -2
    for glyph, w in widths:
        if glyph != last + 1 and run:
            out.append(f"{start} [{' '.join(run)}]")
            run = []
        if not run:
            start = glyph
        run.append(w)
        last = glyph
    if run:
        out.append(f"{start} [{' '.join(run)}]")
    return " ".join(out)


def _to_unicode(parts: FaceParts, base: str, glyphs: tuple[int, ...]) -> str:
    """The CMap from glyph ids back to text, for copying and searching: each glyph's
    text as its face gives it (a ligature's letters; `shaping.glyph_text`)."""
    pairs = [entry for entry in map(parts.unicode_entry, glyphs) if entry]
    chunks = [pairs[i : i + 100] for i in range(0, len(pairs), 100)]
    body = "".join(f"{len(c)} beginbfchar\n" + "\n".join(c) + "\nendbfchar\n" for c in chunks)
    return (
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        f"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        f"/CMapName /{base.replace('+', '-')} def\n/CMapType 2 def\n"
        f"1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n{body}"
        "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
    )
