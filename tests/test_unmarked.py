"""Scene breaks that left no marker: `ficarchive.rescue.structure.unmarked`.

The fixture stories are invented for these tests: one chapter of three scenes whose
dividers are gone (a kitchen at night; the next morning at a harbour, with other people;
three days later in a library), and one chapter that is a single scene from start to end.
The corpus tests check that the shipped model is what its training script builds from a
fixed subset, and put breaks back into a real story whose dividers were taken out.
"""

from __future__ import annotations

import math
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from ficarchive.rescue.structure.labeller import open_tagger
from ficarchive.rescue.structure.unmarked import (
    MIN_PARAGRAPHS,
    MODEL_FILE,
    THRESHOLD,
    Guess,
    apply_guesses,
    boundary_features,
    guess_breaks,
    probabilities,
    recover_breaks,
    recover_chapters,
)
from ficarchive.rescue.structure.unmarked_features import _idf, _read, cohesion, depths
from ficarchive.work import Chapter, Confidence, Section, Work

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # training/ and benchmarks/ are not installed
    sys.path.insert(0, str(REPO))

KITCHEN = [
    "Mara set the kettle on the stove and watched the blue flame catch. The kitchen was "
    "cold, and the window over the sink had gone black an hour ago.",
    "“You should sleep,” Tomas said from the doorway.",
    "“I can’t.” She took two cups from the shelf. “Not until the letter comes.”",
    "“It won’t come tonight. The post stopped at six.”",
    "She poured the water anyway and pushed a cup across the table to him. He sat, and "
    "turned the cup in his hands without drinking, the way he always did in that kitchen.",
    "“Then we wait in the kitchen,” Mara said, “and drink our tea.”",
    "Tomas laughed, tired, and reached over to turn the lamp down. They sat in the dark "
    "until the kettle ticked itself cold, and then Mara went up to bed alone.",
]
HARBOUR = [
    "The next morning the harbour at Corran Point was loud with gulls. Old Brannock was "
    "already down on the quay, coiling rope beside the fishing boats while the tide came in "
    "grey and slow against the stone steps of the harbour wall.",
    "Elspeth Vane came down the hill with her nets over one shoulder. “Any word from the "
    "lighthouse?” she called.",
    "“The keeper says a storm by Thursday,” Brannock said. “The boats stay in.”",
    "“Then the mackerel go to someone else.” Elspeth dropped the nets on the quay and "
    "looked out past the breakwater, where the sea was flat and bright as tin.",
    "Brannock spat into the water. “Let them. I’ve seen Thursday storms take better boats "
    "than mine off this harbour.”",
    "Elspeth laughed at him and began to mend the torn net, knot by knot, while the gulls "
    "fought over scraps on the harbour steps.",
]
LIBRARY = [
    "Three days later, in the reading room of the city library, Professor Ilse Hartmann "
    "unfolded the map on the long oak table and weighed its corners down with four "
    "dictionaries from the reference shelves.",
    "Her assistant, Jonah Pike, leaned over the table. “Is that the survey of 1852?”",
    "“The second edition,” Hartmann said. “See the parish boundaries? The surveyor moved "
    "them a mile north.”",
    "Pike traced the inked line with a pencil he did not let touch the paper. “Why would "
    "anyone move a boundary on a map?”",
    "“Money,” Hartmann said, “or a quarrel. Usually both.” She turned the map over and "
    "read the librarian’s stamp on the back.",
]
THREE_SCENES = KITCHEN + HARBOUR + LIBRARY
SCENE_STARTS = (len(KITCHEN), len(KITCHEN) + len(HARBOUR))

