"""lay out, scripts: which face draws each character, and right-to-left order.

Font fallback per character (reportlab draws a missing glyph as a box or as
nothing, silently), a visible stand-in for what no face has, Arabic joining, and
the Unicode bidi algorithm applied to each line after line breaking.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

from bidi import algorithm as bidi_algorithm

from .fonts import current as current_fonts
from .formulas import OBJECT
from .spans import Frag, Line, Span

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


def cover(span: Span) -> list[Span]:
    """Split a span so each part is in a face that has its characters."""
    if span.font == OBJECT:
        return [span]
    text = printable(span.text)
    if text != span.text:
        span = span._replace(text=text)
    if _ARABIC.search(span.text):  # joined letter forms, which the fonts map directly
        span = span._replace(text=_reshaper().reshape(span.text))
    if not set(span.text) - font_chars(span.font):
        return [span]
    cmap = current_fonts().cmap(span.font)
    out: list[Span] = []
    parts: list[str] = []
    current = span.font
    for ch in span.text:
        if ord(ch) in cmap or ch in " \n":
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

_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff]")
_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")


@lru_cache(maxsize=1)
def _reshaper() -> Any:
    """Made on first use (it loads fontTools): most books have no Arabic."""
    import arabic_reshaper

    return arabic_reshaper.ArabicReshaper()


def has_rtl(text: str) -> bool:
    """Whether any character of `text` is Hebrew, Arabic or another right-to-left script."""
    return bool(_RTL.search(text))


def rtl_base(text: str) -> bool:
    """The paragraph's direction by its first strong character (UAX #9, P2-P3)."""
    return bool(_RTL.search(text)) and bidi_algorithm.get_base_level(text) == 1


def visual(line: Line, base_rtl: bool) -> Line:
    """Reorder a line for display with the Unicode bidi algorithm, keeping each
    fragment's style; `actual` keeps the logical text for the PDF's text layer."""
    text = "".join(f.text for f in line.frags)
    if not _RTL.search(text):
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
    bidi_algorithm.reorder_resolved_levels(storage, False)
    bidi_algorithm.apply_mirroring(storage, False)
    frags: list[Frag] = []
    last = -1
    for ch in storage["chars"]:
        f = line.frags[ch["frag"]]
        if frags and last == ch["frag"]:
            frags[-1] = f._replace(text=frags[-1].text + ch["ch"])
        else:
            frags.append(f._replace(text=ch["ch"]))
        last = ch["frag"]
    return line._replace(frags=tuple(frags), actual=_logical(text))


_PRESENTATION = re.compile("[\ufb50-\ufdff\ufe70-\ufeff]+")


def _logical(text: str) -> str:
    """The text as typed: Arabic letters go back from the joined forms the fonts draw
    (a presentation form, and a lam-alef ligature, decompose to the letters typed),
    so copying and searching find what the author wrote."""
    return _PRESENTATION.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)
