"""A Work as one self-contained HTML file: styles inline, no network, AO3-like preface.

The markup is semantic (classes name every Work field) so that `ficarchive.rescue`
reads the file back to the same Work: rescuing a rescued work changes nothing.

Nothing in a Work can put script in the page: every HTML fragment (paragraph, note,
epigraph) passes through the reader's allow-list (`ficarchive.sanitise`) where it is
written, and every other field is escaped as text. The EPUB, AO3 and Open Doors exports
are built from the functions here, so they hold to the same rule.
"""

from __future__ import annotations

import json
from html import escape

from ficarchive.sanitise import clean_fragment
from ficarchive.version import __version__
from ficarchive.work import Chapter, Epigraph, Work

GENERATOR = f"ficarchive {__version__}"
SCENE_BREAK = '<hr class="scene-break">'

STYLE = """
:root { color-scheme: light dark; --ink: #1d1d1f; --paper: #fdfcf8; --muted: #5b5b60;
  --rule: #b9b4a8; }
@media (prefers-color-scheme: dark) { :root { --ink: #e8e6e1; --paper: #1b1b1d;
  --muted: #a8a6a0; --rule: #55524c; } }
body { margin: 0; background: var(--paper); color: var(--ink);
  font: 1.125rem/1.6 Georgia, "Iowan Old Style", "Palatino Linotype", serif; }
main { max-width: 38em; margin: 0 auto; padding: 2em 1.25em 4em; }
h1.title { font-size: 2em; line-height: 1.2; margin: 0 0 .25em; text-align: center; }
p.byline { text-align: center; font-style: italic; margin: 0 0 1.5em; }
dl.tags { display: grid; grid-template-columns: max-content 1fr; gap: .2em 1em;
  border: 1px solid var(--rule); padding: .75em 1em; font-size: .9em; }
dl.tags dt { font-weight: bold; color: var(--muted); }
dl.tags dd { margin: 0; }
dl.tags ul { list-style: none; margin: 0; padding: 0; display: inline; }
dl.tags li { display: inline; }
dl.tags li + li::before { content: ", "; }
section h2 { font-size: 1em; text-transform: uppercase; letter-spacing: .08em;
  color: var(--muted); }
blockquote { margin: 1em 2em; }
.epigraph { margin: 2em 3em; font-style: italic; }
.epigraph .attribution { text-align: right; font-style: normal; }
.chapter h2.chapter-title { text-align: center; margin: 2.5em 0 1em; }
.userstuff p { margin: 0 0 1em; }
hr.scene-break { border: 0; text-align: center; margin: 1.5em 0; }
hr.scene-break::after { content: "\\2042"; color: var(--muted); font-size: 1.2em; }
p.end-mark { text-align: center; font-variant: small-caps; margin: 2em 0; }
.afterword { border-top: 1px solid var(--rule); margin-top: 3em; font-size: .9em; }
"""

_LIST_FIELDS = (
    ("warnings", "Archive Warnings"),
    ("categories", "Categories"),
    ("fandoms", "Fandoms"),
    ("relationships", "Relationships"),
    ("characters", "Characters"),
    ("tags", "Additional Tags"),
)
_TEXT_FIELDS = (
    ("spoilers", "Spoilers"),
    ("challenge", "Challenge"),
)
_DATES = (("published", "Published"), ("updated", "Updated"))


def _e(text: str) -> str:
    return escape(text, quote=False)


def confidence_attribute(work: Work) -> str:
    """How sure rescue was, kept on the page so that rescuing it again keeps it too."""
    sure = work.confidence
    if sure is None:
        return ""
    found = {"fields": sure.fields, "breaks": list(sure.breaks), "chapters": list(sure.chapters)}
    return f' data-confidence="{_a(json.dumps(found, separators=(",", ":")))}"'


def _a(text: str) -> str:
    return escape(text, quote=True)


def _tag_list(work: Work) -> list[str]:
    out = ['<dl class="tags">']
    source = f' data-source="{_a(work.rating_source)}"' if work.rating_source else ""
    out.append(f'<dt>Rating:</dt><dd class="rating"{source}>{_e(work.rating)}</dd>')
    for name, label in _LIST_FIELDS:
        values = getattr(work, name)
        if values:
            items = "".join(f"<li>{_e(v)}</li>" for v in values)
            out.append(f'<dt>{label}:</dt><dd class="{name}"><ul>{items}</ul></dd>')
    for name, label in _TEXT_FIELDS:
        value = getattr(work, name)
        if value:
            out.append(f'<dt>{label}:</dt><dd class="{name}">{_e(value)}</dd>')
    out += _more_fields(work)
    out.append(f'<dt>Language:</dt><dd class="language">{_e(work.language)}</dd>')
    out.append(f'<dt>Words:</dt><dd class="words">{work.word_count:,}</dd>')
    out.append("</dl>")
    return out


def series_text(work: Work) -> list[str]:
    """Each series as AO3's preface says it: ``Part 3 of Watcher's Child``."""
    return [f"Part {s.part} of {s.name}" if s.part else s.name for s in work.series]


def _more_fields(work: Work) -> list[str]:
    """Series, dates (the ISO date shown, the text as written kept), status, URL."""
    out: list[str] = []
    if work.series:
        items = "".join(
            f'<li data-name="{_a(s.name)}" data-part="{s.part or ""}">{_e(text)}</li>'
            for s, text in zip(work.series, series_text(work), strict=True)
        )
        out.append(f'<dt>Series:</dt><dd class="series"><ul>{items}</ul></dd>')
    for name, label in _DATES:
        value, written = getattr(work, name), getattr(work, f"{name}_as_written")
        if value or written:
            said = f' data-written="{_a(written)}"' if written else ""
            out.append(f'<dt>{label}:</dt><dd class="{name}"{said}>{_e(value or "")}</dd>')
    if work.complete is not None:
        status = "Complete" if work.complete else "In progress"
        out.append(f'<dt>Status:</dt><dd class="status">{status}</dd>')
    if work.url:
        out.append(f'<dt>Original:</dt><dd class="url">{_e(work.url)}</dd>')
    return out


