"""markup: Markdown (CommonMark with `$math$`) -> a small tree of blocks and runs.

Bodies are parsed by markdown-it-py, never by regular expressions, and become
plain data: text is kept exactly as typed, so no later stage can mistake a
user's `<b>` or `&amp;` for markup. Raw HTML and entity references are off, so
they print as typed; backslash escapes follow CommonMark. With real punctuation on
(`language` given), dashes, ellipses and quotes become the language's own
(`typography.py`); code spans, math and web addresses keep what was typed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import unquote

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


@dataclass(frozen=True, slots=True)
class Figure:
    """`![Caption](figures/f.png){width=60%}`: a figure with its caption below."""

    src: str
    caption: tuple[Run, ...]
    alt: str  # the caption's words, or the `alt` attribute
    width: str | None = None  # as written: "60%"


Block = Paragraph | ListBlock | Figure


@lru_cache(maxsize=8)
def _parser(language: str | None = None) -> MarkdownIt:
    """Made on first use: a rebuild that reuses every laid-out talk parses nothing.
    `language`: real punctuation in that language's way; None: characters as typed."""
    from markdown_it import MarkdownIt
    from mdit_py_plugins.attrs import attrs_plugin
    from mdit_py_plugins.dollarmath import dollarmath_plugin
    from mdit_py_plugins.dollarmath.index import math_inline_dollar

    class Parser(MarkdownIt):
        def validateLink(self, url: str) -> bool:  # noqa: N802 (markdown-it's name)
            return True  # every link parses; `live_link` decides which stay live

    md = Parser("commonmark", {"html": False})
    md.disable("entity")
    md.use(attrs_plugin, after=("image",))  # ![Caption](f.png){width=60%}
    # pandoc's rule: "$5 and $10" stays prose.
    md.use(dollarmath_plugin, allow_space=False, allow_digits=False, double_inline=True)
    md.inline.ruler.at(
        "math_inline",
        _at_start_too(math_inline_dollar(allow_space=False, allow_digits=False, allow_double=True)),
    )
    if language is not None:
        from .typography import set_up

        set_up(md, language)
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
def parse(source: str, language: str | None = None) -> tuple[Block, ...]:
    """Markdown source -> blocks, with real punctuation for `language` when given.
    Cached: the same body is parsed once per process.

    Quotes and lists nested so deep that markdown-it stops (it drops what lies beyond
    its nesting limit) are printed as plain text instead, every line kept; `too_deep`
    says so, for a warning."""
    if "](" in source and "{" in source:
        source = _FIGURE_ATTRS.sub(_quoted_percent, source)
    tokens = _parser(language).parse(source)
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


# The attrs plugin reads `%` as the start of a comment: pandoc's `{width=60%}` is
# given to it as `{width="60%"}`.
# The alt text holds no bracket: a scan from each `![` stops at the next one, so a
# text of thousands of them is read in linear time.
# A caption may hold bracketed text of its own (a citation, "[3]"), one level deep;
# each character matches one way only, so a failed match costs its length.
_FIGURE_ATTRS = re.compile(
    r"(!\[(?:[^\[\]]|\[[^\[\]]*\])*\]\((?:<[^>\n]*>|[^)\s]*)\))\{([^}\n]*)\}"
)
_PERCENT = re.compile(r'(\w+)=([^\s"}]*%)')


def _quoted_percent(m: re.Match[str]) -> str:
    return m.group(1) + "{" + _PERCENT.sub(r'\1="\2"', m.group(2)) + "}"


def figures(blocks: tuple[Block, ...]) -> list[Figure]:
    """The figures of some blocks, in reading order."""
    out: list[Figure] = []
    for b in blocks:
        if isinstance(b, Figure):
            out.append(b)
        elif isinstance(b, ListBlock):
            for item in b.items:
                out += figures(item)
    return out


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
            base = BOLD if kind == "heading" else REGULAR
            for part in _around_images(inline.children or []):
                if isinstance(part, Figure):
                    out.append(part)
                elif runs := _inline(part, base):
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


def _around_images(children: list[Token]) -> list[list[Token] | Figure]:
    """A paragraph's inline tokens split at its images: each image is a figure of its
    own between the text before and after it."""
    parts: list[list[Token] | Figure] = [[]]
    for tok in children:
        if tok.type != "image":
            part = parts[-1]
            if isinstance(part, list):
                part.append(tok)
            continue
        caption = _inline(tok.children or [], REGULAR)
        words = "".join(r.text for r in caption).strip()
        alt = str(tok.attrs.get("alt") or "") or words
        width = tok.attrs.get("width")
        # the parser percent-encodes a destination: the file's name is what was typed
        src = unquote(str(tok.attrs.get("src", "")))
        parts += [Figure(src, caption, alt, _opt(width)), []]
    return [p for p in parts if not isinstance(p, list) or _has_text(p)]


