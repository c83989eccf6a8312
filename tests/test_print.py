"""Print production and page layout: boxes, page starts, padding, positions, indexes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from abstractbook import pipeline
from abstractbook.project import scaffold
from abstractbook.project.model import PageSettings
from tests.pdftext import Fragment, fragments, lines, normal, pages_headed, width

MM = 72 / 25.4


def project(tmp_path: Path, extra: str = "") -> Path:
    root = tmp_path / "book"
    scaffold.write_project(root)
    if extra:
        with (root / "book.yaml").open("a", encoding="utf-8") as f:
            f.write(extra)
    return root


def build(root: Path, name: str = "book.pdf") -> tuple[pipeline.BuildResult, PdfReader]:
    result = pipeline.build(root, root / "build" / name)
    return result, PdfReader(result.output)


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new), "utf-8")


def test_bleed_and_crop_marks_boxes(tmp_path: Path) -> None:
    root = project(tmp_path)
    replace_in(root / "book.yaml", "  size: A5\n", "  size: A5\n  bleed: 3mm\n  crop_marks: true\n")
    _, reader = build(root)
    bleed = 3 * MM
    for page in reader.pages:
        media, trim, bleed_box = page.mediabox, page.trimbox, page.bleedbox
        assert float(trim.width) == pytest.approx(148 * MM, abs=0.01)
        assert float(trim.height) == pytest.approx(210 * MM, abs=0.01)
        assert float(bleed_box.left) == pytest.approx(float(trim.left) - bleed, abs=0.01)
        assert float(bleed_box.top) == pytest.approx(float(trim.top) + bleed, abs=0.01)
        # crop marks sit outside the bleed: the sheet is larger still
        assert float(media.left) < float(bleed_box.left) - 10
        assert float(media.top) > float(bleed_box.top) + 10


def test_bleed_without_marks(tmp_path: Path) -> None:
    root = project(tmp_path)
    replace_in(root / "book.yaml", "  size: A5\n", "  size: A4\n  bleed: 3mm\n")
    _, reader = build(root)
    page = reader.pages[0]
    assert float(page.mediabox.width) == pytest.approx(210 * MM + 6 * MM, abs=0.01)
    assert [float(v) for v in page.bleedbox] == [float(v) for v in page.mediabox]
    assert float(page.trimbox.left) == pytest.approx(3 * MM, abs=0.01)


def test_no_bleed_trim_is_the_page(sample_pdf: Path) -> None:
    page = PdfReader(sample_pdf).pages[5]
    assert [float(v) for v in page.trimbox] == [float(v) for v in page.mediabox]


@pytest.mark.parametrize(
    "size,width", [("A4", 210), ("B5", 176), ("letter", 215.9), ("[170mm, 240mm]", 170)]
)
def test_page_sizes(tmp_path: Path, size: str, width: float) -> None:
    root = project(tmp_path)
    replace_in(root / "book.yaml", "  size: A5\n", f"  size: {size}\n")
    _, reader = build(root)
    assert float(reader.pages[0].mediabox.width) == pytest.approx(width * MM, abs=0.05)


def test_odd_page_starts_and_padding(tmp_path: Path) -> None:
    root = project(tmp_path)
    replace_in(root / "book.yaml", "  abstract_start: flow\n", "  abstract_start: odd-page\n")
    replace_in(root / "book.yaml", "  size: A5\n", "  size: A5\n  pad_to: 4\n")
    result, reader = build(root)
    assert len(reader.pages) % 4 == 0
    for first, _ in result.document.talk_pages.values():
        assert first % 2 == 1  # physical odd = recto
        assert reader.page_labels[first - 1] in {"1", "3", "5", "7", "9"}


def test_page_start_each_abstract_on_a_new_page(tmp_path: Path) -> None:
    root = project(tmp_path)
    replace_in(root / "book.yaml", "  abstract_start: flow\n", "  abstract_start: page\n")
    result, _ = build(root)
    firsts = sorted(first for first, _ in result.document.talk_pages.values())
    assert len(set(firsts)) == 3


HANG_LEFT = "\u2018\u201c\"'([\u2013\u2014"
HANG_RIGHT = "-\u2013\u2014.,;:\u2019\u201d\"')]!?"


def assert_inside_text_block(reader: PdfReader, page_set: PageSettings) -> list[Fragment]:
    """Every character of every page lies in the (mirrored) text block, running heads
    just above it, but for the marks that protrusion hangs out by up to 0.7 of their
    width (test_margins); returns the fragments seen."""
    seen = []
    for index, page in enumerate(reader.pages, start=1):
        left = page_set.inner if index % 2 == 1 else page_set.outer
        right = left + page_set.width - page_set.inner - page_set.outer
        for f in fragments(page):
            text = f.text.strip()
            hang_left = 3.0 if text[:1] in HANG_LEFT else 0.0
            hang_right = 3.0 if text[-1:] in HANG_RIGHT else 0.0
            assert left - 0.5 - hang_left <= f.x, (index, f.text[:40])
            assert text_end(f) <= right + 0.5 + hang_right, (index, f.text[:40])
            top = page_set.height - page_set.top + 20
            assert page_set.bottom - 2 <= f.y <= top, (index, f.text[:40])
            seen.append(f)
    return seen


def column_split(result: pipeline.BuildResult, index: int) -> float:
    """Where an index page's right column begins (index from 0: even is a recto)."""
    p = result.book.settings.page
    left = p.inner if index % 2 == 0 else p.outer
    return left + (p.width - p.inner - p.outer) / 2


