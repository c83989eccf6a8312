"""lay out, the line level: styled spans + a width -> justified, hyphenated lines.

Our own line breaker on the widths of shaped words (`shaping`), because reportlab's Paragraph
lets long URLs run into the margin when hyphenation is on, asks pyphen again
for every word, and keeps no reusable result. Lines are plain tuples, so a
talk's laid-out lines can be cached and hashed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import lru_cache, partial
from itertools import accumulate, islice
from typing import cast

import pyphen

from .fonts import SHY
from .formulas import OBJECT, formula
from .linebreak import CJK, breaks
from .margins import RIGHT, hang
from .scripts import cover, has_rtl, rtl_base, visual
from .shaping import text_width
from .spans import Frag, Line, Span
from .totalfit import Params
from .wordfit import End, Point, fit

HYPHEN = "-"
SHRINK = 0.2  # how much a justified line's spaces may shrink
_SPLIT = re.compile(r"( +|\n)")
_URLISH = re.compile(r"^[a-z][a-z0-9+.-]*://|^www\.", re.I)
_AFTER = frozenset("-–—/")  # a line may break after these
_URL_AFTER = frozenset("/.?&=_-#:")
_BREAK = re.compile("[-–—/\u00ad]")  # where a word breaks without pyphen
_URL_BREAK = re.compile("[-–—/\u00ad.?&=_#:]")
_LETTER = re.compile(r"[^\W\d_]+")
# A run of more characters than this without a space is no word a dictionary knows (a
# pasted hash, a long URL, a line of code): it is broken by the emergency rules only,
# a window of this many characters at a time, so time stays linear in its length.
LONG_RUN = 200
# The space before a token that follows a break inside a run of Chinese, Japanese or
# Korean (`linebreak`): none is drawn, and none is needed to break there.
GLUE = -2
# How far such a break may stretch in the search for breaks, in em: a line of
# ideographs is short of its measure by less than a character, spread over its breaks;
# more stretch would let the search weigh far shorter lines (100,000 characters of
# Chinese: 0.1 em took 15 s, this 1 s).
CJK_STRETCH = 0.02
# A justified line holding Chinese, Japanese or Korean whose spaces would open wider
# than this (in em) stretches between its characters instead.
CJK_MAX_GAP = 0.35


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


# `language: en` hyphenates as US English, like TeX's default (pyphen's own `en` is
# British); `en_GB` asks for British patterns.
_PATTERNS = {"en": "en_US"}


def patterns(lang: str) -> str:
    """The pyphen patterns a `layout.language` hyphenates with."""
    return _PATTERNS.get(lang, lang)


@lru_cache(maxsize=16)
def _hyphenator(lang: str) -> pyphen.Pyphen:
    return pyphen.Pyphen(lang=patterns(lang), left=2, right=3)


# Hyphenation points by (word, language): pyphen is asked once per word. The rebuild
# cache keeps them (`hyphenation`, `remember`): loading pyphen's patterns costs more
# than a late change's few paragraphs.
_POINTS: dict[tuple[str, str], tuple[int, ...]] = {}
_FOUND: dict[tuple[str, str], tuple[int, ...]] = {}  # asked of pyphen since `found_points`


def _hyphen_points(word: str, lang: str) -> tuple[int, ...]:
    """Hyphenation points inside the letters of a word."""
    known = _POINTS.get((word, lang))
    if known is not None:
        return known
    points: list[int] = []
    for m in _LETTER.finditer(word):
        core = m.group()
        if len(core) >= 5 and core.isalpha():
            points += [m.start() + p for p in _hyphenator(lang).positions(core)]
    known = _POINTS[(word, lang)] = _FOUND[(word, lang)] = tuple(points)
    return known


def load_hyphenation(lang: str) -> None:
    """Load pyphen's patterns for `lang` now (before worker processes fork, say)."""
    _hyphenator(lang)


def remember_points(points: dict[tuple[str, str], tuple[int, ...]]) -> None:
    """Hyphenation points found earlier (by another process or build)."""
    _POINTS.update(points)


def found_points() -> dict[tuple[str, str], tuple[int, ...]]:
    """The points asked of pyphen since the last call (a worker's, for its parent)."""
    found = dict(_FOUND)
    _FOUND.clear()
    return found


def known_points() -> dict[tuple[str, str], tuple[int, ...]]:
    return dict(_POINTS)


# A word is a list of pieces (text, span index); spaces sit between words.
Piece = tuple[str, int]


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
        lines = _total_fit(covered, avail, lang, first_indent, indent, expansion, protrusion)
    if lines is None:
        lines = _Breaker(covered, avail, lang, justify, first_indent, indent).run()
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


