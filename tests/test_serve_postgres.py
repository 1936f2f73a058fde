"""`ficarchive serve --archive postgresql://…` starts and serves the archive's works, read
only and with the write token."""

from __future__ import annotations

import os
import time

import httpx
import pytest
from conftest import postgres_url
from process_support import cli, kill_session, start
from web_support import build_archive, free_port

from ficarchive.archive import Archive


@pytest.mark.parametrize("token", [None, "s3cret"])
def test_serve_on_postgresql_shows_a_work(token: str | None) -> None:
    url = postgres_url()
    with Archive.open(url) as archive:
        archive.reset_for_tests()
    ids = build_archive(url)  # type: ignore[arg-type]
    port = free_port()
    server = start(
        cli("serve", "--archive", url, "--port", str(port)),
        env={**os.environ, "FICARCHIVE_WRITE_TOKEN": token or ""},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                page = httpx.get(f"{base}/works/{ids['story']}", timeout=2)
                break
            except httpx.TransportError:
                err = server.stderr.read().decode() if server.poll() is not None else ""
                assert server.poll() is None, err
                assert time.monotonic() < deadline, "the reader did not start"
                time.sleep(0.1)
        assert page.status_code == 200
        assert '<h1 id="work-title">Harbour of Bells</h1>' in page.text
        found = httpx.get(f"{base}/api/search", params={"q": "lighthouse"}, timeout=5).json()
        assert ids["story"] in [hit["id"] for hit in found["hits"]]
    finally:
        server.terminate()
        server.wait(10)
        kill_session(server.pid)
        if server.stderr:
            server.stderr.close()
