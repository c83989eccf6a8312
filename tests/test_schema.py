"""validate: a project folder -> `Project`, or `InputError` with every problem in it.

Each folder in tests/cases/ is a project with one kind of mistake and an
`expected.txt` holding the exact lines the user would read.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from abstractbook.errors import InputError, Level
from abstractbook.project.model import MM, FaceSet, PageSettings, Talk
from abstractbook.project.schema import validate
from abstractbook.project.sources import MAX_FILE_BYTES
from abstractbook.project.values import POINTS_PER_UNIT, parse_length

HERE = Path(__file__).parent
CASES = sorted(path for path in (HERE / "cases").iterdir() if path.is_dir())
SAMPLE = HERE.parent / "data" / "dlbrain2019"

ADA = "id: {id}\ntitle: On {id}\nauthors:\n  - name: Ada Lovelace\nbody: Words.\n"


def reported(root: Path) -> list[str]:
    """What `check` would print: the problems if the project is refused, else its warnings."""
    try:
        project = validate(root)
    except InputError as exc:
        assert any(p.level is Level.ERROR for p in exc.problems)
        return [str(p) for p in exc.problems]
    return [str(p) for p in project.warnings]


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_case(case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(case)
    expected = (case / "expected.txt").read_text(encoding="utf-8").splitlines()
    assert reported(Path(".")) == expected


def test_cases_cover_the_mistakes_asked_for() -> None:
    names = {case.name for case in CASES}
    assert names >= {
        "yaml-syntax",
        "tab-indent",
        "duplicate-key",
        "wrong-type",
        "missing-required",
        "empty-file",
        "list-for-mapping",
        "duplicate-id",
        "program-unknown-id",
        "unknown-key",
        "bad-length",
        "bad-page-size",
        "impossible-margins",
        "negative-margin",
        "not-utf8",
        "alias-bomb",
        "several-errors-at-once",
    }


def test_several_errors_come_from_three_files(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(HERE / "cases" / "several-errors-at-once")
    with pytest.raises(InputError) as caught:
        validate(Path("."))
    files = {
        str(p.location.path) for p in caught.value.problems if p.level is Level.ERROR and p.location
    }
    assert files == {"book.yaml", "abstracts/02-bad.yaml", "program.yaml"}


def test_oversized_abstract_file(tmp_path: Path) -> None:
    big = b"id: big\ntitle: Big\nauthors: [{name: A}]\nbody: " + b"x" * MAX_FILE_BYTES + b"\n"
    write(tmp_path, {"book.yaml": "title: T\n", "abstracts/big.yaml": big})
    assert reported(tmp_path) == [
        f"{tmp_path}/abstracts/big.yaml:1:1: the file is {len(big):,} bytes, over the 2 MB limit "
        "for an input file"
    ]


def test_sample_book_is_valid() -> None:
    project = validate(SAMPLE)
    assert len(project.talks) == 25
    assert len({talk.id for talk in project.talks}) == 25
    assert project.settings.title == "Deep Learning and the Brain"
    assert project.settings.date_start == dt.date(2019, 1, 20)
    assert all(w.level is Level.WARNING for w in project.warnings)


FONT = Path(__file__).parent.parent / "fonts" / "NotoSerifGeorgian-Regular.ttf"


def tiny_png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (2, 1)).save(out, "PNG")
    return out.getvalue()


def test_book_settings_reach_the_model(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "book.yaml": """\
title: Meeting
subtitle: Abstracts
dates: {start: "2019-01-20", end: 2019-01-22}
venue: Hall
organisers: [Ann, Bob]
logo: logo.png
abstracts: talks/
order: title
page:
  size: a4
  margins: {inner: 2cm, outer: 0.5in, top: 12 pt, bottom: 18mm}
  bleed: 3mm
  crop_marks: true
  pad_to: 4
layout: {abstract_start: odd-page, hyphenate: false, language: de_DE, smart_punctuation: false}
fonts:
  text: {regular: f/R.ttf, italic: f/I.ttf, bold: f/B.ttf, bold_italic: f/BI.ttf}
  heading: {regular: f/R.ttf}
  fallback: [f/X.ttf]
