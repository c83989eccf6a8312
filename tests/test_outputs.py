"""Where a build writes: collisions refused, the PDF, manifest and report replaced
together, and what a killed run left behind removed by the next one."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner, Result

from abstractbook import pipeline
from abstractbook.building import outputs
from abstractbook.cli import app
from abstractbook.project import scaffold
from tests.test_cli import run
from tests.test_manifest import assert_untouched


def project(tmp_path: Path) -> Path:
    root = tmp_path / "book"
    scaffold.write_project(root)
    return root


def retitle(root: Path, new: str) -> None:
    path = root / "abstracts" / "hopper.yaml"
    text = path.read_text("utf-8")
    title = next(line for line in text.splitlines() if line.startswith("title:"))
    path.write_text(text.replace(title, f"title: {new}"), "utf-8")


def pdf_text(path: Path) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(path).pages)


def invoke(cwd: Path, *args: str) -> Result:
    """The command line in this process: for what is refused before any work."""
    here = Path.cwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(app, list(args))
    finally:
        os.chdir(here)


def dead_pid() -> int:
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(done.stdout)


@pytest.mark.parametrize(
    "args",
    [
        ("-o", "same.pdf", "--report", "same.pdf"),
        ("-o", "b.pdf", "--report", "b.manifest.json"),
        ("-o", "book/abstracts/hopper.yaml"),
        ("-o", "book/abstracts/new.pdf"),
        ("-o", "book/program.yaml"),
        ("--report", "book/book.yaml"),
    ],
)
def test_colliding_outputs_are_a_command_line_error(tmp_path: Path, args: tuple[str, ...]) -> None:
    root = project(tmp_path)
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    r = invoke(tmp_path, "build", "book", *args)
    assert r.exit_code == 2, r.output
    assert "nothing was written" in r.stderr
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book"]


@pytest.mark.parametrize("folder", ["book", "book/abstracts", "book/abstracts/more"])
def test_export_into_an_input_folder_is_a_command_line_error(tmp_path: Path, folder: str) -> None:
    root = project(tmp_path)
    r = invoke(tmp_path, "export", "book", "-o", folder)
    assert r.exit_code == 2, r.output
    assert not list(root.rglob("*.pdf")) and not list(root.rglob("talks.json"))


def test_unwritable_manifest_leaves_the_pdf_and_says_so_truly(tmp_path: Path) -> None:
    root = project(tmp_path)
    assert run("build", "book", "-o", "out/book.pdf", cwd=tmp_path).returncode == 0
    pdf, manifest = tmp_path / "out" / "book.pdf", tmp_path / "out" / "book.manifest.json"
    before = pdf.read_bytes()
    manifest.unlink()
    manifest.mkdir()  # a folder where the manifest goes
    retitle(root, "A new title")
    r = run("build", "book", "-o", "out/book.pdf", cwd=tmp_path)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "book.manifest.json" in r.stderr and "unchanged" in r.stderr
    assert pdf.read_bytes() == before


def test_a_report_that_cannot_be_written_leaves_pdf_and_manifest(tmp_path: Path) -> None:
    root = project(tmp_path)
    assert run("build", "book", "-o", "out/book.pdf", cwd=tmp_path).returncode == 0
    pair = [tmp_path / "out" / "book.pdf", tmp_path / "out" / "book.manifest.json"]
    before = [p.read_bytes() for p in pair]
    (tmp_path / "blocker").write_text("a file, not a folder")
    retitle(root, "A new title")
    r = run("build", "book", "-o", "out/book.pdf", "--report", "blocker/r.json", cwd=tmp_path)
    assert r.returncode == 1 and "unchanged" in r.stderr and "Traceback" not in r.stderr
    assert [p.read_bytes() for p in pair] == before
    assert sorted(p.name for p in pair[0].parent.iterdir()) == [
        ".abstractbook-cache",
        "book.manifest.json",
        "book.pdf",
    ]


def test_report_is_written_with_the_pdf(tmp_path: Path) -> None:
    root = project(tmp_path)
    out = tmp_path / "out" / "book.pdf"
    pipeline.build(root, out)
    retitle(root, "A new title")
    pipeline.build(root, out, report=tmp_path / "report.json")
    report = json.loads((tmp_path / "report.json").read_text())
    assert [c[0] for c in report["changed"]] == ["hopper"]


class Killed(BaseException):
    """What kill -9 would do at that moment: nothing after it runs."""


def test_a_build_killed_between_renames_is_completed_by_the_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(tmp_path)
    out = tmp_path / "out" / "book.pdf"
    pipeline.build(root, out)
    retitle(root, "Killed between the renames")
    real_replace = os.replace

    def dies_at_the_manifest(src: str | Path, dst: str | Path, **kwargs: object) -> None:
        if Path(dst) == pipeline.manifest_path(out):  # the PDF is renamed, then this
            raise Killed
        real_replace(src, dst, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "replace", dies_at_the_manifest)
    with pytest.raises(Killed):
        pipeline.build(root, out, report=out.parent / "r.json")
    assert "Killed between the renames" in pdf_text(out)  # the PDF is new, its manifest old
    # As kill -9 leaves it: the journal of a process that no longer runs.
    outputs.journal_path(out).rename(outputs.journal_path(out, dead_pid()))
    monkeypatch.setattr(os, "replace", real_replace)
    (root / "abstracts" / "lovelace.yaml").write_text("id: [broken\n")
    r = run("build", "book", "-o", "out/book.pdf", cwd=tmp_path)  # fails, after the renames
    assert r.returncode == 1
    assert "book.manifest.json: written now, as the build killed while writing it" in r.stderr
    manifest = json.loads(pipeline.manifest_path(out).read_text())
    assert manifest["abstracts"]["hopper"]["title"] == "Killed between the renames"
    assert "Killed between the renames" in pdf_text(out)
    assert len(manifest["pages"]) == len(PdfReader(out).pages)
    assert json.loads((out.parent / "r.json").read_text())["changed"][0][0] == "hopper"
    assert not [p for p in out.parent.iterdir() if p.name.endswith((".part", ".commit"))]


def test_a_journal_never_moves_files_onto_other_targets(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep")
    out = tmp_path / "out" / "book.pdf"
    out.parent.mkdir()
    stray = out.parent / ".victim.txt.1.x.part"
    stray.write_text("evil")
    journal = outputs.journal_path(out, dead_pid())
    journal.write_text(json.dumps([[stray.name, "../victim.txt"]]))
    outputs.finish_interrupted([out, pipeline.manifest_path(out)])
    assert victim.read_text() == "keep"
    assert not journal.exists()


def test_leftovers_of_killed_runs_are_removed_by_the_next(tmp_path: Path) -> None:
    root = project(tmp_path)
    out = tmp_path / "out" / "book.pdf"
    pipeline.build(root, out)
    pid = dead_pid()
    cache = out.parent / ".abstractbook-cache" / "book.pdf"
    left = [
        out.parent / f".book.pdf.{pid}.k2j4.part",
        out.parent / f".book.manifest.json.{pid}.x8a.part",
        next(p.parent for p in cache.rglob("*") if p.is_file()) / f".t.pickle.{pid}.q1.part",
    ]
    for path in left:
        path.write_bytes(b"%PDF-1.4 half")
    running = out.parent / f".book.pdf.{os.getpid()}.live.part"  # a build still writing
    running.write_bytes(b"")
    pipeline.build(root, out)
    assert not any(p.exists() for p in left)
    assert running.exists()
    talks = tmp_path / "talks"
    pipeline.export_talks(root, talks)
    (talks / f".hopper.pdf.{pid}.z.part").write_bytes(b"%PDF")
    pipeline.export_talks(root, talks)
    assert not [p for p in talks.iterdir() if p.name.endswith(".part")]


def test_a_malformed_earlier_manifest_is_no_earlier_build(tmp_path: Path) -> None:
    project(tmp_path)
    assert run("build", "book", "-o", "b.pdf", cwd=tmp_path).returncode == 0
    (tmp_path / "b.manifest.json").write_text('{"format": 1, "pages": 3, "abstracts": []}')
    r = run("build", "book", "-o", "b.pdf", "--report", "r.json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "internal error" not in r.stderr
    assert json.loads((tmp_path / "b.manifest.json").read_text())["pages"]


def test_import_never_writes_over_its_own_source(tmp_path: Path) -> None:
    fixtures = Path(__file__).parent / "fixtures" / "import" / "pretalx"
    (tmp_path / "book").mkdir()
    source = tmp_path / "book" / "program.yaml"  # JSON is YAML: a name a user might pick
    source.write_bytes((fixtures / "schedule.json").read_bytes())
    before = source.read_bytes()
    r = run("import", "pretalx", str(source), "-o", "book", "--update", cwd=tmp_path)
    assert r.returncode == 2 and "lies where the import writes" in r.stderr
    assert source.read_bytes() == before
    assert sorted(p.name for p in (tmp_path / "book").rglob("*")) == ["program.yaml"]


def test_an_export_that_fails_part_way_leaves_an_index_that_says_what_is_there(
    tmp_path: Path,
) -> None:
    root = project(tmp_path)
    talks = tmp_path / "talks"
    last = [e.talk.id for e in pipeline.load_book(root).entries][-1]
    (talks / f"{last}.pdf").mkdir(parents=True)  # a folder where the last talk goes
    with pytest.raises(OSError):
        pipeline.export_talks(root, talks)
    index = json.loads((talks / "talks.json").read_text())
    listed = {t["id"]: t["sha256"] for t in index["talks"]}
    assert listed and last not in listed
    for tid, sha256 in listed.items():
        assert hashlib.sha256((talks / f"{tid}.pdf").read_bytes()).hexdigest() == sha256


def test_a_file_the_disk_refuses_leaves_the_previous_outputs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The new files reach the disk while the build goes on; if the disk refuses one,
    the build fails before anything is renamed, and nothing of it is left behind."""
    root = project(tmp_path)
    out = tmp_path / "out" / "book.pdf"
    pipeline.build(root, out)
    before = out.read_bytes(), pipeline.manifest_path(out).read_bytes()
    retitle(root, "A title the disk never sees")

    def refused(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(outputs.os, "fsync", refused)
    with pytest.raises(OSError, match="Input/output"):
        pipeline.build(root, out)
    assert_untouched(out, before)
