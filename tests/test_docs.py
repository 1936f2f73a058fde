"""README.md says what the code does: commands, options, --help, the test command, the API.

The command-line reference in README is the real `--help` output, so when a command or
option changes, this fails until README is brought into step.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import shlex
import shutil
import warnings
from pathlib import Path
from typing import Any

import click
import pytest

import ficarchive
from ficarchive.cli import main

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")
PROG = "ficarchive"


def commands(
    group: click.Group = main, prefix: str = PROG, parent: click.Context | None = None
) -> list[tuple[str, click.Command, click.Context]]:
    """Every command under `group` as (`ficarchive sub ...`, command, context), group first."""
    ctx = group.make_context(prefix, [], parent=parent, resilient_parsing=True)
    found: list[tuple[str, click.Command, click.Context]] = [(prefix, group, ctx)]
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None
        if isinstance(command, click.Group):
            found += commands(command, f"{prefix} {name}", ctx)
        else:
            sub = command.make_context(name, [], parent=ctx, resilient_parsing=True)
            found.append((f"{prefix} {name}", command, sub))
    return found


SUBCOMMANDS = [path for path, _, _ in commands() if path != PROG]
OPTIONS = sorted(
    {
        (path, opt)
        for path, cmd, ctx in commands()
        for param in cmd.get_params(ctx)  # with --help, named as the context settings say
        if isinstance(param, click.Option)
        for opt in (*param.opts, *param.secondary_opts)
    }
)


def section(heading: str) -> str:
    """README text from `heading` to the next heading of the same or a higher level."""
    level = len(heading) - len(heading.lstrip("#"))
    lines = README.splitlines()
    assert heading in lines, f"README has no heading {heading!r}"
    start = lines.index(heading) + 1
    end = next(
        (
            i
            for i in range(start, len(lines))
            if re.match(rf"#{{1,{level}}} ", lines[i]) and not _inside_fence(lines, i)
        ),
        len(lines),
    )
    return "\n".join(lines[start:end])


def _inside_fence(lines: list[str], index: int) -> bool:
    return sum(line.startswith("```") for line in lines[:index]) % 2 == 1


def fenced_blocks(text: str, language: str = "") -> list[str]:
    pattern = rf"^```{re.escape(language)}\n(.*?)^```$"
    return re.findall(pattern, text, re.M | re.S)


def help_text(*args: str) -> str:
    """`--help` as the group prints it: its own width settings, whatever the terminal."""
    from click.testing import CliRunner

    settings = main.context_settings
    result = CliRunner(env={"COLUMNS": "200"}).invoke(
        main,
        [*args, "--help"],
        prog_name=PROG,
        terminal_width=settings["terminal_width"],
        max_content_width=settings["max_content_width"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    return str(result.stdout)


# -- the command-line reference --------------------------------------------------------------


@pytest.mark.parametrize("path", SUBCOMMANDS)
def test_every_command_has_a_readme_section(path: str) -> None:
    assert f"### `{path}`" in README.splitlines()


@pytest.mark.parametrize(("path", "option"), OPTIONS, ids=[f"{p}:{o}" for p, o in OPTIONS])
def test_every_option_is_in_the_readme(path: str, option: str) -> None:
    assert re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", README), (
        f"README does not mention {option} of `{path}`"
    )


@pytest.mark.parametrize("path", SUBCOMMANDS)
def test_readme_help_block_is_the_real_help(path: str) -> None:
    blocks = fenced_blocks(section(f"### `{path}`"))
    assert blocks, f"no fenced block under ### `{path}`"
    assert blocks[0] == help_text(*path.split()[1:]), (
        f"README's block under ### `{path}` is not `{path} --help`; paste the real one"
    )


@pytest.mark.parametrize("command", ["rescue", "export"])
def test_help_width_does_not_depend_on_the_terminal(command: str) -> None:
    """The README block can only match if --help ignores COLUMNS."""
    from click.testing import CliRunner

    outputs = {
        CliRunner(env={"COLUMNS": columns})
        .invoke(main, [command, "--help"], prog_name=PROG)
        .stdout
        for columns in ("40", "88", "200")
    }
    assert len(outputs) == 1


def test_readme_has_a_version_section() -> None:
    assert "### `ficarchive --version`" in README.splitlines()


# -- set-up and tests ------------------------------------------------------------------------


def test_readme_gives_the_test_command() -> None:
    assert ".venv/bin/python -m pytest" in README
    assert "```\n.venv/bin/python -m pytest\n```" in README


def test_readme_setup_installs_adds_and_serves() -> None:
    setup = next(b for b in fenced_blocks(README) if "python3 -m venv .venv" in b)
    assert "pip install -q -e '.[test]'" in setup
    assert ".venv/bin/ficarchive add " in setup
    assert setup.rstrip().endswith("&& .venv/bin/ficarchive serve")


@pytest.mark.corpus
def test_readme_setup_folder_adds(corpus: Path, run_cli: Any, tmp_path: Path) -> None:
    """The folder the set-up command adds is in the corpus, and every story in it goes in."""
    from ficarchive.archive import Archive

    setup = next(b for b in fenced_blocks(README) if ".venv/bin/ficarchive add " in b)
    words = shlex.split(setup.split(".venv/bin/ficarchive add ", 1)[1].split("&&")[0])
    folder = (REPO / words[0]).resolve()
    assert folder.is_relative_to(corpus.resolve()), folder
    assert folder.is_dir(), f"README's set-up folder {words[0]} is not in the corpus"
    archive = tmp_path / "archive.sqlite"
    result = run_cli("add", folder, "--archive", archive, "--jobs", "2")
    assert result.exit_code == 0, result.output
    assert Archive.open(archive).count() >= 100


# -- the library section ---------------------------------------------------------------------


def test_readme_library_example_runs(
    tmp_path: Path, cli_fixtures: Path, monkeypatch: pytest.MonkeyPatch, validate_work: Any
) -> None:
    (snippet,) = fenced_blocks(section("## Library"), "python")
    shutil.copy(cli_fixtures / "lantern.html", tmp_path / "story.html")
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    with contextlib.redirect_stdout(out), warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)  # the example's open() is not closed
        exec(compile(snippet, "README.md", "exec"), {})
    validate_work(json.loads(out.getvalue()))


def test_readme_error_classes_are_the_real_ones() -> None:
    named = set(re.findall(r"`(\w+(?:Input|TooLarge|NotFound))`", section("## Library")))
    real = {
        name
        for name in ficarchive.__all__
        if isinstance(obj := getattr(ficarchive, name), type)
        and issubclass(obj, ficarchive.InputError)
        and obj is not ficarchive.InputError
    }
    assert named == real
    assert "`ficarchive.InputError`" in README


def test_readme_paths_exist() -> None:
    for path in ("ficarchive/schema/work.schema.json", "ficarchive/work.py", "docs/quality.md"):
        assert path in README
        assert (REPO / path).is_file(), path


def test_readme_exit_statuses_are_the_real_ones() -> None:
    from ficarchive import errors

    assert "0 when everything was rescued" in README
    assert f"{errors.InputError.exit_code} for an input that cannot be a story" in README
    assert f"{errors.FicarchiveError.exit_code} when a batch had failures" in README
