"""The pocket programme (`abstractbook program`): an A6 booklet of grids, sessions and speakers."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from pypdf import PdfReader

from abstractbook import pipeline, programme
from tests import gridpdf
from tests.meeting import write_meeting
from tests.pdftext import lines, normal, squash

A6 = (105 * 72 / 25.4, 148 * 72 / 25.4)


@pytest.fixture(scope="module")
def pocket(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path, Path]:
    """The six-room meeting's book, then its pocket programme beside it."""
    root = tmp_path_factory.mktemp("pocket")
    program = write_meeting(root / "project")
    pipeline.build(root / "project", root / "build" / "book.pdf")
    result = programme.build_program(root / "project", root / "build" / "program.pdf")
    assert result.book_manifest == root / "build" / "book.manifest.json"
    return program, root / "project", result.output


def records(project: Path) -> dict[str, dict[str, Any]]:
    return {
        r["id"]: r
        for r in (yaml.safe_load(p.read_text("utf-8")) for p in (project / "abstracts").iterdir())
    }


def heads(reader: PdfReader, name: str) -> list[int]:
    """Pages whose running head is `name`."""
    return [i for i, v in enumerate(gridpdf.views(reader)) if v is not None and v.head == name]


def test_an_a6_booklet_padded_to_a_multiple_of_four(
    pocket: tuple[dict[str, Any], Path, Path],
) -> None:
    reader = PdfReader(pocket[2])
    assert len(reader.pages) % 4 == 0
    for page in reader.pages:
        box = page.trimbox
        assert float(box.width) == pytest.approx(A6[0], abs=0.1)
        assert float(box.height) == pytest.approx(A6[1], abs=0.1)
    assert reader.page_labels[:3] == ["1", "2", "3"]
    assert gridpdf.text_size_and_trim(reader) == []


def test_every_talk_with_time_title_speaker_room_and_book_page(
    pocket: tuple[dict[str, Any], Path, Path],
) -> None:
    program, project, out = pocket
    reader = PdfReader(out)
    book = PdfReader(out.parent / "book.pdf")
    recs = records(project)
    text = normal(" ".join(ln for i in heads(reader, "Sessions") for ln in lines(reader.pages[i])))
    for session in gridpdf.expected_sessions(program):
        if session["room"] != "all":
            assert f"{session['room']} · Chair" in text or session["room"] in text
        for tid, start in session["slots"]:
            rec = recs[tid]
            m = re.search(
                rf"{start // 60:02d}:{start % 60:02d} {re.escape(rec['title'])} p\. (\d+) "
                + re.escape(rec["authors"][0]["name"]),
                text,
            )
            assert m, tid
            page = book.pages[book.page_labels.index(m.group(1))]
            assert squash(rec["title"]) in squash(page.extract_text())


def test_speaker_index_gives_day_time_and_room_as_the_programme(
    pocket: tuple[dict[str, Any], Path, Path],
) -> None:
    program, project, out = pocket
    reader = PdfReader(out)
    recs = records(project)
    expected = {}
    for session in gridpdf.expected_sessions(program):
        d = session["date"]
        room = "all rooms" if session["room"] == "all" else session["room"]
        for tid, start in session["slots"]:
            given, family = recs[tid]["authors"][0]["name"].rsplit(" ", 1)
            when = f"{d:%a} {d.day} {d:%b}, {start // 60:02d}:{start % 60:02d}, {room}"
            expected[f"{family}, {given}"] = when
    printed = {}
    for i in heads(reader, "Speakers"):
        for ln in lines(reader.pages[i]):
            m = re.fullmatch(r"(.+?)[ .]*((?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) .+)", ln)
            if m:
                printed[m.group(1).strip()] = m.group(2)
    assert printed == expected


def test_grid_lines_lead_to_the_talks_entries(pocket: tuple[dict[str, Any], Path, Path]) -> None:
    program, project, out = pocket
    reader = PdfReader(out)
    recs = records(project)
    sessions_pages = set(heads(reader, "Sessions"))
    linked = set()
    texts: dict[int, str] = {}
    for i in gridpdf.grid_pages(reader):
        frags = gridpdf.view(reader, i).frags
        for rect, target in gridpdf.links(reader, i):
            assert target in sessions_pages
            inside = gridpdf.in_rect(frags, rect)
            if target not in texts:
                texts[target] = squash(reader.pages[target].extract_text())
            there = texts[target]
            linked |= {
                tid
                for tid, r in recs.items()
                if squash(r["authors"][0]["name"]) in inside and squash(r["title"]) in there
            }
    assert linked == set(recs)


