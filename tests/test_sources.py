"""load: YAML bytes -> `Node` trees with positions; bad input comes back as problems."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from abstractbook.errors import Level, SourceLocation
from abstractbook.project import sources
from abstractbook.project.sources import MAX_FILE_BYTES, Node, load, parse

P = Path("x.yaml")

BILLION_LAUGHS = b"""\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


@pytest.fixture(params=["libyaml", "python"])
def either_loader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run a test with PyYAML's pure-Python loader too: it is what runs without libyaml."""
    if request.param == "python":
        monkeypatch.setattr(sources, "_LOADER", yaml.SafeLoader)


both_loaders = pytest.mark.usefixtures("either_loader")


def problems(data: bytes) -> list[str]:
    return [str(p) for p in parse(data, P).problems]


def tree(data: bytes) -> Node:
    document = parse(data, P)
    assert document.problems == ()
    assert document.root is not None
    return document.root


def mapping(data: bytes) -> dict[str, Node]:
    value = tree(data).value
    assert isinstance(value, dict)
    return value


@both_loaders
def test_every_key_and_value_keeps_its_line_and_column() -> None:
    root = tree(b"title: Hello\nauthors:\n  - name: Ada\n    presenting: true\n")
    assert root.location == SourceLocation(P, 1, 1)
    assert root.key_location("authors") == SourceLocation(P, 2, 1)
    assert isinstance(root.value, dict)
    assert root.value["title"].location == SourceLocation(P, 1, 8)
    authors = root.value["authors"].value
    assert isinstance(authors, list)
    author = authors[0]
    assert author.location == SourceLocation(P, 3, 5)
    assert author.key_location("presenting") == SourceLocation(P, 4, 5)
    assert isinstance(author.value, dict)
    assert author.value["name"].location == SourceLocation(P, 3, 11)
    assert author.value["presenting"].value is True


@both_loaders
def test_columns_count_characters_not_bytes() -> None:
    root = mapping("é: [ü, x]\n".encode())
    items = root["é"].value
    assert isinstance(items, list)
    assert (items[1].line, items[1].column) == (1, 8)


@both_loaders
def test_unquoted_clock_time_keeps_its_source_text() -> None:
    # YAML 1.1 reads 9:00 as the base-60 number 540; the text is what the user meant.
    start = mapping(b"start: 9:00\n")["start"]
    assert (start.value, start.text) == (540, "9:00")


@both_loaders
def test_dates_quoted_or_not() -> None:
    root = mapping(b"a: 2019-01-20\nb: '2019-01-20'\nc: 2019-02-30\n")
    assert root["a"].value == dt.date(2019, 1, 20)
    assert root["b"].value == "2019-01-20"
    assert root["c"].value == "2019-02-30"  # date-shaped but no date: left as text


def test_numbers_and_booleans_keep_their_text() -> None:
    root = mapping(b"title: 1984\nboard: 012\nname: yes\nratio: 1.50\nempty:\n")
    assert [(root[k].value, root[k].text) for k in ("title", "board", "name", "ratio")] == [
        (1984, "1984"),
        (10, "012"),
        (True, "yes"),
        (1.5, "1.50"),
    ]
    assert root["empty"].value is None


@both_loaders
def test_duplicate_key_names_the_first_line() -> None:
    assert problems(b"title: a\nbody: b\ntitle: c\n") == [
        "x.yaml:3:1: duplicate key 'title' (first at line 1)"
    ]


def test_duplicate_key_keeps_the_first_value() -> None:
    document = parse(b"title: a\ntitle: c\n", P)
    assert document.root is not None and isinstance(document.root.value, dict)
    assert document.root.value["title"].value == "a"


@both_loaders
def test_tab_in_indentation_gets_its_own_message() -> None:
    assert problems(b"title: x\nauthors:\n\t- name: Ada\n") == [
        "x.yaml:3:1: tab character in indentation (YAML indents with spaces only)"
    ]
    assert problems(b"a:\n  b: 1\n  \tc: 2\n") == [
        "x.yaml:3:3: tab character in indentation (YAML indents with spaces only)"
    ]


def test_tab_inside_a_block_scalar_is_text() -> None:
    assert mapping(b"body: |\n  line\n  \tindented\n")["body"].value == "line\n\tindented\n"


def test_syntax_error_points_at_the_mark() -> None:
    assert problems(b"title: [a, b\nbody: c\n") == [
        "x.yaml:2:5: invalid YAML: did not find expected ',' or ']' "
        "(while parsing a flow sequence at line 1)"
    ]


@both_loaders
def test_second_document_is_named() -> None:
    assert problems(b"a: 1\n---\nb: 2\n") == [
        "x.yaml:2:1: a second YAML document starts here; a file holds one (remove the '---' line)"
    ]


def test_not_utf8_gives_the_byte_offset() -> None:
    assert problems(b"id: x\ntitle: Caf\xe9\n") == [
        "x.yaml:2:11: not UTF-8: byte 0xe9 at offset 16 cannot be decoded (save the file as UTF-8)"
    ]


