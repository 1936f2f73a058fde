"""The quality gate's command line: ``python -m benchmarks.quality``.

Prints the per-shape tables (rescue next to the baselines), the floors and the
slowest inputs; ``--failures`` lists what went wrong, ``--write-docs`` rewrites
docs/quality.md, ``--check`` exits 1 when a floor is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from benchmarks.quality import report
from benchmarks.quality.corpus import CORPUS_ENV, REPO_ROOT, corpus_missing
from benchmarks.quality.run import Row, run_tasks, tasks

DOCS = REPO_ROOT / "docs" / "quality.md"


@dataclass
class GateResult:
    rows: list[Row]
    checks: list[report.FloorCheck]
    seconds: float

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    def tables(self) -> str:
        return "\n\n".join(
            (
                "### antennapedia-btvs, degraded",
                report.antennapedia_table(self.rows),
                report.clean_table(self.rows),
                "### Real collections, as found",
                report.real_table(self.rows),
            )
        )


def rescue_importable() -> str | None:
    """Why ``ficarchive.rescue`` cannot be called yet, or None."""
    try:
        from ficarchive import rescue  # noqa: F401
    except Exception as exc:  # any import-time failure means there is nothing to gate
        return f"ficarchive.rescue is not importable: {type(exc).__name__}: {exc}"
    return None


def run_gate(jobs: int = 2, quick: bool = False) -> GateResult:
    """Degrade, rescue and score the whole corpus; raise if it cannot run at all."""
    for problem in (corpus_missing(), rescue_importable()):
        if problem:
            raise RuntimeError(problem)
    start = time.perf_counter()
    rows = run_tasks(tasks(quick), jobs)
    return GateResult(rows, report.floor_checks(rows), time.perf_counter() - start)


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.quality", description=__doc__)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes")
    parser.add_argument("--quick", action="store_true", help="every 5th file only")
    parser.add_argument("--check", action="store_true", help="exit 1 when a floor is missed")
    parser.add_argument("--failures", action="store_true", help="list failing inputs")
    parser.add_argument("--limit", type=int, default=12, help="failures shown per field")
    parser.add_argument("--write-docs", action="store_true", help=f"rewrite {DOCS.name}")
    parser.add_argument("--json", type=Path, help="save every row as JSON")
    parser.add_argument("--corpus", type=Path, help="corpus folder (default ../shared/corpus)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    if args.corpus:
        os.environ[CORPUS_ENV] = str(args.corpus)
    if missing := corpus_missing():
        print(f"quality gate skipped: {missing}")
        return 0
    if args.quick and args.write_docs:
        print("--write-docs needs the whole corpus; drop --quick", file=sys.stderr)
        return 2
    result = run_gate(args.jobs, args.quick)
    print(result.tables())
    print("\n### Floors\n")
    print(report.floors_table(result.checks))
    print(f"\n{report.timing(result.rows)}; the gate took {result.seconds:.1f}s")
    if args.failures:
        print("\n## Failures" + report.failures(result.rows, args.limit))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps([asdict(r) for r in result.rows], indent=1))
    if args.write_docs:
        from benchmarks.quality.docs import render

        DOCS.write_text(render(result), encoding="utf-8")
        print(f"wrote {DOCS.relative_to(REPO_ROOT)}")
    if not result.ok:
        print(
            "quality floors missed: "
            + ", ".join(f"{c.name} ({c.scope})" for c in result.checks if not c.ok)
        )
        return 1 if args.check else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
