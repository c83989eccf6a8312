"""typeset, total fit by words: a paragraph's words and spaces -> its best breaks.

The demerits of `totalfit` (Knuth and Plass: badness, a penalty per break,
hyphen runs, neighbouring tightness, a hyphenated or lone last line), searched
from each feasible line start forwards rather than over every item. The line
ends a start can reach are found by bisection in the paragraph's running sums,
and a word's break points (pyphen's, the expensive part) are asked for only when
the word can hold a line's end. A paragraph of n words costs O(n log n) plus its
feasible lines: about what first-fit breaking costs, not a multiple of it.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from math import pow
from typing import NamedTuple, Protocol

from .totalfit import EPSILON, TEX, Params


class Point(NamedTuple):
    """A break inside a word: after `at` characters, the line ends `left` wide (a
    hyphen included) and the next starts `right` wide."""

    at: int
    cost: float
    flagged: bool
    hyphen: bool
    left: float
    right: float


class Words(Protocol):
    """A paragraph as the search reads it. Word n is `widths[n]` wide after a space
    `spaces[n]` wide (0 for the first) that stretches and shrinks by `stretch[n]`
    and `shrink[n]`."""

    widths: list[float]
    spaces: list[float]
    stretch: list[float]
    shrink: list[float]
    # word n's break points where known (none: a short word), else None; the search
    # asks `points` for the others and keeps the answer here
    known: list[Sequence[Point] | None]

    def points(self, n: int) -> Sequence[Point]: ...

    def middle(self, n: int, start: int, point: Point) -> float: ...


class End(NamedTuple):
    """A line's end: after word `word`, whole when `at` is -1, else after `at` of its
    characters (with a hyphen when `hyphen`)."""

    word: int
    at: int
    hyphen: bool
    natural: float
    ratio: float


INFINITE = float("inf")
# How many line starts a layer keeps where the beam is off after it led into a very
# loose line: on the bench corpora as good as keeping `max_active`, at a quarter of it.
WIDE = 8
# A paragraph's running sums (`_sums`): W, Y, Z, P and Q.
_Sums = tuple[list[float], list[float], list[float], list[float], list[float]]


def fit(
    words: Words,
    measure: Callable[[int], float],
    params: Params = TEX,
    short_last: float = 0.0,
    hangs: Sequence[float] = (),
    space_stretch: Sequence[float] = (),
) -> list[End] | None:
    """The line ends of least total demerits, or None when no way keeps every line
    within `params.tolerance` (nor shrinks one past its spaces' limit). `measure(0)`
    is the first line's width, `measure(1)` every other's. A last line narrower than
    `short_last` of the measure holding a single word costs the final demerits.
    `hangs[n]`: how far word n's last character hangs into the margin when it ends a
    line (`margins`), so much less of the line's width it takes (a line's `natural`
    width leaves it out). `space_stretch[n]`: the part of `stretch[n]` that is word
    n's space, when the rest (its glyphs', font expansion) stops growing where a line
    is `params.loose`: past that the spaces take all the stretch, and a line is very
    loose when they do past `params.very_loose`."""
    if not words.widths:
        return []
    sums = _sums(words, params.tolerance)
    return _search(words, measure, params, short_last, hangs, space_stretch, -1, sums)


# `_Way` and `_Line` spell out their `__init__`: compiled, a dataclass's made the
# search a third slower (0.33 against 0.24 s for the bench's 3,865 paragraphs).


class _Way:
    """The cheapest way found to a line start in one class (its line's fitness and
    the hyphenated lines in a row that end there): its total demerits, the way to
    the start of the line that reached it, and that line's end."""

    def __init__(
        self,
        demerits: float,
        prev: _Way | None,
        fitness: int,
        run: int,
        word: int,
        at: int,
        hyphen: bool,
        natural: float,
        ratio: float,
    ) -> None:
        self.demerits = demerits
        self.prev = prev
        self.fitness = fitness
        self.run = run
        self.word = word
        self.at = at
        self.hyphen = hyphen
        self.natural = natural
        self.ratio = ratio


class _Line:
    """A line's end as the search weighs it; `cost` -1 for the paragraph's last line."""

    def __init__(
        self,
        word: int,
        at: int,
        hyphen: bool,
        natural: float,
        ratio: float,
        cost: float,
        flagged: bool,
    ) -> None:
        self.word = word
        self.at = at
        self.hyphen = hyphen
        self.natural = natural
        self.ratio = ratio
        self.cost = cost
        self.flagged = flagged


