"""lay out, scripts: which face draws each character, and right-to-left order.

Font fallback per character (a face draws a missing character as an empty box),
a visible stand-in for what no face has, and the Unicode bidi algorithm applied to
each line after line breaking (joining and shaping are HarfBuzz's: `shaping`).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from bidi import algorithm as bidi_algorithm

from .fonts import current as current_fonts
from .formulas import OBJECT
from .spans import Line, Span

# -- font fallback -------------------------------------------------------------------


@lru_cache(maxsize=64)
def font_chars(font: str) -> frozenset[str]:
    """The characters a font has, as a set of one-character strings (fast to compare)."""
    return frozenset(map(chr, current_fonts().cmap(font))) | {" ", "\n"}


# Characters that are never drawn, whatever a font maps them to: C1 controls, the bidi
# embeddings, overrides and isolates (the direction comes from the letters alone, the
# same on every line; python-bidi cannot take isolates), and Unicode's other default
# ignorables that some fonts draw as a visible box (Hangul fillers, invisible operators,
# the byte order mark, variation selectors, tags). Zero-width joiners, non-joiners and
# direction marks stay: they draw nothing and carry meaning.
_DROPPED = re.compile(
    "[\x80-\x9f\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0000-\U000e0fff]"
)
_SEPARATORS = re.compile("[\t\u2028\u2029]")  # tabs, line and paragraph separators: spaces


def printable(text: str) -> str:
    """`text` without the characters that are never drawn (see `_DROPPED`)."""
    if text.isascii():  # known without reading it: none of them is ASCII, nor is any but a tab
        return text.replace("\t", " ") if "\t" in text else text
    if _DROPPED.search(text):
        text = _DROPPED.sub("", text)
    if _SEPARATORS.search(text):
        text = _SEPARATORS.sub(" ", text)
    return text


def invisible(ch: str) -> bool:
    """Characters that draw nothing and need no glyph: format controls, variation selectors."""
    return unicodedata.category(ch) == "Cf" or bool(_DROPPED.match(ch)) or ch in "\t\u2028\u2029"


def face_for(ch: str, font: str) -> str | None:
    """The font that draws `ch`: `font` itself, else its first fallback that has it."""
    return current_fonts().face_for(ch, font)


def stand_in(ch: str) -> str:
    """What the book prints for a character no face has: its code point, visibly."""
    return f"[U+{ord(ch):04X}]"


_JOINERS = "\u200c\u200d"  # zero-width (non-)joiners: they steer the shaping of their run


def _stays(ch: str, face: str) -> bool:
    """Whether a fallback face's run goes on through `ch`: a space or a mark it has, a
    joiner (HarfBuzz reads it and draws nothing), so a Tamil name is shaped and copied
    as one run rather than two words with a space from another face between them."""
    if ch in _JOINERS:
        return True
    if ch == " " or unicodedata.category(ch).startswith("M"):
        return ord(ch) in current_fonts().cmap(face)
    return False


def cover(span: Span) -> list[Span]:
    """Split a span so each part is in a face that has its characters."""
    if span.font == OBJECT:
        return [span]
    text = printable(span.text)
    if text != span.text:
        span = span._replace(text=text)
    if not set(span.text) - font_chars(span.font):
        return [span]
    cmap = current_fonts().cmap(span.font)
    out: list[Span] = []
    parts: list[str] = []
    current = span.font
    for ch in span.text:
        if current != span.font and _stays(ch, current):
            face, text = current, ch  # a run shaped as one: its spaces, joiners and marks
        elif ord(ch) in cmap or ch in " \n":
            face, text = span.font, ch
        elif invisible(ch):
            continue
        else:
            found = face_for(ch, span.font)
            face, text = (found, ch) if found else (span.font, stand_in(ch))
        if face != current and parts:
            out.append(span._replace(text="".join(parts), font=current))
            parts = []
        current = face
        parts.append(text)
    if parts:
        out.append(span._replace(text="".join(parts), font=current))
    return out


# -- right-to-left text -----------------------------------------------------------

_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")


def has_rtl(text: str) -> bool:
    """Whether any character of `text` is Hebrew, Arabic or another right-to-left script."""
    return not text.isascii() and _RTL.search(text) is not None


def rtl_base(text: str) -> bool:
    """The paragraph's direction by its first strong character (UAX #9, P2-P3)."""
    return has_rtl(text) and bidi_algorithm.get_base_level(text) == 1


def visual(line: Line, base_rtl: bool) -> Line:
    """A line's runs in display order (the Unicode bidi algorithm), each run's text
    still in the order typed and marked `rtl` when it reads right to left: HarfBuzz
    shapes it so (Arabic joining, mirrored brackets) and lays its glyphs out right
    to left, and the text layer keeps the letters as typed."""
    text = "".join(f.text for f in line.frags)
    if not has_rtl(text):
        return line
    storage = bidi_algorithm.get_empty_storage()
    storage["base_level"] = 1 if base_rtl else 0
    storage["base_dir"] = "R" if base_rtl else "L"
    bidi_algorithm.get_embedding_levels(text, storage)
    owner = [i for i, f in enumerate(line.frags) for _ in f.text]
    for ch, index in zip(storage["chars"], owner, strict=True):
        ch["frag"] = index
    bidi_algorithm.explicit_embed_and_overrides(storage, False)
    bidi_algorithm.resolve_weak_types(storage, False)
    bidi_algorithm.resolve_neutral_types(storage, False)
    bidi_algorithm.resolve_implicit_levels(storage, False)
    bidi_algorithm.reorder_resolved_levels(storage, False)  # now in display order
    runs: list[tuple[int, int, list[str]]] = []  # (frag, level, letters as displayed)
    for ch in storage["chars"]:
        if runs and runs[-1][0] == ch["frag"] and runs[-1][1] == ch["level"]:
            runs[-1][2].append(ch["ch"])
        else:
            runs.append((ch["frag"], ch["level"], [ch["ch"]]))
    frags = []
    for index, level, letters in runs:
        rtl = level % 2 == 1
        typed = "".join(reversed(letters) if rtl else letters)
        frags.append(line.frags[index]._replace(text=typed, rtl=rtl))
    return line._replace(frags=tuple(frags))
