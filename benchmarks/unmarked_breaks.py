"""Scene breaks that left no marker: how well are they found again?

    python benchmarks/unmarked_breaks.py            # the whole corpus (about 3 minutes)
    python benchmarks/unmarked_breaks.py --quick    # a quarter of the stories
    python benchmarks/unmarked_breaks.py --check    # exit 1 when a floor below is missed

Every chapter whose scene breaks we know (the antennapedia originals, the hand-annotated
real files: `training.unmarked_model`) is read without its dividers, and each method says
where new scenes start. Scored per source, on chapters of at least `MIN_PARAGRAPHS`
paragraphs (the only ones rescue tries): precision, recall and F1 of the boundaries found,
exactly and within one paragraph either way (each gold break matched once).

* **model**: the CRF of `ficarchive.rescue.structure.unmarked`, cross-validated by story
  (`FOLDS` folds fixed by the story's name): every chapter is scored by a model trained
  on the other folds, never on its own story. At 0.5, at the shipped `THRESHOLD`, and at
  a threshold chosen on the other folds alone (`TARGET_PRECISION`), the honest figure for
  what choosing a threshold on held-out data gives.
* **model, other source**: trained on the other source only (antennapedia from the real
  files, the real files from antennapedia): how far it carries to text of another kind.
* **TextTiling**: `nltk.tokenize.texttiling.TextTilingTokenizer` with its defaults
  (w=20, k=10, block comparison) and our stop words, on the same chapters.
* **every / none / random**: a break at every boundary; none; a seeded coin at the gold
  rate of the chapters scored.
"""

from __future__ import annotations

import argparse
import bisect
import hashlib
import json
import random
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script from the checkout
    sys.path.insert(0, str(REPO))

from ficarchive.rescue.blocks.block import html_to_text  # noqa: E402
from ficarchive.rescue.structure.unmarked import (  # noqa: E402
    MIN_PARAGRAPHS,
    STOPWORDS,
    THRESHOLD,
    Features,
)
from training.unmarked_model import (  # noqa: E402
    FOLDS,
    SOURCES,
    GoldChapter,
    features_of,
    fold_of,
    gold_chapters,
    train,
)

#: The held-out precision a threshold is chosen for (on the other folds' predictions).
TARGET_PRECISION = 0.9
#: A threshold must give at least this many guesses on the folds it is chosen on to count.
MIN_SUPPORT = 10
# TextTiling is given a long chapter in pieces of about this many characters.
TILE_CHARS = 12_000
THRESHOLDS = tuple(round(0.05 * k, 2) for k in range(2, 20))
RANDOM_SEED = 20261202
# --quick keeps one story in this many (of each source), chosen by name.
QUICK_SHARE = 4

BEST_F1 = "model, threshold for best F1 chosen on the other folds"
SURE = f"model, threshold for P ≥ {TARGET_PRECISION} chosen on the other folds"
TEXTTILING = "TextTiling (nltk)"

# Floors (--check): held-out, per source, measured in the same run.
#: the model's F1 at 0.5 within one paragraph is at least TextTiling's, times this
F1_OVER_TEXTTILING = 1.0
#: the model's average precision over the gold rate (a random ranking scores 1)
AP_LIFT = {"antennapedia": 8.0, "annotated": 5.0}

Breaks = list[set[int]]  # per chapter, the paragraphs that start a new scene


@dataclass(frozen=True)
class Score:
    method: str
    source: str
    gold: int
    found: int
    hits: int
    hits_near: int  # within one paragraph, each gold break matched once

    @property
    def precision(self) -> float:
        return self.hits / self.found if self.found else 0.0

    @property
    def recall(self) -> float:
        return self.hits / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def precision_near(self) -> float:
        return self.hits_near / self.found if self.found else 0.0

    @property
    def recall_near(self) -> float:
        return self.hits_near / self.gold if self.gold else 0.0

    @property
    def f1_near(self) -> float:
        p, r = self.precision_near, self.recall_near
        return 2 * p * r / (p + r) if p + r else 0.0


