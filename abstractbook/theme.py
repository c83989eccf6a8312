"""theme: book settings -> fonts registered with reportlab, text styles, page geometry.

Everything about the look of the book that is not content lives here, built
once per build: layout asks the theme for a style and a frame, never for a file.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import NamedTuple

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from .digests import file_digest
from .model import FaceSet, Settings
from .scripts import Fallback, set_fallbacks, set_loader

FACES = ("regular", "italic", "bold", "bold_italic", "mono")


def shipped(name: str) -> Path:
    """A folder installed with the package (`fonts`, `data`).

    A wheel carries them inside the package; a source checkout (editable
    install) has them beside it.
    """
    inside = Path(str(files("abstractbook"))) / name
    return inside if inside.is_dir() else Path(__file__).resolve().parent.parent / name


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


@cache
def register(path: Path) -> str:
    """Register a TrueType file once per process; returns its reportlab font name."""
    name = font_name(path)
    pdfmetrics.registerFont(TTFont(name, str(path)))
    _REGISTERED.add(name)
    return name


@cache
def font_name(path: Path) -> str:
    """A font's name in reportlab (and in the PDF): its file's stem for the faces we
    ship; for a user's file, the stem and a hash of its contents, so two different
    files never share a name and the name never depends on the order of loading."""
    if path.parent == shipped("fonts"):
        return path.stem
    return f"{path.stem}-{file_digest(path)[:8]}"


_KNOWN: dict[str, Path] = {}


def declare(path: Path) -> str:
    """A font's name, its file read only when something measures or embeds it (a
    rebuild that reuses every page's layout needs few faces, or none)."""
    name = font_name(path)
    _KNOWN[name] = path
    return name


def ensure_registered(name: str) -> None:
    """Register a declared font (or one that cached pages name) if not yet done."""
    if name not in _REGISTERED and name in _KNOWN:
        register(_KNOWN[name])


_REGISTERED: set[str] = set()
set_loader(ensure_registered)


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
# with a bold style use it for bold text. The CJK face (4 MB) is only loaded
# when a book has a character the others lack.
TEXT_FALLBACKS = ("NotoSerifHebrew", "NotoNaskhArabic", "NotoSerifArmenian", "NotoSerifGeorgian")
HEADING_FALLBACKS = ("NotoSansHebrew", "NotoSansArabic", "NotoSerifArmenian", "NotoSerifGeorgian")
SYMBOL_FALLBACKS = ("NotoSansMath", "NotoSansSymbols", "NotoSansSymbols2", "DroidSansFallbackFull")


def fallback_files(role: str, bold: bool, user: tuple[Path, ...] = ()) -> tuple[Path, ...]:
    """The fallback chain of a role's face: the user's faces first, then ours."""
    d = shipped("fonts")
    families = (TEXT_FALLBACKS if role == "text" else HEADING_FALLBACKS) + SYMBOL_FALLBACKS
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
    """Register the book's fonts (once per process) and fix its styles."""
    text = settings.text_fonts or default_text_faces()
    heading = settings.heading_fonts or default_heading_faces()
    theme = _make_theme(settings, text, heading)
    for role, faces in (("text", theme.text), ("heading", theme.heading)):
        for face, name in faces.items():
            chain = fallback_files(role, face.startswith("bold"), settings.fallback_fonts)
            set_fallbacks(name, tuple(_fallback(p) for p in chain))
            for path in chain:
                if path.exists():
                    _KNOWN.setdefault(font_name(path), path)
    return theme


@cache
def _fallback(path: Path) -> Fallback:
    return Fallback(str(path), lambda: register(path))


def _make_theme(settings: Settings, text: FaceSet, heading: FaceSet) -> Theme:
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
    return Theme(
        settings, _faces(text), _faces(heading), files, settings.accent, "#1a1a1a", "#6b6b6b"
    )


def _faces(faces: FaceSet) -> dict[str, str]:
    regular = declare(faces.regular)
    bold = declare(faces.bold) if faces.bold else regular
    italic = declare(faces.italic) if faces.italic else regular
    bold_italic = declare(faces.bold_italic) if faces.bold_italic else bold
    return {
        "regular": regular,
        "italic": italic,
        "bold": bold,
        "bold_italic": bold_italic,
        "mono": declare(mono_face()),
    }