# A hyphen costs more than any line whose spaces stay under 0.5 em (TeX's 50 would
# hyphenate a third of our lines): paragraphs hyphenate where the spacing needs it.
HYPHEN_PENALTY = 1000.0
# What a break costs beyond that in a word a copy editor would rather not see broken
# (`_level`): with a capital or a digit (a name, "ReLU", "CIFAR-10"), then inside a
# compound, which breaks at its own hyphen. Dearer than any line within tolerance,
# so taken only where the paragraph cannot be set otherwise.
LEVEL_PENALTY = (0.0, 3000.0, 30000.0)
# A line over 0.5 em (ratio 1.9) costs more than a hyphen, one over 0.6 em (2.6) more
# than any other way of setting the paragraph with at most two hyphens in a row and
# no compound broken a second time. Failing that, compounds broken again and any
# run, rather than an overfull line. The greedy breaker is the last resort.
_STRICT = Params(
    tolerance=6.0,
    max_hyphen_run=2,
    loose=1.9,
    loose_demerits=2e6,
    very_loose=2.6,
    very_loose_demerits=1e8,
    beam=3e6,
    max_active=32,
    max_cost=HYPHEN_PENALTY + LEVEL_PENALTY[1],
)
_PASSES = (_STRICT, _STRICT._replace(max_hyphen_run=1 << 20, max_cost=float("inf")))
# With font expansion (`EXPANSION`) a line has more stretch and a paragraph needs
# fewer hyphens: the first pass looks at lines up to about 0.52 em and drops a line
# start one hyphen (1,000,000 demerits) behind the best of its layer, which sets
# nearly every paragraph with fewer line starts tried than without expansion (on the
# bench corpus, 18,600 for 25,000); the others are as above.
_EXPANDED_PASSES = (_STRICT._replace(tolerance=2.0, beam=1e6), *_PASSES)
# A last line holding one word narrower than this share of the measure costs as much
# as a hyphenated last line.
SHORT_LAST = 0.12
# Font expansion (pdfTeX's hz, microtype's `expansion`, its default limits): a justified
# line's glyphs may be drawn up to 2 % wider or narrower (PDF's Tz), so that its spaces
# stretch and shrink less. The breaker counts it as more stretch and shrink: glyphs
# take their share of a line's stretch in proportion to the spaces', reaching their
# limit where the spaces reach the loose mark (0.5 em), and all their shrink where the
# spaces shrink all theirs. Drawn in steps of 0.1 % (microtype's 0.4 % steps are font
# instances pdfTeX must make; Tz costs nothing per step).
EXPANSION = 0.02
_EXPANDED_AT = _PASSES[0].loose
_STEP = 1000

_Token = tuple[list[Piece], int]


def _total_fit(
    spans: list[Span],
    avail: float,
    lang: str | None,
    first_indent: float,
    indent: float,
    expansion: float = 0.0,
    protrusion: bool = False,
) -> list[Line] | None:
    """A justified paragraph set by total fit (see `wordfit`); None when it holds
    what only the greedy breaker's emergency rules can set (a run too long for any
    dictionary, a word wider than the line)."""
    breaker = _Breaker(spans, avail, lang, True, first_indent, indent)
    tokens = breaker._tokens()
    if not tokens or _long_run(breaker, tokens):
        return None
    segments: list[list[_Token]] = [[]]
    for token in tokens:
        if token is None:
            segments.append([])
        else:
            segments[-1].append(token)
    for n, segment in enumerate(segments):
        if not segment:  # an empty line between two hard breaks
            if n + 1 < len(segments) or not breaker.lines:
                breaker.emit(justify=False)
            continue
        if breaker.cjk:  # stretched between its characters instead (`Text.char_space`)
            expansion = 0.0
        words = _Words(breaker, segment, lang, expansion, protrusion)
        widths = (avail - (indent if breaker.lines else first_indent), avail - indent)
        for params in _EXPANDED_PASSES if expansion else _PASSES:
            ends = fit(words, partial(_measure, widths), params, SHORT_LAST, words.hangs)
            if ends is not None:
                break
        else:
            return None
        start, k0 = 0, 0
        for end in ends:
            if words.plain(start, end):
                words.emit_plain(start, k0, end, justify=end is not ends[-1])
            else:
                breaker.cur = words.line(start, k0, end)
                # a line that starts or ends inside a word: measured as drawn
                inside = k0 > 0 or end.at >= 0
                if inside:
                    breaker.cur_w = _drawn_w(breaker, breaker.cur)
                else:  # the search leaves a hanging mark out of the line's width
                    breaker.cur_w = end.natural + (words.hangs[end.word] if words.hangs else 0.0)
                breaker.emit(justify=end is not ends[-1])
            if expansion and breaker.lines[-1].justify:
                breaker.lines[-1] = _expanded(breaker.lines[-1], avail, expansion, protrusion)
            start, k0 = (end.word + 1, 0) if end.at < 0 else (end.word, end.at)
    return breaker.lines


def _long_run(breaker: _Breaker, tokens: list[_Token | None]) -> bool:
    """Whether a word is a run too long for any dictionary (`LONG_RUN`)."""
    objects = breaker.objects
    for token in tokens:
        if token is None:
            continue
        word = token[0]
        if len(word) == 1:
            if len(word[0][0]) > LONG_RUN and not objects[word[0][1]]:
                return True
        elif sum(len(t) for t, _ in word) > LONG_RUN and not breaker.has_object(word):
            return True
    return False


