"""The book's timetable: a grid per day, rooms as columns, every session placed by time."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from pypdf import PdfReader

from abstractbook import pipeline
from abstractbook.project.model import Program, ProgramSlot, Session
from abstractbook.project.timing import room_order, timed
from abstractbook.typeset.timetable import MIN_COLUMN, room_groups
from tests import gridpdf
from tests.meeting import write_meeting
from tests.pdftext import fragments, squash


@pytest.fixture(scope="module")
def meeting(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path, Path]:
    """A three-day meeting in 6 parallel rooms with plenaries and breaks, built."""
    root = tmp_path_factory.mktemp("meeting")
    program = write_meeting(root / "project")
    out = root / "book.pdf"
    pipeline.build(root / "project", out)
    return program, root / "project", out


@pytest.fixture(scope="module")
def reader(meeting: tuple[dict[str, Any], Path, Path]) -> PdfReader:
    return PdfReader(meeting[2])


def records(project: Path) -> dict[str, dict[str, Any]]:
    out = {}
    for path in (project / "abstracts").glob("*.yaml"):
        rec = yaml.safe_load(path.read_text("utf-8"))
        out[rec["id"]] = rec
    return out


def day_pages(reader: PdfReader) -> dict[str, list[int]]:
    """Grid pages by the day their head names."""
    out: dict[str, list[int]] = {}
    for i in gridpdf.grid_pages(reader):
        text = " ".join(f.text for f in gridpdf.view(reader, i).frags)
        for day in ("10 March 2031", "11 March 2031", "12 March 2031"):
            if day in text:
                out.setdefault(day, []).append(i)
    return out


def test_every_block_sits_in_its_rooms_column_from_start_to_end(
    meeting: tuple[dict[str, Any], Path, Path], reader: PdfReader
) -> None:
    program, _, out = meeting
    pages = day_pages(reader)
    assert len(pages) == 3
    found = 0
    axes: dict[int, dict[int, float]] = {}
    for session in gridpdf.expected_sessions(program):
        day = f"{session['date'].day} March 2031"
        placed = []
        for i in pages[day]:
            axis = axes.setdefault(i, gridpdf.time_axis(reader, i))
            assert len(axis) >= 2, f"page {i + 1} has no time axis"
            lo, hi = min(axis), max(axis)
            if not (lo <= session["start_min"] and session["end_min"] <= hi):
                continue
            top = gridpdf.y_of(axis, session["start_min"])
            bottom = gridpdf.y_of(axis, session["end_min"])
            above = max(axis.values())  # the column heads sit above the grid
            frags = [f for f in gridpdf.view(reader, i).frags if f.y > above]
            for box in gridpdf.view(reader, i).boxes:
                if abs(box.y1 - top) > 1.0 or abs(box.y0 - bottom) > 1.0:
                    continue
                if session["room"] == "all":
                    heads = [
                        f
                        for f in frags
                        if any(r.startswith(f.text.strip()) for r in program["rooms"])
                    ]
                    if heads and all(box.x0 <= f.x <= box.x1 for f in heads):
                        placed.append(i)
                else:
                    head = [f for f in frags if session["room"].startswith(f.text.strip())]
                    if head and box.x0 <= head[0].x + 1 <= box.x1:
                        placed.append(i)
        assert placed, f"{session['id']}: no block from its start to its end in {session['room']}"
        found += 1
    assert found == len(gridpdf.expected_sessions(program))


def test_every_talk_is_in_the_grid_and_links_to_its_abstract(
    meeting: tuple[dict[str, Any], Path, Path], reader: PdfReader
) -> None:
    program, project, out = meeting
    recs = records(project)
    grid = gridpdf.grid_pages(reader)
    linked: set[str] = set()
    shown: set[str] = set()
    texts: dict[int, str] = {}
    for i in grid:
        frags = gridpdf.view(reader, i).frags
        blocks = [
            gridpdf.in_rect(frags, (b.x0, b.y0, b.x1, b.y1)) for b in gridpdf.view(reader, i).boxes
        ]
        for tid, rec in recs.items():
            if any(squash(rec["authors"][0]["name"]) in text for text in blocks):
                shown.add(tid)
        for rect, target in gridpdf.links(reader, i):
            inside = gridpdf.in_rect(frags, rect)
            if target not in texts:
                texts[target] = squash(reader.pages[target].extract_text())
            target_text = texts[target]
            for tid, rec in recs.items():
                name = squash(rec["authors"][0]["name"])
                if name in inside and squash(rec["title"]) in target_text:
                    linked.add(tid)
    every = {t for s in gridpdf.expected_sessions(program) for t, _ in s["slots"]}
    assert shown == every == set(recs)
    assert linked == every


def test_talk_times_are_printed_beside_their_speakers(
    meeting: tuple[dict[str, Any], Path, Path], reader: PdfReader
) -> None:
    program, project, out = meeting
    recs = records(project)
    text = "|".join(
        gridpdf.in_rect(gridpdf.view(reader, i).frags, (b.x0, b.y0, b.x1, b.y1))
        for i in gridpdf.grid_pages(reader)
        for b in gridpdf.view(reader, i).boxes
    )
    for session in gridpdf.expected_sessions(program):
        for tid, start in session["slots"]:
            when = f"{start // 60:02d}:{start % 60:02d}"
            assert squash(when + recs[tid]["authors"][0]["name"]) in text, tid


def test_contents_and_programme_name_the_rooms_of_parallel_sessions(
    meeting: tuple[dict[str, Any], Path, Path], reader: PdfReader
) -> None:
    program, _, _ = meeting
    views = gridpdf.views(reader)
    text = {
        part: squash(" ".join(f.text for v in views if v and v.head == part for f in v.frags))
        for part in ("Contents", "Programme")
    }
    for session in gridpdf.expected_sessions(program):
        if session["room"] == "all":
            continue
        heading = f"{session['start']} {session['title']} · {session['room']}"
        assert squash(heading) in text["Contents"]
        assert squash(f"{session['title']} {session['room']}") in text["Programme"]


def test_thirty_rooms_split_into_legible_pages(tmp_path: Path) -> None:
    write_meeting(tmp_path / "big", days=1, rooms=30, talks=1, book={"front_matter": ["timetable"]})
    out = tmp_path / "big.pdf"
    pipeline.build(tmp_path / "big", out)
    reader = PdfReader(out)
    grid = gridpdf.grid_pages(reader)
    assert gridpdf.text_size_and_trim(reader, grid) == []
    heads = set()  # each column's head: the lines at one x, top to bottom
    for i in grid:
        by_x: dict[float, list[tuple[float, str]]] = {}
        for f in gridpdf.view(reader, i).frags:
            by_x.setdefault(round(f.x, 1), []).append((-f.y, f.text))
        heads |= {squash("".join(t for _, t in sorted(v)))[:40] for v in by_x.values()}
    rooms = yaml.safe_load((tmp_path / "big" / "program.yaml").read_text("utf-8"))["rooms"]
    assert all(any(h.startswith(squash(r)) for h in heads) for r in rooms)
    assert "rooms 1–" in " ".join(f.text for f in fragments(reader.pages[grid[0]]))
    assert len(grid) >= 5  # at most six rooms a page in A5


def test_room_groups_are_even_and_never_narrower_than_the_minimum() -> None:
    rooms = tuple(f"R{n}" for n in range(30))
    groups = room_groups(rooms, 330.0)
    assert [r for g in groups for r in g] == list(rooms)
    assert max(map(len, groups)) - min(map(len, groups)) <= 1
    assert all((330.0 - 24.0) / len(g) >= MIN_COLUMN for g in groups)
    # a room holding sessions side by side takes a column's width for each
    lanes = {"R0": 4, "R3": 2}
    groups = room_groups(rooms[:8], 330.0, lanes)
    assert [r for g in groups for r in g] == list(rooms[:8])
    widths = [sum(lanes.get(r, 1) for r in g) for g in groups]
    assert all((330.0 - 24.0) / w >= MIN_COLUMN for w in widths)
    assert len(groups) == 2


def test_rooms_in_order_of_first_mention_unless_listed() -> None:
    import datetime as dt

    from abstractbook.project.model import Day

    day = Day(
        dt.date(2031, 3, 10),
        (
            Session("a", "A", (), "09:00", "Hall B"),
            Session("b", "B", (), "09:00", "all"),
            Session("c", "C", (), "09:00", "Aula"),
        ),
    )
    assert room_order(Program((day,))) == ("Hall B", "Aula")
    assert room_order(Program((day,), ("Aula", "Hall B"))) == ("Aula", "Hall B")


def test_a_session_ends_at_its_end_else_when_its_last_talk_does() -> None:
    talks = (
        ProgramSlot("x", None, 30),
        ProgramSlot("y", None, None),
        ProgramSlot("z", "10:30", 15),
    )
    assert (timed(Session("s", "S", talks, "09:00")).end) == 10 * 60 + 45
    assert timed(Session("s", "S", talks, "09:00", end="11:00")).end == 11 * 60
    # a talk without a duration runs until the next given start
    assert [t.start for t in timed(Session("s", "S", talks, "09:00")).slots] == [540, 570, 630]


def test_a_rebuild_after_a_time_change_redraws_only_that_days_grid(tmp_path: Path) -> None:
    from tests.test_manifest import assert_rebuild_is_cold

    write_meeting(tmp_path / "p", days=2, rooms=3, talks=1)
    warm = tmp_path / "warm" / "book.pdf"
    pipeline.build(tmp_path / "p", warm)
    before = PdfReader(warm)
    grids = gridpdf.grid_pages(before)
    path = tmp_path / "p" / "program.yaml"
    head, tail = path.read_text("utf-8").split("id: d1-pm-2")
    path.write_text(head + "id: d1-pm-2" + tail.replace("'15:00'", "'15:05'", 1), "utf-8")
    rebuilt = assert_rebuild_is_cold(tmp_path / "p", warm, tmp_path)  # the cache is sound
    report = rebuilt.report
    assert report is not None
    changed = {n - 1 for a, b in report.pages for n in range(a, b + 1)}
    second_day = [
        i for i in grids if "11 March" in " ".join(f.text for f in gridpdf.view(before, i).frags)
    ]
    assert changed & set(grids) and changed & set(grids) <= set(second_day)


def test_a_bookmark_leads_to_the_timetable(reader: PdfReader) -> None:
    marks = {
        m.title: reader.get_destination_page_number(m)
        for m in reader.outline
        if not isinstance(m, list)
    }
    assert marks["Timetable"] == gridpdf.grid_pages(reader)[0]
