"""The quality gate: rescue scored against gold over the whole corpus, against pinned floors.

The corpus tests (marked ``corpus``) run `benchmarks.quality.gate.run_gate` once and
check every floor in ``benchmarks/quality/floors.py``; they skip when
``../shared/corpus`` is absent.  The other tests check the gate's own parts on made-up
input, so they run anywhere.
"""

from __future__ import annotations

import difflib
import random
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # benchmarks/ is not installed; import it from the checkout
    sys.path.insert(0, str(REPO))

from benchmarks.quality import floors, report, score  # noqa: E402
from benchmarks.quality.corpus import (  # noqa: E402
    GoldStory,
    body_blocks,
    corpus_missing,
    words_of,
)
from benchmarks.quality.degrade import SHAPES, degrade  # noqa: E402
from benchmarks.quality.usenet import gold_for, parse_description  # noqa: E402

GOLD_BODY = """\
<h2 id="one">One</h2>

Giles couldn’t sleep. He put the kettle on — again — and waited.

***

“Buffy?” he said. *Of course* it was her.

<hr />

<p>She grinned at him. “Who else?”</p>

### Two

<em>-==-</em>

The next morning was grey.

* * *

* * *

It rained all day.

***
"""


def made_up_story(name: str = "gb_made_up.md") -> GoldStory:
    return GoldStory(
        name=name,
        title="Can’t Sleep",
        author="antennapedia",
        rating="adult",
        pairing="giles/buffy",
        summary="Giles can’t sleep; Buffy can help.",
        notes='For <b><a href="http://example.net/">someone</a></b>, who asked.',
        tags=("c:giles", "p:giles/buffy", "f:btvs"),
        series="helios_hyperion",
        published="2007-04-04T20:09:00-07:00",
        altlink="http://antennapedia.livejournal.com/28577.html",
        blocks=body_blocks(GOLD_BODY),
    )


# -- gold -----------------------------------------------------------------------------
def test_gold_body_blocks_collapse_and_trim_breaks() -> None:
    kinds = [type(b).__name__ for b in made_up_story().blocks]
    assert kinds == [
        "Heading", "Para", "Break", "Para", "Break", "Para",
        "Heading", "Para", "Break", "Para",
    ]  # fmt: skip
    story = made_up_story()
    assert story.scene_breaks == 3
    assert story.chapters == ("One", "Two")
    assert story.words[:3] == ["Giles", "couldn’t", "sleep."]
    assert "Of" in story.words and "<em>Of" not in story.words


def test_usenet_descriptions_parse_title_and_authors() -> None:
    assert parse_description("Fan Fiction: A Cruel Universe, by Tanya Dean (1993)") == (
        "A Cruel Universe",
        ("Tanya Dean",),
    )
    assert parse_description("Fan Fiction: Baptism by Fire, by Mark Kinney")[0] == (
        "Baptism by Fire"
    )
    assert parse_description("FAN FICTION: Five Star Trek, from Matthew C. Melmon (1992)")[1] == (
        "Matthew C. Melmon",
    )
    assert parse_description("Fan Fiction: A La Q, by K. Matthews-Simmons & Julia Kosatka")[1] == (
        "K. Matthews-Simmons",
        "Julia Kosatka",
    )
    assert gold_for("x", "Fan Finction: Collection, by Catherine Weller").is_story
    assert not gold_for("x", "REVIEW: The Best of Both Worlds (TNG)").is_story
    assert gold_for("dwarftre", "Dwarf Trek, by Richard Burton").is_story
    assert gold_for("bartrekt", "Promo For BarTrek: The Final Mission").is_story is None


# -- degraded shapes ----------------------------------------------------------------------
def test_degrading_is_deterministic_and_varies_by_story() -> None:
    first = degrade(made_up_story())
    again = degrade(made_up_story())
    assert [d.data for d in first] == [d.data for d in again]
    assert [d.shape for d in first] == list(SHAPES)
    other = degrade(made_up_story("gb_another_one.md"))
    assert [d.data for d in first] != [d.data for d in other]


def test_site_html_is_cp1252_declared_latin1() -> None:
    site = degrade(made_up_story())[0]
    assert site.name == "gb_made_up.html"
    assert b"charset=iso-8859-1" in site.data
    assert b"couldn\x92t" in site.data and b"\x97" in site.data
    assert b"divider" in site.data or b"line.gif" in site.data or b"bar_rose" in site.data
    assert b"mailto:" in site.data and b"Back to Fiction" in site.data


def test_wrapped_text_and_its_mojibake() -> None:
    _, text, mojibake, _ = degrade(made_up_story())
    assert b"\r\n" in text.data and b"\n" not in text.data.replace(b"\r\n", b"")
    assert all(len(line) <= 76 for line in text.data.split(b"\r\n"))
    assert b"couldn\x92t" in text.data
    decoded = mojibake.data.decode("utf-8")
    assert "couldnít" in decoded and "ó" in decoded and "—" not in decoded
    assert mojibake.data.decode("utf-8").encode("mac_roman") == text.data


