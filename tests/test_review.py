"""Review: the works whose rescue is least sure come first, in the library, the CLI and
a bulk run's review.csv."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from ficarchive.archive import SQLiteArchive
from ficarchive.cli import main
from ficarchive.review import doubts, lowest, review_order
from ficarchive.work import Chapter, Confidence, Section, Work


def _work(title: str, fields: dict[str, float], breaks: tuple[float, ...] = ()) -> Work:
    body = Chapter(sections=(Section(paragraphs=(f"The story called {title} starts.",)),))
    return Work(title=title, chapters=(body,), confidence=Confidence(fields, breaks))


def test_doubts_are_what_falls_below_the_line_in_reading_order() -> None:
    work = _work("Tide", {"title": 0.9, "authors": 0.3, "body_end": 0.58}, (0.99, 0.2))
    assert [d.what for d in doubts(work)] == [
        "authors",
        "where the story ends",
        "scene break 2",
    ]
    assert [d.what for d in doubts(work, below=0.25)] == ["scene break 2"]
    assert lowest(work) == 0.2
    assert lowest(Work(title="no confidence")) == 1.0 and doubts(Work()) == []


def test_review_order_is_least_sure_first_and_leaves_sure_works_out() -> None:
    works = [
        (1, _work("Sure", {"title": 0.95})),
        (2, _work("Doubtful", {"title": 0.5})),
        (3, _work("Very doubtful", {"authors": 0.1})),
    ]
    assert [key for key, _, _ in review_order(works)] == [3, 2]


def test_review_command_lists_the_unsure_works(tmp_path: Path) -> None:
    location = tmp_path / "a.sqlite"
    archive = SQLiteArchive(location)
    archive.add_work(_work("Lanterns", {"title": 0.97, "authors": 0.99}))
    archive.add_work(_work("Salt Roads", {"title": 0.42, "authors": 0.99}))
    archive.close()
    result = CliRunner().invoke(main, ["review", "--archive", str(location)])
    assert result.exit_code == 0, result.output
    assert "Salt Roads" in result.stdout and "Lanterns" not in result.stdout
    assert "title (42% sure)" in result.stdout and "1 work to review" in result.stdout
    result = CliRunner().invoke(main, ["review", "--archive", str(location), "--below", "0.1"])
    assert result.exit_code == 0 and "No work has a field" in result.stdout
