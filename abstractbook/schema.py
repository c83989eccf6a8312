"""validate: a project folder -> `model.Project`, or `InputError` listing every problem in it.

book.yaml, every abstract and program.yaml are all read and checked before
anything is refused, so an organiser fixes a whole batch of late changes in one
round instead of one error per run. Warnings travel on in `Project.warnings`.
"""

from __future__ import annotations

import datetime as dt
import gc
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .consistency import check_spellings, check_titles
from .errors import InputError, Level, Problem, SourceLocation
from .model import Author, Day, Program, Project, Session, Settings, Slot, Talk
from .settings import BookFile, nearby_file, read_book
from .sources import Document, Node, load, path_kind
from .values import Reader, suggest

RECORD_KEYS = ("id", "title", "authors", "body", "notes", "keywords", "type", "board")
AUTHOR_KEYS = ("name", "affiliations", "presenting", "family")
TALK_TYPES = ("talk", "keynote", "poster")
PROGRAM_KEYS = ("days",)
DAY_KEYS = ("date", "sessions")
SESSION_KEYS = ("id", "title", "start", "room", "chair", "talks")
SLOT_KEYS = ("id", "start", "duration")
RECORD_SUFFIXES = (".yaml", ".yml")
_ID = re.compile(r"[a-z0-9][a-z0-9-]*")


@dataclass
class _Schedule:
    """What reading program.yaml keeps track of across days and sessions."""

    talks: dict[str, Talk]
    unreadable: list[str]  # stems of abstract files that could not be parsed
    placed: dict[str, Node] = field(default_factory=dict)
    sessions: dict[str, Node] = field(default_factory=dict)


@dataclass(frozen=True)
class _Record:
    """A talk with the nodes its cross-record checks point at."""

    talk: Talk
    id_node: Node | None
    title_node: Node | None
    names: list[tuple[str, Node]]
    affiliations: list[tuple[str, Node]]


def validate(root: Path) -> Project:
    """Read and check the whole project at `root`; raise `InputError` if anything is wrong."""
    with _collector_paused():
        return _validate(root)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Loading makes many short-lived containers while the records pile up; the cyclic
    collector would rescan those survivors again and again (a third of the time at
    10,000 abstracts) looking for cycles this code never makes."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _validate(root: Path) -> Project:
    reader = Reader()
    program_path = root / "program.yaml"
    has_program = path_kind(program_path) == "file"
    book = _book(reader, root, has_program)
    abstracts = book.abstracts if book else root / "abstracts"
    records: list[_Record] = []
    unreadable: list[str] = []
    for path in _abstract_files(reader, root, book, abstracts):
        document = load(path)  # one at a time: only the records outlive their file's nodes
        reader.problems.extend(document.problems)
        if document.root is None:
            unreadable.append(path.stem)
        records.extend(_records(reader, document, single=path == abstracts))
    talks = _unique(reader, records)
    program = None
    if has_program:
        schedule = _Schedule(talks, unreadable)
        settings = book.settings if book else None
        program = _program(reader, _loaded(reader, program_path), schedule, settings)
    check_titles(reader, ((r.talk.id, r.talk.title, r.title_node) for r in records
                          if r.title_node is not None))
    check_spellings(reader, (a for r in records for a in r.affiliations),
                    (n for r in records for n in r.names))
    if book is None or any(p.level is Level.ERROR for p in reader.problems):
        raise InputError(reader.problems)
    warnings = sorted(reader.problems, key=_order)
    return Project(root, book.settings, tuple(talks.values()), program, tuple(warnings))


def _order(problem: Problem) -> tuple[str, int, int, str]:
    where = problem.location or SourceLocation(Path(""))
    return (str(where.path), where.line, where.column, problem.message)


def _loaded(reader: Reader, path: Path) -> Node | None:
    document = load(path)
    reader.problems.extend(document.problems)
    return document.root


def _book(reader: Reader, root: Path, has_program: bool) -> BookFile | None:
    path = root / "book.yaml"
    if path_kind(path) != "file":
        where = SourceLocation(path)
        if path_kind(root) != "folder":
            reader.error(where, f"no project folder at {root}")
        elif path_kind(root / "book.yml") == "file":
            reader.error(where, "book.yaml not found", "rename book.yml to book.yaml")
        else:
            reader.error(where, "book.yaml not found: every book project needs one")
        return None
    node = _loaded(reader, path)
    return read_book(reader, node, root, has_program) if node else None