def _opt(value: object) -> str | None:
    return None if value is None else str(value)


def _has_text(tokens: list[Token]) -> bool:
    return any(
        t.type not in ("softbreak", "hardbreak")
        and (t.content or "").strip() != ""
        or t.type.endswith("_open")
        for t in tokens
    )


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
        if t in ("text", "text_url"):
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
        elif isinstance(b, Figure):
            parts.append("".join(r.text for r in b.caption))
        else:
            for item in b.items:
                parts.append(text_of(item))
    return "\n".join(parts)


# -- references and citations -------------------------------------------------------

# "[1]", "[1, 3]", "[2–4]": numbers from 1 (so an interval such as [0, 1] is prose).
CITATION = re.compile(r"\[([1-9]\d{0,2}(?:\s*[,–-]\s*[1-9]\d{0,2})*)\]")
_NUMBER = re.compile(r"\d+")
_WEB = re.compile(
    r"(?P<url>https?://[^\s<>]+[^\s<>.,;:!?)\]'\"])"
    r"|(?P<doi>(?:doi:\s*)?(?P<name>10\.\d{4,9}/[^\s<>]+[^\s<>.,;:!?)\]'\"]))",
    re.IGNORECASE,
)


def cited_numbers(text: str) -> list[int]:
    """The reference numbers a citation such as "[1, 3]" or "[2–4]" names."""
    out: list[int] = []
    pieces = re.split(r"\s*([,–-])\s*", text)
    for i in range(0, len(pieces), 2):
        n = int(pieces[i])
        if i >= 2 and pieces[i - 1] in "–-" and out and out[-1] < n <= out[-1] + 100:
            out += range(out[-1] + 1, n + 1)
        else:
            out.append(n)
    return out


def citations(blocks: tuple[Block, ...]) -> list[int]:
    """Every reference number cited in the blocks' text (not in code, math or links)."""
    return [
        n
        for r in all_runs(blocks)
        if _citable(r)
        for m in CITATION.finditer(r.text)
        for n in cited_numbers(m.group(1))
    ]


def _citable(r: Run) -> bool:
    return not r.math and r.href is None and r.style != MONO and "[" in r.text


def all_runs(blocks: tuple[Block, ...]) -> list[Run]:
    out: list[Run] = []
    for b in blocks:
        if isinstance(b, Paragraph):
            out += b.runs
        elif isinstance(b, Figure):
            out += b.caption
        else:
            for item in b.items:
                out += all_runs(item)
    return out


def link_citations(
    blocks: tuple[Block, ...], target: Callable[[int], str | None]
) -> tuple[Block, ...]:
    """Blocks whose citation numbers link to `target(n)` (None: left as text)."""
    out: list[Block] = []
    for b in blocks:
        if isinstance(b, Paragraph):
            runs = tuple(r for run in b.runs for r in _cite_run(run, target))
            out.append(replace(b, runs=runs))
        elif isinstance(b, Figure):
            caption = tuple(r for run in b.caption for r in _cite_run(run, target))
            out.append(replace(b, caption=caption))
        else:
            items = tuple(link_citations(item, target) for item in b.items)
            out.append(replace(b, items=items))
    return tuple(out)


def _cite_run(run: Run, target: Callable[[int], str | None]) -> list[Run]:
    if not _citable(run):
        return [run]
    out: list[Run] = []
    at = 0
    text = run.text
    for m in CITATION.finditer(text):
        for n in _NUMBER.finditer(m.group(0)):
            href = target(int(n.group()))
            if href is None:
                continue
            start = m.start() + n.start()
            if start > at:
                out.append(replace(run, text=text[at:start]))
            out.append(replace(run, text=n.group(), href=href))
            at = m.start() + n.end()
    if at < len(text):
        out.append(replace(run, text=text[at:]))
    return out


@lru_cache(maxsize=4096)
def reference(source: str, language: str | None = None) -> tuple[Run, ...]:
    """A reference: inline Markdown (no blocks, so "1999. Title" is no list), with
    its DOIs and web addresses linked; real punctuation for `language` when given."""
    tokens = _parser(language).parseInline(source)
    runs = _inline(tokens[0].children or [], REGULAR) if tokens else ()
    return tuple(r for run in runs for r in _web_links(run))


def _web_links(run: Run) -> list[Run]:
    if run.href is not None or run.math or run.style == MONO:
        return [run]
    out: list[Run] = []
    at = 0
    for m in _WEB.finditer(run.text):
        href = m.group("url") or f"https://doi.org/{m.group('name')}"
        if m.start() > at:
            out.append(replace(run, text=run.text[at : m.start()]))
        out.append(replace(run, text=m.group(), href=href))
        at = m.end()
    if at < len(run.text):
        out.append(replace(run, text=run.text[at:]))
    return out or [run]
