"""A tantivy index beside a large SQLite archive, to rank its searches with words.

FTS5 ranks a search by scoring every match: on a million works a common word costs
250–400 ms at p95 however short the page. tantivy (the Rust engine, through its Python
bindings) finds the top of a BM25 ranking with block-max WAND, reading a fraction of
the postings: 0.4 ms at the median and 5 ms at p95 for the same words on the same
million (``benchmarks/archive_speed.py --works 1000000``, docs in ``benchmarks/README.md``).
So an archive of `AUTO_WORKS` works or more keeps a tantivy index of its full-text rows
in a folder beside the file (``archive.sqlite-search/``), and a search with words in
relevance order asks it for the page's ids and the count of its matches. Everything
else stays SQLite's: facets, snippets, other orders, searches with no words or with a date filter.

The SQLite file stays the truth and the index is derived: it can be deleted or made
again at any time (``ficarchive search-index``). While one exists (meta
``search_index`` names it), triggers log every changed work in ``search_changes``, and
the index records the last change it holds (``state.json``). A search uses the index
only when it holds every change: when at most `INLINE_CHANGES` are missing it applies
them first (unless another process is writing the index); otherwise FTS5 answers, as
it does on a small archive. The words are read as FTS5 reads them (letters and digits,
case and accents folded, English stems; tantivy's Snowball stemmer is Porter's
successor, and the two agree on common words).
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tantivy

from ficarchive.archive.model import Filters
from ficarchive.archive.query import groups, parse
from ficarchive.archive.schema import SCHEMA_VERSION, TAG_WORD

FORMAT = 1
# An archive this large gets an index when `add` or `bulk rescue` ends (below it, FTS5's
# own ranking takes a few milliseconds).
AUTO_WORKS = 50_000
# Changes a search applies itself before using the index; past this, FTS5 answers until
# `ficarchive search-index` (or the next `add`) brings the index up to date.
INLINE_CHANGES = 2_000
# Deeper than this into the ranking a page is FTS5's: a top-k heap of any size is not
# built for one request.
MAX_DEPTH = 10_000
BUILD_HEAP_BYTES = 400_000_000
SYNC_HEAP_BYTES = 50_000_000
ANALYZER = "ficarchive_words"
# The columns of the full-text index and their weights (FTS5's bm25 weights, `search_sql`).
BOOSTS = {"title": 10.0, "authors": 6.0, "summary": 3.0, "notes": 1.5, "text": 1.0}
_DOCS = (
    "SELECT f.rowid, f.title, f.authors, f.summary, f.notes, f.text, f.tags, "
    "w.word_count, w.looks_like_story FROM works_fts f JOIN works w ON w.id = f.rowid"
)
_LATEST = "SELECT seq FROM sqlite_sequence WHERE name = 'search_changes'"


class IndexBusy(Exception):
    """Another process holds the index's writer: FTS5 answers meanwhile."""


def folder_of(archive_path: str) -> Path:
    return Path(archive_path + "-search")


def enabled(conn: sqlite3.Connection) -> str | None:
    """The name of the archive's search index, when it keeps one."""
    row = conn.execute("SELECT value FROM meta WHERE key = 'search_index'").fetchone()
    return str(row[0]) if row else None


def latest_change(conn: sqlite3.Connection) -> int:
    row = conn.execute(_LATEST).fetchone()
    return int(row[0]) if row else 0


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("id", indexed=True, fast=True)
    for name in BOOSTS:
        builder.add_text_field(name, tokenizer_name=ANALYZER, index_option="position")
    builder.add_unsigned_field("tags", indexed=True)
    builder.add_unsigned_field("words", indexed=True, fast=True)
    builder.add_unsigned_field("story", indexed=True)
    return builder.build()


def _analyzer() -> tantivy.TextAnalyzer:
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(64))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .filter(tantivy.Filter.stemmer("english"))
        .build()
    )


def _document(row: tuple[Any, ...]) -> tantivy.Document:
    work_id, title, authors, summary, notes, text, tags, words, story = row
    document = tantivy.Document()
    document.add_unsigned("id", int(work_id))
    for name, value in zip(BOOSTS, (title, authors, summary, notes, text), strict=True):
        if value:
            document.add_text(name, str(value))
    for word in str(tags or "").split():
        if word.startswith(TAG_WORD) and word[len(TAG_WORD) :].isdigit():
            document.add_unsigned("tags", int(word[len(TAG_WORD) :]))
    document.add_unsigned("words", max(int(words or 0), 0))
    document.add_unsigned("story", 1 if story else 0)
    return document


@contextmanager
def _snapshot(conn: sqlite3.Connection) -> Iterator[None]:
    """Reads that see one state of the file (WAL: writers go on meanwhile)."""
    if conn.in_transaction:
        yield
        return
    conn.execute("BEGIN")
    try:
        yield
    finally:
        conn.execute("COMMIT")


@dataclass(frozen=True)
class Ranked:
    """What the index is asked: the reader's words, the tags, the plain filters."""

    query: str
    tags: tuple[int, ...]
    excluded_tags: tuple[int, ...]
    filters: Filters

    @property
    def answerable(self) -> bool:
        return self.filters.added_since is None and self.filters.added_until is None


