"""Per-talk PDFs: each talk alone, talks.json, --only, incremental re-export."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zlib
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader

from abstractbook import pipeline
from abstractbook.errors import InputError
from abstractbook.pdf.profiles import SRGB_PROFILE
from abstractbook.project import scaffold
from tests.pdftext import lines, squash, typewriter

SAMPLE = pipeline.sample_project()


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("talks")
    pipeline.export_talks(SAMPLE, out)
    return out


def text_of(pdf: Path) -> str:
    reader = PdfReader(pdf)
    return "\n".join("\n".join(lines(p)) for p in reader.pages)


def test_every_talk_alone_with_its_own_text(
    exported: Path, sample_build: pipeline.BuildResult
) -> None:
    titles = {t.id: t.title for t in sample_build.book.talks}
    for talk in sample_build.book.talks:
        pdf = exported / f"{talk.id}.pdf"
        text = squash(typewriter(text_of(pdf)))
        assert squash(typewriter(talk.title)) in text
        if talk.body:
            first = talk.body.split("\n\n")[0][:200].lstrip("-1. ")
            assert squash(typewriter(first)) in text
        others = [
            t for i, t in titles.items() if i != talk.id and squash(t) not in squash(talk.title)
        ]
        assert not [t for t in others if squash(t) in text], talk.id
        reader = PdfReader(pdf)
        assert reader.metadata is not None and reader.metadata.title == talk.title
        assert reader.metadata.subject == "Deep Learning and the Brain"
        assert [o.title for o in reader.outline] == [talk.title]


def test_foot_gives_the_page_in_the_book(
    exported: Path, sample_build: pipeline.BuildResult
) -> None:
    index = json.loads((exported / "talks.json").read_text("utf-8"))
    pages = sample_build.document.pages
    for record in index["talks"]:
        first, _ = sample_build.document.talk_pages[record["id"]]
        assert record["page"] == pages[first - 1].label
        assert f"book of abstracts, page {record['page']}" in text_of(exported / record["file"])


def test_talks_json(exported: Path) -> None:
    index = json.loads((exported / "talks.json").read_text("utf-8"))
    assert [t["id"] for t in index["talks"]][:2] == ["yamins", "weinshall"]
    assert len(index["talks"]) == 25
    import hashlib

    for t in index["talks"]:
        data = (exported / t["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == t["sha256"]
        assert t["speakers"] and t["title"]


def test_only_writes_exactly_those(tmp_path: Path) -> None:
    result = pipeline.export_talks(SAMPLE, tmp_path, {"saxe", "weiss"})
    assert sorted(result.written) == ["saxe", "weiss"]
    assert sorted(p.name for p in tmp_path.glob("*.pdf")) == ["saxe.pdf", "weiss.pdf"]


def test_only_unknown_id_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputError) as e:
        pipeline.export_talks(SAMPLE, tmp_path, {"saxee"})
    assert "did you mean 'saxe'" in str(e.value.problems[0])
    assert not list(tmp_path.iterdir())


def test_one_change_rewrites_one_file(tmp_path: Path) -> None:
    project = tmp_path / "book"
    shutil.copytree(SAMPLE, project)
    out = tmp_path / "talks"
    pipeline.export_talks(project, out)
    before = {p.name: p.stat().st_mtime_ns for p in out.glob("*.pdf")}
    path = project / "abstracts" / "15-weiss.yaml"
    path.write_text(
        path.read_text("utf-8").replace("is not guaranteed", "is never guaranteed"), "utf-8"
    )
    result = pipeline.export_talks(project, out)
    assert result.written == ["weiss"]
    assert len(result.unchanged) == 24
    after = {p.name: p.stat().st_mtime_ns for p in out.glob("*.pdf")}
    assert [n for n in after if after[n] != before[n]] == ["weiss.pdf"]


def test_removed_talk_loses_its_file(tmp_path: Path) -> None:
    project = tmp_path / "book"
    shutil.copytree(SAMPLE, project)
    out = tmp_path / "talks"
    pipeline.export_talks(project, out)
    (project / "abstracts" / "25-fee.yaml").unlink()
    result = pipeline.export_talks(project, out)
    assert result.removed == ["fee.pdf"]
    assert not (out / "fee.pdf").exists()


def test_export_is_deterministic(exported: Path, tmp_path: Path) -> None:
    pipeline.export_talks(SAMPLE, tmp_path, {"yamins"})
    assert (tmp_path / "yamins.pdf").read_bytes() == (exported / "yamins.pdf").read_bytes()


def test_every_talk_file_carries_the_srgb_profile_and_passes_qpdf(exported: Path) -> None:
    """The output intent's profile is compressed once per export: each file still
    carries the whole sRGB profile, and each file is sound as qpdf reads it."""
    profile = SRGB_PROFILE.read_bytes()
    files = sorted(exported.glob("*.pdf"))
    assert len(files) == 25
    for path in files:
        with pikepdf.open(path) as pdf:
            assert pdf.check_pdf_syntax() == [], path.name
            (intent,) = pdf.Root.OutputIntents
            assert intent.S == "/GTS_PDFA1"
            assert intent.DestOutputProfile.read_bytes() == profile, path.name


def test_every_stream_of_a_talk_file_inflates_as_qpdf_reads_it(exported: Path) -> None:
    """Font programs (compressed at deflate's fastest level), page streams and the
    rest: Python's zlib gives each stream the bytes qpdf decodes, and the font
    programs are TrueType fonts."""
    with pikepdf.open(exported / "yamins.pdf") as pdf:
        fonts = 0
        for obj in pdf.objects:
            if not isinstance(obj, pikepdf.Stream) or obj.get("/Filter") != "/FlateDecode":
                continue
            assert zlib.decompress(obj.read_raw_bytes()) == obj.read_bytes()
        for page in pdf.pages:
            for font in page.Resources.Font.values():
                program = font.DescendantFonts[0].FontDescriptor.FontFile2
                assert zlib.decompress(program.read_raw_bytes())[:4] == b"\x00\x01\x00\x00"
                fonts += 1
        assert fonts >= 2


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="drawn ahead on another core")
def test_an_export_draws_its_formulas_in_a_worker_that_loads_the_math_renderer(
    tmp_path: Path,
) -> None:
    """As a build does: the export's own process never loads ziamath (a sixth of a
    second, while the records are read), and the formula is drawn all the same."""
    project = tmp_path / "book"
    (project / "abstracts").mkdir(parents=True)
    (project / "book.yaml").write_text("title: Formula Meeting\n")
    (project / "abstracts" / "f.yaml").write_text(
        "id: f\ntitle: A Fraction\nauthors: [{name: Ada Lovelace}]\n"
        "body: 'The ratio $\\frac{a+b}{c}$ holds.'\n"
    )
    script = (
        "import sys; from pathlib import Path; from abstractbook import pipeline; "
        f"pipeline.export_talks(Path({str(project)!r}), Path({str(tmp_path / 'talks')!r})); "
        "print('ziamath' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
    with pikepdf.open(tmp_path / "talks" / "f.pdf") as pdf:
        assert any(name.startswith("/Fm") for name in pdf.pages[0].Resources.XObject)


def _two_slot_project(root: Path) -> Path:
    """A workshop held on two days, and a talk in one slot."""
    (root / "abstracts").mkdir(parents=True)
    (root / "book.yaml").write_text(
        "title: Slots Meeting\ndates: {start: 2024-03-04, end: 2024-03-05}\n"
    )
    (root / "abstracts" / "workshop.yaml").write_text(
        "id: workshop\ntitle: Hands-on Workshop\n"
        "authors: [{name: Ada Lovelace}]\nbody: Bring a laptop.\n"
    )
    (root / "abstracts" / "solo.yaml").write_text(
        "id: solo\ntitle: A Single Talk\nauthors: [{name: Grace Hopper}]\nbody: Once only.\n"
    )
    (root / "program.yaml").write_text(
        "days:\n"
        "  - date: 2024-03-04\n"
        "    sessions:\n"
        "      - {id: mon, title: Monday Lab, start: '09:00', room: Lab A,\n"
        "         talks: [{id: workshop, duration: 90}, solo]}\n"
        "  - date: 2024-03-05\n"
        "    sessions:\n"
        "      - {id: tue, title: Tuesday Lab, start: '14:00', room: Lab B,\n"
        "         talks: [{id: workshop, duration: 90}]}\n"
    )
    return root


def _outline_titles(outline: list[object]) -> list[str]:
    found: list[str] = []
    for item in outline:
        if isinstance(item, list):
            found += _outline_titles(item)
        else:
            found.append(str(getattr(item, "title", "")))
    return found


def test_a_talk_in_two_slots_prints_once_and_is_listed_at_both(tmp_path: Path) -> None:
    root = _two_slot_project(tmp_path / "slots")
    result = pipeline.build(root, tmp_path / "out" / "book.pdf")
    assert [t.id for t in result.book.talks] == ["workshop", "solo"]
    reader = PdfReader(result.output)
    text = [squash("\n".join(lines(p))) for p in reader.pages]
    body = [t for t in text if squash("Bring a laptop.") in t]
    assert len(body) == 1  # the abstract is printed once
    front = "".join(text[: reader.page_labels.index("1")])
    assert front.count(squash("Hands-on Workshop")) == 4  # contents and programme, both days
    programme = front[front.index(squash("Programme")) :]
    assert squash("09:00") in programme and squash("14:00") in programme
    titles = _outline_titles(reader.outline)
    assert titles[titles.index("Monday Lab") :] == [
        "Monday Lab",
        "Hands-on Workshop",
        "A Single Talk",
        "Tuesday, 5 March 2024",
        "Tuesday Lab",
        "Hands-on Workshop",
        "Author index",
    ]
    pipeline.export_talks(root, tmp_path / "talks")
    alone = squash(text_of(tmp_path / "talks" / "workshop.pdf"))
    assert squash("Monday, 4 March 2024, 09:00–10:30, Monday Lab, Lab A") in alone
    assert squash("Tuesday, 5 March 2024, 14:00–15:30, Tuesday Lab, Lab B") in alone


def test_export_keys_do_not_depend_on_how_the_project_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _two_slot_project(tmp_path / "slots")
    out = tmp_path / "talks"
    pipeline.export_talks(root.resolve(), out)
    first = (out / "talks.json").read_bytes()
    monkeypatch.chdir(tmp_path)
    again = pipeline.export_talks(Path("slots"), out)
    assert again.written == [] and sorted(again.unchanged) == ["solo", "workshop"]
    assert (out / "talks.json").read_bytes() == first


def test_head_gives_day_time_session_and_room(tmp_path: Path) -> None:
    """With a programme, each talk's PDF says when and where it is given; a new time in
    the programme rewrites that talk's file with its new head."""
    project = tmp_path / "book"
    scaffold.write_project(project)
    out = tmp_path / "talks"
    pipeline.export_talks(project, out)
    meeting = "Workshop on Example Science · 8–9 March 2027"
    heads = {
        talk: lines(PdfReader(out / f"{talk}.pdf").pages[0])[:2]
        for talk in ("lovelace", "hopper", "noether")
    }
    assert heads == {
        "lovelace": [
            meeting,
            "Monday, 8 March 2027, 09:00–09:45, Opening session, Main Lecture Hall",
        ],
        "hopper": [
            meeting,
            "Monday, 8 March 2027, 09:45–10:15, Opening session, Main Lecture Hall",
        ],
        "noether": [meeting, "Tuesday, 9 March 2027, 14:00, Posters"],  # no room given
    }
    program = project / "program.yaml"
    program.write_text(
        program.read_text("utf-8").replace(
            "{id: hopper, duration: 30}", "{id: hopper, start: '11:00', duration: 20}"
        ),
        "utf-8",
    )
    result = pipeline.export_talks(project, out)
    assert "hopper" in result.written and "noether" in result.unchanged
    assert lines(PdfReader(out / "hopper.pdf").pages[0])[1] == (
        "Monday, 8 March 2027, 11:00–11:20, Opening session, Main Lecture Hall"
    )
