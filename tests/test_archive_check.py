"""`ficarchive check` and `--salvage`, and commands on a damaged, read-only or full archive.

A damaged file is refused by every command in one line naming `ficarchive check`, and
never written into; `check` says what is wrong, and `--salvage` copies every work that
still reads (original, Work as rescued and as edited, history) into a new archive. A
read-only file can be read and served; writes to it say "read-only". A full disk says
"disk full", and what was stored before stays.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import postgres_url
from web_support import running_reader

from ficarchive.archive import Archive
from ficarchive.archive.integrity import check
from ficarchive.archive.salvage import SalvageRefused, salvage
from ficarchive.errors import ArchiveFull, ArchiveReadOnly

GOLDEN = Path(__file__).parent / "golden"


def _stories(n: int) -> dict[str, bytes]:
    return {
        f"story-{i}.txt": (
            f"Title: Story {i}\nAuthor: Writer {i}\nTags: Angst, Fluff\n\n"
            + f"Paragraph of story {i}, where the lamps were lit along the quay. " * (i + 1)
        ).encode()
        for i in range(n)
    }


def _filled(where: str, n: int = 12) -> dict[str, int]:
    archive = Archive.open(where)
    ids = {name: archive.add(data, name).id for name, data in _stories(n).items()}
    archive.edit(ids["story-1.txt"], {"title": "The Edited Title"}, note="a fix")
    archive.close()
    return ids


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- a sound archive -----------------------------------------------------------------------


def test_a_sound_archive_checks_clean_and_salvages_whole(archive: Any, tmp_path: Path) -> None:
    location = getattr(archive, "url", None) or archive.path
    archive.close()
    ids = _filled(location)
    report = check(location)
    assert report.sound, report.problems
    assert (report.works, report.readable, report.originals) == (12, 12, 12)
    copy = salvage(location, str(tmp_path / "copy.sqlite"))
    assert (copy.found, copy.copied, copy.originals, copy.edits, copy.lost) == (12, 12, 12, 1, [])
    new = Archive.open(tmp_path / "copy.sqlite")
    work_id = ids["story-1.txt"]
    assert new.get(work_id).work.title == "The Edited Title"  # the same id, as edited
    assert new.rescued(work_id).title == "Story 1"  # and as rescued
    assert [e.note for e in new.history(work_id)] == ["a fix"]
    assert new.original(work_id).data == _stories(12)["story-1.txt"]
    assert [h.id for h in new.search("edited").hits] == [work_id]  # indexed anew
    assert new.add(_stories(12)["story-3.txt"], "again.txt").status == "unchanged"
    assert new.add(b"A new story, after the salvage, with its own words.\n", "n.txt").id == 13
    assert check(str(tmp_path / "copy.sqlite")).sound


def test_salvage_fills_only_a_new_archive(tmp_path: Path) -> None:
    old = str(tmp_path / "old.sqlite")
    _filled(old, 2)
    with pytest.raises(SalvageRefused, match="already exists"):
        salvage(old, old)
    (tmp_path / "taken.sqlite").write_bytes(b"")
    with pytest.raises(SalvageRefused, match="already exists"):
        salvage(old, str(tmp_path / "taken.sqlite"))


def test_salvage_into_postgresql(tmp_path: Path) -> None:
    url = postgres_url()
    with Archive.open(url) as target:
        target.reset_for_tests()
    old = str(tmp_path / "old.sqlite")
    ids = _filled(old, 4)
    assert salvage(old, url).copied == 4
    with Archive.open(url) as new:
        assert new.get(ids["story-1.txt"]).work.title == "The Edited Title"
        assert new.add(b"One more story, numbered after the salvaged ones.\n", "m.txt").id == 5
        with pytest.raises(SalvageRefused, match="already holds works"):
            salvage(old, url)


# -- what check finds ----------------------------------------------------------------------


def test_check_names_each_kind_of_damage(tmp_path: Path, run_cli: Any) -> None:
    path = tmp_path / "archive.sqlite"
    ids = _filled(str(path))
    with sqlite3.connect(path) as conn:
        conn.execute(
            'UPDATE works SET work_json = \'{"word_count": "many"}\' WHERE id = ?',
            (ids["story-2.txt"],),
        )
        conn.execute(
            "UPDATE sources SET data = X'00' WHERE sha256 = "
            "(SELECT sha256 FROM works WHERE id = ?)",
            (ids["story-3.txt"],),
        )
        conn.execute("DELETE FROM works_fts WHERE rowid = ?", (ids["story-4.txt"],))
        conn.execute("UPDATE tag_counts SET works = works + 5")
    result = run_cli("check", path)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert f"{path}: 12 works, 11 readable, 10 originals match their hash" in lines
    assert (
        f"  work: work {ids['story-2.txt']} is damaged: word_count is 'many', not a whole number"
        in lines
    )
    assert (
        f"  original: work {ids['story-3.txt']}: its original's bytes do not match their hash"
        in lines
    )
    assert "  search: 1 works missing from the search index" in lines
    assert any(line.startswith("  tags: ") for line in lines)


def _corrupt_a_page_of_works(path: Path) -> None:
    """Overwrite one leaf page of the works table, as a bad disk sector would."""
    with sqlite3.connect(path) as conn:
        try:
            pages = [
                p
                for (p,) in conn.execute(
                    "SELECT pageno FROM dbstat WHERE name = 'works' AND pagetype = 'leaf'"
                )
            ]
        except sqlite3.OperationalError:
            pytest.skip("this SQLite has no dbstat table to find the works' pages with")
        size = conn.execute("PRAGMA page_size").fetchone()[0]
        conn.execute("PRAGMA journal_mode = DELETE")
    assert len(pages) >= 3
    with path.open("r+b") as file:
        file.seek((pages[len(pages) // 2] - 1) * size)
        file.write(b"\xff" * size)


@pytest.fixture
def corrupt(tmp_path: Path) -> tuple[Path, dict[str, int]]:
    path = tmp_path / "archive.sqlite"
    ids = _filled(str(path), 40)
    _corrupt_a_page_of_works(path)
    return path, ids


def test_salvage_copies_every_work_a_damaged_file_still_holds(
    corrupt: tuple[Path, dict[str, int]], tmp_path: Path, run_cli: Any
) -> None:
    path, ids = corrupt
    before = _digest(path)
    new = tmp_path / "saved.sqlite"
    result = run_cli("check", path, "--salvage", new)
    assert result.exit_code == 1 and "Traceback" not in result.output
    report = check(str(new))
    assert report.sound and report.originals == report.works
    lost = [line for line in result.stdout.splitlines() if "cannot be read from the file" in line]
    saved = Archive.open(new)
    assert 0 < len(lost) // 2 < 40 and saved.count() == 40 - len(lost) // 2  # in both reports
    for name, work_id in ids.items():
        if saved.exists(work_id):
            assert saved.original(work_id).data == _stories(40)[name]
        else:
            assert any(f"work {work_id} cannot be read" in line for line in lost)
    assert _digest(path) == before  # nothing was written to the damaged file


@pytest.mark.parametrize(
    "command",
    [
        ["list"],
        ["add", str(GOLDEN / "usenet_post.txt")],
        ["export", "--all", "-f", "html", "-o", "{tmp}/out"],
        ["edit", "1", "--title", "x"],
        ["remove", "1", "--yes"],
    ],
)
def test_commands_refuse_a_damaged_file_in_one_line_and_never_write_it(
    corrupt: tuple[Path, dict[str, int]], command: list[str], run_cli: Any, tmp_path: Path
) -> None:
    path, _ = corrupt
    before = _digest(path)
    args = [a.replace("{tmp}", str(tmp_path)) for a in command]
    result = run_cli(*args, "--archive", path)
    assert result.exit_code == 3, result.output
    assert "is damaged" in result.stderr and f"ficarchive check {path}" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert _digest(path) == before


def test_serve_refuses_a_damaged_file(corrupt: tuple[Path, dict[str, int]], run_cli: Any) -> None:
    path, _ = corrupt
    result = run_cli("serve", "--archive", path, "--port", "1")
    assert result.exit_code == 3 and "ficarchive check" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


# -- read-only -----------------------------------------------------------------------------


def _read_only_format(path: Path) -> None:
    """Mark the file read-only in SQLite's own header (its write version 3): every
    user, root too, can then only read it."""
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA journal_mode = DELETE")
    with path.open("r+b") as file:
        file.seek(18)
        file.write(b"\x03")


def test_a_read_only_archive_is_read_and_served_and_writes_say_read_only(
    tmp_path: Path, run_cli: Any
) -> None:
    path = tmp_path / "archive.sqlite"
    ids = _filled(str(path), 3)
    _read_only_format(path)
    before = _digest(path)
    listed = run_cli("list", "--archive", path)
    assert listed.exit_code == 0 and "The Edited Title" in listed.stdout
    assert run_cli("show", ids["story-2.txt"], "--archive", path).exit_code == 0
    for command in (
        ["add", str(GOLDEN / "usenet_post.txt")],
        ["edit", str(ids["story-2.txt"]), "--title", "x"],
        ["remove", str(ids["story-2.txt"]), "--yes"],
    ):
        result = run_cli(*command, "--archive", path)
        assert result.exit_code == 3, result.output
        assert "read-only" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    archive = Archive.open(path, create=False)
    assert archive.read_only
    with pytest.raises(ArchiveReadOnly, match="read-only"):
        archive.edit(ids["story-2.txt"], {"title": "x"})
    with running_reader(archive) as base:
        page = httpx.get(f"{base}/works/{ids['story-1.txt']}", timeout=10)
        assert page.status_code == 200 and "The Edited Title" in page.text
    archive.close()
    assert _digest(path) == before


@contextlib.contextmanager
def _small_disk(size: str) -> Iterator[Path]:
    """A tmpfs of `size` mounted for the test (root only; else a skip)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small disk needs root")
    folder = Path(tempfile.mkdtemp(prefix="ficarchive-disk-"))
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True
    )
    if mounted.returncode != 0:
        folder.rmdir()
        pytest.skip(f"cannot mount a tmpfs here ({mounted.stderr.decode().strip()})")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)
        folder.rmdir()


