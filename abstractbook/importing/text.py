"""import, text: the text of a source (HTML, Markdown or plain) -> abstractbook's Markdown.

abstractbook's Markdown is CommonMark with raw HTML and entity references off
and `$math$` on. Each source writes its abstracts differently, so each kind of
text has its own way in:

- HTML goes through a real HTML parser (BeautifulSoup via markdownify), never
  a tag-stripping regular expression, so "N:P < 16 to N:P > 16" survives.
- Markdown written for pretalx, frab or Indico keeps its single line breaks,
  as those tools print them (python-markdown's nl2br): they become hard breaks.
- Plain text (EasyChair) prints as typed: every character Markdown would read
  as markup is escaped, and line breaks are kept.
"""

from __future__ import annotations

import bisect
import re
import warnings
from functools import lru_cache
from html.parser import HTMLParser
from typing import Any

from bs4 import MarkupResemblesLocatorWarning
from markdown_it import MarkdownIt
from markdownify import BACKSLASH, MarkdownConverter

# Elements that only HTML (not Markdown or plain prose) would hold.
_HTML_ELEMENTS = frozenset(
    "a abbr b big blockquote br caption cite code dd del div dl dt em font h1 h2 h3 h4 h5 h6 "
    "hr i img ins kbd li mark ol p pre q s samp small span strike strong sub sup table tbody "
    "td tfoot th thead tr tt u ul".split()
)
_VOID = frozenset({"br", "hr", "img"})

