"""Keeping an SQLite archive's search index (`search_tantivy`): made, brought up to date,
dropped, and asked for a page of a ranked search.

The index is derived from the file: making it again gives the same answers, deleting
its folder only makes large searches slower (FTS5 answers), and nothing a search returns
depends on it but the order of the works found by relevance.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING, Any

from ficarchive.archive.search_sql import Ranker
from ficarchive.archive.search_tantivy import (
    AUTO_WORKS,
    IndexBusy,
    Ranked,
    SearchIndex,
    enabled,
)
from ficarchive.errors import ArchiveUnavailable, FicarchiveError


class SearchIndexKeeping:
    """The search index of `SQLiteArchive` (a throwaway ``:memory:`` archive has none)."""

    path: str
    _search_index: SearchIndex | None = None

    if TYPE_CHECKING:  # what SQLiteArchive gives
        read_only: bool
        damaged: str | None
        _sound: bool

        @property
        def conn(self) -> sqlite3.Connection: ...

        def _transaction(self) -> AbstractContextManager[None]: ...

        def _before_writing(self) -> None: ...

        def count(self) -> int: ...

    @property
    def search_index(self) -> SearchIndex | None:
        if self.path == ":memory:":
            return None
        if self._search_index is None:
            self._search_index = SearchIndex(self.path, self._forget_search_changes)
        return self._search_index

    def _forget_search_changes(self, conn: sqlite3.Connection, applied: int) -> None:
        """Clear the log the index holds, in a transaction of its own that waits for no
        one; only in a file already checked sound and writable (else the next sync does)."""
        if self.read_only or not self._sound or self.damaged or conn.in_transaction:
            return
        waited = int(conn.execute("PRAGMA busy_timeout").fetchone()[0])
        try:
            conn.execute("PRAGMA busy_timeout = 50")
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("DELETE FROM search_changes WHERE seq <= ?", (applied,))
            conn.execute("COMMIT")
        except sqlite3.Error:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
        finally:
            conn.execute(f"PRAGMA busy_timeout = {waited}")

    def _ranker(self) -> Ranker | None:
        index = self.search_index
        if index is None:
            return None
        index.last_engine = "fts5"  # until the index answers

        def ranked(asked: Ranked, limit: int, offset: int) -> tuple[list[int], int] | None:
            return index.ranked_ids(self.conn, asked, limit, offset)

        return ranked

    def build_search_index(self) -> int:
        """Make the index from every work (again, when one is kept); the works it holds."""
        index = self._index_or_refuse()
        self._before_writing()
        with self._transaction():
            name = enabled(self.conn) or uuid.uuid4().hex
            self.conn.execute(
                "INSERT OR IGNORE INTO meta(key, value) VALUES ('search_index', ?)", (name,)
            )
        with _index_errors(index):
            return index.build(self.conn, name)

    def sync_search_index(self, remake: bool = True) -> int:
        """Bring a kept index up to date; the works written (0: none kept, or current).
        An index that is missing or from another version is made again (`remake`)."""
        index = self.search_index
        if index is None or enabled(self.conn) is None:
            return 0
        if not index.status(self.conn).get("usable"):
            return self.build_search_index() if remake else 0
        with _index_errors(index):
            return index.sync(self.conn)

    def refresh_search_index(self, auto_works: int | None = None) -> str | None:
        """After adding: a kept index brought up to date, or one made once the archive
        holds `AUTO_WORKS` works; what was done, in words (None: nothing)."""
        index = self.search_index
        if index is None:
            return None
        if enabled(self.conn) is not None:
            written = self.sync_search_index()
            return f"search index: {written:,} works brought up to date" if written else None
        works = self.count()
        if works < (AUTO_WORKS if auto_works is None else auto_works):
            return None
        built = self.build_search_index()
        return f"search index made for {built:,} works (ranks large searches; {index.folder})"

    def drop_search_index(self) -> None:
        """Stop keeping the index and delete its folder; FTS5 ranks every search."""
        index = self._index_or_refuse()
        self._before_writing()
        with self._transaction():
            self.conn.execute("DELETE FROM meta WHERE key = 'search_index'")
            self.conn.execute("DELETE FROM search_changes")
        index.drop()

    def search_index_status(self) -> dict[str, Any]:
        index = self.search_index
        if index is None:
            return {"kept": False}
        return {**index.status(self.conn), "folder": str(index.folder)}

    def _index_or_refuse(self) -> SearchIndex:
        index = self.search_index
        if index is None:
            raise ArchiveUnavailable("an archive in memory keeps no search index")
        return index


@contextmanager
def _index_errors(index: SearchIndex) -> Iterator[None]:
    """An index that cannot be written becomes one line naming its folder."""
    try:
        yield
    except IndexBusy:
        raise ArchiveUnavailable(
            f"the search index {index.folder} is being written by another ficarchive; try "
            "again when it is done"
        ) from None
    except (OSError, ValueError) as exc:
        raise ArchiveUnavailable(
            f"the search index {index.folder} cannot be written: {exc}; check the folder, "
            "or `ficarchive search-index drop` (searches still work without it)"
        ) from None


def refresh_after_adding(archive: object) -> str | None:
    """What `add` and `bulk load` say of the search index when they end: a kept one
    brought up to date, one made for a large archive, or why it could not be (the works
    stay added); None when nothing was done or the archive is PostgreSQL's."""
    if not isinstance(archive, SearchIndexKeeping):  # PostgreSQL ranks its own searches
        return None
    try:
        return archive.refresh_search_index()
    except FicarchiveError as exc:
        return f"note: {exc}"
