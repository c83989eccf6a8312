"""End to end on the sample book: what a reader of build/book.pdf sees."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from abstractbook import pipeline
from abstractbook.typeset.ops import Text
from tests.pdftext import TYPEWRITER, Shown, lines, normal, shown, squash

SAMPLE = pipeline.sample_project()


def records() -> list[dict]:  # type: ignore[type-arg]
    return [
        yaml.safe_load(p.read_text("utf-8")) for p in sorted((SAMPLE / "abstracts").glob("*.yaml"))
    ]


def body_top(reader: PdfReader) -> float:
    """Height of the text block's top: running heads sit above it."""
    box = reader.pages[0].trimbox
    return float(box.top) - 16 * 72 / 25.4 + 2


def page_text(reader: PdfReader, index: int) -> str:
    return "\n".join(lines(reader.pages[index], below=body_top(reader)))


def printed(title: str) -> str:
    """A sample title as printed: its one typewriter's dash (" - ") is an en dash."""
    return title.replace(" - ", " \u2013 ")


def toc_numbers(reader: PdfReader) -> dict[str, str]:
    """Title, as printed -> the page number the contents print for it."""
    labels = reader.page_labels
    toc = " ".join(page_text(reader, i) for i, lab in enumerate(labels) if not lab.isdigit())
    toc = normal(toc)
    found = {}
    for rec in records():
        m = re.search(re.escape(normal(printed(rec["title"]))) + r"\s*(?:\.\s*)*\s*(\d+)", toc)
        assert m, f"{rec['id']}: title not in the contents"
        found[printed(rec["title"])] = m.group(1)
    return found


def test_sample_has_25_talks_in_book_order(sample_build: pipeline.BuildResult) -> None:
    ids = [e.talk.id for e in sample_build.book.entries]
    assert len(ids) == 25
    assert ids[0] == "yamins" and ids[-1] == "fee"


def test_toc_numbers_point_to_the_titles(sample_pdf: Path) -> None:
    reader = PdfReader(sample_pdf)
    labels = reader.page_labels
    for title, number in toc_numbers(reader).items():
        index = labels.index(number)
        assert squash(title) in squash(page_text(reader, index)), (title, number)
        # ...and it is the first page that carries the title.
        for earlier in range(index):
            assert (
                squash(title) not in squash(page_text(reader, earlier))
                or not labels[earlier].isdigit()
            )


def test_outline_mirrors_toc(sample_pdf: Path) -> None:
    reader = PdfReader(sample_pdf)
    labels = reader.page_labels
    numbers = toc_numbers(reader)
    outline = [o for o in reader.outline if not isinstance(o, list)]
    talks = [o for o in outline if o.title in numbers]
    assert len(talks) == 25
    for o in talks:
        assert labels[reader.get_destination_page_number(o)] == numbers[o.title]
    assert [o.title for o in talks] == [printed(r["title"]) for r in records()]


def test_toc_entries_are_links_to_their_pages(sample_pdf: Path) -> None:
    reader = PdfReader(sample_pdf)
    labels = reader.page_labels
    page_of = {p.indirect_reference.idnum: i for i, p in enumerate(reader.pages)}
    targets = set()
    for i, lab in enumerate(labels):
        if lab.isdigit():
            break
        for annot in reader.pages[i].get("/Annots", []) or []:
            a = annot.get_object()
            if a.get("/Subtype") == "/Link" and "/Dest" in a:
                targets.add(labels[page_of[a["/Dest"][0].idnum]])
    numbers = set(toc_numbers(reader).values())
    assert numbers <= targets
    assert len(targets - numbers) <= 1  # and the author index


