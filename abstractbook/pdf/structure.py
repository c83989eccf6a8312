"""The structure tree of a tagged PDF, assembled per build from what each page marks.

A page's stream marks each run of operations that draw one element with a marked-
content id (MCID), numbered per page; the page says which element each MCID draws by
its path (`typeset.ops`'s tags), so a page's stream and marks are cached with it.
This module makes the elements from those paths, in the pages' reading order, adds
the link annotations (OBJR), and writes the tree with its parent tree: which element
each MCID and annotation belongs to, as assistive software asks.
"""

from __future__ import annotations

from typing import NamedTuple

from ..digests import digest
from ..typeset.ops import ARTIFACT
from .pdffile import Packs, PdfFile, ref, text_string

Mark = tuple[str, str]  # (element path, its alternative text or "")

# Emphasis and strong emphasis are PDF 2.0's types: a PDF 1.7 file (PDF/UA-1) maps them
# to the standard type they specialise, as Typst does, and assistive software reads the
# names all the same.
ROLE_MAP = "<< /Em /Span /Strong /Span >>"


class Mcr(NamedTuple):
    """Marked content `mcid` on page `page` (its index)."""

    page: int
    mcid: int


class Objr(NamedTuple):
    """An annotation, object `num`, on page `page`."""

    page: int
    num: int


class _Node:
    __slots__ = ("kind", "parent", "kids", "num", "page", "alt", "headers", "span")

    def __init__(self, kind: str, parent: _Node | None) -> None:
        self.kind = kind
        self.parent = parent
        self.kids: list[_Node | Mcr | Objr] = []
        self.num = 0
        self.page = -1  # where its content starts
        self.alt = ""
        self.headers: tuple[_Node, ...] = ()  # a table cell's head cells (a shared empty
        # tuple for the hundred thousand other elements of a book, not a list each)
        self.span = (1, 1)  # a table cell's rows and columns


def kind_of(tag: str) -> str:
    """The structure type a tag's element has: its last part without its key."""
    last = tag.rpartition("/")[2]
    return "P" if last.startswith("~") else last.partition("#")[0]


def is_artifact(tag: str) -> bool:
    return tag.startswith(ARTIFACT)


def artifact_operator(tag: str) -> str:
    """The marked-content operator that opens an artifact: pagination for heads and feet."""
    subtype = tag.partition(":")[2]
    if subtype:
        return f"/Artifact <</Type /Pagination /Subtype /{subtype}>> BDC"
    return "/Artifact BMC"


def _level(part: str) -> int:
    """The outline level of an outermost element ("Sect#2:…" is 2); 0 for others."""
    key = part.partition("#")[2]
    return int(key[0]) if key[1:2] == ":" and key[:1].isdigit() else 0


class TreeMemo:
    """Structure trees written by earlier builds, by everything they are made from
    (the pages' marks, the links, the object numbers around them): a rebuild that
    changed the words of a page or two writes the tree it wrote before, its object
    streams taken whole from `Deflated`. `used` holds this build's, for the next."""

    def __init__(self, known: dict[str, Packs] | None = None) -> None:
        self.known = known or {}
        self.used: dict[str, Packs] = {}


