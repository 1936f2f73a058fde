"""The archive commands: add, list, search, show, edit, remove, stats.

Each opens the archive named by ``--archive`` (or ``$FICARCHIVE_ARCHIVE``, or the
default in the user's data folder), calls one library method and prints the result.
"""

from __future__ import annotations

import glob
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from ficarchive.archive import ENV, Archive, Filters, SQLiteArchive, default_location
from ficarchive.archive.adding import Outcome, add_files
from ficarchive.archive.model import SORTS
from ficarchive.archive.search_index import refresh_after_adding
from ficarchive.cli.views import render_history, render_hits, render_stats, render_stored
from ficarchive.errors import ArchiveError, DamagedWork, FicarchiveError
from ficarchive.files import StoryFile, story_files
from ficarchive.workers import TIMEOUT_PER_FILE

F = TypeVar("F", bound=Callable[..., Any])

archive_option = click.option(
    "--archive",
    "location",
    envvar=ENV,
    metavar="PATH|URL",
    help=f"The archive: an SQLite file or a postgresql:// URL (default: ${ENV}, else "
    "archive.sqlite in your data folder).",
)


def reports_errors(command: F) -> F:
    """Library errors become one line on stderr and the error's exit code."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except FicarchiveError as exc:
            Console(stderr=True).print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
            sys.exit(exc.exit_code)

    return wrapper  # type: ignore[return-value]


def open_archive(
    location: str | None, *, create: bool = False, check: bool = False
) -> SQLiteArchive:
    """The archive; with `check`, refused (one line naming `ficarchive check`) when its
    file is damaged, before anything is read from it or written to it."""
    archive = Archive.open(location, create=create)
    if check:
        archive.check_sound()
    return archive


def _expand(paths: tuple[str, ...]) -> list[str]:
    """Globs the shell left alone ("~/site/*.html" in quotes) are expanded here."""
    out: list[str] = []
    for raw in paths:
        path = str(Path(raw).expanduser())
        matches = sorted(glob.glob(path)) if any(c in raw for c in "*?[") else []
        out.extend(matches or [path])
    return out


@click.command()
@click.argument("paths", nargs=-1, required=True)
@archive_option
@click.option(
    "-j", "--jobs", type=click.IntRange(1), help="Rescue on this many cores (default: all)."
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=TIMEOUT_PER_FILE,
    show_default=True,
    help="Seconds a file may take before it is reported and skipped.",
)
@reports_errors
def add(paths: tuple[str, ...], location: str | None, jobs: int | None, timeout: float) -> None:
    """Rescue and store stories: files, folders (searched through) and globs.

    A web archive (.warc, .warc.gz, .arc, .wacz) adds each page it captured. Adding the
    same story again changes nothing, so an interrupted add can be rerun, and several
    adds of the same files at once store each story once. A file that cannot be rescued
    (or takes too long, or crashes its worker) is reported at the end and the rest are
    added.
    """
    archive = open_archive(location, create=True)
    archive.check_writable()  # damaged, read-only or busy: said now, before any rescue
    inputs = list(story_files(_expand(paths)))
    counts = {"added": 0, "unchanged": 0, "unsure": 0}
    failures: list[Outcome] = []
    near: list[tuple[str, tuple[int, ...]]] = []
    with tempfile.TemporaryDirectory(prefix="ficarchive-add-") as folder:
        expanded = _web_archives(inputs, Path(folder))
        if expanded is not None:
            inputs = list(expanded[0])
        with _progress() as progress:
            task = progress.add_task("adding", total=len(inputs))
            for outcome in add_files(archive, inputs, jobs=jobs, timeout=timeout):
                progress.advance(task)
                if outcome.result is None:
                    failures.append(outcome)
                    continue
                counts[outcome.result.status] += 1
                if outcome.result.status == "added" and outcome.doubts:
                    counts["unsure"] += 1
                if outcome.result.near_duplicates:
                    near.append((outcome.name, outcome.result.near_duplicates))
    if expanded is not None:
        failures += [
            Outcome(name, error=reason if reason.startswith(name) else f"{name}: {reason}")
            for name, reason, kind in expanded[1].notes
            if kind == "failed"
        ]
        _captures_summary(expanded[1])
    said = refresh_after_adding(archive)
    if said:
        Console(stderr=True).print(said, highlight=False, soft_wrap=True)
    _summary(archive, counts, failures, near)


_WEB_ARCHIVES = (".warc", ".warc.gz", ".arc", ".arc.gz", ".wacz")


def _web_archives(inputs: list[StoryFile], folder: Path) -> tuple[Iterator[StoryFile], Any] | None:
    """The inputs with each web archive among them as its captured pages (indexed in
    `folder`), and what was found in them; None when there is none (the bulk modules are
    imported only then)."""
    if not any(s.path is not None and str(s.path).lower().endswith(_WEB_ARCHIVES) for s in inputs):
        return None
    from ficarchive.bulk.captured import Expanded, expand

    found = Expanded([])
    return expand(inputs, folder, found), found


def _captures_summary(expanded: Any) -> None:
    notes = [n for n in expanded.notes if n[2] != "failed"]
    if not notes and not expanded.furniture:
        return
    kinds: dict[str, int] = {}
    for _name, _reason, kind in notes:
        kinds[kind] = kinds.get(kind, 0) + 1
    said = {"skipped": "not pages (an error status, a redirect)", "capture": "pages captured "
            "more than once (the most complete added, every capture kept)",
            "index": "notes on the files"}  # fmt: skip
    parts = [f"{n} {said.get(kind, kind)}" for kind, n in sorted(kinds.items())]
    if expanded.furniture:
        parts.append(f"{expanded.furniture} images, stylesheets and scripts left out")
    Console(stderr=True).print("web archives: " + "; ".join(parts), highlight=False)


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(show_speed=True),
        TimeRemainingColumn(),
        console=Console(stderr=True),
    )


def _summary(
    archive: SQLiteArchive,
    counts: dict[str, int],
    failures: list[Outcome],
    near: list[tuple[str, tuple[int, ...]]],
) -> None:
    err = Console(stderr=True)
    err.print(
        f"{counts['added']} added, {counts['unchanged']} already in the archive, "
        f"{len(failures)} failed — archive: {archive.location}",
        highlight=False,
    )
    for name, ids in near:
        err.print(
            f"  {name}: nearly the same text as work {', '.join(map(str, ids))} (linked)",
            highlight=False,
        )
    if counts["unsure"]:
        err.print(
            f"{counts['unsure']} of the works added have a field rescue is unsure of: "
            "`ficarchive review` lists them, least sure first",
            highlight=False,
        )
    if failures:
        err.print(f"[red]{len(failures)} files could not be added:[/red]")
        for outcome in failures:
            err.print(f"  {outcome.error}", highlight=False, soft_wrap=True)
        sys.exit(1)


@click.command(name="list")
@archive_option
@click.option(
    "--sort", type=click.Choice(["date", "words", "title", "id"]), default="date", show_default=True
)
@click.option("--limit", type=click.IntRange(1), default=50, show_default=True)
@click.option("--offset", type=click.IntRange(0), default=0)
@reports_errors
def list_(location: str | None, sort: str, limit: int, offset: int) -> None:
    """List the works in the archive."""
    archive = open_archive(location, check=True)
    table = Table("id", "title", "authors", "rating", "words", "added")
    damaged: list[DamagedWork] = []
    for stored in archive.works(sort=sort, limit=limit, offset=offset, on_damaged=damaged.append):
        work = stored.work
        table.add_row(
            str(stored.id),
            work.title or "(untitled)",
            ", ".join(work.authors),
            work.rating,
            f"{work.word_count:,}",
            stored.added_at[:10],
        )
    Console().print(table)
    err = Console(stderr=True)
    err.print(f"{archive.count()} works in {archive.location}", highlight=False)
    report_damaged(damaged, archive.location)


def report_damaged(damaged: list[DamagedWork], location: str) -> None:
    """The works a command left out because their stored data cannot be read."""
    if not damaged:
        return
    err = Console(stderr=True)
    for problem in damaged:
        err.print(f"  skipped: {problem}", highlight=False, soft_wrap=True)
    err.print(
        f"[yellow]{len(damaged)} damaged works left out[/yellow]; `ficarchive check {location}` "
        "lists them all",
        highlight=False,
        soft_wrap=True,
    )


@click.command(context_settings={"ignore_unknown_options": True})
@click.argument("query", required=False, default="")
@archive_option
@click.option("--fandom", multiple=True, help="Only works in this fandom (repeatable).")
@click.option("--relationship", multiple=True, help="Only works with this pairing.")
@click.option("--character", multiple=True, help="Only works with this character.")
@click.option("--rating", multiple=True, help="Only works with this rating.")
@click.option("--warning", multiple=True, help="Only works with this warning.")
@click.option("--tag", multiple=True, help="Only works with this additional tag.")
@click.option("--exclude-tag", multiple=True, help="Leave out works with this tag.")
@click.option("--exclude-fandom", multiple=True, help="Leave out works in this fandom.")
@click.option("--exclude-rating", multiple=True, help="Leave out works with this rating.")
@click.option("--min-words", type=click.IntRange(0), help="At least this many words.")
@click.option("--max-words", type=click.IntRange(0), help="At most this many words.")
@click.option("--sort", type=click.Choice(SORTS), default="relevance", show_default=True)
@click.option("--limit", type=click.IntRange(1), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@reports_errors
def search(
    query: str,
    location: str | None,
    fandom: tuple[str, ...],
    relationship: tuple[str, ...],
    character: tuple[str, ...],
    rating: tuple[str, ...],
    warning: tuple[str, ...],
    tag: tuple[str, ...],
    exclude_tag: tuple[str, ...],
    exclude_fandom: tuple[str, ...],
    exclude_rating: tuple[str, ...],
    min_words: int | None,
    max_words: int | None,
    sort: str,
    limit: int,
    as_json: bool,
) -> None:
    """Search the text, titles, summaries and notes; filter by tags and length.

    In QUERY, "a phrase", -word, OR, fandom:"Star Trek" and -tag:Angst work too.
    """
    excluded = [("freeform", t) for t in exclude_tag] + [("fandom", f) for f in exclude_fandom]
    excluded += [("rating", r) for r in exclude_rating]
    filters = Filters(
        excluded=tuple(excluded),
        fandoms=fandom,
        relationships=relationship,
        characters=character,
        ratings=rating,
        warnings=warning,
        tags=tag,
        words_min=min_words,
        words_max=max_words,
    )
    results = open_archive(location).search(query, filters, sort=sort, limit=limit)
    if as_json:
        import dataclasses
        import json

        click.echo(json.dumps(dataclasses.asdict(results), ensure_ascii=False, indent=2))
        return
    Console().print(render_hits(results))


@click.command()
@click.argument("work_id", type=int)
@archive_option
@click.option("--json", "as_json", is_flag=True, help="Print the Work as JSON.")
@click.option("--full", is_flag=True, help="Show the whole text, not the opening.")
@click.option(
    "--original",
    "original_to",
    metavar="PATH",
    type=click.Path(allow_dash=True),
    help="Save the original file it was rescued from to PATH (a folder, or a name ending "
    "in /: under its own name; -: standard output).",
)
@reports_errors
def show(
    work_id: int, location: str | None, as_json: bool, full: bool, original_to: str | None
) -> None:
    """Show one work: metadata, repairs, edits and text."""
    archive = open_archive(location)
    if original_to is not None:  # a damaged work still gives back its original
        _save_original(archive, work_id, original_to)
        return
    stored = archive.get(work_id)
    if as_json:
        click.echo(stored.work.to_json())
        return
    Console().print(
        render_stored(stored, archive.near_duplicates(work_id), archive.history(work_id), full=full)
    )


class NoOriginal(ArchiveError):
    """The work was stored without its original bytes."""


def _save_original(archive: SQLiteArchive, work_id: int, where: str) -> None:
    original = archive.original(work_id)
    if original is None:
        raise NoOriginal(
            f"work {work_id} was stored without its original file (added from a Work, or "
            "by `bulk load` of an output made before originals were kept)"
        )
    if where == "-":
        sys.stdout.buffer.write(original.data)
        sys.stdout.flush()
        return
    target = Path(where)
    folder = where.endswith(("/", os.sep))  # asked for a folder: made if need be
    if target.is_dir() or folder:
        target = target / Path(original.name).name
    if target.exists():
        raise CannotSave(f"{target} already exists; give another path or remove it")
    try:
        if folder:
            target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(original.data)
    except OSError as exc:
        raise CannotSave(f"{target}: cannot be written ({exc.strerror or exc})") from None
    click.echo(f"{target}: {len(original.data):,} bytes, sha256 {original.sha256}", err=True)
    source = archive.get(work_id).work.source
    if source is not None and source.warc_file:
        every = " (a zip of every capture of it)" if original.name.endswith(".zip") else ""
        click.echo(f"  the capture of {source.url} on {source.captured}, {source.warc_file} "
                   f"record at byte {source.warc_offset or 0:,}{every}", err=True)  # fmt: skip


class CannotSave(FicarchiveError):
    """The original cannot be saved there (it never overwrites a file)."""


_LIST_EDITS = {
    "fandom": "fandoms",
    "relationship": "relationships",
    "character": "characters",
    "warning": "warnings",
    "tag": "tags",
    "author": "authors",
}


@click.command()
@click.argument("work_id", type=int)
@archive_option
@click.option("--title", help="Set the title.")
@click.option("--rating", help="Set the rating (NC-17, R, Mature, …: mapped to AO3's five).")
@click.option("--summary", help="Set the summary.")
@click.option("--add-author", multiple=True, help="Add an author.")
@click.option("--remove-author", multiple=True, help="Remove an author.")
@click.option("--add-tag", multiple=True, help="Add an additional tag.")
@click.option("--remove-tag", multiple=True, help="Remove an additional tag.")
@click.option("--add-fandom", multiple=True, help="Add a fandom.")
@click.option("--add-relationship", multiple=True, help="Add a relationship.")
@click.option("--add-character", multiple=True, help="Add a character.")
@click.option("--add-warning", multiple=True, help="Add an archive warning.")
@click.option("--note", help="Why: kept with the edit in the work's history.")
@reports_errors
def edit(
    work_id: int,
    location: str | None,
    title: str | None,
    rating: str | None,
    summary: str | None,
    note: str | None,
    **lists: tuple[str, ...],
) -> None:
    """Correct a work's metadata; every change is kept in its history."""
    archive = open_archive(location, check=True)
    work = archive.get(work_id).work
    changes: dict[str, Any] = {}
    if title is not None:
        changes["title"] = title
    if summary is not None:
        changes["summary"] = summary
    if rating is not None:
        from ficarchive.tags.ratings import map_rating
        from ficarchive.work import RATINGS

        changes["rating"] = rating if rating in RATINGS else map_rating(rating)
        changes["rating_source"] = None if rating in RATINGS else rating
        if changes["rating"] == "Not Rated" and rating.casefold() not in (
            "not rated",
            "unrated",
            "none",
        ):
            raise click.UsageError(
                f"unknown rating {rating!r}: use one of {', '.join(RATINGS)}, or a rating as "
                "old sites wrote it (G, PG-13, R, NC-17, MA, FRAO, …)"
            )
    for option, values in lists.items():
        if not values:
            continue
        action, kind = option.split("_", 1)
        field = _LIST_EDITS[kind]
        current = list(changes.get(field, getattr(work, field)))
        for value in values:
            if action == "add" and value not in current:
                current.append(value)
            elif action == "remove" and value in current:
                current.remove(value)
        changes[field] = current
    if not changes:
        raise click.UsageError("nothing to change: give --title, --add-tag, … (see --help)")
    before = len(archive.history(work_id))
    changed = sorted(
        {e.field for e in archive.history(archive.edit(work_id, changes, note).id)[before:]}
    )
    message = f"work {work_id}: changed {', '.join(changed)}" if changed else "nothing changed"
    Console(stderr=True).print(message, highlight=False)


