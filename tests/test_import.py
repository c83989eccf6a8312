"""import: pretalx, frab, Indico and EasyChair exports -> a book project that builds; --update."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from typer.testing import CliRunner, Result

from abstractbook import pipeline
from abstractbook.cli import app
from abstractbook.errors import InputError
from abstractbook.importing import ImportResult, import_project
from abstractbook.importing.text import (
    html_to_markdown,
    looks_like_html,
    markdown_with_breaks,
    plain_to_markdown,
    without_images,
)
from abstractbook.project.markup import Paragraph, parse, text_of
from abstractbook.project.schema import validate

FIX = Path(__file__).parent / "fixtures" / "import"
PRETALX = [FIX / "pretalx" / "schedule.json", FIX / "pretalx" / "speakers.csv"]
FRAB = [FIX / "frab" / "schedule.xml"]
INDICO = [FIX / "indico" / n for n in ("contributions.json", "timetable.json", "abstracts.json")]
EASYCHAIR = [FIX / "easychair" / "submission.csv", FIX / "easychair" / "author.csv"]
TRAP = "Ratios N:P < 16 to N:P > 16"


def record(root: Path, talk_id: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((root / "abstracts" / f"{talk_id}.yaml").read_text())
    return data


def program(root: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((root / "program.yaml").read_text())
    return data


def sessions(root: Path) -> dict[str, tuple[str, dict[str, Any]]]:
    """Each talk id -> (its day, its session)."""
    found = {}
    for day in program(root)["days"]:
        for session in day["sessions"]:
            for talk in session["talks"]:
                found[talk["id"]] = (str(day["date"]), session)
    return found


def slot(root: Path, talk_id: str) -> tuple[str, str]:
    day, session = sessions(root)[talk_id]
    talk = next(t for t in session["talks"] if t["id"] == talk_id)
    return day, talk["start"]


def warnings_text(result: ImportResult) -> str:
    return "\n".join(str(w) for w in result.warnings)


def body_text(root: Path, talk_id: str) -> str:
    return text_of(parse(record(root, talk_id)["body"]))


def names(root: Path, talk_id: str) -> list[str]:
    return [a["name"] for a in record(root, talk_id)["authors"]]


def problems(excinfo: pytest.ExceptionInfo[InputError]) -> str:
    return "\n".join(str(p) for p in excinfo.value.problems)


@pytest.fixture
def pretalx_project(tmp_path: Path) -> tuple[Path, ImportResult]:
    out = tmp_path / "book"
    return out, import_project("pretalx", PRETALX, out)


# -- pretalx ------------------------------------------------------------------------


def test_pretalx_joins_affiliations_on_the_speaker_code(
    pretalx_project: tuple[Path, ImportResult],
) -> None:
    root, _ = pretalx_project
    zoe, juergen = record(root, "abc123")["authors"]
    assert zoe == {
        "name": "Zoë Ångström",
        "affiliations": ["Karolinska Institutet", "SciLifeLab"],
        "presenting": True,
    }
    # The CSV calls him "J. Müller": the code joins, not the name.
    assert juergen["affiliations"] == ["Universität Tübingen"]
    # Another Li Wei (another code) is in the CSV: his affiliation must not be taken.
    assert record(root, "def456")["authors"] == [{"name": "Li Wei"}]


def test_pretalx_reports_what_the_schedule_lacks(
    pretalx_project: tuple[Path, ImportResult],
) -> None:
    _, result = pretalx_project
    text = warnings_text(result)
    assert "proposals not in the schedule: QQQ000, XYZ777" in text
    assert "speakers with no talk in the schedule: Li Wei (OTHER9)" in text
    assert "no row for these speakers of the schedule, so no affiliation: Li Wei (LIW4)" in text


def test_pretalx_without_the_speakers_csv_says_affiliations_are_missing(tmp_path: Path) -> None:
    result = import_project("pretalx", PRETALX[:1], tmp_path / "b")
    assert "carries no affiliations" in warnings_text(result)
    assert "affiliations" not in record(tmp_path / "b", "abc123")["authors"][0]


def test_pretalx_text_keeps_line_breaks_and_prints_as_pretalx_does(
    pretalx_project: tuple[Path, ImportResult],
) -> None:
    root, _ = pretalx_project
    body = record(root, "abc123")["body"]
    assert "patterns.\\\nWe recorded" in body  # a single line break stays one
    blocks = parse(body)
    assert isinstance(blocks[0], Paragraph)
    assert [r.text for r in blocks[0].runs if r.text == "\n"] == ["\n"]
    text = text_of(blocks)
    assert f"{TRAP} hold; we spent $5 and $x$ per session." in text  # no formula made up
    assert "the grid rotates;" in text  # the list is still a list
    html = record(root, "ghi012")
    assert html["body"] == "Head direction cells\\\nare **compasses**.\n"
    assert html["title"] == "Head direction <cells> & more"  # titles are plain text


def test_pretalx_types_breaks_and_empty_abstracts(
    pretalx_project: tuple[Path, ImportResult],
) -> None:
    root, result = pretalx_project
    assert record(root, "key001")["type"] == "keynote"
    assert record(root, "key001")["title"] == "Opening keynote: Maps in the brain"
    assert record(root, "pos789")["type"] == "poster"
    assert "body" not in record(root, "def456")
    assert result.skipped == [
        'Coffee break (conference.days[1].rooms["Seminarraum 2"][1]): a break'
    ]
    assert not (root / "abstracts" / "brk001.yaml").exists()


def test_pretalx_programme_files_talks_under_the_date_they_start_by_room_and_half_day(
    pretalx_project: tuple[Path, ImportResult],
) -> None:
    root, _ = pretalx_project
    assert slot(root, "abc123") == ("2024-06-10", "09:00")
    assert slot(root, "night1") == ("2024-06-11", "01:30")  # the date it starts on
    assert slot(root, "ghi012") == ("2024-06-11", "10:00")
    by_talk = sessions(root)
    assert by_talk["abc123"][1] is by_talk["key001"][1]  # back to back: one session
    assert by_talk["def456"][1] is by_talk["key001"][1]  # a 45-minute break: same morning
    assert by_talk["abc123"][1]["title"] == "Navigation"
    assert by_talk["abc123"][1]["room"] == "Hörsaal A"
    second_day = program(root)["days"][1]["sessions"]
    assert [t["id"] for t in second_day[0]["talks"]] == ["night1"]  # the night opens the date


# -- frab ---------------------------------------------------------------------------


def test_frab_schedule_xml(tmp_path: Path) -> None:
    root = tmp_path / "b"
    result = import_project("frab", FRAB, root)
    assert sorted(result.added) == ["101", "103", "201", "program.yaml"]
    entropy = record(root, "101")
    assert entropy["title"] == "Entropy and you: A gentle introduction"
    assert [a["name"] for a in entropy["authors"]] == ["Søren Kierkegaard", "Mária Telkes"]
    assert all(a["presenting"] for a in entropy["authors"])
    assert TRAP in body_text(root, "101")
    assert record(root, "201")["body"] == "An HTML *abstract*.\n"  # escaped HTML, converted
    assert slot(root, "201") == ("2024-12-28", "10:30")  # pentabarf: <start> on its <day>
    assert result.skipped == ["Coffee break (line 39): a break"]
    assert "no affiliations" in warnings_text(result)


def test_frab_reads_the_frab_compatible_json_too(tmp_path: Path) -> None:
    result = import_project("frab", PRETALX[:1], tmp_path / "b")
    assert "abc123" in result.added
    assert "frab's schedule carries no affiliations" in warnings_text(result)


def test_pretalx_points_an_xml_schedule_to_frab(tmp_path: Path) -> None:
    with pytest.raises(InputError) as excinfo:
        import_project("pretalx", FRAB, tmp_path / "b")
    assert "schedule.xml is read by the frab format" in problems(excinfo)


def test_frab_refuses_entity_expansion(tmp_path: Path) -> None:
    bomb = tmp_path / "schedule.xml"
    bomb.write_text(
        '<?xml version="1.0"?><!DOCTYPE s [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><schedule>&b;</schedule>'
    )
    with pytest.raises(InputError) as excinfo:
        import_project("frab", [bomb], tmp_path / "b")
    assert "refused" in problems(excinfo)
    assert not (tmp_path / "b").exists()


def test_frab_xml_errors_name_the_line(tmp_path: Path) -> None:
    broken = tmp_path / "schedule.xml"
    broken.write_text("<schedule>\n<day date='2024-01-01'>\n<room name='A'>\n</day>\n")
    with pytest.raises(InputError) as excinfo:
        import_project("frab", [broken], tmp_path / "b")
    assert f"{broken}:4:" in problems(excinfo)
    untitled = tmp_path / "untitled.xml"
    untitled.write_text(
        "<schedule><day date='2024-01-01'><room name='A'>\n"
        "<event id='1'><start>10:00</start><persons><person>X</person></persons></event>\n"
        "</room></day></schedule>"
    )
    with pytest.raises(InputError) as excinfo:
        import_project("frab", [untitled], tmp_path / "b")
    assert f'{untitled}:2:1: <event id="1">: no <title>' in problems(excinfo)


# -- Indico -------------------------------------------------------------------------


def test_indico_utc_times_need_the_meetings_time_zone(tmp_path: Path) -> None:
    with pytest.raises(InputError) as excinfo:
        import_project("indico", INDICO[:1], tmp_path / "b")
    text = problems(excinfo)
    assert "contributions.json: [1].start_dt: the time is in UTC" in text
    assert "--timezone" in text
    assert not (tmp_path / "b").exists()


@pytest.mark.parametrize(
    ("sources", "timezone"),
    [(INDICO[:1], "America/Sao_Paulo"), (INDICO, None), (INDICO[1:2], None)],
    ids=["contributions+timezone", "all-three", "timetable-only"],
)
def test_indico_late_lecture_stays_on_its_local_day(
    tmp_path: Path, sources: list[Path], timezone: str | None
) -> None:
    root = tmp_path / "b"
    import_project("indico", sources, root, timezone=timezone)
    # 00:15 UTC on the 5th is 21:15 on the 4th in São Paulo.
    assert slot(root, "c501") == ("2024-03-04", "21:15")
    assert slot(root, "c502") == ("2024-03-04", "09:00")


def test_indico_in_utc_the_lecture_moves_to_the_next_day(tmp_path: Path) -> None:
    root = tmp_path / "b"
    import_project("indico", INDICO[:1], root, timezone="UTC")
    assert slot(root, "c501") == ("2024-03-05", "00:15")


def test_indico_author_order_and_presenters(tmp_path: Path) -> None:
    root = tmp_path / "b"
    result = import_project("indico", INDICO, root)
    primary, coauthor, speaker = record(root, "c501")["authors"]
    assert primary == {
        "name": "Ana Luíza de Souza",
        "affiliations": ["Universidade Estadual de Campinas"],
        "family": "de Souza",
    }
    assert coauthor["name"] == "Bruno Costa"  # listed first by Indico, a co-author
    assert speaker == {"name": "Carlos Ferreira", "affiliations": ["CBPF"], "presenting": True}
    assert "presenting" not in str(record(root, "c502")["authors"])
    text = warnings_text(result)
    assert "c501: Carlos Ferreira presents but is not an author" in text
    assert "primary authors are put first in: c501" in text
    assert "the first author is taken to present, in: c502" in text
    assert "alphabetical order" in text and "check the order in: c502" in text
    assert record(root, "c503")["authors"] == [{"name": "Ngozi Okonjo-Iweala"}]  # no affiliation
    assert names(root, "c504") == ["Σωκράτης Παπαδόπουλος"]


def test_indico_text_html_markdown_math(tmp_path: Path) -> None:
    root = tmp_path / "b"
    import_project("indico", INDICO, root)
    blocks = parse(record(root, "c501")["body"])
    assert TRAP in text_of(blocks)
    formula = [r for b in blocks if isinstance(b, Paragraph) for r in b.runs if r.math]
    assert [r.text for r in formula] == ["E=mc^2"]  # Indico renders $...$: it stays a formula
    assert record(root, "c502")["body"].startswith("We measured **three** things\\\nin one go.")
    assert body_text(root, "c503") == "Dust grains\ncharge up."  # from its abstract
    assert "body" not in record(root, "c504")


def test_indico_reports_breaks_skips_and_missing_contributions(tmp_path: Path) -> None:
    root = tmp_path / "b"
    result = import_project("indico", INDICO, root)
    assert "Coffee (2024-03-04 10:30): a break" in result.skipped
    assert "Opening remarks ([5]): no speakers (--keep-unassigned keeps it)" in result.skipped
    assert "Rejected idea (abstracts[4]): abstract state 'rejected'" in result.skipped
    text = warnings_text(result)
    assert "accepted abstracts with no contribution" in text and "#4 Accepted but never" in text
    assert "not in the timetable: c503" in text
    _, evening = sessions(root)["c501"]
    assert evening["title"] == "Evening session"
    assert evening["chair"] == "Marta Chair"
    assert record(root, "c503")["type"] == "poster" and record(root, "c503")["board"] == "P-7"
    assert record(root, "c501")["keywords"] == ["plasma", "tokamak"]


def test_indico_abstracts_alone(tmp_path: Path) -> None:
    root = tmp_path / "b"
    result = import_project("indico", INDICO[2:], root)
    assert sorted(result.added) == ["a9001", "a9003", "a9004"]
    assert not (root / "program.yaml").exists()
    assert names(root, "a9001") == ["Ana Luíza de Souza"]


# -- EasyChair ----------------------------------------------------------------------

EASYCHAIR_TYPED = [
    "# Not a heading",
    "We use *stars*, _underscores_ and <b>tags</b> as typed.",
    f"{TRAP}; cost $5 and $x$.",
    "1. not a list",
    "- not a bullet",
    "indented line",
    "C:\\temp\\",
]


def test_easychair_plain_text_prints_as_typed(tmp_path: Path) -> None:
    root = tmp_path / "b"
    result = import_project("easychair", EASYCHAIR, root)
    assert sorted(result.added) == ["1", "4", "5"]
    assert body_text(root, "1").split("\n") == EASYCHAIR_TYPED
    first = record(root, "1")
    assert first["title"] == "Spiking networks: *not* a #1 priority"
    assert first["keywords"] == ["spiking networks", "plasticity"]
    assert first["authors"] == [
        {"name": "Ólafur Arnalds", "affiliations": ["Háskóli Íslands"]},
        {"name": "Jing Chen", "affiliations": ["Tsinghua University"]},
    ]
    assert record(root, "4") == {
        "id": "4",
        "title": "A poster with no abstract",
        "type": "poster",
        "authors": [{"name": "Ana de la Cruz", "family": "de la Cruz"}],
    }
    assert record(root, "5")["type"] == "keynote"
    assert sorted(result.skipped) == [
        "Rejected idea (row 3): decision 'reject'",
        "Withdrawn work (row 4): deleted",
    ]
    assert "the first author of each abstract is taken to present (not the corresponding" in (
        warnings_text(result)
    )
    assert not (root / "program.yaml").exists()


def _workbook(path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.worksheets[0])
    for sheet, name in (("Submissions", "submission.csv"), ("Authors", "author.csv")):
        ws = book.create_sheet(sheet)
        with (FIX / "easychair" / name).open(encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
        ws.append([h[0].upper() + h[1:] for h in rows[0]])  # the Excel download capitalises
        for row in rows[1:]:
            ws.append([int(c) if c.isdigit() else c for c in row])
    book.save(path)


def test_easychair_xlsx_gives_the_same_records_as_csv(tmp_path: Path) -> None:
    xlsx = tmp_path / "conference.xlsx"
    _workbook(xlsx)
    import_project("easychair", [xlsx], tmp_path / "x")
    import_project("easychair", EASYCHAIR, tmp_path / "c")
    for name in ("1", "4", "5"):
        path = Path("abstracts") / f"{name}.yaml"
        assert (tmp_path / "x" / path).read_bytes() == (tmp_path / "c" / path).read_bytes()


def test_easychair_without_the_authors_table(tmp_path: Path) -> None:
    root = tmp_path / "b"
    result = import_project("easychair", EASYCHAIR[:1], root)
    assert names(root, "1") == ["Ólafur Arnalds", "Chen Jing"]
    assert "no authors table" in warnings_text(result)


def test_easychair_bad_rows_name_row_and_column(tmp_path: Path) -> None:
    authors = tmp_path / "author.csv"
    authors.write_text(
        "submission #,first name,last name,affiliation\n1,Ólafur,Arnalds,HÍ\n,,,\n1,,,X\n"
    )
    submissions = tmp_path / "submission.csv"
    submissions.write_text("#,title,abstract\n1,One,x\n1,Again,y\n,No number,z\n")
    with pytest.raises(InputError) as excinfo:
        import_project("easychair", [submissions, authors], tmp_path / "b")
    text = problems(excinfo)
    assert f"{authors}: row 4: no submission # or no name" in text
    assert f'{submissions}: row 3, column "#": submission #1 again (also row 2)' in text
    assert f"{submissions}: row 4: no submission # or no title" in text


# -- every format: the project validates and builds ------------------------------


@pytest.mark.parametrize(
    ("fmt", "sources", "title"),
    [
        ("pretalx", PRETALX, "Grid cells in the wild"),
        ("frab", FRAB, "Entropy and you: A gentle introduction"),
        ("indico", INDICO, "Late lecture on plasma waves"),
        ("easychair", EASYCHAIR, "Spiking networks: *not* a #1 priority"),
    ],
)
def test_the_imported_project_validates_and_builds(
    tmp_path: Path, fmt: str, sources: list[Path], title: str
) -> None:
    root = tmp_path / "book"
    result = import_project(fmt, sources, root)
    project = validate(root)
    assert {t.id for t in project.talks} == {a for a in result.added if a != "program.yaml"}
    built = pipeline.build(root, tmp_path / "book.pdf")
    text = " ".join(p.extract_text() for p in PdfReader(built.output).pages)
    assert title in " ".join(text.split())


def test_a_second_import_writes_the_same_bytes(tmp_path: Path) -> None:
    for name in ("one", "two"):
        import_project("indico", INDICO, tmp_path / name)
    one = sorted(p.relative_to(tmp_path / "one") for p in (tmp_path / "one").rglob("*.yaml"))
    assert one == sorted(p.relative_to(tmp_path / "two") for p in (tmp_path / "two").rglob("*.y*"))
    for rel in one:
        assert (tmp_path / "one" / rel).read_bytes() == (tmp_path / "two" / rel).read_bytes()


# -- bad sources: every problem, the place in the file, nothing written -------------


def test_bad_json_names_line_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "schedule.json"
    bad.write_text('{"schedule": {\n  "conference": [1, 2,,]\n}}')
    with pytest.raises(InputError) as excinfo:
        import_project("pretalx", [bad], tmp_path / "b")
    assert f"{bad}:2:" in problems(excinfo) and "not valid JSON" in problems(excinfo)


def test_all_problems_of_a_schedule_at_once_and_nothing_written(tmp_path: Path) -> None:
    data = json.loads(PRETALX[0].read_text())
    talks = data["schedule"]["conference"]["days"][0]["rooms"]["Hörsaal A"]
    talks[1]["title"] = ""
    talks[2]["duration"] = "twenty"
    bad = tmp_path / "schedule.json"
    bad.write_text(json.dumps(data, ensure_ascii=False))
    (tmp_path / "out").mkdir()
    with pytest.raises(InputError) as excinfo:
        import_project("pretalx", [bad], tmp_path / "out" / "book")
    text = problems(excinfo)
    assert f'{bad}: conference.days[1].rooms["Hörsaal A"][2].title: no title' in text
    assert "[3].duration: expected a duration (HH:MM), found 'twenty'" in text
    assert list((tmp_path / "out").iterdir()) == []  # not even a temporary folder


def test_unreadable_sources(tmp_path: Path) -> None:
    latin1 = tmp_path / "submission.csv"
    latin1.write_bytes("#,title\n1,Caf\xe9\n".encode("latin-1"))
    with pytest.raises(InputError) as excinfo:
        import_project("easychair", [latin1, tmp_path / "missing.csv"], tmp_path / "b")
    text = problems(excinfo)
    assert f"{latin1}:2:1: byte 14: not UTF-8 text (byte 0xe9)" in text
    assert "missing.csv:1:1: cannot read" in text
    other = tmp_path / "other.json"
    other.write_text('{"hello": "world"}')
    with pytest.raises(InputError) as excinfo:
        import_project("indico", [other], tmp_path / "b")
    assert "not an Indico export" in problems(excinfo)


def test_unknown_timezone_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputError) as excinfo:
        import_project("indico", INDICO, tmp_path / "b", timezone="Mars/Olympus")
    assert "unknown time zone 'Mars/Olympus'" in problems(excinfo)


def test_import_into_a_folder_that_is_not_empty_writes_nothing(tmp_path: Path) -> None:
    root = tmp_path / "b"
    root.mkdir()
    (root / "notes.txt").write_text("mine")
    with pytest.raises(InputError) as excinfo:
        import_project("frab", FRAB, root)
    assert "not an empty folder; use --update" in problems(excinfo)
    assert [p.name for p in root.iterdir()] == ["notes.txt"]


# -- --update -----------------------------------------------------------------------


def _source(tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(PRETALX[1], src / "speakers.csv")
    return src / "schedule.json", json.loads(PRETALX[0].read_text())


def _talks(data: dict[str, Any]) -> list[dict[str, Any]]:
    talks: list[dict[str, Any]] = data["schedule"]["conference"]["days"][0]["rooms"]["Hörsaal A"]
    return talks


def _save(path: Path, data: dict[str, Any]) -> list[Path]:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return [path, path.parent / "speakers.csv"]


def test_update_rewrites_adds_reports_and_keeps_local_edits(tmp_path: Path) -> None:
    schedule, data = _source(tmp_path)
    root = tmp_path / "book"
    import_project("pretalx", _save(schedule, data), root)
    same = import_project("pretalx", _save(schedule, data), root, update=True)
    assert same.written == [] and same.conflicts == [] and "abc123" in same.unchanged
    # Locally: a typo fixed in one record, book.yaml retitled.
    key = root / "abstracts" / "key001.yaml"
    key.write_text(key.read_text().replace("How the brain", "How our brain"))
    (root / "book.yaml").write_text("title: My own title\n")
    # In the source: one talk retitled, one gone, one new.
    talks = _talks(data)
    talks[0]["title"] = "Grid cells outdoors"
    gone = talks.pop(2)
    talks.append(dict(gone, code="NEW111", title="A new talk", date="2024-06-10T16:00:00+02:00"))
    result = import_project("pretalx", _save(schedule, data), root, update=True)
    assert result.updated == ["abc123", "program.yaml"]
    assert result.added == ["new111"]
    assert result.vanished == ["def456"]
    assert (root / "abstracts" / "def456.yaml").exists()  # reported, not deleted
    assert "How our brain" in key.read_text() and "key001" in result.unchanged
    assert (root / "book.yaml").read_text() == "title: My own title\n"
    assert record(root, "abc123")["title"] == "Grid cells outdoors"
    assert sorted(p.name for p in result.written) == ["abc123.yaml", "new111.yaml", "program.yaml"]
    validate(root)


def test_update_conflict_lists_both_sides_and_overwrites_nothing(tmp_path: Path) -> None:
    schedule, data = _source(tmp_path)
    root = tmp_path / "book"
    import_project("pretalx", _save(schedule, data), root)
    mine = root / "abstracts" / "abc123.yaml"
    mine.write_text(mine.read_text().replace("Grid cells in the wild", "Grid cells, wild"))
    edited = mine.read_bytes()
    _talks(data)[0]["abstract"] = "A new abstract."
    result = import_project("pretalx", _save(schedule, data), root, update=True)
    assert [c[0] for c in result.conflicts] == ["abc123"]
    diff = result.conflicts[0][1]
    assert "-title: Grid cells in the wild\n+title: Grid cells, wild" in diff  # yours
    assert "+  A new abstract." in diff  # the source's
    assert mine.read_bytes() == edited
    incoming = root / ".abstractbook" / "incoming" / "abstracts" / "abc123.yaml"
    assert "A new abstract." in incoming.read_text()
    # Reported again while nothing changes ...
    again = import_project("pretalx", _save(schedule, data), root, update=True)
    assert [c[0] for c in again.conflicts] == ["abc123"]
    # ... until the file is edited: the edit settles it.
    mine.write_text(mine.read_text().replace("Grid cells fire", "A new abstract. Grid cells fire"))
    settled = import_project("pretalx", _save(schedule, data), root, update=True)
    assert settled.conflicts == [] and "abc123" in settled.unchanged
    assert "settles the conflict" in warnings_text(settled)
    assert not incoming.exists()
    # Deleting a record file takes the source's version at the next update.
    mine.unlink()
    restored = import_project("pretalx", _save(schedule, data), root, update=True)
    assert restored.updated == ["abc123"] and "A new abstract." in mine.read_text()


def test_update_into_a_hand_made_project_treats_differing_files_as_conflicts(
    tmp_path: Path,
) -> None:
    root = tmp_path / "book"
    (root / "abstracts").mkdir(parents=True)
    (root / "abstracts" / "101.yaml").write_text("id: '101'\ntitle: Mine\nauthors: [{name: Me}]\n")
    result = import_project("frab", FRAB, root, update=True)
    assert [c[0] for c in result.conflicts] == ["101"]
    assert "(yours)" in result.conflicts[0][1]
    assert sorted(result.added) == ["103", "201", "program.yaml"]
    assert (root / "book.yaml").exists()  # there was none
    assert "no record of an earlier import" in warnings_text(result)


# -- text ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("N:P < 16 to N:P > 16", False),
        ("a<b and c>d", False),
        ("I <3 Markdown, *really*", False),
        ("<p>Hello</p>", True),
        ("line<br>break", True),
        ("x <em>y</em> z", True),
    ],
)
def test_looks_like_html(text: str, html: bool) -> None:
    assert looks_like_html(text) is html


def test_html_to_markdown_keeps_what_it_can_and_says_what_it_cannot() -> None:
    markdown, notes = html_to_markdown(
        "<p>H<sub>2</sub>O and e<sup>iπ</sup></p><ul><li>one</li><li>two</li></ul>"
        "<table><tr><td>a</td><td>b</td></tr></table><img src='f.png' alt='Figure'>",
        math=False,
    )
    assert text_of(parse(markdown)).split("\n") == [
        "H₂O and e^(iπ)",
        "one",
        "two",
        "a | b",
        "Figure",
    ]
    assert notes == [
        "a sub- or superscript was written as ^(...)",
        "a table was set as plain lines",
        "an image (f.png) was left out",
    ]


def test_markdown_with_breaks_leaves_code_alone() -> None:
    source = "one\ntwo `a\nb` three\n\n    code $x$\n    more\n\n```\nfenced\n```"
    out = markdown_with_breaks(source, math=False)
    assert out == "one\\\ntwo `a\nb` three\n\n    code $x$\n    more\n\n```\nfenced\n```"


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"))
        | st.sampled_from("\n\n *_#<>`[]$\\-+=.!()~|&1"),
        max_size=80,
    )
)
def test_plain_text_prints_exactly_as_typed(text: str) -> None:
    lines = [" ".join(line.split(" ")).strip() for line in text.split("\n")]
    expected = [line.strip() for line in lines if line.strip()]
    got = text_of(parse(plain_to_markdown(text))).split("\n") if expected else []
    assert [g.strip() for g in got] == expected


def letters(text: str) -> list[str]:
    return [c for c in text if c.isalpha()]


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(blacklist_characters="<&", blacklist_categories=("Cs",)), max_size=60))
def test_text_that_is_no_html_keeps_every_letter(text: str) -> None:
    """Without tags or entities, the HTML converter may change marks and spaces, never
    the words: the letters that print are the letters sent."""
    for math in (False, True):
        markdown, _ = html_to_markdown(text, math=math)
        assert letters(text_of(parse(markdown))) == letters(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_hard_breaks_change_no_word(text: str) -> None:
    """Turning a source's single line breaks into hard breaks (and its dollars into
    typed dollars) leaves the words that print as they were."""
    for math in (False, True):
        converted = markdown_with_breaks(text, math=math)
        assert letters(text_of(parse(converted))) == letters(text_of(parse(text)))


def test_strict_update_fails_on_a_conflict_and_still_overwrites_nothing(tmp_path: Path) -> None:
    """`import --update --strict`: a record edited here and changed in the source exits
    1 with the conflict listed, the local edit kept; without conflicts it exits 0."""
    schedule, data = _source(tmp_path)
    root = tmp_path / "book"
    sources = [str(p) for p in _save(schedule, data)]
    runner = CliRunner()

    def run(*extra: str) -> Result:
        return runner.invoke(app, ["import", "pretalx", *sources, "-o", str(root), *extra])

    assert run().exit_code == 0
    quiet = run("--update", "--strict")
    assert quiet.exit_code == 0, quiet.output
    assert "0 conflict(s)" in quiet.stdout
    mine = root / "abstracts" / "abc123.yaml"
    mine.write_text(mine.read_text().replace("Grid cells in the wild", "Grid cells, wild"))
    edited = mine.read_bytes()
    _talks(data)[0]["abstract"] = "A new abstract."
    _save(schedule, data)
    lenient = run("--update")
    assert lenient.exit_code == 0
    assert "conflict abc123: edited here and changed in the source" in lenient.stdout
    strict = run("--update", "--strict")
    assert strict.exit_code == 1
    assert "conflict abc123: edited here and changed in the source" in strict.stdout
    assert "1 conflict(s), failing because of --strict." in strict.stderr
    assert "Traceback" not in strict.output
    assert mine.read_bytes() == edited


# -- real exports as they come ------------------------------------------------------


def _talk(code: str, date: str, start: str, title: str, **extra: Any) -> dict[str, Any]:
    """A talk as pretalx's schedule.json writes it (the frab-compatible format)."""
    talk: dict[str, Any] = {
        "id": abs(hash(code)) % 10_000,
        "code": code,
        "date": date,
        "start": start,
        "duration": "00:40",
        "room": extra.pop("room", "Hall A"),
        "title": title,
        "track": extra.pop("track", None),
        "type": extra.pop("type", "Talk"),
        "abstract": extra.pop("abstract", f"About {title}."),
        "description": extra.pop("description", ""),
        "persons": [
            {"code": f"P{n}", "name": name, "public_name": name}
            for n, name in enumerate(extra.pop("speakers", ["Ada Example"]))
        ],
    }
    talk.update(extra)
    return talk


