"""Hostile shapes: what one rescue costs on input made to be slow, next to a normal story.

Every shape is rescued at 1, 10 and 30 MB (``--quick``: 0.25, 1 and 4 MB), each in a
fresh process, and printed as µs per KB beside a normal story of the same size rescued in
the same run (the peer). Floors (issue 13):

- **linear**: µs/KB at the largest size at most `LINEAR_TOLERANCE` times µs/KB at the
  smallest, for every shape (a quadratic path shows as 30x from 1 to 30 MB);
- **bounded time**: no rescue of a story up to the 32 MB size limit over `MAX_SECONDS`
  (the time at the largest size, scaled to 32 MB; printed as "at 32 MB");
- **bounded memory**: peak RSS growth during one rescue at most `MEMORY_FACTOR` times
  the input;
- **no traceback**: every shape is rescued or refused with an `InputError`; anything else
  is a crash and fails the run whatever the options.

Run from the repository root::

    python benchmarks/hostile_speed.py            # about 5 minutes
    python benchmarks/hostile_speed.py --quick    # about a minute (CI)
    python benchmarks/hostile_speed.py --check    # exit 1 when a floor is missed
    python benchmarks/hostile_speed.py --json out.json --only lt,br

The peer is the Usenet fan fiction of ``../shared/corpus`` (its first MB, repeated to
size), or without the corpus the golden stories of ``tests/golden``.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import re
import subprocess
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus"
MB = 2**20

SIZES = (1 * MB, 10 * MB, 30 * MB)
QUICK_SIZES = (MB // 4, 1 * MB, 4 * MB)
LIMIT_BYTES = 32 * MB
"""The size limit of one story (`ficarchive.rescue.decoding.sniff.MAX_INPUT_BYTES`)."""

LINEAR_TOLERANCE = 2.0
"""µs/KB at the largest size may be at most this multiple of µs/KB at the smallest."""
MAX_SECONDS = 10.0
"""No story up to the size limit may take longer than this (the issue's bar)."""
MEMORY_FACTOR = 10.0
"""Peak RSS growth of one rescue at most this multiple of the input (the issue's bar)."""
TIMEOUT_FACTOR = 6.0
"""A run is stopped after this many times `MAX_SECONDS` (scaled to its size), floor 30 s."""


# -- the shapes ---------------------------------------------------------------------------


def _repeat(unit: bytes, size: int) -> bytes:
    return (unit * (size // len(unit) + 1))[:size]


_PROSE = (
    b"She said nothing for a while, and then she laughed. \"You came back,\" he said. "
    b"The rain had stopped; the street lamps came on one by one along the river. "
)


def one_line(size: int) -> bytes:
    """Prose with no line break at all (a page saved with its newlines lost)."""
    return _repeat(_PROSE, size)


def one_word(size: int) -> bytes:
    """Letters with no space or line break."""
    return _repeat(b"abcdefghijklmnopqrstuvwxyz", size)


def only_lt(size: int) -> bytes:
    return b"<" * size


def only_br(size: int) -> bytes:
    return _repeat(b"<br>", size)


def words_br(size: int) -> bytes:
    """One word to a line, lines broken by a single ``<br>``: one paragraph of a million
    lines."""
    return _repeat(b"word<br>", size)


def only_dividers(size: int) -> bytes:
    return _repeat(b"* * *\n", size)


def nested_tags(size: int) -> bytes:
    """Inline tags opened and never closed, a word inside each: nested as deep as the
    page is long."""
    return _repeat(b"<b><i>deep ", size)


def nested_blocks(size: int) -> bytes:
    return _repeat(b"<div><blockquote><font>down ", size)


def short_lines(size: int) -> bytes:
    return _repeat(b"a\n", size)


def blank_lines(size: int) -> bytes:
    return b"x" + b"\n" * (size - 1)


def entities(size: int) -> bytes:
    return _repeat(b"&amp;&#233;&bogus;&", size)


def open_comment(size: int) -> bytes:
    """``<!--`` and ``<script`` opened again and again, never closed."""
    return _repeat(b"<!-- <script> word ", size)


def high_bytes(size: int) -> bytes:
    """Windows-1252 letters with no ASCII between them: one long accented word."""
    return _repeat(b"\xe9\xe8\xe0\xf1", size)


def emphasis_marks(size: int) -> bytes:
    return _repeat(b"*_a", size)


def spaced_line(size: int) -> bytes:
    """Two words with every other byte of the file as spaces between them."""
    return b"Title" + b" " * (size - 10) + b"x: y"


def tab_runs(size: int) -> bytes:
    """Tabs, which the text reader widens to eight spaces each, between short words."""
    return _repeat(b"a" + b"\t" * 200 + b"b\n", size)


def header_lines(size: int) -> bytes:
    """Mail header lines that never end in the blank line a header block needs."""
    return _repeat(b"X-Header: value value value\n", size)


def html_paragraph(size: int) -> bytes:
    """One paragraph of prose as the whole page (lxml used to give 12 MB of it back empty)."""
    return b"<html><body><p>" + one_line(size - 15)


Shape = tuple[str, Callable[[int], bytes]]
SHAPES: dict[str, Shape] = {
    "one-line": ("story.txt", one_line),
    "one-word": ("story.txt", one_word),
    "only-lt": ("story.html", only_lt),
    "only-lt-text": ("story.txt", only_lt),
    "only-br": ("story.html", only_br),
    "word-br": ("story.html", words_br),
    "only-dividers": ("story.txt", only_dividers),
    "nested-inline": ("story.html", nested_tags),
    "nested-blocks": ("story.html", nested_blocks),
    "short-lines": ("story.txt", short_lines),
    "blank-lines": ("story.txt", blank_lines),
    "entities": ("story.html", entities),
    "open-comment": ("story.html", open_comment),
    "high-bytes": ("story.txt", high_bytes),
    "emphasis-marks": ("story.txt", emphasis_marks),
    "spaced-line": ("story.txt", spaced_line),
    "tab-runs": ("story.txt", tab_runs),
    "header-lines": ("story.txt", header_lines),
    "html-paragraph": ("story.html", html_paragraph),
}
PEERS = ("normal-text", "normal-html")


def _normal_unit(corpus: Path) -> bytes:
    """About 1 MB of real stories: the Usenet fan fiction of the corpus, or the golden
    stories of the tests without it."""
    folder = corpus / "usenet-startrek"
    descs = folder / ".descs"
    parts: list[bytes] = []
    if descs.is_file():
        for line in descs.read_text(encoding="latin-1").splitlines():
            name, _, description = line.partition(" ")
            if description.startswith("Fan Fiction") and (folder / name).is_file():
                parts.append((folder / name).read_bytes())
            if sum(map(len, parts)) > MB:
                break
    if not parts:
        parts = [p.read_bytes() for p in sorted((REPO / "tests" / "golden").glob("*.txt"))]
        parts = [p for p in parts if not p.startswith((b"\xff\xfe", b"\xfe\xff"))]
    unit = b"\n\n".join(parts)
    end = unit.rfind(b"\n", 0, MB)
    return unit[: end + 1] if end > 0 else unit


def normal_text(size: int, corpus: Path) -> bytes:
    unit = _normal_unit(corpus)
    return (unit * (size // len(unit) + 1))[:size]


def normal_html(size: int, corpus: Path) -> bytes:
    text = normal_text(size, corpus).decode("cp1252", errors="replace")
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    paragraphs = (p.strip() for p in re.split(r"\n\s*\n", escaped))
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs if p)
    page = f'<html><head><meta charset="utf-8"></head><body>\n{body}\n</body></html>\n'
    data = page.encode("utf-8")
    return data[: data.rfind(b"\n", 0, size) + 1]


def make_input(shape: str, size: int, corpus: Path) -> tuple[str, bytes]:
    if shape == "normal-text":
        return "story.txt", normal_text(size, corpus)
    if shape == "normal-html":
        return "story.html", normal_html(size, corpus)
    name, make = SHAPES[shape]
    return name, make(size)


# -- one run, in a fresh process ------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    shape: str
    size: int
    seconds: float | None  # None: stopped at the timeout
    memory_factor: float | None  # peak RSS growth / input size
    outcome: str  # "rescued", "refused: ...", "crashed: ...", "timeout"

    @property
    def us_per_kb(self) -> float | None:
        return None if self.seconds is None else self.seconds * 1e6 / (self.size / 1024)

    @property
    def at_limit(self) -> float | None:
        """Seconds this shape would take at the size limit, growing linearly."""
        return None if self.seconds is None else self.seconds * LIMIT_BYTES / self.size


def _status_kb(field: str) -> int:
    match = re.search(rf"^{field}:\s+(\d+) kB", Path("/proc/self/status").read_text(), re.M)
    return int(match.group(1)) if match else 0


def child(shape: str, size: int, corpus: Path) -> dict[str, object]:
    """Rescue one input in this process: seconds, peak RSS growth, outcome."""
    from ficarchive import InputError, rescue

    rescue(_PROSE * 20, "warm.txt")
    rescue(b"<p>" + _PROSE * 20, "warm.html")
    name, data = make_input(shape, size, corpus)
    gc.collect()
    with contextlib.suppress(OSError):  # reset the RSS high-water mark (Linux)
        Path("/proc/self/clear_refs").write_text("5")
    before = _status_kb("VmRSS")
    started = time.process_time()
    try:
        rescue(data, name)
        outcome = "rescued"
    except InputError as exc:
        outcome = f"refused: {exc}"
    except Exception as exc:  # the point: any other exception is a bug to report
        outcome = f"crashed: {type(exc).__name__}: {exc}"
        traceback.print_exc()
    seconds = time.process_time() - started
    growth = (_status_kb("VmHWM") - before) * 1024
    return {"seconds": seconds, "memory_factor": max(growth, 0) / size, "outcome": outcome}


def measure(shape: str, size: int, corpus: Path) -> Run:
    timeout = max(30.0, TIMEOUT_FACTOR * MAX_SECONDS * size / LIMIT_BYTES)
    command = [sys.executable, __file__, "--child", shape, str(size), "--corpus", str(corpus)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return Run(shape, size, None, None, f"timeout: stopped after {timeout:.0f} s")
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return Run(shape, size, None, None, f"crashed: exit {done.returncode}: {tail}")
    result = json.loads(lines[-1])
    return Run(shape, size, result["seconds"], result["memory_factor"], result["outcome"])


# -- floors and the table --------------------------------------------------------------------


def problems(runs: Sequence[Run]) -> list[str]:
    found: list[str] = []
    by_shape: dict[str, list[Run]] = {}
    for run in runs:
        by_shape.setdefault(run.shape, []).append(run)
    for shape, mine in by_shape.items():
        mine.sort(key=lambda r: r.size)
        for run in mine:
            where = f"{shape} at {run.size / MB:g} MB"
            if run.outcome.startswith(("crashed", "timeout")):
                found.append(f"{where}: {run.outcome}")
            elif run.at_limit is not None and run.at_limit > MAX_SECONDS:
                found.append(
                    f"{where}: {run.seconds:.1f} s, {run.at_limit:.1f} s at 32 MB "
                    f"(over {MAX_SECONDS:g} s)"
                )
            if run.memory_factor is not None and run.memory_factor > MEMORY_FACTOR:
                found.append(
                    f"{where}: peak memory {run.memory_factor:.1f}x the input "
                    f"(over {MEMORY_FACTOR:g}x)"
                )
        small, large = mine[0], mine[-1]
        growth = _growth(small, large)
        if growth is not None and growth > LINEAR_TOLERANCE:
            found.append(
                f"NOT LINEAR: {shape} µs/KB grows {growth:.1f}x from {small.size / MB:g} MB "
                f"to {large.size / MB:g} MB (allowed {LINEAR_TOLERANCE:g}x)"
            )
    return found


def _growth(small: Run, large: Run) -> float | None:
    if small is large or small.us_per_kb is None or large.us_per_kb is None:
        return None
    return large.us_per_kb / max(small.us_per_kb, 1e-9)


def _cell(run: Run | None) -> str:
    if run is None:
        return "-"
    if run.us_per_kb is None:
        return "timeout" if run.outcome.startswith("timeout") else "crash"
    return f"{run.us_per_kb:,.0f}"


def print_table(runs: Sequence[Run], sizes: Sequence[int], peer: str) -> None:
    index = {(r.shape, r.size): r for r in runs}
    shapes = list(dict.fromkeys(r.shape for r in runs))
    heads = [f"{s / MB:g} MB" for s in sizes]
    print(
        f"\n{'µs per KB':<16}" + "".join(f"{h:>10}" for h in heads)
        + f"{'growth':>9}{'x peer':>8}{'at 32 MB':>10}{'memory':>8}  outcome"
    )  # fmt: skip
    for shape in shapes:
        mine = [index.get((shape, s)) for s in sizes]
        present = [r for r in mine if r is not None]
        small, large = present[0], present[-1]
        growth = _growth(small, large)
        peer_run = index.get((peer, large.size))
        ratio = (
            f"{large.us_per_kb / peer_run.us_per_kb:.2f}"
            if peer_run and peer_run.us_per_kb and large.us_per_kb
            else "-"
        )
        limit = f"{large.at_limit:.1f} s" if large.at_limit is not None else "-"
        memory = f"{large.memory_factor:.1f}x" if large.memory_factor is not None else "-"
        outcome = large.outcome if len(large.outcome) < 60 else large.outcome[:57] + "..."
        print(
            f"{shape:<16}" + "".join(f"{_cell(r):>10}" for r in mine)
            + f"{(f'{growth:.2f}x' if growth else '-'):>9}{ratio:>8}{limit:>10}{memory:>8}"
            + f"  {outcome}"
        )  # fmt: skip


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="sizes 0.25, 1 and 4 MB")
    parser.add_argument("--check", action="store_true", help="exit 1 when a floor is missed")
    parser.add_argument("--json", type=Path, metavar="FILE", help="save every number as JSON")
    parser.add_argument("--only", help="comma-separated shapes (the peers always run)")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--child", nargs=2, metavar=("SHAPE", "SIZE"), help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child[0], int(args.child[1]), args.corpus)))
        return 0
    sizes = QUICK_SIZES if args.quick else SIZES
    shapes = list(SHAPES) if not args.only else args.only.split(",")
    unknown = [s for s in shapes if s not in SHAPES]
    if unknown:
        print(f"unknown shapes: {', '.join(unknown)} (known: {', '.join(SHAPES)})")
        return 2
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    print(
        f"hostile shapes: sizes {', '.join(f'{s / MB:g} MB' for s in sizes)}, one process "
        f"per run, load average {load:.1f}"
    )
    started = time.perf_counter()
    runs: list[Run] = []
    for shape in [*PEERS, *shapes]:
        for size in sizes:
            run = measure(shape, size, args.corpus)
            runs.append(run)
            print(f"  {shape} {size / MB:g} MB: {_cell(run)} µs/KB, {run.outcome[:80]}")
    print_table(runs, sizes, peer="normal-text")
    found = problems(runs)
    crashed = [p for p in found if "crashed" in p]
    print(f"\n{'FLOOR MISSED' if found else 'ok'}: {len(runs)} runs in "
          f"{time.perf_counter() - started:.0f} s; floors: growth at most "
          f"{LINEAR_TOLERANCE:g}x, at most {MAX_SECONDS:g} s at 32 MB, memory at most "
          f"{MEMORY_FACTOR:g}x the input")  # fmt: skip
    for problem in found:
        print(f"  {problem}")
    if args.json:
        rows = [asdict(r) | {"us_per_kb": r.us_per_kb, "at_limit": r.at_limit} for r in runs]
        report = {"sizes": sizes, "runs": rows, "problems": found}
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        print(f"saved {args.json}")
    if crashed:
        return 1  # a traceback is a bug, not a noisy timing
    return 1 if found and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
