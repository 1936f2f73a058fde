"""``ficarchive tags``: wrangle the archive's tags as AO3's wranglers do.

A thin skin over the archive's wrangling methods (`ficarchive.archive.wrangling`): list
raw tags by use, merge one as a synonym of a canonical tag, make one canonical, rename a
canonical tag, set a parent, see every change and undo one.
"""

from __future__ import annotations

import click
from rich.console import Console
from rich.table import Table

from ficarchive.archive import Archive
from ficarchive.cli.archive import archive_option, reports_errors
from ficarchive.tags.wrangle import KINDS

kind_option = click.option(
    "--kind",
    type=click.Choice(KINDS),
    required=True,
    help="The tag's kind, as the source gave it.",
)
fandom_option = click.option(
    "--fandom", default=None, help="Only the raw tag as used in this fandom (default: every one)."
)
note_option = click.option("--note", default=None, help="Why: kept with the change.")


def _console() -> Console:
    return Console(highlight=False, soft_wrap=True)


@click.group()
def tags() -> None:
    """Wrangle tags: every change applies to every work with the tag, and can be undone."""


@tags.command("list")
@archive_option
@click.option("--unwrangled", is_flag=True, help="Only tags no table or person has resolved.")
@click.option("--kind", type=click.Choice(KINDS), default=None, help="Only tags of this kind.")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
@reports_errors
def list_tags(location: str | None, unwrangled: bool, kind: str | None, limit: int) -> None:
    """Raw tags as written, by how many works carry them, with what each becomes."""
    with Archive.open(location, create=False) as archive:
        found = archive.raw_tags(unwrangled=unwrangled, kind=kind, limit=limit)
    if not found:
        _console().print("no tags to wrangle" if unwrangled else "no tags")
        return
    table = Table("works", "kind", "as written", "fandom", "becomes", "how")
    for use in found:
        becomes = ", ".join(f"{t.name} ({t.kind})" for t in use.targets)
        how = "decided" if use.decided else ("resolved" if use.resolved else "unwrangled")
        table.add_row(str(use.works), use.kind, use.name, use.fandom, becomes, how)
    _console().print(table)


@tags.command()
@archive_option
@click.argument("name")
@click.option("--into", "into", required=True, help="The canonical tag it is a synonym of.")
@kind_option
@click.option(
    "--into-kind",
    type=click.Choice(KINDS),
    default=None,
    help="The canonical tag's kind (default: the same; a warning AO3 lacks may become a freeform).",
)
@fandom_option
@note_option
@reports_errors
def merge(
    location: str | None,
    name: str,
    into: str,
    kind: str,
    into_kind: str | None,
    fandom: str | None,
    note: str | None,
) -> None:
    """Make the raw tag NAME a synonym of a canonical tag."""
    with Archive.open(location, create=False) as archive:
        n = archive.merge_tag(name, into, kind=kind, into_kind=into_kind, fandom=fandom, note=note)
    _console().print(f"{name} ({kind}) is now {into}: {n} works changed")


@tags.command()
@archive_option
@click.argument("name")
@kind_option
@fandom_option
@note_option
@reports_errors
def canonical(
    location: str | None, name: str, kind: str, fandom: str | None, note: str | None
) -> None:
    """Make the raw tag NAME canonical as it is written."""
    with Archive.open(location, create=False) as archive:
        n = archive.make_canonical(name, kind=kind, fandom=fandom, note=note)
    _console().print(f"{name} ({kind}) is canonical: {n} works changed")


@tags.command()
@archive_option
@click.argument("old")
@click.argument("new")
@kind_option
@note_option
@reports_errors
def rename(location: str | None, old: str, new: str, kind: str, note: str | None) -> None:
    """Rename the canonical tag OLD to NEW on every work."""
    with Archive.open(location, create=False) as archive:
        n = archive.rename_tag(old, new, kind=kind, note=note)
    _console().print(f"{old} ({kind}) is now {new}: {n} works changed")


@tags.command()
@archive_option
@click.argument("name")
@click.argument("parent")
@kind_option
@click.option(
    "--parent-kind",
    type=click.Choice(KINDS),
    default="fandom",
    show_default=True,
    help="The parent's kind.",
)
@note_option
@reports_errors
def parent(
    location: str | None, name: str, parent: str, kind: str, parent_kind: str, note: str | None
) -> None:
    """Set PARENT as the parent of the canonical tag NAME (a character's fandom)."""
    with Archive.open(location, create=False) as archive:
        archive.set_parent(name, parent, kind=kind, parent_kind=parent_kind, note=note)
    _console().print(f"{name} ({kind}) is under {parent} ({parent_kind})")


@tags.command()
@archive_option
@reports_errors
def history(location: str | None) -> None:
    """Every wrangling change, oldest first, with what it replaced."""
    with Archive.open(location, create=False) as archive:
        changes = archive.tag_history()
    if not changes:
        _console().print("no wrangling changes yet")
        return
    table = Table("id", "at", "action", "kind", "tag", "fandom", "before", "after", "note")
    for c in changes:
        action = f"{c.action} (undone)" if c.undone else c.action
        table.add_row(
            str(c.id),
            c.at,
            action,
            c.kind,
            c.name,
            c.fandom,
            _shown(c.before),
            _shown(c.after),
            c.note or "",
        )
    _console().print(table)


@tags.command()
@archive_option
@click.argument("change_id", type=click.IntRange(min=1))
@reports_errors
def undo(location: str | None, change_id: int) -> None:
    """Undo the change CHANGE_ID (see `ficarchive tags history`)."""
    with Archive.open(location, create=False) as archive:
        n = archive.undo_tag_change(change_id)
    _console().print(f"change {change_id} undone: {n} works changed")


def _shown(value: object) -> str:
    if value is None:
        return "(as the tables resolve it)"
    if isinstance(value, list):
        return ", ".join(
            f"{item[1]} ({item[0]})" if isinstance(item, list) else str(item) for item in value
        )
    return str(value)