def test_no_contents_entry_leaves_a_lone_word_before_its_leader(sample_pdf: Path) -> None:
    """A title that takes two lines in the contents is broken as evenly as the
    abstract's own title is: the line with the leader holds more than a lone word,
    and neither line is much longer than the other."""
    reader = PdfReader(sample_pdf)
    front = [i for i, label in enumerate(reader.page_labels) if not label.isdigit()]
    rows = [row for i in front for row in page_text(reader, i).split("\n")]
    wrapped = 0
    for before, row in zip(rows, rows[1:], strict=False):
        led = re.match(r"(.*?)\s*(?:\.\s){3,}.*\d+$", row)
        if not led or not before or re.search(r"\d+$", before) or before == "Contents":
            continue
        if before[0].isupper() and len(before.split()) >= 3 and not before.endswith("."):
            wrapped += 1  # a title's first line, then its last with the leader
            last = led.group(1)
            assert len(last.split()) >= 2, (before, last)
            assert len(last) <= 1.6 * len(before) and len(before) <= 1.6 * len(last), (
                before,
                last,
            )
    assert wrapped >= 8  # the sample's long titles


def test_page_labels_roman_then_arabic(sample_pdf: Path) -> None:
    labels = PdfReader(sample_pdf).page_labels
    front = [lab for lab in labels if not lab.isdigit()]
    assert front == ["i", "ii", "iii", "iv"][: len(front)]
    assert labels[len(front)] == "1"
    assert labels[len(front) :] == [str(n) for n in range(1, len(labels) - len(front) + 1)]
    assert len(front) % 2 == 0  # page 1 is a recto


def test_fonts_embedded_and_subset(sample_pdf: Path) -> None:
    reader = PdfReader(sample_pdf)
    seen = set()
    for page in reader.pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            name = str(font["/BaseFont"])
            seen.add(name)
            assert re.match(r"^/?[A-Z]{6}\+", name), name
            if font["/Subtype"] == "/Type0":
                font = font["/DescendantFonts"][0].get_object()
            desc = font["/FontDescriptor"].get_object()
            assert "/FontFile2" in desc, name
    assert any("NotoSerif" in n for n in seen) and any("NotoSans" in n for n in seen)


def test_two_builds_are_byte_identical(sample_pdf: Path, tmp_path: Path) -> None:
    again = pipeline.build(SAMPLE, tmp_path / "again.pdf")
    assert again.output.read_bytes() == sample_pdf.read_bytes()


def test_full_bodies_are_present(sample_pdf: Path) -> None:
    reader = PdfReader(sample_pdf)
    text = " ".join(page_text(reader, i) for i in range(len(reader.pages)))
    everything = squash(text.translate(TYPEWRITER))
    for rec in records():
        body = rec.get("body")
        if body is None:
            continue
        for unit in re.split(r"\n\s*\n|^\s*(?:[-*]|\d+\.)\s+", body, flags=re.M):
            assert squash(unit.translate(TYPEWRITER)) in everything, (rec["id"], unit[:60])
        if rec.get("notes"):
            assert squash(rec["notes"].translate(TYPEWRITER)) in everything, rec["id"]


def test_sample_prints_real_dashes_and_apostrophes(sample_pdf: Path) -> None:
    """Yamins's `---` is an em dash, Saxe's straight quotes are curly; "I'll", "lab's" and
    every other apostrophe typed straight in a body prints curly."""
    reader = PdfReader(sample_pdf)
    body = [i for i, label in enumerate(reader.page_labels) if label.isdigit()]
    text = normal(" ".join(page_text(reader, i) for i in body))
    assert "---" not in text and "— moving beyond unrealistic labelled supervision" in text
    assert "depth—the serial propagation" in text
    # Loewenstein's title, typed "learning - biological", on its page and in the contents
    everywhere = normal(" ".join(page_text(reader, i) for i in range(len(reader.pages))))
    assert everywhere.count("Bounded learning – biological constraints") == 2
    assert "learning - biological" not in everywhere
    typed = sum(str(rec.get("body") or "").count("'") for rec in records())
    assert typed >= 4 and "'" not in text and '"' not in text
    assert text.count("’") >= typed


