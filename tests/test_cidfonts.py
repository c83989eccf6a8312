"""CID font subsets: what a run of many files shares gives each file the bytes it
would have alone."""

from __future__ import annotations

import io
import zlib

from fontTools.ttLib import TTFont

from abstractbook.pdf.cidfonts import READY_AFTER, EmbeddedFont, FaceParts, _embedded_font
from abstractbook.typeset.shaping import shape

FONT = "NotoSerif-Regular"


def _glyphs(text: str) -> tuple[int, ...]:
    return tuple(sorted({g for word in text.split() for g in shape(word, FONT).glyphs}))


def test_a_face_made_ready_for_many_subsets_gives_the_same_subsets() -> None:
    """After READY_AFTER subsets a face is preprocessed for subsetting: the subsets,
    widths and ToUnicode maps made after that are those a face used once makes."""
    texts = [f"Talk {n}: offices of the {n}th floor, fjords and waffles" for n in range(12)]
    shared = FaceParts(FONT)
    made = [_embedded_font(shared, _glyphs(t)) for t in texts]
    assert shared._ready is not None  # the later subsets came from the prepared face
    for text, embedded in zip(texts[READY_AFTER:], made[READY_AFTER:], strict=True):
        alone = _embedded_font(FaceParts(FONT), _glyphs(text))
        assert embedded == alone


def test_a_subset_draws_its_glyphs_at_their_ids_and_no_others() -> None:
    """A subset from a prepared face keeps each glyph at its id and empties the rest."""
    glyphs = _glyphs("Office waffles")
    parts = FaceParts(FONT)
    for _ in range(READY_AFTER + 1):
        embedded: EmbeddedFont = _embedded_font(parts, glyphs)
    font = TTFont(io.BytesIO(zlib.decompress(embedded.program)))
    glyf = font["glyf"]
    order = font.getGlyphOrder()
    drawn = {gid for gid, name in enumerate(order) if glyf[name].numberOfContours}
    assert drawn - {0} == set(glyphs)  # .notdef as the face has it
