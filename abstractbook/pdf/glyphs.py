"""render, text: a run of shaped words -> text-showing operators in glyph ids.

Fonts are embedded as CID fonts whose codes are the faces' glyph ids (two bytes,
Identity-H), so what HarfBuzz shaped is drawn as it is: ligatures, joined Arabic
forms, conjuncts. Kerning and a mark's offset along the line are TJ numbers; a mark
raised or lowered gets its own rise (Ts); justified word spacing is a TJ number
after each space glyph, since Tw does not stretch two-byte codes. A glyph copies as
the text its face gives it (`shaping.glyph_text`); a cluster whose glyphs do not
read back as its letters (a Devanagari vowel sign drawn before its consonant) is
marked with /ActualText, so every reader copies the letters as typed.

Two readers' rules decide details. PDFium reads a TJ number that moves the pen right
by half a space as a word gap (CPDF_TextPage::ProcessTextObjectItems): such a move
(back after a mark placed left of its advance, ু under its consonant) starts a new
TJ instead, which PDFium places by position (only such a move: it sorts a line's TJs
by where they start, so a mark moved right a little stays in its word's TJ). MuPDF
repeats the last letters of a span whose last glyph reads as them (`_outside`):
those glyphs are drawn after the span.

Each distinct word is encoded once per face and direction (memo keyed by the
font's name, which stands for its content).
"""

from __future__ import annotations

import struct
from array import array
from collections.abc import Sequence
from typing import NamedTuple

from reportlab.lib.rl_accel import fp_str

from ..typeset.fonts import Face, current
from ..typeset.shaping import glyph_text, mapped_texts, shape, space

# TJ array content, or ("rise" | "actual" | "end" | "cut", value)
Item = str | tuple[str, float | str]


class Drawn(NamedTuple):
    """A word as TJ content: `simple` when it needs no operator of its own, else `items`."""

    simple: str | None
    items: tuple[Item, ...]
    glyphs: bytes  # its glyph ids, unsigned 16-bit (compact: a big book has 100,000 words)


_DRAWN: dict[tuple[str, bool], dict[str, Drawn]] = {}  # (font, rtl) -> word -> drawn
_SPACE: dict[str, tuple[str, bytes]] = {}  # font -> its space glyph as a code, and as used
_NOMINAL: dict[str, dict[int, float]] = {}  # font -> glyph -> its advance unkerned (1/1000 em)


def _memo(font: str, rtl: bool) -> dict[str, Drawn]:
    memo = _DRAWN.get((font, rtl))
    if memo is None:
        memo = _DRAWN[(font, rtl)] = {}
    return memo


# Two-byte codes as a literal string (half the bytes of hex): its delimiters escaped,
# and the carriage return, which a reader would take for a line end.
_LITERAL = str.maketrans({"\\": "\\\\", "(": "\\(", ")": "\\)", "\r": "\\r"})


def codes(glyphs: Sequence[int]) -> str:
    """Glyph ids as a PDF string of two-byte codes (latin-1 characters)."""
    pairs = struct.pack(f">{len(glyphs)}H", *glyphs).decode("latin-1")
    return "(" + pairs.translate(_LITERAL) + ")"


def _nominal(font: str) -> dict[int, float]:
    """A face's glyphs' own advances as far as asked for (`_advance`): words share
    their letters, and asking HarfBuzz costs more than looking one up."""
    known = _NOMINAL.get(font)
    if known is None:
        known = _NOMINAL[font] = {}
    return known


def _advance(nominal: dict[int, float], face: Face, glyph: int) -> float:
    width = nominal.get(glyph)
    if width is None:
        width = nominal[glyph] = face.font.get_glyph_h_advance(glyph) * face.scale
    return width


def _num(value: float) -> str:
    return str(fp_str(value))


