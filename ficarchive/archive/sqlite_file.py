"""The SQLite file itself: whether it may be written, and connections to it.

A connection for writing waits `busy_ms` for other writers and, on a file made now,
puts it in WAL mode (so readers never wait on a writer); an existing file keeps the
mode it has, since setting one writes to it. A read-only connection (``mode=ro``) never
writes; an ``immutable`` one is for a read-only write-ahead-logged file with no
shared-memory file beside it and none that can be made (a read-only disk).
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Literal
from urllib.parse import quote

# SQLite's file header: the byte giving the file format's write version; a version
# above 2 means SQLite may read the file and not write it.
WRITE_VERSION_AT = 18
HEADER = b"SQLite format 3\0"

Mode = Literal["read-only", "immutable"] | None


def writable(path: Path) -> bool:
    """Whether this process may write the archive file and the folder it is in (where
    SQLite keeps its write-ahead log); a file not made yet needs only its folder."""
    folder = path.parent if str(path.parent) else Path(".")
    if path.exists():
        if not os.access(path, os.W_OK):
            return False
        try:
            with path.open("rb") as file:
                header = file.read(WRITE_VERSION_AT + 1)
        except OSError:
            return False
        if header.startswith(HEADER) and header[WRITE_VERSION_AT] > 2:
            return False
    return os.access(folder, os.W_OK) if folder.exists() else True


def connect(path: str, mode: Mode, *, wal: bool, busy_ms: int) -> sqlite3.Connection:
    """A connection to the archive at `path` (``:memory:`` too), rows as `sqlite3.Row`,
    foreign keys on; `mode` None for reading and writing."""
    if mode is not None:
        query = "immutable=1" if mode == "immutable" else "mode=ro"
        conn = sqlite3.connect(f"file:{quote(os.path.abspath(path))}?{query}", uri=True)
    else:
        conn = sqlite3.connect(path, timeout=busy_ms / 1000, check_same_thread=path != ":memory:")
    try:
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute(f"PRAGMA busy_timeout = {busy_ms}")
        if path != ":memory:" and mode is None:
            if wal:
                conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
    except BaseException:
        conn.close()
        raise
    return conn
