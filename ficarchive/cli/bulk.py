"""``ficarchive bulk``: a whole site mirror rescued to Parquet, and loaded into an archive.

Library errors (`FicarchiveError`) become one line and their exit code here. Ctrl-C
keeps every finished Work and exits 130; the same command again goes on from there.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from ficarchive.cli.archive import archive_option
from ficarchive.errors import FicarchiveError

if TYPE_CHECKING:  # the bulk modules import pyarrow: only the bulk commands pay for it
    from ficarchive.bulk.status import Status


def _fail(message: str, code: int) -> None:
    Console(stderr=True).print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    sys.exit(code)


@contextmanager
def _progress(
    label: str, unit: str, quiet: bool, first: str | None = None
) -> Iterator[Callable[[int, int], None] | None]:
    """A rich progress bar (on stderr) with count, rate and ETA; a callback to advance it.

    Until the first call the bar says `first` (listing and planning a big source takes a
    while before the count of stories is known).
    """
    if quiet:
        yield None
        return
    bar = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=False,
    )
    task = bar.add_task(first or label, total=None, rate="")

    def advance(n: int, total: int) -> None:
        bar.update(task, description=label, total=total, advance=n)
        speed = bar.tasks[0].speed
        bar.update(task, rate=f"{speed:.1f} {unit}/s" if speed else "")

    with bar:
        yield advance


@click.group()
def bulk() -> None:
    """Whole archives at scale: rescue a site mirror on every core or a Dask cluster."""


@bulk.command("rescue")
@click.argument("source")
@click.option(
    "--out",
    "out",
    required=True,
    metavar="FOLDER|URL",
    help="Where the Parquet output goes: a folder or an fsspec URL (s3://…).",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(1),
    help="Worker processes (local) or LocalCluster workers (dask); default: every core.",
)
@click.option(
    "--engine",
    type=click.Choice(["local", "dask"]),
    default="local",
    show_default=True,
    help="local: processes on this machine; dask: a Dask LocalCluster, or --scheduler.",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    help="A running Dask scheduler (tcp://head:8786); implies --engine dask.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=120.0,
    show_default=True,
    help="Seconds a file may take before it is reported and skipped.",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
def rescue_command(
    source: str,
    out: str,
    jobs: int | None,
    engine: str,
    scheduler: str | None,
    timeout: float,
    quiet: bool,
) -> None:
    """Rescue every story of SOURCE: a folder, .zip, .tar(.gz), web archive or URL.

    A web archive is a .warc(.gz), .arc(.gz) or .wacz file, or a folder of them: each
    captured page is a file at its URL's path. SOURCE may be any fsspec URL
    (s3://bucket/dump/). Pages of one story are joined into one Work. Writes
    OUT/works/*.parquet (one row a Work), OUT/report/*.parquet and OUT/report.csv (files
    that failed, timed out, crashed, or are missing parts), OUT/review.csv (works with a
    field rescue is unsure of, least sure first), then OUT/_SUCCESS. Run it again after
    a crash or Ctrl-C to go on where it stopped.
    """
    from ficarchive.bulk import bulk_rescue, open_source

    try:
        open_source(source)  # before the progress bar: a mistake is one line
        with _progress("rescuing", "stories", quiet, "listing and planning") as advance:
            summary = bulk_rescue(
                source, out, jobs=jobs, engine=engine, scheduler=scheduler,
                timeout=timeout, progress=advance,
            )  # fmt: skip
    except FicarchiveError as exc:
        _fail(str(exc), exc.exit_code)
    except KeyboardInterrupt:
        Console(stderr=True).print(
            "interrupted: finished works are saved; run the same command again to go on"
        )
        sys.exit(130)
    from ficarchive.bulk.status import status

    kinds = _kinds(status(out).report)
    earlier = (
        f", {_count(summary.done_before, 'story', 'stories')} done by an earlier run"
        if (summary.done_before)
        else ""
    )
    click.echo(
        f"{_count(summary.files, 'file')}: {_count(summary.works, 'work')} in "
        f"{summary.seconds:.1f} s{earlier}; report: {kinds} (see {out.rstrip('/')}/report.csv)"
    )
    if summary.to_review:
        click.echo(
            f"{_count(summary.to_review, 'work')} with a field rescue is unsure of, least sure "
            f"first: {out.rstrip('/')}/review.csv"
        )


@bulk.command("load")
@click.argument("out")
@archive_option
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
def load_command(out: str, location: str | None, quiet: bool) -> None:
    """Add every Work of the bulk output OUT to the archive.

    Works are read a Parquet batch at a time; each one added is noted, so a load that
    stops goes on where it stopped, and loading the same output again adds nothing.
    """
    from ficarchive.bulk.load import finished_output, load

    try:
        finished_output(out)  # before the progress bar: a mistake is one line
        with _progress("loading", "works", quiet) as advance:
            summary = load(out, location, advance)
    except FicarchiveError as exc:
        _fail(str(exc), exc.exit_code)
    click.echo(f"{summary.added} works added, {summary.unchanged} already in the archive")
    if summary.search_index:
        click.echo(summary.search_index, err=True)
    for line in summary.refused:
        click.echo(f"  not loaded: {line}", err=True)
    if summary.refused:
        _fail(f"{len(summary.refused)} works could not be loaded (listed above)", 1)


@bulk.command("status")
@click.argument("out")
def status_command(out: str) -> None:
    """Where the bulk run writing to OUT stands: running, stopped or finished.

    Safe to run while the run goes on: it reads the run's plan and the parts written so
    far, and only tests the run's lock.
    """
    from ficarchive.bulk.status import status

    try:
        state = status(out)
    except FicarchiveError as exc:
        _fail(str(exc), exc.exit_code)
    click.echo(render_status(state, out))


def _count(n: int, one: str, many: str | None = None) -> str:
    """``1 work``, ``2 works``, ``1 story``, ``12,000 stories``."""
    return f"{n:,} {one if n == 1 else many or one + 's'}"


def _kinds(report: dict[str, int]) -> str:
    return ", ".join(f"{kind} {n:,}" for kind, n in sorted(report.items())) or "nothing"


def render_status(state: Status, out: str) -> str:
    share = f" ({100 * state.done / state.stories:.0f} %)" if state.stories else ""
    report = _kinds(state.report)
    if state.finished:
        where = "finished"
    elif state.running:
        where = f"running ({state.running})"
    else:
        where = "stopped before the end: run the same `bulk rescue` command to go on"
    lines = [
        f"{state.source} -> {out}",
        f"  state    {where}; {_count(state.runs, 'run')} so far",
        f"  source   {_count(state.files, 'file')}, {_count(state.stories, 'story', 'stories')}",
        f"  done     {_count(state.done, 'story', 'stories')}{share}, {state.pending:,} to go",
        f"  output   {_count(state.works, 'work')} in {_count(state.parts, 'part')}",
        f"  report   {_count(sum(state.report.values()), 'row')}: {report}",
    ]
    lines += [
        f"  loaded   {_count(n, 'work')} into {archive}" for archive, n in state.loaded.items()
    ]
    return "\n".join(lines)
