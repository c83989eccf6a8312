"""lay out, letters: a word in a face -> the kerning between its letters (HarfBuzz).

The faces' own kerning ("To", "AV", "r." set closer) is read by shaping each pair
of letters once with HarfBuzz, with the features that replace glyphs turned off:
our fonts are embedded as simple subsets addressed by character, so only letters
drawn with their own glyphs can be kerned (ligatures and shaped scripts need glyphs
without a character: CID fonts, a later step). The faces kern by pairs (GPOS pair
adjustments), so a word's kerning is its pairs'; words are memoised too.
Measuring (`lines.width`) and drawing (`render`, as TJ numbers, which keep `Tw`
word spacing working) both ask here, so a justified line's edge stays where it
was measured.

Memos are keyed by the font's name, which stands for its file's content (`fonts`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .fonts import current

if TYPE_CHECKING:
    import uharfbuzz

# Features that swap glyphs stay off; HarfBuzz's other defaults (kern, mark) stay on.
FEATURES = {"liga": False, "clig": False, "calt": False, "rlig": False, "ccmp": False}

_FACES: dict[str, tuple[uharfbuzz.Font, int]] = {}
_WORDS: dict[str, dict[str, tuple[tuple[int, int], ...]]] = {}  # font -> word -> kerns
_PAIRS: dict[str, dict[str, int]] = {}  # font -> two letters -> adjustment after the first
NONE: tuple[tuple[int, int], ...] = ()
# Right-to-left, Indic, South-East Asian, Hangul and CJK letters: drawn reordered or
# needing shaping, they are left as they are.
_NOT_HERE = re.compile("[\u0590-\u1cff\u2e80-\U0010ffff]")


def _face(font: str) -> tuple[uharfbuzz.Font, int] | None:
    """HarfBuzz's view of a font, read once per process (by content-keyed name); None
    for a font this build has not declared (asked again later: it may be then)."""
    face = _FACES.get(font)
    if face is None:
        path = current().paths.get(font)
        if path is None:
            return None
        import uharfbuzz as hb

        hb_face = hb.Face(hb.Blob.from_file_path(str(path)))
        face = _FACES[font] = (hb.Font(hb_face), hb_face.upem)
    return face


Kerns = tuple[tuple[int, int], ...]  # (index of a letter, adjustment after it), sparse


def word_kerns(word: str, font: str) -> Kerns:
    """The adjustments inside a word (no spaces), in 1/1000 em, negative closer; () when
    nothing is kerned or the word cannot be (see the module's note)."""
    memo = _memo(font)
    known = memo.get(word)
    if known is None:
        known = memo[word] = _word(word, font)
    return known


def _memo(font: str) -> dict[str, Kerns]:
    """The font's word memo; a font not (yet) declared gets a fresh one that is not
    kept, so nothing is remembered as unkerned for want of its file."""
    memo = _WORDS.get(font)
    if memo is None:
        memo = {}
        if _face(font) is not None:
            _WORDS[font] = memo
    return memo


def _word(word: str, font: str) -> Kerns:
    """Pair by pair: the faces kern pairs (GPOS pair adjustments), so a word's kerning
    is that of its pairs, and there are far fewer pairs than words to shape."""
    if len(word) < 2 or _NOT_HERE.search(word):
        return NONE
    pairs = _PAIRS.get(font)
    if pairs is None:
        pairs = {}
        if _face(font) is not None:
            _PAIRS[font] = pairs
    out = []
    for i in range(len(word) - 1):
        pair = word[i : i + 2]
        k = pairs.get(pair)
        if k is None:
            k = pairs[pair] = _pair(pair, font)
        if k:
            out.append((i, k))
    return tuple(out)


def kerns(text: str, font: str) -> Kerns:
    """The adjustments inside the words of a text (spaces are never kerned)."""
    if " " not in text:
        return word_kerns(text, font)
    memo = _memo(font)
    out: list[tuple[int, int]] = []
    at = 0
    for word in text.split(" "):
        k = memo.get(word)
        if k is None:
            k = memo[word] = _word(word, font)
        if k:
            out += [(at + i, adjust) for i, adjust in k] if at else k
        at += len(word) + 1
    return tuple(out)


# The f-ligatures Unicode gives a character of their own (compatibility forms): drawn
# through that character, a simple subset can address their glyph, and the ToUnicode
# map gives the letters back (`pdffile`).
LIGATURES = {"ffi": "\ufb03", "ffl": "\ufb04", "ff": "\ufb00", "fi": "\ufb01", "fl": "\ufb02"}
LETTERS = {ch: letters for letters, ch in LIGATURES.items()}
_F_RUN = re.compile("ff[il]?|f[il]")
_LIGAS: dict[str, dict[str, str]] = {}  # font -> letters -> ligature character


def _ligatures(font: str) -> dict[str, str]:
    """The f-ligatures a face forms by its own `liga` feature, with the glyph its
    character maps to (a monospaced face forms none)."""
    known = _LIGAS.get(font)
    if known is None:
        face = _face(font)
        if face is None:
            return {}
        known = _LIGAS[font] = {}
        import uharfbuzz as hb

        hb_font = face[0]
        for letters, ch in LIGATURES.items():
            buf = hb.Buffer()
            buf.add_str(letters)
            buf.guess_segment_properties()
            hb.shape(hb_font, buf, {"liga": True})
            glyphs = [info.codepoint for info in buf.glyph_infos]
            if glyphs == [hb_font.get_nominal_glyph(ord(ch))]:
                known[letters] = ch
    return known


def ligate(text: str, font: str) -> str:
    """The text as drawn: ff, fi, fl, ffi and ffl as their ligatures where the face
    forms them."""
    if "f" not in text:
        return text
    table = _ligatures(font)
    if not table:
        return text

    def one(m: re.Match[str]) -> str:
        run = m.group()
        if run in table:
            return table[run]
        if len(run) == 3 and run[:2] in table:  # ffi without its own ligature: ff + i
            return table[run[:2]] + run[2]
        return run[0] + table.get(run[1:], run[1:])

    return _F_RUN.sub(one, text)


def adjustment(text: str, font: str) -> int:
    """The kerning of a text in 1/1000 em: add `size * adjustment / 1000` to its width."""
    return sum(k for _, k in kerns(text, font))


def _pair(pair: str, font: str) -> int:
    """The adjustment after the first of two letters, shaped by HarfBuzz."""
    face = _face(font)
    if face is None:
        return 0
    import uharfbuzz as hb

    hb_font, upem = face
    buf = hb.Buffer()
    buf.add_codepoints([ord(c) for c in pair])
    buf.guess_segment_properties()
    hb.shape(hb_font, buf, FEATURES)
    infos, positions = buf.glyph_infos, buf.glyph_positions
    if len(infos) != 2:
        return 0
    for ch, info, pos in zip(pair, infos, positions, strict=True):
        if info.codepoint != hb_font.get_nominal_glyph(ord(ch)) or pos.x_offset or pos.y_offset:
            return 0
    advance: int = positions[0].x_advance - hb_font.get_glyph_h_advance(infos[0].codepoint)
    return round(advance * 1000 / upem)