def _near_hits(found: set[int], gold: set[int]) -> int:
    """Found breaks within one paragraph of a gold break, each gold break used once
    (exact matches first)."""
    left = set(gold)
    hits = 0
    for s in sorted(found, key=lambda s: s not in gold):
        match = next((g for g in (s, s - 1, s + 1) if g in left), None)
        if match is not None:
            left.discard(match)
            hits += 1
    return hits


def score(method: str, source: str, chapters: Sequence[GoldChapter], found: Breaks) -> Score:
    return Score(
        method,
        source,
        gold=sum(len(c.starts) for c in chapters),
        found=sum(len(f) for f in found),
        hits=sum(len(f & c.starts) for c, f in zip(chapters, found, strict=True)),
        hits_near=sum(_near_hits(f, set(c.starts)) for c, f in zip(chapters, found, strict=True)),
    )


# -- the model, cross-validated ------------------------------------------------------------
def _marginals(model: Path, features: Sequence[list[Features]]) -> list[list[float]]:
    import pycrfsuite

    tagger = pycrfsuite.Tagger()
    tagger.open(str(model))
    out = []
    for found in features:
        if not found:
            out.append([])
            continue
        tagger.set(pycrfsuite.ItemSequence(found))
        out.append([tagger.marginal("break", k) for k in range(len(found))])
    return out


Split = tuple[list[int], list[int]]  # chapters to train on, chapters to score


def held_out(
    chapters: Sequence[GoldChapter], features: Sequence[list[Features]], splits: Sequence[Split]
) -> list[list[float]]:
    """Each scored chapter's break probabilities from the model its split trains."""
    probs: list[list[float]] = [[] for _ in chapters]
    with tempfile.TemporaryDirectory() as tmp:
        for n, (pick, test) in enumerate(splits):
            if not test:
                continue
            path = Path(tmp) / f"model-{n}.crfsuite"
            train([chapters[i] for i in pick], [features[i] for i in pick], path)
            for i, p in zip(test, _marginals(path, [features[i] for i in test]), strict=True):
                probs[i] = p
    return probs


def _split(chapters: Sequence[GoldChapter], scored: Callable[[GoldChapter], bool]) -> Split:
    test = [i for i, c in enumerate(chapters) if scored(c)]
    return [i for i, c in enumerate(chapters) if not scored(c)], test


def cross_validated(
    chapters: Sequence[GoldChapter], features: Sequence[list[Features]]
) -> list[list[float]]:
    """Folds by story: each fold scored by a model trained on the other folds."""
    splits = [_split(chapters, lambda c, f=f: fold_of(c.story) == f) for f in range(FOLDS)]
    return held_out(chapters, features, splits)


def other_source(
    chapters: Sequence[GoldChapter], features: Sequence[list[Features]]
) -> list[list[float]]:
    """Each source scored by a model trained on the other sources only."""
    splits = [_split(chapters, lambda c, s=s: c.source == s) for s in SOURCES]
    return held_out(chapters, features, splits)


def at(probs: Sequence[Sequence[float]], threshold: float) -> Breaks:
    return [{k + 1 for k, p in enumerate(ps) if p >= threshold} for ps in probs]


Criterion = Callable[[Score], float | None]  # a threshold's worth (None: not eligible)


def for_precision(s: Score) -> float | None:
    """Reaches `TARGET_PRECISION` with `MIN_SUPPORT` guesses: the more recall the better."""
    return s.recall if s.found >= MIN_SUPPORT and s.precision >= TARGET_PRECISION else None


def for_f1(s: Score) -> float | None:
    return s.f1


def choose_threshold(
    chapters: Sequence[GoldChapter], probs: Sequence[Sequence[float]], criterion: Criterion
) -> float | None:
    """The threshold of `THRESHOLDS` that `criterion` rates best on these chapters (the
    lowest of equals), or None when it finds none eligible."""
    best: tuple[float, float] | None = None
    for t in THRESHOLDS:
        worth = criterion(score("", "", chapters, at(probs, t)))
        if worth is not None and (best is None or worth > best[0]):
            best = (worth, t)
    return best[1] if best else None