def text_end(f: Fragment) -> float:
    """Where a fragment ends, at the most: its natural width (as HarfBuzz shapes it)
    less what justification may take from its spaces (a fifth of each) and from its
    glyphs (2 %, font expansion)."""
    text = f.text.rstrip()
    space = width(Fragment(f.x, f.y, " ", f.font, f.size)) * text.count(" ")
    natural = width(Fragment(f.x, f.y, text, f.font, f.size))
    return f.x + natural - 0.2 * space - 0.02 * (natural - space)


@pytest.mark.parametrize("fixture", ["sample", "scaffold"])
def test_no_character_outside_the_text_block(
    fixture: str, sample_pdf: Path, tmp_path: Path
) -> None:
    if fixture == "sample":
        path, settings = sample_pdf, pipeline.load_book(pipeline.sample_project()).settings
    else:
        result, _ = build(project(tmp_path))
        path, settings = result.output, result.book.settings
    assert_inside_text_block(PdfReader(path), settings.page)


def test_index_and_programme_point_to_the_right_pages(tmp_path: Path) -> None:
    result, reader = build(project(tmp_path))
    labels = reader.page_labels
    back = [i for i, p in enumerate(result.document.pages) if p.kind == "back"]
    assert back
    text = normal(
        " ".join(" ".join(lines(reader.pages[i], split=column_split(result, i))) for i in back)
    )
    for name, talk in (
        ("Hopper, Grace", "hopper"),
        ("Milton, Richard", "hopper"),
        ("Noether, Emmy", "noether"),
        ("Lovelace, Ada", "lovelace"),
    ):
        m = re.search(re.escape(name) + r"[ .]*(\d+)", text)
        assert m, name
        first, _ = result.document.talk_pages[talk]
        assert m.group(1) == labels[first - 1]
    # every link in the index and the programme lands on its talk's first page
    firsts = {first - 1 for first, _ in result.document.talk_pages.values()}
    page_of = {p.indirect_reference.idnum: i for i, p in enumerate(reader.pages)}
    for i, page in enumerate(reader.pages):
        if result.document.pages[i].kind not in ("back", "front"):
            continue
        for annot in page.get("/Annots", []) or []:
            a = annot.get_object()
            if "/Dest" in a:
                target = page_of[a["/Dest"][0].idnum]
                assert target in firsts or result.document.pages[target].kind == "back"


