"""Hostile input: every command ends in bounded time and memory, typeset or refused.

Each case is generated (no big stored files) and run through the real command
line in a forked child with a deadline and an address-space limit, so a quadratic
loop or a memory blow-up fails the test instead of stalling the suite. A case
ends with exit 0 (typeset, a warning where something was cut) or exit 1 with
messages that name the file and the limit, never a traceback or "internal error".
The inputs are smaller than the probes of the issue (a tenth to a half), which is
still far beyond what the quadratic code managed in the time allowed.
"""

from __future__ import annotations

import io
import json
import os
import resource
import signal
import struct
import sys
import time
import zipfile
import zlib
from pathlib import Path

import pytest

from abstractbook import cli

DEADLINE = 20.0  # seconds per command
MEMORY = 1 << 30  # bytes of address space per command, beyond what the test process has
FONTS = Path(__file__).parent.parent / "fonts"
PRETALX = Path(__file__).parent / "fixtures" / "import" / "pretalx" / "schedule.json"


def run(*args: str) -> tuple[int, str]:
    """`abstractbook ARGS` in a forked child under the deadline and memory limit:
    (exit code, what it printed)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        try:
            os.close(read_end)
            os.dup2(write_end, 1)
            os.dup2(write_end, 2)
            used = int(Path("/proc/self/statm").read_text().split()[0]) * os.sysconf("SC_PAGESIZE")
            resource.setrlimit(resource.RLIMIT_AS, (used + MEMORY, used + MEMORY))
            sys.argv = ["abstractbook", *args]
            sys.stdout = io.TextIOWrapper(os.fdopen(1, "wb", closefd=False), write_through=True)
            sys.stderr = io.TextIOWrapper(os.fdopen(2, "wb", closefd=False), write_through=True)
            cli.main()
            os._exit(0)
        except SystemExit as e:
            os._exit(e.code if isinstance(e.code, int) else 1)
        except BaseException as e:  # report anything, in the child
            os.write(2, f"\nchild: {type(e).__name__}: {e}\n".encode())
            os._exit(99)
    os.close(write_end)
    os.set_blocking(read_end, False)
    chunks: list[bytes] = []
    start = time.monotonic()
    status = None
    while status is None:
        try:
            while chunk := os.read(read_end, 65536):
                chunks.append(chunk)
        except BlockingIOError:
            pass
        done, status_code = os.waitpid(pid, os.WNOHANG)
        if done:
            status = status_code
        elif time.monotonic() - start > DEADLINE:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            os.close(read_end)
            pytest.fail(f"abstractbook {' '.join(args)[:80]} ran past {DEADLINE:.0f} s")
        else:
            time.sleep(0.02)
    try:
        while chunk := os.read(read_end, 65536):
            chunks.append(chunk)
    except BlockingIOError:
        pass
    os.close(read_end)
    return os.waitstatus_to_exitcode(status), b"".join(chunks).decode("utf-8", "replace")


def project(
    root: Path, body: str | None = "hi", *, author: str = "Ada Lovelace", **files: bytes | str
) -> Path:
    """A one-abstract project; `files` by path (book_yaml_extra for book.yaml lines)."""
    (root / "abstracts").mkdir(parents=True)
    extra = files.pop("book_yaml_extra", "")
    (root / "book.yaml").write_text(f"title: Hostile\n{extra}", encoding="utf-8")
    record = f"id: a\ntitle: T\nauthors:\n  - name: {json.dumps(author)}\n"
    if body is not None:
        record += f"body: {json.dumps(body, ensure_ascii=False)}\n"
    (root / "abstracts" / "a.yaml").write_text(record, encoding="utf-8")
    for name, data in files.items():
        path = root / name.replace("__", ".")
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return root


def check_and_build(root: Path) -> tuple[tuple[int, str], tuple[int, str]]:
    return checked(run("check", str(root))), build(root)


def build(root: Path) -> tuple[int, str]:
    return checked(run("build", str(root), "-o", str(root / "out" / "book.pdf")))


def checked(outcome: tuple[int, str]) -> tuple[int, str]:
    code, text = outcome
    assert "internal error" not in text and "Traceback" not in text, text[-500:]
    assert code in (0, 1), text[-500:]
    return outcome


# -- text that flows: each is typeset, in time --------------------------------------

TYPESET = {
    "a 100 KB word": "x" * 100_000,
    "a 100 KB URL": "https://example.org/" + "a/b." * 25_000,
    "a code block with a 100 KB line": "```\n" + "x" * 100_000 + "\n```\n",
    "50,000 CJK characters": "中" * 50_000,
    "50,000 no-break-space-joined words": "\u00a0".join(["ab"] * 50_000),
    "50,000 soft hyphens": "a\u00ad" * 50_000,
    "50,000 zero-width joiners": "a\u200d" * 50_000,
    "30,000 emoji": "\U0001f600" * 30_000,
    "20,000 $a": "$a" * 20_000,
    "20,000 *a": "*a" * 20_000,
    "20,000 **a": "**a" * 20_000,
    "20,000 `a": "`a" * 20_000,
    "50,000 [a]": "[a]" * 50_000,
    "100,000 tabs and text": "a\t" * 100_000,
    "a right-to-left isolate around a number": "ب \u2066123\u2069 ب " * 200,
    "invisible controls": "a\u0085b\u200bc\u2028d\u2060e\ufeff\u3164f\u202eg\u202ch " * 300,
}


@pytest.mark.parametrize("body", list(TYPESET.values()), ids=list(TYPESET))
@pytest.mark.slow
def test_text_is_typeset_in_bounded_time(tmp_path: Path, body: str) -> None:
    code, text = build(project(tmp_path, body))  # a build checks what `check` does, and more
    assert code == 0, text[-500:]


# The sizes (within the 2 MB input limit): each a book in under 10 s.
LARGE = {
    "a 1 MB word": "x" * 1_000_000,
    "a 1 MB URL": "https://example.org/" + "a/b." * 250_000,
    "100,000 Chinese characters without a space": "中文字" * 33_334,
}


@pytest.mark.parametrize("body", list(LARGE.values()), ids=list(LARGE))
@pytest.mark.slow
def test_a_megabyte_word_or_url_or_a_long_chinese_run_builds_in_ten_seconds(
    tmp_path: Path, body: str
) -> None:
    started = time.monotonic()
    code, text = build(project(tmp_path, body))
    assert code == 0, text[-500:]
    assert time.monotonic() - started < 10


def test_a_huge_speaker_name_is_shortened_in_the_running_head(tmp_path: Path) -> None:
    _, (code, text) = check_and_build(project(tmp_path, "hi", author="A" * 40_000))
    assert code == 0, text[-500:]


def test_an_author_of_20000_words(tmp_path: Path) -> None:
    _, (code, text) = check_and_build(project(tmp_path, "hi", author=" ".join(["Ab"] * 20_000)))
    assert code == 0, text[-500:]


def test_invisible_characters_print_no_marks(tmp_path: Path) -> None:
    from pypdf import PdfReader

    root = project(tmp_path, "left\u0085\u3164\u2060\ufeff\u202eright")
    _, (code, text) = check_and_build(root)
    assert code == 0, text
    body = "".join(page.extract_text() for page in PdfReader(root / "out" / "book.pdf").pages)
    assert "leftright" in body.replace(" ", "") and "U+" not in body


# -- formulas: refused at a documented limit, naming record and field ----------------

FORMULAS = {
    "200,000 terms": ("$" + "a+" * 200_000 + "b$", "at most 10,000"),
    "5,000 nested braces": ("$" + "{" * 5000 + "a" + "}" * 5000 + "$", "at most 10,000"),
    "nested 101 deep": ("$" + "{" * 101 + "a" + "}" * 101 + "$", "nest at most 100 deep"),
    "a long drawn formula": ("$\\frac{1}{2}" + "+a" * 300 + "$", "may have at most 500"),
    "roots nested 60 deep": ("$" + "\\sqrt{" * 60 + "x" + "}" * 60 + "$", "at most 1,000 can"),
    "fractions nested 6 deep": (
        "$" + "\\frac{1}{1+" * 6 + "x" + "}" * 6 + "$",
        "at most 1,000 can",
    ),
    "a 100 × 100 matrix": (
        "$$\\begin{matrix}" + "\\\\".join(["&".join(["a"] * 100)] * 100) + "\\end{matrix}$$",
        "at most 10,000",
    ),
}


@pytest.mark.parametrize(("body", "limit"), list(FORMULAS.values()), ids=list(FORMULAS))
def test_a_formula_beyond_the_limits_is_an_input_error(
    tmp_path: Path, body: str, limit: str
) -> None:
    (code, text), _ = check_and_build(project(tmp_path, body))
    assert code == 1
    assert f"{tmp_path / 'abstracts' / 'a.yaml'}:1:1: body: formula 1, $" in text
    assert limit in text
    assert len(text) < 2000  # the formula is quoted by its start only


def test_many_distinct_small_formulas_are_typeset(tmp_path: Path) -> None:
    body = " ".join(f"$\\frac{{1}}{{{n}}}$" for n in range(100))
    _, (code, text) = check_and_build(project(tmp_path, body))
    assert code == 0, text[-500:]


@pytest.mark.slow
def test_600_distinct_drawn_formulas_are_drawn_once_each_in_time(tmp_path: Path) -> None:
    from pypdf import PdfReader

    body = " ".join(f"$\\frac{{a_{{{n}}}}}{{b+{n}}}$" for n in range(1, 601))
    code, text = build(project(tmp_path, body))  # checked, laid out and drawn: one command
    assert code == 0, text[-500:]
    forms = {
        name
        for page in PdfReader(tmp_path / "out" / "book.pdf").pages
        for name in page["/Resources"].get("/XObject", {})
    }
    assert len(forms) == 600


# -- fonts and pictures: checked before decoding -----------------------------------


def _png(width: int, height: int) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGBA", (width, height), (10, 20, 30, 128)).save(out, "PNG")
    return out.getvalue()


def _png_header(width: int, height: int) -> bytes:
    """A PNG that declares its size and holds a few rows: enough for a check made
    before decoding, and no 676 MB image in the test process."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    rows = zlib.compress(b"\0" + b"\x10" * (4 * width) * 2)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    )