def _encode(word: str, font: str, rtl: bool) -> Drawn:
    shaped = shape(word, font, rtl)
    face = current().face(font)
    nominal = _nominal(font)
    glyphs, advances, offsets, clusters = (
        shaped.glyphs,
        shaped.advances,
        shaped.offsets,
        shaped.clusters,
    )
    if offsets is None and not rtl:  # most words: kerning at most, and they read back as typed
        known = mapped_texts(font)
        texts = [known.get(g) for g in glyphs]
        if None not in texts and "".join(texts) == word:  # type: ignore[arg-type]
            return _plain(glyphs, advances, nominal, face)
    starts = sorted(set(clusters))
    ends = dict(zip(starts, [*starts[1:], len(word)], strict=True))
    items: list[Item] = []
    run: list[int] = []
    shift = 0.0  # how far the pen is from where the last glyph's width left it

    def flush() -> None:
        if run:
            items.append(codes(run))
            run.clear()

    i, count = 0, len(glyphs)
    while i < count:
        cluster = clusters[i]
        j = i
        while j < count and clusters[j] == cluster:
            j += 1
        letters = word[cluster : ends[cluster]]
        marked = any(glyphs[i:j]) and not _reads_as(letters, glyphs[i:j], font, rtl)
        close = j  # where the /ActualText span ends
        if marked:
            if not rtl:
                close, letters = _outside(letters, glyphs, advances, offsets, i, j, font)
            flush()
            items.append(("actual", letters))
        for k in range(i, j):
            if k == close:
                flush()
                items.append(("end", ""))
                marked = False
            glyph = glyphs[k]
            x, y = offsets[k] if offsets is not None else (0.0, 0.0)
            if not glyph:  # nothing drawn for a character the face lacks (a control)
                shift += advances[k]
                continue
            shift += x
            if abs(shift) > 0.001:
                flush()
                if items and not marked and shift > _word_gap(font, glyph) * 0.75:
                    items.append(("cut", ""))  # (a span is read as its text)
                items.append(_num(-shift))
            if y:
                flush()
                items += [("rise", y), codes((glyph,)), ("rise", 0.0)]
            else:
                run.append(glyph)
            shift = advances[k] - _advance(nominal, face, glyph) - x
        if marked:
            flush()
            items.append(("end", ""))
        i = j
    flush()
    if abs(shift) > 0.001:
        items.append(_num(-shift))
    strings = [it for it in items if isinstance(it, str)]
    simple = " ".join(strings) if len(strings) == len(items) else None
    return Drawn(simple, tuple(items), array("H", sorted({g for g in glyphs if g})).tobytes())


def _plain(
    glyphs: Sequence[int], advances: Sequence[float], nominal: dict[int, float], face: Face
) -> Drawn:
    """A word whose glyphs need no mark of their own: runs of codes, kerning between them."""
    parts: list[str] = []
    run: list[int] = []
    shift = 0.0
    for glyph, advance in zip(glyphs, advances, strict=True):
        if abs(shift) > 0.001:
            parts.append(f"{codes(run)} {_num(-shift)}")
            run = []
        run.append(glyph)
        shift = advance - _advance(nominal, face, glyph)
    parts.append(codes(run))
    if abs(shift) > 0.001:
        parts.append(_num(-shift))
    simple = " ".join(parts)
    return Drawn(simple, (simple,), array("H", sorted(set(glyphs))).tobytes())


def _word_gap(font: str, glyph: int) -> float:
    """The least move right before `glyph` that PDFium reads as a word gap inside a TJ
    (CPDF_TextPage's CalculateSpaceThreshold): half the face's space, or for a face
    whose space is wider than a third of an em, a share of the glyph's width."""
    face = current().face(font)
    glyph_, blank = space(font)
    if glyph_ and blank <= 1000 / 3:
        return blank / 2
    width: float = face.font.get_glyph_h_advance(glyph) * face.scale
    return width / (2 if width < 300 else 4 if width < 500 else 5 if width < 700 else 6)