ONE_SCENE = [
    "Nell found the old radio in the attic, under a box of her grandmother’s letters. It "
    "was heavier than it looked, and the dial was cracked.",
    "“Does it work?” her brother asked from the ladder.",
    "“Let’s find out.” She carried it down to the landing and set it on the floor by the "
    "socket.",
    "Owen climbed down after her and knelt beside the radio. “The plug’s ancient. It’ll "
    "blow the fuse.”",
    "“Then it blows the fuse.” Nell pushed the plug in. Nothing happened, and then the "
    "dial glowed a faint orange.",
    "“It works,” Owen said, amazed. He turned the dial with one finger, and the radio "
    "hissed and whistled.",
    "A voice came through the hiss, very faint, reading numbers. Nell leaned closer to the "
    "radio.",
    "“What is that?” Owen whispered.",
    "“I don’t know. Numbers.” She turned the volume up. The voice went on: four, nine, "
    "four, two.",
    "Owen reached past her and turned the dial a little further. The voice faded and came "
    "back stronger, still reading numbers.",
    "“Grandma had a notebook full of numbers,” Nell said slowly. “In the box with the "
    "letters.”",
    "They looked at each other. Then Owen was up the ladder again, and Nell stayed by the "
    "radio, writing the numbers down on the back of her hand.",
    "“Found it,” Owen called from the attic. He came down with the notebook and opened it "
    "beside the radio.",
    "The numbers in their grandmother’s neat handwriting were the same numbers the voice "
    "was reading, in the same order.",
]


def chapter_of(paragraphs: list[str], title: str | None = None) -> Chapter:
    return Chapter(title, (Section(tuple(paragraphs)),))


# -- the features ----------------------------------------------------------------------
def test_one_feature_set_per_boundary() -> None:
    features = boundary_features(THREE_SCENES)
    assert len(features) == len(THREE_SCENES) - 1
    assert all(f["bias"] == 1.0 for f in features)
    assert boundary_features(["One paragraph."]) == []
    assert boundary_features([]) == []


def test_transition_cues_are_read_at_the_start_of_the_next_paragraph() -> None:
    features = boundary_features(THREE_SCENES)
    harbour, library = (features[k - 1] for k in SCENE_STARTS)
    assert harbour.get("jump_next") == 1.0  # "The next morning"
    assert library.get("jump_later") == 1.0  # "Three days later"
    assert harbour.get("names_first_seen") == 1.0  # Brannock, Elspeth: nobody seen before
    assert harbour.get("prev_closing") == 1.0  # "... went up to bed alone."
    assert not any(k.startswith("jump") for f in features[: SCENE_STARTS[0] - 1] for k in f)


def _brute_cohesion(paragraphs: list[str], size: int) -> list[float]:
    """Windows recounted from scratch at every boundary (what `cohesion` keeps updated)."""
    paras = _read(paragraphs)
    idf = _idf(paras)

    def window(start: int, step: int) -> Counter[str]:
        found: Counter[str] = Counter()
        i = start
        while 0 <= i < len(paras) and sum(found.values()) < size:
            found.update(paras[i].content)
            i += step
        return found

    out = []
    for k in range(len(paras) - 1):
        a, b = window(k, -1), window(k + 1, 1)
        dot = sum(v * b[w] * idf[w] ** 2 for w, v in a.items())
        na = math.sqrt(sum((v * idf[w]) ** 2 for w, v in a.items()))
        nb = math.sqrt(sum((v * idf[w]) ** 2 for w, v in b.items()))
        out.append(dot / (na * nb) if na and nb else 0.0)
    return out


@pytest.mark.parametrize("size", [15, 50, 150])
def test_sliding_windows_give_the_cosines_of_windows_counted_afresh(size: int) -> None:
    fast = cohesion(_read(THREE_SCENES), size)
    slow = _brute_cohesion(THREE_SCENES, size)
    assert fast == pytest.approx(slow, abs=1e-4)


def test_cohesion_is_lowest_between_scenes() -> None:
    sims = cohesion(_read(THREE_SCENES), 50)
    between = [sims[k - 1] for k in SCENE_STARTS]
    inside = [s for k, s in enumerate(sims) if k + 1 not in SCENE_STARTS]
    assert max(between) < min(inside)


def test_depth_is_the_rise_on_either_side() -> None:
    # each side's highest score within reach, the boundary's own included
    assert depths([0.5, 0.1, 0.4]) == pytest.approx([0.0, 0.7, 0.1])
    assert depths([0.6, 0.5, 0.4, 0.1, 0.3, 0.6]) == pytest.approx([0.0, 0.1, 0.4, 1.0, 0.5, 0.0])
    assert depths([0.2, 0.2]) == [0.0, 0.0]


