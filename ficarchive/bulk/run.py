"""`bulk_rescue`: a whole source to a bulk output, on the local engine or on Dask.

The steps, each resumable:

1. **Plan** (once per output): list the source and group its files into stories
   (`plan.Plan.build`), kept in ``OUT/_bulk/plan.sqlite`` (for an fsspec output, in
   ``~/.cache/ficarchive/bulk/``). A tar source is first unpacked beside the plan.
2. **Tidy**: parts left by a run that died before committing them are deleted.
3. **Rescue** every group not yet done, on the chosen engine; each part written is
   committed with its groups, so a crash or Ctrl-C loses at most the unwritten part.
4. **Finish**: ``report.csv`` and ``_SUCCESS`` with the counts.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, replace
from itertools import islice
from pathlib import Path

from ficarchive.bulk.output import FAILED, Output, OutputUnwritable, report_row
from ficarchive.bulk.parts import Limits, PartWriter, Written, part_name
from ficarchive.bulk.plan import Plan, Task
from ficarchive.bulk.sources import FolderSource, Source, TarSource, open_source
from ficarchive.bulk.warcsource import WarcSource
from ficarchive.errors import FicarchiveError
from ficarchive.workers import TIMEOUT_PER_FILE

# Seconds a single file may take to rescue before it is reported and skipped: the same
# as for `ficarchive add` (see `ficarchive.workers.TIMEOUT_PER_FILE`).
DEFAULT_TIMEOUT = TIMEOUT_PER_FILE
# Report rows of the planning pass (story lists, site furniture, ...) written to a part.
PLANNING_ROWS = 50_000

Progress = Callable[[int, int], None]  # (groups just finished, total groups to do)


class OutputInUse(FicarchiveError):
    """The output holds a run of another source."""


@dataclass(frozen=True)
class Summary:
    source: str
    files: int
    works: int
    reported: int
    done_before: int
    seconds: float
    to_review: int = 0  # works with a field rescue is unsure of (OUT/review.csv)


def state_path(output: Output) -> Path:
    if output.is_local():
        return Path(output.root) / "_bulk" / "plan.sqlite"
    digest = hashlib.sha256(output.location.encode()).hexdigest()[:16]
    return Path.home() / ".cache" / "ficarchive" / "bulk" / digest / "plan.sqlite"


def prepare(source_location: str | Source, output: Output) -> tuple[Plan, Source]:
    """The plan of this output (built if new) and the source to read from."""
    source = open_source(source_location) if isinstance(source_location, str) else source_location
    source_location = source.location
    if output.is_local() and Path(output.root).exists() and not Path(output.root).is_dir():
        raise OutputUnwritable(
            f"{output.location}: is a file; --out must be a folder (made if need be) or a URL"
        )
    leave_out = _inside(source, output)
    try:
        plan = Plan(state_path(output))
    except OSError as exc:
        raise OutputUnwritable(
            f"{output.location}: cannot hold a bulk run ({exc.strerror or exc}); --out must "
            "be a folder this process can write to, or a URL"
        ) from None
    known = plan.get("source")
    if known is not None and known != source_location:
        plan.close()
        raise OutputInUse(
            f"{output.location} holds a bulk run of {known}; choose another --out for "
            f"{source_location}"
        )
    try:
        if isinstance(source, TarSource):
            source = _unpack(source, plan.path.parent / "unpacked", plan)
        if isinstance(source, WarcSource):  # its captures indexed once, beside the plan
            source = source.indexed(plan.path.parent / "warc")
    except BaseException:  # refused (a bomb) or broken: the plan's lock is let go
        plan.close()
        raise
    if not plan.planned:
        plan.put("source", source_location)
        plan.build(source, leave_out)
        for key, reason in json.loads(plan.get("unpack-problems") or "[]"):
            plan._note(key, reason, FAILED)  # what the tar archive could not unpack
        _write_planning_report(plan, output)
    tidy(plan, output)
    output.clear_marks()
    return plan, source


def _inside(source: Source, output: Output) -> str | None:
    """The output's folder as a key of the source, when the output lies inside it."""
    if not isinstance(source, FolderSource) or not output.is_local():
        return None
    try:
        inner = Path(output.root).resolve().relative_to(Path(source.location).resolve())
    except ValueError:
        return None
    if inner == Path("."):
        raise OutputUnwritable(
            f"{output.location}: is the source itself; give --out a folder of its own"
        )
    return inner.as_posix()


