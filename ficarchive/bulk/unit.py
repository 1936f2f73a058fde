"""One unit of work, run where the files are read: a `Task` (a story's files) to an `Outcome`.

This is the only code both engines run on their workers, which is why their outputs are
the same: rescue each file of the group with `ficarchive.rescue`, join the parts into one
Work, lay a site database's record (eFiction) or the site's own page for the story over
it, fill a missing title or author from a listing, and make the Parquet row. Files in
sequence by name alone are joined only where their Works agree (`sequences.split_runs`),
so such a group may give several Works. A file the rescue refuses is a report row; the
rest of its story is still joined, with the refused part named as missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from ficarchive.bulk.efiction import apply_record, title_chapters
from ficarchive.bulk.joining import apply_hints, apply_site, join_works
from ficarchive.bulk.output import CRASHED, FAILED, MISSING, TIMEOUT, report_row, work_row
from ficarchive.bulk.plan import Task
from ficarchive.bulk.sequences import GROUP_PREFIX as SEQUENCE
from ficarchive.bulk.sequences import split_runs, story_title
from ficarchive.bulk.sources import Source
from ficarchive.errors import FicarchiveError
from ficarchive.work import Work


@dataclass
class Outcome:
    """What one task gave: its Work rows (one a story; a candidate group of files in
    sequence by name may give several) and report rows."""

    group: str
    works: list[dict[str, Any]] = field(default_factory=list)
    report: list[dict[str, str]] = field(default_factory=list)


# The original bytes a file gives its Work: (name, bytes), the file's own first, then
# (from a web archive) every other capture of it.
Originals = dict[str, list[tuple[str, bytes]]]


def _rescue_parts(
    task: Task, source: Source, outcome: Outcome
) -> tuple[list[tuple[str, Work]], Originals, list[str]]:
    """Each file of `task` rescued; a file that fails is a report row and is lost."""
    parts: list[tuple[str, Work]] = []
    originals: Originals = {}
    lost: list[str] = []
    for i, key in enumerate(task.keys):
        try:
            held = task.data[i] if task.data is not None else None
            data = held if held is not None else source.read(key)
            parts.append((key, source.rescue(key, data)))
            originals[key] = [(key, data), *source.other_captures(key)]
        except FicarchiveError as exc:
            outcome.report.append(report_row(key, _named(str(exc), key), FAILED, task.group))
            lost.append(key)
        except OSError as exc:
            reason = f"{key}: cannot be read ({exc.strerror or exc})"
            outcome.report.append(report_row(key, reason, FAILED, task.group))
            lost.append(key)
        except Exception as exc:  # a bug in rescue: reported and skipped, the run goes on
            reason = f"{key}: the rescue failed ({type(exc).__name__}: {exc})"
            outcome.report.append(report_row(key, reason, CRASHED, task.group))
            lost.append(key)
    return parts, originals, lost


def run_task(task: Task, source: Source) -> Outcome:
    """Rescue and join the files of `task`; never raises for a bad input file."""
    outcome = Outcome(task.group)
    parts, originals, lost = _rescue_parts(task, source, outcome)
    if not parts:
        return outcome
    if task.group.startswith(SEQUENCE):  # by name alone: joined where the Works agree
        for n, run in enumerate(split_runs(parts)):
            first = task if n == 0 else replace(task, title=None, authors=())
            outcome.works.append(_story(first, run, (), originals))
        return outcome
    missing = (*task.missing, *(f"{k} (could not be rescued)" for k in lost if len(task.keys) > 1))
    for m in missing:
        outcome.report.append(report_row(parts[0][0], m, MISSING, task.group))
    outcome.works.append(_story(task, parts, missing, originals))
    return outcome


def _story(
    task: Task, parts: list[tuple[str, Work]], missing: tuple[str, ...], originals: Originals
) -> dict[str, Any]:
    """The Work row of one story: its parts joined, the site's word laid over them."""
    if task.record is not None:
        parts = title_chapters(parts, task.record["chapters"])
    if task.chapter_titles:  # the site's page of the story names each chapter
        named = dict(zip(task.keys, task.chapter_titles, strict=True))
        parts = title_chapters(parts, {k: {"title": named.get(k)} for k, _ in parts})
    work = join_works(parts, missing)
    if len(parts) > 1 and task.group.startswith(SEQUENCE):
        work = story_title(work)
    if task.record is not None:
        work = apply_record(work, task.record)
    if task.site_story and task.hinted_by:
        work = apply_site(work, task.title, task.authors, task.hinted_by)
    else:
        work = apply_hints(work, task.title, task.authors, task.hinted_by)
    kept = [pair for k, _ in parts for pair in originals[k]]
    names = tuple(name for name, _ in kept)
    return work_row(work, task.group, names, missing, tuple(data for _, data in kept))


def _named(message: str, key: str) -> str:
    """Errors name the file by its base name; the report names it by its key."""
    base = key.rsplit("/", 1)[-1] + ": "
    return key + ": " + message[len(base) :] if message.startswith(base) else message


def lost_outcome(task: Task, reason: str, kind: str = TIMEOUT) -> Outcome:
    """A task whose worker hung or died: every file of it is reported."""
    return Outcome(
        task.group, [], [report_row(k, f"{k}: {reason}", kind, task.group) for k in task.keys]
    )
