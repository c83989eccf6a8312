"""typeset, total fit: a paragraph's boxes, glue and penalties -> its best breaks.

Knuth and Plass's algorithm ("Breaking paragraphs into lines", 1981), as TeX uses
it: every feasible way of breaking the paragraph is weighed at once, and the one
with the least total demerits wins — badness from how far each line's spaces
stretch or shrink, a penalty per hyphen, extra demerits for hyphens on
consecutive lines, for neighbouring lines of very different tightness, and for a
very short last line. Unlike TeX, a run of hyphenated lines is capped outright
(`max_hyphen_run`) while any other way to set the paragraph remains.

The search keeps, per breakpoint, the best path for each class of last line
(tightness and length of the hyphen run), and never more than `max_active` paths
at once: time is linear in the paragraph, whatever it holds.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

INFINITY = 10_000  # a penalty this high forbids a break; its negative forces one
FIL = 1e6  # the stretch of the glue that fills a paragraph's last line
EPSILON = 1e-9  # sums of thirds are not exact: a line at its limits stays feasible


class Box(NamedTuple):
    width: float


class Glue(NamedTuple):
    width: float
    stretch: float
    shrink: float


class Penalty(NamedTuple):
    width: float  # what the line gains if it ends here (a hyphen's width)
    cost: float
    flagged: bool = False  # a hyphen: consecutive flagged breaks cost more


Item = Box | Glue | Penalty


class Params(NamedTuple):
    tolerance: float = 2.0  # the loosest ratio of stretch a line may use
    line_penalty: float = 10.0
    hyphen_run_demerits: float = 3000.0  # TeX's \doublehyphendemerits
    final_hyphen_demerits: float = 5000.0
    adjacent_demerits: float = 3000.0  # lines two tightness classes apart
    max_hyphen_run: int = 2
    short_last_line: float = 0.0  # a last line narrower than this share of the measure...
    short_last_demerits: float = 0.0  # ...costs this much
    max_active: int = 200
    loose: float = float("inf")  # a line whose glue stretches further than this...
    loose_demerits: float = 0.0  # ...costs this much more (wordfit only)
    beam: float = float("inf")  # wordfit: how much worse than the best a start may be
    very_loose: float = float("inf")  # wordfit: a line stretching further than this...
    very_loose_demerits: float = 0.0  # ...costs this much more again
    max_cost: float = float("inf")  # wordfit: dearer breaks inside words are not tried


class Break(NamedTuple):
    position: int  # index of the item the line ends at
    ratio: float  # how far its glue stretches (> 0) or shrinks (< 0)
    flagged: bool


class _Node(NamedTuple):
    position: int
    line: int
    fitness: int
    run: int  # hyphenated lines ending here in a row
    width: float  # sums of the items before the next line starts
    stretch: float
    shrink: float
    demerits: float
    ratio: float
    flagged: bool
    previous: _Node | None


TEX = Params()


def breaks(
    items: Sequence[Item], measure: Callable[[int], float], params: Params = TEX
) -> list[Break] | None:
    """The breaks of least total demerits; `measure(n)` is the width of line n (from
    0). None when no way of breaking keeps every line within `params.tolerance`
    (the caller may try again with more tolerance, or set the paragraph some other
    way). The items must end with a forced break."""
    n = len(items)
    width = [0.0] * (n + 1)
    stretch = [0.0] * (n + 1)
    shrink = [0.0] * (n + 1)
    for i, item in enumerate(items):
        w, y, z = width[i], stretch[i], shrink[i]
        if isinstance(item, Glue):
            y += item.stretch
            z += item.shrink
        if not isinstance(item, Penalty):
            w += item.width
        width[i + 1], stretch[i + 1], shrink[i + 1] = w, y, z

    active = [_Node(0, 0, 1, 0, 0.0, 0.0, 0.0, 0.0, 0.0, False, None)]
    for b, item in enumerate(items):
        if isinstance(item, Penalty):
            if item.cost >= INFINITY:
                continue
        elif not (isinstance(item, Glue) and b > 0 and isinstance(items[b - 1], Box)):
            continue
        cost = item.cost if isinstance(item, Penalty) else 0.0
        flagged = isinstance(item, Penalty) and item.flagged
        extra = item.width if isinstance(item, Penalty) else 0.0
        forced = cost <= -INFINITY
        best: dict[tuple[int, int], _Node] = {}
        kept: list[_Node] = []
        for a in active:
            target = measure(a.line)
            natural = width[b] - a.width + extra
            if natural < target:
                room = stretch[b] - a.stretch
                ratio = (target - natural) / room if room > 0 else float("inf")
            elif natural > target:
                room = shrink[b] - a.shrink
                ratio = (target - natural) / room if room > 0 else float("-inf")
            else:
                ratio = 0.0
            if ratio >= -1 - EPSILON and not forced:
                kept.append(a)  # the line may yet end further on
            if ratio < -1 - EPSILON or ratio > params.tolerance + EPSILON:
                continue
            run = a.run + 1 if flagged else 0
            if run > params.max_hyphen_run:
                continue
            badness = 100 * abs(ratio) ** 3
            demerits = (params.line_penalty + badness) ** 2
            if cost >= 0:
                demerits += cost**2
            elif cost > -INFINITY:
                demerits -= cost**2
            if flagged and a.flagged:
                demerits += params.hyphen_run_demerits
            if forced and a.flagged:
                demerits += params.final_hyphen_demerits
            if forced and params.short_last_demerits and natural < params.short_last_line * target:
                demerits += params.short_last_demerits
            fitness = 0 if ratio < -0.5 else 1 if ratio <= 0.5 else 2 if ratio <= 1 else 3
            if abs(fitness - a.fitness) > 1:
                demerits += params.adjacent_demerits
            total = a.demerits + demerits
            known = best.get((fitness, run))
            if known is None or total < known.demerits:
                best[(fitness, run)] = _Node(
                    b, a.line + 1, fitness, run, 0.0, 0.0, 0.0, total, ratio, flagged, a
                )
        if best:
            after_w, after_y, after_z = _after(items, b, width, stretch, shrink)
            for node in best.values():
                kept.append(node._replace(width=after_w, stretch=after_y, shrink=after_z))
        if len(kept) > params.max_active:
            kept.sort(key=lambda node: node.demerits)
            kept = kept[: params.max_active]
        active = kept
        if not active:
            return None
    last = [a for a in active if a.position == n - 1]
    if not last:
        return None
    path: _Node | None = min(last, key=lambda a: a.demerits)
    out: list[Break] = []
    while path is not None and path.previous is not None:
        out.append(Break(path.position, path.ratio, path.flagged))
        path = path.previous
    out.reverse()
    return out


def _after(
    items: Sequence[Item], b: int, width: list[float], stretch: list[float], shrink: list[float]
) -> tuple[float, float, float]:
    """The sums at the start of the line after a break at `b`: the break itself, and
    glue and penalties right after it, vanish up to the next box (or forced break)."""
    i = b + 1
    while i < len(items):
        item = items[i]
        if isinstance(item, Box):
            break
        if isinstance(item, Penalty) and item.cost <= -INFINITY:
            break
        i += 1
    return width[i], stretch[i], shrink[i]
