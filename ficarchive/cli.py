"""The command line: a thin skin that parses, calls the library, and prints.

Library errors (`FicarchiveError`) become one line and a non-zero exit here, and only
here; a batch goes on past a bad file and lists the failures at the end.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import click
from rich.console import Console

from ficarchive.console import render
from ficarchive.errors import FicarchiveError, InputTooLarge
from ficarchive.export import to_html, to_markdown
from ficarchive.rescue import rescue as rescue_bytes
from ficarchive.rescue.sniff import MAX_INPUT_BYTES
from ficarchive.version import __version__
from ficarchive.work import Work

_SUFFIX = {"json": ".json", "html": ".html", "markdown": ".md", "view": ".txt"}


def _read(path: Path) -> bytes:
    size = path.stat().st_size
    if size > MAX_INPUT_BYTES:
        raise InputTooLarge(
            f"{path}: {size / 2**20:.0f} MB is more than the {MAX_INPUT_BYTES // 2**20} MB "
            "a single story may be; split it into parts (one file per chapter) and rescue those"
        )
    return path.read_bytes()


def _read_stdin() -> bytes:
    data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
    if len(data) > MAX_INPUT_BYTES:
        raise InputTooLarge(
            f"<stdin>: more than the {MAX_INPUT_BYTES // 2**20} MB a single story may be; "
            "split it into parts and rescue those"
        )
    return data


def _inputs(paths: tuple[str, ...]) -> Iterator[tuple[str, Path | None]]:
    for raw in paths:
        if raw == "-":
            yield "<stdin>", None
            continue
        path = Path(raw)
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if not any(part.startswith(".") for part in child.relative_to(path).parts):
                    yield str(child), child
        else:
            yield raw, path


def _format(work: Work, fmt: str) -> str:
    if fmt == "json":
        return work.to_json() + "\n"
    if fmt == "html":
        return to_html(work)
    return to_markdown(work)


@click.group(
    context_settings={
        "help_option_names": ["-h", "--help"],
        "max_content_width": 88,
        "terminal_width": 88,
    }
)
@click.version_option(__version__, prog_name="ficarchive")
def main() -> None:
    """ficarchive: rescue fan fiction as it is found on the old web."""


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--json", "fmt", flag_value="json", help="Write the Work as JSON.")
@click.option("--html", "fmt", flag_value="html", help="Write a self-contained HTML page.")
@click.option("--markdown", "fmt", flag_value="markdown", help="Write Markdown with a YAML header.")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Write to this file (one input) or folder (several inputs).",
)
def rescue(paths: tuple[str, ...], fmt: str | None, output: Path | None) -> None:
    """Rescue stories: PATHS are files, folders (every file in them) or - for stdin.

    With no format option, show the metadata, the repairs and the opening in the terminal.
    """
    console = Console()
    err = Console(stderr=True)
    inputs = list(_inputs(paths))
    many = len(inputs) > 1 or any(Path(p).is_dir() for p in paths if p != "-")
    failures: list[tuple[str, str]] = []
    for name, path in inputs:
        try:
            data = _read(path) if path is not None else _read_stdin()
            work = rescue_bytes(data, Path(name).name if path is not None else name)
            _emit(work, fmt, output, name, many, console)
        except FicarchiveError as exc:
            failures.append((name, str(exc)))
            if not many:
                err.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
                sys.exit(exc.exit_code)
        except OSError as exc:
            failures.append((name, f"{name}: cannot read or write ({exc.strerror or exc})"))
            if not many:
                err.print(f"[red]error:[/red] {failures[-1][1]}", highlight=False, soft_wrap=True)
                sys.exit(1)
    if failures:
        err.print(f"\n[red]{len(failures)} of {len(inputs)} files could not be rescued:[/red]")
        for _name, reason in failures:
            err.print(f"  {reason}", highlight=False, soft_wrap=True)
        sys.exit(1)


def _emit(
    work: Work, fmt: str | None, output: Path | None, name: str, many: bool, console: Console
) -> None:
    if fmt is None and output is None:
        if many:
            console.rule(name)
        console.print(render(work))
        return
    text = _format(work, fmt or "json")
    if output is None:
        sys.stdout.write(text if not (many and fmt == "json") else work.to_json(indent=None) + "\n")
        return
    target = output
    if many:
        output.mkdir(parents=True, exist_ok=True)
        target = output / (Path(name).name + _SUFFIX[fmt or "json"])
    target.write_text(text, encoding="utf-8")


if __name__ == "__main__":  # pragma: no cover
    main()
