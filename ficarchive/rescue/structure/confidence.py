"""How sure rescue is of each field it inferred, as a calibrated probability.

The labeller gives every unit the marginal probability of each label; a field's raw score
is the probability of the labels it was read from (the title units being titles, the
first body unit being body and the unit before it not, each break being a break). Raw
scores are then calibrated: ``model/calibration.json`` maps each field's raw score to the
share of left-out files on which such a score was right (isotonic regression fitted by
``training/calibrate.py`` on leave-one-collection-out predictions), so 0.8 means right
about four times in five on collections the model never saw.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from functools import lru_cache
from pathlib import Path

from ficarchive.rescue.structure.assemble import Assembled
from ficarchive.rescue.structure.labeller import Labelling, model_path
from ficarchive.rescue.structure.units import Unit
from ficarchive.work import Confidence

CALIBRATION_FILE = "calibration.json"
# A field taken from the page's <title> or the post's Subject: (not from the text) gets
# this raw score; calibration turns it into how often such guesses were right.
HINT_SCORE = 0.5
FIELDS = ("title", "authors", "body_start", "body_end", "breaks", "chapters")


def _p(labelling: Labelling, i: int, *names: str) -> float:
    return sum(labelling.marginals[i].get(name, 0.0) for name in names)


def _edge(units: list[Unit], labelling: Labelling, i: int | None, step: int) -> float:
    """The first (step 1) or last (step -1) body unit is body, and its outer neighbour not."""
    if i is None:
        return 0.0
    inside = _p(labelling, i, "body", "chapter")  # a story may open on its first heading
    j = i - step
    while 0 <= j < len(units) and units[j].is_gap:
        j -= step
    outside = 1.0 - _p(labelling, j, "body", "chapter", "break") if 0 <= j < len(units) else 1.0
    return inside * outside


def raw_scores(
    units: list[Unit], labelling: Labelling, assembled: Assembled, hinted: set[str]
) -> dict[str, float | list[float]]:
    """Raw (uncalibrated) scores of one document's fields."""
    n = len(units)
    scores: dict[str, float | list[float]] = {}
    for name, label, chosen in (
        ("title", "title", assembled.title_units),
        ("authors", "byline", assembled.author_units),
    ):
        if chosen:
            # a "Title by Name" line gives the author from a title unit
            scores[name] = min(_p(labelling, i, *{label, "title"}) for i in chosen)
        elif name in hinted:
            scores[name] = HINT_SCORE
        else:  # nothing found: how sure that there was nothing to find
            scores[name] = 1.0 - max((_p(labelling, i, label) for i in range(n)), default=0.0)
    scores["body_start"] = _edge(units, labelling, assembled.body_first, 1)
    scores["body_end"] = _edge(units, labelling, assembled.body_last, -1)
    scores["breaks"] = [_p(labelling, i, "break") for i in assembled.break_units]
    scores["chapters"] = [_p(labelling, i, "chapter") for i in _heading_starts(assembled)]
    return scores


def _heading_starts(assembled: Assembled) -> list[int]:
    starts = []
    previous = -2
    for i in assembled.chapter_units:
        if i != previous + 1:
            starts.append(i)
        previous = i
    return starts


@lru_cache(maxsize=4)
def _table(path: str) -> dict[str, list[tuple[float, float]]]:
    file = Path(path)
    if not file.is_file():
        return {}
    data = json.loads(file.read_text(encoding="utf-8"))
    return {name: [(float(x), float(y)) for x, y in points] for name, points in data.items()}


def calibration_path() -> Path:
    """The calibration of the model in use: the one beside it (a model being evaluated
    has none, so its raw scores come out as they are)."""
    return model_path().parent / CALIBRATION_FILE


def calibrate(name: str, raw: float) -> float:
    """A raw score of field `name` as a probability of being right (piecewise linear
    between the calibration points; the raw score itself when there is no table)."""
    points = _table(str(calibration_path())).get(name)
    if not points:
        return round(raw, 3)
    xs = [x for x, _ in points]
    k = bisect_right(xs, raw)
    if k == 0:
        return round(points[0][1], 3)
    if k == len(points):
        return round(points[-1][1], 3)
    (x0, y0), (x1, y1) = points[k - 1], points[k]
    share = (raw - x0) / (x1 - x0) if x1 > x0 else 0.0
    return round(y0 + share * (y1 - y0), 3)


def confidence(scores: dict[str, float | list[float]]) -> Confidence:
    fields: dict[str, float] = {}
    for name in ("title", "authors", "body_start", "body_end"):
        value = scores.get(name)
        if isinstance(value, float):
            fields[name] = calibrate(name, value)
    breaks = scores.get("breaks", [])
    chapters = scores.get("chapters", [])
    assert isinstance(breaks, list) and isinstance(chapters, list)
    return Confidence(
        fields=fields,
        breaks=tuple(calibrate("breaks", b) for b in breaks),
        chapters=tuple(calibrate("chapters", c) for c in chapters),
    )
