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

from dataclasses import dataclass, field
from html import escape

from ficarchive.export import html as parts
from ficarchive.rescue.blocks.block import html_to_text
from ficarchive.sanitise import clean_fragment
from ficarchive.tags import ao3
from ficarchive.work import RATINGS, Chapter, Work

TITLE_LIMIT = ao3.TITLE_MAX
SUMMARY_LIMIT = ao3.SUMMARY_MAX
NOTES_LIMIT = ao3.NOTES_MAX
TAG_LIMIT = ao3.TAGS_PER_WORK_MAX
"""Fandoms, relationships, characters and additional tags together (AO3's rule)."""
TAG_LENGTH_LIMIT = ao3.TAG_MAX
"""One tag's name, at most."""
CHAPTER_LIMIT = ao3.CHAPTER_CONTENT_MAX
"""Characters of one chapter's text."""
CHAPTERS_LIMIT = ao3.CHAPTERS_MAX
"""Chapters one work may have on import (fewer than 200)."""

NO_WARNINGS_CHOSEN = ao3.CHOSE_NOT_TO_WARN
"""The stored name AO3's importer takes (it shows it as "Creator Chose Not To Use
Archive Warnings"); anything else becomes an Additional Tag."""


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
    categories: tuple[str, ...]
    fandoms: tuple[str, ...]
    relationships: tuple[str, ...]
    characters: tuple[str, ...]
    tags: tuple[str, ...]
    summary: str
    notes: str
    end_notes: str
    cuts: tuple[Cut, ...] = field(default=())


def map_warnings(warnings: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(AO3 warnings by their stored names, the rest as tags); no warning at all is the
    creator's choice.

    >>> map_warnings(("character death", "dub-con", "death of a minor OC"))
    (('Major Character Death',), ('dub-con', 'death of a minor OC'))
    >>> map_warnings(())
    (('Choose Not To Use Archive Warnings',), ())
    """
    found: list[str] = []
    other: list[str] = []
    for warning in warnings:
        name = ao3.ao3_warning(warning)
        if name is None:
            other.append(warning)
        elif name not in found:
            found.append(name)
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
        categories=tuple(c for c in work.categories if c in ao3.CATEGORIES),
        fandoms=tuple(groups[0]),
        relationships=tuple(groups[1]),
        characters=tuple(groups[2]),
        tags=tuple(groups[3]),
        summary=summary,
        notes=_clip(_one_line(notes), NOTES_LIMIT, "notes", cuts),
        end_notes=_clip(_one_line(list(work.notes.end)), NOTES_LIMIT, "end notes", cuts),
        cuts=tuple(cuts + chapter_problems(work)),
    )


def chapter_problems(work: Work) -> list[Cut]:
    """AO3's chapter limits, checked: a chapter over 510,000 characters, 200 chapters or
    more. Nothing is cut (a chapter split by a machine would break the story where no
    author would): each is reported, to split by hand before importing."""
    found: list[Cut] = []
    for n, chapter in enumerate(work.chapters, 1):
        length = len("\n".join(parts.chapter_html(Chapter(None, chapter.sections))))
        if length > CHAPTER_LIMIT:
            found.append(Cut(f"chapter {n}", CHAPTER_LIMIT, length, "too long: split it"))
    if len(work.chapters) > CHAPTERS_LIMIT:
        found.append(
            Cut("chapters", CHAPTERS_LIMIT, len(work.chapters), "too many: import in parts")
        )
    return found


def _e(text: str) -> str:
    return escape(text, quote=False)


def _meta_lines(fields: Ao3Fields, work: Work) -> list[str]:
    lines = [
        ("Title", fields.title),
        ("Author", ", ".join(work.authors)),
        ("Rating", fields.rating),
        ("Archive Warning", ", ".join(fields.warnings)),
        ("Category", ", ".join(fields.categories)),
        ("Fandom", ", ".join(fields.fandoms)),
        ("Relationship", ", ".join(fields.relationships)),
        ("Character", ", ".join(fields.characters)),
        ("Additional Tags", ", ".join(fields.tags)),
        ("Summary", fields.summary),
        ("Notes", fields.notes),
    ]
    if work.published:
        lines.append(("Date", work.published))
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