def _search(
    words: Words,
    measure: Callable[[int], float],
    params: Params,
    short_last: float,
    hangs: Sequence[float],
    space_stretch: Sequence[float],
    wide: int,
    sums: _Sums,
) -> list[End] | None:
    """`fit`, given the paragraph's running sums (`_sums`). Up to line start `wide`
    (a layer), every start is pursued however dear, at most `WIDE` a layer (a search
    again after the beam led into a very loose line)."""
    n = len(words.widths)
    tol = params.tolerance
    spaces, stretch, shrink = words.spaces, words.stretch, words.shrink
    # running sums: W[j] over the words before j and their spaces; P the loosest a
    # line can be set, Q the tightest
    W, Y, Z, P, Q = sums
    # the spaces' own stretch, where glyphs take a share up to `loose`: a line's spaces
    # are very loose where (ratio - loose) * its stretch > past * theirs (made when needed)
    S: list[float] = []
    past = params.very_loose - params.loose

    # the line starts reached in as many lines, layer by layer; a start's ways by
    # class, `run * 4 + fitness`. A start (word, characters of it already set) is
    # keyed `characters * stride + word`: a small number (no new object) for a whole word.
    stride = n + 1
    layer: dict[int, dict[int, _Way]] = {0: {1: _Way(0.0, None, 1, 0, -1, -1, False, 0.0, 0.0)}}
    final: _Way | None = None  # the best way through: its last line's end and demerits
    final_line = 0
    beam, max_cost, max_active = params.beam, params.max_cost, params.max_active
    pruned = -1  # the first layer where the beam dropped a start
    cache = words.known
    points_of = words.points
    first_target, target = measure(0), measure(1)
    low, high = -1.0 - EPSILON, tol + EPSILON
    line_penalty, loose, loose_demerits = params.line_penalty, params.loose, params.loose_demerits
    very_loose, very_loose_demerits = params.very_loose, params.very_loose_demerits
    max_run, run_demerits = params.max_hyphen_run, params.hyphen_run_demerits
    final_demerits, adjacent = params.final_hyphen_demerits, params.adjacent_demerits
    last_word = n - 1
    slack = run_demerits + final_demerits + adjacent  # what a class can save later (`_prune`)
    line = -1
    while layer:
        # a start far worse than another reached in as many lines is not pursued, nor
        # more than `max_active` starts a line: time stays linear in the paragraph
        cheapest: dict[int, float] = {}
        leader = INFINITE
        for start, best in layer.items():
            least = INFINITE
            if len(best) == 1:
                for way in best.values():
                    least = way.demerits
            else:
                best = layer[start] = _prune(best, slack)
                for way in best.values():
                    if way.demerits < least:
                        least = way.demerits
            cheapest[start] = least
            if least < leader:
                leader = least
        line += 1
        limit = WIDE if line <= wide else max_active
        if len(layer) > limit:
            keep = sorted(layer, key=cheapest.__getitem__)[:limit]
            layer = {start: layer[start] for start in keep}
        starts, layer = layer, {}
        for start, best in starts.items():
            if not best:
                continue
            if cheapest[start] > leader + beam and line > wide:
                if pruned < 0:
                    pruned = line
                continue
            a, k0 = start % stride, start // stride
            goal = target if a or k0 else first_target
            if k0:
                first = _point_at(points_of(a), k0)
                off = first.right - W[a + 1]
                off_y, off_z = -Y[a + 1], -Z[a + 1]
            else:
                off = -W[a] - spaces[a]
                off_y, off_z = -Y[a] - stretch[a], -Z[a] - shrink[a]
            # word ends lo..hi are neither too loose nor too tight
            lo = max(a, bisect_left(P, goal - off - tol * off_y, a + 1) - 1)
            hi = bisect_right(Q, goal - off + off_z, a + 1) - 2
            ways = list(best.values())
            # lines ending after a whole word (not the last), weighed here: the most common
            # ends, and the same as the general case below with no cost, flag or run
            for b in range(lo, (hi if hi < last_word else last_word - 1) + 1):
                natural = W[b + 1] + off
                if hangs:  # its last character hangs into the margin
                    natural = natural - hangs[b]
                if natural < goal:
                    room = Y[b + 1] + off_y
                    ratio = (goal - natural) / room if room > 0 else INFINITE
                elif natural > goal:
                    room = Z[b + 1] + off_z
                    ratio = (goal - natural) / room if room > 0 else -INFINITE
                else:
                    ratio = 0.0
                base = line_penalty + 100 * pow(abs(ratio), 3.0)
                base = base * base
                if ratio > loose:
                    base += loose_demerits
                    if ratio > very_loose:
                        base += very_loose_demerits
                    elif space_stretch:
                        if not S:
                            S = _running(space_stretch)
                        ys = S[b + 1] - S[a + 1]
                        if ys > 0 and (ratio - loose) * room > past * ys:
                            base += very_loose_demerits
                fitness = 0 if ratio < -0.5 else 1 if ratio <= 0.5 else 2 if ratio <= 1 else 3
                reached = b + 1
                slot = layer.get(reached)
                if slot is None:
                    slot = layer[reached] = {}
                for way in ways:
                    d = way.demerits + base
                    if fitness - way.fitness > 1 or way.fitness - fitness > 1:
                        d += adjacent
                    known = slot.get(fitness)
                    if known is None or d < known.demerits:
                        slot[fitness] = _Way(d, way, fitness, 0, b, -1, False, natural, ratio)
            ends: list[_Line] = []
            if hi >= last_word:  # the last line: its fill stretches as far as it needs
                natural = W[n] + off
                ratio = 0.0 if natural <= goal else (goal - natural) / (Z[n] + off_z)
                ends.append(_Line(last_word, -1, False, natural, ratio, -1.0, False))
            for b in range(lo, (hi + 1 if hi + 1 < last_word else last_word) + 1):
                points = cache[b]
                if points is None:
                    points = cache[b] = points_of(b)
                if not points:
                    continue
                if b == a:
                    for p in points:
                        if p.at > k0 and p.cost <= max_cost:
                            natural = words.middle(a, k0, p) if k0 else p.left
                            ratio = _ratio(goal, natural, 0.0, 0.0)
                            if low <= ratio <= high:
                                ends.append(
                                    _Line(b, p.at, p.hyphen, natural, ratio, p.cost, p.flagged)
                                )
                    continue
                before = W[b] + off + spaces[b]
                y = Y[b] + off_y + stretch[b]
                z = Z[b] + off_z + shrink[b]
                for p in points:
                    if p.cost > max_cost:
                        continue
                    natural = before + p.left
                    if natural < goal:
                        ratio = (goal - natural) / y if y > 0 else INFINITE
                    elif natural > goal:
                        ratio = (goal - natural) / z if z > 0 else -INFINITE
                    else:
                        ratio = 0.0
                    if low <= ratio <= high:
                        ends.append(_Line(b, p.at, p.hyphen, natural, ratio, p.cost, p.flagged))
            for end in ends:
                b, at, cost, natural, ratio = end.word, end.at, end.cost, end.natural, end.ratio
                base = line_penalty + 100 * pow(abs(ratio), 3.0)
                base = base * base + (cost * cost if cost > 0 else 0.0)
                if ratio > loose:
                    base += loose_demerits
                    if ratio > very_loose:
                        base += very_loose_demerits
                    elif space_stretch and b > a and cost >= 0:  # spaces, not the last line
                        if not S:
                            S = _running(space_stretch)
                        ys = S[b + 1] - S[a + 1]
                        if ys > 0 and (ratio - loose) * (Y[b + 1] - Y[a + 1]) > past * ys:
                            base += very_loose_demerits
                fitness = 0 if ratio < -0.5 else 1 if ratio <= 0.5 else 2 if ratio <= 1 else 3
                if cost < 0:  # the last line
                    if short_last and b == a and not k0 and natural < short_last * goal:
                        base += final_demerits
                    for way in ways:
                        d = way.demerits + base
                        if way.run:
                            d += final_demerits
                        if fitness - way.fitness > 1 or way.fitness - fitness > 1:
                            d += adjacent
                        if final is None or d < final.demerits:
                            final = _Way(d, way, fitness, 0, b, at, end.hyphen, natural, ratio)
                            final_line = line
                    continue
                reached = b + 1 if at < 0 else at * stride + b
                slot = layer.get(reached)
                if slot is None:
                    slot = layer[reached] = {}
                flagged = end.flagged
                for way in ways:
                    if flagged:
                        run = way.run + 1
                        if run > max_run:
                            continue
                        d = way.demerits + base
                        if way.run:
                            d += run_demerits
                    else:
                        run = 0
                        d = way.demerits + base
                    if fitness - way.fitness > 1 or way.fitness - fitness > 1:
                        d += adjacent
                    key = run * 4 + fitness
                    known = slot.get(key)
                    if known is None or d < known.demerits:
                        slot[key] = _Way(d, way, fitness, run, b, at, end.hyphen, natural, ratio)
    if final is None:
        # the beam cut every way through: search them all
        if pruned >= 0:
            everything = params._replace(beam=INFINITE)
            return _search(words, measure, everything, short_last, hangs, space_stretch, -1, sums)
        return None
    out = []
    very_loose_at = -1  # the last very loose line, by its own demerits
    line = final_line + 1
    total = final.demerits  # from here on, of the way to the start of line `line`
    came = final
    while came.prev is not None:
        out.append(End(came.word, came.at, came.hyphen, came.natural, came.ratio))
        line -= 1
        prev = came.prev
        if line:
            if very_loose_at < 0 and 0 < very_loose_demerits <= total - prev.demerits:
                very_loose_at = line
            total = prev.demerits
        came = prev
    if very_loose_at < 0 and 0 < very_loose_demerits <= total:  # the first line's own
        very_loose_at = 0
    # A cheap start can lead into a very loose line that a dearer one the beam dropped
    # (before the line ends) would have gone around: search again, up to that line
    # without the beam.
    if 0 <= pruned <= very_loose_at + 1 and wide < 0:
        wide = very_loose_at + 1
        return _search(words, measure, params, short_last, hangs, space_stretch, wide, sums)
    out.reverse()
    return out


