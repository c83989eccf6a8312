"""Figures in abstracts, measured in the PDF: place, width, captions, vector PDF pages."""

from __future__ import annotations

import io
import os
import re
import struct
import zlib
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from pypdf.generic import ContentStream

from abstractbook import pipeline
from abstractbook.errors import InputError
from abstractbook.project.model import MM
from tests.pdftext import lines, normal
from tests.test_manifest import assert_rebuild_is_cold
from tests.test_schema import reported, write

A5_COLUMN = 148 * MM - 32 * MM  # A5 with the default inner and outer margins
FRAME = (18 * MM, 148 * MM - 14 * MM)  # a recto's text block, left to right
FRAME_VERSO = (14 * MM, 148 * MM - 18 * MM)
FRAME_TOP, FRAME_BOTTOM = 210 * MM - 16 * MM, 18 * MM

FILLER = " ".join(["Words that fill the column of an abstract."] * 12)


def png(width: int, height: int, colour: tuple[int, int, int] = (30, 60, 140)) -> bytes:
    """A small but valid PNG of one colour."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "PNG")
    return out.getvalue()


def png_header(width: int, height: int) -> bytes:
    """A PNG that claims any size in a few bytes (its pixels never follow)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    head = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", head) + chunk(b"IEND", b"")


def jpeg(width: int, height: int) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (140, 40, 40)).save(out, "JPEG")
    return out.getvalue()


def pdf_figure() -> bytes:
    """Two pages of vector drawing (lines, a filled circle), no image."""
    from reportlab.pdfgen.canvas import Canvas

    out = io.BytesIO()
    c = Canvas(out, pagesize=(300, 200), invariant=True)
    c.setLineWidth(3)
    c.line(10, 10, 290, 190)
    c.showPage()
    c.circle(150, 100, 80, fill=1)
    c.showPage()
    c.save()
    return out.getvalue()


SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="400" height="200">'
    '<path d="M0 200 C100 0 300 0 400 200" stroke="#aa3333" fill="none" stroke-width="4"/>'
    "</svg>"
)

BODY = f"""Before the figures.

![Ellipse as a *bitmap*](figures/plot.png){{width=60%}}

{FILLER}

![A photograph](figures/photo.jpg)

![A curve drawn in SVG](figures/curve.svg){{width=50%}}

![A chart from a PDF](figures/chart.pdf){{width=80%}}

![The second page of a PDF](figures/chart.pdf#page=2){{width=40%}}

After the figures.
"""

WIDTHS = {1: 0.6, 3: 0.5, 4: 0.8, 5: 0.4}


def figure_project(root: Path) -> Path:
    body = "\n".join("  " + ln if ln else "" for ln in BODY.splitlines())
    return write(
        root,
        {
            "book.yaml": "title: Figures\n",
            "abstracts/figs.yaml": (
                "id: figs\ntitle: Figures of every kind\nauthors:\n  - name: A B\n"
                f"body: |\n{body}\n"
            ),
            "abstracts/figures/plot.png": png(1200, 800),
            "abstracts/figures/photo.jpg": jpeg(1200, 800),
            "abstracts/figures/curve.svg": SVG,
            "abstracts/figures/chart.pdf": pdf_figure(),
        },
    )


class Drawn(NamedTuple):
    page: int
    name: str
    subtype: str
    box: tuple[float, float, float, float]  # x1, y1, x2, y2 on the page
    alt: str | None


def _times(a: list[float], b: list[float]) -> list[float]:
    return [
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    ]