def _abstract_files(reader: Reader, root: Path, book: BookFile | None,
                    abstracts: Path) -> list[Path]:
    """Every abstract file, in the order of its path's text (never the file system's)."""
    kind = path_kind(abstracts)
    if kind == "file":
        files = [abstracts]
    elif kind == "folder":
        files = _record_files(reader, root, abstracts)
        if not files:
            reader.warn(SourceLocation(abstracts), "no abstract files (.yaml) in this folder")
    elif book is None:  # book.yaml is missing or broken: that is the problem to report
        files = []
    else:
        where = book.abstracts_node
        name = where.text if where else "abstracts/"
        reader.error(where or SourceLocation(root / "book.yaml"),
                     f"abstracts: no file or folder {name}", nearby_file(abstracts, name))
        files = []
    return files


def _record_files(reader: Reader, root: Path, folder: Path) -> list[Path]:
    special = {root / "book.yaml", root / "program.yaml"}
    try:
        found = [path for path in folder.rglob("*")
                 if path.suffix.lower() in RECORD_SUFFIXES and path not in special
                 and not _hidden(path.relative_to(folder)) and path_kind(path) == "file"]
    except OSError as exc:
        reader.error(SourceLocation(folder), f"cannot list the folder: {exc.strerror}")
        return []
    return sorted(found, key=lambda path: path.relative_to(folder).as_posix())


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)


def _records(reader: Reader, document: Document, single: bool) -> list[_Record]:
    """The records of one file: a mapping, or (when book.yaml names the file) a list."""
    root = document.root
    if root is None:
        return []
    if isinstance(root.value, list) and single:
        return [r for item in root.value if (r := _record(reader, item)) is not None]
    if isinstance(root.value, list):
        reader.expected(root, "", "one abstract (a mapping)",
                        "put each abstract in a file of its own, or name a single file "
                        "holding a list in book.yaml's abstracts:")
        return []
    record = _record(reader, root)
    return [record] if record else []


def _record(reader: Reader, node: Node) -> _Record | None:
    fields = reader.fields(node, "", RECORD_KEYS, required=("id", "title", "authors"))
    if fields is None:
        return None
    talk_id = reader.text(fields.get("id"), "id", required=True)
    if talk_id is not None and not _ID.fullmatch(talk_id):
        slug = re.sub(r"[^a-z0-9]+", "-", talk_id.lower()).strip("-")
        reader.error(fields["id"], f"id '{talk_id}' may hold only lower-case letters, digits "
                                   "and '-', and cannot start with '-'",
                     f"try '{slug}'" if slug else None)
    title = reader.text(fields.get("title"), "title", required=True)
    authors, names, affiliations = _authors(reader, fields.get("authors"))
    body_node = fields.get("body")
    body = reader.text(body_node, "body")
    if body is not None and not body.strip():
        body = None
    talk = Talk(
        id=talk_id or "",
        title=title or "",
        authors=tuple(authors),
        body=body,
        notes=reader.text(fields.get("notes"), "notes") or None,
        keywords=reader.texts(fields.get("keywords"), "keywords"),
        type=reader.choice(fields.get("type"), "type", TALK_TYPES) or "talk",
        board=reader.text(fields.get("board"), "board") or None,
        source=node.location,
    )
    if body is None and (body_node is None or not isinstance(body_node.value, (list, dict))):
        reader.warn(node, f"'{talk_id or '?'}' has no body",
                    "the book prints 'Abstract to be announced'")
    title_node = fields.get("title") if title is not None else None
    return _Record(talk, fields.get("id"), title_node, names, affiliations)


def _authors(reader: Reader, node: Node | None
             ) -> tuple[list[Author], list[tuple[str, Node]], list[tuple[str, Node]]]:
    """The authors in printed order, with the nodes of their names and affiliations."""
    authors: list[Author] = []
    names: list[tuple[str, Node]] = []
    affiliations: list[tuple[str, Node]] = []
    items = reader.items(node, "authors", "start each author with '- name:'")
    if node is not None and not items and isinstance(node.value, (list, type(None))):
        reader.error(node, "authors: at least one author is needed")
    for i, item in enumerate(items, 1):
        label = f"authors[{i}]"
        if isinstance(item.value, str):
            reader.expected(item, label, "a mapping", f"write '- name: {item.text}'")
            continue
        fields = reader.fields(item, label, AUTHOR_KEYS, required=("name",))
        if fields is None:
            continue
        name = reader.text(fields.get("name"), f"{label}.name", required=True)
        places = reader.located_texts(fields.get("affiliations"), f"{label}.affiliations",
                                      single=True)
        presenting = reader.flag(fields.get("presenting"), f"{label}.presenting")
        family = reader.text(fields.get("family"), f"{label}.family", required=True)
        if name is None:
            continue
        names.append((name, fields["name"]))
        affiliations.extend(places)
        authors.append(Author(name, tuple(text for text, _ in places), bool(presenting),
                              family, item.location))
    return authors, names, affiliations


