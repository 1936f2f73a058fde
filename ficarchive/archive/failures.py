"""A database driver's error as one of ours: one line saying what is wrong and what to try.

Both backends call these at the edge of every statement, so no `sqlite3.Error` or
`psycopg.Error` ever reaches a command or a page. The kinds that matter to a user get
their own class: damaged (`ArchiveDamaged`, naming ``ficarchive check``), read-only
(`ArchiveReadOnly`), disk full (`ArchiveFull`), busy or unreachable
(`ArchiveUnavailable`).
"""

from __future__ import annotations

from typing import Any

from ficarchive.errors import ArchiveDamaged, ArchiveFull, ArchiveReadOnly, ArchiveUnavailable

# What SQLite says (in its messages) for each kind of failure.
_SQLITE_DAMAGED = ("malformed", "not a database", "corrupt", "database disk image")
_SQLITE_READ_ONLY = ("readonly", "read-only", "read only")
_SQLITE_BUSY = ("locked", "busy")
_SQLITE_FULL = ("database or disk is full", "disk is full", "no space")


# Longest detail from the database quoted in a message, in characters.
DETAIL_CHARS = 160


def _one_line(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= DETAIL_CHARS else flat[: DETAIL_CHARS - 1] + "…"


def damaged(location: str, detail: str) -> ArchiveDamaged:
    detail = _one_line(detail)
    return ArchiveDamaged(
        f"archive {location} is damaged ({detail}); nothing more is written to it: "
        f"`ficarchive check {location}` says what can still be read, and "
        f"`ficarchive check {location} --salvage NEW` copies it to a new archive"
    )


def read_only(
    location: str, why: str = "the file or its folder cannot be written"
) -> ArchiveReadOnly:
    return ArchiveReadOnly(
        f"archive {location} is read-only ({why}): it can be read and served, not "
        "changed; check its permissions, or copy it somewhere writable"
    )


def full(location: str) -> ArchiveFull:
    return ArchiveFull(
        f"archive {location}: disk full, the change was not saved; free some space on the "
        "disk that holds the archive (or move it) and run the command again"
    )


def sqlite_error(location: str, exc: Exception) -> ArchiveUnavailable:
    """The error for a `sqlite3.Error` raised while using the archive at `location`."""
    text = str(exc)
    lowered = text.lower()
    if "not a database" in lowered:
        return ArchiveDamaged(
            f"archive {location} is not a ficarchive archive (the file is not a readable "
            "SQLite database); check the path, or if it was an archive, "
            f"`ficarchive check {location}` says what can be read"
        )
    if any(words in lowered for words in _SQLITE_DAMAGED):
        return damaged(location, text)
    if any(words in lowered for words in _SQLITE_FULL):
        return full(location)
    if any(words in lowered for words in _SQLITE_READ_ONLY):
        return read_only(location)
    if any(words in lowered for words in _SQLITE_BUSY):
        return ArchiveUnavailable(
            f"archive {location} is busy: another ficarchive is writing to it; try again "
            "in a moment"
        )
    if "unable to open" in lowered:
        return ArchiveUnavailable(
            f"archive {location} cannot be opened; check that the folder exists and can be "
            "written to"
        )
    return ArchiveUnavailable(
        f"archive {location} cannot be used ({_one_line(text)}); check the file"
    )


def postgres_error(location: str, exc: Any) -> ArchiveUnavailable:
    """The error for a `psycopg.Error` raised while using the archive at `location`."""
    import psycopg

    text = " ".join(str(exc).split())
    lowered = text.lower()
    errors = psycopg.errors
    if isinstance(exc, errors.DiskFull):
        return full(location)
    if isinstance(exc, errors.ReadOnlySqlTransaction):
        return read_only(location, "the server takes no writes (a standby, or read-only)")
    if isinstance(exc, errors.DataCorrupted | errors.IndexCorrupted):
        return damaged(location, text)
    if "refused" in lowered or "timeout" in lowered or "no such file" in lowered:
        why, advice = "cannot be reached (is the server running?)", "start PostgreSQL"
    elif "resolve host" in lowered or "connection option" in lowered or "dsn" in lowered:
        why, advice = "is not a usable address", "check the postgresql:// URL"
    elif "authentication" in lowered or ("role" in lowered and "does not exist" in lowered):
        why, advice = "refused the login", "check the user name and password in the URL"
    elif "database" in lowered and "does not exist" in lowered:
        why, advice = "names a database that does not exist", "create it with createdb"
    elif isinstance(exc, errors.InsufficientPrivilege):
        why, advice = (
            "refused: permission denied (read-only for this user)",
            "grant the user rights on the database",
        )
    else:
        why, advice = f"cannot be used ({text})", "check the server and the URL"
    return ArchiveUnavailable(f"archive {location} {why}; {advice}")
