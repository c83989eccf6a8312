"""model, text: what was typed -> real punctuation (dashes, ellipses, the language's quotes).

One rule for every field: Markdown bodies get it through markdown-it's core chain
(`markup.parse`), plain fields (titles, names, affiliations) through the same rules
run on one text token (`refine`), so a title and its abstract never disagree. Code
spans, math and links' targets are tokens of their own and never touched; web
addresses inside prose are cut out of the text tokens first, so `a--b` in a URL
stays as typed. A backslash-escaped quote (`\\"`) stays straight.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.rules_core import StateCore
    from markdown_it.token import Token

# Quotation marks by language: double open, double close, single open, single close.
# French ones carry a narrow no-break space inside (U+202F), as the Imprimerie
# nationale's rules ask; languages not listed take the English marks.
NNBSP = "\u202f"
ENGLISH = ("\u201c", "\u201d", "\u2018", "\u2019")  # “ ” ‘ ’
GERMAN = ("\u201e", "\u201c", "\u201a", "\u2018")  # „ “ ‚ ‘
GUILLEMETS = ("\u00ab", "\u00bb", "\u201c", "\u201d")  # « » “ ”
FRENCH = ("\u00ab" + NNBSP, NNBSP + "\u00bb", "\u201c", "\u201d")
SWISS = ("\u00ab", "\u00bb", "\u2039", "\u203a")  # « » ‹ ›
POLISH = ("\u201e", "\u201d", "\u00ab", "\u00bb")  # „ ” « »
RUSSIAN = ("\u00ab", "\u00bb", "\u201e", "\u201c")  # « » „ “
NORDIC = ("\u201d", "\u201d", "\u2019", "\u2019")  # ” ” ’ ’
HUNGARIAN = ("\u201e", "\u201d", "\u00bb", "\u00ab")  # „ ” » «
QUOTES: dict[str, tuple[str, str, str, str]] = {
    "de": GERMAN,
    "de_CH": SWISS,
    "cs": GERMAN,
    "sk": GERMAN,
    "sl": GERMAN,
    "et": GERMAN,
    "lt": GERMAN,
    "is": GERMAN,
    "bg": GERMAN,
    "hr": POLISH,
    "ro": POLISH,
    "pl": POLISH,
    "nl": POLISH[:2] + ENGLISH[2:],
    "fr": FRENCH,
    "es": GUILLEMETS,
    "ca": GUILLEMETS,
    "gl": GUILLEMETS,
    "it": GUILLEMETS,
    "pt": GUILLEMETS,
    "pt_BR": ENGLISH,
    "el": GUILLEMETS,
    "nb": GUILLEMETS[:2] + ENGLISH[2:],
    "nn": GUILLEMETS[:2] + ENGLISH[2:],
    "ru": RUSSIAN,
    "uk": RUSSIAN,
    "be": RUSSIAN,
    "sv": NORDIC,
    "fi": NORDIC,
    "hu": HUNGARIAN,
}


def quotes_for(language: str) -> tuple[str, str, str, str]:
    """The marks of a pyphen language name (`de_AT` -> German, `fr_FR` -> French)."""
    name = language.replace("-", "_")
    return QUOTES.get(name) or QUOTES.get(name.split("_")[0]) or ENGLISH


# Web addresses in prose (not Markdown links: those keep their target apart anyway).
URL = re.compile(r"\b(?:[a-z][a-z0-9+.\-]*://|www\.|doi:)[^\s<>\"]*[^\s<>\"'.,;:!?)\]]", re.I)
EM_DASH = re.compile(r"(?<!-)---(?!-)")
EN_DASH = re.compile(r"(?<!-)--(?!-)")
ELLIPSIS = re.compile(r"(?<!\.)\.\.\.(?!\.)")
SPACED_HYPHEN = re.compile(r"(?<= )-(?= )")


def punctuate(text: str) -> str:
    """`---` -> em dash, `--` and a hyphen with a space on each side ("learning -
    biological constraints", a typewriter's dash) -> en dash, `...` -> ellipsis;
    longer runs stay as typed."""
    if "--" in text:
        text = EN_DASH.sub("\u2013", EM_DASH.sub("\u2014", text))
    if " - " in text:
        text = SPACED_HYPHEN.sub("\u2013", text)
    if "..." in text:
        text = ELLIPSIS.sub("\u2026", text)
    return text


def _may_hold_url(text: str) -> bool:
    """Whether `text` holds what every match of `URL` starts with: a cheap test that
    spares most paragraphs the search, which tries the scheme at every word."""
    if "://" in text:
        return True
    lowered = text.lower()
    return "www." in lowered or "doi:" in lowered


def split_urls(state: StateCore) -> None:
    """A core rule: web addresses inside text tokens become tokens of their own
    (`text_url`), which neither the dashes nor the quotes rule reads."""

    for block in state.tokens:
        if block.type != "inline" or not block.children or not _may_hold_url(block.content):
            continue
        if not URL.search(block.content):
            continue
        children: list[Token] = []
        for tok in block.children:
            if tok.type != "text" or not URL.search(tok.content):
                children.append(tok)
                continue
            pos = 0
            for m in URL.finditer(tok.content):
                if m.start() > pos:
                    children.append(_text(tok, "text", tok.content[pos : m.start()]))
                children.append(_text(tok, "text_url", m.group()))
                pos = m.end()
            if pos < len(tok.content):
                children.append(_text(tok, "text", tok.content[pos:]))
        block.children = children


def _text(like: Token, kind: str, content: str) -> Token:
    from markdown_it.token import Token

    return Token(kind, "", 0, content=content, level=like.level)


def dashes(state: StateCore) -> None:
    """A core rule: `punctuate` on prose text tokens, outside autolinks."""
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        in_autolink = 0
        for tok in block.children:
            if tok.type == "link_open" and tok.info == "auto":
                in_autolink += 1
            elif tok.type == "link_close" and tok.info == "auto":
                in_autolink -= 1
            elif tok.type == "text" and not in_autolink:
                tok.content = punctuate(tok.content)


def apostrophes(state: StateCore) -> None:
    """A core rule after the quotes: a straight single quote that opened nothing that
    closed ('90s, rock 'n' roll) is an apostrophe."""
    for block in state.tokens:
        if block.type == "inline" and block.children and "'" in block.content:
            for tok in block.children:
                if tok.type == "text":
                    tok.content = tok.content.replace("'", "\u2019")


def set_up(md: MarkdownIt, language: str) -> MarkdownIt:
    """Turn on real punctuation in a markdown-it parser: our dashes rule instead of
    markdown-it's `replacements` (which also makes "(c)" a ©: panel (c) of a figure is
    not a copyright), and its smart quotes with the language's marks."""
    md.options["typographer"] = True
    md.options["quotes"] = list(quotes_for(language))
    md.core.ruler.before("smartquotes", "split_urls", split_urls)
    md.core.ruler.before("smartquotes", "dashes", dashes)
    md.core.ruler.after("smartquotes", "apostrophes", apostrophes)
    md.enable("smartquotes")
    md.disable("replacements", ignoreInvalid=True)
    return md


@lru_cache(maxsize=16)
def _plain_parser(language: str) -> MarkdownIt:
    from markdown_it import MarkdownIt

    return set_up(MarkdownIt("zero"), language)


class Refiner:
    """`refine` with the answers of an earlier build (by content: the input cache keeps
    them), so that a rebuild does not punctuate a thousand titles and names again;
    `used` holds this build's, for the next."""

    def __init__(self, known: dict[tuple[str, str], str] | None = None) -> None:
        self.known = known or {}
        self.used: dict[tuple[str, str], str] = {}

    def __call__(self, text: str, language: str) -> str:
        key = (text, language)
        got = self.used.get(key)
        if got is None:
            got = self.known.get(key)
            if got is None:
                got = refine(text, language)
            self.used[key] = got
        return got


@lru_cache(maxsize=1 << 14)
def refine(text: str, language: str) -> str:
    """A plain field (title, name, affiliation) with real punctuation; every other
    character as typed (no Markdown is read)."""
    if not any(c in text for c in "-.'\""):
        return text
    from markdown_it.rules_core import StateCore
    from markdown_it.token import Token

    md = _plain_parser(language)
    inline = Token("inline", "", 0, content=text, children=[Token("text", "", 0, content=text)])
    state = StateCore(text, md, {})
    state.tokens = [inline]
    for rule in md.core.ruler.getRules(""):
        if rule.__name__ in ("split_urls", "dashes", "smartquotes", "apostrophes"):
            rule(state)
    return "".join(tok.content for tok in inline.children or [])
