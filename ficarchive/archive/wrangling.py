"""Wrangling in the archive: raw tags by use, people's decisions, and works kept in step.

A decision maps one raw tag (kind, name as written, fandom) to canonical tags. It applies
to every work that has the raw tag, at once (their tag lists and search rows are made
again) and on every later add. Every change — merge as synonym, make canonical, rename,
set parent — is a row of ``tag_changes`` with what it replaced, and `undo_tag_change`
puts that back. The same code runs on both backends: it uses only `_run`, `_sql` and the
backend's `_write` (one transaction, refused on a read-only or damaged archive).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from ficarchive.archive.records import now, report_damaged
from ficarchive.archive.tags import synonym_rows, tag_key, tag_rows, targets_json, targets_of
from ficarchive.archive.validate import read_work
from ficarchive.errors import ArchiveError, DamagedWork
from ficarchive.tags.wrangle import (
    KIND_OF_LIST,
    KINDS,
    Evidence,
    Resolution,
    Target,
    apply,
    marker,
    raw_tags_of,
    text_evidence,
    wrangle_tags,
)
from ficarchive.work import RawTag, Work

ACTIONS = ("merge", "canonical", "rename", "parent")


@dataclass(frozen=True)
class RawTagUse:
    """One raw tag, how many works carry it, and what it is wrangled to."""

    id: int
    kind: str
    name: str
    fandom: str
    works: int
    resolved: bool
    targets: tuple[Target, ...]
    decided: bool


@dataclass(frozen=True)
class TagChange:
    id: int
    at: str
    action: str
    kind: str
    name: str
    fandom: str
    before: Any
    after: Any
    note: str | None
    undone: bool


class Wrangling:
    """Mixed into the archive backends (which give `_run`, `_sql`, `_write`)."""

    _run: Callable[..., Any]
    _sql: Callable[[str], str]
    _write: Callable[[], AbstractContextManager[Any]]

    # -- resolving, as works are added -------------------------------------------------
    def _decision(self, raw: RawTag, fandom: str) -> Resolution | None:
        row = self._run(
            self._sql(
                "SELECT d.targets FROM tag_decisions d JOIN raw_tags r ON r.id = d.raw_id "
                "WHERE r.kind = {p} AND r.name = {p} AND r.fandom = {p}"
            ),
            (raw.kind, raw.name, fandom),
        ).fetchone()
        if row is None:
            return None
        return Resolution(raw, targets_of(json.loads(row[0])), True, fandom, "decided")

    def _evidence(self) -> Evidence:
        """Characters the archive knows, by fandom: their parents, set as works were added."""
        evidence = Evidence()
        for fandom, name in self._run(
            "SELECT parent_name, name FROM tag_parents WHERE kind = 'character' "
            "AND parent_kind = 'fandom'"
        ):
            evidence.add(fandom, name)
        return evidence

    def _resolutions(
        self, work: Work, evidence: Evidence | None = None, made: set[str] | None = None
    ) -> list[Resolution]:
        """The work's raw tags resolved; a tag in its lists that none of them reached (an
        archivist's edit) is a raw tag of its own, resolved too."""
        found = text_evidence(work).merged(evidence or self._evidence())
        raws = list(raw_tags_of(work))
        resolutions = wrangle_tags(raws, found, self._decision)
        reached = {(t.kind, t.name) for r in resolutions for t in r.targets}
        extra = [
            RawTag(kind, name)
            for list_name, kind in KIND_OF_LIST.items()
            for name in getattr(work, list_name)
            if (kind, name) not in reached
            and RawTag(kind, name) not in raws
            and (made is None or name not in made)
        ]
        return wrangle_tags(raws + extra, found, self._decision) if extra else resolutions

    def wrangled(self, work: Work, made: set[str] | None = None) -> Work:
        """The Work with the archive's wrangling: people's decisions, then the tables.
        `made`: the names its raw tags reached before (the rest are an archivist's)."""
        return apply(work, self._resolutions(work, made=made))

    def _index_tags(self, work_id: int, work: Work) -> None:
        """The work's raw, canonical and synonym tag rows (its old ones replaced)."""
        self._run(self._sql("DELETE FROM work_tags WHERE work_id = {p}"), (work_id,))
        self._run(self._sql("DELETE FROM work_raw_tags WHERE work_id = {p}"), (work_id,))
        resolutions = self._resolutions(work)
        # rows in one order for every writer, so adds at once wait rather than deadlock
        for r in sorted(resolutions, key=lambda r: (r.raw.kind, r.raw.name, r.fandom)):
            row = self._run(
                self._sql(
                    "INSERT INTO raw_tags(kind, name, fandom, resolved, targets) "
                    "VALUES ({p}, {p}, {p}, {p}, {p}) ON CONFLICT (kind, name, fandom) DO "
                    "UPDATE SET resolved = EXCLUDED.resolved, targets = EXCLUDED.targets "
                    "RETURNING id"
                ),
                (
                    r.raw.kind,
                    r.raw.name,
                    r.fandom,
                    int(r.resolved),
                    json.dumps(targets_json(r.targets)),
                ),
            ).fetchone()
            self._run(
                self._sql(
                    "INSERT INTO work_raw_tags(work_id, raw_id) VALUES ({p}, {p}) "
                    "ON CONFLICT DO NOTHING"
                ),
                (work_id, row[0]),
            )
            self._parents(r)
        for kind, key, name in sorted(tag_rows(_as_listed(work, resolutions))):
            self._run(
                self._sql(
                    "INSERT INTO tags(kind, key, name) VALUES ({p}, {p}, {p}) "
                    "ON CONFLICT (kind, key) DO UPDATE SET merger_id = NULL"
                ),
                (kind, key, name),
            )
            self._run(
                self._sql(
                    "INSERT INTO work_tags(work_id, tag_id) SELECT {p}, id FROM tags "
                    "WHERE kind = {p} AND key = {p} ON CONFLICT DO NOTHING"
                ),
                (work_id, kind, key),
            )
        for kind, key, name, canonical in sorted(synonym_rows(resolutions)):
            self._run(
                self._sql(
                    "INSERT INTO tags(kind, key, name, merger_id) SELECT {p}, {p}, {p}, id "
                    "FROM tags WHERE kind = {p} AND key = {p} ON CONFLICT (kind, key) DO UPDATE "
                    "SET merger_id = EXCLUDED.merger_id WHERE NOT EXISTS "
                    "(SELECT 1 FROM work_tags t WHERE t.tag_id = tags.id)"
                ),
                (kind, key, name, kind, canonical),
            )
        self._tags_changed(work_id)

    def _tags_changed(self, work_id: int) -> None:
        """After a work's tag rows are made: what a backend keeps beside them (SQLite: the
        tags in the full-text index)."""

    def _parents(self, resolution: Resolution) -> None:
        if not resolution.resolved or not resolution.fandom:
            return
        for target in resolution.targets:
            if target.kind in ("character", "relationship"):
                self._run(
                    self._sql(
                        "INSERT INTO tag_parents(kind, name, parent_kind, parent_name) "
                        "VALUES ({p}, {p}, 'fandom', {p}) ON CONFLICT DO NOTHING"
                    ),
                    (target.kind, target.name, resolution.fandom),
                )

    # -- salvage -----------------------------------------------------------------------
    def restore_wrangling(
        self,
        decisions: list[tuple[Any, ...]],
        parents: list[tuple[Any, ...]],
        changes: list[tuple[Any, ...]],
    ) -> None:
        """Put back, before the works, what people decided (`salvage`): decisions as
        (kind, name, fandom, targets JSON, at), parents as (kind, name, parent_kind,
        parent_name), and the log of changes as (at, action, kind, name, fandom, before,
        after, note, undone), so restored works and later adds are wrangled as before and
        every change can still be undone."""
        with self._write():
            for kind, name, fandom, targets, at in decisions:
                row = self._run(
                    self._sql(
                        "INSERT INTO raw_tags(kind, name, fandom, resolved, targets) "
                        "VALUES ({p}, {p}, {p}, 1, {p}) ON CONFLICT (kind, name, fandom) DO "
                        "UPDATE SET targets = EXCLUDED.targets RETURNING id"
                    ),
                    (kind, name, fandom, targets),
                ).fetchone()
                self._run(
                    self._sql(
                        "INSERT INTO tag_decisions(raw_id, targets, at) VALUES ({p}, {p}, {p}) "
                        "ON CONFLICT (raw_id) DO UPDATE SET targets = EXCLUDED.targets"
                    ),
                    (row[0], targets, at),
                )
            for parent in parents:
                self._run(
                    self._sql(
                        "INSERT INTO tag_parents(kind, name, parent_kind, parent_name) "
                        "VALUES ({p}, {p}, {p}, {p}) ON CONFLICT DO NOTHING"
                    ),
                    tuple(parent),
                )
            for change in changes:
                self._run(
                    self._sql(
                        "INSERT INTO tag_changes(at, action, kind, name, fandom, before, "
                        "after, note, undone) VALUES ({p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, "
                        "{p})"
                    ),
                    tuple(change),
                )

    # -- listing -----------------------------------------------------------------------
    def raw_tags(
        self, *, unwrangled: bool = False, kind: str | None = None, limit: int = 50
    ) -> list[RawTagUse]:
        """Raw tags by how many works carry them, most first."""
        where = ["1 = 1"]
        params: list[Any] = []
        if unwrangled:
            where.append("r.resolved = 0 AND d.raw_id IS NULL")
        if kind:
            where.append("r.kind = {p}")
            params.append(kind)
        rows = self._run(
            self._sql(
                "SELECT r.id, r.kind, r.name, r.fandom, count(w.work_id) AS n, r.resolved, "
                "coalesce(d.targets, r.targets), d.raw_id IS NOT NULL FROM raw_tags r "
                "LEFT JOIN work_raw_tags w ON w.raw_id = r.id "
                "LEFT JOIN tag_decisions d ON d.raw_id = r.id "
                f"WHERE {' AND '.join(where)} GROUP BY r.id, r.kind, r.name, r.fandom, "
                "r.resolved, d.targets, r.targets, d.raw_id HAVING count(w.work_id) > 0 "
                "ORDER BY n DESC, r.kind, r.name LIMIT {p}"
            ),
            (*params, limit),
        ).fetchall()
        return [
            RawTagUse(
                int(r[0]),
                r[1],
                r[2],
                r[3],
                int(r[4]),
                bool(r[5]) or bool(r[7]),
                targets_of(json.loads(r[6])),
                bool(r[7]),
            )
            for r in rows
        ]

    def tag_history(self) -> list[TagChange]:
        rows = self._run(
            "SELECT id, at, action, kind, name, fandom, before, after, note, undone "
            "FROM tag_changes ORDER BY id"
        ).fetchall()
        return [
            TagChange(
                int(r[0]),
                r[1],
                r[2],
                r[3],
                r[4],
                r[5],
                json.loads(r[6]),
                json.loads(r[7]),
                r[8],
                bool(r[9]),
            )
            for r in rows
        ]

    # -- deciding ----------------------------------------------------------------------
    def merge_tag(
        self,
        name: str,
        into: str,
        *,
        kind: str,
        into_kind: str | None = None,
        fandom: str | None = None,
        note: str | None = None,
    ) -> int:
        """Make the raw tag `name` a synonym of the canonical tag `into`; returns how
        many works changed."""
        target = (Target(into_kind or kind, " ".join(into.split())),)
        return self._decide("merge", name, kind, fandom, lambda _: target, note)

    def make_canonical(
        self, name: str, *, kind: str, fandom: str | None = None, note: str | None = None
    ) -> int:
        """The raw tag is canonical as it is (its kind marker aside)."""
        target = (Target(kind, marker(name)[1]),)
        return self._decide("canonical", name, kind, fandom, lambda _: target, note)

    def rename_tag(self, old: str, new: str, *, kind: str, note: str | None = None) -> int:
        """Rename a canonical tag: every raw tag that reached `old` reaches `new`."""
        rows = self._run(
            self._sql("SELECT name, fandom, targets FROM raw_tags WHERE kind = {p}"), (kind,)
        ).fetchall()
        olds = [r for r in rows if [kind, old] in json.loads(r[2])]
        for r in self._run(
            "SELECT r.name, r.fandom, d.targets FROM tag_decisions d "
            "JOIN raw_tags r ON r.id = d.raw_id"
        ).fetchall():
            if [kind, old] in json.loads(r[2]) and (r[0], r[1]) not in [(o[0], o[1]) for o in olds]:
                olds.append(r)
        if not olds:
            raise ArchiveError(
                f"no {kind} tag {old!r} in the archive; `ficarchive tags list` shows them"
            )

        def renamed(targets: tuple[Target, ...]) -> tuple[Target, ...]:
            return tuple(
                Target(t.kind, new) if (t.kind, t.name) == (kind, old) else t for t in targets
            )

        changed = 0
        for raw_name, fandom, _ in olds:
            changed += self._decide("rename", raw_name, kind, fandom, renamed, note)
        with self._write():
            self._run(
                self._sql(
                    "UPDATE tags SET name = {p}, key = {p} WHERE kind = {p} AND key = {p} "
                    "AND NOT EXISTS (SELECT 1 FROM tags t WHERE t.kind = {p} AND t.key = {p})"
                ),
                (new, tag_key(kind, new), kind, tag_key(kind, old), kind, tag_key(kind, new)),
            )
        return changed

    def set_parent(
        self,
        name: str,
        parent: str,
        *,
        kind: str,
        parent_kind: str = "fandom",
        note: str | None = None,
    ) -> None:
        """Record that the canonical tag `name` belongs under `parent` (a character under
        its fandom, a relationship under its characters' fandom)."""
        with self._write():
            self._run(
                self._sql(
                    "INSERT INTO tag_parents(kind, name, parent_kind, parent_name) "
                    "VALUES ({p}, {p}, {p}, {p}) ON CONFLICT DO NOTHING"
                ),
                (kind, name, parent_kind, parent),
            )
            self._log("parent", kind, name, "", None, [parent_kind, parent], note)

    def undo_tag_change(self, change_id: int) -> int:
        """Put back what one change replaced; returns how many works changed."""
        change = next((c for c in self.tag_history() if c.id == change_id), None)
        if change is None or change.undone:
            raise ArchiveError(
                f"no change {change_id} to undo; `ficarchive tags history` lists them"
            )
        with self._write():
            self._run(self._sql("UPDATE tag_changes SET undone = 1 WHERE id = {p}"), (change_id,))
            if change.action == "parent":
                self._run(
                    self._sql(
                        "DELETE FROM tag_parents WHERE kind = {p} AND name = {p} AND "
                        "parent_kind = {p} AND parent_name = {p}"
                    ),
                    (change.kind, change.name, *change.after),
                )
                return 0
            raw_id = self._raw_id(change.kind, change.name, change.fandom)
            self._set_decision(raw_id, change.before)
            return self._rewrangle(raw_id)

    # -- the machinery -------------------------------------------------------------------
    def _decide(
        self,
        action: str,
        name: str,
        kind: str,
        fandom: str | None,
        targets: Any,
        note: str | None,
    ) -> int:
        if kind not in KINDS:
            raise ArchiveError(f"unknown tag kind {kind!r}; the kinds are {', '.join(KINDS)}")
        rows = self._run(
            self._sql("SELECT id, fandom, targets FROM raw_tags WHERE kind = {p} AND name = {p}"),
            (kind, name),
        ).fetchall()
        rows = [r for r in rows if fandom is None or r[1] == fandom]
        if not rows:
            raise ArchiveError(
                f"no {kind} tag {name!r} in the archive; `ficarchive tags list` shows the "
                "raw tags as written, with their kinds"
            )
        changed = 0
        with self._write():
            for raw_id, raw_fandom, current in rows:
                before = self._current_decision(int(raw_id))
                base = targets_of(before if before is not None else json.loads(current))
                after = targets_json(targets(base))
                self._set_decision(int(raw_id), after)
                self._log(action, kind, name, raw_fandom, before, after, note)
                changed += self._rewrangle(int(raw_id))
        return changed

    def _current_decision(self, raw_id: int) -> Any:
        row = self._run(
            self._sql("SELECT targets FROM tag_decisions WHERE raw_id = {p}"), (raw_id,)
        ).fetchone()
        return json.loads(row[0]) if row else None

    def _set_decision(self, raw_id: int, targets: Any) -> None:
        self._run(self._sql("DELETE FROM tag_decisions WHERE raw_id = {p}"), (raw_id,))
        if targets is not None:
            self._run(
                self._sql("INSERT INTO tag_decisions(raw_id, targets, at) VALUES ({p}, {p}, {p})"),
                (raw_id, json.dumps(targets), now()),
            )

    def _raw_id(self, kind: str, name: str, fandom: str) -> int:
        row = self._run(
            self._sql("SELECT id FROM raw_tags WHERE kind = {p} AND name = {p} AND fandom = {p}"),
            (kind, name, fandom),
        ).fetchone()
        if row is None:
            raise ArchiveError(f"the {kind} tag {name!r} is no longer in the archive")
        return int(row[0])

    def _log(
        self,
        action: str,
        kind: str,
        name: str,
        fandom: str,
        before: Any,
        after: Any,
        note: str | None,
    ) -> None:
        self._run(
            self._sql(
                "INSERT INTO tag_changes(at, action, kind, name, fandom, before, after, note) "
                "VALUES ({p}, {p}, {p}, {p}, {p}, {p}, {p}, {p})"
            ),
            (now(), action, kind, name, fandom, json.dumps(before), json.dumps(after), note),
        )

    def _rewrangle(self, raw_id: int) -> int:
        """Make again the tag lists and rows of every work with this raw tag."""
        ids = [
            int(r[0])
            for r in self._run(
                self._sql("SELECT work_id FROM work_raw_tags WHERE raw_id = {p}"), (raw_id,)
            ).fetchall()
        ]
        for work_id in ids:
            row = self._run(
                self._sql("SELECT work_json FROM works WHERE id = {p}"), (work_id,)
            ).fetchone()
            try:
                work = read_work(row[0], f"work {work_id}")
            except DamagedWork as damaged:  # left as it is, and said
                report_damaged(damaged)
                continue
            made = self._made(work_id)
            updated = _keep_extras(work, self.wrangled(work, made), made)
            self._run(
                self._sql("UPDATE works SET work_json = {p} WHERE id = {p}"),
                (updated.to_json(indent=None), work_id),
            )
            self._index_tags(work_id, updated)
        return len(ids)

    def _made(self, work_id: int) -> set[str]:
        """The tag names the work's raw tags reached when it was last indexed."""
        rows = self._run(
            self._sql(
                "SELECT r.targets FROM raw_tags r JOIN work_raw_tags w ON w.raw_id = r.id "
                "WHERE w.work_id = {p}"
            ),
            (work_id,),
        ).fetchall()
        return {str(t[1]) for r in rows for t in json.loads(r[0])}

    def _retag_all(self) -> None:
        """Once, after the migration that brought wrangling: every work's tags made again."""
        row = self._run("SELECT value FROM meta WHERE key = 'retag'").fetchone()
        if not row or row[0] != "1":
            return
        with self._write():
            self._run("DELETE FROM work_tags")
            self._run("UPDATE tags SET merger_id = NULL")
            self._run("DELETE FROM tag_counts")
            self._run("DELETE FROM tags")
            for work_id, text in list(self._works_json()):
                try:
                    work = read_work(text, f"work {work_id}")
                except DamagedWork as damaged:  # unreadable: no tags until it is mended
                    report_damaged(damaged)
                    continue
                updated = self.wrangled(work)
                self._run(
                    self._sql("UPDATE works SET work_json = {p} WHERE id = {p}"),
                    (updated.to_json(indent=None), work_id),
                )
                self._index_tags(int(work_id), updated)
            self._run("DELETE FROM meta WHERE key = 'retag'")

    def _works_json(self) -> Iterator[tuple[int, str]]:
        for row in self._run("SELECT id, work_json FROM works ORDER BY id").fetchall():
            yield int(row[0]), row[1]


