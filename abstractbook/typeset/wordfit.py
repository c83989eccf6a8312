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
from itertools import accumulate, chain, repeat
from operator import add, mul, sub
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


# A line start: (word, characters of it already set).
_Start = tuple[int, int]
INFINITE = float("inf")
# How many line starts a layer keeps where the beam is off after it led into a very
# loose line: on the bench corpora as good as keeping `max_active`, at a quarter of it.
WIDE = 8
# A line's end as the search weighs it: (word, at, hyphen, natural, ratio, cost,
# flagged); an `End` is made only for the lines chosen.
_End = tuple[int, int, bool, float, float, float, bool]
# Per start and class (fitness, hyphen run): total demerits and how it was reached.
_Best = dict[tuple[int, int], tuple[float, "_Start | None", tuple[int, int], _End | None]]


def fit(
    words: Words,
    measure: Callable[[int], float],
    params: Params = TEX,
    short_last: float = 0.0,
    hangs: Sequence[float] = (),
    space_stretch: Sequence[float] = (),
    wide: int = -1,
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
    loose when they do past `params.very_loose`. Up to line start `wide` (a layer),
    every start is pursued however dear, at most `WIDE` a layer (a search again
    after the beam led into a very loose line)."""
    n = len(words.widths)
    if n == 0:
        return []
    tol = params.tolerance
    spaces, stretch, shrink = words.spaces, words.stretch, words.shrink
    # running sums: W[j] over the words before j and their spaces; P the loosest a
    # line can be set, Q the tightest
    W = list(accumulate(chain.from_iterable(zip(spaces, words.widths, strict=True)), initial=0.0))
    W = W[::2]
    Y = list(accumulate(stretch, initial=0.0))
    Z = list(accumulate(shrink, initial=0.0))
    P = list(map(add, W, map(mul, repeat(tol), Y)))
    Q = list(map(sub, W, Z))
    # the spaces' own stretch, where glyphs take a share up to `loose`: a line's spaces
    # are very loose where (ratio - loose) * its stretch > past * theirs (made when needed)
    S: list[float] = []
    past = params.very_loose - params.loose

    # the line starts reached in as many lines, layer by layer
    layer: dict[_Start, _Best] = {(0, 0): {(1, 0): (0.0, None, (1, 0), None)}}
    final: tuple[float, int, _Start, tuple[int, int], _End] | None = None
    done: list[dict[_Start, _Best]] = []
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
    while layer:
        # a start far worse than another reached in as many lines is not pursued, nor
        # more than `max_active` starts a line: time stays linear in the paragraph
        cheapest: dict[_Start, float] = {}
        for start, best in layer.items():
            if len(best) == 1:
                for node in best.values():
                    cheapest[start] = node[0]
            else:
                best = layer[start] = _prune(best, slack)
                cheapest[start] = min([node[0] for node in best.values()], default=INFINITE)
        leader = min(cheapest.values())
        line = len(done)
        limit = WIDE if line <= wide else max_active
        if len(layer) > limit:
            keep = sorted(layer, key=cheapest.__getitem__)[:limit]
            layer = {start: layer[start] for start in keep}
        starts, layer = layer, {}
        done.append(starts)
        for start, best in starts.items():
            if not best:
                continue
            if cheapest[start] > leader + beam and line > wide:
                if pruned < 0:
                    pruned = line
                continue
            a, k0 = start
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
            classes = list(best.items())
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
                base = (line_penalty + 100 * abs(ratio) ** 3) ** 2
                if ratio > loose:
                    base += loose_demerits
                    if ratio > very_loose:
                        base += very_loose_demerits
                    elif space_stretch:
                        if not S:
                            S = list(accumulate(space_stretch, initial=0.0))
                        ys = S[b + 1] - S[a + 1]
                        if ys > 0 and (ratio - loose) * room > past * ys:
                            base += very_loose_demerits
                fitness = 0 if ratio < -0.5 else 1 if ratio <= 0.5 else 2 if ratio <= 1 else 3
                slot = layer.setdefault((b + 1, 0), {})
                key = (fitness, 0)
                for cls, node in classes:
                    d = node[0] + base
                    if fitness - cls[0] > 1 or cls[0] - fitness > 1:
                        d += adjacent
                    known = slot.get(key)
                    if known is None or d < known[0]:
                        slot[key] = (d, start, cls, (b, -1, False, natural, ratio, 0.0, False))
            # (word, at, hyphen, natural, ratio, cost, flagged); cost -1: the last line
            ends: list[_End] = []
            if hi >= last_word:  # the last line: its fill stretches as far as it needs
                natural = W[n] + off
                ratio = 0.0 if natural <= goal else (goal - natural) / (Z[n] + off_z)
                ends.append((last_word, -1, False, natural, ratio, -1.0, False))
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
                                ends.append((b, p.at, p.hyphen, natural, ratio, p.cost, p.flagged))
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
                        ends.append((b, p.at, p.hyphen, natural, ratio, p.cost, p.flagged))
            for end in ends:
                b, at, _, natural, ratio, cost, flagged = end
                badness = 100 * abs(ratio) ** 3
                base = (line_penalty + badness) ** 2 + (cost * cost if cost > 0 else 0.0)
                if ratio > loose:
                    base += loose_demerits
                    if ratio > very_loose:
                        base += very_loose_demerits
                    elif space_stretch and b > a and cost >= 0:  # spaces, not the last line
                        if not S:
                            S = list(accumulate(space_stretch, initial=0.0))
                        ys = S[b + 1] - S[a + 1]
                        if ys > 0 and (ratio - loose) * (Y[b + 1] - Y[a + 1]) > past * ys:
                            base += very_loose_demerits
                fitness = 0 if ratio < -0.5 else 1 if ratio <= 0.5 else 2 if ratio <= 1 else 3
                if cost < 0:  # the last line
                    if short_last and b == a and not k0 and natural < short_last * goal:
                        base += final_demerits
                    for cls, node in classes:
                        fit_a, run_a = cls
                        d = node[0] + base
                        if run_a:
                            d += final_demerits
                        if fitness - fit_a > 1 or fit_a - fitness > 1:
                            d += adjacent
                        if final is None or d < final[0]:
                            final = (d, line, start, cls, end)
                    continue
                slot = layer.setdefault((b + 1, 0) if at < 0 else (b, at), {})
                for cls, node in classes:
                    fit_a, run_a = cls
                    if flagged:
                        run = run_a + 1
                        if run > max_run:
                            continue
                        d = node[0] + base
                        if run_a:
                            d += run_demerits
                    else:
                        run = 0
                        d = node[0] + base
                    if fitness - fit_a > 1 or fit_a - fitness > 1:
                        d += adjacent
                    key = (fitness, run)
                    known = slot.get(key)
                    if known is None or d < known[0]:
                        slot[key] = (d, start, cls, end)
    if final is None:
        # the beam cut every way through: search them all
        if pruned >= 0:
            return fit(
                words, measure, params._replace(beam=INFINITE), short_last, hangs, space_stretch
            )
        return None
    total, line, start, cls, last_end = final
    out = [End(*last_end[:5])]
    very_loose_at = -1  # the last very loose line, by its own demerits
    while line:
        demerits, prev, prev_cls, came = done[line][start][cls]
        assert came is not None and prev is not None
        if very_loose_at < 0 and 0 < very_loose_demerits <= total - demerits:
            very_loose_at = line
        out.append(End(*came[:5]))
        start, cls, line, total = prev, prev_cls, line - 1, demerits
    if very_loose_at < 0 and 0 < very_loose_demerits <= total:  # the first line's own
        very_loose_at = 0
    # A cheap start can lead into a very loose line that a dearer one the beam dropped
    # (before the line ends) would have gone around: search again, up to that line
    # without the beam.
    if 0 <= pruned <= very_loose_at + 1 and wide < 0:
        wide = very_loose_at + 1
        return fit(words, measure, params, short_last, hangs, space_stretch, wide)
    out.reverse()
    return out


def _prune(best: _Best, slack: float) -> _Best:
    """The classes of a line start that may still lead to the best paragraph: one is
    dropped when another with no longer a hyphen run is cheaper by more than `slack`,
    the most demerits the class of a line start can save later."""
    if len(best) == 1:
        return best
    if len(best) == 2:  # as below, without sorting
        (c1, n1), (c2, n2) = best.items()
        if n2[0] < n1[0]:
            c1, n1, c2, n2 = c2, n2, c1, n1
        if c1[1] <= c2[1] and n1[0] + slack <= n2[0]:
            return {c1: n1}
        return {c1: n1, c2: n2}
    kept: _Best = {}
    for cls, node in sorted(best.items(), key=lambda item: item[1][0]):
        for k, v in kept.items():
            if k[1] <= cls[1] and v[0] + slack <= node[0]:
                break
        else:
            kept[cls] = node
    return kept


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
