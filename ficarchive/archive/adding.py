"""Adding many stories: rescue in supervised workers, store from one writer, skip what is
stored, go on past any file.

Rescue is the costly part, and the part a hostile file can break: it runs in worker
processes supervised by `ficarchive.workers` (with the searchable text and fingerprint
of each Work, so the writer only writes). Whatever a file does to its worker (a Python
error, a MemoryError, a rescue that never returns, a crash that kills the process) is
one failure line for that file, and the rest are added: a file past its time limit is
reported and its worker replaced, a worker that dies is replaced and its file tried
once more. The archive is written by the calling process alone, in batches committed
whenever it waits on the workers. A file whose bytes are already stored is skipped
before it is rescued, so an interrupted ``add`` picks up where it stopped when run
again, and a file that failed fails fast the next time too (it is never stored).
"""

from __future__ import annotations

import hashlib
import stat
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from ficarchive.archive.model import AddResult
from ficarchive.archive.records import Prepared, keyed
from ficarchive.archive.sqlite import SQLiteArchive
from ficarchive.archive.validate import check_work
from ficarchive.errors import ArchiveUnavailable, FicarchiveError
from ficarchive.files import StoryFile, read_story, read_stream, shown
from ficarchive.rescue import rescue
from ficarchive.review import doubts
from ficarchive.work import Work
from ficarchive.workers import TIMEOUT_PER_FILE, Lost, Supervisor, Worker, default_jobs

# Longest error message kept for one file, in characters (an exception can carry a story).
MESSAGE_CHARS = 300

Reader = Callable[[Path], bytes]


@dataclass(frozen=True)
class Outcome:
    """What became of one file: added or already there (`result`), or why not (`error`)."""

    name: str
    result: AddResult | None = None
    error: str | None = None
    doubts: int = 0  # fields rescue is unsure of (see ficarchive.review), for a work added


@dataclass(frozen=True)
class FileTask:
    """One file for a worker: its path (or its bytes, read from standard input; or a
    page of a web archive, which rescues itself), the name the rescue sees, and the name
    the report gives."""

    index: int
    path: str | None
    name: str
    label: str
    data: bytes | None = None
    page: StoryFile | None = None


@dataclass(frozen=True)
class Rescued:
    """A worker's answer: the Work ready to store, or why there is none."""

    index: int
    work: Work | None = None
    data: bytes | None = None
    prepared: Prepared | None = None
    digest: str | None = None
    error: str | None = None


def one_line(text: str) -> str:
    """An error as one line of at most `MESSAGE_CHARS`."""
    flat = " ".join(text.split())
    return flat if len(flat) <= MESSAGE_CHARS else flat[: MESSAGE_CHARS - 1] + "…"


def rescues_itself(story: StoryFile) -> bool:
    """Whether `story` is a page of a web archive (`ficarchive.bulk.captured.CapturedPage`),
    which gives its own Work and original bytes."""
    return callable(getattr(story, "rescue", None))


def rescue_story(story: StoryFile) -> tuple[Work, bytes]:
    """The Work of a page of a web archive and the original bytes to keep: its capture's
    (the seam `ficarchive.bulk.captured.CapturedPage.rescue` answers)."""
    found: tuple[Work, bytes] = story.rescue()  # type: ignore[attr-defined]
    return found


def rescue_file(task: FileTask, read: Reader) -> Rescued:
    """Read, rescue and prepare one file; never raises (an error is the answer)."""
    try:
        digest: str | None = None
        if task.page is not None:  # known by its capture's hash, kept with every capture
            work, data = rescue_story(task.page)
        else:
            data = task.data if task.data is not None else read(Path(task.path or ""))
            digest = hashlib.sha256(data).hexdigest()
            work = keyed(rescue(data, task.name), digest, len(data))
        check_work(work, task.label)
        return Rescued(task.index, work, data, Prepared.of(work), digest)
    except FicarchiveError as exc:
        # every failure line names the file as the user gave it (rescue knows only its name;
        # reading it names it too, a long path shortened to keep the line whole)
        reason = str(exc)
        if not reason.startswith((task.label, f"{shown(task.label)}: ")):
            reason = f"{task.label}: {reason.removeprefix(f'{task.name}: ')}"
    except MemoryError:
        reason = f"{task.label}: ran out of memory while rescuing it; skipped"
    except RecursionError:
        reason = f"{task.label}: nested too deeply to rescue; skipped"
    except Exception as exc:  # a bug in rescue: one line for this file, the rest go on
        reason = f"{task.label}: the rescue failed ({type(exc).__name__}: {exc}); skipped"
    return Rescued(task.index, error=one_line(reason))


def _work(conn: Connection, read: Reader, serial: int) -> None:
    """A worker: tasks in, `Rescued` out, until told None or the parent is gone."""
    while True:
        try:
            task = conn.recv()
        except EOFError:
            return
        if task is None:
            return
        answer = rescue_file(task, read)
        try:
            conn.send(answer)
        except Exception as exc:  # the Work would not pickle, or is too big to send
            reason = f"{task.label}: the rescued work could not be passed on ({exc}); skipped"
            conn.send(Rescued(task.index, error=one_line(reason)))


