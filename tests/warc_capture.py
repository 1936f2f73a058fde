"""Real WARCs written by real tools: a mirror folder served over loopback and captured.

`serve(folder)` runs Python's ``http.server`` on 127.0.0.1 in a subprocess (an ephemeral
port, stopped on exit); `wget_warc` captures a list of its pages with Debian's
``wget --warc-file`` (which also writes a CDX index), `warcio_warc` with warcio's
``capture_http`` around ``urllib`` (a second producer, writing HTTP/1.1 exchanges as
Python's client makes them). Nothing leaves the machine.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest

# Seconds a capture may take before the test gives up on it (a few pages on loopback).
CAPTURE_SECONDS = 120


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """The base URL of `folder` served on loopback, for the length of the block."""
    process = subprocess.Popen(
        [sys.executable, "-u", "-m", "http.server", "0", "--bind", "127.0.0.1",
         "--directory", str(folder)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        found = re.search(r"port (\d+)", line)
        if found is None:
            raise RuntimeError(f"http.server did not start: {line!r}")
        yield f"http://127.0.0.1:{found[1]}/"
    finally:
        process.terminate()
        process.wait(10)
        if process.stdout is not None:
            process.stdout.close()


def urls(base: str, paths: list[str]) -> list[str]:
    return [base + quote(p) for p in paths]


def wget_warc(base: str, paths: list[str], target: Path, *extra: str) -> Path:
    """`paths` of the site at `base` captured by wget into ``target.warc.gz`` (and its
    CDX ``target.cdx``); skips the test where wget is not installed."""
    wget = shutil.which("wget")
    if wget is None:
        pytest.skip("wget is not installed (.ci/run installs it: apt-get install wget)")
    listing = target.with_suffix(".urls")
    listing.write_text("\n".join(urls(base, paths)) + "\n")
    subprocess.run(
        [
            wget,
            "--quiet",
            "--tries=3",
            "--no-http-keep-alive",  # http.server closes each connection after one answer
            "--timeout=10",
            f"--warc-file={target}",
            "--warc-cdx",
            "--no-warc-keep-log",
            "-i",
            str(listing),
            "-O",
            "/dev/null",
            *extra,
        ],
        check=False,
        timeout=CAPTURE_SECONDS,
        cwd=target.parent,
    )  # fmt: skip  (wget exits 8 when one URL answers 404: that is part of the capture)
    warc = target.parent / (target.name + ".warc.gz")
    assert warc.is_file(), "wget wrote no WARC"
    return warc


def warcio_warc(base: str, paths: list[str], target: Path) -> Path:
    """`paths` captured by warcio's ``capture_http`` (urllib's requests and responses)."""
    from warcio.capture_http import capture_http

    with capture_http(str(target)):
        for url in urls(base, paths):
            try:
                with urllib.request.urlopen(url, timeout=10) as answer:
                    answer.read()
            except urllib.error.HTTPError as exc:  # a 404 is captured too
                exc.read()
    return target
