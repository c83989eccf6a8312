"""The rebuild cache: laid-out talks and page operators from earlier builds.

Everything is keyed by content: a talk by the hash of its record, a page by the
hash of what is drawn on it, the whole cache by the settings, fonts and code that
made it. So the cache can only save time, never change the output; anything
unreadable, stale, from other code or not authenticated by this user's secret (see
`store`) is treated as absent, and never decoded. Talks are kept in packs, one
file for the talks laid out together (up to `PACK` of them): creating a file costs
a millisecond or more on common file systems, as much as laying out a talk, so a
cold build of 1,000 talks writes some 60 files, not 1,000; a rebuild writes one
pack of what changed and drops the packs no talk of the book needs.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, NamedTuple

from ..digests import digest
from ..pdf.render import RenderCache
from ..project.schema import RecordMemo
from ..project.typography import Refiner
from ..typeset.layout import Item, Memo, MemoEntry, item_digest
from ..typeset.lines import known_points
from ..typeset.ops import Op, OpsOnDemand, drawn, undrawn
from ..typeset.pages import Heads
from .store import Store, user_secret

PACK = 16  # talks laid out together, and kept in one file
# -- talks, packed ----------------------------------------------------------------------
#
# A talk is kept as its items' shapes (what pagination needs) and its items'
# operations pickled together, read only for the pages that must be drawn again.


class PackedTalk(NamedTuple):
    items: tuple[Item, ...]
    digests: tuple[str, ...]  # each item's `item_digest`, for page hashes


def pack(items: tuple[Item, ...], digests: bool = True) -> bytes:
    """A talk's items as the cache keeps them: (height, keep, space, brk, mark,
    digest) each, and their operations pickled together as plain tuples (`drawn`).
    Without `digests` (an export, which hashes no pages) each digest is left empty."""
    plain = tuple(tuple(map(drawn, i.ops)) for i in items)
    shapes = tuple(
        (i.height, i.keep, i.space, i.brk, i.mark, item_digest(i, ops) if digests else "")
        for i, ops in zip(items, plain, strict=True)
    )
    ops = pickle.dumps(plain, pickle.HIGHEST_PROTOCOL)
    return pickle.dumps((shapes, ops), pickle.HIGHEST_PROTOCOL)


Recent = dict[int, tuple["_TalkOps", tuple[tuple[Op, ...], ...]]]


def unpack(packed: bytes, recent: Recent) -> PackedTalk:
    """Items whose operations stay pickled until something reads them; `recent` holds
    the last few talks read, for the build that reads them."""
    shapes, ops = pickle.loads(packed)
    if not isinstance(ops, bytes):
        raise ValueError("not a packed talk")
    talk = _TalkOps(ops, recent)
    make = tuple.__new__  # Item's own __new__ would sort out defaults that are all given
    items = tuple(
        make(Item, (height, LazyOps(talk, n), keep, space, brk, mark))
        for n, (height, keep, space, brk, mark, _) in enumerate(shapes)
    )
    return PackedTalk(items, tuple(shape[5] for shape in shapes))


class _TalkOps:
    """A talk's operations, pickled. The last few talks read stay unpickled (pages
    are drawn in order), so a big book never holds every talk's operations at once."""

    __slots__ = ("packed", "recent")

    def __init__(self, packed: bytes, recent: Recent) -> None:
        self.packed = packed
        self.recent = recent

    def items(self) -> tuple[tuple[Op, ...], ...]:
        recent = self.recent
        known = recent.pop(id(self), None)  # held with self: the id stays its own
        if known is None:
            plain = pickle.loads(self.packed)
            known = (self, tuple(tuple(map(undrawn, ops)) for ops in plain))
        recent[id(self)] = known
        while len(recent) > 4:
            del recent[next(iter(recent))]
        return known[1]


class LazyOps(OpsOnDemand):
    """One item's operations, read from its talk when first needed."""

    __slots__ = ("talk", "place")

    def __init__(self, talk: _TalkOps, place: int) -> None:
        self.talk = talk
        self.place = place  # among the talk's items

    def _read(self) -> tuple[Op, ...]:
        return self.talk.items()[self.place]


