"""theme: book settings -> fonts registered with reportlab, text styles, page geometry.

Everything about the look of the book that is not content lives here, built
once per build: layout asks the theme for a style and a frame, never for a file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from ..project.model import FaceSet, Settings
from .fonts import FontBook, activate, shipped

FACES = ("regular", "italic", "bold", "bold_italic", "mono")


def default_text_faces() -> FaceSet:
    d = shipped("fonts")
    return FaceSet(
        d / "NotoSerif-Regular.ttf",
        d / "NotoSerif-Italic.ttf",
        d / "NotoSerif-Bold.ttf",
        d / "NotoSerif-BoldItalic.ttf",
    )


def default_heading_faces() -> FaceSet:
    d = shipped("fonts")
    return FaceSet(d / "NotoSans-Regular.ttf", None, d / "NotoSans-Bold.ttf", None)


def mono_face() -> Path:
    return shipped("fonts") / "NotoSansMono-Regular.ttf"


class Style(NamedTuple):
    """A paragraph style (a tuple: styles are parts of many memo keys, hashed often)."""

    font: str  # reportlab font name
    size: float
    leading: float
    color: str  # '#rrggbb'


@dataclass(frozen=True)
class Theme:
    """Fonts by role and face, sizes, colours and the page's geometry."""

    settings: Settings
    text: dict[str, str]  # face -> font name
    heading: dict[str, str]
    files: tuple[Path, ...]  # the font files behind them
    fonts: FontBook
    accent: str
    ink: str
    grey: str
    body_size: float = 9.5
    body_leading: float = 12.6

    # -- geometry ------------------------------------------------------------
    @property
    def page_width(self) -> float:
        return self.settings.page.width

    @property
    def page_height(self) -> float:
        return self.settings.page.height

    @property
    def frame_width(self) -> float:
        p = self.settings.page
        return p.width - p.inner - p.outer

    @property
    def frame_height(self) -> float:
        p = self.settings.page
        return p.height - p.top - p.bottom

    def frame_left(self, recto: bool) -> float:
        """Mirrored margins: the inner margin is on the left of a recto page."""
        p = self.settings.page
        return p.inner if recto else p.outer

    @property
    def frame_top(self) -> float:
        return self.settings.page.height - self.settings.page.top

    # -- styles --------------------------------------------------------------
    def body(self, face: str = "regular") -> Style:
        return Style(self.text[face], self.body_size, self.body_leading, self.ink)

    def small(self, face: str = "regular") -> Style:
        return Style(self.text[face], 8.0, 10.4, self.ink)

    def title(self) -> Style:
        return Style(self.heading["bold"], 12.0, 14.6, self.accent)

    def heading_style(self, size: float, face: str = "bold", color: str | None = None) -> Style:
        return Style(self.heading[face], size, size * 1.22, color or self.accent)

    def running(self) -> Style:
        return Style(self.heading["regular"], 7.5, 9.0, self.grey)


