"""The `ficarchive` command line on good input: every output format, files, folders, stdin.

Most tests run the click command in-process (the `run_cli` fixture in conftest.py);
a few run `python -m ficarchive` as a real process, to prove the installed entry point
works, exits with the right status and never shows a traceback.  Bad input is in
test_bad_input.py.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
import yaml

import ficarchive
from ficarchive import rescue

KETTLE = "kettle.txt"  # plain text, clean: header fields, a scene break, "The End"
LANTERN = "lantern.html"  # personal-site HTML: <center><font>, labels, "Back to Fiction"


def mojibake_kettle(fixtures: Path) -> bytes:
    """kettle.txt with curly apostrophes, saved as UTF-8 read as Windows-1252 (`couldnâ€™t`)."""
    text = (fixtures / KETTLE).read_text(encoding="utf-8").replace("could not", "couldn’t")
    return text.encode("utf-8").decode("cp1252").encode("utf-8")


def subprocess_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "TTY_COMPATIBLE")}
    env.update(NO_COLOR="1", COLUMNS="100", PYTHONIOENCODING="utf-8")
    return env


@pytest.fixture
def folder(tmp_path: Path, cli_fixtures: Path) -> Path:
    """A folder of three stories: clean text, HTML, and text with mojibake."""
    stories = tmp_path / "stories"
    stories.mkdir()
    shutil.copy(cli_fixtures / KETTLE, stories / KETTLE)
    shutil.copy(cli_fixtures / LANTERN, stories / LANTERN)
    (stories / "mojibake.txt").write_bytes(mojibake_kettle(cli_fixtures))
    return stories


# -- the terminal view ---------------------------------------------------------------------


def test_view_of_a_clean_text_story(run_cli: Any, cli_fixtures: Path) -> None:
    result = run_cli("rescue", cli_fixtures / KETTLE)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    out = result.stdout
    assert "The Kettle" in out
    assert "Jane Doe" in out
    assert "General Audiences (written 'PG')" in out
    assert "No changes were needed to the text." in out
    assert "What was changed" not in out
    assert "Giles could not sleep." in out  # the opening


def test_view_lists_what_was_changed(run_cli: Any, tmp_path: Path, cli_fixtures: Path) -> None:
    story = tmp_path / "mojibake.txt"
    story.write_bytes(mojibake_kettle(cli_fixtures))
    result = run_cli("rescue", story)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "The Kettle" in out and "Jane Doe" in out
    assert "What was changed" in out
    assert "couldnâ€™t" in out  # before
    assert "couldn’t" in out  # after, and in the opening
    assert "No changes" not in out


def test_view_of_an_html_story(run_cli: Any, cli_fixtures: Path) -> None:
    result = run_cli("rescue", cli_fixtures / LANTERN)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "The Lantern" in out and "Sam Roe" in out
    assert "Willow lit the lantern" in out
    assert "Back to Fiction" not in out


def test_view_of_a_folder_names_each_story(run_cli: Any, folder: Path) -> None:
    result = run_cli("rescue", folder)
    assert result.exit_code == 0, result.output
    for name in (KETTLE, LANTERN, "mojibake.txt"):
        assert name in result.stdout
    assert result.stdout.count("Title") == 3


# -- JSON ------------------------------------------------------------------------------------


def test_json_validates_against_the_schema(
    run_cli: Any, cli_fixtures: Path, validate_work: Any
) -> None:
    result = run_cli("rescue", cli_fixtures / KETTLE, "--json")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    data = json.loads(result.stdout)
    validate_work(data)
    assert data["title"] == "The Kettle"
    assert data["authors"] == ["Jane Doe"]
    assert data["rating"] == "General Audiences"
    assert data["rating_source"] == "PG"
    assert data["source"]["name"] == KETTLE
    assert (
        data["source"]["sha256"] == hashlib.sha256((cli_fixtures / KETTLE).read_bytes()).hexdigest()
    )


def test_json_is_what_the_library_gives(run_cli: Any, cli_fixtures: Path) -> None:
    data = (cli_fixtures / LANTERN).read_bytes()
    result = run_cli("rescue", cli_fixtures / LANTERN, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == rescue(data, LANTERN).to_dict()


def test_json_records_the_repairs(
    run_cli: Any, tmp_path: Path, cli_fixtures: Path, validate_work: Any
) -> None:
    story = tmp_path / "mojibake.txt"
    story.write_bytes(mojibake_kettle(cli_fixtures))
    data = json.loads(run_cli("rescue", story, "--json").stdout)
    validate_work(data)
    assert any(r["after"] == "couldn’t" for r in data["repairs"]), data["repairs"]
    assert "couldn’t" in data["chapters"][0]["sections"][0]["paragraphs"][0]


# -- HTML and Markdown --------------------------------------------------------------------


def check_html(text: str) -> None:
    assert text.lstrip().lower().startswith("<!doctype html>")
    assert "The Kettle" in text and "Jane Doe" in text
    assert "Giles could not sleep." in text


def check_markdown(text: str) -> None:
    assert text.startswith("---\n")
    header = yaml.safe_load(text.split("\n---\n", 1)[0].removeprefix("---\n"))
    assert header["title"] == "The Kettle"
    assert header["authors"] == ["Jane Doe"]
    assert "Giles could not sleep." in text


CHECKS = {"--html": check_html, "--markdown": check_markdown}


@pytest.mark.parametrize("flag", sorted(CHECKS))
def test_format_to_stdout(run_cli: Any, cli_fixtures: Path, flag: str) -> None:
    result = run_cli("rescue", cli_fixtures / KETTLE, flag)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    CHECKS[flag](result.stdout)


@pytest.mark.parametrize("flag", sorted(CHECKS))
def test_format_to_a_file(run_cli: Any, cli_fixtures: Path, tmp_path: Path, flag: str) -> None:
    target = tmp_path / "out" / "kettle.out"
    target.parent.mkdir()
    result = run_cli("rescue", cli_fixtures / KETTLE, flag, "-o", target)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    text = target.read_text(encoding="utf-8")
    CHECKS[flag](text)
    assert text == run_cli("rescue", cli_fixtures / KETTLE, flag).stdout


def test_json_to_a_file(
    run_cli: Any, cli_fixtures: Path, tmp_path: Path, validate_work: Any
) -> None:
    target = tmp_path / "kettle.json"
    result = run_cli("rescue", cli_fixtures / KETTLE, "--json", "--output", target)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    validate_work(json.loads(target.read_text(encoding="utf-8")))


def test_html_export_reads_back_to_the_same_work(run_cli: Any, cli_fixtures: Path) -> None:
    """README: rescuing ficarchive's own HTML export gives back the same Work."""
    html = run_cli("rescue", cli_fixtures / LANTERN, "--html").stdout.encode("utf-8")
    first = rescue((cli_fixtures / LANTERN).read_bytes(), LANTERN)
    again = rescue(html, "lantern.export.html")
    assert again.title == first.title
    assert again.authors == first.authors
    assert again.paragraphs == first.paragraphs


