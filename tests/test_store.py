"""The rebuild cache as untrusted input: files from elsewhere cost time, never code or
output; builds racing with other settings; fonts replaced in place; code upgrades."""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from abstractbook import pipeline
from abstractbook.building.store import Store
from abstractbook.typeset.fonts import shipped

SAMPLE = pipeline.sample_project()


def cache_files(out: Path) -> list[Path]:
    folder = out.parent / ".abstractbook-cache" / out.name
    return sorted(p for p in folder.rglob("*") if p.is_file())


def cold_bytes(project: Path, tmp_path: Path) -> bytes:
    cold = pipeline.build(project, tmp_path / "cold" / "book.pdf", use_cache=False)
    return cold.output.read_bytes()


class Planted:
    """A pickle that, if ever unpickled, leaves a mark on the disk."""

    def __init__(self, mark: Path) -> None:
        self.mark = mark

    def __reduce__(self) -> tuple[object, ...]:
        return (Path.write_text, (self.mark, "code ran"))


def test_a_planted_pickle_in_any_cache_file_never_runs(tmp_path: Path) -> None:
    out = tmp_path / "out" / "book.pdf"
    pipeline.build(SAMPLE, out)
    mark = tmp_path / "code-ran"
    payload = pickle.dumps(Planted(mark))
    files = cache_files(out)
    assert {p.name for p in files} >= {"key", "inputs.pickle", "render.pickle", "heads.pickle"}
    assert {p.parent.name for p in files} >= {"talks", "pages", "records", "matter"}
    assert len([p for p in files if p.parent.name == "talks"]) >= 2  # packs of talks
    # with the checksum an earlier format used, with the header of the one before this
    # and with this format's header; the key file left as it was, as someone who
    # copied it from a real cache would
    for form in (
        zlib.crc32(payload).to_bytes(4, "big") + payload,
        b"abcache2" + bytes(32) + payload,
        b"abcache3" + bytes(32) + payload,
    ):
        for path in files:
            if path.name != "key":
                path.write_bytes(form)
        pipeline.build(SAMPLE, out)
        assert not mark.exists()
    for path in cache_files(out):
        path.write_bytes(payload)
    rebuilt = pipeline.build(SAMPLE, out)
    assert not mark.exists()
    assert out.read_bytes() == cold_bytes(SAMPLE, tmp_path)
    assert rebuilt.report is not None and not rebuilt.report.pages


@pytest.mark.parametrize(
    "content",
    [b"", b"\x80", b"abcache3" + bytes(32), b"abcache3" + os.urandom(200), os.urandom(5000)],
    ids=["empty", "one-byte", "magic-and-zero-mac", "magic-and-noise", "noise"],
)
def test_any_bytes_in_the_cache_give_the_cold_output(tmp_path: Path, content: bytes) -> None:
    out = tmp_path / "out" / "book.pdf"
    pipeline.build(SAMPLE, out)
    for path in cache_files(out):
        path.write_bytes(content)
    pipeline.build(SAMPLE, out)
    assert out.read_bytes() == cold_bytes(SAMPLE, tmp_path)


def test_a_cache_made_by_another_user_or_machine_is_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cache folder that arrives with a project (a zip, a repository) was made with
    another secret: none of it is used, and this build's own cache replaces it."""
    project = tmp_path / "book"
    shutil.copytree(SAMPLE, project)
    out = project / "build" / "book.pdf"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "elsewhere"))
    pipeline.build(project, out)
    elsewhere = {p: p.read_bytes() for p in cache_files(out)}
    (project / "abstracts" / "01-yamins.yaml").write_text(
        (project / "abstracts" / "01-yamins.yaml")
        .read_text("utf-8")
        .replace("Advances combining", "Recent advances combining"),
        "utf-8",
    )
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "here"))
    again = pipeline.build(project, out)
    assert out.read_bytes() == cold_bytes(project, tmp_path)
    assert again.report is not None and [c[0] for c in again.report.changed] == ["yamins"]
    assert all(p.read_bytes() != elsewhere.get(p) for p in cache_files(out))


def test_swapped_cache_files_are_noticed(tmp_path: Path) -> None:
    """Two valid talk files exchanged: each is authenticated for its own name."""
    out = tmp_path / "out" / "book.pdf"
    pipeline.build(SAMPLE, out)
    talks = [p for p in cache_files(out) if p.parent.name == "talks"]
    first, second = talks[0].read_bytes(), talks[1].read_bytes()
    talks[0].write_bytes(second)
    talks[1].write_bytes(first)
    folder = out.parent / ".abstractbook-cache" / out.name
    (render, matter) = (folder / "render.pickle", next((folder / "matter").iterdir()))
    r, m = render.read_bytes(), matter.read_bytes()
    render.write_bytes(m)
    matter.write_bytes(r)
    pipeline.build(SAMPLE, out)
    assert out.read_bytes() == cold_bytes(SAMPLE, tmp_path)