def drawn_objects(reader: PdfReader) -> list[Drawn]:
    """Every XObject a page draws, with the box it covers (from the operators and the
    object's own /BBox and /Matrix, not from anything abstractbook reports)."""
    out = []
    for index, page in enumerate(reader.pages):
        xobjects: Any = page["/Resources"].get_object().get("/XObject", {})
        stack: list[list[float]] = []
        ctm = [1.0, 0, 0, 1.0, 0, 0]
        alt = None
        for operands, op in ContentStream(page.get_contents(), reader).operations:
            if op == b"q":
                stack.append(ctm)
            elif op == b"Q":
                ctm = stack.pop()
            elif op == b"cm":
                ctm = _times([float(v) for v in operands], ctm)
            elif op == b"BDC" and operands[0] == "/Figure":
                alt = str(operands[1]["/Alt"])
            elif op == b"EMC":
                alt = None
            elif op == b"Do":
                obj = xobjects[operands[0]].get_object()
                m = ctm
                if obj["/Subtype"] == "/Form":
                    x1, y1, x2, y2 = (float(v) for v in obj["/BBox"])
                    if "/Matrix" in obj:
                        m = _times([float(v) for v in obj["/Matrix"]], ctm)
                else:
                    x1, y1, x2, y2 = 0.0, 0.0, 1.0, 1.0
                xs = [x * m[0] + y * m[2] + m[4] for x in (x1, x2) for y in (y1, y2)]
                ys = [x * m[1] + y * m[3] + m[5] for x in (x1, x2) for y in (y1, y2)]
                box = (min(xs), min(ys), max(xs), max(ys))
                out.append(Drawn(index, str(operands[0]), str(obj["/Subtype"]), box, alt))
    return out