def chosen_elsewhere(
    chapters: Sequence[GoldChapter], probs: Sequence[Sequence[float]], criterion: Criterion
) -> tuple[Breaks, list[float | None]]:
    """Each fold's breaks at the threshold chosen on the other folds' held-out predictions
    (chapters long enough to be tried); a fold whose other folds give none gets none."""
    found: Breaks = [set() for _ in chapters]
    chosen = []
    for f in range(FOLDS):
        others = [
            i
            for i, c in enumerate(chapters)
            if fold_of(c.story) != f and len(c.paragraphs) >= MIN_PARAGRAPHS
        ]
        t = choose_threshold([chapters[i] for i in others], [probs[i] for i in others], criterion)
        chosen.append(t)
        if t is None:
            continue
        for i, c in enumerate(chapters):
            if fold_of(c.story) == f:
                found[i] = {k + 1 for k, p in enumerate(probs[i]) if p >= t}
    return found, chosen


def average_precision(chapters: Sequence[GoldChapter], probs: Sequence[Sequence[float]]) -> float:
    ranked = sorted(
        (
            (p, k + 1 in c.starts)
            for c, ps in zip(chapters, probs, strict=True)
            for k, p in enumerate(ps)
        ),
        key=lambda item: -item[0],
    )
    gold = sum(len(c.starts) for c in chapters)
    hits, total = 0, 0.0
    for rank, (_, right) in enumerate(ranked, 1):
        if right:
            hits += 1
            total += hits / rank
    return total / gold if gold else 0.0


# -- peers ------------------------------------------------------------------------------------
def _tile(texts: Sequence[str]) -> set[int]:
    """TextTiling's segment starts in one run of paragraphs (indices into `texts`)."""
    from nltk.tokenize.texttiling import TextTilingTokenizer

    text = "\n\n".join(texts)
    starts, offset = [], 0
    for t in texts:
        starts.append(offset)
        offset += len(t) + 2
    tiler = TextTilingTokenizer(stopwords=sorted(STOPWORDS))
    try:
        segments = tiler.tokenize(text)
    except (ValueError, IndexError, ZeroDivisionError):
        return set()  # too short to tile: TextTiling finds nothing
    found, position = set(), 0
    for segment in segments[:-1]:
        position += len(segment)
        k = bisect.bisect_left(starts, position)
        if 0 < k < len(texts):
            found.add(k)
    return found


def texttiling(chapter: GoldChapter) -> set[int]:
    """TextTiling's boundaries, as the paragraphs that start a new segment.

    nltk's TextTiling is quadratic in the length of its text (its block comparison counts
    a word's occurrences over the whole text at every gap: a 141 KB chapter takes six
    minutes), so a long chapter is tiled in pieces of whole paragraphs of about
    `TILE_CHARS`; its windows are 2 x 10 x 20 words, so a piece shows it what the whole
    chapter would except at the piece's own edges, which are never counted as breaks."""
    texts = [" ".join(html_to_text(p).split()) or "." for p in chapter.paragraphs]
    found: set[int] = set()
    first, size = 0, 0
    for k, t in enumerate(texts):
        size += len(t) + 2
        if size >= TILE_CHARS or k == len(texts) - 1:
            found |= {first + s for s in _tile(texts[first : k + 1])}
            first, size = k + 1, 0
    return found


def texttiling_all(chapters: Sequence[GoldChapter], jobs: int | None) -> Breaks:
    import os
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(jobs or os.cpu_count() or 1) as pool:
        return list(pool.map(texttiling, chapters, chunksize=4))


def every(chapters: Sequence[GoldChapter]) -> Breaks:
    return [set(range(1, len(c.paragraphs))) for c in chapters]


def coin(chapters: Sequence[GoldChapter]) -> Breaks:
    gold = sum(len(c.starts) for c in chapters)
    boundaries = sum(len(c.paragraphs) - 1 for c in chapters)
    rate = gold / boundaries if boundaries else 0.0
    rng = random.Random(RANDOM_SEED)
    return [{k for k in range(1, len(c.paragraphs)) if rng.random() < rate} for c in chapters]


