"""fonts: font files -> the build's FontBook: names, loading, fallback chains, coverage.

A FontBook is made per build (by the theme) and is active while that build lays out
and renders (`with fonts.using():`), so what it knows never outlives the build it
served: `watch` sees a font file replaced in place, and a book whose fallbacks
change gets a new chain. What outlives it is keyed by content: a user's font is
named by its file's stem and a hash of its bytes, and the shaped words (`shaping`)
are remembered by those names.
"""

from __future__ import annotations

from contextvars import ContextVar
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from ..digests import file_digest

if TYPE_CHECKING:
    import uharfbuzz

SHY = "\u00ad"


def shipped(name: str) -> Path:
    """A folder installed with the package (`fonts`, `data`).

    A wheel carries them inside the package; a source checkout (editable
    install) has them beside it.
    """
    inside = Path(str(files("abstractbook"))) / name
    return inside if inside.is_dir() else Path(__file__).resolve().parents[2] / name


class Face(NamedTuple):
    """A font file as HarfBuzz reads it (shaping, coverage, advances)."""

    path: Path
    face: uharfbuzz.Face
    font: uharfbuzz.Font
    upem: int
    scale: float  # thousandths of an em per font unit


def read_face(path: Path) -> Face:
    import uharfbuzz as hb

    face = hb.Face(hb.Blob.from_file_path(str(path)))
    return Face(path, face, hb.Font(face), face.upem, 1000 / face.upem)


class FontBook:
    """The fonts of one build: each declared by name, read only when something
    measures or embeds it (a rebuild that reuses every page needs few faces, or
    none), and the faces tried for characters a font lacks."""

    def __init__(self) -> None:
        self.paths: dict[str, Path] = {}  # font name -> file
        self._digests: dict[Path, str] = {}
        self._chains: dict[str, tuple[Path, ...]] = {}  # font -> fallback files
        self._cmaps: dict[str, frozenset[int]] = {}
        self._face_of: dict[tuple[str, str], str | None] = {}
        self._faces: dict[str, Face] = {}
        self._ranges: dict[Path, tuple[tuple[int, int], ...]] = {}
        self._shipped = shipped("fonts")

    def digest(self, path: Path) -> str:
        """The sha256 of a file, read once per build."""
        known = self._digests.get(path)
        if known is None:
            known = self._digests[path] = file_digest(path)
        return known

    def name(self, path: Path) -> str:
        """A font's name in the book (and in the PDF): its file's stem for the faces we
        ship; for a user's file, the stem and a hash of its contents, so two different
        files — or one file before and after an edit — never share a name."""
        if path.parent == self._shipped:
            return path.stem
        return f"{path.stem}-{self.digest(path)[:8]}"

    def declare(self, path: Path) -> str:
        name = self.name(path)
        self.paths[name] = path
        return name

    def face(self, name: str) -> Face:
        """A declared font as HarfBuzz reads it, read once per build (a shipped face
        not declared yet, named by a cached page, is found by its name)."""
        face = self._faces.get(name)
        if face is None:
            path = self.paths.get(name)
            if path is None:
                path = self.paths[name] = self._shipped / f"{name}.ttf"
            face = self._faces[name] = read_face(path)
        return face

    def load(self, name: str) -> None:
        """Read a font now (before worker processes fork, say)."""
        if name in self.paths:
            self.face(name)

    def set_fallbacks(self, font: str, chain: tuple[Path, ...]) -> None:
        """The faces tried, in order, for characters `font` lacks."""
        self._chains[font] = chain
        for path in chain:
            if path.exists():
                self.paths.setdefault(self.name(path), path)

    def restrict(self, path: Path, ranges: tuple[tuple[int, int], ...]) -> None:
        """Use a fallback face only for characters in `ranges` (its script's blocks):
        a Korean face that also has Han does not mix its forms into Chinese text, and a
        character outside every range never makes the face be read."""
        self._ranges[path] = ranges

    def _serves(self, path: Path, code: int) -> bool:
        ranges = self._ranges.get(path)
        return ranges is None or any(lo <= code <= hi for lo, hi in ranges)

    def cmap(self, font: str) -> frozenset[int]:
        cmap = self._cmaps.get(font)
        if cmap is None:
            cmap = self._cmaps[font] = frozenset(self.face(font).face.unicodes)
        return cmap

    def face_for(self, ch: str, font: str) -> str | None:
        """The font that draws `ch`: `font` itself, else its first fallback that has it."""
        key = (ch, font)
        if key in self._face_of:
            return self._face_of[key]
        code = ord(ch)
        face: str | None = None
        if code in self.cmap(font) or ch in " \n" + SHY:
            face = font
        else:
            for path in self._chains.get(font, ()):
                if self._serves(path, code) and path.exists():
                    name = self.declare(path)
                    if code in self.cmap(name):
                        face = name
                        break
        self._face_of[key] = face
        return face


_CURRENT: ContextVar[FontBook | None] = ContextVar("abstractbook_fonts", default=None)


def activate(book: FontBook) -> None:
    """Make `book` the fonts that layout and rendering ask about: the theme of each
    build activates its own (worker processes inherit it when they fork)."""
    _CURRENT.set(book)


def current() -> FontBook:
    """The active build's fonts; before any theme is made, the shipped faces alone."""
    book = _CURRENT.get()
    if book is None:
        book = FontBook()
        _CURRENT.set(book)
    return book