def _as_listed(work: Work, resolutions: list[Resolution]) -> Work:
    """The work's tags as its lists hold them (an archivist's removal stays removed), each
    one no raw tag reached replaced by what it resolves to (an archivist's ``Spuffy``)."""
    from ficarchive.tags.wrangle import LIST_OF_KIND

    own = {(r.raw.kind, r.raw.name): r for r in resolutions}
    changes: dict[str, tuple[str, ...]] = {}
    for kind, list_name in LIST_OF_KIND.items():
        names: list[str] = []
        for name in getattr(work, list_name):
            found = own.get((kind, name))
            if found is None or not found.resolved:
                names.append(name)
                continue
            names += [t.name for t in found.targets if t.kind == kind]
        changes[list_name] = tuple(dict.fromkeys(names))
    extra_categories = [
        t.name
        for r in resolutions
        for t in r.targets
        if t.kind == "category"
        and (r.raw.kind, r.raw.name) in own
        and r.raw in _extras(work, resolutions)
    ]
    changes["categories"] = tuple(dict.fromkeys((*changes["categories"], *extra_categories)))
    return work.evolve(**changes)


def _extras(work: Work, resolutions: list[Resolution]) -> set[RawTag]:
    raws = set(work.raw_tags)
    return {r.raw for r in resolutions if r.raw not in raws}


def _keep_extras(before: Work, after: Work, made: set[str]) -> Work:
    """Tags an archivist added by hand (reached by none of the work's raw tags, `made`)
    survive a re-wrangling."""
    from ficarchive.tags.wrangle import LIST_OF_KIND

    changes = {}
    for name in LIST_OF_KIND.values():
        extra = [t for t in getattr(before, name) if t not in made]
        changes[name] = tuple(dict.fromkeys((*getattr(after, name), *extra)))
    return after.evolve(**changes)