@click.command()
@click.argument("work_id", type=int)
@archive_option
@click.option("-y", "--yes", is_flag=True, help="Do not ask for confirmation.")
@reports_errors
def remove(work_id: int, location: str | None, yes: bool) -> None:
    """Take a work out of the archive (asks first)."""
    archive = open_archive(location, check=True)
    try:
        work = archive.get(work_id).work
        label = f"{work.title or '(untitled)'} by {', '.join(work.authors) or 'unknown'}"
    except DamagedWork:  # it can still be taken out
        label = "(damaged: its data cannot be read)"
    if not yes and not click.confirm(f"Remove work {work_id}, {label}?", err=True):
        Console(stderr=True).print("nothing removed")
        sys.exit(1)
    archive.remove(work_id)
    Console(stderr=True).print(f"removed work {work_id}, {label}", highlight=False)


@click.command()
@archive_option
@reports_errors
def stats(location: str | None) -> None:
    """How much is in the archive: works, words, sources, tags, edits."""
    archive = open_archive(location)
    Console().print(render_stats(archive.stats(), archive.location))


@click.command()
@click.argument("work_id", type=int)
@archive_option
@reports_errors
def history(work_id: int, location: str | None) -> None:
    """Every archivist's edit of one work, oldest first."""
    Console().print(render_history(open_archive(location).history(work_id)))


COMMANDS = (add, list_, search, show, edit, remove, stats, history)


__all__ = ["COMMANDS", "default_location"]
