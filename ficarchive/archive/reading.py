"""A reader's own library, per account: where they are in each work, what they finished,
bookmarks with a note, collections (private unless they say otherwise), and the positions
KOReader syncs.

Positions are paragraphs: the reader numbers a work's body paragraphs from 0 in reading
order (``id="p-N"`` on the page), so a position survives a new rendering of the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ficarchive.archive.accounts import AccountError
from ficarchive.archive.base import ArchiveBase

MAX_NOTE = 2000
MAX_COLLECTION_NAME = 100
MAX_PARAGRAPH = 10_000_000
CONTINUE_READING = 6


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Progress:
    work_id: int
    title: str | None
    paragraph: int
    fraction: float
    updated_at: str
    finished_at: str | None


@dataclass(frozen=True)
class Bookmark:
    id: int
    work_id: int
    title: str | None
    paragraph: int | None
    note: str
    created_at: str


@dataclass(frozen=True)
class Collection:
    id: int
    user_id: int
    owner: str
    name: str
    private: bool
    created_at: str
    works: int


@dataclass(frozen=True)
class SyncedPosition:
    """A KOReader position: its own progress text (an XPointer) and percentage."""

    document: str
    progress: str
    percentage: float
    device: str
    device_id: str
    timestamp: int


def check_note(note: str) -> str:
    cleaned = note.replace("\r\n", "\n").strip()
    if len(cleaned) > MAX_NOTE:
        raise AccountError(f"a note is at most {MAX_NOTE:,} characters")
    return cleaned


class Reading:
    """What each account keeps while reading one archive (any backend)."""

    def __init__(self, archive: ArchiveBase) -> None:
        self.archive = archive

    def _run(self, sql: str, params: Any = ()) -> Any:
        return self.archive._run(self.archive._sql(sql), params)

    # -- progress ---------------------------------------------------------------------
    def save_progress(self, user_id: int, work_id: int, paragraph: int, fraction: float) -> None:
        """Where the reader is; reading on after marking a work read keeps it read."""
        self.archive._must_exist(work_id)
        paragraph = min(max(paragraph, 0), MAX_PARAGRAPH)
        fraction = min(max(fraction, 0.0), 1.0)
        with self.archive._write():
            self._run(
                "INSERT INTO progress(user_id, work_id, paragraph, fraction, updated_at) "
                "VALUES ({p}, {p}, {p}, {p}, {p}) ON CONFLICT (user_id, work_id) DO UPDATE "
                "SET paragraph = EXCLUDED.paragraph, fraction = EXCLUDED.fraction, "
                "updated_at = EXCLUDED.updated_at",
                (user_id, work_id, paragraph, fraction, _now()),
            )

    def mark_read(self, user_id: int, work_id: int, read: bool = True) -> None:
        self.archive._must_exist(work_id)
        stamp = _now()
        with self.archive._write():
            self._run(
                "INSERT INTO progress(user_id, work_id, paragraph, fraction, updated_at, "
                "finished_at) VALUES ({p}, {p}, 0, 0, {p}, {p}) ON CONFLICT (user_id, work_id) "
                "DO UPDATE SET finished_at = EXCLUDED.finished_at",
                (user_id, work_id, stamp, stamp if read else None),
            )

    def progress(self, user_id: int, work_id: int) -> Progress | None:
        rows = self._run(
            "SELECT p.work_id, w.title, p.paragraph, p.fraction, p.updated_at, p.finished_at "
            "FROM progress p JOIN works w ON w.id = p.work_id "
            "WHERE p.user_id = {p} AND p.work_id = {p}",
            (user_id, work_id),
        )
        return _progress(rows[0]) if rows else None

    def continue_reading(self, user_id: int, limit: int = CONTINUE_READING) -> list[Progress]:
        """The works begun and not finished, the latest first."""
        rows = self._run(
            "SELECT p.work_id, w.title, p.paragraph, p.fraction, p.updated_at, p.finished_at "
            "FROM progress p JOIN works w ON w.id = p.work_id WHERE p.user_id = {p} "
            "AND p.finished_at IS NULL AND p.paragraph > 0 "
            "ORDER BY p.updated_at DESC, p.work_id DESC LIMIT {p}",
            (user_id, limit),
        )
        return [_progress(r) for r in rows]

    def finished(self, user_id: int, limit: int = 50) -> list[Progress]:
        rows = self._run(
            "SELECT p.work_id, w.title, p.paragraph, p.fraction, p.updated_at, p.finished_at "
            "FROM progress p JOIN works w ON w.id = p.work_id WHERE p.user_id = {p} "
            "AND p.finished_at IS NOT NULL ORDER BY p.finished_at DESC, p.work_id DESC LIMIT {p}",
            (user_id, limit),
        )
        return [_progress(r) for r in rows]

    # -- bookmarks -----------------------------------------------------------------------
    def add_bookmark(
        self, user_id: int, work_id: int, note: str = "", paragraph: int | None = None
    ) -> int:
        self.archive._must_exist(work_id)
        kept = check_note(note)
        if paragraph is not None:
            paragraph = min(max(paragraph, 0), MAX_PARAGRAPH)
        with self.archive._write():
            self._run(
                "INSERT INTO bookmarks(user_id, work_id, paragraph, note, created_at) "
                "VALUES ({p}, {p}, {p}, {p}, {p})",
                (user_id, work_id, paragraph, kept, _now()),
            )
            rows = self._run(
                "SELECT max(id) FROM bookmarks WHERE user_id = {p} AND work_id = {p}",
                (user_id, work_id),
            )
        return int(rows[0][0])

    def bookmarks(self, user_id: int, work_id: int | None = None) -> list[Bookmark]:
        where, params = "b.user_id = {p}", [user_id]
        if work_id is not None:
            where += " AND b.work_id = {p}"
            params.append(work_id)
        rows = self._run(
            "SELECT b.id, b.work_id, w.title, b.paragraph, b.note, b.created_at "
            f"FROM bookmarks b JOIN works w ON w.id = b.work_id WHERE {where} "
            "ORDER BY b.created_at DESC, b.id DESC",
            params,
        )
        return [Bookmark(int(r[0]), int(r[1]), r[2], r[3], r[4], r[5]) for r in rows]

    def remove_bookmark(self, user_id: int, bookmark_id: int) -> bool:
        with self.archive._write():
            found = self._run(
                "SELECT 1 FROM bookmarks WHERE id = {p} AND user_id = {p}", (bookmark_id, user_id)
            )
            self._run(
                "DELETE FROM bookmarks WHERE id = {p} AND user_id = {p}", (bookmark_id, user_id)
            )
        return bool(found)

    # -- collections ----------------------------------------------------------------------
    def add_collection(self, user_id: int, name: str, private: bool = True) -> int:
        cleaned = " ".join(name.split())
        if not cleaned:
            raise AccountError("a collection needs a name")
        if len(cleaned) > MAX_COLLECTION_NAME:
            raise AccountError(f"a collection's name is at most {MAX_COLLECTION_NAME} characters")
        with self.archive._write():
            self._run(
                "INSERT INTO collections(user_id, name, private, created_at) "
                "VALUES ({p}, {p}, {p}, {p})",
                (user_id, cleaned, int(private), _now()),
            )
            rows = self._run("SELECT max(id) FROM collections WHERE user_id = {p}", (user_id,))
        return int(rows[0][0])

    def collections(self, user_id: int) -> list[Collection]:
        return self._collections("c.user_id = {p}", (user_id,))

    def public_collections(self, limit: int = 100) -> list[Collection]:
        return self._collections("c.private = 0", (), limit)

    def collection(self, collection_id: int, viewer: int | None) -> Collection | None:
        """The collection, if `viewer` (a user id, or None) may see it."""
        found = self._collections("c.id = {p}", (collection_id,))
        if not found or (found[0].private and found[0].user_id != viewer):
            return None
        return found[0]

    def _collections(self, where: str, params: Any, limit: int = 1000) -> list[Collection]:
        rows = self._run(
            "SELECT c.id, c.user_id, u.name, c.name, c.private, c.created_at, "
            "(SELECT count(*) FROM collection_works x WHERE x.collection_id = c.id) "
            f"FROM collections c JOIN users u ON u.id = c.user_id WHERE {where} "
            "ORDER BY c.name, c.id LIMIT {p}",
            (*params, limit),
        )
        return [
            Collection(int(r[0]), int(r[1]), r[2], r[3], bool(r[4]), r[5], int(r[6])) for r in rows
        ]

    def collection_works(self, collection_id: int) -> list[int]:
        rows = self._run(
            "SELECT work_id FROM collection_works WHERE collection_id = {p} "
            "ORDER BY added_at DESC, work_id DESC",
            (collection_id,),
        )
        return [int(r[0]) for r in rows]

    def collections_with(self, user_id: int, work_id: int) -> set[int]:
        rows = self._run(
            "SELECT x.collection_id FROM collection_works x JOIN collections c "
            "ON c.id = x.collection_id WHERE c.user_id = {p} AND x.work_id = {p}",
            (user_id, work_id),
        )
        return {int(r[0]) for r in rows}

    def _own(self, user_id: int, collection_id: int) -> None:
        rows = self._run(
            "SELECT 1 FROM collections WHERE id = {p} AND user_id = {p}", (collection_id, user_id)
        )
        if not rows:
            raise AccountError("no such collection of yours")

    def put_in_collection(self, user_id: int, collection_id: int, work_id: int) -> None:
        self._own(user_id, collection_id)
        self.archive._must_exist(work_id)
        with self.archive._write():
            self._run(
                "INSERT INTO collection_works(collection_id, work_id, added_at) "
                "VALUES ({p}, {p}, {p}) ON CONFLICT DO NOTHING",
                (collection_id, work_id, _now()),
            )

    def take_from_collection(self, user_id: int, collection_id: int, work_id: int) -> None:
        self._own(user_id, collection_id)
        with self.archive._write():
            self._run(
                "DELETE FROM collection_works WHERE collection_id = {p} AND work_id = {p}",
                (collection_id, work_id),
            )

    def set_collection_private(self, user_id: int, collection_id: int, private: bool) -> None:
        self._own(user_id, collection_id)
        with self.archive._write():
            self._run(
                "UPDATE collections SET private = {p} WHERE id = {p}",
                (int(private), collection_id),
            )

    def remove_collection(self, user_id: int, collection_id: int) -> None:
        self._own(user_id, collection_id)
        with self.archive._write():
            self._run("DELETE FROM collections WHERE id = {p}", (collection_id,))

    # -- KOReader ---------------------------------------------------------------------------
    def sync_position(self, user_id: int, position: SyncedPosition) -> None:
        with self.archive._write():
            self._run(
                "INSERT INTO kosync_progress(user_id, document, progress, percentage, device, "
                "device_id, at) VALUES ({p}, {p}, {p}, {p}, {p}, {p}, {p}) "
                "ON CONFLICT (user_id, document) DO UPDATE SET progress = EXCLUDED.progress, "
                "percentage = EXCLUDED.percentage, device = EXCLUDED.device, "
                "device_id = EXCLUDED.device_id, at = EXCLUDED.at",
                (
                    user_id,
                    position.document,
                    position.progress,
                    position.percentage,
                    position.device,
                    position.device_id,
                    position.timestamp,
                ),
            )

    def synced_position(self, user_id: int, document: str) -> SyncedPosition | None:
        rows = self._run(
            "SELECT document, progress, percentage, device, device_id, at FROM kosync_progress "
            "WHERE user_id = {p} AND document = {p}",
            (user_id, document),
        )
        if not rows:
            return None
        r = rows[0]
        return SyncedPosition(r[0], r[1], float(r[2]), r[3], r[4], int(r[5]))


def _progress(row: Any) -> Progress:
    return Progress(int(row[0]), row[1], int(row[2]), float(row[3]), row[4], row[5])
