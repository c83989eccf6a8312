"""typeset, the line level: styled spans + a width -> justified, hyphenated lines.

Our own line breaker on the widths of shaped words (`shaping`, `measure`), because
reportlab's Paragraph lets long URLs run into the margin when hyphenation is on, asks
pyphen again for every word, and keeps no reusable result. Lines are plain tuples, so
a talk's laid-out lines can be cached and hashed. A justified paragraph is set by
total fit (`justified`), anything else, or what total fit cannot set, first fit
(`firstfit`); where words may break is `hyphenation`'s. Titles are balanced here.
"""

from __future__ import annotations

from functools import lru_cache, partial

from .firstfit import LONG_RUN, Breaker
from .fonts import SHY
from .formulas import OBJECT
from .hyphenation import (
    HYPHEN,
    found_points,
    known_points,
    load_hyphenation,
    patterns,
    remember_points,
)
from .justified import EXPANSION, total_fit
from .measure import width, widths_of
from .scripts import cover, has_rtl, rtl_base, visual
from .spans import Frag, Line, Span

__all__ = [
    "EXPANSION",
    "HYPHEN",
    "balanced_lines",
    "break_lines",
    "found_points",
    "known_points",
    "load_hyphenation",
    "remember_points",
    "single_line",
    "width",
    "widths_of",
]


@lru_cache(maxsize=1 << 14)
def single_line(span: Span) -> Line:
    """One unbroken line of text (heads, folios, dates), with font fallback; the same
    running heads come back page after page."""
    return break_lines([span], float("inf"), lang=None, justify=False)[0]


def break_lines(
    spans: list[Span] | tuple[Span, ...],
    avail: float,
    *,
    lang: str | None,
    justify: bool = True,
    first_indent: float = 0.0,
    indent: float = 0.0,
    expansion: float = 0.0,
    protrusion: bool = False,
) -> list[Line]:
    """Justified text by total fit, else greedy first-fit breaking with hyphenation and
    emergency splits; `expansion`: how much a justified line's glyphs may widen or
    narrow (`EXPANSION`); `protrusion`: punctuation ending a justified line will hang
    into the margin (`margins`), so the line holds that much more.

    A word wider than the line is split at a URL's punctuation or, failing
    that, between letters: nothing ever runs past `avail`.
    """
    covered = [part for span in spans for part in cover(span)]
    lang = patterns(lang) if lang else lang  # memoised points are keyed by the patterns
    lines = _one_line(covered, avail) if not (first_indent or indent) else None
    text = "".join(s.text for s in covered)
    rtl = has_rtl(text)
    if lines is None and justify and avail != float("inf"):
        expansion = 0.0 if rtl else expansion
        lines = total_fit(covered, avail, lang, first_indent, indent, expansion, protrusion)
    if lines is None:
        lines = Breaker(covered, avail, lang, justify, first_indent, indent).run()
    if not rtl:
        return lines
    base = rtl_base(text)
    out = []
    for ln in lines:
        ln = visual(ln, base)
        if base and not ln.justify and avail != float("inf"):  # ragged left
            ln = ln._replace(indent=ln.indent + max(0.0, avail - ln.indent - ln.width))
        out.append(ln)
    return out


def balanced_lines(spans: list[Span] | tuple[Span, ...], avail: float) -> list[Line]:
    """A display's lines (a title, a heading), ragged and as even as they can be: the
    narrowest measure that still sets them in as many lines as `avail` does, so
    "Deep Learning / and the Brain", never a lone word on the last line."""
    lines = break_lines(spans, avail, lang=None, justify=False)
    text = "".join(s.text for s in spans)
    if len(lines) < 2 or len(text) > LONG_RUN * 4 or has_rtl(text):
        return lines
    widest = max(width(w, s.font, s.size) for s in spans for w in s.text.split() or [""])
    low, high = max(widest, avail / len(lines)), avail
    if low >= high:
        return lines
    count = partial(_count_lines, spans)
    if len(spans) == 1 and " " in text and "\n" not in text and SHY not in text:
        s = spans[0]  # the plain title: words measured once
        words = [width(w, s.font, s.size) if w else 0.0 for w in s.text.split(" ")]
        count = partial(_count_words, width(" ", s.font, s.size), words)
    for _ in range(12):  # to a fraction of a point
        mid = (low + high) / 2
        if count(mid) > len(lines):
            low = mid
        else:
            high = mid
    return break_lines(spans, high, lang=None, justify=False)


def _count_lines(spans: list[Span] | tuple[Span, ...], avail: float) -> int:
    return len(break_lines(spans, avail, lang=None, justify=False))


def _count_words(space: float, words: list[float], avail: float) -> int:
    """As many lines as first-fit sets words of these widths in, whole words only."""
    n, used = 1, -space
    for w in words:
        if used + space + w > avail + 0.01 and used > 0:
            n, used = n + 1, w
        else:
            used += space + w
    return n


def _one_line(spans: list[Span], avail: float) -> list[Line] | None:
    """The common short case (titles, names, index entries): everything fits on one line."""
    frags: list[Frag] = []
    total = 0.0
    for s in spans:
        t = s.text
        if not t or "\n" in t or "  " in t or SHY in t or s.font == OBJECT:
            return None
        total += width(t, s.font, s.size)
        if total > avail + 0.01:
            return None
        frags.append(Frag(t, s.font, s.size, s.rise, s.color, s.href, False, s.role))
    text = "".join(f.text for f in frags)
    if not frags or text[0] == " " or text[-1] == " ":
        return None
    spaces = text.count(" ")
    return [Line(tuple(frags), total, spaces, False)]