def _measure(widths: tuple[float, float], line: int) -> float:
    return widths[min(line, 1)]


def _expanded(line: Line, avail: float, expansion: float, protrusion: bool) -> Line:
    """A justified line with its glyphs' share of its stretch or shrink (`EXPANSION`);
    a line holding a formula is set as it is."""
    space_w = 0.0
    for f in line.frags:
        if f.font == OBJECT:
            return line
        space_w += f.text.count(" ") * width(" ", f.font, f.size)
    glyphs = line.width - space_w
    gap = avail - line.indent - line.width
    if protrusion and line.frags[-1].text:
        last = line.frags[-1]
        gap += hang(last.text[-1], last.font, last.size)
    if gap > 0:
        ratio = gap / (space_w / 2 + expansion * glyphs / _EXPANDED_AT)
        share = min(expansion, ratio * expansion / _EXPANDED_AT)
    else:
        ratio = gap / (SHRINK * space_w + expansion * glyphs)
        share = max(-expansion, ratio * expansion)
    scale = 1.0 + round(share * _STEP) / _STEP
    return line._replace(scale=scale) if scale != 1.0 else line


class _Words:
    """A paragraph's words up to a hard break, as `wordfit` reads them: widths as
    drawn, and break points asked for only when the search reaches a word."""

    widths: list[float]
    spaces: list[float]
    stretch: list[float]
    shrink: list[float]
    known: list[Sequence[Point] | None]

    def __init__(
        self,
        breaker: _Breaker,
        tokens: list[_Token],
        lang: str | None,
        expansion: float = 0.0,
        protrusion: bool = False,
    ) -> None:
        self.breaker, self.tokens, self.lang, self.protrusion = breaker, tokens, lang, protrusion
        if not self._in_one_span(tokens):
            self._in_spans(tokens)
        spans = breaker.spans
        # how far each word's last character hangs out when it ends a line (`margins`)
        self.hangs: list[float] = []
        if protrusion:
            for word, _ in tokens:
                text, si = word[-1]
                mark = text[-1:]
                hung = hang(mark, spans[si].font, spans[si].size) if mark in RIGHT else 0.0
                self.hangs.append(hung)
        if expansion:  # the glyphs' share of stretch and shrink (`EXPANSION`); none in a formula
            grow = expansion / _EXPANDED_AT
            glyphs = self.widths
            if any(breaker.has_object(word) for word, _ in tokens):  # this segment's only
                glyphs = [
                    0.0 if breaker.has_object(word) else w
                    for (word, _), w in zip(tokens, self.widths, strict=True)
                ]
            self.stretch = [y + grow * w for y, w in zip(self.stretch, glyphs, strict=True)]
            self.shrink = [z + expansion * w for z, w in zip(self.shrink, glyphs, strict=True)]

    def _in_spans(self, tokens: list[_Token]) -> None:
        breaker = self.breaker
        spans, objects = breaker.spans, breaker.objects
        n = len(tokens)
        self.widths = widths = [0.0] * n
        self.spaces = spaces = [0.0] * n
        self.stretch = stretch = [0.0] * n
        self.shrink = shrink = [0.0] * n
        known: list[Sequence[Point] | None] = [None] * n
        self.known = known
        # Lines whose words and spaces are all in one span are set from the paragraph's
        # text (`emit_plain`): token j's span when all of it is in one (not a
        # formula), else -1; where in `text` it starts and stops; the first token of
        # the run of such tokens, in one span with the spaces between them, up to j.
        self.span = one_span = [-1] * n
        self.run = run = list(range(n))
        self.starts = starts = [0] * n
        self.stops = stops = [0] * n
        parts: list[str] = []
        pos, last = 0, -1
        tables, space_w = breaker.tables, breaker.space_widths
        for j, (word, space_si) in enumerate(tokens):
            if len(word) == 1:
                text, si = word[0]
                w = tables[si].get(text)
                if w is None or SHY in text:
                    w = width(text.replace(SHY, ""), spans[si].font, spans[si].size)
                one = -1 if objects[si] else si
                if len(text) < 4 or one < 0:  # too short to break (`_text_breaks`), a formula
                    known[j] = ()
            else:
                w = _drawn_w(breaker, word)
                text = "".join(t for t, _ in word)
                si = word[0][1]
                one = si if all(x == si for _, x in word) and not objects[si] else -1
            widths[j] = w
            if j:
                if space_si >= 0:
                    sw = space_w[space_si]
                    spaces[j] = sw
                    stretch[j] = sw / 2
                    shrink[j] = SHRINK * sw
                    parts.append(" ")
                    pos += 1
                    if one == space_si == last:
                        run[j] = run[j - 1]
                elif space_si == GLUE:
                    stretch[j] = CJK_STRETCH * spans[word[0][1]].size
            one_span[j] = last = one
            starts[j] = pos
            parts.append(text)
            pos += len(text)
            stops[j] = pos
        self.text = "".join(parts)

    def _in_one_span(self, tokens: list[_Token]) -> bool:
        """What `_in_spans` makes of a paragraph all in one span of text (the most
        common), a list at a time rather than word by word; False for any other."""
        breaker = self.breaker
        if len(breaker.spans) > 1 or breaker.any_object or breaker.cjk:
            return False
        if any(space_si != 0 for _, space_si in islice(tokens, 1, None)):
            return False
        texts = [w[0][0] if len(w) == 1 else "".join(t for t, _ in w) for w, _ in tokens]
        self.text = " ".join(texts)
        widths: list[float | None] = list(map(breaker.tables[0].get, texts))
        if None in widths or SHY in self.text:
            span = breaker.spans[0]
            for j, text in enumerate(texts):
                if widths[j] is None or SHY in text:
                    widths[j] = width(text.replace(SHY, ""), span.font, span.size)
        self.widths = cast(list[float], widths)
        n, space = len(texts), breaker.space_widths[0]
        self.spaces = [0.0] + [space] * (n - 1)
        self.stretch = [0.0] + [space / 2] * (n - 1)
        self.shrink = [0.0] + [SHRINK * space] * (n - 1)
        self.known = [() if len(text) < 4 else None for text in texts]
        self.span = [0] * n
        self.run = [0] * n
        ends = list(accumulate([len(text) + 1 for text in texts]))
        self.starts = [0, *ends[:-1]]
        self.stops = [end - 1 for end in ends]
        return True

    def points(self, n: int) -> Sequence[Point]:
        got = self.known[n]
        if got is None:
            word = self.tokens[n][0]
            # the last word of a paragraph is not hyphenated: a lone syllable reads badly
            lang = self.lang if n + 1 < len(self.tokens) else None
            if len(word) == 1:
                text, si = word[0]
                if self.breaker.objects[si]:
                    got = ()
                else:
                    span = self.breaker.spans[si]
                    got = _word_points(text, span.font, span.size, lang, self.protrusion)
            elif self.breaker.has_object(word):
                got = ()
            else:
                got = self._general_points(word, lang)
            self.known[n] = got
        return got

    def _general_points(self, word: list[Piece], lang: str | None) -> tuple[Point, ...]:
        """Break points of a word in several spans (emphasis inside it, say)."""
        out = []
        for at, hyphen, cost in _text_breaks("".join(t for t, _ in word), lang):
            left, right = _cut(word, at)
            left = _with_hyphen(left) if hyphen else left
            left_w, right_w = _drawn_w(self.breaker, left), _drawn_w(self.breaker, right)
            left_w -= self._hang(left)
            out.append(Point(at, cost, cost > 0, hyphen, left_w, right_w))
        return tuple(out)

    def middle(self, n: int, start: int, point: Point) -> float:
        """The width of word n from `start` to `point` (a hyphen included)."""
        left = _cut(_cut(self.tokens[n][0], point.at)[0], start)[1]
        left = _with_hyphen(left) if point.hyphen else left
        return _drawn_w(self.breaker, left) - self._hang(left)

    def _hang(self, pieces: list[Piece]) -> float:
        """How far the last character of a line ending in `pieces` hangs out."""
        if not self.protrusion or not pieces or not pieces[-1][0]:
            return 0.0
        text, si = pieces[-1]
        span = self.breaker.spans[si]
        return hang(text[-1], span.font, span.size)

    def plain(self, start: int, end: End) -> bool:
        """Whether a line from word `start` to `end` is all in one span, spaces
        included, and drawn as one fragment of the paragraph's text."""
        return self.span[start] >= 0 and self.run[end.word] <= start and not self.breaker.cjk

    def emit_plain(self, start: int, k0: int, end: End, justify: bool) -> None:
        """The line from word `start` (its first `k0` characters set before) to `end`,
        in one span: what `line`, `_drawn_w` and `_Breaker.emit` make of it, from a
        slice of the text and the words' widths."""
        breaker, b = self.breaker, end.word
        si = self.span[start]
        lo = self.starts[start] + k0
        text = self.text[lo : self.starts[b] + end.at if end.at >= 0 else self.stops[b]]
        if end.hyphen:
            text = (text[:-1] if text.endswith(SHY) else text) + HYPHEN
        if k0 > 0 or end.at >= 0:  # a line that starts or ends inside a word: as drawn
            if b == start:
                line_w = 0.0 + breaker.w(text.replace(SHY, ""), si)
            else:
                space, widths = breaker.space_widths[si], self.widths
                head = self.text[lo : self.stops[start]]
                line_w = 0.0 + breaker.w(head.replace(SHY, ""), si)
                for j in range(start + 1, b):
                    line_w += space
                    line_w += widths[j]
                line_w += space
                line_w += breaker.w(text[self.starts[b] - lo :].replace(SHY, ""), si)
        else:  # the search leaves a hanging mark out of the line's width
            line_w = end.natural + (self.hangs[b] if self.hangs else 0.0)
        frag = breaker._frag(text, si)
        spaces = frag.text.count(" ")
        indent = breaker.first_indent if not breaker.lines else breaker.indent
        justify = (justify or line_w > breaker.line_avail + 0.01) and spaces > 0
        breaker.lines.append(Line((frag,), line_w, spaces, justify, indent))

    def line(self, start: int, k0: int, end: End) -> list[Piece]:
        """What a line from word `start` (its first `k0` characters set before) to
        `end` draws."""
        out: list[Piece] = []
        for j in range(start, end.word + 1):
            word, space_si = self.tokens[j]
            if j > start and space_si >= 0:
                out.append((" ", space_si))
            if j == end.word and end.at >= 0:
                word = _cut(word, end.at)[0]
                word = _with_hyphen(word) if end.hyphen else word
            if j == start and k0:
                word = _cut(word, k0)[1]
            out.extend(word)
        return out