def _schedule(
    path: Path, days: dict[str, list[dict[str, Any]]], zone: str = "Europe/Berlin"
) -> Path:
    """schedule.json with `days` (date -> talks, put in their rooms)."""
    out = []
    for date, talks in days.items():
        rooms: dict[str, list[dict[str, Any]]] = {}
        for t in talks:
            rooms.setdefault(t["room"], []).append(t)
        out.append({"date": date, "rooms": rooms})
    conference = {
        "title": "Camp 2024",
        "start": min(days),
        "end": max(days),
        "time_zone_name": zone,
        "days": out,
    }
    path.write_text(json.dumps({"schedule": {"conference": conference}}, ensure_ascii=False))
    return path


HARD_BREAK_LIST = "What you get:  \n- a badge  \n- a t-shirt  \n- dinner\n\nSee you there  "


def _camp(tmp_path: Path) -> Path:
    """What real camps export: a workshop on two days, a DEL character, a zone name that
    disagrees with the offsets, a talk after midnight, a talk without speakers and a
    list written with hard breaks."""
    return _schedule(
        tmp_path / "schedule.json",
        {
            "2024-06-10": [
                _talk("WS1ABC", "2024-06-10T10:00:00+01:00", "10:00", "Soldering workshop"),
                _talk(
                    "DEL001",
                    "2024-06-10T11:00:00+01:00",
                    "11:00",
                    "Rub\x7fout",
                    abstract="Before\x7fafter.",
                    speakers=["Yao Wei (魏銘廷)"],
                ),
                _talk(
                    "LIST01",
                    "2024-06-10T14:00:00+01:00",
                    "14:00",
                    "Welcome",
                    abstract="",
                    description=HARD_BREAK_LIST,
                ),
                _talk(
                    "NOBODY",
                    "2024-06-10T15:00:00+01:00",
                    "15:00",
                    "Open hardware meetup",
                    room="Tent",
                    speakers=[],
                ),
                _talk("NIGHT1", "2024-06-11T00:50:00+01:00", "00:50", "Night owls", room="Tent"),
            ],
            "2024-06-11": [
                _talk("WS1ABC", "2024-06-11T10:00:00+01:00", "10:00", "Soldering workshop"),
            ],
        },
        zone="UTC",
    )


