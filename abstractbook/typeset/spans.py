"""typeset, the text types: styled spans go into line breaking, laid-out lines come out.

Named tuples, which build quickly (the rebuild cache keeps them as plain tuples,
`ops.drawn`). Apart from the line breaker, so that scripts (fallback, bidi) and the
breaker share them without importing each other.
"""

from __future__ import annotations

from typing import NamedTuple


class Span(NamedTuple):
    """Input text in one font; `rise` lifts superscripts; `role` is the inline element
    the text is read as inside its line's (emphasis: "Em#3"), a path `typeset.ops` tags."""

    text: str
    font: str
    size: float
    color: str
    rise: float = 0.0
    href: str | None = None
    role: str = ""


class Frag(NamedTuple):
    """A run of a laid-out line in one font, size and colour (`rise` lifts superscripts);
    `rtl`: its text, kept as typed, is drawn right to left (`scripts.visual`); `role`:
    its span's."""

    text: str
    font: str
    size: float
    rise: float
    color: str
    href: str | None
    rtl: bool = False
    role: str = ""


class Line(NamedTuple):
    """A laid-out line."""

    frags: tuple[Frag, ...]
    width: float  # natural width, spaces included
    spaces: int  # stretchable spaces (U+0020) in the line
    justify: bool
    indent: float = 0.0
    scale: float = 1.0  # its glyphs' width, expanded or condensed to justify it (`lines`)
    track: float = 0.0  # room after each glyph, letter-spacing a line too loose (`justified`)
