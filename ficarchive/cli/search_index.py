"""``ficarchive search-index``: the tantivy index that ranks a large SQLite archive's
searches (`ficarchive.archive.search_tantivy`): made, brought up to date, shown, dropped."""

from __future__ import annotations

import time

import click
from rich.console import Console

from ficarchive.archive import SQLiteArchive
from ficarchive.archive.search_tantivy import AUTO_WORKS
from ficarchive.cli.archive import archive_option, open_archive, reports_errors
from ficarchive.errors import ArchiveUnavailable


@click.group(name="search-index")
def search_index() -> None:
    """The index beside an SQLite archive that ranks its searches with words.

    An archive gets one by itself when an add leaves it with 50,000 works or more;
    below that SQLite's own full-text index ranks quickly enough. The index is made
    from the archive and can be dropped or made again at any time: searches find the
    same works without it, only slower on a large archive.
    """


def _sqlite(location: str | None) -> SQLiteArchive:
    archive = open_archive(location, check=True)
    if not isinstance(archive, SQLiteArchive):
        raise ArchiveUnavailable(
            f"{archive.location}: PostgreSQL ranks its own searches; a search index is "
            "kept beside an SQLite archive"
        )
    return archive


@search_index.command()
@archive_option
@reports_errors
def build(location: str | None) -> None:
    """Make the index from every work (again, if one is kept)."""
    archive = _sqlite(location)
    started = time.perf_counter()
    works = archive.build_search_index()
    seconds = time.perf_counter() - started
    status = archive.search_index_status()
    Console(stderr=True).print(
        f"search index made for {works:,} works in {seconds:.1f} s: {status['folder']}",
        highlight=False,
    )


@search_index.command()
@archive_option
@reports_errors
def update(location: str | None) -> None:
    """Take in the works changed since the index was last written."""
    archive = _sqlite(location)
    if not archive.search_index_status().get("kept"):
        raise ArchiveUnavailable(
            f"{archive.location} keeps no search index; `ficarchive search-index build` makes one"
        )
    written = archive.sync_search_index()
    Console(stderr=True).print(f"search index: {written:,} works written", highlight=False)


@search_index.command()
@archive_option
@reports_errors
def status(location: str | None) -> None:
    """Whether the archive keeps an index, how many works it holds, how far behind."""
    archive = _sqlite(location)
    found = archive.search_index_status()
    out = Console(soft_wrap=True)
    if not found.get("kept"):
        out.print(
            f"{archive.location}: no search index (SQLite's full-text index ranks every "
            f"search; one is made when an add leaves {AUTO_WORKS:,} works or more, or by "
            "`ficarchive search-index build`)",
            highlight=False,
        )
        return
    if not found.get("usable"):
        out.print(
            f"{archive.location}: a search index is kept but {found['folder']} is missing "
            "or from another version: `ficarchive search-index build` makes it again "
            "(meanwhile SQLite ranks searches)",
            highlight=False,
        )
        return
    behind = found["behind"]
    state = "up to date" if not behind else f"{behind:,} changed works not yet in it"
    out.print(
        f"{archive.location}: search index of {found['works']:,} works, {state}: {found['folder']}",
        highlight=False,
    )


@search_index.command()
@archive_option
@reports_errors
def drop(location: str | None) -> None:
    """Stop keeping the index and delete it (SQLite ranks every search)."""
    archive = _sqlite(location)
    archive.drop_search_index()
    Console(stderr=True).print("search index dropped", highlight=False)
