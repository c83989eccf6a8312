"""typeset, a justified paragraph by total fit: its words as the search (`wordfit`)
reads them, the passes and their demerits, font expansion, hanging marks, and the
lines of the breaks it chose."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from functools import lru_cache, partial
from itertools import accumulate, islice
from typing import cast

from .firstfit import GLUE, LONG_RUN, SHRINK, Breaker, Piece, cut, with_hyphen
from .fonts import SHY
from .formulas import OBJECT
from .hyphenation import HYPHEN, HYPHEN_PENALTY, LEVEL_PENALTY, text_breaks
from .margins import RIGHT, hang, protruded
from .measure import width, widths_of
from .ops import Text
from .shaping import glyph_count, space
from .spans import Line, Span
from .totalfit import Params
from .wordfit import End, Point, fit

# How far such a break may stretch in the search for breaks, in em: a line of
# ideographs is short of its measure by less than a character, spread over its breaks;
# more stretch would let the search weigh far shorter lines (100,000 characters of
# Chinese: 0.1 em took 15 s, this 1 s).
CJK_STRETCH = 0.02

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
# Letter-spacing (InDesign's letter spacing, Typst's tracking limits): where even the
# best breaks leave a line's spaces wider than this (in em), with its glyphs at their
# 2 %, its letters take up to `TRACKING` em each (`Line.track`, PDF's Tc) of the rest,
# so that its spaces come down to it. Only a line whose words read as separate
# letters: Latin, Greek, Cyrillic, without combining marks.
TRACK_ABOVE = 0.6
TRACKING = 0.02
_JOINED = re.compile("[^\u0000-\u02ff\u0370-\u052f\u1e00-\u206f\u20a0-\u20cf\u2100-\u214f]")

Token = tuple[list[Piece], int]


def total_fit(
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
    breaker = Breaker(spans, avail, lang, True, first_indent, indent)
    tokens = breaker.tokens()
    if not tokens or _long_run(breaker, tokens):
        return None
    segments: list[list[Token]] = [[]]
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
            ends = fit(
                words,
                partial(_measure, widths),
                params,
                SHORT_LAST,
                words.hangs,
                words.space_stretch,
            )
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


def _long_run(breaker: Breaker, tokens: list[Token | None]) -> bool:
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
    """A justified line with its glyphs' share of its stretch or shrink (`EXPANSION`),
    letter-spaced if its spaces are still too wide (`TRACK_ABOVE`); a line holding a
    formula is set as it is."""
    space_w = blank = em = 0.0
    for f in line.frags:
        if f.font == OBJECT:
            return line
        if " " in f.text:
            w = width(" ", f.font, f.size)
            space_w += f.text.count(" ") * w
            blank, em = max(blank, w), max(em, f.size)
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
    if scale != 1.0:  # made directly: a named tuple's _replace costs as much as the rest
        fields = (line.frags, line.width, line.spaces, line.justify, line.indent, scale, line.track)
        line = tuple.__new__(Line, fields)
    if gap > 0 and line.spaces:
        # its spaces at their widest, with marks hanging at both ends (`margins`)
        room = avail - line.indent - line.width * scale + em / 2
        if room / line.spaces + blank * scale > TRACK_ABOVE * em:
            return _tracked(line, avail, protrusion)
    return line


def _tracked(line: Line, avail: float, protrusion: bool) -> Line:
    """A justified line, letter-spaced when its spaces are wider than `TRACK_ABOVE`
    (the room rounded up to a thousandth of a point, so they end no wider)."""
    frags = line.frags
    if not line.spaces or any(f.font == OBJECT or _JOINED.search(f.text) for f in frags):
        return line
    op = Text(0.0, 0.0, avail - line.indent, line)
    if protrusion:
        op = protruded(op)
    spaced = [f for f in frags if " " in f.text]
    em = max(f.size for f in spaced)
    blank = max(width(" ", f.font, f.size) for f in spaced)  # the widest space glyph
    wide = blank * line.scale + op.word_space - TRACK_ABOVE * em
    if wide <= 0:
        return line
    # a word space holds the room after its last letter, and after its space glyph
    drawn = sum(f.text.count(" ") for f in spaced if space(f.font)[0]) / line.spaces
    per = (sum(glyph_count(f.text, f.font) for f in frags) - 1) / line.spaces - 1 - drawn
    if per <= 0:
        return line
    return line._replace(track=min(TRACKING * em, math.ceil(1000 * wide / per) / 1000))


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
        breaker: Breaker,
        tokens: list[Token],
        lang: str | None,
        expansion: float = 0.0,
        protrusion: bool = False,
    ) -> None:
        self.breaker, self.tokens, self.lang, self.protrusion = breaker, tokens, lang, protrusion
        if not self._in_one_span(tokens):
            self._in_spans(tokens)
        spans = breaker.spans
        # with font expansion, the spaces' part of `stretch` (`wordfit.fit`)
        self.space_stretch: list[float] = []
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
            self.space_stretch = self.stretch
            self.stretch = [y + grow * w for y, w in zip(self.stretch, glyphs, strict=True)]
            self.shrink = [z + expansion * w for z, w in zip(self.shrink, glyphs, strict=True)]

    def _in_spans(self, tokens: list[Token]) -> None:
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
                if len(text) < 4 or one < 0:  # too short to break (`text_breaks`), a formula
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

    def _in_one_span(self, tokens: list[Token]) -> bool:
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
        for at, hyphen, cost in text_breaks("".join(t for t, _ in word), lang):
            left, right = cut(word, at)
            left = with_hyphen(left) if hyphen else left
            left_w, right_w = _drawn_w(self.breaker, left), _drawn_w(self.breaker, right)
            left_w -= self._hang(left)
            out.append(Point(at, cost, cost > 0, hyphen, left_w, right_w))
        return tuple(out)

    def middle(self, n: int, start: int, point: Point) -> float:
        """The width of word n from `start` to `point` (a hyphen included)."""
        left = cut(cut(self.tokens[n][0], point.at)[0], start)[1]
        left = with_hyphen(left) if point.hyphen else left
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
        in one span: what `line`, `_drawn_w` and `Breaker.emit` make of it, from a
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
        frag = breaker.frag(text, si)
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
                word = cut(word, end.at)[0]
                word = with_hyphen(word) if end.hyphen else word
            if j == start and k0:
                word = cut(word, k0)[1]
            out.extend(word)
        return out


@lru_cache(maxsize=1 << 16)
def _word_points(
    text: str, font: str, size: float, lang: str | None, protrusion: bool = False
) -> tuple[Point, ...]:
    """A one-span word's break points with the widths of its two parts: words repeat
    within and across talks. With `protrusion`, a line ending at a point holds the part
    of its hyphen (or dash) that hangs out."""
    breaks = text_breaks(text, lang)
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


def _drawn_w(breaker: Breaker, pieces: list[Piece]) -> float:
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
