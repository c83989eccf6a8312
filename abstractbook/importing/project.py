"""import, the project: converted records -> the files of a book project, new or brought up to date.

A new project is built whole in a temporary folder beside the target and moved
into place, so a failure leaves nothing behind. `--update` first converts
everything, then writes each changed file atomically. What it needs to know
of the last import lives in `.abstractbook/`:

- `import.json`: per file, the hash of the bytes last written (`written`) and
  of the talk's source form (`source`), and any open conflict;
- `base/`: the files as last written, for the diffs of a conflict;
- `incoming/`: the source's version of each file in conflict, to merge by hand.

A file edited locally and changed in the source is a conflict: it is left
alone and listed with both sides' changes. Editing it afterwards (or making it
equal the incoming version) settles the conflict; deleting it takes the
source's version at the next `--update`.
"""

from __future__ import annotations

import difflib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..building.files import write_atomic
from ..digests import digest
from ..errors import InputError, Problem, SourceLocation, error, warning

STATE_DIR = ".abstractbook"
STATE_FILE = "import.json"
STATE_FORMAT = 1


class InlineList(list[str]):
    """A list of short strings, written on one line: `[a, b]`."""


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _flow(dumper: yaml.SafeDumper, value: InlineList) -> yaml.SequenceNode:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=True)


_Dumper.add_representer(str, _str)
_Dumper.add_representer(InlineList, _flow)


def dump(data: Any, header: str = "") -> bytes:
    text = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=88, indent=2)
    return (header + text).encode("utf-8")


def source_hash(source: Any) -> str:
    text = json.dumps(source, sort_keys=True, ensure_ascii=False, default=str)
    return digest(text)


@dataclass(frozen=True)
class Planned:
    """One file the import would write: its path in the project, bytes, source hash."""

    path: str  # relative, POSIX
    label: str  # what reports call it: the record id, or "program.yaml"
    data: bytes
    source: str


@dataclass
class Outcome:
    written: list[Path] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    vanished: list[str] = field(default_factory=list)
    conflicts: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


def is_empty_folder(path: Path) -> bool:
    return not path.exists() or (path.is_dir() and not any(path.iterdir()))