def test_a_late_time_change_reports_exactly_the_pages_that_changed(tmp_path: Path) -> None:
    write_meeting(tmp_path / "project", days=2, rooms=3)
    out = tmp_path / "build" / "program.pdf"
    programme.build_program(tmp_path / "project", out)
    before = [gridpdf.stream(PdfReader(out), i) for i in range(len(PdfReader(out).pages))]
    path = tmp_path / "project" / "program.yaml"
    text = path.read_text("utf-8")
    # the last talk of the first day's afternoon in the third room moves by five minutes
    marker = "id: d0-pm-2"
    head, tail = text.split(marker)
    path.write_text(head + marker + tail.replace("start: '15:00'", "start: '15:05'", 1), "utf-8")
    result = programme.build_program(tmp_path / "project", out)
    reader = PdfReader(out)
    after = [gridpdf.stream(reader, i) for i in range(len(reader.pages))]
    differ = [n for n, (a, b) in enumerate(zip(before, after, strict=True), 1) if a != b]
    assert result.report is not None
    assert [n for a, b in result.report.pages for n in range(a, b + 1)] == differ
    # one page of each part: the day's grid, the session's list, the speaker's index entry
    kinds = [
        next(h for h in ("Timetable", "Sessions", "Speakers") if n - 1 in heads(reader, h))
        for n in differ
    ]
    assert kinds in (
        ["Timetable", "Sessions", "Speakers"],
        ["Timetable", *["Sessions"] * 2, "Speakers"],
    )
    # and the pages say the new times: the session's end, the talk's start
    changed = " ".join(reader.pages[n - 1].extract_text() for n in differ)
    assert "13:30–15:25" in changed and "15:05" in changed


def test_same_input_same_bytes(tmp_path: Path) -> None:
    write_meeting(tmp_path / "project", days=1, rooms=2)
    a = programme.build_program(tmp_path / "project", tmp_path / "a" / "program.pdf").output
    b = programme.build_program(tmp_path / "project", tmp_path / "b" / "program.pdf").output
    assert a.read_bytes() == b.read_bytes()


def test_thirty_rooms_in_a6_stay_legible(tmp_path: Path) -> None:
    write_meeting(tmp_path / "big", days=1, rooms=30, talks=1)
    out = programme.build_program(tmp_path / "big", tmp_path / "program.pdf").output
    reader = PdfReader(out)
    assert gridpdf.text_size_and_trim(reader) == []
    assert len(gridpdf.grid_pages(reader)) >= 8  # four rooms to an A6 page


def test_print_production_and_page_size_from_book_yaml(tmp_path: Path) -> None:
    write_meeting(
        tmp_path / "p",
        days=1,
        rooms=2,
        book={
            "page": {"bleed": "3mm", "crop_marks": True},
            "program": {"page": {"size": "A5", "pad_to": 8}},
        },
    )
    reader = PdfReader(programme.build_program(tmp_path / "p", tmp_path / "p.pdf").output)
    assert len(reader.pages) % 8 == 0
    page = reader.pages[1]
    assert float(page.trimbox.width) == pytest.approx(419.53, abs=0.1)
    assert float(page.bleedbox.width) == pytest.approx(419.53 + 2 * 3 * 72 / 25.4, abs=0.1)
    assert float(page.mediabox.width) > float(page.bleedbox.width)  # room for crop marks


