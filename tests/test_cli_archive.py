"""The archive commands end to end: add a folder, search, show, edit, remove, stats."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from ficarchive.cli import main

GOLDEN = Path(__file__).parent / "golden"


def _run(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args], input=input)
    return result.exit_code, result.stdout, result.stderr


def _site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    (site / "old").mkdir(parents=True, exist_ok=True)
    for name in (
        "site_cp1252_declared_latin1.html",
        "livejournal_post.html",
        "chapters_and_end_notes.txt",
    ):
        shutil.copy(GOLDEN / name, site / name)
    shutil.copy(GOLDEN / "usenet_post.txt", site / "old" / "usenet_post.txt")
    (site / "old" / "empty.txt").write_bytes(b"")
    return site


def test_add_search_show_edit_remove(tmp_path: Path) -> None:
    archive = str(tmp_path / "a.sqlite")
    code, _, err = _run("add", _site(tmp_path), "--archive", archive, "--jobs", "2")
    assert code == 1 and "4 added" in err and "empty.txt" in err  # the bad file is reported
    code, _, err = _run("add", _site(tmp_path), "--archive", archive)
    assert "0 added, 4 already in the archive" in err
    code, out, _ = _run("search", "lamps", "--archive", archive, "--json")
    found = json.loads(out)
    assert code == 0 and found["total"] >= 1
    work_id = found["hits"][0]["id"]
    code, out, _ = _run("search", "--relationship", "spuffy", "--archive", archive, "--json")
    assert [h["title"] for h in json.loads(out)["hits"]] == ["Harbour Lights"]
    code, out, _ = _run("show", work_id, "--archive", archive)
    assert code == 0 and "Title" in out
    code, _, err = _run(
        "edit",
        work_id,
        "--title",
        "Lamps",
        "--add-tag",
        "Angst",
        "--note",
        "from the index page",
        "--archive",
        archive,
    )
    assert code == 0 and "changed tags, title" in err
    code, out, _ = _run("history", work_id, "--archive", archive)
    assert "Lamps" in out and "index" in out
    code, _, err = _run("remove", work_id, "--archive", archive, input="n\n")
    assert code == 1 and "nothing removed" in err
    code, _, _ = _run("remove", work_id, "--archive", archive, "--yes")
    assert code == 0
    code, _, err = _run("show", work_id, "--archive", archive)
    assert code == 2 and "no work" in err and "Traceback" not in err
    code, out, _ = _run("stats", "--archive", archive)
    assert code == 0 and "Works" in out
    code, out, _ = _run("list", "--archive", archive)
    assert code == 0 and "Night Watch" in out


def test_show_gives_back_the_original_file(tmp_path: Path) -> None:
    archive, data = str(tmp_path / "a.sqlite"), (GOLDEN / "usenet_post.txt").read_bytes()
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "usenet_post.txt").write_bytes(data)
    _run("add", tmp_path / "in", "--archive", archive)
    saved = tmp_path / "saved"
    saved.mkdir()
    code, _, err = _run("show", "1", "--archive", archive, "--original", saved)
    assert code == 0 and (saved / "usenet_post.txt").read_bytes() == data and "sha256" in err
    code, _, err = _run("show", "1", "--archive", archive, "--original", saved)
    assert code == 1 and "already exists" in err and len(err.strip().splitlines()) == 1
    result = CliRunner().invoke(main, ["show", "1", "--archive", archive, "--original", "-"])
    assert result.exit_code == 0 and result.stdout_bytes == data
    code, _, err = _run("show", "1", "--archive", archive, "--original", tmp_path / "no/such/x")
    assert code == 1 and "cannot be written" in err
    code, _, _ = _run("show", "1", "--archive", archive, "--original", f"{tmp_path}/new/")
    assert code == 0 and (tmp_path / "new" / "usenet_post.txt").read_bytes() == data


def test_archive_errors_are_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.sqlite"
    bad.write_text("not a database at all\n" * 50)
    code, _, err = _run("list", "--archive", bad)
    assert code == 3 and "not a ficarchive archive" in err and len(err.strip().splitlines()) == 1
    code, _, err = _run("edit", "1", "--archive", tmp_path / "new.sqlite")
    assert code != 0 and "Traceback" not in err


def test_globs_in_quotes_are_expanded(tmp_path: Path) -> None:
    site = _site(tmp_path)
    archive = str(tmp_path / "a.sqlite")
    code, _, err = _run("add", f"{site}/*.html", "--archive", archive, "--jobs", "1")
    assert code == 0 and "2 added" in err


def test_exclusion_only_search_and_ratings_as_written(tmp_path: Path) -> None:
    archive = str(tmp_path / "a.sqlite")
    _run("add", _site(tmp_path), "--archive", archive, "--jobs", "1")
    code, out, _ = _run("search", "--archive", archive, "--json")
    everything = json.loads(out)["total"]
    code, out, _ = _run("search", "-weed", "--archive", archive, "--json")
    assert code == 0 and 0 < json.loads(out)["total"] < everything
    code, out, _ = _run("search", "--rating", "NC-17", "--archive", archive, "--json")
    assert [h["title"] for h in json.loads(out)["hits"]] == ["Harbour Lights"]
    code, _, err = _run("edit", "1", "--rating", "banana", "--archive", archive)
    assert code == 2 and "unknown rating" in err


def test_show_full_gives_the_whole_text_once_with_its_chapters(tmp_path: Path) -> None:
    archive = str(tmp_path / "a.sqlite")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "lamps.txt").write_text(
        "Title: Two Lamps\nAuthor: Ana Reyes\n\nChapter 1\n\n"
        "The first lamp was lit at dusk, and the street went gold.\n\n* * *\n\n"
        "By midnight the oil was low and nobody had come to trim it.\n\n"
        "Chapter 2\n\nThe second lamp stayed dark all winter long.\n"
    )
    _run("add", str(tmp_path / "in"), "--archive", archive)
    code, out, _ = _run("show", "1", "--archive", archive, "--full")
    assert code == 0
    assert out.count("The first lamp was lit at dusk") == 1  # no opening panel as well
    assert "Opening" not in out
    assert "* * *" in out and "Chapter 2" in out
    assert out.index("oil was low") < out.index("Chapter 2") < out.index("second lamp")
