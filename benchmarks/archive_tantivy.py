"""The same searches on tantivy (its Python bindings), side by side with SQLite's FTS5.

    python benchmarks/archive_speed.py --works 1000000 --tantivy

Issue 12 asks: if FTS5 cannot hold the bars at a million works, measure an embedded
engine beside it and choose by the numbers. This indexes the works of `archive_build`'s
archive (read back with `archive_build.iter_rows`: title, authors, text, tag ids) into a
tantivy index kept beside it (``tantivy-N/``), with English stems as FTS5's porter
tokenizer makes them, and times the queries of `archive_speed` on it: the top 20 by
BM25 (tantivy's block-max WAND), with and without an exact count, tag filters as terms
of a ``tags`` field, and facet counts over every match (a terms aggregation on the tag
ids; no sample).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import tantivy

from benchmarks import archive_build
from benchmarks.archive_speed import timed_ms

HEAP_BYTES = 1_000_000_000
# title and authors count most, as in FTS5's bm25 weights
BOOSTS = {"title": 10.0, "authors": 6.0, "text": 1.0}


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("id", stored=True, indexed=True, fast=True)
    for name in ("title", "authors", "text"):
        builder.add_text_field(name, tokenizer_name="en_stem")
    builder.add_unsigned_field("tags", indexed=True, fast=True)
    return builder.build()


def ensure_index(archive: Path, works: int) -> tuple[tantivy.Index, float]:
    """The kept index of the archive's works (made when missing); seconds spent making it."""
    folder = archive.with_name(f"tantivy-{works}")
    done = folder / "complete"
    if done.exists():
        return tantivy.Index(_schema(), path=str(folder), reuse=True), 0.0
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    started = time.perf_counter()
    index = tantivy.Index(_schema(), path=str(folder), reuse=False)
    writer = index.writer(HEAP_BYTES, 1)  # one thread: the other core is not ours
    ids = _tag_ids(archive)
    for batch in archive_build.iter_rows(archive):
        for work_id, title, authors, _rating, _words, _added, text, tags in batch:
            document = tantivy.Document(title=title or "", authors=authors or "", text=text or "")
            document.add_unsigned("id", int(work_id))
            for kind, name in json.loads(tags):
                document.add_unsigned("tags", ids[(kind, name)])
            writer.add_document(document)
    writer.commit()
    writer.wait_merging_threads()
    done.write_text("")
    index.reload()
    return index, time.perf_counter() - started


def _tag_ids(archive: Path) -> dict[tuple[str, str], int]:
    conn = sqlite3.connect(archive)
    rows = conn.execute("SELECT id, kind, name FROM tags").fetchall()
    found = {(str(k), str(n)): int(i) for i, k, n in rows}
    conn.close()
    return found


def measure(
    index: tantivy.Index,
    cases: dict[str, list[tuple[str, list[int]]]],
    facet_cases: dict[str, list[tuple[str, list[int]]]],
    repeats: int,
) -> dict[str, dict[str, float]]:
    """p50/p95 of each kind: top 20 alone, top 20 with the exact count; facet counts."""
    searcher = index.searcher()
    out: dict[str, dict[str, float]] = {}
    for kind, queries in cases.items():
        top: list[float] = []
        counted: list[float] = []
        for words, tags in queries:
            query = _query(index, words, tags)
            top += timed_ms(lambda q=query: _top(searcher, q, count=False), repeats)
            counted += timed_ms(lambda q=query: _top(searcher, q, count=True), repeats)
        out[kind] = _summary(top) | {f"counted_{k}": v for k, v in _summary(counted).items()}
    for kind, queries in facet_cases.items():
        times: list[float] = []
        for words, tags in queries:
            query = _query(index, words, tags)
            times += timed_ms(lambda q=query: _facets(searcher, q), repeats)
        out[kind] = _summary(times)
    return out


def _query(index: tantivy.Index, words: str, tags: list[int]) -> tantivy.Query:
    parts: list[tuple[tantivy.Occur, tantivy.Query]] = []
    if words:
        text = index.parse_query(words, list(BOOSTS), field_boosts=BOOSTS)
        parts.append((tantivy.Occur.Must, text))
    schema = index.schema
    parts += [(tantivy.Occur.Must, tantivy.Query.term_query(schema, "tags", t)) for t in tags]
    if not parts:
        return tantivy.Query.all_query()
    return parts[0][1] if len(parts) == 1 else tantivy.Query.boolean_query(parts)


def _top(searcher: tantivy.Searcher, query: tantivy.Query, *, count: bool) -> list[int]:
    found = searcher.search(query, 20, count=count)
    return [int(searcher.doc(address)["id"][0]) for _, address in found.hits]


def _facets(searcher: tantivy.Searcher, query: tantivy.Query) -> dict[str, Any]:
    agg = {"tags": {"terms": {"field": "tags", "size": 200}}}
    found: dict[str, Any] = searcher.aggregate(query, agg)
    return found


def _summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {
        "p50": statistics.median(ordered),
        "p95": ordered[max(0, min(len(ordered) - 1, round(0.95 * len(ordered) + 0.5) - 1))],
    }


def report(results: dict[str, Any], bar_ms: float, facets_ms: float) -> None:
    built = f"built in {results['build_s']:.0f} s" if results["build_s"] else "kept"
    print(f"\ntantivy {tantivy.__version__} on the same works ({built}), one thread")
    print(f"{'query':<20}{'top20 p50':>10}{'p95':>8}{'+count p50':>12}{'p95':>8}")
    for kind, row in results["timings"].items():
        if "counted_p50" in row:
            print(
                f"{kind:<20}{row['p50']:>10.2f}{row['p95']:>8.2f}"
                f"{row['counted_p50']:>12.2f}{row['counted_p95']:>8.2f}"
                f"   p95 {'met' if row['p95'] <= bar_ms else 'over'} {bar_ms:.0f} ms"
            )
        else:
            print(
                f"{kind:<20}{row['p50']:>10.2f}{row['p95']:>8.2f}{'':>20}"
                f"   p95 {'met' if row['p95'] <= facets_ms else 'over'} {facets_ms:.0f} ms"
                " (every match counted)"
            )


if __name__ == "__main__":
    print("run through archive_speed.py --tantivy", file=sys.stderr)
    sys.exit(2)
