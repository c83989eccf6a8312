"""A deterministic synthetic book project for the benchmark (SPEC §1 format).

    python bench/corpus.py N OUTDIR [--seed S]

Writes OUTDIR/book.yaml (A5, hyphenated), OUTDIR/program.yaml (three days of
sessions with start times and durations) and OUTDIR/abstracts/<id>.yaml: bodies
of 150-400 words (thousands of distinct words, as in real abstracts) with some
bullet and numbered lists, inline `$math$`, emphasis and characters that need
care (`&`, `<`, "$5 and $10"); 1-8 authors with Latin (accented), Greek or
Cyrillic names; several affiliations; some notes, keywords, keynotes and posters.

Only the standard library and PyYAML. Everything comes from one seeded
`random.Random` drawing from fixed lists (never from set or dict iteration
order, the clock or the file system), so the same N and seed give
byte-identical files.
"""

from __future__ import annotations

import argparse
import random
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import yaml

DEFAULT_SEED = 20190120


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


DATES = (date(2019, 1, 20), date(2019, 1, 21), date(2019, 1, 22))

WORDS = {
    "function": _words(
        "the the the of of and and in to a is are we that this these with for by on from as "
        "at which our their its between across into over than each whether both"
    ),
    "noun": _words(
        "network neurons cortex representation model signal response learning memory "
        "attention dynamics circuit layer gradient stimulus behaviour population activity "
        "synapse feedback prediction error task agent reward policy architecture hippocampus "
        "dopamine plasticity trajectory manifold geometry variability uncertainty inference "
        "hypothesis experiment recordings pathway sequence encoder decoder objective "
        "curriculum generalisation interpretability oscillation spike latency threshold "
        "distribution ensemble mechanism framework benchmark theory evidence perception "
        "cognition navigation vision audition language"
    ),
    "adjective": _words(
        "neural deep recurrent convolutional sparse hierarchical biological artificial "
        "computational visual auditory cortical synaptic temporal spatial robust efficient "
        "stochastic nonlinear predictive generative latent unsupervised self-supervised "
        "distributed modular continual adaptive electrophysiological high-dimensional "
        "low-dimensional interpretable plausible"
    ),
    "verb": _words(
        "shows proposes finds predicts explains reveals compares captures learns encodes "
        "decodes trains measures quantifies suggests demonstrates improves constrains "
        "generalises characterises"
    ),
}
# Technical terms, prefix + root + suffix: thousands of distinct words, as in real
# abstracts, so per-word caches (widths, hyphenation) are not flattered by a tiny vocabulary.
PREFIXES = _words(
    "neuro electro hyper hypo inter intra micro macro meta multi photo proto pseudo quasi "
    "retro semi sub super trans ultra auto cyto"
)
ROOTS = _words(
    "cort synap dendr axon plast modul stimul encod decod represent classif oscill polar "
    "regul transmit integr calibr configur optim normal parametr myelin"
)
SUFFIXES = _words("ation ations ity ive ically ised ising isation ography ometric ogenesis ance")
# Probabilities of the word classes in a sentence, cumulative.
WORD_MIX = (
    ("function", 0.36),
    ("noun", 0.62),
    ("adjective", 0.76),
    ("verb", 0.88),
    ("term", 1.0),
)

GIVEN = _words(
    "Daniel Daphna Kalanit Yair Merav Omri Tali Noa Eran Sara María José Zoë Søren Łukasz "
    "Đorđe François Hélène Jürgen Åsa Ömer Chloé Renée Björn Małgorzata Tomáš Inês João "
    "Zoltán Ayşe Çağla Nikola Lucía Íñigo Rocío Gaëlle Loïc Jiří Vojtěch Sølvi Priya Ahmed "
    "Olumide Chiara Giorgio Ingrid Anaïs"
)
FAMILY = _words(
    "Yamins Weinshall Grill-Spector Tishby Mizrahi Ulanovsky Müller Schäfer Gößling Ødegård "
    "Østergaard Łukasiewicz Dvořák Šimková Kovačević Đurić García Núñez Peña Muñoz Gonçalves "
    "Lefèvre Brontë Ångström Björklund Öztürk Çelik Şahin Yılmaz Wiśniewska Szabó Horváth "
    "O'Connor Okafor Rossi Chen Tanaka Žák Nørgaard Ibáñez"
)
# Family names of more than one word: the record names them with `family:`.
PARTICLE_FAMILY = ("de la Cruz", "van der Berg", "von Thadden", "da Silva", "Le Gall")
GREEK = (("Γιώργος", "Παπαδόπουλος"), ("Ελένη", "Κωνσταντίνου"), ("Αλέξανδρος", "Νικολάου"))
CYRILLIC = (("Анна", "Иванова"), ("Дмитрий", "Соколов"), ("Ольга", "Петрова"))

