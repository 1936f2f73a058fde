"""The Dask engine: the same `run_task` over partitions of the plan, on a Dask cluster.

The client (this process) reads pending groups from the plan a partition at a time
(`PARTITION` groups, fewer for a small run so that every worker gets several) and keeps
at most two partitions per worker thread in flight. Each partition runs on a worker as
one task: it rescues its groups, writes its own Parquet part straight to the output (so
the output must be a location every worker can reach: a shared folder, ``s3://`` …) and
returns the part's name and groups, which the client commits to the plan. Dask reruns
a partition whose worker was lost, and retries one that raised (`RETRIES`).

A file that hangs is abandoned after the timeout and reported. Its thread cannot be
stopped from outside, so the partition names its worker and the client restarts that
worker through its nanny (``Client.restart_workers``), which ends the thread. A partition
that fails for good (Dask's ``KilledWorker``: a story that kills every worker it runs on
fails the partitions queued beside it too) has each of its stories run once more, alone;
a story that fails again is reported as crashed, and the run goes on.

With no scheduler address, a `LocalCluster` of ``jobs`` single-threaded worker
processes is started for the run. A cluster can lose every worker (a restart that timed
out on a loaded machine, workers stopped by hand); the client then waits no longer than
`NO_WORKERS_S` for one to come back (asking its own `LocalCluster` for new ones) and
ends the run with `ClusterLost`: what was committed stays done, and the same command
goes on from there.
"""

from __future__ import annotations

import contextlib
import importlib
import itertools
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from ficarchive.bulk.output import CRASHED, Output
from ficarchive.bulk.parts import part_name
from ficarchive.bulk.plan import Plan, Task
from ficarchive.bulk.sources import Source
from ficarchive.bulk.unit import Outcome, lost_outcome, run_task
from ficarchive.errors import FicarchiveError

# Groups per partition: enough to make a task worth scheduling (tens of seconds of
# rescue), few enough that a lost worker costs little and progress moves.
PARTITION = 200
# A small run is cut into at least this many partitions per worker thread, so the last
# partitions do not leave workers idle.
MIN_PARTITIONS_PER_THREAD = 4
# Partitions in flight per worker thread.
IN_FLIGHT_PER_THREAD = 2
# Times Dask reruns a partition whose worker died.
RETRIES = 2
# Times a worker left running a hung rescue is asked to restart.
RESTART_TRIES = 2
# How often the client looks at the cluster while partitions run (seconds).
POLL_S = 2.0
# How long the client waits for a worker when the cluster has none (seconds).
NO_WORKERS_S = 60.0


def rescue_partition(
    source: Source, out_location: str, name: str, tasks: list[Task], timeout: float
) -> tuple[str, list[str], str | None]:
    """On a worker: rescue `tasks`, write part `name`; return it, the groups it holds, and
    this worker's address if a hung rescue was abandoned here (the worker needs a restart).

    Dask runs a finished task again when the worker holding its result dies before the
    client has it; the part on disk says it was done, so that costs nothing (and a file
    that hung is not tried again)."""
    output = Output(out_location)
    if output.fs.exists(output.path("report", name)):  # the second half written: complete
        return name, [t.group for t in tasks], None
    works: list[dict[str, Any]] = []
    report: list[dict[str, str]] = []
    hung = False
    pool = ThreadPoolExecutor(1)
    try:
        for task in tasks:
            future = pool.submit(run_task, task, source)
            limit = timeout * len(task.keys)
            try:
                outcome: Outcome = future.result(timeout=limit)
            except FutureTimeout:
                outcome = lost_outcome(task, f"the rescue took longer than {limit:g} s; skipped")
                pool.shutdown(wait=False)
                pool = ThreadPoolExecutor(1)
                hung = True
            works.extend(outcome.works)
            report.extend(outcome.report)
    finally:
        pool.shutdown(wait=False)
    output.write_part(name, works, report)
    return name, [t.group for t in tasks], _this_worker() if hung else None


def _this_worker() -> str | None:
    try:
        address: str = importlib.import_module("distributed").get_worker().address
    except ValueError:  # not on a Dask worker (called directly)
        return None
    return address


class SchedulerUnreachable(FicarchiveError):
    """`--scheduler` names an address where no Dask scheduler answers."""


class ClusterLost(FicarchiveError):
    """The Dask cluster had no worker left for `NO_WORKERS_S`."""


def run_dask(
    plan: Plan,
    source: Source,
    output: Output,
    run: int,
    jobs: int | None,
    scheduler: str | None,
    timeout: float,
    tick: Callable[[int], None],
) -> None:
    dist: Any = importlib.import_module("distributed")  # untyped: used through Any
    from ficarchive.bulk.local import default_jobs

    cluster = None
    if scheduler is None:
        cluster = dist.LocalCluster(
            n_workers=jobs or default_jobs(),
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            # no dashboard, and its HTTP server (metrics) on any free port, not 8787
            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
        )
    try:
        client = dist.Client(scheduler or cluster)
    except (OSError, TimeoutError) as exc:  # no scheduler there: one line, not a traceback
        if cluster is not None:
            cluster.close()
        raise SchedulerUnreachable(
            f"{scheduler or 'the local Dask cluster'}: no Dask scheduler answers ({exc}); check "
            "the address (tcp://host:8786) and that the scheduler is running"
        ) from None
    try:
        partitions = _Partitions(client, plan, source, output, run, timeout)
        partitions.run(dist, tick, _Watch(client, cluster, jobs or default_jobs()))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


