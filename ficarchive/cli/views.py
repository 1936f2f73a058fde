"""Terminal views of what the archive returns: search hits, a stored work, stats, history."""

from __future__ import annotations

import re

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from ficarchive.archive.model import Edit, SearchResults, Stats, StoredWork
from ficarchive.console import CELL_CHARS, FIELD_CHARS, clip, render
from ficarchive.rescue.blocks.block import html_to_text
from ficarchive.work import Work

_MARK = re.compile(r"<mark>(.*?)</mark>")


def _snippet(html: str) -> Text:
    text = Text()
    pos = 0
    plain = html.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    for match in _MARK.finditer(plain):
        text.append(plain[pos : match.start()])
        text.append(match.group(1), style="bold yellow")
        pos = match.end()
    text.append(plain[pos:])
    return text


def render_hits(results: SearchResults) -> RenderableType:
    shown = f" (showing {len(results.hits)})" if len(results.hits) < results.total else ""
    counted = f"{results.total}" if results.total_exact else f"more than {results.total:,}"
    table = Table(
        "id",
        "title",
        "authors",
        "rating",
        "words",
        title=f"{counted} works{shown}",
        title_justify="left",
    )
    for hit in results.hits:
        table.add_row(
            str(hit.id),
            clip(hit.title or "(untitled)", CELL_CHARS, lines=2),
            clip(", ".join(hit.authors), CELL_CHARS, lines=2),
            hit.rating,
            f"{hit.word_count:,}",
        )
        if hit.snippet:
            table.add_row("", _snippet(hit.snippet), "", "", "")
    facets = Table.grid(padding=(0, 2))
    for kind, counts in results.facets.items():
        if counts:
            facets.add_row(
                Text(kind, style="bold cyan"),
                ", ".join(f"{c.name} ({c.count})" for c in counts[:8]),
            )
    return Group(table, facets)


def render_stored(
    stored: StoredWork, near: list[tuple[int, int]], edits: list[Edit], *, full: bool
) -> RenderableType:
    parts: list[RenderableType] = [
        Text(f"work {stored.id} — added {stored.added_at}", style="bold")
    ]
    parts.append(render(stored.work, opening=not full))
    if near:
        parts.append(
            Text(
                "Nearly the same text as: "
                + ", ".join(f"work {other} ({bits} bits apart)" for other, bits in near),
                style="yellow",
            )
        )
    if edits:
        parts.append(render_history(edits))
    if full:
        parts.append(whole_text(stored.work))
    return Group(*parts)


def whole_text(work: Work) -> RenderableType:
    """The whole text: chapter titles, and scene breaks as ``* * *``."""
    text = Text()
    for number, chapter in enumerate(work.chapters, start=1):
        if len(work.chapters) > 1 or chapter.title:
            text.append(f"\n{chapter.title or f'Chapter {number}'}\n\n", style="bold")
        sections = ["\n\n".join(html_to_text(p) for p in s.paragraphs) for s in chapter.sections]
        text.append("\n\n* * *\n\n".join(sections) + "\n")
    return text


def render_history(edits: list[Edit]) -> RenderableType:
    table = Table("when", "field", "before", "after", "note", title="Edits", title_justify="left")
    for e in edits:
        before, after = (clip(str(v), FIELD_CHARS, lines=4) for v in (e.before, e.after))
        table.add_row(e.at, e.field, before, after, clip(e.note or "", FIELD_CHARS, lines=4))
    return table if edits else Text("No edits.", style="dim")


def render_stats(stats: Stats, location: str) -> RenderableType:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold cyan")
    table.add_column()
    table.add_row("Archive", location)
    table.add_row("Works", f"{stats.works:,} ({stats.stories:,} read as stories)")
    table.add_row("Words", f"{stats.words:,}")
    table.add_row("Sources", f"{stats.sources:,} files, {stats.source_bytes / 2**20:.1f} MB")
    table.add_row("Tags", ", ".join(f"{n:,} {kind}" for kind, n in stats.tags.items()))
    table.add_row("Edits", f"{stats.edits:,}")
    table.add_row("Near-duplicates", f"{stats.near_duplicate_pairs:,} pairs linked")
    for kind, counts in stats.top.items():
        if counts:
            table.add_row(f"Top {kind}", ", ".join(f"{c.name} ({c.count})" for c in counts))
    return table