def _svg(attributes: str, inner: str = '<rect width="10" height="10"/>') -> str:
    return f'<svg xmlns="http://www.w3.org/2000/svg" {attributes}>{inner}</svg>'


def _collection(font: bytes) -> bytes:
    """A TrueType collection of one font (its table offsets moved behind the header)."""
    count = struct.unpack(">H", font[4:6])[0]
    moved = bytearray(font)
    for t in range(count):
        at = 12 + 16 * t + 8
        moved[at : at + 4] = struct.pack(">I", struct.unpack(">I", font[at : at + 4])[0] + 16)
    return b"ttcf" + struct.pack(">HHII", 1, 0, 1, 16) + bytes(moved)


GEORGIAN = FONTS / "NotoSerifGeorgian-Regular.ttf"


def _damaged(font: bytes) -> bytes:
    garbled = bytearray(font)
    for i in range(400, len(garbled), 7):
        garbled[i] = (garbled[i] * 31 + 7) & 255
    return bytes(garbled)


REFUSED_FILES = {
    "a 169-megapixel PNG": ("logo: x.png", _png_header(13_000, 13_000), "at most 50 megapixels"),
    "an SVG 1e999 wide": ("logo: x.svg", _svg('width="1e999" height="10"'), "positive number"),
    "an SVG 1e300 wide": ("logo: x.svg", _svg('width="1e300" height="10"'), "positive number"),
    "an SVG nan wide": ("logo: x.svg", _svg('width="nan" height="10"'), "positive number"),
    "an SVG of negative size": ("logo: x.svg", _svg('width="-5" height="-1"'), "positive number"),
    "an SVG of 6,000 elements": (
        "logo: x.svg",
        _svg('width="50" height="10"', '<rect width="1" height="1"/>' * 6000),
        "more than 5,000 elements",
    ),
    "an SVG over 2 MB": (
        "logo: x.svg",
        _svg('width="50" height="10"', "<g>" + " " * 3_000_000 + "</g>"),
        "at most 2 MB",
    ),
    "a truncated font": (
        "fonts:\n  fallback: [x.ttf]",
        GEORGIAN.read_bytes()[:3000],
        "cannot be read as a font",
    ),
    "a font with damaged tables": (
        "fonts:\n  fallback: [x.ttf]",
        _damaged(GEORGIAN.read_bytes()),
        "cannot be read as a font",
    ),
}