class _Pool(Supervisor[FileTask, Rescued]):
    def __init__(self, archive: SQLiteArchive, jobs: int, timeout: float, read: Reader) -> None:
        self.archive = archive
        super().__init__(
            _work,
            read,
            jobs,
            time_limit=lambda task: timeout,
            key=lambda task: task.index,
            preload=["ficarchive.rescue", "ficarchive.archive.records"],
        )

    def receive(self, worker: Worker[FileTask], message: Rescued) -> Rescued:
        self.finished(worker)
        return message

    def lost(self, task: FileTask, kind: Lost, reason: str) -> Rescued:
        return Rescued(task.index, error=f"{task.label}: {reason}; skipped")

    def waiting(self) -> None:
        flush = getattr(self.archive, "flush", None)
        if flush is not None:
            flush()


def add_files(
    archive: SQLiteArchive,
    files: Iterable[StoryFile],
    *,
    jobs: int | None = None,
    timeout: float = TIMEOUT_PER_FILE,
    progress: Callable[[Outcome], None] | None = None,
    read: Reader = read_story,
) -> Iterator[Outcome]:
    """Add every file; yields one Outcome a file, in the order they finish. Only the
    archive itself failing (`ArchiveUnavailable`: damaged, full, read-only) stops it.

    `read` reads a file's bytes (tests give one that hangs or crashes on purpose)."""
    stories: dict[int, StoryFile] = {}
    early: list[Outcome] = []  # known (or unreadable) before any rescue
    pool = _Pool(archive, jobs or default_jobs(), timeout, read)
    try:
        with _batched(archive):
            for answer in pool.run(_tasks(archive, files, stories, early)):
                yield from _drain(early, progress)
                yield _report(_store(archive, stories.pop(answer.index), answer), progress)
            yield from _drain(early, progress)
    finally:
        pool.close(seconds=0)  # workers hold nothing: whatever they were doing is redone


def _drain(early: list[Outcome], progress: Callable[[Outcome], None] | None) -> Iterator[Outcome]:
    while early:
        yield _report(early.pop(0), progress)


def _tasks(
    archive: SQLiteArchive,
    files: Iterable[StoryFile],
    stories: dict[int, StoryFile],
    early: list[Outcome],
) -> Iterator[FileTask]:
    """The files to rescue; those already stored go to `early`, not to a worker."""
    for index, story in enumerate(files):
        if rescues_itself(story):  # a page of a web archive: its worker reads the capture
            stories[index] = story
            yield FileTask(index, None, story.relative.name, story.name, page=story)
            continue
        data = None
        if story.path is None:
            try:
                data = read_stream()
            except FicarchiveError as exc:
                early.append(Outcome(story.name, error=str(exc)))
                continue
            except (OSError, ValueError) as exc:  # closed, or not readable
                early.append(Outcome(story.name, error=f"<stdin>: cannot be read ({exc})"))
                continue
        known = _known(archive, story.path, data)
        if known is not None:
            early.append(Outcome(story.name, known))
            continue
        stories[index] = story
        path = str(story.path) if story.path is not None else None
        yield FileTask(index, path, story.relative.name, story.name, data)


def _known(archive: SQLiteArchive, path: Path | None, data: bytes | None) -> AddResult | None:
    """The stored work with these exact bytes, if any (read and hash, no rescue). Only
    regular files are read here: anything else (a FIFO, a device) goes to a worker,
    whose time limit holds if it never answers."""
    if data is None:
        try:
            if path is None or not stat.S_ISREG(path.stat().st_mode):
                return None
            data = read_story(path)
        except (OSError, FicarchiveError):
            return None
    work_id = archive.find_by_sha256(hashlib.sha256(data).hexdigest())
    return AddResult(work_id, "unchanged") if work_id is not None else None


def _store(archive: SQLiteArchive, story: StoryFile, answer: Rescued) -> Outcome:
    if answer.work is None:
        return Outcome(story.name, error=answer.error or f"{story.name}: not rescued")
    try:
        result = archive.add_work(
            answer.work, answer.data, prepared=answer.prepared, sha256=answer.digest
        )
    except ArchiveUnavailable:
        raise  # the archive itself: nothing more can be added
    except FicarchiveError as exc:
        return Outcome(story.name, error=one_line(str(exc)))
    return Outcome(story.name, result, doubts=len(doubts(answer.work)))


def _batched(archive: SQLiteArchive) -> AbstractContextManager[Any]:
    """The archive's batch mode where it has one (SQLite), else nothing special."""
    batch = getattr(archive, "batch", None)
    return batch() if batch is not None else nullcontext()


def _report(outcome: Outcome, progress: Callable[[Outcome], None] | None) -> Outcome:
    if progress:
        progress(outcome)
    return outcome
