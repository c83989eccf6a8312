"""validate: the PDF standards a file is written to (`pdf.standard`, `--standard`).

x-4 is PDF/X-4 (ISO 15930-7, the printer's), a-2b and a-2u are PDF/A-2 (ISO 19005-2,
the archive's: b keeps the look, u adds text that copies as Unicode), ua-1 is PDF/UA-1
(ISO 14289-1, tagged for screen readers). The standards allow any of them together
(PDF/A-2 says how its output intent sits beside PDF/X-4's) but for the two PDF/A-2
levels, of which a file claims one.
"""

from __future__ import annotations

STANDARDS = ("x-4", "a-2b", "a-2u", "ua-1")
BOOK_DEFAULT = ("x-4",)  # the book goes to the printer
TALK_DEFAULT = ("a-2u", "ua-1")  # per-talk files go on the web, where readers listen too

_ALIASES = {"pdf/" + s: s for s in STANDARDS} | {"pdfx-4": "x-4", "pdfua-1": "ua-1"}


def standard_name(text: str) -> str:
    """`X-4`, `PDF/X-4` and `x-4` name the same standard."""
    word = text.strip().lower()
    return _ALIASES.get(word, word)


def combination_problem(names: tuple[str, ...]) -> str | None:
    """Why a file cannot claim all of `names` (known names, in order), or None."""
    seen = set()
    for n in names:
        if n in seen:
            return f"'{n}' is named twice"
        seen.add(n)
    if {"a-2b", "a-2u"} <= seen:
        return "a file claims one level of PDF/A-2: a-2u meets a-2b's rules and more, name one"
    return None


def ordered(names: tuple[str, ...]) -> tuple[str, ...]:
    """The standards in one order, so the same set gives the same file and cache key."""
    return tuple(s for s in STANDARDS if s in names)
