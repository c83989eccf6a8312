"""Manifest, change report, rebuild cache, determinism and atomic output."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from abstractbook import parallel, pipeline
from abstractbook.building import files
from abstractbook.building.cache import MAX_PACKS, Cache, Packs, _load, _save, open_store
from abstractbook.building.manifest import compare
from abstractbook.building.store import Store
from abstractbook.errors import InputError
from abstractbook.pdf.render import RenderCache

SAMPLE = pipeline.sample_project()


def copy_sample(dest: Path) -> Path:
    shutil.copytree(SAMPLE, dest)
    return dest


def edit(project: Path, name: str, old: str, new: str) -> None:
    path = project / "abstracts" / name
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


def test_manifest_matches_the_pdf(sample_build: pipeline.BuildResult) -> None:
    manifest = json.loads(pipeline.manifest_path(sample_build.output).read_text("utf-8"))
    reader = PdfReader(sample_build.output)
    assert manifest["format"] == 1
    assert [p["label"] for p in manifest["pages"]] == reader.page_labels
    assert [p["index"] for p in manifest["pages"]] == list(range(1, len(reader.pages) + 1))
    assert len(manifest["abstracts"]) == 25
    outline = {
        o.title: reader.get_destination_page_number(o) + 1
        for o in reader.outline
        if not isinstance(o, list)
    }
    for entry in manifest["abstracts"].values():
        assert outline[entry["title"]] == entry["first_page"] <= entry["last_page"]
        assert set(entry["fields"]) == {"title", "authors", "body", "notes", "meta"}


def page_streams(pdf: Path) -> list[bytes]:
    """Each page's drawing operators (the fonts' codes stay put when no character is
    new to the book, so equal operators draw the same page)."""
    return [page.get_contents().get_data() for page in PdfReader(pdf).pages]  # type: ignore[union-attr]


def test_one_edit_reports_that_abstract_and_exactly_the_pages_that_differ(
    tmp_path: Path,
) -> None:
    project = copy_sample(tmp_path / "book")
    out = tmp_path / "out" / "book.pdf"
    first = pipeline.build(project, out)
    assert first.report is None
    before = page_streams(out)
    edit(  # the last line of an abstract of two pages: only its second page changes
        project,
        "21-lillicrap.yaml",
        "required to scale these\n  approaches.",
        "required to scale these\n  approaches!",
    )
    second = pipeline.build(project, out)
    report = second.report
    assert report is not None
    assert [(i, f) for i, _, f in report.changed] == [("lillicrap", ["body"])]
    assert not report.added and not report.removed and not report.moved
    after = page_streams(out)
    differ = [n for n, (a, b) in enumerate(zip(before, after, strict=True), start=1) if a != b]
    assert [n for a, b in report.pages for n in range(a, b + 1)] == differ
    talk = second.manifest["abstracts"]["lillicrap"]
    assert talk["first_page"] < differ[0] == differ[-1] == talk["last_page"]


def test_title_change_reaches_the_contents(tmp_path: Path) -> None:
    project = copy_sample(tmp_path / "book")
    out = tmp_path / "out" / "book.pdf"
    pipeline.build(project, out)
    edit(
        project,
        "23-yu.yaml",
        "title: Neural constraints on learning",
        "title: Neural constraints on motor learning",
    )
    report = pipeline.build(project, out).report
    assert report is not None
    assert [(i, f) for i, _, f in report.changed] == [("yu", ["title"])]
    labels = [a for a, _ in report.page_labels]
    assert any(not lab.isdigit() for lab in labels)  # a contents page
    assert "Neural constraints on motor learning" in " ".join(report.lines())


def test_added_and_removed(tmp_path: Path) -> None:
    project = copy_sample(tmp_path / "book")
    out = tmp_path / "out" / "book.pdf"
    pipeline.build(project, out)
    (project / "abstracts" / "25-fee.yaml").unlink()
    (project / "abstracts" / "26-new.yaml").write_text(
        "id: newcomer\ntitle: A late arrival\nauthors: [{name: Late Speaker}]\nbody: Hello.\n",
        "utf-8",
    )
    report = pipeline.build(project, out).report
    assert report is not None
    assert [i for i, _ in report.added] == ["newcomer"]
    assert [i for i, _ in report.removed] == ["fee"]


@pytest.mark.parametrize(
    "edits",
    [
        [("06-saxe.yaml", "Learning even a simple task", "Learning even one simple task")],
        # Characters new to the book move the codes of those after them in their font:
        # cached page operators are keyed by their own characters' codes.
        [
            ("06-saxe.yaml", "Learning even a simple task", "Learning ŵ even a simple task"),
            ("01-yamins.yaml", "id: yamins", "id: yamins\nkeywords: [Ꝏ]"),
        ],
    ],
    ids=["one-edit", "new-characters"],
)
def test_cached_rebuild_gives_the_bytes_of_a_cold_build(
    tmp_path: Path, edits: list[tuple[str, str, str]]
) -> None:
    project = copy_sample(tmp_path / "book")
    warm = tmp_path / "warm" / "book.pdf"
    pipeline.build(project, warm)
    for name, old, new in edits:
        edit(project, name, old, new)
    assert_rebuild_is_cold(project, warm, tmp_path)


def assert_untouched(out: Path, before: tuple[bytes, bytes]) -> None:
    """A failed build left the previous PDF and manifest as they were, and nothing else
    beside them but the cache."""
    assert (out.read_bytes(), pipeline.manifest_path(out).read_bytes()) == before
    assert sorted(p.name for p in out.parent.iterdir()) == [
        ".abstractbook-cache",
        "book.manifest.json",
        "book.pdf",
    ]


def assert_rebuild_is_cold(project: Path, warm: Path, tmp_path: Path) -> pipeline.BuildResult:
    """Rebuild into `warm` (its cache in use), build again without any cache, and
    compare the bytes and manifests; returns the rebuild's result."""
    rebuilt = pipeline.build(project, warm)
    cold = pipeline.build(project, tmp_path / "cold" / "book.pdf", use_cache=False)
    assert warm.read_bytes() == cold.output.read_bytes()
    assert rebuilt.manifest == cold.manifest
    return rebuilt