class SearchIndex:
    """The index in ``<archive>-search/``, opened when first used."""

    def __init__(
        self, archive_path: str, forget: Callable[[sqlite3.Connection, int], None] | None = None
    ) -> None:
        self.folder = folder_of(archive_path)
        # clears the log up to a change the index holds (the archive's: it knows whether
        # the file may be written); None: the log is kept
        self._forget = forget
        self._index: tantivy.Index | None = None
        self._name: str | None = None
        self._applied = -1
        self._stamp: int | None = None
        self._lock = threading.RLock()
        self.last_engine = "fts5"  # which engine ranked the last search (for tests, docs)

    # -- state ---------------------------------------------------------------------------
    def _state(self) -> dict[str, Any] | None:
        try:
            found = json.loads((self.folder / "state.json").read_text("utf-8"))
        except (OSError, ValueError):
            return None
        return found if isinstance(found, dict) else None

    def _open(self, name: str) -> bool:
        """The index opened (again, when another process has written it since)."""
        try:
            stamp = (self.folder / "state.json").stat().st_mtime_ns
        except OSError:
            self._index = None
            return False
        if self._index is not None and stamp == self._stamp and self._name == name:
            return True
        state = self._state()
        if not state or state.get("name") != name or not _compatible(state):
            self._index = None
            return False
        try:
            if self._index is None or self._name != name:
                index = tantivy.Index(_schema(), path=str(self.folder), reuse=True)
                index.register_tokenizer(ANALYZER, _analyzer())
                self._index = index
            else:
                self._index.reload()
        except (OSError, ValueError):
            self._index = None
            return False
        self._name, self._stamp, self._applied = name, stamp, int(state.get("applied", -1))
        return True

    def _write_state(self, folder: Path, name: str, applied: int) -> None:
        state = {"format": FORMAT, "schema": SCHEMA_VERSION, "name": name, "applied": applied}
        temporary = folder / "state.json.new"
        temporary.write_text(json.dumps(state), "utf-8")
        os.replace(temporary, folder / "state.json")

    def status(self, conn: sqlite3.Connection) -> dict[str, Any]:
        name = enabled(conn)
        if name is None:
            return {"kept": False}
        with self._lock:
            opened = self._open(name)
            behind = self._pending(conn) if opened else None
            documents = self._index.searcher().num_docs if opened and self._index else 0
        return {"kept": True, "usable": opened, "works": documents, "behind": behind}

    # -- searching ---------------------------------------------------------------------------
    def ranked_ids(
        self, conn: sqlite3.Connection, asked: Ranked, limit: int, offset: int
    ) -> tuple[list[int], int] | None:
        """The ids of one page in the index's ranking and how many works match (counted
        by the index as it ranks: no dearer than the page alone); None when FTS5 should
        answer."""
        self.last_engine = "fts5"
        name = enabled(conn)
        if name is None or not asked.answerable or offset + limit > MAX_DEPTH:
            return None
        with self._lock:  # the search itself runs unlocked: a searcher is a snapshot
            if not self._current(conn, name):
                return None
            index = self._index
        assert index is not None
        query = _query(index, asked)
        if query is None:
            return None
        try:
            searcher = index.searcher()
            # at least one: a limit of 0 is a panic in tantivy, not an error
            found = searcher.search(query, max(limit, 1), count=True, offset=offset)
            addresses = [address for _, address in found.hits][:limit]
            ids = [int(i or 0) for i in searcher.fast_field_values("id", addresses)]
            total = int(found.count or 0)  # type: ignore[attr-defined]  # not in the stubs
        except (OSError, ValueError):  # a damaged index: FTS5 answers, a build mends it
            with self._lock:
                self.close()
            return None
        self.last_engine = "tantivy"
        return ids, total

    def _pending(self, conn: sqlite3.Connection) -> int:
        """Works changed since the index was last written."""
        query = "SELECT count(*) FROM search_changes WHERE seq > ?"
        return int(conn.execute(query, (self._applied,)).fetchone()[0])

    def _current(self, conn: sqlite3.Connection, name: str) -> bool:
        if not self._open(name):
            return False
        if latest_change(conn) == self._applied:
            return True
        if self._pending(conn) > INLINE_CHANGES:
            return False
        try:
            self.sync(conn)
        except (IndexBusy, OSError, ValueError):  # tantivy's own errors are ValueError
            return False
        return latest_change(conn) == self._applied

    # -- writing -----------------------------------------------------------------------------
    def sync(self, conn: sqlite3.Connection) -> int:
        """Apply the logged changes the index lacks; how many works were written. The
        log up to what the index holds is cleared when the file can be written."""
        name = enabled(conn)
        if name is None:
            return 0
        with self._lock, _exclusive(self.folder, wait=False):
            if not self._open(name):  # opened again under the lock: another may have synced
                return 0
            index = self._index
            assert index is not None
            with _snapshot(conn):
                latest = latest_change(conn)
                if latest == self._applied:
                    return 0
                changed = [
                    int(r[0])
                    for r in conn.execute(
                        "SELECT DISTINCT work_id FROM search_changes WHERE seq > ?",
                        (self._applied,),
                    )
                ]
                self._apply(conn, index, changed)
            self._write_state(self.folder, name, latest)
            self._open(name)
        if self._forget is not None:
            self._forget(conn, latest)
        return len(changed)

    def _apply(self, conn: sqlite3.Connection, index: tantivy.Index, changed: list[int]) -> None:
        """Each changed work's document made again (or deleted, when the work is gone)."""
        writer = _writer(index, SYNC_HEAP_BYTES, 1)
        try:
            for chunk in _chunks(changed, 500):
                # by query: a term of a Python int is taken as signed, and finds nothing
                # in an unsigned field
                writer.delete_documents_by_query(
                    tantivy.Query.term_set_query(index.schema, "id", chunk)
                )
                marks = ",".join("?" * len(chunk))
                for row in conn.execute(f"{_DOCS} WHERE f.rowid IN ({marks})", chunk):
                    writer.add_document(_document(tuple(row)))
            writer.commit()
            writer.wait_merging_threads()
        except BaseException:
            writer.rollback()
            raise

    def build(self, conn: sqlite3.Connection, name: str) -> int:
        """The index made anew from the full-text rows (the old one replaced when done);
        how many works it holds. `name` is already in meta, so changes made while it is
        built are logged and applied by the next `sync`."""
        with self._lock, _exclusive(self.folder, wait=True):
            building = self.folder.with_name(self.folder.name + ".new")
            shutil.rmtree(building, ignore_errors=True)
            building.mkdir(parents=True)
            index = tantivy.Index(_schema(), path=str(building), reuse=False)
            index.register_tokenizer(ANALYZER, _analyzer())
            writer = _writer(index, BUILD_HEAP_BYTES, min(os.cpu_count() or 1, 4))
            count = 0
            with _snapshot(conn):
                latest = latest_change(conn)
                for row in conn.execute(_DOCS):
                    writer.add_document(_document(tuple(row)))
                    count += 1
            writer.commit()
            writer.wait_merging_threads()
            self._write_state(building, name, latest)
            self.close()
            shutil.rmtree(self.folder, ignore_errors=True)
            os.replace(building, self.folder)
            self._open(name)
        if self._forget is not None:
            self._forget(conn, latest)
        return count

    def drop(self) -> None:
        with self._lock:
            self.close()
            shutil.rmtree(self.folder, ignore_errors=True)

    def close(self) -> None:
        self._index, self._name, self._stamp, self._applied = None, None, None, -1


