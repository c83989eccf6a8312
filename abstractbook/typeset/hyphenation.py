"""typeset, where a word may break: pyphen's points by language (asked once per word,
kept by the rebuild cache), a word's own hyphens, dashes and slashes, a URL's
punctuation, each at the price a copy editor puts on it."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pyphen

from .fonts import SHY

HYPHEN = "-"
URLISH = re.compile(r"^[a-z][a-z0-9+.-]*://|^www\.", re.I)
_BREAK = re.compile("[-–—/\u00ad]")  # where a word breaks without pyphen
_URL_BREAK = re.compile("[-–—/\u00ad.?&=_#:]")
_LETTER = re.compile(r"[^\W\d_]+")


# `language: en` hyphenates as US English, like TeX's default (pyphen's own `en` is
# British); `en_GB` asks for British patterns.
_PATTERNS = {"en": "en_US"}


def patterns(lang: str) -> str:
    """The pyphen patterns a `layout.language` hyphenates with."""
    return _PATTERNS.get(lang, lang)


LEFT, RIGHT = 2, 3  # letters a word keeps before its first break and after its last


class _Liang:
    """pyphen's patterns for one language, matched as pyphen matches them (Liang's
    algorithm: the same points), but each piece of a word is extended only while
    some pattern starts with it, where pyphen tries every piece up to its longest
    pattern (28 letters in English): a word costs a third as much, and a cold
    book's or export's talks hyphenate some 7,000 words."""

    def __init__(self, patterns: dict[str, tuple[int, tuple[int, ...]]]) -> None:
        self.patterns = patterns
        self.starts = {p[:k] for p in self.patterns for k in range(1, len(p) + 1)}

    def positions(self, word: str) -> list[int]:
        """Where `word` (letters only) may break, at least LEFT and RIGHT letters in."""
        dotted = f".{word.lower()}."
        n = len(dotted)
        levels = [0] * (n + 2)
        patterns, starts = self.patterns, self.starts
        for i in range(n - 1):
            for j in range(i + 1, n + 1):
                piece = dotted[i:j]
                if piece not in starts:
                    break
                found = patterns.get(piece)
                if found:
                    at = i + found[0]
                    for value in found[1]:
                        if value > levels[at]:
                            levels[at] = value
                        at += 1
        last = len(word) - RIGHT
        return [i - 1 for i in range(LEFT + 1, last + 2) if levels[i] % 2]


def _hyphenator(lang: str) -> _Liang:
    """The patterns `lang` hyphenates with, read once a process however `lang` is
    spelt: the book's `en` is loaded before the workers fork, and they hyphenate
    with `en_US`, the same patterns."""
    return _patterns_named(patterns(lang))


@lru_cache(maxsize=16)
def _patterns_named(name: str) -> _Liang:
    return _Liang(read_patterns(pyphen.LANGUAGES[pyphen.language_fallback(name)]))


_IGNORED = (  # comments and settings, as pyphen skips them
    "%",
    "#",
    "LEFTHYPHENMIN",
    "RIGHTHYPHENMIN",
    "COMPOUNDLEFTHYPHENMIN",
    "COMPOUNDRIGHTHYPHENMIN",
)
_HEX = re.compile(r"\^{2}([0-9a-f]{2})")


def read_patterns(path: Path) -> dict[str, tuple[int, tuple[int, ...]]]:
    """A pyphen dictionary's patterns, read as pyphen reads them (`HyphDict.patterns`:
    each pattern's letters -> where its first nonzero value falls and the values from
    there), but by compiled code, in two fifths of the time: a cold build waits for it
    before its workers start."""
    with path.open("rb") as f:
        encoding = f.readline().decode()
    if encoding.lower() == "microsoft-cp1251":
        encoding = "cp1251"
    found: dict[str, tuple[int, tuple[int, ...]]] = {}
    for line in path.read_text(encoding).split("\n")[1:]:
        pattern = line.strip()
        if not pattern or pattern.startswith(_IGNORED):
            continue
        if "^^" in pattern:
            pattern = _HEX.sub(lambda m: chr(int(m.group(1), 16)), pattern)
        if "/" in pattern and "=" in pattern:  # a nonstandard break: its pattern alone
            pattern = pattern.partition("/")[0]
        letters: list[str] = []
        values: list[int] = []
        i, n = 0, len(pattern)
        while True:  # as re.findall(r"(\d?)(\D?)") pairs them, its last match empty
            value = 0
            if i < n and pattern[i].isdecimal():
                value = int(pattern[i])
                i += 1
            if i < n and not pattern[i].isdecimal():
                letters.append(pattern[i])
                i += 1
            values.append(value)
            if i >= n:
                break
        if max(values) == 0:
            continue
        start, end = 0, len(values)
        while not values[start]:
            start += 1
        while not values[end - 1]:
            end -= 1
        found["".join(letters)] = (start, tuple(values[start:end]))
    return found


# Hyphenation points by (word, language): pyphen is asked once per word. The rebuild
# cache keeps them (`hyphenation`, `remember`): loading pyphen's patterns costs more
# than a late change's few paragraphs.
_POINTS: dict[tuple[str, str], tuple[int, ...]] = {}
_FOUND: dict[tuple[str, str], tuple[int, ...]] = {}  # asked of pyphen since `found_points`


def hyphen_points(word: str, lang: str) -> tuple[int, ...]:
    """Hyphenation points inside the letters of a word."""
    known = _POINTS.get((word, lang))
    if known is not None:
        return known
    points: list[int] = []
    for m in _LETTER.finditer(word):
        core = m.group()
        if len(core) >= 5 and core.isalpha():
            points += [m.start() + p for p in _hyphenator(lang).positions(core)]
    known = _POINTS[(word, lang)] = _FOUND[(word, lang)] = tuple(points)
    return known


def load_hyphenation(lang: str) -> None:
    """Load pyphen's patterns for `lang` now (before worker processes fork, say)."""
    _hyphenator(lang)