def test_livejournal_is_utf8_with_cut_and_comments() -> None:
    lj = degrade(made_up_story())[3]
    assert lj.name == "28577.html"
    page = lj.data.decode("utf-8")
    assert "couldn’t" in page and ("lj-cut" in page or "cutid1" in page)
    assert "Leave a comment" in page and "Current Mood" in page


# -- scoring ------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(6))
def test_similarity_matches_difflib_on_near_identical_text(seed: int) -> None:
    rng = random.Random(seed)
    gold = [
        rng.choice(["the", "a", "he", "she", "said", "Giles", "Buffy", "tea", "ran"])
        for _ in range(1500)
    ]
    found: list[str] = []
    for word in gold:
        roll = rng.random()
        if roll < 0.01:
            continue
        found += [word + "í"] if roll < 0.02 else [word, "Home"] if roll < 0.025 else [word]
    expected = difflib.SequenceMatcher(None, found, gold, autojunk=False).ratio()
    assert score.similarity(found, gold) == pytest.approx(expected, abs=0.01)
    assert score.similarity(found, gold) <= 2 * _lcs(found, gold) / (len(found) + len(gold))


def _lcs(a: list[str], b: list[str]) -> int:
    row = [0] * (len(b) + 1)
    for x in a:
        prev = 0
        for j, y in enumerate(b, 1):
            prev, row[j] = row[j], prev + 1 if x == y else max(row[j], row[j - 1])
    return row[-1]


def test_similarity_edges() -> None:
    assert score.similarity([], []) == 1.0
    assert score.similarity(["a"], []) == 0.0
    assert score.similarity(["a", "b", "c", "d"], ["a", "b", "c", "d"]) == 1.0
    assert score.similarity(["b", "a"], ["a", "b"]) == 0.5


def test_field_rules() -> None:
    assert score.title_exact("  can't   SLEEP ", "Can’t Sleep")
    assert not score.title_exact(None, "Can’t Sleep")
    assert score.author_exact(["Antennapedia"], "antennapedia")
    assert not score.author_exact(["antennapedia (antennapedia@example.net)"], "antennapedia")
    assert score.author_found(["Sandra Guzdek (v130qh57@buffalo.edu)"], ["Sandra Guzdek"])
    assert score.author_found(["Sandra Guzdek"], ["Sandra Fuzdek"])  # a typo in the gold
    assert not score.author_found(["Q"], ["Q and A"])
    assert score.author_found(["Dr. William V. Smith"], ["W. V. Smith"])
    assert score.author_found(["Dan Prust"], ["Daniel Allen Prust"])
    assert not score.author_contained(["Dan Prust"], ["Daniel Allen Prust"])
    assert not score.author_found(["joyce antrim"], ["Brenda S. Antrim"])
    assert not score.author_found(["John W Connelly"], ["Ryan Mathews"])
    assert score.relationship_found(["Buffy Summers/Rupert Giles"], "giles/buffy")
    assert not score.relationship_found(["Rupert Giles/Xander Harris"], "giles/buffy")
    assert not score.relationship_found(["Giles/Buffy/Willow"], "giles/buffy")
    assert score.relationship_found([], "gen")
    assert score.rating_right("Explicit", "adult")


def test_words_strip_tags_like_the_gold() -> None:
    assert words_of(["<em>Of course</em> it&#8217;s her.<br>Yes"]) == [
        "Of", "course", "it’s", "her.", "Yes",
    ]  # fmt: skip


# -- the gate over the real corpus ------------------------------------------------------------
FLOOR_IDS = [(c.name, c.scope) for c in report.floor_checks([])]


@pytest.fixture(scope="module")
def gate_checks() -> dict[tuple[str, str], report.FloorCheck]:
    missing = corpus_missing()
    if missing:
        pytest.skip(f"quality gate needs the shared corpus: {missing}")
    from benchmarks.quality.gate import run_gate

    result = run_gate(jobs=2)
    return {(c.name, c.scope): c for c in result.checks}


@pytest.mark.corpus
@pytest.mark.parametrize(
    ("name", "scope"), FLOOR_IDS, ids=[f"{s}: {n}".replace("≥", ">=") for n, s in FLOOR_IDS]
)
def test_quality_floor(
    gate_checks: dict[tuple[str, str], report.FloorCheck], name: str, scope: str
) -> None:
    check = gate_checks[(name, scope)]
    assert check.ok, (
        f"{name} ({scope}) is {check.measured}, below the floor of {100 * check.floor:.0f}%; "
        "run `python -m benchmarks.quality --failures` to see which inputs fail"
    )


def test_floors_are_pinned_in_one_place() -> None:
    assert 0 < floors.BODY_SIMILARITY < 1
    assert len(FLOOR_IDS) == 4 * len(SHAPES) + 1 + len(floors.REAL)