def test_an_archive_on_a_read_only_disk_is_still_read(tmp_path: Path, run_cli: Any) -> None:
    with _small_disk("8m") as disk:
        path = disk / "archive.sqlite"
        _filled(str(path), 3)  # closed: no -wal or -shm beside it, and none can be made
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        listed = run_cli("list", "--archive", path)
        assert listed.exit_code == 0 and "The Edited Title" in listed.stdout
        added = run_cli("add", GOLDEN / "usenet_post.txt", "--archive", path)
        assert added.exit_code == 3 and "read-only" in added.stderr
        assert check(str(path)).sound


# -- disk full -----------------------------------------------------------------------------


def test_a_full_archive_says_disk_full_and_keeps_what_it_had(tmp_path: Path) -> None:
    archive = Archive.open(tmp_path / "archive.sqlite")
    archive.add(b"A first story, small enough to fit in what is left.\n", "first.txt")
    pages = archive.conn.execute("PRAGMA page_count").fetchone()[0]
    archive.conn.execute(f"PRAGMA max_page_count = {pages + 2}")  # SQLite's own SQLITE_FULL
    big = ("The lamps were lit along the quay, one by one. " * 4000).encode()
    with pytest.raises(ArchiveFull, match="disk full") as error:
        archive.add(big, "big.txt")
    assert "\n" not in str(error.value)
    assert archive.count() == 1
    archive.close()
    assert check(str(tmp_path / "archive.sqlite")).sound