@lru_cache(maxsize=1 << 16)
def _word_points(
    text: str, font: str, size: float, lang: str | None, protrusion: bool = False
) -> tuple[Point, ...]:
    """A one-span word's break points with the widths of its two parts: words repeat
    within and across talks. With `protrusion`, a line ending at a point holds the part
    of its hyphen (or dash) that hangs out."""
    breaks = _text_breaks(text, lang)
    if not breaks:
        return ()
    # Each part's width from its letters', scaled to the word's kerned width: close
    # enough to choose breaks (a line's own width is measured as drawn), without
    # shaping every part of every word the search looks at.
    table = widths_of(font, size)
    advance = [0.0]
    for ch in text:
        w = table.get(ch)
        if w is None:
            w = width(ch, font, size) if ch != SHY else 0.0
        advance.append(advance[-1] + w)
    whole = width(text.replace(SHY, ""), font, size)
    scale = whole / advance[-1] if advance[-1] else 1.0
    hyphen_w = width(HYPHEN, font, size)
    out = []
    for at, hyphen, cost in breaks:
        left_w = advance[at] * scale
        end_w = left_w + (hyphen_w if hyphen else 0.0)
        if protrusion:
            end_w -= hang(HYPHEN if hyphen else text[at - 1], font, size)
        out.append(Point(at, cost, cost > 0, hyphen, end_w, whole - left_w))
    return tuple(out)


