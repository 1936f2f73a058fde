"""``ficarchive export``: works from story files or the archive, as EPUB, HTML, Markdown
or the AO3 import form.

A SOURCE that names a file is rescued and exported in one step (no archive needed); a
SOURCE made of digits is a work id in the archive. Library errors become one line and a
non-zero exit here, and only here.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import click
from rich.console import Console
from rich.progress import Progress

from ficarchive.errors import FicarchiveError
from ficarchive.export import to_html, to_markdown
from ficarchive.export.ao3 import Cut, import_pages
from ficarchive.export.epub import to_epub
from ficarchive.export.opendoors import OpenDoorsTables
from ficarchive.files import read_story
from ficarchive.rescue import rescue as rescue_bytes
from ficarchive.work import Work

FORMATS = ("epub", "html", "markdown", "ao3")
SUFFIX = {"epub": ".epub", "html": ".html", "markdown": ".md", "ao3": ""}
ARCHIVE_ENV = "FICARCHIVE_ARCHIVE"
_ID = re.compile(r"^\d+$")


def _fail(message: str, code: int = 1) -> NoReturn:
    """One line on stderr and a non-zero exit, no traceback."""
    Console(stderr=True).print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    sys.exit(code)


@dataclass(frozen=True)
class Named:
    """A work to export and the name its output file takes."""

    name: str
    work: Work
    story_id: int | None = None


@click.command()
@click.argument("sources", nargs=-1)
@click.option(
    "-f",
    "--format",
    "fmt",
    metavar="FORMAT",
    required=True,
    help="epub, html, markdown, or ao3 (AO3's import pages and Open Doors tables).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="A file (one work, with an extension) or a folder (several works, --all, ao3); "
    "default: beside the input, or the current folder for archive works.",
)
@click.option("--all", "every", is_flag=True, help="Every work in the archive.")
@click.option(
    "--archive",
    "location",
    envvar=ARCHIVE_ENV,
    metavar="PATH|URL",
    help=f"The archive for work ids and --all (default: ${ARCHIVE_ENV}, else the default archive).",
)
def export(
    sources: tuple[str, ...], fmt: str, output: Path | None, every: bool, location: str | None
) -> None:
    """Export works: SOURCES are story files (rescued on the way) or archive work ids.

    EPUB 3 checked by epubcheck, one self-contained HTML page, Markdown with a YAML
    header, or the pages AO3's importer reads plus authors/stories/chapters CSV tables.
    """
    fmt = fmt.lower()
    if fmt not in FORMATS:
        _fail(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}", 2)
    if not sources and not every:
        raise click.UsageError("give story files or work ids, or --all")
    many = every or len(sources) > 1 or fmt == "ao3"
    if many and output is not None and output.exists() and not output.is_dir():
        _fail(f"{output} is a file; several works need a folder for -o", 1)
    inputs = {Path(s).resolve() for s in sources if Path(s).is_file()}
    skipped: list[str] = []
    works = _works(sources, every, location, skipped)
    if fmt == "ao3":
        _write_ao3(works, output or Path("ao3-import"), every)
        _report_skipped(skipped)
        return
    err = Console(stderr=True)
    for item in _progress(works, every):
        target = _target(item, fmt, output, many)
        if target.resolve() in inputs:
            _fail(
                f"{target} is the story being exported: it would be overwritten; "
                "give -o another file or folder",
                2,
            )
        _write(target, _render(item.work, fmt))
        err.print(f"wrote {target}", highlight=False, soft_wrap=True)
    _report_skipped(skipped)


def _works(
    sources: tuple[str, ...], every: bool, location: str | None, skipped: list[str]
) -> Iterator[Named]:
    """The works to export; damaged archive works are left out, named in `skipped`."""
    try:
        if every:
            yield from _archive_works(location, None, skipped)
        for source in sources:
            if _ID.match(source) and not Path(source).exists():
                yield from _archive_works(location, int(source), skipped)
            else:
                path = Path(source)
                work = rescue_bytes(read_story(path), path.name)
                yield Named(str(path.with_suffix("")), work)
    except FicarchiveError as exc:
        _fail(str(exc), exc.exit_code)


def _report_skipped(skipped: list[str]) -> None:
    """The damaged works `--all` left out, at the end, and a non-zero exit."""
    if skipped:
        err = Console(stderr=True)
        for line in skipped:
            err.print(f"  skipped: {line}", highlight=False, soft_wrap=True)
        _fail(f"{len(skipped)} damaged works were not exported; `ficarchive check` lists them")


def _archive_works(
    location: str | None, work_id: int | None, skipped: list[str]
) -> Iterator[Named]:
    try:
        from ficarchive.archive import Archive  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        _fail(
            "the archive is not available in this version of ficarchive; "
            "export story files instead (ficarchive export story.html --format epub)"
        )
    archive = Archive.open(location, create=False)
    try:
        if work_id is None:
            archive.check_sound()  # every work is to be read: a damaged file is said first
        stored = (
            [archive.get(work_id)]
            if work_id is not None
            else archive.works(on_damaged=lambda damaged: skipped.append(str(damaged)))
        )
        for item in stored:
            yield Named(_slug(item.work, item.id), item.work, item.id)
    finally:
        archive.close()


def _slug(work: Work, work_id: int) -> str:
    words = re.sub(r"[^\w]+", "-", (work.title or "untitled").lower()).strip("-")[:60]
    return f"{work_id}-{words or 'untitled'}"


def _progress(works: Iterator[Named], every: bool) -> Iterator[Named]:
    if not every:
        yield from works
        return
    with Progress(console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("exporting", total=None)
        for item in works:
            yield item
            progress.advance(task)


def _render(work: Work, fmt: str) -> bytes:
    if fmt == "epub":
        return to_epub(work)
    return (to_html(work) if fmt == "html" else to_markdown(work)).encode("utf-8")


def _target(item: Named, fmt: str, output: Path | None, many: bool) -> Path:
    name = Path(item.name).name + SUFFIX[fmt]
    if output is None:
        if item.story_id is not None:
            return Path(name)
        beside = Path(item.name).parent / name
        # story.html exported as HTML goes to story.export.html, never over story.html
        return (
            beside.with_name(f"{Path(item.name).name}.export{SUFFIX[fmt]}")
            if (beside.exists())
            else beside
        )
    if many or output.is_dir() or not output.suffix:
        return output / name  # a folder: several works, an existing folder, or no extension
    return output


def _write(target: Path, data: bytes | str) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, str):
            target.write_text(data, encoding="utf-8")
        else:
            target.write_bytes(data)
    except OSError as exc:
        _fail(
            f"cannot write {target} ({exc.strerror or exc}); check that the folder exists "
            "and can be written to"
        )


def _write_ao3(works: Iterator[Named], folder: Path, every: bool) -> None:
    """One folder a work (a page a chapter, chapters.txt), the CSV tables, the cuts."""
    tables = OpenDoorsTables()
    report: list[str] = []
    for n, item in enumerate(_progress(works, every), 1):
        pages, fields = import_pages(item.work)
        name = Path(item.name).name
        for file, text in pages.items():
            _write(folder / name / file, text)
        tables.add(item.story_id or n, item.work, fields, name)
        report += [_cut_line(name, cut) for cut in fields.cuts]
    for file, text in tables.csv_files().items():
        _write(folder / file, text)
    _write(folder / "cuts.txt", "".join(f"{line}\n" for line in report))
    problems = [p.line() for p in tables.checks()]
    _write(folder / "opendoors-checks.txt", "".join(f"{line}\n" for line in problems))
    err = Console(stderr=True)
    for line in report:
        err.print(f"[yellow]cut:[/yellow] {line}", highlight=False, soft_wrap=True)
    if not report:
        err.print("nothing had to be cut to fit AO3's limits", highlight=False)
    for line in problems:
        err.print(f"[yellow]open doors:[/yellow] {line}", highlight=False, soft_wrap=True)
    if not problems:
        err.print("Open Doors' checks all pass", highlight=False)
    sys.stderr.flush()


def _cut_line(name: str, cut: Cut) -> str:
    return f"{name}: {cut.field} was {cut.length} (AO3 allows {cut.limit}): {cut.action}"
