"""The one allow-list for a Work's HTML, shared by the reader, every export and rescue.

A Work holds two kinds of strings (see `ficarchive.work`):

- **HTML fragments**: paragraphs, notes and epigraph texts. Whatever their origin (a
  rescue, an older version, a hand edit, a Work JSON from another tool), they pass
  through `clean_fragment` on the way into any page or file: only ``em``, ``strong``,
  ``u``, ``s``, ``br`` and ``span`` with ``lang`` survive; scripts and styles go with
  their contents; comments, every other attribute (event handlers, ``style``) and links
  of any scheme go.
- **Plain text**: every other field (title, authors, tags, summary, credits, chapter
  titles, ...). It is text, never markup: an export escapes it where it lands in markup,
  and writes it as data where the format holds data (YAML values, CSV cells). Tag-like
  text is common in real stories (``<Final Tenchi VIII>``, ``<page 2>``, mail addresses
  in angle brackets), so it is kept, not stripped.

`clean_work` cleans every fragment of a Work and says which lost something, so that
rescue can record what it removed.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import nh3

from ficarchive.work import Chapter, Epigraph, Notes, Section, Work

STORY_TAGS = frozenset({"em", "strong", "u", "s", "br", "span"})
"""The tags a Work's HTML fragments may hold, and nothing else."""
STORY_ATTRIBUTES = {"span": frozenset({"lang"})}

_STORY = nh3.Cleaner(
    tags=set(STORY_TAGS),
    attributes={k: set(v) for k, v in STORY_ATTRIBUTES.items()},
    url_schemes=set(),
    link_rel=None,
    strip_comments=True,
)
# Text without these characters holds no markup, and nh3 would give it back unchanged
# (it also drops NUL and turns CR into LF, as an HTML parser does; a test checks this).
_MARKUP = re.compile(r"[<>&\x00\r]")
# Search snippets: escaped text with <mark> around the matched words.
_SNIPPET = nh3.Cleaner(
    tags={"mark"}, attributes={}, url_schemes=set(), link_rel=None, strip_comments=True
)


def clean_fragment(fragment: str | None) -> str:
    """A story fragment with only the allowed tags and attributes left.

    A no-break space stays the character it was (nh3 writes it ``&nbsp;``), so a clean
    fragment comes back as it went in.

    >>> clean_fragment('<em>Hi</em><script>alert(1)</script><img src=x onerror=alert(1)>')
    '<em>Hi</em>'
    >>> clean_fragment('<span lang="fr" onclick="x()">oui</span>\\xa0<a href="javascript:x">n</a>')
    '<span lang="fr">oui</span>\\xa0n'
    """
    if not fragment:
        return ""
    if not _MARKUP.search(fragment):
        return fragment  # no tag, comment or entity can be in it: nothing to clean
    return _STORY.clean(fragment).replace("&nbsp;", "\xa0")


def clean_snippet(fragment: str | None) -> str:
    """A search snippet: only ``<mark>`` survives.

    >>> clean_snippet('a <mark>bell</mark> <b onclick="x">rang</b>')
    'a <mark>bell</mark> rang'
    """
    return _SNIPPET.clean(fragment or "")


def loses_something(fragment: str, cleaned: str) -> bool:
    """Whether cleaning took something away, not just re-spelled it (``>`` as ``&gt;``).

    >>> loses_something('>From the Journals', '&gt;From the Journals')
    False
    >>> loses_something('Hi<script>x()</script>', 'Hi')
    True
    """
    return fragment != cleaned and html.unescape(fragment) != html.unescape(cleaned)


@dataclass(frozen=True)
class Cleaned:
    """A fragment that lost something to the allow-list: its field, and what it was."""

    field: str
    before: str


def clean_work(work: Work) -> tuple[Work, tuple[Cleaned, ...]]:
    """The Work with every HTML fragment cleaned (the same object when all were clean),
    and each fragment that lost something, as it was before.

    >>> from ficarchive.work import Notes
    >>> safe, lost = clean_work(Work(notes=Notes(("<b onclick='x()'>Hi</b>",))))
    >>> safe.notes.beginning, lost
    (('Hi',), (Cleaned(field='notes.beginning[0]', before="<b onclick='x()'>Hi</b>"),))
    """
    found = list(_cleaned(work))
    if not found:
        return work, ()
    safe = replace(work, **{name: value for name, value, _ in found})
    return safe, tuple(c for _, _, lost in found for c in lost)


def _fragments(values: tuple[str, ...], name: str) -> tuple[tuple[str, ...], list[Cleaned]]:
    out = tuple(clean_fragment(v) for v in values)
    lost = [
        Cleaned(f"{name}[{n}]", v)
        for n, (v, c) in enumerate(zip(values, out, strict=True))
        if loses_something(v, c)
    ]
    return out, lost


def _cleaned(work: Work) -> Iterator[tuple[str, Any, list[Cleaned]]]:
    """(field, cleaned value, what was lost) for each field whose fragments changed."""
    beginning, lost_b = _fragments(work.notes.beginning, "notes.beginning")
    end, lost_e = _fragments(work.notes.end, "notes.end")
    if (beginning, end) != (work.notes.beginning, work.notes.end):
        yield "notes", Notes(beginning, end), lost_b + lost_e
    epigraphs: list[Epigraph] = []
    lost: list[Cleaned] = []
    for n, epigraph in enumerate(work.epigraphs):
        text = clean_fragment(epigraph.text)
        epigraphs.append(replace(epigraph, text=text) if text != epigraph.text else epigraph)
        if loses_something(epigraph.text, text):
            lost.append(Cleaned(f"epigraphs[{n}].text", epigraph.text))
    if tuple(epigraphs) != work.epigraphs:
        yield "epigraphs", tuple(epigraphs), lost
    chapters: list[Chapter] = []
    lost = []
    for n, chapter in enumerate(work.chapters):
        sections: list[Section] = []
        for m, section in enumerate(chapter.sections):
            paragraphs, gone = _fragments(
                section.paragraphs, f"chapters[{n}].sections[{m}].paragraphs"
            )
            sections.append(Section(paragraphs) if paragraphs != section.paragraphs else section)
            lost += gone
        same = tuple(sections) == chapter.sections
        chapters.append(chapter if same else Chapter(chapter.title, tuple(sections)))
    if tuple(chapters) != work.chapters:
        yield "chapters", tuple(chapters), lost


__all__ = [
    "STORY_ATTRIBUTES",
    "STORY_TAGS",
    "Cleaned",
    "clean_fragment",
    "clean_snippet",
    "clean_work",
    "loses_something",
]
