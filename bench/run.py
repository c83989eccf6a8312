"""The benchmark behind SPEC §5: time `abstractbook` as whole processes on synthetic corpora.

    python bench/run.py [--runs 3] [--no-large]

Cases: the sample book; 1,000 abstracts cold (fresh output folder, no cache) and
the same rebuilt after one abstract's body changed, run by run in turn; 1,000
per-talk PDFs (`export`, when the command exists); the pocket programme of the
1,000 (`program`); 3,000 and 10,000 abstracts cold.
Small cases report the median of --runs runs, the large ones a single run. CPU time
and peak RSS come from os.wait4 on the child (its workers included). Prints a
Markdown table, writes bench/results.md.
Corpora and outputs go under build/bench/; those a case is done with wait in
build/bench/trash until the end (`discard`).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from pypdf import PdfReader

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus  # noqa: E402  (bench/corpus.py, beside this file)
import typography  # noqa: E402  (bench/typography.py: the page read back from the PDF)

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "build" / "bench"
RESULTS = ROOT / "bench" / "results.md"
TOOL = Path(sys.executable).parent / "abstractbook"
# Children keep their bytecode, as on a user's machine, but outside the source tree.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
ENV["PYTHONPYCACHEPREFIX"] = str(WORK / "pycache")
PACKAGES = ("abstractbook", "reportlab", "pyphen", "PyYAML", "markdown-it-py", "pypdf", "typer")
# SPEC §5's reference figures for Typst on this kind of machine (compare.sh measures them).
TYPST_30, TYPST_1000 = 0.45, 7.0


@dataclass(frozen=True)
class Run:
    wall: float  # seconds
    cpu: float  # user + system seconds
    peak_mib: float


@dataclass(frozen=True)
class Row:
    case: str
    abstracts: int
    runs: list[Run]
    pages: int | None = None
    target: str = ""
    note: str = ""
    cold: bool = False
    per_abstract: bool = True  # false where time per abstract means nothing (a rebuild)

    @property
    def wall(self) -> float:
        return statistics.median(r.wall for r in self.runs)

    @property
    def cpu(self) -> float:
        return statistics.median(r.cpu for r in self.runs)

    @property
    def peak_mib(self) -> float:
        return max(r.peak_mib for r in self.runs)


class Failed(Exception):
    """The child exited non-zero; the message is its command, exit code and last words."""

    def __init__(self, args: list[str], code: int, stderr: str) -> None:
        lines = [line for line in stderr.splitlines() if line.strip()]
        self.summary = f"exit {code}: {lines[0][:100] if lines else 'no message'}"
        super().__init__(f"{' '.join(args)}\n{self.summary}\n" + "\n".join(lines[-10:]))


def run(args: list[str | Path], cwd: Path) -> Run:
    """One whole process; its wall time, CPU time and peak RSS (os.wait4 on the child)."""
    command = [str(a) for a in args]
    started = time.monotonic()
    child = subprocess.Popen(
        command, cwd=cwd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    assert child.stderr is not None
    with child.stderr:
        errors = child.stderr.read()  # small: a one-screen summary at most
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.monotonic() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise Failed(command, child.returncode, errors.decode(errors="replace"))
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


# Folders a case is done with, moved here and deleted when the benchmark ends. On a
# file system that holds back inodes freed in the last half minute (ext4 without a
# journal, as on this machine), every file created meanwhile in the same block group
# first skips each of them: an export right after the previous one was deleted spent
# half as much again creating its files, and after several deletions six times as
# much (README: Speed).
TRASH = WORK / "trash"


def discard(folder: Path) -> None:
    """`folder` out of the way now, deleted at the end (`empty_trash`)."""
    if folder.exists():
        TRASH.mkdir(parents=True, exist_ok=True)
        folder.rename(TRASH / f"{folder.name}.{time.monotonic_ns()}")


# How long the file system holds freed inodes back (30 s, 35 s for a block not yet written).
FORGETS = 35.0


def empty_trash() -> float:
    """Deletes the trash; returns when its inodes are free again (`time.monotonic`)."""
    shutil.rmtree(TRASH, ignore_errors=True)
    return time.monotonic() + FORGETS


def fresh(folder: Path) -> Path:
    discard(folder)
    folder.mkdir(parents=True)
    return folder


def forget(project: Path, out: Path) -> Path:
    """A cold start: an empty output folder and no state the tool kept in the project."""
    for state in (project / "build", project / ".abstractbook"):
        discard(state)
    return fresh(out)


def page_count(pdf: Path) -> int:
    return len(PdfReader(pdf).pages)


def progress(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def make_corpus(n: int) -> Path:
    project = WORK / f"c{n}"
    progress(f"corpus: {n} abstracts -> {project}")
    discard(project)
    corpus.generate(n, project)
    return project


def bench_sample(runs: int) -> Row:
    run([TOOL, "build"], cwd=fresh(WORK / "sample"))  # untimed: fills the bytecode cache
    results = []
    for _ in range(runs):
        out = fresh(WORK / "sample")
        results.append(run([TOOL, "build"], cwd=out))
    pages = page_count(WORK / "sample" / "build" / "book.pdf")
    n = len(list((ROOT / "data" / "dlbrain2019" / "abstracts").glob("*.yaml")))
    target = f"≤ 2 × Typst at 30 (≈ {2 * TYPST_30:.2f} s)"
    return Row("sample book (`abstractbook build`)", n, results, pages, target)


def bench_cold(project: Path, n: int, runs: int, target: str = "") -> Row:
    results = []
    out = WORK / f"out{n}"
    for _ in range(runs):
        forget(project, out)
        results.append(run([TOOL, "build", project, "-o", out / "book.pdf"], cwd=out))
    pages = page_count(out / "book.pdf")
    return Row(f"{n:,} abstracts, cold", n, results, pages, target, cold=True)


def bench_cold_and_rebuild(project: Path, n: int, runs: int, target: str) -> list[Row]:
    """Cold builds (a fresh output folder each) and rebuilds after one change (a body
    edited with a new sentence, into a folder built before), alternating run by run
    as compare.sh does, so that the machine's drift hits both alike."""
    cold_out, warm_out = WORK / f"out{n}", WORK / f"warm{n}"
    record = sorted((project / "abstracts").glob("*.yaml"))[n // 2]
    original = record.read_text(encoding="utf-8")
    colds, rebuilds = [], []
    run([TOOL, "build", project, "-o", fresh(warm_out) / "book.pdf"], cwd=warm_out)
    try:
        for k in range(1, runs + 1):
            forget(project, cold_out)
            colds.append(run([TOOL, "build", project, "-o", cold_out / "book.pdf"], cwd=cold_out))
            late = f"body: |\n  A late sentence, revision {k}, was added to this abstract.\n"
            record.write_text(original.replace("body: |\n", late, 1), encoding="utf-8")
            rebuilds.append(
                run([TOOL, "build", project, "-o", warm_out / "book.pdf"], cwd=warm_out)
            )
            record.write_text(original, encoding="utf-8")
    finally:
        record.write_text(original, encoding="utf-8")
    pages = page_count(cold_out / "book.pdf")
    return [
        Row(f"{n:,} abstracts, cold", n, colds, pages, target, cold=True),
        Row(
            f"{n:,} abstracts, rebuild after one change",
            n,
            rebuilds,
            None,
            f"≤ 0.12 × Typst cold (≈ {0.12 * TYPST_1000:.2f} s)",
            f"edited {record.name}",
            per_abstract=False,
        ),
    ]


def has_export() -> bool:
    shown = subprocess.run([TOOL, "--help"], capture_output=True, text=True, env=ENV).stdout
    return re.search(r"^\W*export\s", shown, re.MULTILINE) is not None


def bench_export(project: Path, n: int, runs: int) -> Row:
    name = f"{n:,} per-talk PDFs (`export`)"
    target = f"≤ 0.6 × Typst cold book (≈ {0.6 * TYPST_1000:.1f} s)"
    if not has_export():
        return Row(name, n, [], None, target, "not implemented")
    results = []
    out = WORK / f"talks{n}"
    for _ in range(runs):
        forget(project, out)
        results.append(run([TOOL, "export", project, "-o", out / "talks"], cwd=out))
    pdfs = len(list((out / "talks").glob("*.pdf")))
    return Row(name, n, results, None, target, f"{pdfs} PDFs written")


def bench_program(project: Path, n: int, runs: int) -> Row:
    """The pocket programme (`abstractbook program`), cold: no book built beside it."""
    results = []
    out = WORK / f"program{n}"
    for _ in range(runs):
        forget(project, out)
        results.append(run([TOOL, "program", project, "-o", out / "program.pdf"], cwd=out))
    pages = page_count(out / "program.pdf")
    return Row(f"{n:,} talks, pocket programme (`program`), cold", n, results, pages, "< 2 s")


def safely(label: str, measure: Callable[..., Row], *args: object) -> Row:
    """A failed case becomes a row saying so; the other cases still run."""
    progress(f"bench: {label}")
    try:
        return measure(*args)
    except Failed as e:
        progress(str(e))
        return Row(label, 0, [], None, "", f"failed ({e.summary})")


def table(rows: list[Row]) -> str:
    head = (
        "| case | runs | wall s | CPU s | peak MiB | pages | pages/s | ms/abstract "
        "| target (SPEC §5) | note |\n|---|---:|---:|---:|---:|---:|---:|---:|---|---|\n"
    )
    lines = []
    for r in rows:
        if not r.runs:
            lines.append(f"| {r.case} | 0 | – | – | – | – | – | – | {r.target} | {r.note} |")
            continue
        pages = f"{r.pages:,}" if r.pages else "–"
        rate = f"{r.pages / r.wall:.0f}" if r.pages else "–"
        per = f"{1000 * r.wall / r.abstracts:.2f}" if r.abstracts and r.per_abstract else "–"
        lines.append(
            f"| {r.case} | {len(r.runs)} | {r.wall:.2f} | {r.cpu:.2f} | {r.peak_mib:.0f} "
            f"| {pages} | {rate} | {per} | {r.target} | {r.note} |"
        )
    return head + "\n".join(lines) + "\n"


def scaling(rows: list[Row]) -> str:
    """The ratios the targets speak of: a rebuild against our own cold build, and
    time per abstract at 3,000 against 1,000."""
    out = ""
    cold = {r.abstracts: r for r in rows if r.cold and r.runs}
    rebuild = next((r for r in rows if "rebuild" in r.case and r.runs), None)
    if rebuild is not None and 1000 in cold:
        ratio = rebuild.wall / cold[1000].wall
        verdict = "met" if ratio < 0.25 else "missed"
        out += (
            f"\nRebuild after one change vs our own cold build, 1,000 abstracts: "
            f"{rebuild.wall:.2f} / {cold[1000].wall:.2f} s = {ratio:.2f} "
            f"(target: under 0.25: {verdict}).\n"
        )
    if 1000 in cold and 3000 in cold:
        per = {n: cold[n].wall / n for n in (1000, 3000)}
        verdict = "met" if per[3000] <= per[1000] else "missed"
        out += (
            f"\nTime per abstract, 3,000 vs 1,000: {1000 * per[3000]:.2f} / "
            f"{1000 * per[1000]:.2f} ms = {per[3000] / per[1000]:.2f} (target ≤ 1.00: {verdict}).\n"
        )
    return out


def machine() -> str:
    cpus = Path("/proc/cpuinfo")
    cpuinfo = cpus.read_text(encoding="utf-8") if cpus.exists() else ""
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.MULTILINE)
    versions = []
    for package in PACKAGES:
        try:
            versions.append(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{package} (not installed)")
    return (
        f"- machine: {model.group(1) if model else platform.processor() or 'unknown CPU'}, "
        f"{os.cpu_count()} cores, {platform.system()} {platform.release()}\n"
        f"- Python {platform.python_version()}; {', '.join(versions)}\n"
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each small case (median)")
    parser.add_argument("--no-large", action="store_true", help="skip 3,000 and 10,000")
    args = parser.parse_args()
    if not TOOL.exists():
        sys.exit(f"no {TOOL}: run 'make book' first")
    if TRASH.exists():  # left by a benchmark that was interrupted
        progress("bench: deleting an interrupted run's folders, waiting for their inodes")
        time.sleep(max(0.0, empty_trash() - time.monotonic()))

    target_1000 = f"≤ 0.6 × Typst (≈ {0.6 * TYPST_1000:.1f} s)"
    c1000 = make_corpus(1000)
    rows = [safely("sample book", bench_sample, args.runs)]
    progress("bench: 1,000 cold and rebuilt after one change, alternating")
    try:
        rows += bench_cold_and_rebuild(c1000, 1000, args.runs, target_1000)
    except Failed as e:
        progress(str(e))
        rows.append(
            Row("1,000 abstracts, cold and rebuild", 0, [], None, "", f"failed ({e.summary})")
        )
    rows.append(safely("1,000 export", bench_export, c1000, 1000, args.runs))
    rows.append(safely("1,000 pocket programme", bench_program, c1000, 1000, args.runs))
    if not args.no_large:
        c3000 = make_corpus(3000)
        rows.append(safely("3,000 cold", bench_cold, c3000, 3000, 1, "ms/abstract ≤ 1,000's"))
        discard(c3000)
        c10000 = make_corpus(10000)
        rows.append(safely("10,000 cold", bench_cold, c10000, 10000, 1, "peak < 1 GB (954 MiB)"))
        discard(c10000)
    forgotten = empty_trash()  # before the typography, which times nothing

    progress("bench: typography of the bench corpus and the sample, read from the PDFs")
    try:
        pages = typography.table(30)
    except (OSError, subprocess.CalledProcessError) as e:
        pages = f"typography not measured ({e})"
    report = (
        "# abstractbook benchmark (`make bench`)\n\n"
        f"{machine()}\n{table(rows)}{scaling(rows)}\n"
        "## The page (justified body lines, word spaces in em of the body size)\n\n"
        f"{pages}\n\n"
        "Whole processes (bytecode cached, as after an install); wall and CPU are medians of\n"
        "the runs; peak is the largest RSS of the child and of any workers it waited for.\n"
        "Typst figures in the targets are SPEC §5's reference values; "
        "`../shared/bench/compare.sh N` measures them side by side.\n"
    )
    RESULTS.write_text(report, encoding="utf-8")
    print(report)
    # a benchmark started right after this one is timed among free inodes, not held ones
    wait = forgotten - time.monotonic()
    if wait > 0:
        progress(f"bench: {wait:.0f} s more, until the deleted folders' inodes are free again")
        time.sleep(wait)


if __name__ == "__main__":
    main()