def open_store(output: Path) -> Store | None:
    """The cache of the book written to `output`: `.abstractbook-cache/<name>/` beside
    it. None when this user has no secret to authenticate its files with."""
    secret = user_secret()
    if secret is None:
        return None
    return Store(output.parent, (".abstractbook-cache", output.name), secret)


class Packs:
    """Entries of one kind (bytes or tuples, by a key that names their content) kept in
    the files of one folder of the store, each file holding entries made together: a
    build writes a file of the entries it made and no other, and drops a file none of
    whose entries it used (one mostly unused, or one of too many small ones, is written
    again with the new entries). Rewriting a big file for one changed entry cost a
    rebuild more than the rest of its writing."""

    def __init__(
        self,
        store: Store | None,
        folder: str,
        key: str,
        spelt: Callable[[Any, Any], str] | None = None,
    ) -> None:
        self.store = store
        self.folder = folder
        self.key = key
        self.held: dict[str, set[Any]] = {}  # file -> the keys it holds
        # what names an entry in its file's name (its key as written, by default)
        self.spelt = spelt

    def read(self) -> dict[Any, Any]:
        """Every entry the folder's files hold for this key."""
        entries: dict[Any, Any] = {}
        store = self.store
        if store is None:
            return entries
        for name in store.names(self.folder):
            pack = _load(store, name, self.key, dict)
            if pack:
                entries.update(pack)
                self.held[name] = set(pack)
        return entries

    def save(self, used: dict[Any, Any]) -> None:
        """Keep this build's entries, `used`: the files that hold them stay as they are."""
        store = self.store
        if store is None:
            return
        names = sorted(store.names(self.folder), key=lambda n: len(self.held.get(n, ())))
        stay = []
        for n, name in enumerate(names):
            held = self.held.get(name, set())
            kept = sum(1 for k in held if k in used)
            # a file of another key or build, mostly stale, or one of too many small ones
            if kept and kept * 2 >= len(held) and len(names) - n <= MAX_PACKS:
                stay.append(name)
        kept_keys = {k for name in stay for k in self.held[name]}
        new = {k: v for k, v in used.items() if k not in kept_keys}
        spelt = self.spelt
        keys = new if spelt is None else [spelt(k, v) for k, v in new.items()]
        written = _pack_name(keys, self.folder) if new else ""
        if new:
            _save(store, written, self.key, new)
        for name in set(names) - set(stay) - {written}:
            store.remove(name)


MAX_PACKS = 16  # files a folder of packs may keep: more, and the smallest are merged


class InputCache:
    """What reading the project learnt, for the next build of the same output: each
    abstract file's records (by path and content, in `Packs`: a rebuild writes those
    of the files that changed) and the texts whose formulas typeset. Kept apart from
    `Cache`, which needs the settings this one helps read; `key` names the code that
    made it."""

    def __init__(self, store: Store | None, key: str) -> None:
        self.store = store
        self.key = key
        self.packs = Packs(store, "records", key)
        known = _load(store, "inputs.pickle", key, tuple) if store is not None else None
        if known is None or len(known) != 2:
            known = (set(), {})
        self.records = RecordMemo(self.packs.read(), keep=store is not None)
        self.formulas_known: set[str] = known[0] if isinstance(known[0], set) else set()
        self.formulas_fine: set[str] = set()
        self.refine = Refiner(known[1] if isinstance(known[1], dict) else {})

    @property
    def empty(self) -> bool:
        """Whether nothing was read before: every file is read anew."""
        return not self.records.known and not self.formulas_known

    def save(self) -> None:
        """Keep what was read, and let it go: called once the book is read, so that a
        big book's pickled records are not held while it is typeset."""
        if self.store is not None:
            self.packs.save(self.records.used)
            if self.formulas_fine != self.formulas_known or self.refine.used != self.refine.known:
                kept = (self.formulas_fine, self.refine.used)
                _save(self.store, "inputs.pickle", self.key, kept)
        self.records = RecordMemo(keep=False)
        self.refine = Refiner()


