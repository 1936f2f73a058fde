"""Build the unmarked-break model from the shared corpus, reproducibly.

    python -m training.unmarked_model            # train on every story, write the model
    python -m training.unmarked_model --check    # train again and compare with the shipped file

The model (``ficarchive/rescue/structure/model/unmarked.crfsuite``) is a linear-chain CRF
over the boundaries between the paragraphs of a chapter, each labelled ``break`` (a new
scene starts after it) or ``same``, with the features of
`ficarchive.rescue.structure.unmarked.boundary_features`. Its training chapters are the
scene breaks we know, with their dividers taken out:

* ``antennapedia``: the 119 Markdown originals of ``antennapedia-btvs`` (paragraphs,
  chapter headings and ``<hr>``/``***``/``-==-`` breaks, read by
  `benchmarks.quality.corpus`);
* ``annotated``: the hand-annotated real story files (``training/annotations``), read to
  blocks by rescue and matched to the annotated lines: body blocks are the paragraphs, a
  ``break`` line (a divider, or one blank line of a blank-line break) or a divider-shaped
  block between two of them is a scene break, any other part (a chapter heading, notes,
  the end) ends the chapter.

A CRF rather than a logistic regression: it reuses python-crfsuite (already what the
structure labeller is built with), gives each boundary a marginal probability, learns
that two breaks side by side are rare, and L-BFGS has no random start, so the same corpus
gives the same bytes on every run (``--check``).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import tempfile
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pycrfsuite

from ficarchive.rescue.structure.unmarked import BREAK, MODEL_FILE, SAME, Features
from ficarchive.rescue.structure.unmarked import boundary_features as _boundary_features

PARAMS: dict[str, object] = {
    "c1": 0.1,  # L1: drops features that do not earn their keep (a small model)
    "c2": 0.05,  # L2
    "max_iterations": 200,
    "feature.possible_transitions": True,
}
ANTENNAPEDIA = "antennapedia"
ANNOTATED = "annotated"
SOURCES = (ANTENNAPEDIA, ANNOTATED)
# Folds of the cross-validation by story: a story's fold is fixed by its name alone.
FOLDS = 5
# Parts of an annotated file that end a chapter when they fall between body blocks
# (furniture, a repeated page header, does not).
_ENDS_CHAPTER = frozenset(
    {"title", "byline", "field", "note", "disclaimer", "epigraph", "chapter", "end", "back"}
)


@dataclass(frozen=True)
class GoldChapter:
    """A chapter's paragraphs, without dividers, and the paragraphs that opened a scene."""

    source: str
    story: str  # the story (file) it is from: folds keep a story's chapters together
    paragraphs: tuple[str, ...]
    starts: frozenset[int]

    @property
    def labels(self) -> list[str]:
        return [BREAK if k + 1 in self.starts else SAME for k in range(len(self.paragraphs) - 1)]


def fold_of(story: str) -> int:
    """The cross-validation fold of a story, from its name (never from the order read)."""
    return int(hashlib.sha256(story.encode("utf-8")).hexdigest()[:8], 16) % FOLDS


# -- antennapedia -------------------------------------------------------------------------
def antennapedia_chapters(paths: Iterable[Path] | None = None) -> list[GoldChapter]:
    """Every chapter of the antennapedia originals, dividers taken out."""
    from benchmarks.quality.corpus import Break, Heading, Para, load_story, story_paths

    out = []
    for path in paths if paths is not None else story_paths():
        story = load_story(path)
        paragraphs: list[str] = []
        starts: set[int] = set()
        for block in (*story.blocks, Heading("")):
            if isinstance(block, Para):
                paragraphs.append(block.html)
            elif isinstance(block, Break) and paragraphs:
                starts.add(len(paragraphs))
            elif isinstance(block, Heading):
                if paragraphs:
                    kept = frozenset(s for s in starts if 0 < s < len(paragraphs))
                    out.append(GoldChapter(ANTENNAPEDIA, story.name, tuple(paragraphs), kept))
                paragraphs, starts = [], set()
    return out