def a5_and_a4(tmp_path: Path) -> tuple[Path, Path]:
    a5 = tmp_path / "a5"
    shutil.copytree(SAMPLE, a5)
    a4 = tmp_path / "a4"
    shutil.copytree(SAMPLE, a4)
    book = a4 / "book.yaml"
    text = book.read_text("utf-8")
    assert "page:" not in text
    book.write_text(text + "page:\n  size: A4\n", "utf-8")
    return a5, a4


def test_files_of_builds_with_other_settings_mixed_in_one_cache(tmp_path: Path) -> None:
    """Two builds with different page sizes to one output, their files interleaved as
    a race would leave them: each next build still gives its cold bytes."""
    a5, a4 = a5_and_a4(tmp_path)
    out = tmp_path / "out" / "book.pdf"
    pipeline.build(a5, out)
    from_a5 = {p.relative_to(out.parent): p.read_bytes() for p in cache_files(out)}
    pipeline.build(a4, out)
    for name, data in from_a5.items():
        if name.name != "key":  # the A4 build's key, the A5 build's entries
            (out.parent / name).write_bytes(data)
    pipeline.build(a4, out)
    assert out.read_bytes() == cold_bytes(a4, tmp_path / "cold-a4")
    pipeline.build(a5, out)
    assert out.read_bytes() == cold_bytes(a5, tmp_path / "cold-a5")


@pytest.mark.slow
def test_builds_racing_with_other_settings_to_one_output(tmp_path: Path) -> None:
    a5, a4 = a5_and_a4(tmp_path)
    out = tmp_path / "out" / "book.pdf"
    command = [sys.executable, "-m", "abstractbook", "build"]
    for _ in range(3):
        runs = [
            subprocess.Popen([*command, str(p), "-o", str(out)], stdout=subprocess.DEVNULL)
            for p in (a5, a4, a5, a4)
        ]
        assert [r.wait() for r in runs] == [0, 0, 0, 0]
    pipeline.build(a4, out)
    assert out.read_bytes() == cold_bytes(a4, tmp_path / "cold-a4")
    pipeline.build(a5, out)
    assert out.read_bytes() == cold_bytes(a5, tmp_path / "cold-a5")


def test_a_linked_talks_folder_is_never_followed(tmp_path: Path) -> None:
    out = tmp_path / "out" / "book.pdf"
    pipeline.build(SAMPLE, out)
    talks = out.parent / ".abstractbook-cache" / out.name / "talks"
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "precious.pickle").write_bytes(b"keep me")
    shutil.rmtree(talks)
    talks.symlink_to(victim)
    edited = tmp_path / "edited"
    shutil.copytree(SAMPLE, edited)
    pipeline.build(edited, out)
    assert (victim / "precious.pickle").read_bytes() == b"keep me"
    assert sorted(p.name for p in victim.iterdir()) == ["precious.pickle"]
    assert out.read_bytes() == cold_bytes(SAMPLE, tmp_path)