def _drawn_w(breaker: _Breaker, pieces: list[Piece]) -> float:
    """Width as drawn: neighbouring pieces of one span are measured together (their
    kerning and ligatures), spaces apart as the greedy breaker measures them."""
    total = 0.0
    run: list[str] = []
    run_si = -1
    for text, si in [*pieces, (" ", -1)]:
        if run and (si != run_si or text == " "):
            total += breaker.w("".join(run).replace(SHY, ""), run_si)
            run = []
        if text == " ":
            total += breaker.w(text, si) if si >= 0 else 0.0
        else:
            run.append(text)
            run_si = si
    return total


@lru_cache(maxsize=1 << 16)
def _text_breaks(text: str, lang: str | None) -> tuple[tuple[int, bool, float], ...]:
    """Where a word may break: (position, whether a hyphen is added, cost). After its
    own hyphens, dashes and slashes, at soft hyphens, a URL at its punctuation, and at
    pyphen's points at a price that says how much a copy editor minds (`_level`);
    memoised by content, as words repeat."""
    if len(text) < 4:
        return ()
    points: dict[int, tuple[bool, float]] = {}
    url = bool(_URLISH.match(text))
    for m in (_URL_BREAK if url else _BREAK).finditer(text, 1, len(text) - 2):
        i = m.end()
        c = text[i - 1]
        cost = HYPHEN_PENALTY if c in (SHY, HYPHEN) and not url else 0.0
        if c == HYPHEN and text[i].isdigit():  # "CIFAR-" / "10"
            cost += LEVEL_PENALTY[1]
        points[i] = (c == SHY, cost)
    if lang and not url:
        cost = HYPHEN_PENALTY + LEVEL_PENALTY[_level(text)]
        for p in _hyphen_points(text.replace(SHY, "-"), lang):
            points.setdefault(p, (True, cost))
    return tuple((at, hyphen, cost) for at, (hyphen, cost) in sorted(points.items()))


def _level(text: str) -> int:
    """How much a copy editor minds pyphen breaking a word: 0 not at all; 1 a word
    with a digit or a capital (a name, "ReLU"); 2 a compound, which breaks at its own
    hyphen."""
    if "-" in text or "–" in text:
        return 2
    if any(c.isdigit() or c.isupper() for c in text):
        return 1
    return 0


