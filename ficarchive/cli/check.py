"""``ficarchive check``: the archive's integrity, and a salvage of what still reads."""

from __future__ import annotations

import sys

import click
from rich.console import Console

from ficarchive.archive import ENV, default_location
from ficarchive.archive.integrity import CheckReport, check
from ficarchive.archive.salvage import SalvageReport, salvage
from ficarchive.cli.archive import reports_errors


@click.command(name="check")
@click.argument("location", metavar="[ARCHIVE]", required=False, envvar=ENV)
@click.option(
    "--salvage",
    "new_location",
    metavar="NEW",
    help="Copy every work that can be read (with its original, its Work as rescued and "
    "as edited, and its history) into a new archive NEW: a path that does not exist yet, "
    "or an empty postgresql:// database.",
)
@reports_errors
def check_command(location: str | None, new_location: str | None) -> None:
    """Check an archive: its file, its search index, every work, every original's hash.

    ARCHIVE is an SQLite file (opened read-only: nothing is written to it) or a
    postgresql:// URL (default: $FICARCHIVE_ARCHIVE, else the default archive). Exits 0
    when nothing is wrong, 1 when something is (each problem is one line).
    """
    where = location or default_location()
    err = Console(stderr=True)
    err.print(f"checking {where} …", highlight=False)
    report = check(where)
    _print_check(report)
    if new_location is not None:
        err.print(f"salvaging into {new_location} …", highlight=False)
        _print_salvage(salvage(where, new_location))
    if not report.sound:
        sys.exit(1)


def _print_check(report: CheckReport) -> None:
    out = Console(soft_wrap=True)
    out.print(
        f"{report.location}: {report.works} works, {report.readable} readable, "
        f"{report.originals} originals match their hash",
        highlight=False,
    )
    if report.sound:
        out.print("nothing is wrong", highlight=False)
    else:
        out.print(f"{len(report.problems)} problems:", highlight=False)
        for problem in report.problems:
            out.print(f"  {problem.part}: {problem.message}", highlight=False)
    for note in report.notes:
        out.print(f"  note: {note}", highlight=False)


def _print_salvage(report: SalvageReport) -> None:
    out = Console(soft_wrap=True)
    out.print(
        f"salvaged {report.copied} of {report.found} works into {report.new_location} "
        f"({report.originals} originals, {report.edits} edits)",
        highlight=False,
    )
    if report.lost:
        out.print(f"not copied ({len(report.lost)}):", highlight=False)
        for line in report.lost:
            out.print(f"  {line}", highlight=False)
