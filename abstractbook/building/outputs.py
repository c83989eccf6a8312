"""export, the outputs: where a command may write, and a build's files written together.

A build writes files that must agree: the PDF, its manifest and the change
report. Each is written to a temporary file beside its target, named with the
writing process's id; when all are complete and on disk, a journal naming them
is written, the temporary files are renamed over their targets (Ctrl-C and
SIGTERM wait meanwhile), and the journal is removed. A build killed during the
renames leaves the journal: the next build finishes the renames before anything
else, so the files never stay out of step. Temporary files of processes that no
longer run are removed by the next build or export.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from ..console import signals_held
from ..parallel import in_thread
from ..project.sources import Node, load
from .files import PART, temporary

# -- where a command may write -----------------------------------------------------------


def inside(path: Path, folder: Path) -> bool:
    """Whether `path`, links and `..` resolved, is `folder` or lies inside it."""
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except (OSError, ValueError, RuntimeError):  # a link loop, a NUL in the name
        return False


def same_file(a: Path, b: Path) -> bool:
    try:
        if a.resolve() == b.resolve():
            return True
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except (OSError, ValueError, RuntimeError):
        return False


def _inputs(root: Path) -> tuple[list[Path], list[Path], Path | None]:
    """The project's input files, the folders they sit in, and its abstracts folder
    (None when book.yaml names one file), as book.yaml names them, read leniently:
    validation reports its mistakes later."""
    files = [root / "book.yaml", root / "program.yaml"]
    abstracts = root / "abstracts"
    doc = load(root / "book.yaml") if (root / "book.yaml").is_file() else None
    settings = doc.root.value if doc and doc.root and isinstance(doc.root.value, dict) else {}
    named = settings.get("abstracts")
    if named is not None and isinstance(named.value, str) and named.value.strip():
        abstracts = root / named.value.strip()
    named_files = [root / text for key in ("logo", "fonts") for text in _texts(settings.get(key))]
    folders = [root, *(f.parent for f in named_files)]
    if abstracts.is_file():
        return [*files, *named_files, abstracts], folders, None
    return [*files, *named_files], [*folders, abstracts], abstracts


def _texts(node: Node | None) -> Iterator[str]:
    if node is None:
        return
    if isinstance(node.value, str) and node.value.strip():
        yield node.value.strip()
    elif isinstance(node.value, list):
        for item in node.value:
            yield from _texts(item)
    elif isinstance(node.value, dict):
        for item in node.value.values():
            yield from _texts(item)


def collisions(root: Path, outputs: dict[str, Path]) -> list[str]:
    """What is wrong with a build's output files (`{"-o": path, ...}`): two the same, or
    one that is an input or lies among the records. Empty when all is well."""
    files, _, records = _inputs(root)
    found = []
    named = list(outputs.items())
    for n, (label, path) in enumerate(named):
        for other_label, other in named[:n]:
            if same_file(path, other):
                found.append(f"{label} {path} is the same file as {other_label} {other}")
        hit = next((f for f in files if same_file(path, f)), None)
        if hit is not None:
            found.append(f"{label} {path} would overwrite the input file {hit}")
        elif records is not None and inside(path, records):
            found.append(f"{label} {path} lies in the abstracts folder {records}")
    return found


def folder_collisions(root: Path, label: str, out_dir: Path) -> list[str]:
    """What is wrong with an output folder: it is one the project reads from (its
    subfolders are fine, `build/` among them, but not those of the abstracts)."""
    files, folders, records = _inputs(root)
    for folder in folders:
        if same_file(out_dir, folder) or (folder == records and inside(out_dir, folder)):
            return [f"{label} {out_dir} is the input folder {folder}"]
    if any(same_file(out_dir, f) for f in files):
        return [f"{label} {out_dir} is an input file"]
    return []


def import_collisions(sources: list[Path], project: Path) -> list[str]:
    """Source files that an import into `project` could overwrite: its book.yaml,
    program.yaml, or anything in its abstracts or state folder."""
    written = [project / "book.yaml", project / "program.yaml"]
    folders = [project / "abstracts", project / ".abstractbook"]
    return [
        f"the source {source} lies where the import writes"
        for source in sources
        if any(same_file(source, w) for w in written) or any(inside(source, f) for f in folders)
    ]


# -- temporary files ------------------------------------------------------------------------


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # someone else's process
        return True
    return True


def remove_leftovers(folder: Path, *, deep: bool = False) -> None:
    """Remove the temporary files (`.<name>.<pid>.<random>.part`) of writers that no
    longer run: a build or export killed before it could clean up."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        name = entry.name
        if deep and entry.is_dir(follow_symlinks=False):
            remove_leftovers(Path(entry.path), deep=True)
        elif name.startswith(".") and name.endswith(PART) and entry.is_file(follow_symlinks=False):
            pid = name[: -len(PART)].split(".")[-2]
            if not (pid.isdigit() and _alive(int(pid))):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