def test_add_on_a_full_disk_is_one_line_and_the_archive_stays_whole(run_cli: Any) -> None:
    with _small_disk("2m") as disk:
        folder = disk / "site"
        folder.mkdir()
        for n in range(40):  # 40 files of 40 KB: more than the disk holds, with the archive
            (folder / f"s{n}.txt").write_text(
                f"Title: S{n}\n\n" + f"Story {n} and the quay. " * 1600
            )
        path = disk / "archive.sqlite"
        result = run_cli("add", folder, "--archive", path, "--jobs", "1")
        assert result.exit_code == 3, result.output
        (line,) = [line for line in result.stderr.splitlines() if line.startswith("error:")]
        assert "disk full" in line
        assert "Traceback" not in result.output
        for n in range(40):
            (folder / f"s{n}.txt").unlink()  # room again
        report = check(str(path))
        assert report.sound, report.problems


def test_check_reads_every_row_on_both_backends(archive: Any) -> None:
    location = getattr(archive, "url", None) or archive.path
    first = archive.add(b"A story whose data will be damaged, with words.\n", "a.txt").id
    second = archive.add(b"A story whose original will be changed, with words.\n", "b.txt").id
    with archive._write():
        archive._run(archive._sql("UPDATE works SET work_json = {p} WHERE id = {p}"), ("{", first))
        archive._run(
            archive._sql(
                "UPDATE sources SET data = {p} WHERE sha256 = "
                "(SELECT sha256 FROM works WHERE id = {p})"
            ),
            (b"other bytes", second),
        )
    archive.close()
    report = check(location)
    assert (report.works, report.readable, report.originals) == (2, 1, 0)
    assert [(p.part, p.work_id) for p in report.problems] == [("work", first), ("original", second)]
