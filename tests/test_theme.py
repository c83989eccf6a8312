"""theme: the user's own fonts (`fonts:` in book.yaml) are the ones the book draws with."""

from __future__ import annotations

import shutil
from pathlib import Path

from pypdf import PdfReader

from abstractbook import pipeline
from abstractbook.project import scaffold
from tests.pdftext import shown

FONTS = Path(__file__).resolve().parent.parent / "fonts"

# The shipped faces under other names, deliberately crossed (a sans body, serif headings)
# so that a book set in the defaults cannot pass for one set in these.
USER_FONTS = {
    "Body-Regular.ttf": "NotoSans-Regular.ttf",
    "Body-Italic.ttf": "NotoSerif-Italic.ttf",
    "Body-Bold.ttf": "NotoSans-Bold.ttf",
    "Body-BoldItalic.ttf": "NotoSerif-BoldItalic.ttf",
    "Head-Regular.ttf": "NotoSerif-Regular.ttf",
    "Head-Bold.ttf": "NotoSerif-Bold.ttf",
    "Extra.ttf": "NotoSansHebrew-Bold.ttf",
}
SETTINGS = """fonts:
  text:
    regular: myfonts/Body-Regular.ttf
    italic: myfonts/Body-Italic.ttf
    bold: myfonts/Body-Bold.ttf
    bold_italic: myfonts/Body-BoldItalic.ttf
  heading: {regular: myfonts/Head-Regular.ttf, bold: myfonts/Head-Bold.ttf}
  fallback: [myfonts/Extra.ttf]
"""


def face(base_font: str) -> str:
    """/ABCDEF+NotoSans-Regular -> NotoSans-Regular: the PostScript name of the face a
    subset comes from (the file's own name inside it, whatever the file is called)."""
    return base_font.lstrip("/").split("+", 1)[-1]


def test_user_fonts_draw_the_book(tmp_path: Path) -> None:
    """Titles in the heading face, the body in the text face, a character the text face
    lacks in the fallback before any shipped face, running heads in the heading face."""
    root = tmp_path / "book"
    scaffold.write_project(root)
    (root / "myfonts").mkdir()
    for name, shipped in USER_FONTS.items():
        shutil.copy(FONTS / shipped, root / "myfonts" / name)
    with (root / "book.yaml").open("a", encoding="utf-8") as f:
        f.write(SETTINGS)
    talk = root / "abstracts" / "hopper.yaml"
    text = talk.read_text("utf-8").replace("body: |\n", "body: |\n  Shalom is שלום in Hebrew.\n", 1)
    talk.write_text(text, "utf-8")
    result = pipeline.build(root, root / "build" / "book.pdf")
    reader = PdfReader(result.output)
    first = result.manifest["abstracts"]["hopper"]["first_page"]
    faces = {s.text.strip(): face(s.font) for s in shown(reader.pages[first - 1])}
    assert faces["Compilers for everyone"] == "NotoSerif-Bold"  # Head-Bold.ttf
    assert faces["Shalom is"] == "NotoSans-Regular"  # Body-Regular.ttf
    assert faces["םולש"] == "NotoSansHebrew-Bold"  # Extra.ttf (drawn right to left)
    assert faces["Opening session"] == "NotoSerif-Regular"  # Head-Regular.ttf
    # and the files embedded are the user's: every face drawn is one of theirs (or the
    # monospace face, which `fonts:` does not set)
    drawn = {face(s.font) for page in reader.pages for s in shown(page)}
    assert drawn <= {*(Path(f).stem for f in USER_FONTS.values()), "NotoSansMono-Regular"}
