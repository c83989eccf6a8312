"""check: what an organiser wants to know before printing, beyond the schema.

The formulas that cannot be typeset (errors) and the characters that no
configured face has (warnings): both need the typesetting side — the math
renderer and the fonts — which validation of the input does not load.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Collection, Sequence
from functools import lru_cache, partial

from .. import parallel
from ..digests import digest
from ..errors import Problem, SourceLocation, error, warning
from ..project.markup import all_runs, parse, refused_links, too_deep
from ..project.model import Book, Talk
from ..typeset import formulas
from ..typeset.formulas import problem as formula_problem
from ..typeset.formulas import shown
from ..typeset.matter import logo_printed_size
from ..typeset.scripts import face_for, font_chars, invisible, stand_in
from ..typeset.theme import Theme, make_theme


def formula_problems(
    talks: Sequence[Talk],
    known: Collection[str] = (),
    fine: set[str] | None = None,
    ahead: parallel.Helper | None = None,
    language: str | None = None,
) -> Callable[[], list[Problem]]:
    """Each formula that cannot be typeset, named by record, field and position: the
    check starts now, with the formulas' drawing, and the problems come when the
    returned function is called (the book meanwhile assembled from the same records).

    `known` holds digests of texts whose formulas all typeset (an earlier build
    found so): those are not parsed again. The digests of every such text of this
    book are added to `fine`. `ahead`: a worker that loaded the math renderer while
    the book was read (`parallel.ahead`), which draws a few formulas. `language`:
    the punctuation bodies are parsed with (`layout.punctuation`), which changes no
    formula; the layout then finds them parsed (`markup.parse` keeps them).
    """
    texts = []
    for t in talks:
        for field_name, source in (("body", t.body), ("notes", t.notes)):
            if not source or "$" not in source:
                continue
            name = digest(source)
            if name in known:
                if fine is not None:
                    fine.add(name)
                continue
            texts.append((t, field_name, name, math_runs(source, language)))
    drawn = draw_ahead({tex for *_, runs in texts for tex in runs}, Theme.body_size, ahead)

    def problems() -> list[Problem]:
        drawn()
        return _formula_problems(texts, fine)

    return problems


def _formula_problems(
    texts: list[tuple[Talk, str, str, list[str]]], fine: set[str] | None
) -> list[Problem]:
    problems: list[Problem] = []
    for t, field_name, name, runs in texts:
        found = len(problems)
        for n, tex in enumerate(runs, start=1):
            # at the body's size: the drawing is made once, checked and then used
            why = formula_problem(tex, Theme.body_size)
            if why:
                problems.append(
                    error(
                        f"{field_name}: formula {n}, ${shown(tex)}$, cannot be typeset ({why})",
                        t.source,
                    )
                )
        if fine is not None and len(problems) == found:
            fine.add(name)
    return problems


DRAWN_PER_WORKER = 64  # formulas a worker must have to be worth forking (10 ms each)


def draw_ahead(
    texs: Collection[str], size: float, ahead: parallel.Helper | None = None
) -> Callable[[], None]:
    """Draw the formulas that need drawing on every core, once each, as the build
    will use them (operators ready for the PDF), by the time the returned function
    has been called; those that fail are left to `formula_problem`, which names why.
    A few are drawn by `ahead` when given, starting now: this process then never
    loads the math renderer."""
    todo = sorted(
        tex
        for tex in texs
        if formulas.limit_problem(tex) is None
        and formulas.drawing_problem(tex) is None
        and formulas.simple(tex) is None
    )
    workers = parallel.workers_for(len(todo), DRAWN_PER_WORKER)
    if todo and workers <= 1 and ahead is not None:
        pending = ahead.apply(_draw_chunk, (size, todo))

        def given() -> None:
            for tex, f in zip(todo, pending(), strict=True):
                if f is not None:
                    formulas.given(tex, size, f)

        return given
    if workers <= 1:
        return _nothing  # drawn one by one when checked
    return partial(_draw_many, todo, size, workers)


def _nothing() -> None:
    pass


def _draw_many(todo: list[str], size: float, workers: int) -> None:
    with contextlib.suppress(formulas.FormulaError):
        formulas.draw(todo[0], size)  # ziamath and its fonts loaded once, before forking
    chunks = [todo[i :: workers * 4] for i in range(workers * 4)]
    results = list(parallel.fork_map(_draw_chunk, size, chunks, workers))  # to its end
    for chunk, drawn in zip(chunks, results, strict=True):
        for tex, f in zip(chunk, drawn, strict=True):
            if f is not None:
                formulas.given(tex, size, f)


def _draw_chunk(size: float, texs: list[str]) -> list[formulas.Formula | None]:
    from ..pdf.pdffile import UnsupportedDrawing, drawing_ops

    out: list[formulas.Formula | None] = []
    for tex in texs:
        try:
            f = formulas.draw(tex, size)
            if not isinstance(f.drawing, formulas.Outline):  # drawn by svglib: operators now
                f = f._replace(drawing=drawing_ops(f.drawing))
            out.append(f)
        except (formulas.FormulaError, UnsupportedDrawing):
            out.append(None)
    return out


def math_runs(source: str, language: str | None = None) -> list[str]:
    """The TeX of each formula of a Markdown text, in order (`language`: see `parse`)."""
    return [r.text for r in all_runs(parse(source, language)) if r.math]


def figure_problems(book: Book) -> list[Problem]:
    """Each SVG figure that cannot be drawn as paths (transparency, gradients, patterns),
    named by record, field and path: found by drawing it, which validation cannot do."""
    import io

    from svglib.svglib import svg2rlg

    from ..pdf.pdffile import UnsupportedDrawing, drawing_ops

    problems = []
    for t in book.talks:
        for f in t.figures:
            if f.kind != "svg":
                continue
            try:
                drawing_ops(svg2rlg(io.BytesIO(f.path.read_bytes())))
            except UnsupportedDrawing:
                message = "the SVG uses transparency, gradients or patterns: draw it without them"
                problems.append(error(f"{f.label}: {message}", f.location or t.source))
            except Exception as e:  # the file changed or broke since it was read
                problems.append(error(f"{f.label}: cannot draw the SVG ({e})", f.location))
    return problems


def check_book(book: Book) -> list[Problem]:
    """Everything `check` reports: the input's warnings and characters no font can print."""
    theme = make_theme(book.settings)
    return (
        list(book.warnings)
        + dead_links(book)
        + unprintable(book, theme)
        + logo_problems(book, theme)
    )


