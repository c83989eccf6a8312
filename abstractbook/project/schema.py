"""validate: a project folder -> `model.Project`, or `InputError` listing every problem in it.

book.yaml, every abstract and program.yaml are all read and checked before
anything is refused, so an organiser fixes a whole batch of late changes in one
round instead of one error per run. Warnings travel on in `Project.warnings`.
"""

from __future__ import annotations

import os
import pickle
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple, TypeVar

from ..digests import digest
from ..errors import InputError, Level, Problem, SourceLocation, problem_order
from ..parallel import no_cycle_collection
from .consistency import check_spellings, check_titles
from .figures import resolve_figures
from .markup import CITATION, citations
from .markup import parse as parse_markdown
from .model import Author, Project, Settings, Talk, natural_key
from .schedule import read_program
from .settings import BookFile, nearby_file, read_book
from .sources import Node, YamlFile, parse, path_kind, read
from .values import Reader

T = TypeVar("T")

RECORD_KEYS = (
    "id",
    "title",
    "authors",
    "body",
    "notes",
    "keywords",
    "type",
    "board",
    "references",
)
AUTHOR_KEYS = ("name", "affiliations", "presenting", "family", "email", "corresponding")
TALK_TYPES = ("talk", "keynote", "poster")
RECORD_SUFFIXES = (".yaml", ".yml")
_ID = re.compile(r"[a-z0-9][a-z0-9-]*")
MAX_ID = 100
"""An id names its per-talk PDF: 100 characters leave room for the suffix and the
folders on every common file system (255 bytes a name; Windows' 260-character paths)."""
# Names Windows keeps for devices, whatever the suffix: `con.pdf` cannot be written there.
_DEVICES = {"con", "prn", "aux", "nul", *(f"{d}{n}" for d in ("com", "lpt") for n in range(1, 10))}
_EMAIL = re.compile(r"[^@\s<>()\[\],;:\"]+@[^@\s<>()\[\],;:\".]+(\.[^@\s<>()\[\],;:\".]+)+")


@dataclass(frozen=True)
class _Record:
    """A talk with the nodes its cross-record checks point at."""

    talk: Talk
    id_node: Node | None
    title_node: Node | None
    names: list[tuple[str, Node]]
    affiliations: list[tuple[str, Node]]
    texts: dict[str, Node]  # body and notes, for problems with their figures


class RecordMemo:
    """Each abstract file's records and problems, and book.yaml's and program.yaml's
    parsed nodes, by path and content, from an earlier build: a rebuild parses only
    the files that changed. What a file says depends on nothing else, so a
    remembered answer is the answer."""

    def __init__(
        self, known: dict[tuple[str, bool, str], bytes] | None = None, keep: bool = True
    ) -> None:
        self.known = known or {}  # pickled: a file's answer is read only when it is asked
        self.used: dict[tuple[str, bool, str], bytes] = {}
        self.keep = keep  # pickle what is read now, for a later build

    def records(self, reader: Reader, path: Path, single: bool) -> _FileRecords:
        data = read(path)
        if isinstance(data, YamlFile):
            return _read_records(reader, data, single)
        return self._remembered(
            (str(path), single),
            data,
            _FileRecords,
            lambda: _hashed(_read_records(reader, parse(data, path), single)),
        )

    def document(self, path: Path) -> YamlFile:
        """book.yaml or program.yaml, parsed (its nodes are read again each build)."""
        data = read(path)
        if isinstance(data, YamlFile):
            return data
        return self._remembered((f"yaml:{path}", False), data, YamlFile, lambda: parse(data, path))

    def _remembered(
        self, where: tuple[str, bool], data: bytes, kind: type[T], make: Callable[[], T]
    ) -> T:
        """What `make` answers for a file with these bytes, remembered across builds."""
        if not self.keep:
            return make()
        key = (*where, digest(data))
        packed = self.known.get(key)
        found = pickle.loads(packed) if packed is not None else None
        if packed is None or not isinstance(found, kind):
            found = make()
            packed = pickle.dumps(found, pickle.HIGHEST_PROTOCOL)
        self.used[key] = packed
        return found


class _FileRecords(NamedTuple):
    problems: tuple[Problem, ...]
    records: tuple[_Record, ...]
    readable: bool


def _hashed(found: _FileRecords) -> _FileRecords:
    """The records with their talks' content hashes made, to be remembered with them:
    a rebuild takes them from the cache with the records (hashing a thousand bodies
    again cost it as much as reading them)."""
    for record in found.records:
        _ = record.talk.content_hash
    return found


def _read_records(reader: Reader, document: YamlFile, single: bool) -> _FileRecords:
    before = len(reader.problems)
    reader.problems.extend(document.problems)
    records = _records(reader, document, single)
    problems = tuple(reader.problems[before:])
    del reader.problems[before:]
    return _FileRecords(problems, tuple(records), document.root is not None)


