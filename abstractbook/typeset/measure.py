"""typeset, a text's width: its words as HarfBuzz shapes them (`shaping`), a formula
as drawn, memoised per face and size (words repeat a lot)."""

from __future__ import annotations

from .formulas import OBJECT, formula
from .shaping import text_width

_widths: dict[tuple[str, float], dict[str, float]] = {}


def widths_of(font: str, size: float) -> dict[str, float]:
    """The memo of string widths in one font and size (words repeat a lot)."""
    table = _widths.get((font, size))
    if table is None:
        table = _widths[(font, size)] = {}
    return table


def width(text: str, font: str, size: float) -> float:
    """String width as drawn: its words as HarfBuzz shapes them (`shaping`: kerning,
    ligatures, joined forms), memoised per size too: words repeat."""
    table = widths_of(font, size)
    w = table.get(text)
    if w is None:
        w = formula(text, size).width if font == OBJECT else size * text_width(text, font) / 1000
        table[text] = w
    return w
