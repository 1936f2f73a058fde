"""Before serving: the archive opens, can be read, and (for edits) can be written."""

from __future__ import annotations

from ficarchive.archive import Archive, SQLiteArchive

# How long the start-up check waits for another writer before calling the archive busy.
CHECK_BUSY_MS = 3000


def check_archive(location: str | None, *, writable: bool) -> SQLiteArchive:
    """The archive, opened and read once; raises `ArchiveUnavailable` with one line if not.

    A write check (the backend's `check_writable`: on SQLite a quick check of the file
    and ``BEGIN IMMEDIATE``, rolled back) is made only when edits are allowed.
    """
    archive = Archive.open(location, create=False)
    archive.count()
    if writable:
        archive.check_writable(CHECK_BUSY_MS)
    return archive
