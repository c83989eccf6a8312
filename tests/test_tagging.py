"""Tagged PDF: the structure tree read back with pikepdf, and the content streams walked
to see that every glyph is marked content of an element or an artifact."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pikepdf
import pytest

from abstractbook import pipeline
from abstractbook.project.model import Settings
from abstractbook.typeset.layout import frag_xs, line_ops
from abstractbook.typeset.lines import width
from abstractbook.typeset.ops import Text
from abstractbook.typeset.spans import Frag, Line
from abstractbook.typeset.theme import make_theme
from tests.pdftext import parse_cmap

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo"
FORMULA_BODY = (
    "body: |\n"
    "  Prose before $\\frac{a+b}{\\sqrt{c}}$ and after.\n\n"
    "  Read *this twice*, **that once**, ***both*** and `run --fast`\n"
    "  [*here*](https://example.org/here).\n\n"
    "  Simple math $x^2 + y$ set as text.\n\n"
    "  $$\\int_0^\\infty e^{-x^2}\\,dx$$\n\n"
    "  1. first step\n"
    "  2. second step, see [the site](https://example.org/steps)\n"
)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demonstration project with crop marks and an abstract with formulas and a list."""
    root = tmp_path_factory.mktemp("tagging") / "demo"
    shutil.copytree(DEMO, root)
    book = root / "book.yaml"
    book.write_text(
        book.read_text("utf-8").replace("page:\n", "page:\n  crop_marks: true\n", 1), "utf-8"
    )
    record = root / "abstracts" / "tadpole-compass.yaml"
    text = record.read_text("utf-8")
    start = text.index("body:")
    end = text.index("\n", text.index("\n  ", start) + 1)
    while text[end + 1 : end + 3] in ("  ", "\n "):
        end = text.index("\n", end + 1)
    record.write_text(text[:start] + FORMULA_BODY + text[end + 1 :], "utf-8")
    return root


@pytest.fixture(scope="module")
def book(demo: Path) -> Iterator[pikepdf.Pdf]:
    result = pipeline.build(demo, demo / "build" / "book.pdf")
    with pikepdf.open(result.output) as pdf:
        yield pdf


class Element:
    """A structure element read back: its type, attributes, kids and marked content."""

    def __init__(self, obj: Any) -> None:
        self.obj = obj
        self.kind = str(obj.get("/S"))[1:]
        self.kids: list[Element] = []
        self.mcids: list[tuple[int, int]] = []  # (page object number, MCID)
        self.objrs: list[Any] = []
        self.order: list[Element | tuple[int, int]] = []  # kids and content, in order
        page = obj.get("/Pg")
        kids = obj.get("/K")
        items = list(kids) if isinstance(kids, pikepdf.Array) else [kids]
        for kid in items:
            if isinstance(kid, int):
                self.mcids.append((page.objgen[0], kid))
                self.order.append(self.mcids[-1])
            elif kid.get("/Type") == "/MCR":
                self.mcids.append((kid.Pg.objgen[0], int(kid.MCID)))
                self.order.append(self.mcids[-1])
            elif kid.get("/Type") == "/OBJR":
                self.objrs.append(kid.Obj)
            else:
                self.kids.append(Element(kid))
                self.order.append(self.kids[-1])

    def walk(self) -> Iterator[Element]:
        yield self
        for kid in self.kids:
            yield from kid.walk()

    def text(self, pdf: pikepdf.Pdf, shown: dict[tuple[int, int], str]) -> str:
        """The text of the element's marked content and kids, in their order."""
        return "".join(
            k.text(pdf, shown) if isinstance(k, Element) else shown.get(k, "") for k in self.order
        )


def tree(pdf: pikepdf.Pdf) -> Element:
    root = pdf.Root.StructTreeRoot
    (document,) = root.K
    return Element(document)


def marked_content(pdf: pikepdf.Pdf) -> Iterator[tuple[int, list[str], bytes, list[Any]]]:
    """Each text-showing or drawing operator with the page's object number and the
    stack of marked-content tags (with MCID or artifact) open around it."""
    for page in pdf.pages:
        stack: list[str] = []
        for operands, operator in pikepdf.parse_content_stream(page):
            op = bytes(operator)
            if op == b"BDC":
                props = operands[1]
                mcid = f" {int(props.MCID)}" if "/MCID" in props else ""
                stack.append(f"{operands[0]}{mcid}")
            elif op == b"BMC":
                stack.append(str(operands[0]))
            elif op == b"EMC":
                stack.pop()
            elif op in (b"Tj", b"TJ", b"Do", b"S", b"f", b"BT"):
                yield page.objgen[0], list(stack), op, list(operands)


