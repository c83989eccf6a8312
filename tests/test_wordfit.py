"""Total fit by words against total fit by items: the same least demerits."""

from __future__ import annotations

import time
from collections.abc import Sequence

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from abstractbook.typeset.totalfit import Box, Glue, Item, Params, Penalty, breaks
from abstractbook.typeset.wordfit import End, Point, fit
from tests.test_totalfit import demerits_of, paragraph

HYPHEN_W, HYPHEN_COST, SPACE = 0.5, 50.0, 1.0


class Syllables:
    """Words of syllables, as `paragraph` lays them out in items."""

    def __init__(self, words: list[list[float]]) -> None:
        self.words = words
        self.widths = [sum(w) for w in words]
        self.spaces = [0.0] + [SPACE] * (len(words) - 1)
        self.stretch = [s / 2 for s in self.spaces]
        self.shrink = [s / 4 for s in self.spaces]  # as `paragraph`'s glue
        self.known: list[Sequence[Point] | None] = [None] * len(words)

    def points(self, n: int) -> list[Point]:
        syl = self.words[n]
        return [
            Point(k, HYPHEN_COST, True, True, sum(syl[:k]) + HYPHEN_W, sum(syl[k:]))
            for k in range(1, len(syl))
        ]

    def middle(self, n: int, start: int, point: Point) -> float:
        return sum(self.words[n][start : point.at]) + HYPHEN_W


def positions(items: list[Item], words: list[list[float]], ends: list[End]) -> tuple[int, ...]:
    """The items the word-level ends break at."""
    where: dict[tuple[int, int], int] = {}
    word, syllable = 0, 0
    for i, item in enumerate(items):
        if isinstance(item, Box):
            syllable += 1
        elif isinstance(item, Penalty) and item.flagged:
            where[(word, syllable)] = i
        elif isinstance(item, Glue) and item.stretch < 1e5:
            where[(word, -1)] = i
            word, syllable = word + 1, 0
    where[(len(words) - 1, -1)] = len(items) - 1
    return tuple(where[(e.word, e.at)] for e in ends)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.lists(st.integers(1, 4).map(float), min_size=1, max_size=3), min_size=1, max_size=12
    ),
    st.integers(6, 14),
)
# a line shrunk by exactly half: with glue shrinking by thirds, one way of summing put it
# in the tight class and the other not
@example(
    [
        [1.0, 1.0],
        [1.0] * 3,
        [2.0, 4.0, 1.0],
        [1.0],
        [1.0, 1.0, 3.0],
        [4.0, 1.0],
        [1.0],
        [4.0],
        [4.0],
        [1.0],
    ],
    14,
)
def test_words_and_items_give_the_same_least_demerits(
    words: list[list[float]], measure: int
) -> None:
    items = paragraph(words)
    p = Params(tolerance=3.0, max_active=1 << 20)
    by_items = breaks(items, lambda _: float(measure), p)
    by_words = fit(Syllables(words), lambda _: float(measure), p)
    assert (by_items is None) == (by_words is None)
    if by_items is not None and by_words is not None:
        mine = demerits_of(items, positions(items, words, by_words), measure, p)
        theirs = demerits_of(items, tuple(b.position for b in by_items), measure, p)
        assert mine is not None and theirs is not None
        assert abs(mine - theirs) <= 1e-6 * max(1.0, theirs)


@pytest.mark.slow
def test_a_paragraph_of_30_000_short_words_is_set_in_seconds() -> None:
    words = [[1.0]] * 30_000
    started = time.process_time()
    ends = fit(Syllables(words), lambda _: 40.0, Params(tolerance=3.0, max_active=32))
    assert ends is not None and ends[-1].word == len(words) - 1
    assert time.process_time() - started < 10
