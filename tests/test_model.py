"""model: surnames, index names, sort keys, talk order and computed times."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from abstractbook.model import (
    Author,
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