class _Breaker:
    def __init__(
        self,
        spans: list[Span],
        avail: float,
        lang: str | None,
        justify: bool,
        first_indent: float,
        indent: float,
    ) -> None:
        self.spans, self.avail, self.lang, self.justify = spans, avail, lang, justify
        self.first_indent, self.indent = first_indent, indent
        self.lines: list[Line] = []
        self.tables = [widths_of(s.font, s.size) for s in spans]
        self.space_widths = [0.0 if s.font == OBJECT else width(" ", s.font, s.size) for s in spans]
        self.objects = [s.font == OBJECT for s in spans]
        self.any_object = any(self.objects)
        self.cur: list[tuple[str, int]] = []  # pieces and spaces (" ", span) of this line
        self.cur_w = 0.0
        self.cur_spaces = 0.0  # natural width of this line's spaces
        self.cjk = any(CJK.search(s.text) for s in spans)  # a run breaks by `linebreak`

    def slack(self, sp: float) -> float:
        """How far a justified line may run over its width: its spaces shrink by up to a
        fifth (as in TeX), so fewer lines are left loose."""
        return 0.01 + (SHRINK * (self.cur_spaces + sp) if self.justify else 0.0)

    # -- measuring -----------------------------------------------------------
    def w(self, text: str, si: int) -> float:
        s = self.spans[si]
        return width(text, s.font, s.size)

    def word_w(self, word: list[Piece]) -> float:
        return sum(self.w(t, si) for t, si in word)

    @property
    def line_avail(self) -> float:
        return self.avail - (self.first_indent if not self.lines else self.indent)

    # -- building lines ------------------------------------------------------
    def run(self) -> list[Line]:
        spans = self.spans
        tables, spaces = self.tables, self.space_widths
        cur = self.cur
        tokens = self._tokens()
        for n, item in enumerate(tokens):
            if item is None:
                self.emit(justify=False)
                cur = self.cur
                continue
            word, space_si = item
            if len(word) == 1:  # the common case, measured straight from the memo
                text, si = word[0]
                ww = tables[si].get(text)
                if ww is None:
                    ww = width(text, spans[si].font, spans[si].size)
                sp = spaces[space_si] if cur and space_si >= 0 else 0.0
                if self.cur_w + sp + ww <= self.line_avail + self.slack(sp):
                    if sp:
                        cur.append((" ", space_si))
                        self.cur_spaces += sp
                    cur.append(word[0])
                    self.cur_w += sp + ww
                    continue
            # The last word of a paragraph (or before a hard break) is not hyphenated:
            # a lone syllable on the last line reads badly.
            last = n + 1 == len(tokens) or tokens[n + 1] is None
            self.place(word, space_si, hyphenate=not last)
            cur = self.cur
        if self.cur or not self.lines:
            self.emit(justify=False)
        return self.lines

    def _tokens(self) -> list[tuple[list[Piece], int] | None]:
        """Words with the span of the space before them; None is a hard break."""
        out: list[tuple[list[Piece], int] | None] = []
        word: list[Piece] = []
        space_si = -1
        for si, span in enumerate(self.spans):
            if span.font == OBJECT:  # a formula: one unbreakable word of its own
                if word:
                    out.append((word, space_si))
                    space_si = -1
                out.append(([(span.text, si)], space_si))
                space_si = -1
                continue
            text = span.text
            if not self.cjk and "\n" not in text:  # the common case: words between spaces
                parts = text.split(" ")
                if len(parts) == 1:
                    if text:
                        word.append((text, si))
                    continue
                if parts[0]:
                    word.append((parts[0], si))
                if word:
                    out.append((word, space_si))
                out.extend(([(part, si)], si) for part in parts[1:-1] if part)
                space_si = si
                word = [(parts[-1], si)] if parts[-1] else []
                continue
            for part in _SPLIT.split(text):
                if not part:
                    continue
                if part == "\n" or part[0] == " ":
                    if word:
                        out.append((word, space_si))
                        word = []
                    if part == "\n":
                        out.append(None)
                        space_si = -1
                    else:
                        space_si = si
                else:
                    at = 0
                    for cut in breaks(part, self.lang) if self.cjk else ():
                        word.append((part[at:cut], si))
                        out.append((word, space_si))
                        word, space_si, at = [], GLUE, cut
                    word.append((part[at:] if at else part, si))
        if word:
            out.append((word, space_si))
        if not any(_RELATION_SIGN.search(span.text) for span in self.spans):
            return out
        return _tied(out)

    def place(self, word: list[Piece], space_si: int, hyphenate: bool = True) -> None:
        if sum(len(t) for t, _ in word) > LONG_RUN and not self.has_object(word):
            self.place_run(word, space_si)
            return
        first = True
        # A URL stays a URL once split: its pieces break at punctuation, never by pyphen.
        url = bool(_URLISH.match("".join(t for t, _ in word)))
        while word:
            sp = self.w(" ", space_si) if self.cur and space_si >= 0 else 0.0
            ww = self.word_w(word) if not first or len(word) > 1 else self.w(*word[0])
            first = False
            room = self.line_avail - self.cur_w - sp + self.slack(sp) - 0.01
            if ww <= room + 0.01:
                if sp:
                    self.cur.append((" ", space_si))
                    self.cur_spaces += sp
                self.cur.extend(word)
                self.cur_w += sp + ww
                return
            split = self.best_split(word, room, hyphenate or not self.cur, url)
            if split is None and not self.cur:
                split = self.force_split(word, room)
            if split is None:
                self.emit(justify=self.justify)
                continue
            left, word = split
            self.add(left, space_si if sp else -1)
            self.emit(justify=self.justify)
            space_si = -1

    def place_run(self, word: list[Piece], space_si: int) -> None:
        """A run too long for any dictionary, in windows of `LONG_RUN` characters: each
        line takes the longest part that fits, cut after a dash, a slash, a soft hyphen
        (or a URL's punctuation) if one fits, else between any two characters."""
        url = bool(_URLISH.match("".join(t for t, _ in word[:8])[:64]))
        windows = _windows(word, LONG_RUN)
        buf: list[Piece] = []
        started = False  # the line already holds part of this run
        more = True
        while True:
            while more and sum(len(t) for t, _ in buf) < LONG_RUN:
                nxt = next(windows, None)
                if nxt is None:
                    more = False
                else:
                    buf += nxt
            if not buf:
                return
            sp = self.w(" ", space_si) if self.cur and space_si >= 0 and not started else 0.0
            room = self.line_avail - self.cur_w - sp + self.slack(sp) - 0.01
            # After other words, the run starts here only at one of its break points.
            left, left_w, right = self.split_run(buf, room, url, anywhere=started or not self.cur)
            if left and not right:  # all of it fits
                self.add_measured(left, left_w, space_si if sp else -1)
                started, buf = True, []
                continue
            if not left:
                if self.cur:  # the line is full: the run goes on on the next
                    self.emit(justify=self.justify)
                    started = False
                    continue
                # not even one character fits an empty line: it runs over
                left, left_w, right = self.split_run(buf, float("inf"), url, limit=1)
            self.add_measured(left, left_w, space_si if sp else -1)
            self.emit(justify=self.justify)
            started, buf = False, right

    def split_run(
        self, run: list[Piece], room: float, url: bool, anywhere: bool = True, limit: int = -1
    ) -> tuple[list[Piece], float, list[Piece]]:
        """The longest start of `run` that fits in `room` (at most `limit` characters),
        preferring a cut at a break point (`anywhere`: else between any two characters);
        one pass over the characters."""
        total = 0.0
        fit, fit_w = 0, 0.0  # the longest start that fits
        brk, brk_w, brk_shy = 0, 0.0, False  # the last break point that fits
        pos = 0
        done = False
        for text, si in run:
            table = widths_of(self.spans[si].font, self.spans[si].size)
            for ch in text:
                cw = table.get(ch)
                if cw is None:
                    cw = self.w(ch, si)
                if total + cw > room + 0.01 or pos == limit:
                    done = True
                    break
                if ch == SHY:
                    hw = self.w(HYPHEN, si)
                    if total + hw <= room + 0.01:
                        brk, brk_w, brk_shy = pos + 1, total + hw, True
                total += cw
                pos += 1
                fit, fit_w = pos, total
                if ch in _AFTER or (url and ch in _URL_AFTER):
                    brk, brk_w, brk_shy = pos, total, False
            if done:
                break
        if not done:
            return run, total, []
        if brk:
            left, right = _cut(run, brk)
            return (_with_hyphen(left) if brk_shy else left), brk_w, right
        if not anywhere:
            return [], 0.0, run
        left, right = _cut(run, fit)
        return left, fit_w, right

    def add_measured(self, word: list[Piece], word_w: float, space_si: int) -> None:
        if space_si >= 0:
            self.cur.append((" ", space_si))
            self.cur_w += self.w(" ", space_si)
            self.cur_spaces += self.w(" ", space_si)
        self.cur.extend(word)
        self.cur_w += word_w

    def add(self, word: list[Piece], space_si: int) -> None:
        if space_si >= 0:
            self.cur.append((" ", space_si))
            self.cur_w += self.w(" ", space_si)
            self.cur_spaces += self.w(" ", space_si)
        self.cur.extend(word)
        self.cur_w += self.word_w(word)

    def emit(self, justify: bool) -> None:
        frags: list[Frag] = []
        text_parts: list[str] = []
        last_si = -1
        for text, si in self.cur:
            if si != last_si and text_parts:
                frags.append(self._frag("".join(text_parts), last_si))
                text_parts = []
            text_parts.append(text)
            last_si = si
        if text_parts:
            frags.append(self._frag("".join(text_parts), last_si))
        spaces = sum(f.text.count(" ") for f in frags if f.font != OBJECT)
        indent = self.first_indent if not self.lines else self.indent
        squeezed = self.cur_w > self.line_avail + 0.01  # its spaces shrink to fit
        justify = justify or squeezed
        if justify and self.cjk and self._between_characters(frags, spaces):
            spaces = 0  # stretched between its characters (`Text.char_space`), not its spaces
        else:
            justify = justify and spaces > 0
        self.lines.append(Line(tuple(frags), self.cur_w, spaces, justify, indent))
        self.cur, self.cur_w, self.cur_spaces = [], 0.0, 0.0

    def _between_characters(self, frags: list[Frag], spaces: int) -> bool:
        """Whether a justified line stretches between its characters: one holding
        Chinese, Japanese or Korean whose spaces (if any) would open wider than
        `CJK_MAX_GAP`, drawn whole (no link or formula is placed piece by piece)."""
        gap = self.line_avail - self.cur_w
        return (
            bool(frags)
            and gap >= spaces * CJK_MAX_GAP * frags[0].size
            and all(f.font != OBJECT and not f.href for f in frags)
            and CJK.search("".join(f.text for f in frags)) is not None
        )

    def _frag(self, text: str, si: int) -> Frag:
        s = self.spans[si]
        return Frag(text.replace(SHY, ""), s.font, s.size, s.rise, s.color, s.href, False, s.role)

    # -- splitting words -----------------------------------------------------
    def has_object(self, word: list[Piece]) -> bool:
        if not self.any_object:
            return False
        objects = self.objects
        return any(objects[si] for _, si in word)

    def best_split(
        self, word: list[Piece], room: float, hyphenate: bool = True, url: bool = False
    ) -> tuple[list[Piece], list[Piece]] | None:
        """The longest break inside `word` whose left part fits in `room` (breaks by
        pyphen's patterns only when `hyphenate`)."""
        text = "".join(t for t, _ in word)
        if len(text) < 4 or self.has_object(word):
            return None
        points: dict[int, bool] = {}  # position -> needs a hyphen
        url = url or bool(_URLISH.match(text))
        for i in range(2, len(text) - 1):
            c = text[i - 1]
            if c in _AFTER or (url and c in _URL_AFTER) or c == SHY:
                points[i] = c == SHY
        if self.lang and not url and hyphenate:
            for p in _hyphen_points(text.replace(SHY, "-"), self.lang):
                points.setdefault(p, True)
        for pos in sorted(points, reverse=True):
            left, right = _cut(word, pos)
            if points[pos]:
                left = _with_hyphen(left)
            if self.word_w(left) <= room + 0.01:
                return left, right
        return None

    def force_split(self, word: list[Piece], room: float) -> tuple[list[Piece], list[Piece]]:
        """Split between characters: the last resort for a token wider than the line."""
        if self.has_object(word):  # a formula wider than the line is set whole
            return word, []
        text = "".join(t for t, _ in word)
        lo, hi = 1, len(text) - 1
        while lo < hi:  # the longest prefix that fits (at least one character)
            mid = (lo + hi + 1) // 2
            if self.word_w(_cut(word, mid)[0]) <= room + 0.01:
                lo = mid
            else:
                hi = mid - 1
        return _cut(word, max(lo, 1))