AFFILIATIONS = (
    "Stanford University",
    "The Hebrew University of Jerusalem",
    "Weizmann Institute of Science",
    "Technion – Israel Institute of Technology",
    "École Normale Supérieure, Paris",
    "Technische Universität München",
    "ETH Zürich",
    "Universitat Pompeu Fabra, Barcelona",
    "Københavns Universitet",
    "Uniwersytet Jagielloński, Kraków",
    "Univerzita Karlova, Praha",
    "Boğaziçi Üniversitesi, İstanbul",
    "Max-Planck-Institut für Hirnforschung, Frankfurt am Main",
    "Norges teknisk-naturvitenskapelige universitet, Trondheim",
    "HHMI Janelia Research Campus",
    "University College London",
    "McGill University, Montréal",
    "Universidad Nacional Autónoma de México",
    "Εθνικό και Καποδιστριακό Πανεπιστήμιο Αθηνών",
    "Московский государственный университет",
    "Laboratoire Jean-Perrin, CNRS & Sorbonne Université",
    "Università di Bologna",
)
KEYWORDS = (
    "deep learning",
    "vision",
    "memory",
    "reinforcement learning",
    "plasticity",
    "attention",
    "language",
    "motor control",
    "hippocampus",
    "dopamine",
    "recurrent networks",
    "theory",
    "sleep",
    "navigation",
    "decision making",
    "neuromorphic hardware",
)
MATH = (
    r"x_i^2",
    r"\alpha_i = \sum_j w_{ij} x_j",
    r"\hat{y} = \sigma(Wh + b)",
    r"\tau \frac{dV}{dt} = -V + RI",
    r"p < 0.001",
    r"O(n \log n)",
    r"\lambda = 10^{-3}",
    r"k \in \{1, \dots, K\}",
    r"\Delta w_{ij} = \eta x_i y_j",
)
# Prose that must print as typed (not math, not markup).
ODDITIES = (
    "the two set-ups cost $5 and $10 per session",
    "with p < 0.05 & n = 48 animals",
    "the `fit_model()` routine",
    "**twice** as fast",
    "an “open” question",
)
SESSION_TOPICS = (
    "Vision and learning",
    "Memory and navigation",
    "Learning theory",
    "Motor control",
    "Language & the brain",
    "Reinforcement learning",
    "Sensory coding",
    "Plasticity",
    "Network dynamics",
    "Interpretability",
    "Sleep and replay",
    "Decision making",
)
ROOMS = ("Becker Auditorium", "Room 2.14", "Salle Fénelon", "Hörsaal B")
SESSION_STARTS = ("09:00", "11:00", "14:00", "16:00")
TALK_MINUTES = (15, 20, 20, 30)


def words(rng: random.Random, lo: int, hi: int) -> list[str]:
    out: list[str] = []
    for _ in range(rng.randint(lo, hi)):
        r = rng.random()
        kind = next(name for name, p in WORD_MIX if r < p)
        if kind == "term":
            out.append(rng.choice(PREFIXES) + rng.choice(ROOTS) + rng.choice(SUFFIXES))
        else:
            out.append(rng.choice(WORDS[kind]))
    return out


def sentence(rng: random.Random, n: int, stop: str = ".") -> str:
    """A sentence of exactly n words (emphasis and commas never add words)."""
    ws = words(rng, n, n)
    if rng.random() < 0.12:
        k = rng.randrange(len(ws))
        ws[k] = f"*{ws[k]}*"
    if n > 3 and rng.random() < 0.15:
        ws[rng.randrange(1, n - 1)] += ","
    text = " ".join(ws)
    return text[0].upper() + text[1:] + stop


