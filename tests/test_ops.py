"""Drawing operations: where an item's operations land on the page, moved in a block,
and kept by the cache as plain values."""

from __future__ import annotations

import marshal
import pickle
from pathlib import Path

from abstractbook.typeset.layout import Item, item_digest
from abstractbook.typeset.ops import (
    KINDS,
    Dest,
    DisplayMath,
    Figure,
    Image,
    Link,
    MathSource,
    Op,
    PageRef,
    Rect,
    Rule,
    Text,
    drawn,
    offset,
    translate,
    undrawn,
)
from abstractbook.typeset.spans import Frag, Line

LINE = Line((Frag("word", "F", 9.0, 0.0, "#000000", None),), 20.0, 0, False)


def test_an_items_operations_land_below_its_top_on_the_page() -> None:
    """In an item y runs down from its top; on the page it runs up from the foot."""
    x0, top = 50.0, 500.0
    assert translate(Text(2.0, 10.0, 80.0, LINE), x0, top) == Text(52.0, 490.0, 80.0, LINE)
    assert translate(Dest("talk-a", 0.0, 3.0), x0, top) == Dest("talk-a", 50.0, 497.0)
    assert translate(Link(0.0, 0.0, 100.0, 20.0, "k"), x0, top) == Link(
        50.0, 500.0, 150.0, 480.0, "k"
    )
    assert translate(Rule(0.0, 4.0, 10.0, 4.0, 0.4, "#111111"), x0, top) == Rule(
        50.0, 496.0, 60.0, 496.0, 0.4, "#111111"
    )
    assert translate(PageRef("k", 100.0, 8.0, "F", 9.0, "#000000"), x0, top) == PageRef(
        "k", 150.0, 492.0, "F", 9.0, "#000000"
    )
    assert translate(DisplayMath("x", 9.0, 5.0, 12.0), x0, top) == DisplayMath(
        "x", 9.0, 55.0, 488.0
    )


def test_a_box_in_an_item_hangs_from_its_top_edge() -> None:
    """A box 30 high whose top is 10 below the item's top has its foot 40 below it."""
    assert translate(Rect(5.0, 10.0, 20.0, 30.0, "#eeeeee"), 50.0, 500.0) == Rect(
        55.0, 460.0, 20.0, 30.0, "#eeeeee"
    )


def test_offset_moves_every_kind_by_its_own_coordinates() -> None:
    assert offset(Dest("d", 1.0, 2.0), 0.0, 16.0) == Dest("d", 1.0, 18.0)
    assert offset(Text(1.0, 2.0, 80.0, LINE), 3.0, 4.0) == Text(4.0, 6.0, 80.0, LINE)
    assert offset(Link(0.0, 0.0, 10.0, 5.0, "k"), 3.0, 4.0) == Link(3.0, 4.0, 13.0, 9.0, "k")
    assert offset(Rule(0.0, 1.0, 2.0, 3.0, 0.3, "#000000"), 1.0, 1.0) == Rule(
        1.0, 2.0, 3.0, 4.0, 0.3, "#000000"
    )
    assert offset(Rect(0.0, 1.0, 2.0, 3.0, "#000000"), 1.0, 1.0) == Rect(
        1.0, 2.0, 2.0, 3.0, "#000000"
    )
    logo = Path("logo.png")
    assert offset(Image(logo, 0.0, 0.0, 5.0, 5.0), 1.0, 2.0) == Image(logo, 1.0, 2.0, 5.0, 5.0)


def test_a_justified_line_spreads_its_spare_width_over_its_spaces() -> None:
    justified = Line((Frag("a b c", "F", 9.0, 0.0, "#000000", None),), 50.0, 2, True)
    assert Text(0.0, 0.0, 60.0, justified).word_space == 5.0
    assert Text(0.0, 0.0, 60.0, justified._replace(justify=False)).word_space == 0.0
    assert Text(0.0, 0.0, 60.0, justified._replace(spaces=0)).word_space == 0.0


