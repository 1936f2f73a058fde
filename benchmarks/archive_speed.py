"""Archive speed: search and facets on a large archive, and `add` against rescue alone.

    python benchmarks/archive_speed.py                 # 100,000 works (a few minutes to build)
    python benchmarks/archive_speed.py --quick         # 10,000 works, fewer queries
    python benchmarks/archive_speed.py --check         # exit 1 when a floor is missed

The archive is built from the shared corpus: every story is rescued once, then each
work of the archive is a variant of one of them (a sample of its paragraphs shuffled,
with a paragraph of another story, a title of its own, tags drawn from skewed pools),
so that the full-text index and the facets have many distinct documents to work on.
Variants are stored with `add_work` and a `Prepared` computed on every core.

Floors (issue 3): search p95 at most 50 ms for one-word, phrase and filtered queries,
printed beside the bare FTS5 query for the same words; facet counts at most 100 ms;
`add` throughput at least 80 % of rescue-only throughput on the same files.

Printed without a floor (issue 13): what integrity costs on the same archive, in
seconds a GB: ``PRAGMA quick_check`` (run once before a command writes, lists or
serves), `ficarchive check` (every row read, every original hashed) and `--salvage`.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

from ficarchive.archive import Filters, SQLiteArchive
from ficarchive.archive.adding import add_files
from ficarchive.archive.query import fts5
from ficarchive.archive.records import Prepared
from ficarchive.errors import FicarchiveError
from ficarchive.files import StoryFile
from ficarchive.rescue import rescue
from ficarchive.work import Chapter, Section, Work

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus"
CORPORA = ("antennapedia-btvs", "usenet-startrek")

SEARCH_P95_MS = 50.0
FACETS_MS = 100.0
ADD_SHARE = 0.80
FULL_WORKS, QUICK_WORKS = 100_000, 10_000

ONE_WORD = ["vampire", "captain", "night", "lantern", "coffee", "sword", "ship", "rain"]
PHRASES = ['"the door"', '"in the dark"', '"said nothing"', '"the bridge"', '"her hand"']
RELATIONSHIPS = ["Spike/Buffy", "Giles/Jenny", "Kirk/Spock", "Willow/Tara", "Xander/Anya"]
RELATIONSHIPS += [f"Character {i}/Character {i + 1}" for i in range(60)]
CHARACTERS = ["Buffy Summers", "Spike", "Rupert Giles", "James T. Kirk", "Spock", "Data"]
CHARACTERS += [f"Extra {i}" for i in range(150)]
FREEFORM = ["Angst", "Fluff", "Hurt/Comfort", "Alternate Universe", "Friendship"]
FREEFORM += [f"Theme {i}" for i in range(400)]
FANDOMS = ["Buffy the Vampire Slayer", "Star Trek", "Angel", "Star Trek: The Next Generation"]
FANDOMS += [f"Fandom {i}" for i in range(30)]
RATINGS = ["General Audiences", "Teen And Up Audiences", "Mature", "Explicit", "Not Rated"]
TITLE_WORDS = ["Bells", "Winter", "Lantern", "Harbour", "Orbit", "Dust", "Ashes", "Tide"]


def corpus_files(corpus_dir: Path, every: int = 1) -> list[Path]:
    files = []
    for corpus in CORPORA:
        folder = corpus_dir / corpus
        files += sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    return files[::every]


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


# -- building the archive -------------------------------------------------------------


def _rescue_path(path: Path) -> Work | None:
    try:
        return rescue(path.read_bytes(), path.name)
    except FicarchiveError:
        return None


def _skewed(rng: random.Random, pool: Sequence[str], most: int) -> tuple[str, ...]:
    """A few names from `pool`, the first ones far likelier (like real tag use)."""
    count = rng.randint(0, most)
    return tuple({pool[min(len(pool) - 1, int(rng.paretovariate(1.2)) - 1)] for _ in range(count)})


def variant(bases: Sequence[Work], index: int) -> Work:
    rng = random.Random(index)
    base = bases[index % len(bases)]
    other = bases[rng.randrange(len(bases))]
    own = list(base.paragraphs)
    paragraphs = rng.sample(own, min(len(own), rng.randint(8, 24)))
    paragraphs += rng.sample(list(other.paragraphs), min(len(other.paragraphs), 2))
    rng.shuffle(paragraphs)
    words = sum(len(p.split()) for p in paragraphs)
    source = replace(base.source, sha256="") if base.source else None
    return base.evolve(
        title=f"{rng.choice(TITLE_WORDS)} {base.title or 'Untitled'} {index}",
        chapters=(Chapter(title=None, sections=(Section(paragraphs=tuple(paragraphs)),)),),
        word_count=words,
        rating=rng.choice(RATINGS),
        fandoms=_skewed(rng, FANDOMS, 2) or (FANDOMS[index % 2],),
        relationships=_skewed(rng, RELATIONSHIPS, 2),
        characters=_skewed(rng, CHARACTERS, 4),
        tags=_skewed(rng, FREEFORM, 5),
        source=source,
    )


_BASES: list[Work] = []


def _prepare(index: int) -> tuple[Work, Prepared]:
    work = variant(_BASES, index)
    return work, Prepared.of(work)


def _init_bases(bases: list[Work]) -> None:
    _BASES[:] = bases


def build(path: Path, bases: list[Work], count: int, jobs: int) -> float:
    """Fill a new archive with `count` variants; seconds taken."""
    started = time.perf_counter()
    archive = SQLiteArchive(path)
    with ProcessPoolExecutor(jobs, initializer=_init_bases, initargs=(bases,)) as pool:
        for done, (work, prepared) in enumerate(
            pool.map(_prepare, range(count), chunksize=200), start=1
        ):
            archive.add_work(work, prepared=prepared)
            if done % 10_000 == 0:
                rate = done / (time.perf_counter() - started)
                print(f"  built {done:,} works ({rate:,.0f}/s)", file=sys.stderr)
    archive.conn.execute("PRAGMA optimize")
    archive.close()
    return time.perf_counter() - started


# -- measuring ----------------------------------------------------------------------------


def timed_ms(fn: Callable[[], object], repeats: int) -> list[float]:
    fn()  # warm
    out = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


def bare_fts5(conn: sqlite3.Connection, query: str) -> Callable[[], object]:
    expression = fts5(query)
    return lambda: conn.execute(
        "SELECT rowid FROM works_fts WHERE works_fts MATCH ? ORDER BY rank LIMIT 20",
        (expression,),
    ).fetchall()


def measure_search(archive: SQLiteArchive, repeats: int) -> dict[str, dict[str, float]]:
    filters = [Filters(relationships=(r,)) for r in RELATIONSHIPS[:3]]
    filters += [Filters(ratings=("Explicit",), fandoms=("btvs",)), Filters(tags=("Angst",))]
    kinds: dict[str, list[tuple[str, Filters]]] = {
        "one word": [(w, Filters()) for w in ONE_WORD],
        "phrase": [(p, Filters()) for p in PHRASES],
        "filtered": [(w, f) for w, f in zip(ONE_WORD, filters * 2, strict=False)],
    }
    results: dict[str, dict[str, float]] = {}
    for kind, queries in kinds.items():
        ours: list[float] = []
        bare: list[float] = []
        for query, chosen in queries:
            ours += timed_ms(lambda q=query, f=chosen: archive.search(q, f, facets=False), repeats)
            bare += timed_ms(bare_fts5(archive.conn, query), repeats)
        results[kind] = _summary(ours, bare)
    return results


def measure_facets(archive: SQLiteArchive, repeats: int) -> dict[str, dict[str, float]]:
    cases = {
        "facets, everything": [("", Filters())],
        "facets, one word": [(w, Filters()) for w in ONE_WORD[:4]],
        "facets, filtered": [("", Filters(relationships=(r,))) for r in RELATIONSHIPS[:3]],
    }
    results = {}
    for kind, queries in cases.items():
        times: list[float] = []
        for query, chosen in queries:
            times += timed_ms(lambda q=query, f=chosen: archive.facets(f, q), repeats)
        results[kind] = _summary(times, [])
    return results


def _summary(ours: list[float], bare: list[float]) -> dict[str, float]:
    out = {"p50": percentile(ours, 0.5), "p95": percentile(ours, 0.95)}
    if bare:
        out["bare_p50"] = percentile(bare, 0.5)
        out["bare_p95"] = percentile(bare, 0.95)
        out["overhead_p50"] = out["p50"] / max(out["bare_p50"], 1e-6)
    return out


def measure_add(files: list[Path], jobs: int, folder: Path) -> dict[str, float]:
    """Files a second: rescue alone on `jobs` processes, then add_files into a new archive."""
    sizes = sum(p.stat().st_size for p in files)
    started = time.perf_counter()
    with ProcessPoolExecutor(jobs) as pool:
        list(pool.map(_rescue_path, files, chunksize=1))
    rescue_s = time.perf_counter() - started
    archive = SQLiteArchive(folder / "add.sqlite")
    stories = [StoryFile(p, p.name, Path(p.name)) for p in files]
    started = time.perf_counter()
    outcomes = list(add_files(archive, stories, jobs=jobs))
    add_s = time.perf_counter() - started
    archive.close()
    return {
        "files": len(files),
        "megabytes": sizes / 1e6,
        "jobs": jobs,
        "rescue_files_per_s": len(files) / rescue_s,
        "add_files_per_s": len(files) / add_s,
        "share": rescue_s / add_s,
        "failed": sum(o.result is None for o in outcomes),
    }


def measure_integrity(path: Path, folder: Path) -> dict[str, float]:
    """Seconds for the quick check, the whole check and a salvage of the archive."""
    from ficarchive.archive.integrity import check
    from ficarchive.archive.salvage import salvage

    gigabytes = path.stat().st_size / 1e9
    conn = sqlite3.connect(path)
    started = time.perf_counter()
    conn.execute("PRAGMA quick_check").fetchall()
    quick_s = time.perf_counter() - started
    conn.close()
    started = time.perf_counter()
    sound = check(str(path)).sound
    check_s = time.perf_counter() - started
    started = time.perf_counter()
    copied = salvage(str(path), str(folder / "salvaged.sqlite")).copied
    salvage_s = time.perf_counter() - started
    return {
        "gigabytes": gigabytes,
        "quick_check_s": quick_s,
        "check_s": check_s,
        "salvage_s": salvage_s,
        "sound": float(sound),
        "copied": copied,
    }


# -- report -----------------------------------------------------------------------------


def report(results: dict[str, Any]) -> list[str]:
    """Print the table; the floors missed."""
    missed = []
    print(
        f"\narchive of {results['works']:,} works on SQLite (built in {results['build_s']:.0f} s)"
    )
    print(f"{'query':<22}{'p50 ms':>9}{'p95 ms':>9}{'FTS5 p50':>10}{'FTS5 p95':>10}{'ratio':>7}")
    for kind, row in results["search"].items():
        mark = "" if row["p95"] <= SEARCH_P95_MS else f"  OVER {SEARCH_P95_MS:.0f} ms"
        print(
            f"{kind:<22}{row['p50']:>9.2f}{row['p95']:>9.2f}{row['bare_p50']:>10.2f}"
            f"{row['bare_p95']:>10.2f}{row['overhead_p50']:>6.1f}x{mark}"
        )
        if mark:
            missed.append(f"search {kind} p95 {row['p95']:.1f} ms > {SEARCH_P95_MS:.0f} ms")
    for kind, row in results["facets"].items():
        mark = "" if row["p95"] <= FACETS_MS else f"  OVER {FACETS_MS:.0f} ms"
        print(f"{kind:<22}{row['p50']:>9.2f}{row['p95']:>9.2f}{mark}")
        if mark:
            missed.append(f"{kind} p95 {row['p95']:.1f} ms > {FACETS_MS:.0f} ms")
    kept = results.get("integrity")
    if kept:
        per_gb = max(kept["gigabytes"], 1e-9)
        print(
            f"\nintegrity of {kept['gigabytes'] * 1000:.0f} MB: quick_check "
            f"{kept['quick_check_s']:.2f} s ({kept['quick_check_s'] / per_gb:.1f} s/GB), check "
            f"{kept['check_s']:.1f} s ({kept['check_s'] / per_gb:.0f} s/GB), salvage "
            f"{kept['salvage_s']:.1f} s of {kept['copied']:,} works; sound: {bool(kept['sound'])}"
        )
    add = results.get("add")
    if add:
        print(
            f"\nadd: {add['files']} files ({add['megabytes']:.1f} MB) on {add['jobs']} cores: "
            f"rescue alone {add['rescue_files_per_s']:.1f} files/s, add_files "
            f"{add['add_files_per_s']:.1f} files/s = {add['share']:.0%} of rescue "
            f"(floor {ADD_SHARE:.0%}); {add['failed']} refused by rescue"
        )
        if add["share"] < ADD_SHARE:
            missed.append(f"add at {add['share']:.0%} of rescue-only throughput")
    return missed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_WORKS:,} works")
    parser.add_argument("--works", type=int, help=f"works in the archive ({FULL_WORKS:,})")
    parser.add_argument("--check", action="store_true", help="exit 1 when a floor is missed")
    parser.add_argument("--json", type=Path, help="save the numbers here")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--archive", type=Path, help="keep (and reuse) the built archive here")
    parser.add_argument("--skip-add", action="store_true", help="skip the add throughput run")
    args = parser.parse_args(argv)
    if not args.corpus.is_dir():
        print(f"archive_speed: no corpus at {args.corpus}; skipped")
        return 0
    count = args.works or (QUICK_WORKS if args.quick else FULL_WORKS)
    jobs = os.cpu_count() or 1
    repeats = 3 if args.quick else 10
    files = corpus_files(args.corpus)
    with tempfile.TemporaryDirectory() as tmp:
        path = args.archive or Path(tmp) / "bench.sqlite"
        results: dict[str, Any] = {"works": count, "build_s": 0.0, "jobs": jobs}
        if not path.exists():
            with ProcessPoolExecutor(jobs) as pool:
                bases = [w for w in pool.map(_rescue_path, files) if w and w.paragraphs]
            results["build_s"] = build(path, bases, count, jobs)
        archive = SQLiteArchive(path)
        results["works"] = archive.count()
        results["search"] = measure_search(archive, repeats)
        results["facets"] = measure_facets(archive, repeats)
        archive.close()
        results["integrity"] = measure_integrity(path, Path(tmp))
        if not args.skip_add:
            sample = files[:: 3 if args.quick else 1]
            results["add"] = measure_add(sample, jobs, Path(tmp))
    missed = report(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    for line in missed:
        print(f"FLOOR MISSED: {line}")
    return 1 if missed and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
