"""What keeps search fast on a large archive and still right (issue 12): counts that stop
at `COUNT_LIMIT` and say so, facets over the newest matches past it, and on SQLite the
tags in the full-text index (schema 5), kept true through edits, wrangling and upgrades.

Every test runs on each backend of the ``archive`` fixture (conftest.py) unless it is
about SQLite's index itself.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ficarchive.archive import Archive, Filters, search_pg, search_sql
from ficarchive.archive.schema import SCHEMA_VERSION
from ficarchive.web.views import search as search_view


def _story(title: str, tags: str, body: str) -> bytes:
    text = f"Title: {title}\nAuthor: Ana\nFandom: BtVS\n{tags}\n\n" + (body + " ") * 20 + "\n"
    return text.encode()


def _lanterns(archive: Any, count: int) -> list[int]:
    return [
        archive.add(
            _story(f"Lantern {i}", "Tags: Angst" if i % 2 else "Tags: Fluff",
                   f"The lantern burned low in room {i}."), f"l{i}.txt"
        ).id
        for i in range(count)
    ]  # fmt: skip


@pytest.fixture
def limit_of_3(monkeypatch: pytest.MonkeyPatch) -> int:
    """Counts stop at 3 works, facets count the 2 newest matching."""
    for module in (search_sql, search_pg):
        monkeypatch.setattr(module, "COUNT_LIMIT", 3)
        monkeypatch.setattr(module, "FACET_SAMPLE", 2)
    monkeypatch.setattr(search_view, "FACET_SAMPLE", 2)
    return 3


def test_a_count_past_the_limit_stops_there_and_says_so(archive: Any, limit_of_3: int) -> None:
    ids = _lanterns(archive, 5)
    found = archive.search("lantern", limit=10)
    assert (found.total, found.total_exact) == (limit_of_3, False)
    assert sorted(h.id for h in found.hits) == sorted(ids)  # the page is not cut short
    everything = archive.search("", limit=10)  # the whole archive: counted exactly
    assert (everything.total, everything.total_exact, everything.facets_exact) == (5, True, True)
    assert archive.search("", Filters(tags=("Fluff",))).total_exact is True  # 3 of them
    assert archive.search("", Filters(fandoms=("btvs",))).total_exact is False
    angst = archive.search("lantern", Filters(tags=("Angst",)))
    assert (angst.total, angst.total_exact) == (2, True)  # under the limit: exact
    assert archive.search("nothing-like-this").total_exact


def test_facets_of_many_matches_count_the_newest(archive: Any, limit_of_3: int) -> None:
    _lanterns(archive, 5)  # Fluff, Angst, Fluff, Angst, Fluff: the newest two are F, A
    for query, chosen in (("lantern", Filters()), ("", Filters(fandoms=("btvs",)))):
        counts = {f.name: f.count for f in archive.facets(chosen, query)["freeform"]}
        assert counts == {"Fluff": 1, "Angst": 1}
        results = archive.search(query, chosen)
        assert {f.name: f.count for f in results.facets["freeform"]} == counts
        assert not results.facets_exact
    angst = archive.search("lantern", Filters(tags=("Angst",)))  # 2 works: all counted
    assert angst.facets_exact and angst.facets["freeform"] == archive.facets(
        Filters(tags=("Angst",)), "lantern"
    )["freeform"]
    kept = {f.name: f.count for f in archive.facets()["freeform"]}
    assert kept == {"Fluff": 3, "Angst": 2}  # the whole archive: the kept counts, exact


def test_words_with_tag_filters_and_exclusions(archive: Any) -> None:
    fluff, angst, *_ = _lanterns(archive, 4)
    other = archive.add(_story("Other", "Tags: Angst", "A kettle sang."), "o.txt").id
    ids = lambda r: sorted(h.id for h in r.hits)  # noqa: E731
    assert ids(archive.search("lantern", Filters(tags=("Angst",)))) == [angst, angst + 2]
    assert ids(archive.search("lantern", Filters(tags=("Angst", "Fluff")))) == []
    assert ids(archive.search("kettle", Filters(tags=("Angst",)))) == [other]
    left_out = Filters(excluded=(("freeform", "Angst"),))
    assert ids(archive.search("lantern", left_out)) == [fluff, fluff + 2]
    assert ids(archive.search("lantern -tag:Fluff")) == [angst, angst + 2]
    assert ids(archive.search("lantern -room", Filters(tags=("Angst",)))) == []
    assert archive.search("lantern", Filters(tags=("Angst",)), sort="title").total == 2
    assert archive.search("lantern", Filters(tags=("Angst",), words_min=1)).total == 2


def test_words_shaped_like_the_index_own_tag_words_find_no_tags(tmp_path: Path) -> None:
    archive = Archive.open(tmp_path / "archive.sqlite")
    _lanterns(archive, 2)
    tags = [int(r[0]) for r in archive.conn.execute("SELECT id FROM tags")]
    for tag in tags:
        assert archive.search(f"tag{tag}").total == 0
        assert archive.search(f"-tag{tag}").total == 2
    archive.close()


def test_tags_in_the_index_follow_edits_and_wrangling(archive: Any) -> None:
    first = archive.add(_story("One", "Characters: Apollo", "The lantern hissed."), "1.txt").id
    archive.edit(first, {"tags": ["Angst"]})
    assert [h.id for h in archive.search("lantern", Filters(tags=("Angst",))).hits] == [first]
    archive.edit(first, {"tags": ["Fluff"]})
    assert archive.search("lantern", Filters(tags=("Angst",))).total == 0
    assert archive.search("lantern", Filters(tags=("Fluff",))).total == 1
    archive.merge_tag("Apollo", "Apollo (Greek Religion & Lore)", kind="character")
    wrangled = Filters(characters=("Apollo (Greek Religion & Lore)",))
    assert [h.id for h in archive.search("lantern", wrangled).hits] == [first]
    [change] = archive.tag_history()
    archive.undo_tag_change(change.id)
    assert archive.search("lantern", wrangled).total == 0
    assert archive.search("lantern", Filters(characters=("Apollo",))).total == 1


def test_an_archive_of_schema_4_has_its_tags_indexed_when_opened(tmp_path: Path) -> None:
    path = tmp_path / "archive.sqlite"
    archive = Archive.open(path)
    angst = _lanterns(archive, 2)[1]
    archive.close()
    conn = sqlite3.connect(path)  # the full-text index as schema 4 made it
    with conn:
        conn.execute("DROP TABLE works_fts")
        conn.execute(
            "CREATE VIRTUAL TABLE works_fts USING fts5(title, authors, summary, notes, text, "
            "tokenize = 'porter unicode61 remove_diacritics 2')"
        )
        for i in (angst - 1, angst):
            conn.execute(
                "INSERT INTO works_fts(rowid, title, text) VALUES (?, 'Lantern', 'the lantern')",
                (i,),
            )
        conn.execute("UPDATE meta SET value = '4' WHERE key = 'schema_version'")
    conn.close()
    archive = Archive.open(path)
    version = archive.conn.execute("SELECT value FROM meta WHERE key = 'schema_version'")
    assert version.fetchone()[0] == str(SCHEMA_VERSION)
    assert [h.id for h in archive.search("lantern", Filters(tags=("Angst",))).hits] == [angst]
    assert archive.search("lantern").total == 2
    archive.close()


def test_the_reader_says_when_counting_stopped(tmp_path: Path, limit_of_3: int) -> None:
    from ficarchive.web import create_app

    archive = Archive.open(tmp_path / "archive.sqlite")
    _lanterns(archive, 5)
    with TestClient(create_app(archive)) as client:
        page = client.get("/search", params={"q": "lantern"})
        assert page.status_code == 200 and "More than 3 works found" in page.text
        assert "count the 2 most recently added" in page.text
        body = client.get("/api/search", params={"q": "lantern"}).json()
        assert (body["total"], body["total_exact"], body["facets_exact"]) == (3, False, False)
        exact = client.get("/api/search", params={"q": "lantern", "tag": "Angst"}).json()
        assert (exact["total"], exact["total_exact"], exact["facets_exact"]) == (2, True, True)
        angst = client.get("/search", params={"q": "lantern", "tag": "Angst"})
        assert "2 works found" in angst.text and "most recently added" not in angst.text
    archive.close()