# -- folders and several inputs -------------------------------------------------------------

SUFFIX = {"--json": ".json", "--html": ".html", "--markdown": ".md"}


@pytest.mark.parametrize("flag", sorted(SUFFIX))
def test_folder_to_a_folder_writes_one_file_per_story(
    run_cli: Any, folder: Path, tmp_path: Path, flag: str
) -> None:
    out = tmp_path / "out"  # does not exist yet: created
    result = run_cli("rescue", folder, flag, "-o", out)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    names = sorted(p.name for p in folder.iterdir())
    assert sorted(p.name for p in out.iterdir()) == [n + SUFFIX[flag] for n in names]
    for name in names:
        assert (out / (name + SUFFIX[flag])).stat().st_size > 0


def test_folder_to_a_folder_as_json(
    run_cli: Any, folder: Path, tmp_path: Path, validate_work: Any
) -> None:
    """README: `story.txt` -> `DIR/story.txt.json`, one Work each."""
    out = tmp_path / "out"
    assert run_cli("rescue", folder, "--json", "-o", out).exit_code == 0
    for story in folder.iterdir():
        data = json.loads((out / f"{story.name}.json").read_text(encoding="utf-8"))
        validate_work(data)
        assert data["source"]["name"] == story.name


def test_several_paths_to_a_folder(run_cli: Any, cli_fixtures: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_cli(
        "rescue", cli_fixtures / KETTLE, cli_fixtures / LANTERN, "--markdown", "-o", out
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [f"{KETTLE}.md", f"{LANTERN}.md"]


def test_folder_json_without_output_is_json_lines(
    run_cli: Any, folder: Path, validate_work: Any
) -> None:
    result = run_cli("rescue", folder, "--json")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 3
    works = [json.loads(line) for line in lines]
    for work in works:
        validate_work(work)
    assert sorted(w["source"]["name"] for w in works) == sorted(p.name for p in folder.iterdir())


def test_folder_skips_hidden_files(run_cli: Any, folder: Path) -> None:
    (folder / ".DS_Store").write_bytes(b"\0\0\0\1Bud1" + bytes(200))
    (folder / ".git").mkdir()
    (folder / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    result = run_cli("rescue", folder, "--json")
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == 3


def test_nested_folders_with_the_same_file_name_keep_both(
    run_cli: Any, tmp_path: Path, cli_fixtures: Path
) -> None:
    """Two `story.txt` in different subfolders must give two outputs, not one overwritten."""
    root = tmp_path / "site"
    (root / "buffy").mkdir(parents=True)
    (root / "angel").mkdir()
    shutil.copy(cli_fixtures / KETTLE, root / "buffy" / "story.txt")
    (root / "angel" / "story.txt").write_bytes(mojibake_kettle(cli_fixtures))
    out = tmp_path / "out"
    result = run_cli("rescue", root, "--json", "-o", out)
    assert result.exit_code == 0, result.output
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert len(written) == 2, f"two inputs, outputs written: {written}"


# -- stdin -----------------------------------------------------------------------------------


def test_dash_reads_stdin(run_cli: Any, cli_fixtures: Path, validate_work: Any) -> None:
    data = (cli_fixtures / KETTLE).read_bytes()
    result = run_cli("rescue", "-", "--json", input=data)
    assert result.exit_code == 0, result.output
    work = json.loads(result.stdout)
    validate_work(work)
    assert work["title"] == "The Kettle"
    assert work["source"]["name"] == "<stdin>"
    assert work["source"]["sha256"] == hashlib.sha256(data).hexdigest()


def test_dash_reads_stdin_html_in_the_terminal_view(run_cli: Any, cli_fixtures: Path) -> None:
    result = run_cli("rescue", "-", input=(cli_fixtures / LANTERN).read_bytes())
    assert result.exit_code == 0, result.output
    assert "The Lantern" in result.stdout and "Sam Roe" in result.stdout


# -- version and usage -----------------------------------------------------------------------


def test_version(run_cli: Any) -> None:
    result = run_cli("--version")
    assert result.exit_code == 0
    assert result.stdout == f"ficarchive, version {ficarchive.__version__}\n"
    assert ficarchive.__version__ == version("ficarchive")


def test_rescue_without_paths_is_a_usage_error(run_cli: Any) -> None:
    result = run_cli("rescue")
    assert result.exit_code == 2
    assert "Missing argument 'PATHS...'" in result.stderr
    assert "Try 'ficarchive rescue --help'" in result.stderr


# -- a real process --------------------------------------------------------------------------


def run_module(*args: object, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ficarchive", *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=subprocess_env(),
        timeout=60,
        check=False,
        **kwargs,
    )


def test_python_m_ficarchive_rescues(cli_fixtures: Path, validate_work: Any) -> None:
    proc = run_module("rescue", cli_fixtures / KETTLE, "--json")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    validate_work(json.loads(proc.stdout))


def test_piping_a_batch_into_head_stops_quietly(tmp_path: Path, cli_fixtures: Path) -> None:
    """`ficarchive rescue DIR --json | head -1`: a closed pipe is not 60 unreadable stories."""
    stories = tmp_path / "many"
    stories.mkdir()
    for i in range(60):  # ~90 KB of JSON Lines: more than a pipe holds
        shutil.copy(cli_fixtures / LANTERN, stories / f"story{i:02}.html")
    with subprocess.Popen(
        [sys.executable, "-m", "ficarchive", "rescue", str(stories), "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=subprocess_env(),
    ) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        json.loads(proc.stdout.readline())
        proc.stdout.close()  # what `head -1` does after one line
        stderr = proc.stderr.read().decode("utf-8", "replace")
        proc.wait(timeout=60)
    assert "Traceback" not in stderr
    assert "could not be rescued" not in stderr, stderr[:500]


def test_output_names_a_format_or_a_folder(tmp_path: Path, cli_fixtures: Path) -> None:
    from click.testing import CliRunner

    from ficarchive.cli import main

    story = str(cli_fixtures / KETTLE)
    runner = CliRunner()
    result = runner.invoke(main, ["rescue", story, "-o", str(tmp_path / "x.epub")])
    assert result.exit_code == 2 and "export --format epub" in result.stderr
    result = runner.invoke(main, ["rescue", story, story, "-o", str(tmp_path / "two.json")])
    assert result.exit_code == 2 and "need a folder" in result.stderr
    assert not (tmp_path / "two.json").exists()


def test_the_terminal_view_names_missing_parts() -> None:
    from rich.console import Console

    from ficarchive.console import render
    from ficarchive.work import Diagnostic, Work

    lost = Diagnostic("missing-part", "part 2 of 3 is missing", "part 2 of 3 of the story s")
    console = Console(record=True, width=100)
    console.print(render(Work(title="Salt Line", diagnostics=(lost,))))
    lines = [" ".join(line.split()) for line in console.export_text().splitlines()]
    assert "Missing part 2 of 3 of the story s" in lines