# -- the model ----------------------------------------------------------------------------
def test_the_shipped_model_opens_offline_and_fast() -> None:
    open_tagger.cache_clear()
    started = time.perf_counter()
    tagger = open_tagger(str(MODEL_FILE), "unmarked-break", "training.unmarked_model")
    assert time.perf_counter() - started < 1.0
    assert set(tagger.labels()) == {"break", "same"}
    assert MODEL_FILE.stat().st_size < 200_000


def test_the_two_scene_changes_are_the_likeliest_boundaries() -> None:
    found = probabilities(THREE_SCENES)
    assert len(found) == len(THREE_SCENES) - 1
    top = sorted(range(len(found)), key=lambda k: -found[k])[:2]
    assert sorted(k + 1 for k in top) == list(SCENE_STARTS)


def test_one_continuous_scene_scores_below_the_scene_changes() -> None:
    changes = probabilities(THREE_SCENES)
    lowest_change = min(changes[k - 1] for k in SCENE_STARTS)
    assert max(probabilities(ONE_SCENE)) < lowest_change
    assert guess_breaks(ONE_SCENE) == []


def test_guesses_are_the_boundaries_at_or_above_the_threshold() -> None:
    found = probabilities(THREE_SCENES)
    cut = sorted(found)[-2]
    guesses = guess_breaks(THREE_SCENES, threshold=cut)
    assert [g.index for g in guesses] == list(SCENE_STARTS)
    assert all(g.probability >= round(cut, 4) for g in guesses)
    assert guess_breaks(THREE_SCENES, threshold=1.01) == []


# -- putting guesses into a chapter ------------------------------------------------------------
def test_guesses_split_the_chapter_and_keep_every_paragraph() -> None:
    chapter = chapter_of(THREE_SCENES, "One")
    done = apply_guesses(chapter, [Guess(SCENE_STARTS[0], 0.93), Guess(SCENE_STARTS[1], 0.91)])
    assert done.chapter.title == "One"
    assert done.chapter.paragraphs == chapter.paragraphs
    assert [s.paragraphs for s in done.chapter.sections] == [
        tuple(KITCHEN),
        tuple(HARBOUR),
        tuple(LIBRARY),
    ]
    assert done.probabilities == (0.93, 0.91)
    assert [d.kind for d in done.diagnostics] == ["guess", "guess"]
    assert done.diagnostics[0].text == "The next morning the harbour at Corran Point…"
    assert "0.93" in done.diagnostics[0].message
    assert "paragraph 8" in done.diagnostics[0].message


def test_impossible_and_repeated_guesses_are_ignored() -> None:
    chapter = chapter_of(THREE_SCENES)
    n = len(THREE_SCENES)
    done = apply_guesses(chapter, [Guess(0, 0.99), Guess(n, 0.99), Guess(7, 0.9), Guess(7, 0.8)])
    assert len(done.chapter.sections) == 2
    assert done.probabilities == (0.9,)
    assert apply_guesses(chapter, []).chapter is chapter


def test_chapters_with_breaks_or_too_short_are_left_alone() -> None:
    marked = Chapter(None, (Section(tuple(KITCHEN)), Section(tuple(HARBOUR + LIBRARY))))
    assert recover_breaks(marked, threshold=0.0).chapter is marked
    short = chapter_of(THREE_SCENES[: MIN_PARAGRAPHS - 1])
    done = recover_breaks(short, threshold=0.0)
    assert done.chapter is short and not done.diagnostics


def test_recovery_end_to_end_on_the_fixture(validate_work: Any) -> None:
    """What the lead's pipeline does with it: a Work with the recovered chapter, its
    diagnostics and the breaks' probabilities, valid against the schema."""
    chapter = chapter_of(THREE_SCENES)
    cut = min(probabilities(THREE_SCENES)[k - 1] for k in SCENE_STARTS)
    done = recover_breaks(chapter, threshold=cut)
    assert done.chapter.paragraphs == chapter.paragraphs
    assert [len(s.paragraphs) for s in done.chapter.sections] == [7, 6, 5]
    work = Work(
        chapters=(done.chapter,),
        diagnostics=done.diagnostics,
        confidence=Confidence(breaks=done.probabilities),
    )
    assert work.scene_breaks == 2
    validate_work(work.to_dict())
    assert Work.from_json(work.to_json()) == work
    # at the shipped threshold, only what the model is that sure of
    sure = recover_breaks(chapter)
    assert all(p >= THRESHOLD for p in sure.probabilities)
    assert sure.chapter.paragraphs == chapter.paragraphs


