"""Reading a timetable grid back from the PDF: boxes, hour lines, text, links.

Everything here is read from the content streams and annotations as a viewer
would, independent of how abstractbook laid the grid out.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import zlib
from dataclasses import dataclass
from typing import Any

from pypdf import PdfReader
from pypdf.generic import IndirectObject

from tests.pdftext import Fragment, fragments, squash, width

NUM = r"(-?[\d.]+)"
# a fill in grey (g), RGB (rg) or CMYK (k), then its rectangle
RECT = re.compile(rf"((?:-?[\d.]+ )+)(?:g|rg|k) {NUM} {NUM} {NUM} {NUM} re f")
RULE = re.compile(rf"{NUM} w {NUM} {NUM} m {NUM} {NUM} l S")
CLOCK = re.compile(r"^\d\d:\d\d$")


@dataclass(frozen=True)
class Box:
    x0: float
    y0: float  # bottom
    x1: float
    y1: float  # top
    color: tuple[float, ...]  # grey, RGB or CMYK

    def contains(self, x: float, y: float) -> bool:
        return self.x0 - 0.5 <= x <= self.x1 + 0.5 and self.y0 - 0.5 <= y <= self.y1 + 0.5


def stream(reader: PdfReader, index: int) -> str:
    contents = reader.pages[index].get_contents()
    assert contents is not None
    data = contents.get_data()
    with contextlib.suppress(zlib.error):
        data = zlib.decompress(data)
    return data.decode("latin-1")


def offset(text: str) -> tuple[float, float]:
    """The page's own translation (bleed and crop border) of its drawing."""
    m = re.match(r"(?:.*?\n)*?q 1 0 0 1 ([\d.]+) ([\d.]+) cm", text)
    return (float(m.group(1)), float(m.group(2))) if m else (0.0, 0.0)


def boxes(reader: PdfReader, index: int) -> list[Box]:
    text = stream(reader, index)
    dx, dy = offset(text)
    out = []
    for m in RECT.finditer(text):
        color = tuple(float(v) for v in m.group(1).split())
        x, y, w, h = (float(v) for v in m.groups()[1:])
        out.append(Box(x + dx, y + dy, x + w + dx, y + h + dy, color))
    return out


def hour_lines(reader: PdfReader, index: int) -> list[float]:
    """Heights of the horizontal rules of the grid."""
    text = stream(reader, index)
    _, dy = offset(text)
    return [
        float(m.group(3)) + dy
        for m in RULE.finditer(text)
        if m.group(3) == m.group(5) and float(m.group(4)) - float(m.group(2)) > 100
    ]


def time_axis(reader: PdfReader, index: int) -> dict[int, float]:
    """Minutes from midnight -> the height of that time's line, from the axis labels
    (each label sits beside its line)."""
    lines = hour_lines(reader, index)
    page = view(reader, index)
    axis: dict[int, float] = {}
    for f in page.frags:
        if CLOCK.match(f.text.strip()) and not any(
            b.contains(f.x + 1, f.y + 1) for b in page.boxes
        ):
            near = [y for y in lines if 0 <= y - f.y < 6]
            if near:
                axis[minutes(f.text.strip())] = min(near)
    return axis


def y_of(axis: dict[int, float], minutes: int) -> float:
    """A time's height by the axis (linear between its labelled lines)."""
    (t0, y0), (t1, y1) = sorted(axis.items())[0], sorted(axis.items())[-1]
    return y0 + (minutes - t0) * (y1 - y0) / (t1 - t0)


def grid_pages(reader: PdfReader) -> list[int]:
    """Pages whose running head says Timetable (in a book, among the front matter)."""
    return [i for i, v in enumerate(views(reader)) if v is not None and v.head == "Timetable"]


@dataclass
class View:
    """What one page shows: its text pieces, its running head, its boxes."""

    frags: list[Fragment]
    head: str
    boxes: list[Box]


_VIEWS: dict[int, tuple[PdfReader, list[View | None]]] = {}  # the reader kept: ids stay unique


def view(reader: PdfReader, index: int) -> View:
    found = views(reader)[index]
    assert found is not None
    return found


