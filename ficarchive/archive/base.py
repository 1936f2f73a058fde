"""What every archive backend does the same way, written once.

A backend gives `_run(sql, params)` and the placeholder its driver uses (`PARAM`: ``?``
for sqlite3, ``%s`` for psycopg); the reads and the duplicate check below are then the
same SQL on both.
"""

from __future__ import annotations

import json
from typing import Any

from ficarchive.archive.model import AddResult, Edit, Original, StoredWork
from ficarchive.archive.records import not_found, sha256, stored
from ficarchive.rescue import rescue
from ficarchive.work import Work


class ArchiveBase:
    PARAM = "?"

    def _run(self, sql: str, params: Any = ()) -> Any:  # pragma: no cover - per backend
        raise NotImplementedError

    def add_work(  # pragma: no cover - per backend
        self, work: Work, data: bytes | None = None, *, source_name: str | None = None
    ) -> AddResult:
        raise NotImplementedError

    def close(self) -> None:  # pragma: no cover - per backend
        raise NotImplementedError

    def _sql(self, sql: str) -> str:
        return sql.replace("{p}", self.PARAM)

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def find_by_sha256(self, digest: str) -> int | None:
        """The id of the work stored from the bytes with this SHA-256, if there is one."""
        row = self._run(
            self._sql("SELECT id FROM works WHERE sha256 = {p} LIMIT 1"), (digest,)
        ).fetchone()
        return int(row[0]) if row else None

    def add(self, data: bytes, name: str) -> AddResult:
        """Rescue and store one story; the same bytes a second time change nothing."""
        existing = self.find_by_sha256(sha256(data))
        if existing is not None:
            return AddResult(existing, "unchanged")
        return self.add_work(rescue(data, name), data)

    def get(self, work_id: int) -> StoredWork:
        row = self._run(
            self._sql("SELECT id, work_json, added_at, updated_at FROM works WHERE id = {p}"),
            (work_id,),
        ).fetchone()
        if row is None:
            raise not_found(work_id)
        return stored(*row)

    def rescued(self, work_id: int) -> Work:
        """The Work as it was rescued, before any archivist's edit."""
        row = self._run(
            self._sql("SELECT rescued_json FROM works WHERE id = {p}"), (work_id,)
        ).fetchone()
        if row is None:
            raise not_found(work_id)
        return Work.from_json(row[0])

    def source(self, work_id: int) -> bytes | None:
        """The original bytes the work was rescued from (None if it came without them)."""
        found = self.original(work_id)
        return found.data if found is not None else None

    def original(self, work_id: int) -> Original | None:
        """The original file the work was rescued from, with its name and SHA-256 (None
        if it came without its bytes). A work joined from several files has them as one
        zip, ``NAME.parts.zip``, its members named as the files were in the source."""
        self.get(work_id)
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
        return int(self._run("SELECT count(*) FROM works").fetchone()[0])

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
        self.get(work_id)
        rows = self._run(
            self._sql(
                "SELECT at, field, before, after, note FROM edits WHERE work_id = {p} ORDER BY id"
            ),
            (work_id,),
        ).fetchall()
        return [Edit(r[0], r[1], json.loads(r[2]), json.loads(r[3]), r[4]) for r in rows]
