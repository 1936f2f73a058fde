"""The tantivy index that ranks a large SQLite archive's searches (issue 12): it finds
the same works FTS5 finds, follows every change to the archive, and when it is missing,
behind, damaged or busy, FTS5 answers instead and nothing fails."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import tantivy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ficarchive.archive import Filters, SQLiteArchive, search_index, search_sql, search_tantivy
from ficarchive.archive.search_sql import run_search

WORDS = ["lantern", "vampire", "ship", "rain", "door", "captain", "garden", "sword", "night"]


def _story(title: str, body: str, tags: str = "", author: str = "Ana") -> bytes:
    return f"Title: {title}\nAuthor: {author}\n{tags}\n\n{body}\n".encode()


def _fts5_ids(archive: SQLiteArchive, query: str, filters: Filters | None = None) -> list[int]:
    found = run_search(
        archive.conn, query, filters or Filters(), sort="relevance", limit=100, offset=0,
        with_facets=False,
    )  # fmt: skip
    return [h.id for h in found.hits]


def _ids(archive: SQLiteArchive, query: str, filters: Filters | None = None) -> list[int]:
    return [h.id for h in archive.search(query, filters, limit=100, facets=False).hits]


def _engine(archive: SQLiteArchive) -> str:
    assert archive.search_index is not None
    return archive.search_index.last_engine


@pytest.fixture
def library(tmp_path: Path) -> SQLiteArchive:
    """Twelve stories over a few words, tags and lengths, with an index built."""
    archive = SQLiteArchive(tmp_path / "archive.sqlite")
    for i in range(12):
        words = [WORDS[(i * k + k) % len(WORDS)] for k in range(1, 5)]
        body = f"The {words[0]} and the {words[1]} by the {words[2]}. " * (3 + 3 * (i % 4))
        tags = "Fandom: Star Trek\nTags: Angst" if i % 3 == 0 else "Fandom: Buffy\nTags: Fluff"
        archive.add(_story(f"The {words[3].title()} {i}", body, tags), f"s{i}.txt")
    archive.add(_story("Notes", "A story that is not about anything here. " * 30), "n.txt")
    assert archive.build_search_index() == 13
    return archive


QUERIES = [
    "lantern",
    "rain door",
    '"the rain"',
    "ship OR sword",
    "night -garden",
    "captain OR lantern -vampire",
    "Lanterns",  # a stem
    "nothing-like-this",
]
FILTERS = [
    Filters(),
    Filters(fandoms=("Star Trek",)),
    Filters(tags=("Fluff",), fandoms=("Buffy",)),
    Filters(excluded=(("freeform", "Angst"),)),
    Filters(words_min=25),
    Filters(words_max=24, stories_only=True),
]


@pytest.mark.parametrize("filters", FILTERS, ids=range(len(FILTERS)))
def test_the_index_finds_what_fts5_finds(library: SQLiteArchive, filters: Filters) -> None:
    for query in QUERIES:
        ranked = _ids(library, query, filters)
        assert _engine(library) == "tantivy", query
        assert sorted(ranked) == sorted(_fts5_ids(library, query, filters)), (query, filters)


def test_a_title_match_ranks_first_as_with_fts5(library: SQLiteArchive) -> None:
    library.add(_story("Lighthouse", "It was a lighthouse once. " + "Sand. " * 200), "l.txt")
    ranked = _ids(library, "lantern OR lighthouse")
    assert _engine(library) == "tantivy"
    assert ranked[0] == _fts5_ids(library, "lantern OR lighthouse")[0]
    assert library.get(ranked[0]).work.title == "Lighthouse"


def test_pages_follow_the_ranking(library: SQLiteArchive) -> None:
    whole = _ids(library, "the")
    pages = [
        [h.id for h in library.search("the", limit=4, offset=o, facets=False).hits]
        for o in range(0, len(whole), 4)
    ]
    assert [i for page in pages for i in page] == whole
    found = library.search("the", limit=4)
    assert found.total == len(whole)  # counted by FTS5, as are the snippets
    assert all("<mark>" in h.snippet for h in found.hits)


def test_adds_edits_tags_and_removals_are_followed(library: SQLiteArchive) -> None:
    new = library.add(_story("Quokka", "A quokka in the rain.", "Tags: Fluff"), "q.txt").id
    assert _ids(library, "quokka") == [new] and _engine(library) == "tantivy"
    library.edit(new, {"title": "Wombat"})
    assert _ids(library, "wombat") == [new] and _ids(library, "quokka rain") == [new]
    assert _ids(library, "wombat", Filters(tags=("Fluff",))) == [new]
    library.edit(new, {"tags": ["Angst"]})
    assert _ids(library, "wombat", Filters(tags=("Fluff",))) == []
    assert _ids(library, "wombat", Filters(tags=("Angst",))) == [new]
    library.remove(new)
    assert _ids(library, "wombat") == [] and _engine(library) == "tantivy"
    # what the index holds is no longer logged
    assert library.conn.execute("SELECT count(*) FROM search_changes").fetchone()[0] == 0


def test_an_index_far_behind_is_not_used_until_updated(
    library: SQLiteArchive, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_tantivy, "INLINE_CHANGES", 0)
    new = library.add(_story("Quokka", "A quokka."), "q.txt").id
    assert _ids(library, "quokka") == [new] and _engine(library) == "fts5"
    assert library.search_index_status()["behind"] == 1
    assert library.sync_search_index() == 1
    assert _ids(library, "quokka") == [new] and _engine(library) == "tantivy"


def test_a_missing_or_damaged_index_leaves_fts5_to_answer(library: SQLiteArchive) -> None:
    expected = _fts5_ids(library, "rain")
    folder = library.search_index_status()["folder"]
    shutil.rmtree(folder)
    assert _ids(library, "rain") == expected and _engine(library) == "fts5"
    assert library.search_index_status()["usable"] is False
    assert library.sync_search_index() == 13  # made again
    assert _ids(library, "rain") and _engine(library) == "tantivy"
    (Path(folder) / "state.json").write_text("{not json")
    library.close()
    assert sorted(_ids(library, "rain")) == sorted(expected) and _engine(library) == "fts5"
    for segment in Path(folder).glob("*.idx"):
        segment.write_bytes(b"\0" * 64)
    library.build_search_index()
    library.close()
    for segment in Path(folder).glob("*.idx"):
        segment.write_bytes(b"\0" * 64)
    assert sorted(_ids(library, "rain")) == sorted(expected)  # never an error


def test_an_index_another_process_is_writing_is_not_waited_for(library: SQLiteArchive) -> None:
    folder = library.search_index_status()["folder"]
    other = tantivy.Index.open(folder)
    holding = other.writer(15_000_000, 1)  # the lock another ficarchive would hold
    new = library.add(_story("Quokka", "A quokka."), "q.txt").id
    assert _ids(library, "quokka") == [new] and _engine(library) == "fts5"
    with pytest.raises(Exception, match="being written by another ficarchive"):
        library.sync_search_index()
    holding.rollback()
    del holding
    assert _ids(library, "quokka") == [new] and _engine(library) == "tantivy"


def test_deep_pages_and_date_filters_are_fts5s(
    library: SQLiteArchive, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_tantivy, "MAX_DEPTH", 5)
    library.search("the", limit=4, offset=4)
    assert _engine(library) == "fts5"
    library.search("the", limit=4)
    assert _engine(library) == "tantivy"
    library.search("the", Filters(added_since="2000-01-01"))
    assert _engine(library) == "fts5"
    library.search("the", sort="date")
    assert _engine(library) == "fts5"


def test_an_archive_made_large_by_an_add_gets_an_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_cli: Any
) -> None:
    monkeypatch.setattr(search_index, "AUTO_WORKS", 3)
    folder = tmp_path / "stories"
    folder.mkdir()
    for i in range(2):
        (folder / f"{i}.txt").write_bytes(_story(f"Story {i}", f"The rain fell {i}."))
    where = tmp_path / "a.sqlite"
    first = run_cli("add", folder, "--archive", where, "-j", "1")
    assert first.exit_code == 0 and "search index" not in first.output
    (folder / "2.txt").write_bytes(_story("Story 2", "The rain fell again."))
    second = run_cli("add", folder, "--archive", where, "-j", "1")
    assert "search index made for 3 works" in second.output
    (folder / "3.txt").write_bytes(_story("Story 3", "A quokka in the rain."))
    third = run_cli("add", folder, "--archive", where, "-j", "1")
    assert "search index: 1 works brought up to date" in third.output
    status = run_cli("search-index", "status", "--archive", where)
    assert "search index of 4 works, up to date" in status.output


def test_the_search_index_commands(tmp_path: Path, run_cli: Any) -> None:
    where = tmp_path / "a.sqlite"
    archive = SQLiteArchive(where)
    archive.add(_story("Rain", "The rain fell."), "r.txt")
    archive.close()
    assert "no search index" in run_cli("search-index", "status", "--archive", where).output
    update = run_cli("search-index", "update", "--archive", where)
    assert update.exit_code != 0 and "search-index build" in update.output
    built = run_cli("search-index", "build", "--archive", where)
    assert built.exit_code == 0 and "search index made for 1 works" in built.output
    assert Path(str(where) + "-search", "state.json").is_file()
    assert "1 works, up to date" in run_cli("search-index", "status", "--archive", where).output
    dropped = run_cli("search-index", "drop", "--archive", where)
    assert dropped.exit_code == 0 and not Path(str(where) + "-search").exists()
    archive = SQLiteArchive(where)
    archive.add(_story("Hail", "The hail fell."), "h.txt")
    assert archive.conn.execute("SELECT count(*) FROM search_changes").fetchone()[0] == 0
    assert _ids(archive, "fell") and _engine(archive) == "fts5"


def test_a_read_only_archive_is_searched_through_its_index(library: SQLiteArchive) -> None:
    path = Path(library.path)
    library.close()
    with sqlite3.connect(path) as conn:  # SQLite's own read-only mark (root is held to it)
        conn.execute("PRAGMA journal_mode = DELETE")
    with path.open("r+b") as file:
        file.seek(18)
        file.write(b"\x03")
    read_only = SQLiteArchive(path, create=False)
    assert read_only.read_only
    assert _ids(read_only, "rain") and _engine(read_only) == "tantivy"


_DOCS = st.lists(st.lists(st.sampled_from(WORDS), min_size=1, max_size=12), min_size=1, max_size=8)
_QUERY = st.lists(
    st.tuples(st.sampled_from(["", "-", "OR "]), st.lists(st.sampled_from(WORDS), min_size=1,
              max_size=2)), min_size=1, max_size=4,
)  # fmt: skip


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(docs=_DOCS, queries=st.lists(_QUERY, min_size=1, max_size=5))
def test_any_search_finds_the_same_works_on_both(
    tmp_path_factory: pytest.TempPathFactory, docs: list[list[str]], queries: list[Any]
) -> None:
    archive = SQLiteArchive(tmp_path_factory.mktemp("h") / "a.sqlite")
    for i, words in enumerate(docs):
        archive.add(_story(f"Work {i}", " ".join(words) + "."), f"{i}.txt")
    archive.build_search_index()
    for terms in queries:
        query = " ".join(
            f'{mark}"{" ".join(words)}"' if len(words) > 1 else f"{mark}{words[0]}"
            for mark, words in terms
        )
        assert sorted(_ids(archive, query)) == sorted(_fts5_ids(archive, query)), query
    archive.close()


def test_check_notes_the_index_and_never_calls_it_a_problem(library: SQLiteArchive) -> None:
    from ficarchive.archive.integrity import check

    assert not [n for n in check(library.path).notes if "tantivy" in n]  # up to date
    library.add(_story("Quokka", "A quokka."), "q.txt")
    behind = check(library.path)
    assert behind.sound and any("1 changed works behind" in n for n in behind.notes)
    shutil.rmtree(library.search_index_status()["folder"])
    missing = check(library.path)
    assert missing.sound and any("search-index build" in n for n in missing.notes)


def test_the_index_counts_every_match_exactly(
    library: SQLiteArchive, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_sql, "COUNT_LIMIT", 3)  # FTS5 would stop counting at 3
    found = library.search("the", limit=2)
    assert _engine(library) == "tantivy"
    assert (found.total, found.total_exact, len(found.hits)) == (12, True, 2)
    assert library.search("the", limit=0).hits == () and _engine(library) == "tantivy"
    assert library.search("the", limit=0).total == 12
    by_date = library.search("the", sort="date")
    assert (by_date.total, by_date.total_exact) == (3, False) and _engine(library) == "fts5"


def test_a_build_elsewhere_holds_off_updates(library: SQLiteArchive) -> None:
    import fcntl

    folder = Path(library.search_index_status()["folder"])
    with open(folder.with_name(folder.name + ".lock"), "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # as `ficarchive search-index build` holds it
        new = library.add(_story("Quokka", "A quokka."), "q.txt").id
        assert _ids(library, "quokka") == [new] and _engine(library) == "fts5"
        fcntl.flock(lock, fcntl.LOCK_UN)
    assert _ids(library, "quokka") == [new] and _engine(library) == "tantivy"
