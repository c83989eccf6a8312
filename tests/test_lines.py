"""lines: the line breaker keeps every word, fits the width, hyphenates, splits long tokens."""

from __future__ import annotations

import html
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from abstractbook import pipeline
from abstractbook.project import scaffold
from abstractbook.project.model import Settings
from abstractbook.typeset.lines import EXPANSION, break_lines, width
from abstractbook.typeset.spans import Span
from abstractbook.typeset.theme import make_theme

FONT = make_theme(Settings("T")).text["regular"]


def text_of(lines: list) -> str:  # type: ignore[type-arg]
    return " ".join("".join(f.text for f in ln.frags) for ln in lines)


def test_fits_and_keeps_words() -> None:
    words = ("computational neuroscience " * 30).strip()
    lines = break_lines([Span(words, FONT, 9.5, "#000")], 200, lang=None)
    assert all(ln.width <= 200 + 0.2 * ln.spaces * width(" ", FONT, 9.5) + 0.01 for ln in lines)
    assert text_of(lines).split() == words.split()
    assert not lines[-1].justify and all(ln.justify for ln in lines[:-1])


def test_hyphenates_when_it_helps() -> None:
    words = "characterization " * 20
    lines = break_lines([Span(words, FONT, 9.5, "#000")], 150, lang="en")
    assert any("".join(f.text for f in ln.frags).endswith("-") for ln in lines)
    assert "".join("".join(f.text for f in ln.frags).rstrip("-") for ln in lines).replace(
        " ", ""
    ) == words.replace(" ", "")


def test_long_tokens_split_within_the_width() -> None:
    url = "https://example.org/" + "/".join(["segment"] * 60)
    word = "x" * 3000
    for token in (url, word):
        lines = break_lines([Span(f"see {token} end", FONT, 9.5, "#000")], 120, lang="en")
        assert all(ln.width <= 120.01 for ln in lines if not ln.justify)
        assert token in text_of(lines).replace(" ", "") or token.replace("/", "") in text_of(
            lines
        ).replace(" ", "").replace("/", "")


@pytest.mark.parametrize("text", ["", " ", "\n", "a\nb"])
def test_edge_cases(text: str) -> None:
    assert break_lines([Span(text, FONT, 9.5, "#000")], 100, lang="en")


@settings(max_examples=60, deadline=None)
@given(
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=0x24F), max_size=300),
    st.floats(min_value=40, max_value=400),
)
@example("\xad", 40.0)  # a word of nothing but a soft hyphen: nothing to shape
def test_never_wider_than_allowed(text: str, avail: float) -> None:
    for ln in break_lines([Span(text, FONT, 9.5, "#000")], avail, lang="en"):
        slack = 0.2 * ln.spaces * width(" ", FONT, 9.5) if ln.justify else 0.0
        assert ln.width <= avail + slack + 0.01


@pytest.mark.parametrize(
    "run",
    [
        "x" * 5000,
        "https://example.org/" + "seg/" * 1500,
        "ab\u00ad" * 2000,
        "中" * 3000,
        "see " + "y-" * 2000 + " end",
    ],
    ids=["letters", "url", "soft hyphens", "cjk", "after a word"],
)
def test_a_long_run_is_broken_within_the_width_keeping_every_character(run: str) -> None:
    lines = break_lines([Span(run, FONT, 9.5, "#000")], 150, lang="en")
    assert all(ln.width <= 150.01 for ln in lines)
    printed = "".join("".join(f[0] for f in ln.frags) for ln in lines)
    if "\u00ad" in run:  # a soft hyphen prints as a hyphen where the line breaks, else nothing
        assert printed.replace("-", "") == run.replace("\u00ad", "")
        assert sum(1 for ln in lines if ln.frags[-1][0].endswith("-")) >= len(lines) - 1
    else:
        assert printed.replace(" ", "") == run.replace(" ", "")


