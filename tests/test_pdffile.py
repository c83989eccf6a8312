"""The PDF file itself: its structure, pictures, strings and fonts of many characters."""

from __future__ import annotations

import re
import tempfile
import zlib
from collections import Counter
from pathlib import Path

import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st
from PIL import Image
from pypdf import PdfReader

from abstractbook import pipeline
from abstractbook.building import preflight
from abstractbook.errors import BuildError
from abstractbook.pdf.pdffile import flate
from tests.pdftext import embedded_glyphs, shown
from tests.test_print import project


@settings(max_examples=60, deadline=None)
@given(
    st.binary(max_size=20_000) | st.text(max_size=5_000).map(str.encode), st.sampled_from([1, 6])
)
def test_streams_inflate_with_zlib_to_what_was_written(data: bytes, level: int) -> None:
    """Streams are compressed by libdeflate: every reader inflates them as zlib data."""
    packed = flate(data, level)
    assert isinstance(packed, bytes)
    assert zlib.decompress(packed) == data


def test_every_cross_reference_points_at_its_object(sample_pdf: Path) -> None:
    """The cross-reference stream (the structure tree's small objects are packed in
    object streams) gives each object's offset, or its object stream and place."""
    data = sample_pdf.read_bytes()
    start = int(re.search(rb"startxref\n(\d+)\n%%EOF\n$", data).group(1))  # type: ignore[union-attr]
    head = re.match(rb"(\d+) 0 obj\n<< /Type /XRef (.*?) >>\nstream\n", data[start:], re.S)
    assert head is not None
    length = int(re.search(rb"/Length (\d+)", head.group(2)).group(1))  # type: ignore[union-attr]
    body = data[start + head.end() : start + head.end() + length]
    rows = zlib.decompress(body)
    assert len(rows) % 7 == 0
    packed = 0
    for number in range(1, len(rows) // 7):
        row = rows[7 * number : 7 * number + 7]
        kind, field, place = row[0], int.from_bytes(row[1:5], "big"), row[5:]
        if kind == 1:
            assert data[field:].startswith(f"{number} 0 obj\n".encode()), number
        else:
            assert kind == 2, number
            stream_row = rows[7 * field : 7 * field + 7]
            at = int.from_bytes(stream_row[1:5], "big")
            assert data[at:].startswith(f"{field} 0 obj\n<< /Type /ObjStm ".encode())
            assert int.from_bytes(place, "big") < 200
            packed += 1
    assert packed > 100  # structure elements, the parent tree, link annotations
    reader = PdfReader(sample_pdf, strict=True)
    assert len(reader.pages) == 23
    assert reader.trailer["/ID"][0] == reader.trailer["/ID"][1]


def test_png_logo_with_transparency(tmp_path: Path) -> None:
    root = project(tmp_path, "logo: logo.png\n")
    picture = Image.new("RGBA", (40, 20), (200, 30, 30, 255))
    for x in range(20):
        picture.putpixel((x, 5), (0, 0, 0, 0))
    picture.save(root / "logo.png")
    result = pipeline.build(root, root / "build" / "book.pdf")
    images = _xobjects(PdfReader(result.output), "/Image")
    assert len(images) == 1
    image = images[0]
    assert (image["/Width"], image["/Height"]) == (40, 20)
    space = image["/ColorSpace"]  # RGB in a print file (x-4) is sRGB, by its ICC profile
    assert space[0] == "/ICCBased" and space[1].get_object()["/N"] == 3
    mask = image["/SMask"].get_object()
    assert mask["/ColorSpace"] == "/DeviceGray"
    assert len(mask.get_data()) == 40 * 20
    assert len(image.get_data()) == 40 * 20 * 3


def test_a_moved_project_rebuilds_from_its_cache(tmp_path: Path) -> None:
    """The cache is keyed by content, not places: after the project (and its build
    folder) moves, a rebuild reuses it and still finds the logo where it is now."""
    root = project(tmp_path, "logo: logo.png\n")
    Image.new("RGB", (20, 10), (30, 60, 90)).save(root / "logo.png")
    first = pipeline.build(root, root / "build" / "book.pdf").output.read_bytes()
    moved = root.rename(tmp_path / "elsewhere")
    again = pipeline.build(moved, moved / "build" / "book.pdf")
    assert again.report is not None and not again.report.pages
    assert again.output.read_bytes() == first


def test_jpeg_logo_in_grey(tmp_path: Path) -> None:
    root = project(tmp_path, "logo: logo.jpg\n")
    Image.new("L", (30, 30), 128).save(root / "logo.jpg")
    result = pipeline.build(root, root / "build" / "book.pdf")
    images = _xobjects(PdfReader(result.output), "/Image")
    assert [i["/ColorSpace"] for i in images] == ["/DeviceGray"]
    assert "/SMask" not in images[0]


def test_svg_logo_is_drawn_as_paths(tmp_path: Path) -> None:
    root = project(tmp_path, "logo: logo.svg\n")
    (root / "logo.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="80" height="40">'
        '<rect x="0" y="0" width="80" height="40" fill="#1f4e79"/>'
        '<circle cx="20" cy="20" r="10" fill="#ffffff"/></svg>',
        "utf-8",
    )
    result = pipeline.build(root, root / "build" / "book.pdf")
    forms = _xobjects(PdfReader(result.output), "/Form")
    assert len(forms) == 1
    data = forms[0].get_data()
    assert b" re" in data or b" c" in data
    assert b"Tf" not in data  # no font of the drawing library's own


def test_svg_logo_with_text_is_refused_clearly(tmp_path: Path) -> None:
    root = project(tmp_path, "logo: logo.svg\n")
    (root / "logo.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="80" height="40">'
        '<text x="5" y="20" font-size="12">Meeting</text></svg>',
        "utf-8",
    )
    with pytest.raises(BuildError, match="logo"):
        pipeline.build(root, root / "build" / "book.pdf")
    assert not (root / "build" / "book.pdf").exists()


def test_metadata_in_any_script(tmp_path: Path) -> None:
    root = project(tmp_path)
    text = (root / "book.yaml").read_text("utf-8")
    title = re.search(r"^title: (.*)$", text, re.MULTILINE).group(1)  # type: ignore[union-attr]
    (root / "book.yaml").write_text(
        text.replace(f"title: {title}", 'title: "Встреча (2027) \\\\ Μνήμη"', 1), "utf-8"
    )
    result = pipeline.build(root, root / "build" / "book.pdf")
    meta = PdfReader(result.output).metadata
    assert meta is not None and meta.title == "Встреча (2027) \\ Μνήμη"


def test_a_font_with_more_than_256_characters(tmp_path: Path) -> None:
    """A face drawing hundreds of characters is one CID font whose codes are its glyph
    ids, and every character still comes back out of the text layer."""
    root = project(tmp_path)
    cjk = "".join(chr(c) for c in range(0x4E00, 0x4E00 + 600) if c % 3 == 0)
    greek = "".join(chr(c) for c in range(0x3B1, 0x3CA))
    record = next((root / "abstracts").glob("*.yaml"))
    text = record.read_text("utf-8")
    body = re.search(r"^body: \|\n", text, re.MULTILINE)
    assert body is not None
    record.write_text(
        text[: body.end()] + f"  {cjk}\n\n  {greek} and a plain sentence.\n\n" + text[body.end() :],
        "utf-8",
    )
    result = pipeline.build(root, root / "build" / "book.pdf")
    reader = PdfReader(result.output)
    extracted = "".join(page.extract_text() for page in reader.pages)
    flat = re.sub(r"\s+", "", extracted)
    assert cjk in flat
    assert greek in flat
    fonts = {
        str(ref.get_object()["/BaseFont"]): ref.get_object()
        for page in reader.pages
        for ref in page["/Resources"]["/Font"].values()
    }
    droid = [f for name, f in fonts.items() if "DroidSans" in name]
    assert len(droid) == 1
    assert droid[0]["/Subtype"] == "/Type0" and droid[0]["/Encoding"] == "/Identity-H"


# The test face's advances (1/1000 em): a space 250, W 900, other letters 400 to 600.
_BOX_WIDTHS = {chr(c): 900 if c == 0x57 else 400 + (c % 5) * 50 for c in range(0x21, 0x7F)}
_BOX_WIDTHS[" "] = 250


def _box_width(text: str) -> float:
    return sum(_BOX_WIDTHS[c] for c in text) / 1000


def _cff_font(path: Path) -> None:
    """A small OpenType font with CFF outlines: every ASCII letter a box of its own width."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.t2CharStringPen import T2CharStringPen

    letters = [chr(c) for c in range(0x21, 0x7F)]
    names = [".notdef", "space", *(f"g{ord(c)}" for c in letters)]
    builder = FontBuilder(1000, isTTF=False)
    builder.setupGlyphOrder(names)
    builder.setupCharacterMap({32: "space", **{ord(c): f"g{ord(c)}" for c in letters}})
    strings = {}
    widths = {".notdef": 500, "space": 250, **{f"g{ord(c)}": _BOX_WIDTHS[c] for c in letters}}
    for name in names:
        width = widths[name]
        pen = T2CharStringPen(width, None)
        if name != "space":
            pen.moveTo((50, 0))
            pen.lineTo((width - 50, 0))
            pen.lineTo((width - 50, 700))
            pen.lineTo((50, 700))
            pen.closePath()
        strings[name] = pen.getCharString()
    builder.setupCFF("BoxSans-Regular", {"FullName": "Box Sans"}, strings, {})
    builder.setupHorizontalMetrics({name: (widths[name], 50) for name in names})
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupNameTable({"familyName": "Box Sans", "styleName": "Regular"})
    builder.setupOS2(sTypoAscender=800, usWinAscent=800, usWinDescent=200)
    builder.setupPost()
    builder.save(str(path))


def test_an_opentype_cff_face_is_embedded_and_copies_as_typed(tmp_path: Path) -> None:
    """A CFF-flavoured .otf named in fonts.text is shaped, embedded as a CID font with
    its CFF outlines (CIDFontType0), drawn without .notdef, and copies as typed."""
    (tmp_path / "fonts").mkdir()
    _cff_font(tmp_path / "fonts" / "BoxSans-Regular.otf")
    pdf = build_minimal(
        tmp_path,
        {"id": "a", "title": "Boxes", "authors": [{"name": "Ann"}], "body": "Wide Words here."},
        MINIMAL + "fonts:\n  text: {regular: fonts/BoxSans-Regular.otf}\n",
    )
    reader = PdfReader(pdf)
    fonts = {
        str(ref.get_object()["/BaseFont"]): ref.get_object()
        for page in reader.pages
        for ref in page["/Resources"]["/Font"].values()
    }
    box = [f for name, f in fonts.items() if name.endswith("+BoxSans-Regular")]
    assert len(box) == 1
    descendant = box[0]["/DescendantFonts"][0].get_object()
    assert descendant["/Subtype"] == "/CIDFontType0"
    assert "/FontFile3" in descendant["/FontDescriptor"]
    glyphs = embedded_glyphs(reader)
    drawn = [s for page in reader.pages for s in shown(page) if s.font.endswith("BoxSans-Regular")]
    assert "Wide Words here." in "".join(s.text for s in drawn)
    for s in drawn:
        for code in s.codes:
            name, outlined = glyphs[s.font][code]
            assert code and name != ".notdef" and (outlined or name == "space")
        # the pen moves by the face's own advances (W is 900 units wide), the spaces
        # of a justified line widened
        if s.text.startswith("Wide"):
            natural = s.size * _box_width(s.text) + s.word_space * s.text.count(" ")
            assert s.end - s.x == pytest.approx(natural, abs=0.05)
    assert "Wide Words here." in " ".join(p.extract_text() for p in reader.pages)


def test_web_links_are_ascii(tmp_path: Path) -> None:
    root = project(tmp_path)
    record = next((root / "abstracts").glob("*.yaml"))
    text = record.read_text("utf-8")
    body = re.search(r"^body: \|\n", text, re.MULTILINE)
    assert body is not None
    record.write_text(
        text[: body.end()]
        + "  See [the data](<https://example.org/Tübingen/daten?q=a b>).\n\n"
        + text[body.end() :],
        "utf-8",
    )
    result = pipeline.build(root, root / "build" / "book.pdf")
    uris = [
        str(a.get_object()["/A"]["/URI"])
        for page in PdfReader(result.output).pages
        for a in page.get("/Annots", [])
        if "/A" in a.get_object()
    ]
    assert "https://example.org/T%C3%BCbingen/daten?q=a%20b" in uris
    assert all(u.isascii() and " " not in u for u in uris)


def _xobjects(reader: PdfReader, subtype: str) -> list:  # type: ignore[type-arg]
    found = {}
    for page in reader.pages:
        for ref in page["/Resources"].get("/XObject", {}).values():
            obj = ref.get_object()
            if obj.get("/Subtype") == subtype:
                found[ref.idnum] = obj
    return list(found.values())


def test_only_web_mail_and_book_links_are_live(tmp_path: Path) -> None:
    """smb:, data:, file paths and javascript: print as their text, and `check` says so."""
    root = project(tmp_path)
    record = next((root / "abstracts").glob("*.yaml"))
    text = record.read_text("utf-8")
    body = re.search(r"^body: \|\n", text, re.MULTILINE)
    assert body is not None
    links = (
        "  Share [on smb](smb://host/share), [a picture](data:image/png;base64,AAAA),\n"
        "  [the passwords](/etc/passwd), [run me](javascript:alert(1)),\n"
        "  [the site](https://example.org/) and [mail us](mailto:chair@example.org).\n\n"
    )
    record.write_text(text[: body.end()] + links + text[body.end() :], "utf-8")
    result = pipeline.build(root, root / "build" / "book.pdf")
    reader = PdfReader(result.output)
    uris = [
        str(a.get_object()["/A"]["/URI"])
        for page in reader.pages
        for a in page.get("/Annots", [])
        if "/A" in a.get_object()
    ]
    assert {"https://example.org/", "mailto:chair@example.org"} <= set(uris)
    assert all(u.startswith(("https://", "http://", "mailto:")) for u in uris), uris
    words = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert "run me, the site" in words
    assert "javascript" not in words and "](" not in words
    warned = [p.message for p in preflight.check_book(result.book)]
    for target in ("smb://host/share", "/etc/passwd", "javascript:alert(1)"):
        assert any(repr(target) in m and "prints as text" in m for m in warned), target
    assert not any("example.org" in m for m in warned)


# -- properties: any text survives the file format ------------------------------------

# Letters of Latin-1, Latin Extended-A, Greek and Cyrillic: more than 256 of them, so a
# text may need several subsets of one face. No ASCII: the page's other text (title,
# author, running head, folio) is ASCII, so what is not ASCII comes from the body.
LETTERS = [
    chr(c)
    for c in [*range(0xC0, 0x180), *range(0x391, 0x3AA), *range(0x3B1, 0x3CA), *range(0x410, 0x450)]
    if chr(c).isalpha()
]
MINIMAL = "title: Subsets\nfront_matter: []\nback_matter: []\nlayout: {hyphenate: false}\n"


def build_minimal(root: Path, record: dict[str, object], book: str = MINIMAL) -> Path:
    (root / "abstracts").mkdir(parents=True)
    (root / "book.yaml").write_text(book, "utf-8")
    text = yaml.safe_dump(record, allow_unicode=True, default_style='"')
    (root / "abstracts" / "a.yaml").write_text(text, "utf-8")
    return pipeline.build(root, root / "out" / "book.pdf").output


@settings(max_examples=20, deadline=None)
@given(
    st.text(st.sampled_from([*LETTERS, " ", " ", " "]), min_size=1, max_size=500).filter(
        lambda t: any(c in LETTERS for c in t)  # a body of spaces alone is no body
    )
)
@example(" ".join("".join(LETTERS[i : i + 9]) for i in range(0, len(LETTERS), 9)))
def test_every_character_drawn_maps_back_through_its_font(body: str) -> None:
    """Whatever letters a text holds, each is drawn with a glyph of the embedded subset,
    and a reader copying the page gets exactly those letters back (ToUnicode)."""
    with tempfile.TemporaryDirectory() as folder:
        pdf = build_minimal(
            Path(folder), {"id": "a", "title": "Title", "authors": [{"name": "Ann"}], "body": body}
        )
        reader = PdfReader(pdf)
        glyphs = embedded_glyphs(reader)
        strings = [s for page in reader.pages for s in shown(page)]
        extracted = "".join(page.extract_text() for page in reader.pages)  # pypdf's reading
    body_fonts = {s.font for s in strings if not s.text.isascii()}
    assert len(body_fonts) == 1  # one face, one font, however many letters
    copied = Counter(c for s in strings for c in s.text if not c.isascii())
    assert copied == Counter(c for c in body if c != " ")
    assert Counter(c for c in extracted if not c.isascii() and not c.isspace()) == copied
    for s in strings:
        assert len(s.text) == len(s.codes) and "\ufffd" not in s.text
        for code, ch in zip(s.codes, s.text, strict=True):
            name, outlined = glyphs[s.font][code]
            assert name != ".notdef" and (outlined or ch.isspace()), (s.font, ch)


# Any text a user can type on one line: every character but controls and surrogates.
ONE_LINE = (
    st.text(st.characters(exclude_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=40)
    .map(lambda t: " ".join(t.split()))
    .filter(bool)
)


@settings(max_examples=20, deadline=None)
@given(title=ONE_LINE, organiser=ONE_LINE, keyword=ONE_LINE, talk=ONE_LINE)
def test_any_text_round_trips_through_the_pdf_strings(
    title: str, organiser: str, keyword: str, talk: str
) -> None:
    """The book's title, organiser and keywords (document information) and a talk's
    title (its bookmark) read back from the PDF exactly as typed, whatever they hold:
    brackets, backslashes, accents, any script, characters beyond the BMP (with real
    punctuation off, which would make `--` a dash: test_typography.py)."""
    book = yaml.safe_dump(
        {
            "title": title,
            "organisers": [organiser],
            "front_matter": [],
            "back_matter": [],
            "layout": {"smart_punctuation": False},
        },
        allow_unicode=True,
        default_style='"',
    )
    record = {"id": "a", "title": talk, "authors": [{"name": "Ann"}], "keywords": [keyword]}
    with tempfile.TemporaryDirectory() as folder:
        reader = PdfReader(build_minimal(Path(folder), record, book))
        meta = reader.metadata
        assert meta is not None
        assert (meta.title, meta.author, meta.get("/Keywords")) == (title, organiser, keyword)
        assert [o.title for o in reader.outline] == [talk]


def test_a_page_stream_does_not_depend_on_the_books_other_letters(tmp_path: Path) -> None:
    """Codes are the faces' glyph ids: letters new to the book on one page leave every
    other page's content stream byte for byte as it was (the fonts grow, not the
    codes)."""
    root = project(tmp_path)
    first = pipeline.build(root, tmp_path / "a" / "book.pdf", use_cache=False).output
    record = sorted((root / "abstracts").glob("*.yaml"))[-1]
    text = record.read_text("utf-8")
    body = re.search(r"^body: \|\n", text, re.MULTILINE)
    assert body is not None
    record.write_text(text[: body.end()] + "  Ωμέγα ζήτα þorn ŋ.\n\n" + text[body.end() :], "utf-8")
    second = pipeline.build(root, tmp_path / "b" / "book.pdf", use_cache=False).output
    before, after = PdfReader(first).pages, PdfReader(second).pages
    same = 0
    for old, new in zip(before, after, strict=False):
        if old.extract_text() == new.extract_text() and "Ωμέγα" not in new.extract_text():
            assert old.get_contents().get_data() == new.get_contents().get_data()
            same += 1
    assert same >= 3
    assert "Ωμέγα" in " ".join(p.extract_text() for p in after)
