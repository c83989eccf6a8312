"""Day and session headings in the body, and abstracts kept whole, on a generated corpus."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from abstractbook import pipeline
from abstractbook.typeset.layout import layout_talk
from abstractbook.typeset.matter import day_heading, session_heading_items
from abstractbook.typeset.pages import AFTER_HEADING
from abstractbook.typeset.theme import make_theme
from tests.pdftext import lines, normal, squash
from tests.test_schema import write

CORPUS = Path(__file__).parent.parent / "bench" / "corpus.py"


def corpus(root: Path, layout: str = "") -> Path:
    subprocess.run([sys.executable, str(CORPUS), "90", str(root)], check=True)
    book = root / "book.yaml"
    text = book.read_text("utf-8")
    book.write_text(text.replace("layout:\n", f"layout:\n{layout}", 1), "utf-8")
    return root


@pytest.fixture(scope="module")
def flowing(tmp_path_factory: pytest.TempPathFactory) -> pipeline.BuildResult:
    root = corpus(tmp_path_factory.mktemp("flow") / "c")
    return pipeline.build(root, root / "build" / "book.pdf")


def body_lines(reader: PdfReader, index: int) -> list[str]:
    top = float(reader.pages[index].trimbox.top) - 16 * 72 / 25.4 + 2
    return [normal(ln) for ln in lines(reader.pages[index], below=top)]


def outline_sessions(reader: PdfReader) -> list[tuple[str, int, float]]:
    """(session title, page index, top) of each session bookmark: an entry with talks
    under it, itself at the top or under its day's entry."""
    out = []

    def walk(entries: list[Any]) -> None:
        for entry, after in zip(entries, [*entries[1:], None], strict=True):
            if isinstance(entry, list) or not isinstance(after, list):
                continue
            if re.match(r"\w+day, \d+ \w+ \d{4}$", entry.title):  # a day: its sessions
                walk(after)
                continue
            page = reader.get_destination_page_number(entry)
            out.append((entry.title, page, float(entry.top)))

    walk(list(reader.outline))
    return out


def test_each_session_opens_in_the_body_with_its_first_abstract(
    flowing: pipeline.BuildResult,
) -> None:
    book, reader = flowing.book, PdfReader(flowing.output)
    sessions = outline_sessions(reader)
    groups = [(s, es) for s, es in zip(book.sections, book.section_entries(), strict=True) if es]
    assert [title for title, _, _ in sessions] == [s.title for s, _ in groups]
    for (title, index, top), (section, entries) in zip(sessions, groups, strict=True):
        below = [normal(ln) for ln in lines(reader.pages[index], below=top)]
        assert below[0] == title, title  # the bookmark shows the heading
        session = section.session
        if session is not None:  # "Other abstracts" has none
            assert below[1].startswith(session.start or "")
            assert f"{session.room} · Chair: {session.chair}" in below[1]
        first = entries[0].talk
        # the first abstract follows on the same page with its authors and two lines or more
        assert squash(first.heading) in squash(" ".join(below[1:6])), title
        at = next(i for i, ln in enumerate(below) if squash(ln) in squash(first.heading))
        assert len(below) - at >= 5, title
        # nothing of the session comes before its heading
        assert flowing.document.talk_pages[first.id][0] == index + 1
    days = [normal(day_heading(d.date)) for d in book.program.days]  # type: ignore[union-attr]
    all_text = [normal(ln) for p in range(len(reader.pages)) for ln in body_lines(reader, p)]
    for day in days:
        assert day in all_text


def test_contents_link_to_the_session_headings(flowing: pipeline.BuildResult) -> None:
    reader = PdfReader(flowing.output)
    targets = set()
    for page, label in zip(reader.pages, reader.page_labels, strict=True):
        if label.isdigit():
            continue
        for annot in page.get("/Annots", []) or []:
            dest: Any = annot.get_object().get("/Dest")
            if dest is not None:
                targets.add((reader.get_page_number(dest[0].get_object()), round(float(dest[3]))))
    for _, index, top in outline_sessions(reader):
        assert (index, round(top)) in targets


def test_session_start_page_opens_each_session_on_a_new_page(tmp_path: Path) -> None:
    root = corpus(tmp_path / "c", "  session_start: odd-page\n")
    result = pipeline.build(root, root / "build" / "book.pdf")
    reader = PdfReader(result.output)
    program = result.book.program
    assert program is not None
    days = {day_heading(d.date) for d in program.days}
    for title, index, _ in outline_sessions(reader):
        opening = body_lines(reader, index)[0]
        assert opening == title or opening in days, title
        assert int(reader.page_labels[index]) % 2 == 1


def split_but_short(result: pipeline.BuildResult) -> list[str]:
    """Abstracts printed over two pages though shorter than a page (with its session's
    heading, for a session's first abstract: the two go together)."""
    theme = make_theme(result.book.settings)
    out = []
    previous = None
    for entry in result.book.entries:
        first, last = result.document.talk_pages[entry.talk.id]
        items = layout_talk(entry.talk, theme)
        height = sum(i.height + i.space for i in items) - items[0].space
        if entry.section != previous:
            section = result.book.sections[entry.section]
            head = session_heading_items(section, entry.section, True, theme)
            height += sum(i.height + i.space for i in head) + AFTER_HEADING
            previous = entry.section
        if last > first and height <= theme.frame_height:
            out.append(entry.talk.id)
    return out


def test_keep_together_never_splits_an_abstract_shorter_than_a_page(
    tmp_path: Path, flowing: pipeline.BuildResult
) -> None:
    assert len(split_but_short(flowing)) > 10  # flowing, many are split
    root = corpus(tmp_path / "c", "  keep_together: true\n")
    kept = pipeline.build(root, root / "build" / "book.pdf")
    assert split_but_short(kept) == []
    longer = [
        e.talk.id
        for e in kept.book.entries
        if kept.document.talk_pages[e.talk.id][1] > kept.document.talk_pages[e.talk.id][0]
    ]
    # the corpus's longest abstracts still flow over pages
    assert longer


def test_a_session_of_talks_printed_earlier_has_no_heading_in_the_body(tmp_path: Path) -> None:
    record = "id: {0}\ntitle: Talk {0}\nauthors: [{{name: A B}}]\nbody: Words of {0}.\n"
    program = """days:
  - date: 2027-09-14
    sessions:
      - {id: s1, title: First session, start: "09:00", room: Aula, talks: [a, b]}
      - {id: s2, title: Repeat session, start: "14:00", room: Aula, talks: [a]}
"""
    root = write(
        tmp_path,
        {
            "book.yaml": "title: T\n",
            "program.yaml": program,
            "abstracts/a.yaml": record.format("a"),
            "abstracts/b.yaml": record.format("b"),
        },
    )
    result = pipeline.build(root, root / "build" / "book.pdf")
    reader = PdfReader(result.output)
    body = [
        ln
        for i, lab in enumerate(reader.page_labels)
        if lab.isdigit()
        for ln in body_lines(reader, i)
    ]
    assert "First session" in body and "Repeat session" not in body
    # the bookmark of the repeat leads to the talk it repeats
    marks = {title: (page, top) for title, page, top in outline_sessions(reader)}
    page, top = marks["Repeat session"]
    assert [normal(ln) for ln in lines(reader.pages[page], below=top)][0] == "Talk a"
