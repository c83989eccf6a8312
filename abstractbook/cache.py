"""The rebuild cache: laid-out talks and page operators from earlier builds.

Everything is keyed by content: a talk by the hash of its record, a page by the
hash of what is drawn on it, the whole cache by the settings, fonts and code that
made it. So the cache can only save time, never change the output; anything
unreadable, stale or from other code is treated as absent. Each talk is a file of
its own, so a rebuild reads what it needs and writes only what changed.
"""

from __future__ import annotations

import contextlib
import pickle
import shutil
from pathlib import Path
from typing import Any

from .export import write_atomic, write_atomic_with
from .layout import Item, Memo
from .render import RenderCache
from .schema import RecordMemo


class InputCache:
    """What reading the project learnt, for the next build of the same output: each
    abstract file's records (by path and content) and the texts whose formulas
    typeset. Kept apart from `Cache`, which needs the settings this one helps read;
    `key` names the code that made it."""

    def __init__(self, folder: Path | None, key: str) -> None:
        self.path = folder / "inputs.pickle" if folder is not None else None
        self.key = key
        known = _load(self.path, tuple) if self.path is not None else None
        if known is None or len(known) != 3 or known[0] != key:
            known = (key, {}, set())
        self.records = RecordMemo(known[1] if isinstance(known[1], dict) else {})
        self.formulas_known: set[str] = known[2] if isinstance(known[2], set) else set()
        self.formulas_fine: set[str] = set()

    def save(self) -> None:
        if self.path is None:
            return
        kept = (self.key, self.records.used, self.formulas_fine)
        with contextlib.suppress(OSError):
            write_atomic_with(
                self.path, lambda f: pickle.dump(kept, f, pickle.HIGHEST_PROTOCOL), durable=False
            )


class Cache:
    def __init__(self, folder: Path | None, key: str) -> None:
        self.folder = folder
        self.key = key
        self.render = RenderCache()
        self.memo = Memo()
        if folder is None:
            return
        try:
            current = (folder / "key").read_text("ascii")
        except (OSError, ValueError):
            current = None
        if current != key:  # other settings, fonts or code: start afresh
            shutil.rmtree(folder, ignore_errors=True)
            return
        render = _load(folder / "render.pickle", RenderCache)
        self.render = render if isinstance(render, RenderCache) else RenderCache()
        matter = _load(folder / "matter.pickle", dict)
        self.memo = Memo(matter if isinstance(matter, dict) else {})

    @property
    def enabled(self) -> bool:
        return self.folder is not None

    def _talk_file(self, talk_hash: str) -> Path:
        assert self.folder is not None
        return self.folder / "talks" / f"{talk_hash}.pickle"

    def talk(self, talk_hash: str) -> tuple[Item, ...] | None:
        """A talk laid out by an earlier build, or None."""
        if self.folder is None:
            return None
        try:
            with self._talk_file(talk_hash).open("rb") as f:
                items = pickle.load(f)
        except Exception:  # missing or damaged: lay the talk out again
            return None
        return items if isinstance(items, tuple) else None

    def keep_packed(self, talk_hash: str, packed: bytes) -> None:
        """Keep a talk's items, already pickled."""
        if self.folder is None:
            return
        with contextlib.suppress(OSError):
            write_atomic_with(self._talk_file(talk_hash), lambda f: f.write(packed), durable=False)

    def save(self, used_talks: set[str], used_pages: set[str]) -> None:
        """Keep what this build used, so the cache does not grow without bound."""
        if self.folder is None:
            return
        folder = self.folder
        render = self.render.kept(used_pages)
        matter = self.memo.used
        # the book is written; a cache that cannot be saved costs only time
        with contextlib.suppress(OSError):
            for path in (folder / "talks").glob("*.pickle"):
                if path.stem not in used_talks:
                    path.unlink(missing_ok=True)
            write_atomic_with(
                folder / "render.pickle",
                lambda f: pickle.dump(render, f, pickle.HIGHEST_PROTOCOL),
                durable=False,
            )
            write_atomic_with(
                folder / "matter.pickle",
                lambda f: pickle.dump(matter, f, pickle.HIGHEST_PROTOCOL),
                durable=False,
            )
            write_atomic(folder / "key", self.key.encode("ascii"))


def _load(path: Path, kind: type) -> Any:
    """A pickled object of the cache, or None if it is missing, damaged or not a `kind`."""
    try:
        with path.open("rb") as f:
            data = pickle.load(f)
    except Exception:
        return None
    return data if isinstance(data, kind) else None