def test_a_long_run_takes_time_proportional_to_its_length() -> None:
    import time

    def seconds(n: int) -> float:
        start = time.perf_counter()
        break_lines([Span("q" * n, FONT, 9.5, "#000")], 200, lang="en")
        return time.perf_counter() - start

    seconds(1000)  # warm the width memo
    small, large = seconds(20_000), seconds(160_000)
    assert large < 20 * small + 0.5  # 8 times the text: linear, not 64 times


# -- the justified page as a reader measures it: the typography benchmark's own reading
# (bench/typography.py, which agrees with ../shared/bench/typography/measure.py)

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from typography import EM, WORD, Page  # noqa: E402
from typography import measure as measure_pdf  # noqa: E402


def assert_set_like_tex(got: Page, hyphenated: float = 0.2) -> None:
    """The issue's figures: few hyphens, no run of three, no compound broken again,
    no space wider than 0.6 em nor narrower than 0.2 em, at most 2 % of the lines
    loose (over 0.5 em), none past the edge."""
    assert got.justified > 100
    assert got.hyphenated <= hyphenated * got.justified
    assert got.longest_run <= 2
    assert got.twice == []
    assert got.widest <= 0.6
    assert min(got.gaps) >= 0.2
    assert got.loose <= 0.02 * got.justified
    assert got.overfull == 0


def test_the_sample_is_set_with_few_hyphens_and_even_spaces(
    sample_build: pipeline.BuildResult,
) -> None:
    got = measure_pdf(sample_build.output, pipeline.sample_project())
    assert_set_like_tex(got)  # 8.4 % hyphenated, widest 0.50 em, 1 line of 405 loose


def test_the_bench_corpus_keeps_the_copy_editors_rules(tmp_path: Path) -> None:
    # The corpus's words are long coinages ("photorepresentometric"), five to a line,
    # that pyphen cannot break: a quarter of the lines end in a hyphen (23 %); the
    # spacing is held to the figures (widest 0.52 em, 1.1 % loose).
    project = tmp_path / "corpus"
    subprocess.run(
        [sys.executable, "bench/corpus.py", "12", str(project)],
        check=True,
        capture_output=True,
        cwd=Path(__file__).parent.parent,
    )
    pdf = tmp_path / "out" / "book.pdf"
    pipeline.build(project, pdf)
    got = measure_pdf(pdf, project)
    assert got.justified > 200
    assert_set_like_tex(got, hyphenated=0.25)
    assert pages_ending_in_a_hyphen(pdf) == []


# Two paragraphs of the peers' corpus (../shared/bench/gen_corpus.py 30) at its measure.
# The first line of the first can only end at "self-": the rest of the compound is too
# long for it, and "self-super-" would break the compound again; expansion alone left
# its spaces at 0.72 em. In the second, the cheapest first line led into a 0.62 em
# second line ("… variability high-"), which a looser first line spares.
LOOSE_PARAGRAPHS = (
    "Gradient constrains and this between *sequence*, mechanisms self-supervised over. "
    "Geometry model activity with generative train and distributed interpretable temporal "
    "and the whether dopamine. Hierarchical these their ensemble are suggest in captures "
    "selectively on predictive cognition to representational to on characterize sequences "
    "suggests plausible.",
    "Recurrence *interpretability* encode noisy efficient, unsupervised the at of are and "
    "signals this oscillation between under variability high-dimensional into. Measures its "
    "networks encoder self-supervised constrain dense both population that trajectories "
    "measures objective deep while to.",
)