def paragraph(rng: random.Random, n_words: int) -> str:
    """Exactly n_words words; sometimes with inline math or prose that needs care."""
    extras: list[str] = []
    if rng.random() < 0.12:
        extras.append(f"where ${rng.choice(MATH)}$")
    if rng.random() < 0.10:
        extras.append(rng.choice(ODDITIES))
    budget = n_words - sum(len(e.split()) for e in extras)
    sentences: list[str] = []
    while budget > 0:
        n = rng.randint(8, 22)
        n = budget if budget - n < 8 else n
        sentences.append(sentence(rng, n))
        budget -= n
    for extra in extras:
        k = rng.randrange(len(sentences))
        sentences[k] = f"{sentences[k][:-1]}, {extra}."
    return " ".join(sentences)


def markdown_list(rng: random.Random) -> tuple[str, int]:
    """A bullet or numbered list of 2-5 items and its number of words."""
    ordered = rng.random() < 0.4
    sizes = [rng.randint(4, 12) for _ in range(rng.randint(2, 5))]
    lines = [
        f"{f'{i}.' if ordered else '-'} {sentence(rng, n, stop='')}"
        for i, n in enumerate(sizes, start=1)
    ]
    return "\n".join(lines), sum(sizes)


def body(rng: random.Random) -> str:
    """150-400 words of Markdown (list markers aside): paragraphs, in a third a list."""
    target = rng.randint(150, 400)
    blocks: list[str] = []
    count = 0
    wants_list = rng.random() < 0.35
    while count < target:
        left = target - count
        if wants_list and blocks and left > 80:
            text, n = markdown_list(rng)
            wants_list = False
        else:
            n = rng.randint(50, 140)
            n = left if left - n < 30 else n
            text = paragraph(rng, n)
        blocks.append(text)
        count += n
    return "\n\n".join(blocks) + "\n"


def title(rng: random.Random) -> str:
    ws = words(rng, 5, 13) + [rng.choice(WORDS["noun"])]
    text = " ".join(ws)
    if rng.random() < 0.3:
        text += f": {rng.choice(WORDS['adjective'])} {rng.choice(WORDS['noun'])}"
    return text[0].upper() + text[1:]


def author(rng: random.Random, affiliations: list[str]) -> dict[str, Any]:
    r = rng.random()
    record: dict[str, Any] = {}
    if r < 0.03:
        given, family = rng.choice(GREEK)
    elif r < 0.06:
        given, family = rng.choice(CYRILLIC)
    else:
        given = rng.choice(GIVEN)
        if rng.random() < 0.1:
            given += f" {rng.choice('ABCDEFGHJKLMNPRST')}."
        if r < 0.10:
            family = record["family"] = rng.choice(PARTICLE_FAMILY)
        else:
            family = rng.choice(FAMILY)
    k = 1 if len(affiliations) == 1 else rng.choice((1, 1, 2))
    return {"name": f"{given} {family}", "affiliations": rng.sample(affiliations, k), **record}


def authors(rng: random.Random) -> list[dict[str, Any]]:
    n = rng.choices(range(1, 9), weights=(18, 22, 20, 14, 10, 7, 5, 4))[0]
    affiliations = rng.sample(AFFILIATIONS, rng.choices((1, 2, 3, 4), weights=(45, 30, 17, 8))[0])
    people = [author(rng, affiliations) for _ in range(n)]
    used = [a for p in people for a in p["affiliations"]]
    people[-1]["affiliations"] += [a for a in affiliations if a not in used]
    if n > 1 and rng.random() < 0.1:
        people[rng.randrange(1, n)]["presenting"] = True
    # Keys in the order a person would write them.
    order = ("name", "family", "affiliations", "presenting")
    return [{k: p[k] for k in order if k in p} for p in people]


def abstract(rng: random.Random, number: int) -> dict[str, Any]:
    record: dict[str, Any] = {"id": f"a{number:05d}", "title": title(rng), "authors": authors(rng)}
    if number % 100 != 50:  # about 1% have no body yet ("to be announced")
        record["body"] = body(rng)
    if rng.random() < 0.15:
        record["notes"] = f"Joint work with {rng.choice(GIVEN)} {rng.choice(FAMILY)}."
    if rng.random() < 0.6:
        record["keywords"] = rng.sample(KEYWORDS, rng.randint(1, 4))
    r = rng.random()
    if r < 0.05:
        record["type"] = "keynote"
    elif r < 0.12:
        record["type"] = "poster"
        record["board"] = f"P-{number % 200 + 1}"
    return record


