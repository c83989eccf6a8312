"""typeset, first-fit breaking: a paragraph's words placed on a line while they fit,
with hyphenation, emergency splits of what no line holds (a long URL, a pasted
hash, in windows so time stays linear), ties ("p < 0.05") and Chinese, Japanese or
Korean runs broken where ICU allows. Ragged text is set so, and total fit
(`justified`) falls back on it; its words and widths are what total fit reads."""

from __future__ import annotations

import re
from collections.abc import Iterator

from .fonts import SHY
from .formulas import OBJECT
from .hyphenation import HYPHEN, URLISH, hyphen_points
from .linebreak import breaks, has_cjk
from .measure import width, widths_of
from .spans import Frag, Line, Span

SHRINK = 0.2  # how much a justified line's spaces may shrink
_SPLIT = re.compile(r"( +|\n)")
_AFTER = frozenset("-–—/")  # a line may break after these
_URL_AFTER = frozenset("/.?&=_-#:")
# A run of more characters than this without a space is no word a dictionary knows (a
# pasted hash, a long URL, a line of code): it is broken by the emergency rules only,
# a window of this many characters at a time, so time stays linear in its length.
LONG_RUN = 200
# The space before a token that follows a break inside a run of Chinese, Japanese or
# Korean (`linebreak`): none is drawn, and none is needed to break there.
GLUE = -2
# A justified line holding Chinese, Japanese or Korean whose spaces would open wider
# than this (in em) stretches between its characters instead.
CJK_MAX_GAP = 0.35

# A word is a list of pieces (text, span index); spaces sit between words.
Piece = tuple[str, int]


class Breaker:
    """A paragraph's spans broken into lines of `avail` (less the indents): `run` sets
    them by first fit; total fit reads its words (`tokens`) and widths, and hands the
    lines it chose to `emit`."""

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
        self.cjk = any(has_cjk(s.text) for s in spans)  # a run breaks by `linebreak`

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
        tokens = self.tokens()
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

    def tokens(self) -> list[tuple[list[Piece], int] | None]:
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
        if not any(_TIED_SIGN.search(span.text) for span in self.spans):
            return out
        return _tied(out)

    def place(self, word: list[Piece], space_si: int, hyphenate: bool = True) -> None:
        if sum(len(t) for t, _ in word) > LONG_RUN and not self.has_object(word):
            self.place_run(word, space_si)
            return
        first = True
        # A URL stays a URL once split: its pieces break at punctuation, never by pyphen.
        url = bool(URLISH.match("".join(t for t, _ in word)))
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
        url = bool(URLISH.match("".join(t for t, _ in word[:8])[:64]))
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
            left, right = cut(run, brk)
            return (with_hyphen(left) if brk_shy else left), brk_w, right
        if not anywhere:
            return [], 0.0, run
        left, right = cut(run, fit)
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
                frags.append(self.frag("".join(text_parts), last_si))
                text_parts = []
            text_parts.append(text)
            last_si = si
        if text_parts:
            frags.append(self.frag("".join(text_parts), last_si))
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
            and has_cjk("".join(f.text for f in frags))
        )

    def frag(self, text: str, si: int) -> Frag:
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
        url = url or bool(URLISH.match(text))
        for i in range(2, len(text) - 1):
            c = text[i - 1]
            if c in _AFTER or (url and c in _URL_AFTER) or c == SHY:
                points[i] = c == SHY
        if self.lang and not url and hyphenate:
            for p in hyphen_points(text.replace(SHY, "-"), self.lang):
                points.setdefault(p, True)
        for pos in sorted(points, reverse=True):
            left, right = cut(word, pos)
            if points[pos]:
                left = with_hyphen(left)
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
            if self.word_w(cut(word, mid)[0]) <= room + 0.01:
                lo = mid
            else:
                hi = mid - 1
        return cut(word, max(lo, 1))


_RELATION = frozenset("<>=≤≥≈≠~")  # "p < 0.05": the number stays with its sign
_DASHES = frozenset("\u2014\u2013")  # "learning — all": the dash stays with "learning"
_TIED_SIGN = re.compile("[<>=≤≥≈≠~\u2013\u2014]")
NBSP = "\u00a0"


def _tied(tokens: list[tuple[list[Piece], int] | None]) -> list[tuple[list[Piece], int] | None]:
    """Words joined by a no-break space, as TeX's tie would keep them, where a relation
    sign would end a line with its number on the next ("p <" / "0.05"), and where a
    dash with a space on each side would start a line ("learning" / "— all"): a dash
    opens no line."""
    out: list[tuple[list[Piece], int] | None] = []
    for token in tokens:
        before = out[-1] if out else None
        if (
            token is not None
            and before is not None
            and token[1] >= 0
            and _binds(before[0][-1][0], token[0])
        ):
            out[-1] = ([*before[0], (NBSP, token[1]), *token[0]], before[1])
            continue
        out.append(token)
    return out


def _binds(last: str, word: list[Piece]) -> bool:
    """Whether `word` stays on the line of the piece `last` before it: a number after
    a relation sign standing alone ("<", "<="), or a dash standing alone."""
    first = word[0][0]
    if last[-1:] in _RELATION and len(last) <= 2 and first[:1].isdigit():
        return True
    return len(word) == 1 and first in _DASHES


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


def cut(word: list[Piece], pos: int) -> tuple[list[Piece], list[Piece]]:
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


def with_hyphen(left: list[Piece]) -> list[Piece]:
    text, si = left[-1]
    text = text[:-1] if text.endswith(SHY) else text
    return left[:-1] + [(text + HYPHEN, si)]
