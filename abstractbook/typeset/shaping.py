"""lay out, letters: a word in a face -> its glyphs, as HarfBuzz shapes them.

Every word is shaped by HarfBuzz with its face's OpenType features: kerning,
ligatures (fi, ffl), contextual forms (Arabic joining), marks placed on their
letters, and each script's own (Devanagari conjuncts and reordered vowel signs,
Thai marks), the script and direction found per word. Measuring (`lines.width`)
and drawing (`render`) read the same result, so a justified line's edge is where
it was measured. Words are shaped one at a time, apart from the spaces between
them: words repeat, and each distinct word is shaped once per face and direction.

The memo is keyed by the font's name, which stands for its file's content (`fonts`).
"""

from __future__ import annotations

import unicodedata
from array import array
from collections.abc import Sequence
from itertools import repeat
from operator import attrgetter
from typing import Any, NamedTuple

from .fonts import Face, current


class Shaped(NamedTuple):
    """A word's glyphs left to right as drawn (a right-to-left word's last letter
    first), in thousandths of an em; numbers in arrays, as a big book keeps a hundred
    thousand words."""

    glyphs: Sequence[int]
    advances: Sequence[float]  # the pen's move after each glyph, kerning included
    offsets: tuple[tuple[float, float], ...] | None  # (x, y) each glyph is moved by; None: none
    clusters: Sequence[int]  # the index in the word of the first letter each glyph draws
    width: float


Shapes = dict[str, dict[tuple[str, bool], Shaped]]  # font -> (word, rtl) -> glyphs
_SHAPED: Shapes = {}
_FOUND: Shapes = {}  # shaped since `found_shapes`
_SPACES: dict[str, tuple[int, float]] = {}  # font -> its space's glyph and advance
_WIDTH = attrgetter("width")


def shape(word: str, font: str, rtl: bool = False) -> Shaped:
    """A word (no spaces) in a face; `rtl` sets the direction of a right-to-left run
    (else HarfBuzz finds it from the letters, as measuring does)."""
    memo = _SHAPED.get(font)
    if memo is None:
        memo = _SHAPED[font] = {}
    key = (word, rtl)
    known = memo.get(key)
    if known is None:
        known = memo[key] = _shape(word, current().face(font), rtl)
        found = _FOUND.get(font)
        if found is None:
            found = _FOUND[font] = {}
        found[key] = known
    return known


class PackedShapes(NamedTuple):
    """A face's shaped words in a few flat arrays, for a pipe: a worker lays out talks
    and its parent draws them, and pickling the words one by one (some ten thousand,
    each a named tuple of arrays) cost the worker about as much as shaping them."""

    words: list[tuple[str, bool]]
    lengths: array[int]  # each word's glyph count
    glyphs: array[int]
    advances: array[float]
    clusters: array[int]
    widths: array[float]
    offsets: dict[int, tuple[tuple[float, float], ...]]  # by the word's place, where moved


def found_shapes(pack: bool = True) -> dict[str, PackedShapes]:
    """The words shaped since the last call (a worker's, for its parent), packed; none
    without `pack` (asked by the process that keeps them, or only to start afresh)."""
    found: dict[str, PackedShapes] = {}
    for font, words in _FOUND.items() if pack else ():
        packed = PackedShapes(
            list(words), array("I"), array("I"), array("d"), array("I"), array("d"), {}
        )
        for n, shaped in enumerate(words.values()):
            packed.lengths.append(len(shaped.glyphs))
            packed.glyphs.extend(shaped.glyphs)
            packed.advances.extend(shaped.advances)
            packed.clusters.extend(shaped.clusters)
            packed.widths.append(shaped.width)
            if shaped.offsets is not None:
                packed.offsets[n] = shaped.offsets
        found[font] = packed
    _FOUND.clear()
    return found


def remember_shapes(shapes: dict[str, PackedShapes]) -> None:
    """Words shaped elsewhere (by a worker process), as `found_shapes` packed them:
    the same numbers, so the same glyphs and widths as shaped here."""
    for font, pack in shapes.items():
        memo = _SHAPED.get(font)
        if memo is None:
            memo = _SHAPED[font] = {}
        glyphs, advances, clusters, widths = pack.glyphs, pack.advances, pack.clusters, pack.widths
        offsets = pack.offsets
        start = 0
        for n, key in enumerate(pack.words):
            end = start + pack.lengths[n]
            memo[key] = Shaped(
                glyphs[start:end],
                advances[start:end],
                offsets.get(n),
                clusters[start:end],
                widths[n],
            )
            start = end