colors: {accent: "#A0B1C2"}
front_matter: [toc]
back_matter: []
""",
            "logo.png": tiny_png(),
            "talks/a.yaml": ADA.format(id="a"),
            **{
                f"f/{name}": FONT.read_bytes()
                for name in ("R.ttf", "I.ttf", "B.ttf", "BI.ttf", "X.ttf")
            },
        },
    )
    settings = validate(tmp_path).settings
    assert (settings.title, settings.subtitle, settings.venue) == ("Meeting", "Abstracts", "Hall")
    assert (settings.date_start, settings.date_end) == (dt.date(2019, 1, 20), dt.date(2019, 1, 22))
    assert settings.organisers == ("Ann", "Bob")
    assert settings.logo == tmp_path / "logo.png"
    assert settings.order == "title"
    assert settings.page == PageSettings(
        595.28, 841.89, 20 * MM, 36.0, 12.0, 18 * MM, 3 * MM, True, 4
    )
    assert (
        settings.abstract_start,
        settings.hyphenate,
        settings.language,
        settings.smart_punctuation,
    ) == ("odd-page", False, "de_DE", False)
    f = tmp_path / "f"
    assert settings.text_fonts == FaceSet(f / "R.ttf", f / "I.ttf", f / "B.ttf", f / "BI.ttf")
    assert settings.heading_fonts == FaceSet(f / "R.ttf")
    assert settings.fallback_fonts == (f / "X.ttf",)
    assert settings.accent == "#a0b1c2"
    assert (settings.front_matter, settings.back_matter) == (("toc",), ())


def test_defaults(tmp_path: Path) -> None:
    write(tmp_path, {"book.yaml": "title: T\n", "abstracts/a.yaml": ADA.format(id="a")})
    project = validate(tmp_path)
    settings = project.settings
    assert settings.page == PageSettings()
    assert (settings.order, settings.language, settings.text_fonts) == (None, "en", None)
    assert settings.front_matter == ("title_page", "toc", "program")
    assert project.program is None and project.warnings == ()


def test_custom_page_size(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "book.yaml": "title: T\npage: {size: [170mm, 9.5in]}\n",
            "abstracts/a.yaml": ADA.format(id="a"),
        },
    )
    page = validate(tmp_path).settings.page
    assert (page.width, page.height) == pytest.approx((170 * MM, 9.5 * 72))


def test_text_fields_read_what_was_typed(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "book.yaml": "title: 2019\n",
            "abstracts/a.yaml": """\
id: 1984
title: 1984
authors:
  - name: yes
    affiliations: 3.10
    family: no
board: 012
keywords: [2019-01-20, 1.50, true]
body: null
notes: 9:00
""",
        },
    )
    project = validate(tmp_path)
    talk = project.talks[0]
    assert (project.settings.title, talk.id, talk.title, talk.board) == (
        "2019",
        "1984",
        "1984",
        "012",
    )
    assert (talk.authors[0].name, talk.authors[0].affiliations, talk.authors[0].family) == (
        "yes",
        ("3.10",),
        "no",
    )
    assert talk.keywords == ("2019-01-20", "1.50", "true")
    assert (talk.body, talk.notes) == (None, "9:00")


def test_authors_and_types(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "book.yaml": "title: T\n",
            "abstracts/a.yaml": """\
id: a
title: A
type: poster
authors:
  - name: Ana de la Cruz
    affiliations: Somewhere
  - name: Bo Li
    presenting: true
    family: Li
body: Words.
""",
        },
    )
    talk = validate(tmp_path).talks[0]
    assert talk.type == "poster"
    assert [(a.name, a.affiliations, a.presenting, a.family) for a in talk.authors] == [
        ("Ana de la Cruz", ("Somewhere",), False, None),
        ("Bo Li", (), True, "Li"),
    ]
    assert talk.presenters[0].name == "Bo Li"
    assert talk.source == validate(tmp_path).talks[0].source
    assert talk.authors[1].location is not None and talk.authors[1].location.line == 7


def test_program_times_and_dates(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "book.yaml": "title: T\n",
            "abstracts/a.yaml": ADA.format(id="a"),
            "abstracts/b.yaml": ADA.format(id="b"),
            "program.yaml": """\
days:
  - date: "2019-01-20"
    sessions:
      - id: s1
        title: Morning
        start: 9:00
        room: 101
        talks: [a, {id: b, start: 10:30, duration: 45}]
