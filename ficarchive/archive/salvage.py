"""``ficarchive check ARCHIVE --salvage NEW``: every work that can still be read, copied
into a new archive with its id, its dates, its original file, the Work as rescued and
as edited, and its history; what could not be read is reported, work by work.

The old archive is only read (see `integrity.open_rows`: a damaged SQLite file is opened
read-only). The new one is made fresh and filled by `ArchiveBase.restore`, which indexes
every work for search again, so nothing of the old search index or tag counts is
trusted. Near-duplicate links between copied works are copied too, and so is tag
wrangling (people's decisions, parents and the log of changes), before the works, so
they are indexed as they were wrangled.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ficarchive.archive.integrity import (
    CheckReport,
    Rows,
    Unreadable,
    WorkRow,
    open_rows,
    original_matches,
    read_original,
    readable_works,
)
from ficarchive.archive.model import Edit
from ficarchive.errors import ArchiveError, DamagedWork


class SalvageRefused(ArchiveError):
    """The new archive's place is taken: salvage only ever fills a new, empty one."""


@dataclass(frozen=True)
class Salvaged:
    """One work as it is put back: what `ArchiveBase.restore` writes."""

    id: int
    work: Any  # Work, as edited
    rescued: Any  # Work, as rescued (the edited one when that copy was lost)
    added_at: str
    updated_at: str
    source_key: str | None
    original: tuple[str, str, int, bytes, str] | None  # sha256, name, size, data, added_at
    edits: tuple[Edit, ...] = ()


@dataclass
class SalvageReport:
    location: str
    new_location: str
    found: int = 0  # works the old archive lists
    copied: int = 0
    originals: int = 0
    edits: int = 0
    lost: list[str] = field(default_factory=list)  # what could not be copied, one a line


def salvage(
    location: str, new_location: str, progress: Callable[[int], None] | None = None
) -> SalvageReport:
    """Copy every readable work of the archive at `location` into a new archive at
    `new_location` (a path that does not exist yet, or an empty PostgreSQL database)."""
    from ficarchive.archive import Archive

    if not new_location.startswith(("postgresql://", "postgres://")):
        if Path(new_location).exists():
            raise SalvageRefused(
                f"{new_location} already exists; salvage makes a new archive: give a new path"
            )
        if Path(new_location).resolve() == Path(location).resolve():
            raise SalvageRefused("the new archive cannot be the old one; give a new path")
    rows = open_rows(location)
    try:
        target = Archive.open(new_location)
        try:
            if target.count():
                raise SalvageRefused(
                    f"{target.location} already holds works; salvage fills only a new, "
                    "empty archive"
                )
            return _copy(rows, target, progress)
        finally:
            target.close()
    finally:
        rows.close()


def _copy(rows: Rows, target: Any, progress: Callable[[int], None] | None) -> SalvageReport:
    checked = CheckReport(getattr(getattr(rows, "archive", None), "location", ""))
    report = SalvageReport(checked.location, target.location)
    copied: list[int] = []
    _copy_wrangling(rows, target, report)
    batch = getattr(target, "batch", None)
    with batch() if batch is not None else nullcontext():
        for row in readable_works(rows, checked):
            target.restore(_salvaged(rows, row, report))
            copied.append(row.id)
            report.copied += 1
            if progress is not None:
                progress(1)
    target.restored()
    report.found = checked.works
    report.lost = [p.message for p in checked.problems if p.part == "work"] + report.lost
    _copy_links(rows, target, set(copied), report)
    return report


def _salvaged(rows: Rows, row: WorkRow, report: SalvageReport) -> Salvaged:
    original = None
    if row.sha256:
        try:
            found = read_original(rows, row.sha256)
        except DamagedWork as exc:
            found = None
            report.lost.append(f"work {row.id}: its original file, which cannot be read ({exc})")
        if found is not None:
            name, size, data, added = found
            if not original_matches(row.sha256, data):
                report.lost.append(
                    f"work {row.id}: its original's bytes do not match their hash; copied as "
                    "they are"
                )
            original = (row.sha256, name, size, data, added)
            report.originals += 1
    if row.rescued is None:
        report.lost.append(f"work {row.id}: its copy as rescued (damaged); the edited one is kept")
    edits = _edits(rows, row.id, report)
    return Salvaged(
        row.id,
        row.work,
        row.rescued or row.work,
        row.added_at,
        row.updated_at,
        row.source_key,
        original,
        edits,
    )


def _edits(rows: Rows, work_id: int, report: SalvageReport) -> tuple[Edit, ...]:
    try:
        found = rows.all(
            rows.sql(
                "SELECT at, field, before, after, note FROM edits WHERE work_id = {p} ORDER BY id"
            ),
            (work_id,),
        )
    except Unreadable as exc:
        report.lost.append(f"work {work_id}: its history of edits ({exc})")
        return ()
    edits: list[Edit] = []
    for at, name, before, after, note in found:
        try:
            edits.append(Edit(str(at), str(name), json.loads(before), json.loads(after), note))
        except (TypeError, ValueError, RecursionError):
            report.lost.append(f"work {work_id}: one edit of {name!r}, which cannot be read")
    report.edits += len(edits)
    return tuple(edits)


def _copy_links(rows: Rows, target: Any, copied: set[int], report: SalvageReport) -> None:
    try:
        links = rows.all("SELECT work_id, other_id, kind, distance FROM links")
    except Unreadable as exc:
        report.lost.append(f"the near-duplicate links ({exc}); `ficarchive add` finds new ones")
        return
    target.restore_links([link for link in links if link[0] in copied and link[1] in copied])


# What wrangling keeps, read from an archive of schema 4 or later (an older one has none).
_WRANGLING = {
    "decisions": "SELECT r.kind, r.name, r.fandom, d.targets, d.at FROM tag_decisions d "
    "JOIN raw_tags r ON r.id = d.raw_id ORDER BY d.raw_id",
    "parents": "SELECT kind, name, parent_kind, parent_name FROM tag_parents",
    "changes": "SELECT at, action, kind, name, fandom, before, after, note, undone "
    "FROM tag_changes ORDER BY id",
}


def _copy_wrangling(rows: Rows, target: Any, report: SalvageReport) -> None:
    found: dict[str, list[tuple[Any, ...]]] = {}
    for part, sql in _WRANGLING.items():
        try:
            found[part] = rows.all(sql)
        except Unreadable as exc:
            if "no such table" not in str(exc) and "does not exist" not in str(exc):
                report.lost.append(f"the tag wrangling's {part} ({exc})")
            found[part] = []
    target.restore_wrangling(found["decisions"], found["parents"], found["changes"])
