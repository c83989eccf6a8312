"""Where words break: the same points as pyphen gives, found faster."""

from __future__ import annotations

import pyphen
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from abstractbook.typeset.hyphenation import hyphen_points, patterns, read_patterns

LANGUAGES = ["en", "en_GB", "de", "fr", "nl", "hu", "ru"]
LETTERS = "abcdefghijklmnopqrstuvwxyzäöüßéèàçœñáőűАБВабвгдеёжзийклмнопрстуфхцчшщъыьэюя"


def pyphens(word: str, lang: str) -> list[int]:
    """What pyphen itself says, with the margins the book keeps (2 letters before
    the first break, 3 after the last)."""
    return pyphen.Pyphen(lang=patterns(lang), left=2, right=3).positions(word)


@settings(max_examples=150, deadline=None)
@given(st.text(LETTERS, min_size=5, max_size=24), st.sampled_from(LANGUAGES))
@example("hyphenation", "en")
@example("Silbentrennungsprogramm", "de")
@example("anticonstitutionnellement", "fr")
@example("megszentségteleníthetetlen", "hu")  # nonstandard breaks (ssz -> sz-sz)
def test_a_word_breaks_where_pyphen_breaks_it(word: str, lang: str) -> None:
    assert list(hyphen_points(word, lang)) == pyphens(word, lang)


@pytest.mark.parametrize(
    ("word", "points"),
    [("hyphenation", [2, 6]), ("typesetting", [4, 7]), ("organisers", [2, 5, 7])],
)
def test_english_words_break_as_the_us_patterns_have_it(word: str, points: list[int]) -> None:
    """hy-phen-ation, type-set-ting, or-gan-is-ers: as TeX's US patterns break them."""
    assert list(hyphen_points(word, "en")) == points


@pytest.mark.parametrize(
    "lang",
    # US and British English; a hex-escaped letter (af); nonstandard breaks (ca, hu);
    # dictionaries in ISO 8859-1, -2 and -7
    ["en_US", "en_GB", "af_ZA", "ca", "hu_HU", "de_DE", "cs_CZ", "el_GR"],
)
def test_a_dictionary_reads_as_pyphen_reads_it(lang: str) -> None:
    """The patterns read for a language are pyphen's own, pattern for pattern."""
    path = pyphen.LANGUAGES[lang]
    assert read_patterns(path) == pyphen.HyphDict(path).patterns


def test_the_patterns_loaded_before_the_workers_fork_are_the_ones_they_use() -> None:
    """A book's `en` is loaded before the workers fork, and the line breaker asks for
    `en_US`, the same patterns: they are read once, not again in every worker."""
    from abstractbook.typeset import hyphenation

    hyphenation.load_hyphenation("en")
    read = hyphenation._patterns_named.cache_info().misses
    word = "quintessentiallyunrepeatableword"
    assert hyphenation.hyphen_points(word, hyphenation.patterns("en"))
    assert hyphenation._patterns_named.cache_info().misses == read
