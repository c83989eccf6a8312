"""The command line as a user meets it: exit codes, messages, no tracebacks."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from abstractbook import pipeline
from abstractbook.project import scaffold

SAMPLE = pipeline.sample_project()


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "abstractbook", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_build_default_sample(tmp_path: Path) -> None:
    r = run("build", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "build" / "book.pdf").exists()
    assert "25 abstracts" in r.stdout
    again = run("build", cwd=tmp_path)
    assert "no changes since the last build" in again.stdout


def test_the_project_is_found_and_its_output_goes_into_it(tmp_path: Path) -> None:
    assert run("new", "one", cwd=tmp_path).returncode == 0
    assert run("new", "two", cwd=tmp_path).returncode == 0
    r = run("build", cwd=tmp_path / "one")  # the project in the current folder, not the sample
    assert r.returncode == 0, r.stderr
    assert "3 abstracts" in r.stdout  # the scaffold's three, not the sample's 25
    assert run("build", "two/book.yaml", cwd=tmp_path).returncode == 0  # book.yaml named
    assert (tmp_path / "one" / "build" / "book.pdf").exists()
    assert (tmp_path / "two" / "build" / "book.pdf").exists()
    assert not (tmp_path / "build").exists()
    r = run("export", "--only", "hopper", cwd=tmp_path / "one")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "one" / "build" / "talks" / "hopper.pdf").exists()


@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_version(tmp_path: Path, flag: str) -> None:
    from abstractbook import __version__

    r = run(flag, cwd=tmp_path)
    assert r.returncode == 0
    assert r.stdout.strip() == f"abstractbook {__version__}"


@pytest.mark.parametrize("args", [("-h",), ("build", "-h")])
def test_short_help(tmp_path: Path, args: tuple[str, ...]) -> None:
    r = run(*args, cwd=tmp_path)
    assert r.returncode == 0
    assert "Usage:" in r.stdout


def test_check_does_not_claim_to_have_written_nothing(tmp_path: Path) -> None:
    assert run("new", "book", cwd=tmp_path).returncode == 0
    (tmp_path / "book" / "abstracts" / "hopper.yaml").write_text("id: hopper\ntitel: x\n")
    r = run("check", "book", cwd=tmp_path)
    assert r.returncode == 1
    assert "nothing was written" not in r.stderr
    assert r.stderr.strip().splitlines()[-1].endswith("error(s).")


def test_a_build_with_warnings_opens_with_its_result(tmp_path: Path) -> None:
    """`make book` on the sample: the first line says what was built, then its warning."""
    r = subprocess.run(
        [sys.executable, "-m", "abstractbook", "build"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=120,
    )
    lines = r.stdout.splitlines()
    assert lines[0].startswith("build/book.pdf: ") and "1 warning(s)" in lines[0]
    assert "mizrahi" in lines[1]


def test_bad_input_exit_1_no_traceback_old_pdf_kept(tmp_path: Path) -> None:
    assert run("new", "book", cwd=tmp_path).returncode == 0
    assert run("build", "book", cwd=tmp_path).returncode == 0
    pdf = tmp_path / "book" / "build" / "book.pdf"
    before = pdf.read_bytes()
    (tmp_path / "book" / "abstracts" / "hopper.yaml").write_text("id: hopper\ntitel: x\n")
    r = run("build", "book", cwd=tmp_path)
    assert r.returncode == 1
    assert "Traceback" not in r.stderr
    assert "book/abstracts/hopper.yaml:2:1:" in r.stderr
    assert "did you mean" in r.stderr
    assert pdf.read_bytes() == before


@pytest.mark.parametrize("command", ["build", "check", "export"])
def test_every_command_reports_bad_input_the_same_way(tmp_path: Path, command: str) -> None:
    scaffold.write_project(tmp_path / "book")
    (tmp_path / "book" / "abstracts" / "hopper.yaml").write_text("id: hopper\ntitel: x\n")
    r = run(command, "book", cwd=tmp_path)
    assert r.returncode == 1
    assert "Traceback" not in r.stderr
    lines = r.stderr.splitlines()
    assert "book/abstracts/hopper.yaml:2:1: unknown key 'titel' (did you mean 'title'?)" in lines
    assert "book/abstracts/hopper.yaml:1:1: missing required key 'authors'" in lines
    writes = "" if command == "check" else "; nothing was written"  # check writes nothing
    assert lines[-1] == f"2 error(s){writes}."
    assert not (tmp_path / "build").exists()


def test_check_warnings_and_strict(tmp_path: Path) -> None:
    r = run("check", cwd=tmp_path)
    assert r.returncode == 0
    assert "mizrahi" in r.stderr
    assert run("check", "--strict", cwd=tmp_path).returncode == 1
    assert not (tmp_path / "build").exists()


def test_new_refuses_a_folder_with_files(tmp_path: Path) -> None:
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("keep")
    r = run("new", "full", cwd=tmp_path)
    assert r.returncode == 1
    assert (tmp_path / "full" / "x").read_text() == "keep"


@pytest.mark.parametrize("args", [("bogus",), ("build", "--nonsense"), ()])
def test_wrong_command_line_exit_2(tmp_path: Path, args: tuple[str, ...]) -> None:
    r = run(*args, cwd=tmp_path)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr


def test_export_only_unknown_exit_1(tmp_path: Path) -> None:
    r = run("export", "--only", "nobody", cwd=tmp_path)
    assert r.returncode == 1
    assert not (tmp_path / "build" / "talks").exists() or not list(
        (tmp_path / "build" / "talks").iterdir()
    )


def test_report_json(tmp_path: Path) -> None:
    run("build", cwd=tmp_path)
    r = run("build", "--report", "r.json", cwd=tmp_path)
    assert r.returncode == 0
    assert '"changed": []' in (tmp_path / "r.json").read_text()


def test_watch_rebuilds_reports_and_survives_errors(tmp_path: Path) -> None:
    import os
    import queue
    import signal
    import threading
    import time

    assert run("new", "book", cwd=tmp_path).returncode == 0
    proc = subprocess.Popen(
        [sys.executable, "-m", "abstractbook", "watch", "book"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=dict(os.environ, PYTHONUNBUFFERED="1"),
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(x) for x in proc.stdout or []], daemon=True).start()

    def wait_for(text: str) -> str:
        deadline = time.monotonic() + 60
        seen = []
        while time.monotonic() < deadline:
            try:
                line = lines.get(timeout=1)
            except queue.Empty:
                continue
            seen.append(line)
            if text in line:
                return line
        raise AssertionError(f"{text!r} not printed; got {seen}")

    try:
        wait_for("watching")
        time.sleep(2)  # the watcher starts just after it says so
        pdf = tmp_path / "book" / "build" / "book.pdf"
        path = tmp_path / "book" / "abstracts" / "hopper.yaml"
        path.write_text(path.read_text().replace("Compilers for everyone", "Compilers for all"))
        wait_for("changed  hopper (title)")
        good = pdf.read_bytes()
        path.write_text("id: hopper\ntitle: [unclosed\n")
        wait_for("the last good PDF stays")
        assert pdf.read_bytes() == good
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 130
    finally:
        proc.kill()
        proc.wait()
        if proc.stdout:
            proc.stdout.close()


def test_import_then_build(tmp_path: Path) -> None:
    fixtures = Path(__file__).parent / "fixtures" / "import" / "pretalx"
    r = run(
        "import",
        "pretalx",
        str(fixtures / "schedule.json"),
        str(fixtures / "speakers.csv"),
        "-o",
        "book",
        cwd=tmp_path,
    )
    assert r.returncode == 0, r.stderr
    assert "skipped  Coffee break" in r.stdout
    assert run("build", "book", cwd=tmp_path).returncode == 0
    again = run("import", "pretalx", str(fixtures / "schedule.json"), "-o", "book", cwd=tmp_path)
    assert again.returncode == 1  # not an empty folder, and no --update
    assert "Traceback" not in again.stderr


def test_import_bad_source_exit_1(tmp_path: Path) -> None:
    (tmp_path / "schedule.json").write_text('{"schedule": {"conference": [}}')
    r = run("import", "pretalx", "schedule.json", "-o", "book", cwd=tmp_path)
    assert r.returncode == 1
    assert "schedule.json" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "book").exists()


def test_unwritable_output_is_a_clean_error(tmp_path: Path) -> None:
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "book.pdf").mkdir()  # a folder where the PDF should go
    r = run("build", "-o", "taken/book.pdf", cwd=tmp_path)
    assert r.returncode == 1
    assert "Traceback" not in r.stderr and "internal error" not in r.stderr
    assert "book.pdf" in r.stderr


def _watch(tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    import os

    return subprocess.Popen(
        [sys.executable, "-m", "abstractbook", "watch", *args],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ, PYTHONUNBUFFERED="1"),
    )


def _wait_until(check: Callable[[], bool], seconds: float = 30) -> bool:
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


def test_watch_with_its_outputs_in_the_project_and_above_it(tmp_path: Path) -> None:
    """Outputs in the watched folder or a parent neither hide saves nor trigger builds."""
    import signal
    import time

    assert run("new", "book", cwd=tmp_path).returncode == 0
    pdf = tmp_path / "book" / "book.pdf"
    proc = _watch(tmp_path, "book", "-o", "book/book.pdf", "--report", "report.yaml")
    try:
        assert _wait_until(lambda: pdf.exists() and (tmp_path / "report.yaml").exists())
        time.sleep(2)  # the watcher starts just after the first build
        path = tmp_path / "book" / "abstracts" / "hopper.yaml"
        path.write_text(path.read_text().replace("Compilers for everyone", "Compilers for all"))
        assert _wait_until(lambda: "Compilers for all" in (tmp_path / "report.yaml").read_text())
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
        proc.communicate()
    assert out.count("changed: ") == 1, out
    assert proc.returncode == 143
    assert "Traceback" not in err and "interrupted" in err


def test_workers_leave_ctrl_c_to_their_parent(tmp_path: Path) -> None:
    """Ctrl-C reaches every process of the terminal's group: workers print nothing."""
    import os
    import signal

    script = (
        "import sys, time\n"
        "from abstractbook import parallel\n"
        "def nap(context, seconds):\n"
        "    time.sleep(seconds)\n"
        "try:\n"
        "    naps = parallel.fork_map(nap, None, [0, 5, 5, 5, 5], 2)\n"
        "    next(naps)\n"
        "    print('ready', flush=True)\n"
        "    list(naps)\n"
        "except KeyboardInterrupt:\n"
        "    sys.exit(130)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert proc.stdout is not None and proc.stdout.readline() == "ready\n"
    import time

    time.sleep(0.5)
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert err == ""


def test_export_only_in_capitals_hints_that_ids_are_lower_case(tmp_path: Path) -> None:
    assert run("new", "book", cwd=tmp_path).returncode == 0
    r = run("export", "book", "--only", "HOPPER", cwd=tmp_path)
    assert r.returncode == 1
    assert "ids are lower case: did you mean 'hopper'?" in r.stderr


@pytest.mark.parametrize("fmt", ["pretalx", "indico", "easychair"])
def test_import_of_an_unrecognised_file_is_one_line(tmp_path: Path, fmt: str) -> None:
    (tmp_path / "data.json").write_text('{"talks": []}')
    r = run("import", fmt, "data.json", "-o", "book", cwd=tmp_path)
    assert r.returncode == 1
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert r.stderr.startswith("data.json:1:1: ")
    assert not (tmp_path / "book").exists()


def test_new_and_file_writes_leave_the_typesetter_unloaded(tmp_path: Path) -> None:
    """`new` (and anything that only writes files) starts without reportlab and pyphen."""
    script = (
        "import sys\n"
        "from abstractbook.building import files\n"
        "from abstractbook.cli import app\n"
        "app(['new', sys.argv[1]], standalone_mode=False)\n"
        "files.write_atomic(__import__('pathlib').Path(sys.argv[1]) / 'x', b'x')\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'reportlab', 'pyphen'}))\n"
    )
    r = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "book")], capture_output=True, text=True
    )
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "book" / "book.yaml").exists()
    assert r.stdout.splitlines()[-1] == "[]"
