"""The Archive: storage, duplicates, search, filters, facets, edits, failures.

Every test runs against each backend of the ``archive`` fixture (conftest.py): SQLite
always, PostgreSQL when ``$FICARCHIVE_TEST_POSTGRES`` gives a server to use (CI starts one).
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
import threading
from pathlib import Path
from typing import Any

import pytest

from ficarchive.archive import Archive, Filters, Original
from ficarchive.errors import ArchiveError, ArchiveUnavailable, WorkNotFound
from ficarchive.rescue import rescue

GOLDEN = Path(__file__).parent / "golden"
POSTGRES = os.environ.get("FICARCHIVE_TEST_POSTGRES")

BELLS = """Title: Sound of Bells
Author: Jo Quillon
Rating: NC-17
Pairing: Spuffy
Fandom: BtVS
Characters: Buffy, Spike

The bells were running late that night, and the café on the corner had shut.
Buffy walked past it twice before she saw him waiting under the lamp.

* * *

Spike did not say anything about the rain. He held the door.
"""

LANTERN = """Title: Lantern Song
Author: Ana Brightwater
Rating: G
Pairing: Giles/Jenny
Fandom: Buffy the Vampire Slayer

Giles lit the lantern and counted the books on the shelf, one by one, slowly.
Jenny laughed at him from the doorway, because he always lost count at forty.
"""


def test_add_keeps_the_work_and_its_source(archive: Any) -> None:
    data = BELLS.encode("cp1252")
    result = archive.add(data, "bells.txt")
    assert result.status == "added"
    stored = archive.get(result.id)
    assert stored.work.title == "Sound of Bells"
    assert stored.work.relationships == ("Buffy Summers/Spike",)  # wrangled
    assert any(r.name == "Spuffy" for r in stored.work.raw_tags)  # as written, kept
    assert archive.source(result.id) == data
    assert stored.work.source.sha256 == hashlib.sha256(data).hexdigest()
    assert archive.original(result.id) == Original("bells.txt", stored.work.source.sha256, data)
    assert archive.count() == 1


def test_a_source_may_be_kept_under_another_name(archive: Any) -> None:
    work = rescue(BELLS.encode(), "bells_part1.txt")
    result = archive.add_work(work, b"PK-zip-of-parts", source_name="bells.parts.zip")
    original = archive.original(result.id)
    assert (original.name, original.data) == ("bells.parts.zip", b"PK-zip-of-parts")
    bare = archive.add_work(rescue(b"Another story, with no bytes kept.\n", "other.txt"))
    assert archive.original(bare.id) is None and archive.source(bare.id) is None


def test_same_bytes_are_not_stored_twice(archive: Any) -> None:
    first = archive.add(BELLS.encode(), "bells.txt")
    again = archive.add(BELLS.encode(), "copy-of-bells.txt")
    assert (again.id, again.status) == (first.id, "unchanged")
    assert archive.count() == 1


def test_near_duplicates_are_linked_not_merged(archive: Any) -> None:
    first = archive.add(BELLS.encode("utf-8"), "bells.txt")
    repost = BELLS.replace("Title: Sound of Bells", "Title: Sound of Bells (repost)")
    second = archive.add(repost.encode("cp1252"), "bells-repost.txt")
    other = archive.add(LANTERN.encode(), "lantern.txt")
    assert second.status == "added" and second.near_duplicates == (first.id,)
    assert archive.count() == 3
    assert [w for w, _ in archive.near_duplicates(first.id)] == [second.id]
    assert archive.near_duplicates(other.id) == []


def test_search_words_phrases_stems_and_accents(archive: Any) -> None:
    bells = archive.add(BELLS.encode(), "bells.txt").id
    lantern = archive.add(LANTERN.encode(), "lantern.txt").id
    assert [h.id for h in archive.search("lantern").hits] == [lantern]
    assert [h.id for h in archive.search("run").hits] == [bells]  # "running"
    assert [h.id for h in archive.search("cafe").hits] == [bells]  # "café"
    assert [h.id for h in archive.search('"held the door"').hits] == [bells]
    assert archive.search('"door held the"').total == 0
    assert [h.id for h in archive.search("lamp -lantern").hits] == [bells]
    hit = archive.search("lantern").hits[0]
    assert "<mark>" in hit.snippet and hit.title == "Lantern Song"


@pytest.mark.parametrize("spelling", ["Spuffy", "Spike/Buffy", "buffy / spike", "S/B"])
def test_tag_synonyms_find_the_same_works(archive: Any, spelling: str) -> None:
    bells = archive.add(BELLS.encode(), "bells.txt").id
    archive.add(LANTERN.encode(), "lantern.txt")
    results = archive.search("", Filters(relationships=(spelling,)))
    assert [h.id for h in results.hits] == [bells]


def test_filters_and_facets(archive: Any) -> None:
    archive.add(BELLS.encode(), "bells.txt")
    archive.add(LANTERN.encode(), "lantern.txt")
    everything = archive.search("")
    assert everything.total == 2
    fandoms = {f.name: f.count for f in everything.facets["fandom"]}
    assert fandoms == {"Buffy the Vampire Slayer (TV)": 2}
    ratings = {f.name: f.count for f in everything.facets["rating"]}
    assert ratings == {"Explicit": 1, "General Audiences": 1}
    explicit = archive.search("", Filters(ratings=("Explicit",)))
    assert [h.title for h in explicit.hits] == ["Sound of Bells"]
    assert archive.search("", Filters(fandoms=("btvs",))).total == 2
    assert archive.search("", Filters(fandoms=("No Such Fandom",))).total == 0
    assert archive.search("", Filters(words_min=10_000)).total == 0


def test_sort_orders(archive: Any) -> None:
    archive.add(BELLS.encode(), "bells.txt")
    archive.add(LANTERN.encode(), "lantern.txt")
    by_title = [h.title for h in archive.search("", sort="title").hits]
    assert by_title == ["Lantern Song", "Sound of Bells"]
    by_words = [h.word_count for h in archive.search("", sort="words").hits]
    assert by_words == sorted(by_words, reverse=True)


@pytest.mark.parametrize(
    "query",
    [
        '"unbalanced',
        "NEAR(",
        "*",
        "title:",
        "AND OR NOT",
        "-",
        "(",
        "''",
        "\\",
        "%_",
        "😀",
        "a" * 500,
        'bells" OR "x',
    ],
)
def test_search_input_of_any_shape_cannot_break_the_query(archive: Any, query: str) -> None:
    archive.add(BELLS.encode(), "bells.txt")
    results = archive.search(query)
    assert results.total >= 0


def test_edits_are_recorded_and_searchable(archive: Any) -> None:
    work_id = archive.add(BELLS.encode(), "bells.txt").id
    archive.edit(work_id, {"title": "The Sound of Bells", "tags": ["Angst"]}, note="typo")
    stored = archive.get(work_id)
    assert stored.work.title == "The Sound of Bells" and stored.work.tags == ("Angst",)
    history = archive.history(work_id)
    assert [(e.field, e.before, e.after, e.note) for e in history] == [
        ("title", "Sound of Bells", "The Sound of Bells", "typo"),
        ("tags", [], ["Angst"], "typo"),
    ]
    assert archive.rescued(work_id).title == "Sound of Bells"
    assert [h.id for h in archive.search("", Filters(tags=("angst",))).hits] == [work_id]
    assert archive.search("the sound of bells").total == 1
    with pytest.raises(ArchiveError, match="cannot edit chapters"):
        archive.edit(work_id, {"chapters": []})


def test_remove_and_missing_works(archive: Any) -> None:
    work_id = archive.add(BELLS.encode(), "bells.txt").id
    archive.remove(work_id)
    assert archive.count() == 0
    assert archive.search("bells").total == 0
    with pytest.raises(WorkNotFound, match="no work"):
        archive.get(work_id)
    assert archive.add(BELLS.encode(), "bells.txt").status == "added"


def test_stats(archive: Any) -> None:
    archive.add(BELLS.encode(), "bells.txt")
    archive.add(LANTERN.encode(), "lantern.txt")
    stats = archive.stats()
    stories = sum(archive.get(i).work.looks_like_story for i in (1, 2))
    assert (stats.works, stats.sources, stats.stories) == (2, 2, stories)
    assert stats.words > 40 and stats.tags["fandom"] == 1


def test_golden_stories_all_store_and_find(archive: Any) -> None:
    for path in sorted(GOLDEN.glob("*")):
        if not path.name.endswith(".expect.json"):
            archive.add(path.read_bytes(), path.name)
    assert archive.count() == len([p for p in GOLDEN.glob("*") if ".expect." not in p.name])
    assert archive.search("lanterns").total >= 1


# -- SQLite files in a bad state -----------------------------------------------------------


def test_a_file_that_is_not_an_archive(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite"
    path.write_bytes(b"this is a shopping list, not a database\n" * 100)
    with pytest.raises(ArchiveUnavailable, match="not a ficarchive archive") as error:
        Archive.open(path)
    assert "\n" not in str(error.value)


def test_a_read_only_archive(tmp_path: Path) -> None:
    path = tmp_path / "archive.sqlite"
    Archive.open(path).add(BELLS.encode(), "bells.txt")
    os.chmod(path, stat.S_IRUSR)
    os.chmod(tmp_path, stat.S_IRUSR | stat.S_IXUSR)
    try:
        if os.access(path, os.W_OK):
            pytest.skip("running as a user who can write read-only files (root)")
        with pytest.raises(ArchiveUnavailable, match=r"read-only|cannot be"):
            Archive.open(path).add(LANTERN.encode(), "lantern.txt")
    finally:
        os.chmod(tmp_path, stat.S_IRWXU)
        os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)


def test_a_locked_archive_says_it_is_busy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ficarchive.archive import sqlite as backend

    monkeypatch.setattr(backend, "BUSY_TIMEOUT_MS", 200)
    path = tmp_path / "archive.sqlite"
    Archive.open(path).add(BELLS.encode(), "bells.txt")
    holder = sqlite3.connect(path)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(ArchiveUnavailable, match="busy"):
            Archive.open(path).add(LANTERN.encode(), "lantern.txt")
    finally:
        holder.rollback()
        holder.close()


def test_a_newer_archive_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "archive.sqlite"
    Archive.open(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(ArchiveUnavailable, match="newer ficarchive"):
        Archive.open(path)


def test_default_location_follows_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FICARCHIVE_ARCHIVE", str(tmp_path / "mine.sqlite"))
    archive = Archive.open()
    archive.add(BELLS.encode(), "bells.txt")
    assert Path(archive.location) == tmp_path / "mine.sqlite"
    assert (tmp_path / "mine.sqlite").exists()


def test_readers_in_threads_while_one_writes(tmp_path: Path) -> None:
    path = tmp_path / "archive.sqlite"
    archive = Archive.open(path)
    archive.add(LANTERN.encode(), "lantern.txt")
    errors: list[BaseException] = []

    def read() -> None:
        try:
            for _ in range(30):
                assert archive.search("lantern").total >= 1
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=read) for _ in range(4)]
    for thread in threads:
        thread.start()
    for n in range(10):
        archive.add(BELLS.replace("lamp", f"lamp {n}").encode(), f"b{n}.txt")
    for thread in threads:
        thread.join()
    assert errors == []


def test_or_joins_the_two_words_beside_it(archive: Any) -> None:
    bells = archive.add(BELLS.encode(), "bells.txt").id
    lantern = archive.add(LANTERN.encode(), "lantern.txt").id
    assert sorted(h.id for h in archive.search("lamp OR lantern").hits) == [bells, lantern]
    assert [h.id for h in archive.search("giles lamp OR lantern").hits] == [lantern]
    assert [h.id for h in archive.search("bells lamp OR lantern").hits] == [bells]
    assert [h.id for h in archive.search("spike OR giles -jenny").hits] == [bells]


def test_snippets_are_escaped_html_with_only_mark_tags(archive: Any) -> None:
    story = LANTERN.replace("slowly.", "slowly <script>alert(1)</script> & lantern.")
    archive.add(story.encode(), "lantern.txt")
    snippet = archive.search("lantern").hits[0].snippet
    assert "<script>" not in snippet and "<mark>" in snippet
    assert snippet.replace("<mark>", "").replace("</mark>", "").count("<") == 0


# -- PostgreSQL that cannot be used ----------------------------------------------------


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("postgresql://someone:secret@127.0.0.1:1/archive", "cannot be reached"),
        ("postgresql://someone:secret@127.0.0.1:notaport/archive", "not a usable address"),
    ],
)
def test_an_unusable_postgres_server_is_one_clear_line(url: str, message: str) -> None:
    pytest.importorskip("psycopg")
    with pytest.raises(ArchiveUnavailable, match=message) as error:
        Archive.open(url)
    assert "\n" not in str(error.value) and "secret" not in str(error.value)


@pytest.mark.skipif(not POSTGRES, reason="needs $FICARCHIVE_TEST_POSTGRES")
def test_postgres_unknown_user_and_missing_database() -> None:
    from urllib.parse import urlsplit

    parts = urlsplit(POSTGRES or "")
    host = f"{parts.hostname}:{parts.port or 5432}"
    with pytest.raises(ArchiveUnavailable, match="refused the login"):
        Archive.open(f"postgresql://no_such_role_here:secret@{host}{parts.path}")
    with pytest.raises(ArchiveUnavailable, match=r"does not exist|refused the login"):
        Archive.open(f"postgresql://{parts.netloc}/no_such_database_here")


def test_kept_facet_counts_agree_with_counting(archive: Any) -> None:
    bells = archive.add(BELLS.encode(), "bells.txt").id
    lantern = archive.add(LANTERN.encode(), "lantern.txt").id
    archive.add(BELLS.replace("lamp", "streetlight").encode(), "bells-2.txt")
    archive.edit(lantern, {"tags": ["Angst", "Fluff"], "relationships": ["Spuffy"]})
    archive.edit(bells, {"tags": ["Angst"]})
    archive.remove(bells)
    kept = archive.facets()  # the whole archive: read from the kept counts
    counted = archive.facets(Filters(words_min=0))  # the same works, counted
    assert kept == counted
    assert {f.name: f.count for f in kept["freeform"]} == {"Angst": 1, "Fluff": 1}
    assert {f.name: f.count for f in kept["relationship"]} == {"Buffy Summers/Spike": 2}


def test_an_empty_file_is_not_taken_for_an_archive(tmp_path: Path) -> None:
    path = tmp_path / "empty.sqlite"
    path.write_bytes(b"")
    with pytest.raises(ArchiveUnavailable, match="empty file"):
        Archive.open(path, create=False)
    assert path.stat().st_size == 0