def remember_points(points: dict[tuple[str, str], tuple[int, ...]]) -> None:
    """Hyphenation points found earlier (by another process or build)."""
    _POINTS.update(points)


def found_points() -> dict[tuple[str, str], tuple[int, ...]]:
    """The points asked of pyphen since the last call (a worker's, for its parent)."""
    found = dict(_FOUND)
    _FOUND.clear()
    return found


def known_points() -> dict[tuple[str, str], tuple[int, ...]]:
    return dict(_POINTS)


# A hyphen costs more than any line whose spaces stay under 0.5 em (TeX's 50 would
# hyphenate a third of our lines): paragraphs hyphenate where the spacing needs it.
HYPHEN_PENALTY = 1000.0
# What a break costs beyond that in a word a copy editor would rather not see broken
# (`_level`): with a capital or a digit (a name, "ReLU", "CIFAR-10"), then inside a
# compound, which breaks at its own hyphen. Dearer than any line within tolerance,
# so taken only where the paragraph cannot be set otherwise.
LEVEL_PENALTY = (0.0, 3000.0, 30000.0)


@lru_cache(maxsize=1 << 16)
def text_breaks(text: str, lang: str | None) -> tuple[tuple[int, bool, float], ...]:
    """Where a word may break: (position, whether a hyphen is added, cost). After its
    own hyphens, dashes and slashes, at soft hyphens, a URL at its punctuation, and at
    pyphen's points at a price that says how much a copy editor minds (`_level`);
    memoised by content, as words repeat."""
    if len(text) < 4:
        return ()
    points: dict[int, tuple[bool, float]] = {}
    url = bool(URLISH.match(text))
    for m in (_URL_BREAK if url else _BREAK).finditer(text, 1, len(text) - 2):
        i = m.end()
        c = text[i - 1]
        cost = HYPHEN_PENALTY if c in (SHY, HYPHEN) and not url else 0.0
        if c == HYPHEN and text[i].isdigit():  # "CIFAR-" / "10"
            cost += LEVEL_PENALTY[1]
        points[i] = (c == SHY, cost)
    if lang and not url:
        cost = HYPHEN_PENALTY + LEVEL_PENALTY[_level(text)]
        for p in hyphen_points(text.replace(SHY, "-"), lang):
            points.setdefault(p, (True, cost))
    return tuple((at, hyphen, cost) for at, (hyphen, cost) in sorted(points.items()))


def _level(text: str) -> int:
    """How much a copy editor minds pyphen breaking a word: 0 not at all; 1 a word
    with a digit or a capital (a name, "ReLU"); 2 a compound, which breaks at its own
    hyphen."""
    if "-" in text or "–" in text:
        return 2
    if any(c.isdigit() or c.isupper() for c in text):
        return 1
    return 0