class Cache:
    """Laid-out talks, contents entries, page streams and hyphenation of the last
    build made under `key` (settings, fonts and code)."""

    def __init__(self, store: Store | None, key: str) -> None:
        self.store = store
        self.key = key
        self.render = RenderCache()
        self._render_read = RenderCache()  # what render.pickle held, pages apart
        self.pages = Packs(store, "pages", key)  # each page's info and stream, by hash
        # contents and index entries, named by what each draws: spelling out their keys,
        # whose styles and texts run to 300 characters each, cost a cold build 40 ms
        self.matter = Packs(store, "matter", key, _drawn_entry)
        self.memo = Memo(keep=store is not None)
        self.points_read = 0
        self.talks_read: set[str] = set()
        self.recent: Recent = {}  # the operations of the last talks drawn
        self.valid = False  # the folder holds a cache for this key
        self._talks: dict[str, bytes] | None = None  # the packs' talks, read when first asked
        self._packs: dict[str, set[str]] = {}  # pack file -> the talks it holds
        # talks (by hash) with no character that the fonts lack: an earlier build's,
        # and this one's (`preflight.unprintable`)
        self.printable: set[str] = set()
        self.printable_now: set[str] = set()
        self.heads = Heads()  # running heads and folios
        if store is None:
            return
        if store.read("key", key) != key.encode("ascii"):
            store.clear()  # other settings, fonts, code or user: start afresh
            return
        self.valid = True
        render = _load(store, "render.pickle", key, RenderCache)
        self.render = render if isinstance(render, RenderCache) else RenderCache()
        self._render_read = _rest(self.render)
        for page_hash, entry in self.pages.read().items():
            if isinstance(entry, tuple) and len(entry) == 2:
                self.render.pages[page_hash], self.render.streams[page_hash] = entry
        self.memo = Memo(self.matter.read())
        self.printable = _load(store, "printable.pickle", key, set) or set()
        self.heads = Heads(_load(store, "heads.pickle", key, dict))

    def hyphenation(self) -> dict[tuple[str, str], tuple[int, ...]]:
        """Hyphenation points of earlier builds (read only when a talk is laid out)."""
        if self.store is None:
            return {}
        points = _load(self.store, "hyphenation.pickle", self.key, dict) or {}
        self.points_read = len(points)
        return points

    @property
    def enabled(self) -> bool:
        return self.store is not None

    def talk(self, talk_hash: str) -> PackedTalk | None:
        """A talk laid out by an earlier build, or None."""
        data = self._packed().pop(talk_hash, None)
        if data is None:
            return None
        try:
            items = unpack(data, self.recent)
        except Exception:  # not a packed talk: lay it out again
            return None
        self.talks_read.add(talk_hash)
        return items

    def adopt(self, offered: dict[str, bytes], wanted: Iterable[str]) -> None:
        """Take the `wanted` talks this cache lacks from `offered` (another output's,
        `packed_talks`), kept in packs of this cache too, which so stands alone."""
        own = self._packed()
        taken = {h: offered[h] for h in wanted if h not in own and h in offered}
        names = list(taken)
        for i in range(0, len(names), PACK):
            self.keep_packed({h: taken[h] for h in names[i : i + PACK]})
        own.update(taken)

    def _packed(self) -> dict[str, bytes]:
        """Every talk the cache's packs hold, by hash, read once (each is taken out as
        it is used); which pack holds which talk is kept for `save`."""
        if self._talks is None:
            self._talks = {}
            for name in self.store.names("talks") if self.store is not None else ():
                pack = _load(self.store, name, self.key, dict) if self.store else None
                if not pack:
                    continue
                talks = {k: v for k, v in pack.items() if isinstance(v, bytes)}
                self._talks.update(talks)
                self._packs[name] = set(talks)
        return self._talks

    def keep_packed(self, talks: dict[str, bytes]) -> None:
        """Keep talks laid out together, already packed, in one file named by them
        (a forked worker may do this: its parent then calls `kept`)."""
        if self.store is not None and talks:
            _save(self.store, _pack_name(talks), self.key, talks)
            self.kept(talks)

    def kept(self, talks: Iterable[str]) -> None:
        """Note the pack that holds these talks, so that `save` keeps it."""
        held = set(talks)
        if held:
            self._packs[_pack_name(held)] = held

    def save(self, used_talks: set[str], used_pages: set[str]) -> None:
        """Keep what this build used, so the cache does not grow without bound
        (files whose content would not change are left alone)."""
        store = self.store
        if store is None:
            return
        self._packed()
        for name in store.names("talks"):
            held = self._packs.get(name, set())
            if not held & used_talks:  # no talk of the book, or not a pack at all
                store.remove(name)
            elif len(held & used_talks) * 2 < len(held):  # mostly stale: keep the rest
                pack = _load(store, name, self.key, dict) or {}
                self.keep_packed({k: v for k, v in pack.items() if k in used_talks})
                store.remove(name)
        render = self.render.kept(used_pages)
        streams = render.streams
        self.pages.save({h: (i, streams[h]) for h, i in render.pages.items() if h in streams})
        rest = _rest(render)
        if rest != self._render_read:
            _save(store, "render.pickle", self.key, rest)
        self.matter.save(self.memo.used)
        if self.heads.used != self.heads.known:
            _save(store, "heads.pickle", self.key, self.heads.used)
        if self.printable_now != self.printable:
            _save(store, "printable.pickle", self.key, self.printable_now)
        points = known_points()
        if len(points) > self.points_read:  # some were asked of pyphen
            _save(store, "hyphenation.pickle", self.key, points)
        if not self.valid:
            store.write("key", self.key, self.key.encode("ascii"))