# -- hand-annotated real files --------------------------------------------------------------
def _annotated_file(task: tuple[str, dict[str, object]]) -> list[GoldChapter]:
    from ficarchive.errors import InputError
    from ficarchive.rescue.pipeline import Read, read
    from ficarchive.rescue.structure.dividers import is_divider
    from training.annotate import corpus_dir, line_labels, parse_runs, raw_lines
    from training.dataset import line_map

    collection, entry = task
    path = corpus_dir() / collection / str(entry["file"])
    story = f"{collection}/{entry['file']}"
    raw = raw_lines(path)
    labels = line_labels(parse_runs(str(entry.get("runs") or "")), len(raw))
    try:
        done = read(path.read_bytes(), path.name)
    except InputError:
        return []
    if not isinstance(done, Read):
        return []
    mapping = line_map(raw, done.text.split("\n"))
    chapters: list[GoldChapter] = []
    paragraphs: list[str] = []
    starts: set[int] = set()
    pending, previous = False, -1

    def close() -> None:
        if len(paragraphs) > 1:
            kept = frozenset(s for s in starts if 0 < s < len(paragraphs))
            chapters.append(GoldChapter(ANNOTATED, story, tuple(paragraphs), kept))
        paragraphs.clear()
        starts.clear()

    for block in done.blocks:
        at = mapping[block.line] if 0 <= block.line < len(mapping) else -1
        if at < 0:
            continue
        between = set(labels[previous + 1 : at]) if at > previous else set()
        label = labels[at]
        previous = max(previous, at)
        pending = pending or BREAK in between
        if between & _ENDS_CHAPTER:
            close()
            pending = False
        if label == "body" and is_divider(block):
            pending = True  # a divider read as part of the body is still a divider
        elif label == "body":
            if pending and paragraphs:
                starts.add(len(paragraphs))
            paragraphs.append(block.html)
            pending = False
        elif label == BREAK:
            pending = True
        elif label in _ENDS_CHAPTER:
            close()
            pending = False
    close()
    return chapters


def annotated_chapters(jobs: int | None = None) -> list[GoldChapter]:
    """Every chapter of the hand-annotated real story files, in a fixed order."""
    from training.dataset import REAL, _entries

    tasks = [(c, e) for c in REAL for e in _entries(c) if e.get("story")]
    with ProcessPoolExecutor(jobs or os.cpu_count() or 1) as pool:
        found = list(pool.map(_annotated_file, tasks, chunksize=4))
    return [chapter for chapters in found for chapter in chapters]


def gold_chapters(sources: Sequence[str] = SOURCES, jobs: int | None = None) -> list[GoldChapter]:
    out = []
    if ANTENNAPEDIA in sources:
        out += antennapedia_chapters()
    if ANNOTATED in sources:
        out += annotated_chapters(jobs)
    return out


# -- features and training ---------------------------------------------------------------------
def _features(chapter: GoldChapter) -> list[Features]:
    return _boundary_features(chapter.paragraphs)


def features_of(chapters: Sequence[GoldChapter], jobs: int | None = None) -> list[list[Features]]:
    """Each chapter's boundary features (computed on every core, in order)."""
    with ProcessPoolExecutor(jobs or os.cpu_count() or 1) as pool:
        return list(pool.map(_features, chapters, chunksize=8))


def train(
    chapters: Sequence[GoldChapter],
    features: Sequence[list[Features]],
    path: Path,
    params: dict[str, object] | None = None,
) -> None:
    """Train the CRF on chapters of two or more paragraphs and write it to `path`."""
    trainer = pycrfsuite.Trainer(verbose=False)
    for chapter, found in zip(chapters, features, strict=True):
        if found:
            trainer.append(pycrfsuite.ItemSequence(found), chapter.labels)
    trainer.set_params(params or PARAMS)
    trainer.train(str(path))


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.unmarked_model", description=__doc__)
    parser.add_argument("--check", action="store_true", help="compare with the shipped model")
    parser.add_argument("--jobs", type=int, default=None)
    args = parser.parse_args(argv)
    chapters = gold_chapters(jobs=args.jobs)
    features = features_of(chapters, args.jobs)
    for source in SOURCES:
        mine = [c for c in chapters if c.source == source]
        print(
            f"{source}: {len({c.story for c in mine})} stories, {len(mine)} chapters, "
            f"{sum(len(c.paragraphs) - 1 for c in mine)} boundaries, "
            f"{sum(len(c.starts) for c in mine)} breaks"
        )
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            fresh = Path(tmp) / MODEL_FILE.name
            train(chapters, features, fresh)
            same = MODEL_FILE.is_file() and digest(fresh) == digest(MODEL_FILE)
            print("the shipped model is" + (" " if same else " NOT ") + "what the corpus builds")
            return 0 if same else 1
    MODEL_FILE.parent.mkdir(parents=True, exist_ok=True)
    train(chapters, features, MODEL_FILE)
    size = MODEL_FILE.stat().st_size
    print(f"wrote {MODEL_FILE} ({size:,} bytes, sha256 {digest(MODEL_FILE)[:16]})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