class _Partitions:
    """Submits partitions of the plan, keeps a few per worker thread in flight, commits
    each one as it completes."""

    def __init__(
        self, client: Any, plan: Plan, source: Source, output: Output, run: int, timeout: float
    ) -> None:
        self.client, self.plan, self.source, self.output = client, plan, source, output
        self.run_number, self.timeout = run, timeout
        self.threads = max(sum(client.nthreads().values()), 1)
        size = -(-plan.pending_count() // (self.threads * MIN_PARTITIONS_PER_THREAD))
        self.batches = _partitions(plan, max(1, min(PARTITION, size)))
        self.numbers = itertools.count(1)
        self.in_flight: dict[Any, tuple[str, list[Task]]] = {}
        # Stories of failed partitions, to run again one a partition: a worker's death
        # fails every partition it held, not only the one that killed it.
        self.second_chance: deque[Task] = deque()
        self.chanced: set[int] = set()

    def run(self, dist: Any, tick: Callable[[int], None], watch: _Watch) -> None:
        self._fill()
        while self.in_flight:
            try:
                done = dist.wait(
                    list(self.in_flight), timeout=POLL_S, return_when="FIRST_COMPLETED"
                )
            except TimeoutError:
                watch.check(len(self.in_flight))
                continue
            watch.seen()
            for future in done.done:
                self._complete(future, tick)
            self._fill()

    def _complete(self, future: Any, tick: Callable[[int], None]) -> None:
        name, batch = self.in_flight.pop(future)
        try:
            name, groups, hung = future.result()
        except Exception as exc:  # any failure of a partition is reported, the run goes on
            groups, hung = self._failed(name, batch, exc), None
        # Let go of the result: a result Dask still holds for us is recomputed when its
        # worker restarts, and a partition that hung would hang again elsewhere.
        future.release()
        self.plan.commit(name, groups)
        tick(len(groups))
        if hung is not None:
            _restart(self.client, hung)

    def _fill(self) -> None:
        while len(self.in_flight) < self.threads * IN_FLIGHT_PER_THREAD:
            if self.second_chance:
                batch = [self.second_chance.popleft()]
            elif (batch := next(self.batches, [])) == []:
                return
            name = part_name(self.run_number, 0, next(self.numbers))
            future = self.client.submit(
                rescue_partition, self.source, self.output.location, name, batch,
                self.timeout, retries=RETRIES, pure=False,
            )  # fmt: skip
            self.in_flight[future] = (name, batch)

    def _failed(self, name: str, tasks: list[Task], exc: Exception) -> list[str]:
        """A failed partition: stories on their first failure get a second chance, alone;
        the others are reported as crashed, in part `name`. Returns the groups reported."""
        again = [t for t in tasks if t.gid not in self.chanced]
        self.chanced.update(t.gid for t in again)
        self.second_chance.extend(again)
        lost = [t for t in tasks if t not in again]
        reason = f"its Dask partition failed ({type(exc).__name__}: {exc}); skipped"
        report = [row for task in lost for row in lost_outcome(task, reason, CRASHED).report]
        self.output.write_part(name, [], report)
        return [t.group for t in lost]


class _Watch:
    """Whether the cluster still has a worker to run the partitions in flight; a cluster of
    our own is asked for its workers back, any cluster is given up on after `NO_WORKERS_S`
    without one."""

    def __init__(self, client: Any, cluster: Any, workers: int) -> None:
        self.client, self.cluster, self.workers = client, cluster, workers
        self.since: float | None = None

    def seen(self) -> None:
        self.since = None

    def check(self, waiting: int) -> None:
        if self.client.nthreads():
            self.since = None
            return
        now = time.monotonic()
        if self.since is None:
            self.since = now
        if self.cluster is not None:
            with contextlib.suppress(Exception):
                self.cluster.scale(self.workers)
        if now - self.since >= NO_WORKERS_S:
            raise ClusterLost(
                f"the Dask cluster has had no worker for {NO_WORKERS_S:g} s, with {waiting} "
                "partitions waiting; start workers (or leave out --scheduler) and run the "
                "same command again: what is done stays done"
            )


def _restart(client: Any, address: str) -> None:
    """Restart the worker holding an abandoned thread (only a nanny can: without one, the
    thread runs on until it ends). A restart that timed out (a loaded machine) is asked
    for once more."""
    for _ in range(RESTART_TRIES):
        with contextlib.suppress(Exception):
            status = client.restart_workers([address], raise_for_error=False)
            if status.get(address) in ("OK", "removed"):
                return


def _partitions(plan: Plan, size: int) -> Any:
    tasks = plan.pending()
    while batch := list(itertools.islice(tasks, size)):
        yield batch