# -- files written together -----------------------------------------------------------------


def journal_path(first: Path, pid: int | None = None) -> Path:
    """The journal of the process `pid` (this one by default) writing `first`."""
    return first.with_name(f".{first.name}.{os.getpid() if pid is None else pid}.commit")


def finish_interrupted(targets: list[Path]) -> list[Path]:
    """Finish the renames of builds killed while they made them (their journals say
    which; a running build's journal is its own business): only onto these targets
    or files in the output's folder, from temporary files beside them; a journal
    naming anything else is not followed there. The oldest journal goes first."""
    first = targets[0]
    found = []
    with contextlib.suppress(OSError):
        for entry in os.scandir(first.parent):
            pid = entry.name.removeprefix(f".{first.name}.").removesuffix(".commit")
            if entry.name.endswith(".commit") and pid.isdigit() and not _alive(int(pid)):
                found.append((entry.stat(follow_symlinks=False).st_mtime_ns, entry.path))
    done: list[Path] = []
    with _folder_locked(first.parent):
        for _, name in sorted(found):
            done += _roll_forward(Path(name), targets)
    return done


def _roll_forward(journal: Path, targets: list[Path]) -> list[Path]:
    try:
        pairs = json.loads(journal.read_text("utf-8"))
    except (OSError, ValueError):
        pairs = []
    done = []
    for pair in pairs if isinstance(pairs, list) else []:
        if not (isinstance(pair, list) and len(pair) == 2):
            continue
        temp, target = journal.parent / str(pair[0]), journal.parent / str(pair[1])
        known = inside(target, journal.parent) or any(same_file(target, t) for t in targets)
        beside = same_file(temp.parent, target.parent)
        ours = temp.name.startswith(f".{target.name}.") and temp.name.endswith(PART)
        if known and beside and ours:
            with contextlib.suppress(OSError):  # best done; the build rewrites them all
                os.replace(temp, target)
                done.append(target)
    journal.unlink(missing_ok=True)
    return done


@contextlib.contextmanager
def _folder_locked(folder: Path) -> Iterator[None]:
    """Builds racing to one output take turns at renaming, so that the PDF and the
    manifest in place always come from the same build (a lock on the folder itself,
    where the system has them: no file is left behind)."""
    try:
        import fcntl

        fd = os.open(folder, os.O_RDONLY)
    except (ImportError, OSError):
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def tidy(targets: list[Path], cache: Path | None) -> list[Path]:
    """Before a build: finish what a killed one began, remove what it left half-written.
    Returns the files that the killed build's renames replaced now."""
    done = finish_interrupted(targets)
    for folder in {t.parent for t in targets}:
        remove_leftovers(folder)
    if cache is not None and not any(p.is_symlink() for p in (cache, cache.parent)):
        remove_leftovers(cache, deep=True)  # never through a link: the cache is ours
    return done


