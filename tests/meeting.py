"""A generated meeting with parallel sessions: days of plenaries, breaks and rooms.

Small and deterministic, for the timetable and pocket-programme tests; every name
is invented.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

GIVEN = ["Ana", "Bruno", "Chiara", "Dmitri", "Eszter", "Farid", "Greta", "Hiroshi", "Ines"]
FAMILY = ["Abara", "Brenner", "Costa", "Dvořák", "Eklund", "Fontaine", "Gallo", "Holm", "Ivanova"]


def room_names(count: int) -> list[str]:
    named = ["Aula Magna", "Hall B", "Seminar Room 3", "Lecture Hall Ø", "Room 1.14", "Studio"]
    return named[:count] + [f"Room {n}" for n in range(len(named) + 1, count + 1)]


def write_meeting(
    folder: Path,
    *,
    days: int = 3,
    rooms: int = 6,
    talks: int = 3,
    book: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Write the project; returns its programme as written (the tests' expectations)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "abstracts").mkdir(exist_ok=True)
    names = room_names(rooms)
    program: dict[str, Any] = {"rooms": names, "days": []}
    number = 0

    def talk(duration: int | None = None, start: str | None = None) -> Any:
        nonlocal number
        number += 1
        tid = f"t{number:03d}"
        who = f"{GIVEN[number % len(GIVEN)]} {FAMILY[number * 7 % len(FAMILY)]}{number}"
        record = {
            "id": tid,
            "title": f"Invented result number {number} on imaginary circuits",
            "authors": [{"name": who, "affiliations": ["Institute of Nothing"]}],
            "body": f"A fictional abstract, number {number}.",
        }
        (folder / "abstracts" / f"{tid}.yaml").write_text(
            yaml.safe_dump(record, allow_unicode=True), "utf-8"
        )
        slot: dict[str, Any] = {"id": tid}
        if duration:
            slot["duration"] = duration
        if start:
            slot["start"] = start
        return slot

    for d in range(days):
        sessions: list[dict[str, Any]] = [
            {
                "id": f"d{d}-plenary",
                "title": "Plenary lecture",
                "start": "09:00",
                "room": "all",
                "chair": "Greta Holm",
                "talks": [talk(45)],
            },
            {
                "id": f"d{d}-coffee",
                "title": "Coffee",
                "start": "09:45",
                "end": "10:15",
                "room": "all",
            },
        ]
        for r, room in enumerate(names):
            # Morning sessions of varying length; every other one ends by `end:`.
            count = talks + (r + d) % 2
            morning: dict[str, Any] = {
                "id": f"d{d}-am-{r}",
                "title": f"Track {r + 1}: morning",
                "start": "10:15",
                "room": room,
                "chair": f"{GIVEN[r % len(GIVEN)]} {FAMILY[r % len(FAMILY)]}",
                "talks": [talk(25) for _ in range(count)],
            }
            if r % 2:
                morning["end"] = "12:15"
            sessions.append(morning)
        sessions.append(
            {"id": f"d{d}-lunch", "title": "Lunch", "start": "12:30", "end": "13:30", "room": "all"}
        )
        for r, room in enumerate(names):
            start = "13:30" if r % 3 else "14:00"
            sessions.append(
                {
                    "id": f"d{d}-pm-{r}",
                    "title": f"Track {r + 1}: afternoon",
                    "start": start,
                    "room": room,
                    "talks": [talk(20), talk(), talk(20, start="15:00")],
                }
            )
        program["days"].append({"date": f"2031-03-{10 + d:02d}", "sessions": sessions})
    settings: dict[str, Any] = {
        "title": "Imaginary Meeting on Parallel Circuits",
        "subtitle": "Abstracts",
        "dates": {"start": "2031-03-10", "end": f"2031-03-{9 + days:02d}"},
        "front_matter": ["title_page", "toc", "timetable", "program"],
    }
    settings.update(book or {})
    (folder / "book.yaml").write_text(yaml.safe_dump(settings, allow_unicode=True), "utf-8")
    (folder / "program.yaml").write_text(
        yaml.safe_dump(program, allow_unicode=True, sort_keys=False), "utf-8"
    )
    return program
