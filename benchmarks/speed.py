"""Speed benchmark: what a rescue costs, next to `ftfy.fix_text` alone on the same text.

Floor (issue 9): rescuing a story costs at most 2x `ftfy.fix_text` on the same text,
median over the real collections, on one core; and cost grows linearly from 4 KB to 4 MB.
(Issue 1 set 3x for the rule-based reader; the learned reader is held to the newer bar.)

Run from the repository root::

    python benchmarks/speed.py                 # about 2-3 minutes
    python benchmarks/speed.py --quick         # a sample of the corpus, fewer repeats
    python benchmarks/speed.py --check         # exit 1 when a floor is missed
    python benchmarks/speed.py --json out.json # save every number
    python benchmarks/speed.py --profile       # cProfile of rescue on the 4 MB inputs

The corpus is read from ``../shared/corpus`` (beside the repository); without it the
benchmark says so and exits 0.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import gc
import html
import importlib.util
import io
import json
import math
import os
import platform
import pstats
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Protocol

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus"
CORPORA = ("antennapedia-btvs", "usenet-startrek", "tmffa", "textfiles-stories", "textfiles-sf")
"""The real collections; the ratio floor is the median over all of them."""
PER_CORPUS = 150
"""At most this many stories of each collection are timed (evenly spaced through it), so
that a large archive (tmffa has 2,800 story files) does not outweigh the others."""
TMFFA_SECTIONS = ("x", "m", "l")
"""tmffa's story files; its top-level pages are the site's own (listings, 404s)."""

# The floors this benchmark checks.
RATIO_FLOOR = 2.0
"""Median of rescue time / ftfy time over the corpus must not exceed this (the issue)."""
LINEAR_TOLERANCE = 2.0
"""µs/KB at the largest input may be at most this multiple of µs/KB at 40 KB.

Cost per KB at 40 KB is the reference because 4 KB is dominated by fixed per-call cost
(imports warmed, but metadata passes and object set-up don't shrink with the input)."""
LINEAR_REFERENCE = 40_000

SIZES = (4_000, 40_000, 400_000, 4_000_000)
FTFY_OPTIONS: dict[str, Any] = {"uncurl_quotes": False}
"""The ftfy configuration the rescue uses; ftfy alone is timed with the same."""

MIN_MEASURE_S = 0.02
"""One measurement loops the call until it has taken this long, so that timer resolution
and per-call noise don't dominate the smallest files."""


class RescueFn(Protocol):
    def __call__(self, data: bytes, name: str) -> Any: ...


# -- inputs --------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    corpus: str
    name: str
    data: bytes


def corpus_files(corpus_dir: Path, corpus: str) -> list[Path]:
    folder = corpus_dir / corpus
    folders = [folder / s for s in TMFFA_SECTIONS] if corpus == "tmffa" else [folder]
    return sorted(
        p
        for f in folders
        for p in f.iterdir()
        if p.is_file()
        and not p.name.startswith(".")
        and p.suffix.lower() not in (".zip", ".gif", ".jpg")
    )


def load_samples(corpus_dir: Path, every: int = 1) -> list[Sample]:
    """Every `every`-th of at most `PER_CORPUS` stories of each corpus."""
    samples: list[Sample] = []
    for corpus in CORPORA:
        files = corpus_files(corpus_dir, corpus)
        step = max(1, math.ceil(len(files) / PER_CORPUS))
        for path in files[::step][::every]:
            samples.append(Sample(corpus, path.name, path.read_bytes()))
    return samples


def fan_fiction_names(corpus_dir: Path) -> list[str]:
    """Usenet files the collection itself describes as fan fiction (see ``.descs``)."""
    descs = corpus_dir / "usenet-startrek" / ".descs"
    names = []
    for line in descs.read_text(encoding="latin-1").splitlines():
        name, _, description = line.partition(" ")
        if description.startswith("Fan Fiction"):
            names.append(name)
    return names


def plain_stream(corpus_dir: Path) -> bytes:
    """The usenet fan fiction as found: hard-wrapped, CRLF, headers and all."""
    folder = corpus_dir / "usenet-startrek"
    parts = [(folder / n).read_bytes() for n in fan_fiction_names(corpus_dir)]
    return b"\r\n\r\n".join(p for p in parts if p)


YAML_HEADER = re.compile(r"\A---\n.*?\n---\n", re.DOTALL)
EMPHASIS = re.compile(r"\*([^*\n]+)\*")


def markdown_to_paragraphs(text: str) -> list[str]:
    body = YAML_HEADER.sub("", text)
    paragraphs = [p.strip() for p in body.split("\n\n")]
    return [EMPHASIS.sub(r"<i>\1</i>", html.escape(p, quote=False)) for p in paragraphs if p]


def html_paragraphs(corpus_dir: Path) -> list[str]:
    """Paragraphs of the LiveJournal stories as old-web HTML (``<p>`` and ``<i>``)."""
    out: list[str] = []
    for path in corpus_files(corpus_dir, "antennapedia-btvs"):
        out.extend(markdown_to_paragraphs(path.read_text(encoding="utf-8")))
    return out


def cut_plain(stream: bytes, size: int) -> bytes:
    """About `size` bytes of `stream`, cut at a line end, repeating the stream if short."""
    while len(stream) < size:
        stream = stream + b"\r\n\r\n" + stream
    end = stream.rfind(b"\n", 0, size)
    return stream[: end + 1 if end > 0 else size]


def build_html(paragraphs: Sequence[str], size: int) -> bytes:
    """An old-web HTML page of about `size` bytes made of whole paragraphs."""
    head = (
        "<html><head><title>Benchmark</title>"
        '<meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head>\n'
        '<body bgcolor="#000000" text="#ffffff">\n<center><b>Benchmark</b></center>\n'
    )
    tail = "</body></html>\n"
    chunks: list[str] = [head]
    total = len(head.encode()) + len(tail)
    for paragraph in cycle_forever(paragraphs):
        chunk = f"<p>{paragraph}</p>\n"
        cost = len(chunk.encode())
        if total + cost > size and len(chunks) > 1:
            break
        chunks.append(chunk)
        total += cost
    chunks.append(tail)
    return "".join(chunks).encode("utf-8")


def cycle_forever(items: Sequence[str]) -> Iterator[str]:
    while True:
        yield from items


# -- timing --------------------------------------------------------------------------


def pin_to_one_core() -> str:
    """Run on one CPU, the last one the process may use; say which."""
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity)"
    cpus = sorted(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpus[-1]})
    return f"pinned to CPU {cpus[-1]}"