@pytest.mark.parametrize(
    ("setting", "data", "limit"), list(REFUSED_FILES.values()), ids=list(REFUSED_FILES)
)
def test_an_unusable_font_or_picture_is_named_by_check(
    tmp_path: Path, setting: str, data: bytes | str, limit: str
) -> None:
    name = "x.png" if "png" in setting else "x.svg" if "svg" in setting else "x.ttf"
    root = project(
        tmp_path, "hi", book_yaml_extra=setting + "\n", **{name.replace(".", "__"): data}
    )
    (code, text), (build_code, _) = check_and_build(root)
    assert (code, build_code) == (1, 1)
    assert f"{root / 'book.yaml'}:" in text and name in text and limit in text


NOT_NUMBERS = {
    "1e300 in a path": '<path d="M0 0 L1e300 1e300 Z"/>',
    "nan in a path": '<path d="M0 0 Lnan 5 Z"/>',
    "inf in a transform": '<g transform="scale(inf)"><path d="M0 0 L5 5 Z"/></g>',
    "nan as a coordinate": '<rect x="nan" width="3" height="3"/>',
}


@pytest.mark.parametrize("shape", list(NOT_NUMBERS.values()), ids=list(NOT_NUMBERS))
def test_a_logo_with_numbers_out_of_range_is_named_by_check(tmp_path: Path, shape: str) -> None:
    svg = _svg('width="50" height="10"', shape)
    root = project(tmp_path, "hi", book_yaml_extra="logo: x.svg\n", x__svg=svg)
    (code, text), (build_code, _) = check_and_build(root)
    assert (code, build_code) == (1, 1)
    assert f"{root / 'book.yaml'}:2:" in text and "x.svg" in text
    assert "must be finite" in text


