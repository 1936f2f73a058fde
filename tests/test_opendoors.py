"""The Open Doors export: Open Doors' own tables, column for column, and its own checks.

The tables are loaded into an SQLite copy of Open Doors' ``create-open-doors-tables.sql``
(tests/fixtures/opendoors: the same tables, columns, NOT NULLs, defaults and lengths),
and the audits of its ``08-Check-ODAP-Tables.py`` are run there as SQL; the library's
own `checks` must report exactly the stories those queries find, one line each.
"""

from __future__ import annotations

import csv
import io
import sqlite3
from pathlib import Path

import pytest

from ficarchive.export.ao3 import NO_WARNINGS_CHOSEN, ao3_fields, import_pages
from ficarchive.export.opendoors import OpenDoorsTables
from ficarchive.work import Chapter, RawTag, Section, SeriesPart, Work

FIXTURES = Path(__file__).parent / "fixtures" / "opendoors"
csv.field_size_limit(2**31 - 1)  # a chapter of 600 KB is one cell
CHECK_NAMES = (
    "too many tags",
    "summary too long",
    "notes too long",
    "chapter too long",
    "too many chapters",
    "empty chapter",
    "author name",
    "author e-mail",
)


def _chapter(*paragraphs: str, title: str | None = None) -> Chapter:
    return Chapter(title, (Section(paragraphs),))


def _works() -> list[Work]:
    base = Work(
        title="Sound of Bells",
        authors=("Jane Doe",),
        feedback="Feedback to jane@example.org, please!",
        rating="Explicit",
        raw_tags=(
            RawTag("fandom", "f:btvs"),
            RawTag("relationship", "p:giles/xander"),
            RawTag("relationship", "Buffy & Spike"),
            RawTag("character", "c:hurt!giles"),
            RawTag("warning", "death of a minor OC"),
            RawTag("freeform", "kink:whipping"),
        ),
        fandoms=("Buffy the Vampire Slayer (TV)",),
        relationships=("Rupert Giles/Xander Harris", "Buffy Summers & Spike"),
        characters=("Rupert Giles",),
        categories=("M/M",),
        tags=("Hurt Rupert Giles", "death of a minor OC", "kink:whipping"),
        published="1998-06-12",
        published_as_written="June 12, 1998",
        updated="1998-07",
        updated_as_written="July 1998",
        series=(SeriesPart("Watcher's Child", 3),),
        url="http://example.org/bells.html",
        summary="She hears them & he does not. " * 60,
        chapters=(_chapter("One.", title="Matins"), _chapter("Two.", title="Lauds")),
    )
    return [
        base,
        base.evolve(title="No Address", authors=("Ana", "Bo", "Cy"), feedback=None, summary="s"),
        base.evolve(title="Elsewhere", chapters=(), url="http://example.org/away.html"),
        base.evolve(title="Huge", authors=("Jane Doe",), chapters=(_chapter("word " * 130_000),)),
        base.evolve(
            title="Empty",
            authors=("-",),
            feedback="mailto:x@example.org",
            chapters=(Chapter("Nothing", ()),),
        ),
        base.evolve(title="Tagged", tags=tuple(f"tag {n}" for n in range(80))),
    ]


@pytest.fixture
def tables() -> OpenDoorsTables:
    out = OpenDoorsTables()
    for n, work in enumerate(_works(), 1):
        out.add(n, work, ao3_fields(work), f"w{n}")
    return out