def test_every_glyph_and_drawing_is_marked_content_or_an_artifact(book: pikepdf.Pdf) -> None:
    """No text object, path or picture outside marked content: a screen reader meets
    nothing it cannot place."""
    seen = 0
    for _, stack, op, _ in marked_content(book):
        seen += 1
        assert any(" " in s or s.startswith("/Artifact") for s in stack), f"{op!r} unmarked"
    assert seen > 500


def test_every_mcid_of_a_page_belongs_to_its_element_in_the_parent_tree(
    book: pikepdf.Pdf,
) -> None:
    nums = list(book.Root.StructTreeRoot.ParentTree.Nums)
    parents = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
    elements = {(p, m): e for e in tree(book).walk() for p, m in e.mcids}
    for index, page in enumerate(book.pages):
        assert page.Tabs == "/S"
        row = parents[int(page.StructParents)]
        mcids = {
            int(s.rsplit(" ", 1)[1])
            for p, stack, _, _ in marked_content(book)
            if p == page.objgen[0]
            for s in stack
            if " " in s
        }
        assert mcids == set(range(len(row))), f"page {index + 1}"
        for mcid in mcids:
            assert elements[(page.objgen[0], mcid)].obj.objgen == row[mcid].objgen


def test_catalog_says_the_file_is_tagged_and_its_language(book: pikepdf.Pdf) -> None:
    assert book.Root.MarkInfo.Marked is True
    assert str(book.Root.Lang) == "en"


def test_title_is_h1_and_each_abstract_a_section_under_its_session(book: pikepdf.Pdf) -> None:
    doc = tree(book)
    heads = [k for k in doc.kids if k.kind.startswith("H")]
    assert [h.kind for h in heads] == ["H1"]
    kinds = [e.kind for e in doc.walk()]
    # days, sessions and abstracts nest: H2 a day, H3 a session, H4 an abstract's title
    assert {"H2", "H3", "H4"} <= set(kinds)
    days = [k for k in doc.kids if k.kind == "Sect" and k.kids[0].kind == "H2"]
    sessions = [s for d in days for s in d.kids if s.kind == "Sect"]
    talks = [t for s in sessions for t in s.kids if t.kind == "Sect"]
    assert len(talks) >= 20
    assert all(t.kids[0].kind == "H4" for t in talks)
    # authors and affiliations are paragraphs after the title
    assert all(t.kids[1].kind == "P" for t in talks)


def shown_text(pdf: pikepdf.Pdf) -> dict[tuple[int, int], str]:
    """The characters each (page, MCID) shows, through each font's ToUnicode map."""
    out: dict[tuple[int, int], str] = {}
    for page in pdf.pages:
        fonts = page.Resources.get("/Font", {})
        maps: dict[str, dict[int, str]] = {}
        current: dict[int, str] = {}
        stack: list[int | None] = []
        for operands, operator in pikepdf.parse_content_stream(page):
            op = bytes(operator)
            if op == b"BDC":
                props = operands[1]
                stack.append(int(props.MCID) if "/MCID" in props else None)
            elif op == b"BMC":
                stack.append(None)
            elif op == b"EMC":
                stack.pop()
            elif op == b"Tf":
                name = str(operands[0])
                if name not in maps:
                    maps[name] = _cmap(fonts[name])
                current = maps[name]
            elif op in (b"Tj", b"TJ"):
                mcid = next((m for m in reversed(stack) if m is not None), None)
                parts = operands[0] if op == b"TJ" else [operands[0]]
                data = b"".join(bytes(p) for p in parts if isinstance(p, pikepdf.String))
                codes = [int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data), 2)]
                key = (page.objgen[0], mcid if mcid is not None else -1)
                out[key] = out.get(key, "") + "".join(current.get(c, "?") for c in codes)
    return out


