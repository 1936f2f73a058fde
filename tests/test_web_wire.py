"""Request bodies, Host headers and paths against the real server: `ficarchive serve`
(uvicorn) in its own process, spoken to over a raw socket so that nothing on the client
side buffers or fixes up what is sent (an HTTP client folds ``/../`` away, for one).

A body over the limit is refused before it is read: a declared length at once, a chunked
body as soon as the limit is passed; the connection is then closed, and the server's
peak memory (VmHWM) does not move. Before this, a 200 MB edit body took the server from
73 MB to 473 MB, with no token needed.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
import pytest
from web_support import build_archive, serving

from ficarchive.web.guard import MAX_BODY

TOKEN = "s3cret"
BIG = 400 * 1024 * 1024  # what a hostile client says it will send
SENT_AT_MOST = 64 * 1024 * 1024  # what it tries to send before giving up
GROWTH_MB = 16  # the server's peak memory may grow by this much, at most


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any, dict[str, int]]]:
    archive = tmp_path_factory.mktemp("limits") / "archive.sqlite"
    ids = build_archive(archive)
    with serving(archive, "--write-token", TOKEN) as (base, process):
        httpx.get(f"{base}/works/{ids['story']}/edit")  # warm: the edit form rendered once
        yield base, process, ids


def _peak_mb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) // 1024
    raise AssertionError("no VmHWM in /proc: not Linux?")


def _connect(base: str) -> socket.socket:
    parts = urlsplit(base)
    return socket.create_connection((parts.hostname, parts.port), timeout=20)


def _head(base: str, path: str, extra: str) -> bytes:
    host = urlsplit(base).netloc
    return (
        f"POST {path} HTTP/1.1\r\nHost: {host}\r\n"
        f"Content-Type: application/x-www-form-urlencoded\r\n{extra}\r\n"
    ).encode()


def _read_response(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes (it must close after a 413)."""
    received = b""
    try:
        while chunk := sock.recv(65536):
            received += chunk
    except ConnectionResetError:  # it closed with our unread bytes still arriving
        pass
    return received


def _send_until_closed(sock: socket.socket, body: Iterator[bytes]) -> list[int]:
    """Send `body` from another thread until the server stops taking it; bytes sent."""
    sent = [0]

    def push() -> None:
        try:
            for piece in body:
                sock.sendall(piece)
                sent[0] += len(piece)
        except OSError:  # the server closed the connection: what we want
            pass

    threading.Thread(target=push, daemon=True).start()
    return sent


def _form(token: str, padding: int) -> bytes:
    return urlencode({"title": "Changed", "token": token, "note": "x" * padding}).encode()


def _title(base: str, work_id: int) -> str:
    title: str = httpx.get(f"{base}/api/works/{work_id}").json()["work"]["title"]
    return title