def program(rng: random.Random, ids: list[str]) -> dict[str, Any]:
    """Three days of sessions of 4-6 talks; about 1% of the talks are in no session."""
    scheduled = [x for i, x in enumerate(ids) if i % 97 != 96]
    per_day = -(-len(scheduled) // len(DATES))
    days: list[dict[str, Any]] = []
    number = 0
    for d, day in enumerate(DATES):
        todo = scheduled[d * per_day : (d + 1) * per_day]
        sessions: list[dict[str, Any]] = []
        while todo:
            size = rng.randint(4, 6)
            chunk, todo = todo[:size], todo[size:]
            number += 1
            slot = len(sessions) // len(ROOMS) % len(SESSION_STARTS)
            sessions.append(session(rng, number, len(sessions), SESSION_STARTS[slot], chunk))
        days.append({"date": day, "sessions": sessions})
    return {"days": days}


def session(
    rng: random.Random, number: int, index: int, start: str, talk_ids: list[str]
) -> dict[str, Any]:
    minutes = int(start[:2]) * 60 + int(start[3:])
    talks: list[Any] = []
    for i, talk_id in enumerate(talk_ids):
        duration = rng.choice(TALK_MINUTES)
        if i == 0:
            talks.append(talk_id)  # the session's start applies
        else:
            talks.append(
                {
                    "id": talk_id,
                    "start": f"{minutes // 60:02d}:{minutes % 60:02d}",
                    "duration": duration,
                }
            )
        minutes += duration
    topic = SESSION_TOPICS[number % len(SESSION_TOPICS)]
    return {
        "id": f"s{number:04d}",
        "title": f"{topic} {number // len(SESSION_TOPICS) + 1}",
        "start": start,
        "room": ROOMS[index % len(ROOMS)],
        "chair": f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}",
        "talks": talks,
    }


def book(n: int) -> dict[str, Any]:
    return {
        "title": "Deep Learning and the Brain",
        "subtitle": f"Abstracts (synthetic, {n} talks)",
        "dates": {"start": DATES[0], "end": DATES[-1]},
        "venue": "Becker Auditorium, Edmond J. Safra Campus, The Hebrew University, Jerusalem",
        "organisers": ["Ilana Łukasiewicz", "Søren Ødegård"],
        "abstracts": "abstracts/",
        "order": "program",
        "page": {
            "size": "A5",
            "margins": {"inner": "18mm", "outer": "14mm", "top": "16mm", "bottom": "18mm"},
        },
        "layout": {"abstract_start": "flow", "hyphenate": True, "language": "en"},
        "front_matter": ["title_page", "toc", "program"],
        "back_matter": ["author_index"],
    }


class _Dumper(yaml.SafeDumper):
    """Block style for multi-line text, quotes for clock times (else YAML 1.1 reads 09:00
    as a sexagesimal number)."""


def _represent_str(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    if "\n" in text:
        return dumper.represent_scalar("tag:yaml.org,2002:str", text, style="|")
    if len(text) == 5 and text[2] == ":" and text.replace(":", "").isdigit():
        return dumper.represent_scalar("tag:yaml.org,2002:str", text, style='"')
    return dumper.represent_scalar("tag:yaml.org,2002:str", text)


_Dumper.add_representer(str, _represent_str)


def dump(data: dict[str, Any], path: Path) -> None:
    text = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)
    path.write_bytes(text.encode("utf-8"))


def generate(n: int, outdir: Path, seed: int = DEFAULT_SEED) -> list[str]:
    """Write the project (replacing an earlier corpus there); returns the abstract ids."""
    if outdir.exists():
        if not (outdir / "book.yaml").exists():
            raise SystemExit(f"{outdir} exists and is not a corpus; not overwriting it")
        shutil.rmtree(outdir)
    (outdir / "abstracts").mkdir(parents=True)
    rng = random.Random(seed)
    ids: list[str] = []
    for number in range(1, n + 1):
        record = abstract(rng, number)
        dump(record, outdir / "abstracts" / f"{record['id']}.yaml")
        ids.append(record["id"])
    dump(program(rng, ids), outdir / "program.yaml")
    dump(book(n), outdir / "book.yaml")
    return ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="number of abstracts")
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args()
    generate(args.n, args.outdir, args.seed)


if __name__ == "__main__":
    main()