@pytest.mark.parametrize("shape", list(NOT_NUMBERS.values()), ids=list(NOT_NUMBERS))
def test_a_figure_with_numbers_out_of_range_is_named_by_check(tmp_path: Path, shape: str) -> None:
    svg = _svg('width="50" height="10"', shape)
    root = project(tmp_path, "![A curve](curve.svg)")
    (root / "abstracts" / "curve.svg").write_text(svg, encoding="utf-8")
    (code, text), (build_code, _) = check_and_build(root)
    assert (code, build_code) == (1, 1)
    assert f"{root / 'abstracts' / 'a.yaml'}:" in text and "curve.svg" in text
    assert "must be finite" in text


def test_a_font_collection_is_read_as_its_first_font(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        "ქართული",
        book_yaml_extra="fonts:\n  fallback: [x.ttc]\n",
        x__ttc=_collection(GEORGIAN.read_bytes()),
    )
    (code, text), (build_code, _) = check_and_build(root)
    assert (code, build_code) == (0, 0), text


def test_a_picture_under_the_pixel_limit_is_embedded(tmp_path: Path) -> None:
    root = project(tmp_path, "hi", book_yaml_extra="logo: x.png\n", x__png=_png(1500, 1000))
    _, (code, text) = check_and_build(root)
    assert code == 0, text


