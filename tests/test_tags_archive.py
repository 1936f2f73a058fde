"""Wrangling in the archive and ``ficarchive tags``: decisions apply to every work with
the tag, now and on later adds; search finds any spelling; every change can be undone."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ficarchive.archive import Archive, Filters
from ficarchive.errors import ArchiveError

POSTGRES = os.environ.get("FICARCHIVE_TEST_POSTGRES")


def _story(title: str, tags: str, body: str = "Giles polished his glasses again.") -> bytes:
    text = f"Title: {title}\nAuthor: Ana\nFandom: BtVS\n{tags}\n\n" + (body + " ") * 20 + "\n"
    return text.encode()


@pytest.fixture(params=["sqlite", "postgres"])
def archive(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    if request.param == "postgres":
        if not POSTGRES:
            pytest.skip("set FICARCHIVE_TEST_POSTGRES=postgresql://… to test PostgreSQL")
        store = Archive.open(POSTGRES)
        store.reset_for_tests()  # type: ignore[attr-defined]
    else:
        store = Archive.open(tmp_path / "archive.sqlite")
    yield store
    store.close()


def test_a_decision_applies_now_and_on_later_adds_and_can_be_undone(archive: Any) -> None:
    first = archive.add(_story("One", "Characters: Apollo, Giles"), "one.txt").id
    unwrangled = archive.raw_tags(unwrangled=True)
    assert [(u.kind, u.name, u.works) for u in unwrangled] == [("character", "Apollo", 1)]
    assert archive.get(first).work.characters == ("Apollo", "Rupert Giles")

    changed = archive.merge_tag("Apollo", "Apollo (Greek Religion & Lore)", kind="character")
    assert changed == 1
    assert archive.get(first).work.characters == ("Apollo (Greek Religion & Lore)", "Rupert Giles")
    second = archive.add(_story("Two", "Characters: Apollo"), "two.txt").id
    assert archive.get(second).work.characters == ("Apollo (Greek Religion & Lore)",)
    found = archive.search("", Filters(characters=("Apollo",)))
    assert {h.id for h in found.hits} == {first, second}  # the synonym finds them
    assert archive.raw_tags(unwrangled=True) == []

    [change] = archive.tag_history()
    assert (change.action, change.name, change.before) == ("merge", "Apollo", None)
    archive.undo_tag_change(change.id)
    assert archive.get(first).work.characters == ("Apollo", "Rupert Giles")
    assert archive.tag_history()[0].undone
    with pytest.raises(ArchiveError, match="no change"):
        archive.undo_tag_change(change.id)


def test_search_and_facets_are_canonical_and_find_every_spelling(archive: Any) -> None:
    archive.add(_story("One", "Pairing: Giles/Xander"), "one.txt")
    archive.add(_story("Two", "Pairing: Xander/Giles"), "two.txt")
    archive.add(_story("Three", "Pairing: Giles & Xander"), "three.txt")
    facets = {f.name: f.count for f in archive.facets()["relationship"]}
    assert facets == {"Rupert Giles/Xander Harris": 2, "Rupert Giles & Xander Harris": 1}
    for spelling in ("giles/xander", "Xander/Giles", "Rupert Giles/Xander Harris"):
        assert archive.search("", Filters(relationships=(spelling,))).total == 2
    assert archive.search("", Filters(relationships=("Giles & Xander",))).total == 1
    assert archive.stats().tags["relationship"] == 2  # synonyms are not counted as tags


def test_a_salvaged_archive_keeps_its_wrangling(archive: Any, tmp_path: Path) -> None:
    """`ficarchive check --salvage` copies decisions, parents and the log of changes: later
    adds are wrangled as before, and a change made before the salvage can be undone."""
    from ficarchive.archive.salvage import salvage

    first = archive.add(_story("One", "Characters: Apollo, Giles"), "one.txt").id
    archive.merge_tag("Apollo", "Apollo (Greek Religion & Lore)", kind="character")
    archive.set_parent("Rupert Giles", "Buffy the Vampire Slayer (TV)", kind="character")
    location = getattr(archive, "url", None) or archive.path
    archive.close()
    report = salvage(location, str(tmp_path / "copy.sqlite"))
    assert (report.copied, report.lost) == (1, [])
    with Archive.open(tmp_path / "copy.sqlite") as copy:
        assert copy.get(first).work.characters == ("Apollo (Greek Religion & Lore)", "Rupert Giles")
        second = copy.add(_story("Two", "Characters: Apollo"), "two.txt").id
        assert copy.get(second).work.characters == ("Apollo (Greek Religion & Lore)",)
        assert copy.raw_tags(unwrangled=True) == []
        merge, parent = copy.tag_history()
        assert (merge.action, parent.action) == ("merge", "parent")
        copy.undo_tag_change(merge.id)
        assert copy.get(first).work.characters == ("Apollo", "Rupert Giles")


def test_rename_make_canonical_and_parent(archive: Any) -> None:
    work = archive.add(_story("One", "Tags: kink:whipping, shiny-tag"), "one.txt").id
    archive.make_canonical("shiny-tag", kind="freeform", note="a real AO3 tag")
    archive.rename_tag("Whipping", "Whipping (BDSM)", kind="freeform")
    assert archive.get(work).work.tags == ("Whipping (BDSM)", "shiny-tag")
    archive.set_parent("Rupert Giles", "Buffy the Vampire Slayer (TV)", kind="character")
    assert [c.action for c in archive.tag_history()] == ["canonical", "rename", "parent"]
    with pytest.raises(ArchiveError, match="no freeform tag"):
        archive.merge_tag("nothing-like-it", "X", kind="freeform")


def test_the_tags_command(run_cli: Any, tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite"
    story = tmp_path / "one.txt"
    story.write_bytes(_story("One", "Characters: Apollo, Giles"))
    assert run_cli("add", story, "--archive", db, "-j", "1").exit_code == 0
    listed = run_cli("tags", "list", "--unwrangled", "--archive", db)
    assert listed.exit_code == 0 and "Apollo" in listed.output and "Giles" not in listed.output
    merged = run_cli(
        "tags",
        "merge",
        "Apollo",
        "--into",
        "Apollo (Greek Religion & Lore)",
        "--kind",
        "character",
        "--archive",
        db,
    )
    assert merged.exit_code == 0 and "1 works changed" in merged.output
    assert "no tags to wrangle" in run_cli("tags", "list", "--unwrangled", "--archive", db).output
    assert "merge" in run_cli("tags", "history", "--archive", db).output
    assert run_cli("tags", "undo", "1", "--archive", db).exit_code == 0
    wrong = run_cli("tags", "undo", "1", "--archive", db)
    assert wrong.exit_code != 0 and "no change 1" in wrong.stderr
    assert "Traceback" not in wrong.output
