"""Before serving: the archive opens, can be read, and (for edits) can be written."""

from __future__ import annotations

from ficarchive.archive import Archive, SQLiteArchive

# How long the start-up check waits for another writer before calling the archive busy.
CHECK_BUSY_MS = 3000


def check_archive(location: str | None, *, writable: bool) -> SQLiteArchive:
    """The archive, opened and read once; raises `ArchiveUnavailable` with one line if not.

    A damaged SQLite file is refused (``PRAGMA quick_check``); a write check (the
    backend's `check_writable`: ``BEGIN IMMEDIATE``, rolled back, on SQLite) is made only
    when edits are allowed.
    """
    archive = Archive.open(location, create=False)
    archive.count()
    archive.check_sound()  # a damaged file is not served: `ficarchive check` first
    if writable:
        archive.check_writable(CHECK_BUSY_MS)
    return archive
