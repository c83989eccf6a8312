"""cli: the `abstractbook` command. Maps outcomes to exit codes; no business logic.

0 success (warnings may be printed), 1 input errors or work that could not be
done (nothing written), 2 a wrong command line (typer's own, or outputs that
collide with each other or with inputs), 130 interrupted, 143 terminated.
"""

from __future__ import annotations

import gc
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from . import __version__
from .building import files, outputs
from .console import interrupted_code
from .errors import BuildError, InputError, Problem
from .project import scaffold

if TYPE_CHECKING:
    from . import pipeline

# The typesetting modules (`pipeline` and what it loads: reportlab, pyphen, fonts) are
# imported by the commands that typeset, so `import` and `new` start quickly.

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="Typeset a scientific meeting's abstract book from YAML records.",
)


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"abstractbook {__version__}")
        raise typer.Exit(0)


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            "-V",
            callback=_show_version,
            is_eager=True,
            help="Print the version and exit.",
        ),
    ] = False,
) -> None:
    """Typeset a scientific meeting's abstract book from YAML records."""


ProjectArg = Annotated[
    Path | None,
    typer.Argument(
        help="The book project folder or its book.yaml (default: the project in the "
        "current folder, else the bundled sample book)."
    ),
]


def _err(text: str) -> None:
    sys.stderr.write(text + "\n")


def _print_problems(problems: list[Problem], *, writes: bool = True) -> None:
    """Every problem, then their count (and, for a command that writes, that it did not)."""
    for p in problems:
        _err(str(p))
    errors = sum(1 for p in problems if p.level.value == "error")
    _err(f"{errors} error(s); nothing was written." if writes else f"{errors} error(s).")


def _fail(problems: list[Problem], *, writes: bool = True) -> NoReturn:
    _print_problems(problems, writes=writes)
    raise typer.Exit(1)


@contextmanager
def _input_checked(*, writes: bool = True, one_line: bool = False) -> Iterator[None]:
    """The one place bad input meets the user: every problem, then exit 1. With
    `one_line`, a single problem is said on one line."""
    try:
        yield
    except InputError as e:
        if one_line and len(e.problems) == 1:
            _err(f"{e.problems[0]}; nothing was written.")
            raise typer.Exit(1) from None
        _fail(e.problems, writes=writes)
    except BuildError as e:
        _fail([e.problem], writes=writes)


def _project(project: Path | None) -> Path:
    """The project named, or its folder when `book.yaml` itself is named; else the one in
    the current folder; the bundled sample only where there is none (SPEC §2)."""
    from .pipeline import sample_project

    if project is None:
        return Path(".") if Path("book.yaml").is_file() else sample_project()
    if project.name in ("book.yaml", "book.yml") and not project.is_dir():
        return project.parent
    return project


def _output(root: Path, given: Path | None, name: str) -> Path:
    """`-o` as given, else `PROJECT/build/<name>`; the sample, inside the installed
    package, builds to `./build/` under the current folder."""
    from .pipeline import sample_project

    if given is not None:
        return given
    if root.resolve() == sample_project().resolve():
        return Path("build") / name
    return root / "build" / name


def _refuse(command: str, problems: list[str]) -> None:
    """Outputs that would overwrite each other or an input: a wrong command line."""
    if problems:
        for problem in problems:
            _err(f"abstractbook {command}: {problem}")
        _err("nothing was written.")
        raise typer.Exit(2)


def _book_outputs(output: Path, report: Path | None) -> dict[str, Path]:
    from .pipeline import manifest_path

    named = {"-o": output, "its manifest": manifest_path(output)}
    return named | ({"--report": report} if report is not None else {})


OutputOpt = Annotated[
    Path | None,
    typer.Option("-o", "--output", help="The PDF to write (default: PROJECT/build/book.pdf)."),
]
ReportOpt = Annotated[
    Path | None, typer.Option("--report", help="Also write the change report as JSON.")
]


StandardOpt = Annotated[
    str | None,
    typer.Option(
        "--standard",
        help="PDF standards, comma-separated, instead of book.yaml's pdf.standard: "
        "x-4, a-2b, a-2u, ua-1 (none: a plain PDF).",
    ),
]