def test_a_camp_schedule_imports_checks_builds_and_exports(tmp_path: Path) -> None:
    from tests.test_cli import run

    source = _camp(tmp_path)
    r = run("import", "pretalx", str(source), "-o", "camp", "--keep-unassigned", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    root = tmp_path / "camp"
    # Every talk kept, the workshop once with both slots, times as the schedule shows them.
    assert sorted(p.stem for p in (root / "abstracts").glob("*.yaml")) == [
        "del001",
        "list01",
        "night1",
        "nobody",
        "ws1abc",
    ]
    placed = [
        (str(day["date"]), t["start"], t["id"])
        for day in program(root)["days"]
        for s in day["sessions"]
        for t in s["talks"]
    ]
    assert ("2024-06-10", "10:00", "ws1abc") in placed
    assert ("2024-06-11", "10:00", "ws1abc") in placed
    assert ("2024-06-11", "00:50", "night1") in placed  # the date it starts on
    # Every assumption is said.
    assert (
        "UTC" in r.stderr and "ws1abc (start 10:00, but date 2024-06-10T10:00:00+01:00" in r.stderr
    )
    assert (
        "del001: control characters dropped or replaced (body: U+007F; title: U+007F)" in r.stderr
    )
    assert "kept with author N.N.: nobody" in r.stderr
    assert record(root, "del001")["title"] == "Rubout"
    assert (
        record(root, "list01")["body"]
        == "What you get:\n- a badge\n- a t-shirt\n- dinner\n\nSee you there\n"
    )
    assert "5 abstract(s) added" in r.stdout
    # check, build and export as the commands do them: no error raised is exit 0.
    from abstractbook.building import preflight

    checked = preflight.check_book(pipeline.load_book(root))
    assert not [p for p in checked if "U+" in p.message]  # every character prints
    pipeline.build(root, root / "build" / "book.pdf")
    pipeline.export_talks(root, root / "build" / "talks")
    night = PdfReader(root / "build" / "talks" / "night1.pdf").pages[0].extract_text()
    assert "Tuesday, 11 June 2024, 00:50–01:30" in night
    workshop = PdfReader(root / "build" / "talks" / "ws1abc.pdf").pages[0].extract_text()
    assert "Monday, 10 June 2024, 10:00–10:40" in workshop
    assert "Tuesday, 11 June 2024, 10:00–10:40" in workshop
    index = "".join(p.extract_text() for p in PdfReader(root / "build" / "book.pdf").pages[-2:])
    assert "Wei, Yao (魏銘廷)" in index


def test_talks_without_speakers_are_listed_as_skipped_unless_kept(tmp_path: Path) -> None:
    source = _camp(tmp_path)
    result = import_project("pretalx", [source], tmp_path / "a")
    assert "Open hardware meetup" in "\n".join(result.skipped)
    assert "--keep-unassigned keeps it" in "\n".join(result.skipped)
    kept = import_project("pretalx", [source], tmp_path / "b", keep_unassigned=True)
    assert "nobody" in kept.added
    assert record(tmp_path / "b", "nobody")["authors"] == [{"name": "N.N."}]
    assert record(tmp_path / "b", "nobody")["body"] == "About Open hardware meetup.\n"


def test_the_local_start_wins_over_a_zone_name_that_disagrees(tmp_path: Path) -> None:
    source = _schedule(
        tmp_path / "schedule.json",
        {"2024-06-10": [_talk("ABC", "2024-06-10T09:30:00+01:00", "09:30", "Morning")]},
        zone="UTC",
    )
    result = import_project("pretalx", [source], tmp_path / "b")
    assert slot(tmp_path / "b", "abc") == ("2024-06-10", "09:30")  # not 08:30
    text = warnings_text(result)
    assert "abc (start 09:30, but date 2024-06-10T09:30:00+01:00 in UTC is 08:30)" in text
    agreeing = _schedule(
        tmp_path / "agree.json",
        {"2024-06-10": [_talk("ABC", "2024-06-10T09:30:00+01:00", "09:30", "Morning")]},
        zone="Europe/London",  # +01:00 in June: no disagreement
    )
    quiet = import_project("pretalx", [agreeing], tmp_path / "c")
    assert "disagrees" not in warnings_text(quiet)


def test_a_talk_listed_twice_under_one_id_with_another_title_is_kept_apart(
    tmp_path: Path,
) -> None:
    source = _schedule(
        tmp_path / "schedule.json",
        {
            "2024-06-10": [
                _talk("X1", "2024-06-10T09:00:00+02:00", "09:00", "First talk"),
                _talk("X1", "2024-06-10T10:00:00+02:00", "10:00", "Second talk"),
            ]
        },
    )
    result = import_project("pretalx", [source], tmp_path / "b")
    assert sorted(result.added) == ["program.yaml", "x1", "x1-2"]
    assert record(tmp_path / "b", "x1-2")["title"] == "Second talk"
    assert "id 'x1' is also 'First talk'" in warnings_text(result)


def test_sessions_are_rooms_by_half_day_not_one_per_talk(tmp_path: Path) -> None:
    """A camp room: 40-minute talks with 20 minutes between them, morning and afternoon."""
    times = ["10:00", "11:00", "12:00", "14:00", "15:00", "16:00"]
    talks = [
        _talk(f"T{n}", f"2024-06-10T{t}:00+02:00", t, f"Talk {n}", track=f"Track {n % 3}")
        for n, t in enumerate(times)
    ]
    talks.append(_talk("P1", "2024-06-10T10:00:00+02:00", "10:00", "Parallel", room="Hall B"))
    source = _schedule(tmp_path / "schedule.json", {"2024-06-10": talks})
    import_project("pretalx", [source], tmp_path / "b")
    found = [
        (s["room"], [t["id"] for t in s["talks"]])
        for s in program(tmp_path / "b")["days"][0]["sessions"]
    ]
    assert found == [
        ("Hall A", ["t0", "t1", "t2"]),
        ("Hall B", ["p1"]),
        ("Hall A", ["t3", "t4", "t5"]),
    ]
    import_project("pretalx", [source], tmp_path / "c", session_gap=20)
    assert len(program(tmp_path / "c")["days"][0]["sessions"]) == 7  # every gap splits


def test_hard_breaks_never_leave_a_backslash_to_print() -> None:
    body = markdown_with_breaks(HARD_BREAK_LIST, math=False)
    assert body == "What you get:\n- a badge\n- a t-shirt\n- dinner\n\nSee you there"
    inside = markdown_with_breaks("one  \ntwo\n\n- item  \n  goes on", math=False)
    assert inside == "one\\\ntwo\n\n- item\\\n  goes on"  # breaks inside a paragraph stay
    assert "\\" not in text_of(parse(body))


def test_control_characters_are_dropped_or_replaced_and_the_project_checks(
    tmp_path: Path,
) -> None:
    source = _schedule(
        tmp_path / "schedule.json",
        {
            "2024-06-10": [
                _talk(
                    "C1",
                    "2024-06-10T09:00:00+02:00",
                    "09:00",
                    "Bell\x07 and\x00 null",
                    abstract="It\x92s fine\x7f.",
                    speakers=["Zo\x1be"],
                )
            ]
        },
    )
    result = import_project("pretalx", [source], tmp_path / "b")
    data = record(tmp_path / "b", "c1")
    assert data["title"] == "Bell and null"
    assert data["body"] == "It’s fine.\n"  # 0x92 was Windows-1252's apostrophe
    assert data["authors"] == [{"name": "Zoe"}]
    assert "c1: control characters dropped or replaced" in warnings_text(result)
    validate(tmp_path / "b")  # check's own reading: no error


def _bad_formula(tmp_path: Path) -> Path:
    contributions = [
        {
            "id": 1,
            "title": "Bad formula",
            "description": "A formula: $\\frac{1}{$ and more, at $5.",
            "persons": [{"first_name": "Ann", "last_name": "Lee", "author_type": "primary"}],
        }
    ]
    source = tmp_path / "contributions.json"
    source.write_text(json.dumps(contributions))
    return source


def test_a_formula_the_book_cannot_typeset_prints_as_typed(tmp_path: Path) -> None:
    result = import_project("indico", [_bad_formula(tmp_path)], tmp_path / "b")
    assert "c1: the formula $\\frac{1}{$ cannot be typeset" in warnings_text(result)
    assert body_text(tmp_path / "b", "c1") == "A formula: $\\frac{1}{$ and more, at $5."
    validate(tmp_path / "b")


def test_a_record_check_would_refuse_stops_the_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last safety net: were a control character to slip through, nothing is written."""
    import abstractbook.importing as importing

    monkeypatch.setattr(importing, "clean_record", lambda record, issues: None)
    source = _schedule(
        tmp_path / "schedule.json",
        {"2024-06-10": [_talk("C1", "2024-06-10T09:00:00+02:00", "09:00", "Rub\x7fout")]},
    )
    with pytest.raises(InputError) as excinfo:
        import_project("pretalx", [source], tmp_path / "b")
    assert f"{tmp_path / 'b' / 'abstracts' / 'c1.yaml'}:" in problems(excinfo)
    assert "control character U+007F" in problems(excinfo)
    assert not (tmp_path / "b").exists()


def _indico_api(tmp_path: Path) -> Path:
    """export/event/42.json?detail=sessions, as Indico's HTTP API documents it."""

    def person(first: str, last: str, affiliation: str) -> dict[str, Any]:
        return {
            "_type": "ContributionParticipation",
            "first_name": first,
            "last_name": last,
            "fullName": f"{last.upper()}, {first}",
            "affiliation": affiliation,
            "db_id": hash(last) % 1000,
        }

    def contribution(
        cid: str, title: str, time: str, who: dict[str, Any], **more: Any
    ) -> dict[str, Any]:
        return {
            "_type": "Contribution",
            "_fossil": "contributionMetadata",
            "id": cid,
            "title": title,
            "description": f"<p>About <em>{title}</em>.</p>",
            "startDate": {"date": "2024-09-02", "time": time, "tz": "Europe/Zurich"},
            "endDate": {"date": "2024-09-02", "time": time, "tz": "Europe/Zurich"},
            "duration": 20,
            "room": "Main Auditorium",
            "session": more.pop("session", None),
            "track": None,
            "type": more.pop("type", None),
            "keywords": [],
            "speakers": [who],
            "primaryauthors": [who],
            "coauthors": more.pop("coauthors", []),
            **more,
        }

    ann = person("Ann", "Lee", "CERN")
    bo = person("Bo", "Chen", "EPFL")
    event = {
        "_type": "Conference",
        "id": "42",
        "title": "Detector Workshop",
        "timezone": "Europe/Zurich",
        "location": "CERN",
        "startDate": {"date": "2024-09-02", "time": "09:00:00", "tz": "Europe/Zurich"},
        "endDate": {"date": "2024-09-03", "time": "18:00:00", "tz": "Europe/Zurich"},
        "contributions": [contribution("1", "Welcome", "09:00:00", ann)],
        "sessions": [
            {
                "_type": "Session",
                "id": "7",
                "title": "Silicon trackers",
                "room": "Main Auditorium",
                "isPoster": False,
                "sessionConveners": [person("Cy", "Diaz", "DESY")],
                "contributions": [
                    contribution(
                        "2", "Pixels", "09:30:00", bo, session="Silicon trackers", coauthors=[ann]
                    ),
                    contribution("3", "Strips", "09:50:00", ann, session="Silicon trackers"),
                ],
            }
        ],
    }
    source = tmp_path / "42.json"
    source.write_text(
        json.dumps({"count": 1, "_type": "HTTPAPIResult", "complete": True, "results": [event]})
    )
    return source


def test_indico_http_api_event_export(tmp_path: Path) -> None:
    root = tmp_path / "b"
    result = import_project("indico", [_indico_api(tmp_path)], root)
    assert sorted(result.added) == ["c1", "c2", "c3", "program.yaml"]
    assert record(root, "c2")["authors"] == [
        {"name": "Bo Chen", "affiliations": ["EPFL"], "presenting": True},
        {"name": "Ann Lee", "affiliations": ["CERN"]},
    ]
    assert body_text(root, "c2") == "About Pixels."
    by_talk = sessions(root)
    assert by_talk["c2"][0] == "2024-09-02" and by_talk["c2"][1]["title"] == "Silicon trackers"
    assert by_talk["c2"][1]["chair"] == "Cy Diaz"
    assert slot(root, "c3") == ("2024-09-02", "09:50")
    book = yaml.safe_load((root / "book.yaml").read_text())
    assert book["title"] == "Detector Workshop"
    validate(root)


def test_an_input_with_nothing_to_import_is_one_error_and_writes_nothing(
    tmp_path: Path,
) -> None:
    source = _schedule(
        tmp_path / "schedule.json",
        {"2024-06-10": [_talk("BRK", "2024-06-10T10:30:00+02:00", "10:30", "Coffee break")]},
    )
    with pytest.raises(InputError) as excinfo:
        import_project("pretalx", [source], tmp_path / "b")
    assert len(excinfo.value.problems) == 1
    assert "nothing to import from schedule.json: all 1 were skipped" in problems(excinfo)
    assert not (tmp_path / "b").exists()
    for n, shape in enumerate(
        ['{"results": {"hits": 3}}', json.dumps([{"name": n} for n in "abc"])]
    ):
        unknown = tmp_path / f"other{n}.json"
        unknown.write_text(shape)
        with pytest.raises(InputError) as excinfo:
            import_project("indico", [unknown], tmp_path / "c")
        assert len(excinfo.value.problems) == 1, problems(excinfo)
        assert not (tmp_path / "c").exists()


def _easychair(tmp_path: Path) -> Path:
    path = tmp_path / "submission.csv"
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["#", "title", "authors", "decision", "abstract"])
        w.writerow(["1", "Accepted work", "Ann Lee", "accept", "A."])
        w.writerow(["2", "Pending work", "Bo Chen", "no decision", "B."])
        w.writerow(["3", "Another pending", "Cy Diaz", "", "C."])
        w.writerow(["4", "Rejected work", "Di Eng", "REJECT", "D."])
        w.writerow(["5", "Probably", "Ed Fox", "probably accept", "E."])
    return path


