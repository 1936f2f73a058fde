"""The Dask engine: the same `run_task` over partitions of the plan, on a Dask cluster.

The client (this process) reads pending groups from the plan a partition at a time
(`PARTITION` groups, fewer for a small run so that every worker gets several) and keeps
at most two partitions per worker thread in flight. Each partition runs on a worker as
one task: it rescues its groups, writes its own Parquet part straight to the output (so
the output must be a location every worker can reach: a shared folder, ``s3://`` …) and
returns the part's name and groups, which the client commits to the plan. Dask retries
a partition whose worker was lost (``retries``).

A file that hangs is abandoned after the timeout and reported; its thread cannot be
killed, so it runs on until it ends (Dask's nanny restarts a worker that runs out of
memory).

With no scheduler address, a `LocalCluster` of ``jobs`` single-threaded worker
processes is started for the run.
"""

from __future__ import annotations

import importlib
import itertools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from ficarchive.bulk.output import Output
from ficarchive.bulk.plan import Plan, Task
from ficarchive.bulk.sources import Source
from ficarchive.bulk.unit import Outcome, lost_outcome, run_task

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


def rescue_partition(
    source: Source, out_location: str, name: str, tasks: list[Task], timeout: float
) -> tuple[str, list[str]]:
    """On a worker: rescue `tasks`, write part `name`, return it with the groups it holds."""
    works: list[dict[str, Any]] = []
    report: list[dict[str, str]] = []
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
            if outcome.work is not None:
                works.append(outcome.work)
            report.extend(outcome.report)
    finally:
        pool.shutdown(wait=False)
    Output(out_location).write_part(name, works, report)
    return name, [t.group for t in tasks]


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
    client = dist.Client(scheduler or cluster)
    try:
        threads = max(sum(client.nthreads().values()), 1)
        size = -(-plan.pending_count() // (threads * MIN_PARTITIONS_PER_THREAD))
        batches = _partitions(plan, max(1, min(PARTITION, size)))
        numbers = itertools.count(1)

        def submit() -> Any:
            batch = next(batches, None)
            if batch is None:
                return None
            name = f"part-{run:03d}-{next(numbers):06d}.parquet"
            return client.submit(
                rescue_partition,
                source,
                output.location,
                name,
                batch,
                timeout,
                retries=RETRIES,
                pure=False,
            )

        first = [f for f in (submit() for _ in range(threads * IN_FLIGHT_PER_THREAD)) if f]
        running = dist.as_completed(first)
        for future in running:
            name, groups = future.result()
            plan.commit(name, groups)
            tick(len(groups))
            more = submit()
            if more is not None:
                running.add(more)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _partitions(plan: Plan, size: int) -> Any:
    tasks = plan.pending()
    while batch := list(itertools.islice(tasks, size)):
        yield batch