def _shape(word: str, face: Face, rtl: bool) -> Shaped:
    import uharfbuzz as hb

    buf = hb.Buffer()
    buf.add_str(word)  # clusters count code points, as the word's indexes do
    if rtl:
        buf.direction = "rtl"
    buf.guess_segment_properties()
    buf.flags = hb.BufferFlags.REMOVE_DEFAULT_IGNORABLES
    hb.shape(face.font, buf)
    scale = face.scale
    infos = buf.glyph_infos or ()  # None for an empty text
    # a glyph's position in one read: (x offset, y offset, x advance, y advance)
    positions = [pos.position for pos in buf.glyph_positions or ()]
    advances: list[float] = [p[2] * scale for p in positions]
    moved = any(p[0] or p[1] for p in positions)
    return Shaped(
        array("I", [info.codepoint for info in infos]),
        array("d", advances),
        tuple((p[0] * scale, p[1] * scale) for p in positions) if moved else None,
        array("I", [info.cluster for info in infos]),
        sum(advances),
    )


def space(font: str) -> tuple[int, float]:
    """The face's space: its glyph (0 for a face without one) and advance (1/1000 em)."""
    known = _SPACES.get(font)
    if known is None:
        face = current().face(font)
        glyph = face.font.get_nominal_glyph(32) or 0
        advance = face.font.get_glyph_h_advance(glyph) * face.scale if glyph else 250.0
        known = _SPACES[font] = (glyph, advance)
    return known


def text_width(text: str, font: str) -> float:
    """A text's width in thousandths of an em: its words shaped, its spaces added."""
    if " " not in text:
        return shape(text, font).width
    words = text.split(" ")
    known = _SHAPED.get(font, {}).get
    shaped: list[Shaped | None] | list[Shaped] = []
    if "" not in words:  # words shaped before are read from the memo in one go
        shaped = list(map(known, zip(words, repeat(False))))
    if not shaped or not all(shaped):
        shaped = [known((w, False)) or shape(w, font) for w in words if w]
    total: float = sum(map(_WIDTH, shaped))
    return total + (len(words) - 1) * space(font)[1]


def glyph_count(text: str, font: str) -> int:
    """How many glyphs drawing `text` shows (its words as shaped, and the face's
    space glyph for each space): each takes a letter-spaced line's extra room."""
    count = sum(sum(1 for g in shape(w, font).glyphs if g) for w in text.split(" ") if w)
    return count + (text.count(" ") if space(font)[0] else 0)


# -- the text each glyph stands for ------------------------------------------------------------

_TEXTS: dict[str, dict[int, str]] = {}  # font -> glyph -> its letters
_SUBSTITUTIONS_READ: set[str] = set()  # fonts whose GSUB has given its glyphs' texts too


def mapped_texts(font: str) -> dict[int, str]:
    """The texts of the glyphs the face maps characters to (those of substitutions
    too once `glyph_text` has needed them)."""
    texts = _TEXTS.get(font)
    if texts is None:
        texts = _TEXTS[font] = _mapped(current().face(font))
    return texts


def glyph_text(font: str, glyph: int) -> str | None:
    """What a glyph reads as when copied, from the face alone (so a page's text layer
    depends on nothing else in the book): the character the face maps to it, else the
    letters its substitutions make it from (a ligature's letters, an Arabic letter's
    joined form, a Devanagari conjunct); None when neither tells."""
    texts = mapped_texts(font)
    found = texts.get(glyph)
    if found is None and glyph and font not in _SUBSTITUTIONS_READ:
        _SUBSTITUTIONS_READ.add(font)
        for glyph_, text in _substituted(current().face(font), texts).items():
            texts.setdefault(glyph_, text)
        found = texts.get(glyph)
    return found


# Presentation forms (ligatures, Arabic and Hebrew forms) copy as the letters they draw.
def _presentation(cp: int) -> bool:
    return 0xFB00 <= cp <= 0xFDFF or 0xFE70 <= cp <= 0xFEFF