_RELATION = frozenset("<>=≤≥≈≠~")  # "p < 0.05": the number stays with its sign
_RELATION_SIGN = re.compile("[<>=≤≥≈≠~]")
NBSP = "\u00a0"


def _tied(tokens: list[tuple[list[Piece], int] | None]) -> list[tuple[list[Piece], int] | None]:
    """Words joined by a no-break space where a relation sign would end a line with its
    number on the next ("p <" / "0.05"), as TeX's tie would keep them."""
    out: list[tuple[list[Piece], int] | None] = []
    for token in tokens:
        before = out[-1] if out else None
        if (
            token is not None
            and before is not None
            and token[1] >= 0
            and before[0][-1][0][-1:] in _RELATION
            and len(before[0][-1][0]) <= 2
            and token[0][0][0][:1].isdigit()
        ):
            out[-1] = ([*before[0], (NBSP, token[1]), *token[0]], before[1])
            continue
        out.append(token)
    return out


def _windows(word: list[Piece], size: int) -> Iterator[list[Piece]]:
    """`word` in consecutive parts of `size` characters (the last may be shorter)."""
    part: list[Piece] = []
    n = 0
    for text, si in word:
        start = 0
        while start < len(text):
            take = min(size - n, len(text) - start)
            part.append((text[start : start + take], si))
            n += take
            start += take
            if n == size:
                yield part
                part, n = [], 0
    if part:
        yield part


def _cut(word: list[Piece], pos: int) -> tuple[list[Piece], list[Piece]]:
    left: list[Piece] = []
    right: list[Piece] = []
    seen = 0
    for text, si in word:
        if seen + len(text) <= pos:
            left.append((text, si))
        elif seen >= pos:
            right.append((text, si))
        else:
            k = pos - seen
            left.append((text[:k], si))
            right.append((text[k:], si))
        seen += len(text)
    return left, right


def _with_hyphen(left: list[Piece]) -> list[Piece]:
    text, si = left[-1]
    text = text[:-1] if text.endswith(SHY) else text
    return left[:-1] + [(text + HYPHEN, si)]
