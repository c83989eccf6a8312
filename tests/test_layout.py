"""Pagination as a reader sees it: paragraphs never leave a single line at a page's foot
or head, titles stay with their text, every word is printed once and in order, page
numbers run on, and the last word of a paragraph is never hyphenated.

The projects are generated; each paragraph's words name the talk and paragraph they
belong to (`w3x2` is talk 3, paragraph 2), so every printed line can be traced back.
"""

from __future__ import annotations

import re
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from abstractbook import parallel, pipeline
from abstractbook.errors import BuildError, SourceLocation
from tests.pdftext import shown

BOOK = """title: Pagination
page: {size: [105mm, 148mm], margins: {inner: 12mm, outer: 10mm, top: 14mm, bottom: 14mm}}
layout: {hyphenate: %s}
front_matter: []
back_matter: []
"""
WORD = re.compile(r"w(\d+)x(\d+)")


def write_project(root: Path, talks: list[list[int]], hyphenate: bool = False) -> None:
    """`talks[t][p]` is the number of words of talk t's paragraph p."""
    (root / "abstracts").mkdir(parents=True)
    (root / "book.yaml").write_text(BOOK % str(hyphenate).lower(), "utf-8")
    for t, paragraphs in enumerate(talks):
        body = "\n\n".join(" ".join([f"w{t}x{p}"] * n) for p, n in enumerate(paragraphs))
        indented = "\n".join(f"  {line}" if line else "" for line in body.split("\n"))
        (root / "abstracts" / f"t{t:02d}.yaml").write_text(
            f"id: t{t:02d}\ntitle: Heading z{t}\nauthors: [{{name: Author Name}}]\n"
            f"body: |\n{indented}\n",
            "utf-8",
        )


@dataclass(frozen=True)
class Line:
    page: int  # physical, from 1
    text: str


def printed_lines(pdf: Path) -> list[Line]:
    """Every line of every page, top to bottom, running heads and folios included."""
    out = []
    for n, page in enumerate(PdfReader(pdf).pages, start=1):
        rows: dict[float, list[str]] = {}
        for s in shown(page):
            rows.setdefault(round(s.y, 1), []).append(s.text)
        out += [Line(n, "".join(rows[y]).strip()) for y in sorted(rows, reverse=True)]
    return out


def paragraph_lines(lines: list[Line]) -> list[tuple[tuple[int, int], int]]:
    """The body's lines in reading order, each as ((talk, paragraph), page)."""
    out = []
    for line in lines:
        found = {(int(t), int(p)) for t, p in WORD.findall(line.text)}
        if found:
            assert len(found) == 1, line  # a line belongs to one paragraph
            out.append((found.pop(), line.page))
    return out


def check_pagination(talks: list[list[int]], result: pipeline.BuildResult) -> int:
    """Every rule a reader can check on the pages; returns how many paragraphs a page
    break split (to show that the rules were put to the test)."""
    lines = printed_lines(result.output)
    body = paragraph_lines(lines)
    # every word printed once, in its paragraph, in the order typed
    words = Counter((int(t), int(p)) for line in lines for t, p in WORD.findall(line.text))
    assert words == Counter({(t, p): n for t, ps in enumerate(talks) for p, n in enumerate(ps)})
    order = [key for key, _ in body]
    assert order == sorted(order)
    # page numbers run on from 1, one per page
    labels = PdfReader(result.output).page_labels
    assert labels == [str(n) for n in range(1, len(labels) + 1)]
    # no paragraph leaves a single line at the foot or the head of a page
    split = 0
    for key in dict.fromkeys(order):
        per_page = Counter(page for k, page in body if k == key)
        if len(per_page) > 1:
            split += 1
            assert min(per_page.values()) >= 2, (key, per_page)
    # a title is on the page of its body's first two lines, and abstracts start in order
    first_pages = []
    for t in range(len(talks)):
        (title_page,) = [ln.page for ln in lines if ln.text == f"Heading z{t}"]
        opening = [page for (tt, _), page in body if tt == t][:2]
        assert set(opening) == {title_page}, t
        entry = result.manifest["abstracts"][f"t{t:02d}"]
        assert entry["first_page"] == title_page <= entry["last_page"]
        assert entry["last_page"] == max(page for (tt, _), page in body if tt == t)
        first_pages.append(title_page)
    assert first_pages == sorted(first_pages)
    return split


def test_no_single_line_of_a_paragraph_at_a_page_foot_or_head(tmp_path: Path) -> None:
    """Sixty paragraphs of two to eight lines over many small pages: page breaks fall
    inside paragraphs often, and never leave a line alone."""
    talks = [[12 + (p * 37) % 53 for p in range(60)]]
    write_project(tmp_path / "book", talks)
    result = pipeline.build(tmp_path / "book", tmp_path / "out" / "book.pdf")
    assert result.pages >= 8
    assert check_pagination(talks, result) >= 6


@settings(max_examples=10, deadline=None)
@given(
    st.lists(
        st.lists(st.integers(min_value=1, max_value=70), min_size=1, max_size=6),
        min_size=1,
        max_size=5,
    )
)
@example([[1, 1, 19, 37, 37], [1, 10]])  # a one-line first paragraph at a page's foot
def test_pagination_keeps_every_rule_for_any_book(talks: list[list[int]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write_project(root / "book", talks)
        check_pagination(talks, pipeline.build(root / "book", root / "out" / "book.pdf"))


LAST_WORDS = ["incomprehensibilities", "institutionalization", "electroencephalography"]


def test_last_word_of_a_paragraph_is_never_hyphenated(tmp_path: Path) -> None:
    """Paragraphs of long words in a narrow column hyphenate often, but the word that
    ends a paragraph always prints whole."""
    root = tmp_path / "book"
    (root / "abstracts").mkdir(parents=True)
    (root / "book.yaml").write_text(BOOK % "true", "utf-8")
    paragraphs = [
        " ".join(["uncharacteristically", "internationally", "a"][: 1 + n % 3] * (1 + n % 9))
        + " "
        + LAST_WORDS[n % 3]
        + "."
        for n in range(45)
    ]
    body = "\n\n".join(paragraphs).replace("\n", "\n  ")
    (root / "abstracts" / "a.yaml").write_text(
        f"id: a\ntitle: Long words\nauthors: [{{name: A Author}}]\nbody: |\n  {body}\n", "utf-8"
    )
    result = pipeline.build(root, tmp_path / "out" / "book.pdf")
    lines = [ln.text for ln in printed_lines(result.output)]
    hyphenated = [ln for ln in lines if ln.endswith("-")]
    assert len(hyphenated) >= 10  # hyphenation is at work in these paragraphs
    for word in LAST_WORDS:
        whole = sum(ln.count(word + ".") for ln in lines)
        assert whole == 15, word


def _fail_at(context: Path, line: int) -> None:
    raise BuildError(f"cannot lay out line {line}", SourceLocation(context, line, 3))


def test_an_error_raised_by_a_worker_process_keeps_its_place_in_the_input(
    tmp_path: Path,
) -> None:
    """Talks are laid out and pages drawn by forked workers: an error one of them
    raises reaches the build with the file, line and column it names."""
    where = tmp_path / "abstracts" / "t.yaml"
    with pytest.raises(BuildError) as raised:
        list(parallel.fork_map(_fail_at, where, [7, 8], 2))
    assert str(raised.value) == "cannot lay out line 7"
    assert raised.value.problem.location == SourceLocation(where, 7, 3)
