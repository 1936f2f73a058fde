"""`status`: where a bulk run stands, read while it runs, after a crash, or when it is done.

It reads the output's plan read-only (SQLite's WAL lets a reader beside the running
writer) and only tests the run's lock (a run starting meanwhile waits for it), counts
the rows of the parts written so far from their Parquet footers, and the report rows by
kind from their ``kind`` column alone: cheap on any size of run.
"""

from __future__ import annotations

import fcntl
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from ficarchive.bulk.output import Output
from ficarchive.bulk.run import state_path
from ficarchive.errors import FicarchiveError


class NoBulkRun(FicarchiveError):
    """The folder given holds no bulk run."""

    exit_code = 2


@dataclass(frozen=True)
class Status:
    source: str
    files: int
    stories: int
    done: int
    works: int
    parts: int
    report: dict[str, int]
    runs: int
    running: str | None  # what holds the run's lock ("process 123"), None when none does
    finished: bool
    loaded: dict[str, int] = field(default_factory=dict)  # archive -> works loaded

    @property
    def pending(self) -> int:
        return self.stories - self.done


def status(out_location: str) -> Status:
    """The state of the bulk run whose output is `out_location`.

    Raises `NoBulkRun` where no bulk run was ever started."""
    output = Output(out_location)
    path = state_path(output)
    if not path.is_file():
        raise NoBulkRun(
            f"{out_location}: no bulk run here; start one with "
            f"`ficarchive bulk rescue SOURCE --out {out_location}`"
        )
    try:
        db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
        try:
            counts = _plan_counts(db)
            loaded = dict(db.execute("SELECT archive, count(*) FROM loaded GROUP BY archive"))
        finally:
            db.close()
    except sqlite3.DatabaseError as exc:
        raise NoBulkRun(f"{path}: not a bulk plan that can be read ({exc})") from None
    report: dict[str, int] = {}
    for batch in output.batches("report", columns=["kind"]):
        for kind in batch.column("kind").to_pylist():
            report[kind] = report.get(kind, 0) + 1
    return Status(
        source=counts["source"] or "?",
        files=int(counts["files"] or 0),
        stories=int(counts["stories"] or 0),
        done=int(counts["done"] or 0),
        works=output.count_rows("works"),
        parts=len(output.parts("works")),
        report=report,
        runs=int(counts["runs"] or 0),
        running=_holder(path.with_name(path.name + ".lock")),
        finished=output.fs.exists(output.path("_SUCCESS")),
        loaded=loaded,
    )


def _plan_counts(db: sqlite3.Connection) -> dict[str, str]:
    def one(sql: str) -> str:
        row = db.execute(sql).fetchone()
        return "" if row is None or row[0] is None else str(row[0])

    return {
        "source": one("SELECT v FROM meta WHERE k = 'source'"),
        "runs": one("SELECT v FROM meta WHERE k = 'runs'"),
        "files": one("SELECT count(*) FROM files"),
        "stories": one("SELECT count(*) FROM groups"),
        "done": one("SELECT count(*) FROM done"),
    }


def _holder(lock: Path) -> str | None:
    """Who holds the run's lock (the plan writes its process into the lock file)."""
    if not lock.exists():
        return None
    with lock.open("r") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            return handle.read().strip() or "another process"
        fcntl.flock(handle, fcntl.LOCK_UN)
    return None
