"""Scene breaks that left no marker: where a chapter's dividers were lost, guess them back.

Some stories lost every divider when they were copied: the lines between scenes are simply
gone, and a chapter reads as one long scene. For each boundary between two paragraphs of
such a chapter, a small linear-chain CRF (``model/unmarked.crfsuite``, trained by
``training/unmarked_model.py`` from the shared corpus) gives the probability that a new
scene starts there, from what is written on either side of it (`boundary_features`): the
words the two sides share (cohesion, as TextTiling measures it), a time or place
transition at the start of the next paragraph ("Later that night", "Meanwhile"), the
people named on each side, dialogue or narration, paragraph lengths and where in the
chapter the boundary is.

Only a guess the model is sure of is used (`THRESHOLD`, which no guess clears yet), only
in a chapter with no scene break at all that is long enough to hold several scenes
(`MIN_PARAGRAPHS`). A guessed break never changes or drops a word: the chapter's
paragraphs are the same, in the same order, split into more sections, and each guess is
recorded as a diagnostic of kind ``guess`` with its probability (`recover_breaks`).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pycrfsuite

from ficarchive.rescue.blocks.block import html_to_text
from ficarchive.rescue.structure.labeller import open_tagger
from ficarchive.rescue.structure.unmarked_features import STOPWORDS, Features, boundary_features
from ficarchive.work import Chapter, Diagnostic, Section

__all__ = [
    "MIN_PARAGRAPHS",
    "MODEL_FILE",
    "STOPWORDS",
    "THRESHOLD",
    "Features",
    "Guess",
    "Recovered",
    "RecoveredChapters",
    "apply_guesses",
    "boundary_features",
    "guess_breaks",
    "probabilities",
    "recover_breaks",
    "recover_chapters",
]

MODEL_FILE = Path(__file__).resolve().parent / "model" / "unmarked.crfsuite"
#: The label of a boundary where a new scene starts, and of one where the scene goes on.
BREAK, SAME = "break", "same"
#: A guess goes into the chapter when its probability is at least this. Chosen on the
#: measurement (``benchmarks/unmarked_breaks.py``: held-out stories, folds by story) as the
#: lowest threshold whose held-out precision reaches 0.9 with ten guesses or more. None
#: does: the best held-out precision at any threshold is about a third exact and a half
#: within one paragraph (authors move in time and place without a divider about as often
#: as with one, so even "Three days later" opens a new scene only a third of the time).
#: So by default rescue inserts nothing; `guess_breaks(paragraphs, threshold=...)` still
#: gives every boundary's guess with its probability, and the measurement says when a
#: better model earns a lower threshold.
THRESHOLD = 1.0
#: A chapter shorter than this has too few paragraphs for several scenes (and too little
#: text on either side of a boundary to compare); it is left as it is.
MIN_PARAGRAPHS = 12
#: Words of the paragraph that opens a guessed scene, quoted in its diagnostic.
OPENING_WORDS = 8


@dataclass(frozen=True)
class Guess:
    """A new scene guessed to start at paragraph `index` of the chapter."""

    index: int
    probability: float


@dataclass(frozen=True)
class Recovered:
    """A chapter with its guessed breaks put in, what to record, and each break's probability."""

    chapter: Chapter
    diagnostics: tuple[Diagnostic, ...] = ()
    probabilities: tuple[float, ...] = ()


@dataclass(frozen=True)
class RecoveredChapters:
    """A story's chapters with guessed breaks put in, every diagnostic to record, and the
    probability of every scene break of the story in reading order."""

    chapters: tuple[Chapter, ...]
    diagnostics: tuple[Diagnostic, ...] = ()
    breaks: tuple[float, ...] = ()