@contextmanager
def _exclusive(folder: Path, wait: bool) -> Iterator[None]:
    """One writer of the index at a time across processes, a build included (it swaps
    the folder, which tantivy's own lock inside it cannot cover): `IndexBusy` when
    another holds it and `wait` is false."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    with open(folder.with_name(folder.name + ".lock"), "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            raise IndexBusy(f"{folder} is being written by another process") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _compatible(state: dict[str, Any]) -> bool:
    return state.get("format") == FORMAT and state.get("schema") == SCHEMA_VERSION


def _writer(index: tantivy.Index, heap: int, threads: int) -> tantivy.IndexWriter:
    try:
        return index.writer(heap, threads)
    except ValueError as exc:  # "Failed to acquire Lockfile: LockBusy"
        raise IndexBusy(str(exc)) from None


def _chunks(items: list[int], size: int) -> Iterable[list[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _query(index: tantivy.Index, asked: Ranked) -> tantivy.Query | None:
    """The reader's words as tantivy's query language (every term quoted: only letters
    and digits reach it), the tags and plain filters as unscored terms and ranges."""
    terms = parse(asked.query)
    anded = groups(terms)
    if not anded:
        return None
    text = " ".join(
        "+(" + " OR ".join(f'"{t.text}"' for t in group) + ")" for group in anded
    ) + "".join(f' -"{t.text}"' for t in terms if t.exclude)
    words = index.parse_query(text, list(BOOSTS), field_boosts=BOOSTS)
    schema = index.schema
    parts: list[tuple[tantivy.Occur, tantivy.Query]] = [(tantivy.Occur.Must, words)]

    def unscored(query: tantivy.Query) -> tantivy.Query:
        return tantivy.Query.const_score_query(query, 0.0)

    for tag in asked.tags:
        parts.append((tantivy.Occur.Must, unscored(tantivy.Query.term_query(schema, "tags", tag))))
    for tag in asked.excluded_tags:
        parts.append((tantivy.Occur.MustNot, tantivy.Query.term_query(schema, "tags", tag)))
    low, high = asked.filters.words_min, asked.filters.words_max
    if low is not None or high is not None:
        ranged = tantivy.Query.range_query(
            schema, "words", tantivy.FieldType.Unsigned, low, high, True, True
        )
        parts.append((tantivy.Occur.Must, unscored(ranged)))
    if asked.filters.stories_only:
        story = tantivy.Query.term_query(schema, "story", 1)
        parts.append((tantivy.Occur.Must, unscored(story)))
    return words if len(parts) == 1 else tantivy.Query.boolean_query(parts)
