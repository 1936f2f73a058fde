"""The terminal view of a Work: metadata, what was changed, and the opening lines.

Every part is bounded, whatever the Work holds: a field shows at most `FIELD_CHARS`
characters, the repairs table `REPAIR_ROWS` rows, the opening `OPENING_LINES` lines of
`OPENING_CHARS` characters in all; each cut says what was left out (all in ``--json``).
A story of a million one-word lines prints a screenful, not a million lines.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ficarchive.rescue.blocks.block import html_to_text
from ficarchive.review import doubts
from ficarchive.work import Work

OPENING_PARAGRAPHS = 4
OPENING_LINES = 40
OPENING_CHARS = 4000
NOTE_PREVIEW = 160
FIELD_CHARS = 400
REPAIR_ROWS = 30
CELL_CHARS = 60


def clip(text: str, limit: int, lines: int | None = None) -> str:
    """`text` cut to `limit` characters (and `lines` lines), saying how much was cut.

    >>> clip("abcdef", 3)
    'abc… (3 more characters)'
    >>> clip("a\\nb\\nc", 100, lines=2)
    'a\\nb\\n… (1 more line)'
    """
    if lines is not None:
        parts = text.split("\n", lines)
        if len(parts) > lines:
            rest = parts[lines].count("\n") + 1
            text = "\n".join(parts[:lines])
            if len(text) <= limit:
                return f"{text}\n… ({rest:,} more line{'s' if rest > 1 else ''})"
    if len(text) <= limit:
        return text
    more = len(text) - limit
    return f"{text[:limit]}… ({more:,} more character{'s' if more > 1 else ''})"


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
            table.add_row(label, Text(clip(value, FIELD_CHARS, lines=8)))
    if not work.looks_like_story:
        table.add_row("Story?", Text("no: this does not read as a story", style="yellow"))
    unsure = doubts(work)
    if unsure:  # what an archivist should check first
        table.add_row("Unsure", Text("; ".join(str(d) for d in unsure), style="yellow"))
    missing = [d.text or d.message for d in work.diagnostics if d.kind == "missing-part"]
    if missing:  # a part the source lacked: the first thing an archivist goes looking for
        shown = clip("\n".join(missing), FIELD_CHARS, lines=8)
        table.add_row("Missing", Text(shown, style="yellow"))
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
    for repair in work.repairs[:REPAIR_ROWS]:
        cells = (clip(c, CELL_CHARS, lines=2) for c in (repair.kind, repair.before, repair.after))
        table.add_row(*cells, f"{repair.count:,}")
    if len(work.repairs) > REPAIR_ROWS:
        table.add_row(f"… {len(work.repairs) - REPAIR_ROWS:,} more (all in --json)", "", "", "")
    return table


def _removed(work: Work) -> RenderableType:
    kinds: dict[str, int] = {}
    for diagnostic in work.diagnostics:
        kinds[diagnostic.kind] = kinds.get(diagnostic.kind, 0) + 1
    text = ", ".join(f"{k} ×{n}" if n > 1 else k for k, n in kinds.items())
    return Text(f"Notes on the rescue: {text} (all in --json)", style="dim")


def _opening(work: Work) -> RenderableType:
    # each paragraph cut first: html_to_text of a 30 MB paragraph is not needed whole
    first = work.paragraphs[:OPENING_PARAGRAPHS]
    paragraphs = [html_to_text(p[: OPENING_CHARS * 4]) for p in first]
    text = clip("\n\n".join(paragraphs), OPENING_CHARS, lines=OPENING_LINES)
    return Panel(Text(text or "(no text)"), title="Opening", expand=False)


def _notes(work: Work) -> str | None:
    notes = [html_to_text(n[: NOTE_PREVIEW * 4]) for n in (*work.notes.beginning, *work.notes.end)]
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
