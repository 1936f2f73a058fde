"""Calibrate the structure labeller's confidences on files it never saw, and measure it.

`training.loco` rescues every collection with a model trained without it and records,
for each field, the raw score rescue gave and whether the field was right. Here an
isotonic regression (pool-adjacent violators: the best non-decreasing map from score to
the share right) is fitted per field on those left-out predictions and written as the
shipped ``model/calibration.json``; rescue maps each raw score through it.

Its error is measured the only honest way: for each collection C, the map is fitted on
the other collections' left-out predictions and applied to C's; the expected calibration
error (ECE: the gap between confidence and the share right, averaged over ten equal-width
bins weighted by how many predictions fall in each) is reported per collection and field.
A field's map is shipped only when, so measured, it lowers the error averaged over the
collections; otherwise the field's raw scores stand (an empty map).

    python -m training.calibrate LOCO.json            # fit, write, print the ECE table
    python -m training.calibrate LOCO.json --dry-run  # print only
"""

from __future__ import annotations

import argparse
import itertools
import json
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from training.build_model import MODEL

CALIBRATION = MODEL / "calibration.json"
BINS = 10
# Fields calibrated from whole-work predictions, and from unit predictions.
WORK_FIELDS = ("title", "authors", "body_start", "body_end")
UNIT_FIELDS = ("breaks", "chapters")
# A fitted map is kept to this many points (rounded), so the file stays small and stable.
DIGITS = 3

Pairs = list[tuple[float, bool]]


def isotonic(pairs: Pairs) -> list[tuple[float, float]]:
    """Pool adjacent violators: (score, share right) points of the best non-decreasing fit.

    >>> isotonic([(0.1, False), (0.2, True), (0.3, False), (0.9, True)])
    [(0.1, 0.0), (0.25, 0.5), (0.9, 1.0)]
    """
    blocks: list[list[float]] = []  # [sum of right, count, sum of scores]
    for score, right in sorted(pairs):
        blocks.append([float(right), 1.0, score])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]:
            right_sum, count, scores = blocks.pop()
            blocks[-1][0] += right_sum
            blocks[-1][1] += count
            blocks[-1][2] += scores
    return [(round(s / n, DIGITS), round(r / n, DIGITS)) for r, n, s in blocks]


def apply(points: Sequence[tuple[float, float]], raw: float) -> float:
    """The calibrated probability of a raw score (as rescue computes it)."""
    if not points:
        return raw
    if raw <= points[0][0]:
        return points[0][1]
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        if raw <= x1:
            return y0 + (raw - x0) / (x1 - x0) * (y1 - y0) if x1 > x0 else y1
    return points[-1][1]


def ece(pairs: Sequence[tuple[float, bool]]) -> float:
    """Expected calibration error over `BINS` equal-width bins.

    >>> round(ece([(0.9, True)] * 9 + [(0.9, False)]), 3)
    0.0
    """
    if not pairs:
        return 0.0
    bins: dict[int, list[tuple[float, bool]]] = defaultdict(list)
    for p, right in pairs:
        bins[min(int(p * BINS), BINS - 1)].append((p, right))
    total = len(pairs)
    return sum(
        len(group)
        / total
        * abs(sum(r for _, r in group) / len(group) - sum(p for p, _ in group) / len(group))
        for group in bins.values()
    )


def pairs_by(data: dict) -> dict[str, dict[str, Pairs]]:
    """field -> collection -> (raw score, right) of left-out predictions."""
    out: dict[str, dict[str, Pairs]] = defaultdict(lambda: defaultdict(list))
    for row in data["rows"]:
        if row["fold"] != "left-out":
            continue
        for name, (raw, right) in row.get("checks", {}).items():
            out[name][row["collection"]].append((float(raw), bool(right)))
    for collection, kind, raw, right in data.get("units", []):
        out[kind][collection].append((float(raw), bool(right)))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.calibrate", description=__doc__)
    parser.add_argument("loco", type=Path, help="the JSON written by training.loco --json")
    parser.add_argument("--dry-run", action="store_true", help="do not write the calibration")
    args = parser.parse_args(argv)
    data = json.loads(args.loco.read_text(encoding="utf-8"))
    found = pairs_by(data)
    table = {}
    lines = [
        "| field | collection | predictions | ECE raw | ECE calibrated (fitted without it) |",
        "|---|---|---|---|---|",
    ]
    kept = []
    for name in (*WORK_FIELDS, *UNIT_FIELDS):
        by_collection = found.get(name, {})
        everything = [p for pairs in by_collection.values() for p in pairs]
        errors = []
        for collection, pairs in sorted(by_collection.items()):
            others = [p for c, ps in by_collection.items() if c != collection for p in ps]
            fitted = isotonic(others)
            calibrated = [(apply(fitted, raw), right) for raw, right in pairs]
            before, after = ece(pairs), ece(calibrated)
            errors.append((before, after))
            lines.append(f"| {name} | {collection} | {len(pairs)} | {before:.3f} | {after:.3f} |")
        helps = bool(errors) and sum(a for _, a in errors) < sum(b for b, _ in errors)
        table[name] = isotonic(everything) if helps else []
        kept.append(f"{name} {'calibrated' if helps else 'raw'}")
    print("\n".join(lines))
    print("shipped: " + ", ".join(kept))
    if not args.dry_run:
        CALIBRATION.write_text(json.dumps(table, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        print(f"wrote {CALIBRATION}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
