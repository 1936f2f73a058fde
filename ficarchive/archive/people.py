"""Authors and series: the works of one person under every pseudonym the archive has
linked, the works of one series in order, and the lists of both for browsing.

Each work's authors and series are rows of ``work_authors`` and ``work_series``, kept by
triggers from the work's own row (`library_schema`); a name is found case-folded and
trimmed, by the database's ``lower``. Pseudonyms are linked by an archivist: ``pseuds``
maps a name's key to the key of the person it belongs to, so ``Jane Doe``, ``JD`` and
``jdoe`` can be one author page.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ficarchive.archive.accounts import AccountError
from ficarchive.archive.base import ArchiveBase
from ficarchive.archive.library_schema import LIBRARY_VERSION, changes, library_version
from ficarchive.archive.model import StoredWork
from ficarchive.archive.records import report_damaged, stored
from ficarchive.errors import DamagedWork

PAGE = 50
MAX_NAME = 500


@dataclass(frozen=True)
class Named:
    """An author or a series as listed: its name, its key and how many works it has."""

    name: str
    key: str
    works: int


@dataclass(frozen=True)
class Page:
    """One page of a person's or a series' works, with how many there are in all."""

    names: tuple[str, ...]  # the pseudonyms (author) or the series' name
    total: int
    works: tuple[StoredWork, ...]
    parts: dict[int, int | None]  # series only: work id -> its part number


class People:
    """Authors, pseudonyms and series of one archive (any backend)."""

    def __init__(self, archive: ArchiveBase) -> None:
        self.archive = archive

    def _run(self, sql: str, params: Any = ()) -> Any:
        return self.archive._run(self.archive._sql(sql), params)

    def _key(self, name: str) -> str:
        rows = self._run("SELECT lower(trim({p}))", (name[:MAX_NAME],))
        return str(rows[0][0])

    # -- authors ------------------------------------------------------------------------
    def person_keys(self, name: str) -> list[str]:
        """The keys of every pseudonym linked to `name` (itself first)."""
        key = self._key(name)
        rows = self._run(
            "SELECT key FROM pseuds WHERE person = "
            "(SELECT coalesce((SELECT person FROM pseuds WHERE key = {p}), {p})) ORDER BY key",
            (key, key),
        )
        return [key, *(str(r[0]) for r in rows if r[0] != key)]

    def pseudonyms(self, name: str) -> list[str]:
        """The names under which the person who wrote as `name` appears in the archive."""
        keys = self.person_keys(name)
        marks = ", ".join("{p}" for _ in keys)
        rows = self._run(
            f"SELECT key, min(name) FROM work_authors WHERE key IN ({marks}) GROUP BY key",
            keys,
        )
        found = {str(r[0]): str(r[1]) for r in rows}
        return [found[k] for k in keys if k in found]

    def author(self, name: str, *, sort: str = "date", limit: int = PAGE, offset: int = 0) -> Page:
        keys = self.person_keys(name)
        marks = ", ".join("{p}" for _ in keys)
        ids_sql = f"SELECT DISTINCT work_id FROM work_authors WHERE key IN ({marks})"
        total = int(self._run(f"SELECT count(*) FROM ({ids_sql}) a", keys)[0][0])
        order = _ORDERS.get(sort, _ORDERS["date"])
        rows = self._run(
            f"SELECT w.id FROM works w WHERE w.id IN ({ids_sql}) ORDER BY {order} "
            "LIMIT {p} OFFSET {p}",
            (*keys, limit, offset),
        )
        works = self.stored_works([int(r[0]) for r in rows])
        return Page(tuple(self.pseudonyms(name)), total, works, {})

    def link(self, name: str, other: str) -> list[str]:
        """`other` is one more pseudonym of the person who writes as `name` (with every
        pseudonym already linked to either); the names now linked."""
        mine, theirs = self.person_keys(name), self.person_keys(other)
        if not self._run("SELECT 1 FROM work_authors WHERE key = {p} LIMIT 1", (mine[0],)):
            raise AccountError(f"no work in the archive is by {name!r}")
        if not self._run("SELECT 1 FROM work_authors WHERE key = {p} LIMIT 1", (theirs[0],)):
            raise AccountError(f"no work in the archive is by {other!r}")
        person = self._person(mine[0])
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        with self.archive._write():
            for key in dict.fromkeys([*mine, *theirs]):
                self._run(
                    "INSERT INTO pseuds(key, person, linked_at) VALUES ({p}, {p}, {p}) "
                    "ON CONFLICT (key) DO UPDATE SET person = EXCLUDED.person, "
                    "linked_at = EXCLUDED.linked_at",
                    (key, person, stamp),
                )
        return self.pseudonyms(name)

    def unlink(self, name: str) -> None:
        """`name` is no longer linked to any other pseudonym."""
        key = self._key(name)
        with self.archive._write():
            self._run("DELETE FROM pseuds WHERE key = {p}", (key,))
            left = self._run("SELECT key FROM pseuds WHERE person = {p}", (key,))
            if left:  # the others stay linked, under one of them
                person = min(str(r[0]) for r in left)
                self._run("UPDATE pseuds SET person = {p} WHERE person = {p}", (person, key))
            self._run(
                "DELETE FROM pseuds WHERE person IN (SELECT person FROM pseuds "
                "GROUP BY person HAVING count(*) = 1)"
            )

    def _person(self, key: str) -> str:
        rows = self._run("SELECT person FROM pseuds WHERE key = {p}", (key,))
        return str(rows[0][0]) if rows else key

    def authors(self, *, after: str = "", limit: int = PAGE) -> list[Named]:
        """Authors in the order of their keys, from just after `after` (a key)."""
        rows = self._run(
            "SELECT min(name), key, count(*) FROM work_authors WHERE key > {p} "
            "GROUP BY key ORDER BY key LIMIT {p}",
            (after, limit),
        )
        return [Named(str(r[0]), str(r[1]), int(r[2])) for r in rows]

    # -- tags ---------------------------------------------------------------------------
    def tags(self, kind: str, *, limit: int = PAGE, offset: int = 0) -> list[Named]:
        """The tags of one kind that works carry, the most used first (from the counts the
        archive keeps, so at any size this is one indexed read)."""
        rows = self._run(
            "SELECT t.name, t.key, c.works FROM tag_counts c JOIN tags t ON t.id = c.tag_id "
            "WHERE t.kind = {p} AND c.works > 0 ORDER BY c.works DESC, t.key LIMIT {p} OFFSET {p}",
            (kind, limit, offset),
        )
        return [Named(str(r[0]), str(r[1]), int(r[2])) for r in rows]

    # -- series -----------------------------------------------------------------------------
    def series(self, name: str, *, limit: int = 500, offset: int = 0) -> Page:
        """The works of a series by part number (unnumbered ones after, oldest first)."""
        key = self._key(name)
        total = int(self._run("SELECT count(*) FROM work_series WHERE key = {p}", (key,))[0][0])
        rows = self._run(
            "SELECT s.work_id, s.part, s.name FROM work_series s JOIN works w ON w.id = s.work_id "
            "WHERE s.key = {p} ORDER BY s.part IS NULL, s.part, w.added_at, w.id "
            "LIMIT {p} OFFSET {p}",
            (key, limit, offset),
        )
        parts = {int(r[0]): (int(r[1]) if r[1] is not None else None) for r in rows}
        names = (str(rows[0][2]),) if rows else ()
        return Page(names, total, self.stored_works(list(parts)), parts)

    def series_of(self, work_id: int) -> list[tuple[str, int | None]]:
        rows = self._run(
            "SELECT name, part FROM work_series WHERE work_id = {p} ORDER BY key", (work_id,)
        )
        return [(str(r[0]), int(r[1]) if r[1] is not None else None) for r in rows]

    def all_series(self, *, after: str = "", limit: int = PAGE) -> list[Named]:
        rows = self._run(
            "SELECT min(name), key, count(*) FROM work_series WHERE key > {p} "
            "GROUP BY key ORDER BY key LIMIT {p}",
            (after, limit),
        )
        return [Named(str(r[0]), str(r[1]), int(r[2])) for r in rows]

    def changes(self) -> str:
        """A stamp that changes whenever works or their tags change (feeds are cached by it);
        a read-only archive without the library tables: the time, so nothing is kept."""
        if library_version(self.archive._run) < LIBRARY_VERSION:
            return str(time.monotonic())
        return changes(self.archive._run)

    # -- works by id ------------------------------------------------------------------------
    def stored_works(self, ids: list[int]) -> tuple[StoredWork, ...]:
        """The works of `ids`, in that order; a damaged one is reported and left out."""
        if not ids:
            return ()
        marks = ", ".join("{p}" for _ in ids)
        rows = {
            int(r[0]): r
            for r in self._run(
                f"SELECT id, work_json, added_at, updated_at FROM works WHERE id IN ({marks})",
                ids,
            )
        }
        out: list[StoredWork] = []
        for work_id in ids:
            if work_id in rows:
                try:
                    out.append(stored(*rows[work_id]))
                except DamagedWork as damaged:
                    report_damaged(damaged)
        return tuple(out)


_ORDERS = {
    "date": "w.added_at DESC, w.id DESC",
    "words": "w.word_count DESC, w.id DESC",
    "title": "lower(w.title), w.id",
}
