"""The terminal view of a Work: metadata, what was changed, and the opening lines."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ficarchive.rescue.blocks.block import html_to_text
from ficarchive.review import doubts
from ficarchive.work import Work

OPENING_PARAGRAPHS = 4
NOTE_PREVIEW = 160


def _meta_table(work: Work) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold cyan", no_wrap=True)
    table.add_column()
    rating = work.rating + (f" (written {work.rating_source!r})" if work.rating_source else "")
    rows: list[tuple[str, str | None]] = [
        ("Title", work.title or "(none found)"),
        ("Authors", ", ".join(work.authors) or "(none found)"),
        ("Rating", rating),
        ("Warnings", ", ".join(work.warnings)),
        ("Fandoms", ", ".join(work.fandoms)),
        ("Relationships", ", ".join(work.relationships)),
        ("Characters", ", ".join(work.characters)),
        ("Tags", ", ".join(work.tags)),
        ("Spoilers", work.spoilers),
        ("Summary", work.summary),
        ("Challenge", work.challenge),
        ("Published", work.published),
        ("Notes", _notes(work)),
        ("Credits", ", ".join(f"{c.name} ({c.role})" for c in work.credits)),
        ("Disclaimer", work.disclaimer),
        ("Feedback", work.feedback),
        ("Epigraphs", ", ".join(filter(None, (e.author for e in work.epigraphs)))),
        ("Chapters", f"{len(work.chapters)}, {work.scene_breaks} scene breaks"),
        ("Words", f"{work.word_count:,}"),
        ("End mark", work.end_mark),
        ("Source", f"{work.source.format}, {work.source.encoding}" if work.source else None),
        ("Captured", _captured(work)),
    ]
    for label, value in rows:
        if value:
            table.add_row(label, Text(value))
    if not work.looks_like_story:
        table.add_row("Story?", Text("no: this does not read as a story", style="yellow"))
    unsure = doubts(work)
    if unsure:  # what an archivist should check first
        table.add_row("Unsure", Text("; ".join(str(d) for d in unsure), style="yellow"))
    missing = [d.text or d.message for d in work.diagnostics if d.kind == "missing-part"]
    if missing:  # a part the source lacked: the first thing an archivist goes looking for
        table.add_row("Missing", Text("\n".join(missing), style="yellow"))
    return table


def _captured(work: Work) -> str | None:
    """Where and when a page from a web archive or the Wayback Machine was captured."""
    source = work.source
    if source is None or not (source.url or source.captured):
        return None
    said = " ".join(filter(None, (source.url, source.captured and f"on {source.captured}")))
    if source.warc_file:
        said += f" ({source.warc_file}, record at byte {source.warc_offset or 0:,})"
    return said


def _repairs(work: Work) -> RenderableType:
    if not work.repairs:
        return Text("No changes were needed to the text.", style="green")
    table = Table(title="What was changed", title_justify="left", expand=False)
    table.add_column("kind")
    table.add_column("before")
    table.add_column("after")
    table.add_column("times", justify="right")
    for repair in work.repairs:
        table.add_row(repair.kind, repair.before, repair.after, str(repair.count))
    return table


def _removed(work: Work) -> RenderableType:
    kinds: dict[str, int] = {}
    for diagnostic in work.diagnostics:
        kinds[diagnostic.kind] = kinds.get(diagnostic.kind, 0) + 1
    text = ", ".join(f"{k} ×{n}" if n > 1 else k for k, n in kinds.items())
    return Text(f"Notes on the rescue: {text} (all in --json)", style="dim")


def _opening(work: Work) -> RenderableType:
    paragraphs = [html_to_text(p) for p in work.paragraphs[:OPENING_PARAGRAPHS]]
    return Panel(Text("\n\n".join(paragraphs) or "(no text)"), title="Opening", expand=False)


def _notes(work: Work) -> str | None:
    notes = [html_to_text(n) for n in (*work.notes.beginning, *work.notes.end)]
    if not notes:
        return None
    first = notes[0] if len(notes[0]) <= NOTE_PREVIEW else notes[0][:NOTE_PREVIEW] + "…"
    more = f" (+{len(notes) - 1} more)" if len(notes) > 1 else ""
    return first + more


def render(work: Work, *, opening: bool = True) -> RenderableType:
    """The metadata, the repairs, what was removed, and (with `opening`) the first
    paragraphs."""
    parts = [_meta_table(work), Text(""), _repairs(work), _removed(work)]
    return Group(*parts, _opening(work)) if opening else Group(*parts)