def test_programme_times_rooms_and_chairs(tmp_path: Path) -> None:
    result, reader = build(project(tmp_path))
    front = [i for i, p in enumerate(result.document.pages) if p.head == "Programme"]
    assert front
    text = normal(" ".join(" ".join(lines(reader.pages[i])) for i in front))
    assert "09:00 Opening session" in text
    assert "Main Lecture Hall · Chair: Grace Sample" in text
    assert "09:00 Notes on an analytical engine" in text
    assert "09:45 Compilers for everyone" in text  # 09:00 + 45 minutes
    assert "Monday, 8 March 2027" in text and "Tuesday, 9 March 2027" in text


def test_running_head_names_the_session(tmp_path: Path) -> None:
    result, reader = build(project(tmp_path))
    first, _ = result.document.talk_pages["lovelace"]
    assert "Opening session" in lines(reader.pages[first - 1])[0]


def test_author_index_sorting_folds_accents_and_particles(tmp_path: Path) -> None:
    root = project(tmp_path)
    names = [
        "Øystein Ødegård",
        "Jan Łukasiewicz",
        "Ana de la Cruz",
        "Pedro Ñúñez",
        "Zoe Zimmer",
        "Anna Olsen",
        "Karl Lund",
        "Ludwig van Beethoven",
    ]
    authors = "\n".join(f"  - name: {n}" for n in names)
    (root / "abstracts" / "many.yaml").write_text(
        f"id: many\ntitle: Many names\nauthors:\n{authors}\nbody: Text.\n", "utf-8"
    )
    replace_in(root / "program.yaml", "talks: [noether]", "talks: [noether, many]")
    result, reader = build(root)
    back = [i for i, p in enumerate(result.document.pages) if p.kind == "back"]
    entries = [
        ln
        for i in back
        for ln in lines(reader.pages[i], split=column_split(result, i))
        if "," in ln
    ]
    order = [e.split(",")[0] for e in entries]
    expected = [
        "Beethoven",
        "Cruz",
        "Hopper",
        "Lovelace",
        "Łukasiewicz",
        "Lund",
        "Milton",
        "Noether",
        "Ñúñez",
        "Ødegård",
        "Olsen",
        "Zimmer",
    ]
    got = [o.replace("van ", "").replace("de la ", "") for o in order]
    assert got == expected
    assert "de la Cruz, Ana" in " ".join(entries)
    assert "van Beethoven, Ludwig" in " ".join(entries)


HOSTILE = (
    "Prints as typed: <b>bold?</b> </para> &amp; & AT&T; a\\\\b \\\\alpha costs $5 and $10 "
    "<font name=x>, <br> and 50% 'quotes' \"double\"."
)


def test_hostile_text_prints_exactly(tmp_path: Path) -> None:
    root = project(tmp_path)
    title = "<i>Not italic</i> & <b>not bold</b> &amp; ]]> {{x}}"
    (root / "abstracts" / "hostile.yaml").write_text(
        "id: hostile\n"
        f"title: '{title}'\n"
        "authors: [{name: '<script>Eve</script> & Mallory'}]\n"
        "body: |\n"
        f"  {HOSTILE}\n",
        "utf-8",
    )
    replace_in(root / "program.yaml", "talks: [noether]", "talks: [noether, hostile]")
    _, reader = build(root)
    text = normal(" ".join(" ".join(lines(p)) for p in reader.pages))
    assert title in text
    assert "<script>Eve</script> & Mallory" in text
    expected = HOSTILE.replace("\\\\", "\\")  # CommonMark: a backslash escapes a backslash
    # Quotes are the one thing real punctuation changes (test_typography.py).
    expected = expected.replace("'quotes' \"double\"", "\u2018quotes\u2019 \u201cdouble\u201d")
    assert normal(expected) in text


def test_long_url_and_word_stay_in_the_column(tmp_path: Path) -> None:
    root = project(tmp_path)
    url = "https://example.org/" + "/".join(f"segment{i}" for i in range(40))
    word = "x" * 3000
    (root / "abstracts" / "long.yaml").write_text(
        "id: long\ntitle: Long tokens\nauthors: [{name: A Author}]\n"
        f"body: |\n  See {url} and <{url}> and {word} end.\n",
        "utf-8",
    )
    replace_in(root / "program.yaml", "talks: [noether]", "talks: [noether, long]")
    result, reader = build(root)
    assert len(url) > 400
    shown = assert_inside_text_block(reader, result.book.settings.page)
    assert sum(f.text.count("x") for f in shown) >= 3000


