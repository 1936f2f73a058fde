"""Aggregate gate rows into tables, floor checks and a failure list (Markdown)."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from benchmarks.quality import floors
from benchmarks.quality.degrade import SHAPES
from benchmarks.quality.run import Row

AP_COLUMNS = (
    ("title", "title exact"),
    ("author", "author exact"),
    ("body", f"body ≥ {floors.BODY_SIMILARITY}"),
    ("body_mean", "body mean"),
    ("breaks", "breaks exact"),
    ("rating", "rating"),
    ("relationship", "relationship"),
    ("summary", "summary"),
)
REAL_COLUMNS = (
    ("story", "story or not"),
    ("title", "title exact"),
    ("authors", "authors exact"),
    ("title (annotated)", "title (annotated)"),
    ("authors (annotated)", "authors (annotated)"),
    ("body start", "body start"),
    ("body end", "body end"),
    ("scene breaks", "breaks exact"),
    ("chapters", "chapters exact"),
    ("end mark", "end mark"),
)


@dataclass(frozen=True)
class Tally:
    passed: int
    counted: int

    @property
    def share(self) -> float:
        return self.passed / self.counted if self.counted else 0.0

    def __str__(self) -> str:
        if not self.counted:
            return "–"
        return f"{100 * self.share:.1f}% ({self.passed}/{self.counted})"


def tally(rows: Iterable[Row], key: str) -> Tally:
    values = [r.scores.get(key) for r in rows]
    if key == "body":
        values = [None if v is None else float(v) >= floors.BODY_SIMILARITY for v in values]
    counted = [v for v in values if v is not None]
    return Tally(sum(bool(v) for v in counted), len(counted))


def body_mean(rows: Iterable[Row]) -> str:
    values = [float(v) for r in rows if (v := r.scores.get("body")) is not None]
    if not values:
        return "–"
    return f"{statistics.fmean(values):.4f} (min {min(values):.3f})"


def select(rows: Iterable[Row], **want: str) -> list[Row]:
    return [r for r in rows if all(getattr(r, k) == v for k, v in want.items())]


def _table(header: list[str], body: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in body]
    return "\n".join(lines)


def antennapedia_table(rows: list[Row]) -> str:
    body = []
    for shape in SHAPES:
        for method in ("rescue", "baseline"):
            chosen = select(rows, corpus="antennapedia", shape=shape, method=method)
            if not chosen:
                continue
            cells = [
                body_mean(chosen) if key == "body_mean" else str(tally(chosen, key))
                for key, _ in AP_COLUMNS
            ]
            errors = sum(r.error is not None for r in chosen)
            body.append([shape, method, str(len(chosen)), *cells, str(errors)])
    header = ["shape", "method", "works", *(label for _, label in AP_COLUMNS), "errors"]
    return _table(header, body)


def clean_table(rows: list[Row]) -> str:
    chosen = select(rows, shape="clean-original")
    errors = sum(r.error is not None for r in chosen)
    cells = [str(tally(chosen, "zero_repairs")), str(errors)]
    return _table(["clean originals", "zero repairs", "errors"], [["rescue", *cells]])


def real_table(rows: list[Row]) -> str:
    """One row per real collection and method: every field scored where gold exists."""
    from benchmarks.quality.real import COLLECTIONS

    body = []
    for collection in COLLECTIONS:
        for method in ("rescue", "baseline"):
            chosen = select(rows, corpus=collection, method=method)
            if not chosen:
                continue
            cells = [str(tally(chosen, key)) for key, _ in REAL_COLUMNS]
            errors = str(sum(1 for r in chosen if r.error))
            body.append([collection, method, str(len(chosen)), *cells, errors])
    header = ["collection", "method", "files", *(name for _, name in REAL_COLUMNS), "errors"]
    return _table(header, body)


@dataclass(frozen=True)
class FloorCheck:
    name: str
    scope: str
    measured: Tally
    floor: float

    @property
    def ok(self) -> bool:
        return self.measured.counted > 0 and self.measured.share >= self.floor


def floor_checks(rows: list[Row]) -> list[FloorCheck]:
    checks = []
    per_shape = (
        ("title exact", "title", floors.TITLE_EXACT),
        ("author exact", "author", floors.AUTHOR_EXACT),
        (f"body similarity ≥ {floors.BODY_SIMILARITY}", "body", floors.BODY_PASS),
        ("scene-break count exact", "breaks", floors.SCENE_BREAKS_EXACT),
    )
    for name, key, floor in per_shape:
        for shape in SHAPES:
            chosen = select(rows, corpus="antennapedia", shape=shape, method="rescue")
            checks.append(FloorCheck(name, shape, tally(chosen, key), floor))
    clean = select(rows, shape="clean-original")
    checks.append(
        FloorCheck(
            "zero repairs",
            "clean originals",
            tally(clean, "zero_repairs"),
            floors.CLEAN_ZERO_REPAIRS,
        )
    )
    for (collection, key), floor in floors.REAL.items():
        chosen = select(rows, corpus=collection, method="rescue")
        name = dict(REAL_COLUMNS).get(key, key)
        checks.append(FloorCheck(name, collection, tally(chosen, key), floor))
    return checks


def floors_table(checks: list[FloorCheck]) -> str:
    body = [
        [c.name, c.scope, str(c.measured), f"{100 * c.floor:.0f}%", "ok" if c.ok else "**MISSED**"]
        for c in checks
    ]
    return _table(["floor", "scope", "measured", "floor", ""], body)


def failures(rows: list[Row], limit: int = 12) -> str:
    """Failing inputs per (shape, field), with what the rescue found."""
    groups: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for r in rows:
        if r.method != "rescue":
            continue
        for key, value in r.scores.items():
            failed = value is False or (
                key == "body" and value is not None and float(value) < floors.BODY_SIMILARITY
            )
            if failed:
                where = r.shape if r.corpus == "antennapedia" else r.corpus
                groups[(where, key)].append(r)
    out = []
    for (shape, key), group in sorted(groups.items()):
        out.append(f"\n### {shape}: {key} ({len(group)} failing)")
        for r in group[:limit]:
            detail = r.error or "; ".join(
                f"{k}={v}" for k, v in r.found.items() if _relevant(key, k)
            )
            out.append(f"- `{r.file}` (as `{r.input}`): {detail}")
    return "\n".join(out)


def _relevant(score_key: str, found_key: str) -> bool:
    related = {
        "title": ("title",),
        "authors": ("authors",),
        "title_exact": ("title", "gold"),
        "title_relaxed": ("title", "gold"),
        "author": ("authors", "gold"),
        "body": ("body", "body_extra", "body_missing"),
        "breaks": ("scene_breaks",),
        "rating": ("rating",),
        "relationship": ("relationships",),
        "summary": ("summary",),
        "zero_repairs": ("repairs",),
        "story_right": ("looks_like_story", "gold"),
    }
    return found_key in related.get(score_key, (score_key,))


def timing(rows: list[Row], top: int = 5) -> str:
    rescued = [r for r in rows if r.method == "rescue"]
    total = sum(r.seconds for r in rescued)
    slow = sorted(rescued, key=lambda r: -r.seconds)[:top]
    listed = ", ".join(f"`{r.input}` ({r.shape}) {r.seconds:.2f}s" for r in slow)
    return f"{len(rescued)} rescues took {total:.1f}s of CPU in all; slowest: {listed}"
