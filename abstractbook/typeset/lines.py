"""lay out, the line level: styled spans + a width -> justified, hyphenated lines.

Our own line breaker on reportlab's font metrics, because reportlab's Paragraph
lets long URLs run into the margin when hyphenation is on, asks pyphen again
for every word, and keeps no reusable result. Lines are plain tuples, so a
talk's laid-out lines can be cached and hashed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

import pyphen
from reportlab.pdfbase.pdfmetrics import stringWidth

from .fonts import SHY, current
from .formulas import OBJECT, formula
from .kerning import adjustment, ligate
from .scripts import cover, has_rtl, rtl_base, visual
from .spans import Frag, Line, Span
from .totalfit import FIL, INFINITY, Box, Glue, Item, Params, Penalty, breaks

HYPHEN = "-"
SHRINK = 0.2  # how much a justified line's spaces may shrink
_SPLIT = re.compile(r"( +|\n)")
_URLISH = re.compile(r"^[a-z][a-z0-9+.-]*://|^www\.", re.I)
_AFTER = frozenset("-–—/")  # a line may break after these
_URL_AFTER = frozenset("/.?&=_-#:")
_LETTER = re.compile(r"[^\W\d_]+")
_CAPS_OR_DIGITS = re.compile(r"\d|[^\W\d_][^\W\d_]*[A-Z]")
# A run of more characters than this without a space is no word a dictionary knows (a
# pasted hash, a long URL, a line of code): it is broken by the emergency rules only,
# a window of this many characters at a time, so time stays linear in its length.
LONG_RUN = 200


_widths: dict[tuple[str, float], dict[str, float]] = {}


def widths_of(font: str, size: float) -> dict[str, float]:
    """The memo of string widths in one font and size (words repeat a lot)."""
    table = _widths.get((font, size))
    if table is None:
        if font != OBJECT:
            current().load(font)
        table = _widths[(font, size)] = {}
    return table


def width(text: str, font: str, size: float) -> float:
    """String width as drawn (the face's ligatures and kerning), memoised: words
    repeat, and reportlab measures char by char."""
    table = widths_of(font, size)
    w = table.get(text)
    if w is None:
        if font == OBJECT:
            w = formula(text, size).width
        else:
            drawn = ligate(text, font)
            w = stringWidth(drawn, font, size) + size * adjustment(drawn, font) / 1000
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
) -> list[Line]:
    """Greedy first-fit breaking with hyphenation and emergency splits.

    A word wider than the line is split at a URL's punctuation or, failing
    that, between letters: nothing ever runs past `avail`.
    """
    covered = [part for span in spans for part in cover(span)]
    lang = patterns(lang) if lang else lang  # memoised points are keyed by the patterns
    lines = _one_line(covered, avail) if not (first_indent or indent) else None
    if lines is None and justify and avail != float("inf"):
        lines = _total_fit(covered, avail, lang, first_indent, indent)
    if lines is None:
        lines = _Breaker(covered, avail, lang, justify, first_indent, indent).run()
    text = "".join(s.text for s in covered)
    if not has_rtl(text):
        return lines
    base = rtl_base(text)
    out = []
    for ln in lines:
        ln = visual(ln, base)
        if base and not ln.justify and avail != float("inf"):  # ragged left
            ln = ln._replace(indent=ln.indent + max(0.0, avail - ln.indent - ln.width))
        out.append(ln)
    return out


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
        frags.append(Frag(t, s.font, s.size, s.rise, s.color, s.href))
    text = "".join(f.text for f in frags)
    if not frags or text[0] == " " or text[-1] == " ":
        return None
    spaces = text.count(" ")
    return [Line(tuple(frags), total, spaces, False)]


# A hyphen costs more than any line whose spaces stay under 0.5 em (TeX's 50 would
# hyphenate a third of our lines): paragraphs hyphenate where the spacing needs it.
HYPHEN_PENALTY = 1000.0
# Tried in turn (level: which words pyphen may break, see `_hyphenable`; tolerance
# 1.9 keeps spaces near 0.5 em, 2.6 within 0.6): the copy editor's rules first,
# more stretch rather than an overfull line, compounds broken a second time and
# longer hyphen runs only when nothing else sets the paragraph. The greedy breaker
# is the last resort.
_PASSES: tuple[tuple[int, Params], ...] = (
    (0, Params(tolerance=1.9)),
    (1, Params(tolerance=1.9)),
    (0, Params(tolerance=2.6)),
    (1, Params(tolerance=2.6)),
    (1, Params(tolerance=6.0)),
    (2, Params(tolerance=6.0)),
    (2, Params(tolerance=6.0, max_hyphen_run=1 << 20)),
)


def _total_fit(
    spans: list[Span], avail: float, lang: str | None, first_indent: float, indent: float
) -> list[Line] | None:
    """A justified paragraph set by total fit (see `totalfit`); None when it holds
    what only the greedy breaker's emergency rules can set (a run too long for any
    dictionary, a word wider than the line)."""
    breaker = _Breaker(spans, avail, lang, True, first_indent, indent)
    tokens = breaker._tokens()
    if not tokens or any(
        t is not None and sum(len(x) for x, _ in t[0]) > LONG_RUN and not breaker.has_object(t[0])
        for t in tokens
    ):
        return None

    def measure(line: int) -> float:
        return avail - (first_indent if line == 0 else indent)

    text = "".join(s.text for s in spans)
    # what lets a level break more words (see `_hyphenable`): a capital after a
    # letter or a digit; a hyphen
    differs = (bool(_CAPS_OR_DIGITS.search(text)), "-" in text or "–" in text)
    built: dict[int, _Items] = {}
    tried: set[tuple[int, Params]] = set()
    for level, params in _PASSES:
        if level not in built:
            # a level that lets pyphen break no further word sets the same items
            same = level > 0 and not differs[level - 1]
            built[level] = built[level - 1] if same else _items(breaker, tokens, lang, level)
        items, pieces, hyphen_at = built[level]
        if (id(items), params) in tried:
            continue
        tried.add((id(items), params))
        found = breaks(items, measure, params)
        if found is not None:
            break
    else:
        return None
    begin = 0
    for brk in found:
        b = brk.position
        drawn = [p for i in range(begin, b) for p in pieces[i]]
        if b in hyphen_at and drawn:
            drawn = _with_hyphen(drawn)
        while drawn and drawn[-1][0] == " ":  # a break at a space drops it
            drawn.pop()
        breaker.cur = drawn
        breaker.cur_w = _drawn_w(breaker, drawn)
        breaker.emit(justify=not _forced(items[b]))
        begin = b + 1
        while begin < len(items) and not isinstance(items[begin], Box):
            if _forced(items[begin]):
                break
            begin += 1
    return breaker.lines


def _forced(item: Item) -> bool:
    return isinstance(item, Penalty) and item.cost <= -INFINITY


_Items = tuple[list[Item], list[list[Piece]], dict[int, int]]


def _items(
    breaker: _Breaker, tokens: list[tuple[list[Piece], int] | None], lang: str | None, level: int
) -> _Items:
    """The paragraph's boxes, glue and penalties; with what each item draws (a break's
    hyphen aside) and the span of the hyphen each hyphenation point adds. `level`:
    which words pyphen may break (see `_hyphenable`)."""
    spans = breaker.spans
    items: list[Item] = []
    pieces: list[list[Piece]] = []
    hyphen_at: dict[int, int] = {}

    def add(item: Item, drawn: list[Piece]) -> None:
        items.append(item)
        pieces.append(drawn)

    def end() -> None:
        add(Glue(0.0, FIL, 0.0), [])
        add(Penalty(0.0, -INFINITY), [])

    for n, token in enumerate(tokens):
        if token is None:
            end()
            continue
        word, space_si = token
        if space_si >= 0 and items and not isinstance(items[-1], Penalty | Glue):
            sw = breaker.w(" ", space_si) if spans[space_si].font != OBJECT else 0.0
            add(Glue(sw, sw / 2, SHRINK * sw), [(" ", space_si)])
        last = n + 1 == len(tokens) or tokens[n + 1] is None
        word_lang = lang if not last else None
        if len(word) == 1:  # the common case: its items memoised by content
            text, si = word[0]
            span = spans[si]
            if span.font != OBJECT:
                for box, syllable, hyphen_w, price in _word_items(
                    text, span.font, span.size, word_lang, level
                ):
                    add(Box(box), [(syllable, si)])
                    if price is not None:
                        if hyphen_w:
                            hyphen_at[len(items)] = si
                        add(Penalty(hyphen_w, price, flagged=price > 0), [])
                continue
        start, start_w = 0, 0.0
        for pos, hyphen in _word_breaks(word, spans, word_lang, level):
            head = _cut(word, pos)[0]
            part = _cut(head, start)[1]
            head_w = _drawn_w(breaker, head)  # kerned across the break points
            add(Box(head_w - start_w), part)
            start_w = head_w
            si = part[-1][1]
            cost = HYPHEN_PENALTY if hyphen or part[-1][0].endswith(HYPHEN) else 0.0
            hw = breaker.w(HYPHEN, si) if hyphen else 0.0
            if hyphen:
                hyphen_at[len(items)] = si
            add(Penalty(hw, cost, flagged=cost > 0), [])
            start = pos
        rest = _cut(word, start)[1]
        add(Box(_drawn_w(breaker, word) - start_w), rest)
    if not isinstance(items[-1], Penalty):
        end()
    return items, pieces, hyphen_at


@lru_cache(maxsize=1 << 16)
def _word_items(
    text: str, font: str, size: float, lang: str | None, level: int
) -> tuple[tuple[float, str, float, float | None], ...]:
    """A one-span word's boxes, each with its text and the break after it (hyphen
    width and cost; None after the last): words repeat within and across talks."""
    out: list[tuple[float, str, float, float | None]] = []
    start, start_w = 0, 0.0
    for pos, hyphen in _text_breaks(text, lang, level):
        head_w = width(text[:pos], font, size)  # kerned across the break points
        part = text[start:pos]
        cost = HYPHEN_PENALTY if hyphen or part.endswith(HYPHEN) else 0.0
        out.append((head_w - start_w, part, width(HYPHEN, font, size) if hyphen else 0.0, cost))
        start, start_w = pos, head_w
    out.append((width(text, font, size) - start_w, text[start:], 0.0, None))
    return tuple(out)


def _drawn_w(breaker: _Breaker, pieces: list[Piece]) -> float:
    """Width as drawn: neighbouring pieces of one span are measured together (their
    kerning and ligatures), spaces apart as the greedy breaker measures them."""
    total = 0.0
    run: list[str] = []
    run_si = -1
    for text, si in [*pieces, (" ", -1)]:
        if run and (si != run_si or text == " "):
            total += breaker.w("".join(run), run_si)
            run = []
        if text == " ":
            total += breaker.w(text, si) if si >= 0 else 0.0
        else:
            run.append(text)
            run_si = si
    return total


def _word_breaks(
    word: list[Piece], spans: list[Span], lang: str | None, level: int = 0
) -> tuple[tuple[int, bool], ...]:
    """Where a word may break (positions, and whether a hyphen is added there)."""
    if any(spans[si].font == OBJECT for _, si in word):
        return ()
    text = word[0][0] if len(word) == 1 else "".join(t for t, _ in word)
    return _text_breaks(text, lang, level)


@lru_cache(maxsize=1 << 16)
def _text_breaks(text: str, lang: str | None, level: int) -> tuple[tuple[int, bool], ...]:
    """After a word's own hyphens, dashes and slashes, at soft hyphens, a URL at its
    punctuation, and at pyphen's points where a copy editor accepts them
    (`_hyphenable`); memoised by content, as words repeat."""
    if len(text) < 4:
        return ()
    points: dict[int, bool] = {}
    url = bool(_URLISH.match(text))
    for i in range(2, len(text) - 1):
        c = text[i - 1]
        if c in _AFTER or (url and c in _URL_AFTER) or c == SHY:
            points[i] = c == SHY
    if lang and not url and _hyphenable(text, level):
        for p in _hyphen_points(text.replace(SHY, "-"), lang):
            points.setdefault(p, True)
    return tuple(sorted(points.items()))


def _hyphenable(text: str, level: int = 0) -> bool:
    """A word pyphen may break: not a compound (it breaks at its own hyphen), no
    digits ("CIFAR-10"), no capital after its first letter ("ReLU", "CIFAR"). Unless
    nothing else fits: `level` 1 lifts the last two rules, 2 all three."""
    if level >= 2:
        return True
    if "-" in text or "–" in text:
        return False
    if level >= 1:
        return True
    if any(c.isdigit() for c in text):
        return False
    letters = [c for c in text if c.isalpha()]
    return not any(c.isupper() for c in letters[1:])


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
        self.cur: list[tuple[str, int]] = []  # pieces and spaces (" ", span) of this line
        self.cur_w = 0.0
        self.cur_spaces = 0.0  # natural width of this line's spaces

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
        tables = [widths_of(s.font, s.size) for s in spans]
        spaces = [0.0 if s.font == OBJECT else width(" ", s.font, s.size) for s in spans]
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
            for part in _SPLIT.split(span.text):
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
                    word.append((part, si))
        if word:
            out.append((word, space_si))
        return out

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
        justify = (justify or squeezed) and spaces > 0
        self.lines.append(Line(tuple(frags), self.cur_w, spaces, justify, indent))
        self.cur, self.cur_w, self.cur_spaces = [], 0.0, 0.0

    def _frag(self, text: str, si: int) -> Frag:
        s = self.spans[si]
        return Frag(text.replace(SHY, ""), s.font, s.size, s.rise, s.color, s.href)

    # -- splitting words -----------------------------------------------------
    def has_object(self, word: list[Piece]) -> bool:
        return any(self.spans[si].font == OBJECT for _, si in word)

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
