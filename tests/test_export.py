"""Per-talk PDFs: each talk alone, talks.json, --only, incremental re-export."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from abstractbook import pipeline
from abstractbook.errors import InputError
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