def measure(fn: Callable[[], object], loops: int) -> float:
    """Seconds per call, over `loops` calls."""
    start = time.perf_counter()
    for _ in range(loops):
        fn()
    return (time.perf_counter() - start) / loops


def loops_for(seconds: float) -> int:
    """How many calls, each taking about `seconds`, make one run of at least MIN_MEASURE_S."""
    return 1 if seconds >= MIN_MEASURE_S else int(MIN_MEASURE_S / max(seconds, 1e-7)) + 1


def time_pair(
    first: Callable[[], object], first_once: float, second: Callable[[], object], repeats: int
) -> tuple[float, float]:
    """Best seconds per call of each, measured interleaved `repeats` more times.

    `first_once` is how long one call of `first` has already taken; it counts as a run."""
    best_b = measure(second, 1)
    loops_a, loops_b = loops_for(first_once), loops_for(best_b)
    best_a = first_once
    for _ in range(repeats):
        best_a = min(best_a, measure(first, loops_a))
        best_b = min(best_b, measure(second, loops_b))
    return best_a, best_b


def time_against_ftfy(
    rescue: RescueFn, fix_text: Callable[..., str], data: bytes, name: str, repeats: int
) -> tuple[float, float]:
    """Best seconds of `rescue(data, name)` and of ftfy alone on the text the rescue decoded."""
    gc.collect()
    start = time.perf_counter()
    work = rescue(data, name)
    once = time.perf_counter() - start
    text = decode_like(data, work)
    return time_pair(
        partial(rescue, data, name), once, partial(fix_text, text, **FTFY_OPTIONS), repeats
    )


def decode_like(data: bytes, work: Any) -> str:
    """The text ftfy should see: the bytes decoded as the rescue decided."""
    source = getattr(work, "source", None)
    encoding = getattr(source, "encoding", None) or "utf-8"
    try:
        return data.decode(encoding, errors="replace")
    except LookupError:
        return data.decode("utf-8", errors="replace")


# -- corpus ratio ----------------------------------------------------------------------


