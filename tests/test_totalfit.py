"""Total-fit breaking against an exhaustive search, and its bounds."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from abstractbook.typeset.totalfit import (
    FIL,
    INFINITY,
    Box,
    Break,
    Glue,
    Item,
    Params,
    Penalty,
    breaks,
)


def paragraph(words: list[list[float]], space: float = 1.0) -> list[Item]:
    """Words of syllables (widths); hyphen breaks between syllables; the last line
    filled as TeX fills it. Glue shrinks by a quarter of its width, so every sum is
    exact: a line whose ratio is exactly on a fitness class's edge (-0.5) is on it
    whichever way it is summed."""
    items: list[Item] = []
    for n, syllables in enumerate(words):
        if n:
            items.append(Glue(space, space / 2, space / 4))
        for k, w in enumerate(syllables):
            if k:
                items.append(Penalty(0.5, 50.0, True))
            items.append(Box(w))
    items += [Penalty(0, INFINITY), Glue(0, FIL, 0), Penalty(0, -INFINITY)]
    return items


def legal(items: list[Item]) -> list[int]:
    out = []
    for b, item in enumerate(items):
        if (
            isinstance(item, Penalty)
            and item.cost < INFINITY
            or isinstance(item, Glue)
            and b
            and isinstance(items[b - 1], Box)
        ):
            out.append(b)
    return out


def demerits_of(items: list[Item], cut: tuple[int, ...], measure: float, p: Params) -> float | None:
    """The total demerits of breaking at `cut` (ending with the last item), spelt out
    by hand from Knuth and Plass's definitions; None if a line is infeasible."""
    total = 0.0
    start = 0
    fitness, run, was_flagged = 1, 0, False
    for b in cut:
        line = items[start:b]
        natural = sum(i.width for i in line if not isinstance(i, Penalty))
        end = items[b]
        flagged = isinstance(end, Penalty) and end.flagged
        cost = end.cost if isinstance(end, Penalty) else 0.0
        if isinstance(end, Penalty):
            natural += end.width
        y = sum(i.stretch for i in line if isinstance(i, Glue))
        z = sum(i.shrink for i in line if isinstance(i, Glue))
        if natural < measure:
            r = (measure - natural) / y if y else float("inf")
        elif natural > measure:
            r = (measure - natural) / z if z else float("-inf")
        else:
            r = 0.0
        if r < -1 - 1e-9 or r > p.tolerance + 1e-9:  # as the algorithm, sums being inexact
            return None
        run = run + 1 if flagged else 0
        if run > p.max_hyphen_run:
            return None
        d = (p.line_penalty + 100 * abs(r) ** 3) ** 2
        d += cost**2 if cost >= 0 else (-(cost**2) if cost > -INFINITY else 0.0)
        if flagged and was_flagged:
            d += p.hyphen_run_demerits
        if cost <= -INFINITY and was_flagged:
            d += p.final_hyphen_demerits
        f = 0 if r < -0.5 else 1 if r <= 0.5 else 2 if r <= 1 else 3
        if abs(f - fitness) > 1:
            d += p.adjacent_demerits
        total += d
        fitness, was_flagged = f, flagged
        # the next line starts after the break, past glue and penalties
        start = b + 1
        while start < len(items) and not isinstance(items[start], Box):
            if isinstance(items[start], Penalty) and items[start].cost <= -INFINITY:
                break
            start += 1
    return total


words_strategy = st.lists(
    st.lists(st.integers(1, 4).map(float), min_size=1, max_size=3), min_size=1, max_size=7
)


@settings(max_examples=150, deadline=None)
@given(words_strategy, st.integers(6, 14))
def test_total_fit_finds_the_least_demerits_of_any_breaking(
    words: list[list[float]], measure: int
) -> None:
    items = paragraph(words)
    p = Params(tolerance=3.0)
    found = breaks(items, lambda _: float(measure), p)
    inner = legal(items)[:-1]
    last = len(items) - 1
    best = None
    for k in range(len(inner) + 1):
        for cut in itertools.combinations(inner, k):
            d = demerits_of(items, (*cut, last), measure, p)
            if d is not None and (best is None or d < best):
                best = d
    if best is None:
        assert found is None
    else:
        assert found is not None and found[-1].position == last
        mine = demerits_of(items, tuple(b.position for b in found), measure, p)
        assert mine is not None and abs(mine - best) <= 1e-6 * max(1.0, best)


def runs_of_three(found: list[Break]) -> int:
    flags = [b.flagged for b in found]
    return sum(all(flags[i : i + 3]) for i in range(len(flags) - 2))


# A paragraph whose least-demerit breaking, with hyphens costing nothing extra in a
# row, hyphenates three lines running (found by a search over random paragraphs).
HYPHEN_LADDER = [
    [5.0], [4.0], [3.0, 5.0], [3.0], [4.0], [4.0, 2.0, 2.0], [3.0, 2.0, 4.0], [2.0, 2.0, 4.0],
    [3.0, 2.0, 3.0], [5.0, 5.0], [5.0], [2.0, 2.0, 2.0], [4.0], [5.0, 4.0, 3.0], [3.0, 2.0, 5.0],
    [3.0], [3.0], [2.0, 2.0, 4.0], [2.0], [2.0, 4.0], [2.0, 2.0], [2.0, 5.0, 2.0], [3.0],
    [2.0, 4.0, 5.0], [3.0], [5.0, 3.0], [4.0], [5.0, 5.0], [4.0, 5.0], [2.0, 2.0],
]  # fmt: skip


def test_no_more_than_two_hyphenated_lines_in_a_row() -> None:
    items = paragraph(HYPHEN_LADDER)
    lax = Params(tolerance=3.0, hyphen_run_demerits=0.0, max_hyphen_run=99)
    ladder = breaks(items, lambda _: 19.0, lax)
    assert ladder is not None and runs_of_three(ladder) > 0
    capped = breaks(items, lambda _: 19.0, lax._replace(max_hyphen_run=2))
    assert capped is not None and runs_of_three(capped) == 0


@pytest.mark.slow
def test_a_long_paragraph_is_set_in_linear_time() -> None:
    words = [[float(1 + (n * 7) % 4), float(1 + (n * 3) % 3)] for n in range(100_000)]
    items = paragraph(words)
    started = time.perf_counter()
    found = breaks(items, lambda _: 30.0)
    assert found is not None and found[-1].position == len(items) - 1
    assert time.perf_counter() - started < 20


def test_an_unbreakable_run_fails_fast() -> None:
    items: list[Item] = [Box(1.0)] * 200_000 + [Penalty(0, -INFINITY)]
    started = time.perf_counter()
    assert breaks(items, lambda _: 30.0) is None
    assert time.perf_counter() - started < 5


def test_the_modules_named_for_mypyc_run_compiled() -> None:
    """pyproject.toml names the typesetting's inner loops for mypyc: an install that
    left them as Python would set the same pages some 14 % slower, and say nothing."""
    import importlib
    import tomllib

    config = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text("utf-8"))
    named = config["tool"]["hatch"]["build"]["targets"]["wheel"]["hooks"]["mypyc"]["include"]
    assert named
    for path in named:
        module = importlib.import_module(path.strip("/").removesuffix(".py").replace("/", "."))
        assert module.__file__ and module.__file__.endswith(".so"), path