def test_easychair_imports_accepted_submissions_unless_told_otherwise(tmp_path: Path) -> None:
    source = _easychair(tmp_path)
    result = import_project("easychair", [source], tmp_path / "a")
    assert sorted(result.added) == ["1"]
    assert (
        "4 submissions left out by their decision (2 'no decision', 1 'REJECT', "
        "1 'probably accept')"
    ) in warnings_text(result)
    more = import_project(
        "easychair", [source], tmp_path / "b", decisions=("accept", "no decision")
    )
    assert sorted(more.added) == ["1", "2", "3"]


def test_easychair_on_another_kind_of_file_says_so_once(tmp_path: Path) -> None:
    other = tmp_path / "schedule.json"
    other.write_text(json.dumps({"talks": [{"id": n} for n in range(40)]}, indent=1))
    text_export = tmp_path / "export.csv"
    text_export.write_text("a,b\n" + "1,2,3,4\n" * 40)
    for path in (other, text_export):
        with pytest.raises(InputError) as excinfo:
            import_project("easychair", [path], tmp_path / "b")
        assert [p.message for p in excinfo.value.problems][:1] == [
            "not an EasyChair table: expected the submissions or authors export "
            "(submission.csv, author.csv, or the XLSX download with '#' and 'title' columns)"
        ]
        assert len(excinfo.value.problems) == 1