def _raw_tags(work: Work) -> list[str]:
    """The tags as the source wrote them, beside the canonical ones above (a section, not
    a ``<details>``: no element that can fire events is put in an export)."""
    if not work.raw_tags:
        return []
    items = "".join(f'<li data-kind="{_a(t.kind)}">{_e(t.name)}</li>' for t in work.raw_tags)
    return [f'<section class="raw-tags"><h2>Tags as written</h2><ul>{items}</ul></section>']


def _text_section(name: str, heading: str, value: str | None) -> list[str]:
    if not value:
        return []
    paragraphs = "".join(f"<p>{_e(p)}</p>" for p in value.split("\n\n"))
    return [
        f'<section class="{name}"><h2>{heading}</h2><blockquote class="{name}-text">'
        f"{paragraphs}</blockquote></section>"
    ]


def _notes(position: str, notes: tuple[str, ...]) -> list[str]:
    if not notes:
        return []
    heading = "Notes" if position == "beginning" else "End Notes"
    body = "".join(f"<p>{clean_fragment(n)}</p>" for n in notes)
    return [
        f'<section class="notes {position}"><h2>{heading}</h2>'
        f'<div class="notes-text">{body}</div></section>'
    ]


def epigraph_html(epigraph: Epigraph) -> str:
    """An epigraph as verse (its line breaks kept) with its attribution."""
    who = []
    if epigraph.author:
        who.append(f'<span class="author">{_e(epigraph.author)}</span>')
    if epigraph.work:
        who.append(f"<cite>{_e(epigraph.work)}</cite>")
    attribution = f'<p class="attribution">— {", ".join(who)}</p>' if who else ""
    return (
        f'<section class="epigraph {epigraph.position}"><blockquote class="verse">'
        f"<p>{clean_fragment(epigraph.text)}</p>"
        f"</blockquote>{attribution}</section>"
    )


def preface(work: Work) -> list[str]:
    """The AO3-like preface: title, byline, tags, summary, notes, credits, disclaimer."""
    out = ['<header class="preface">']
    if work.title:
        out.append(f'<h1 class="title">{_e(work.title)}</h1>')
    if work.authors:
        names = ", ".join(f'<span class="author">{_e(a)}</span>' for a in work.authors)
        out.append(f'<p class="byline">by {names}</p>')
    out += _tag_list(work)
    out += _raw_tags(work)
    out += _text_section("summary", "Summary", work.summary)
    out += _notes("beginning", work.notes.beginning)
    if work.credits:
        items = "".join(
            f'<li><span class="role">{_e(c.role)}</span>: '
            f'<span class="name">{_e(c.name)}</span></li>'
            for c in work.credits
        )
        out.append(f'<section class="credits"><h2>Credits</h2><ul>{items}</ul></section>')
    out += _text_section("disclaimer", "Disclaimer", work.disclaimer)
    out.append("</header>")
    return out


def chapter_html(chapter: Chapter) -> list[str]:
    """One chapter: its heading, then its sections split by scene breaks."""
    out = ['<article class="chapter">']
    if chapter.title is not None:
        out.append(f'<h2 class="chapter-title">{_e(chapter.title)}</h2>')
    out.append('<div class="userstuff">')
    for n, section in enumerate(chapter.sections):
        if n:
            out.append(SCENE_BREAK)
        out.extend(f"<p>{clean_fragment(p)}</p>" for p in section.paragraphs)
    out.append("</div></article>")
    return out


def opening(work: Work) -> list[str]:
    """What comes before the first chapter: the epigraphs at the beginning."""
    return [epigraph_html(e) for e in work.epigraphs if e.position == "beginning"]


def closing(work: Work) -> list[str]:
    """What comes after the last chapter: the end mark, then the epigraphs at the end."""
    out = [f'<p class="end-mark">{_e(work.end_mark)}</p>'] if work.end_mark else []
    return out + [epigraph_html(e) for e in work.epigraphs if e.position == "end"]


def _body(work: Work) -> list[str]:
    out = opening(work)
    for chapter in work.chapters:
        out += chapter_html(chapter)
    return out + closing(work)


def afterword(work: Work) -> list[str]:
    """End notes, feedback and archive permission, after the story."""
    out = _notes("end", work.notes.end)
    for name, label in (("feedback", "Feedback"), ("archive_permission", "Archive")):
        value = getattr(work, name)
        if value:
            out.append(
                f'<p class="{name.replace("_", "-")}"><strong>{label}:</strong> {_e(value)}</p>'
            )
    return ['<footer class="afterword">', *out, "</footer>"] if out else []


def to_html(work: Work) -> str:
    """The whole Work as one HTML page, in AO3's reading order."""
    title = _e(work.title or "Untitled")
    head = [
        "<!DOCTYPE html>",
        f'<html lang="{_a(work.language)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="generator" content="{GENERATOR}">',
        f"<title>{title}</title>",
        f"<style>{STYLE}</style>",
        "</head>",
        "<body>",
        f'<main class="work" data-looks-like-story="{str(work.looks_like_story).lower()}"'
        f"{confidence_attribute(work)}>",
    ]
    parts = head + preface(work) + _body(work) + afterword(work) + ["</main>", "</body>", "</html>"]
    return "\n".join(parts) + "\n"