def _standards(given: str | None, command: str) -> tuple[str, ...] | None:
    """`--standard x-4,ua-1` as names; a name or a combination no file can claim is a
    wrong command line."""
    from .project.standards import STANDARDS, combination_problem, ordered, standard_name

    if given is None:
        return None
    words = [w for w in given.split(",") if w.strip()]
    if [w.strip().lower() for w in words] == ["none"]:
        return ()
    names = tuple(standard_name(w) for w in words)
    unknown = [n for n in names if n not in STANDARDS]
    problems = [f"--standard: unknown standard '{n}' (use {', '.join(STANDARDS)})" for n in unknown]
    why = None if unknown else combination_problem(names)
    _refuse(command, problems + ([f"--standard: {why}"] if why else []))
    return ordered(names)


@app.command()
def build(
    project: ProjectArg = None,
    output: OutputOpt = None,
    report: ReportOpt = None,
    standard: StandardOpt = None,
) -> None:
    """Typeset the booklet (default output PROJECT/build/book.pdf) and report what changed."""
    standards = _standards(standard, "build")
    root = _project(project)
    output = _output(root, output, "book.pdf")
    _refuse("build", outputs.collisions(root, _book_outputs(output, report)))
    _build_once(root, output, report, standards)


_KEPT: list[pipeline.BuildResult] = []  # the last build, freed by the next one or at exit


def _build_once(
    root: Path, output: Path, report: Path | None, standards: tuple[str, ...] | None = None
) -> None:
    """One build with its summary and change report; on bad input, the errors and Exit(1).

    The result is kept (`_KEPT`): freeing a big book object by object costs more than
    the command's exit, which frees nothing (see `_leave`); `watch` lets it go."""
    from . import pipeline

    _KEPT.clear()
    for path in pipeline.finish_interrupted(output, report):
        _err(f"{path}: written now, as the build killed while writing it had made it")
    with _input_checked():
        try:  # the PDF, its manifest and the report are replaced together
            result = pipeline.build(
                root, output, keep_pages=False, report=report, standards=standards
            )
        except OSError as e:  # before the new files replace the old ones: nothing changed
            _err(f"{_os_error(e)}; the previous output is unchanged.")
            raise typer.Exit(1) from None
        except outputs.Unfinished as e:
            _err(str(e))
            raise typer.Exit(1) from None
    n = len(result.book.entries)
    warned = f", {len(result.warnings)} warning(s)" if result.warnings else ""
    # The result first, then what to look at: a build that worked says so on its first line.
    typer.echo(
        f"{result.output}: {result.pages} pages, {n} abstracts{warned}, {result.seconds:.2f} s"
    )
    for w in result.warnings:
        _err(str(w))
    if result.report is not None:
        for line in result.report.lines():
            typer.echo(f"  {line}")
    _KEPT.append(result)


@app.command()
def program(
    project: ProjectArg = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o", "--output", help="The PDF to write (default PROJECT/build/program.pdf)."
        ),
    ] = None,
    report: ReportOpt = None,
    book: Annotated[
        Path | None,
        typer.Option(
            "--book",
            help="The built book whose page numbers to print (default: book.pdf beside "
            "the programme, else PROJECT/build/book.pdf).",
        ),
    ] = None,
) -> None:
    """Typeset the pocket programme: grids, sessions and talks, speaker index."""
    from . import programme

    root = _project(project)
    output = _output(root, output, "program.pdf")
    named = {"-o": output} | ({"--report": report} if report is not None else {})
    _refuse("program", outputs.collisions(root, named))
    try:
        result = programme.build_program(root, output, book)
    except InputError as e:
        _fail(e.problems)
    except BuildError as e:
        _fail([e.problem])
    for w in result.book.warnings:
        _err(str(w))
    talks = len(result.book.entries)
    pages = "no book built"
    if result.book_manifest:
        some = f" for {result.paged} of {talks} talks" if result.paged < talks else ""
        pages = f"book pages from {result.book_manifest}{some}"
    typer.echo(f"{result.output}: {result.pages} pages ({pages}), {result.seconds:.2f} s")
    if result.report is not None:
        for line in result.report.lines():
            typer.echo(f"  {line}")
    if report is not None:
        text = result.report.to_json() if result.report else "null\n"
        files.write_atomic(report, text.encode("utf-8"))