_SUPERSCRIPT = str.maketrans("0123456789+-=()n", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿ")
_SUBSCRIPT = str.maketrans("0123456789+-=()", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎")
_MATH = re.compile(r"(\$\$.+?\$\$|\$(?=\S)(?:[^$\\]|\\.)*?(?<=\S)\$(?!\d))", re.S)
"""A formula as pandoc reads one: `$$...$$`, or `$...$` tight against its text."""
_MARKDOWN = MarkdownIt("commonmark", {"html": False})
_MARKDOWN.disable("entity")


class _TagCounter(HTMLParser):
    """Counts the elements a real HTML parser finds: closed ones and void ones."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.opened: set[str] = set()
        self.found = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            self.found += 1
        elif tag in _HTML_ELEMENTS:
            self.opened.add(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            self.found += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self.opened:
            self.found += 1


def looks_like_html(text: str) -> bool:
    """True when an HTML parser finds a known element that is closed, or a <br>/<hr>/<img>.

    "a<b and c>d" opens a <b> it never closes, and "N:P < 16" opens nothing, so
    neither is taken for HTML.
    """
    if "<" not in text:
        return False
    counter = _TagCounter()
    counter.feed(text)
    counter.close()
    return counter.found > 0


class _Converter(MarkdownConverter):
    """markdownify, told about abstractbook's Markdown: what it cannot print is flattened."""

    def __init__(self, *, math: bool) -> None:
        super().__init__(
            heading_style="atx",
            bullets="-",
            newline_style=BACKSLASH,
            escape_asterisks=True,
            escape_underscores=True,
            escape_misc=True,
            autolinks=True,
        )
        self.math = math
        self.notes: list[str] = []

    def escape(self, text: str, parent_tags: set[str]) -> str:
        """Markdown's characters get a backslash, except inside `$math$` when it is live."""
        if not self.math:
            return self._escape(text, parent_tags).replace("$", "\\$")
        pieces = _MATH.split(text)  # odd pieces are formulas
        return "".join(
            piece if i % 2 else self._escape(piece, parent_tags) for i, piece in enumerate(pieces)
        )

    def _escape(self, text: str, parent_tags: set[str]) -> str:
        escaped: str = super().escape(text, parent_tags)  # type: ignore[misc]
        return escaped

    def convert_img(self, el: Any, text: str, parent_tags: set[str]) -> str:
        self.notes.append(f"an image ({el.get('src') or 'no source'}) was left out")
        alt: str = el.get("alt") or ""
        return self.escape(alt, parent_tags)

    def convert_sub(self, el: Any, text: str, parent_tags: set[str]) -> str:
        return self._script(text, _SUBSCRIPT, "\\_")

    def convert_sup(self, el: Any, text: str, parent_tags: set[str]) -> str:
        return self._script(text, _SUPERSCRIPT, "^")

    def _script(self, text: str, table: dict[int, int], mark: str) -> str:
        """Sub/superscript as Unicode characters when each has one, else marked: x^(iπ)."""
        if all(ord(c) in table for c in text):
            return text.translate(table)
        self.notes.append(f"a sub- or superscript was written as {mark}(...)")
        return f"{mark}({text})" if len(text) > 1 else mark + text

    def convert_del(self, el: Any, text: str, parent_tags: set[str]) -> str:
        return text  # no strikethrough in the book's Markdown

    convert_s = convert_del
    convert_strike = convert_del

    def convert_table(self, el: Any, text: str, parent_tags: set[str]) -> str:
        self.notes.append("a table was set as plain lines")
        return "\n\n" + text.strip().removesuffix("\\").rstrip() + "\n\n"

    def convert_tr(self, el: Any, text: str, parent_tags: set[str]) -> str:
        return text.strip().removesuffix("|").strip() + "\\\n"

    def convert_td(self, el: Any, text: str, parent_tags: set[str]) -> str:
        return text.strip() + " | "

    convert_th = convert_td


MAX_HTML_DEPTH = 32  # elements inside elements; deeper markup is dropped (text kept)


class _Flattener(HTMLParser):
    """The text of an HTML fragment and how deep its elements nest, in one linear pass."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = self.deepest = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "p", "div", "li", "tr"):
            self.parts.append("\n")
        if tag not in _VOID:
            self.depth += 1
            self.deepest = max(self.deepest, self.depth)

    def handle_endtag(self, tag: str) -> None:
        if tag not in _VOID:
            self.depth = max(0, self.depth - 1)

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_markdown(html: str, *, math: bool) -> tuple[str, list[str]]:
    """HTML -> Markdown, and notes on what could not be kept (images, tables).

    `math`: the source renders `$...$` as formulas (Indico does), so dollars stay
    live; otherwise they are escaped and print as typed. Markup nested deeper than
    `MAX_HTML_DEPTH` is dropped and its text kept as plain text (the converter
    works recursively, and no abstract nests so deep).
    """
    flat = _Flattener()
    flat.feed(html)
    flat.close()
    if flat.deepest > MAX_HTML_DEPTH:
        note = f"markup nested more than {MAX_HTML_DEPTH} deep was dropped (the text is kept)"
        return plain_to_markdown("".join(flat.parts)), [note]
    converter = _Converter(math=math)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        markdown: str = converter.convert(html)
    return tidy(markdown, markdown=True), sorted(set(converter.notes))


def markdown_with_breaks(source: str, *, math: bool) -> str:
    """Markdown written for a tool that prints single line breaks (nl2br) -> hard breaks.

    Only line ends that CommonMark reads as soft breaks inside a paragraph get a
    backslash; code blocks and code spans are left alone. Without `math`, dollars
    outside code are escaped, since the source printed them as typed.
    """
    source = tidy(source, markdown=True)
    lines = source.split("\n")
    tokens = _MARKDOWN.parse(source)
    for i, token in enumerate(tokens):
        if token.type != "paragraph_open" or token.map is None:
            continue
        first, last = token.map
        inline = tokens[i + 1].children or []
        soft = sum(1 for child in inline if child.type == "softbreak")
        spans, crossing = _code_spans(lines[first:last])
        ends = [
            n
            for n in range(first, last - 1)
            if not _hard_end(lines[n]) and n - first not in crossing
        ]
        if not math:
            for n in range(first, last):
                lines[n] = _escape_dollars(lines[n], spans.get(n - first, []))
        if soft == len(ends):
            for n in ends:
                lines[n] += "\\"
    return "\n".join(lines)


_IMAGE = re.compile(r"!\[((?:[^\]\\]|\\.)*)\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")


def without_images(markdown: str) -> tuple[str, list[str]]:
    """Markdown images -> their alternative text, each noted. A book's figures are files
    in its project, and an import is given none: the source shows them from its server."""
    notes: list[str] = []

    def alt(m: re.Match[str]) -> str:
        notes.append(f"an image ({m.group(2) or 'no source'}) was left out")
        return m.group(1)

    return _IMAGE.sub(alt, markdown), notes


def escape_dollars(markdown: str) -> str:
    """Every dollar of a Markdown text outside code spans prints as typed."""
    lines = markdown.split("\n")
    spans, _ = _code_spans(lines)
    return "\n".join(_escape_dollars(line, spans.get(n, [])) for n, line in enumerate(lines))


def _hard_end(line: str) -> bool:
    trailing = len(line) - len(line.rstrip("\\"))
    return trailing % 2 == 1


def _code_spans(lines: list[str]) -> tuple[dict[int, list[tuple[int, int]]], set[int]]:
    """Per line, the (start, end) columns of backtick code spans, as CommonMark pairs
    them; and the lines whose end falls inside a code span. Each span visits only its
    own lines, and a run of backticks with no closer is not looked for again, so
    thousands of code spans cost no more than their text."""
    text = "\n".join(lines)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    spans: dict[int, list[tuple[int, int]]] = {}
    crossing: set[int] = set()
    unclosed: set[str] = set()  # runs with no closer after an earlier place: none later
    pos = 0
    while (m := _BACKTICKS.search(text, pos)) is not None:
        run = m.group(1)
        close = None if run in unclosed else _closer(run).search(text, m.end())
        if close is None:
            unclosed.add(run)
            pos = m.end()
            continue
        first = bisect.bisect_right(starts, m.start()) - 1
        last = min(bisect.bisect_right(starts, close.end()) - 1, len(lines) - 1)
        for n in range(first, last + 1):
            lo, hi = max(m.start(), starts[n]), min(close.end(), starts[n + 1] - 1)
            if lo < hi:
                spans.setdefault(n, []).append((lo - starts[n], hi - starts[n]))
            if m.start() < starts[n + 1] - 1 < close.start():
                crossing.add(n)
        pos = close.end()
    return spans, crossing


_BACKTICKS = re.compile(r"(?<!\\)(`+)")


@lru_cache(maxsize=64)
def _closer(run: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!`){run}(?!`)")


def _escape_dollars(line: str, code: list[tuple[int, int]]) -> str:
    out: list[str] = []
    backslashes = 0
    spans = sorted(code)
    k = 0  # the first code span that does not end before this column
    for col, ch in enumerate(line):
        while k < len(spans) and spans[k][1] <= col:
            k += 1
        in_code = k < len(spans) and spans[k][0] <= col
        if ch == "$" and backslashes % 2 == 0 and not in_code:
            out.append("\\")
        backslashes = backslashes + 1 if ch == "\\" else 0
        out.append(ch)
    return "".join(out)


_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]$])")
_AUTOLINK_START = re.compile(r"<(?=[A-Za-z])")
_LINE_START = re.compile(
    r"^(?:(#{1,6})(?=\s|$)|([>+=~-])|(\d{1,9})([.)])(?=\s|$))"
)  # heading, quote/list/setext/fence/rule, ordered list


def plain_to_markdown(text: str) -> str:
    """Plain text that must print exactly as typed -> Markdown.

    Paragraphs stay paragraphs (a blank line), single line breaks stay line
    breaks, indentation is dropped (it would make a code block), and every
    character Markdown would read as markup gets a backslash.
    """
    paragraphs = re.split(r"\n\s*\n", tidy(text, markdown=False))
    out = []
    for paragraph in paragraphs:
        lines = [_escape_line(line.strip()) for line in paragraph.split("\n") if line.strip()]
        out.append("\\\n".join(lines))
    return "\n\n".join(p for p in out if p)


def _escape_line(line: str) -> str:
    line = _INLINE_SPECIAL.sub(r"\\\1", line)
    line = _AUTOLINK_START.sub(r"\\<", line)
    m = _LINE_START.match(line)
    if m is None:
        return line
    if m.group(1):
        return "\\" + line
    if m.group(2):
        return "\\" + line
    return m.group(3) + "\\" + line[len(m.group(3)) :]


def tidy(text: str, *, markdown: bool) -> str:
    """Unix line ends and no trailing spaces; in Markdown, two or more of them were a
    hard break, which becomes a backslash (a YAML block keeps no trailing spaces) —
    only where CommonMark reads one: inside a paragraph, not at the end of a list item
    or any other block, where a backslash would print as itself."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    source = text.split("\n")
    breaks = _hard_breaks(text) if markdown else set()
    lines = []
    for n, line in enumerate(source):
        stripped = line.rstrip(" \t")
        if n in breaks and stripped and not _hard_end(stripped):
            stripped += "\\"
        lines.append(stripped if markdown else stripped.replace("\t", " "))
    return "\n".join(lines).strip("\n")


def _hard_breaks(text: str) -> set[int]:
    """Lines ending in two spaces that CommonMark reads as a hard break: a paragraph's
    lines but its last (in lists and quotes too)."""
    if "  \n" not in text and " \t\n" not in text:
        return set()
    lines = text.split("\n")
    found: set[int] = set()
    for token in _MARKDOWN.parse(text):
        if token.type == "paragraph_open" and token.map is not None:
            first, last = token.map
            found.update(n for n in range(first, last - 1) if lines[n].endswith("  "))
    return found


def one_line(text: str) -> str:
    """Titles, names, affiliations: plain text on one line, spaces collapsed."""
    return " ".join(text.split())