PRINT_DPI = 300  # what offset printing resolves in a picture


def logo_problems(book: Book, theme: Theme) -> list[Problem]:
    """A PNG or JPEG logo with fewer pixels than print needs at its size on the title page."""
    logo = book.settings.logo
    if logo is None or logo.suffix.lower() == ".svg":
        return []
    from PIL import Image

    try:
        with Image.open(logo) as im:
            pixels = im.size
    except Exception:  # unreadable: the build names it
        return []
    w, h = logo_printed_size(logo, theme)
    if not w or not h:
        return []
    dpi = min(pixels[0] / (w / 72), pixels[1] / (h / 72))
    if dpi >= PRINT_DPI:
        return []
    need = (round(w / 72 * PRINT_DPI), round(h / 72 * PRINT_DPI))
    return [
        warning(
            f"logo: {pixels[0]} × {pixels[1]} pixels print at {dpi:.0f} dpi on the title page "
            f"({w / 72 * 25.4:.0f} × {h / 72 * 25.4:.0f} mm); print wants {PRINT_DPI} dpi",
            SourceLocation(logo, 1, 1),
            f"use an image of at least {need[0]} × {need[1]} pixels, or an SVG",
        )
    ]


def dead_links(book: Book) -> list[Problem]:
    """Each link the PDF prints as text only: not http, https, mailto or a place in the book."""
    problems = []
    for t in book.talks:
        for field_name, source in (("body", t.body), ("notes", t.notes)):
            if not source:
                continue
            for href in refused_links(source):
                problems.append(
                    warning(
                        f"{field_name}: the link to {href!r} prints as text only: "
                        "live links are http, https and mailto",
                        t.source,
                    )
                )
    return problems


_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")  # ASCII neither printable nor space


@lru_cache(maxsize=64)
def _has_ascii(font: str) -> bool:
    return all(chr(c) in font_chars(font) for c in range(32, 127))


def unprintable(
    book: Book,
    theme: Theme,
    known: Collection[str] = (),
    fine: set[str] | None = None,
) -> list[Problem]:
    """Each character that no configured face has, per record and field (a warning).

    With `fine`, a talk whose content hash is in `known` (an earlier build with the
    same fonts found nothing to warn about in it) is not read again, and the hashes of
    this book's talks with nothing to warn about are added to `fine`.
    """
    s = book.settings
    text, title_font = theme.text["regular"], theme.heading["bold"]
    meeting = [
        ("title", s.title, title_font),
        ("subtitle", s.subtitle or "", text),
        ("venue", s.venue or "", text),
        ("organisers", " ".join(s.organisers), text),
    ]
    deep: list[Problem] = []  # listed first, then the characters, the meeting's first
    missing = _missing(SourceLocation(book.root / "book.yaml"), meeting)
    for t in book.talks:
        if fine is not None and t.content_hash in known:
            fine.add(t.content_hash)
            continue
        nested = _too_deep(t)
        unknown = _missing(t.source, _talk_fields(t, text, title_font))
        if fine is not None and not nested and not unknown:
            fine.add(t.content_hash)
        deep += nested
        missing += unknown
    return deep + missing


def _talk_fields(t: Talk, text: str, title_font: str) -> list[tuple[str, str, str]]:
    """A talk's fields as printed: (name, value, font)."""
    fields = [
        ("title", t.title, title_font),
        ("body", t.body or "", text),
        ("notes", t.notes or "", text),
        ("keywords", " ".join(t.keywords), text),
        ("board", t.board or "", title_font),
        ("references", " ".join(t.references), text),
    ]
    for a in t.authors:
        fields += [("authors", a.name, text), ("affiliations", " ".join(a.affiliations), text)]
        fields += [("authors", a.email or "", text)]
    return fields


def _too_deep(t: Talk) -> list[Problem]:
    return [
        warning(
            f"{field_name}: quotes and lists nest deeper than Markdown reads (20 levels, "
            "a list item counting two); it is printed as plain lines",
            t.source,
        )
        for field_name, source in (("body", t.body), ("notes", t.notes))
        if source and too_deep(source)
    ]


def _missing(location: SourceLocation | None, fields: list[tuple[str, str, str]]) -> list[Problem]:
    """A warning per field and character that no face has (once per field)."""
    problems = []
    seen: set[tuple[str, str]] = set()
    for field_name, value, font in fields:
        if value.isascii() and not _CONTROL.search(value) and _has_ascii(font):
            continue  # the usual case, at C speed
        for ch in sorted(set(value) - font_chars(font)):
            if (field_name, ch) in seen or ch.isspace() or invisible(ch):
                continue
            if face_for(ch, font) is None:
                seen.add((field_name, ch))
                problems.append(
                    warning(
                        f"{field_name}: no font has {ch!r} (U+{ord(ch):04X}); "
                        f"the book prints {stand_in(ch)} instead",
                        location,
                    )
                )
    return problems
