"""Helpers for the web reader's tests: a known archive, and the reader on a real port."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from ficarchive.archive import Archive, SQLiteArchive
from ficarchive.web import create_app
from ficarchive.work import Chapter, Credit, Epigraph, Notes, Section, Work

GOLDEN = Path(__file__).parent / "golden"
POSTGRES = os.environ.get("FICARCHIVE_TEST_POSTGRES")
BACKENDS = ("sqlite", "postgres")
OUT = Path(__file__).parent / "out"

# A paragraph long enough that the first scene break is below the fold.
_PROSE = (
    "The lighthouse keeper counted the bells again, the way she always did when the fog "
    "came in from the harbour and the lamps along the quay went yellow and small. "
)


def story() -> Work:
    """A work with every part the work page draws."""
    sections = tuple(
        Section(tuple(f"<em>Part {n}.</em> {_PROSE * 3}" for _ in range(6))) for n in range(3)
    )
    return Work(
        title="Harbour of Bells",
        authors=("Jane Doe",),
        rating="Explicit",
        rating_source="NC-17",
        warnings=("Major Character Death",),
        fandoms=("Buffy the Vampire Slayer",),
        relationships=("Spike/Buffy",),
        characters=("Buffy Summers", "Spike"),
        tags=("Angst", "Lighthouses"),
        summary="Fog, bells and an old promise.",
        spoilers="Through season five.",
        notes=Notes(("Written for the <em>harbour</em> challenge.",), ("Thanks for reading.",)),
        credits=(Credit("beta", "Rosa"),),
        epigraphs=(
            Epigraph(
                "Ring the bells that still can ring<br>Forget your perfect offering",
                "Leonard Cohen",
                "Anthem",
            ),
        ),
        chapters=(Chapter("One: Fog", sections), Chapter("Two: Bells", (Section(("It rang.",)),))),
        end_mark="The End",
        word_count=2000,
    )


HOSTILE_PARAGRAPHS = (
    "Before.<script>window.__pwned = 'script'</script>",
    '<img src="/nothing" onerror="window.__pwned = \'onerror\'">After the image.',
    "<a href=\"javascript:window.__pwned='link'\">a javascript: link</a>",
    '<span lang="fr" onmouseover="window.__pwned=\'hover\'">Bonjour</span>',
    '<style>body { display: none }</style><iframe src="/"></iframe>Still here.',
)


def hostile() -> Work:
    """A work whose HTML an old page could have carried: scripts, handlers, links."""
    return Work(
        title="<script>window.__pwned='title'</script>Hostile Page",
        summary="<img src=x onerror=alert(1)>",
        notes=Notes(("<svg onload=\"window.__pwned='note'\"></svg>Note.",), ()),
        epigraphs=(Epigraph("<script>window.__pwned='verse'</script>A line", "Anon"),),
        chapters=(Chapter(None, (Section(HOSTILE_PARAGRAPHS),)),),
        word_count=20,
    )


def fill_archive(archive: Any) -> dict[str, int]:
    """Put the known story, the hostile one and a few golden stories in `archive`
    (any backend); their ids by name."""
    ids = {
        "story": archive.add_work(story()).id,
        "hostile": archive.add_work(hostile()).id,
    }
    for name in ("livejournal_post.html", "usenet_post.txt", "chapters_and_end_notes.txt"):
        ids[name] = archive.add((GOLDEN / name).read_bytes(), name).id
    return ids


def open_test_archive(backend: str, folder: Path) -> Any:
    """An empty archive on `backend`: "sqlite" (a file in `folder`) or "postgres" (the
    database `$FICARCHIVE_TEST_POSTGRES` names, emptied); a skip when that is not set."""
    if backend == "sqlite":
        return Archive.open(folder / "archive.sqlite")
    if not POSTGRES:
        pytest.skip("set FICARCHIVE_TEST_POSTGRES=postgresql://… to test on PostgreSQL (CI does)")
    archive = Archive.open(POSTGRES)
    archive.reset_for_tests()  # type: ignore[attr-defined]
    return archive


def build_archive(path: Path) -> dict[str, int]:
    """An SQLite archive at `path` made by `fill_archive`."""
    archive = Archive.open(path)
    ids = fill_archive(archive)
    archive.close()
    return ids


@contextmanager
def running_reader(archive: str | Path | SQLiteArchive, **options: str) -> Iterator[str]:
    """The reader on a free loopback port, in a thread; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        create_app(archive, **options), log_level="warning", access_log=False, lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the reader did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def csrf_of(page: str) -> str:
    """The CSRF token a page's form carries."""
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(archive: Path, *options: str, env: dict[str, str] | None = None) -> Iterator[Any]:
    """`ficarchive serve` on `archive` in its own process, as a user runs it, on a free
    port; yields (base URL, the process) once it answers."""
    port = free_port()
    command = [sys.executable, "-m", "ficarchive", "serve", "--archive", str(archive)]
    server = subprocess.Popen(
        [*command, "--port", str(port), *options],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "FICARCHIVE_WRITE_TOKEN": "", **(env or {})},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if httpx.get(base + "/api/works?limit=1", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None, server.stderr.read() if server.stderr else ""
            assert time.monotonic() < deadline, "the reader did not start"
            time.sleep(0.1)
        yield base, server
    finally:
        server.terminate()
        server.wait(10)
        if server.stderr:
            server.stderr.close()
