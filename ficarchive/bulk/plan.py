"""The plan and the progress of one bulk run, kept in a small SQLite file.

The planning pass streams the source's listing and each file's head through
`joining.read_page` into the ``files`` table, a thousand rows at a time; SQL then
resolves chains of next/previous links and names each group (one future Work) in
``groups``, in listing order. A site's database dump found in the listing is read
into ``ef_*`` tables first and groups its chapter files (`efiction`). Nothing here
holds the file list in memory: the engines read pending groups back in pages of a few
hundred.

Progress is committed per output part: ``parts`` lists the part files written (each
renamed into place before its row is committed) and ``done`` the groups they hold. A
part on disk that ``parts`` does not list was written by a run that died before
committing it; the engines delete it and redo its groups.
"""

from __future__ import annotations

import contextlib
import fcntl
import itertools
import json
import os
import sqlite3
import time
import zlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any

from ficarchive.bulk import efiction, sequences, site
from ficarchive.bulk.joining import (
    DATABASE,
    ERROR,
    FURNITURE,
    INDEX,
    SITE,
    STORY,
    Page,
    is_page_name,
    parts_within,
    read_page,
)
from ficarchive.bulk.output import FAILED, SITE_PAGE, SKIPPED
from ficarchive.bulk.output import INDEX as INDEX_KIND
from ficarchive.bulk.sources import Entry, Source
from ficarchive.bulk.sqldump import DumpError
from ficarchive.errors import FicarchiveError

# Rows inserted per transaction in the planning pass, and groups read per query after it.
BATCH = 1000
# Longest chain of next links followed (a loop of links stops here).
MAX_CHAIN = 5000
# Tries, a tenth of a second apart, at the lock of an output another process holds.
LOCK_TRIES = 5
# Heads read at once from a remote source (object stores answer slowly but in parallel).
REMOTE_READERS = 16
# The plan's layout: a plan written by another version cannot be resumed.
PLAN_VERSION = "2"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT);
CREATE TABLE IF NOT EXISTS files (
    seq INTEGER PRIMARY KEY, key TEXT UNIQUE, size INTEGER, grp TEXT, part INTEGER,
    total INTEGER, next TEXT, prev TEXT, first TEXT, is_index INTEGER, html INTEGER,
    title TEXT, byline TEXT, note TEXT);
CREATE INDEX IF NOT EXISTS files_grp ON files (grp, part);
CREATE INDEX IF NOT EXISTS files_first ON files (first);
CREATE INDEX IF NOT EXISTS files_next ON files (next);
CREATE TABLE IF NOT EXISTS hints (target TEXT, title TEXT, authors TEXT, rank INTEGER,
    via TEXT, weight INTEGER);