@app.command()
def watch(
    project: ProjectArg = None,
    output: OutputOpt = None,
    report: ReportOpt = None,
) -> None:
    """Rebuild on every saved change, printing the change report; Ctrl-C stops."""
    import watchfiles

    root = _project(project)
    output = _output(root, output, "book.pdf")
    _refuse("watch", outputs.collisions(root, _book_outputs(output, report)))
    own = {p.resolve() for p in _book_outputs(output, report).values()}
    cache = (output.parent / ".abstractbook-cache").resolve()

    def relevant(_: object, name: str) -> bool:
        """A saved input, never one of the build's own files: its outputs and their
        temporary files (by their paths: the outputs may sit anywhere, in the
        project or above it) and its cache."""
        path = Path(name).resolve()
        if path.suffix.lower() not in WATCHED or path in own or path.is_relative_to(cache):
            return False
        return not path.name.endswith(files.PART)

    with suppress(typer.Exit):  # bad input is printed; watching goes on
        _build_once(root, output, report)
    _KEPT.clear()
    gc.collect()  # while waiting for the next save (see `main`)
    typer.echo(f"watching {root} (Ctrl-C to stop)")
    for changes in watchfiles.watch(root, watch_filter=relevant, debounce=300, step=50):
        names = sorted({Path(n).name for _, n in changes})
        typer.echo(f"changed: {', '.join(names)}")
        try:
            _build_once(root, output, report)
        except typer.Exit:
            _err(f"the last good PDF stays at {output}")
        _KEPT.clear()
        gc.collect()


WATCHED = {".yaml", ".yml", ".ttf", ".ttc", ".otf", ".png", ".jpg", ".jpeg", ".svg", ".pdf"}


@app.command(name="export")
def export_(
    project: ProjectArg = None,
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="The folder to write (default: PROJECT/build/talks)."),
    ] = None,
    only: Annotated[
        str | None, typer.Option("--only", help="Comma-separated ids: export just these.")
    ] = None,
    standard: StandardOpt = None,
) -> None:
    """One PDF per talk (DIR/<id>.pdf) and DIR/talks.json for the web site."""
    from . import pipeline

    standards = _standards(standard, "export")
    wanted = {i.strip() for i in only.split(",") if i.strip()} if only is not None else None
    started = time.perf_counter()
    root = _project(project)
    output = _output(root, output, "talks")
    _refuse("export", outputs.folder_collisions(root, "-o", output))
    with _input_checked(), _progress("typesetting talks") as progress:
        result = pipeline.export_talks(root, output, wanted, progress, standards)
    for name in result.removed:
        typer.echo(f"removed {output / name} (no such talk any more)")
    typer.echo(
        f"{output}: {len(result.written)} written, {len(result.unchanged)} unchanged, "
        f"{len(result.removed)} removed, {time.perf_counter() - started:.2f} s"
    )