def _cmap(font: Any) -> dict[int, str]:
    """A font's ToUnicode CMap (two-byte glyph ids of the CID fonts): code -> text."""
    return parse_cmap(bytes(font.ToUnicode.read_bytes()).decode("latin-1"))


def test_running_heads_and_folios_are_pagination_artifacts(book: pikepdf.Pdf) -> None:
    """The meeting's title at the head of a verso is never read as content."""
    shown = shown_text(book)
    elements = tree(book)
    read = "".join(shown.get(m, "") for e in elements.walk() for m in e.mcids)
    heads = 0
    for page in book.pages:
        for operands, operator in pikepdf.parse_content_stream(page):
            if bytes(operator) == b"BDC" and operands[0] == "/Artifact":
                assert operands[1].Type == "/Pagination"
                heads += 1
    assert heads >= 20
    # the running head's text is shown only outside the tree ("-1": not marked with an MCID)
    # the title page's, set on two lines; never the heads of the versos
    assert (
        read.count("Imaginary Neuroscience") == 1
    )  # balanced: "Symposium on / Imaginary Neuroscience"


def test_crop_marks_are_artifacts(book: pikepdf.Pdf) -> None:
    first = book.pages[0]
    ops = [
        (list(o), bytes(p)) for o, p in pikepdf.parse_content_stream(first)
    ]  # the marks come first, in an artifact of their own
    assert ops[0] == ([pikepdf.Name.Artifact], b"BMC")


def test_paragraphs_lists_and_links(book: pikepdf.Pdf) -> None:
    shown = shown_text(book)
    doc = tree(book)
    lists = [e for e in doc.walk() if e.kind == "L"]
    assert lists
    steps = next(e for e in lists if "first step" in e.text(book, shown))
    items = steps.kids
    assert [i.kind for i in items] == ["LI", "LI"]
    for n, item in enumerate(items, start=1):
        assert [k.kind for k in item.kids] == ["Lbl", "LBody"]
        assert item.kids[0].text(book, shown) == f"{n}."
    links = [e for e in doc.walk() if e.kind == "Link"]
    uri = [e for e in links if any("/A" in o and o.A.get("/URI") for o in e.objrs)]
    assert uri
    for link in links:
        for annot in link.objrs:
            assert annot.Subtype == "/Link"
            assert str(annot.Contents)  # a description a screen reader speaks
            assert "/StructParent" in annot
    for link in links:  # a link is read by its words, or else by its description
        assert link.text(book, shown).strip() or str(link.obj.get("/Alt", ""))
    steps_link = next(e for e in uri if str(e.objrs[0].A.URI) == "https://example.org/steps")
    assert str(steps_link.objrs[0].Contents) == "https://example.org/steps"
    assert steps_link.text(book, shown) == "the site"  # the link's words are its content


def test_emphasis_strong_and_code_are_their_own_elements(book: pikepdf.Pdf) -> None:
    """A screen reader hears where the author emphasised a word or set it as code."""
    shown = shown_text(book)
    doc = tree(book)
    para = next(e for e in doc.walk() if e.text(book, shown).startswith("Read this twice"))
    assert para.kind == "P"
    assert para.text(book, shown) == "Read this twice, that once, both and run --fast here."
    inline = [(k.kind, k.text(book, shown)) for k in para.kids]
    assert inline[:4] == [
        ("Em", "this twice"),
        ("Strong", "that once"),
        ("Strong", "both"),
        ("Code", "run --fast"),
    ]
    (both,) = [k for k in para.kids if k.text(book, shown) == "both"]
    assert [(k.kind, k.text(book, shown)) for k in both.kids] == [("Em", "both")]
    # an emphasised link: the words are the link's, emphasised inside it
    link = para.kids[4]
    assert (link.kind, link.text(book, shown)) == ("Link", "here")
    assert [(k.kind, k.text(book, shown)) for k in link.kids] == [("Em", "here")]
    assert str(link.objrs[0].A.URI) == "https://example.org/here"
    # PDF 2.0's types are mapped to PDF 1.7's for PDF/UA-1, as its readers expect
    role_map = book.Root.StructTreeRoot.RoleMap
    assert role_map.Em == "/Span" and role_map.Strong == "/Span"