def _write_planning_report(plan: Plan, output: Output) -> None:
    """What the planning pass found not to rescue, as parts of `PLANNING_ROWS` rows (a
    mirror of a million images is not a list in memory)."""
    found = plan.planning_report()
    number = 0
    while True:
        rows = [report_row(k, why, kind, k) for k, why, kind in islice(found, PLANNING_ROWS)]
        if rows or number == 0:
            output.write_part(part_name(0, 0, number), [], rows)
            plan.commit(part_name(0, 0, number), [])
        if len(rows) < PLANNING_ROWS:
            return
        number += 1


def tidy(plan: Plan, output: Output) -> None:
    """Delete parts the plan does not list (written by a process that died before they
    were committed, or by a stray Dask task after an interrupted run) and temporaries."""
    committed = plan.committed_parts()
    for name in set(output.parts("works")) | set(output.parts("report")):
        if name not in committed:
            output.remove_part(name)
    output.remove_temporaries()


def _unpack(source: TarSource, folder: Path, plan: Plan) -> Source:
    """A tar archive unpacked beside the plan (streamed; members are regular files only,
    within the caps of `ficarchive.bulk.sources`); removed when the run finishes."""
    if plan.get("unpacked") != "1":
        shutil.rmtree(folder, ignore_errors=True)
        plan.put("unpack-problems", json.dumps(source.unpack(folder)))
        plan.put("unpacked", "1")
    folder.mkdir(parents=True, exist_ok=True)
    return FolderSource(str(folder))


def bulk_rescue(
    source_location: str | Source,
    out_location: str,
    *,
    jobs: int | None = None,
    engine: str = "local",
    scheduler: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    progress: Progress | None = None,
) -> Summary:
    """Rescue every story of a source into a bulk output; resumes an interrupted run.

    `source_location` is a location `open_source` understands, or a `Source`.
    """
    started = time.monotonic()
    output = Output(out_location)
    plan, source = prepare(source_location, output)
    try:
        total = plan.pending_count()
        done_before = int(plan.db.execute("SELECT count(*) FROM done").fetchone()[0])
        run = int(plan.get("runs") or 0) + 1
        plan.put("runs", str(run))
        tick = _ticker(progress, total)
        if engine == "dask" or scheduler is not None:
            from ficarchive.bulk.dask import run_dask

            run_dask(plan, source, output, run, jobs, scheduler, timeout, tick)
        else:
            _run_local(plan, source, output, run, jobs, timeout, tick)
        tidy(plan, output)
        summary = Summary(
            plan.get("source") or source.location,
            plan.file_count(),
            output.count_rows("works"),
            output.count_rows("report"),
            done_before,
            round(time.monotonic() - started, 3),
        )
        to_review = output.finish(asdict(summary))
        if plan.get("unpacked") == "1":  # a tar source: its unpacked copy is not kept
            shutil.rmtree(plan.path.parent / "unpacked", ignore_errors=True)
            plan.put("unpacked", "0")
        return replace(summary, to_review=to_review)
    finally:
        plan.close()


def _ticker(progress: Progress | None, total: int) -> Callable[[int], None]:
    def tick(n: int) -> None:
        if progress is not None:
            progress(n, total)

    tick(0)
    return tick


def _run_local(
    plan: Plan,
    source: Source,
    output: Output,
    run: int,
    jobs: int | None,
    timeout: float,
    tick: Callable[[int], None],
) -> None:
    from ficarchive.bulk.local import Pool, Setup, default_jobs

    def commit(written: Written | None) -> None:
        if written is not None:
            plan.commit(written.part, written.groups)

    setup = Setup(source, output.location, run, Limits.current())
    pool = Pool(setup, jobs or default_jobs(), timeout, commit, tick)
    lost = PartWriter(output, run, 0, setup.limits)  # the reports of lost stories
    try:
        for outcome in pool.run(_tasks(plan)):
            commit(lost.add(outcome))
            tick(1)
    finally:  # Ctrl-C or an error: the workers write what they hold, then stop
        pool.close()
        commit(lost.flush())


def _tasks(plan: Plan) -> Iterator[Task]:
    yield from plan.pending()
