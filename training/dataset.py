"""Training sequences for the structure labeller: every unit's features and its label.

Two sources, each a collection of its own for leave-one-collection-out:

* ``synthetic``: the antennapedia stories rendered by `training.shapes`, where every
  line's label is known because we wrote it;
* the hand-annotated real files (`training/annotations`), whose line labels count the
  file's own lines; they are matched to the lines rescue decodes (`line_map`).

A unit takes the label of the line it starts on; a gap unit is a ``break`` when a line of
its blank run is one, and otherwise takes the label of the unit after it.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from benchmarks.quality.corpus import load_story, story_paths
from training.annotate import corpus_dir, line_labels, parse_runs, raw_lines
from training.shapes import render

SYNTHETIC = "synthetic"
REAL = ("usenet-startrek", "tmffa", "textfiles-stories", "textfiles-sf")
COLLECTIONS = (SYNTHETIC, *REAL)
# Renderings of each antennapedia story in the synthetic collection.
RENDERINGS = 3
# A line of an annotated title run is the title when it shares at least this share of the
# words of the shorter of it and the archivist's title.
TITLE_OVERLAP = 0.5


@dataclass(frozen=True)
class Example:
    collection: str
    name: str
    features: list[dict[str, float]]
    labels: list[str]
    straddling: int = 0  # units whose lines carry more than one label


def line_map(raw: Sequence[str], decoded: Sequence[str]) -> list[int]:
    """For each decoded line, the raw line it came from (-1 when none)."""
    if len(raw) == len(decoded):
        return list(range(len(decoded)))
    fold = [" ".join(r.split()) for r in raw]
    dec = [" ".join(d.split()) for d in decoded]
    out = [-1] * len(decoded)
    matcher = difflib.SequenceMatcher(None, fold, dec, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "insert":
            continue
        for j in range(j1, j2):
            out[j] = i1 + min(j - j1, max(i2 - i1 - 1, 0))
    return out


def _unit_labels(units: list, labels_at: Sequence[str | None]) -> tuple[list[str], int]:
    """A label a unit, from labels a decoded line ("blank" and None are no label)."""

    def at(line: int) -> str | None:
        if 0 <= line < len(labels_at):
            found = labels_at[line]
            return found if found not in (None, "blank") else None
        return None

    out: list[str | None] = []
    straddling = 0
    for n, unit in enumerate(units):
        if unit.is_gap:
            run = range(unit.line, unit.line + max(unit.gap, 1))
            out.append(
                "break"
                if any(labels_at[i] == "break" for i in run if 0 <= i < len(labels_at))
                else None
            )
            continue
        found = at(unit.line)
        if found is None:
            found = next((at(unit.line + k) for k in range(1, 4) if at(unit.line + k)), None)
        nxt = units[n + 1].line if n + 1 < len(units) else unit.line + 1
        if unit.line >= 0 and nxt > unit.line + 1:
            inside = {at(i) for i in range(unit.line, nxt)} - {None}
            straddling += len(inside) > 1
        out.append(found)
    # a unit with no label of its own (a gap that is no break) takes the next one's
    following = "body"
    for i in range(len(out) - 1, -1, -1):
        if out[i] is None:
            out[i] = following
        else:
            following = out[i]  # type: ignore[assignment]
    return [str(x) for x in out], straddling


def _title_words(text: str) -> set[str]:
    return set(re.findall(r"[^\W_]+", text.casefold()))


def _refine_titles(units: list, labels: list[str], title: str | None) -> list[str]:
    """A title run of several lines (a fandom or series line over the title, an alternate
    title under it): only the lines holding the annotated title's words stay ``title``; the
    others are header lines (``field``), as the archivist's title says."""
    wanted = _title_words(title or "")
    if not wanted:
        return labels
    out = list(labels)
    for i, unit in enumerate(units):
        if labels[i] == "title" and not unit.is_gap:
            words = _title_words(unit.text)
            if words and len(words & wanted) < TITLE_OVERLAP * min(len(words), len(wanted)):
                out[i] = "field"
    return out


def _example(
    collection: str,
    name: str,
    data: bytes,
    file_name: str,
    labels_at: list[str | None] | None,
    raw: list[str] | None,
    title: str | None = None,
) -> Example | None:
    from ficarchive.errors import InputError
    from ficarchive.rescue.pipeline import Read, read, units_and_context
    from ficarchive.rescue.structure.features import document_features

    try:
        done = read(data, file_name)
    except InputError:
        return None  # a file rescue refuses (binary, empty) teaches nothing about structure
    if not isinstance(done, Read) or done.meta.structured:
        return None
    units, context, _ = units_and_context(done)
    if not units:
        return None
    decoded = done.text.split("\n")
    if raw is not None and labels_at is not None:
        mapping = line_map(raw, decoded)
        labels_at = [labels_at[m] if m >= 0 else None for m in mapping]
    assert labels_at is not None
    labels, straddling = _unit_labels(units, labels_at)
    if raw is not None:
        labels = _refine_titles(units, labels, title)
    return Example(collection, name, document_features(units, context), labels, straddling)


def _synthetic_one(task: tuple[str, int]) -> Example | None:
    path, k = task
    story = load_story(Path(path))
    r = render(story, k)
    labels_at: list[str | None] = list(r.labels)
    return _example(SYNTHETIC, f"{story.name}#{k}", r.data, r.name, labels_at, None)


def _annotated_one(task: tuple[str, dict]) -> Example | None:
    collection, entry = task
    path = corpus_dir() / collection / str(entry["file"])
    raw = raw_lines(path)
    labels_at = line_labels(parse_runs(str(entry.get("runs") or "")), len(raw))
    title = entry.get("title") or None
    return _example(
        collection, str(entry["file"]), path.read_bytes(), path.name, labels_at, raw, title
    )


def _entries(collection: str) -> list[dict]:
    from training.annotate import ANNOTATIONS, load

    path = ANNOTATIONS / f"{collection}.jsonl"
    return [e for e in load(path) if e.get("story") and e.get("runs")] if path.is_file() else []


def examples(collections: Sequence[str] = COLLECTIONS, jobs: int | None = None) -> list[Example]:
    """Every training example of the given collections, in a fixed order."""
    tasks_s = (
        [(str(p), k) for p in story_paths() for k in range(RENDERINGS)]
        if SYNTHETIC in collections
        else []
    )
    tasks_a = [(c, e) for c in collections if c != SYNTHETIC for e in _entries(c)]
    workers = jobs or os.cpu_count() or 1
    with ProcessPoolExecutor(workers) as pool:
        found = [
            *pool.map(_synthetic_one, tasks_s, chunksize=8),
            *pool.map(_annotated_one, tasks_a, chunksize=4),
        ]
    return [e for e in found if e is not None]


def iter_collection(found: list[Example], collection: str) -> Iterator[Example]:
    return (e for e in found if e.collection == collection)
