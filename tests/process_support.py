"""Helpers for tests that kill ficarchive: start it in a session of its own, and find
what of it is still running afterwards (Linux /proc)."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "ficarchive", *args]


SUMMARY = re.compile(r"(\d+) added, (\d+) already in the archive, (\d+) failed")


def add_summary(stderr: str) -> tuple[int, int, int]:
    """(added, already there, failed) from what `ficarchive add` printed."""
    found = SUMMARY.search(stderr)
    assert found is not None, stderr
    added, known, failed = found.groups()
    return int(added), int(known), int(failed)


def start(command: list[str], **options: Any) -> subprocess.Popen[bytes]:
    """`command` in a new session (its id is its pid), so everything it starts, workers
    and forkserver included, can be found by that id after it is killed."""
    return subprocess.Popen(
        command,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        **options,
    )


def running_in_session(session: int) -> list[str]:
    """Processes of `session` still running (zombies waiting to be reaped are not)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        state, sid = fields[0], int(fields[3])
        if sid == session and state != "Z":
            found.append(f"{entry.name} {stat[: stat.rindex(')') + 1]}")
    return found


def left_running(session: int, seconds: float = 10.0) -> list[str]:
    """What of `session` is still running once `seconds` have passed (or sooner, none)."""
    deadline = time.monotonic() + seconds
    while (found := running_in_session(session)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return found


def kill_session(session: int) -> None:
    """Clean up after a test that failed: kill whatever of the session is left."""
    for line in running_in_session(session):
        with contextlib.suppress(ProcessLookupError):
            os.kill(int(line.split()[0]), signal.SIGKILL)