def test_a_problem_with_a_whole_source_file_is_at_1_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from abstractbook.importing import common

    source = _camp(tmp_path)
    monkeypatch.setattr(common, "MAX_SOURCE_BYTES", 100)
    with pytest.raises(InputError) as excinfo:
        import_project("pretalx", [source], tmp_path / "b")
    assert problems(excinfo).startswith(f"{source}:1:1: ")


def _frab_event(eid: str, date: str, start: str, title: str) -> str:
    return (
        f"<event id='{eid}'><date>{date}</date><start>{start}</start>"
        f"<duration>00:30</duration><room>Saal 1</room><title>{title}</title>"
        f"<type>lecture</type><abstract>About it.</abstract>"
        f"<persons><person id='1'>Ann Lee</person></persons></event>"
    )


def test_frab_merged_schedule_a_talk_twice_and_a_zone_that_disagrees(tmp_path: Path) -> None:
    days = {
        "2024-12-27": _frab_event("7", "2024-12-27T11:00:00+01:00", "11:00", "Lockpicking"),
        "2024-12-28": _frab_event("7", "2024-12-28T15:00:00+01:00", "15:00", "Lockpicking"),
    }
    xml = (
        "<?xml version='1.0' encoding='utf-8' ?><schedule><conference><title>C</title>"
        "<time_zone_name>UTC</time_zone_name></conference>"
        + "".join(f"<day date='{d}'><room name='Saal 1'>{e}</room></day>" for d, e in days.items())
        + "</schedule>"
    )
    source = tmp_path / "schedule.xml"
    source.write_text(xml)
    result = import_project("frab", [source], tmp_path / "b")
    assert sorted(result.added) == ["7", "program.yaml"]
    placed = sorted(
        (str(day["date"]), t["start"])
        for day in program(tmp_path / "b")["days"]
        for s in day["sessions"]
        for t in s["talks"]
    )
    assert placed == [("2024-12-27", "11:00"), ("2024-12-28", "15:00")]
    assert "7 (start 11:00, but date 2024-12-27T11:00:00+01:00 in UTC is 10:00)" in warnings_text(
        result
    )


