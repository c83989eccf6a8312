"""lines: the line breaker keeps every word, fits the width, hyphenates, splits long tokens."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from abstractbook.lines import break_lines, width
from abstractbook.model import Settings
from abstractbook.spans import Span
from abstractbook.theme import make_theme

FONT = make_theme(Settings("T")).text["regular"]


def text_of(lines: list) -> str:  # type: ignore[type-arg]
    return " ".join("".join(f.text for f in ln.frags) for ln in lines)


def test_fits_and_keeps_words() -> None:
    words = ("computational neuroscience " * 30).strip()
    lines = break_lines([Span(words, FONT, 9.5, "#000")], 200, lang=None)
    assert all(ln.width <= 200 + 0.2 * ln.spaces * width(" ", FONT, 9.5) + 0.01 for ln in lines)
    assert text_of(lines).split() == words.split()
    assert not lines[-1].justify and all(ln.justify for ln in lines[:-1])


def test_hyphenates_when_it_helps() -> None:
    words = "characterization " * 20
    lines = break_lines([Span(words, FONT, 9.5, "#000")], 150, lang="en")
    assert any("".join(f.text for f in ln.frags).endswith("-") for ln in lines)
    assert "".join("".join(f.text for f in ln.frags).rstrip("-") for ln in lines).replace(
        " ", ""
    ) == words.replace(" ", "")


def test_long_tokens_split_within_the_width() -> None:
    url = "https://example.org/" + "/".join(["segment"] * 60)
    word = "x" * 3000
    for token in (url, word):
        lines = break_lines([Span(f"see {token} end", FONT, 9.5, "#000")], 120, lang="en")
        assert all(ln.width <= 120.01 for ln in lines if not ln.justify)
        assert token in text_of(lines).replace(" ", "") or token.replace("/", "") in text_of(
            lines
        ).replace(" ", "").replace("/", "")


@pytest.mark.parametrize("text", ["", " ", "\n", "a\nb"])
def test_edge_cases(text: str) -> None:
    assert break_lines([Span(text, FONT, 9.5, "#000")], 100, lang="en")


@settings(max_examples=60, deadline=None)
@given(
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=0x24F), max_size=300),
    st.floats(min_value=40, max_value=400),
)
def test_never_wider_than_allowed(text: str, avail: float) -> None:
    for ln in break_lines([Span(text, FONT, 9.5, "#000")], avail, lang="en"):
        slack = 0.2 * ln.spaces * width(" ", FONT, 9.5) if ln.justify else 0.0
        assert ln.width <= avail + slack + 0.01