@pytest.fixture(scope="module")
def figure_book(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[pipeline.BuildResult, PdfReader]:
    root = figure_project(tmp_path_factory.mktemp("figures"))
    result = pipeline.build(root, root / "build" / "book.pdf")
    return result, PdfReader(result.output)


def figures_of(reader: PdfReader) -> dict[int, Drawn]:
    """The book's figures by number (the logo-less book draws nothing else)."""
    drawn = [d for d in drawn_objects(reader) if d.alt is not None]
    captions = {}
    for d in drawn:
        text = [normal(ln) for ln in lines(reader.pages[d.page], below=d.box[1])]
        m = re.match(r"Figure (\d+)\.", text[0])
        assert m, text[:2]
        captions[int(m.group(1))] = d
    return captions


def test_figures_sit_in_the_text_block_at_their_width_with_captions_below(
    figure_book: tuple[pipeline.BuildResult, PdfReader],
) -> None:
    _, reader = figure_book
    figures = figures_of(reader)
    assert sorted(figures) == [1, 2, 3, 4, 5]
    for n, d in figures.items():
        x1, y1, x2, y2 = d.box
        left, right = FRAME if d.page % 2 == 0 else FRAME_VERSO  # index 0 is page i
        assert left - 0.5 <= x1 and x2 <= right + 0.5, n
        assert y1 >= FRAME_BOTTOM - 0.5 and y2 <= FRAME_TOP + 0.5, n
        if n in WIDTHS:
            assert x2 - x1 == pytest.approx(A5_COLUMN * WIDTHS[n], abs=0.5), n
        assert (x1 + x2) / 2 == pytest.approx((left + right) / 2, abs=0.5)  # centred
    # a bitmap without a width: its size at 300 dpi (1,200 pixels: 4 inches)
    assert figures[2].box[2] - figures[2].box[0] == pytest.approx(4 * 72, abs=0.5)


def test_alternative_text_is_the_caption(
    figure_book: tuple[pipeline.BuildResult, PdfReader],
) -> None:
    _, reader = figure_book
    alts = {n: d.alt for n, d in figures_of(reader).items()}
    assert alts[1] == "Ellipse as a bitmap"
    assert alts[5] == "The second page of a PDF"


def test_pdf_figures_stay_vector(figure_book: tuple[pipeline.BuildResult, PdfReader]) -> None:
    _, reader = figure_book
    figures = figures_of(reader)
    assert figures[1].subtype == "/Image" and figures[2].subtype == "/Image"
    for n in (3, 4, 5):
        assert figures[n].subtype == "/Form", n
    for n in (4, 5):  # each page names the forms it draws
        page = reader.pages[figures[n].page]
        xobjects: Any = page["/Resources"].get_object()["/XObject"]
        form = xobjects[figures[n].name].get_object()
        inner = form["/Resources"].get_object().get("/XObject", {})
        assert not inner  # paths only: no image inside
        assert b" l" in form.get_data() or b" c" in form.get_data()  # lines and curves
    assert figures[4].name != figures[5].name  # two pages, two forms


def test_a_figure_that_does_not_fit_floats_while_the_text_goes_on(
    figure_book: tuple[pipeline.BuildResult, PdfReader],
) -> None:
    _, reader = figure_book
    figures = figures_of(reader)
    after = next(
        i for i, p in enumerate(reader.pages) if "After the figures." in (p.extract_text() or "")
    )
    floated = [n for n, d in figures.items() if d.page > after]
    assert floated  # the test's figures do not all fit on the abstract's first page
    # the abstract's last page, for the manifest, is that of its last floated figure
    last = max(d.page for d in figures.values()) + 1
    assert figure_book[0].manifest["abstracts"]["figs"]["last_page"] == last
    # the first to float opens the next page: its top is the text block's
    d = figures[min(floated)]
    assert d.box[3] == pytest.approx(FRAME_TOP, abs=0.5)
    # and the figures before it, which fitted, came before the text that follows them
    assert all(figures[n].page <= after for n in figures if n < min(floated))


def test_bad_figures_are_one_error_each(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.png"
    outside.write_bytes(png(10, 10))
    body = (
        "![Missing](figures/missing.png)\n\n![A folder](figures/folder)\n\n"
        "![Outside](../../elsewhere.png)\n\n![Broken](figures/broken.png)\n\n"
        "![Huge](figures/huge.png)\n\n![Bad PDF](figures/bad.pdf)\n\n"
        "![Text](figures/text.svg)\n\n![Fine](figures/fine.png)"
    )
    root = write(
        tmp_path / "p",
        {
            "book.yaml": "title: T\n",
            "abstracts/bad.yaml": f"id: bad\ntitle: T\nauthors: [{{name: A}}]\nbody: {body!r}\n",
            "abstracts/figures/folder/x.txt": "",
            "abstracts/figures/broken.png": b"\x89PNG\r\n\x1a\nnot really",
            "abstracts/figures/huge.png": png_header(20_000, 20_000),
            "abstracts/figures/bad.pdf": b"%PDF-1.4\nnothing",
            "abstracts/figures/text.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="9" '
            'height="9"><text>Hi</text></svg>',
            "abstracts/figures/fine.png": png(1200, 800),
        },
    )
    problems = reported(root)
    where = f"{root}/abstracts/bad.yaml:4:7: body: figure"
    assert len(problems) == 7
    assert problems[0] == f"{where} 1, 'figures/missing.png': no such file"
    assert problems[1] == f"{where} 2, 'figures/folder': this is a folder, not an image file"
    assert (
        problems[2] == f"{where} 3, '../../elsewhere.png': the file is outside the project folder"
    )
    assert problems[3].startswith(f"{where} 4, 'figures/broken.png': cannot read the image")
    assert problems[4] == (
        f"{where} 5, 'figures/huge.png': 20,000 × 20,000 pixels is over the limit of "
        "40,000,000 pixels for a figure; scale it down"
    )
    assert problems[5].startswith(f"{where} 6, 'figures/bad.pdf': cannot read the PDF")
    assert problems[6] == (
        f"{where} 7, 'figures/text.svg': the SVG shows text, which would need its fonts: "
        "convert it to paths"
    )


def test_a_bitmap_printed_below_150_dpi_is_a_warning(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "book.yaml": "title: T\n",
            "abstracts/a.yaml": "id: a\ntitle: T\nauthors: [{name: A}]\n"
            "body: '![Small](small.png){width=100%}'\n",
            "abstracts/small.png": png(300, 200),
        },
    )
    (warning,) = reported(root)
    assert "figure 1, 'small.png': 66 dpi at its printed size" in warning


def test_a_changed_figure_file_is_noticed_by_a_rebuild(tmp_path: Path) -> None:
    root = figure_project(tmp_path / "p")
    warm = tmp_path / "warm" / "book.pdf"
    first = pipeline.build(root, warm)
    (root / "abstracts/figures/plot.png").write_bytes(png(1200, 600, (200, 30, 30)))
    rebuilt = assert_rebuild_is_cold(root, warm, tmp_path)
    assert rebuilt.manifest != first.manifest
    assert rebuilt.report is not None
    assert [i for i, _, _ in rebuilt.report.changed] == ["figs"]


def test_image_sizes_are_read_from_the_headers_alone() -> None:
    from abstractbook.project.figures import _header_size

    assert _header_size(jpeg(321, 123)) == (321, 123)
    assert _header_size(png_header(20_000, 30_000)) == (20_000, 30_000)
    assert _header_size(b"GIF89a") is None


def test_an_svg_that_cannot_be_drawn_as_paths_is_an_input_error(tmp_path: Path) -> None:
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10">'
        '<rect width="9" height="9" fill="red" fill-opacity="0.5"/></svg>'
    )
    root = write(
        tmp_path,
        {
            "book.yaml": "title: T\n",
            "abstracts/a.yaml": "id: a\ntitle: T\nauthors: [{name: A}]\n"
            "body: 'Text.\n\n  ![Half seen](see-through.svg)'\n",
            "abstracts/see-through.svg": svg,
        },
    )
    with pytest.raises(InputError) as caught:
        pipeline.build(root, root / "build" / "book.pdf")
    assert [str(p) for p in caught.value.problems] == [
        f"{root}/abstracts/a.yaml:4:7: body: figure 1, 'see-through.svg': the SVG uses "
        "transparency, gradients or patterns: draw it without them"
    ]
    assert not (root / "build" / "book.pdf").exists()


