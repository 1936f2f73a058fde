"""Adding is idempotent under concurrency: many `ficarchive add`s of the same folders at
once store every story exactly once, on SQLite and on PostgreSQL, and every run exits 0.
An archive made before the unique source hash, holding second copies, still opens.
"""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import postgres_url
from process_support import add_summary, cli

from ficarchive.archive import Archive
from ficarchive.archive.schema import SCHEMA_VERSION

STORIES_PER_FOLDER = 6


def story(folder: str, n: int) -> str:
    return (
        f"Title: {folder.title()} {n}\nAuthor: Writer {n}\nFandom: Buffy the Vampire Slayer\n"
        f"Pairing: Spike/Buffy\n\nIn {folder} {n} the lamps were lit along the quay, "
        f"{n * 7} of them, and the bells of {folder} rang {n} times before the fog came.\n"
    )


def folders(root: Path) -> list[Path]:
    made = []
    for name in ("harbour", "lighthouse"):
        folder = root / name
        folder.mkdir(parents=True)
        for n in range(STORIES_PER_FOLDER):
            (folder / f"{name}-{n}.txt").write_text(story(name, n))
        made.append(folder)
    return made


def hashes(paths: list[Path]) -> set[str]:
    return {hashlib.sha256(p.read_bytes()).hexdigest() for f in paths for p in f.iterdir()}


def location(backend: str, tmp_path: Path) -> str:
    if backend == "sqlite":
        return str(tmp_path / "archive.sqlite")  # made by whichever add gets there first
    url = postgres_url()
    with Archive.open(url) as archive:
        archive.reset_for_tests()
    return url


def stored_hashes(where: str) -> list[str]:
    archive = Archive.open(where)
    try:
        return [r[0] for r in archive._run("SELECT source_key FROM works")]
    finally:
        archive.close()


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
@pytest.mark.parametrize("runs", [2, 4, 8])
def test_concurrent_adds_store_every_story_once(backend: str, runs: int, tmp_path: Path) -> None:
    where = location(backend, tmp_path)
    harbour, lighthouse = folders(tmp_path / "site")
    adds = [
        subprocess.Popen(
            cli("add", *map(str, (harbour, lighthouse)[:: 1 if n % 2 else -1]), "-j", "1"),
            env={**_env(), "FICARCHIVE_ARCHIVE": where},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(runs)
    ]
    results = [(add.wait(180), add.stderr.read() if add.stderr else "") for add in adds]
    for add in adds:
        if add.stderr:
            add.stderr.close()
    for code, err in results:
        assert code == 0, err
        assert "0 failed" in err
    keys = stored_hashes(where)
    assert sorted(keys) == sorted(hashes([harbour, lighthouse]))  # each exactly once
    added = sum(add_summary(err)[0] for _, err in results)
    assert added == 2 * STORIES_PER_FOLDER  # each story added by exactly one of the runs


def _env() -> dict[str, str]:
    import os

    return {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}


# -- an archive from before schema 3 -------------------------------------------------------


def _as_schema_2_with_a_second_copy(archive: Any) -> tuple[int, int]:
    """Turn a fresh archive back into a schema 2 one, holding one file stored twice (as two
    concurrent adds could store it then), the second copy edited."""
    first = archive.add(story("harbour", 1).encode(), "harbour-1.txt").id
    archive.edit(first, {"title": "The First Copy"})
    with archive._write():
        # schema 4 undone (tag wrangling), then schema 3 (the source key)
        for table in ("tag_changes", "tag_parents", "tag_decisions", "work_raw_tags", "raw_tags"):
            archive._run(f"DROP TABLE {table}")
        archive._run("ALTER TABLE tags DROP COLUMN merger_id")
        archive._run("DELETE FROM meta WHERE key = 'retag'")
        archive._run("DROP INDEX works_source_key")
        archive._run("ALTER TABLE works DROP COLUMN source_key")
        archive._run("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
        columns = (
            "sha256, title, authors, rating, word_count, looks_like_story, published, "
            "added_at, updated_at, fingerprint, band0, band1, band2, band3, work_json, "
            "rescued_json"
        )
        archive._run(f"INSERT INTO works({columns}) SELECT {columns} FROM works WHERE id = {first}")
        second = int(archive._run("SELECT max(id) FROM works")[0][0])
    archive.close()
    return first, second


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_second_copies_in_an_old_archive_do_not_stop_the_migration(
    backend: str, tmp_path: Path
) -> None:
    where = location(backend, tmp_path)
    first, second = _as_schema_2_with_a_second_copy(Archive.open(where))
    archive = Archive.open(where)  # migrates through schema 3 to the current one
    version = archive._run("SELECT value FROM meta WHERE key = 'schema_version'")[0][0]
    assert version == str(SCHEMA_VERSION)
    assert archive.count() == 2  # nothing deleted
    assert archive.get(first).work.title == "The First Copy"  # the edit is kept
    assert archive.original(second).data == story("harbour", 1).encode()  # and the original
    again = archive.add(story("harbour", 1).encode(), "harbour-1.txt")
    assert (again.id, again.status) == (first, "unchanged")  # the first copy holds the key
    assert archive.count() == 2
    archive.close()