def _unique(reader: Reader, records: list[_Record]) -> dict[str, Talk]:
    """Talks by id; a second record with an id already used is an error naming the first."""
    talks: dict[str, Talk] = {}
    first: dict[str, Node] = {}
    for record in records:
        talk, node = record.talk, record.id_node
        if not talk.id or node is None:
            continue
        if talk.id in talks:
            reader.error(node, f"duplicate id '{talk.id}': also used in {first[talk.id].location}")
            continue
        talks[talk.id], first[talk.id] = talk, node
    return talks


def _program(reader: Reader, node: Node | None, schedule: _Schedule,
             settings: Settings | None) -> Program | None:
    """program.yaml: days of sessions naming talk ids that must exist, each at most once."""
    if node is None:
        return None
    fields = reader.fields(node, "", PROGRAM_KEYS, required=("days",))
    if fields is None:
        return None
    days: list[Day] = []
    for i, day_node in enumerate(reader.items(fields.get("days"), "days"), 1):
        label = f"days[{i}]"
        day = reader.fields(day_node, label, DAY_KEYS, required=("date",))
        if day is None:
            continue
        date = reader.date(day.get("date"), f"{label}.date")
        if date is not None:
            _check_day(reader, day["date"], date, settings)
        found = [s for j, s_node in enumerate(reader.items(day.get("sessions"),
                                                           f"{label}.sessions"), 1)
                 if (s := _session(reader, s_node, f"{label}.sessions[{j}]", schedule))
                 is not None]
        if date is not None:
            days.append(Day(date, tuple(found)))
    for talk in schedule.talks.values():
        if talk.id not in schedule.placed:
            reader.warn(talk.source or SourceLocation(Path("")),
                        f"'{talk.id}' is in no session of program.yaml",
                        "it goes under Other abstracts")
    return Program(tuple(days))


def _check_day(reader: Reader, node: Node, date: dt.date, settings: Settings | None) -> None:
    if settings is None or settings.date_start is None:
        return
    end = settings.date_end or settings.date_start
    if settings.date_start <= end and not settings.date_start <= date <= end:
        reader.warn(node, f"{date} is outside the meeting's dates in book.yaml "
                          f"({settings.date_start} to {end})")


def _session(reader: Reader, node: Node, label: str, schedule: _Schedule) -> Session | None:
    fields = reader.fields(node, label, SESSION_KEYS, required=("id", "title"))
    if fields is None:
        return None
    session_id = reader.text(fields.get("id"), f"{label}.id", required=True)
    sessions = schedule.sessions
    if session_id is not None and session_id in sessions:
        reader.error(fields["id"], f"duplicate session id '{session_id}' (first at line "
                                   f"{sessions[session_id].location.line})")
    elif session_id is not None:
        sessions[session_id] = fields["id"]
    slots = [slot for i, item in enumerate(reader.items(fields.get("talks"), f"{label}.talks"), 1)
             if (slot := _slot(reader, item, f"{label}.talks[{i}]", schedule))]
    return Session(
        id=session_id or "",
        title=reader.text(fields.get("title"), f"{label}.title", required=True) or "",
        slots=tuple(slots),
        start=reader.clock(fields.get("start"), f"{label}.start"),
        room=reader.text(fields.get("room"), f"{label}.room"),
        chair=reader.text(fields.get("chair"), f"{label}.chair"),
        location=node.location,
    )


def _slot(reader: Reader, node: Node, label: str, schedule: _Schedule) -> Slot | None:
    """One talk of a session: its id alone, or {id, start, duration}."""
    if isinstance(node.value, dict):
        fields = reader.fields(node, label, SLOT_KEYS, required=("id",)) or {}
        id_node = fields.get("id")
        start = reader.clock(fields.get("start"), f"{label}.start")
        duration = reader.count(fields.get("duration"), f"{label}.duration")
    else:
        id_node, start, duration = node, None, None
    talk_id = reader.text(id_node, f"{label}" if id_node is node else f"{label}.id",
                          required=True)
    if talk_id is None or id_node is None:
        return None
    placed = schedule.placed
    if talk_id not in schedule.talks:
        # An abstract whose file would not parse may well be this one: say nothing more.
        named = re.compile(rf"(.*[-_ .])?{re.escape(talk_id)}")
        if not any(named.fullmatch(stem) for stem in schedule.unreadable):
            reader.error(id_node, f"no abstract has id '{talk_id}'",
                         suggest(talk_id, schedule.talks))
        return None
    if talk_id in placed:
        reader.error(id_node, f"'{talk_id}' is already in the programme (line "
                              f"{placed[talk_id].location.line})")
        return None
    placed[talk_id] = id_node
    return Slot(talk_id, start, duration, node.location)
