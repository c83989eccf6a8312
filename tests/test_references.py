"""Corresponding authors' e-mails and reference lists, as a reader of the PDF meets them."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from abstractbook import pipeline
from abstractbook.project.markup import citations, cited_numbers, parse, reference
from tests.pdftext import fragments, lines, normal, words_in
from tests.test_schema import reported, write

REFERENCES = "".join(
    f"  - Author{n} A. Result number {n}. *J Invented* 20{n:02d};{n}:1-9. doi:10.5555/inv.{n}\n"
    for n in range(1, 21)
)
CITING = " ".join(f"Claim {n} [{n}]." for n in range(1, 21))

RECORD = f"""id: cited
title: A talk with twenty references
authors:
  - name: Ana de la Cruz
    affiliations: [Invented Institute]
  - name: Bo Chen
    affiliations: [Invented Institute]
    email: bo.chen@invented.example
    corresponding: true
body: |
  {CITING} Both at once [1, 2] and a range [3–5].
references:
{REFERENCES}"""


@pytest.fixture(scope="module")
def cited_book(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = write(
        tmp_path_factory.mktemp("refs"),
        {"book.yaml": "title: Refs\n", "abstracts/cited.yaml": RECORD},
    )
    out = root / "build" / "book.pdf"
    pipeline.build(root, out)
    talks = root / "build" / "talks"
    pipeline.export_talks(root, talks)
    return out, talks / "cited.pdf"


def links(reader: PdfReader) -> list[tuple[int, Any, list[float]]]:
    """(page index, action or destination, rectangle) of every link annotation."""
    out = []
    for i, page in enumerate(reader.pages):
        for annot in page.get("/Annots", []) or []:
            a = annot.get_object()
            target = a["/A"]["/URI"] if "/A" in a else a["/Dest"]
            out.append((i, target, [float(v) for v in a["/Rect"]]))
    return out


def test_email_of_the_corresponding_author_is_a_mailto_link(
    cited_book: tuple[Path, Path],
) -> None:
    for pdf in cited_book:
        reader = PdfReader(pdf)
        mails = [(i, t, r) for i, t, r in links(reader) if str(t).startswith("mailto:")]
        assert [str(t) for _, t, _ in mails] == ["mailto:bo.chen@invented.example"], pdf.name
        i, _, rect = mails[0]
        assert words_in(pdf, i, rect) == "bo.chen@invented.example"
        page = [normal(ln) for ln in lines(reader.pages[i])]
        at = page.index("Invented Institute")  # printed under the affiliations
        assert page[at + 1] == "Correspondence: Bo Chen, bo.chen@invented.example"


def test_every_citation_links_to_its_reference(cited_book: tuple[Path, Path]) -> None:
    for pdf in cited_book:
        reader = PdfReader(pdf)
        body = {i for i, p in enumerate(reader.pages) if "Claim" in p.extract_text()}
        internal = [
            (i, t, r)
            for i, t, r in links(reader)
            if i in body and not str(t).startswith(("mailto:", "https:"))
        ]
        expected = [*range(1, 21), 1, 2, 3, 5]
        assert len(internal) == len(expected), pdf.name
        for (i, dest, rect), n in zip(internal, expected, strict=True):
            # the link sits on the citation's number...
            assert str(n) in re.findall(r"\d+", words_in(pdf, i, rect)), n
            target_page = reader.get_page_number(dest[0].get_object())
            top = float(dest[3])
            # ...and leads to the reference: its line starts with the reference's label
            found = [
                normal(ln)
                for ln in lines(reader.pages[target_page], below=top)
                if normal(ln).startswith("[")
            ]
            assert found[0].startswith(f"[{n}] Author{n} A. Result number {n}."), (n, found[:2])


def test_references_are_numbered_smaller_and_dois_link(cited_book: tuple[Path, Path]) -> None:
    reader = PdfReader(cited_book[0])
    text = "\n".join(normal(ln) for p in reader.pages for ln in lines(p))
    assert "References" in text
    for n in range(1, 21):
        assert f"[{n}] Author{n} A. Result number {n}. J Invented 20{n:02d};{n}:1-9." in text
    uris = {str(t) for _, t, _ in links(reader)}
    assert {f"https://doi.org/10.5555/inv.{n}" for n in range(1, 21)} <= uris
    sizes = {
        f.text[:6]: f.size
        for page in reader.pages
        for f in fragments(page)
        if f.text.startswith(("Claim 1 ", "Author1 "))
    }
    assert sizes["Author"] < sizes["Claim "]


def test_check_warns_about_citations_references_and_emails(tmp_path: Path) -> None:
    record = """id: x
title: T
authors:
  - name: A B
    email: not an address
  - name: C D
    corresponding: true
body: See [1] and [4].
references:
  - One.
  - Two.
"""
    write(tmp_path, {"book.yaml": "title: T\n", "abstracts/x.yaml": record})
    assert reported(tmp_path) == [
        f"{tmp_path}/abstracts/x.yaml:5:12: warning: authors[1].email: 'not an address' is "
        "not an e-mail address",
        f"{tmp_path}/abstracts/x.yaml:7:20: warning: authors[2]: a corresponding author "
        "without an email (add 'email:'; no address is printed)",
        f"{tmp_path}/abstracts/x.yaml:8:7: warning: 'x' cites [4] but has only 2 references",
        f"{tmp_path}/abstracts/x.yaml:11:5: warning: 'x': reference is never cited in the "
        "body: [2]",
    ]


def test_citation_forms() -> None:
    assert cited_numbers("1, 3") == [1, 3]
    assert cited_numbers("2–4") == [2, 3, 4]
    # an interval, code and links are not citations
    assert citations(parse("In [0, 1], `x[2]`, [see](https://e.org) [3].")) == [3]


def test_reference_links_dois_and_web_addresses() -> None:
    runs = reference("A. *B*. doi:10.1000/x.y. https://example.org/a.")
    linked = [(r.text, r.href) for r in runs if r.href]
    assert linked == [
        ("doi:10.1000/x.y", "https://doi.org/10.1000/x.y"),
        ("https://example.org/a", "https://example.org/a"),
    ]
    assert [r.style for r in runs if r.text == "B"] == ["italic"]