def test_no_word_space_is_wider_than_0_6_em_nor_a_compound_broken_again(tmp_path: Path) -> None:
    project = tmp_path / "book"
    scaffold.write_project(project)
    path = project / "abstracts" / "lovelace.yaml"
    text = path.read_text("utf-8")
    start, end = text.index("body: |"), text.index("keywords:")
    body = "\n\n  ".join(LOOSE_PARAGRAPHS)
    path.write_text(f"{text[:start]}body: |\n  {body}\n{text[end:]}", "utf-8")
    pdf = pipeline.build(project, project / "build" / "book.pdf").output
    got = measure_pdf(pdf, project)
    assert got.justified >= 8
    assert got.gaps and max(got.gaps) <= 0.6
    assert min(got.gaps) >= 0.2
    assert got.twice == []
    assert got.overfull == 0
    lines = subprocess.run(
        ["pdftotext", "-layout", pdf, "-"], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    first = next(ln for ln in lines if ln.strip().startswith("Gradient constrains"))
    assert first.rstrip().endswith("mechanisms self-")  # at the compound's own hyphen


def test_a_loose_line_is_spared_by_other_breaks_before_letter_spacing() -> None:
    # the second paragraph needs no letter-spacing: a looser first line (0.56 em) keeps
    # the second under 0.6 em, where the cheapest first line left it at 0.62 em
    theme = make_theme(Settings("T"))
    faces = (theme.text["regular"], theme.text["italic"])
    parts = LOOSE_PARAGRAPHS[1].split("*")
    spans = [Span(t, faces[n % 2], 9.5, "#000") for n, t in enumerate(parts)]
    avail = theme.frame_width
    lines = break_lines(spans, avail, lang="en", expansion=EXPANSION, protrusion=True)
    assert [ln.track for ln in lines] == [0.0] * len(lines)
    ends = [text_of([ln]).split(" ")[-1] for ln in lines]
    assert "high-" in ends and "self-super-" not in ends


def pages_ending_in_a_hyphen(pdf: Path) -> list[int]:
    """Pages whose lowest line ends in a word split by a hyphen (the reader turns, or
    looks across the spread, in the middle of the word)."""
    xml = subprocess.run(
        ["pdftotext", "-bbox-layout", pdf, "-"], capture_output=True, text=True, check=True
    ).stdout
    out = []
    for number, page in enumerate(xml.split("<page ")[1:], start=1):
        lowest = (0.0, "")
        for ln in page.split("<line ")[1:]:
            words = re.findall(r">([^<]*)</word>", ln)
            y = float(re.search(r'yMax="([\d.]+)"', ln).group(1))  # type: ignore[union-attr]
            if words and y > lowest[0]:
                lowest = (y, html.unescape(words[-1]))
        if re.search(r"[^\W\d]-$", lowest[1]):
            out.append(number)
    return out


def test_compounds_capitals_and_digits_break_only_at_their_own_hyphens() -> None:
    words = "the ReLU on CIFAR-10 with self-supervised learning and AlexNet models " * 12
    for avail in (120.0, 150.0, 190.0):
        lines = break_lines([Span(words, FONT, 9.5, "#000")], avail, lang="en")
        ends = ["".join(f.text for f in ln.frags).split(" ")[-1] for ln in lines]
        cut = {e for e in ends if e.endswith("-")} - {"CIFAR-", "self-"}
        protected = ("ReLU", "CIFAR-10", "self-supervised", "AlexNet")
        assert not [e for e in cut for w in protected if w.startswith(e[:-1])]
        rejoined = text_of(lines).replace("CIFAR- ", "CIFAR-").replace("self- ", "self-")
        assert rejoined.replace("- ", "").split() == words.split()


@pytest.mark.parametrize(
    ("lang", "cut"), [("en", "knowl-"), ("en_US", "knowl-"), ("en_GB", "know-")]
)
def test_english_is_hyphenated_as_american_unless_british_is_asked(lang: str, cut: str) -> None:
    narrow = width("The knowl-", FONT, 9.5) + 1
    lines = break_lines([Span("The knowledge is here", FONT, 9.5, "#000")], narrow, lang=lang)
    assert "".join(f.text for f in lines[0].frags) == f"The {cut}"


# -- display lines: titles balanced, not filled


def test_the_title_page_breaks_the_title_into_even_lines(sample_pdf: Path) -> None:
    first = subprocess.run(
        ["pdftotext", "-layout", "-f", "1", "-l", "1", sample_pdf, "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    lines = [ln.strip() for ln in first.splitlines() if ln.strip()]
    assert lines[:2] == ["Deep Learning", "and the Brain"]


@pytest.mark.parametrize(
    "title",
    [
        "Deep Learning and the Brain",
        "Broadening and deepening the role of Artificial Intelligence in Computational"
        " Neuroscience",
        "A theory of learning to infer in recurrent networks of spiking neurons",
    ],
)
def test_a_title_never_leaves_a_lone_word_on_its_last_line(title: str) -> None:
    from abstractbook.typeset.lines import balanced_lines

    span = Span(title, FONT, 16.0, "#000")
    for avail in (width(title, FONT, 16.0) * f for f in (0.8, 0.55, 0.4)):
        filled = break_lines([span], avail, lang=None, justify=False)
        lines = balanced_lines([span], avail)
        assert len(lines) == len(filled)
        assert text_of(lines) == title
        widths = [ln.width for ln in lines]
        assert max(widths) <= avail + 0.01
        # even: the last line at least half as wide as the widest, or one word alone
        # would have fitted nowhere else
        assert widths[-1] >= 0.5 * max(widths) or " " not in title


def _broken_every_way(text: str, widths: range) -> Iterator[list[str]]:
    """`text` broken at each of `widths`, justified and ragged: its lines' texts, once
    it is checked that every word is kept (a tie read as a space, a hyphenated word
    joined again)."""
    for avail in widths:
        for justify in (True, False):
            lines = break_lines(
                [Span(text, FONT, 9.5, "#000")], float(avail), lang="en", justify=justify
            )
            assert text_of(lines).replace("\u00a0", " ").replace("- ", "").split() == text.split()
            yield ["".join(f.text for f in ln.frags) for ln in lines]


def test_a_relation_sign_keeps_its_number_on_its_line() -> None:
    text = "the effect was significant (p < 0.05) and the ratio was small (r = 0.3) again " * 8
    for lines in _broken_every_way(text, range(120, 320, 7)):
        assert not [ln for ln in lines if ln.rstrip().endswith(("<", "="))]


def test_a_spaced_dash_never_opens_a_line() -> None:
    """A dash between spaces stays at the end of the line before, as a copy editor
    wants ("learning —" / "all important", never "learning" / "— all important")."""
    text = (
        "and unsupervised learning \u2014 all important hallmarks of intelligence \u2014 "
        "remain open; the years 2019 \u2013 2021 saw a renewed interest in them \u2013 "
    ) * 6
    for lines in _broken_every_way(text, range(100, 320, 6)):
        assert not [ln for ln in lines if ln.lstrip().startswith(("\u2014", "\u2013"))]


# -- Chinese and Japanese: breaks between characters, kinsoku, justified evenly --------

CHINESE = (
    "深度学习模型在神经科学研究中的应用越来越广泛。我们提出了一种新的方法，用于分析大规模"
    "神经元记录数据（包括钙成像和电生理信号），并在三个公开数据集上验证了其有效性。结果表明，"
    "该方法在准确率和计算效率方面均优于现有方法，特别是在小样本条件下。此外，我们还讨论了"
    "模型的可解释性（例如注意力权重的分布），以及未来在临床诊断中的潜在应用。"
) * 2
JAPANESE = (
    "本研究では、深層学習を用いて神経活動のデータを解析する新しい手法を提案する。「大規模な記録」"
    "から得られた信号（カルシウムイメージングおよび電気生理学的信号）を対象とし、三つの公開"
    "データセットで有効性を検証した。その結果、本手法は既存の手法よりも高い精度と計算効率を"
    "示した。さらに、モデルの解釈可能性（注意の重みの分布など）についても議論する。"
) * 2
# kinsoku: no line starts with closing punctuation nor ends with an opening bracket
CLOSING = tuple("。、，）」』．・ー")
OPENING = tuple("「（『")


@pytest.mark.parametrize("text", [CHINESE, JAPANESE], ids=["Chinese", "Japanese"])
def test_chinese_and_japanese_break_between_characters_keeping_kinsoku(text: str) -> None:
    for avail in (150.0, 200.0, 247.0, 300.0):
        lines = break_lines([Span(text, FONT, 9.5, "#000")], avail, lang="en")
        shown = ["".join(f.text for f in ln.frags) for ln in lines]
        assert "".join(shown) == text
        assert len(lines) >= len(text) * 9.5 / avail  # full lines: a character is 1 em
        assert not [s for s in shown[1:] if s.startswith(CLOSING)]
        assert not [s for s in shown if s.endswith(OPENING)]
        # every line but the last is justified; kinsoku may leave one short of its
        # measure by a few characters, spread between its characters
        assert all(ln.justify and ln.width > avail - 3 * 9.5 for ln in lines[:-1])


def test_latin_words_keep_their_breaks_beside_chinese() -> None:
    text = "我们使用 PyTorch 和characterization方法，用TensorFlow。" * 20
    for justify in (True, False):
        lines = break_lines([Span(text, FONT, 9.5, "#000")], 180.0, lang="en", justify=justify)
        shown = ["".join(f.text for f in ln.frags) for ln in lines]
        assert "".join(shown).replace("-", "").replace(" ", "") == text.replace(" ", "")
        # a Latin word breaks at a space or with a hyphen, never between two letters
        ends = [re.search("[A-Za-z]+$", a) for a in shown[:-1]]
        assert not [e for e in ends if e and not re.search(e.group() + "(?![A-Za-z])", text)]


def cjk_book(tmp_path: Path) -> Path:
    root = tmp_path / "book"
    (root / "abstracts").mkdir(parents=True)
    (root / "book.yaml").write_text("title: CJK\n", "utf-8")
    for name, body in (("zh", CHINESE), ("ja", JAPANESE)):
        record = f"id: {name}\ntitle: {name}\nauthors:\n  - name: A B\nbody: {body}\n"
        (root / "abstracts" / f"{name}.yaml").write_text(record, "utf-8")
    return pipeline.build(root, root / "out" / "book.pdf").output


def test_a_book_sets_chinese_and_japanese_justified_without_wide_gaps(tmp_path: Path) -> None:
    xml = subprocess.run(
        ["pdftotext", "-bbox-layout", cjk_book(tmp_path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for body in (CHINESE, JAPANESE):
        paragraph = []  # the body's lines: words as (x0, x1, text), in reading order
        pages = []  # each line's page: mirrored margins move the right edge
        for number, page in enumerate(xml.split("<page ")[1:]):
            for ln in page.split("<line ")[1:]:
                words = [(float(a), float(b), html.unescape(w)) for a, b, w in WORD.findall(ln)]
                if words and "".join(w for *_, w in words) in body:
                    paragraph.append(words)
                    pages.append(number)
        shown = ["".join(w for *_, w in words) for words in paragraph]
        assert "".join(shown) == body and len(shown) >= 6
        assert not [s for s in shown[1:] if s.startswith(CLOSING)]
        assert not [s for s in shown if s.endswith(OPENING)]
        gaps = [b[0] - a[1] for words in paragraph for a, b in zip(words, words[1:], strict=False)]
        assert max(gaps, default=0.0) <= 0.6 * EM
        # justified: every line but the last ends at the text block's right edge
        for number in set(pages):
            ends = [
                max(b for _, b, _ in words)
                for words, on in zip(paragraph[:-1], pages, strict=False)
                if on == number
            ]
            assert not ends or max(ends) - min(ends) < 0.5


def test_break_opportunities_count_characters_beyond_the_basic_plane() -> None:
    from abstractbook.typeset.linebreak import breaks

    text = "𠀀𠀁。中𠀂（文）字"  # ICU counts UTF-16 units; a line counts characters
    assert [text[:p] for p in breaks(text, None)][-2:] == ["𠀀𠀁。中𠀂", "𠀀𠀁。中𠀂（文）"]
    assert breaks("hello-world/again", "en") == []  # Latin runs are not asked
