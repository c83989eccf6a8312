"""Math: simple formulas as searchable text, the rest as drawings, errors named."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from abstractbook import pipeline
from abstractbook.errors import InputError
from abstractbook.formulas import problem, simple
from abstractbook.markup import parse

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
            if op[0] == "formula":
                assert op[1].startswith(r"\int")
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
