"""markup: CommonMark to blocks, every character kept as typed."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from abstractbook.project.markup import (
    BOLD,
    ITALIC,
    MONO,
    Figure,
    ListBlock,
    Paragraph,
    parse,
    text_of,
)


def test_structure() -> None:
    blocks = parse("One *two* **three** `four` [five](https://x.org)\n\n1. a\n   - b\n2. c\n")
    para, lst = blocks
    assert isinstance(para, Paragraph) and isinstance(lst, ListBlock)
    styles = {r.text.strip(): r.style for r in para.runs if r.text.strip()}
    assert styles["two"] == ITALIC and styles["three"] == BOLD and styles["four"] == MONO
    assert [r.href for r in para.runs if r.text == "five"] == ["https://x.org"]
    assert lst.ordered and lst.start == 1 and len(lst.items) == 2
    assert isinstance(lst.items[0][1], ListBlock) and not lst.items[0][1].ordered


def test_typed_text_stays_literal() -> None:
    text = "<b>x</b> </para> &amp; & AT&T; C:\\Users costs $5 and $10"
    assert text_of(parse(text)) == text


def test_math_follows_pandoc() -> None:
    (para,) = parse("$x^2$ and $$E=mc^2$$ but not $ x$ or $5 and $10")
    maths = [r.text for r in para.runs if r.math]  # type: ignore[union-attr]
    assert maths == ["x^2", "E=mc^2"]


def test_hard_break() -> None:
    (para,) = parse("one  \ntwo")
    assert [r.text for r in para.runs] == ["one", "\n", "two"]  # type: ignore[union-attr]


def letters(text: str) -> list[str]:
    return [c for c in text if c.isalpha()]


# Letters of any script mixed with the characters Markdown gives a meaning to (emphasis,
# headings, quotes, lists, setext and hard-break backslashes, math, HTML-like text).
MARKDOWNISH = st.text(
    st.characters(categories=("L",)) | st.sampled_from(list(" *_#>-+=.$()|&<\n1\\")),
    max_size=200,
)


@settings(max_examples=200, deadline=None)
@given(MARKDOWNISH)
def test_markup_never_loses_or_reorders_a_letter(text: str) -> None:
    """Markup may take away marks, never words: every letter typed reaches the page,
    in the order typed."""
    assert letters(text_of(parse(text))) == letters(text)


@settings(deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200))
def test_any_text_gives_blocks_of_runs(text: str) -> None:
    for block in parse(text):
        assert isinstance(block, Paragraph | ListBlock | Figure)


def test_an_image_is_a_figure_between_the_text_around_it() -> None:
    blocks = parse("Before ![A *curve*\nover two lines](f/c.svg){width=60%} after.")
    assert [type(b).__name__ for b in blocks] == ["Paragraph", "Figure", "Paragraph"]
    figure = blocks[1]
    assert isinstance(figure, Figure)
    assert (figure.src, figure.width, figure.alt) == ("f/c.svg", "60%", "A curve over two lines")
    assert [r.style for r in figure.caption if r.text == "curve"] == ["italic"]
    assert text_of(blocks).replace("\n", "|") == "Before |A curve over two lines| after."


def test_a_caption_citing_a_reference_keeps_the_figures_width() -> None:
    """`[3]` inside a caption: the width still applies and never prints as text."""
    blocks = parse("![Tuning, as in [3].](f/c.svg){width=85%}\n\nNext paragraph.")
    assert [type(b).__name__ for b in blocks] == ["Figure", "Paragraph"]
    figure = blocks[0]
    assert isinstance(figure, Figure) and figure.width == "85%"
    assert "{" not in text_of(blocks)


def test_a_figure_takes_its_alt_text_and_quoted_width() -> None:
    (figure,) = parse('![Caption](f.pdf#page=2){width="40%" alt="Read aloud"}')
    assert isinstance(figure, Figure)
    assert (figure.src, figure.width, figure.alt) == ("f.pdf#page=2", "40%", "Read aloud")


def test_a_figure_names_its_file_as_typed() -> None:
    """The parser percent-encodes link destinations; a figure's file is what was typed."""
    first, second = parse("![c](figures/größe.png) ![d](<my plot.pdf#page=2>){width=40%}")
    assert isinstance(first, Figure) and isinstance(second, Figure)
    assert (first.src, second.src) == ("figures/größe.png", "my plot.pdf#page=2")
    assert second.width == "40%"