def test_lists_keep_their_markers(sample_pdf: Path) -> None:
    reader = PdfReader(sample_pdf)
    text = "\n".join(page_text(reader, i) for i in range(len(reader.pages)))
    assert re.search(r"^1\.\s*The layers of Deep Neural Networks", text, re.M)
    assert re.search(r"^3\.\s*This compression by diffusion", text, re.M)
    assert re.search(r"^•\s*Approximation Theory:", text, re.M)
    assert re.search(r"^•\s*Can we train with large batch sizes", text, re.M)


def test_missing_abstract_is_announced(sample_pdf: Path) -> None:
    reader = PdfReader(sample_pdf)
    text = normal(" ".join(page_text(reader, i) for i in range(len(reader.pages))))
    assert (
        "Perceptual learning in a mouse model: a progress report Adi Mizrahi "
        "The Hebrew University Abstract to be announced." in text
    )


def test_accented_names_print_as_themselves(sample_pdf: Path) -> None:
    reader = PdfReader(sample_pdf)
    text = " ".join(page_text(reader, i) for i in range(len(reader.pages)))
    for word in ("Tübingen", "Denève", "École Normale Supérieure"):
        assert word in text


def test_metadata(sample_pdf: Path) -> None:
    meta = PdfReader(sample_pdf).metadata
    assert meta is not None
    assert meta.title == "Deep Learning and the Brain"
    assert meta.subject == "Abstracts"


def test_title_never_left_without_its_body(sample_pdf: Path) -> None:
    """The page that starts an abstract also carries the first lines of its body."""
    reader = PdfReader(sample_pdf)
    labels = reader.page_labels
    by_title = {printed(r["title"]): r for r in records()}
    for title, number in toc_numbers(reader).items():
        body = by_title[title].get("body") or "Abstract to be announced."
        first_words = re.sub(r"^\s*(?:[-*]|\d+\.)\s+", "", body)[:80]
        assert squash(first_words) in squash(page_text(reader, labels.index(number))), title


def test_every_line_inside_the_text_block(sample_build: pipeline.BuildResult) -> None:
    """No line starts left of the text block or ends right of it; justified lines fill
    it exactly, their spaces shrunk by a fifth at the most. With `layout.protrusion`
    (on), a hyphen, stop, comma or quote at an edge hangs out by at most 0.7 of its
    width: 3 pt at the sizes used; letters end at the edge."""
    page_set = sample_build.book.settings.page
    reader = PdfReader(sample_build.output)
    justified = 0
    for index, page in enumerate(reader.pages, start=1):
        left = page_set.inner if index % 2 == 1 else page_set.outer
        right = left + page_set.width - page_set.inner - page_set.outer
        rows: dict[float, list[Shown]] = {}
        for s in shown(page):
            rows.setdefault(round(s.y, 1), []).append(s)
            assert page_set.bottom - 1 <= s.y <= page_set.height - 20, (index, s.text)
            assert s.word_space >= -0.2 * s.space - 0.01, (index, s.text)
        for row in rows.values():
            row.sort(key=lambda s: s.x)
            start, end = row[0].x, max(s.end for s in row)
            text = "".join(s.text for s in row).strip()
            hang_left = 3.0 if text[:1] in "\u2018\u201c\"'([\u2013\u2014" else 0.0
            hang_right = 3.0 if text[-1:] in "-\u2013\u2014.,;:\u2019\u201d\"')]!?" else 0.0
            assert left - 0.05 - hang_left <= start, (index, text[:40])
            assert end <= right + 0.05 + hang_right, (index, text[:40])
            if any(s.word_space for s in row):
                if hang_right:  # how far, by mark: test_margins
                    assert right - 0.05 < end, (index, text[-40:])
                else:
                    assert end == pytest.approx(right, abs=0.05)
                justified += 1
    assert justified > 300


