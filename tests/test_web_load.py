"""A bounded load test on loopback: 50 concurrent readers while `ficarchive add` writes.

The reader runs as `ficarchive serve` in its own process; the readers are one httpx
async client each; the writer is `ficarchive add` adding new stories to the same archive
at the same time. Every request must succeed, within a fixed time.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from web_support import GOLDEN, build_archive, serving

READERS = 50
REQUESTS_EACH = 20  # at least; readers go on while the writer writes, up to the cap
REQUESTS_CAP = 200
TIME_LIMIT_S = 60
WRITES = 30  # new stories added while the readers read


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "ficarchive", *args]


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path, dict[str, int]]]:
    archive = tmp_path / "archive.sqlite"
    ids = build_archive(archive)
    with serving(archive) as (base, _):
        yield base, archive, ids


def _new_stories(folder: Path) -> Path:
    folder.mkdir()
    sources = sorted(GOLDEN.glob("*.txt"))
    for n in range(WRITES):
        source = sources[n % len(sources)]
        data = source.read_bytes() + f"\n\nPosted again, copy {n}.\n".encode()
        (folder / f"{n:02d}-{source.name}").write_bytes(data)
    return folder


async def _reader(
    base: str, urls: list[str], seen: Counter[str], writer: subprocess.Popen[bytes]
) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        for n in range(REQUESTS_CAP):
            if n >= REQUESTS_EACH and writer.poll() is not None:
                break
            response = await client.get(urls[n % len(urls)])
            seen[str(response.status_code)] += 1
            if response.status_code != 200:
                seen[f"{response.status_code} {response.url}"] += 1


async def _read_all(base: str, urls: list[str], writer: subprocess.Popen[bytes]) -> Counter[str]:
    seen: Counter[str] = Counter()
    readers = [_reader(base, urls[i % len(urls) :] + urls, seen, writer) for i in range(READERS)]
    await asyncio.wait_for(asyncio.gather(*readers), TIME_LIMIT_S)
    return seen


def test_many_readers_while_add_writes(
    served: tuple[str, Path, dict[str, int]], tmp_path: Path
) -> None:
    base, archive, ids = served
    urls = [f"/works/{i}" for i in ids.values()] + [
        "/",
        "/search?q=bells",
        "/search?q=%22unbalanced&relationship=spuffy",
        f"/api/works/{ids['story']}",
        "/api/search?q=lamps",
        "/api/facets",
        f"/works/{ids['story']}/changes",
    ]
    writer = subprocess.Popen(
        _cli("add", str(_new_stories(tmp_path / "new")), "--archive", str(archive), "-j", "1"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    started = time.monotonic()
    seen = asyncio.run(_read_all(base, urls, writer))
    elapsed = time.monotonic() - started
    _, err = writer.communicate(timeout=TIME_LIMIT_S)
    assert writer.returncode == 0, err.decode()
    assert f"{WRITES} added" in err.decode()
    assert set(seen) == {"200"}, seen
    assert seen["200"] >= READERS * REQUESTS_EACH
    print(f"{seen['200']} pages read in {elapsed:.1f} s while {WRITES} stories were added")
    assert elapsed < TIME_LIMIT_S
    total = httpx.get(base + "/api/works?limit=1").json()["total"]
    assert total == len(ids) + WRITES  # the readers' server sees the new works
