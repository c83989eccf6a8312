"""manifest: a built book -> its manifest (SPEC §4), and two manifests -> a change report.

The manifest records what each abstract and each page holds, by hash, so the
next build can say what changed and which pages go back to the printer.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..digests import digest, file_digest
from ..project.model import Book, Talk
from ..typeset.layout import Document, Page
from ..typeset.ops import Image, Op, drawn

FORMAT = 1
FIELDS = ("title", "authors", "body", "notes", "meta")


def talk_fields(talk: Talk) -> dict[str, str]:
    """A hash per field of a record, so the report can say what changed."""
    return talk.field_hashes


def talk_hash(talk: Talk) -> str:
    return talk.content_hash


def page_hash(
    page: Page,
    salt: str = "",
    names: dict[int, tuple[Any, ...]] | None = None,
    digests: dict[str, tuple[str, ...]] | None = None,
) -> str:
    """What is drawn: text with fonts and positions, rules, boxes, links, images.

    An item may be named instead of spelt out: `names` maps an entry of the contents
    or indexes to its `item_digest`, and `salt` stands for the settings and font
    files (whose glyphs the operations name only by font). A body page that knows
    its runs of talks' items is named by their `item_digest`s (`digests`, per talk)
    and by where its frame starts: the paginator stacks the same items the same way.
    So an edit to a talk's last paragraph leaves the hash of its first page as it was.
    """
    if page.runs is not None and digests is not None and page.placed:
        _, x0, top = page.placed[0]
        # a run of a session heading is named by its own digest (see `pages._body`)
        runs = ["".join(digests[t][a : b + 1]) if t in digests else t for t, a, b in page.runs]
        placed: Any = (x0, top, runs)
    else:
        placed = _placed(page, names or {})
    extra = [_portable(op) for op in page.extra]
    # one repr: a page is thousands of values
    return digest(repr((salt, page.label, placed, extra)))


def _placed(page: Page, names: dict[int, tuple[Any, ...]]) -> list[Any]:
    """The page's items, each by its name (or its operations) and its place."""
    return [
        (names.get(id(item)) or tuple(map(drawn, item.ops)), x0, top)
        for item, x0, top in page.placed
    ]


def _portable(op: Op) -> object:
    """A picture by its content, not by the folder it sits in."""
    if isinstance(op, Image):
        return ("image", file_digest(op.path), op.x, op.y, op.w, op.h)
    return drawn(op)


def make_manifest(
    book: Book,
    doc: Document,
    settings_hash: str,
    page_hashes: list[str],
) -> dict[str, Any]:
    pages = [
        {"index": i, "label": p.label, "hash": h}
        for i, (p, h) in enumerate(zip(doc.pages, page_hashes, strict=True), start=1)
    ]
    abstracts = {}
    typed = {t.id: t for t in book.typed}  # the records as written, for their hashes
    for entry in book.entries:
        t = entry.talk
        record = typed.get(t.id, t)
        first, last = doc.talk_pages.get(t.id, (0, 0))
        abstracts[t.id] = {
            "title": t.title,
            "first_page": first,
            "last_page": last,
            "hash": talk_hash(record),
            "fields": talk_fields(record),
        }
    return {"format": FORMAT, "settings": settings_hash, "pages": pages, "abstracts": abstracts}


def read_manifest(path: Path) -> dict[str, Any] | None:
    """An earlier manifest, or None when there is none or it cannot be read."""
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format") != FORMAT or not _well_formed(data):
        return None
    return data


def _well_formed(data: dict[str, Any]) -> bool:
    """Whether an earlier manifest has the shape `compare` reads: one edited by hand
    or cut short is no earlier build to compare with."""
    pages, abstracts = data.get("pages"), data.get("abstracts")
    if not isinstance(pages, list) or not isinstance(abstracts, dict):
        return False
    page_keys = (("index", int), ("label", str), ("hash", str))
    talk_keys = (("title", str), ("first_page", int), ("last_page", int), ("hash", str))
    return all(
        isinstance(p, dict) and all(isinstance(p.get(k), t) for k, t in page_keys) for p in pages
    ) and all(
        isinstance(a, dict)
        and isinstance(a.get("fields"), dict)
        and all(isinstance(a.get(k), t) for k, t in talk_keys)
        for a in abstracts.values()
    )