TWO_RUNS = Line(
    (
        Frag("emph", "F-Italic", 9.0, 0.0, "#000000", None, False, "Em#1"),
        Frag("\u05e9\u05dc", "F", 9.0, 2.5, "#1a1a1a", "https://x.org", True),
    ),
    41.5,
    1,
    True,
    3.0,
    1.02,
    0.1,
)
EVERY_KIND: list[Op] = [
    Text(2.0, 10.0, 80.0, TWO_RUNS, "Sect#3:talk-a/P#0"),
    Rule(0.0, 4.0, 10.0, 4.0, 0.4, "#111111"),
    Rect(1.0, 2.0, 3.0, 4.0, "#eeeeee", "Artifact"),
    Link(0.0, 0.0, 100.0, 20.0, "talk-a", "Sect#1:toc/Link"),
    Dest("talk-a", 0.0, 3.0),
    Image(Path("logo.png"), 1.0, 2.0, 30.0, 20.0, "Figure#logo"),
    PageRef("talk-a", 100.0, 8.0, "F", 9.0, "#000000"),
    DisplayMath("\\int_0^1 x", 9.0, 5.0, 12.0),
    MathSource(5.0, 12.0, 40.0, TWO_RUNS, "Formula#0"),
    Figure(Path("fig.pdf"), 2, 0.0, 100.0, 200.0, 90.0, "A plot", "Figure#f1"),
]


def test_every_kind_comes_back_from_the_plain_values_the_cache_keeps() -> None:
    """The cache pickles each operation `drawn`; reading it gives the same operation,
    of the same kind, nested lines and runs included."""
    ops = EVERY_KIND
    assert {type(op) for op in ops} == set(KINDS)
    for op in ops:
        back = undrawn(pickle.loads(pickle.dumps(drawn(op))))
        assert type(back) is type(op) and back == op
        if isinstance(op, Text | MathSource) and isinstance(back, Text | MathSource):
            assert [type(f) for f in back.line.frags] == [Frag, Frag]
            assert type(back.line) is Line
        if isinstance(op, Image | Figure) and isinstance(back, Image | Figure):
            assert type(back.path) is type(op.path)


def test_what_an_operation_draws_is_plain_values_only() -> None:
    """Page hashes and item digests read `drawn` values: tuples, strings and numbers,
    with no named tuple, path or other class of the code in them (which marshal's
    version 2, the digests' encoding, refuses)."""
    for op in EVERY_KIND:
        plain = drawn(op)
        assert plain[0] == KINDS[type(op)]
        marshal.dumps(plain, 2)  # type: ignore[arg-type]


def _item(ops: list[Op], height: float = 30.0) -> Item:
    return Item(height, tuple(ops))


class _Points(float):
    """A float of another class, as some libraries return (pypdf's numbers)."""


def test_a_value_marshal_cannot_write_is_digested_by_its_spelling() -> None:
    """A number of a float subclass in an operation is no crash: the digest spells the
    item out instead, and still tells a moved rule from the one before."""
    rule = Rule(0.0, _Points(4.0), 10.0, 4.0, 0.4, "#111111")
    first = item_digest(_item([rule]))
    assert item_digest(_item([rule])) == first
    assert item_digest(_item([rule._replace(y1=_Points(5.0))])) != first


def test_equal_items_digest_alike_and_any_change_shows() -> None:
    """An item's digest names what it draws: the same operations made again (new
    objects, a line read back from the cache) give the same digest; a line moved by a
    hundredth of a point, a word changed, another height give another."""
    made_again = [undrawn(pickle.loads(pickle.dumps(drawn(op)))) for op in EVERY_KIND]
    first = item_digest(_item(EVERY_KIND))
    assert item_digest(_item(made_again)) == first
    moved = [offset(op, 0.0, 0.01) if isinstance(op, Text) else op for op in EVERY_KIND]
    assert item_digest(_item(moved)) != first
    other_word = [
        Text(
            op.x, op.y, op.avail, op.line._replace(frags=(op.line.frags[0]._replace(text="emph."),))
        )
        if isinstance(op, Text)
        else op
        for op in EVERY_KIND
    ]
    assert item_digest(_item(other_word)) != first
    assert item_digest(_item(EVERY_KIND, height=30.5)) != first