def test_a_build_returns_the_pages_it_drew(sample_build: pipeline.BuildResult) -> None:
    """After the PDF is written, the returned document still says what each page draws."""
    doc = sample_build.document
    for talk in sample_build.book.talks:
        first, _ = doc.talk_pages[talk.id]
        lines = [op.line for op in doc.pages[first - 1].ops if isinstance(op, Text)]
        drawn = " ".join("".join(f.text for f in line.frags) for line in lines)
        assert talk.title.split()[0] in drawn, talk.id


def test_contents_name_the_room_of_parallel_sessions(tmp_path: Path) -> None:
    root = tmp_path / "parallel"
    (root / "abstracts").mkdir(parents=True)
    (root / "book.yaml").write_text("title: Parallel\n")
    for tid in ("a", "b", "c"):
        (root / "abstracts" / f"{tid}.yaml").write_text(
            f"id: {tid}\ntitle: Talk {tid.upper()}\nauthors: [{{name: Ann {tid.upper()}}}]\n"
            "body: Text.\n"
        )
    (root / "program.yaml").write_text(
        "days:\n"
        "  - date: 2024-03-04\n"
        "    sessions:\n"
        "      - {id: s1, title: Security, start: '10:00', room: Hall 1, talks: [a]}\n"
        "      - {id: s2, title: Security, start: '10:00', room: Hall 2, talks: [b]}\n"
        "      - {id: s3, title: Closing, start: '12:00', room: Hall 1, talks: [c]}\n"
    )
    result = pipeline.build(root, tmp_path / "book.pdf")
    reader = PdfReader(result.output)
    front = "\n".join(
        page_text(reader, i) for i, lab in enumerate(reader.page_labels) if not lab.isdigit()
    )
    contents = front[: front.index("Programme")] if "Programme" in front else front
    assert "10:00 Security · Hall 1" in normal(contents)
    assert "10:00 Security · Hall 2" in normal(contents)
    assert "12:00 Closing\n" in contents  # alone at its time: no room needed


def test_an_unnamed_speaker_is_not_indexed(tmp_path: Path) -> None:
    root = tmp_path / "nn"
    (root / "abstracts").mkdir(parents=True)
    (root / "book.yaml").write_text("title: Open\n")
    (root / "abstracts" / "a.yaml").write_text(
        "id: a\ntitle: Meetup\nauthors: [{name: N.N.}]\nbody: Come along.\n"
    )
    (root / "abstracts" / "b.yaml").write_text(
        "id: b\ntitle: Talk\nauthors: [{name: Ann Lee}]\nbody: Text.\n"
    )
    result = pipeline.build(root, tmp_path / "book.pdf")
    reader = PdfReader(result.output)
    index = page_text(reader, len(reader.pages) - 1)
    assert "Lee, Ann" in index and "N.N." not in index


def test_running_heads_meeting_on_versos_speaker_on_rectos(
    sample_build: pipeline.BuildResult,
) -> None:
    """Without a programme, a verso's head names the meeting and a recto's the speaker
    of the abstract at the top of the page, each with the folio at the outer corner."""
    reader = PdfReader(sample_build.output)
    speaker = {}
    for rec in records():
        presenting = [a for a in rec["authors"] if a.get("presenting")] or rec["authors"][:1]
        speaker[rec["id"]] = presenting[0]["name"]
    abstracts = sample_build.manifest["abstracts"]
    order = [e.talk.id for e in sample_build.book.entries]
    versos = rectos = 0
    for index, label in enumerate(reader.page_labels, start=1):
        on_page = [
            t for t in order if abstracts[t]["first_page"] <= index <= abstracts[t]["last_page"]
        ]
        if not on_page:
            continue
        head = lines(reader.pages[index - 1])[0]
        if index % 2 == 0:
            assert head == f"{label} Deep Learning and the Brain"
            versos += 1
        else:
            assert head == f"{speaker[on_page[0]]} {label}"
            rectos += 1
    assert versos >= 8 and rectos >= 8
