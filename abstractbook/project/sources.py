"""load: a YAML file's bytes -> a `Node` tree that remembers where every key and value was.

PyYAML's own constructor throws positions away and silently keeps the last of two
equal keys, so we compose the node graph (libyaml when available) and convert it
ourselves: every value keeps its line:column and its source text, duplicate keys,
alias bombs and recursive aliases are caught, and nothing here ever raises on bad
input -- problems come back in the `YamlFile`.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple, TypeAlias, cast

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from ..errors import Problem, SourceLocation, error

MAX_FILE_BYTES = 2 * 1024 * 1024
"""An input file larger than this is refused: no abstract needs 2 MB of text."""

MAX_ALIAS_NODES = 100_000
"""How many nodes YAML aliases may add by repetition ("billion laughs" stops here)."""

MAX_DEPTH = 64
"""Deeper nesting than this is never a book project (libyaml stops at 1000 anyway)."""

_LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_CONSTRUCT = SafeConstructor()
_TAG = "tag:yaml.org,2002:"
_STR, _NULL, _MERGE = _TAG + "str", _TAG + "null", _TAG + "merge"
_SCALARS = {
    _TAG + "int": _CONSTRUCT.construct_yaml_int,
    _TAG + "float": _CONSTRUCT.construct_yaml_float,
    _TAG + "bool": _CONSTRUCT.construct_yaml_bool,
    _TAG + "timestamp": _CONSTRUCT.construct_yaml_timestamp,
}
# What a double-quoted escape may produce but no text should hold: Unicode's Cc
# category but tab and newline, and lone surrogates (which cannot be encoded).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
# Characters YAML refuses in a stream (its "printable" set, inverted).
_NOT_PRINTABLE = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

Value: TypeAlias = (
    None | bool | int | float | str | dt.date | dt.datetime | list["Node"] | dict[str, "Node"]
)


class Node(NamedTuple):
    """A YAML value with its place in the file (a tuple: there are many, and they never change).

    `text` is the scalar as written (escapes resolved): YAML 1.1 reads `start: 9:00`
    as the number 540 and `title: 1984` as an int, and fields that want text read
    this instead. `keys` says where (line, column) each key of a mapping is written.
    """

    value: Value
    path: Path
    line: int
    column: int
    text: str = ""
    keys: dict[str, tuple[int, int]] | None = None

    @property
    def location(self) -> SourceLocation:
        return SourceLocation(self.path, self.line, self.column)

    def key_location(self, key: str) -> SourceLocation:
        """Where `key` of this mapping is written (the mapping's start if unknown)."""
        line, column = (self.keys or {}).get(key, (self.line, self.column))
        return SourceLocation(self.path, line, column)

    @property
    def kind(self) -> str:
        """What a reader would call the value, for messages like 'found a list'."""
        return describe(self.value)


def describe(value: Value) -> str:
    """A value's kind in a user's words: they wrote YAML, not Python types."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, dt.datetime):
        return "a date and time"
    if isinstance(value, dt.date):
        return "a date"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    return "a mapping"


@dataclass(frozen=True)
class YamlFile:
    """One file as loaded: `root` is None when it could not be read at all."""

    path: Path
    root: Node | None
    problems: tuple[Problem, ...] = ()


def path_kind(path: Path) -> str | None:
    """'file', 'folder' or None; a name the system refuses (too long, say) is simply absent."""
    try:
        if path.is_file():
            return "file"
        return "folder" if path.is_dir() else None
    except (OSError, ValueError):
        return None


def load(path: Path) -> YamlFile:
    """Read and parse one YAML file; every problem is returned, none raised."""
    data = read(path)
    return data if isinstance(data, YamlFile) else parse(data, path)


def read(path: Path) -> bytes | YamlFile:
    """A file's bytes, or the YamlFile saying why it cannot be read."""
    try:
        with open(path, "rb") as stream:
            size = os.fstat(stream.fileno()).st_size
            if size > MAX_FILE_BYTES:
                return _failed(path, SourceLocation(path, 1, 1), _too_big(size))
            # read() as much as the size says, then to the end: a size found by read(n)
            # would allocate n bytes for every small file.
            data = stream.read(size) + stream.read()
            if len(data) > MAX_FILE_BYTES:  # it grew meanwhile
                return _failed(path, SourceLocation(path, 1, 1), _too_big(len(data)))
    except OSError as exc:
        return _failed(path, SourceLocation(path, 1, 1), f"cannot read the file: {exc.strerror}")
    except ValueError:  # a NUL in the name
        return _failed(path, SourceLocation(path, 1, 1), "cannot read the file: invalid name")
    return data


def parse(data: bytes, path: Path) -> YamlFile:
    """Parse bytes said to come from `path` (used in locations only)."""
    if len(data) > MAX_FILE_BYTES:
        return _failed(path, SourceLocation(path, 1, 1), _too_big(len(data)))
    text, problem = _decode(data, path)
    if problem:
        return YamlFile(path, None, (problem,))
    if not text.strip():
        return _failed(path, SourceLocation(path, 1, 1), "the file is empty")
    try:
        composed = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        return YamlFile(path, None, (_syntax_problem(exc, text, path),))
    except yaml.YAMLError:  # ReaderError: a character YAML does not allow
        return YamlFile(path, None, (_unprintable_problem(text, path),))
    except RecursionError:  # the pure-Python composer on absurd nesting
        return _failed(path, SourceLocation(path, 1, 1), f"nested deeper than {MAX_DEPTH} levels")
    if composed is None or (isinstance(composed, ScalarNode) and composed.tag == _NULL):
        return _failed(path, SourceLocation(path, 1, 1), "the file is empty")
    converter = _Converter(path)
    try:
        if "&" in text:  # no anchors, no aliases: nothing to expand
            converter.measure(composed, composed, 0)
        root = converter.convert(composed, 0)
    except _Refused as exc:
        return YamlFile(path, None, (exc.problem,))
    return YamlFile(path, root, tuple(converter.problems))


def _failed(path: Path, location: SourceLocation, message: str) -> YamlFile:
    return YamlFile(path, None, (error(message, location),))


def _too_big(size: int) -> str:
    return (
        f"the file is {size:,} bytes, over the {MAX_FILE_BYTES // 2**20} MB limit for an input file"
    )


def _decode(data: bytes, path: Path) -> tuple[str, Problem | None]:
    """Decode UTF-8 ourselves so a stray Latin-1 byte gets a byte offset, not a guess."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "", error("the file is UTF-16; save it as UTF-8", SourceLocation(path, 1, 1))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start].decode("utf-8")
        line = before.count("\n") + 1
        column = len(before) - (before.rfind("\n") + 1) + 1
        byte = data[exc.start]
        message = f"not UTF-8: byte 0x{byte:02x} at offset {exc.start} cannot be decoded"
        return "", error(message, SourceLocation(path, line, column), "save the file as UTF-8")
    return text.removeprefix("\ufeff"), None


def _syntax_problem(exc: yaml.MarkedYAMLError, text: str, path: Path) -> Problem:
    """A parse error at PyYAML's mark; tabs get their own message, as PyYAML's is cryptic."""
    mark = exc.problem_mark or exc.context_mark
    if mark is None:
        return error(f"invalid YAML: {exc.problem or exc.context}", SourceLocation(path, 1, 1))
    lines = text.splitlines()
    line = lines[mark.line] if mark.line < len(lines) else ""
    indent = len(line) - len(line.lstrip(" \t"))
    at_mark = line[mark.column : mark.column + 1]
    if "\t" in line[:indent]:
        return error(
            "tab character in indentation",
            SourceLocation(path, mark.line + 1, line.index("\t") + 1),
            "YAML indents with spaces only",
        )
    if at_mark == "\t":
        return error(
            "tab character where YAML does not allow one",
            SourceLocation(path, mark.line + 1, mark.column + 1),
            "use spaces, or put the text in quotes",
        )
    if isinstance(exc, yaml.composer.ComposerError) and line.startswith(("---", "...")):
        return error(
            "a second YAML document starts here; a file holds one",
            SourceLocation(path, mark.line + 1, 1),
            f"remove the '{line[:3]}' line",
        )
    message = f"invalid YAML: {exc.problem}"
    context = exc.context_mark
    if exc.context and context is not None and context.line != mark.line:
        message += f" ({exc.context} at line {context.line + 1})"
    return error(message, SourceLocation(path, mark.line + 1, mark.column + 1))


def _unprintable_problem(text: str, path: Path) -> Problem:
    """Locate the character YAML refused (its reader reports byte offsets, not lines)."""
    found = _NOT_PRINTABLE.search(text)
    if found is None:
        return error("invalid YAML: a character is not allowed", SourceLocation(path, 1, 1))
    before = text[: found.start()]
    line = before.count("\n") + 1
    column = found.start() - (before.rfind("\n") + 1) + 1
    code = f"U+{ord(found.group()):04X}"
    return error(
        f"character {code} is not allowed in a YAML file",
        SourceLocation(path, line, column),
        "remove it: most editors do not show it",
    )


def _flat(pairs: list[tuple[yaml.Node, yaml.Node]]) -> Iterator[yaml.Node]:
    for key, value in pairs:
        yield key
        yield value


class _Refused(Exception):
    """The document is unsafe to convert at all (alias bomb, recursion, depth)."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


class _Converter:
    """Turns composed YAML nodes into `Node`s, once `measure` has found them safe."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.problems: list[Problem] = []
        self.sizes: dict[int, int] = {}
        self.open: set[int] = set()
        self.repeated = 0

    def where(self, node: yaml.Node) -> SourceLocation:
        mark = node.start_mark
        return SourceLocation(self.path, mark.line + 1, mark.column + 1)

    def measure(self, node: yaml.Node, parent: yaml.Node, depth: int) -> int:
        """How many values `node` expands to; refuses bombs, cycles and deep nesting.

        The composed graph shares aliased nodes, so this costs one visit per
        distinct node however large the expansion would be; the count of what
        aliases repeat is checked against the limit as it grows.
        """
        key = id(node)
        if key in self.sizes:
            self.repeated += self.sizes[key]
            if self.repeated > MAX_ALIAS_NODES:
                raise _Refused(
                    error(
                        f"YAML aliases here expand to more than {MAX_ALIAS_NODES:,} values",
                        self.where(parent),
                        "an alias bomb? write the values out instead",
                    )
                )
            return self.sizes[key]
        if key in self.open:
            raise _Refused(
                error("a YAML alias refers to a value that contains it", self.where(parent))
            )
        if depth >= MAX_DEPTH:
            raise _Refused(error(f"nested deeper than {MAX_DEPTH} levels", self.where(node)))
        size = 1
        if not isinstance(node, ScalarNode):
            self.open.add(key)
            children = node.value if isinstance(node, SequenceNode) else _flat(node.value)
            size += sum(self.measure(child, node, depth + 1) for child in children)
            self.open.discard(key)
        self.sizes[key] = size
        return size

    def convert(self, node: yaml.Node, depth: int) -> Node:
        if isinstance(node, ScalarNode):
            return self.scalar(node)
        if depth >= MAX_DEPTH:
            raise _Refused(error(f"nested deeper than {MAX_DEPTH} levels", self.where(node)))
        mark = node.start_mark
        if isinstance(node, MappingNode):
            self.check_tag(node, _TAG + "map")
            items, keys = self.mapping(node, depth)
            return Node(items, self.path, mark.line + 1, mark.column + 1, keys=keys)
        self.check_tag(node, _TAG + "seq")
        values = [self.convert(item, depth + 1) for item in node.value]
        return Node(values, self.path, mark.line + 1, mark.column + 1)

    def check_tag(self, node: yaml.Node, expected: str) -> None:
        if node.tag != expected:
            tag = node.tag.replace(_TAG, "!!")
            self.problems.append(error(f"unsupported YAML tag {tag}", self.where(node)))

    def scalar(self, node: ScalarNode) -> Node:
        raw: str = node.value
        tag: str = node.tag
        value: Value = raw
        if tag == _STR:
            pass
        elif tag == _NULL:
            value = None
        elif tag in _SCALARS:
            try:
                value = cast(Value, _SCALARS[tag](node))
            except (ValueError, IndexError, KeyError, AttributeError, OverflowError):
                value = raw  # e.g. 2019-02-30: a date-shaped string that is no date
        else:
            self.check_tag(node, _STR)
        mark = node.start_mark
        if node.style == '"':  # only escapes can bring in control characters
            self.check_controls(raw, mark)
        return Node(value, self.path, mark.line + 1, mark.column + 1, raw)

    def check_controls(self, text: str, mark: yaml.Mark) -> None:
        found = _CONTROL.search(text)
        if found is not None:
            code = f"U+{ord(found.group()):04X}"
            self.problems.append(
                error(
                    f"control character {code} in the text",
                    SourceLocation(self.path, mark.line + 1, mark.column + 1),
                    "only tab and newline may be written as escapes",
                )
            )

    def mapping(
        self, node: MappingNode, depth: int
    ) -> tuple[dict[str, Node], dict[str, tuple[int, int]]]:
        """Keys in source order; a repeated key is an error; `<<` merges are honoured."""
        items: dict[str, Node] = {}
        keys: dict[str, tuple[int, int]] = {}
        merged: list[tuple[str, Node, tuple[int, int]]] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                merged.extend(self.merge(self.convert(value_node, depth + 1)))
                continue
            mark = key_node.start_mark
            where = (mark.line + 1, mark.column + 1)
            if not isinstance(key_node, ScalarNode):
                self.problems.append(
                    error(
                        "a key must be a plain name, not a list or mapping",
                        SourceLocation(self.path, *where),
                    )
                )
                continue
            name: str = key_node.value
            value = self.convert(value_node, depth + 1)
            if name in keys:
                self.problems.append(
                    error(
                        f"duplicate key '{name}' (first at line {keys[name][0]})",
                        SourceLocation(self.path, *where),
                    )
                )
                continue
            items[name], keys[name] = value, where
        for name, value, where in merged:
            if name not in keys:
                items[name], keys[name] = value, where
        return items, keys

    def merge(self, source: Node) -> Iterator[tuple[str, Node, tuple[int, int]]]:
        """The pairs a `<<:` brings in; earlier mappings in a merge list win."""
        sources = source.value if isinstance(source.value, list) else [source]
        for item in sources:
            if not isinstance(item.value, dict) or item.keys is None:
                self.problems.append(
                    error(f"'<<' merges mappings, found {item.kind}", item.location)
                )
                continue
            for name, value in item.value.items():
                yield name, value, item.keys[name]
