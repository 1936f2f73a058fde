"""docs/quality.md, written from a gate run by ``python -m benchmarks.quality --write-docs``."""

from __future__ import annotations

import platform
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from benchmarks.quality import floors, report
from benchmarks.quality.real import BOTTOM_LINES, EDGE_WORDS, TOP_LINES
from benchmarks.quality.score import GOLD_RATINGS
from benchmarks.quality.usenet import AMBIGUOUS, FICTION_BY_READING

if TYPE_CHECKING:
    from benchmarks.quality.gate import GateResult

HERE = Path(__file__).parent
#: The prose of docs/quality.md lives beside this module as Markdown templates.
INTRO = (HERE / "intro.md").read_text(encoding="utf-8")
METHOD = (HERE / "method.md").read_text(encoding="utf-8")


def _floors_text() -> str:
    rows = [
        ("`TITLE_EXACT`", floors.TITLE_EXACT, "degraded works with the exact title, per shape"),
        ("`AUTHOR_EXACT`", floors.AUTHOR_EXACT, "degraded works with the exact author, per shape"),
        (
            "`BODY_PASS`",
            floors.BODY_PASS,
            f"degraded works with body similarity ≥ {floors.BODY_SIMILARITY} "
            "(`BODY_SIMILARITY`), per shape",
        ),
        (
            "`SCENE_BREAKS_EXACT`",
            floors.SCENE_BREAKS_EXACT,
            "degraded works with the exact scene-break count, per shape",
        ),
        (
            "`CLEAN_ZERO_REPAIRS`",
            floors.CLEAN_ZERO_REPAIRS,
            "clean originals rescued with no repair",
        ),
    ]
    table = "\n".join(f"| {name} | {100 * v:.0f}% | {what} |" for name, v, what in rows)
    real = "\n".join(
        f"| {collection} | {key} | {100 * v:.0f}% | "
        f"{100 * floors.ISSUE_TARGETS[key]:.0f}% |" if key in floors.ISSUE_TARGETS
        else f"| {collection} | {key} | {100 * v:.0f}% | – |"
        for (collection, key), v in floors.REAL.items()
    )
    return (
        "## Floors\n\nPinned in `benchmarks/quality/floors.py`; each share is measured per shape, "
        "so one shape collapsing cannot hide behind the other three.\n\n"
        "| constant | floor | share of |\n|---|---|---|\n" + table + "\n\n"
        "Real collections (`REAL`), per collection and field, beside where the issue wants "
        "them (`ISSUE_TARGETS`):\n\n"
        "| collection | field | floor | the issue's target |\n|---|---|---|---|\n" + real + "\n"
    )


def render(result: GateResult) -> str:
    ratings = ", ".join(f"`{k}` → {v}" for k, v in GOLD_RATINGS.items())
    fiction = "\n".join(f"  - `{k}`: {v}" for k, v in FICTION_BY_READING.items())
    ambiguous = "; ".join(f"`{k}` ({v})" for k, v in AMBIGUOUS.items())
    method = METHOD.format(
        ratings=ratings,
        body=floors.BODY_SIMILARITY,
        fiction=fiction,
        ambiguous=ambiguous,
        top=TOP_LINES,
        bottom=BOTTOM_LINES,
        edge=EDGE_WORDS,
    )
    results = (
        f"## Results\n\nLast written {date.today().isoformat()} on Python "
        f"{platform.python_version()}; the run took {result.seconds:.0f}s.\n\n"
        f"{result.tables()}\n\n### Floors\n\n{report.floors_table(result.checks)}\n"
    )
    return "\n".join((INTRO, results, _floors_text(), method))
