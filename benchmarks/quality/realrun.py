"""The real collections in the quality gate: rescue every file as found, score it.

One `Row` a file and method, like the degraded shapes: ``rescue`` is ficarchive; the
``baseline`` is the `Label: value` parser of `baselines` on the crudely decoded text (the
peer measured in the same run), scored on the fields it can give (title, authors).
"""

from __future__ import annotations

import random
from typing import Any

from benchmarks.quality import baselines
from benchmarks.quality.real import COLLECTIONS, RealGold, real_gold, same_authors, same_title
from benchmarks.quality.real import score as real_score
from benchmarks.quality.run import Row, rescue_safely

#: Metadata-scored files per collection in a quick run (every annotated file is always in).
QUICK_SAMPLE = 120
SEED = 20261201


def real_task(gold: RealGold) -> list[Row]:
    data = gold.path.read_bytes()
    work, error, seconds = rescue_safely(data, gold.path.name)
    row = Row(gold.collection, "as-found", "rescue", gold.file, gold.path.name, error=error)
    row.seconds = seconds
    row.scores = dict(real_score(work, gold))
    row.found = _found(work, gold)
    text = baselines.crude_text(baselines.naive_decode(data))
    header = baselines.label_header(text)
    base = Row(gold.collection, "as-found", "baseline", gold.file, gold.path.name)
    base.scores = {
        "title": same_title(header.title, gold.title) if gold.title_given else None,
        "authors": same_authors([header.author] if header.author else [], gold.authors)
        if gold.authors_given
        else None,
    }
    return [row, base]


def _found(work: Any, gold: RealGold) -> dict[str, str]:
    note = gold.annotation
    found = {
        "title": f"{work.title if work else None!r} (gold {gold.title!r})",
        "authors": f"{list(work.authors) if work else None!r} (gold {list(gold.authors)!r})",
        "story": f"{work.looks_like_story if work else None!r} (gold {gold.is_story!r})",
    }
    if note is not None and work is not None:
        paragraphs = list(work.paragraphs)
        found["title (annotated)"] = f"{work.title!r} (gold {note.title!r})"
        found["authors (annotated)"] = f"{list(work.authors)!r} (gold {list(note.authors)!r})"
        found["body start"] = f"{paragraphs[0][:70] if paragraphs else ''!r}"
        found["body end"] = f"{paragraphs[-1][-70:] if paragraphs else ''!r}"
        found["scene breaks"] = f"{work.scene_breaks} (gold {note.scene_breaks})"
        found["chapters"] = f"{len(work.chapters)} (gold {note.chapters})"
        found["end mark"] = f"{work.end_mark!r}"
    return found


def real_golds(quick: bool = False) -> list[RealGold]:
    """Every scorable file of the real collections (quick: the annotated ones and a fixed
    sample of the rest)."""
    out: list[RealGold] = []
    for collection in COLLECTIONS:
        golds = real_gold(collection)
        if quick:
            annotated = [g for g in golds if g.annotation is not None]
            rest = [g for g in golds if g.annotation is None]
            rng = random.Random(f"{SEED}:{collection}")
            golds = annotated + rng.sample(rest, min(QUICK_SAMPLE, len(rest)))
        out.extend(golds)
    return out
