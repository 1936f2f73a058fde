"""A Work in the shapes the Archive of Our Own imports: its story importer's pages, and
Open Doors-style CSV tables for a mass import.

AO3's importer (``StoryParser`` in otwarchive) reads a page's ``<title>``, looks through
the page for ``Label: value`` lines (``Rating``, ``Archive Warning``, ``Fandom``,
``Relationship``, ``Character``, ``Additional Tags``, ``Summary``, ``Notes``, ``Chapter
Title``, ``Date``), each value running to the end of its line, and takes the text of the
first ``div.chapter-content``. A work of several chapters is imported from a list of
chapter URLs, one page a chapter: `import_pages` gives every page and that list.

AO3's limits are checked before anything is written; what had to be cut is reported
(`Cut`), never dropped silently.

The pages hold no script: chapter text comes from `ficarchive.export.html` (the reader's
allow-list), notes are cleaned with the same allow-list before they are read as text, and
every ``Label: value`` line is escaped text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape

from ficarchive.export import html as parts
from ficarchive.rescue.blocks.block import html_to_text
from ficarchive.sanitise import clean_fragment
from ficarchive.work import RATINGS, Chapter, Work

TITLE_LIMIT = 255
SUMMARY_LIMIT = 1250
NOTES_LIMIT = 5000
TAG_LIMIT = 75
"""Fandoms, relationships, characters and additional tags together (AO3's rule)."""
TAG_LENGTH_LIMIT = 100
"""One tag's name, at most (AO3's ``TAG_MAX``)."""

NO_WARNINGS_CHOSEN = "Creator Chose Not To Use Archive Warnings"
AO3_WARNINGS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("Graphic Depictions Of Violence", re.compile(r"violen|gore|graphic|torture", re.I)),
    ("Major Character Death", re.compile(r"death|dies|\bmcd\b|kill", re.I)),
    ("Rape/Non-Con", re.compile(r"\brape|non-?con|noncon", re.I)),
    ("Underage Sex", re.compile(r"underage", re.I)),
    ("No Archive Warnings Apply", re.compile(r"^(?:none|no warnings?(?: apply)?|n/?a)$", re.I)),
    (NO_WARNINGS_CHOSEN, re.compile(r"chose not to|choose not to", re.I)),
)
"""AO3's own warning names, and what old sites wrote for each. A warning that is none of
these (``dub-con``, ``angst``) becomes an Additional Tag, as AO3's importer does."""


@dataclass(frozen=True)
class Cut:
    """One field that did not fit AO3's limits, and what was done about it."""

    field: str
    limit: int
    length: int
    action: str


@dataclass(frozen=True)
class Ao3Fields:
    """The Work's metadata as AO3 takes it: names mapped, limits applied."""

    title: str
    rating: str
    warnings: tuple[str, ...]
    fandoms: tuple[str, ...]
    relationships: tuple[str, ...]
    characters: tuple[str, ...]
    tags: tuple[str, ...]
    summary: str
    notes: str
    end_notes: str
    cuts: tuple[Cut, ...] = field(default=())


