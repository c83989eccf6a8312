"""markup: Markdown (CommonMark with `$math$`) -> a small tree of blocks and runs.

Bodies are parsed by markdown-it-py, never by regular expressions, and become
plain data: text is kept exactly as typed, so no later stage can mistake a
user's `<b>` or `&amp;` for markup. Raw HTML and entity references are off, so
they print as typed; backslash escapes follow CommonMark.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.rules_inline import StateInline
    from markdown_it.token import Token

# Run styles.
REGULAR, ITALIC, BOLD, BOLD_ITALIC, MONO = "regular", "italic", "bold", "bold_italic", "mono"


@dataclass(frozen=True, slots=True)
class Run:
    """A stretch of text in one style; `text == "\\n"` is a hard line break."""

    text: str
    style: str = REGULAR
    href: str | None = None
    math: bool = False


@dataclass(frozen=True, slots=True)
class Paragraph:
    runs: tuple[Run, ...]
    kind: str = "text"  # text | heading | code | math (display)


@dataclass(frozen=True, slots=True)
class ListBlock:
    ordered: bool
    start: int
    items: tuple[tuple[Block, ...], ...]


Block = Paragraph | ListBlock


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    """Made on first use: a rebuild that reuses every laid-out talk parses nothing."""
    from markdown_it import MarkdownIt
    from mdit_py_plugins.dollarmath import dollarmath_plugin
    from mdit_py_plugins.dollarmath.index import math_inline_dollar

    class Parser(MarkdownIt):
        def validateLink(self, url: str) -> bool:  # noqa: N802 (markdown-it's name)
            return True  # every link parses; `live_link` decides which stay live

    md = Parser("commonmark", {"html": False})
    md.disable("entity")
    # pandoc's rule: "$5 and $10" stays prose.
    md.use(dollarmath_plugin, allow_space=False, allow_digits=False, double_inline=True)
    md.inline.ruler.at(
        "math_inline",
        _at_start_too(math_inline_dollar(allow_space=False, allow_digits=False, allow_double=True)),
    )
    return md


LIVE_SCHEMES = ("http", "https", "mailto")


def live_link(href: str) -> bool:
    """Whether a link may be live in the PDF: web and mail addresses and places in the
    book. Anything else (`javascript:`, `file:`, `smb:`, `data:`, a path on the
    reader's disk) prints as its text, so a PDF never asks a reader's viewer to run
    or open something local."""
    if href.startswith("#"):
        return True
    scheme, colon, rest = href.partition(":")
    return bool(colon) and scheme.lower() in LIVE_SCHEMES and bool(rest.strip("/"))


def refused_links(source: str) -> list[str]:
    """The link targets in Markdown `source` that print as text (for `check`)."""
    found = []
    for block in _parser().parse(source):
        for tok in block.children or []:
            href = str(tok.attrGet("href") or "") if tok.type == "link_open" else ""
            if href and not live_link(href):
                found.append(href)
    return found


def _at_start_too(rule: Callable[[StateInline, bool], bool]) -> Callable[[StateInline, bool], bool]:
    """The plugin's "no digit before the opening $" test reads src[pos - 1], which at the
    start of a paragraph is its last character: "$x$ costs 5" would not be math. Give it
    a text that does not end in a digit for that one look."""

    def rule_at_start(state: StateInline, silent: bool) -> bool:
        if state.pos == 0 and state.src[-1:].isdigit():
            src = state.src
            state.src = src + " "  # beyond posMax: never read as content
            try:
                return rule(state, silent)
            finally:
                state.src = src
        return rule(state, silent)

    return rule_at_start


@lru_cache(maxsize=4096)
def parse(source: str) -> tuple[Block, ...]:
    """Markdown source -> blocks. Cached: the same body is parsed once per process.

    Quotes and lists nested so deep that markdown-it stops (it drops what lies beyond
    its nesting limit) are printed as plain text instead, every line kept; `too_deep`
    says so, for a warning."""
    tokens = _parser().parse(source)
    if _cut_short(tokens):
        return tuple(Paragraph((Run(line.strip()),)) for line in source.split("\n") if line.strip())
    blocks, _ = _blocks(tokens, 0, None)
    return tuple(blocks)


def too_deep(source: str) -> bool:
    """Whether quotes and lists nest beyond what the Markdown parser reads (20 levels, a
    list item counting two): such a text is printed as plain lines."""
    if not _DEEP.search(source):  # the cheap test first: most texts nest little
        return False
    return _cut_short(_parser().parse(source))


_DEEP = re.compile(r"^[ \t>*+\-.)\d]{9,}", re.M)


def _cut_short(tokens: list[Token]) -> bool:
    limit = int(_parser().options.get("maxNesting", 20)) - 1
    return any(
        t.nesting == 1 and t.type not in ("paragraph_open", "heading_open") and t.level >= limit
        for t in tokens
    )


def plain(text: str) -> tuple[Block, ...]:
    """Plain text (titles, names) as one paragraph, every character literal."""
    return (Paragraph((Run(text),)),)


def _blocks(tokens: list[Token], i: int, close: str | None) -> tuple[list[Block], int]:
    out: list[Block] = []
    while i < len(tokens):
        tok = tokens[i]
        if close and tok.type == close:
            return out, i + 1
        if tok.type in ("paragraph_open", "heading_open"):
            inline = tokens[i + 1]
            kind = "heading" if tok.type == "heading_open" else "text"
            runs = _inline(inline.children or [], BOLD if kind == "heading" else REGULAR)
            if runs:
                out.append(Paragraph(runs, kind))
            i += 3
        elif tok.type in ("bullet_list_open", "ordered_list_open"):
            ordered = tok.type == "ordered_list_open"
            start = int(tok.attrGet("start") or 1) if ordered else 1
            items: list[tuple[Block, ...]] = []
            i += 1
            while tokens[i].type == "list_item_open":
                item, i = _blocks(tokens, i + 1, "list_item_close")
                items.append(tuple(item))
            out.append(ListBlock(ordered, start, tuple(items)))
            i += 1  # the list's close token
        elif tok.type in ("code_block", "fence"):
            for line in tok.content.rstrip("\n").split("\n"):
                out.append(Paragraph((Run(line or " ", MONO),), "code"))
            i += 1
        elif tok.type == "math_block":
            out.append(Paragraph((Run(tok.content.strip(), ITALIC, math=True),), "math"))
            i += 1
        elif tok.type == "blockquote_open":
            inner, i = _blocks(tokens, i + 1, "blockquote_close")
            out.extend(inner)
        else:  # hr, html (off), anything unknown: nothing to print
            i += 1
    return out, i


_STYLE_ON = {
    (REGULAR, "em"): ITALIC,
    (REGULAR, "strong"): BOLD,
    (ITALIC, "strong"): BOLD_ITALIC,
    (BOLD, "em"): BOLD_ITALIC,
    (ITALIC, "em"): ITALIC,
    (BOLD, "strong"): BOLD,
    (BOLD_ITALIC, "em"): BOLD_ITALIC,
    (BOLD_ITALIC, "strong"): BOLD_ITALIC,
}


def _inline(children: list[Token], base: str) -> tuple[Run, ...]:
    runs: list[Run] = []
    styles = [base]
    href: str | None = None
    for tok in children:
        t = tok.type
        style = styles[-1]
        if t == "text":
            runs.append(Run(tok.content, style, href))
        elif t == "softbreak":
            runs.append(Run(" ", style, href))
        elif t == "hardbreak":
            runs.append(Run("\n", style, href))
        elif t == "code_inline":
            runs.append(Run(tok.content, MONO, href))
        elif t in ("em_open", "strong_open"):
            styles.append(_STYLE_ON.get((style, t[:-5]), style))
        elif t in ("em_close", "strong_close"):
            if len(styles) > 1:
                styles.pop()
        elif t == "link_open":
            href = str(tok.attrGet("href") or "") or None
            if href is not None and not live_link(href):
                href = None
        elif t == "link_close":
            href = None
        elif t == "image":
            runs.append(Run(tok.content or str(tok.attrGet("src") or ""), style, href))
        elif t in ("math_inline", "math_inline_double"):
            runs.append(Run(tok.content, ITALIC, href, math=True))
        elif tok.content:
            runs.append(Run(tok.content, style, href))
    return tuple(_merge(runs))


def _merge(runs: list[Run]) -> list[Run]:
    """Join neighbouring runs of the same style so words are not split needlessly."""
    out: list[Run] = []
    for r in runs:
        if (
            out
            and r.text != "\n"
            and out[-1].text != "\n"
            and not r.math
            and not out[-1].math
            and (out[-1].style, out[-1].href) == (r.style, r.href)
        ):
            out[-1] = Run(out[-1].text + r.text, r.style, r.href)
        else:
            out.append(r)
    return out


def text_of(blocks: tuple[Block, ...]) -> str:
    """The words of blocks as one string (for search, checks and tests)."""
    parts: list[str] = []
    for b in blocks:
        if isinstance(b, Paragraph):
            parts.append("".join(r.text for r in b.runs))
        else:
            for item in b.items:
                parts.append(text_of(item))
    return "\n".join(parts)