def views(reader: PdfReader) -> list[View | None]:
    """Each page read once per reader (None: a book's body page, not read)."""
    known = _VIEWS.get(id(reader), (reader, None))[1]
    if known is None:
        labels = reader.page_labels
        front = not all(label.isdigit() for label in labels)
        known = []
        for i, page in enumerate(reader.pages):
            if front and labels[i].isdigit():
                known.append(None)
                continue
            frags = fragments(page)
            top = max((f.y for f in frags), default=0)
            words = " ".join(f.text for f in frags if f.y >= top - 1).split()
            head = [w for w in words if w != labels[i]]  # the folio
            known.append(View(frags, " ".join(head), boxes(reader, i)))
        _VIEWS[id(reader)] = (reader, known)
    return known


def column_text(frags: list[Fragment], x0: float, x1: float) -> str:
    """The text between two x positions, top to bottom: names wrapped in a column join up."""
    inside = [f for f in frags if x0 - 0.5 <= f.x < x1 - 0.5]
    inside.sort(key=lambda f: (-round(f.y, 1), f.x))
    return squash("".join(f.text for f in inside))


def links(reader: PdfReader, index: int) -> list[tuple[tuple[float, float, float, float], int]]:
    """Each link's rectangle and the index of the page it leads to."""
    numbers = {p.indirect_reference.idnum: i for i, p in enumerate(reader.pages)}  # type: ignore[union-attr]
    out = []
    for annot in reader.pages[index].get("/Annots", []) or []:
        a: Any = annot.get_object()
        dest = a.get("/Dest")
        if dest is None:
            continue
        target = dest[0]
        assert isinstance(target, IndirectObject)
        x0, y0, x1, y1 = (float(v) for v in a["/Rect"])
        out.append(((x0, y0, x1, y1), numbers[target.idnum]))
    return out


def in_rect(frags: list[Fragment], rect: tuple[float, float, float, float]) -> str:
    x0, y0, x1, y1 = rect
    inside = [f for f in frags if x0 - 0.5 <= f.x <= x1 and y0 - 0.5 <= f.y <= y1 + 0.5]
    inside.sort(key=lambda f: (-round(f.y, 1), f.x))
    return squash("".join(f.text for f in inside))


def minutes(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


def expected_sessions(program: dict[str, Any]) -> list[dict[str, Any]]:
    """Every session of the written programme with its day, start, end and talks' times,
    worked out here from program.yaml as an organiser reads it."""
    out = []
    for day in program["days"]:
        for s in day["sessions"]:
            start = minutes(s["start"])
            clock = start
            talks = []
            for t in s.get("talks", []):
                if "start" in t:
                    clock = minutes(t["start"])
                talks.append((t["id"], clock))
                clock += t.get("duration", 0) or 0
            slots = s.get("talks", [])
            if "end" in s:
                end = minutes(s["end"])
            else:  # the last talk's end; a talk without a duration lasts to the next start
                end = clock if slots and "duration" in slots[-1] else clock + 20
            out.append(
                {
                    **s,
                    "date": dt.date.fromisoformat(day["date"]),
                    "start_min": start,
                    "end_min": end,
                    "slots": talks,
                }
            )
    return out


def text_size_and_trim(reader: PdfReader, only: list[int] | None = None) -> list[str]:
    """Problems a printer would see: text below 6 pt, text or boxes outside the trim."""
    problems = []
    for i, page in enumerate(reader.pages):
        if only is not None and i not in only:
            continue
        trim = page.trimbox
        left, bottom, right, top = (
            float(v) for v in (trim.left, trim.bottom, trim.right, trim.top)
        )
        for f in fragments(page):
            if f.size < 6.0 - 1e-6:
                problems.append(f"page {i + 1}: {f.text!r} at {f.size} pt")
            if f.x < left - 0.5 or f.x + width(f) > right + 0.5 or not bottom <= f.y <= top:
                problems.append(f"page {i + 1}: {f.text!r} outside the trim")
        if i == 0:  # the title page's band runs into the bleed on purpose
            continue
        for b in boxes(reader, i):
            if b.x0 < left - 0.5 or b.x1 > right + 0.5 or b.y0 < bottom - 0.5 or b.y1 > top + 0.5:
                problems.append(f"page {i + 1}: a box outside the trim")
    return problems
