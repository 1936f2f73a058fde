"""``ficarchive export``: story files and archive ids to every format; bad input is one line."""

from __future__ import annotations

import csv
import importlib.util
import io
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest

from ficarchive import rescue
from ficarchive.export.ao3 import (
    NO_WARNINGS_CHOSEN,
    SUMMARY_LIMIT,
    TAG_LIMIT,
    TITLE_LIMIT,
    ao3_fields,
    import_pages,
)
from ficarchive.work import Chapter, Section, Work

HAS_ARCHIVE = importlib.util.find_spec("ficarchive.archive") is not None


@pytest.fixture
def story(tmp_path: Path, cli_fixtures: Path) -> Path:
    path = tmp_path / "lantern.html"
    shutil.copy(cli_fixtures / "lantern.html", path)
    return path


def _one_line_error(result: Any) -> str:
    assert result.exit_code != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.output
    return str(lines[0])


@pytest.mark.parametrize(
    ("fmt", "suffix"), [("epub", ".epub"), ("html", ".html"), ("markdown", ".md")]
)
def test_a_story_file_is_rescued_and_exported_beside_it(
    run_cli: Any, story: Path, fmt: str, suffix: str
) -> None:
    result = run_cli("export", story, "--format", fmt)
    assert result.exit_code == 0, result.output
    written = story.with_suffix(suffix)
    again = rescue(written.read_bytes(), written.name)
    original = rescue(story.read_bytes(), story.name)
    assert again.title == original.title and again.paragraphs == original.paragraphs


