"""A source whose reads hang or crash for chosen files: faults for the bulk engine tests.

It lives in its own module (not a test file) so worker processes can import it.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from ficarchive.bulk.sources import FolderSource


class FaultySource(FolderSource):
    """Reading ``hang*`` sleeps; ``beat*`` hangs too, touching ``.beat`` every tenth of a
    second; ``crash*`` kills the worker; ``flaky*`` kills it once."""

    def read(self, key: str) -> bytes:
        name = key.rsplit("/", 1)[-1]
        if name.startswith("hang"):
            time.sleep(60)
        if name.startswith("beat"):
            for _ in range(600):
                (Path(self.root) / ".beat").write_text(f"{os.getpid()} {time.time()}\n")
                time.sleep(0.1)
        if name.startswith("crash"):
            os.kill(os.getpid(), signal.SIGKILL)
        if name.startswith("flaky"):
            mark = Path(self.root) / ".flaky-once"
            if not mark.exists():
                mark.write_text("the first read of a flaky file kills its worker\n")
                os.kill(os.getpid(), signal.SIGKILL)
        return super().read(key)
