"""Every script prints with the default install: names, affiliations, titles and sentences in
eleven scripts, no stand-in, no missing glyph, and `check` quiet about them."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader

from abstractbook import pipeline
from abstractbook.building import preflight
from abstractbook.typeset.fonts import current
from abstractbook.typeset.ops import Text
from tests.pdftext import embedded_glyphs, font_texts, shown
from tests.test_scripts import readers_text

# (language, name, affiliation, sentence); a title is the sentence's first words.
PHRASES = [
    ("Korean", "김민준", "서울대학교", "한국어 문장은 이렇게 인쇄됩니다."),
    ("Japanese", "山田太郎", "東京大学", "日本語の文章はこのように印刷されます。"),
    ("Chinese", "王小明", "北京大学", "中文句子就是这样印刷的。"),
    ("Hindi", "अमित शर्मा", "दिल्ली विश्वविद्यालय", "हिन्दी वाक्य इस तरह छपता है।"),
    ("Bengali", "রবীন্দ্রনাথ ঠাকুর", "ঢাকা বিশ্ববিদ্যালয়", "বাংলা বাক্য এভাবে ছাপা হয়।"),
    ("Tamil", "அருண் குமார்", "சென்னை பல்கலைக்கழகம்", "தமிழ் வாக்கியம் இப்படி அச்சிடப்படுகிறது."),
    ("Thai", "สมชาย ใจดี", "จุฬาลงกรณ์มหาวิทยาลัย", "ประโยคภาษาไทยพิมพ์แบบนี้"),
    ("Amharic", "አበበ ቢቂላ", "አዲስ አበባ ዩኒቨርሲቲ", "የአማርኛ ዓረፍተ ነገር እንዲህ ይታተማል።"),
    ("Hebrew", "דוד כהן", "האוניברסיטה העברית", "משפט בעברית מודפס כך."),
    ("Arabic", "محمد علي", "جامعة القاهرة", "هكذا تطبع الجملة العربية."),
    ("Greek", "Γιώργος Παπαδόπουλος", "Πανεπιστήμιο Αθηνών", "Η ελληνική πρόταση τυπώνεται έτσι."),
    ("Russian", "Иван Петров", "Московский университет", "Русское предложение печатается так."),
]

# Words whose shaping meets a reader's own rule (see pdf/glyphs.py): PDFium reads the pen's
# move back after ু, which HarfBuzz places under its consonant, as a word gap if it is a TJ
# number; MuPDF 1.26 copies the last letter of an /ActualText span twice when the span's
# last glyph reads as it (া after a Bengali reph), and a ya-phala copied as য্ if its text
# came from the first Indic specification's lookup.
TRICKY = ("ঠাকুর", "শর্মা", "কার্যালয়", "বর্ণা", "বিদ্যালয়")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> pipeline.BuildResult:
    root = tmp_path_factory.mktemp("world")
    (root / "abstracts").mkdir()
    (root / "book.yaml").write_text("title: Every script\n", "utf-8")
    for i, (language, name, affiliation, sentence) in enumerate(PHRASES):
        title = " ".join(sentence.split()[:2]) if " " in sentence else sentence[:6]
        (root / "abstracts" / f"{i:02d}.yaml").write_text(
            f"id: t{i}\ntitle: '{language}: {title}'\n"
            f"authors: [{{name: '{name}', affiliations: ['{affiliation}']}}]\n"
            f"body: '{sentence} {sentence} **{sentence}**'\n",
            "utf-8",
        )
    (root / "abstracts" / "words.yaml").write_text(
        f"id: words\ntitle: Words\nauthors: [{{name: A B}}]\nbody: '{' '.join(TRICKY)}'\n",
        "utf-8",
    )
    return pipeline.build(root, root / "build" / "book.pdf")


def test_no_stand_in_and_no_warning(world: pipeline.BuildResult) -> None:
    text = " ".join(p.extract_text() for p in PdfReader(world.output).pages)
    assert "[U+" not in text
    assert not [w for w in world.warnings if "no font has" in str(w)]
    assert not [w for w in preflight.check_book(world.book) if "no font has" in str(w)]


def test_no_missing_glyph_is_drawn(world: pipeline.BuildResult) -> None:
    """Every character drawn is in the cmap of the face that draws it (else .notdef)."""
    _, document = pipeline.lay_out_book(world.book.root)
    faces: set[str] = set()
    for page in document.pages:
        for op in page.ops:
            if not isinstance(op, Text):
                continue
            for text, font, *_ in op.line.frags:
                cmap = current().cmap(font)
                assert not {c for c in text if ord(c) not in cmap and c != " "}, font
                faces.add(font)
    assert {"NanumGothic", "NotoSansDevanagari-Regular", "NotoSansEthiopic-Bold"} <= faces


def test_no_notdef_in_the_pdf(world: pipeline.BuildResult) -> None:
    """Read back from the file: every code drawn is a real, outlined glyph of its subset."""
    reader = PdfReader(world.output)
    glyphs = embedded_glyphs(reader)
    texts = font_texts(reader)
    drawn = 0
    for page in reader.pages:
        for s in shown(page):
            for code in s.codes:
                name, outlined = glyphs[s.font][code]
                ch = texts[s.font].get(code, s.actual or "")  # a cluster's: /ActualText
                assert code != 0 and name != ".notdef" and (outlined or ch.isspace()), (s.font, ch)
                drawn += 1
    assert drawn > 1000


def copied(phrase: str, text: str) -> bool:
    """`phrase` is in `text` as a whole: not followed by another letter or mark (a
    reader that repeats a word's last vowel sign gives the phrase as a prefix)."""
    at = text.find(phrase)
    while at >= 0:
        after = text[at + len(phrase) : at + len(phrase) + 1]
        if not after or unicodedata.category(after)[0] not in "LM":
            return True
        at = text.find(phrase, at + 1)
    return False


def test_phrases_copy_back_as_typed(world: pipeline.BuildResult) -> None:
    """Every name, affiliation and sentence, shaped (Indic conjuncts and vowel signs,
    Thai marks, Arabic joining) and reordered (Hebrew, Arabic), copies back as typed
    from poppler, MuPDF and PDFium: no letter repeated, no space inside a word."""
    for reader, text in readers_text(world.output).items():
        for language, name, affiliation, sentence in PHRASES:
            for phrase in (name, affiliation, sentence):
                assert copied(phrase, text), (reader, language, phrase)
        for word in TRICKY:
            assert copied(word, text), (reader, word)


def test_conjunct_glyphs_copy_as_typed(world: pipeline.BuildResult) -> None:
    """A glyph made by shaping copies as its letters in the order typed, by the ToUnicode
    map alone (pdf.js reads no /ActualText): the Bengali ya-phala as ্য (not য্), the
    ra-phala with র (not the Assamese ৰ), no joiner among them."""
    texts = {
        font: set(codes.values())
        for font, codes in font_texts(PdfReader(world.output)).items()
        if "Bengali" in font or "Devanagari" in font
    }
    bengali = set().union(*(t for font, t in texts.items() if "Bengali" in font))
    assert "্য" in bengali and "য্" not in bengali
    assert any(t.endswith("্র") for t in bengali) and not any("ৰ" in t for t in bengali)
    assert not any("\u200d" in t or "\u200c" in t for t in set().union(*texts.values()))


def test_han_stays_in_one_face(world: pipeline.BuildResult) -> None:
    """The Korean face has Han too, but Chinese and Japanese take theirs from one face."""
    _, document = pipeline.lay_out_book(world.book.root)
    for page in document.pages:
        for op in page.ops:
            if isinstance(op, Text):
                for text, font, *_ in op.line.frags:
                    if any("\u4e00" <= c <= "\u9fff" for c in text):
                        assert font == "DroidSansFallbackFull", (text, font)


def test_latin_book_reads_no_script_face(tmp_path: Path) -> None:
    """A face is read only when a book needs it: a Latin book opens none of them."""
    from abstractbook.typeset import fonts

    result = pipeline.build(pipeline.sample_project(), tmp_path / "book.pdf", use_cache=False)
    del result
    loaded = fonts.current()._faces
    assert not {f for f in loaded if "Nanum" in f or "Devanagari" in f or "Droid" in f}