def map_warnings(warnings: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(AO3 warnings, the rest as tags); no warning at all is the creator's choice.

    >>> map_warnings(("character death", "dub-con"))
    (('Major Character Death',), ('dub-con',))
    >>> map_warnings(())
    (('Creator Chose Not To Use Archive Warnings',), ())
    """
    found: list[str] = []
    other: list[str] = []
    for warning in warnings:
        names = [name for name, pattern in AO3_WARNINGS if pattern.search(warning.strip())]
        found += [n for n in names if n not in found]
        if not names:
            other.append(warning)
    return tuple(found) or (NO_WARNINGS_CHOSEN,), tuple(other)


def _clip(text: str, limit: int, name: str, cuts: list[Cut]) -> str:
    if len(text) <= limit:
        return text
    kept = text[: limit - 1].rsplit(" ", 1)[0].rstrip() + "…"
    cuts.append(Cut(name, limit, len(text), f"cut to {len(kept)} characters at a word"))
    return kept


def _one_line(paragraphs: tuple[str, ...] | list[str]) -> str:
    """HTML paragraphs as one line of text: the importer reads a value to the end of its line.

    >>> _one_line(["Thanks to <em>Rosa</em>.<script>x()</script>", "More &amp; <br>more."])
    'Thanks to Rosa. More & more.'
    """
    return " ".join(
        " ".join(html_to_text(clean_fragment(p)).split()) for p in paragraphs if p.strip()
    )


def ao3_fields(work: Work) -> Ao3Fields:
    """Map the Work to AO3's names and limits, recording every cut."""
    cuts: list[Cut] = []
    title = _clip(" ".join((work.title or "Untitled").split()), TITLE_LIMIT, "title", cuts)
    warnings, extra = map_warnings(work.warnings)
    rating = work.rating if work.rating in RATINGS else "Not Rated"
    groups = [list(work.fandoms), list(work.relationships), list(work.characters)]
    groups.append([*work.tags, *(t for t in extra if t not in work.tags)])
    for group, name in zip(groups, ("fandoms", "relationships", "characters", "tags"), strict=True):
        for n, tag in enumerate(group):
            group[n] = _clip(tag, TAG_LENGTH_LIMIT, f"{name}: {tag[:30]}", cuts)
    total = sum(len(g) for g in groups)
    if total > TAG_LIMIT:
        over = total - TAG_LIMIT
        keep = max(len(groups[3]) - over, 0)
        dropped = groups[3][keep:]
        groups[3] = groups[3][:keep]
        cuts.append(Cut("tags", TAG_LIMIT, total, f"left out {', '.join(dropped)}"))
    # The summary is plain text (tag-like text such as "<grin>" is the author's words).
    summary = _clip(" ".join((work.summary or "").split()), SUMMARY_LIMIT, "summary", cuts)
    notes = list(work.notes.beginning)
    for label, value in (("Spoilers", work.spoilers), ("Challenge", work.challenge)):
        if value:
            notes.append(f"{label} - {escape(value, quote=False)}")
    notes += [f"{escape(c.role)} - {escape(c.name)}" for c in work.credits]
    if work.disclaimer:
        notes.append(f"Disclaimer - {escape(work.disclaimer, quote=False)}")
    return Ao3Fields(
        title=title,
        rating=rating,
        warnings=warnings,
        fandoms=tuple(groups[0]),
        relationships=tuple(groups[1]),
        characters=tuple(groups[2]),
        tags=tuple(groups[3]),
        summary=summary,
        notes=_clip(_one_line(notes), NOTES_LIMIT, "notes", cuts),
        end_notes=_clip(_one_line(list(work.notes.end)), NOTES_LIMIT, "end notes", cuts),
        cuts=tuple(cuts),
    )


def _e(text: str) -> str:
    return escape(text, quote=False)


def _meta_lines(fields: Ao3Fields, work: Work) -> list[str]:
    lines = [
        ("Title", fields.title),
        ("Author", ", ".join(work.authors)),
        ("Rating", fields.rating),
        ("Archive Warning", ", ".join(fields.warnings)),
        ("Fandom", ", ".join(fields.fandoms)),
        ("Relationship", ", ".join(fields.relationships)),
        ("Character", ", ".join(fields.characters)),
        ("Additional Tags", ", ".join(fields.tags)),
        ("Summary", fields.summary),
        ("Notes", fields.notes),
    ]
    if work.published:
        lines.append(("Date", work.published[:10]))
    return [f"<p>{label}: {_e(value)}</p>" for label, value in lines]


def chapter_page(work: Work, fields: Ao3Fields, index: int) -> str:
    """The page AO3's importer reads for chapter `index` (0-based) of the work."""
    chapters = work.chapters
    count = max(len(chapters), 1)
    body = parts.opening(work) if index == 0 else []
    if chapters:
        body += parts.chapter_html(Chapter(None, chapters[index].sections))
    if index == count - 1:
        body += parts.closing(work)
    heading = chapters[index].title if chapters and chapters[index].title else None
    lines = [*_meta_lines(fields, work)]
    if heading:
        lines.append(f"<p>Chapter Title: {_e(heading)}</p>")
    end = ""
    if index == count - 1 and fields.end_notes:
        end = f'\n<div class="end-notes">\n<p>End Notes: {_e(fields.end_notes)}</p>\n</div>'
    lang = escape(work.language or "en")
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="generator" content="{parts.GENERATOR}">\n'
        f"<title>{_e(fields.title)}</title>\n</head>\n<body>\n"
        '<div class="meta">\n' + "\n".join(lines) + "\n</div>\n"
        '<div class="chapter-content">\n' + "\n".join(body) + f"\n</div>{end}\n</body>\n</html>\n"
    )


def chapter_file(index: int) -> str:
    return f"chapter-{index + 1:03d}.html"


def import_pages(work: Work) -> tuple[dict[str, str], Ao3Fields]:
    """Every page to import (file name -> HTML), ``chapters.txt`` listing them in order."""
    fields = ao3_fields(work)
    count = max(len(work.chapters), 1)
    pages = {chapter_file(n): chapter_page(work, fields, n) for n in range(count)}
    pages["chapters.txt"] = "".join(f"{chapter_file(n)}\n" for n in range(count))
    return pages, fields
