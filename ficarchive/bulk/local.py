"""The local engine: every core, one worker process each, supervised.

The parent hands tasks (`Task`: a story's files) to each worker, at most
`QUEUED_PER_WORKER` at a time, so the rest of the plan stays on disk. A worker rescues
them and writes its own Parquet parts (`parts.PartWriter`): the Works and their original
bytes never pass through the parent, whose memory stays small and flat. After each task
the worker sends a `Done` (and the part, when it wrote one); the parent commits each part
to the plan and waits on the workers' pipes and process sentinels together, which is how
it knows exactly what each worker was doing:

- a task running longer than ``timeout`` seconds per file: the worker is killed, the
  task's files are reported (``timeout``) and a fresh worker takes its place;
- a worker that dies (killed, out of memory, a crash in C code): its task is retried on
  a fresh worker, up to `RETRIES` times, then reported (``crashed``).

Either way the stories the lost worker had finished but not yet written are handed out
again, and a part it wrote but could not report is deleted. At the end (or on Ctrl-C, or
any error) each worker is told to stop: it writes what it holds, reports the part, exits.

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
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any

from ficarchive.bulk.output import CRASHED, Output, OutputUnwritable
from ficarchive.bulk.parts import Limits, PartWriter, Written, part_name
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
# Seconds workers are given to write what they hold when the run stops early.
STOP_SECONDS = 30.0


class WorkersDying(FicarchiveError):
    """The worker processes die as they start: the run cannot go on."""


def default_jobs() -> int:
    """Every core this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


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
    signal.signal(signal.SIGINT, signal.SIG_IGN)
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


