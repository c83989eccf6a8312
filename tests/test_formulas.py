"""Math: simple formulas as searchable text, the rest as drawings, errors named."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader
from pypdf.generic import ContentStream

from abstractbook import pipeline
from abstractbook.building.preflight import math_runs
from abstractbook.errors import InputError
from abstractbook.project.markup import parse
from abstractbook.typeset.formulas import problem, simple
from tests.pdftext import fragments

FIXTURE = Path(__file__).parent / "fixtures" / "math"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> pipeline.BuildResult:
    return pipeline.build(FIXTURE, tmp_path_factory.mktemp("math") / "book.pdf")


def test_simple_math_is_text(built: pipeline.BuildResult) -> None:
    text = " ".join(p.extract_text() for p in PdfReader(built.output).pages)
    assert "α" in text and "∑" in text and "ℝ" in text and "≥" in text
    assert "costs $5 and $10" in re.sub(r"\s+", " ", text)


def test_complex_math_is_drawn(built: pipeline.BuildResult) -> None:
    reader = PdfReader(built.output)
    forms = {}
    for page in reader.pages:
        xobjects = page["/Resources"].get("/XObject", {})
        for ref in xobjects.values():
            form = ref.get_object()
            if form.get("/Subtype") == "/Form":
                forms[ref.idnum] = form.get_data()
    assert len(forms) == 2  # the inline fraction and the display integral
    for data in forms.values():
        paths = len(re.findall(rb"\b(?:l|c|re)\b", data))
        assert paths > 20  # glyph outlines, not an empty box


def placed_formulas(reader: PdfReader) -> list[tuple[str, float, float, float, float]]:
    """Each drawn formula as the PDF places it: (TeX source from its /ActualText, x, y of
    the form's lower left, width, height)."""
    out = []
    for page in reader.pages:
        forms = page["/Resources"].get("/XObject", {})
        source = None
        at = (0.0, 0.0)
        for operands, operator in ContentStream(page.get_contents(), reader).operations:
            if operator == b"BDC" and "/ActualText" in operands[1]:
                source = str(operands[1]["/ActualText"])
            elif operator == b"cm":
                at = (float(operands[4]), float(operands[5]))
            elif operator == b"Do" and source is not None:
                box = [float(v) for v in forms[operands[0]].get_object()["/BBox"]]
                out.append((source, *at, box[2] - box[0], box[3] - box[1]))
                source = None
    return out


def test_formulas_sit_on_the_baseline_in_the_line(built: pipeline.BuildResult) -> None:
    """The inline fraction straddles the baseline of the words around it (its bar near
    the middle, the denominator below), and the next word starts where it ends; the
    display integral is centred in the column."""
    reader = PdfReader(built.output)
    formulas = {tex: rest for tex, *rest in placed_formulas(reader)}
    assert set(formulas) == {
        r"\frac{a+b}{\sqrt{c}}",
        r"\int_0^\infty e^{-x^2}\,dx = \frac{\sqrt{\pi}}{2}",
    }
    x, y, w, h = formulas[r"\frac{a+b}{\sqrt{c}}"]
    page = next(p for p in reader.pages if "Prose costs" in p.extract_text())
    after = next(f for f in fragments(page) if f.text.startswith(". Prose"))
    depth = after.y - y
    assert 0.3 * h < depth < 0.6 * h
    assert after.x == pytest.approx(x + w, abs=0.5)
    x, y, w, h = formulas[r"\int_0^\infty e^{-x^2}\,dx = \frac{\sqrt{\pi}}{2}"]
    settings = built.book.settings.page
    left = settings.inner  # the abstract starts on a recto
    column = settings.width - settings.inner - settings.outer
    assert x + w / 2 == pytest.approx(left + column / 2, abs=1.0)
    assert y + h < after.y  # set below the paragraph it follows


@pytest.mark.parametrize(
    "tex,is_simple",
    [
        ("x_i^2", True),
        (r"\alpha + \beta", True),
        (r"\frac{1}{2}", False),
        (r"\sqrt{x}", False),
        (r"\mathbb{R}^n", True),
        ("a^{b^c}", False),
    ],
)
def test_simple_or_drawn(tex: str, is_simple: bool) -> None:
    assert (simple(tex) is not None) == is_simple


def test_dollars_in_prose_stay_prose() -> None:
    (para,) = parse("It costs $5 and $10, or $ x $.")
    assert not any(r.math for r in para.runs)  # type: ignore[union-attr]


@pytest.mark.parametrize("language", [None, "en", "de", "fr"])
def test_punctuation_changes_no_formula(language: str | None) -> None:
    """The preflight reads a body's formulas with the punctuation the layout parses it
    with (so the layout finds it parsed): quotes, dashes and dots change only the
    prose around them, never the TeX."""
    body = (
        '"Quoted" -- and \'single\' ... then $f\'(x) = "a" -- b...$ and\n\n'
        "$$\\text{it's} -- x''$$\n\nends --- here."
    )
    assert math_runs(body, language) == ['f\'(x) = "a" -- b...', "\\text{it's} -- x''"]


def test_malformed_formula_is_an_input_error(tmp_path: Path) -> None:
    project = tmp_path / "p"
    shutil.copytree(FIXTURE, project)
    path = project / "abstracts" / "formulas.yaml"
    path.write_text(path.read_text("utf-8").replace(r"\frac{a+b}{\sqrt{c}}", r"\frac{a}{"), "utf-8")
    with pytest.raises(InputError) as e:
        pipeline.load_book(project)
    message = str(e.value.problems[0])
    assert "formulas.yaml" in message and "formula 3" in message and r"\frac{a}{" in message


def _continued_fraction(depth: int) -> str:
    return "\\frac{1}{1+" * depth + "x" + "}" * depth


def test_nesting_is_limited_by_the_drawing_work_it_makes() -> None:
    assert problem(_continued_fraction(5)) is None  # drawn, in well under a second
    why = problem(_continued_fraction(6)) or ""
    assert "too deeply nested for its length" in why and "at most 1,000" in why


def test_limits_apply_before_any_parsing() -> None:
    # 5,000 open braces once overflowed the parser's recursion
    assert "at most 10,000" in (problem("{" * 5000 + "a" + "}" * 5000) or "")
    assert "nest at most 100 deep" in (problem("{" * 101 + "a" + "}" * 101) or "")
    assert problem("a+" * 4000 + "b") is None  # simple: set as text, however long


DRAWN = [
    r"\frac{a_1+b}{\sqrt{x^2+1}}",
    r"\boxed{y}",
    r"\cancel{x}\overrightarrow{AB}",
    r"\left(\sum_{i=1}^{n}\frac{\partial f}{\partial x_i}\right)^2",
    r"\begin{pmatrix}1&2\\3&4\end{pmatrix}",
]


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler's pdftoppm")
@pytest.mark.parametrize("tex", DRAWN)
def test_outline_looks_as_svglib_draws_the_same_svg(tex: str, tmp_path: Path) -> None:
    """Formulas are drawn from ziamath's SVG directly; the picture must be the one a
    general SVG reader (svglib and reportlab, the former route) makes of that SVG."""
    import io
    import subprocess
    import xml.etree.ElementTree as ET

    import ziamath
    from PIL import Image, ImageChops
    from reportlab.pdfgen.canvas import Canvas
    from svglib.svglib import svg2rlg

    from abstractbook.pdf.pdffile import drawing_ops
    from abstractbook.typeset.formulas import Outline, draw

    drawn = draw(tex, 20.0).drawing
    assert isinstance(drawn, Outline)
    svg = ziamath.Latex(tex, size=20.0 / 0.75).svgxml()
    reference = drawing_ops(svg2rlg(io.StringIO(ET.tostring(svg, encoding="unicode"))))
    pictures = []
    for name, ops in (("ours", drawn.ops), ("svglib", reference.ops)):
        canvas = Canvas(str(tmp_path / f"{name}.pdf"), pagesize=(drawn.width, drawn.height))
        canvas._code.append(ops)
        canvas.save()
        subprocess.run(
            ["pdftoppm", "-r", "300", "-gray", "-png", "-singlefile", f"{name}.pdf", name],
            cwd=tmp_path,
            check=True,
        )
        with Image.open(tmp_path / f"{name}.png") as png:
            pictures.append(png.convert("L"))
    assert pictures[0].size == pictures[1].size
    ink = sum(1 for p in pictures[1].get_flattened_data() if p < 128)
    differ = sum(1 for p in ImageChops.difference(*pictures).get_flattened_data() if p > 128)
    assert ink > 100
    assert differ <= ink * 0.01