# -- imports ------------------------------------------------------------------------


def _pretalx(tmp_path: Path, **changes: object) -> Path:
    data = json.loads(PRETALX.read_text(encoding="utf-8"))
    talk = data["schedule"]["conference"]["days"][0]["rooms"]["Hörsaal A"][0]
    talk.update(changes)
    path = tmp_path / "schedule.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


IMPORT_ERRORS = {
    "the year 1": ({"date": "0001-01-01T09:00:00+02:00"}, ".date: the year 1 is outside"),
    "the year 9999": ({"date": "9999-12-31T23:00:00+02:00"}, "the year 9999 is outside"),
    "99,999,999 hours": ({"duration": "99999999:00"}, ".duration: a duration of 99999999:00"),
    "a person that is not a mapping": ({"persons": ["Ada"]}, ".persons[1]: expected a person"),
}


@pytest.mark.parametrize(
    ("change", "message"), list(IMPORT_ERRORS.values()), ids=list(IMPORT_ERRORS)
)
def test_an_out_of_range_import_is_an_error_at_its_place(
    tmp_path: Path, change: dict[str, object], message: str
) -> None:
    source = _pretalx(tmp_path, **change)
    code, text = run("import", "pretalx", str(source), "-o", str(tmp_path / "book"))
    assert code == 1 and "internal error" not in text
    assert f'{source}: conference.days[1].rooms["Hörsaal A"][1]' in text and message in text
    assert not (tmp_path / "book").exists()


@pytest.mark.parametrize(
    "abstract",
    ["\n".join(["`a` b"] * 10_000), "<div>" * 5000 + "x" + "</div>" * 5000],
    ids=["10,000 code spans", "HTML nested 5,000 deep"],
)
@pytest.mark.slow
def test_a_hostile_abstract_imports_and_builds(tmp_path: Path, abstract: str) -> None:
    source = _pretalx(tmp_path, abstract=abstract)
    code, text = run("import", "pretalx", str(source), "-o", str(tmp_path / "book"))
    assert code == 0, text[-500:]
    _, (build_code, built) = check_and_build(tmp_path / "book")
    assert build_code == 0, built[-500:]


def test_a_malformed_import_state_is_named(tmp_path: Path) -> None:
    source = _pretalx(tmp_path)
    assert run("import", "pretalx", str(source), "-o", str(tmp_path / "book"))[0] == 0
    state = tmp_path / "book" / ".abstractbook" / "import.json"
    state.write_text(json.dumps({"files": {"abstracts/abc123.yaml": {"conflict": "yes"}}}))
    code, text = run("import", "pretalx", str(source), "-o", str(tmp_path / "book"), "--update")
    assert code == 1 and f"{state}: not an import state file" in text


def _xlsx(path: Path, sheet_xml: str | None = None, extra_rows: str = "") -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Submissions"
    sheet.append(["#", "Title", "Authors", "Abstract", "Decision"])
    sheet.append([1, "One", "Ada Lovelace", "Text", "accept"])
    raw = io.BytesIO()
    book.save(raw)
    original = zipfile.ZipFile(raw)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for item in original.infolist():
            data = original.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                if sheet_xml is not None:
                    text = text.replace('<c r="A2" t="n"><v>1</v></c>', sheet_xml)
                text = text.replace("</sheetData>", extra_rows + "</sheetData>")
                text = text.replace('<dimension ref="A1:E2"/>', '<dimension ref="A1:XFD1048576"/>')
                data = text.encode()
            out.writestr(item.filename, data, compresslevel=9)
    return path


