"""`add` goes on past any file: an error in rescue, a MemoryError, a rescue that never
returns, a worker killed under it, a Work of the wrong types. Each is one failure line,
the rest are added, a rerun gets past it, and a kill -9 of `add` leaves no worker.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from add_faults import faulty_read
from process_support import add_summary, cli, kill_session, left_running, start

from ficarchive.archive.adding import add_files
from ficarchive.files import story_files

TESTS = Path(__file__).resolve().parent


def _story(n: int) -> str:
    return (
        f"Title: Story {n}\nAuthor: Writer {n}\n\n"
        f"Story {n} begins where the lamps were lit along the quay, number {n} of them.\n"
    )


def _folder(path: Path, names: list[str]) -> Path:
    path.mkdir()
    for n, name in enumerate(names):
        (path / name).write_text(_story(n))
    return path


def test_every_kind_of_failure_is_one_line_and_the_rest_are_added(
    archive: Any, tmp_path: Path
) -> None:
    names = [
        "fine1.txt",
        "hang.txt",
        "crash.txt",
        "flaky.txt",
        "memory.txt",
        "bug.txt",
        "fine2.txt",
    ]
    folder = _folder(tmp_path / "site", names)
    started = time.monotonic()
    outcomes = {
        Path(o.name).name: o
        for o in add_files(archive, story_files([str(folder)]), jobs=2, timeout=2, read=faulty_read)
    }
    assert time.monotonic() - started < 30
    assert sorted(outcomes) == sorted(names)
    added = {n for n, o in outcomes.items() if o.result is not None}
    assert added == {"fine1.txt", "fine2.txt", "flaky.txt"}  # flaky: retried on a new worker
    errors = {n: o.error or "" for n, o in outcomes.items() if o.result is None}
    assert "took longer than 2 s; skipped" in errors["hang.txt"]
    assert "crashed its worker (exit code -9)" in errors["crash.txt"]
    assert "ran out of memory" in errors["memory.txt"]
    assert "the rescue failed (TypeError: 'int' object is not iterable)" in errors["bug.txt"]
    assert all("\n" not in e and e.startswith(str(folder)) for e in errors.values())
    assert archive.count() == 3
    again = {
        Path(o.name).name: o
        for o in add_files(archive, story_files([str(folder)]), jobs=2, timeout=2, read=faulty_read)
    }
    assert {n for n, o in again.items() if o.result and o.result.status == "unchanged"} == added
    assert {n for n, o in again.items() if o.result is None} == set(errors)
    assert archive.count() == 3


def _hostile(folder: Path) -> Path:
    """Real files rescue could not handle (some it may handle one day: then they are
    simply added)."""
    folder.mkdir()
    (folder / "good.txt").write_text(_story(1))
    (folder / "yaml-types.md").write_text(
        "---\ntitle: Bells\ncredits: 5\nepigraphs: a text\nnotes: 7\n---\n\nThe bells rang on.\n"
    )
    chapters = {"schema": 1, "title": "X", "chapters": 3, "word_count": 5}
    (folder / "chapters.json").write_text(json.dumps(chapters))
    words = {
        "schema": 1,
        "title": "Y",
        "word_count": "many",
        "chapters": [{"title": None, "sections": [{"paragraphs": ["Hello there."]}]}],
    }
    (folder / "words.json").write_text(json.dumps(words))
    with zipfile.ZipFile(folder / "bomb.epub", "w", zipfile.ZIP_DEFLATED) as epub:
        epub.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip", zipfile.ZIP_STORED)
        epub.writestr("META-INF/container.xml", " " * 2**25)  # 32 MB of spaces in 32 KB
    os.mkfifo(folder / "fifo.txt")  # a read of it never returns
    return folder


def test_hostile_files_never_stop_add_and_a_rerun_gets_past_them(tmp_path: Path) -> None:
    folder = _hostile(tmp_path / "hostile")
    archive = tmp_path / "archive.sqlite"
    command = cli("add", str(folder), str(folder / "fifo.txt"), "--archive", str(archive))
    for run in range(2):
        done = subprocess.run(
            [*command, "--timeout", "2"], capture_output=True, text=True, timeout=120
        )
        assert "Traceback" not in done.stderr, done.stderr
        assert done.returncode in (0, 1), done.stderr
        added, known, failed = add_summary(done.stderr)
        assert (done.returncode == 1) == (failed > 0)  # exit 1 exactly when some failed
        lines = [line.strip() for line in done.stderr.splitlines() if line.startswith("  /")]
        assert len(lines) == failed and all(str(folder) in line for line in lines)
        if run == 0:
            assert any("fifo.txt" in line for line in lines)  # hung: timed out, or refused
            first_added = added
            assert first_added >= 1  # good.txt at least
        else:
            assert (added, known) == (0, first_added)
    listed = subprocess.run(
        cli("list", "--archive", str(archive)), capture_output=True, text=True, timeout=60
    )
    assert "Story 1" in listed.stdout


def _session_of_add(archive: Path, folder: Path) -> subprocess.Popen[bytes]:
    return start(
        [sys.executable, str(TESTS / "add_faults.py"), str(archive), str(folder)],
        cwd=TESTS,
        env={**os.environ, "PYTHONPATH": str(TESTS)},
    )


def test_kill_9_of_add_leaves_no_worker_running(tmp_path: Path) -> None:
    folder = _folder(tmp_path / "site", ["hang1.txt", "hang2.txt", "fine.txt"])
    process = _session_of_add(tmp_path / "archive.sqlite", folder)
    try:
        deadline = time.monotonic() + 30
        while not (folder / ".beat").exists():  # a worker is inside a rescue that hangs
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            assert time.monotonic() < deadline, "no worker started"
            time.sleep(0.05)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(10)
        assert left_running(process.pid) == []
    finally:
        kill_session(process.pid)
        if process.stderr:
            process.stderr.close()


@pytest.mark.parametrize("jobs", [1, 2])
def test_add_from_standard_input(run_cli: Any, tmp_path: Path, jobs: int) -> None:
    archive = tmp_path / "archive.sqlite"
    result = run_cli("add", "-", "--archive", archive, "--jobs", jobs, input=_story(7))
    assert result.exit_code == 0, result.stderr
    assert "1 added" in result.stderr
    again = run_cli("add", "-", "--archive", archive, "--jobs", jobs, input=_story(7))
    assert "1 already in the archive" in again.stderr
