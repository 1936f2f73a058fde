"""``ficarchive review``: the works whose rescue is least sure, for an archivist to check."""

from __future__ import annotations

import click
from rich.console import Console
from rich.table import Table

from ficarchive.cli.archive import archive_option, open_archive, reports_errors
from ficarchive.errors import DamagedWork
from ficarchive.review import REVIEW_BELOW, review_order


@click.command()
@archive_option
@click.option(
    "--below",
    type=click.FloatRange(0, 1),
    default=REVIEW_BELOW,
    show_default=True,
    help="List fields rescue is less sure of than this probability.",
)
@click.option("--limit", type=click.IntRange(1), default=50, show_default=True)
@reports_errors
def review(location: str | None, below: float, limit: int) -> None:
    """List the works with a field rescue is unsure of, least sure first.

    Every rescued work carries how sure rescue is of its title, authors, where the story
    starts and ends, and each scene break and chapter (a calibrated probability); check
    these few instead of every work. `ficarchive show ID` shows one, `ficarchive edit`
    corrects it.
    """
    archive = open_archive(location, check=True)
    damaged: list[DamagedWork] = []
    stored = ((s.id, s.work) for s in archive.works(sort="id", on_damaged=damaged.append))
    listed = review_order(stored, below)
    out = Console()
    if not listed:
        out.print(f"No work has a field rescue is less than {100 * below:.0f}% sure of.")
        return
    table = Table("id", "title", "authors", "unsure of")
    for key, work, found in listed[:limit]:
        table.add_row(
            str(key),
            work.title or "(untitled)",
            ", ".join(work.authors) or "(none found)",
            "; ".join(str(d) for d in found),
        )
    out.print(table)
    more = len(listed) - limit
    tail = f" ({more} more: --limit {len(listed)})" if more > 0 else ""
    noun = "work" if len(listed) == 1 else "works"
    out.print(f"{len(listed)} {noun} to review{tail}.", highlight=False)
