"""Supervised worker processes: tasks in, messages out, a time limit on each task, a lost
worker replaced. ``bulk rescue`` (`ficarchive.bulk.local`) and ``add``
(`ficarchive.archive.adding`) both run their rescues here.

The parent gives each worker at most `QUEUED_PER_WORKER` tasks at a time over a pipe, so
a worker never waits on it, and waits on the workers' pipes and process sentinels
together, which is how it knows exactly what each worker is doing:

- a task running longer than its time limit: the worker is killed, the task is given to
  `Supervisor.lost` (``timeout``) and a fresh worker takes its place;
- a worker that dies (killed, out of memory, a crash in C code): its task is retried on
  a fresh worker, up to `RETRIES` times, then given to `lost` (``crashed``);
- workers dying one after another before anything finishes: `WorkersDying`.

Either way the tasks the lost worker had been given but not started, and those it had
finished but still held (`Worker.held`), are handed out again. At the end (or on Ctrl-C,
or any error) each worker is told to stop (sent ``None``) and given `STOP_SECONDS` to
say what it holds and exit; then it is killed.

Workers start from a ``forkserver`` with the named modules already imported (no fork of
a threaded parent; a restart costs milliseconds) and ignore Ctrl-C: the parent stops
them. They never outlive the parent: the forkserver exits when the program that started
it does, and each worker asks the kernel to kill it when the forkserver goes
(``PR_SET_PDEATHSIG``), so a ``kill -9`` of the program leaves no worker running, even
one stuck in a rescue that would never return.

A subclass says what a message means (`receive`) and what a lost task becomes (`lost`).
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing as mp
import os
import signal
import sys
import time
from collections import deque
from collections.abc import Callable, Hashable, Iterator, Sequence
from multiprocessing.connection import Connection, wait
from typing import Any, Generic, Literal, TypeVar

from ficarchive.errors import FicarchiveError

# Seconds one file may take to rescue before it is reported and skipped (the slowest real
# stories take well under a second; a 32 MB file some tens of seconds).
TIMEOUT_PER_FILE = 120.0
# Times a task is retried after its worker was lost, before it is reported as crashed.
RETRIES = 1
# Tasks queued in each worker's pipe: the next one is there as soon as it finishes one.
QUEUED_PER_WORKER = 2
# Workers lost in a row, with no task finished between, after which the run stops:
# they are dying as they start (per worker: this many times the number of workers).
LOSSES_IN_A_ROW = 5
# Longest wait on the workers before time limits are checked again, in seconds.
POLL_SECONDS = 0.5
# Seconds workers are given to say what they hold when the run stops.
STOP_SECONDS = 30.0
# prctl(2): ask for a signal when the parent process exits.
_PR_SET_PDEATHSIG = 1

T = TypeVar("T")  # a task
R = TypeVar("R")  # what the run yields

Lost = Literal["timeout", "crashed"]
Target = Callable[[Connection, Any, int], None]


class WorkersDying(FicarchiveError):
    """The worker processes die as they start: the run cannot go on."""


def default_jobs() -> int:
    """Every core this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _die_with_parent() -> None:
    """Ask Linux to kill this process when its parent exits (elsewhere: nothing to do)."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() == 1:  # the parent went before the request was made
            os._exit(1)


def _let_the_forkserver_go() -> None:
    """Close this worker's copy of the forkserver's "program alive" pipe: the forkserver
    exits when every copy is closed, and with the workers holding none, that is when the
    program that started it exits (killed or not), which then takes the workers along."""
    from multiprocessing import forkserver

    server = getattr(forkserver, "_forkserver", None)
    fd = getattr(server, "_forkserver_alive_fd", None)
    if isinstance(fd, int):
        with contextlib.suppress(OSError):
            os.close(fd)
        server._forkserver_alive_fd = None  # type: ignore[union-attr]


def _bootstrap(target: Target, conn: Connection, setup: Any, serial: int) -> None:
    """Every worker's start: die with the parent, leave Ctrl-C to it, then run `target`."""
    _die_with_parent()
    _let_the_forkserver_go()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    target(conn, setup, serial)


class Worker(Generic[T]):
    """One worker process, its pipe, and the tasks it was given."""

    def __init__(self, ctx: Any, target: Target, setup: Any, serial: int) -> None:
        self.serial = serial
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(
            target=_bootstrap, args=(target, child, setup, serial), daemon=True
        )
        self.process.start()
        child.close()
        self.tasks: deque[T] = deque()  # sent, not finished; the first is running
        self.held: list[T] = []  # finished, but what they gave is still in the worker
        self.started = 0.0  # when the first of `tasks` started
        self.stopping = False  # told to stop: takes no more tasks
        self.closed = False  # stopped, all it held said

    def give(self, task: T) -> None:
        if not self.tasks:
            self.started = time.monotonic()
        self.tasks.append(task)
        with contextlib.suppress(OSError):  # gone: `Supervisor._check` hands its tasks on
            self.conn.send(task)

    def stop(self) -> None:
        """Ask it to say what it holds and exit (after the tasks in its pipe)."""
        self.stopping = True
        with contextlib.suppress(OSError):
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


