"""The site quality score: a bulk rescue of the tmffa mirror against its listing pages.

The corpus test (marked ``corpus``) rescues the works of one listing of the mirror's
held-out section (`benchmarks.quality.site.TEST_SUBSET`) with every top-level page of the
site, about 1,100 files, and holds the issue's floors; the whole mirror (about two
minutes on two cores) is ``python -m benchmarks.quality.site``. The other tests check
the scorer on made-up works, so they run anywhere.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # benchmarks/ is not installed; import it from the checkout
    sys.path.insert(0, str(REPO))

from benchmarks.quality.site import (  # noqa: E402
    HELD_OUT,
    JOINED_IN_ORDER,
    MIRROR,
    SITE_PAGES_AS_WORKS,
    TEST_SUBSET,
    GoldWork,
    Rescued,
    evaluate,
    score_pages,
    score_works,
)

GOLD = [
    GoldWork("x-lamp", "x", "The Lamp", ("Mara",), ("x/lamp1.txt", "x/lamp2.txt"), ()),
    GoldWork("x/ember.txt", "x", "Ember", ("Mara",), ("x/ember.txt",), ()),
]


def test_a_story_joined_out_of_order_or_in_pieces_is_not_joined() -> None:
    right = [Rescued(("x/lamp1.txt", "x/lamp2.txt"), "the lamp", ("MARA",)),
             Rescued(("x/ember.txt",), "Ember", ())]  # fmt: skip
    scores = score_works(GOLD, right)
    assert (scores.joined.share, scores.singles.share, scores.files_right.share) == (1, 1, 1)
    assert (scores.title.share, scores.authors.share) == (1.0, 1.0)
    backwards = [Rescued(("x/lamp2.txt", "x/lamp1.txt"), "The Lamp", ()), right[1]]
    apart = [Rescued(("x/lamp1.txt",), None, ()), Rescued(("x/lamp2.txt",), None, ()), right[1]]
    together = [Rescued(("x/lamp1.txt", "x/lamp2.txt", "x/ember.txt"), "The Lamp", ())]
    assert score_works(GOLD, backwards).joined.share == 0.0
    assert score_works(GOLD, backwards).files_right.share == 1.0  # the right files, though
    assert score_works(GOLD, apart).files_right.share == 1 / 3
    lumped = score_works(GOLD, together)
    assert (lumped.singles.share, lumped.joined.share) == (0.0, 0.0)


def test_a_site_page_in_a_work_counts_against() -> None:
    works = [Rescued(("x/lamp1.txt", "x/lamp2.txt", "x-lamp.html"), "The Lamp", ())]
    pages = score_pages({"x-lamp.html", "404.html", "x/gone.txt"}, works)
    assert (pages["all"].passed, pages["all"].counted) == (1, 3)
    assert (pages["top"].passed, pages["x"].passed) == (1, 0)


@pytest.mark.corpus
def test_a_real_archive_is_rescued_as_its_listings_say(corpus: Path, tmp_path: Path) -> None:
    mirror = corpus / MIRROR
    if not (mirror / "gold.json").is_file():
        pytest.skip(f"{mirror}/gold.json is absent: the site score needs the tmffa mirror")
    result = evaluate(mirror, tmp_path / "out", TEST_SUBSET, jobs=2)
    overall, held_out = result.sections["overall"], result.sections[HELD_OUT]
    assert overall.multipart == held_out.multipart >= 20
    assert overall.joined.share >= JOINED_IN_ORDER, overall.failures[:10]
    assert held_out.joined.share >= JOINED_IN_ORDER
    assert result.pages["all"].counted >= 900
    assert result.pages["all"].share <= SITE_PAGES_AS_WORKS
    assert overall.singles.share >= JOINED_IN_ORDER and overall.files_right.share >= 0.95
