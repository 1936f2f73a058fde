"""Adding many stories: rescue on every core, store from one writer, skip what is stored.

Rescue is the costly part and runs in worker processes (with the searchable text and
fingerprint of each Work, so the writer only writes); the archive is written by the
calling process alone (SQLite has one writer at a time). A file whose bytes are
already stored is skipped before it is rescued, so an interrupted ``add`` picks up where
it stopped when it is run again.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path

from ficarchive.archive.model import AddResult
from ficarchive.archive.records import Prepared
from ficarchive.archive.sqlite import SQLiteArchive
from ficarchive.errors import FicarchiveError
from ficarchive.files import StoryFile, read_story
from ficarchive.rescue import rescue
from ficarchive.work import Work

# Files in flight at once per worker: enough to keep every core busy, few enough that
# memory stays bounded however many files there are.
IN_FLIGHT_PER_WORKER = 4


@dataclass(frozen=True)
class Outcome:
    name: str
    result: AddResult | None = None
    error: str | None = None


def _rescue_file(story: StoryFile) -> tuple[Work, bytes, Prepared]:
    """In a worker: the rescue, and the searchable text and fingerprint the archive needs."""
    work, data = rescue_story(story)
    return work, data, Prepared.of(work)


def rescue_story(story: StoryFile) -> tuple[Work, bytes]:
    """The Work of one input and the original bytes to keep: a file's own, or for a page
    of a web archive (`ficarchive.bulk.captured.CapturedPage`) its capture's."""
    captured = getattr(story, "rescue", None)
    if captured is not None:
        found: tuple[Work, bytes] = captured()
        return found
    assert story.path is not None
    data = read_story(story.path)
    return rescue(data, story.relative.name), data


def _known(archive: SQLiteArchive, path: Path) -> AddResult | None:
    """The stored work with these exact bytes, if any (read and hash, no rescue)."""
    try:
        digest = hashlib.sha256(read_story(path)).hexdigest()
    except FicarchiveError:
        return None
    work_id = archive.find_by_sha256(digest)
    return AddResult(work_id, "unchanged") if work_id is not None else None


def add_files(
    archive: SQLiteArchive,
    files: Iterable[StoryFile],
    *,
    jobs: int | None = None,
    progress: Callable[[Outcome], None] | None = None,
) -> Iterator[Outcome]:
    """Add every file; yields one Outcome a file, in the order they finish."""
    workers = jobs or os.cpu_count() or 1
    if workers == 1:
        for story in files:
            outcome = _add_one(archive, story)
            if progress:
                progress(outcome)
            yield outcome
        return
    with ProcessPoolExecutor(max_workers=workers) as pool, _batched(archive):
        pending: dict[Future[tuple[Work, bytes, Prepared]], StoryFile] = {}
        for story in files:
            known = _known(archive, story.path) if story.path else None
            if known is not None:
                yield _report(Outcome(story.name, known), progress)
                continue
            pending[pool.submit(_rescue_file, story)] = story
            if len(pending) >= workers * IN_FLIGHT_PER_WORKER:
                yield from _drain(archive, pending, progress, until=workers)
        yield from _drain(archive, pending, progress, until=0)


def _batched(archive: SQLiteArchive) -> AbstractContextManager[None]:
    """The archive's batch mode where it has one (SQLite), else nothing special."""
    batch = getattr(archive, "batch", None)
    return batch() if batch is not None else nullcontext()


def _drain(
    archive: SQLiteArchive,
    pending: dict[Future[tuple[Work, bytes, Prepared]], StoryFile],
    progress: Callable[[Outcome], None] | None,
    until: int,
) -> Iterator[Outcome]:
    from concurrent.futures import FIRST_COMPLETED, wait

    while len(pending) > until:
        done, _ = wait(pending, return_when=FIRST_COMPLETED)
        for future in done:
            story = pending.pop(future)
            try:
                work, data, prepared = future.result()
                outcome = Outcome(story.name, archive.add_work(work, data, prepared=prepared))
            except FicarchiveError as exc:
                outcome = Outcome(story.name, error=str(exc))
            yield _report(outcome, progress)


def _add_one(archive: SQLiteArchive, story: StoryFile) -> Outcome:
    try:
        if story.path is None:  # a page of a web archive
            work, data = rescue_story(story)
            return Outcome(story.name, archive.add_work(work, data))
        return Outcome(story.name, archive.add(read_story(story.path), story.relative.name))
    except FicarchiveError as exc:
        return Outcome(story.name, error=str(exc))


def _report(outcome: Outcome, progress: Callable[[Outcome], None] | None) -> Outcome:
    if progress:
        progress(outcome)
    return outcome
