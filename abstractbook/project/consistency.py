"""validate, part three: checks across records -> warnings an organiser wants to see.

Records arrive from many speakers, so the same institute or person is spelt
several ways; the index and the affiliation lists would then print each spelling
separately. We compare folded forms and name the spelling most records use.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable

from .model import fold
from .sources import Node
from .values import Reader

LONG_TITLE = 200
"""Characters; longer titles crowd the contents page and the running heads."""

# Folded words an affiliation may be abbreviated to, and what they stand for.
_ABBREVIATIONS = {
    "univ": "university",
    "uni": "university",
    "inst": "institute",
    "dept": "department",
    "dep": "department",
    "lab": "laboratory",
    "labs": "laboratories",
    "natl": "national",
    "nat": "national",
    "ctr": "center",
    "centre": "center",
    "intl": "international",
    "tech": "technology",
    "coll": "college",
    "hosp": "hospital",
    "sch": "school",
    "acad": "academy",
    "sci": "science",
    "math": "mathematics",
}
_FILLER = frozenset({"the", "of", "for", "and", "at", "in"})
_WORD = re.compile(r"[^\W_]+")


def affiliation_key(text: str) -> str:
    """What stays of an affiliation once case, accents, punctuation and abbreviations go."""
    words = _WORD.findall(_fold(text.replace("&", " and ")))
    return " ".join(_ABBREVIATIONS.get(w, w) for w in words if w not in _FILLER)


def name_key(name: str) -> str:
    """A person's name without case, accents and punctuation ('Jean-Pierre' = 'Jean Pierre')."""
    return " ".join(_WORD.findall(_fold(name)))


def title_key(title: str) -> str:
    return " ".join(_fold(title).split())


def _fold(text: str) -> str:
    """`model.fold`, with the common all-ASCII case (nothing to decompose) made cheap."""
    return text.casefold() if text.isascii() else fold(text)


def check_spellings(
    reader: Reader, affiliations: Iterable[tuple[str, Node]], names: Iterable[tuple[str, Node]]
) -> None:
    """Warn where an affiliation or a person is spelt unlike most other records."""
    _variants(reader, list(affiliations), affiliation_key, "affiliation")
    _variants(reader, list(names), name_key, "name")


def check_titles(reader: Reader, titles: Iterable[tuple[str, str, Node]]) -> None:
    """Warn about very long titles and two abstracts with the same title."""
    first: dict[str, tuple[str, Node]] = {}
    for talk_id, title, node in titles:
        if len(title) > LONG_TITLE:
            reader.warn(
                node,
                f"title is {len(title)} characters long",
                f"titles over {LONG_TITLE} characters crowd the contents page",
            )
        key = title_key(title)
        if key in first:
            other_id, other = first[key]
            reader.warn(node, f"same title as '{other_id}' ({other.location})")
        else:
            first[key] = (talk_id, node)


def _variants(
    reader: Reader, occurrences: list[tuple[str, Node]], key: Callable[[str], str], what: str
) -> None:
    """Each spelling that differs from the most frequent one of its group gets a warning.

    One warning per file and spelling: a variant repeated for five authors of one
    abstract is one mistake to fix, not five.
    """
    keys: dict[str, str] = {}  # text -> its key; the same text recurs often
    groups: dict[str, Counter[str]] = {}
    for text, _ in occurrences:
        if text not in keys:
            keys[text] = key(text)
        groups.setdefault(keys[text], Counter())[text] += 1
    order = {text: i for i, text in enumerate(keys)}
    warned: set[tuple[str, str]] = set()
    for text, node in occurrences:
        group_key = keys[text]
        counts = groups[group_key]
        if len(counts) < 2 or not group_key:
            continue
        preferred = max(counts, key=lambda s: (counts[s], -order[s]))
        marker = (str(node.location.path), text)
        if text != preferred and marker not in warned:
            warned.add(marker)
            reader.warn(
                node,
                f"{what} '{text}' is spelt '{preferred}' elsewhere ({_times(counts[preferred])})",
                f"did you mean '{preferred}'?",
            )


def _times(count: int) -> str:
    return {1: "once", 2: "twice"}.get(count, f"{count} times")