def test_outside_a_project_the_error_names_a_bundled_programme_that_works(
    tmp_path: Path,
) -> None:
    """Outside any project the command falls back to the bundled sample, which has no
    programme: the error gives a command line that does print one."""
    tool = [sys.executable, "-m", "abstractbook", "program"]
    done = subprocess.run(tool, capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 1
    assert "the bundled sample has none" in done.stderr
    hinted = shlex.split(done.stderr.split("has one: abstractbook program ")[1].split(")\n")[0])
    bundled = pipeline.sample_project().parent
    before = set(bundled.rglob("*"))
    done = subprocess.run([*tool, *hinted], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert len(PdfReader(tmp_path / "build" / "program.pdf").pages) > 1
    assert set(bundled.rglob("*")) == before  # nothing written into the installed package


def test_cli_writes_beside_the_project_and_refuses_a_book_without_programme(
    tmp_path: Path,
) -> None:
    write_meeting(tmp_path / "p", days=1, rooms=2)
    tool = [sys.executable, "-m", "abstractbook", "program"]
    done = subprocess.run([*tool, str(tmp_path / "p")], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "p" / "build" / "program.pdf").is_file()
    assert (tmp_path / "p" / "build" / "program.manifest.json").is_file()
    shutil.copytree(pipeline.sample_project(), tmp_path / "sample")
    done = subprocess.run([*tool, str(tmp_path / "sample")], capture_output=True, text=True)
    assert done.returncode == 1
    assert "program.yaml:1:1: the pocket programme needs a program.yaml" in done.stderr
    assert "write one beside book.yaml" in done.stderr
    assert "Traceback" not in done.stderr
    done = subprocess.run(
        [*tool, str(tmp_path / "p"), "--book", str(tmp_path / "none.pdf")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    assert "none.manifest.json:1:1: no manifest of that book: build it first" in done.stderr


def test_a_talk_in_two_sessions_is_in_both_grids_lists_and_index_lines(tmp_path: Path) -> None:
    program = write_meeting(tmp_path / "p", days=1, rooms=2)
    encore = {"id": "t002", "duration": 20}
    program["days"][0]["sessions"].append(
        {"id": "encore", "title": "Encore", "start": "16:00", "room": "Hall B", "talks": [encore]}
    )
    (tmp_path / "p" / "program.yaml").write_text(
        yaml.safe_dump(program, allow_unicode=True, sort_keys=False), "utf-8"
    )
    result = programme.build_program(tmp_path / "p", tmp_path / "program.pdf")
    reader = PdfReader(result.output)
    name = records(tmp_path / "p")["t002"]["authors"][0]["name"]
    blocks = [
        gridpdf.in_rect(gridpdf.view(reader, i).frags, (b.x0, b.y0, b.x1, b.y1))
        for i in gridpdf.grid_pages(reader)
        for b in gridpdf.view(reader, i).boxes
    ]
    assert sum(squash(name) in text for text in blocks) == 2
    listed = normal(" ".join(reader.pages[i].extract_text() for i in heads(reader, "Sessions")))
    assert listed.count("Invented result number 2 on imaginary circuits") == 2
    index = [ln for i in heads(reader, "Speakers") for ln in lines(reader.pages[i])]
    at = next(n for n, ln in enumerate(index) if ln.startswith(name.split()[-1] + ","))
    assert "10:15, Aula Magna" in index[at] and "16:00, Hall B" in index[at + 1]


def test_the_pocket_page_settings_leave_the_book_as_it_was(tmp_path: Path) -> None:
    write_meeting(tmp_path / "p", days=1, rooms=2)
    pipeline.build(tmp_path / "p", tmp_path / "book.pdf")
    book_yaml = tmp_path / "p" / "book.yaml"
    book_yaml.write_text(book_yaml.read_text("utf-8") + "program: {page: {size: A5}}\n", "utf-8")
    report = pipeline.build(tmp_path / "p", tmp_path / "book.pdf").report
    assert report is not None and report.unchanged


def test_book_pages_only_from_the_same_talks_of_a_built_book(tmp_path: Path) -> None:
    write_meeting(tmp_path / "a", days=1, rooms=2)
    pipeline.build(tmp_path / "a", tmp_path / "build" / "book.pdf")
    # another project's book beside the programme lends it no page numbers
    shutil.copytree(pipeline.sample_project(), tmp_path / "other")
    pipeline.build(tmp_path / "other", tmp_path / "elsewhere" / "book.pdf")
    (tmp_path / "b").mkdir()
    result = programme.build_program(
        tmp_path / "a", tmp_path / "b" / "program.pdf", tmp_path / "elsewhere" / "book.pdf"
    )
    assert result.book_manifest is None and result.paged == 0
    # a talk retitled since the book was built loses its page; the others keep theirs
    record = tmp_path / "a" / "abstracts" / "t002.yaml"
    record.write_text(record.read_text("utf-8").replace("Invented result", "Revised"), "utf-8")
    result = programme.build_program(tmp_path / "a", tmp_path / "build" / "program.pdf")
    assert result.book_manifest == tmp_path / "build" / "book.manifest.json"
    assert result.paged == len(result.book.entries) - 1
    text = normal(" ".join(p.extract_text() for p in PdfReader(result.output).pages))
    assert re.search(r"Revised number 2 on imaginary circuits (?!p\. )", text)
    assert re.search(r"Invented result number 3 on imaginary circuits p\. \d", text)
