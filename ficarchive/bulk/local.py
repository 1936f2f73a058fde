"""The local engine: every core, one worker process each, supervised.

The parent hands tasks (`Task`: a story's files) to each worker through a
`ficarchive.workers.Supervisor`, at most a few at a time, so the rest of the plan stays
on disk. A worker rescues them and writes its own Parquet parts (`parts.PartWriter`):
the Works and their original bytes never pass through the parent, whose memory stays
small and flat. After each task the worker sends a `Done` (and the part, when it wrote
one); the parent commits each part to the plan. The supervisor deals with the rest, as
it does for ``add``:

- a task running longer than ``timeout`` seconds per file: the worker is killed, the
  task's files are reported (``timeout``) and a fresh worker takes its place;
- a worker that dies (killed, out of memory, a crash in C code): its task is retried on
  a fresh worker, up to `RETRIES` times, then reported (``crashed``).

Either way the stories the lost worker had finished but not yet written (its
``held`` tasks) are handed out again, and a part it wrote but could not report is
deleted. At the end (or on Ctrl-C, or any error) each worker is told to stop: it writes
what it holds, reports the part, exits. Workers never outlive the parent (see
`ficarchive.workers`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection

from ficarchive.bulk.output import CRASHED, Output, OutputUnwritable
from ficarchive.bulk.parts import Limits, PartWriter, Written, part_name
from ficarchive.bulk.plan import Task
from ficarchive.bulk.sources import Source
from ficarchive.bulk.unit import Outcome, lost_outcome, run_task
from ficarchive.workers import RETRIES, Lost, Supervisor, Worker, WorkersDying, default_jobs

__all__ = ["RETRIES", "Done", "Pool", "Setup", "WorkersDying", "default_jobs"]


@dataclass(frozen=True)
class Setup:
    """What every worker needs: where to read, where to write, and when."""

    source: Source
    out: str
    run: int
    limits: Limits


@dataclass(frozen=True)
class Done:
    """A worker's message: task `gid` finished (-1: it stopped), and the part it wrote;
    or `error`: it cannot write its part, and stopped."""

    gid: int
    written: Written | None
    error: str | None = None


def _work(conn: Connection, setup: Setup, serial: int) -> None:
    """A worker: tasks in, parts written, `Done` out; told None, it writes what it holds."""
    writer = PartWriter(Output(setup.out), setup.run, serial, setup.limits)
    while True:
        try:
            task = conn.recv()
        except EOFError:  # the parent is gone: what is held is lost, the next run redoes it
            return
        try:
            if task is None:
                conn.send(Done(-1, writer.flush()))
                return
            conn.send(Done(task.gid, writer.add(run_task(task, setup.source))))
        except OutputUnwritable as exc:
            conn.send(Done(-1, None, str(exc)))
            return


class Pool(Supervisor[Task, Outcome]):
    """``jobs`` supervised worker processes rescuing `Task`s from one source.

    `commit` is called with every part a worker writes, `tick` with the change in the
    number of stories finished (negative when a lost worker's stories must be redone).
    `run(tasks)` yields the outcomes of the tasks that were lost (timed out or crashed),
    whose reports the caller writes.
    """

    def __init__(
        self,
        setup: Setup,
        jobs: int,
        timeout: float,
        commit: Callable[[Written], None],
        tick: Callable[[int], None],
    ) -> None:
        self.output = Output(setup.out)
        self.commit, self.tick = commit, tick
        self.parts: dict[int, int] = {}  # parts each worker has written and reported
        super().__init__(
            _work,
            setup,
            jobs,
            time_limit=lambda task: timeout * len(task.keys),
            key=lambda task: task.gid,
            preload=["ficarchive.bulk.unit", "ficarchive.bulk.parts"],
        )

    def receive(self, worker: Worker[Task], message: Done) -> Outcome | None:
        """Take in one message: the part is committed before anything else can fail."""
        if message.error is not None:
            worker.end()
            raise OutputUnwritable(message.error)
        if message.gid >= 0:
            worker.held.append(self.finished(worker))
        if message.written is not None:
            self.commit(message.written)
            self.parts[worker.serial] = self.parts.get(worker.serial, 0) + 1
            worker.held.clear()
        if message.gid < 0:
            worker.end()
        elif not self.closing:
            self.tick(1)
        return None

    def lost(self, task: Task, kind: Lost, reason: str) -> Outcome:
        if kind == "timeout":
            return lost_outcome(task, f"{reason}; skipped")
        return lost_outcome(task, f"{reason}; skipped", CRASHED)

    def losing(self, worker: Worker[Task]) -> None:
        """A part the worker wrote but never reported is deleted: its stories are redone."""
        setup: Setup = self.setup
        orphan = part_name(setup.run, worker.serial, self.parts.get(worker.serial, 0) + 1)
        self.output.remove_part(orphan)
        self.tick(-len(worker.held))