def test_an_emphasised_word_of_an_expanded_line_is_drawn_where_the_line_puts_it() -> None:
    """A justified line drawn with its glyphs widened (`Line.scale`) and cut into pieces
    for its Em: each piece starts where its words stand in the whole line, and a piece
    without spaces is not spread between its letters as a Chinese line is."""
    faces = make_theme(Settings("T")).text
    words = [("plain words then ", faces["regular"], ""), ("emphasised", faces["italic"], "Em#1")]
    frags = tuple(Frag(t, f, 9.0, 0.0, "#000000", None, False, r) for t, f, r in words)
    natural = sum(width(t, f, 9.0) for t, f, _ in words)
    line = Line(frags, natural, 3, True, scale=1.015)
    whole = Text(10.0, 20.0, natural * 1.015 + 6.0, line, "P#0")
    pieces = line_ops(whole, faces["regular"], "1.")
    assert [p.tag for p in pieces if isinstance(p, Text)] == ["P#0", "P#0/Em#1"]
    assert [p.x for p in pieces if isinstance(p, Text)] == frag_xs(whole, whole.x)
    plain, emphasised = pieces
    assert isinstance(plain, Text) and isinstance(emphasised, Text)
    assert plain.word_space == pytest.approx(whole.word_space)  # its spaces as the line's
    assert emphasised.char_space == 0.0


def test_formulas_carry_their_tex_source(book: pikepdf.Pdf) -> None:
    doc = tree(book)
    formulas = {str(e.obj.Alt): e for e in doc.walk() if e.kind == "Formula"}
    assert r"\frac{a+b}{\sqrt{c}}" in formulas
    assert r"\int_0^\infty e^{-x^2}\,dx" in formulas
    for tex, e in formulas.items():
        assert str(e.obj.ActualText) == tex
    shown = shown_text(book)
    # the invisible text over the drawing is the source, in the element's content, which
    # is read between the words around it
    inline = formulas[r"\frac{a+b}{\sqrt{c}}"]
    assert inline.text(book, shown) == r"\frac{a+b}{\sqrt{c}}"
    paragraph = next(e for e in doc.walk() if inline in e.kids)
    assert paragraph.text(book, shown) == r"Prose before \frac{a+b}{\sqrt{c}} and after."


def test_math_set_as_text_is_a_formula_with_its_tex_source(book: pikepdf.Pdf) -> None:
    """Simple math is drawn as letters (x²): read as a formula, described by its source."""
    shown = shown_text(book)
    doc = tree(book)
    para = next(e for e in doc.walk() if e.text(book, shown).startswith("Simple math"))
    assert para.kind == "P"
    (formula,) = para.kids
    assert formula.kind == "Formula"
    assert str(formula.obj.Alt) == "x^2 + y" == str(formula.obj.ActualText)
    assert formula.text(book, shown).replace("\u2005", "") == "x2+y"  # four-per-em spaces
    assert para.text(book, shown).endswith(" set as text.")


def test_formulas_copy_as_their_tex_source_in_poppler_mupdf_and_pdfium(
    book: pikepdf.Pdf, demo: Path
) -> None:
    """Copying a formula drawn as outlines gives its TeX source where it stands."""
    from tests.test_scripts import readers_text

    for name, text in readers_text(demo / "build" / "book.pdf").items():
        assert r"Prose before \frac{a+b}{\sqrt{c}} and after." in text, name
        assert r"\int_0^\infty e^{-x^2}\,dx" in text, name


def test_a_figure_is_described_by_its_caption(book: pikepdf.Pdf) -> None:
    doc = tree(book)
    (figure,) = [e for e in doc.walk() if e.kind == "Figure"]
    assert str(figure.obj.Alt).startswith("Tuning of four dictionary elements")
    assert figure.mcids
    # the picture and its caption are read together, the caption as a Caption
    (group,) = [e for e in doc.walk() if figure in e.kids]
    assert group.kind == "Div"
    assert [k.kind for k in group.kids] == ["Figure", "Caption"]
    caption = group.kids[1].text(book, shown_text(book))
    assert caption.startswith("Figure 1. Tuning of four dictionary elements")


