"""The structure stage on small hand-written texts: units, features, the shipped labeller,
assembly of labels into a Work, and calibrated confidence.

Assembly is tested with labels given by hand (a `Labelling` built here), so each test says
what a labelled part becomes, whatever the model would have said; the shipped model is
tested on stories whose shape any reader would agree on.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from ficarchive import rescue
from ficarchive.rescue.blocks.block import para
from ficarchive.rescue.log import RescueLog
from ficarchive.rescue.pipeline import Read, read, units_and_context
from ficarchive.rescue.structure import confidence as conf
from ficarchive.rescue.structure.assemble import assemble, story_span
from ficarchive.rescue.structure.features import Context, document_features
from ficarchive.rescue.structure.labeller import LABELS, Labelling, label, model_path
from ficarchive.rescue.structure.meta import Meta
from ficarchive.rescue.structure.units import units_of, usual_gap

STORY = """\
The Lantern Keeper
by Mara Quillon

Rating: PG
Summary: A keeper and a storm.

Disclaimer: The characters are mine, the sea is nobody's.

The storm came in off the water before dark, and Ada climbed the tower with the oil
can in one hand and the lamp glass in the other, counting the steps as she always did.

She trimmed the wick and lit it, and the beam went out over the rocks like a hand laid
flat on a table, steady and patient, while the wind threw the rain against the glass.

* * *

By morning the sea had gone quiet. A fishing boat came round the point with its nets
torn, and the men on it waved up at the tower as if they had known all along.

Ada waved back, and went down the steps to sleep.

The End

