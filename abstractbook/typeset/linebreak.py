"""typeset, Unicode line breaking (UAX #14) inside runs of Chinese, Japanese and Korean.

Those scripts write no spaces between words, so the breaker (`lines`) asks ICU's line
BreakIterator where a run may break: between ideographs, kana or Hangul, never before
closing punctuation (。、」）) nor after an opening bracket (「（), as kinsoku wants.
Only runs holding such characters are asked: Latin text breaks as before, at no cost.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import icu

# Hangul Jamo, CJK radicals to ideographs (punctuation, kana, Bopomofo, Hangul
# compatibility, enclosed, Han), Hangul syllables, compatibility ideographs, vertical
# and small forms, full- and half-width forms, the supplementary ideographic planes.
CJK = re.compile(
    "[\u1100-\u11ff\u2e80-\u2fdf\u3000-\u9fff\ua960-\ua97f\uac00-\ud7ff"
    "\uf900-\ufaff\ufe10-\ufe1f\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003ffff]"
)


def has_cjk(text: str) -> bool:
    """Whether `text` holds a Chinese, Japanese or Korean character (ASCII is known
    to hold none without reading it)."""
    return not text.isascii() and CJK.search(text) is not None


@lru_cache(maxsize=8)
def _iterator(lang: str) -> icu.BreakIterator:
    """ICU's line iterator for a language (its tailoring: Japanese kinsoku, say); the
    root locale's when none is given. ICU is loaded only by a book that needs it."""
    import icu

    return icu.BreakIterator.createLineInstance(icu.Locale(lang or "root"))


def breaks(text: str, lang: str | None) -> list[int]:
    """Where `text` (no spaces in it) may break, as character offsets strictly inside
    it; empty for text without Chinese, Japanese or Korean characters."""
    if not has_cjk(text):
        return []
    it = _iterator((lang or "").split("_")[0])
    it.setText(text)
    found = [p for p in it if p > 0]
    if not text.isascii() and max(text) > "\uffff":  # ICU counts UTF-16 units
        units = [0]
        for ch in text:
            units.append(units[-1] + (2 if ch > "\uffff" else 1))
        at = {u: n for n, u in enumerate(units)}
        found = [at[p] for p in found if p in at]
    return [p for p in found if p < len(text)]