def test_long_page_lists_wrap_in_the_index(tmp_path: Path) -> None:
    root = project(tmp_path)
    ids = []
    for n in range(40):
        ids.append(f"busy{n}")
        (root / "abstracts" / f"busy{n}.yaml").write_text(
            f"id: busy{n}\ntitle: Talk number {n}\nauthors: [{{name: Busy Bee}}]\n"
            f"body: |\n  {'Words fill the page. ' * 60}\n",
            "utf-8",
        )
    replace_in(root / "program.yaml", "talks: [noether]", f"talks: [noether, {', '.join(ids)}]")
    result, reader = build(root)
    labels = reader.page_labels
    abstracts = result.manifest["abstracts"]
    busy_pages = sorted({abstracts[i]["first_page"] for i in ids})
    assert len(busy_pages) >= 20  # a list long enough to need several lines
    shown = [f for i in pages_headed(reader, "Author index") for f in fragments(reader.pages[i])]
    start = next(n for n, f in enumerate(shown) if f.text.startswith("Bee, Busy"))
    entry = [shown[start]]
    for f in shown[start + 1 :]:  # the entry's lines: the numbers, wrapped under it
        if f.x <= shown[start].x + 0.5 or not re.fullmatch(r"[\d, .]+", f.text.strip()):
            break
        entry.append(f)
    rows = {round(f.y) for f in entry}
    assert len(rows) >= 2  # wrapped, not shrunk onto one line
    numbers = re.findall(r"\d+", " ".join(f.text for f in entry))
    assert numbers == [labels[p - 1] for p in busy_pages]
    other = next(f for f in shown if f.text.startswith("Hopper, Grace"))
    assert {f.size for f in entry} == {other.size}  # the same type as a one-line entry


def test_keyword_index_groups_spellings_and_points_to_the_abstracts(tmp_path: Path) -> None:
    """`back_matter: [keyword_index]`: one entry per keyword whatever its case or
    accents, sorted without them, with the pages where its abstracts start, opening on
    a recto."""
    root = project(tmp_path)
    replace_in(root / "book.yaml", "  abstract_start: flow\n", "  abstract_start: page\n")
    with (root / "book.yaml").open("a", encoding="utf-8") as f:
        f.write("back_matter: [author_index, keyword_index]\n")
    keywords = {
        "lovelace": "[Machine learning, compilers]",
        "hopper": "[machine learning, Compilers, algebre]",
        "noether": "[Algèbre, symmetry]",
    }
    for talk, words in keywords.items():
        path = root / "abstracts" / f"{talk}.yaml"
        kept = [ln for ln in path.read_text("utf-8").splitlines() if not ln.startswith("keywords:")]
        path.write_text("\n".join([*kept, f"keywords: {words}", ""]), "utf-8")
    result, reader = build(root)
    first = {t: a["first_page"] for t, a in result.manifest["abstracts"].items()}
    assert len(set(first.values())) == 3  # each abstract on a page of its own
    labels = reader.page_labels
    index = pages_headed(reader, "Keyword index")
    assert index and index[0] % 2 == 0  # a recto
    entries = [
        ln
        for i in index
        for ln in lines(reader.pages[i], split=column_split(result, i))
        if re.search(r"\d$", ln) and "index" not in ln
    ]

    def pages(*talks: str) -> str:
        return ", ".join(labels[first[t] - 1] for t in sorted(talks, key=first.__getitem__))

    got = [re.fullmatch(r"(.+?)[ .]+([\d, ]+)", e) for e in entries]
    # spelt as the first abstract in the book's order spells it
    assert [(m.group(1), m.group(2)) for m in got if m] == [
        ("algebre", pages("hopper", "noether")),
        ("compilers", pages("lovelace", "hopper")),
        ("Machine learning", pages("lovelace", "hopper")),
        ("symmetry", pages("noether")),
    ]