def dump(manifest: dict[str, Any]) -> bytes:
    """The manifest as JSON, a page or an abstract per line: easy to read and to diff,
    and written by json's C encoder (indented output takes the slow Python one)."""

    one = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode  # one for all

    parts = []
    for key in sorted(manifest):
        value = manifest[key]
        if isinstance(value, list) and value:
            inner = ",\n".join(f"  {one(v)}" for v in value)
            parts.append(f" {one(key)}: [\n{inner}\n ]")
        elif isinstance(value, dict) and value:
            inner = ",\n".join(f"  {one(k)}: {one(value[k])}" for k in sorted(value))
            parts.append(f" {one(key)}: {{\n{inner}\n }}")
        else:
            parts.append(f" {one(key)}: {one(value)}")
    return ("{\n" + ",\n".join(parts) + "\n}\n").encode()


@dataclass
class ChangeReport:
    added: list[tuple[str, str]] = field(default_factory=list)  # (id, title)
    removed: list[tuple[str, str]] = field(default_factory=list)
    changed: list[tuple[str, str, list[str]]] = field(default_factory=list)  # fields
    moved: list[tuple[str, str, str]] = field(default_factory=list)  # id, old, new pages
    pages: list[tuple[int, int]] = field(default_factory=list)  # physical ranges that differ
    page_labels: list[tuple[str, str]] = field(default_factory=list)  # the same, printed
    settings_changed: bool = False
    old_pages: int = 0
    new_pages: int = 0

    @property
    def unchanged(self) -> bool:
        return not (
            self.added
            or self.removed
            or self.changed
            or self.moved
            or self.pages
            or self.settings_changed
        )

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=1) + "\n"

    def lines(self) -> list[str]:
        """The report as a person reads it."""
        if self.unchanged:
            return ["no changes since the last build"]
        out = []
        if self.settings_changed:
            out.append("book settings or fonts changed")
        out += [f"added    {i}: {t}" for i, t in self.added]
        out += [f"removed  {i}: {t}" for i, t in self.removed]
        out += [f"changed  {i} ({', '.join(f)}): {t}" for i, t, f in self.changed]
        out += [f"moved    {i}: pages {a} -> {b}" for i, a, b in self.moved]
        if self.pages:
            ranges = ", ".join(a if a == b else f"{a}-{b}" for a, b in self.page_labels)
            count = sum(b - a + 1 for a, b in self.pages)
            out.append(f"pages that differ ({count}): {ranges}")
        if self.old_pages != self.new_pages:
            out.append(f"page count {self.old_pages} -> {self.new_pages}")
        return out


def _span(entry: dict[str, Any], labels: dict[int, str]) -> str:
    a, b = entry["first_page"], entry["last_page"]
    la, lb = labels.get(a, str(a)), labels.get(b, str(b))
    return la if a == b else f"{la}-{lb}"


def compare(old: dict[str, Any], new: dict[str, Any]) -> ChangeReport:
    """What changed between two builds: abstracts by id, pages by content hash."""
    r = ChangeReport(
        settings_changed=old.get("settings") != new.get("settings"),
        old_pages=len(old["pages"]),
        new_pages=len(new["pages"]),
    )
    before, after = old["abstracts"], new["abstracts"]
    old_labels = {p["index"]: p["label"] for p in old["pages"]}
    new_labels = {p["index"]: p["label"] for p in new["pages"]}
    for tid in sorted(after.keys() - before.keys()):
        r.added.append((tid, after[tid]["title"]))
    for tid in sorted(before.keys() - after.keys()):
        r.removed.append((tid, before[tid]["title"]))
    for tid in sorted(after.keys() & before.keys()):
        a, b = before[tid], after[tid]
        if a["hash"] != b["hash"]:
            fields = [f for f in FIELDS if a["fields"].get(f) != b["fields"].get(f)]
            r.changed.append((tid, b["title"], fields or ["id"]))
        if (a["first_page"], a["last_page"]) != (b["first_page"], b["last_page"]):
            r.moved.append((tid, _span(a, old_labels), _span(b, new_labels)))
    old_hashes = [p["hash"] for p in old["pages"]]
    new_hashes = [p["hash"] for p in new["pages"]]
    differ = [
        i
        for i in range(1, max(len(old_hashes), len(new_hashes)) + 1)
        if i > len(old_hashes) or i > len(new_hashes) or old_hashes[i - 1] != new_hashes[i - 1]
    ]
    for i in differ:
        if r.pages and r.pages[-1][1] == i - 1:
            r.pages[-1] = (r.pages[-1][0], i)
        else:
            r.pages.append((i, i))

    def label(i: int) -> str:
        return new_labels.get(i) or f"({old_labels.get(i, i)}, removed)"

    r.page_labels = [(label(a), label(b)) for a, b in r.pages]
    return r
