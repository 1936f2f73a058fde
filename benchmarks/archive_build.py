"""The benchmark archive of `archive_speed.py`, synthesized straight into SQLite.

A million works cannot be rescued one by one in a benchmark's time, and need not be:
what search and facets see is text, titles, authors and tags. So the stories of the
shared corpus are rescued once, their paragraphs become a pool, and each work is drawn
from it (a few paragraphs of one story and one of another, a title of its own, an author
from a skewed pool of 40,000, rating and tags from skewed pools, a date added over
twenty years, a series for one work in twelve); rows are written with ``executemany``
into the tables the archive itself uses (``works``, ``works_fts``, ``tags``,
``work_tags``, the tag counts, the tags' words in ``works_fts``), each Work JSON one the
archive reads back like any other.

The archive is kept between runs (by default under ``~/.cache/ficarchive/bench/``,
``works-N.sqlite``): building it again costs minutes, measuring it seconds.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import sys
import time
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ficarchive.archive import SQLiteArchive
from ficarchive.archive import fingerprint as fp
from ficarchive.archive.schema import SQLITE_MIGRATIONS, TAG_WORD
from ficarchive.archive.tags import tag_key
from ficarchive.archive.text import fts_fields
from ficarchive.errors import FicarchiveError
from ficarchive.rescue import rescue
from ficarchive.work import Chapter, Section, Work

REPO = Path(__file__).resolve().parents[1]
CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ficarchive" / "bench"
CORPORA = ("antennapedia-btvs", "usenet-startrek")
GOLDEN = REPO / "tests" / "golden"

RELATIONSHIPS = ["Spike/Buffy", "Giles/Jenny", "Kirk/Spock", "Willow/Tara", "Xander/Anya"]
RELATIONSHIPS += [f"Character {i}/Character {i + 1}" for i in range(600)]
CHARACTERS = ["Buffy Summers", "Spike", "Rupert Giles", "James T. Kirk", "Spock", "Data"]
CHARACTERS += [f"Extra {i}" for i in range(1500)]
FREEFORM = ["Angst", "Fluff", "Hurt/Comfort", "Alternate Universe", "Friendship"]
FREEFORM += [f"Theme {i}" for i in range(4000)]
FANDOMS = ["Buffy the Vampire Slayer", "Star Trek", "Angel", "Star Trek: The Next Generation"]
FANDOMS += [f"Fandom {i}" for i in range(300)]
WARNINGS = ["No Archive Warnings Apply", "Creator Chose Not To Use Archive Warnings"]
WARNINGS += ["Graphic Depictions Of Violence", "Major Character Death"]
RATINGS = ["General Audiences", "Teen And Up Audiences", "Mature", "Explicit", "Not Rated"]
TITLE_WORDS = ["Bells", "Winter", "Lantern", "Harbour", "Orbit", "Dust", "Ashes", "Tide"]
TITLE_WORDS += ["Salt", "Glass", "Embers", "Signal", "Hollow", "Thaw", "Meridian", "Static"]
AUTHORS = 40_000
SERIES = 20_000
CHUNK = 5_000  # works a worker makes at once
WINDOW = 3  # chunks made ahead of the writer, per worker: memory stays a few chunks
EPOCH = 946_684_800  # 2000-01-01, the earliest date added
SPAN = 26 * 365 * 86_400


def default_path(works: int) -> Path:
    return CACHE / f"works-{works}.sqlite"


# -- the pool of paragraphs -------------------------------------------------------------


def _rescue_path(path: Path) -> list[str]:
    try:
        return list(rescue(path.read_bytes(), path.name).paragraphs)
    except FicarchiveError:
        return []


def paragraph_pool(corpus: Path, jobs: int) -> list[list[str]]:
    """Each usable story of the corpus (or the golden stories without it) as its paragraphs,
    rescued once and kept beside the archives (``pool.json``)."""
    kept = CACHE / "pool.json"
    if kept.exists():
        found: list[list[str]] = json.loads(kept.read_text("utf-8"))
        return found
    files: list[Path] = []
    for name in CORPORA:
        folder = corpus / name
        if folder.is_dir():
            files += sorted(p for p in folder.iterdir() if p.is_file() and p.name[0] != ".")
    if not files:
        files = sorted(GOLDEN.glob("*.txt")) + sorted(GOLDEN.glob("*.html"))
    with ProcessPoolExecutor(jobs) as pool:
        stories = list(pool.map(_rescue_path, files, chunksize=4))
    usable = [s for s in stories if len(s) >= 4]
    kept.parent.mkdir(parents=True, exist_ok=True)
    kept.write_text(json.dumps(usable), "utf-8")
    return usable


# -- one work ---------------------------------------------------------------------------


def _skewed(rng: random.Random, pool: Sequence[str], most: int) -> list[str]:
    """A few names from `pool`, the first ones far likelier (like real tag use)."""
    count = rng.randint(0, most)
    found = {pool[min(len(pool) - 1, int(rng.paretovariate(1.1)) - 1)] for _ in range(count)}
    return sorted(found)


def author_name(number: int) -> str:
    first = ["Ana", "Tom", "Rosa", "Kit", "Jo", "Sam", "Lee", "Mika", "Ira", "Noor"]
    last = ["Brightwater", "Doe", "Vale", "Marsh", "Quill", "Hart", "Wren", "Ash"]
    return f"{first[number % 10]} {last[(number // 10) % 8]} {number}"


@dataclass(frozen=True)
class Drawn:
    """One synthesized work: its row values, its search text and its tags."""

    work_id: int
    title: str
    authors: list[str]
    rating: str
    words: int
    added_at: str
    work_json: str
    fields: dict[str, str]
    fingerprint: int
    tags: list[tuple[str, str]]


_TEMPLATE = Work().to_dict()
_POOL: list[list[str]] = []


def _init(pool: list[list[str]]) -> None:
    _POOL[:] = pool


def draw(pool: Sequence[Sequence[str]], work_id: int) -> Drawn:
    rng = random.Random(work_id)
    story = pool[rng.randrange(len(pool))]
    other = pool[rng.randrange(len(pool))]
    start = rng.randrange(max(1, len(story) - 6))
    paragraphs = list(story[start : start + rng.randint(4, 9)])
    paragraphs.append(other[rng.randrange(len(other))])
    rng.shuffle(paragraphs)
    author = min(AUTHORS - 1, int(rng.paretovariate(0.9)) - 1 + rng.randrange(2) * 1000)
    authors = [author_name(author)]
    if rng.random() < 0.03:
        authors.append(author_name(rng.randrange(AUTHORS)))
    title = f"{rng.choice(TITLE_WORDS)} {rng.choice(TITLE_WORDS).lower()} {work_id}"
    tags = {
        "rating": [rng.choice(RATINGS)],
        "warning": _skewed(rng, WARNINGS, 1) or [WARNINGS[0]],
        "fandom": _skewed(rng, FANDOMS, 2) or [FANDOMS[work_id % 2]],
        "relationship": _skewed(rng, RELATIONSHIPS, 2),
        "character": _skewed(rng, CHARACTERS, 4),
        "freeform": _skewed(rng, FREEFORM, 5),
    }
    data = dict(_TEMPLATE)
    data.update(
        title=title,
        authors=authors,
        rating=tags["rating"][0],
        warnings=tags["warning"],
        fandoms=tags["fandom"],
        relationships=tags["relationship"],
        characters=tags["character"],
        tags=tags["freeform"],
        chapters=[{"title": None, "sections": [{"paragraphs": paragraphs}]}],
    )
    if rng.random() < 1 / 12:
        data["series"] = [{"name": f"Series {rng.randrange(SERIES)}", "part": rng.randint(1, 6)}]
    work = Work(
        title=title,
        authors=tuple(authors),
        chapters=(Chapter(None, (Section(tuple(paragraphs)),)),),
    )
    fields = fts_fields(work)
    words = len(fields["text"].split())
    data["word_count"] = words
    added = EPOCH + (work_id * SPAN) // 1_200_000 + rng.randrange(86_400)
    return Drawn(
        work_id,
        title,
        authors,
        data["rating"],
        words,
        time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(added)),
        json.dumps(data, ensure_ascii=False),
        fields,
        0,  # no fingerprint: near duplicates are not what is measured (and cost 1 ms a work)
        [(kind, name) for kind, names in tags.items() for name in names],
    )


def _chunk(bounds: tuple[int, int]) -> list[Drawn]:
    return [draw(_POOL, i) for i in range(*bounds)]


# -- writing ----------------------------------------------------------------------------


def _tag_ids(conn: sqlite3.Connection) -> dict[tuple[str, str], int]:
    pools = [
        ("rating", RATINGS),
        ("warning", WARNINGS),
        ("fandom", FANDOMS),
        ("relationship", RELATIONSHIPS),
        ("character", CHARACTERS),
        ("freeform", FREEFORM),
    ]
    rows = [(kind, tag_key(kind, name), name) for kind, names in pools for name in names]
    conn.executemany("INSERT OR IGNORE INTO tags(kind, key, name) VALUES (?, ?, ?)", rows)
    found = {(k, key): i for i, k, key in conn.execute("SELECT id, kind, key FROM tags")}
    return {(kind, name): found[(kind, tag_key(kind, name))] for kind, _, name in rows}


def _write(conn: sqlite3.Connection, drawn: list[Drawn], ids: dict[tuple[str, str], int]) -> None:
    works = []
    for d in drawn:
        bands = fp.bands(d.fingerprint)
        works.append(
            (d.work_id, d.title, json.dumps(d.authors), d.rating, d.words, d.added_at,
             d.added_at, fp.signed(d.fingerprint), *bands, d.work_json, d.work_json)
        )  # fmt: skip
    conn.executemany(
        "INSERT INTO works(id, sha256, title, authors, rating, word_count, looks_like_story, "
        "published, added_at, updated_at, fingerprint, band0, band1, band2, band3, work_json, "
        "rescued_json, source_key) VALUES (?, NULL, ?, ?, ?, ?, 1, NULL, ?, ?, ?, ?, ?, ?, ?, "
        "?, ?, NULL)",
        works,
    )
    conn.executemany(
        "INSERT INTO works_fts(rowid, title, authors, summary, notes, text, tags) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (d.work_id, d.fields["title"], d.fields["authors"], "", "", d.fields["text"],
             " ".join(sorted({f"{TAG_WORD}{ids[tag]}" for tag in d.tags})))
            for d in drawn
        ],
    )  # fmt: skip
    conn.executemany(
        "INSERT OR IGNORE INTO work_tags(work_id, tag_id) VALUES (?, ?)",
        [(d.work_id, ids[tag]) for d in drawn for tag in d.tags],
    )


_COUNT_TRIGGERS = ("work_tags_counted", "work_tags_uncounted")


def build(path: Path, count: int, corpus: Path, jobs: int) -> float:
    """Make the archive of `count` works at `path` (written under a temporary name and
    renamed when whole); seconds taken."""
    started = time.perf_counter()
    pool = paragraph_pool(corpus, jobs)
    started = time.perf_counter()  # the pool is rescued once and kept: not counted
    print(f"  pool: {len(pool)} stories, {sum(map(len, pool)):,} paragraphs", file=sys.stderr)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        leftover.unlink(missing_ok=True)
    SQLiteArchive(partial).close()  # the archive's own tables and migrations
    conn = sqlite3.connect(partial)
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -262144")
    for trigger in _COUNT_TRIGGERS:  # counted once at the end instead of per row
        conn.execute(f"DROP TRIGGER {trigger}")
    ids = _tag_ids(conn)
    chunks = [(s, min(s + CHUNK, count + 1)) for s in range(1, count + 1, CHUNK)]
    done = 0
    with ProcessPoolExecutor(jobs, initializer=_init, initargs=(pool,)) as workers:
        for drawn in _bounded_map(workers, chunks, WINDOW * jobs):
            with conn:
                _write(conn, drawn, ids)
            done += len(drawn)
            if done % 100_000 < CHUNK:
                rate = done / (time.perf_counter() - started)
                print(f"  built {done:,} works ({rate:,.0f}/s)", file=sys.stderr)
    print(f"  rows written in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    _finish(conn)
    conn.close()
    partial.rename(path)
    return time.perf_counter() - started


def _bounded_map(
    workers: ProcessPoolExecutor, chunks: list[tuple[int, int]], window: int
) -> Iterator[list[Drawn]]:
    """`workers.map(_chunk, chunks)` with at most `window` chunks made and not yet written:
    ``map`` would make them all at once, and a writer slower than the workers would hold
    the whole archive in memory."""
    pending: deque[Future[list[Drawn]]] = deque()
    for bounds in chunks:
        pending.append(workers.submit(_chunk, bounds))
        if len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def _finish(conn: sqlite3.Connection) -> None:
    """Tag counts, the count triggers back, the full-text index merged, statistics."""
    with conn:
        for statement in SQLITE_MIGRATIONS[2]:
            conn.execute(statement)
    conn.execute("INSERT INTO works_fts(works_fts) VALUES ('optimize')")
    conn.execute("PRAGMA optimize=0x10002")
    conn.commit()


def iter_rows(path: Path, batch: int = 10_000) -> Iterator[list[tuple[Any, ...]]]:
    """(id, title, authors, rating, words, added_at, text, tag names by kind) in batches,
    read back from a built archive: what another engine indexes for the side-by-side run."""
    conn = sqlite3.connect(path)
    last = 0
    while True:
        rows = conn.execute(
            "SELECT f.rowid, f.title, f.authors, w.rating, w.word_count, w.added_at, f.text, "
            "(SELECT json_group_array(json_array(t.kind, t.name)) FROM work_tags x "
            "JOIN tags t ON t.id = x.tag_id WHERE x.work_id = f.rowid) "
            # driven by the index's rowid range: joined the other way, SQLite scans the
            # whole full-text table for every batch
            "FROM works_fts f CROSS JOIN works w ON w.id = f.rowid WHERE f.rowid > ? "
            "ORDER BY f.rowid LIMIT ?",
            (last, batch),
        ).fetchall()
        if not rows:
            break
        last = rows[-1][0]
        yield rows
    conn.close()


def ensure(works: int, corpus: Path, jobs: int, path: Path | None = None) -> tuple[Path, float]:
    """The kept archive of `works` works (built first when missing); seconds spent building
    (0 when it was kept)."""
    path = path or default_path(works)
    if path.exists():
        return path, 0.0
    print(f"building the benchmark archive of {works:,} works at {path}", file=sys.stderr)
    return path, build(path, works, corpus, jobs)


def main(argv: list[str] | None = None) -> int:
    import argparse
    import resource

    parser = argparse.ArgumentParser(description="Build the kept benchmark archive.")
    parser.add_argument("--works", type=int, default=1_000_000)
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--path", type=Path, help=f"default: {default_path(0).parent}/works-N")
    args = parser.parse_args(argv)
    path, seconds = ensure(args.works, args.corpus, args.jobs, args.path)
    peak = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    )
    size = path.stat().st_size / 1e9
    print(f"{path}: {size:.1f} GB, built in {seconds:.0f} s, peak RSS {peak / 1024:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
