"""model: validated records -> a frozen `Book` in reading order.

Everything later stages need to know about the content lives here, free of any
typesetting library: talk order, sessions, affiliation numbers, index keys.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from pathlib import Path

from ..digests import digest
from ..errors import Problem, SourceLocation

MM = 72 / 25.4

# Particles that belong to a surname when they precede the last word of a name.
PARTICLES = frozenset(
    [
        "da",
        "das",
        "de",
        "del",
        "della",
        "der",
        "des",
        "di",
        "do",
        "dos",
        "du",
        "la",
        "le",
        "van",
        "von",
        "ter",
        "ten",
        "den",
        "zu",
        "y",
    ]
)

# A plain field's text and the book's language -> the text with real punctuation.
Refine = Callable[[str, str], str]


@dataclass(frozen=True)
class Author:
    name: str
    affiliations: tuple[str, ...] = ()
    presenting: bool = False
    family: str | None = None  # as given in the record; see `surname`
    location: SourceLocation | None = field(default=None, compare=False, repr=False)
    email: str | None = None
    corresponding: bool = False  # the e-mail is printed only for a corresponding author

    @property
    def surname(self) -> str:
        """The family name: given explicitly, else the last word with its particles."""
        return _name_parts(self.name, self.family)[0]

    @property
    def given(self) -> str:
        return _name_parts(self.name, self.family)[1]

    @property
    def index_name(self) -> str:
        """'Surname, Given names' as printed in the author index."""
        return f"{self.surname}, {self.given}" if self.given else self.surname


_PARENS = re.compile("[()（）]")
_LETTER = re.compile(r"[^\W\d_]")


def _is_cjk(word: str) -> bool:
    return any(
        "\u2e80" <= c <= "\u9fff" or "\uac00" <= c <= "\ud7af" or "\uf900" <= c <= "\ufaff"
        for c in word
    )


def native_form(name: str) -> tuple[str, str]:
    """("Yao Wei", "(魏銘廷)") for "Yao Wei (魏銘廷)", or for "Yao Wei 魏銘廷" ("Yao Wei",
    "魏銘廷"): the Latin name indexes, the native form is kept beside the given names."""
    stripped = name.strip()
    if stripped.endswith((")", "）")):  # found by position: a regular expression that
        # backtracks took minutes over a 40 KB name
        at = max(stripped.rfind("("), stripped.rfind("（"))
        latin = stripped[:at].strip()
        if at >= 0 and not _PARENS.search(stripped[at + 1 : -1]) and _LETTER.search(latin):
            return latin, stripped[at:]
    words = name.split()
    n = len(words)
    while n > 1 and _is_cjk(words[n - 1]):
        n -= 1
    if n < len(words) and not _is_cjk(words[0]):
        return " ".join(words[:n]), " ".join(words[n:])
    return name, ""


@lru_cache(maxsize=1 << 16)
def _name_parts(name: str, family: str | None) -> tuple[str, str]:
    """(surname, given names) of a name, once per name: the indexes ask again and again."""
    latin, native = native_form(name) if not family else (name, "")
    if native:
        surname, given = _name_parts(latin, None)
        return surname, f"{given} {native}".strip()
    if family:
        surname = family
    else:
        words = name.split()
        if len(words) <= 1:
            surname = name.strip()
        else:
            start = len(words) - 1
            while start > 1 and words[start - 1].lower() in PARTICLES:
                start -= 1
            surname = " ".join(words[start:])
    full = name.strip()
    if surname and full.endswith(surname):
        return surname, full[: -len(surname)].strip()
    return surname, " ".join(w for w in full.split() if w not in surname.split())


BITMAP_DPI = 300  # a bitmap figure is never enlarged beyond this resolution
LOW_DPI = 150  # below this at print size, `check` warns


@dataclass(frozen=True)
class FigureFile:
    """A figure's file, checked when the project is read: what the layout needs (its
    size) and what says whether it changed (its digest)."""

    source: str  # as written in the body: figures/f.pdf#page=2
    path: Path  # resolved, inside the project
    kind: str  # png | jpeg | svg | pdf
    page: int  # of a PDF, from 1; 0 for other kinds
    width: float  # natural size: pixels for bitmaps, points for drawings
    height: float
    digest: str  # sha256 of the file
    scale: float | None = None  # `{width=60%}`: the part of the column it takes
    # where the body names it, for problems found later ("body: figure 2, 'f.svg'")
    label: str = field(default="", compare=False, repr=False)
    location: SourceLocation | None = field(default=None, compare=False, repr=False)

    @property
    def bitmap(self) -> bool:
        return self.kind in ("png", "jpeg")

    def size(self, column: float, max_height: float) -> tuple[float, float]:
        """Printed width and height in points: the requested part of the column, else
        its natural size (a bitmap's at 300 dpi) no wider than the column; never
        taller than `max_height`."""
        natural = self.width * 72 / BITMAP_DPI if self.bitmap else self.width
        w = column * self.scale if self.scale else min(column, natural)
        h = w * self.height / self.width
        if h > max_height:
            w, h = w * max_height / h, max_height
        return w, h


@dataclass(frozen=True)
class Talk:
    id: str
    title: str
    authors: tuple[Author, ...]
    body: str | None = None  # Markdown source
    notes: str | None = None  # Markdown source
    keywords: tuple[str, ...] = ()
    type: str = "talk"
    board: str | None = None
    source: SourceLocation | None = field(default=None, compare=False, repr=False)
    references: tuple[str, ...] = ()  # each plain text with inline Markdown
    figures: tuple[FigureFile, ...] = ()  # the body's and notes' images, in reading order

    @property
    def heading(self) -> str:
        """The title as printed: a poster's board number goes in front."""
        return f"{self.board} · {self.title}" if self.board else self.title

    @property
    def presenters(self) -> tuple[Author, ...]:
        marked = tuple(a for a in self.authors if a.presenting)
        return marked or self.authors[:1]

    @property
    def speaker(self) -> str:
        return ", ".join(a.name for a in self.presenters)

    @property
    def contacts(self) -> tuple[Author, ...]:
        """The corresponding authors whose e-mail the book prints."""
        return tuple(a for a in self.authors if a.corresponding and a.email)

    @property
    def affiliations(self) -> tuple[str, ...]:
        """Distinct affiliations in order of first appearance."""
        seen: dict[str, None] = {}
        for author in self.authors:
            for aff in author.affiliations:
                seen.setdefault(aff, None)
        return tuple(seen)

    # cached_property keeps its value in the instance's own dictionary, which a frozen
    # dataclass allows and pickle keeps: a record remembered by the input cache comes
    # back with its hashes made (see `schema.RecordMemo`).
    @cached_property
    def field_hashes(self) -> dict[str, str]:
        """A hash per field of the record, so a change report can say what changed."""
        # Keys added later count only when set, so older manifests compare as they did.
        authors = [
            (a.name, a.affiliations, a.presenting, a.family)
            + ((a.email, a.corresponding) if a.email or a.corresponding else ())
            for a in self.authors
        ]
        body: object = self.body
        if self.references or self.figures:  # figures: by their files' paths and content
            figures = [(f.path, f.digest, f.scale, f.page) for f in self.figures]
            body = (self.body, self.references, *([figures] if figures else []))
        return {
            "title": digest(self.title),
            "authors": digest(repr(authors)),
            "body": digest(repr(body)),
            "notes": digest(repr(self.notes)),
            "meta": digest(repr((self.keywords, self.type, self.board))),
        }

    @cached_property
    def content_hash(self) -> str:
        """The record's hash: what the rebuild cache and the manifest name it by."""
        return digest(repr((self.id, sorted(self.field_hashes.items()))))

    def affiliation_order(self) -> dict[str, int]:
        """Each distinct affiliation's number, from 1."""
        return {aff: i + 1 for i, aff in enumerate(self.affiliations)}

    def affiliation_numbers(
        self, author: Author, order: dict[str, int] | None = None
    ) -> tuple[int, ...]:
        """`order`: `affiliation_order()` made once for all authors (they can be thousands)."""
        order = order if order is not None else self.affiliation_order()
        return tuple(order[a] for a in author.affiliations)


@dataclass(frozen=True)
class ProgramSlot:
    """A talk's place in a session of program.yaml."""

    talk_id: str
    start: str | None = None  # "HH:MM"
    duration: int | None = None  # minutes
    location: SourceLocation | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Session:
    id: str
    title: str
    slots: tuple[ProgramSlot, ...]
    start: str | None = None
    room: str | None = None  # ALL_ROOMS: a break or plenary across every room
    chair: str | None = None
    location: SourceLocation | None = field(default=None, compare=False, repr=False)
    end: str | None = None  # "HH:MM"; else from the talks' durations


ALL_ROOMS = "all"


@dataclass(frozen=True)
class Day:
    date: dt.date
    sessions: tuple[Session, ...]


@dataclass(frozen=True)
class Program:
    days: tuple[Day, ...]
    rooms: tuple[str, ...] = ()  # the timetable's column order, when given


@dataclass(frozen=True)
class FaceSet:
    """Font files of one family; missing styles fall back to `regular`."""

    regular: Path
    italic: Path | None = None
    bold: Path | None = None
    bold_italic: Path | None = None


@dataclass(frozen=True)
class PageSettings:
    width: float = 148 * MM  # points
    height: float = 210 * MM
    inner: float = 18 * MM
    outer: float = 14 * MM
    top: float = 16 * MM
    bottom: float = 18 * MM
    bleed: float = 0.0
    crop_marks: bool = False
    pad_to: int = 1


PROGRAM_PAGE = PageSettings(
    width=105 * MM,
    height=148 * MM,
    inner=12 * MM,
    outer=9 * MM,
    top=12 * MM,
    bottom=11 * MM,
    pad_to=4,
)
"""A6, mirrored margins, padded to a multiple of 4 pages (a saddle-stitched booklet)."""


@dataclass(frozen=True)
class Settings:
    title: str
    subtitle: str | None = None
    date_start: dt.date | None = None
    date_end: dt.date | None = None
    venue: str | None = None
    organisers: tuple[str, ...] = ()
    logo: Path | None = None
    order: str | None = None  # program | title | speaker | id; None: the default rule
    page: PageSettings = PageSettings()
    abstract_start: str = "flow"  # flow | page | odd-page
    session_start: str = "flow"  # flow | page | odd-page: the body's session headings
    keep_together: bool = False  # an abstract shorter than a page is never split
    hyphenate: bool = True
    language: str = "en"
    smart_punctuation: bool = True  # dashes, ellipses and quotes as the language sets them
    protrusion: bool = True  # punctuation at a justified line's edge hangs out
    expansion: bool = True  # a justified line's glyphs widen or narrow by up to 2 %
    text_fonts: FaceSet | None = None  # None: the faces shipped in fonts/
    heading_fonts: FaceSet | None = None
    fallback_fonts: tuple[Path, ...] = ()
    accent: str = "#1f4e79"  # "#rrggbb", or "cmyk(c,m,y,k)" in percent
    # The PDF standards the book is written to (`pdf.standard`, `--standard`); per-talk
    # files are written to `talk_standards`, which export puts in `standards`. Render
    # reads `standards` alone: "ua-1" in it asks for a tagged file.
    standards: tuple[str, ...] = ("x-4",)
    talk_standards: tuple[str, ...] = ("a-2u", "ua-1")
    front_matter: tuple[str, ...] = ("title_page", "toc", "program")
    back_matter: tuple[str, ...] = ("author_index",)
    program_page: PageSettings = PROGRAM_PAGE  # the pocket programme (`program.page`)


@dataclass(frozen=True)
class Project:
    """What `validate` hands on: settings, records in file-name order, programme."""

    root: Path
    settings: Settings
    talks: tuple[Talk, ...]
    program: Program | None = None
    warnings: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class TalkSlot:
    """One time a talk is given: a talk held twice (a workshop on two days) has two."""

    day: dt.date | None
    session: Session | None
    start: str | None = None  # "HH:MM"
    duration: int | None = None  # minutes
    room: str | None = None
    section: int = 0  # index into Book.sections: the heading it is listed under
    order: int = 0  # its place among its session's talks

    @property
    def content(self) -> tuple[object, ...]:
        """What a page showing this slot draws from it, free of any file's path."""
        session = self.session
        title = (session.id, session.title, session.start, session.chair) if session else None
        return (self.day, title, self.start, self.duration, self.room)


@dataclass(frozen=True)
class Entry:
    """One talk in the book, printed once, with every slot the programme gives it."""

    talk: Talk
    section: int  # index into Book.sections: where its abstract is printed
    slots: tuple[TalkSlot, ...] = ()

    @property
    def start(self) -> str | None:
        return self.slots[0].start if self.slots else None

    @property
    def duration(self) -> int | None:
        return self.slots[0].duration if self.slots else None


@dataclass(frozen=True)
class Listing:
    """A talk as a session lists it (contents, programme): once per slot."""

    entry: Entry
    slot: TalkSlot | None

    @property
    def talk(self) -> Talk:
        return self.entry.talk

    @property
    def start(self) -> str | None:
        return self.slot.start if self.slot else None

    @property
    def duration(self) -> int | None:
        return self.slot.duration if self.slot else None


@dataclass(frozen=True)
class Section:
    """A heading the TOC groups talks under: a session of a day, or nothing."""

    title: str | None
    day: dt.date | None = None
    session: Session | None = None


@dataclass(frozen=True)
class Book:
    settings: Settings
    root: Path
    sections: tuple[Section, ...]
    entries: tuple[Entry, ...]
    program: Program | None
    warnings: tuple[Problem, ...] = ()

    # The records as typed, where real punctuation changed what is printed: the
    # manifest hashes what the organiser wrote.
    typed: tuple[Talk, ...] = ()

    @property
    def talks(self) -> tuple[Talk, ...]:
        return tuple(e.talk for e in self.entries)

    def section_entries(self) -> list[list[Entry]]:
        """The entries printed under each section, in one pass."""
        out: list[list[Entry]] = [[] for _ in self.sections]
        for e in self.entries:
            out[e.section].append(e)
        return out

    def section_listings(self) -> list[list[Listing]]:
        """What each section lists in the contents and programme: every slot of every
        talk, so a talk given twice is listed under both sessions, in slot order."""
        out: list[list[Listing]] = [[] for _ in self.sections]
        for e in self.entries:
            if not e.slots:
                out[e.section].append(Listing(e, None))
            for slot in e.slots:
                out[slot.section].append(Listing(e, slot))
        for listings in out:
            listings.sort(key=lambda x: x.slot.order if x.slot else 0)
        return out


@lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """A sort key that ignores case and accents, letters without a decomposition included."""
    text = text.translate(_UNDECOMPOSABLE)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


_UNDECOMPOSABLE = str.maketrans(
    {
        "Ø": "O",
        "ø": "o",
        "Ł": "L",
        "ł": "l",
        "Đ": "D",
        "đ": "d",
        "ß": "ss",
        "Æ": "AE",
        "æ": "ae",
        "Œ": "OE",
        "œ": "oe",
        "Þ": "Th",
        "þ": "th",
        "ı": "i",
        "Ħ": "H",
        "ħ": "h",
    }
)


def surname_key(author: Author) -> tuple[str, str]:
    """Sort by surname without its particles ('de la Cruz' files under C), then given names."""
    return _surname_key(author.name, author.family)


@lru_cache(maxsize=1 << 16)
def _surname_key(name: str, family: str | None) -> tuple[str, str]:
    """`surname_key`, once per name (by its two strings: a whole author is slower to
    hash, and the indexes ask for thousands)."""
    surname, given = _name_parts(name, family)
    words = surname.split()
    while len(words) > 1 and words[0].lower() in PARTICLES:
        words = words[1:]
    return (fold(" ".join(words)), fold(given))


def assemble(project: Project, refine: Refine | None = None) -> Book:
    """Put the talks in book order and attach their sessions and times; titles, names
    and affiliations with real punctuation unless the settings turn it off (by
    `refine`, which may remember an earlier build's answers; `typography.refine` by
    default)."""
    settings, talks = project.settings, project.talks
    typed, program = talks, project.program
    if settings.smart_punctuation:
        from .typography import refine as plain

        refined = refine or plain
        talks = tuple(_punctuated(t, settings.language, refined) for t in talks)
        settings = _punctuated_settings(settings, refined)
        program = _punctuated_program(program, settings.language, refined)
    order = settings.order or ("program" if program else "file")
    by_id = {t.id: t for t in talks}
    sections: list[Section] = []
    entries: list[Entry] = []
    if order == "program" and program:
        slots = _program_slots(program, sections)
        placed = [tid for tid in slots if tid in by_id]
        entries += [Entry(by_id[tid], slots[tid][0].section, tuple(slots[tid])) for tid in placed]
        rest = [t for t in talks if t.id not in slots]
        if rest:
            sections.append(Section("Other abstracts"))
            entries += [Entry(t, len(sections) - 1) for t in rest]
    else:
        sections.append(Section(None))
        ordered = sorted(talks, key=_sort_key(order)) if order != "file" else list(talks)
        entries = [Entry(t, 0) for t in ordered]
    return Book(
        settings,
        project.root,
        tuple(sections),
        tuple(entries),
        program,
        project.warnings,
        typed if talks is not typed else (),
    )


def _punctuated(talk: Talk, language: str, refine: Refine) -> Talk:
    """A talk's plain fields with real punctuation (bodies get theirs when parsed); the
    talk itself when that changes nothing (a copy of a frozen record costs more than
    the check)."""
    authors = []
    changed = False
    for a in talk.authors:
        name = refine(a.name, language)
        affiliations = tuple(refine(x, language) for x in a.affiliations)
        family = refine(a.family, language) if a.family else a.family
        if name != a.name or affiliations != a.affiliations or family != a.family:
            a = replace(a, name=name, affiliations=affiliations, family=family)
            changed = True
        authors.append(a)
    title = refine(talk.title, language)
    if title == talk.title and not changed:
        return talk
    return replace(talk, title=title, authors=tuple(authors))


def _punctuated_program(program: Program | None, language: str, refine: Refine) -> Program | None:
    """Session titles and chairs, by the same rule."""
    if program is None:
        return None
    days = tuple(
        replace(
            day,
            sessions=tuple(
                replace(
                    s,
                    title=refine(s.title, language),
                    chair=refine(s.chair, language) if s.chair else s.chair,
                )
                for s in day.sessions
            ),
        )
        for day in program.days
    )
    return replace(program, days=days)


def _punctuated_settings(s: Settings, refine: Refine) -> Settings:
    """The meeting's title, subtitle, venue and organisers, by the same rule."""

    def r(text: str | None) -> str | None:
        return refine(text, s.language) if text else text

    return replace(
        s,
        title=refine(s.title, s.language),
        subtitle=r(s.subtitle),
        venue=r(s.venue),
        organisers=tuple(refine(o, s.language) for o in s.organisers),
    )


def _program_slots(program: Program, sections: list[Section]) -> dict[str, list[TalkSlot]]:
    """Each talk's slots in programme order (a section per session); the first slot
    decides where its abstract is printed."""
    found: dict[str, list[TalkSlot]] = {}
    for day in program.days:
        for session in day.sessions:
            sections.append(Section(session.title, day.date, session))
            times = zip(session.slots, _slot_times(session), strict=True)
            date, last = day.date, _minutes(session.start)
            for n, (slot, start) in enumerate(times):
                now = _minutes(start)
                if now is not None and last is not None and last - now > 12 * 60:
                    date += dt.timedelta(days=1)  # a night session past midnight
                last = now if now is not None else last
                found.setdefault(slot.talk_id, []).append(
                    TalkSlot(
                        date, session, start, slot.duration, session.room, len(sections) - 1, n
                    )
                )
    return found


def _sort_key(order: str):  # type: ignore[no-untyped-def]
    if order == "title":
        return lambda t: (fold(t.title), t.id)
    if order == "speaker":
        return lambda t: (surname_key(t.presenters[0]), t.id)
    return lambda t: natural_key(t.id)


def natural_key(text: str) -> tuple[str | int, ...]:
    """Numbers in `text` compare as numbers: 13 before 100, 'p2' before 'p10'."""
    parts = re.split(r"(\d+)", text)
    return tuple(int(p) if i % 2 else p for i, p in enumerate(parts))


def _slot_times(session: Session) -> list[str | None]:
    """Each slot's start: given, else the previous start plus its duration."""
    times: list[str | None] = []
    clock = _minutes(session.start)
    for slot in session.slots:
        if slot.start:
            clock = _minutes(slot.start)
        times.append(_clock(clock))
        if clock is not None and slot.duration is not None:
            clock += slot.duration
        else:
            clock = None
    return times


def parallel_sessions(day: Day) -> frozenset[str]:
    """Ids of the day's sessions that overlap another one in time: their headings must
    name the room, or two "Security" sessions at 10:00 read as one."""
    spans = []
    for session in day.sessions:
        times = [
            (m, m + (slot.duration or 0))
            for slot, t in zip(session.slots, _slot_times(session), strict=True)
            if (m := _minutes(t)) is not None
        ]
        first = _minutes(session.start)
        if first is None and times:
            first = min(a for a, _ in times)
        if first is not None:
            spans.append((session.id, first, max([first + 1] + [b for _, b in times])))
    return frozenset(
        a
        for a, start_a, end_a in spans
        for b, start_b, end_b in spans
        if a != b and start_a < end_b and start_b < end_a
    )


def end_time(start: str, duration: int) -> str:
    """'HH:MM' plus minutes, on the clock (a talk past midnight wraps)."""
    total = (_minutes(start) or 0) + duration
    return f"{total // 60 % 24:02d}:{total % 60:02d}"


def _minutes(hhmm: str | None) -> int | None:
    if not hhmm:
        return None
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


def _clock(minutes: int | None) -> str | None:
    """Minutes since the day began -> "HH:MM" on the clock (past midnight it wraps)."""
    return None if minutes is None else f"{minutes // 60 % 24:02d}:{minutes % 60:02d}"