@dataclass(frozen=True)
class FileTiming:
    corpus: str
    name: str
    size: int
    rescue_s: float
    ftfy_s: float

    @property
    def ratio(self) -> float:
        return self.rescue_s / self.ftfy_s


@dataclass
class CorpusRun:
    timings: list[FileTiming] = field(default_factory=list)
    refused: list[tuple[str, str, str]] = field(default_factory=list)


def time_sample(
    rescue: RescueFn, fix_text: Callable[..., str], sample: Sample, repeats: int
) -> FileTiming:
    rescue_s, ftfy_s = time_against_ftfy(rescue, fix_text, sample.data, sample.name, repeats)
    return FileTiming(sample.corpus, sample.name, len(sample.data), rescue_s, ftfy_s)


def run_corpus(
    rescue: RescueFn,
    fix_text: Callable[..., str],
    samples: Iterable[Sample],
    repeats: int,
    refusals: tuple[type[BaseException], ...],
) -> CorpusRun:
    run = CorpusRun()
    for sample in samples:
        try:
            run.timings.append(time_sample(rescue, fix_text, sample, repeats))
        except refusals as error:
            run.refused.append((sample.corpus, sample.name, f"{type(error).__name__}: {error}"))
    return run


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


def summarise(timings: Sequence[FileTiming]) -> dict[str, Any]:
    ratios = [t.ratio for t in timings]
    return {
        "files": len(timings),
        "bytes": sum(t.size for t in timings),
        "median_ratio": statistics.median(ratios),
        "p90_ratio": percentile(ratios, 0.9),
        "max_ratio": max(ratios),
        "rescue_s": sum(t.rescue_s for t in timings),
        "ftfy_s": sum(t.ftfy_s for t in timings),
    }


# -- scaling ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ScalePoint:
    kind: str
    size: int
    rescue_s: float
    ftfy_s: float

    @property
    def rescue_us_per_kb(self) -> float:
        return self.rescue_s * 1e6 / (self.size / 1000)

    @property
    def ftfy_us_per_kb(self) -> float:
        return self.ftfy_s * 1e6 / (self.size / 1000)

    @property
    def ratio(self) -> float:
        return self.rescue_s / self.ftfy_s


def scaling_inputs(corpus_dir: Path, sizes: Sequence[int]) -> dict[str, list[tuple[str, bytes]]]:
    """Per kind (``text``, ``html``), one (name, bytes) input for each size."""
    stream = plain_stream(corpus_dir)
    paragraphs = html_paragraphs(corpus_dir)
    return {
        "text": [(f"scale-{s}.txt", cut_plain(stream, s)) for s in sizes],
        "html": [(f"scale-{s}.html", build_html(paragraphs, s)) for s in sizes],
    }


def repeats_for_size(size: int, repeats: int) -> int:
    """Fewer repeats for the big inputs: they are long enough to time steadily."""
    return repeats if size < 1_000_000 else max(1, repeats - 1)


def run_scaling(
    rescue: RescueFn,
    fix_text: Callable[..., str],
    inputs: dict[str, list[tuple[str, bytes]]],
    repeats: int,
) -> list[ScalePoint]:
    points: list[ScalePoint] = []
    for kind, items in inputs.items():
        for name, data in items:
            rescue_s, ftfy_s = time_against_ftfy(
                rescue, fix_text, data, name, repeats_for_size(len(data), repeats)
            )
            points.append(ScalePoint(kind, len(data), rescue_s, ftfy_s))
    return points


def growth_exponent(small: ScalePoint, large: ScalePoint) -> float:
    """k in time ~ size**k between two points: 1.0 is linear."""
    return math.log(large.rescue_s / small.rescue_s) / math.log(large.size / small.size)


def linearity(points: Sequence[ScalePoint]) -> dict[str, dict[str, float]]:
    """Per kind: µs/KB growth from the 40 KB reference to the largest input."""
    out: dict[str, dict[str, float]] = {}
    for kind in sorted({p.kind for p in points}):
        mine = sorted((p for p in points if p.kind == kind), key=lambda p: p.size)
        reference = min(mine, key=lambda p: abs(p.size - LINEAR_REFERENCE))
        largest = mine[-1]
        out[kind] = {
            "reference_size": reference.size,
            "largest_size": largest.size,
            "per_kb_growth": largest.rescue_us_per_kb / reference.rescue_us_per_kb,
            "exponent": growth_exponent(reference, largest) if largest is not reference else 1.0,
        }
    return out


