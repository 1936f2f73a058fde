"""`load`: the Works of a bulk output into an archive, a part at a time.

Rows are read in Parquet batches (memory: one batch), turned back into Works with
`ficarchive.archive.validate.read_work` (a row that is not a valid Work is reported,
not loaded) and added with ``Archive.add_work`` together with their original bytes
(one file as it was; the files of a joined work as one zip, `pack`), `LOAD_BATCH` at a
time in one archive transaction (``Archive.batch``). Once the archive has committed them they are
noted in the output's plan (per archive location), so a load that stops goes on where
it stopped and loading the same output twice adds nothing; a batch interrupted between
the two is added again, and the archive knows the Works by their source hash.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any, NamedTuple

import pyarrow.parquet as pq

from ficarchive.bulk.output import Output
from ficarchive.bulk.plan import Plan
from ficarchive.bulk.run import state_path
from ficarchive.errors import ArchiveUnavailable, FicarchiveError

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
    refused: tuple[str, ...] = ()  # works that could not be read or stored, one line each
    search_index: str | None = None  # what was done to the search index, in words


class Row(NamedTuple):
    key: str
    work_json: str
    files: Sequence[str]
    originals: Sequence[bytes] | None  # None: an output written before they were kept


# A zip's timestamps are fixed so that packing the same files gives the same bytes.
_EPOCH = (1980, 1, 1, 0, 0, 0)


def pack(files: Sequence[str], originals: Sequence[bytes]) -> tuple[str, bytes]:
    """The name and bytes the archive keeps for a work's original files: the file itself,
    or for a work joined from several files a zip of them named as they were."""
    first = posixpath.basename(files[0])
    if len(files) == 1:
        return first, originals[0]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, data in zip(files, originals, strict=True):
            bundle.writestr(zipfile.ZipInfo(name, _EPOCH), data, zipfile.ZIP_DEFLATED)
    return f"{first.rsplit('.', 1)[0] or first}.parts.zip", buffer.getvalue()


def open_archive(location: str | None) -> Any:
    try:
        from ficarchive.archive import Archive
    except ImportError as exc:
        raise ArchiveMissing(
            f"the archive is not available in this installation ({exc}); bulk load needs "
            "ficarchive.archive"
        ) from None
    return Archive.open(location)


def finished_output(out_location: str) -> Output:
    """The bulk output at `out_location`; `NotAnOutput` unless its run finished."""
    output = Output(out_location)
    if not output.fs.exists(output.path("_SUCCESS")):
        raise NotAnOutput(
            f"{out_location}: no finished bulk output here (no _SUCCESS); run `ficarchive "
            f"bulk rescue SOURCE --out {out_location}` to the end first (`ficarchive bulk "
            f"status {out_location}` says how far it got)"
        )
    return output


def load(
    out_location: str,
    archive_location: str | None,
    progress: Callable[[int, int], None] | None = None,
) -> LoadSummary:
    """Add every Work of the bulk output at `out_location` to the archive."""
    output = finished_output(out_location)
    total = output.count_rows("works")
    archive = open_archive(archive_location)
    journal = Plan(state_path(output))
    where = archive_location or "(the default archive)"
    added = unchanged = 0
    refused: list[str] = []
    try:
        archive.check_writable()  # damaged, read-only or busy: said before anything is read
        for batch in _batches(output):
            todo = [row for row in batch if not journal.loaded(where, row.key)]
            unchanged += len(batch) - len(todo)
            statuses = _add(
                archive, todo, lambda keys: journal.mark_loaded(where, keys), refused.append
            )
            added += statuses.count("added")
            unchanged += statuses.count("unchanged")
            if progress is not None:
                progress(len(batch), total)
        from ficarchive.archive.search_index import refresh_after_adding  # as open_archive

        indexed = refresh_after_adding(archive)
    finally:
        archive.close()
        journal.close()
    return LoadSummary(added, unchanged, tuple(refused), indexed)


def _batches(output: Output) -> Iterator[list[Row]]:
    """The rows of every part, `LOAD_BATCH` at a time (an output written before originals
    were kept has no ``originals`` column: its works are loaded without them)."""
    for name in output.parts("works"):
        with output.fs.open(output.path("works", name), "rb") as handle:
            parquet = pq.ParquetFile(handle)
            columns = [c for c in Row._fields if c in parquet.schema_arrow.names]
            for batch in parquet.iter_batches(LOAD_BATCH, columns=columns):
                values = batch.to_pydict()
                if "originals" not in values:
                    values["originals"] = [None] * batch.num_rows
                yield [Row(*row) for row in zip(*(values[c] for c in Row._fields), strict=True)]


def _add(
    archive: Any,
    todo: list[Row],
    note: Callable[[list[str]], None],
    refuse: Callable[[str], None],
) -> list[str]:
    """Add Works in one archive transaction where the archive offers one (``batch``), then
    `note` the keys the archive committed (on an error too: the batch commits what it
    added before the error). A row whose Work cannot be read, or that the archive
    refuses, is given to `refuse` (status ``refused``) and the rest go on."""
    batch = getattr(archive, "batch", None)
    statuses: list[str] = []
    try:
        with batch(len(todo) + 1) if batch is not None else nullcontext():
            for row in todo:
                statuses.append(_add_row(archive, row, refuse))
    finally:
        note([row.key for row in todo[: len(statuses)]])
    return statuses


def _add_row(archive: Any, row: Row, refuse: Callable[[str], None]) -> str:
    from ficarchive.archive.validate import read_work  # with the archive (see open_archive)

    try:
        work = read_work(row.work_json, row.key)
        if row.originals is None:
            return str(archive.add_work(work).status)
        name, data = pack(row.files, row.originals)
        return str(archive.add_work(work, data, source_name=name).status)
    except ArchiveUnavailable:
        raise  # the archive itself: nothing more can be loaded
    except FicarchiveError as exc:
        refuse(str(exc))
        return "refused"