def _load(tables: OpenDoorsTables) -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    db.executescript((FIXTURES / "create-open-doors-tables.sqlite.sql").read_text())
    nullable = {
        (t, r[1])
        for t in ("authors", "chapters", "stories", "story_links")
        for r in db.execute(f"PRAGMA table_info({t})")
        if not r[3] and r[4] in (None, "NULL")
    }
    for name, text in tables.csv_files().items():
        table = name.removesuffix(".csv")
        if table == "tags":
            continue
        rows = list(csv.DictReader(io.StringIO(text)))
        columns = next(csv.reader(io.StringIO(text)))
        marks = ", ".join("?" * len(columns))
        for row in rows:  # an empty cell of a column that defaults to NULL is NULL
            values = [None if row[c] == "" and (table, c) in nullable else row[c] for c in columns]
            db.execute(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", values)
    return db


def test_every_table_loads_into_open_doors_schema_column_for_column(
    tables: OpenDoorsTables,
) -> None:
    db = _load(tables)
    for name, text in tables.csv_files().items():
        table = name.removesuffix(".csv")
        if table == "tags":
            continue
        header = next(csv.reader(io.StringIO(text)))
        schema = [r[1] for r in db.execute(f"PRAGMA table_info({table})")]
        assert header == schema, table
    assert db.execute("SELECT count(*) FROM stories").fetchone()[0] == 5
    assert db.execute("SELECT title, url FROM story_links").fetchall() == [
        ("Elsewhere", "http://example.org/away.html")
    ]
    row = db.execute(
        "SELECT rating, warnings, categories, language_code, date, updated, coauthor_id, "
        "import_notes FROM stories WHERE id = 1"
    ).fetchone()
    assert row[:7] == (
        "Explicit",
        NO_WARNINGS_CHOSEN,
        "M/M",
        "en",
        "1998-06-12 00:00:00",
        "1998-07-01 00:00:00",
        0,
    )
    assert "July 1998" in row[7] and "Watcher's Child part 3" in row[7]
    assert db.execute("SELECT email FROM authors WHERE name = 'Jane Doe'").fetchone() == (
        "jane@example.org",
    )
    chapters = db.execute("SELECT position, title, author_id FROM chapters WHERE story_id = 1")
    assert chapters.fetchall() == [(1, "Matins", 1), (2, "Lauds", 1)]


def test_open_doors_checks_agree_with_its_own_queries(tables: OpenDoorsTables) -> None:
    db = _load(tables)
    queries = [
        q.strip()
        for q in (FIXTURES / "checks.sqlite.sql").read_text().split(";")
        if q.strip() and not all(line.startswith("--") for line in q.strip().splitlines())
    ]
    expected = set()
    for name, query in zip(CHECK_NAMES, queries, strict=True):
        sql = "\n".join(line for line in query.splitlines() if not line.startswith("--"))
        expected |= {(name, int(r[0])) for r in db.execute(sql)}
    found = {(p.check, p.story_id) for p in tables.checks()}
    assert found == expected
    assert ("author e-mail", 2) in found and ("author name", 5) in found
    assert ("chapter too long", 4) in found
    assert not any(p.story_id == 6 for p in tables.checks())  # 80 tags were cut to 75
    assert not any(p.story_id == 1 for p in tables.checks())  # the long summary was cut
    for problem in tables.checks():
        assert problem.line().startswith(f"story {problem.story_id} (")


def test_an_empty_chapter_row_is_reported(tables: OpenDoorsTables) -> None:
    tables.chapters.append(
        {
            "id": 99,
            "position": 3,
            "title": "",
            "author_id": 1,
            "text": "",
            "date": "",
            "story_id": 1,
            "notes": "",
            "url": "",
        }
    )
    assert ("empty chapter", 1) in {(p.check, p.story_id) for p in tables.checks()}
    db = _load(tables)
    assert db.execute("SELECT story_id FROM chapters WHERE text = '' OR text IS NULL").fetchall()


def test_the_tags_sheet_has_original_and_recommended_tags(tables: OpenDoorsTables) -> None:
    sheet = list(csv.DictReader(io.StringIO(tables.csv_files()["tags.csv"])))
    by_tag = {r["Original Tag"]: r for r in sheet}
    giles = by_tag["c:hurt!giles"]
    assert giles["Recommended AO3 Tag"] == "Rupert Giles, Hurt Rupert Giles"
    assert giles["Recommended AO3 Type"] == "characters, tags"
    assert giles["Original Tag Type"] == "characters"
    assert giles["Related Fandom"] == "Buffy the Vampire Slayer (TV)"
    pairing = by_tag["p:giles/xander"]
    assert pairing["Recommended AO3 Tag"] == "Rupert Giles/Xander Harris, M/M"
    assert pairing["Recommended AO3 Category (for relationships)"] == "M/M"
    assert by_tag["Buffy & Spike"]["Recommended AO3 Tag"] == "Buffy Summers & Spike"
    assert by_tag["kink:whipping"]["Recommended AO3 Tag"] == "Whipping"
    assert by_tag["death of a minor OC"]["Recommended AO3 Type"] == "tags"
    assert len(sheet) == len({(r["Original Tag"], r["Original Tag Type"]) for r in sheet})


def test_ao3_pages_use_stored_names_and_report_chapters_over_the_limits() -> None:
    huge = _works()[3]
    pages, fields = import_pages(huge)
    page = pages["chapter-001.html"]
    assert "<p>Archive Warning: Choose Not To Use Archive Warnings</p>" in page
    assert "<p>Category: M/M</p>" in page and "<p>Date: 1998-06-12</p>" in page
    assert any(c.field == "chapter 1" and c.limit == 510_000 for c in fields.cuts)
    many = huge.evolve(chapters=tuple(_chapter("x") for _ in range(200)))
    assert any(c.field == "chapters" for c in ao3_fields(many).cuts)
    long_tag = huge.evolve(tags=("t" * 140,))
    assert ao3_fields(long_tag).tags == ("t" * 140,)  # AO3 takes 150 now


def test_efiction_series_emails_status_and_dates_reach_the_work() -> None:
    from ficarchive.bulk.efiction import apply_record

    record = {
        "dump": "site.sql",
        "sid": 7,
        "title": "Bells",
        "authors": ["Jo"],
        "summary": None,
        "notes": None,
        "rating": None,
        "characters": [],
        "categories": [],
        "classes": [],
        "challenges": [],
        "published": "2003-01-02",
        "updated": "2003-02-03",
        "completed": "0",
        "emails": ["jo@example.org"],
        "series": [("Legacies", 2)],
        "chapters": {},
    }
    work = apply_record(Work(title="Bells", authors=("Jo",)), record)
    assert work.series == (SeriesPart("Legacies", 2),)
    assert (work.complete, work.updated, work.feedback) == (False, "2003-02-03", "jo@example.org")
    tables = OpenDoorsTables()
    tables.add(1, work, ao3_fields(work))
    assert tables.author_rows()[0]["email"] == "jo@example.org"
