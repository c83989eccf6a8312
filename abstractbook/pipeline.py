"""The stages on one screen: load -> validate -> model -> lay out -> render -> export."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from . import export
from .errors import Problem
from .layout import Document, Item, lay_out, layout_talk
from .model import Book, assemble
from .render import render_pdf
from .schema import validate
from .theme import make_theme, shipped


def sample_project() -> Path:
    """The bundled sample book: the 2019 'Deep Learning and the Brain' abstracts."""
    return shipped("data") / "dlbrain2019"


def load_book(root: Path) -> Book:
    """load + validate + model; raises InputError with every problem found."""
    return assemble(validate(root))


@dataclass(frozen=True)
class BuildResult:
    book: Book
    document: Document
    output: Path
    pages: int
    seconds: float

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return self.book.warnings


def typeset(book: Book) -> tuple[Document, bytes]:
    """lay out + render: the book's pages and its PDF bytes."""
    theme = make_theme(book.settings)
    talk_items: dict[str, tuple[Item, ...]] = {
        e.talk.id: layout_talk(e.talk, theme) for e in book.entries
    }
    document = lay_out(book, theme, talk_items)
    s = book.settings
    pdf = render_pdf(document, s, theme.text["regular"], subject=s.subtitle or "Abstracts",
                     author="; ".join(s.organisers),
                     keywords=", ".join(sorted({k for t in book.talks for k in t.keywords})))
    return document, pdf


def build(root: Path, output: Path) -> BuildResult:
    """Typeset the booklet and write it atomically; the old PDF survives any failure."""
    started = time.perf_counter()
    book = load_book(root)
    document, pdf = typeset(book)
    export.write_atomic(output, pdf)
    return BuildResult(book, document, output, len(document.pages),
                       time.perf_counter() - started)