def _rest(render: RenderCache) -> RenderCache:
    """What render.pickle keeps: the render cache without its pages (which `Packs`
    keep), its dictionaries copied (rendering adds to them)."""
    return RenderCache(
        formulas=dict(render.formulas),
        fonts=dict(render.fonts),
        pictures=dict(render.pictures),
        images=dict(render.images),
        colors=dict(render.colors),
        deflated=dict(render.deflated),
        trees=dict(render.trees),
    )


def packed_talks(store: Store | None, key: str) -> dict[str, bytes]:
    """The talks another output's cache holds, packed, by hash (a book built into the
    project, whose talks an export can take): only read, never cleared nor written,
    and empty unless that cache was made under `key`."""
    if store is None or store.read("key", key) != key.encode("ascii"):
        return {}
    talks: dict[str, bytes] = {}
    for name in store.names("talks"):
        pack = _load(store, name, key, dict) or {}
        talks.update({k: v for k, v in pack.items() if isinstance(v, bytes)})
    return talks


def _drawn_entry(key: Any, entry: MemoEntry) -> str:
    """A contents or index entry by its item's digest (`layout.item_digest`), or by its
    key where it has none."""
    return entry[1] or repr(key)


def _pack_name(keys: Iterable[Any], folder: str = "talks") -> str:
    """A pack's file, named by the keys it holds (spelt out: not every key sorts)."""
    return f"{folder}/" + digest(repr(sorted(map(repr, keys))))[:32]


def _load(store: Store, name: str, key: str, kind: type) -> Any:
    """A pickled object of the cache, or None if it is missing, not made by this user
    under this key, or not a `kind`. Only bytes that this user's secret authenticates
    are ever unpickled."""
    data = store.read(name, key)
    if data is None:
        return None
    try:
        value = pickle.loads(data)
    except Exception:
        return None
    return value if isinstance(value, kind) else None


def _save(store: Store, name: str, key: str, value: object) -> None:
    """Pickled into its file as it is written: a big book's cache is never also held
    as one block of bytes."""
    store.write_with(name, key, lambda f: pickle.dump(value, f, pickle.HIGHEST_PROTOCOL))
