"""The local engine: every core, one worker process each, supervised.

The parent hands one `Task` at a time to each idle worker (so at most ``jobs`` tasks are
in flight and the rest of the plan stays on disk) and waits on the workers' pipes and
process sentinels together. That is why it can tell exactly which task a worker was on:

- a task running longer than ``timeout`` seconds per file: the worker is killed, the
  task's files are reported (``timeout``) and a fresh worker takes its place;
- a worker that dies (killed, out of memory, a crash in C code): its task is retried on
  a fresh worker, up to `RETRIES` times, then reported (``crashed``).

Workers start from a ``forkserver`` with ficarchive already imported (no fork of a
threaded parent; a restart costs milliseconds), and ignore Ctrl-C: the parent stops them.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import signal
import time
from collections import deque
from collections.abc import Iterator
from multiprocessing.connection import Connection, wait
from typing import Any

from ficarchive.bulk.output import CRASHED
from ficarchive.bulk.plan import Task
from ficarchive.bulk.sources import Source
from ficarchive.bulk.unit import Outcome, lost_outcome, run_task
from ficarchive.errors import FicarchiveError

# Times a task is retried after its worker was lost, before it is reported as crashed.
RETRIES = 1
# Tasks queued in each worker's pipe: the next one is there as soon as it finishes one,
# so a worker never waits on the parent.
QUEUED_PER_WORKER = 2
# Workers lost in a row, with no story finished between, after which the run stops:
# they are dying as they start (per worker: this many times the number of workers).
LOSSES_IN_A_ROW = 5
# Longest wait on the workers before timeouts are checked again, in seconds.
POLL_SECONDS = 0.5


class WorkersDying(FicarchiveError):
    """The worker processes die as they start: the run cannot go on."""


def default_jobs() -> int:
    """Every core this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _work(conn: Connection, source: Source) -> None:
    """A worker: tasks in, outcomes out, until it is sent None."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        task = conn.recv()
        if task is None:
            return
        conn.send(run_task(task, source))


class _Worker:
    def __init__(self, ctx: Any, source: Source) -> None:
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_work, args=(child, source), daemon=True)
        self.process.start()
        child.close()
        self.tasks: deque[Task] = deque()  # sent, not finished; the first is running
        self.started = 0.0  # when the first of `tasks` started

    @property
    def task(self) -> Task | None:
        return self.tasks[0] if self.tasks else None

    def give(self, task: Task) -> None:
        if not self.tasks:
            self.started = time.monotonic()
        self.tasks.append(task)
        with contextlib.suppress(OSError):  # gone: `Pool._check` hands its tasks on
            self.conn.send(task)

    def finished(self) -> None:
        self.tasks.popleft()
        self.started = time.monotonic()

    def stop(self, kill: bool = False) -> None:
        if kill:
            self.process.kill()
        else:
            try:
                self.conn.send(None)
            except OSError:
                self.process.kill()
        self.process.join(5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


class Pool:
    """``jobs`` supervised worker processes rescuing `Task`s from one source."""

    def __init__(self, source: Source, jobs: int, timeout: float) -> None:
        self.ctx = mp.get_context("forkserver")
        self.ctx.set_forkserver_preload(["ficarchive.bulk.unit"])
        self.source, self.timeout = source, timeout
        self.workers = [_Worker(self.ctx, source) for _ in range(max(jobs, 1))]
        self.retried: dict[int, int] = {}
        self.losses = 0  # workers lost since the last story finished

    def close(self) -> None:
        for worker in self.workers:
            worker.stop(kill=worker.task is not None)

    def run(self, tasks: Iterator[Task]) -> Iterator[Outcome]:
        """Outcomes as they finish (not in task order)."""
        again: deque[Task] = deque()
        exhausted = False
        while True:
            for worker in self.workers:
                while len(worker.tasks) < QUEUED_PER_WORKER and (again or not exhausted):
                    task = again.popleft() if again else next(tasks, None)
                    if task is None:
                        exhausted = True
                        break
                    worker.give(task)
            busy = [w for w in self.workers if w.task is not None]
            if not busy:
                return
            wait([w.conn for w in busy] + [w.process.sentinel for w in busy], POLL_SECONDS)
            for worker in busy:
                outcome = self._check(worker, again)
                if outcome is not None:
                    yield outcome

    def _check(self, worker: _Worker, again: deque[Task]) -> Outcome | None:
        task = worker.task
        assert task is not None
        try:
            if worker.conn.poll():
                outcome: Outcome = worker.conn.recv()
                worker.finished()
                self.losses = 0
                return outcome
        except (EOFError, OSError):
            pass  # the pipe broke: the worker is gone, handled below
        if worker.process.is_alive():
            limit = self.timeout * len(task.keys)
            if time.monotonic() - worker.started <= limit:
                return None
            again.extend(list(worker.tasks)[1:])  # queued behind it: not their fault
            self._replace(worker, kill=True)
            return lost_outcome(task, f"the rescue took longer than {limit:g} s; skipped")
        code = worker.process.exitcode
        self.losses += 1
        if self.losses > LOSSES_IN_A_ROW * len(self.workers):
            raise WorkersDying(
                f"worker processes keep dying before they finish a story (exit code {code}); "
                "a script calling bulk_rescue must do it under `if __name__ == '__main__':` "
                "(workers re-import it) and not be read from standard input"
            )
        again.extend(list(worker.tasks)[1:])
        self._replace(worker, kill=True)
        self.retried[task.gid] = self.retried.get(task.gid, 0) + 1
        if self.retried[task.gid] <= RETRIES:
            again.append(task)
            return None
        return lost_outcome(
            task, f"the rescue crashed its worker (exit code {code}); skipped", CRASHED
        )

    def _replace(self, worker: _Worker, kill: bool) -> None:
        worker.stop(kill=kill)
        fresh = _Worker(self.ctx, self.source)
        self.workers[self.workers.index(worker)] = fresh