def test_the_per_talk_pdf_has_the_figures_too(
    figure_book: tuple[pipeline.BuildResult, PdfReader],
) -> None:
    root = figure_book[0].book.root
    pipeline.export_talks(root, root / "build" / "talks")
    alone = PdfReader(root / "build" / "talks" / "figs.pdf")
    assert sorted(figures_of(alone)) == [1, 2, 3, 4, 5]


def test_a_figure_path_the_system_refuses_is_an_input_error(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "book.yaml": "title: T\n",
            "abstracts/a.yaml": "id: a\ntitle: T\nauthors: [{name: A}]\nbody: '![N](x%00.png)'\n",
        },
    )
    assert reported(root) == [
        f"{root}/abstracts/a.yaml:4:7: body: figure 1, 'x\\x00.png': this is not a file name "
        "the system accepts"
    ]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=40))
def test_any_figure_source_is_a_problem_or_a_figure_never_a_traceback(
    tmp_path: Path, source: str
) -> None:
    import yaml

    body = f"![Any]({source}) and ![Coded](<{source}>){{width={source}%}}"
    record = {"id": "a", "title": "T", "authors": [{"name": "A"}], "body": body}
    write(tmp_path, {"book.yaml": "title: T\n", "abstracts/a.yaml": yaml.safe_dump(record)})
    reported(tmp_path)  # raises nothing but InputError, which `reported` reads


def test_figures_drawn_by_worker_processes_match_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A book long enough for its pages to be drawn on every core: the workers find and
    make the figures (PNG, JPEG, SVG, PDF pages), the formulas and the logo their pages
    draw, and the file is the one a single process writes, figures and all."""
    from abstractbook import parallel

    root = figure_project(tmp_path / "p")
    body = "\n".join("  " + ln if ln else "" for ln in BODY.splitlines())
    for n in range(48):
        (root / "abstracts" / f"figs{n:02}.yaml").write_text(
            f"id: figs{n:02}\ntitle: Figures and $x^{n}$\nauthors:\n  - name: A B{n}\n"
            f"body: |\n{body}\n",
            encoding="utf-8",
        )
    (root / "logo.svg").write_text(SVG, encoding="utf-8")
    (root / "book.yaml").write_text("title: Figures\nlogo: logo.svg\n", encoding="utf-8")
    monkeypatch.setattr(os, "cpu_count", lambda: 2)  # two workers wherever this runs
    many = pipeline.build(root, tmp_path / "many" / "book.pdf", use_cache=False)
    monkeypatch.setattr(parallel, "workers_for", lambda jobs, per: 1)
    alone = pipeline.build(root, tmp_path / "alone" / "book.pdf", use_cache=False)
    assert many.pages > 96
    assert many.output.read_bytes() == alone.output.read_bytes()
    reader = PdfReader(many.output)
    shown = [d for d in drawn_objects(reader) if d.alt is not None]
    assert len(shown) == 49 * 5  # every talk's five figures, each with its description