""",
        },
    )
    program = validate(tmp_path).program
    assert program is not None
    day = program.days[0]
    assert day.date == dt.date(2019, 1, 20)
    session = day.sessions[0]
    assert (session.id, session.title, session.start, session.room) == (
        "s1",
        "Morning",
        "09:00",
        "101",
    )
    assert [(s.talk_id, s.start, s.duration) for s in session.slots] == [
        ("a", None, None),
        ("b", "10:30", 45),
    ]


def test_files_are_read_in_natural_path_order(tmp_path: Path) -> None:
    names = ["b.yaml", "a/z.yaml", "a.yml", "10.yaml", "9.YAML"]
    write(
        tmp_path,
        {
            "book.yaml": "title: T\n",
            ".hidden/x.yaml": "junk: [",
            "abstracts/.draft.yaml": "junk: [",
            "abstracts/notes.txt": "junk",
            **{f"abstracts/{n}": ADA.format(id=f"t{i}") for i, n in enumerate(names)},
        },
    )
    talks = validate(tmp_path).talks
    assert [str(t.source.path.relative_to(tmp_path / "abstracts")) for t in talks if t.source] == [
        "9.YAML",  # numbers as numbers: 9 before 10
        "10.yaml",
        "a.yml",
        "a/z.yaml",
        "b.yaml",
    ]


def test_single_file_of_records(tmp_path: Path) -> None:
    records = "".join(
        "- " + ADA.format(id=i).replace("\n", "\n  ").rstrip() + "\n" for i in ("one", "two")
    )
    write(tmp_path, {"book.yaml": "title: T\nabstracts: all.yaml\n", "all.yaml": records})
    talks = validate(tmp_path).talks
    assert [t.id for t in talks] == ["one", "two"]
    assert [t.source.line for t in talks if t.source] == [1, 6]


def test_missing_abstracts_folder(tmp_path: Path) -> None:
    write(tmp_path, {"book.yaml": "title: T\nabstracts: abstract/\n", "abstracts/a.yaml": ""})
    assert reported(tmp_path) == [
        f"{tmp_path}/book.yaml:2:12: abstracts: no file or folder abstract/ "
        "(did you mean 'abstracts'?)"
    ]


def test_empty_abstracts_folder_is_a_warning(tmp_path: Path) -> None:
    (tmp_path / "abstracts").mkdir()
    write(tmp_path, {"book.yaml": "title: T\n"})
    assert reported(tmp_path) == [
        f"{tmp_path}/abstracts: warning: no abstract files (.yaml) in this folder"
    ]


def test_missing_book_yaml(tmp_path: Path) -> None:
    write(tmp_path, {"abstracts/a.yaml": ADA.format(id="a")})
    assert reported(tmp_path) == [
        f"{tmp_path}/book.yaml: book.yaml not found: every book project needs one"
    ]
    assert reported(tmp_path / "nowhere") == [
        f"{tmp_path}/nowhere/book.yaml: no project folder at {tmp_path}/nowhere"
    ]


def test_unreadable_abstract_does_not_add_unknown_ids(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "book.yaml": "title: T\n",
            "abstracts/01-yamins.yaml": "id: yamins\ntitle: [\n",
            "program.yaml": "days:\n  - date: 2019-01-20\n    sessions:\n"
            "      - {id: s, title: S, talks: [yamins]}\n",
        },
    )
    lines = reported(tmp_path)
    assert len(lines) == 1
    assert lines[0].startswith(f"{tmp_path}/abstracts/01-yamins.yaml:3:1: invalid YAML: ")


def _validate_record(record: Mapping[str, object], style: str | None = '"') -> Talk:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        text = yaml.safe_dump(record, allow_unicode=True, default_style=style)
        write(root, {"book.yaml": "title: T\n", "abstracts/t.yaml": text})
        return validate(root).talks[0]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=st.text(), name=st.text(), body=st.text(), style=st.sampled_from([None, '"']))
def test_any_text_never_raises_anything_but_input_error(
    title: str, name: str, body: str, style: str | None
) -> None:
    record = {"id": "t", "title": title, "authors": [{"name": name}], "body": body}
    try:
        _validate_record(record, style)
    except InputError as exc:
        assert all(p.location is not None for p in exc.problems)


# Text a user can type: anything but control characters (tab and newline are fine).
TYPED = st.text(st.characters(exclude_categories=("Cc", "Cs")) | st.sampled_from("\t\n"))
PRINTED = TYPED.filter(str.strip)


@settings(max_examples=150, deadline=None)
@given(title=PRINTED, name=PRINTED, body=TYPED, notes=PRINTED)
def test_valid_text_round_trips_exactly(title: str, name: str, body: str, notes: str) -> None:
    talk = _validate_record(
        {"id": "t", "title": title, "authors": [{"name": name}], "body": body, "notes": notes}
    )
    assert talk.title == title
    assert talk.authors[0].name == name
    assert talk.body == (body if body.strip() else None)
    assert talk.notes == notes


FIELDS = [
    "id: {}",
    "title: {}",
    "authors:\n  - name: {}",
    "authors:\n  - {}",
    "body: {}",
    "board: {}",
    "keywords: [{}]",
    "type: {}",
    "{}: x",
]


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=40), field=st.sampled_from(FIELDS))
def test_raw_text_typed_into_any_field_never_raises(text: str, field: str) -> None:
    record = "id: t\ntitle: T\nauthors:\n  - name: A\n" + field.format(text) + "\n"
    assert_only_located_errors({"book.yaml": "title: T\n", "abstracts/t.yaml": record})


def assert_only_located_errors(files: dict[str, str | bytes]) -> None:
    """Validating the project raises nothing but InputError, every problem located."""
    with tempfile.TemporaryDirectory() as folder:
        root = write(Path(folder), files)
        try:
            validate(root)
        except InputError as exc:
            assert all(p.location is not None for p in exc.problems)


BOOK_FIELDS = [
    "title: {}",
    "subtitle: {}",
    "dates: {{start: {}}}",
    "dates: {{end: {}}}",
    "organisers: [{}]",
    "logo: {}",
    "abstracts: {}",
    "order: {}",
    "page: {{size: {}}}",
    "page: {{size: [{}, 1cm]}}",
    "page: {{margins: {{inner: {}}}}}",
    "page: {{bleed: {}}}",
    "page: {{pad_to: {}}}",
    "layout: {{language: {}}}",
    "layout: {{abstract_start: {}}}",
    "fonts: {{text: {{regular: {}}}}}",
    "fonts: {{fallback: [{}]}}",
    "colors: {{accent: {}}}",
    "front_matter: [{}]",
]


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=40), field=st.sampled_from(BOOK_FIELDS))
def test_raw_text_typed_into_book_yaml_never_raises(text: str, field: str) -> None:
    book = "title: T\n" + field.format(text) + "\n"
    assert_only_located_errors({"book.yaml": book, "abstracts/a.yaml": ADA.format(id="a")})


@given(
    number=st.decimals(min_value=0, max_value=10_000, places=3),
    unit=st.sampled_from(["mm", "cm", "in", "pt"]),
    space=st.sampled_from(["", " "]),
)
def test_lengths_convert_to_points(number: Decimal, unit: str, space: str) -> None:
    written = f"{number:f}"
    points, reason = parse_length(f"{written}{space}{unit}")
    assert reason is None
    assert points == pytest.approx(float(number) * POINTS_PER_UNIT[unit])
    bare, why = parse_length(written)
    assert (bare, why) == ((0.0, None) if number == 0 else (None, "has no unit"))


def test_symbolic_link_loops_are_errors_naming_the_link(tmp_path: Path) -> None:
    root = write(
        tmp_path / "book", {"book.yaml": "title: T\n", "abstracts/a.yaml": ADA.format(id="a")}
    )
    (root / "abstracts" / "self.yaml").symlink_to("self.yaml")
    (root / "abstracts" / "up").symlink_to("..")
    with pytest.raises(InputError) as caught:
        validate(root)
    said = [str(p) for p in caught.value.problems]
    assert (
        f"{root}/abstracts/self.yaml: a symbolic link loop: the link leads back to itself" in said
    )
    assert (
        f"{root}/abstracts/up: a symbolic link loop: the link leads back to {root.resolve()}"
        in said
    )
    assert not any("cannot list" in line for line in said)


def test_symbolic_links_out_of_the_project_are_read_with_a_warning(tmp_path: Path) -> None:
    shared = write(tmp_path / "shared", {"b.yaml": ADA.format(id="b")})
    root = write(
        tmp_path / "book", {"book.yaml": "title: T\n", "abstracts/a.yaml": ADA.format(id="a")}
    )
    (root / "abstracts" / "b.yaml").symlink_to(shared / "b.yaml")
    (root / "abstracts" / "gone.yaml").symlink_to(tmp_path / "nowhere.yaml")
    project = validate(root)
    assert [t.id for t in project.talks] == ["a", "b"]
    said = [str(w) for w in project.warnings]
    assert any(
        line.startswith(f"{root}/abstracts/b.yaml: warning: a symbolic link out of the project")
        and str(shared.resolve() / "b.yaml") in line
        for line in said
    ), said
    missing = "warning: a symbolic link to a file that does not exist; skipped"
    assert f"{root}/abstracts/gone.yaml: {missing}" in said