def test_a_declared_length_over_the_limit_is_refused_before_reading(
    server: tuple[str, Any, dict[str, int]],
) -> None:
    base, process, ids = server
    before = _peak_mb(process.pid)
    with _connect(base) as sock:
        started = time.monotonic()
        sock.sendall(_head(base, f"/works/{ids['story']}/edit", f"Content-Length: {BIG}\r\n"))
        chunks = (b"a" * 65536 for _ in range(SENT_AT_MOST // 65536))
        sent = _send_until_closed(sock, chunks)
        response = _read_response(sock)
        elapsed = time.monotonic() - started
    status, _, rest = response.partition(b"\r\n")
    assert status == b"HTTP/1.1 413 Request Entity Too Large", response[:300]
    headers = rest.split(b"\r\n\r\n", 1)[0].lower()
    assert b"connection: close" in headers and b"content-security-policy:" in headers
    assert f"at most {MAX_BODY:,} bytes".encode() in response
    assert elapsed < 5 and sent[0] < SENT_AT_MOST, "the body was read, not refused"
    assert _peak_mb(process.pid) - before < GROWTH_MB
    assert _title(base, ids["story"]) == "Harbour of Bells"


def test_a_chunked_body_is_cut_off_at_the_limit(
    server: tuple[str, Any, dict[str, int]],
) -> None:
    base, process, ids = server
    before = _peak_mb(process.pid)
    piece = b"a" * 65536
    chunk = f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    with _connect(base) as sock:
        head = _head(base, f"/works/{ids['story']}/edit", "Transfer-Encoding: chunked\r\n")
        sock.sendall(head + b"%x\r\n" % len(_form(TOKEN, 0)) + _form(TOKEN, 0) + b"\r\n")
        sent = _send_until_closed(sock, (chunk for _ in range(SENT_AT_MOST // len(chunk))))
        response = _read_response(sock)
    assert response.startswith(b"HTTP/1.1 413 "), response[:300]
    headers = response.split(b"\r\n\r\n", 1)[0].lower()
    assert b"connection: close" in headers and b"content-security-policy:" in headers
    assert f"over the limit of {MAX_BODY:,} bytes".encode() in response
    assert sent[0] < SENT_AT_MOST, "the whole body was taken"
    assert _peak_mb(process.pid) - before < GROWTH_MB
    assert _title(base, ids["story"]) == "Harbour of Bells"  # the right token did nothing


def test_a_form_within_the_limit_is_taken(server: tuple[str, Any, dict[str, int]]) -> None:
    base, _, ids = server
    url = f"{base}/works/{ids['usenet_post.txt']}/edit"
    exactly = _form(TOKEN, MAX_BODY - len(_form(TOKEN, 0)))
    assert len(exactly) == MAX_BODY
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    saved = httpx.post(url, content=exactly, headers=headers, follow_redirects=False)
    assert saved.status_code == 303
    assert _title(base, ids["usenet_post.txt"]) == "Changed"
    over = httpx.post(url, content=exactly + b"x", headers=headers)
    assert over.status_code == 413 and "Too large" in over.text


@pytest.mark.parametrize(
    ("host", "status"),
    [
        ("{here}", 200),
        ("localhost:{port}", 200),
        ("LOCALHOST:{port}", 200),
        ("evil.example:{port}", 400),
        ("evil.example", 400),
        ("127.0.0.1", 400),  # port 80: not where the reader listens
        ("127.0.0.1:1{port}", 400),
        ("127.0.0.1.evil.example:{port}", 400),
        ("[::1]:{port}", 200),  # loopback by another name: not a rebinding
        ("{here}@evil.example", 400),
        ("", 400),
    ],
)
def test_the_host_must_be_the_readers_own(
    server: tuple[str, Any, dict[str, int]], host: str, status: int
) -> None:
    base, _, _ = server
    here = urlsplit(base).netloc
    named = host.format(here=here, port=urlsplit(base).port)
    with _connect(base) as sock:
        sock.sendall(f"GET / HTTP/1.1\r\nHost: {named}\r\nConnection: close\r\n\r\n".encode())
        response = _read_response(sock)
    assert response.startswith(f"HTTP/1.1 {status} ".encode()), (named, response[:200])
    assert b"content-security-policy:" in response.split(b"\r\n\r\n", 1)[0].lower()
    if status == 400 and named:
        assert b"This reader answers only at http://127.0.0.1:" in response


def test_allowed_host_names(tmp_path: Path) -> None:
    archive = tmp_path / "archive.sqlite"
    build_archive(archive)
    options = ("--allow-host", "fics.example.org", "--allow-host", "other.example:8443")
    with serving(archive, *options) as (base, _):
        for host, status in (
            ("fics.example.org", 200),
            ("fics.example.org:443", 200),
            ("other.example:8443", 200),
            ("other.example", 400),
            ("evil.example", 400),
        ):
            response = httpx.get(base + "/api/works?limit=1", headers={"Host": host})
            assert response.status_code == status, host
            if status == 400:
                assert "--allow-host" in response.json()["detail"]


TRAVERSALS = [
    "/static/../app.py",
    "/static/../../pyproject.toml",
    "/static/..%2fapp.py",
    "/static/%2e%2e/app.py",
    "/static/%2e%2e%2f%2e%2e%2fweb%2fapp.py",
    "/static/..%5capp.py",
    "/static/....//app.py",
    "/static/.%2e/app.py",
    "/static//etc/passwd",
    "/static/%2fetc%2fpasswd",
    "/static/../../../../../../etc/passwd",
    "/static/%252e%252e/app.py",
    "/static/reader.css%00../app.py",
    "/static/reader.css/../../app.py",
    "/static/%c0%ae%c0%ae/app.py",
    "/static/\\..\\app.py",
    "//etc/passwd",
    "/../../etc/passwd",
    "/works/1/download/..%2f..%2f..%2fetc%2fpasswd",
    "/works/1/download/../../../etc/passwd",
    "/works/..%2f..%2fetc%2fpasswd",
    "/works/1/original/..%2f..",
    "/api/works/..%2f..%2fetc%2fpasswd",
    "/prefs?back=..%2f..%2fetc%2fpasswd",
    "/static/templates/base.html",
    "/static/../templates/base.html",
    "/static/%2e%2e/templates/base.html",
]
# Text of files the reader must never send: its own code and templates, the system's.
NEVER = (b"SECURITY_HEADERS", b"def create_app", b"[build-system]", b"root:x:0:0", b"{% block")


def test_no_path_leaves_the_static_folder(server: tuple[str, Any, dict[str, int]]) -> None:
    base, _, _ = server
    here = urlsplit(base).netloc
    for path in TRAVERSALS:
        with _connect(base) as sock:  # as written: no client folds the dots away first
            sock.sendall(
                f"GET {path} HTTP/1.1\r\nHost: {here}\r\nConnection: close\r\n\r\n".encode()
            )
            response = _read_response(sock)
        status = int(response.split(b" ", 2)[1])
        assert status in (303, 400, 404), (path, response[:200])
        assert not any(text in response for text in NEVER), path
        assert b"content-security-policy:" in response.split(b"\r\n\r\n", 1)[0].lower(), path