def test_poster_numbers_are_labels_and_references_bibliography_entries(
    book: pikepdf.Pdf,
) -> None:
    shown = shown_text(book)
    doc = tree(book)
    heading = next(
        e
        for e in doc.walk()
        if e.kind.startswith("H") and e.text(book, shown).startswith("P-1 · Dendritic")
    )
    assert [(k.kind, k.text(book, shown)) for k in heading.kids] == [("Lbl", "P-1")]
    # and in the contents, inside the entry's link
    entry = next(
        e
        for e in doc.walk()
        if e.kind == "Link" and e.text(book, shown).startswith("P-1 · Dendritic")
    )
    assert [(k.kind, k.text(book, shown)) for k in entry.kids] == [("Lbl", "P-1")]
    entries = [e for e in doc.walk() if e.kind == "BibEntry"]
    assert len(entries) == 3
    first = entries[0].text(book, shown)
    assert first.startswith("Kettle B, Spoon A. Efficient coding of colours that might exist.")
    (item,) = [e for e in doc.walk() if e.kind == "LI" and entries[0] in e.walk()]
    assert [k.kind for k in item.kids] == ["Lbl", "LBody"]
    assert item.kids[0].text(book, shown) == "[1]"


def test_contents_and_indexes(book: pikepdf.Pdf) -> None:
    shown = shown_text(book)
    doc = tree(book)
    toc = next(e for e in doc.walk() if e.kind == "TOC")
    entries = [e for e in toc.walk() if e.kind == "TOCI"]
    assert len(entries) > 20
    # each entry is a reference to its place, read as a link: Reference › Link › OBJR
    for entry in entries:
        (reference,) = [k for k in entry.kids if k.kind != "TOC"]
        assert reference.kind == "Reference"
        (link,) = reference.kids
        assert link.kind == "Link" and link.text(book, shown).strip()
        (annot,) = link.objrs
        assert annot.Subtype == "/Link" and "/Dest" in annot
    # nested as the book is: days, their sessions, the sessions' abstracts
    day = next(e for e in toc.kids if e.kind == "TOCI")
    assert day.kids[0].text(book, shown) == "Tuesday, 14 September 2027"
    session = day.kids[1].kids[0]
    assert session.kind == "TOCI" and session.kids[1].kind == "TOC"
    # the programme's and the timetable's links are read where they are printed
    assert [k.kind for k in doc.kids if k.kind == "Link"] == []
    indexes = [e for e in doc.walk() if e.kind == "Index"]
    assert len(indexes) == 2  # authors and keywords
    letters = [s for s in indexes[0].kids if s.kind == "Sect"]
    assert letters and all(s.kids[0].kind.startswith("H") for s in letters)
    assert any(p.kind == "P" and p.text(book, shown) for s in letters for p in s.kids[1:])


def test_the_timetable_is_a_table_of_rooms_and_sessions(book: pikepdf.Pdf) -> None:
    """A screen reader reads the grid as a table: each session's cell is announced
    under its room's head (a plenary's under every room), in the order of the day."""
    shown = shown_text(book)
    doc = tree(book)
    day = next(
        s
        for s in doc.kids
        if s.kind == "Sect"
        and s.kids[0].text(book, shown) == "Tuesday, 14 September 2027"
        and any(k.kind == "Table" for k in s.kids)
    )
    assert day.kids[0].kind == "H2"
    table = next(k for k in day.kids if k.kind == "Table")
    head, *rows = table.kids
    assert all(r.kind == "TR" for r in table.kids)
    rooms = ["Aula Imaginaria", "Seminar Room Ø", "Foyer of Unreal Ideas"]
    assert [(c.kind, c.text(book, shown)) for c in head.kids] == [("TH", r) for r in rooms]
    assert all(c.obj.A.Scope == "/Column" for c in head.kids)
    ids = {str(c.obj.ID): c.text(book, shown) for c in head.kids}
    id_tree = list(book.Root.StructTreeRoot.IDTree.Names)
    assert {str(id_tree[i]) for i in range(0, len(id_tree), 2)} >= set(ids)

    def under(cell: Element) -> list[str]:
        return [ids[str(h)] for h in cell.obj.A.Headers]

    cells = [c for r in rows for c in r.kids]
    assert all(c.kind == "TD" for c in cells)
    texts = [c.text(book, shown) for c in cells]
    assert texts[0].startswith("Opening keynote") and under(cells[0]) == rooms
    coffee = cells[texts.index("Coffee")]
    assert under(coffee) == rooms
    neural = next(c for c in cells if c.text(book, shown).startswith("Neural coding"))
    circuits = next(c for c in cells if c.text(book, shown).startswith("Circuits and"))
    assert under(neural) == ["Aula Imaginaria"] and under(circuits) == ["Seminar Room Ø"]
    # sessions at once share a row, read from left to right; the foyer is empty then
    row = next(r for r in rows if neural in r.kids)
    assert row.kids == [neural, circuits, row.kids[2]]
    assert row.kids[2].text(book, shown) == "" and "/A" not in row.kids[2].obj
    assert coffee.obj.A.ColSpan == 3
    # a regular grid: every row fills every column, counting cells that span rows
    covered: dict[int, int] = {}  # row -> columns taken by cells of rows above
    for n, r in enumerate(rows):
        width = covered.get(n, 0)
        for c in r.kids:
            attrs = c.obj.get("/A", {})
            cols, span = int(attrs.get("/ColSpan", 1)), int(attrs.get("/RowSpan", 1))
            width += cols
            for below in range(n + 1, n + span):
                covered[below] = covered.get(below, 0) + cols
        assert width == len(rooms), r.text(book, shown)
    # each talk's line in a cell is a link to its abstract
    talks = [k for k in neural.kids if k.kind == "Link"]
    assert any(t.text(book, shown).startswith("10:15 Íñigo Muñoz Peña") for t in talks)
    assert all("/Dest" in t.objrs[0] for t in talks)


