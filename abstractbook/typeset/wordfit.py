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
# Per start and class (fitness, hyphen run): total demerits and how it was reached.
_Best = dict[tuple[int, int], tuple[float, "_Start | None", tuple[int, int], End | None]]


def fit(
    words: Words,
    measure: Callable[[int], float],
    params: Params = TEX,
    short_last: float = 0.0,
    hangs: Sequence[float] = (),
) -> list[End] | None:
    """The line ends of least total demerits, or None when no way keeps every line
    within `params.tolerance` (nor shrinks one past its spaces' limit). `measure(0)`
    is the first line's width, `measure(1)` every other's. A last line narrower than
    `short_last` of the measure holding a single word costs the final demerits.
    `hangs[n]`: how far word n's last character hangs into the margin when it ends a
    line (`margins`), so much less of the line's width it takes (a line's `natural`
    width leaves it out)."""
    n = len(words.widths)
    if n == 0:
        return []
    tol = params.tolerance
    # running sums: W[j] over the words before j and their spaces
    W = [0.0] * (n + 1)
    Y = [0.0] * (n + 1)
    Z = [0.0] * (n + 1)
    for j in range(n):
        W[j + 1] = W[j] + words.spaces[j] + words.widths[j]
        Y[j + 1] = Y[j] + words.stretch[j]
        Z[j + 1] = Z[j] + words.shrink[j]
    P = [w + tol * y for w, y in zip(W, Y, strict=True)]  # the loosest a line can be set
    Q = [w - z for w, z in zip(W, Z, strict=True)]  # the tightest

    # the line starts reached in as many lines, layer by layer
    layer: dict[_Start, _Best] = {(0, 0): {(1, 0): (0.0, None, (1, 0), None)}}
    final: tuple[float, int, _Start, tuple[int, int], End] | None = None
    done: list[dict[_Start, _Best]] = []
    beam, max_cost = params.beam, params.max_cost
    pruned = False
    spaces, stretch, shrink = words.spaces, words.stretch, words.shrink
    cache: list[Sequence[Point] | None] = [None] * n
    first_target, target = measure(0), measure(1)
    low, high = -1.0 - EPSILON, tol + EPSILON
    line_penalty, loose, loose_demerits = params.line_penalty, params.loose, params.loose_demerits
    max_run, run_demerits = params.max_hyphen_run, params.hyphen_run_demerits
    final_demerits, adjacent = params.final_hyphen_demerits, params.adjacent_demerits
    while layer:
        for start in list(layer):
            layer[start] = _prune(layer[start], params)
        # a start far worse than another reached in as many lines is not pursued, nor
        # more than `max_active` starts a line: time stays linear in the paragraph
        cheapest = {
            start: min((node[0] for node in best.values()), default=INFINITE)
            for start, best in layer.items()
        }
        leader = min(cheapest.values(), default=0.0)
        if len(layer) > params.max_active:
            keep = sorted(layer, key=cheapest.__getitem__)[: params.max_active]
            layer = {start: layer[start] for start in keep}
        starts, layer = layer, {}
        done.append(starts)
        for (a, k0), best in starts.items():
            if not best:
                continue
            if cheapest[(a, k0)] > leader + beam:
                pruned = True
                continue
            goal = first_target if not a and not k0 else target
            if k0:
                first = _point_at(words.points(a), k0)
                off = first.right - W[a + 1]
                off_y, off_z = -Y[a + 1], -Z[a + 1]
            else:
                off = -W[a] - spaces[a]
                off_y, off_z = -Y[a] - stretch[a], -Z[a] - shrink[a]
            # word ends lo..hi are neither too loose nor too tight
            lo = max(a, bisect_left(P, goal - off - tol * off_y, a + 1) - 1)
            hi = bisect_right(Q, goal - off + off_z, a + 1) - 2
            # (word, at, hyphen, natural, ratio, cost, flagged); cost -1: the last line
            ends: list[tuple[int, int, bool, float, float, float, bool]] = []
            for b in range(lo, min(hi, n - 2) + 1):
                natural = W[b + 1] + off - (hangs[b] if hangs else 0.0)
                ratio = _ratio(goal, natural, Y[b + 1] + off_y, Z[b + 1] + off_z)
                ends.append((b, -1, False, natural, ratio, 0.0, False))
            if hi >= n - 1:  # the last line: its fill stretches as far as it needs
                natural = W[n] + off
                ratio = 0.0 if natural <= goal else (goal - natural) / (Z[n] + off_z)
                ends.append((n - 1, -1, False, natural, ratio, -1.0, False))
            for b in range(lo, min(hi + 1, n - 1) + 1):
                points = cache[b]
                if points is None:
                    points = cache[b] = words.points(b)
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
                    ratio = _ratio(goal, natural, y, z)
                    if low <= ratio <= high:
                        ends.append((b, p.at, p.hyphen, natural, ratio, p.cost, p.flagged))
            for b, at, hyphen, natural, ratio, cost, flagged in ends:
                last = cost < 0
                badness = 100 * abs(ratio) ** 3
                base = (line_penalty + badness) ** 2 + (cost * cost if cost > 0 else 0.0)
                if ratio > loose:
                    base += loose_demerits
                    if ratio > params.very_loose:
                        base += params.very_loose_demerits
                if last and short_last and b == a and not k0 and natural < short_last * goal:
                    base += final_demerits
                fitness = 0 if ratio < -0.5 else 1 if ratio <= 0.5 else 2 if ratio <= 1 else 3
                end = End(b, at, hyphen, natural, ratio)
                slot = None
                if not last:
                    slot = layer.setdefault((b + 1, 0) if at < 0 else (b, at), {})
                for (fit_a, run_a), node in best.items():
                    run = run_a + 1 if flagged else 0
                    if run > max_run:
                        continue
                    d = node[0] + base
                    if run_a and (flagged or last):
                        d += run_demerits if flagged else final_demerits
                    if fitness - fit_a > 1 or fit_a - fitness > 1:
                        d += adjacent
                    if slot is None:
                        if final is None or d < final[0]:
                            final = (d, len(done) - 1, (a, k0), (fit_a, run_a), end)
                        continue
                    known = slot.get((fitness, run))
                    if known is None or d < known[0]:
                        slot[(fitness, run)] = (d, (a, k0), (fit_a, run_a), end)
    if final is None:
        # the beam cut every way through: search them all
        if pruned:
            return fit(words, measure, params._replace(beam=INFINITE), short_last, hangs)
        return None
    _, line, start, cls, last_end = final
    out = [last_end]
    while line:
        _, prev, prev_cls, came = done[line][start][cls]
        assert came is not None and prev is not None
        out.append(came)
        start, cls, line = prev, prev_cls, line - 1
    out.reverse()
    return out


def _prune(best: _Best, params: Params) -> _Best:
    """The classes of a line start that may still lead to the best paragraph: one is
    dropped when another with no longer a hyphen run is cheaper by more than any
    demerits the class of a line start can save later."""
    if len(best) == 1:
        return best
    slack = params.hyphen_run_demerits + params.final_hyphen_demerits + params.adjacent_demerits
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