@given(st.text())
@settings(max_examples=200, deadline=None)
def test_any_text_comes_out_of_cleaning_as_yaml_check_accepts(text: str) -> None:
    from abstractbook.importing.project import dump
    from abstractbook.importing.records import clean_text
    from abstractbook.project.sources import parse as parse_yaml

    cleaned, found = clean_text(text)
    document = parse_yaml(dump({"id": "x", "title": "T", "body": cleaned or "x"}), Path("x.yaml"))
    assert not document.problems
    assert (cleaned == text) == (not found)  # every change is reported


def test_blocks_of_one_track_in_a_morning_are_sessions_of_their_own(tmp_path: Path) -> None:
    times = ["09:00", "09:40", "10:20", "11:00", "11:40"]
    tracks = ["Vision", "Vision", "Memory", "Memory", "Memory"]
    talks = [
        _talk(f"T{n}", f"2024-06-10T{t}:00+02:00", t, f"Talk {n}", track=k)
        for n, (t, k) in enumerate(zip(times, tracks, strict=True))
    ]
    source = _schedule(tmp_path / "schedule.json", {"2024-06-10": talks})
    import_project("pretalx", [source], tmp_path / "b")
    found = [
        (s["title"], [t["id"] for t in s["talks"]])
        for s in program(tmp_path / "b")["days"][0]["sessions"]
    ]
    assert found == [("Vision", ["t0", "t1"]), ("Memory", ["t2", "t3", "t4"])]


