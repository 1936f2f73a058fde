"""What every archive backend does the same way, written once.

A backend gives `_run(sql, params)` (the rows, fetched: a driver error while reading
becomes one of our errors there, not halfway through a loop), `_write()` (one write
transaction) and the placeholder its driver uses (`PARAM`: ``?`` for sqlite3, ``%s``
for psycopg); the reads and the duplicate check below are then the same SQL on both.

Every stored Work is read through `records.stored` (that is, `validate.read_work`): a
damaged row is a `DamagedWork` for that one work, and `works()` leaves it out and
reports it, so the rest of the archive reads on.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, ClassVar

from ficarchive.archive.model import AddResult, Edit, Original, StoredWork
from ficarchive.archive.records import (
    WORK_COLUMNS,
    Prepared,
    not_found,
    report_damaged,
    sha256,
    stored,
    work_values,
)
from ficarchive.archive.text import fts_fields
from ficarchive.archive.validate import read_work
from ficarchive.errors import DamagedWork
from ficarchive.rescue import rescue
from ficarchive.work import Work

if TYPE_CHECKING:
    from ficarchive.archive.salvage import Salvaged

# Works read from the database at once by `works()`: memory stays flat however many.
WORKS_PAGE = 100


class Fetched(list[Any]):
    """A statement's rows, already fetched, with the cursor methods callers use."""

    def fetchone(self) -> Any:
        return self[0] if self else None

    def fetchall(self) -> list[Any]:
        return list(self)