# -- memory and profile -------------------------------------------------------------------


def traced_peak(rescue: RescueFn, data: bytes, name: str) -> int:
    """Peak bytes of Python allocations during one rescue (C libraries' own malloc unseen)."""
    gc.collect()
    tracemalloc.start()
    try:
        rescue(data, name)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def rss_growth_kb(data: bytes, name: str) -> dict[str, int]:
    """Peak RSS growth of one rescue in a fresh process (everything counted, lxml too)."""
    with tempfile.NamedTemporaryFile(suffix=Path(name).suffix) as handle:
        handle.write(data)
        handle.flush()
        result = subprocess.run(
            [sys.executable, __file__, "--memory-child", handle.name, name],
            capture_output=True,
            text=True,
            check=True,
        )
    loaded: dict[str, int] = json.loads(result.stdout)
    return loaded


def proc_status_kb(field_name: str) -> int | None:
    """A ``Vm*`` field of /proc/self/status in KB, where Linux has it."""
    try:
        status = Path("/proc/self/status").read_text(encoding="ascii")
    except OSError:
        return None
    match = re.search(rf"^{field_name}:\s+(\d+) kB", status, re.MULTILINE)
    return int(match.group(1)) if match else None


def reset_peak_rss() -> int:
    """Reset the RSS high-water mark where Linux allows it; return the RSS now in KB.

    ``ru_maxrss`` is no good here: after fork and exec it keeps the parent's peak."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5", encoding="ascii")
    now = proc_status_kb("VmRSS")
    return now if now is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def peak_rss_kb() -> int:
    peak = proc_status_kb("VmHWM")
    return peak if peak is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def memory_child(path: str, name: str) -> None:
    rescue, fix_text, _ = load_targets()
    warm_up(rescue, fix_text)
    data = Path(path).read_bytes()
    gc.collect()
    before = reset_peak_rss()
    rescue(data, name)
    after = peak_rss_kb()
    print(json.dumps({"baseline_kb": before, "peak_kb": after, "growth_kb": after - before}))


def run_memory(rescue: RescueFn, inputs: dict[str, list[tuple[str, bytes]]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for kind, items in inputs.items():
        name, data = items[-1]
        out[kind] = {
            "size": len(data),
            "traced_peak": traced_peak(rescue, data, name),
            **rss_growth_kb(data, name),
        }
    return out


def profile_rescue(
    rescue: RescueFn, inputs: dict[str, list[tuple[str, bytes]]], top: int, out_dir: Path | None
) -> str:
    report = io.StringIO()
    for kind, items in inputs.items():
        name, data = items[-1]
        profiler = cProfile.Profile()
        profiler.runcall(rescue, data, name)
        if out_dir is not None:
            out_dir.mkdir(parents=True, exist_ok=True)
            profiler.dump_stats(out_dir / f"rescue-{kind}.prof")
        print(f"\n== profile: rescue of {len(data) / 1e6:.1f} MB {kind} ==", file=report)
        print("-- ficarchive's own functions, by cumulative time --", file=report)
        pstats.Stats(profiler, stream=report).sort_stats("cumulative").print_stats(
            r"ficarchive[/\\]", top
        )
        print("-- every function, by time spent in itself --", file=report)
        stats = pstats.Stats(profiler, stream=report).strip_dirs()
        stats.sort_stats("tottime").print_stats(top)
    return report.getvalue()


# -- set-up -------------------------------------------------------------------------------


def load_targets() -> tuple[RescueFn, Callable[..., str], tuple[type[BaseException], ...]]:
    """`rescue`, `ftfy.fix_text`, and the errors a rescue refuses an input with."""
    if importlib.util.find_spec("ficarchive") is None:
        sys.path.insert(0, str(REPO))
    import ftfy

    from ficarchive import rescue
    from ficarchive.errors import InputError

    return rescue, ftfy.fix_text, (InputError,)


def warm_up(rescue: RescueFn, fix_text: Callable[..., str]) -> None:
    """Load lazily loaded data (wordfreq's lists, lxml, regex caches) before timing."""
    text = "Caf\u00c3\u00a9 au lait,\r\nby Someone\r\n\r\nShe said \u201chi\u201d.\r\n" * 20
    fix_text(text, **FTFY_OPTIONS)
    for name, data in (
        ("warm.txt", text.encode("utf-8")),
        ("warm.txt", text.encode("cp1252", errors="replace")),
        ("warm.html", f"<html><body><p>{text}</p><p><i>x</i></p></body></html>".encode()),
        ("warm.md", f"---\ntitle: Warm\n---\n{text}".encode()),
    ):
        rescue(data, name)


def environment() -> dict[str, str]:
    commit = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    import ftfy

    return {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "ftfy": ftfy.__version__,
        "commit": commit or "unknown",
    }


# -- report -------------------------------------------------------------------------------


def print_corpus(summaries: dict[str, dict[str, Any]], run: CorpusRun) -> None:
    print("\nrescue / ftfy.fix_text, per story (best of repeats, interleaved)")
    print(
        f"{'corpus':<20}{'files':>7}{'MB':>8}{'median':>9}{'p90':>8}{'max':>8}"
        f"{'rescue s':>10}{'ftfy s':>9}"
    )
    for corpus, s in summaries.items():
        print(
            f"{corpus:<20}{s['files']:>7}{s['bytes'] / 1e6:>8.2f}{s['median_ratio']:>8.2f}x"
            f"{s['p90_ratio']:>7.2f}x{s['max_ratio']:>7.2f}x{s['rescue_s']:>10.2f}"
            f"{s['ftfy_s']:>9.2f}"
        )
    if run.refused:
        print(f"refused ({len(run.refused)}, not timed):")
        for corpus, name, why in run.refused:
            print(f"  {corpus}/{name}: {why}")
    slowest = sorted(run.timings, key=lambda t: t.ratio, reverse=True)[:5]
    print("highest ratios: " + ", ".join(f"{t.name} {t.ratio:.1f}x" for t in slowest))


def print_scaling(points: Sequence[ScalePoint], growth: dict[str, dict[str, float]]) -> None:
    print("\nscaling (best of repeats)")
    print(
        f"{'kind':<6}{'size':>10}{'rescue ms':>11}{'µs/KB':>9}{'ftfy ms':>10}{'µs/KB':>9}"
        f"{'ratio':>8}"
    )
    for p in points:
        print(
            f"{p.kind:<6}{p.size / 1000:>8.0f}KB{p.rescue_s * 1e3:>11.1f}"
            f"{p.rescue_us_per_kb:>9.1f}{p.ftfy_s * 1e3:>10.1f}{p.ftfy_us_per_kb:>9.1f}"
            f"{p.ratio:>7.2f}x"
        )
    for kind, g in growth.items():
        verdict = "linear" if g["per_kb_growth"] <= LINEAR_TOLERANCE else "NOT LINEAR"
        print(
            f"{kind}: µs/KB at {g['largest_size'] / 1e6:.1f} MB is {g['per_kb_growth']:.2f}x "
            f"that at {g['reference_size'] / 1e3:.0f} KB (time ~ size^{g['exponent']:.2f}): "
            f"{verdict}"
        )


def print_memory(memory: dict[str, Any]) -> None:
    print("\npeak memory of one rescue")
    for kind, m in memory.items():
        print(
            f"{kind}: {m['size'] / 1e6:.1f} MB input -> Python allocations peak "
            f"{m['traced_peak'] / 1e6:.0f} MB ({m['traced_peak'] / m['size']:.0f}x input); "
            f"process RSS grew {m['growth_kb'] / 1e3:.0f} MB (to {m['peak_kb'] / 1e3:.0f} MB)"
        )


# -- main ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    every: int
    repeats: int
    sizes: tuple[int, ...]


def plan_for(args: argparse.Namespace) -> Plan:
    if args.quick:
        return Plan(every=5, repeats=1, sizes=SIZES)
    return Plan(every=1, repeats=args.repeats, sizes=SIZES)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--corpus",
        type=Path,
        default=DEFAULT_CORPUS,
        help="folder holding the corpora (default: ../shared/corpus)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="every 5th story, one repeat (about a minute)"
    )
    parser.add_argument(
        "--repeats",
        type=int,
        default=2,
        help="timed repeats per input; the best is kept (default 2)",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="exit 1 if the median ratio is over the floor or growth not linear",
    )
    parser.add_argument("--json", type=Path, metavar="FILE", help="save every number as JSON")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also print a cProfile of rescue on the largest inputs",
    )
    parser.add_argument(
        "--profile-dir", type=Path, metavar="DIR", help="with --profile, also dump .prof files here"
    )
    parser.add_argument("--skip-memory", action="store_true", help="don't measure peak memory")
    parser.add_argument("--memory-child", nargs=2, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def failures(overall: float, growth: dict[str, dict[str, float]]) -> list[str]:
    found = []
    if overall > RATIO_FLOOR:
        found.append(f"median ratio {overall:.2f}x is over the floor of {RATIO_FLOOR:.0f}x")
    for kind, g in growth.items():
        if g["per_kb_growth"] > LINEAR_TOLERANCE:
            found.append(
                f"NOT LINEAR: {kind} µs/KB grows {g['per_kb_growth']:.2f}x "
                f"from {g['reference_size'] / 1e3:.0f} KB to "
                f"{g['largest_size'] / 1e6:.1f} MB (allowed {LINEAR_TOLERANCE:.0f}x)"
            )
    return found


def scaling_note(growth: dict[str, dict[str, float]]) -> str:
    return ", ".join(f"{kind} {g['per_kb_growth']:.2f}x" for kind, g in growth.items())


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.memory_child:
        memory_child(*args.memory_child)
        return 0
    if not all((args.corpus / c).is_dir() for c in CORPORA):
        print(
            f"speed benchmark skipped: no corpus at {args.corpus} "
            f"(it needs {' and '.join(CORPORA)}; see shared/corpus/README.md)"
        )
        return 0
    plan = plan_for(args)
    pinned = pin_to_one_core()
    rescue, fix_text, refusals = load_targets()
    env = environment()
    print(
        f"ficarchive speed benchmark: Python {env['python']}, ftfy {env['ftfy']}, "
        f"commit {env['commit']}, {pinned}"
        f"{', quick' if args.quick else ''}, best of {plan.repeats + 1}"
    )
    started = time.perf_counter()
    warm_up(rescue, fix_text)

    run = run_corpus(
        rescue, fix_text, load_samples(args.corpus, plan.every), plan.repeats, refusals
    )
    summaries = {
        c: summarise([t for t in run.timings if t.corpus == c])
        for c in CORPORA
        if any(t.corpus == c for t in run.timings)
    }
    overall = statistics.median(t.ratio for t in run.timings)
    print_corpus(summaries, run)
    print(
        f"overall median ratio: {overall:.2f}x over {len(run.timings)} stories "
        f"(floor {RATIO_FLOOR:.0f}x)"
    )

    inputs = scaling_inputs(args.corpus, plan.sizes)
    points = run_scaling(rescue, fix_text, inputs, plan.repeats)
    growth = linearity(points)
    print_scaling(points, growth)

    memory = {} if args.skip_memory else run_memory(rescue, inputs)
    if memory:
        print_memory(memory)
    if args.profile:
        print(profile_rescue(rescue, inputs, 25, args.profile_dir))

    problems = failures(overall, growth)
    elapsed = time.perf_counter() - started
    print(
        f"\n{'FAIL' if problems else 'ok'}: median {overall:.2f}x (floor {RATIO_FLOOR:.0f}x), "
        f"scaling {scaling_note(growth)} (allowed {LINEAR_TOLERANCE:.0f}x), {elapsed:.0f} s"
    )
    for problem in problems:
        print(f"  {problem}")
    if args.json:
        save_json(args.json, env, summaries, overall, run, points, growth, memory, problems)
    return 1 if problems and args.check else 0


def save_json(
    path: Path,
    env: dict[str, str],
    summaries: dict[str, Any],
    overall: float,
    run: CorpusRun,
    points: Sequence[ScalePoint],
    growth: dict[str, Any],
    memory: dict[str, Any],
    problems: list[str],
) -> None:
    report = {
        "environment": env,
        "floors": {"ratio": RATIO_FLOOR, "linear_tolerance": LINEAR_TOLERANCE},
        "median_ratio": overall,
        "corpora": summaries,
        "files": [asdict(t) | {"ratio": t.ratio} for t in run.timings],
        "refused": [{"corpus": c, "name": n, "error": e} for c, n, e in run.refused],
        "scaling": [
            asdict(p) | {"rescue_us_per_kb": p.rescue_us_per_kb, "ftfy_us_per_kb": p.ftfy_us_per_kb}
            for p in points
        ],
        "linearity": growth,
        "memory": memory,
        "problems": problems,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"saved {path}")


if __name__ == "__main__":
    sys.exit(main())