# -- the run ----------------------------------------------------------------------------------
@dataclass
class Result:
    scores: list[Score]
    sweep: dict[str, list[dict[str, float]]]  # source -> per threshold
    average_precision: dict[str, float]
    gold_rate: dict[str, float]
    chosen: dict[str, list[float | None]]  # criterion -> the threshold chosen for each fold
    counts: dict[str, dict[str, int]]
    seconds: float

    def get(self, method: str, source: str) -> Score:
        return next(s for s in self.scores if s.method == method and s.source == source)


def _sampled(story: str) -> bool:
    """The stories --quick keeps: one in `QUICK_SHARE`, fixed by the name."""
    digest = hashlib.sha256(f"{story}#quick".encode()).hexdigest()
    return int(digest[:8], 16) % QUICK_SHARE == 0


def run(quick: bool = False, jobs: int | None = None) -> Result:
    started = time.perf_counter()
    chapters = gold_chapters(jobs=jobs)
    if quick:
        chapters = [c for c in chapters if _sampled(c.story)]
    features = features_of(chapters, jobs)
    probs = cross_validated(chapters, features)
    elsewhere = other_source(chapters, features)
    sure, chosen = chosen_elsewhere(chapters, probs, for_precision)
    best, chosen_f1 = chosen_elsewhere(chapters, probs, for_f1)
    tiles = texttiling_all(chapters, jobs)
    result = Result([], {}, {}, {}, {"precision": chosen, "f1": chosen_f1}, {}, 0.0)
    for source in SOURCES:
        idx = [
            i
            for i, c in enumerate(chapters)
            if c.source == source and len(c.paragraphs) >= MIN_PARAGRAPHS
        ]
        mine = [chapters[i] for i in idx]
        pick = [probs[i] for i in idx]
        methods: list[tuple[str, Breaks]] = [
            (BEST_F1, [best[i] for i in idx]),
            (SURE, [sure[i] for i in idx]),
            ("model at 0.5", at(pick, 0.5)),
            (f"model at the shipped THRESHOLD ({THRESHOLD})", at(pick, THRESHOLD)),
            (
                "model at 0.5, trained on the other source only",
                at([elsewhere[i] for i in idx], 0.5),
            ),
            (TEXTTILING, [tiles[i] for i in idx]),
            ("every boundary", every(mine)),
            ("none", [set() for _ in mine]),
            ("random at the gold rate", coin(mine)),
        ]
        result.scores += [score(name, source, mine, found) for name, found in methods]
        result.sweep[source] = [
            {"threshold": t, **_plain(score("", source, mine, at(pick, t)))} for t in THRESHOLDS
        ]
        result.average_precision[source] = average_precision(mine, pick)
        boundaries = sum(len(c.paragraphs) - 1 for c in mine)
        gold = sum(len(c.starts) for c in mine)
        result.gold_rate[source] = gold / boundaries if boundaries else 0.0
        result.counts[source] = {
            "stories": len({c.story for c in mine}),
            "chapters": len(mine),
            "boundaries": boundaries,
            "breaks": gold,
            "breaks in shorter chapters (not scored)": sum(
                len(c.starts)
                for c in chapters
                if c.source == source and len(c.paragraphs) < MIN_PARAGRAPHS
            ),
        }
    result.seconds = time.perf_counter() - started
    return result


def _plain(s: Score) -> dict[str, float]:
    return {
        "found": s.found,
        "precision": round(s.precision, 4),
        "recall": round(s.recall, 4),
        "f1": round(s.f1, 4),
        "precision_near": round(s.precision_near, 4),
        "recall_near": round(s.recall_near, 4),
        "f1_near": round(s.f1_near, 4),
    }


