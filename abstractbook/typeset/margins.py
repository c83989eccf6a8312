"""typeset, optical margins: punctuation at a justified line's edge hangs into the margin.

A full stop, comma, hyphen or quote at the edge of a column is lighter than a
letter, so a column whose every line ends exactly at the edge looks ragged where
those marks stand. As microtype does for pdfTeX, such a mark hangs out by a share
of its width (`layout.protrusion`, on by default). The line breaker counts the
right-hand mark (`hang`: the line holds that much more, as in pdfTeX when
`pdfprotrudechars` is 2); the renderer is untouched: a justified line is set
`left + right` wider and `left` further out.
"""

from __future__ import annotations

from .formulas import OBJECT
from .ops import Text
from .shaping import text_width

# Shares of a mark's width that hang out (microtype's defaults for text fonts).
RIGHT = {
    ".": 0.7, ",": 0.7, "-": 0.7, "\u2010": 0.7, "\u00ad": 0.7, ":": 0.5, ";": 0.5,
    "!": 0.2, "?": 0.2, "\u2013": 0.3, "\u2014": 0.2, "\u2019": 0.7, "\u201d": 0.5,
    "'": 0.7, '"': 0.5, ")": 0.05, "]": 0.05, "\u00bb": 0.5, "\u203a": 0.7, "\u2026": 0.1,
}  # fmt: skip
LEFT = {
    "\u2018": 0.7, "\u201c": 0.5, "\u201e": 0.5, "\u201a": 0.7, "'": 0.7, '"': 0.5,
    "(": 0.05, "[": 0.05, "\u00ab": 0.5, "\u2039": 0.7, "\u2013": 0.3, "\u2014": 0.2,
}  # fmt: skip


def width(text: str, font: str, size: float) -> float:
    return size * text_width(text, font) / 1000


def hang(mark: str, font: str, size: float) -> float:
    """How far `mark` hangs into the right margin at the end of a justified line (the
    line breaker counts it: such a line holds that much more)."""
    share = RIGHT.get(mark)
    return share * width(mark, font, size) if share and font != OBJECT else 0.0


def protruded(op: Text) -> Text:
    """A body line with the marks at its edges hung into the margins: the left one
    always, the right one when the line is justified (reaches the right edge)."""
    line = op.line
    if not line.frags or any(f.rtl for f in line.frags):  # empty, or right-to-left
        return op
    first, last = line.frags[0], line.frags[-1]
    left = right = 0.0
    if first.font != OBJECT and first.text and first.text[0] in LEFT:
        left = LEFT[first.text[0]] * width(first.text[0], first.font, first.size)
    if line.justify and line.spaces and last.font != OBJECT and last.text:
        mark = last.text[-1]
        if mark in RIGHT:
            right = RIGHT[mark] * width(mark, last.font, last.size)
    if not left and not right:
        return op
    left, right = left * line.scale, right * line.scale  # the marks as drawn
    # made directly: a named tuple's _replace costs more than the rest of this
    return tuple.__new__(Text, (op.x - left, op.y, op.avail + left + right, line, op.tag))