CREATE INDEX IF NOT EXISTS hints_target ON hints (target);
CREATE TABLE IF NOT EXISTS groups (gid INTEGER PRIMARY KEY, grp TEXT UNIQUE, missing TEXT);
CREATE TABLE IF NOT EXISTS parts (name TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS done (grp TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS loaded (archive TEXT, key TEXT, PRIMARY KEY (archive, key));
CREATE TABLE IF NOT EXISTS planned (file TEXT, reason TEXT, kind TEXT);
"""
# `files.is_index`: what a file is (`joining.STORY`, ...), by its place in `_ROLES`
# (site.py numbers them the same way).
_ROLES = (STORY, INDEX, DATABASE, FURNITURE, ERROR, SITE)
_STORY, _INDEX, _DATABASE, _FURNITURE, _ERROR, _SITE = range(len(_ROLES))
assert (_STORY, _INDEX, _ERROR, _SITE) == (site.STORY, site.INDEX, site.ERROR, site.SITE)


@dataclass(frozen=True)
class Task:
    """One unit of work: the files of one story, in part order, and what is known of it."""

    gid: int
    group: str
    keys: tuple[str, ...]
    missing: tuple[str, ...] = ()
    title: str | None = None
    authors: tuple[str, ...] = ()
    hinted_by: str | None = None  # the site's page that gave `title` and `authors`
    site_story: bool = False  # hinted by the site's own page for this story (its chapters)
    chapter_titles: tuple[str | None, ...] = ()  # that page's label of each of `keys`
    # the bytes of each key the worker cannot read from the source (None: read it there)
    data: tuple[bytes | None, ...] | None = None
    record: dict[str, Any] | None = None  # what a site's database says of the story


class PlanInUse(FicarchiveError):
    """Another process is running on this output."""


def _lock(path: Path) -> IO[str]:
    """An exclusive lock on `path`, held while the file stays open: one run per output."""
    handle = path.open("a+")
    for attempt in range(LOCK_TRIES):  # `bulk status` holds it for a moment: try again
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except OSError:
            if attempt < LOCK_TRIES - 1:
                time.sleep(0.1)
    else:
        handle.seek(0)
        holder = handle.read().strip() or "another process"
        handle.close()
        raise PlanInUse(
            f"{path.parent.parent}: {holder} is using this bulk output; wait for it to "
            "finish or stop it, then run again"
        ) from None
    handle.truncate(0)
    handle.write(f"process {os.getpid()}\n")
    handle.flush()
    return handle


def _kind(page: Page) -> int:
    return _ROLES.index(page.role)


def _chunks(entries: Iterator[Entry], size: int) -> Iterator[list[Entry]]:
    while chunk := list(itertools.islice(entries, size)):
        yield chunk


def _pages(
    source: Source, chunk: list[Entry], threads: ThreadPoolExecutor | None
) -> list[tuple[Page, int]]:
    def page(entry: Entry) -> tuple[Page, int]:
        head = source.planning_head(entry)
        if efiction.is_dump(entry.key, head):
            return Page(entry.key, entry.key, role=DATABASE), entry.size
        return read_page(entry.key, head), entry.size

    return list(threads.map(page, chunk) if threads is not None else map(page, chunk))


class Plan:
    """The SQLite file of one bulk run (created if absent)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = _lock(path.with_name(path.name + ".lock"))
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(_SCHEMA + site.SCHEMA)
        self._check_version()

    def _check_version(self) -> None:
        version = self.get("version")
        if version is None and self.get("source") is None:
            self.put("version", PLAN_VERSION)
        elif version != PLAN_VERSION:
            where = self.path.parent.parent
            self.close()
            raise PlanInUse(
                f"{where}: holds a bulk run planned by another version of ficarchive; "
                "give --out a new folder (or delete this one) and run again"
            )

    def close(self) -> None:
        self.db.close()
        self._lock.close()  # closing the file releases the lock

    def get(self, key: str) -> str | None:
        row = self.db.execute("SELECT v FROM meta WHERE k = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def put(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    @property
    def planned(self) -> bool:
        return self.get("planned") == "1"

    # -- the planning pass ---------------------------------------------------------------
    def build(self, source: Source, leave_out: str | None = None) -> int:
        """List `source` and group its files; returns the number of groups. Files under
        the folder `leave_out` (the run's own output, inside the source) are not listed."""
        self.db.executescript(
            "DELETE FROM files; DELETE FROM hints; DELETE FROM groups; DELETE FROM planned;"
        )
        efiction.clear(self.db)  # what an interrupted planning pass read of a dump
        site.clear(self.db)
        threads = ThreadPoolExecutor(REMOTE_READERS) if source.remote else None
        try:
            entries = source.entries()
            if leave_out:
                entries = (e for e in entries if not e.key.startswith(leave_out.rstrip("/") + "/"))
            for chunk in _chunks(entries, BATCH):
                self._insert(_pages(source, chunk, threads))
        finally:
            if threads is not None:
                threads.shutdown()
        self._databases(source)
        self._aliases(source)
        self.db.execute("BEGIN")
        for key, reason, kind in source.notes():  # what a web archive says of its captures
            self._note(key, reason, kind)
        self.db.execute("COMMIT")
        site.read_site(self.db, is_page_name)
        self._first_parts()
        self._chains()
        self.db.execute("BEGIN")
        sequences.plan_sequences(self.db)
        self.db.execute("COMMIT")
        count = self._groups(source)
        self.put("planned", "1")
        return count

    def _insert(self, pages: list[tuple[Page, int]]) -> None:
        self.db.execute("BEGIN")
        self.db.executemany(
            "INSERT INTO files (key, size, grp, part, total, next, prev, first, is_index, "
            "html, title, byline, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (p.key, size, p.group, p.part, p.total, p.next, p.prev, p.first, _kind(p),
                 int(p.html), p.facts.title if p.facts else None,
                 "\n".join(p.facts.byline) if p.facts else None, p.note)
                for p, size in pages
            ],
        )  # fmt: skip
        self.db.executemany(
            "INSERT INTO links VALUES (?, ?, ?, ?, ?)",
            [
                (p.key, n, link.target, link.label, "\n".join(link.authors))
                for p, _ in pages
                for n, link in enumerate(p.links)
            ],
        )
        self.db.execute("COMMIT")

    def _databases(self, source: Source) -> None:
        """eFiction dumps read into the plan; their chapter files grouped into stories."""
        dumps = [str(k) for (k,) in self.db.execute(
            "SELECT key FROM files WHERE is_index = ? ORDER BY seq", (_DATABASE,))]  # fmt: skip
        loaded = []
        for key in dumps:
            chunks = source.chunks(key)
            if key.lower().endswith(".gz"):
                chunks = efiction.gunzipped(chunks)
            try:
                found = efiction.load_dump(self.db, key, chunks)
            except (DumpError, OSError, EOFError, zlib.error) as exc:
                if self.db.in_transaction:
                    self.db.execute("ROLLBACK")
                self._note(key, f"{key}: a database dump that cannot be read ({exc}); any "
                           "eFiction chapter files are rescued one by one", FAILED)  # fmt: skip
                continue
            if not found.stories and not found.chapters:
                self._note(key, f"{key}: a database dump with no eFiction stories or "
                           "chapters tables; not a story", SKIPPED)  # fmt: skip
                continue
            loaded.append(key)
            others = ", ".join(found.other_installs)
            left = f" (the tables of another install, {others}*, were left out)" if others else ""
            self._note(key, f"{key}: an eFiction database dump (stories: {found.stories}, "
                       f"chapters: {found.chapters}); it gave chapter files their order, "
                       f"titles and authors{left}", INDEX_KIND)  # fmt: skip
        efiction.assign(self.db, loaded)
        for key, reason, kind in efiction.absent_stories(self.db, loaded):
            self._note(key, reason, kind)

    def _aliases(self, source: Source) -> None:
        """Links to a captured redirect lead to its target (a web archive's redirects)."""
        pairs = list(source.aliases())
        if not pairs:
            return
        self.db.execute("BEGIN")
        turned = [(t, k) for k, t in pairs]
        self.db.executemany("UPDATE links SET target = ? WHERE target = ?", turned)
        for column in ("next", "prev"):
            self.db.executemany(f"UPDATE files SET {column} = ? WHERE {column} = ?", turned)
        self.db.execute("COMMIT")

    def _note(self, key: str, reason: str, kind: str) -> None:
        self.db.execute("INSERT INTO planned VALUES (?, ?, ?)", (key, reason, kind))

    def planning_report(self) -> Iterator[tuple[str, str, str]]:
        """(file, reason, kind) of what the planning pass found not to rescue: the site's
        own pages (story lists, a story's page of chapters, error pages, the rest),
        site furniture, database dumps, and stories a database lists that the source
        lacks."""
        for key, role, note, reason in self.db.execute(
            "SELECT f.key, f.is_index, f.note, r.reason FROM files f "
            "LEFT JOIN page_roles r ON r.key = f.key WHERE f.is_index IN (?, ?, ?) "
            "ORDER BY f.seq",
            (_FURNITURE, _ERROR, _SITE),
        ):
            if role == _FURNITURE:
                what = note or "site furniture"
                yield str(key), f"{key}: {what} (site furniture), not a story", SKIPPED
            elif role == _ERROR:
                what = f"an error page (“{note}”) saved in place of a page"
                yield str(key), f"{key}: {what}, not a story", SITE_PAGE
            else:
                what = reason or "a page of the site"
                yield str(key), f"{key}: {what}, not a story", SITE_PAGE
        for key, reason, kind in self.db.execute("SELECT file, reason, kind FROM planned"):
            yield str(key), str(reason), str(kind)

    def _first_parts(self) -> None:
        """``story.html`` beside ``story_ch2.html`` (and no ``story_ch1``) is part 1."""
        self.db.execute(
            """UPDATE files SET part = 1, grp = (
                   SELECT g.grp FROM files g WHERE g.first = files.key ORDER BY g.seq LIMIT 1)
               WHERE grp = key AND is_index = 0
                 AND EXISTS (SELECT 1 FROM files g WHERE g.first = files.key)
                 AND NOT EXISTS (
                   SELECT 1 FROM files h WHERE h.part = 1 AND h.grp = (
                     SELECT g.grp FROM files g WHERE g.first = files.key ORDER BY g.seq LIMIT 1))"""
        )

    def _chains(self) -> None:
        """Single pages joined by next links into chains, from the page nothing points to."""
        self.db.execute(
            f"""WITH RECURSIVE chain(head, key, n) AS (
                  SELECT f.key, f.key, 1 FROM files f
                  WHERE f.grp = f.key AND f.next IN (SELECT key FROM files WHERE grp = key)
                    AND NOT EXISTS (SELECT 1 FROM files p WHERE p.next = f.key AND p.grp = p.key)
                  UNION
                  SELECT chain.head, t.key, chain.n + 1 FROM chain
                  JOIN files c ON c.key = chain.key
                  JOIN files t ON t.key = c.next AND t.grp = t.key
                  WHERE chain.n < {MAX_CHAIN})
                UPDATE files SET grp = 'link:' || (
                                   SELECT head FROM chain WHERE chain.key = files.key
                                   ORDER BY n LIMIT 1),
                                 part = (SELECT n FROM chain WHERE chain.key = files.key
                                         ORDER BY n LIMIT 1)
                WHERE key IN (SELECT key FROM chain)"""
        )

    def _groups(self, source: Source) -> int:
        rows = self.db.execute(
            "SELECT grp, group_concat(part), max(total), min(seq) FROM files WHERE is_index = 0 "
            "GROUP BY grp ORDER BY min(seq)"
        )
        batch: list[tuple[str, str]] = []
        count = 0
        for grp, parts, total, _ in rows:
            batch.append((grp, json.dumps(self._missing(grp, parts, total, source))))
            if len(batch) >= BATCH:
                count += self._insert_groups(batch)
                batch = []
        return count + self._insert_groups(batch)

    def _insert_groups(self, batch: list[tuple[str, str]]) -> int:
        with sqlite3.connect(self.path) as other:  # the read cursor stays open on self.db
            other.executemany("INSERT INTO groups (grp, missing) VALUES (?, ?)", batch)
        return len(batch)

    def _missing(self, grp: str, parts: str, total: int | None, source: Source) -> list[str]:
        if grp.startswith(efiction.GROUP_PREFIX):
            return efiction.missing(self.db, grp)
        if grp.startswith(site.GROUP_PREFIX):
            page = grp.removeprefix(site.GROUP_PREFIX)
            lost = self.db.execute("SELECT what FROM site_missing WHERE grp = ? ORDER BY n", (grp,))
            return [f"{what} of the story listed on {page}" for (what,) in lost]
        numbers = {int(p) for p in str(parts).split(",")}
        if grp.startswith("usenet:") and len(numbers) < (total or 0):
            numbers |= self._parts_within(grp, source)
        of = f" of {total}" if total else ""
        missing = [
            f"part {n}{of}" for n in range(1, max(total or 0, *numbers) + 1) if n not in numbers
        ]
        ends = self.db.execute(
            "SELECT key, prev, next, part FROM files WHERE grp = ? ORDER BY part, seq", (grp,)
        ).fetchall()
        last = max(numbers)
        for _key, prev, nxt, part in ends:
            if part == 1 and prev and not self._exists(prev):
                missing.insert(0, f"the previous page {prev}")
            if part == last and nxt and not self._exists(nxt):
                missing.append(f"the next page {nxt}")
        story = grp.split(":", 1)[1] if grp.startswith("name:") else ends[0][0]
        return [f"{m} of the story {story}" for m in missing]

    def _parts_within(self, grp: str, source: Source) -> set[int]:
        """Parts posted inside the files of a Usenet story (a saved thread holds several):
        read whole, only for a story whose first posts say parts are missing."""
        found: set[int] = set()
        for (key,) in self.db.execute("SELECT key FROM files WHERE grp = ?", (grp,)).fetchall():
            with contextlib.suppress(FicarchiveError, OSError):
                found |= parts_within(source.read(str(key)).decode("latin-1"))
        return found

    def _exists(self, key: str) -> bool:
        return self.db.execute("SELECT 1 FROM files WHERE key = ?", (key,)).fetchone() is not None

    # -- reading the plan back -----------------------------------------------------------
    def pending_count(self) -> int:
        row = self.db.execute(
            "SELECT count(*) FROM groups WHERE grp NOT IN (SELECT grp FROM done)"
        ).fetchone()
        return int(row[0])

    def file_count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM files").fetchone()[0])

    def pending(self) -> Iterator[Task]:
        """Every group not yet done, in listing order, read a page at a time."""
        last = 0
        while True:
            rows = self.db.execute(
                "SELECT gid, grp, missing FROM groups WHERE gid > ? AND grp NOT IN "
                "(SELECT grp FROM done) ORDER BY gid LIMIT ?",
                (last, BATCH),
            ).fetchall()
            if not rows:
                return
            for gid, grp, missing in rows:
                yield self._task(int(gid), str(grp), tuple(json.loads(missing)))
            last = int(rows[-1][0])

    def _task(self, gid: int, grp: str, missing: tuple[str, ...]) -> Task:
        keys = tuple(
            str(k)
            for (k,) in self.db.execute(
                "SELECT key FROM files WHERE grp = ? ORDER BY part, seq", (grp,)
            )
        )
        hint = self.db.execute(
            "SELECT title, authors, via, rank FROM hints WHERE target = ? "
            "ORDER BY rank, weight DESC, rowid LIMIT 1",
            (keys[0],),
        ).fetchone()
        title, authors, via, rank = hint if hint else (None, "", None, None)
        names = tuple(a for a in (authors or "").split("\n") if a)
        labels: tuple[str | None, ...] = ()
        if grp.startswith(site.GROUP_PREFIX):
            found = dict(self.db.execute(
                "SELECT target, label FROM links WHERE src = ? ORDER BY pos DESC",
                (grp.removeprefix(site.GROUP_PREFIX),),
            ).fetchall())  # fmt: skip
            labels = tuple(found.get(k) or None for k in keys)
        base = Task(gid, grp, keys, missing, title, names, via, rank == 0, labels)
        if not grp.startswith(efiction.GROUP_PREFIX):
            return base
        data = tuple(efiction.stored_text(self.db, k) for k in keys)
        return replace(
            base,
            data=data if any(d is not None for d in data) else None,
            record=efiction.record(self.db, grp),
        )

    # -- progress ------------------------------------------------------------------------
    def committed_parts(self) -> set[str]:
        return {str(n) for (n,) in self.db.execute("SELECT name FROM parts")}

    def loaded(self, archive: str, key: str) -> bool:
        row = self.db.execute(
            "SELECT 1 FROM loaded WHERE archive = ? AND key = ?", (archive, key)
        ).fetchone()
        return row is not None

    def mark_loaded(self, archive: str, keys: list[str]) -> None:
        self.db.execute("BEGIN")
        self.db.executemany(
            "INSERT OR IGNORE INTO loaded VALUES (?, ?)", [(archive, k) for k in keys]
        )
        self.db.execute("COMMIT")

    def commit(self, part: str, groups: list[str]) -> None:
        self.db.execute("BEGIN")
        self.db.execute("INSERT OR IGNORE INTO parts VALUES (?)", (part,))
        self.db.executemany("INSERT OR IGNORE INTO done VALUES (?)", [(g,) for g in groups])
        self.db.execute("COMMIT")