def _mapped(face: Face) -> dict[int, str]:
    """Glyph -> the character the face's cmap maps to it: the lowest code point, a
    presentation form only where no other maps there, as the letters it stands for."""
    texts: dict[int, str] = {}
    forms: dict[int, str] = {}
    get = face.font.get_nominal_glyph
    for cp in sorted(face.face.unicodes):
        glyph = get(cp)
        if not glyph or cp < 0x20 or 0x7F <= cp < 0xA0:  # controls some faces map to a space
            continue
        if _presentation(cp):
            forms.setdefault(glyph, unicodedata.normalize("NFKC", chr(cp)))
        elif glyph not in texts:
            texts[glyph] = chr(cp)
    for glyph, text in forms.items():
        texts.setdefault(glyph, text)
    return texts


# A joiner in a ligature's components asks for a form (a half form, a conjunct): the
# joined glyph copies as the letters alone, as shaping removed the joiner anyway.
_JOINERS = str.maketrans("", "", "\u200c\u200d")


def _substituted(face: Face, known: dict[int, str]) -> dict[int, str]:
    """The glyphs the face's GSUB makes from glyphs with a text: a single or alternate
    substitution keeps the text, a ligature joins its components' (fontTools reads the
    table; only books whose shaping made a glyph without a character get here). Where
    lookups disagree, those HarfBuzz applies win (`_shaping_lookups`); where one
    lookup makes a glyph from two spellings (র and the Assamese ৰ before a virama),
    the lower code points, as the cmap's lowest code point wins in `_mapped`."""
    from fontTools.ttLib import TTFont

    with TTFont(face.path, fontNumber=0, lazy=True) as tt:
        if "GSUB" not in tt or tt["GSUB"].table.LookupList is None:
            return {}
        ids = {name: i for i, name in enumerate(tt.getGlyphOrder())}
        gsub = tt["GSUB"].table
        shaped = _shaping_lookups(gsub)
        lookups = list(enumerate(gsub.LookupList.Lookup))
        tables = []
        for _, lookup in sorted(lookups, key=lambda pair: pair[0] not in shaped):
            for table in lookup.SubTable:
                if table.LookupType == 7:
                    table = table.ExtSubTable
                tables.append(table)
    texts = {name: known[i] for name, i in ids.items() if i in known}
    for _ in range(6):  # substitutions of substitutions (half forms, then conjuncts)
        added = 0
        for table in tables:
            kind = table.LookupType
            if kind == 1:
                pairs = list(table.mapping.items())
            elif kind == 3:
                pairs = [(a, b) for a, alts in table.alternates.items() for b in alts]
            elif kind == 4:
                made: dict[str, str] = {}  # one table's ligatures: the lowest letters win
                for first, ligatures in table.ligatures.items():
                    for lig in ligatures:
                        parts = [first, *lig.Component]
                        if lig.LigGlyph not in texts and all(p in texts for p in parts):
                            joined = "".join(texts[p] for p in parts).translate(_JOINERS)
                            if joined < made.get(lig.LigGlyph, "\U0010ffff"):
                                made[lig.LigGlyph] = joined
                texts.update(made)
                added += len(made)
                continue
            else:
                continue
            for a, b in pairs:
                if b not in texts and a in texts:
                    texts[b] = texts[a]
                    added += 1
        if not added:
            break
    return {ids[name]: text for name, text in texts.items() if name in ids}


def _shaping_lookups(gsub: Any) -> set[int]:
    """The lookups of the script tags HarfBuzz shapes with where a face has two: the
    Indic 'dev2', 'bng2' ... of OpenType's second specification, which join a virama
    and the consonant after it (্য, the ya-phala), where the first's 'deva', 'beng'
    join them the other way round (য্): a glyph copies as the letters in the order typed."""
    found: set[int] = set()
    if gsub.ScriptList is None or gsub.FeatureList is None:
        return found
    features = gsub.FeatureList.FeatureRecord
    for record in gsub.ScriptList.ScriptRecord:
        if not record.ScriptTag[-1:].isdigit():
            continue
        script = record.Script
        systems = [script.DefaultLangSys] if script.DefaultLangSys else []
        systems += [lang.LangSys for lang in script.LangSysRecord]
        for system in systems:
            for index in system.FeatureIndex:
                found.update(features[index].Feature.LookupListIndex)
    return found
