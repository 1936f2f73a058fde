"""Web archives against a folder: what reading a WARC adds to bulk rescue, and its memory.

The pages of the tmffa mirror (``../shared/corpus/tmffa``; ``--files N`` of them, in
listing order) are written as a site mirror folder and as a WARC of the same pages, each
a gzipped ``response`` record with its HTTP headers, by warcio's ``WARCWriter`` (no CDX
beside it, so the run scans the whole file: the costly case). Each measurement runs in a
fresh process, alternating folder and WARC so both share the machine's noise:

- **peer**: ``bulk_rescue`` of the folder on 2 cores;
- **warc**: ``bulk_rescue`` of the WARC on 2 cores (the works are the same);
- **warc ×10**: ten copies of the pages under ten folders, in one WARC ten times larger:
  the parent's peak memory against the **warc** run's.

Floors (the issue): the WARC run at most `OVERHEAD_CEILING` × the folder run's time,
best of ``--repeats``; the parent's peak memory with the WARC ten times larger at most
`MEMORY_GROWTH` × (flat).

    python benchmarks/warc_speed.py              # 1,000 pages, 10,000 for memory, best of 3
    python benchmarks/warc_speed.py --quick      # 300 pages, 3,000 for memory, best of 2
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus"

OVERHEAD_CEILING = 1.10  # the WARC run against the folder run, same pages, same run
MEMORY_GROWTH = 1.25  # parent peak RSS, WARC ×10 against WARC ×1 ("flat", 25 % for noise)


def pages(corpus: Path, count: int) -> list[Path]:
    root = corpus / "tmffa"
    found = sorted(p for p in root.rglob("*") if p.is_file() and p.name != "gold.json")
    return found[:count]


def write_sources(corpus: Path, scratch: Path, count: int, copies: int) -> tuple[Path, Path]:
    """The mirror folder and the WARC of `copies` × `count` pages."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    root = corpus / "tmffa"
    folder = scratch / f"mirror-{copies}"
    warc = scratch / f"site-{copies}.warc.gz"
    with warc.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for copy in range(copies):
            for page in pages(corpus, count):
                rel = page.relative_to(root).as_posix()
                key = rel if copies == 1 else f"c{copy}/{rel}"
                target = folder / key
                target.parent.mkdir(parents=True, exist_ok=True)
                data = page.read_bytes()
                target.write_bytes(data)
                mime = "text/html" if rel.endswith((".html", ".htm")) else "text/plain"
                http = StatusAndHeaders(
                    "200 OK", [("Content-Type", mime), ("Content-Length", str(len(data)))],
                    protocol="HTTP/1.0",
                )  # fmt: skip
                url = "http://tmffa.example.net/" + key.replace(" ", "%20")
                record = writer.create_warc_record(
                    url, "response", payload=io.BytesIO(data), length=len(data),
                    http_headers=http,
                )  # fmt: skip
                writer.write_record(record)
    return folder, warc


def child(spec: dict[str, Any]) -> dict[str, Any]:
    from ficarchive.bulk import bulk_rescue

    started = time.perf_counter()
    summary = bulk_rescue(spec["source"], spec["out"], jobs=2)
    seconds = time.perf_counter() - started
    own = resource.getrusage(resource.RUSAGE_SELF)
    return {"seconds": seconds, "works": summary.works, "parent_mb": own.ru_maxrss / 1024}


def measure(source: Path, scratch: Path) -> dict[str, Any]:
    out = Path(tempfile.mkdtemp(dir=scratch))
    spec = {"source": str(source), "out": str(out)}
    done = subprocess.run(
        [sys.executable, __file__, "--child", json.dumps(spec)],
        capture_output=True, text=True, check=False, cwd=REPO,
    )  # fmt: skip
    shutil.rmtree(out, ignore_errors=True)
    if done.returncode != 0:
        raise SystemExit(f"measurement of {source} failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def run(corpus: Path, scratch: Path, count: int, repeats: int) -> dict[str, Any]:
    folder, warc = write_sources(corpus, scratch, count, 1)
    _big_folder, big = write_sources(corpus, scratch, count, 10)
    shutil.rmtree(_big_folder)
    folder_runs, warc_runs = [], []
    for _ in range(repeats):
        folder_runs.append(measure(folder, scratch))
        warc_runs.append(measure(warc, scratch))
    large = measure(big, scratch)
    best_folder = min(r["seconds"] for r in folder_runs)
    best_warc = min(r["seconds"] for r in warc_runs)
    small_mb = max(r["parent_mb"] for r in warc_runs)
    return {
        "pages": count,
        "warc_mb": round(warc.stat().st_size / 2**20, 1),
        "folder_seconds": round(best_folder, 2),
        "warc_seconds": round(best_warc, 2),
        "overhead": round(best_warc / best_folder, 3),
        "works": [folder_runs[0]["works"], warc_runs[0]["works"], large["works"]],
        "warc_parent_mb": round(small_mb, 1),
        "warc10_parent_mb": round(large["parent_mb"], 1),
        "memory_growth": round(large["parent_mb"] / small_mb, 3),
        "load": os.getloadavg()[0],
    }


def report(result: dict[str, Any]) -> list[str]:
    missed = []
    print(f"{result['pages']:,} pages ({result['warc_mb']} MB of WARC), bulk rescue on 2 cores")
    print(f"  peer: folder      {result['folder_seconds']:7.2f} s")
    print(f"  warc (scanned)    {result['warc_seconds']:7.2f} s   ×{result['overhead']:.3f}")
    growth = f"{result['warc10_parent_mb']:.1f} MB (×{result['memory_growth']:.3f})"
    print(f"  parent peak RSS   {result['warc_parent_mb']:7.1f} MB; a WARC ×10: {growth}")
    print(f"  works: folder {result['works'][0]}, warc {result['works'][1]}, "
          f"warc ×10 {result['works'][2]}; load average {result['load']:.2f}")  # fmt: skip
    if result["overhead"] > OVERHEAD_CEILING:
        missed.append(f"WARC reading ×{result['overhead']} > ×{OVERHEAD_CEILING}")
    if result["memory_growth"] > MEMORY_GROWTH:
        missed.append(f"memory ×{result['memory_growth']} > ×{MEMORY_GROWTH}")
    for line in missed:
        print(f"FLOOR MISSED: {line}")
    if not missed:
        print(f"floors met: overhead ≤ ×{OVERHEAD_CEILING}, memory ≤ ×{MEMORY_GROWTH}")
    return missed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--files", type=int)
    parser.add_argument("--repeats", type=int)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--child")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(json.loads(args.child))))
        return 0
    if not (args.corpus / "tmffa").is_dir():
        print(f"skipped: the tmffa mirror is not at {args.corpus / 'tmffa'}")
        return 0
    count = args.files or (300 if args.quick else 1000)
    repeats = args.repeats or (2 if args.quick else 3)
    with tempfile.TemporaryDirectory(prefix="warc-speed-") as scratch:
        result = run(args.corpus, Path(scratch), count, repeats)
    missed = report(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 1 if missed and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
