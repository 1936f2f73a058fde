"""`load`: the Works of a bulk output into an archive, a part at a time.

Rows are read in Parquet batches (memory: one batch), turned back into Works with
`Work.from_json` and added with ``Archive.add_work``, `LOAD_BATCH` at a time in one
archive transaction (``Archive.batch``). Once the archive has committed them they are
noted in the output's plan (per archive location), so a load that stops goes on where
it stopped and loading the same output twice adds nothing; a batch interrupted between
the two is added again, and the archive knows the Works by their source hash.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

from ficarchive.bulk.output import Output
from ficarchive.bulk.plan import Plan
from ficarchive.bulk.run import state_path
from ficarchive.errors import FicarchiveError
from ficarchive.work import Work

# Works added to the archive in one transaction, then noted as loaded.
LOAD_BATCH = 200


class ArchiveMissing(FicarchiveError):
    """This installation has no archive to load into."""


class NotAnOutput(FicarchiveError):
    """The folder given is not a finished bulk output."""


@dataclass(frozen=True)
class LoadSummary:
    added: int
    unchanged: int


def open_archive(location: str | None) -> Any:
    try:
        from ficarchive.archive import Archive
    except ImportError as exc:
        raise ArchiveMissing(
            f"the archive is not available in this installation ({exc}); bulk load needs "
            "ficarchive.archive"
        ) from None
    return Archive.open(location)


def load(
    out_location: str,
    archive_location: str | None,
    progress: Callable[[int, int], None] | None = None,
) -> LoadSummary:
    """Add every Work of the bulk output at `out_location` to the archive."""
    output = Output(out_location)
    if not output.fs.exists(output.path("_SUCCESS")):
        raise NotAnOutput(
            f"{out_location}: no finished bulk output here (no _SUCCESS); run "
            "`ficarchive bulk rescue SOURCE --out` to completion first"
        )
    total = _count(output)
    archive = open_archive(archive_location)
    journal = Plan(state_path(output))
    where = archive_location or "(the default archive)"
    added = unchanged = 0
    try:
        for batch in output.batches("works", columns=["key", "work_json"], size=LOAD_BATCH):
            rows = zip(*(c.to_pylist() for c in batch.columns), strict=True)
            todo = [(key, text) for key, text in rows if not journal.loaded(where, key)]
            unchanged += batch.num_rows - len(todo)
            statuses = _add(archive, todo, lambda keys: journal.mark_loaded(where, keys))
            added += statuses.count("added")
            unchanged += len(statuses) - statuses.count("added")
            if progress is not None:
                progress(batch.num_rows, total)
    finally:
        archive.close()
        journal.close()
    return LoadSummary(added, unchanged)


def _add(archive: Any, todo: list[tuple[str, str]], note: Callable[[list[str]], None]) -> list[str]:
    """Add Works in one archive transaction where the archive offers one (``batch``), then
    `note` the keys the archive committed (on an error too: the batch commits what it
    added before the error)."""
    batch = getattr(archive, "batch", None)
    statuses: list[str] = []
    try:
        with batch(len(todo) + 1) if batch is not None else nullcontext():
            for _key, text in todo:
                statuses.append(archive.add_work(Work.from_json(text)).status)
    finally:
        note([key for key, _ in todo[: len(statuses)]])
    return statuses


def _count(output: Output) -> int:
    import pyarrow.parquet as pq

    total = 0
    for name in output.parts("works"):
        with output.fs.open(output.path("works", name), "rb") as handle:
            total += pq.ParquetFile(handle).metadata.num_rows
    return total
