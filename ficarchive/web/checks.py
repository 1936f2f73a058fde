"""Before serving: the archive opens, can be read, and (for edits) can be written."""

from __future__ import annotations

import sqlite3

from ficarchive.archive import Archive, SQLiteArchive
from ficarchive.errors import ArchiveUnavailable

# How long the start-up check waits for another writer before calling the archive busy.
CHECK_BUSY_MS = 3000


def check_archive(location: str | None, *, writable: bool) -> SQLiteArchive:
    """The archive, opened and read once; raises `ArchiveUnavailable` with one line if not.

    A write check (``BEGIN IMMEDIATE``, rolled back) is made only when edits are allowed.
    """
    archive = Archive.open(location, create=False)
    archive.count()
    if writable:
        conn = archive.conn
        try:
            conn.execute(f"PRAGMA busy_timeout = {CHECK_BUSY_MS}")
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("ROLLBACK")
        except sqlite3.DatabaseError as exc:
            raise _unavailable(archive, exc) from None
    return archive


def _unavailable(archive: SQLiteArchive, exc: sqlite3.Error) -> ArchiveUnavailable:
    text = str(exc)
    if "locked" in text or "busy" in text:
        why = "is busy: another program holds a lock on it; try again in a moment"
    elif "readonly" in text or "read-only" in text:
        why = "is read-only, so edits cannot be saved; serve it without --write-token"
    else:
        why = f"cannot be written ({text})"
    return ArchiveUnavailable(f"archive {archive.location} {why}")