def test_utf16_is_named() -> None:
    assert problems("title: x\n".encode("utf-16")) == [
        "x.yaml:1:1: the file is UTF-16; save it as UTF-8"
    ]


def test_byte_order_mark_is_ignored() -> None:
    assert mapping(b"\xef\xbb\xbftitle: x\n")["title"].value == "x"


@pytest.mark.parametrize("data", [b"", b"\n  \n", b"# only a comment\n", b"---\n", b"~\n"])
def test_empty_files(data: bytes) -> None:
    assert problems(data) == ["x.yaml:1:1: the file is empty"]


@both_loaders
def test_raw_control_character_is_located() -> None:
    assert problems("title: é\x07\n".encode()) == [
        "x.yaml:1:9: character U+0007 is not allowed in a YAML file "
        "(remove it: most editors do not show it)"
    ]


@both_loaders
def test_escaped_control_character_is_refused() -> None:
    assert problems(b'title: "bell\\a"\n') == [
        "x.yaml:1:8: control character U+0007 in the text "
        "(only tab and newline may be written as escapes)"
    ]
    assert mapping(b'title: "a\\tb\\nc"\n')["title"].value == "a\tb\nc"


def test_unsupported_tag() -> None:
    assert problems(b"title: !shout hello\n") == ["x.yaml:1:8: unsupported YAML tag !shout"]
    assert problems(b"title: !!binary aGVsbG8=\n") == ["x.yaml:1:8: unsupported YAML tag !!binary"]


def test_key_that_is_a_list() -> None:
    assert problems(b"[a, b]: 1\n") == [
        "x.yaml:1:1: a key must be a plain name, not a list or mapping"
    ]


@both_loaders
def test_merge_keys_are_honoured() -> None:
    root = mapping(b"base: &b {room: A, chair: X}\nsession:\n  <<: *b\n  chair: Y\n")
    session = root["session"].value
    assert isinstance(session, dict)
    assert {k: v.value for k, v in session.items()} == {"room": "A", "chair": "Y"}
    assert root["session"].key_location("room") == SourceLocation(P, 1, 11)


@both_loaders
def test_billion_laughs_is_refused() -> None:
    assert problems(BILLION_LAUGHS) == [
        "x.yaml:6:4: YAML aliases here expand to more than 100,000 values "
        "(an alias bomb? write the values out instead)"
    ]


@pytest.mark.parametrize(("uses", "refused"), [(2, False), (3, False), (4, True)])
def test_alias_limit_counts_the_values_aliases_repeat(
    monkeypatch: pytest.MonkeyPatch, uses: int, refused: bool
) -> None:
    # The anchored list is 11 values (itself and 10 items); each alias repeats all 11.
    monkeypatch.setattr(sources, "MAX_ALIAS_NODES", 33)
    data = b"a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\nb: [" + b", ".join([b"*a"] * uses) + b"]\n"
    document = parse(data, P)
    assert (document.root is None) == refused
    if not refused:
        assert document.root is not None and isinstance(document.root.value, dict)
        repeated = document.root.value["b"].value
        assert isinstance(repeated, list) and len(repeated) == uses


def test_harmless_aliases_are_expanded() -> None:
    root = mapping(b"a: &who {name: Ada}\nb: *who\n")
    assert root["b"].value == root["a"].value


@both_loaders
def test_recursive_alias_is_refused() -> None:
    assert problems(b"a: &x [1, *x]\n") == [
        "x.yaml:1:4: a YAML alias refers to a value that contains it"
    ]


@both_loaders
def test_nesting_limit() -> None:
    depth = sources.MAX_DEPTH + 5
    assert problems(b"a: " + b"[" * depth + b"]" * depth + b"\n") == [
        f"x.yaml:1:{4 + sources.MAX_DEPTH - 1}: nested deeper than {sources.MAX_DEPTH} levels"
    ]


def test_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"a: " + b"x" * (MAX_FILE_BYTES - 4) + b"\n")
    assert load(path).problems == ()
    path.write_bytes(b"a: " + b"x" * (MAX_FILE_BYTES - 3) + b"\n")
    assert [str(p) for p in load(path).problems] == [
        f"{path}:1:1: the file is 2,097,153 bytes, over the 2 MB limit for an input file"
    ]


def test_unreadable_paths(tmp_path: Path) -> None:
    for path in (tmp_path / "missing.yaml", tmp_path):
        document = load(path)
        assert document.root is None
        assert [p.level for p in document.problems] == [Level.ERROR]
        assert "cannot read the file" in document.problems[0].message


YAMLISH = st.text(alphabet="ab1:-[]{},&*!#'\"\n\t |>?@%~\\é\x85\u2028", max_size=60)


@both_loaders
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=200))
def test_any_bytes_give_a_tree_or_problems(data: bytes) -> None:
    document = parse(data, P)
    assert document.root is not None or document.problems


@both_loaders
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(YAMLISH)
def test_any_yaml_like_text_gives_a_tree_or_problems(text: str) -> None:
    document = parse(text.encode(), P)
    assert document.root is not None or document.problems
    assert all(p.location is not None and p.location.path == P for p in document.problems)
