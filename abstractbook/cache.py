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
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple, overload

from .files import write_atomic, write_atomic_with
from .layout import Item, Memo
from .lines import known_points
from .manifest import item_digest
from .ops import Op
from .render import RenderCache
from .schema import RecordMemo

# -- talks, packed ----------------------------------------------------------------------
#
# A talk is kept as its items' shapes (what pagination needs) and its items'
# operations pickled together, read only for the pages that must be drawn again.


class PackedTalk(NamedTuple):
    items: tuple[Item, ...]
    digests: tuple[str, ...]  # each item's `item_digest`, for page hashes


def pack(items: tuple[Item, ...]) -> bytes:
    """A talk's items as the cache keeps them: (height, keep, space, brk, mark,
    digest) each, and their operations pickled together."""
    shapes = tuple((i.height, i.keep, i.space, i.brk, i.mark, item_digest(i)) for i in items)
    ops = pickle.dumps(tuple(tuple(i.ops) for i in items), pickle.HIGHEST_PROTOCOL)
    return pickle.dumps((shapes, ops), pickle.HIGHEST_PROTOCOL)


def unpack(packed: bytes) -> PackedTalk:
    """Items whose operations stay pickled until something reads them."""
    shapes, ops = pickle.loads(packed)
    if not isinstance(ops, bytes):
        raise ValueError("not a packed talk")
    talk = _TalkOps(ops)
    make = tuple.__new__  # Item's own __new__ would sort out defaults that are all given
    items = tuple(
        make(Item, (height, LazyOps(talk, n), keep, space, brk, mark))
        for n, (height, keep, space, brk, mark, _) in enumerate(shapes)
    )
    return PackedTalk(items, tuple(shape[5] for shape in shapes))


class _TalkOps:
    """A talk's operations, pickled. The last few talks read stay unpickled (pages
    are drawn in order), so a big book never holds every talk's operations at once."""

    __slots__ = ("packed",)
    recent: dict[int, tuple[_TalkOps, tuple[tuple[Op, ...], ...]]] = {}

    def __init__(self, packed: bytes) -> None:
        self.packed = packed

    def items(self) -> tuple[tuple[Op, ...], ...]:
        known = _TalkOps.recent.pop(id(self), None)  # held with self: the id stays its own
        if known is None:
            known = (self, pickle.loads(self.packed))
        _TalkOps.recent[id(self)] = known
        while len(_TalkOps.recent) > 4:
            del _TalkOps.recent[next(iter(_TalkOps.recent))]
        return known[1]


class LazyOps(Sequence[Op]):
    """One item's operations, read from its talk when first needed."""

    __slots__ = ("talk", "place")

    def __init__(self, talk: _TalkOps, place: int) -> None:
        self.talk = talk
        self.place = place  # among the talk's items

    def _ops(self) -> tuple[Op, ...]:
        return self.talk.items()[self.place]

    @overload
    def __getitem__(self, i: int) -> Op: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[Op]: ...
    def __getitem__(self, i: int | slice) -> Op | Sequence[Op]:
        return self._ops()[i]

    def __len__(self) -> int:
        return len(self._ops())

    def __iter__(self) -> Iterator[Op]:
        return iter(self._ops())

    def __repr__(self) -> str:
        return repr(self._ops())


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
        records = known[1] if isinstance(known[1], dict) else {}
        self.records = RecordMemo(records, keep=self.path is not None)
        self.formulas_known: set[str] = known[2] if isinstance(known[2], set) else set()
        self.formulas_fine: set[str] = set()

    def save(self) -> None:
        if self.path is None:
            return
        kept = (self.key, self.records.used, self.formulas_fine)
        with contextlib.suppress(OSError):
            _save(self.path, kept)


class Cache:
    def __init__(self, folder: Path | None, key: str) -> None:
        self.folder = folder
        self.key = key
        self.render = RenderCache()
        self.memo = Memo(keep=folder is not None)
        self.points_read = 0
        self.talks_read: set[str] = set()
        self.valid = False  # the folder holds a cache for this key
        if folder is None:
            return
        try:
            current = (folder / "key").read_text("ascii")
        except (OSError, ValueError):
            current = None
        if current != key:  # other settings, fonts or code: start afresh
            shutil.rmtree(folder, ignore_errors=True)
            return
        self.valid = True
        render = _load(folder / "render.pickle", RenderCache)
        self.render = render if isinstance(render, RenderCache) else RenderCache()
        matter = _load(folder / "matter.pickle", dict)
        self.memo = Memo(matter if isinstance(matter, dict) else {})

    def hyphenation(self) -> dict[tuple[str, str], tuple[int, ...]]:
        """Hyphenation points of earlier builds (read only when a talk is laid out)."""
        if self.folder is None:
            return {}
        points = _load(self.folder / "hyphenation.pickle", dict) or {}
        self.points_read = len(points)
        return points

    @property
    def enabled(self) -> bool:
        return self.folder is not None

    def _talk_file(self, talk_hash: str) -> Path:
        assert self.folder is not None
        return self.folder / "talks" / f"{talk_hash}.pickle"

    def talk(self, talk_hash: str) -> PackedTalk | None:
        """A talk laid out by an earlier build, or None."""
        if self.folder is None:
            return None
        try:
            items = unpack(_checked(self._talk_file(talk_hash).read_bytes()))
        except Exception:  # missing or damaged: lay the talk out again
            return None
        self.talks_read.add(talk_hash)
        return items

    def keep_packed(self, talk_hash: str, packed: bytes) -> None:
        """Keep a talk's items, already packed."""
        if self.folder is None:
            return
        with contextlib.suppress(OSError):
            _write(self._talk_file(talk_hash), packed)

    def save(self, used_talks: set[str], used_pages: set[str]) -> None:
        """Keep what this build used, so the cache does not grow without bound."""
        if self.folder is None:
            return
        folder = self.folder
        render = self.render.kept(used_pages)
        matter = self.memo.used
        points = known_points()
        # the book is written; a cache that cannot be saved costs only time
        # (files whose content would not change are left alone)
        with contextlib.suppress(OSError):
            if used_talks != self.talks_read:
                for path in (folder / "talks").glob("*.pickle"):
                    if path.stem not in used_talks:
                        path.unlink(missing_ok=True)
            _save(folder / "render.pickle", render)
            if matter != self.memo.known:
                _save(folder / "matter.pickle", matter)
            if len(points) > self.points_read:  # some were asked of pyphen
                _save(folder / "hyphenation.pickle", points)
            if not self.valid:
                write_atomic(folder / "key", self.key.encode("ascii"))


def _load(path: Path, kind: type) -> Any:
    """A pickled object of the cache, or None if it is missing, damaged or not a `kind`."""
    try:
        data = pickle.loads(_checked(path.read_bytes()))
    except Exception:
        return None
    return data if isinstance(data, kind) else None


def _save(path: Path, value: object) -> None:
    _write(path, pickle.dumps(value, pickle.HIGHEST_PROTOCOL))


def _write(path: Path, data: bytes) -> None:
    """A cache file: its CRC-32, then the data. Entries inside are pickled bytes of
    their own, which a damaged file could pass on undetected; the checksum sees
    any change."""
    check = zlib.crc32(data).to_bytes(4, "big")
    write_atomic_with(path, lambda f: f.write(check + data), durable=False)


def _checked(data: bytes) -> bytes:
    if len(data) < 4 or zlib.crc32(data[4:]).to_bytes(4, "big") != data[:4]:
        raise ValueError("damaged cache file")
    return data[4:]
