"""The demonstration project as a reader meets it: programme, grouped contents, author
and keyword indexes, running heads, every page number against where the titles are.

The expectations are written out by hand from data/demo's YAML files.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from abstractbook import pipeline
from tests.pdftext import lines, pages_headed, squash

DEMO = Path(__file__).resolve().parent.parent / "data" / "demo"
MEETING = "Symposium on Imaginary Neuroscience"

TITLES = {
    "dreaming-grid-cells": "Do grid cells dream of electric sheep? Replay in an imaginary "
    "entorhinal cortex",
    "whisker-transformers": "Attention heads in a make-believe barrel cortex",
    "predictive-pupils": "Pupil-linked surprise signals in a fictional visual cortex",
    "sparse-colours": "Sparse codes for colours that do not exist",
    "spiking-ledgers": "Counting spikes with an imaginary abacus: rate versus timing codes",
    "mirror-drift": "Representational drift in a mirror-world mouse",
    "poster-dendritic-dice": "P-1 · Dendritic dice: stochastic plateau potentials in a toy "
    "pyramidal neuron",
    "poster-sleepy-gradients": "P-2 · Sleepy gradients: offline consolidation in a made-up "
    "recurrent network",
    "poster-curious-rats": "P-3 · Curiosity bonuses for imaginary rats in an infinite maze",
    "keynote-three-factor": "Three-factor learning rules for brains that were never built",
    "backprop-dendrites": "Backpropagation through fictional dendrites",
    "dopamine-ghosts": "Ghost dopamine: reward prediction errors without reward",
    "hebbian-origami": "Hebbian origami: folding synaptic weight spaces",
    "replay-lottery": "The replay lottery: which memories win a night of sleep?",
    "forgetting-curves": "Graceful forgetting in continual learners and imaginary hippocampi",
    "oscillation-accountants": "Gamma oscillations as bookkeepers of an imaginary cortex",
    "thalamic-switchboard": "A thalamic switchboard for make-believe attention",
    "imaging-mirage": "Seeing what is not there: artefacts in imaginary two-photon imaging",
    "spike-sorting-sieve": "A sieve for spike sorting, made of nothing",
    "virtual-maze-kit": "A build-it-yourself virtual maze for imaginary mice",
    "axon-traffic-lights": "Traffic lights for growing axons",
    "tadpole-compass": "How an imaginary tadpole finds north",
    "evolving-forgetters": "Evolving networks that know when to forget",
}

# day -> sessions (start, title, room and chair) -> talks (start: from program.yaml's
# durations and starts; posters after the first have no time of their own)
PROGRAMME = [
    (
        "Tuesday, 14 September 2027",
        [
            (
                "09:00",
                "Opening keynote",
                "all rooms · Chair: Kateřina Vymyšlená",
                [("09:00", "dreaming-grid-cells")],
            ),
            (
                "10:15",
                "Neural coding and perception",
                "Aula Imaginaria · Chair: Ludwig van der Berg",
                [
                    ("10:15", "predictive-pupils"),
                    ("10:35", "sparse-colours"),
                    ("10:55", "spiking-ledgers"),
                    ("11:20", "mirror-drift"),
                ],
            ),
            (
                "10:15",
                "Circuits and computation",
                "Seminar Room Ø · Chair: Zofia Łukasiewicz",
                [
                    ("10:15", "whisker-transformers"),
                    ("10:40", "oscillation-accountants"),
                    ("11:05", "thalamic-switchboard"),
                ],
            ),
            (
                "13:30",
                "Tools for imaginary laboratories",
                "Seminar Room Ø · Chair: Bjørn Kvåle",
                [
                    ("13:30", "imaging-mirage"),
                    ("13:55", "spike-sorting-sieve"),
                    ("14:20", "virtual-maze-kit"),
                ],
            ),
            (
                "13:30",
                "Poster session",
                "Foyer of Unreal Ideas · Chair: Mateusz Zmyślony",
                [
                    ("13:30", "poster-dendritic-dice"),
                    ("", "poster-sleepy-gradients"),
                    ("", "poster-curious-rats"),
                ],
            ),
        ],
    ),
    (
        "Wednesday, 15 September 2027",
        [
            (
                "09:30",
                "Learning rules and plasticity",
                "Aula Imaginaria · Chair: Ana de la Cruz",
                [
                    ("09:30", "keynote-three-factor"),
                    ("10:10", "backprop-dendrites"),
                    ("10:30", "dopamine-ghosts"),
                    ("10:50", "hebbian-origami"),
                ],
            ),
            (
                "09:30",
                "Development and evolution",
                "Seminar Room Ø · Chair: Dilek Güneş",
                [
                    ("09:30", "axon-traffic-lights"),
                    ("09:55", "tadpole-compass"),
                    ("10:20", "evolving-forgetters"),
                ],
            ),
            (
                "11:40",
                "Memory, sleep and forgetting",
                "Aula Imaginaria · Chair: Jiří Dvořák",
                [("11:40", "replay-lottery"), ("12:00", "forgetting-curves")],
            ),
        ],
    ),
]
SESSION_OF = {
    talk: session
    for _, sessions in PROGRAMME
    for _, session, _, talks in sessions
    for _, talk in talks
}

# every author, filed as the index files them, with the talks they are authors of
AUTHORS = {
    "van der Berg, Ludwig": ["backprop-dendrites", "poster-curious-rats", "predictive-pupils"],
    "Bézier-Fauré, Océane": ["hebbian-origami", "imaging-mirage"],
    "Brückner, Zoë": ["forgetting-curves", "sparse-colours", "virtual-maze-kit"],
    "Brzęczyszczykiewicz, Grzegorz": ["evolving-forgetters", "poster-dendritic-dice"],
    "Černý, Ondřej": ["forgetting-curves", "oscillation-accountants", "spiking-ledgers"],
    "de la Cruz, Ana": [
        "axon-traffic-lights",
        "poster-sleepy-gradients",
        "predictive-pupils",
        "replay-lottery",
    ],
    "Dvořák, Jiří": ["replay-lottery", "spiking-ledgers", "whisker-transformers"],
    "Güneş, Dilek": ["dopamine-ghosts", "poster-curious-rats", "thalamic-switchboard"],
    "Hæstad, Sigrid": ["oscillation-accountants", "poster-sleepy-gradients", "replay-lottery"],
    "Kvåle, Bjørn": ["imaging-mirage", "poster-sleepy-gradients", "replay-lottery"],
    "Lefèvre, François": ["forgetting-curves", "poster-curious-rats", "tadpole-compass"],
    "Łukasiewicz, Zofia": ["keynote-three-factor", "spiking-ledgers", "whisker-transformers"],
    "Marchand, Élodie": ["hebbian-origami", "whisker-transformers"],
    "Muñoz Peña, Íñigo": ["dopamine-ghosts", "predictive-pupils", "spike-sorting-sieve"],
    "Ødegård, Øystein": [
        "dreaming-grid-cells",
        "evolving-forgetters",
        "mirror-drift",
        "replay-lottery",
    ],
    "Şahin, Çağrı": ["axon-traffic-lights", "dopamine-ghosts", "mirror-drift"],
    "Weiß, Jürgen": ["backprop-dendrites", "sparse-colours", "thalamic-switchboard"],
    "Wróbel, Małgorzata": ["backprop-dendrites", "poster-dendritic-dice", "virtual-maze-kit"],
    "Yılmaz-Öztürk, Ayşe": ["dopamine-ghosts", "mirror-drift", "tadpole-compass"],
    "Zmyślony, Mateusz": ["replay-lottery"],
}

KEYWORDS = {
    "attention": ["thalamic-switchboard"],
    "deep learning": ["backprop-dendrites", "forgetting-curves", "whisker-transformers"],
    "dendrites": ["backprop-dendrites", "poster-dendritic-dice"],
    "development": ["axon-traffic-lights", "tadpole-compass"],
    "imaging": ["imaging-mirage"],
    "memory": [
        "dreaming-grid-cells",
        "evolving-forgetters",
        "forgetting-curves",
        "hebbian-origami",
        "mirror-drift",
        "poster-curious-rats",
        "poster-sleepy-gradients",
        "replay-lottery",
    ],
    "methods": ["imaging-mirage", "spike-sorting-sieve", "virtual-maze-kit"],
    "navigation": ["tadpole-compass", "virtual-maze-kit"],
    "neural coding": [
        "dreaming-grid-cells",
        "mirror-drift",
        "oscillation-accountants",
        "predictive-pupils",
        "sparse-colours",
        "spiking-ledgers",
        "whisker-transformers",
    ],
    "oscillations": ["oscillation-accountants"],
    "plasticity": ["evolving-forgetters"],
    "predictive coding": ["dopamine-ghosts", "predictive-pupils"],
    "recurrent networks": ["hebbian-origami", "poster-sleepy-gradients", "spiking-ledgers"],
    "reinforcement learning": [
        "dopamine-ghosts",
        "keynote-three-factor",
        "poster-curious-rats",
        "replay-lottery",
    ],
    "sleep": ["dreaming-grid-cells", "poster-sleepy-gradients", "replay-lottery"],
    "spike sorting": ["spike-sorting-sieve"],
    "synaptic plasticity": [
        "backprop-dendrites",
        "hebbian-origami",
        "keynote-three-factor",
        "poster-dendritic-dice",
    ],
    "thalamus": ["thalamic-switchboard"],
    "vision": ["predictive-pupils", "sparse-colours"],
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[pipeline.BuildResult, PdfReader]:
    result = pipeline.build(DEMO, tmp_path_factory.mktemp("demo") / "book.pdf")
    return result, PdfReader(result.output)


def arabic(label: str) -> bool:
    return label.isdigit()


@pytest.fixture(scope="module")
def title_pages(demo: tuple[pipeline.BuildResult, PdfReader]) -> dict[str, int]:
    """Where each title really is: the first page numbered in arabic whose text holds it
    (physical index from 0)."""
    _, reader = demo
    texts = [squash(p.extract_text()) for p in reader.pages]
    out = {}
    for talk, title in TITLES.items():
        found = [
            i for i, t in enumerate(texts) if arabic(reader.page_labels[i]) and squash(title) in t
        ]
        assert len(found) == 1, (talk, found)  # printed once, never split by a page break
        out[talk] = found[0]
    return out


def labels_of(reader: PdfReader, pages: list[int]) -> str:
    return ", ".join(reader.page_labels[i] for i in sorted(set(pages)))


def test_demo_titles_sit_where_the_manifest_says(
    demo: tuple[pipeline.BuildResult, PdfReader], title_pages: dict[str, int]
) -> None:
    result, _ = demo
    assert set(result.manifest["abstracts"]) == set(TITLES)
    for talk, page in title_pages.items():
        assert result.manifest["abstracts"][talk]["first_page"] == page + 1
    book_order = [talk for _, sessions in PROGRAMME for *_, talks in sessions for _, talk in talks]
    assert [title_pages[t] for t in book_order] == sorted(title_pages.values())


def test_demo_contents_are_grouped_by_day_and_session_with_true_pages(
    demo: tuple[pipeline.BuildResult, PdfReader], title_pages: dict[str, int]
) -> None:
    _, reader = demo
    contents = pages_headed(reader, "Contents")
    assert [reader.page_labels[i] for i in contents] == ["iii", "iv"]
    text = squash(" ".join(" ".join(lines(reader.pages[i])) for i in contents))
    expected = []
    for day, sessions in PROGRAMME:
        expected.append(day)
        for start, session, _, talks in sessions:
            expected.append(f"{start} {session}")
            expected += [TITLES[t] for _, t in talks]
    at = 0
    for heading in expected:  # every heading and title once, in the programme's order
        found = text.find(squash(heading), at)
        assert found >= 0, heading
        at = found + len(squash(heading))
    for talk, title in TITLES.items():
        m = re.search(re.escape(squash(title)) + r"\.*(\d+)", text)
        assert m, talk
        assert m.group(1) == reader.page_labels[title_pages[talk]], talk
    for index in ("Author index", "Keyword index"):
        m = re.search(squash(index) + r"\.*(\d+)", text)
        assert m, index
        (page,) = pages_headed(reader, index)[:1]
        assert m.group(1) == reader.page_labels[page]


def test_demo_programme_gives_times_rooms_chairs_and_true_pages(
    demo: tuple[pipeline.BuildResult, PdfReader], title_pages: dict[str, int]
) -> None:
    _, reader = demo
    programme = pages_headed(reader, "Programme")
    assert programme
    rows = [ln for i in programme for ln in lines(reader.pages[i])]
    text = " ".join(rows)
    for day, sessions in PROGRAMME:
        assert day in text
        for start, session, place, talks in sessions:
            assert f"{start} {session} {place}" in text
            for time, talk in talks:
                opening = TITLES[talk][:30]
                (row,) = [r for r in rows if opening in r]
                assert row.startswith(f"{time} {opening}".strip()), row
                assert row.endswith(f" {reader.page_labels[title_pages[talk]]}"), row


def index_entries(reader: PdfReader, pages: list[int]) -> list[tuple[str, str]]:
    """(entry, its pages) in reading order: the left column, then the right."""
    out = []
    for i in pages:
        page = reader.pages[i]
        left = float(page.mediabox.width) / 2
        for row in lines(page, split=left):
            m = re.fullmatch(r"(.+?)[\s.]*?\s(\d+(?:, \d+)*)", row)
            if m and not row.endswith(f"index {reader.page_labels[i]}"):
                out.append((m.group(1).rstrip(" ."), m.group(2)))
    return out


def test_demo_author_index_lists_every_author_in_order_with_true_pages(
    demo: tuple[pipeline.BuildResult, PdfReader], title_pages: dict[str, int]
) -> None:
    _, reader = demo
    pages = pages_headed(reader, "Author index")
    assert pages and pages[0] % 2 == 0  # opens on a recto
    expected = [
        (name, labels_of(reader, [title_pages[t] for t in talks]))
        for name, talks in AUTHORS.items()
    ]
    assert index_entries(reader, pages) == expected


def test_demo_keyword_index_groups_keywords_with_true_pages(
    demo: tuple[pipeline.BuildResult, PdfReader], title_pages: dict[str, int]
) -> None:
    _, reader = demo
    pages = pages_headed(reader, "Keyword index")
    assert pages and pages[0] % 2 == 0  # opens on a recto
    expected = [
        (keyword, labels_of(reader, [title_pages[t] for t in talks]))
        for keyword, talks in KEYWORDS.items()
    ]
    assert index_entries(reader, pages) == expected
    headings = [
        ln
        for i in pages
        for ln in lines(reader.pages[i], split=float(reader.pages[i].mediabox.width) / 2)
        if len(ln) == 1
    ]
    assert headings == ["A", "D", "I", "M", "N", "O", "P", "R", "S", "T", "V"]


def test_demo_running_heads_meeting_on_versos_session_on_rectos(
    demo: tuple[pipeline.BuildResult, PdfReader],
) -> None:
    """A verso's head names the meeting; a recto's the session of the abstract at the top
    of the page; both with the page's number at the outer corner."""
    result, reader = demo
    spans = {t: (a["first_page"], a["last_page"]) for t, a in result.manifest["abstracts"].items()}
    body = [i for i, label in enumerate(reader.page_labels) if arabic(label)]
    order = [t for _, sessions in PROGRAMME for *_, talks in sessions for _, t in talks]
    checked = 0
    for i in body:
        on_page = [t for t in order if spans[t][0] <= i + 1 <= spans[t][1]]
        if not on_page:
            continue  # the indexes
        head = lines(reader.pages[i])[0]
        label = reader.page_labels[i]
        if i % 2 == 1:
            assert head == f"{label} {MEETING}"
        else:
            assert head == f"{SESSION_OF[on_page[0]]} {label}"
        checked += 1
    assert checked >= 8


def test_bookmarks_hold_days_sessions_and_talks_as_the_contents_print_them(
    demo: tuple[pipeline.BuildResult, PdfReader],
) -> None:
    _, reader = demo
    top = reader.outline
    days = [
        (entry.title, top[i + 1])
        for i, entry in enumerate(top)
        if not isinstance(entry, list) and entry.title.endswith("2027")
    ]
    assert [title for title, _ in days] == [
        "Tuesday, 14 September 2027",
        "Wednesday, 15 September 2027",
    ]
    for _, sessions in days:
        assert isinstance(sessions, list)
        heads = [s for s in sessions if not isinstance(s, list)]
        talks = [t for s in sessions if isinstance(s, list) for t in s]
        assert heads and len(talks) >= len(heads)  # sessions are parents of their talks
    posters = [t.title for _, sessions in days for s in sessions if isinstance(s, list) for t in s]
    assert (
        "P-1 · Dendritic dice: stochastic plateau potentials in a toy pyramidal neuron" in posters
    )
    for title, _ in days:  # a day's bookmark opens its heading in the body
        entry = next(e for e in top if not isinstance(e, list) and e.title == title)
        assert title in reader.pages[reader.get_destination_page_number(entry)].extract_text()