XLSX = {
    "a date that is not a date": ('<c r="A2" t="d"><v>not a date</v></c>', "", "row 2: a cell"),
    "a number that is not a number": ('<c r="A2" t="n"><v>abc</v></c>', "", "row 2: a cell"),
    "a bad cell reference": ('<c r="??" t="n"><v>1</v></c>', "", "row 2: a cell"),
    "a zip bomb": (
        None,
        "".join(
            f'<row r="{i}"><c r="A{i}" t="inlineStr"><is><t>{"x" * 2000}</t></is></c></row>'
            for i in range(3, 20_000)
        ),
        "a workbook may unpack to at most 32 MB",
    ),
}


@pytest.mark.parametrize(("cell", "rows", "message"), list(XLSX.values()), ids=list(XLSX))
def test_a_malformed_workbook_is_an_error_at_its_place(
    tmp_path: Path, cell: str | None, rows: str, message: str
) -> None:
    source = _xlsx(tmp_path / "submission.xlsx", cell, rows)
    code, text = run("import", "easychair", str(source), "-o", str(tmp_path / "book"))
    assert code == 1 and "internal error" not in text
    assert str(source) in text and message in text


def test_a_workbook_declaring_a_million_rows_imports_what_it_has(tmp_path: Path) -> None:
    source = _xlsx(tmp_path / "submission.xlsx")
    code, text = run("import", "easychair", str(source), "-o", str(tmp_path / "book"))
    assert code == 0, text
    assert (tmp_path / "book" / "abstracts" / "1.yaml").exists()


@pytest.mark.slow
def test_an_abstract_of_5000_authors_with_their_own_affiliations(tmp_path: Path) -> None:
    root = project(tmp_path, "hi")
    authors = "".join(
        f"  - name: Author{i} Name{i}\n    affiliations: [Inst {i}]\n" for i in range(5000)
    )
    (root / "abstracts" / "a.yaml").write_text(f"id: a\ntitle: T\nauthors:\n{authors}body: hi\n")
    _, (code, text) = check_and_build(root)
    assert code == 0, text[-500:]


@pytest.mark.parametrize(
    "body",
    ["> " * 1000 + "deepest words", "- " * 3000 + "deepest words"],
    ids=["quotes 1,000 deep", "lists 3,000 deep"],
)
def test_nesting_beyond_markdown_is_printed_as_plain_lines_with_a_warning(
    tmp_path: Path, body: str
) -> None:
    from pypdf import PdfReader

    root = project(tmp_path, body)
    (code, text), (build_code, built) = check_and_build(root)
    assert (code, build_code) == (0, 0), built[-500:]
    assert "body: quotes and lists nest deeper than Markdown reads" in text
    pdf = "".join(page.extract_text() for page in PdfReader(root / "out" / "book.pdf").pages)
    assert "deepest words" in pdf


def test_a_rebuild_takes_an_unchanged_logo_from_the_cache_without_decoding_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PIL import ImageFile
    from pypdf import PdfReader

    from abstractbook import pipeline

    decoded: list[str] = []  # the pictures whose pixels Pillow decoded
    load = ImageFile.ImageFile.load

    def counted(image: ImageFile.ImageFile) -> object:
        decoded.append(getattr(image, "filename", ""))
        return load(image)

    monkeypatch.setattr(ImageFile.ImageFile, "load", counted)
    root = project(tmp_path, "hi", book_yaml_extra="logo: x.png\n", x__png=_png(3000, 2000))
    output = root / "out" / "book.pdf"
    pipeline.build(root, output)
    assert [Path(name).name for name in decoded] == ["x.png"]
    (root / "abstracts" / "a.yaml").write_text(
        "id: a\ntitle: T, again\nauthors:\n  - name: Ada\nbody: hi\n", encoding="utf-8"
    )
    pipeline.build(root, output)
    assert len(decoded) == 1  # the second build took the encoded logo from the cache
    images = [
        obj
        for page in PdfReader(output).pages
        for obj in (page["/Resources"].get("/XObject") or {}).values()
        if obj.get_object()["/Subtype"] == "/Image"
    ]
    assert images and images[0].get_object()["/Width"] == 3000
    assert "T, again" in "".join(page.extract_text() for page in PdfReader(output).pages)
