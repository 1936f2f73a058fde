"""kill -9 at random points of `ficarchive add` and `ficarchive bulk load`, in a loop, with
an archivist's edit between the kills; then a run to the end. Every story is stored
exactly once, every edit made before a kill is still there, no worker is left running.

The loop runs `FICARCHIVE_KILL_LOOPS` times a test (3 by default: a few seconds; set it
higher to hunt for rare interleavings); the kill times come from `FICARCHIVE_KILL_SEED`
(printed on failure) so a failing run can be replayed.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from conftest import postgres_url
from process_support import cli, kill_session, left_running, start

from ficarchive.archive import Archive
from ficarchive.bulk import bulk_rescue
from ficarchive.bulk.load import load

LOOPS = int(os.environ.get("FICARCHIVE_KILL_LOOPS", "3"))
SEED = int(os.environ.get("FICARCHIVE_KILL_SEED", str(time.time_ns() % 100_000)))
STORIES = 30


def _site(folder: Path) -> Path:
    folder.mkdir()
    for n in range(STORIES):
        (folder / f"story-{n:02}.txt").write_text(
            f"Title: Night {n}\nAuthor: Writer {n % 7}\nTags: Angst\n\n"
            + f"On night {n} the harbour bells rang and the lamps went out, one by one. " * 12
        )
    return folder


def _location(backend: str, tmp_path: Path) -> str:
    if backend == "sqlite":
        return str(tmp_path / "archive.sqlite")
    url = postgres_url()
    with Archive.open(url) as archive:
        archive.reset_for_tests()
    return url


def _kill_at_random(command: list[str], where: str, rng: random.Random, until: float) -> None:
    """Run `command` on the archive and kill -9 it after a random time; then nothing of
    it may be left running."""
    process = start(command, env={**os.environ, "FICARCHIVE_ARCHIVE": where})
    try:
        time.sleep(rng.uniform(0.05, until))
        os.kill(process.pid, signal.SIGKILL)
        process.wait(30)
        assert left_running(process.pid) == [], f"seed {SEED}: workers left behind"
    finally:
        kill_session(process.pid)
        if process.stderr:
            process.stderr.close()


def _edit_one(where: str, rng: random.Random, n: int, edits: dict[int, str]) -> None:
    """An archivist's edit of a stored work, between two kills; no duplicates so far."""
    with Archive.open(where) as archive:
        keys = [r[0] for r in archive._run("SELECT source_key FROM works")]
        assert len(keys) == len(set(keys)), f"seed {SEED}: a story stored twice"
        ids = [s.id for s in archive.works(sort="id")]
        if ids:
            work_id = rng.choice(ids)
            tag = f"edited before kill {n}"
            archive.edit(work_id, {"tags": [*archive.get(work_id).work.tags, tag]})
            edits.setdefault(work_id, tag)


def _everything_once_and_every_edit_kept(where: str, expected: int, edits: dict[int, str]) -> None:
    with Archive.open(where) as archive:
        keys = [r[0] for r in archive._run("SELECT source_key FROM works")]
        assert len(keys) == expected == len(set(keys)), f"seed {SEED}"
        for work_id, tag in edits.items():
            assert tag in archive.get(work_id).work.tags, f"seed {SEED}: edit of {work_id} lost"
            assert any(e.field == "tags" for e in archive.history(work_id))


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_kill_9_of_add_in_a_loop_loses_nothing(backend: str, tmp_path: Path) -> None:
    rng = random.Random(SEED)
    where = _location(backend, tmp_path)
    site = _site(tmp_path / "site")
    edits: dict[int, str] = {}
    for n in range(LOOPS):
        _kill_at_random(cli("add", str(site), "-j", "2"), where, rng, until=4.0)
        _edit_one(where, rng, n, edits)
    done = subprocess.run(
        cli("add", str(site), "-j", "2"),
        env={**os.environ, "FICARCHIVE_ARCHIVE": where},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    _everything_once_and_every_edit_kept(where, STORIES, edits)


@pytest.fixture(scope="module")
def output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("bulk")
    out = root / "out"
    bulk_rescue(str(_site(root / "site")), str(out), jobs=2)
    return out


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_kill_9_of_bulk_load_in_a_loop_loses_nothing(
    backend: str, output: Path, tmp_path: Path
) -> None:
    rng = random.Random(SEED + 1)
    where = _location(backend, tmp_path)
    journal = output / "_bulk" / "plan.sqlite"
    edits: dict[int, str] = {}
    for n in range(LOOPS):
        _kill_at_random(cli("bulk", "load", str(output), "-q"), where, rng, until=3.0)
        _edit_one(where, rng, n, edits)
    done = subprocess.run(
        cli("bulk", "load", str(output), "-q"),
        env={**os.environ, "FICARCHIVE_ARCHIVE": where},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    _everything_once_and_every_edit_kept(where, STORIES, edits)
    assert journal.exists()


def test_a_damaged_row_in_a_bulk_output_is_reported_and_the_rest_load(
    output: Path, tmp_path: Path, run_cli: Any
) -> None:
    copy = tmp_path / "out"
    shutil.copytree(output, copy)
    part = next(p for p in sorted((copy / "works").glob("*.parquet")) if pq.read_table(p).num_rows)
    table = pq.read_table(part)
    works = table.column("work_json").to_pylist()
    works[0] = works[0].replace('"word_count": ', '"word_count": "many", "x": ', 1)
    index = table.schema.get_field_index("work_json")
    pq.write_table(table.set_column(index, "work_json", [works]), part)
    archive = tmp_path / "archive.sqlite"
    result = run_cli("bulk", "load", copy, "--archive", archive, "-q")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "1 works could not be loaded" in result.stderr
    assert f"{STORIES - 1} works added" in result.stdout
    summary = load(str(copy), str(archive))
    assert (summary.added, summary.refused) == (0, ())  # noted once, not tried again
