"""model: surnames, index names, sort keys, talk order and computed times."""

from __future__ import annotations

import datetime as dt
import pickle
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from abstractbook.project.model import (
    Author,
    Day,
    Program,
    ProgramSlot,
    Project,
    Session,
    Settings,
    Talk,
    _slot_times,
    assemble,
    fold,
    surname_key,
)


def test_surname_with_particles() -> None:
    assert Author("Ana de la Cruz").surname == "de la Cruz"
    assert Author("Ludwig van Beethoven").surname == "van Beethoven"
    assert Author("Daniel Yamins").surname == "Yamins"
    assert Author("Madonna").surname == "Madonna"
    assert Author("Íñigo Muñoz Peña", family="Muñoz Peña").index_name == "Muñoz Peña, Íñigo"
    assert Author("Ana de la Cruz").index_name == "de la Cruz, Ana"


def test_sort_keys_fold_accents_and_letters_without_decomposition() -> None:
    names = [
        "Øystein Ødegård",
        "Jan Łukasiewicz",
        "Pedro Ñúñez",
        "Ana de la Cruz",
        "Karl Lund",
        "Anna Olsen",
        "Jiří Dvořák",
    ]
    ordered = sorted((Author(n) for n in names), key=surname_key)
    assert [a.surname for a in ordered] == [
        "de la Cruz",
        "Dvořák",
        "Łukasiewicz",
        "Lund",
        "Ñúñez",
        "Ødegård",
        "Olsen",
    ]


@given(st.text())
def test_fold_never_raises_and_is_idempotent(text: str) -> None:
    once = fold(text)
    assert fold(once) == once


def test_slot_times_from_durations() -> None:
    session = Session(
        "s",
        "S",
        (
            ProgramSlot("a", duration=30),
            ProgramSlot("b", duration=20),
            ProgramSlot("c", start="11:00"),
            ProgramSlot("d"),
        ),
        start="09:45",
    )
    assert _slot_times(session) == ["09:45", "10:15", "11:00", None]


def talk(tid: str, title: str, speaker: str) -> Talk:
    return Talk(tid, title, (Author(speaker),))


def test_orders_and_other_abstracts() -> None:
    talks = (talk("b", "Zebra", "Yu Alpha"), talk("a", "apple", "Ann Zed"))
    project = Project(Path("."), Settings("T", order="title"), talks)
    assert [e.talk.id for e in assemble(project).entries] == ["a", "b"]
    project = Project(Path("."), Settings("T", order="speaker"), talks)
    assert [e.talk.id for e in assemble(project).entries] == ["b", "a"]
    project = Project(Path("."), Settings("T"), talks)
    assert [e.talk.id for e in assemble(project).entries] == ["b", "a"]  # file order


def test_affiliation_numbers_in_order_of_first_appearance() -> None:
    t = Talk(
        "x",
        "T",
        (
            Author("A", ("Uni B", "Uni A")),
            Author("C", ("Uni A",)),
            Author("D", ("Uni C",), presenting=True),
        ),
    )
    assert t.affiliations == ("Uni B", "Uni A", "Uni C")
    assert t.affiliation_numbers(t.authors[1]) == (2,)
    assert t.speaker == "D"


def test_a_night_session_dates_its_talks_after_midnight_on_the_next_day() -> None:
    session = Session(
        "night",
        "Night",
        (
            ProgramSlot("a", duration=40),
            ProgramSlot("b", duration=30),
            ProgramSlot("c", start="01:15"),
        ),
        start="23:30",
    )
    program = Program((Day(dt.date(2024, 6, 10), (session,)),))
    talks = tuple(talk(t, t.upper(), "Ann Example") for t in "abc")
    book = assemble(Project(Path("."), Settings("T"), talks, program))
    when = {e.talk.id: (e.slots[0].day, e.slots[0].start) for e in book.entries}
    assert when == {
        "a": (dt.date(2024, 6, 10), "23:30"),
        "b": (dt.date(2024, 6, 11), "00:10"),
        "c": (dt.date(2024, 6, 11), "01:15"),
    }


def test_a_talk_in_two_sessions_is_one_entry_with_two_slots() -> None:
    morning = Session(
        "m", "Morning", (ProgramSlot("w", duration=90), ProgramSlot("x")), start="09:00"
    )
    evening = Session(
        "e", "Evening", (ProgramSlot("y"), ProgramSlot("w", start="18:30")), start="18:00"
    )
    program = Program(
        (Day(dt.date(2024, 6, 10), (morning,)), Day(dt.date(2024, 6, 11), (evening,)))
    )
    talks = tuple(talk(t, t.upper(), "Ann Example") for t in "wxy")
    book = assemble(Project(Path("."), Settings("T"), talks, program))
    assert [e.talk.id for e in book.entries] == ["w", "x", "y"]  # printed once each
    w = book.entries[0]
    assert [(s.day, s.session.id if s.session else None, s.start) for s in w.slots] == [
        (dt.date(2024, 6, 10), "m", "09:00"),
        (dt.date(2024, 6, 11), "e", "18:30"),
    ]
    listed = [[(x.talk.id, x.start) for x in ls] for ls in book.section_listings()]
    assert listed == [[("w", "09:00"), ("x", "10:30")], [("y", "18:00"), ("w", "18:30")]]


@pytest.mark.parametrize(
    ("name", "index_name"),
    [
        ("Yao Wei (魏銘廷)", "Wei, Yao (魏銘廷)"),
        ("Yao Wei 魏銘廷", "Wei, Yao 魏銘廷"),
        ("魏銘廷", "魏銘廷"),
        ("Ana de la Cruz", "de la Cruz, Ana"),
    ],
)
def test_a_native_form_is_kept_but_the_latin_surname_indexes(name: str, index_name: str) -> None:
    assert Author(name).index_name == index_name


def test_order_by_id_sorts_numbers_as_numbers() -> None:
    talks = tuple(talk(t, t, "Ann Example") for t in ("100", "13", "130", "2", "p10", "p9"))
    project = Project(Path("."), Settings("T", order="id"), talks)
    ids = [e.talk.id for e in assemble(project).entries]
    assert ids == ["2", "13", "100", "130", "p9", "p10"]


def test_a_talks_hashes_follow_its_fields_when_copied_and_pickled() -> None:
    """A talk's hashes are kept on it once made (the input cache pickles them with the
    record): a copy with another title hashes as a talk made with that title, and an
    unpickled talk as the talk it was."""
    talk = Talk("t1", "A title", (Author("Ada Lovelace", ("Analytical Society",)),), "Body.")
    made = talk.content_hash
    retitled = replace(talk, title="Another title")
    assert retitled.content_hash == Talk("t1", "Another title", talk.authors, "Body.").content_hash
    assert retitled.content_hash != made
    assert retitled.field_hashes["title"] != talk.field_hashes["title"]
    assert retitled.field_hashes["body"] == talk.field_hashes["body"]
    again = pickle.loads(pickle.dumps(talk))
    assert again == talk and again.content_hash == made
    assert Talk("t1", "A title", talk.authors, "Body.").content_hash == made
