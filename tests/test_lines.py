"""lines: the line breaker keeps every word, fits the width, hyphenates, splits long tokens."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from abstractbook.project.model import Settings
from abstractbook.typeset.lines import break_lines, width
from abstractbook.typeset.spans import Span
from abstractbook.typeset.theme import make_theme

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


@pytest.mark.parametrize(
    "run",
    [
        "x" * 5000,
        "https://example.org/" + "seg/" * 1500,
        "ab\u00ad" * 2000,
        "中" * 3000,
        "see " + "y-" * 2000 + " end",
    ],
    ids=["letters", "url", "soft hyphens", "cjk", "after a word"],
)
def test_a_long_run_is_broken_within_the_width_keeping_every_character(run: str) -> None:
    lines = break_lines([Span(run, FONT, 9.5, "#000")], 150, lang="en")
    assert all(ln.width <= 150.01 for ln in lines)
    printed = "".join("".join(f[0] for f in ln.frags) for ln in lines)
    if "\u00ad" in run:  # a soft hyphen prints as a hyphen where the line breaks, else nothing
        assert printed.replace("-", "") == run.replace("\u00ad", "")
        assert sum(1 for ln in lines if ln.frags[-1][0].endswith("-")) >= len(lines) - 1
    else:
        assert printed.replace(" ", "") == run.replace(" ", "")


def test_a_long_run_takes_time_proportional_to_its_length() -> None:
    import time

    def seconds(n: int) -> float:
        start = time.perf_counter()
        break_lines([Span("q" * n, FONT, 9.5, "#000")], 200, lang="en")
        return time.perf_counter() - start

    seconds(1000)  # warm the width memo
    small, large = seconds(20_000), seconds(160_000)
    assert large < 20 * small + 0.5  # 8 times the text: linear, not 64 times