def floors(result: Result) -> list[tuple[str, float, float, bool]]:
    """(floor, measured, needed, met) for each floor, per source."""
    out = []
    for source in SOURCES:
        mine, tiles = result.get(BEST_F1, source), result.get(TEXTTILING, source)
        need = tiles.f1_near * F1_OVER_TEXTTILING
        out.append(
            (
                f"{source}: {BEST_F1}, F1 ±1, over TextTiling's",
                mine.f1_near,
                need,
                mine.f1_near >= need,
            )
        )
        rate = result.gold_rate[source]
        lift = result.average_precision[source] / rate if rate else 0.0
        need = AP_LIFT[source]
        out.append((f"{source}: average precision / gold rate", lift, need, lift >= need))
        shipped = next(s for s in result.scores if s.source == source and "shipped" in s.method)
        safe = shipped.found == 0 or shipped.precision >= TARGET_PRECISION
        out.append(
            (
                f"{source}: the shipped THRESHOLD guesses nothing or is right ≥ "
                f"{TARGET_PRECISION:.0%} of the time",
                shipped.precision,
                TARGET_PRECISION,
                safe,
            )
        )
    return out


def report(result: Result) -> str:
    lines = []
    for source in SOURCES:
        c = result.counts[source]
        lines.append(
            f"\n## {source}: {c['stories']} stories, {c['chapters']} chapters of "
            f"≥ {MIN_PARAGRAPHS} paragraphs, {c['boundaries']:,} boundaries, {c['breaks']} breaks "
            f"(gold rate {result.gold_rate[source]:.2%}; "
            f"{c['breaks in shorter chapters (not scored)']} more in shorter chapters)"
        )
        lines.append(
            f"model average precision (held out): {result.average_precision[source]:.3f}\n"
        )
        lines.append("| method | found | P | R | F1 | P ±1 | R ±1 | F1 ±1 |")
        lines.append("|---|---:|---:|---:|---:|---:|---:|---:|")
        for s in result.scores:
            if s.source == source:
                lines.append(
                    f"| {s.method} | {s.found:,} | {s.precision:.3f} | {s.recall:.3f} | "
                    f"{s.f1:.3f} | {s.precision_near:.3f} | {s.recall_near:.3f} | {s.f1_near:.3f} |"
                )
        lines.append("\nthreshold sweep (model, held out):\n")
        lines.append("| threshold | found | P | R | P ±1 |")
        lines.append("|---:|---:|---:|---:|---:|")
        for row in result.sweep[source]:
            lines.append(
                f"| {row['threshold']:.2f} | {int(row['found'])} | {row['precision']:.3f} | "
                f"{row['recall']:.3f} | {row['precision_near']:.3f} |"
            )
    for criterion, chosen in result.chosen.items():
        shown = ", ".join("none" if t is None else f"{t:.2f}" for t in chosen)
        lines.append(f"\nthresholds chosen on the other folds for {criterion} (per fold): {shown}")
    lines.append("\n## floors\n")
    for name, measured, floor, ok in floors(result):
        lines.append(f"- {name}: {measured:.3f} (floor {floor:.3f}) {'ok' if ok else 'MISSED'}")
    lines.append(f"\nthe run took {result.seconds:.0f} s")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="a quarter of the stories")
    parser.add_argument("--check", action="store_true", help="exit 1 when a floor is missed")
    parser.add_argument("--json", type=Path, help="write the numbers to this file")
    parser.add_argument("--corpus", type=Path, help="the shared corpus (default ../shared/corpus)")
    parser.add_argument("--jobs", type=int, default=None)
    args = parser.parse_args(argv)
    if args.corpus:
        import os

        os.environ["FICARCHIVE_CORPUS"] = str(args.corpus)
    from benchmarks.quality.corpus import corpus_missing

    missing = corpus_missing()
    if missing:
        print(f"unmarked breaks: skipped ({missing})")
        return 0
    result = run(quick=args.quick, jobs=args.jobs)
    print(report(result))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        data = {
            "scores": [{**asdict(s), **_plain(s)} for s in result.scores],
            "sweep": result.sweep,
            "average_precision": result.average_precision,
            "gold_rate": result.gold_rate,
            "chosen": result.chosen,
            "counts": result.counts,
            "seconds": result.seconds,
            "floors": [
                {"floor": n, "measured": m, "need": f, "ok": ok} for n, m, f, ok in floors(result)
            ],
        }
        args.json.write_text(json.dumps(data, indent=2), encoding="utf-8")
    if args.check and not all(ok for *_, ok in floors(result)):
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