def test_indico_http_api_contributions_saved_alone_keep_their_times(tmp_path: Path) -> None:
    """Scripts often keep just `results[0].contributions` of the HTTP API's answer."""
    event = json.loads(_indico_api(tmp_path).read_text())["results"][0]
    alone = tmp_path / "contribs.json"
    alone.write_text(json.dumps(event["contributions"] + event["sessions"][0]["contributions"]))
    root = tmp_path / "b"
    import_project("indico", [alone], root)
    assert slot(root, "c1") == ("2024-09-02", "09:00")
    assert slot(root, "c3") == ("2024-09-02", "09:50")
    assert sessions(root)["c2"][1]["title"] == "Silicon trackers"


def test_update_never_touches_files_a_tampered_state_names_outside_the_project(
    tmp_path: Path,
) -> None:
    schedule, data = _source(tmp_path)
    root = tmp_path / "shared" / "meeting" / "book"
    import_project("pretalx", _save(schedule, data), root)
    victim = tmp_path / "shared" / "victim.txt"  # what base/../../../../victim.txt names
    victim.write_text("keep me")
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text("keep me too")
    state_path = root / ".abstractbook" / "import.json"
    state = json.loads(state_path.read_text())
    state["files"]["../../../../victim.txt"] = {"written": "x", "source": "y"}
    state["files"][str(outside)] = {"written": "x", "source": "y"}
    state_path.write_text(json.dumps(state))
    result = import_project("pretalx", _save(schedule, data), root, update=True)
    assert victim.read_text() == "keep me"
    assert outside.read_text() == "keep me too"
    said = warnings_text(result)
    assert "'../../../../victim.txt': not a file inside the project" in said
    assert f"{str(outside)!r}: not a file inside the project" in said
    assert "victim" not in state_path.read_text()  # forgotten, not carried on


def test_markdown_images_of_a_source_become_their_words_and_are_reported() -> None:
    """A book's figures are files in the project: an imported text's images, shown by
    the source from its server, would each be an input error."""
    markdown, notes = without_images("See ![a plot](https://x.org/p.png) and ![](f.png).")
    assert markdown == "See a plot and ."
    assert notes == ["an image (https://x.org/p.png) was left out", "an image (f.png) was left out"]