def test_damaged_cache_is_ignored(tmp_path: Path) -> None:
    out = tmp_path / "book.pdf"
    pipeline.build(SAMPLE, out)
    reference = out.read_bytes()
    files = [p for p in (tmp_path / ".abstractbook-cache").rglob("*") if p.is_file()]
    assert len(files) > 5  # packs of talks, the page streams, the key
    for c in files:
        if c.name != "key":
            c.write_bytes(b"\x80\x04garbage" + c.read_bytes()[:100])
    pipeline.build(SAMPLE, out)
    assert out.read_bytes() == reference


def test_a_flipped_byte_in_any_cache_file_is_noticed(tmp_path: Path) -> None:
    """Cache entries are pickled bytes inside pickled files: damage inside an entry
    would pass the file's unpickling, so each file carries a checksum."""
    out = tmp_path / "book.pdf"
    pipeline.build(SAMPLE, out)
    reference = out.read_bytes()
    files = [p for p in (tmp_path / ".abstractbook-cache").rglob("*.pickle")]
    assert {p.name for p in files} >= {"inputs.pickle", "render.pickle", "heads.pickle"}
    for c in files:
        data = bytearray(c.read_bytes())
        data[len(data) * 2 // 3] ^= 0x01
        c.write_bytes(bytes(data))
    pipeline.build(SAMPLE, out)
    assert out.read_bytes() == reference


def test_parallel_cold_build_and_cached_rebuilds_agree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A book big enough to be laid out and drawn by worker processes, its body drawn
    while the contents and indexes are paginated: a cold build, a rebuild of a changed
    talk (hyphenated with the points the workers found), a build without any cache and
    one made in a single process give the same bytes."""
    project = tmp_path / "big"
    corpus = Path(__file__).parent.parent / "bench" / "corpus.py"
    subprocess.run([sys.executable, str(corpus), "140", str(project)], check=True)
    warm = tmp_path / "warm" / "book.pdf"
    drawn_ahead: list[int] = []
    draw_ahead = pipeline.draw_ahead

    def counted(pages: list[Any], *args: Any) -> Any:
        started = draw_ahead(pages, *args)
        drawn_ahead.append(sum(len(c) for c in started.chunks) if started else 0)
        return started

    monkeypatch.setattr(pipeline, "draw_ahead", counted)
    cold = pipeline.build(project, warm)
    body = [p for p in cold.document.pages if p.kind == "body"]
    assert drawn_ahead[0] >= len(body) > 2 * 48  # every body page, by two workers
    record = sorted((project / "abstracts").glob("*.yaml"))[70]
    text = record.read_text("utf-8")
    record.write_text(
        text.replace("body: |\n", "body: |\n  Neuromodulatory interdisciplinarity.\n\n", 1),
        "utf-8",
    )
    rebuilt = assert_rebuild_is_cold(project, warm, tmp_path)
    assert rebuilt.report is not None
    assert [i for i, _, _ in rebuilt.report.changed] == [record.stem]
    monkeypatch.setattr(parallel, "workers_for", lambda jobs, per_worker: 1)
    alone = pipeline.build(project, tmp_path / "alone" / "book.pdf", use_cache=False)
    assert alone.output.read_bytes() == warm.read_bytes()


def _meeting(folder: Path, abstracts: int) -> Path:
    """The bench's generated meeting (sessions, a programme, authors in many places)."""
    corpus = Path(__file__).parent.parent / "bench" / "corpus.py"
    subprocess.run([sys.executable, str(corpus), str(abstracts), str(folder)], check=True)
    return folder


def _replace_value(path: Path, key: str, new: str) -> None:
    """The first `key: value` line of a YAML file, with `new` as its value."""
    lines = path.read_text("utf-8").splitlines(keepends=True)
    at = next(n for n, line in enumerate(lines) if line.strip().startswith(f"{key}:"))
    head = lines[at].split(":", 1)[0]
    lines[at] = f"{head}: {new}\n"
    path.write_text("".join(lines), "utf-8")


def test_rebuilds_after_edits_to_titles_names_and_sessions_give_the_cold_bytes(
    tmp_path: Path,
) -> None:
    """Titles, names and session titles reach the contents, the programme, the indexes,
    the running heads and the links' descriptions, which a rebuild takes from its cache
    where it can (laid-out entries, page streams, the structure tree and the file's
    compressed object streams): after each edit the rebuild is the cold build."""
    project = _meeting(tmp_path / "meeting", 24)
    warm = tmp_path / "warm" / "book.pdf"
    pipeline.build(project, warm)
    talk = project / "abstracts" / "a00003.yaml"
    edits = [
        (project / "program.yaml", "title", "Memory, sleep and navigation"),
        (talk, "title", "A retitled abstract on adaptive navigation"),
        (talk, "- name", "Zofia Abara-Łukasiewicz"),
        (project / "abstracts" / "a00011.yaml", "body", "A body rewritten in one short line."),
    ]
    for n, (path, key, value) in enumerate(edits):
        _replace_value(path, key, value)
        rebuilt = pipeline.build(project, warm)
        cold = pipeline.build(project, tmp_path / f"cold{n}" / "book.pdf", use_cache=False)
        assert warm.read_bytes() == cold.output.read_bytes(), (path.name, key)
        assert rebuilt.manifest == cold.manifest
        assert rebuilt.report is not None and rebuilt.report.page_labels


def test_running_heads_are_kept_until_they_change(tmp_path: Path) -> None:
    """A rebuild takes the running heads and folios of the last build from the cache
    and leaves the cache's file of them as it was; a session renamed sets its heads
    anew, and either way the rebuild is the cold build."""
    project = _meeting(tmp_path / "meeting", 24)
    warm = tmp_path / "warm" / "book.pdf"
    pipeline.build(project, warm)
    heads = warm.parent / ".abstractbook-cache" / "book.pdf" / "heads.pickle"
    first = heads.read_bytes()
    talk = project / "abstracts" / "a00011.yaml"
    talk.write_text(talk.read_text("utf-8").replace("Pathway", "A pathway", 1), "utf-8")
    assert not _heads_set_anew(pipeline.build(project, warm))
    assert heads.read_bytes() == first
    assert_rebuild_is_cold(project, warm, tmp_path / "body")
    _replace_value(project / "program.yaml", "title", "Memory, sleep and navigation")
    assert "Memory, sleep and navigation" in _heads_set_anew(pipeline.build(project, warm))
    assert heads.read_bytes() != first
    assert_rebuild_is_cold(project, warm, tmp_path / "session")


def _heads_set_anew(result: pipeline.BuildResult) -> list[str]:
    """The texts of the running heads and folios a build set, not taking them from
    the cache of the build before (its `Heads`, which the result holds)."""
    cache = result.held[0]
    assert isinstance(cache, Cache)
    return [text for text, room in cache.heads.used if (text, room) not in cache.heads.known]


def test_an_unchanged_structure_tree_is_written_from_the_cache(tmp_path: Path) -> None:
    """A body edit that moves no element: the rebuild writes the tree the last build
    wrote, byte for byte what a cold build writes, and it is the cache's tree that is
    written (a mark put into the cached tree shows in the file); a cache whose
    compressed streams are gone makes the tree again, with the same bytes."""
    project = copy_sample(tmp_path / "book")
    warm = tmp_path / "warm" / "book.pdf"
    pipeline.build(project, warm)
    edit(project, "06-saxe.yaml", "Learning even a simple task", "Learning even one simple task")
    assert_rebuild_is_cold(project, warm, tmp_path / "first")
    assert _role_of_em(warm) == "/Span"
    store = open_store(warm)
    assert store is not None
    key = (store.folder / "key").read_bytes()[-64:].decode("ascii")
    render = _load(store, "render.pickle", key, RenderCache)
    assert isinstance(render, RenderCache) and len(render.trees) == 1 and render.deflated
    # the cached tree, marked: its root's role map, kept the same length
    (tree,) = render.trees.values()
    marked = 0
    for _, _, stream in tree.streams:
        data = zlib.decompress(render.deflated[stream])
        if b"/Em /Span" in data:
            render.deflated[stream] = zlib.compress(data.replace(b"/Em /Span", b"/Em /Spam"))
            marked += 1
    assert marked == 1
    _save(store, "render.pickle", key, render)
    edit(project, "06-saxe.yaml", "Learning even one simple task", "Learning even a simple task")
    pipeline.build(project, warm)
    assert _role_of_em(warm) == "/Spam"  # the tree was not made: the cache's was written
    render = _load(store, "render.pickle", key, RenderCache)
    assert isinstance(render, RenderCache)
    render.deflated = {}  # the tree's streams lost: the tree is made anew
    _save(store, "render.pickle", key, render)
    edit(project, "06-saxe.yaml", "Learning even a simple task", "Learning even one simple task")
    assert_rebuild_is_cold(project, warm, tmp_path / "second")
    assert _role_of_em(warm) == "/Span"


def _role_of_em(pdf: Path) -> str:
    """What the structure tree's role map makes of emphasis, as the file says."""
    with pikepdf.open(pdf) as doc:
        return str(doc.Root.StructTreeRoot.RoleMap.Em)


def test_contents_entries_whose_operations_cannot_be_read_are_laid_out_again(
    tmp_path: Path,
) -> None:
    """The contents' and indexes' entries are read from the cache only for the pages
    drawn again; an entry whose operations do not unpickle is made anew there, and
    the book is its cold self."""
    project = copy_sample(tmp_path / "book")
    warm = tmp_path / "warm" / "book.pdf"
    pipeline.build(project, warm)
    store = open_store(warm)
    assert store is not None
    key = (store.folder / "key").read_bytes()[-64:].decode("ascii")
    (pack,) = store.names("matter")
    matter = _load(store, pack, key, dict)
    assert isinstance(matter, dict) and len(matter) > 25
    broken = {k: (b"\x80\x05garbage", name, shape) for k, (_, name, shape) in matter.items()}
    _save(store, pack, key, broken)
    # every abstract after the first moves a page on: the contents and index are drawn again
    longer = "\n\n  ".join(["A paragraph added to push the book on by a page. " * 12] * 6)
    edit(project, "01-yamins.yaml", "body: |\n", f"body: |\n  {longer}\n\n")
    rebuilt = assert_rebuild_is_cold(project, warm, tmp_path)
    assert rebuilt.report is not None
    assert any(not label.isdigit() for label, _ in rebuilt.report.page_labels)


def test_cache_keeps_only_what_the_book_uses(tmp_path: Path) -> None:
    """Talks are kept in packs of 16; a pack that holds no talk of the book goes."""
    project = copy_sample(tmp_path / "book")
    out = tmp_path / "out" / "book.pdf"
    pipeline.build(project, out)
    talks = out.parent / ".abstractbook-cache" / "book.pdf" / "talks"
    assert len(list(talks.iterdir())) == 2  # 25 talks
    text = "Learning even a simple task"
    for word in ("one", "some", "any"):
        new = f"Learning even {word} simple task"
        edit(project, "06-saxe.yaml", text, new)
        text = new
        again = pipeline.build(project, out)
        assert again.report is not None and [c[0] for c in again.report.changed] == ["saxe"]
        assert len(list(talks.iterdir())) == 3  # the two packs and the edited talk


def test_a_rebuild_writes_only_the_cache_files_of_what_changed(tmp_path: Path) -> None:
    """Records and pages are kept in packs: after an edit, the rebuild adds a pack of
    the edited record and one of its pages, leaves every other file as it was, and is
    the cold build."""
    project = copy_sample(tmp_path / "book")
    out = tmp_path / "out" / "book.pdf"
    pipeline.build(project, out)
    folder = out.parent / ".abstractbook-cache" / "book.pdf"

    def files() -> dict[str, bytes]:
        return {
            str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()
        }

    before = files()
    edit(project, "06-saxe.yaml", "Learning even a simple task", "Learning even one simple task")
    assert_rebuild_is_cold(project, out, tmp_path / "first")
    after = files()
    added = sorted(name.split("/")[0] for name in after.keys() - before.keys())
    assert added == ["pages", "records", "talks"]
    # what a body edit leaves alone (the talks found printable and the hyphenation
    # points asked may grow), the earlier packs among it
    growing = ("printable.pickle", "hyphenation.pickle")
    kept = {n: after[n] for n in before.keys() & after.keys() if n not in growing}
    assert kept == {n: before[n] for n in kept}
    assert {"render.pickle", "inputs.pickle", "heads.pickle"} <= kept.keys()
    assert {n.split("/")[0] for n in kept} >= {"pages", "records", "talks", "matter"}


def test_packs_keep_what_each_build_used_in_few_files(tmp_path: Path) -> None:
    """Builds that each make another entry: every build finds all the entries the
    last one kept, and the small packs they leave are merged once there are many."""
    store = Store(tmp_path, ("cache", "book.pdf"), os.urandom(32))
    used = {f"entry{n}": f"value{n}".encode() for n in range(50)}
    Packs(store, "records", "key").save(used)  # a cold build's
    for build in range(3 * MAX_PACKS):
        packs = Packs(store, "records", "key")
        assert packs.read() == used
        used = used | {f"made in build {build}": f"value {build}".encode()}
        packs.save(used)
        assert len(store.names("records")) <= MAX_PACKS + 1
    assert Packs(store, "records", "key").read() == used
    assert Packs(store, "records", "another key").read() == {}


def test_a_rebuild_warns_about_the_characters_a_cold_build_warns_about(tmp_path: Path) -> None:
    """Talks found printable are not read again: a talk edited to hold a character no
    font has is warned about, one edited back is not, and the others keep theirs."""
    project = copy_sample(tmp_path / "book")
    out = tmp_path / "out" / "book.pdf"
    edit(project, "01-yamins.yaml", "id: yamins", "id: yamins\nkeywords: [\U0001f600]")
    steps = [
        ("06-saxe.yaml", "Learning even a simple task", "Learning \U0001f680 even a simple task"),
        ("06-saxe.yaml", "Learning \U0001f680 even", "Learning even"),
        ("01-yamins.yaml", "[\U0001f600]", "[brain]"),
    ]
    pipeline.build(project, out)
    seen = []
    for name, old, new in steps:
        edit(project, name, old, new)
        warm = pipeline.build(project, out)
        cold = pipeline.build(project, tmp_path / "cold" / "book.pdf", use_cache=False)
        warned = [str(w) for w in warm.warnings if "no font has" in str(w)]
        assert warned == [str(w) for w in cold.warnings if "no font has" in str(w)]
        seen.append(sorted(w.split("(U+")[1][:5] for w in warned))
    assert seen == [["1F600", "1F680"], ["1F600"], []]


def test_same_bytes_whatever_the_folder_and_hash_seed(tmp_path: Path) -> None:
    outputs = []
    for n, seed in enumerate(("0", "12345")):
        project = copy_sample(tmp_path / f"place{n}" / "deeper" / "book")
        out = tmp_path / f"out{n}" / "book.pdf"
        env = dict(os.environ, PYTHONHASHSEED=seed, LC_ALL="C", TZ="Pacific/Auckland")
        subprocess.run(
            [sys.executable, "-m", "abstractbook", "build", str(project), "-o", str(out)],
            check=True,
            env=env,
            capture_output=True,
        )
        outputs.append((out.read_bytes(), pipeline.manifest_path(out).read_bytes()))
    assert outputs[0] == outputs[1]


def test_failed_build_leaves_the_previous_pdf(tmp_path: Path) -> None:
    project = copy_sample(tmp_path / "book")
    out = tmp_path / "out" / "book.pdf"
    pipeline.build(project, out)
    before = out.read_bytes(), pipeline.manifest_path(out).read_bytes()
    edit(project, "01-yamins.yaml", "id: yamins", "id: Not An Id")
    with pytest.raises(InputError):
        pipeline.build(project, out)
    assert_untouched(out, before)


def test_interrupted_write_leaves_no_partial_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "book.pdf"
    target.write_bytes(b"old")

    def interrupted(*_: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        files.write_atomic(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["book.pdf"]


def test_an_atomic_write_makes_the_folders_it_writes_into(tmp_path: Path) -> None:
    target = tmp_path / "out" / "talks" / "t1.pdf"
    files.write_atomic(target, b"pdf")
    assert target.read_bytes() == b"pdf"
    assert [p.name for p in target.parent.iterdir()] == ["t1.pdf"]
    files.write_atomic(target, b"again")  # into the folder made by the first
    assert target.read_bytes() == b"again"


def test_compare_pure() -> None:
    def manifest(pages: list[str], abstracts: dict[str, tuple[int, int, str]]) -> dict:  # type: ignore[type-arg]
        return {
            "format": 1,
            "settings": "s",
            "pages": [{"index": i, "label": str(i), "hash": h} for i, h in enumerate(pages, 1)],
            "abstracts": {
                k: {"title": k, "first_page": a, "last_page": b, "hash": h, "fields": {"body": h}}
                for k, (a, b, h) in abstracts.items()
            },
        }

    old = manifest(["a", "b", "c"], {"x": (1, 1, "h1"), "y": (2, 3, "h2")})
    new = manifest(["a", "B", "c", "d"], {"x": (1, 1, "h1"), "y": (2, 4, "h3")})
    r = compare(old, new)
    assert r.pages == [(2, 2), (4, 4)]
    assert r.moved == [("y", "2-3", "2-4")]
    assert [(i, f) for i, _, f in r.changed] == [("y", ["body"])]
    assert compare(new, new).unchanged


# -- the change report against hand-built manifests ----------------------------------

FIELDS = ("title", "authors", "body", "notes", "meta")


@dataclass
class Edits:
    """Two manifests and, written alongside them, what a report on them must say."""

    old: dict[str, Any]
    new: dict[str, Any]
    added: list[str]
    removed: list[str]
    changed: dict[str, list[str]]
    moved: dict[str, tuple[str, str]]
    differ: list[int]  # physical pages whose hash differs, or that only one build has


def entry(tid: str, span: tuple[int, int], fields: dict[str, str]) -> dict[str, Any]:
    return {
        "title": fields["title"],
        "first_page": span[0],
        "last_page": span[1],
        "hash": "|".join(fields[f] for f in FIELDS),
        "fields": fields,
    }


def span_label(span: tuple[int, int]) -> str:
    return f"p{span[0]}" if span[0] == span[1] else f"p{span[0]}-p{span[1]}"


@st.composite
def edits(draw: st.DrawFn) -> Edits:
    spans = st.tuples(st.integers(1, 17), st.integers(0, 3)).map(lambda s: (s[0], s[0] + s[1]))
    old_abstracts, new_abstracts = {}, {}
    removed, changed, moved = [], {}, {}
    for n in range(draw(st.integers(0, 6))):
        tid = f"a{n}"
        fields = {f: f"{f} of {tid}" for f in FIELDS}
        span = draw(spans)
        old_abstracts[tid] = entry(tid, span, fields)
        if draw(st.booleans()) and draw(st.booleans()):
            removed.append(tid)
            continue
        edited = draw(st.lists(st.sampled_from(FIELDS), unique=True).map(sorted))
        new_fields = {f: v + (" (revised)" if f in edited else "") for f, v in fields.items()}
        new_span = draw(spans)
        new_abstracts[tid] = entry(tid, new_span, new_fields)
        if edited:
            changed[tid] = [f for f in FIELDS if f in edited]
        if new_span != span:
            moved[tid] = (span_label(span), span_label(new_span))
    added = [f"b{n}" for n in range(draw(st.integers(0, 3)))]
    for tid in added:
        new_abstracts[tid] = entry(tid, draw(spans), {f: f"{f} of {tid}" for f in FIELDS})
    old_count, new_count = draw(st.integers(20, 25)), draw(st.integers(20, 25))
    redrawn = draw(st.sets(st.integers(1, 25)))
    old_pages = [f"page {i}" for i in range(1, old_count + 1)]
    new_pages = [f"page {i}" + (" redrawn" * (i in redrawn)) for i in range(1, new_count + 1)]
    differ = sorted(
        {i for i in redrawn if i <= min(old_count, new_count)}
        | set(range(min(old_count, new_count) + 1, max(old_count, new_count) + 1))
    )

    def manifest(pages: list[str], abstracts: dict[str, Any], settings: str) -> dict[str, Any]:
        return {
            "format": 1,
            "settings": settings,
            "pages": [{"index": i, "label": f"p{i}", "hash": h} for i, h in enumerate(pages, 1)],
            "abstracts": abstracts,
        }

    settings = draw(st.sampled_from(["same", "other"]))
    return Edits(
        manifest(old_pages, old_abstracts, "same"),
        manifest(new_pages, new_abstracts, settings),
        added,
        removed,
        changed,
        moved,
        differ,
    )


def ranges(pages: list[int]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for i in pages:
        if out and out[-1][1] == i - 1:
            out[-1] = (out[-1][0], i)
        else:
            out.append((i, i))
    return out


@settings(max_examples=100, deadline=None)
@given(edits())
def test_change_report_says_what_was_done_both_ways(e: Edits) -> None:
    """compare(old, new) names exactly the abstracts added, removed, changed (with their
    fields) and moved, and the pages that differ; compare(new, old) says the same the
    other way round."""
    title = {t: a["title"] for t, a in e.old["abstracts"].items()}
    new_title = {t: a["title"] for t, a in e.new["abstracts"].items()}
    forth = compare(e.old, e.new)
    assert forth.added == [(t, new_title[t]) for t in e.added]
    assert forth.removed == [(t, title[t]) for t in e.removed]
    assert forth.changed == [(t, new_title[t], f) for t, f in sorted(e.changed.items())]
    assert forth.moved == [(t, a, b) for t, (a, b) in sorted(e.moved.items())]
    assert forth.pages == ranges(e.differ)
    new_count = len(e.new["pages"])

    def label(i: int) -> str:
        return f"p{i}" if i <= new_count else f"(p{i}, removed)"

    assert forth.page_labels == [(label(a), label(b)) for a, b in ranges(e.differ)]
    assert forth.settings_changed == (e.new["settings"] != "same")
    nothing = not (e.added or e.removed or e.changed or e.moved or e.differ)
    assert forth.unchanged == (nothing and not forth.settings_changed)

    back = compare(e.new, e.old)
    assert back.added == forth.removed and back.removed == forth.added
    assert back.changed == [(t, title[t], f) for t, f in sorted(e.changed.items())]
    assert back.moved == [(t, b, a) for t, a, b in forth.moved]
    assert back.pages == forth.pages
    assert (back.old_pages, back.new_pages) == (forth.new_pages, forth.old_pages)
    assert compare(e.new, e.new).unchanged and compare(e.old, e.old).unchanged