# -- the model ------------------------------------------------------------------------------
def probabilities(paragraphs: Sequence[str], model: Path | None = None) -> list[float]:
    """For each boundary of a chapter (see `boundary_features`), the probability that a
    new scene starts after it."""
    features = boundary_features(paragraphs)
    if not features:
        return []
    tagger = open_tagger(str(model or MODEL_FILE), "unmarked-break", "training.unmarked_model")
    tagger.set(pycrfsuite.ItemSequence(features))
    if BREAK not in tagger.labels():
        return [0.0] * len(features)
    return [tagger.marginal(BREAK, k) for k in range(len(features))]


def guess_breaks(
    paragraphs: Sequence[str], threshold: float = THRESHOLD, model: Path | None = None
) -> list[Guess]:
    """Where new scenes start in a chapter that lost its dividers: the index of each
    paragraph that opens one, with the probability, for every boundary at `threshold` or
    above. Paragraphs are HTML fragments (a `Section`'s) or plain text."""
    found = probabilities(paragraphs, model)
    return [Guess(k + 1, round(p, 4)) for k, p in enumerate(found) if p >= threshold]


def _opening_words(fragment: str) -> str:
    words = html_to_text(fragment).split()
    more = "…" if len(words) > OPENING_WORDS else ""
    return " ".join(words[:OPENING_WORDS]) + more


def apply_guesses(chapter: Chapter, guesses: Sequence[Guess]) -> Recovered:
    """`chapter` split before each guessed paragraph, the diagnostics to record and the
    probability of each break. Paragraphs are kept as they are, in order; a guess at the
    first paragraph, past the last, or at an index given twice is ignored."""
    paragraphs = chapter.paragraphs
    kept: dict[int, float] = {}
    for guess in guesses:
        if 0 < guess.index < len(paragraphs) and guess.index not in kept:
            kept[guess.index] = guess.probability
    if not kept:
        return Recovered(chapter)
    starts = sorted(kept)
    edges = [0, *starts, len(paragraphs)]
    sections = tuple(Section(paragraphs[a:b]) for a, b in itertools.pairwise(edges))
    notes = tuple(
        Diagnostic(
            "guess",
            f"scene break guessed before paragraph {i + 1} (no divider; probability {kept[i]:.2f})",
            _opening_words(paragraphs[i]),
        )
        for i in starts
    )
    return Recovered(
        Chapter(chapter.title, sections), notes, tuple(round(kept[i], 3) for i in starts)
    )


def recover_breaks(chapter: Chapter, threshold: float = THRESHOLD) -> Recovered:
    """Scene breaks put back into a chapter that has none and is long enough to have
    several scenes (`MIN_PARAGRAPHS`); any other chapter comes back as it is."""
    sections = [s for s in chapter.sections if s.paragraphs]
    paragraphs = chapter.paragraphs
    if len(sections) > 1 or len(paragraphs) < MIN_PARAGRAPHS:
        return Recovered(chapter)
    return apply_guesses(chapter, guess_breaks(paragraphs, threshold))


def recover_chapters(
    chapters: Sequence[Chapter], breaks: Sequence[float] = (), threshold: float = THRESHOLD
) -> RecoveredChapters:
    """`recover_breaks` over a whole story: the chapters, every diagnostic in reading order,
    and the probability of every scene break in reading order (`Confidence.breaks`), the
    chapters' own breaks (`breaks`, when the labeller gave them) with the guessed ones
    put in their places. `breaks` has one probability per scene break of `chapters`, or
    none at all (a ValueError otherwise: the two would not line up)."""
    count = sum(max(len(c.sections) - 1, 0) for c in chapters)
    if breaks and len(breaks) != count:
        raise ValueError(f"{len(breaks)} break probabilities for {count} scene breaks")
    done = [recover_breaks(c, threshold) for c in chapters]
    own = list(breaks)
    probabilities: list[float] = []
    for before, after in zip(chapters, done, strict=True):
        if after.probabilities:
            probabilities.extend(after.probabilities)
        else:
            mine = max(len(before.sections) - 1, 0) if own else 0
            probabilities.extend(own[:mine])
            del own[:mine]
    return RecoveredChapters(
        tuple(r.chapter for r in done),
        tuple(d for r in done for d in r.diagnostics),
        tuple(probabilities),
    )
