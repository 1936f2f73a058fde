"""Leave one collection out: does the structure labeller generalise to files it never saw?

For every collection C, a model is trained on the other collections only and rescue is
scored on C with it (*left out*); the model trained on everything is scored on C too
(*in training*). The gap between the two is how much the labeller leans on having seen a
collection's own shapes. The synthetic collection's left-out score is measured on the
quality gate's degraded antennapedia shapes, which no model is ever trained on.

The same run gathers, on left-out predictions only, each field's raw confidence and
whether the field was right: `training.calibrate` fits the shipped calibration on them
and measures its expected calibration error collection by collection.

    python -m training.loco                    # every collection, tables to stdout
    python -m training.loco --sample 400       # at most 400 metadata-scored files each
    python -m training.loco --json out.json    # rows, for training.calibrate
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pycrfsuite

from benchmarks.quality.real import FIELDS as REAL_FIELDS
from benchmarks.quality.real import RealGold, real_gold, same_authors, same_title
from benchmarks.quality.real import score as real_score
from training.build_model import train
from training.dataset import COLLECTIONS, REAL, SYNTHETIC, Example, examples

MODEL_ENV = "FICARCHIVE_STRUCTURE_MODEL"
GATE_FIELDS = ("title", "author", "body", "breaks")
SEED = 20261201


@dataclass
class Scored:
    collection: str
    fold: str  # "left-out" or "in-training"
    file: str
    scores: dict[str, bool | None]
    # field -> (the raw confidence rescue gave it, whether it was right): calibration data
    checks: dict[str, tuple[float, bool]] = field(default_factory=dict)


def _use_model(path: str) -> None:
    os.environ[MODEL_ENV] = path


def _rescue(data: bytes, name: str) -> Any:
    from ficarchive import rescue

    try:
        return rescue(data, name)
    except Exception:  # a failure is a scored failure
        return None


def _real_task(task: tuple[str, RealGold]) -> Scored:
    fold, gold = task
    work = _rescue(gold.path.read_bytes(), gold.path.name)
    found = real_score(work, gold)
    return Scored(gold.collection, fold, gold.file, found, _checks(work, gold, found))


def _checks(
    work: Any, gold: RealGold, found: dict[str, bool | None]
) -> dict[str, tuple[float, bool]]:
    """Each confident field's raw score and whether it was right: against the annotation
    where the file has one (a title the file does not give is right when none is found),
    else against the metadata where the file gives the field."""
    if work is None or work.confidence is None:
        return {}
    sure = work.confidence.fields
    note = gold.annotation
    out: dict[str, tuple[float, bool]] = {}
    if note is not None and note.story:
        right = {
            "title": same_title(work.title, note.title) if note.title else work.title is None,
            "authors": same_authors(work.authors, note.authors)
            if note.authors
            else not work.authors,
            "body_start": bool(found.get("body start")),
            "body_end": bool(found.get("body end")),
        }
    else:
        right = {}
        if found.get("title") is not None:
            right["title"] = bool(found["title"])
        if found.get("authors") is not None:
            right["authors"] = bool(found["authors"])
    for name, ok in right.items():
        if name in sure:
            out[name] = (sure[name], ok)
    return out


def _gate_task(task: tuple[str, str]) -> list[Scored]:
    from benchmarks.quality.corpus import load_story
    from benchmarks.quality.degrade import degrade
    from benchmarks.quality.floors import BODY_SIMILARITY
    from benchmarks.quality.run import score_work

    fold, path = task
    story = load_story(Path(path))
    out = []
    for d in degrade(story):
        row = score_work(story, story.words, d)
        scores = {k: row.scores.get(k) for k in GATE_FIELDS}
        scores["body"] = bool(scores["body"] is not None and scores["body"] >= BODY_SIMILARITY)  # type: ignore[operator]
        out.append(Scored(SYNTHETIC, fold, f"{d.shape}/{story.name}", scores))  # type: ignore[arg-type]
    return out


def _golds(collection: str, sample: int | None) -> list[RealGold]:
    golds = real_gold(collection)
    if sample is None or len(golds) <= sample:
        return golds
    annotated = [g for g in golds if g.annotation is not None]
    rest = [g for g in golds if g.annotation is None]
    rng = random.Random(f"{SEED}:{collection}")
    return annotated + rng.sample(rest, max(sample - len(annotated), 0))


def score_collection(
    collection: str, model: Path, fold: str, sample: int | None, jobs: int
) -> list[Scored]:
    with ProcessPoolExecutor(jobs, initializer=_use_model, initargs=(str(model),)) as pool:
        if collection == SYNTHETIC:
            from benchmarks.quality.corpus import story_paths

            tasks = [(fold, str(p)) for p in story_paths()]
            return [s for rows in pool.map(_gate_task, tasks, chunksize=2) for s in rows]
        tasks_r = [(fold, g) for g in _golds(collection, sample)]
        return list(pool.map(_real_task, tasks_r, chunksize=8))


def unit_calibration(model: Path, found: Iterable[Example]) -> list[tuple[str, float, bool]]:
    """(kind, marginal, right) for every break and chapter heading the model predicts."""
    tagger = pycrfsuite.Tagger()
    tagger.open(str(model))
    out = []
    for example in found:
        predicted = tagger.tag(pycrfsuite.ItemSequence(example.features))
        for i, label in enumerate(predicted):
            if label == "break" or (
                label == "chapter" and (i == 0 or predicted[i - 1] != "chapter")
            ):
                kind = "breaks" if label == "break" else "chapters"
                out.append((kind, tagger.marginal(label, i), example.labels[i] == label))
    return out


def table(rows: list[Scored]) -> dict[str, dict[str, dict[str, tuple[int, int]]]]:
    """collection -> field -> fold -> (right, scored)."""
    out: dict[str, dict[str, dict[str, tuple[int, int]]]] = defaultdict(lambda: defaultdict(dict))
    for row in rows:
        for name, value in row.scores.items():
            if value is None:
                continue
            right, total = out[row.collection][name].get(row.fold, (0, 0))
            out[row.collection][name][row.fold] = (right + bool(value), total + 1)
    return out


def _pct(cell: tuple[int, int] | None) -> str:
    if not cell or not cell[1]:
        return "–"
    return f"{100 * cell[0] / cell[1]:.1f}% ({cell[0]}/{cell[1]})"


def markdown(rows: list[Scored]) -> str:
    lines = [
        "| collection | field | left out | in training | gap (points) |",
        "|---|---|---|---|---|",
    ]
    for collection, fields in table(rows).items():
        order = [f for f in (*REAL_FIELDS, *GATE_FIELDS) if f in fields]
        for name in dict.fromkeys(order):
            cells = fields[name]
            out, inside = cells.get("left-out"), cells.get("in-training")
            gap = ""
            if out and inside and out[1] and inside[1]:
                gap = f"{100 * (inside[0] / inside[1] - out[0] / out[1]):+.1f}"
            lines.append(f"| {collection} | {name} | {_pct(out)} | {_pct(inside)} | {gap} |")
    return "\n".join(lines)


def run(
    collections: list[str], sample: int | None, jobs: int
) -> tuple[list[Scored], list[tuple[str, str, float, bool]]]:
    found = examples(COLLECTIONS, jobs=jobs)
    rows: list[Scored] = []
    units: list[tuple[str, str, float, bool]] = []
    with tempfile.TemporaryDirectory() as tmp:
        full = Path(tmp) / "all" / "structure.crfsuite"
        full.parent.mkdir()
        train(found, full)
        for collection in collections:
            start = time.perf_counter()
            model = Path(tmp) / collection / "structure.crfsuite"
            model.parent.mkdir()
            train([e for e in found if e.collection != collection], model)
            rows += score_collection(collection, model, "left-out", sample, jobs)
            rows += score_collection(collection, full, "in-training", sample, jobs)
            held = [e for e in found if e.collection == collection]
            units += [(collection, k, p, ok) for k, p, ok in unit_calibration(model, held)]
            print(f"{collection}: {time.perf_counter() - start:.0f}s", flush=True)
    return rows, units


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.loco", description=__doc__)
    parser.add_argument("--collections", default=",".join(COLLECTIONS))
    parser.add_argument(
        "--sample", type=int, default=None, help="metadata-scored files per collection"
    )
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--json", type=Path, help="write every scored row here")
    args = parser.parse_args(argv)
    chosen = [c for c in args.collections.split(",") if c]
    unknown = set(chosen) - set(COLLECTIONS)
    if unknown:
        parser.error(
            f"unknown collection {', '.join(sorted(unknown))} (one of {', '.join(COLLECTIONS)})"
        )
    rows, units = run(chosen, args.sample, args.jobs)
    print(markdown(rows))
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "rows": [r.__dict__ for r in rows],
                    "units": [list(u) for u in units],
                    "real": list(REAL),
                }
            ),
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
