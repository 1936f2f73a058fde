"""Dates, series, status and language as old pages wrote them (`ficarchive.metadata`)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ficarchive.metadata import (
    detect_language,
    finish_work,
    language_code,
    parse_date,
    parse_series,
    parse_status,
)
from ficarchive.rescue import rescue
from ficarchive.rescue.structure.meta import Meta
from ficarchive.work import RawTag, SeriesPart, Work

CASES = json.loads((Path(__file__).parent / "fixtures" / "metadata" / "dates.json").read_text())
_ISO = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")


@pytest.mark.parametrize("case", CASES["cases"], ids=lambda c: c[0] or "empty")
def test_dates_as_written(case: list[Any]) -> None:
    written, expected, *flags = case
    found = parse_date(written)
    assert (found.iso if found else None) == expected
    if found:
        assert found.ambiguous == ("ambiguous" in flags)


@given(st.text(max_size=200))
def test_any_text_gives_a_valid_iso_date_or_none(text: str) -> None:
    found = parse_date(text)
    assert found is None or _ISO.match(found.iso)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("Part 3 of the Watcher's Child series", (SeriesPart("Watcher's Child", 3),)),
        ("Part 2 of Helios Hyperion", (SeriesPart("Helios Hyperion", 2),)),
        ("Helios Hyperion [2]", (SeriesPart("Helios Hyperion", 2),)),
        (
            "Legacies, Book II; Cloud Animals #4",
            (SeriesPart("Legacies", 2), SeriesPart("Cloud Animals", 4)),
        ),
        ("The Watcher's Child (part three)", (SeriesPart("The Watcher's Child", 3),)),
        ("helios_hyperion", (SeriesPart("helios_hyperion", None),)),
        ("", ()),
    ],
)
def test_series(written: str, expected: tuple[SeriesPart, ...]) -> None:
    assert parse_series(written) == expected


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("Complete", True),
        ("Completed", True),
        ("In-Progress", False),
        ("WIP", False),
        ("1/1", True),
        ("3/?", False),
        ("4/7", False),
        ("Abandoned", False),
        ("maybe", None),
    ],
)
def test_status(written: str, expected: bool | None) -> None:
    assert parse_status(written) is expected


def test_language_names_and_codes() -> None:
    assert [language_code(x) for x in ("Deutsch", "German", "Français", "español", "en-US")] == [
        "de",
        "de",
        "fr",
        "es",
        "en",
    ]
    assert language_code("pt-BR") == "pt-BR"
    assert language_code("Elvish") is None


GERMAN = (
    "Es war schon spät, als Giles endlich die Bibliothek verließ. Die Straßen von Sunnydale "
    "lagen still im Mondlicht, und irgendwo bellte ein Hund. Er dachte an Buffy, an die Jahre, "
    "die sie zusammen gekämpft hatten, und an alles, was er ihr nie gesagt hatte. Vielleicht "
    "war es besser so. Vielleicht würde er es ihr morgen sagen, wenn die Sonne schien und die "
    "Welt wieder einfacher aussah. Er schloss die Tür hinter sich und ging langsam nach Hause."
)


def test_a_german_story_is_german_by_its_label_and_by_its_text() -> None:
    labelled = f"Title: Spät\nAuthor: Anna\nLanguage: Deutsch\nRating: PG\n\n{GERMAN}\n".encode()
    work = rescue(labelled, "spaet.txt")
    assert work.language == "de"
    assert not any("Deutsch" in w for w in work.warnings)
    unlabelled = f"Title: Spät\nAuthor: Anna\n\n{GERMAN}\n".encode()
    assert rescue(unlabelled, "spaet.txt").language == "de"


def test_the_label_wins_over_the_text() -> None:
    data = f"Title: Mixed\nAuthor: Anna\nLanguage: English\n\n{GERMAN}\n".encode()
    assert rescue(data, "mixed.txt").language == "en"


def test_english_corpus_stories_stay_english(corpus: Path) -> None:
    texts = sorted((corpus / "antennapedia-btvs").glob("*.md"))[:40]
    for path in texts:
        body = re.sub(r"<[^>]+>", " ", path.read_text("utf-8").split("---", 2)[2])
        found = detect_language(body)
        assert found is None or found.code == "en", path.name


def test_a_header_gives_dates_series_status_and_the_text_as_written() -> None:
    data = (
        b"Title: Ropes\nAuthor: Ana\nPosted: June 12, 1998\nUpdated: 6/30/98\n"
        b"Series: Part 3 of the Watcher's Child series\nStatus: WIP\n"
        b"Pairing: Giles/Xander, Buffy & Spike\nFandom: BtVS\n\n"
        + b"Xander waited at the door of the library while the rain came down. " * 12
        + b"\n"
    )
    work = rescue(data, "ropes.txt")
    assert (work.published, work.published_as_written) == ("1998-06-12", "June 12, 1998")
    assert (work.updated, work.updated_as_written) == ("1998-06-30", "6/30/98")
    assert work.series == (SeriesPart("Watcher's Child", 3),)
    assert work.complete is False
    assert work.relationships == ("Rupert Giles/Xander Harris", "Buffy Summers & Spike")
    assert RawTag("relationship", "Giles/Xander") in work.raw_tags
    assert work.fandoms == ("Buffy the Vampire Slayer (TV)",)
    assert '"June 12, 1"' not in work.to_json()  # never cut to ten characters


def test_finish_work_twice_is_finish_work_once() -> None:
    meta = Meta()
    meta.published = "June 12, 1998"
    meta.series = "Legacies [2]"
    meta.add_tag("c:giles")
    meta.add_tag("p:giles/buffy")
    once = finish_work(Work(characters=tuple(meta.characters)), meta)
    assert finish_work(once, meta) == once