def write_new(out_dir: Path, files: list[Planned], book: bytes, fmt: str) -> Outcome:
    """A new project, built whole in a temporary folder and then moved into place."""
    if not is_empty_folder(out_dir):
        raise InputError(
            [error("not an empty folder; use --update to refresh a project", _loc(out_dir))]
        )
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".import", dir=out_dir.parent))
    try:
        (tmp / "book.yaml").write_bytes(book)
        state = _State.empty(fmt)
        for f in files:
            _put(tmp / f.path, f.data)
            _put(tmp / STATE_DIR / "base" / f.path, f.data)
            state.files[f.path] = {"written": digest(f.data), "source": f.source}
        _put(tmp / STATE_DIR / STATE_FILE, state.dump())
        tmp.chmod(0o755)
        if out_dir.exists():
            out_dir.rmdir()
        os.replace(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    outcome = Outcome(written=[out_dir / "book.yaml"] + [out_dir / f.path for f in files])
    outcome.added = [f.label for f in files]
    return outcome


def _put(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _loc(path: Path) -> SourceLocation:
    return SourceLocation(path)


@dataclass
class _State:
    format: str
    files: dict[str, dict[str, Any]]

    @classmethod
    def empty(cls, fmt: str) -> _State:
        return cls(fmt, {})

    @classmethod
    def load(cls, root: Path) -> _State | None:
        path = root / STATE_DIR / STATE_FILE
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as e:
            problem = error(f"unreadable import state ({e}); delete it", _loc(path))
            raise InputError([problem]) from None
        if not isinstance(data, dict) or not isinstance(data.get("files"), dict):
            raise InputError([error("not an import state file; delete it", _loc(path))])
        for name, entry in data["files"].items():
            if not _valid_entry(name, entry):
                problem = error(f"not an import state file (entry {name!r}); delete it", _loc(path))
                raise InputError([problem])
        return cls(str(data.get("source_format", "")), data["files"])

    def dump(self) -> bytes:
        data = {"format": STATE_FORMAT, "source_format": self.format, "files": self.files}
        return (json.dumps(data, indent=1, sort_keys=True) + "\n").encode("utf-8")


def _valid_entry(name: str, entry: Any) -> bool:
    """An entry's values as `_merge` writes them. (Entries that are not mappings, or name
    files outside the project, are ignored with a warning: `_inside_only`.)"""
    if not isinstance(entry, dict):
        return True
    if not all(isinstance(entry.get(k, ""), str) for k in ("written", "source")):
        return False
    conflict = entry.get("conflict")
    return conflict is None or (
        isinstance(conflict, dict) and all(isinstance(v, str) for v in conflict.values())
    )


def update(out_dir: Path, files: list[Planned], book: bytes, fmt: str) -> Outcome:
    """Bring an imported project up to date; conflicts are listed, never overwritten."""
    if is_empty_folder(out_dir):
        return write_new(out_dir, files, book, fmt)
    if not out_dir.is_dir():
        raise InputError([error("not a folder", _loc(out_dir))])
    old = _State.load(out_dir)
    outcome = Outcome()
    if old is None:
        outcome.warnings.append(
            warning(
                "no record of an earlier import: files that differ are conflicts",
                _loc(out_dir / STATE_DIR / STATE_FILE),
            )
        )
    elif old.format and old.format != fmt:
        outcome.warnings.append(
            warning(f"the last import was from {old.format}, this one from {fmt}", _loc(out_dir))
        )
    known = _inside_only(out_dir, old.files, outcome) if old else {}
    state = _State(fmt, {})
    writes: dict[Path, bytes] = {}
    removals: list[Path] = []
    if not (out_dir / "book.yaml").exists():
        writes[out_dir / "book.yaml"] = book
    for f in files:
        entry = _merge(out_dir, f, known.get(f.path), outcome, writes)
        state.files[f.path] = entry
        incoming = out_dir / STATE_DIR / "incoming" / f.path
        if "conflict" in entry:
            writes[incoming] = f.data
        elif incoming.exists():
            removals.append(incoming)
    current = {f.path for f in files}
    for name, entry in known.items():
        if name in current:
            continue
        if (out_dir / name).exists():
            outcome.vanished.append(_label(name))
            state.files[name] = entry
        else:  # gone from the source and from here: forget it
            removals += [out_dir / STATE_DIR / d / name for d in ("base", "incoming")]
    writes[out_dir / STATE_DIR / STATE_FILE] = state.dump()
    for path, data in writes.items():
        if _inside(out_dir, path):
            write_atomic(path, data)
        else:
            outcome.warnings.append(warning("not written: it lies outside the project", _loc(path)))
    for path in removals:
        if _inside(out_dir, path):
            path.unlink(missing_ok=True)
    project_files = {out_dir / "book.yaml"} | {out_dir / f.path for f in files}
    outcome.written = [p for p in writes if p in project_files]
    return outcome


def _inside(root: Path, path: Path) -> bool:
    """Whether `path`, links and `..` resolved, lies inside the folder `root`."""
    try:
        return path.resolve().is_relative_to(root.resolve())
    except (OSError, ValueError, RuntimeError):  # a link loop, a NUL in the name
        return False


def _inside_only(
    root: Path, files: dict[str, dict[str, Any]], outcome: Outcome
) -> dict[str, dict[str, Any]]:
    """The entries of the import state that name files inside the project. Any other (a
    tampered or shared state naming `../../x` or `/etc/x`) is reported and ignored, so
    `--update` never writes or deletes outside the project."""
    kept = {}
    for name, entry in files.items():
        base = root / STATE_DIR / "base"
        if (
            isinstance(entry, dict)
            and name
            and not Path(name).is_absolute()
            and ".." not in Path(name).parts
            and _inside(root, root / name)
            and _inside(base, base / name)
        ):
            kept[name] = entry
        else:
            outcome.warnings.append(
                warning(
                    f"ignored the entry {name!r}: not a file inside the project",
                    _loc(root / STATE_DIR / STATE_FILE),
                )
            )
    return kept


def _label(path: str) -> str:
    return Path(path).stem if path.startswith("abstracts/") else path


def _merge(
    root: Path,
    f: Planned,
    last: dict[str, Any] | None,
    outcome: Outcome,
    writes: dict[Path, bytes],
) -> dict[str, Any]:
    """Decide for one file; returns its new state entry and queues what to write."""
    target, new = root / f.path, digest(f.data)
    base_path = root / STATE_DIR / "base" / f.path
    taken = {"written": new, "source": f.source}
    try:
        local = target.read_bytes()
    except FileNotFoundError:
        local = None
    if local is None:  # new, or deleted here: (re)write the source's version
        writes[target] = writes[base_path] = f.data
        if last is None:
            outcome.added.append(f.label)
        else:
            outcome.updated.append(f.label)
            outcome.warnings.append(
                warning(f"{f.path} was missing and has been written again", _loc(target))
            )
        return taken
    mine = digest(local)
    if mine == new:
        if last is None or last.get("written") != new:
            writes[base_path] = f.data
        outcome.unchanged.append(f.label)
        return taken
    if last is not None and mine == last.get("written"):  # untouched here: take the source's
        writes[target] = writes[base_path] = f.data
        outcome.updated.append(f.label)
        return taken
    if last is not None and (new == last.get("written") or f.source == last.get("source")):
        outcome.unchanged.append(f.label)  # edited here, not in the source: keep the edit
        return {"written": last.get("written", ""), "source": f.source}
    conflict = last.get("conflict") if last else None
    if (
        last is not None
        and conflict
        and conflict.get("incoming") == new
        and conflict.get("local") != mine
    ):  # edited since the conflict was reported: the edit settles it
        writes[base_path] = f.data
        outcome.unchanged.append(f.label)
        outcome.warnings.append(
            warning(f"{f.path}: your edited version settles the conflict", _loc(target))
        )
        return taken
    outcome.conflicts.append((f.label, _diff(f, local, base_path if last else None)))
    entry: dict[str, Any] = dict(last) if last else {"written": "", "source": ""}
    entry["conflict"] = {"incoming": new, "local": mine}
    return entry


def _diff(f: Planned, local: bytes, base_path: Path | None) -> str:
    """Both sides' changes since the last import; yours against the source's without one."""
    mine = local.decode("utf-8", "replace").splitlines(keepends=True)
    theirs = f.data.decode("utf-8").splitlines(keepends=True)
    base = None
    if base_path is not None:
        try:
            base = base_path.read_text(encoding="utf-8").splitlines(keepends=True)
        except (OSError, UnicodeDecodeError):
            base = None
    incoming = f"{STATE_DIR}/incoming/{f.path}"
    if base is None:
        text = "".join(
            difflib.unified_diff(mine, theirs, f"{f.path} (yours)", f"{incoming} (source)")
        )
    else:
        text = "".join(
            difflib.unified_diff(base, mine, f"{f.path} (last import)", f"{f.path} (yours)")
        ) + "".join(
            difflib.unified_diff(base, theirs, f"{f.path} (last import)", f"{incoming} (source)")
        )
    return text