# Faces tried, in order, for characters the text or heading face lacks. Those
# with a bold style use it for bold text. A face is read only when a book has a
# character the faces before it lack; a script's face (SCRIPTS) is tried only for
# its script's blocks, so most characters never make it be read.
TEXT_FALLBACKS = ("NotoSerifHebrew", "NotoNaskhArabic", "NotoSerifArmenian", "NotoSerifGeorgian")
HEADING_FALLBACKS = ("NotoSansHebrew", "NotoSansArabic", "NotoSerifArmenian", "NotoSerifGeorgian")
SCRIPTS: dict[str, tuple[tuple[int, int], ...]] = {
    "NotoSansDevanagari": ((0x0900, 0x097F), (0xA8E0, 0xA8FF), (0x1CD0, 0x1CFF)),
    "NotoSansBengali": ((0x0980, 0x09FF),),
    "NotoSansGurmukhi": ((0x0A00, 0x0A7F),),
    "NotoSansGujarati": ((0x0A80, 0x0AFF),),
    "NotoSansOriya": ((0x0B00, 0x0B7F),),
    "NotoSansTamil": ((0x0B80, 0x0BFF),),
    "NotoSansTelugu": ((0x0C00, 0x0C7F),),
    "NotoSansKannada": ((0x0C80, 0x0CFF),),
    "NotoSansMalayalam": ((0x0D00, 0x0D7F),),
    "NotoSansSinhala": ((0x0D80, 0x0DFF),),
    "NotoSansThai": ((0x0E00, 0x0E7F),),
    "NotoSansLao": ((0x0E80, 0x0EFF),),
    "NotoSansMyanmar": ((0x1000, 0x109F), (0xA9E0, 0xA9FF), (0xAA60, 0xAA7F)),
    "NotoSansEthiopic": ((0x1200, 0x139F), (0x2D80, 0x2DDF), (0xAB00, 0xAB2F)),
    "NotoSansKhmer": ((0x1780, 0x17FF), (0x19E0, 0x19FF)),
    # Hangul only: its Han would mix Korean forms into Chinese and Japanese text.
    "NanumGothic": ((0x1100, 0x11FF), (0x3130, 0x318F), (0xA960, 0xA97F), (0xAC00, 0xD7FF)),
}
# Han, Kana and the rest of CJK come from Droid Sans Fallback (4 MB).
SYMBOL_FALLBACKS = ("NotoSansMath", "NotoSansSymbols", "NotoSansSymbols2", "DroidSansFallbackFull")


def fallback_files(role: str, bold: bool, user: tuple[Path, ...] = ()) -> tuple[Path, ...]:
    """The fallback chain of a role's face: the user's faces first, then ours."""
    d = shipped("fonts")
    families = (
        (TEXT_FALLBACKS if role == "text" else HEADING_FALLBACKS)
        + tuple(SCRIPTS)
        + SYMBOL_FALLBACKS
    )
    files = []
    for family in families:
        bold_file = d / f"{family}-Bold.ttf"
        plain = d / f"{family}-Regular.ttf"
        files.append(
            bold_file
            if bold and bold_file.exists()
            else plain
            if plain.exists()
            else d / f"{family}.ttf"
        )
    return user + tuple(files)


def make_theme(settings: Settings) -> Theme:
    """The book's fonts (a FontBook of this build's own, made active) and styles."""
    fonts = FontBook()
    activate(fonts)
    text = settings.text_fonts or default_text_faces()
    heading = settings.heading_fonts or default_heading_faces()
    files = tuple(
        sorted(
            {
                p
                for fs in (text, heading)
                for p in (fs.regular, fs.italic, fs.bold, fs.bold_italic)
                if p
            }
            | {mono_face()}
        )
    )
    theme = Theme(
        settings,
        _faces(text, fonts),
        _faces(heading, fonts),
        files,
        fonts,
        settings.accent,
        # Text in print is solid black ink, never a screened tint whose dots fray small
        # letters; on screens a near-black reads softer.
        "#000000" if "x-4" in settings.standards else "#1a1a1a",
        "#6b6b6b",
    )
    for role, faces in (("text", theme.text), ("heading", theme.heading)):
        for face, name in faces.items():
            chain = fallback_files(role, face.startswith("bold"), settings.fallback_fonts)
            fonts.set_fallbacks(name, chain)
    for path in fallback_files("text", False) + fallback_files("text", True):
        if path.stem.split("-")[0] in SCRIPTS:
            fonts.restrict(path, SCRIPTS[path.stem.split("-")[0]])
    return theme


def _faces(faces: FaceSet, fonts: FontBook) -> dict[str, str]:
    regular = fonts.declare(faces.regular)
    bold = fonts.declare(faces.bold) if faces.bold else regular
    italic = fonts.declare(faces.italic) if faces.italic else regular
    bold_italic = fonts.declare(faces.bold_italic) if faces.bold_italic else bold
    return {
        "regular": regular,
        "italic": italic,
        "bold": bold,
        "bold_italic": bold_italic,
        "mono": fonts.declare(mono_face()),
    }