@contextmanager
def _progress(label: str) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on a terminal; nothing when the output is a file or a pipe."""
    if not sys.stdout.isatty():
        yield None
        return
    from rich.progress import Progress

    with Progress(transient=True) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


class Format(StrEnum):
    pretalx = "pretalx"
    frab = "frab"
    indico = "indico"
    easychair = "easychair"


@app.command(name="import")
def import_(
    fmt: Annotated[
        Format, typer.Argument(metavar="FORMAT", help="pretalx, frab, indico or easychair.")
    ],
    sources: Annotated[list[Path], typer.Argument(metavar="SOURCE...", help="The export files.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="The project folder.")] = Path(
        "book"
    ),
    update: Annotated[
        bool, typer.Option("--update", help="Bring an earlier import up to date.")
    ] = False,
    timezone: Annotated[
        str | None,
        typer.Option("--timezone", help="The meeting's time zone, e.g. America/Sao_Paulo."),
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Fail on conflicts.")] = False,
    session_gap: Annotated[
        int,
        typer.Option(
            "--session-gap",
            min=1,
            metavar="MINUTES",
            help="Sources without sessions: a room empty this long ends a session (default 60).",
        ),
    ] = 60,
    keep_unassigned: Annotated[
        bool,
        typer.Option("--keep-unassigned", help="Keep talks without speakers (author N.N.)."),
    ] = False,
    decisions: Annotated[
        str,
        typer.Option(
            "--decisions",
            metavar="LIST",
            help="EasyChair: the decisions to import, comma-separated "
            "(e.g. accept,'no decision'); default: accept.",
        ),
    ] = "accept",
) -> None:
    """Turn a pretalx, frab, Indico or EasyChair export into a book project, or update one."""
    from .importing import import_project  # its HTML parser is only needed here

    _refuse("import", outputs.import_collisions(sources, output))
    with _input_checked(one_line=True):  # a source refused for one reason: one line
        result = import_project(
            fmt.value,
            sources,
            output,
            update=update,
            timezone=timezone,
            session_gap=session_gap,
            keep_unassigned=keep_unassigned,
            decisions=tuple(d.strip() for d in decisions.split(",") if d.strip()),
        )
    for w in result.warnings:
        _err(str(w))
    for item in result.skipped:
        typer.echo(f"skipped  {item}")
    for name in result.vanished:
        typer.echo(f"vanished {name} (no longer in the source; its file is kept)")
    for name, diff in result.conflicts:
        typer.echo(f"conflict {name}: edited here and changed in the source; kept yours")
        typer.echo(diff)
    counts = [  # abstracts only: program.yaml is reported on its own
        [x for x in found if x != "program.yaml"]
        for found in (result.added, result.updated, result.unchanged)
    ]
    if "program.yaml" in result.added + result.updated:
        typer.echo(f"wrote {output / 'program.yaml'}")
    typer.echo(
        f"{output}: {len(counts[0])} abstract(s) added, {len(counts[1])} updated, "
        f"{len(counts[2])} unchanged, {len(result.vanished)} vanished, "
        f"{len(result.conflicts)} conflict(s)"
    )
    if strict and result.conflicts:
        _err(f"{len(result.conflicts)} conflict(s), failing because of --strict.")
        raise typer.Exit(1)


@app.command()
def new(directory: Annotated[Path, typer.Argument(help="The folder to create.")]) -> None:
    """Scaffold a small working project to start from."""
    try:
        written = scaffold.write_project(directory)
    except scaffold.NotEmptyError as e:
        _err(str(e))
        raise typer.Exit(1) from None
    for path in written:
        typer.echo(f"wrote {path}")
    typer.echo(f"next: abstractbook build {directory}")


@app.command()
def check(
    project: ProjectArg = None,
    strict: Annotated[bool, typer.Option("--strict", help="Fail on warnings too.")] = False,
) -> None:
    """Validate the project and preflight it without writing a PDF."""
    from . import pipeline
    from .building import preflight

    with _input_checked(writes=False):
        book = pipeline.load_book(_project(project))
    problems = preflight.check_book(book)
    for w in problems:
        _err(str(w))
    if strict and problems:
        _err(f"{len(problems)} warning(s), failing because of --strict.")
        raise typer.Exit(1)
    typer.echo(f"{len(book.entries)} abstracts, {len(problems)} warning(s): ok")


def main() -> None:
    """Console entry point: Ctrl-C exits 130, and no traceback ever reaches the user.

    The cycle collector stays off: a command's objects (a book's millions of them)
    form no cycles worth a scan, and a scan of them all costs a twentieth of a
    rebuild; `watch` collects while it waits."""
    gc.disable()
    try:
        code = app(standalone_mode=False)
        if code == 130:  # typer's answer to a KeyboardInterrupt in a command
            raise KeyboardInterrupt
    except (KeyboardInterrupt, typer.Abort):  # Ctrl-C, or SIGTERM (see console)
        _stop_workers()
        _err("interrupted; no file was left half-written.")
        _leave(interrupted_code())
    except typer.Exit as e:
        _leave(e.exit_code)
    except OSError as e:  # the disk said no: a full disk, a folder in the way, no rights
        _err(_os_error(e))
        sys.exit(1)
    except Exception as e:
        show, exit_code = getattr(e, "show", None), getattr(e, "exit_code", None)
        if callable(show) and isinstance(exit_code, int):  # a command-line mistake
            show()
            sys.exit(exit_code)
        _err(f"internal error: {type(e).__name__}: {e}")  # a bug of ours: no traceback
        _err("please report this with the project that caused it.")
        sys.exit(1)
    _leave(code if isinstance(code, int) else 0)


def _stop_workers() -> None:
    """Workers leave interrupts to the command (see console); the command stops those
    still running, which would otherwise finish their job and find no one to hand
    it to."""
    import multiprocessing

    children = multiprocessing.active_children()
    for child in children:
        child.kill()
    for child in children:
        child.join(timeout=5)


def _os_error(e: OSError) -> str:
    name = e.filename2 or e.filename  # for a rename, the target is what the user named
    where = f"{name}: " if name else ""
    return f"{where}cannot write or read: {e.strerror or e}"


def _leave(code: int) -> None:
    """Exit without the interpreter's teardown, which frees a big book's objects one by
    one (a twentieth of a rebuild). The command is done: its files are written and
    closed, its workers gone; only the console's buffers remain, flushed here."""
    for stream in (sys.stdout, sys.stderr):
        with suppress(OSError):  # a reader gone (`| head`) changes nothing
            stream.flush()
    os._exit(code)