def _sums(words: Words, tol: float) -> _Sums:
    """Running sums over the words before j: W of their widths and spaces, Y of
    their stretch, Z of their shrink; P the loosest a line can be set (W + tol * Y),
    Q the tightest (W - Z)."""
    widths, spaces, stretch, shrink = words.widths, words.spaces, words.stretch, words.shrink
    size = len(widths) + 1
    W, Y, Z = [0.0] * size, [0.0] * size, [0.0] * size
    P, Q = [0.0] * size, [0.0] * size
    w = y = z = 0.0
    for j in range(1, size):
        w = w + spaces[j - 1]
        w = w + widths[j - 1]
        y = y + stretch[j - 1]
        z = z + shrink[j - 1]
        W[j], Y[j], Z[j] = w, y, z
        P[j] = w + tol * y
        Q[j] = w - z
    return W, Y, Z, P, Q


def _prune(best: dict[int, _Way], slack: float) -> dict[int, _Way]:
    """The classes of a line start that may still lead to the best paragraph: one is
    dropped when another with no longer a hyphen run is cheaper by more than `slack`,
    the most demerits the class of a line start can save later."""
    if len(best) == 1:
        return best
    if len(best) == 2:  # as below, without sorting
        (c1, n1), (c2, n2) = best.items()
        if n2.demerits < n1.demerits:
            c1, n1, c2, n2 = c2, n2, c1, n1
        if n1.run <= n2.run and n1.demerits + slack <= n2.demerits:
            return {c1: n1}
        return {c1: n1, c2: n2}
    kept: dict[int, _Way] = {}
    for cls, way in sorted(best.items(), key=_by_demerits):
        for other in kept.values():
            if other.run <= way.run and other.demerits + slack <= way.demerits:
                break
        else:
            kept[cls] = way
    return kept


def _by_demerits(item: tuple[int, _Way]) -> float:
    return item[1].demerits


def _running(values: Sequence[float]) -> list[float]:
    """The running sums of `values`, from 0."""
    sums = [0.0] * (len(values) + 1)
    total = 0.0
    for j, value in enumerate(values):
        total = total + value
        sums[j + 1] = total
    return sums


def _ratio(target: float, natural: float, stretch: float, shrink: float) -> float:
    if natural < target:
        return (target - natural) / stretch if stretch > 0 else float("inf")
    if natural > target:
        return (target - natural) / shrink if shrink > 0 else float("-inf")
    return 0.0


def _point_at(points: Sequence[Point], at: int) -> Point:
    for p in points:
        if p.at == at:
            return p
    raise KeyError(at)
