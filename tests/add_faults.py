"""A file reader that hangs, crashes or raises for chosen names: faults for `add` tests.

It lives in its own module (not a test file) so worker processes can import it. Run as
a script, it adds a folder with it: ``python add_faults.py ARCHIVE FOLDER`` (the
kill -9 tests kill that process).
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

from ficarchive.files import read_story


def faulty_read(path: Path) -> bytes:
    """``hang*`` never returns (touching ``.beat`` beside it while it waits); ``crash*``
    kills its worker; ``flaky*`` kills it the first time only; ``memory*`` raises
    MemoryError; ``bug*`` a TypeError, as a bug in rescue would."""
    name = path.name
    if name.startswith("hang"):
        for _ in range(6000):
            (path.parent / ".beat").write_text(f"{os.getpid()} {time.time()}\n")
            time.sleep(0.1)
    if name.startswith("crash"):
        os.kill(os.getpid(), signal.SIGKILL)
    if name.startswith("flaky"):
        mark = path.parent / ".flaky-once"
        if not mark.exists():
            mark.write_text("the first read of a flaky file kills its worker\n")
            os.kill(os.getpid(), signal.SIGKILL)
    if name.startswith("memory"):
        raise MemoryError
    if name.startswith("bug"):
        raise TypeError("'int' object is not iterable")
    return read_story(path)


def main(archive_location: str, folder: str) -> None:
    from ficarchive.archive import Archive
    from ficarchive.archive.adding import add_files
    from ficarchive.files import story_files

    archive = Archive.open(archive_location)
    for outcome in add_files(archive, story_files([folder]), jobs=2, read=faulty_read):
        print(outcome.name, outcome.result.status if outcome.result else outcome.error)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