def test_output_file_and_folder(run_cli: Any, story: Path, tmp_path: Path) -> None:
    assert run_cli("export", story, "-f", "epub", "-o", tmp_path / "book.epub").exit_code == 0
    assert zipfile.is_zipfile(tmp_path / "book.epub")
    other = tmp_path / "other.html"
    shutil.copy(story, other)
    result = run_cli("export", story, other, "-f", "html", "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["lantern.html", "other.html"]


def test_ao3_pages_and_tables(run_cli: Any, story: Path, tmp_path: Path) -> None:
    out = tmp_path / "import"
    result = run_cli("export", story, "-f", "ao3", "-o", out)
    assert result.exit_code == 0, result.output
    page = (out / "lantern" / "chapter-001.html").read_text()
    for line in ("<title>The Lantern</title>", "<p>Rating: Teen And Up Audiences</p>"):
        assert line in page
    assert f"<p>Archive Warning: {NO_WARNINGS_CHOSEN}</p>" in page
    assert page.count('<div class="chapter-content">') == 1
    assert (out / "lantern" / "chapters.txt").read_text() == "chapter-001.html\n"
    stories = list(csv.DictReader(io.StringIO((out / "stories.csv").read_text())))
    assert stories[0]["title"] == "The Lantern" and stories[0]["author_id"] == "1"
    authors = list(csv.DictReader(io.StringIO((out / "authors.csv").read_text())))
    assert authors == [
        {"id": "1", "name": "Sam Roe", "email": "", "imported": "0", "do_not_import": "0",
         "to_delete": "0"}
    ]
    assert "nothing had to be cut" in result.stderr


def test_unknown_format_is_one_line(run_cli: Any, story: Path) -> None:
    assert "unknown format 'pdf'" in _one_line_error(run_cli("export", story, "-f", "pdf"))


def test_unwritable_output_is_one_line(run_cli: Any, story: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = run_cli("export", story, "-f", "epub", "-o", blocker / "book.epub")
    assert "cannot write" in _one_line_error(result)


def test_missing_story_file_is_one_line(run_cli: Any, tmp_path: Path) -> None:
    result = run_cli("export", tmp_path / "nope.html", "-f", "epub")
    assert "no such file" in _one_line_error(result)
    assert result.exit_code == 2


@pytest.mark.skipif(not HAS_ARCHIVE, reason="ficarchive.archive is not in this checkout yet")
def test_archive_ids_all_and_a_missing_id(run_cli: Any, story: Path, tmp_path: Path) -> None:
    from ficarchive.archive import Archive

    location = tmp_path / "a.sqlite"
    with Archive.open(location) as archive:
        work_id = archive.add(story.read_bytes(), story.name).id
    out = tmp_path / "books"
    result = run_cli("export", work_id, "-f", "epub", "--archive", location, "-o", f"{out}/")
    assert result.exit_code == 0, result.output
    assert [p.suffix for p in out.iterdir()] == [".epub"]
    result = run_cli("export", "--all", "-f", "markdown", "--archive", location, "-o", out)
    assert result.exit_code == 0, result.output
    assert any(p.suffix == ".md" for p in out.iterdir())
    result = run_cli("export", "4242", "-f", "epub", "--archive", location)
    assert "4242" in _one_line_error(result)


# -- AO3's names and limits ------------------------------------------------------------


def test_limits_are_applied_and_reported() -> None:
    work = Work(
        title="T" * 10 + " " + "word " * 80,
        summary="long " * 400,
        warnings=("Major Character Death", "dub-con"),
        tags=tuple(f"tag {n}" for n in range(100)),
        fandoms=("Buffy the Vampire Slayer",),
        chapters=(Chapter("One", (Section(("Hello.",)),)), Chapter("Two", (Section(("Bye.",)),))),
    )
    fields = ao3_fields(work)
    assert len(fields.title) <= TITLE_LIMIT and len(fields.summary) <= SUMMARY_LIMIT
    assert fields.warnings == ("Major Character Death",)
    assert len(fields.fandoms) + len(fields.tags) == TAG_LIMIT
    assert "dub-con" not in fields.tags  # the 75 kept are the first ones, in order
    assert {c.field for c in fields.cuts} == {"title", "summary", "tags"}
    pages, _ = import_pages(work)
    assert pages["chapters.txt"] == "chapter-001.html\nchapter-002.html\n"
    assert "<p>Chapter Title: Two</p>" in pages["chapter-002.html"]


# AO3's StoryParser.scan_text_for_meta, as otwarchive writes it: the first `Label: value`
# (singular or plural) anywhere in the page, to the end of its line, a closing p/div cut.
AO3_PATTERNS = {
    "title": "Title",
    "summary": "Summary",
    "notes": "Note",
    "tags": "Tag",
    "fandom": "Fandom",
    "rating": "Rating",
    "warning": "Warning",
    "relationship": "Relationship|Pairing",
    "character": "Character",
    "chapter_title": "Chapter Title",
}


def _scan_like_ao3(page: str) -> dict[str, str]:
    import re

    text = page.replace("<br", "\n<br").replace("<p", "\n<p")
    text = re.sub(r"</?(label|span|div|b)(.*?)?>", "", text)
    found = {}
    for name, pattern in AO3_PATTERNS.items():
        plural = "|".join(f"{p}s" for p in pattern.split("|"))
        match = re.search(
            rf"(?:{pattern}|{plural})\s*:\s*(.*?)(?:</(?:p|div)>)?$", text, re.I | re.M
        )
        if match:
            found[name] = match.group(1).strip()
    return found


def test_ao3_importer_reads_every_field_from_the_page() -> None:
    work = Work(
        title="Sound of Bells",
        authors=("Jane Doe",),
        rating="Explicit",
        warnings=("Major Character Death",),
        fandoms=("Buffy the Vampire Slayer",),
        relationships=("Buffy/Spike",),
        characters=("Buffy Summers", "Spike"),
        tags=("Angst", "Hurt/Comfort"),
        summary="She hears them.\n\nHe does not.",
        chapters=(Chapter("Matins", (Section(("Title: not this one.",)),)),),
    )
    pages, _ = import_pages(work)
    assert _scan_like_ao3(pages["chapter-001.html"]) == {
        "title": "Sound of Bells",
        "summary": "She hears them. He does not.",
        "notes": "",
        "tags": "Angst, Hurt/Comfort",
        "fandom": "Buffy the Vampire Slayer",
        "rating": "Explicit",
        "warning": "Major Character Death",
        "relationship": "Buffy/Spike",
        "character": "Buffy Summers, Spike",
        "chapter_title": "Matins",
    }


def test_an_export_never_overwrites_its_story(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from ficarchive.cli import main

    story = tmp_path / "story.html"
    story.write_bytes((Path(__file__).parent / "golden" / "html_soup.html").read_bytes())
    before = story.read_bytes()
    runner = CliRunner()
    result = runner.invoke(main, ["export", str(story), "--format", "html"])
    assert result.exit_code == 0 and story.read_bytes() == before
    assert (tmp_path / "story.export.html").is_file() and "wrote" in result.stderr
    result = runner.invoke(main, ["export", str(story), "--format", "html", "-o", str(story)])
    assert result.exit_code == 2 and "would be overwritten" in result.stderr
    assert story.read_bytes() == before