class ArchiveBase:
    PARAM = "?"
    # How `works(sort=…)` orders the works, per sort; the dialects differ for titles.
    ORDERS: ClassVar[dict[str, str]] = {}
    # The LIMIT that means no limit.
    NO_LIMIT: int | None = None
    location: str

    def _run(self, sql: str, params: Any = ()) -> Fetched:  # pragma: no cover - per backend
        raise NotImplementedError

    def _write(self) -> AbstractContextManager[None]:  # pragma: no cover - per backend
        raise NotImplementedError

    def add_work(  # pragma: no cover - per backend
        self,
        work: Work,
        data: bytes | None = None,
        *,
        source_name: str | None = None,
        sha256: str | None = None,
    ) -> AddResult:
        raise NotImplementedError

    def close(self) -> None:  # pragma: no cover - per backend
        raise NotImplementedError

    def _index(  # pragma: no cover - per backend
        self, work_id: int, work: Work, fields: dict[str, str]
    ) -> None:
        raise NotImplementedError

    def check_sound(self) -> None:
        """Raise `ArchiveDamaged` if the archive is known to be damaged (SQLite checks
        its file; a server keeps its own)."""

    def check_writable(self, wait_ms: int = 0) -> None:  # pragma: no cover - per backend
        """Raise (read-only, damaged, busy) unless a write could be made now."""
        raise NotImplementedError

    def restored(self) -> None:
        """After `restore`: what the backend must bring up to date (ids to come)."""

    def _sql(self, sql: str) -> str:
        return sql.replace("{p}", self.PARAM)

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def find_by_sha256(self, digest: str) -> int | None:
        """The id of the work stored from the bytes with this SHA-256, if there is one."""
        row = self._run(
            self._sql("SELECT id FROM works WHERE source_key = {p}"), (digest,)
        ).fetchone()
        return int(row[0]) if row else None

    def add(self, data: bytes, name: str) -> AddResult:
        """Rescue and store one story; the same bytes a second time change nothing (at
        the same moment in another process too: the archive keeps one work a hash)."""
        digest = sha256(data)
        existing = self.find_by_sha256(digest)
        if existing is not None:
            return AddResult(existing, "unchanged")
        return self.add_work(rescue(data, name), data, sha256=digest)

    def restore(self, salvaged: Salvaged) -> None:
        """Put back a work copied from another archive (`salvage`): its id, its dates,
        the Work as rescued and as edited, its original and its history, indexed anew."""
        work, rescued = salvaged.work, salvaged.rescued
        ready = Prepared.of(rescued)
        original = salvaged.original
        kept = original[0] if original is not None else None
        values = dict(
            zip(
                [c.strip() for c in WORK_COLUMNS.split(",")],
                work_values(work, kept, salvaged.source_key, ready.fingerprint, ""),
                strict=True,
            )
        )
        values.update(
            added_at=salvaged.added_at,
            updated_at=salvaged.updated_at,
            rescued_json=rescued.to_json(indent=None),
        )
        marks = ", ".join([self.PARAM] * (len(values) + 1))
        with self._write():
            if original is not None:
                self._run(
                    self._sql(
                        "INSERT INTO sources(sha256, name, size, data, added_at) "
                        "VALUES ({p}, {p}, {p}, {p}, {p}) ON CONFLICT DO NOTHING"
                    ),
                    (original[0], original[1], len(original[3]), original[3], original[4]),
                )
            self._run(
                f"INSERT INTO works(id, {', '.join(values)}) VALUES ({marks})",
                (salvaged.id, *values.values()),
            )
            self._index(salvaged.id, work, fts_fields(work))
            for edit in salvaged.edits:
                self._run(
                    self._sql(
                        "INSERT INTO edits(work_id, at, field, before, after, note) "
                        "VALUES ({p}, {p}, {p}, {p}, {p}, {p})"
                    ),
                    (
                        salvaged.id,
                        edit.at,
                        edit.field,
                        json.dumps(edit.before),
                        json.dumps(edit.after),
                        edit.note,
                    ),
                )

    def restore_links(self, links: list[tuple[Any, ...]]) -> None:
        """Put back links (work_id, other_id, kind, distance) between restored works."""
        with self._write():
            for link in links:
                self._run(
                    self._sql(
                        "INSERT INTO links(work_id, other_id, kind, distance) "
                        "VALUES ({p}, {p}, {p}, {p}) ON CONFLICT DO NOTHING"
                    ),
                    tuple(link),
                )

    def exists(self, work_id: int) -> bool:
        row = self._run(self._sql("SELECT 1 FROM works WHERE id = {p}"), (work_id,)).fetchone()
        return row is not None

    def _must_exist(self, work_id: int) -> None:
        if not self.exists(work_id):
            raise not_found(work_id)

    def get(self, work_id: int) -> StoredWork:
        """The work; `DamagedWork` (one line) if its stored data cannot be read."""
        row = self._run(
            self._sql("SELECT id, work_json, added_at, updated_at FROM works WHERE id = {p}"),
            (work_id,),
        ).fetchone()
        if row is None:
            raise not_found(work_id)
        try:
            return stored(*row)
        except DamagedWork as damaged:
            raise DamagedWork(
                f"{damaged}; `ficarchive show {work_id} --original FILE` gives back its "
                f"original, and `ficarchive remove {work_id}` then `ficarchive add FILE` "
                "rescues it again"
            ) from None

    def works(
        self,
        *,
        sort: str = "date",
        limit: int | None = None,
        offset: int = 0,
        on_damaged: Callable[[DamagedWork], None] | None = None,
    ) -> Iterator[StoredWork]:
        """The works in `sort` order (``date``, ``words``, ``title``, ``id``), read a page
        at a time. A work that cannot be read is left out and given to `on_damaged` (by
        default, logged as a warning)."""
        order = self.ORDERS.get(sort, "id")
        ids = [
            int(r[0])
            for r in self._run(
                self._sql(f"SELECT id FROM works ORDER BY {order} LIMIT {{p}} OFFSET {{p}}"),
                (self.NO_LIMIT if limit is None else limit, offset),
            )
        ]
        report = on_damaged or report_damaged
        for start in range(0, len(ids), WORKS_PAGE):
            page = ids[start : start + WORKS_PAGE]
            marks = ", ".join([self.PARAM] * len(page))
            rows = {
                int(r[0]): r
                for r in self._run(
                    f"SELECT id, work_json, added_at, updated_at FROM works WHERE id IN ({marks})",
                    page,
                )
            }
            for work_id in page:
                if work_id not in rows:  # removed since the ids were read
                    continue
                try:
                    found = stored(*rows[work_id])
                except DamagedWork as damaged:
                    report(damaged)
                    continue
                yield found

    def rescued(self, work_id: int) -> Work:
        """The Work as it was rescued, before any archivist's edit."""
        row = self._run(
            self._sql("SELECT rescued_json FROM works WHERE id = {p}"), (work_id,)
        ).fetchone()
        if row is None:
            raise not_found(work_id)
        return read_work(row[0], f"work {work_id} (as rescued)")

    def source(self, work_id: int) -> bytes | None:
        """The original bytes the work was rescued from (None if it came without them)."""
        found = self.original(work_id)
        return found.data if found is not None else None

    def original(self, work_id: int) -> Original | None:
        """The original file the work was rescued from, with its name and SHA-256 (None
        if it came without its bytes). A work joined from several files has them as one
        zip, ``NAME.parts.zip``, its members named as the files were in the source.
        A work whose stored Work is damaged still gives its original back."""
        self._must_exist(work_id)
        row = self._run(
            self._sql(
                "SELECT s.name, s.sha256, s.data FROM works w "
                "JOIN sources s ON s.sha256 = w.sha256 WHERE w.id = {p}"
            ),
            (work_id,),
        ).fetchone()
        return Original(row[0], row[1], bytes(row[2])) if row and row[2] is not None else None

    def _one(self, sql: str) -> int:
        """The single number a counting query returns (0 for nothing or NULL)."""
        row = self._run(sql).fetchone()
        return int(row[0] or 0) if row else 0

    def count(self) -> int:
        return self._one("SELECT count(*) FROM works")

    def near_duplicates(self, work_id: int) -> list[tuple[int, int]]:
        """(other work id, distance in bits) of the works this one nearly duplicates."""
        rows = self._run(
            self._sql(
                "SELECT other_id, distance FROM links WHERE work_id = {p} "
                "AND kind = 'near-duplicate' ORDER BY distance, other_id"
            ),
            (work_id,),
        ).fetchall()
        return [(int(r[0]), int(r[1])) for r in rows]

    def history(self, work_id: int) -> list[Edit]:
        self._must_exist(work_id)
        rows = self._run(
            self._sql(
                "SELECT at, field, before, after, note FROM edits WHERE work_id = {p} ORDER BY id"
            ),
            (work_id,),
        ).fetchall()
        return [Edit(str(r[0]), str(r[1]), _value(r[2]), _value(r[3]), r[4]) for r in rows]


def _value(text: Any) -> object:
    """An edit's before or after value; kept as it is when it is not the JSON we wrote."""
    try:
        return json.loads(text) if isinstance(text, str | bytes) else text
    except (ValueError, RecursionError):
        return text