class Supervisor(Generic[T, R]):
    """``jobs`` supervised workers running `target(conn, setup, serial)`, which reads
    tasks from `conn` (``None``: stop) and sends messages back; `receive` takes each
    message, `lost` each task given up on. `time_limit(task)` is its time in seconds,
    `key(task)` what tells it from the others (for counting its retries)."""

    def __init__(
        self,
        target: Target,
        setup: Any,
        jobs: int,
        time_limit: Callable[[T], float],
        key: Callable[[T], Hashable],
        preload: Sequence[str] = (),
    ) -> None:
        self.ctx = mp.get_context("forkserver")
        self.ctx.set_forkserver_preload(list(preload))
        self.target, self.setup, self.time_limit, self.key = target, setup, time_limit, key
        self.serials = iter(range(1, 1_000_000))
        self.workers: list[Worker[T]] = [self._start() for _ in range(max(jobs, 1))]
        self.again: deque[T] = deque()  # to hand out before the next new task
        self.retried: dict[Hashable, int] = {}
        self.losses = 0  # workers lost since the last task finished
        self.closing = False

    # -- what a subclass says -----------------------------------------------------------
    def receive(self, worker: Worker[T], message: Any) -> R | None:  # pragma: no cover
        """Take one message from `worker`; what to yield, if anything. A message that
        finishes its first task calls `finished`; a last one calls ``worker.end()``."""
        raise NotImplementedError

    def lost(self, task: T, kind: Lost, reason: str) -> R:  # pragma: no cover
        """What a task given up on (timed out, or its worker kept crashing) becomes."""
        raise NotImplementedError

    def waiting(self) -> None:
        """Called when no worker has anything to say, before waiting on them (``add``
        commits what it has added then, so other writers are not kept waiting)."""

    def losing(self, worker: Worker[T]) -> None:
        """Called as `worker` is killed or found dead, before its tasks are handed out
        again (bulk uses it to delete a part the worker wrote but never reported)."""

    # -- running ------------------------------------------------------------------------
    def _start(self) -> Worker[T]:
        return Worker(self.ctx, self.target, self.setup, next(self.serials))

    def finished(self, worker: Worker[T]) -> T:
        """The first task of `worker` is done: take it off and start its next one's clock."""
        task = worker.tasks.popleft()
        worker.started = time.monotonic()
        self.losses = 0
        return task

    def run(self, tasks: Iterator[T]) -> Iterator[R]:
        """Hand out every task; yields what `receive` and `lost` give. Returns when every
        worker has said all it held."""
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

    def _wait(self, live: list[Worker[T]]) -> Iterator[R]:
        ready = [w.conn for w in live] + [w.process.sentinel for w in live]
        if not wait(ready, 0):
            self.waiting()
            wait(ready, POLL_SECONDS)
        for worker in live:
            yield from self._check(worker)

    def _check(self, worker: Worker[T]) -> Iterator[R]:
        try:
            while worker.conn.poll():
                out = self.receive(worker, worker.conn.recv())
                if out is not None:
                    yield out
                if worker.closed:
                    return
        except (EOFError, OSError):
            pass  # the pipe broke: the worker is gone, handled below
        if worker.process.is_alive():
            task = worker.tasks[0] if worker.tasks else None
            if task is None:
                return
            limit = self.time_limit(task)
            if time.monotonic() - worker.started > limit:
                self._lose(worker, skip=1)
                yield self.lost(task, "timeout", f"the rescue took longer than {limit:g} s")
            return
        found = self._died(worker)
        if found is not None:
            yield found

    def _died(self, worker: Worker[T]) -> R | None:
        if worker.stopping and not worker.tasks and not worker.held:
            worker.end()  # it had nothing left to say
            return None
        code = worker.process.exitcode
        self.losses += 1
        if self.losses > LOSSES_IN_A_ROW * len(self.workers):
            raise WorkersDying(
                f"worker processes keep dying before they finish a story (exit code {code}); "
                "a script that starts them (bulk_rescue, add_files) must do it under "
                "`if __name__ == '__main__':` (workers re-import it) and not be read from "
                "standard input"
            )
        task = worker.tasks[0] if worker.tasks else None
        self._lose(worker, skip=1 if task is not None else 0)
        if task is None:
            return None
        key = self.key(task)
        self.retried[key] = self.retried.get(key, 0) + 1
        if self.retried[key] <= RETRIES:
            self.again.append(task)
            return None
        return self.lost(task, "crashed", f"the rescue crashed its worker (exit code {code})")

    def _lose(self, worker: Worker[T], skip: int) -> None:
        """Kill `worker` and put a fresh one in its place; hand out again what it held
        and all but the first `skip` of its tasks (the one it was running)."""
        worker.kill()
        self.losing(worker)
        self.again.extend(worker.held)
        self.again.extend(list(worker.tasks)[skip:])
        self.workers[self.workers.index(worker)] = self._start()

    def close(self, seconds: float = STOP_SECONDS) -> None:
        """Stop every worker, letting each say what it holds (within `seconds`; workers
        that hold nothing can be given none)."""
        self.closing = True
        for worker in self.workers:
            if not worker.closed and not worker.stopping:
                worker.stop()
        deadline = time.monotonic() + seconds
        while (live := [w for w in self.workers if not w.closed]) and time.monotonic() < deadline:
            wait([w.conn for w in live] + [w.process.sentinel for w in live], POLL_SECONDS)
            for worker in live:
                with contextlib.suppress(EOFError, OSError, FicarchiveError):
                    while not worker.closed and worker.conn.poll():
                        self.receive(worker, worker.conn.recv())
                if not worker.closed and not worker.process.is_alive():
                    worker.end()
        for worker in self.workers:
            if not worker.closed:
                worker.kill()
                worker.closed = True