class Structure:
    """The elements of a document, made from the pages' marks in reading order.

    The marks and links are noted as they come and the elements made when the tree is
    written, and only if an earlier build did not write the same tree."""

    def __init__(self, pages: int) -> None:
        self.root = _Node("Document", None)
        self.nodes: dict[str, _Node] = {}
        self.open: list[tuple[int, _Node]] = []  # outermost sections not yet closed
        self.parents: list[list[_Node]] = []  # per page, by MCID
        self.annotations: list[_Node] = []  # by StructParent, after the pages
        self.heads: dict[tuple[str, str], _Node] = {}  # (table path, key) -> its head cell
        self.pages = pages
        self.marks: list[tuple[Mark, ...]] = []  # per page, as given
        self.marks_digests: list[str] = []  # per page, of its marks, when given
        self.links: list[tuple[str, int, int, str]] = []  # (tag, page, object, about)

    def page(self, index: int, marks: tuple[Mark, ...], marks_digest: str = "") -> None:
        """The marks of the page at `index`, pages given in order; `marks_digest`, a
        digest of them made with the page, spares `write` spelling them all out."""
        assert index == len(self.marks)
        self.marks.append(marks)
        self.marks_digests.append(marks_digest)

    def annotation(self, tag: str, index: int, num: int, about: str) -> int:
        """A link annotation in the element `tag` (a Link); returns its StructParent."""
        self.links.append((tag, index, num, about))
        return self.pages + len(self.links) - 1

    def _make(self) -> None:
        """The elements, from the marks of every page and then the links."""
        for index, marks in enumerate(self.marks):
            self._page(index, marks)
        for link in self.links:
            self._annotation(*link)

    def _page(self, index: int, marks: tuple[Mark, ...]) -> None:
        row = []
        make = tuple.__new__  # Mcr's own __new__, in Python, costs more than the tuple
        for mcid, (tag, alt) in enumerate(marks):
            node = self._element(tag, index)
            node.kids.append(make(Mcr, (index, mcid)))
            if node.page < 0:
                node.page = index
            if alt and not node.alt:
                node.alt = alt
            row.append(node)
        self.parents.append(row)

    def _annotation(self, tag: str, index: int, num: int, about: str) -> None:
        """A link annotation in the element `tag` (a Link). An untagged link (a
        timetable's) gets a Link of its own in the last element read on its page,
        described by `about`, as it holds no text."""
        if tag:
            node = self._element(tag, index)
        else:
            row = self.parents[index] if index < len(self.parents) else []
            node = self._new("Link", row[-1] if row else self.root)
            node.alt = about
        node.kids.append(Objr(index, num))
        if node.page < 0:
            node.page = index
        self.annotations.append(node)

    def _new(self, kind: str, parent: _Node) -> _Node:
        node = _Node(kind, parent)
        parent.kids.append(node)
        return node

    def _element(self, tag: str, index: int) -> _Node:
        if tag.startswith("~"):  # untagged text: a paragraph of its own in the open section
            key = f"{index}{tag}"
            node = self.nodes.get(key)
            if node is None:
                parent = self.open[-1][1] if self.open else self.root
                node = self.nodes[key] = self._new("P", parent)
            return node
        node = self.nodes.get(tag)
        if node is not None:
            return node
        head, _, last = tag.rpartition("/")
        if head:
            parent = self._element(head, index)
        else:  # an outermost element closes the sections of its level and below
            level = _level(last)
            while self.open and self.open[-1][0] >= level:
                self.open.pop()
            parent = self.open[-1][1] if self.open else self.root
        node = self.nodes[tag] = self._new(kind_of(tag), parent)
        node.page = index  # where the element starts (its content may start later)
        if not head and node.kind == "Sect":
            self.open.append((_level(last), node))
        if node.kind == "Formula" and "=" in last:  # set as text: its source in its key
            node.alt = bytes.fromhex(last.rpartition("=")[2]).decode("utf-8")
        elif node.kind in ("TH", "TD"):
            self._cell(node, head.rpartition("/")[0], last.partition("#")[2])
        return node

    def _cell(self, node: _Node, table: str, key: str) -> None:
        """A table cell's key: "k~2x1" spans two rows (and one column); a TD's
        "k@h1,h2" is under the head cells of keys h1 and h2."""
        key, _, span = key.partition("~")
        if span:
            rows, _, cols = span.partition("x")
            node.span = (int(rows), int(cols))
        if node.kind == "TH":
            self.heads[(table, key)] = node
        elif "@" in key:
            for name in key.rpartition("@")[2].split(","):
                found = self.heads.get((table, name))
                if found is not None:
                    node.headers = (*node.headers, found)

    def write(self, pdf: PdfFile, first_page: int, memo: TreeMemo | None = None) -> int:
        """The tree's objects, in object streams of their own; returns the
        StructTreeRoot's number (the first it reserves). With `memo`, a tree an earlier
        build wrote from the same marks and links, numbered the same, is written again
        as it was."""
        start = pdf.begin_packs()
        key = ""
        if memo is not None:
            # each page's marks by their digest where it has one (26,700 marks are slow
            # to spell out), else as they are
            marks = [d or m for d, m in zip(self.marks_digests, self.marks, strict=True)]
            key = digest(repr((start[0], first_page, self.pages, ROLE_MAP, marks, self.links)))
            known = memo.known.get(key)
            if known is not None and pdf.replay(known):
                memo.used[key] = known
                return start[0] + 1
        self._make()
        root = self._write(pdf, first_page)
        packs = pdf.end_packs(start)
        if memo is not None and packs is not None:
            memo.used[key] = packs
        return root

    def _write(self, pdf: PdfFile, first_page: int) -> int:
        root = pdf.reserve()
        nodes: list[_Node] = []
        stack = [self.root]
        while stack:
            node = stack.pop()
            nodes.append(node)
            stack += reversed([k for k in node.kids if isinstance(k, _Node)])
        first = pdf.reserve(len(nodes))  # numbered in that order, reserved at once
        for num, node in enumerate(nodes, start=first):
            node.num = num
        titled = any(isinstance(k, _Node) and k.kind == "H" for k in self.root.kids)
        for node in nodes:
            pdf.put_packed(node.num, self._element_object(node, root, first_page, titled))
        # head cells have IDs, which their cells name in their Headers
        ids = sorted((_id(n), n.num) for n in nodes if n.kind == "TH")
        id_tree = ""
        if ids:
            names = " ".join(f"{text_string(i)} {ref(num)}" for i, num in ids)
            id_tree = f" /IDTree << /Names [{names}] >>"
        nums = [f"{i} [{' '.join(ref(n.num) for n in row)}]" for i, row in enumerate(self.parents)]
        nums += [f"{self.pages + i} {ref(n.num)}" for i, n in enumerate(self.annotations)]
        parent_tree = pdf.reserve()
        pdf.put_packed(parent_tree, f"<< /Nums [{' '.join(nums)}] >>")
        pdf.put_packed(
            root,
            f"<< /Type /StructTreeRoot /K [{ref(self.root.num)}] /ParentTree {ref(parent_tree)} "
            f"/ParentTreeNextKey {self.pages + len(self.annotations)} "
            f"/RoleMap {ROLE_MAP}{id_tree} >>",
        )
        return root

    def _element_object(self, node: _Node, root: int, first_page: int, titled: bool) -> str:
        kind = node.kind
        if kind == "H":  # numbered by how deep its section is: H1 is the book's title
            depth, up = 0, node.parent
            while up is not None:
                depth += up.kind == "Sect"
                up = up.parent
            kind = f"H{max(1, min(6, depth + titled))}"
        parent = node.parent.num if node.parent is not None else root
        page = node.page
        kids = []
        for kid in node.kids:  # exact types: a book's tree has a hundred thousand kids
            if type(kid) is Mcr:
                if kid.page == page:
                    kids.append(str(kid.mcid))
                else:
                    kids.append(
                        f"<< /Type /MCR /Pg {first_page + kid.page} 0 R /MCID {kid.mcid} >>"
                    )
            elif type(kid) is _Node:
                kids.append(f"{kid.num} 0 R")
            else:
                assert isinstance(kid, Objr)
                kids.append(f"<< /Type /OBJR /Pg {first_page + kid.page} 0 R /Obj {kid.num} 0 R >>")
        # /Type /StructElem is optional: left out of the thousands of elements of a book
        out = f"<< /S /{kind} /P {parent} 0 R /K [{' '.join(kids)}]"
        if page >= 0:
            out += f" /Pg {first_page + page} 0 R"
        if kind in ("TH", "TD"):
            rows, cols = node.span
            spans = (f" /RowSpan {rows}" if rows > 1 else "") + (
                f" /ColSpan {cols}" if cols > 1 else ""
            )
            if kind == "TH":  # a room's head: the head of its column's cells
                out += f" /ID {text_string(_id(node))} /A << /O /Table /Scope /Column{spans} >>"
            elif node.headers or spans:
                heads = " ".join(text_string(_id(h)) for h in node.headers)
                out += f" /A << /O /Table /Headers [{heads}]{spans} >>"
        if node.alt:
            out += f" /Alt {text_string(node.alt)}"
            if node.kind == "Formula":
                out += f" /ActualText {text_string(node.alt)}"
        return out + " >>"


def _id(node: _Node) -> str:
    """A head cell's element identifier: its object's number, unique in the file."""
    return f"TH{node.num}"


def marks_of(tags: list[tuple[str, str]]) -> tuple[Mark, ...]:
    """The marks of a page from its drawn operations' (tag, alt) in drawing order: one
    MCID for each run of operations drawing the same element; artifacts get none."""
    marks: list[Mark] = []
    last = None
    for tag, alt in tags:
        if tag != last:
            last = tag
            if not is_artifact(tag):
                marks.append((tag, alt))  # the alternative text of the run's first operation
    return tuple(marks)