class Commit:
    """Files that replace their targets all together or not at all.

    The first target (the PDF) holds the journal beside it. A target that is a
    folder stops everything before a byte is written."""

    def __init__(self, targets: list[Path]) -> None:
        for target in targets:
            if target.is_dir():
                raise IsADirectoryError(errno.EISDIR, "a folder is in the way", str(target))
        self.targets = targets
        self.temps: dict[Path, Path] = {}
        self.syncs: list[_Synced] = []

    def write(self, target: Path, data: bytes) -> None:
        self.write_with(target, lambda f: f.write(data))

    def write_with(self, target: Path, write: Callable[[BinaryIO], object]) -> None:
        """Write `target`'s new content to its temporary file. It reaches the disk in
        a thread meanwhile (the build's remaining work need not wait for the disk);
        `publish` waits for it."""
        fd, temp = temporary(target)
        self.temps[target] = temp
        f = os.fdopen(fd, "wb")
        try:
            write(f)
            f.flush()
            os.chmod(temp, 0o644)
        except BaseException:
            f.close()
            raise
        self.syncs.append(_Synced(f))

    def _synced(self) -> None:
        """Wait until every file written is on the disk; raise the first failure."""
        syncs, self.syncs = self.syncs, []
        failures = [e for e in (s.wait() for s in syncs) if e is not None]
        if failures:
            raise failures[0]

    def discard(self) -> None:
        with contextlib.suppress(OSError):
            self._synced()
        for temp in self.temps.values():
            temp.unlink(missing_ok=True)
        self.temps.clear()

    def publish(self) -> None:
        """Rename every temporary file over its target, the journal kept meanwhile."""
        self._synced()
        journal = journal_path(self.targets[0])
        base = journal.parent
        pairs = [
            [os.path.relpath(temp, base), os.path.relpath(target, base)]
            for target, temp in self.temps.items()
        ]
        done: list[Path] = []
        with signals_held(), _folder_locked(base):
            _write_synced(journal, json.dumps(pairs).encode("utf-8"))
            try:
                for target, temp in self.temps.items():
                    os.replace(temp, target)
                    done.append(target)
            except OSError as e:
                raise Unfinished(target, e, done) from None
            for folder in _folders(self.temps):
                _sync_folder(folder)
            journal.unlink(missing_ok=True)
        self.temps.clear()

    def __enter__(self) -> Commit:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is not None:
            self.discard()
            return
        try:
            self.publish()
        except BaseException:
            if not journal_path(self.targets[0]).exists():  # nothing was renamed
                self.discard()
            raise  # else the next build completes the renames the journal names


class _Synced:
    """A written file being flushed to the disk and closed by a thread of its own (the
    wait for the disk releases the interpreter to the build meanwhile)."""

    def __init__(self, f: BinaryIO) -> None:
        self.f = f
        self.error: OSError | None = None
        self.done = in_thread(self._run)

    def _run(self) -> None:
        try:
            os.fsync(self.f.fileno())
        except OSError as e:
            self.error = e
        try:
            self.f.close()
        except OSError as e:
            self.error = self.error or e

    def wait(self) -> OSError | None:
        """The failure to flush or close the file, if any, once it is done."""
        self.done()
        return self.error


class Unfinished(Exception):
    """Renaming the new files into place failed part way: say which are new."""

    def __init__(self, target: Path, cause: OSError, done: list[Path]) -> None:
        replaced = ", ".join(str(p) for p in done) or "none of the others"
        super().__init__(
            f"{target}: cannot write: {cause.strerror or cause}; {replaced} replaced; "
            "the next build completes the change"
        )


def _folders(paths: Iterable[Path]) -> set[Path]:
    return {p.parent for p in paths}


def _write_synced(path: Path, data: bytes) -> None:
    fd, temp = temporary(path)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    """A rename is durable once its folder is flushed (where the system allows it)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
