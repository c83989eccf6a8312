"""The typography benchmark: how the justified body text of a built book reads,
measured back from its PDF.

    python bench/typography.py [--corpus N]

Builds the sample book and `bench/corpus.py N` (30 abstracts by default) into
build/bench/typography/, and prints, for each: justified lines, the share ending in
a hyphen, the longest run of them, words with a hyphen of their own broken again,
the widest and the 95th-percentile word space (em of the body size, between letters
only), lines whose spaces average over 0.5 em (loose) or under 0.2 em (tight), and
lines past the text block's right edge (overfull). A line is justified when it
reaches the right edge of the text block (A5, mirrored margins 18/14 mm), as
../shared/bench/typography/measure.py counts them; words come from pdftotext's
bounding boxes (poppler-utils), so nothing beyond the project's own tools is needed.
"""

from __future__ import annotations

import argparse
import html
import json
import math
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).parent))
import corpus  # noqa: E402  (bench/corpus.py, beside this file)

MM = 72 / 25.4
INNER, OUTER = 18 * MM, 14 * MM
EM = 9.5  # the body size
HANGING = frozenset(".,-\u2010:;!?\u2013\u2014\u2019\u201d'\")]\u00bb\u203a\u2026")  # may hang out
WORD = re.compile(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)')
EXTENT = re.compile(r'<word [^>]*yMin="([\d.]+)" [^>]*yMax="([\d.]+)"')


@dataclass
class Page:
    justified: int = 0
    hyphenated: int = 0
    longest_run: int = 0
    twice: list[str] = field(default_factory=list)  # compounds broken a second time
    gaps: list[float] = field(default_factory=list)  # every word space, in em
    loose: int = 0
    tight: int = 0
    overfull: int = 0

    @property
    def widest(self) -> float:
        """The widest word space, in em."""
        return max(self.gaps, default=0.0)

    def row(self, name: str) -> str:
        share = 100 * self.hyphenated / max(1, self.justified)
        widest = self.widest
        p95 = _percentile(self.gaps, 0.95)
        loose = 100 * self.loose / max(1, self.justified)
        tight = 100 * self.tight / max(1, self.justified)
        return (
            f"| {name} | {self.justified} | {share:.1f} % | {self.longest_run} | "
            f"{len(self.twice)} | {widest:.2f} | {p95:.2f} | {loose:.1f} % | {tight:.1f} % | "
            f"{self.overfull} |"
        )


HEADER = (
    "| book | justified lines | ending in a hyphen | longest run | compounds broken again | "
    "widest space (em) | 95th percentile | loose (> 0.5 em) | tight (< 0.2 em) | overfull |\n"
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
)


def _percentile(xs: list[float], q: float) -> float:
    if not xs:
        return 0.0
    xs = sorted(xs)
    k = (len(xs) - 1) * q
    f = math.floor(k)
    c = min(f + 1, len(xs) - 1)
    return xs[f] + (xs[c] - xs[f]) * (k - f)


def measure(pdf: Path, project: Path) -> Page:
    """The justified lines of the abstracts' pages (the manifest gives them)."""
    manifest = json.loads(pdf.with_suffix(".manifest.json").read_text())
    pages = [p for a in manifest["abstracts"].values() for p in (a["first_page"], a["last_page"])]
    source = " ".join(f.read_text() for f in project.rglob("*.yaml"))
    words = {w.lower() for w in re.findall(r"[\w-]+", source)}
    first = min(pages)
    xml = subprocess.run(
        ["pdftotext", "-bbox-layout", "-f", str(first), "-l", str(max(pages)), pdf, "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    out = Page()
    for number, page in enumerate(xml.split("<page ")[1:], start=first):
        page_w = float(re.search(r'width="([\d.]+)"', page).group(1))  # type: ignore[union-attr]
        right = page_w - (OUTER if number % 2 else INNER)
        raw = [ln for ln in page.split("<line ")[1:] if WORD.search(ln)]
        lines = [
            [(float(a), float(b), html.unescape(w)) for a, b, w in WORD.findall(ln)] for ln in raw
        ]
        run = 0
        for i, ln in enumerate(lines):
            end = max(x1 for _, x1, _ in ln)
            # punctuation may hang into the margin (optical margins): up to 0.35 em
            hangs = 0.35 * EM if html.unescape(ln[-1][2])[-1:] in HANGING else 0.0
            out.overfull += end > right + 1.0 + hangs
            if end < right - 1.0 or len(ln) < 2:
                run = 0
                continue
            out.justified += 1
            # a formula's sub- or superscripts (smaller, off the baseline): not comparable
            tops, bottoms = zip(*((float(a), float(b)) for a, b in EXTENT.findall(raw[i])))
            offbase = max(tops) - min(tops) > 0.8 or max(bottoms) - min(bottoms) > 0.5
            gaps = [
                (b[0] - a[1]) / EM
                for a, b in zip(ln, ln[1:], strict=False)
                if a[2][-1:].isalnum() and b[2][:1].isalnum()
            ]
            if gaps and not offbase:
                out.gaps += gaps
                mean = sum(gaps) / len(gaps)
                out.loose += mean > 0.5
                out.tight += mean < 0.2
            last = ln[-1][2]
            if not re.search(r"[^\W\d]-$", last):
                run = 0
                continue
            out.hyphenated += 1
            run += 1
            out.longest_run = max(out.longest_run, run)
            after = lines[i + 1][0][2] if i + 1 < len(lines) else ""
            stem = re.sub(r"^\W+", "", last)
            joined = stem + re.sub(r"[^\w-]", "", after)
            if joined.lower() not in words and "-" in stem[:-1] + after:
                out.twice.append(joined)
    return out


def build(project: Path, out: Path) -> Path:
    shutil.rmtree(out.parent, ignore_errors=True)
    for state in (project / "build", project / ".abstractbook"):
        shutil.rmtree(state, ignore_errors=True)
    tool = Path(sys.executable).parent / "abstractbook"
    subprocess.run(
        [str(tool), "build", str(project), "-o", str(out)], check=True, capture_output=True
    )
    return out


def table(n: int) -> str:
    work = ROOT / "build" / "bench" / "typography"
    sample = ROOT / "data" / "dlbrain2019"
    bench = work / f"corpus{n}"
    shutil.rmtree(bench, ignore_errors=True)
    corpus.generate(n, bench)
    rows = [HEADER]
    for name, project in ((f"bench corpus ({n} abstracts)", bench), ("the sample", sample)):
        pdf = build(project, work / name.split()[0] / "book.pdf")
        rows.append(measure(pdf, project).row(name))
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=int, default=30, help="abstracts in the bench corpus")
    print(table(parser.parse_args().corpus))


if __name__ == "__main__":
    main()
