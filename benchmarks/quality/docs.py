"""docs/quality.md, written from a gate run by ``python -m benchmarks.quality --write-docs``."""

from __future__ import annotations

import platform
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from benchmarks.quality import floors, report
from benchmarks.quality.score import AUTHOR_TYPO_RATIO, GOLD_RATINGS, MIN_CONTAINED
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
        (
            "`USENET_AUTHOR_FOUND`",
            floors.USENET_AUTHOR_FOUND,
            "usenet stories whose author is found",
        ),
        (
            "`USENET_STORY_RIGHT`",
            floors.USENET_STORY_RIGHT,
            "usenet files judged story or not rightly",
        ),
    ]
    table = "\n".join(f"| {name} | {100 * v:.0f}% | {what} |" for name, v, what in rows)
    return (
        "## Floors\n\nPinned in `benchmarks/quality/floors.py`; each share is measured per shape, "
        "so one shape collapsing cannot hide behind the other three.\n\n"
        "| constant | floor | share of |\n|---|---|---|\n" + table + "\n"
    )


def render(result: GateResult) -> str:
    ratings = ", ".join(f"`{k}` → {v}" for k, v in GOLD_RATINGS.items())
    fiction = "\n".join(f"- `{k}`: {v}" for k, v in FICTION_BY_READING.items())
    ambiguous = "; ".join(f"`{k}` ({v})" for k, v in AMBIGUOUS.items())
    method = METHOD.format(
        ratings=ratings,
        body=floors.BODY_SIMILARITY,
        fiction=fiction,
        ambiguous=ambiguous,
        min_contained=MIN_CONTAINED,
        typo=AUTHOR_TYPO_RATIO,
    )
    results = (
        f"## Results\n\nLast written {date.today().isoformat()} on Python "
        f"{platform.python_version()}; the run took {result.seconds:.0f}s.\n\n"
        f"{result.tables()}\n\n### Floors\n\n{report.floors_table(result.checks)}\n"
    )
    return "\n".join((INTRO, results, _floors_text(), method))