def validate(root: Path, memo: RecordMemo | None = None) -> Project:
    """Read and check the whole project at `root`; raise `InputError` if anything is wrong.

    With `memo`, files read by an earlier build and unchanged since are not parsed again.
    """
    with no_cycle_collection():
        return _validate(root, memo or RecordMemo(keep=False))


def _validate(root: Path, memo: RecordMemo) -> Project:
    reader = Reader()
    program_path = root / "program.yaml"
    has_program = path_kind(program_path) == "file"
    book = _book(reader, root, has_program, memo)
    abstracts = book.abstracts if book else root / "abstracts"
    records: list[_Record] = []
    unreadable: list[str] = []
    for path in _abstract_files(reader, root, book, abstracts):
        # one at a time: only the records outlive their file's nodes
        found = memo.records(reader, path, single=path == abstracts)
        reader.problems.extend(found.problems)
        if not found.readable:
            unreadable.append(path.stem)
        records.extend(found.records)
    talks = _unique(reader, records)
    if book is not None:
        _figures(reader, root, book.settings, records, talks)
    program = None
    if has_program:
        settings = book.settings if book else None
        node = _loaded(reader, program_path, memo)
        program = read_program(reader, node, talks, unreadable, settings) if node else None
    check_titles(
        reader,
        ((r.talk.id, r.talk.title, r.title_node) for r in records if r.title_node is not None),
    )
    check_spellings(
        reader, (a for r in records for a in r.affiliations), (n for r in records for n in r.names)
    )
    if book is None or any(p.level is Level.ERROR for p in reader.problems):
        raise InputError(reader.problems)
    warnings = sorted(reader.problems, key=problem_order)
    return Project(root, book.settings, tuple(talks.values()), program, tuple(warnings))


def _loaded(reader: Reader, path: Path, memo: RecordMemo) -> Node | None:
    document = memo.document(path)
    reader.problems.extend(document.problems)
    return document.root


def _book(reader: Reader, root: Path, has_program: bool, memo: RecordMemo) -> BookFile | None:
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
    node = _loaded(reader, path, memo)
    return read_book(reader, node, root, has_program) if node else None


def _abstract_files(
    reader: Reader, root: Path, book: BookFile | None, abstracts: Path
) -> list[Path]:
    """Every abstract file, in the natural order of its path's text (2.yaml before 10.yaml;
    never the file system's)."""
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
        reader.error(
            where or SourceLocation(root / "book.yaml"),
            f"abstracts: no file or folder {name}",
            nearby_file(abstracts, name),
        )
        files = []
    return files


def _record_files(reader: Reader, root: Path, folder: Path) -> list[Path]:
    """Every record file under `folder`, hidden files and folders left out. One scan
    of each folder (os.scandir knows a file from a folder without asking again)."""
    special = {root / "book.yaml", root / "program.yaml"}
    found: list[tuple[str, Path]] = []
    try:
        scan = _Scan(reader, special, found, root.resolve())
        scan.folder(folder, "", frozenset({folder.resolve()}))
    except OSError as exc:
        reader.error(SourceLocation(folder), f"cannot list the folder: {exc.strerror}")
        return []
    return [path for _, path in sorted(found, key=lambda f: (natural_key(f[0]), f[0]))]


@dataclass
class _Scan:
    """One walk of the abstracts folder. Symbolic links are followed: a loop is an
    error naming the link, a link leaving the project a warning (the project is
    then not complete without what it points at), a link to nothing a warning."""

    reader: Reader
    special: set[Path]
    found: list[tuple[str, Path]]
    project: Path  # resolved

    def folder(self, folder: Path, prefix: str, chain: frozenset[Path]) -> None:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                path, relative = folder / entry.name, prefix + entry.name
                is_record = os.path.splitext(entry.name)[1].lower() in RECORD_SUFFIXES
                if entry.is_symlink():
                    self.link(path, relative, is_record, chain)
                elif entry.is_dir(follow_symlinks=False):
                    self.folder(path, relative + "/", chain | {path.resolve()})
                elif is_record and entry.is_file() and path not in self.special:
                    self.found.append((relative, path))

    def link(self, path: Path, relative: str, is_record: bool, chain: frozenset[Path]) -> None:
        where = SourceLocation(path)
        try:
            target = path.resolve(strict=True)
        except FileNotFoundError:
            if is_record:
                self.reader.warn(where, "a symbolic link to a file that does not exist; skipped")
            return
        except (OSError, RuntimeError):  # ELOOP; Python 3.11 says RuntimeError
            self.reader.error(where, "a symbolic link loop: the link leads back to itself")
            return
        if any(folder.is_relative_to(target) for folder in chain):  # it holds the link
            self.reader.error(where, f"a symbolic link loop: the link leads back to {target}")
            return
        folder = target.is_dir()
        if not folder and not (is_record and target.is_file() and path not in self.special):
            return
        if not target.is_relative_to(self.project):
            self.reader.warn(
                where,
                f"a symbolic link out of the project, to {target}: read, but the project "
                "is not complete without it",
            )
        if folder:
            self.folder(path, relative + "/", chain | {target})
        else:
            self.found.append((relative, path))