def test_a_cache_folder_of_another_user_is_not_used(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("giving a folder to another user needs root")
    out = tmp_path / "out" / "book.pdf"
    pipeline.build(SAMPLE, out)
    folder = out.parent / ".abstractbook-cache" / out.name
    os.chown(folder, 65534, 65534)
    result = pipeline.build(SAMPLE, out)
    assert out.read_bytes() == cold_bytes(SAMPLE, tmp_path)
    assert os.stat(folder).st_uid == 65534  # left as it was: not ours to change
    assert result.pages == 23


def test_a_font_file_replaced_in_place_is_noticed(tmp_path: Path) -> None:
    """What `watch` does: a second build in the same process, after the text face's
    file was overwritten with another font."""
    project = tmp_path / "book"
    shutil.copytree(SAMPLE, project)
    fonts = project / "fonts"
    fonts.mkdir()
    serif = shipped("fonts")
    for face in ("Regular", "Italic", "Bold", "BoldItalic"):
        shutil.copy(serif / f"NotoSerif-{face}.ttf", fonts / f"Text-{face}.ttf")
    book = project / "book.yaml"
    book.write_text(
        book.read_text("utf-8")
        + "fonts:\n  text:\n"
        + "".join(
            f"    {key}: fonts/Text-{face}.ttf\n"
            for key, face in (
                ("regular", "Regular"),
                ("italic", "Italic"),
                ("bold", "Bold"),
                ("bold_italic", "BoldItalic"),
            )
        ),
        "utf-8",
    )
    out = tmp_path / "out" / "book.pdf"
    first = pipeline.build(project, out)
    shutil.copy(shipped("fonts") / "NotoSans-Regular.ttf", fonts / "Text-Regular.ttf")
    second = pipeline.build(project, out)
    assert out.read_bytes() == cold_bytes(project, tmp_path)
    assert second.manifest["settings"] != first.manifest["settings"]
    assert second.report is not None and second.report.pages


def test_an_upgrade_that_changes_nothing_visible_reports_no_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out" / "book.pdf"
    pipeline.build(SAMPLE, out)
    before = out.read_bytes()
    monkeypatch.setattr(pipeline, "__version__", "99.0")
    monkeypatch.setattr(pipeline, "_libraries", lambda: ("reportlab-99.0.dist-info",))
    monkeypatch.setattr(pipeline, "_code_hash", lambda: "other code")
    again = pipeline.build(SAMPLE, out)
    assert out.read_bytes() == before
    assert again.report is not None
    assert not again.report.pages and not again.report.changed and not again.report.moved


def count_laid_out(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids of the talks laid out anew from now on, as they are handed to the layout."""
    laid_out: list[str] = []
    real = pipeline._lay_out_many

    def counting(jobs, *rest):  # type: ignore[no-untyped-def]
        laid_out.extend(talk.id for talk, _ in jobs)
        return real(jobs, *rest)

    monkeypatch.setattr(pipeline, "_lay_out_many", counting)
    return laid_out


def test_export_keeps_its_cache_under_its_own_folder_and_reuses_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    talks = tmp_path / "site" / "talks"
    pipeline.export_talks(SAMPLE, talks)
    assert (talks / ".abstractbook-cache" / "talks" / "key").is_file()
    assert not (tmp_path / "site" / ".abstractbook-cache").exists()
    laid_out = count_laid_out(monkeypatch)
    for pdf in talks.glob("*.pdf"):
        pdf.unlink()
    pipeline.export_talks(SAMPLE, talks)
    assert laid_out == []
    assert len(list(talks.glob("*.pdf"))) == 25


def test_an_export_takes_the_talks_of_a_book_built_into_the_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After `build`, `export` lays out no talk: the book's cache gives them (and the
    records it read), only read. Each file is byte for byte a cold export's, and the
    export's own cache holds the talks, so the next export needs no book."""
    cold = tmp_path / "cold"
    pipeline.export_talks(SAMPLE, cold)
    project = tmp_path / "book"
    shutil.copytree(SAMPLE, project)
    pipeline.build(project, project / "build" / "book.pdf")
    book_cache = sorted(p.name for p in (project / "build" / ".abstractbook-cache").rglob("*"))
    laid_out = count_laid_out(monkeypatch)
    talks = project / "build" / "talks"
    result = pipeline.export_talks(project, talks)
    assert laid_out == []
    assert len(result.written) == 25
    for pdf in cold.glob("*.pdf"):
        assert (talks / pdf.name).read_bytes() == pdf.read_bytes(), pdf.name
    assert sorted(p.name for p in (project / "build" / ".abstractbook-cache").rglob("*")) == (
        book_cache
    )
    shutil.rmtree(project / "build" / ".abstractbook-cache")
    for pdf in talks.glob("*.pdf"):
        pdf.unlink()
    pipeline.export_talks(project, talks)
    assert laid_out == []


def test_a_book_written_where_an_export_keeps_its_cache_is_its_cold_self(
    tmp_path: Path,
) -> None:
    """A book named `talks` in an export's folder has its cache where the export keeps
    its own: the export's talks (laid out without page-hash digests) are not the
    book's, so the book and its manifest's page hashes come out as a cold build's."""
    site = tmp_path / "site"
    pipeline.export_talks(SAMPLE, site)
    book = pipeline.build(SAMPLE, site / "talks")
    cold = pipeline.build(SAMPLE, tmp_path / "cold" / "book.pdf", use_cache=False)
    assert book.output.read_bytes() == cold.output.read_bytes()
    assert book.manifest["pages"] == cold.manifest["pages"]


def read_ahead_and_wait(store: Store) -> None:
    store.read_ahead()
    assert store.ahead is not None
    store.ahead.finished()


def test_files_read_ahead_are_checked_when_used_and_forgotten_when_rewritten(
    tmp_path: Path,
) -> None:
    """The cache is read ahead by a thread; what the build then reads is checked
    against the key it asks for, and a file written or removed since it was read
    ahead is read as it is now."""
    store = Store(tmp_path, ("cache", "book.pdf"), os.urandom(32))
    for name in ("a.pickle", "talks/one", "talks/two", "gone"):
        store.write(name, "key", name.encode())
    read_ahead_and_wait(store)
    assert store.read("a.pickle", "other key") is None
    store.write("talks/one", "key", b"rewritten")
    store.remove("gone")
    assert store.read("talks/one", "key") == b"rewritten"
    assert store.read("talks/two", "key") == b"talks/two"
    assert store.read("gone", "key") is None
    (store.folder / "talks" / "two").write_bytes(b"abcache3" + bytes(32) + b"planted")
    read_ahead_and_wait(store)
    assert store.read("talks/two", "key") is None