Thanks for reading! Feedback to mara@example.org
"""


def _read(text: str, name: str = "lantern.txt") -> Read:
    done = read(text.encode("utf-8"), name)
    assert isinstance(done, Read)
    return done


def _labelling(labels: list[str]) -> Labelling:
    return Labelling(tuple(labels), tuple({name: 1.0} for name in labels))


# -- units ---------------------------------------------------------------------------------
def test_units_split_blocks_into_lines_and_keep_where_they_came_from() -> None:
    done = _read("Title: Bells\nAuthor: Jo\n\nThe bells rang on and on over the town.\n")
    units = units_of(done.blocks)
    assert [u.text for u in units] == [
        "Title: Bells",
        "Author: Jo",
        "The bells rang on and on over the town.",
    ]
    assert [u.line for u in units] == [0, 1, 3]
    assert [u.words for u in units] == [2, 2, 9]


def test_a_gap_longer_than_the_usual_one_is_a_unit_of_its_own() -> None:
    line = "     Paragraph {} of the scene runs on past the edge of the page, as\nparagraphs do.\n"
    scene = "".join(line.format(n) for n in range(6))
    text = scene + "\n\n\n" + scene
    done = _read(text)
    units = units_of(done.blocks)
    gaps = [u for u in units if u.is_gap]
    assert usual_gap(done.blocks) == 0 and len(gaps) == 1 and gaps[0].gap == 3


# -- features --------------------------------------------------------------------------------
def test_features_are_binary_names_and_see_the_rules_as_evidence() -> None:
    done = _read(STORY)
    units, context, _ = units_and_context(done)
    features = document_features(units, context)
    assert len(features) == len(units)
    assert all(value == 1 for f in features for value in f.values())
    by_text = {u.text: f for u, f in zip(units, features, strict=True)}
    assert "by_x" in by_text["by Mara Quillon"]
    assert "label=rating" in by_text["Rating: PG"]
    assert "divider" in by_text["* * *"]
    assert "end_re" in by_text["The End"]
    assert "-1:by_x" in by_text["Rating: PG"] or "-2:by_x" in by_text["Rating: PG"]


def test_features_of_the_same_document_are_the_same_every_time() -> None:
    done = _read(STORY)
    units, context, _ = units_and_context(done)
    assert document_features(units, context) == document_features(units, context)


# -- assembly ----------------------------------------------------------------------------------
def _assembled(text: str, labels: list[str]) -> tuple[Meta, list, list]:
    done = _read(text)
    units = units_of(done.blocks)
    assert len(units) == len(labels), [u.text for u in units]
    meta, log = Meta(), RescueLog()
    found = assemble(units, _labelling(labels), meta, log)
    return meta, found.chapters, list(log.diagnostics)


def test_labels_become_fields_body_breaks_and_the_end() -> None:
    text = (
        'Here follows "The Hostess," by Steven Han\n\nRating: PG-13\n\n'
        "It was late when the guests came, and later when they left.\n\n* * *\n\n"
        "In the morning she counted the glasses twice over.\n\nFin\n\n"
        "Comments welcome: s@example.com\n"
    )
    labels = ["title", "field", "body", "break", "body", "end", "back"]
    meta, chapters, _ = _assembled(text, labels)
    assert meta.title == "The Hostess" and meta.authors == ["Steven Han"]
    assert meta.rating_source == "PG-13"
    assert meta.end_mark == "Fin" and meta.feedback == "s@example.com"
    assert [len(s.paragraphs) for s in chapters[0].sections] == [1, 1]


@pytest.mark.parametrize(
    ("heading", "title"), [("Lantern Harbour", "Lantern Harbour"), ("Chapter 8", None)]
)
def test_the_one_heading_at_the_top_of_an_untitled_story_is_its_title(
    heading: str, title: str | None
) -> None:
    text = (
        f"{heading}\n\nThe lamps were lit along the harbour wall before the boats came in.\n\n"
        "Nobody on the quay said a word until the last of them was tied up for the night.\n"
    )
    meta, chapters, notes = _assembled(text, ["chapter", "body", "body"])
    assert meta.title == title
    assert chapters[0].title == (None if title else heading)
    assert any(d.kind == "title" for d in notes) == bool(title)


def test_the_surest_title_unit_wins_and_the_others_are_kept() -> None:
    text = (
        "Tenchi Muyo!\nWhat We Do For Love\n\nA story begins here, plainly enough, with a door.\n"
    )
    done = _read(text)
    units = units_of(done.blocks)
    labelling = Labelling(
        ("title", "title", "body"), ({"title": 0.4}, {"title": 0.9}, {"body": 1.0})
    )
    meta = Meta()
    assemble(units, labelling, meta, RescueLog())
    assert meta.title == "What We Do For Love"
    assert meta.notes_beginning == ["Tenchi Muyo!"]


def test_nothing_is_dropped_furniture_and_stray_parts_are_diagnostics() -> None:
    text = (
        "Downloaded from the Dark Tower BBS\n\nThe rain had not stopped for a week now.\n\n"
        "THIS FILE CONTINUES BELOW\n\nAnd then, one morning, it did, and the sun came out.\n"
    )
    labels = ["furniture", "body", "furniture", "body"]
    _, chapters, diagnostics = _assembled(text, labels)
    texts = [d.text for d in diagnostics if d.kind == "boilerplate"]
    assert "Downloaded from the Dark Tower BBS" in texts and "THIS FILE CONTINUES BELOW" in texts
    assert len(chapters[0].paragraphs) == 2


def test_chapter_headings_start_chapters_with_their_titles() -> None:
    text = (
        "Chapter One\nThe Door\n\nShe opened the door and went through it without a word.\n\n"
        "Chapter Two\n\nThe room beyond was colder than the hall had been.\n"
    )
    labels = ["chapter", "chapter", "body", "chapter", "body"]
    _, chapters, _ = _assembled(text, labels)
    assert [c.title for c in chapters] == ["Chapter One: The Door", "Chapter Two"]


def test_the_story_span_runs_from_the_first_body_unit_to_the_last() -> None:
    labels = ("title", "field", "chapter", "body", "break", "body", "end", "back")
    done = _read("\n\n".join(f"line {n} of it" for n in range(len(labels))) + "\n")
    assert story_span(labels, units_of(done.blocks)) == (2, 5)


# -- the shipped model ----------------------------------------------------------------------------
def test_the_model_is_shipped_and_knows_every_label() -> None:
    assert model_path().is_file()
    done = _read(STORY)
    units, context, _ = units_and_context(done)
    labelled = label(units, context)
    assert set(labelled.labels) <= set(LABELS)
    assert all(0.0 <= labelled.probability(i) <= 1.0 for i in range(len(units)))


def test_a_plain_story_reads_right(monkeypatch: pytest.MonkeyPatch) -> None:
    work = rescue(STORY.encode("utf-8"), "lantern.txt")
    assert work.title == "The Lantern Keeper"
    assert work.authors == ("Mara Quillon",)
    assert work.rating == "General Audiences"
    assert work.scene_breaks == 1
    assert work.end_mark == "The End"
    assert work.paragraphs[0].startswith("The storm came in off the water")
    assert work.paragraphs[-1].startswith("Ada waved back")
    assert work.confidence is not None and set(work.confidence.fields) >= {"title", "authors"}
    assert len(work.confidence.breaks) == 1


# -- calibration --------------------------------------------------------------------------------
def test_calibration_maps_raw_scores_through_the_fitted_points(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = tmp_path / "structure.crfsuite"
    model.write_bytes(model_path().read_bytes())
    (tmp_path / "calibration.json").write_text('{"title": [[0.2, 0.1], [0.8, 0.7]]}')
    monkeypatch.setenv("FICARCHIVE_STRUCTURE_MODEL", str(model))
    conf._table.cache_clear()
    assert conf.calibrate("title", 0.5) == pytest.approx(0.4)
    assert conf.calibrate("title", 0.0) == 0.1 and conf.calibrate("title", 1.0) == 0.7
    assert conf.calibrate("authors", 0.55) == 0.55  # no table for it: the raw score
    conf._table.cache_clear()


def test_training_is_reproducible_bit_for_bit(tmp_path: Path) -> None:
    from training.build_model import train
    from training.dataset import Example

    done = _read(STORY)
    units, context, _ = units_and_context(done)
    features = document_features(units, context)
    labels = [
        "title",
        "byline",
        *["field"] * 2,
        "disclaimer",
        *["body"] * 2,
        "break",
        *["body"] * 2,
        "end",
        "back",
    ]
    labels = (labels + ["body"] * len(units))[: len(units)]
    examples = [Example("synthetic", "lantern", features, labels)] * 3
    first, second = tmp_path / "a.crfsuite", tmp_path / "b.crfsuite"
    train(examples, first)
    train(examples, second)
    assert (
        hashlib.sha256(first.read_bytes()).digest() == hashlib.sha256(second.read_bytes()).digest()
    )


def test_a_context_with_nothing_known_still_labels() -> None:
    units = units_of([para("Only one line of story here, plainly written and short.")])
    labelled = label(units, Context())
    assert len(labelled.labels) == 1


@pytest.mark.corpus
def test_the_shipped_model_is_what_the_corpus_builds() -> None:
    """The model is rebuilt from ../shared/corpus by the script in the repository, bit for
    bit (about two minutes on two cores)."""
    from benchmarks.quality.corpus import corpus_missing

    missing = corpus_missing()
    if missing:
        pytest.skip(f"rebuilding the model needs the shared corpus: {missing}")
    from training.build_model import main as build

    assert build(["--check", "--jobs", "2"]) == 0, (
        "the shipped model is not what the corpus builds: run python -m training.build_model"
    )


def _title_cases() -> list[tuple[str, str, str | None]]:
    path = Path(__file__).parent / "fixtures" / "titles" / "title_lines.tsv"
    rows = [line.split("\t") for line in path.read_text("utf-8").splitlines()]
    return [(r[0], r[1], r[2] or None) for r in rows if r[0] and not r[0].startswith("#")]


@pytest.mark.parametrize(("line", "title", "author"), _title_cases())
def test_a_title_line_gives_its_title_and_author(line: str, title: str, author: str | None) -> None:
    from ficarchive.rescue.structure.title import read_title

    found = read_title(line)
    assert (found.title, found.author) == (title, author)


def _byline_cases() -> list[tuple[str, tuple[str, ...]]]:
    path = Path(__file__).parent / "fixtures" / "titles" / "bylines.tsv"
    rows = [line.split("\t") for line in path.read_text("utf-8").splitlines()]
    return [(r[0], tuple(r[1].split(" | "))) for r in rows if r[0] and not r[0].startswith("#")]


@pytest.mark.parametrize(("line", "names"), _byline_cases())
def test_a_byline_gives_its_names(line: str, names: tuple[str, ...]) -> None:
    from ficarchive.rescue.structure.names import read_byline

    assert read_byline(line).names == names
    meta = Meta()
    for name in names:
        meta.add_author(name)
    assert tuple(meta.authors) == names  # the archive keeps them as read