class _Worker:
    def __init__(self, ctx: Any, setup: Setup, serial: int) -> None:
        self.serial = serial
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_work, args=(child, setup, serial), daemon=True)
        self.process.start()
        child.close()
        self.tasks: deque[Task] = deque()  # sent, not finished; the first is running
        self.unwritten: list[Task] = []  # finished, held by the worker, in no part yet
        self.started = 0.0  # when the first of `tasks` started
        self.parts = 0  # parts it has written and reported
        self.stopping = False  # told to stop: takes no more tasks
        self.closed = False  # stopped, all it held written

    def give(self, task: Task) -> None:
        if not self.tasks:
            self.started = time.monotonic()
        self.tasks.append(task)
        with contextlib.suppress(OSError):  # gone: `Pool._check` hands its tasks on
            self.conn.send(task)

    def stop(self) -> None:
        """Ask it to write what it holds and exit (after the tasks in its pipe)."""
        self.stopping = True
        with contextlib.suppress(OSError):  # gone: `Pool._check` hands its stories on
            self.conn.send(None)

    def kill(self) -> None:
        self.process.kill()
        self.process.join()
        self.conn.close()

    def end(self) -> None:
        self.closed = True
        self.process.join(5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


class Pool:
    """``jobs`` supervised worker processes rescuing `Task`s from one source.

    `commit` is called with every part a worker writes, `tick` with the change in the
    number of stories finished (negative when a lost worker's stories must be redone).
    """

    def __init__(
        self,
        setup: Setup,
        jobs: int,
        timeout: float,
        commit: Callable[[Written], None],
        tick: Callable[[int], None],
    ) -> None:
        self.ctx = mp.get_context("forkserver")
        self.ctx.set_forkserver_preload(["ficarchive.bulk.unit", "ficarchive.bulk.parts"])
        self.setup, self.timeout, self.commit, self.tick = setup, timeout, commit, tick
        self.output = Output(setup.out)
        self.serials = iter(range(1, 10_000))  # writer 0 is the parent's (lost stories)
        self.workers = [self._start() for _ in range(max(jobs, 1))]
        self.again: deque[Task] = deque()  # to hand out before the plan's next
        self.retried: dict[int, int] = {}
        self.losses = 0  # workers lost since the last story finished

    def _start(self) -> _Worker:
        return _Worker(self.ctx, self.setup, next(self.serials))

    def run(self, tasks: Iterator[Task]) -> Iterator[Outcome]:
        """Hand out every task; yields the outcomes of the tasks that were lost (timed out
        or crashed), whose reports the caller writes. Returns when every worker has
        written all it held."""
        exhausted = False
        while True:
            for worker in self.workers:
                while (
                    not worker.stopping
                    and len(worker.tasks) < QUEUED_PER_WORKER
                    and (self.again or not exhausted)
                ):
                    task = self.again.popleft() if self.again else next(tasks, None)
                    if task is None:
                        exhausted = True
                        break
                    worker.give(task)
                if exhausted and not self.again and not worker.tasks and not worker.stopping:
                    worker.stop()
            live = [w for w in self.workers if not w.closed]
            if not live:
                return
            yield from self._wait(live)

    def _wait(self, live: list[_Worker]) -> Iterator[Outcome]:
        wait([w.conn for w in live] + [w.process.sentinel for w in live], POLL_SECONDS)
        for worker in live:
            outcome = self._check(worker)
            if outcome is not None:
                yield outcome

    def _check(self, worker: _Worker) -> Outcome | None:
        try:
            while worker.conn.poll():
                self._done(worker, worker.conn.recv())
                if worker.closed:
                    return None
        except (EOFError, OSError):
            pass  # the pipe broke: the worker is gone, handled below
        if worker.process.is_alive():
            task = worker.tasks[0] if worker.tasks else None
            if task is None or time.monotonic() - worker.started <= self.timeout * len(task.keys):
                return None
            limit = self.timeout * len(task.keys)
            self._lose(worker, skip=1)
            return lost_outcome(task, f"the rescue took longer than {limit:g} s; skipped")
        return self._died(worker)

    def _done(self, worker: _Worker, done: Done, count: bool = True) -> None:
        """Take in one message: the part is committed before anything else can fail."""
        if done.error is not None:
            worker.end()
            raise OutputUnwritable(done.error)
        if done.gid >= 0:
            worker.unwritten.append(worker.tasks.popleft())
            worker.started = time.monotonic()
            self.losses = 0
        if done.written is not None:
            self.commit(done.written)
            worker.parts += 1
            worker.unwritten.clear()
        if done.gid < 0:
            worker.end()
        elif count:
            self.tick(1)

    def _died(self, worker: _Worker) -> Outcome | None:
        code = worker.process.exitcode
        self.losses += 1
        if self.losses > LOSSES_IN_A_ROW * len(self.workers):
            raise WorkersDying(
                f"worker processes keep dying before they finish a story (exit code {code}); "
                "a script calling bulk_rescue must do it under `if __name__ == '__main__':` "
                "(workers re-import it) and not be read from standard input"
            )
        task = worker.tasks[0] if worker.tasks else None
        self._lose(worker, skip=1 if task else 0)
        if task is None:
            return None
        self.retried[task.gid] = self.retried.get(task.gid, 0) + 1
        if self.retried[task.gid] <= RETRIES:
            self.again.append(task)
            return None
        return lost_outcome(
            task, f"the rescue crashed its worker (exit code {code}); skipped", CRASHED
        )

    def _lose(self, worker: _Worker, skip: int) -> None:
        """Kill `worker` and put a fresh one in its place; hand out again what it held
        (all but the first `skip` of its tasks: the one it was running)."""
        worker.kill()
        orphan = part_name(self.setup.run, worker.serial, worker.parts + 1)
        self.output.remove_part(orphan)  # written, but never reported: its stories are redone
        self.again.extend(worker.unwritten)
        self.again.extend(list(worker.tasks)[skip:])
        self.tick(-len(worker.unwritten))
        self.workers[self.workers.index(worker)] = self._start()

    def close(self) -> None:
        """Stop every worker, letting each write what it holds (within `STOP_SECONDS`)."""
        for worker in self.workers:
            if not worker.closed and not worker.stopping:
                worker.stop()
        deadline = time.monotonic() + STOP_SECONDS
        while (live := [w for w in self.workers if not w.closed]) and time.monotonic() < deadline:
            wait([w.conn for w in live] + [w.process.sentinel for w in live], POLL_SECONDS)
            for worker in live:
                with contextlib.suppress(EOFError, OSError, OutputUnwritable):
                    while not worker.closed and worker.conn.poll():
                        self._done(worker, worker.conn.recv(), count=False)
                if not worker.closed and not worker.process.is_alive():
                    worker.end()
        for worker in self.workers:
            if not worker.closed:
                worker.kill()
                worker.closed = True