def test_a_story_keeps_its_own_breaks_and_gains_guessed_ones_in_reading_order() -> None:
    marked = Chapter("One", (Section(tuple(KITCHEN)), Section(tuple(HARBOUR))))
    lost = chapter_of(THREE_SCENES, "Two")
    short = chapter_of(LIBRARY, "Three")
    cut = min(probabilities(THREE_SCENES)[k - 1] for k in SCENE_STARTS)
    done = recover_chapters([marked, lost, short, marked], breaks=(0.8, 0.7), threshold=cut)
    assert done.chapters[0] is marked and done.chapters[2] is short
    assert len(done.chapters[1].sections) == 3
    guessed = recover_breaks(lost, cut).probabilities
    assert done.breaks == (0.8, *guessed, 0.7)
    assert [d.kind for d in done.diagnostics] == ["guess", "guess"]
    # without the labeller's probabilities, only the guessed ones
    assert recover_chapters([marked, lost], threshold=cut).breaks == guessed
    with pytest.raises(ValueError, match="1 break probabilities for 2 scene breaks"):
        recover_chapters([marked, marked], breaks=(0.5,))
    # at the shipped threshold: only what clears it, every paragraph kept
    shipped = recover_chapters([marked, lost], breaks=(0.8,))
    assert all(p >= THRESHOLD for p in shipped.breaks[1:])
    assert [c.paragraphs for c in shipped.chapters] == [marked.paragraphs, lost.paragraphs]


# -- against the corpus ----------------------------------------------------------------------
# sha256 of the model `training.unmarked_model.train` builds from the first
# SUBSET_STORIES antennapedia stories (sorted by name): a change to the features, the
# training or the corpus shows here; retrain the shipped model and update both.
SUBSET_STORIES = 12
SUBSET_DIGEST = "48f13b7394e8f6c63612999ed65b2170211d283156f691dc13bf954f303c2c3a"


@pytest.mark.corpus
def test_training_is_reproducible_bit_for_bit(corpus: Path, tmp_path: Path) -> None:
    from benchmarks.quality.corpus import story_paths
    from training.unmarked_model import antennapedia_chapters, digest, features_of, train

    chapters = antennapedia_chapters(story_paths()[:SUBSET_STORIES])
    features = features_of(chapters, jobs=1)
    first, second = tmp_path / "a.crfsuite", tmp_path / "b.crfsuite"
    train(chapters, features, first)
    train(chapters, features, second)
    assert digest(first) == digest(second)
    assert digest(first) == SUBSET_DIGEST


@pytest.mark.corpus
def test_breaks_come_back_in_a_story_whose_dividers_were_removed(
    corpus: Path, validate_work: Any
) -> None:
    """A real chapter with its dividers taken out, as one section: the recovered chapter
    keeps every paragraph in order, and every break it gains is a recorded guess."""
    from training.unmarked_model import antennapedia_chapters

    gold = max(
        (c for c in antennapedia_chapters() if len(c.starts) >= 3),
        key=lambda c: len(c.starts),
    )
    chapter = chapter_of(list(gold.paragraphs))
    found = probabilities(gold.paragraphs)
    ranked = sorted(range(len(found)), key=lambda k: -found[k])
    cut = found[ranked[len(gold.starts) - 1]]
    done = recover_breaks(chapter, threshold=cut)
    assert done.chapter.paragraphs == chapter.paragraphs
    assert len(done.chapter.sections) == len(done.diagnostics) + 1 == len(done.probabilities) + 1
    starts = {len(s.paragraphs) for s in done.chapter.sections}
    assert starts
    near = sum(
        any(abs(g.index - s) <= 1 for s in gold.starts)
        for g in guess_breaks(gold.paragraphs, threshold=cut)
    )
    assert near >= 1  # the model was trained on this story: it finds at least one break
    work = Work(
        chapters=(done.chapter,),
        diagnostics=done.diagnostics,
        confidence=Confidence(breaks=done.probabilities),
    )
    validate_work(work.to_dict())