def test_a_session_spans_the_timetable_rows_until_it_ends(tmp_path: Path) -> None:
    """A session still running when another starts spans that row too: the grid stays
    regular, and the later session's row holds only its own cell."""
    root = tmp_path / "demo"
    shutil.copytree(DEMO, root)
    program = root / "program.yaml"
    text = program.read_text("utf-8")
    late = text.replace(
        'start: "09:30"\n        end: "10:45"', 'start: "10:00"\n        end: "11:10"'
    )
    assert late != text
    program.write_text(late, "utf-8")
    result = pipeline.build(root, root / "build" / "book.pdf")
    with pikepdf.open(result.output) as pdf:
        shown = shown_text(pdf)
        day = next(
            s
            for s in tree(pdf).kids
            if s.kind == "Sect" and s.kids[0].text(pdf, shown) == "Wednesday, 15 September 2027"
        )
        head, first, second, *_ = next(k for k in day.kids if k.kind == "Table").kids
        assert [c.text(pdf, shown) for c in head.kids] == ["Aula Imaginaria", "Seminar Room Ø"]
        plasticity, empty = first.kids
        assert plasticity.text(pdf, shown).startswith("Learning rules and plasticity")
        assert plasticity.obj.A.RowSpan == 2 and empty.text(pdf, shown) == ""
        (development,) = second.kids
        assert development.text(pdf, shown).startswith("Development and evolution")
        assert "/RowSpan" not in development.obj.A


def test_per_talk_pdfs_are_tagged(demo: Path, tmp_path: Path) -> None:
    pipeline.export_talks(demo, tmp_path, only={"tadpole-compass"})
    with pikepdf.open(tmp_path / "tadpole-compass.pdf") as pdf:
        doc = tree(pdf)
        kinds = [e.kind for e in doc.walk()]
        assert kinds.count("H1") == 1  # the talk's title
        assert "Formula" in kinds and "L" in kinds
        assert pdf.Root.MarkInfo.Marked is True
        for _, stack, op, _ in marked_content(pdf):
            assert stack, f"{op!r} outside marked content"


def test_the_logo_is_a_decorative_artifact(tmp_path: Path) -> None:
    """The meeting's name is printed above the logo: it is not read again as a figure."""
    from PIL import Image

    from tests.test_print import project

    root = project(tmp_path, "logo: logo.png\n")
    Image.new("RGB", (40, 20), (200, 30, 30)).save(root / "logo.png")
    result = pipeline.build(root, root / "build" / "book.pdf")
    with pikepdf.open(result.output) as pdf:
        drawn = [(s, ops) for _, s, o, ops in marked_content(pdf) if o == b"Do"]
        assert len(drawn) == 1
        stack, _ = drawn[0]
        assert stack == ["/Artifact"]
        assert not [e for e in tree(pdf).walk() if e.kind == "Figure"]