def _outside(
    letters: str,
    glyphs: Sequence[int],
    advances: Sequence[float],
    offsets: Sequence[tuple[float, float]] | None,
    i: int,
    j: int,
    font: str,
) -> tuple[int, str]:
    """Where a marked cluster's span can end, and its text: the last glyphs that read
    as the cluster's last letters (a Bengali া after a reph) are drawn after it. MuPDF
    (1.26, stext-device.c, do_extract_within_actualtext) copies a span whose last glyph
    reads as its last letter with that letter twice, as it counts the rest of the text
    in bytes where it means characters. A glyph stays in when the one before it ends a
    tenth of an em short of where it starts (a reph set back over its consonant):
    poppler ends a span's text where its last glyph ends and would read that gap as
    a space (TextPage::addChar, minWordBreakSpace)."""
    face = current().face(font)
    close = j
    while close - i > 1:
        glyph, before = glyphs[close - 1], glyphs[close - 2]
        text = glyph_text(font, glyph) if glyph else None
        if not text or len(text) >= len(letters) or not letters.endswith(text) or not before:
            break
        ends = sum(advances[i : close - 2]) + face.font.get_glyph_h_advance(before) * face.scale
        starts = sum(advances[i : close - 1])
        if offsets is not None:
            ends += offsets[close - 2][0]
            starts += offsets[close - 1][0]
        if not -190 < starts - ends < 90:  # poppler's word break: 0.1 em apart, 0.2 over
            break
        letters = letters[: -len(text)]
        close -= 1
    return close, letters


def _reads_as(letters: str, glyphs: Sequence[int], font: str, rtl: bool) -> bool:
    """Whether a cluster's glyphs, each read as its face's text, give its letters as
    typed (a precomposed letter for a typed base and accent does not: the copy must
    give what the author typed)."""
    texts = [glyph_text(font, g) for g in glyphs if g]
    if rtl:
        texts.reverse()
    if None in texts:
        return False
    return "".join(texts) == letters  # type: ignore[arg-type]


def show(
    out: list[str],
    text: str,
    font: str,
    size: float,
    rise: float,
    rtl: bool,
    word_space: float,
    used: set[bytes],
) -> None:
    """Append the operators that draw `text` at the current point (font and size set);
    `used` collects the glyphs drawn."""
    words = text.split(" ")
    if rtl:
        words.reverse()
    gap = word_space * 1000 / size if word_space else 0.0
    code, drawn = _space_code(font)
    if drawn:
        between = f"{code} {_num(-gap)}" if gap else code
        used.add(drawn)
    else:
        between = _num(-(space(font)[1] + gap))
    memo = _memo(font, rtl)
    parts: list[str] = []
    first = True
    for word in words:
        if first:
            first = False
        else:
            parts.append(between)
        if not word:
            continue
        d = memo.get(word)
        if d is None:
            d = memo[word] = _encode(word, font, rtl)
        used.add(d.glyphs)
        if d.simple is not None:
            parts.append(d.simple)
            continue
        for item in d.items:
            if isinstance(item, str):
                parts.append(item)
                continue
            if parts:
                out.append(f"[{' '.join(parts)}] TJ")
                parts = []
            kind, value = item
            if kind == "cut":
                continue
            if kind == "rise":
                out.append(f"{_num(rise + float(value) * size / 1000)} Ts")
            elif kind == "actual":
                out.append(f"/Span <</ActualText {utf16(str(value))}>> BDC")
            else:
                out.append("EMC")
    if parts:
        out.append(f"[{' '.join(parts)}] TJ")


def _space_code(font: str) -> tuple[str, bytes]:
    """A face's space glyph as a string of codes, and as a set of glyphs drawn (empty
    for a face without a space glyph)."""
    known = _SPACE.get(font)
    if known is None:
        glyph = space(font)[0]
        drawn = array("H", (glyph,)).tobytes() if glyph else b""
        known = _SPACE[font] = (codes((glyph,)), drawn)
    return known


def utf16(text: str) -> str:
    return f"<FEFF{text.encode('utf-16-be').hex().upper()}>"