def _records(reader: Reader, document: YamlFile, single: bool) -> list[_Record]:
    """The records of one file: a mapping, or (when book.yaml names the file) a list."""
    root = document.root
    if root is None:
        return []
    if isinstance(root.value, list) and single:
        return [r for item in root.value if (r := _record(reader, item)) is not None]
    if isinstance(root.value, list):
        reader.expected(
            root,
            "",
            "one abstract (a mapping)",
            "put each abstract in a file of its own, or name a single file "
            "holding a list in book.yaml's abstracts:",
        )
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
        reader.error(
            fields["id"],
            f"id '{talk_id}' may hold only lower-case letters, digits "
            "and '-', and cannot start with '-'",
            f"try '{slug}'" if slug else None,
        )
    elif talk_id is not None and len(talk_id) > MAX_ID:
        reader.error(
            fields["id"],
            f"id is {len(talk_id)} characters long, over the limit of {MAX_ID}: "
            "it names the talk's PDF file",
            f"try '{talk_id[:MAX_ID].rstrip('-')}'",
        )
    elif talk_id in _DEVICES:
        reader.error(
            fields["id"],
            f"id '{talk_id}' is a device name on Windows: its PDF file could not be written there",
            f"try '{talk_id}-talk'",
        )
    title = reader.text(fields.get("title"), "title", required=True)
    authors, names, affiliations = _authors(reader, fields.get("authors"))
    body_node = fields.get("body")
    body = reader.text(body_node, "body")
    if body is not None and not body.strip():
        body = None
    references = reader.located_texts(fields.get("references"), "references")
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
        references=tuple(text for text, _ in references),
    )
    _check_citations(reader, talk, body_node, references)
    if body is None and (body_node is None or not isinstance(body_node.value, (list, dict))):
        reader.warn(
            node, f"'{talk_id or '?'}' has no body", "the book prints 'Abstract to be announced'"
        )
    title_node = fields.get("title") if title is not None else None
    texts: dict[str, Node] = {k: fields[k] for k in ("body", "notes") if k in fields}
    return _Record(talk, fields.get("id"), title_node, names, affiliations, texts)


def _authors(
    reader: Reader, node: Node | None
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
        places = reader.located_texts(
            fields.get("affiliations"), f"{label}.affiliations", single=True
        )
        presenting = reader.flag(fields.get("presenting"), f"{label}.presenting")
        email = reader.text(fields.get("email"), f"{label}.email")
        corresponding = reader.flag(fields.get("corresponding"), f"{label}.corresponding")
        _check_email(reader, fields, label, email, bool(corresponding))
        family = reader.text(fields.get("family"), f"{label}.family", required=True)
        if name is None:
            continue
        names.append((name, fields["name"]))
        affiliations.extend(places)
        authors.append(
            Author(
                name,
                tuple(text for text, _ in places),
                bool(presenting),
                family,
                item.location,
                email.strip() if email else None,
                bool(corresponding),
            )
        )
    return authors, names, affiliations


def _check_email(
    reader: Reader, fields: dict[str, Node], label: str, email: str | None, corresponding: bool
) -> None:
    """An e-mail that is not an address, or a corresponding author without one."""
    if email is not None and not _EMAIL.fullmatch(email.strip()):
        reader.warn(fields["email"], f"{label}.email: '{email}' is not an e-mail address")
    if corresponding and email is None:
        reader.warn(
            fields["corresponding"],
            f"{label}: a corresponding author without an email",
            "add 'email:'; no address is printed",
        )


def _check_citations(
    reader: Reader, talk: Talk, body_node: Node | None, references: list[tuple[str, Node]]
) -> None:
    """Citations [n] without a reference n, and references the text never cites."""
    texts = [t for t in (talk.body, talk.notes) if t]
    if not references and not any(CITATION.search(t) for t in texts):
        return  # most records: nothing to parse
    cited = {n for t in texts for n in citations(parse_markdown(t))}
    missing = sorted(n for n in cited if n > len(references))
    if missing and body_node is not None:
        have = f"only {len(references)}" if references else "no"
        reader.warn(
            body_node,
            f"'{talk.id}' cites {', '.join(f'[{n}]' for n in missing)} but has {have} references",
        )
    uncited = [(n, node) for n, (_, node) in enumerate(references, start=1) if n not in cited]
    if uncited:  # one warning for the record, at the first of them
        numbers = ", ".join(f"[{n}]" for n, _ in uncited)
        some = "reference is" if len(uncited) == 1 else "references are"
        reader.warn(uncited[0][1], f"'{talk.id}': {some} never cited in the body: {numbers}")


def _figures(
    reader: Reader, root: Path, settings: Settings, records: list[_Record], talks: dict[str, Talk]
) -> None:
    """Talks with the figures their bodies name checked and measured (files are read
    every build: a figure can change while its record does not)."""
    for r in records:
        t = r.talk
        if talks.get(t.id) is t and ("![" in (t.body or "") or "![" in (t.notes or "")):
            talks[t.id] = resolve_figures(reader, t, r.texts, root, settings)


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
