"""Math: simple formulas as searchable text, the rest as drawings, errors named."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from abstractbook import pipeline
from abstractbook.errors import InputError
from abstractbook.formulas import simple
from abstractbook.markup import parse
from abstractbook.ops import DisplayMath

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


def test_formula_sits_on_the_baseline() -> None:
    _, document = pipeline.lay_out_book(FIXTURE)
    for page in document.pages:
        for op in page.ops:
            if isinstance(op, DisplayMath):
                assert op.tex.startswith(r"\int")
                return
    raise AssertionError("display formula not laid out")


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


def test_malformed_formula_is_an_input_error(tmp_path: Path) -> None:
    project = tmp_path / "p"
    shutil.copytree(FIXTURE, project)
    path = project / "abstracts" / "formulas.yaml"
    path.write_text(path.read_text("utf-8").replace(r"\frac{a+b}{\sqrt{c}}", r"\frac{a}{"), "utf-8")
    with pytest.raises(InputError) as e:
        pipeline.load_book(project)
    message = str(e.value.problems[0])
    assert "formulas.yaml" in message and "formula 3" in message and r"\frac{a}{" in message
