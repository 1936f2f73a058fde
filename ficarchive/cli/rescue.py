"""``ficarchive rescue``: files, folders or stdin to Works, shown or written out.

Library errors (`FicarchiveError`) become one line and a non-zero exit here, and only
here; a batch goes on past a bad file and lists the failures at the end.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from rich.console import Console

from ficarchive.console import render
from ficarchive.errors import FicarchiveError
from ficarchive.export import to_html, to_markdown
from ficarchive.files import StoryFile, is_folder, read_story, read_stream, story_files
from ficarchive.rescue import rescue as rescue_bytes
from ficarchive.work import Work

_SUFFIX = {"json": ".json", "html": ".html", "markdown": ".md"}
_FORMAT_OF_SUFFIX = {
    ".json": "json",
    ".html": "html",
    ".htm": "html",
    ".md": "markdown",
    ".markdown": "markdown",
}


class OutputError(click.ClickException):
    """The output cannot be written: stops the whole run, whatever the inputs."""

    exit_code = 1


def _format(work: Work, fmt: str) -> str:
    if fmt == "json":
        return work.to_json() + "\n"
    if fmt == "html":
        return to_html(work)
    return to_markdown(work)


@click.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Write the Work as JSON.")
@click.option("--html", "as_html", is_flag=True, help="Write a self-contained HTML page.")
@click.option("--markdown", "as_markdown", is_flag=True, help="Write Markdown with a YAML header.")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Write to this file (one input) or folder (several inputs); - is stdout.",
)
def rescue(
    paths: tuple[str, ...], as_json: bool, as_html: bool, as_markdown: bool, output: Path | None
) -> None:
    """Rescue stories: PATHS are files, folders (searched through) or - for stdin.

    With no format option, show the metadata, the repairs and the opening in the terminal;
    with -o FILE the format follows the file's extension (.json, .html, .md).
    """
    chosen = [
        f for f, on in (("json", as_json), ("html", as_html), ("markdown", as_markdown)) if on
    ]
    if len(chosen) > 1:
        raise click.UsageError("choose one of --json, --html and --markdown")
    inputs = list(story_files(paths))
    if not inputs:
        _fail(f"no files to rescue in {', '.join(paths)}", 2)
    many = len(inputs) > 1 or any(p != "-" and is_folder(Path(p)) for p in paths)
    if many and output is not None and output.suffix and not is_folder(output):
        raise click.UsageError(f"-o {output}: several stories need a folder for -o, not a file")
    fmt = chosen[0] if chosen else _format_for(output, many)
    try:
        failures = _rescue_all(inputs, fmt, output, many)
    except BrokenPipeError:
        sys.stderr.close()  # the reader went away (| head): stop quietly
        os._exit(0)
    if failures and not many:
        _fail(failures[0][1], failures[0][2])
    if failures:
        err = Console(stderr=True)
        err.print(f"\n[red]{len(failures)} of {len(inputs)} files could not be rescued:[/red]")
        for _name, reason, _code in failures:
            err.print(f"  {reason}", highlight=False, soft_wrap=True)
        sys.exit(1)


def _fail(message: str, code: int) -> None:
    Console(stderr=True).print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    sys.exit(code)


def _format_for(output: Path | None, many: bool) -> str | None:
    """No format flag: the terminal view, or the format -o's extension names (else JSON)."""
    if output is None or str(output) == "-":
        return None if output is None else "json"
    if many or is_folder(output) or str(output).endswith(("/", "\\")):
        return "json"
    suffix = output.suffix.lower()
    if suffix not in _FORMAT_OF_SUFFIX:
        advice = (
            "ficarchive export --format epub makes EPUBs"
            if suffix == ".epub"
            else "use .json, .html or .md, or give --json, --html or --markdown"
        )
        kind = suffix or "a file without an extension"
        raise click.UsageError(f"-o {output}: no format is written as {kind}; {advice}")
    return _FORMAT_OF_SUFFIX[suffix]


def _rescue_all(
    inputs: list[StoryFile], fmt: str | None, output: Path | None, many: bool
) -> list[tuple[str, str, int]]:
    console = Console()
    failures: list[tuple[str, str, int]] = []
    for story in inputs:
        try:
            data = read_story(story.path) if story.path is not None else read_stream()
            work = rescue_bytes(data, story.relative.name if story.path else story.name)
        except FicarchiveError as exc:
            failures.append((story.name, _named(str(exc), story), exc.exit_code))
            continue
        _emit(work, fmt, _target(output, story, fmt, many), many, story.name, console)
    return failures


def _named(message: str, story: StoryFile) -> str:
    """An error about a file, named as the user gave it (two story.txt in two folders)."""
    base = f"{story.relative.name}: "
    return story.name + ": " + message[len(base) :] if message.startswith(base) else message


def _target(output: Path | None, story: StoryFile, fmt: str | None, many: bool) -> Path | None:
    """Where one story's result goes: None for standard output."""
    if output is None or str(output) == "-":
        return None
    if many or is_folder(output) or str(output).endswith(("/", "\\")):
        return output / story.relative.with_name(story.relative.name + _SUFFIX[fmt or "json"])
    return output


def _emit(
    work: Work, fmt: str | None, target: Path | None, many: bool, name: str, console: Console
) -> None:
    if fmt is None:
        if many:
            console.rule(name)
        console.print(render(work))
        return
    if target is None:
        compact = many and fmt == "json"
        sys.stdout.write(work.to_json(indent=None) + "\n" if compact else _format(work, fmt))
        return
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(_format(work, fmt), encoding="utf-8")
    except OSError as exc:
        raise OutputError(
            f"cannot write {target} ({exc.strerror or exc}); check that the folder exists "
            "and can be written to"
        ) from None
