"""Run the gate: rescue every degraded story and usenet file, score it, and the baselines.

Each corpus file is one task; tasks run in worker processes (``jobs``) and return plain
`Row` records, one per (file, shape, method), which `report` aggregates.
"""

from __future__ import annotations

import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.quality import baselines, score
from benchmarks.quality.corpus import (
    GoldStory,
    load_story,
    story_paths,
    text_of,
    words_of,
)
from benchmarks.quality.degrade import Degraded, degrade
from benchmarks.quality.floors import BODY_SIMILARITY

Score = bool | float | None


@dataclass
class Row:
    """The scores of one input under one method (``rescue`` or ``baseline``)."""

    corpus: str  # antennapedia, or a real collection (usenet-startrek, tmffa, ...)
    shape: str  # a degraded shape, "clean-original", or "as-found"
    method: str
    file: str  # the corpus file
    input: str  # the name given to rescue
    scores: dict[str, Score] = field(default_factory=dict)
    found: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    seconds: float = 0.0


def rescue_safely(data: bytes, name: str) -> tuple[Any, str | None, float]:
    """(Work or None, error or None, seconds): a failing rescue is a scored failure."""
    from ficarchive import rescue

    start = time.perf_counter()
    try:
        work = rescue(data, name)
    except Exception as exc:  # the gate records every failure and goes on
        where = traceback.extract_tb(exc.__traceback__)[-1]
        detail = f"{type(exc).__name__}: {exc} ({Path(where.filename).name}:{where.lineno})"
        return None, detail, time.perf_counter() - start
    return work, None, time.perf_counter() - start


def _word_drift(found: list[str], gold: list[str], top: int = 8) -> tuple[str, str]:
    extra = Counter(found) - Counter(gold)
    missing = Counter(gold) - Counter(found)
    return _top(extra, top), _top(missing, top)


def _top(counts: Counter[str], top: int) -> str:
    return " ".join(f"{word}×{n}" for word, n in counts.most_common(top))


def score_work(story: GoldStory, gold_words: list[str], d: Degraded) -> Row:
    work, error, seconds = rescue_safely(d.data, d.name)
    row = Row("antennapedia", d.shape, "rescue", story.name, d.name, error=error, seconds=seconds)
    if work is None:
        row.scores = dict.fromkeys(("title", "author", "breaks", "rating", "relationship"), False)
        row.scores.update(body=0.0, summary=False)
        return row
    found_words = words_of(work.paragraphs)
    body = score.similarity(found_words, gold_words)
    summary_words = text_of(work.summary or "").split()
    row.scores = {
        "title": score.title_exact(work.title, story.title),
        "author": score.author_exact(work.authors, story.author),
        "body": body,
        "breaks": work.scene_breaks == story.scene_breaks,
        "rating": score.rating_right(work.rating, story.rating),
        "relationship": score.relationship_found(work.relationships, story.pairing),
        "summary": score.similarity(summary_words, text_of(story.summary).split()) >= 0.9,
    }
    row.found = {
        "title": repr(work.title),
        "authors": repr(list(work.authors)),
        "rating": f"{work.rating} (from {work.rating_source!r})",
        "relationships": repr(list(work.relationships)),
        "scene_breaks": f"{work.scene_breaks} (gold {story.scene_breaks})",
        "summary": repr((work.summary or "")[:80]),
    }
    if body < BODY_SIMILARITY:
        extra, missing = _word_drift(found_words, gold_words)
        row.found.update(body=f"{body:.4f}", body_extra=extra, body_missing=missing)
    return row


def score_baselines(story: GoldStory, gold_words: list[str], d: Degraded) -> Row:
    start = time.perf_counter()
    text = baselines.ftfy_alone(d.data)
    header = baselines.label_header(text)
    row = Row("antennapedia", d.shape, "baseline", story.name, d.name)
    row.scores = {
        "title": score.title_exact(header.title, story.title),
        "author": score.author_exact([header.author] if header.author else [], story.author),
        "body": score.similarity(text.split(), gold_words),
        "rating": score.rating_right(header.rating, story.rating),
    }
    row.found = {"title": repr(header.title), "author": repr(header.author)}
    row.seconds = time.perf_counter() - start
    return row


def score_clean(story: GoldStory, path: Path) -> Row:
    work, error, seconds = rescue_safely(path.read_bytes(), story.name)
    row = Row("antennapedia", "clean-original", "rescue", story.name, story.name)
    row.error, row.seconds = error, seconds
    repairs = list(work.repairs) if work is not None else []
    row.scores = {"zero_repairs": work is not None and not repairs}
    row.found = {
        "repairs": "; ".join(f"{r.kind} {r.before!r}->{r.after!r} ×{r.count}" for r in repairs)
    }
    return row


def story_task(path_text: str) -> list[Row]:
    path = Path(path_text)
    story = load_story(path)
    gold_words = story.words
    rows = [score_clean(story, path)]
    for d in degrade(story):
        rows.append(score_work(story, gold_words, d))
        rows.append(score_baselines(story, gold_words, d))
    return rows


Task = tuple[Callable[[Any], list[Row]], Any]


def tasks(quick: bool = False) -> list[Task]:
    """Every task, biggest first so the pool stays busy to the end: the degraded
    antennapedia shapes, and every file of the real collections as found."""
    from benchmarks.quality.realrun import real_golds, real_task

    paths = sorted(story_paths(), key=lambda p: -p.stat().st_size)
    if quick:
        paths = paths[::5]
    golds = sorted(real_golds(quick), key=lambda g: -g.path.stat().st_size)
    out: list[Task] = [(story_task, str(p)) for p in paths]
    out += [(real_task, g) for g in golds]
    return out


def _call(task: Task) -> list[Row]:
    fn, arg = task
    return fn(arg)


def run_tasks(all_tasks: Iterable[Task], jobs: int) -> list[Row]:
    todo = list(all_tasks)
    if jobs <= 1:
        return [row for t in todo for row in _call(t)]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        return [row for rows in pool.map(_call, todo, chunksize=1) for row in rows]
