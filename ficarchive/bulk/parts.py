"""Outcomes to Parquet parts: held until there are enough of them, then written as one part.

Whoever rescues writes: each local worker process and each Dask partition keeps its own
`PartWriter`, so Works and their original bytes go from the rescue straight to the output
and the process coordinating the run only hears which groups each part holds. A writer
names its parts ``part-RUN-WRITER-NUMBER.parquet``: unique across writers and runs, and
the coordinator can tell the name of the part a writer was about to write when it died.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from ficarchive.bulk.output import Output
from ficarchive.bulk.unit import Outcome

# A writer writes a part after this many Works, this many bytes of Work JSON and original
# bytes, or this many seconds, whichever comes first: that bounds each process's memory
# (whatever the size of the source) and the work a crash loses.
FLUSH_WORKS = 500
FLUSH_BYTES = 16 * 2**20
FLUSH_SECONDS = 60.0


@dataclass(frozen=True)
class Limits:
    works: int
    bytes: int
    seconds: float

    @classmethod
    def current(cls) -> Limits:
        """The limits as this module has them now (read at run time: tests lower them)."""
        return cls(FLUSH_WORKS, FLUSH_BYTES, FLUSH_SECONDS)


@dataclass(frozen=True)
class Written:
    """A part renamed into place, and the groups (stories) it holds."""

    part: str
    groups: list[str] = field(default_factory=list)


def part_name(run: int, writer: int, number: int) -> str:
    return f"part-{run:03d}-{writer:04d}-{number:06d}.parquet"


class PartWriter:
    """Outcomes in; a part written whenever `limits` are reached, and on `flush`."""

    def __init__(self, output: Output, run: int, writer: int, limits: Limits) -> None:
        self.output, self.run, self.writer, self.limits = output, run, writer, limits
        self.written = 0
        self._clear()

    def _clear(self) -> None:
        self.works: list[dict[str, Any]] = []
        self.report: list[dict[str, str]] = []
        self.groups: list[str] = []
        self.bytes = 0
        self.since = time.monotonic()

    @property
    def next_name(self) -> str:
        return part_name(self.run, self.writer, self.written + 1)

    def add(self, outcome: Outcome) -> Written | None:
        """Hold `outcome`; write a part when the limits say so, and return it."""
        self.groups.append(outcome.group)
        for work in outcome.works:
            self.works.append(work)
            self.bytes += len(work["work_json"]) + sum(map(len, work["originals"]))
        self.report.extend(outcome.report)
        if (
            len(self.works) >= self.limits.works
            or self.bytes >= self.limits.bytes
            or time.monotonic() - self.since > self.limits.seconds
        ):
            return self.flush()
        return None

    def flush(self) -> Written | None:
        """Write what is held as one part (nothing held: no part)."""
        if not self.groups:
            return None
        name = self.next_name
        self.output.write_part(name, self.works, self.report)
        self.written += 1
        written = Written(name, self.groups)
        self._clear()
        return written
