"""typography: real dashes, ellipses and quotes, in bodies and plain fields alike; code,
math and web addresses as typed; `layout.smart_punctuation: false` prints what was typed."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader

from abstractbook import pipeline
from abstractbook.project import scaffold
from abstractbook.project.markup import MONO, Paragraph, parse, text_of
from abstractbook.project.typography import refine
from tests.pdftext import normal


def test_english_dashes_ellipsis_quotes_and_apostrophes() -> None:
    assert refine("I'll say \"yes\" --- or 'no' ... pages 3--5, the '90s", "en") == (
        "I\u2019ll say \u201cyes\u201d \u2014 or \u2018no\u2019 \u2026 pages 3\u20135, "
        "the \u201990s"
    )


def test_a_spaced_hyphen_is_a_dash_and_a_word_s_own_hyphen_stays() -> None:
    """A hyphen typed with a space on each side (a typewriter's dash) prints as an en
    dash; hyphens inside words, before numbers and at a line's start stay as typed."""
    assert refine("Bounded learning - biological constraints", "en") == (
        "Bounded learning \u2013 biological constraints"
    )
    assert (
        refine("self-supervised, -3 dB, x -y, a- b", "en") == "self-supervised, -3 dB, x -y, a- b"
    )
    (para,) = parse("Rates - in `a - b` and $a - b$ - stay", "en")
    assert text_of((para,)) == "Rates \u2013 in a - b and a - b \u2013 stay"


def test_quotes_follow_the_language() -> None:
    assert refine("Er sagte \"ja\" und 'nein', geht's", "de_DE") == (
        "Er sagte \u201eja\u201c und \u201anein\u2018, geht\u2019s"
    )
    # French guillemets hold a narrow no-break space inside; the apostrophe is curly.
    assert refine('Il a dit "oui" \u00e0 l\'homme', "fr") == (
        "Il a dit \u00ab\u202foui\u202f\u00bb \u00e0 l\u2019homme"
    )
    assert refine('"da"', "ru") == "\u00abda\u00bb"
    assert refine('"ok"', "xx") == "\u201cok\u201d"  # unlisted: English marks


def test_web_addresses_and_other_runs_stay_as_typed() -> None:
    text = "see https://x.org/a--b...c?q='1'&r=2 and www.y.org/--- -- (c) panel, +- 2, ---- ....."
    assert refine(text, "en") == (
        "see https://x.org/a--b...c?q='1'&r=2 and www.y.org/--- \u2013 (c) panel, +- 2, ---- ....."
    )


def test_body_code_math_links_and_escapes_stay_as_typed() -> None:
    source = (
        "It's `don't -- \"x\"...` and $a--b$ at <https://x.org/a--b> "
        'or [the "site"](https://x.org/c--d) \\"straight\\" -- done'
    )
    (para,) = parse(source, "en")
    assert isinstance(para, Paragraph)
    assert [r.text for r in para.runs if r.style == MONO] == ['don\'t -- "x"...']
    assert [r.text for r in para.runs if r.math] == ["a--b"]
    assert {r.href for r in para.runs if r.href} == {"https://x.org/a--b", "https://x.org/c--d"}
    text = text_of((para,))
    assert text.startswith("It\u2019s ")
    assert "https://x.org/a--b" in text and "the \u201csite\u201d" in text
    assert text.endswith('"straight" \u2013 done')


def test_off_means_as_typed() -> None:
    source = 'It\'s -- "so"...'
    assert text_of(parse(source)) == source


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200))
def test_any_text_refines_and_parses(text: str) -> None:
    refine(text, "fr")
    parse(text, "de")


EDITS = (  # to the starter project's lovelace.yaml
    ("title: Notes on an analytical engine", 'title: The engine\'s "notes" --- revisited'),
    (
        "  More at [the project page](https://example.org/engine).",
        "  More at [the project page](https://example.org/engine). Ada's `x--y` and\n"
        "  https://example.org/a--b...c are typed as they are -- really.",
    ),
)


def punctuation_project(tmp_path: Path) -> Path:
    root = tmp_path / "book"
    scaffold.write_project(root)
    path = root / "abstracts" / "lovelace.yaml"
    text = path.read_text("utf-8")
    for old, new in EDITS:
        assert old in text
        text = text.replace(old, new)
    path.write_text(text, "utf-8")
    return root


def pdf_text(path: Path) -> str:
    return normal(" ".join(p.extract_text() for p in PdfReader(path).pages))


def test_pdf_prints_real_punctuation_but_code_and_urls_as_typed(tmp_path: Path) -> None:
    root = punctuation_project(tmp_path)
    text = pdf_text(pipeline.build(root, root / "build" / "book.pdf").output)
    title = "The engine\u2019s \u201cnotes\u201d \u2014 revisited"
    assert text.count(title) >= 2  # the abstract and the contents
    assert "Ada\u2019s x--y and" in text
    assert "https://example.org/a--b...c" in text
    assert "as they are \u2013 really." in text


def test_smart_punctuation_false_prints_as_typed_and_is_reported(tmp_path: Path) -> None:
    root = punctuation_project(tmp_path)
    out = root / "build" / "book.pdf"
    smart = pipeline.build(root, out)
    book = root / "book.yaml"
    book.write_text(
        book.read_text("utf-8").replace("smart_punctuation: true", "smart_punctuation: false"),
        "utf-8",
    )
    typed = pipeline.build(root, out)
    text = pdf_text(out)
    assert 'The engine\'s "notes" --- revisited' in text
    assert "are typed as they are -- really." in text
    assert "\u2019" not in text and "\u2014" not in text
    report = typed.report
    assert report is not None and report.settings_changed and report.pages
    assert not report.changed  # the records did not change: neither do their hashes
    lovelace = (smart.manifest["abstracts"]["lovelace"], typed.manifest["abstracts"]["lovelace"])
    assert lovelace[0]["fields"] == lovelace[1]["fields"]


def test_field_hashes_follow_the_record_not_the_print(tmp_path: Path) -> None:
    """Typing the curly apostrophe the build would print anyway is still an edit."""
    root = punctuation_project(tmp_path)
    out = root / "build" / "book.pdf"
    pipeline.build(root, out)
    path = root / "abstracts" / "lovelace.yaml"
    path.write_text(path.read_text("utf-8").replace("engine's", "engine\u2019s"), "utf-8")
    report = pipeline.build(root, out).report
    assert report is not None
    assert [(i, f) for i, _, f in report.changed] == [("lovelace", ["title"])]
    assert not report.pages


def test_references_by_the_same_rule() -> None:
    from abstractbook.project.markup import reference

    runs = reference('Doe A. "A result." *J Neurosci* 2018;38:1--10. doi:10.1000/x--y', "en")
    text = "".join(r.text for r in runs)
    assert "\u201cA result.\u201d" in text and "38:1\u201310" in text
    assert text.endswith("doi:10.1000/x--y")
    assert "".join(r.text for r in reference("pp. 1--10", None)) == "pp. 1--10"
