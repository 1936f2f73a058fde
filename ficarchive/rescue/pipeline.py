"""rescue(data, name) -> Work: the stages in order, each a pure function over the last."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from ficarchive.metadata import finish_work
from ficarchive.rescue.blocks import boilerplate
from ficarchive.rescue.blocks.block import Block
from ficarchive.rescue.blocks.epub import epub_to_html, is_epub
from ficarchive.rescue.blocks.html import HtmlHints, html_to_blocks
from ficarchive.rescue.blocks.mail import MailHints, clean_subject
from ficarchive.rescue.blocks.markdown import has_front_matter, read_markdown
from ficarchive.rescue.blocks.ours import is_ours, read_ours, read_work_json
from ficarchive.rescue.blocks.text import text_to_blocks
from ficarchive.rescue.decoding.decode import decode
from ficarchive.rescue.decoding.sniff import check_input
from ficarchive.rescue.decoding.wayback import unwrap as unwrap_wayback
from ficarchive.rescue.log import RescueLog
from ficarchive.rescue.structure import classify, sections
from ficarchive.rescue.structure.assemble import assemble
from ficarchive.rescue.structure.confidence import confidence, raw_scores
from ficarchive.rescue.structure.count import count_words
from ficarchive.rescue.structure.features import Context, context_of
from ficarchive.rescue.structure.hints import Hints, apply_hints
from ficarchive.rescue.structure.kept import keep_the_rest
from ficarchive.rescue.structure.labeller import label
from ficarchive.rescue.structure.meta import Meta
from ficarchive.rescue.structure.units import Unit, units_of, usual_gap
from ficarchive.work import Chapter, Confidence, Epigraph, Notes, Source, Work

_HTML_EXT = (".htm", ".html", ".xhtml", ".shtml", ".php", ".asp", ".aspx", ".jsp", ".cgi")
_MD_EXT = (".md", ".markdown", ".mdown")
_HTML_TAGS = re.compile(
    r"<(?:html|body|head|p|br|div|font|center|table|i|b|a\s|hr|h[1-6]|"
    r"blockquote|span|em|strong)\b[^>]*>",
    re.I,
)
# Plain text with this many tags in its first 20,000 characters is HTML whatever its name.
MIN_TAGS_FOR_HTML = 5


_GENERATOR = re.compile(r"""<meta\s+name=["']generator["']\s+content=["']([^"']*)["']""", re.I)


def declared_generator(text: str) -> str | None:
    match = _GENERATOR.search(text[:4096])
    return match.group(1) if match else None


def detect_format(text: str, name: str) -> str:
    lower = name.lower()
    head = text[:20000]
    if lower.endswith(_MD_EXT) or (has_front_matter(text) and not lower.endswith(_HTML_EXT)):
        return "markdown"
    if lower.endswith(_HTML_EXT) or len(_HTML_TAGS.findall(head)) >= MIN_TAGS_FOR_HTML:
        return "html"
    return "text"


@dataclass
class Read:
    """A document read as far as its blocks: what the structure stage starts from."""

    name: str
    text: str
    fmt: str
    meta: Meta
    log: RescueLog
    source: Source
    blocks: list[Block]
    hints: Hints


def read(data: bytes, name: str = "<stdin>") -> Read | Work:
    """Bytes to blocks; or the Work itself, for ficarchive's own JSON and HTML exports."""
    check_input(data, name)
    original, epub = data, is_epub(data)
    if epub:
        data = epub_to_html(data, name)  # the spine as one page, then as any page
    log = RescueLog()
    decoded = decode(data, name, log)
    decoded, capture = unwrap_wayback(decoded, log)  # a page saved from the Wayback Machine
    sha = hashlib.sha256(original).hexdigest()
    given = Source("json", decoded.encoding, sha, name, len(original))
    stored = read_work_json(decoded.text, given)
    if stored is not None:  # ficarchive's own --json output: the Work it holds, checked
        return stored
    fmt = detect_format(decoded.text, name) if not epub else "html"
    meta = Meta()
    source = Source("epub" if epub else fmt, decoded.encoding, sha, name, len(original), **capture)
    if fmt == "html" and is_ours(declared_generator(decoded.text)):
        chapters = read_ours(decoded.text, meta)
        log.note("format", "a ficarchive export: fields read as written")
        paragraphs = [p for c in chapters for p in c.paragraphs]
        story = meta.verdict
        if story is None:
            story = classify.judge(meta.title, None, paragraphs).story
        work = _work(meta, meta.epigraphs, chapters, story, log, source)
        return work.evolve(confidence=meta.confidence)
    blocks, hints = _blocks(decoded.text, fmt, meta, log)
    return Read(name, decoded.text, fmt, meta, log, source, blocks, hints)


def rescue(data: bytes, name: str = "<stdin>") -> Work:
    """Rescue one story: bytes as found (any encoding, HTML or text) to a structured Work."""
    done = read(data, name)
    if isinstance(done, Work):
        return done
    meta, log = done.meta, done.log
    sure: Confidence | None = None
    taken: list[Unit] = []
    if meta.structured:  # a YAML header and Markdown: the author's own text, no page around it
        sure = meta.confidence
        chapters = sections.build(done.blocks, log)
        found: list[Epigraph] = list(meta.epigraphs)
    else:
        chapters, found, sure, taken = _by_labels(done)
    meta.finish()
    for guess in meta.guesses:
        log.note("guess", guess)
    paragraphs = [p for c in chapters for p in c.paragraphs]
    verdict = classify.judge(meta.title, meta.subject, paragraphs)
    if meta.verdict is not None:
        verdict = classify.Verdict(meta.verdict, "the source says whether it is a story")
    log.note("story" if verdict.story else "not-a-story", verdict.reason)
    work = _work(meta, found, chapters, verdict.story, log, done.source).evolve(confidence=sure)
    return keep_the_rest(work, taken)


def units_and_context(done: Read) -> tuple[list[Unit], Context, str | None]:
    """The units the labeller reads, their context, and the journal's name (if any)."""
    reasons, journal = boilerplate.furniture_reasons(done.blocks)
    hints = done.hints
    titles: list[str] = []
    names: list[str] = []
    if isinstance(hints, HtmlHints):
        titles = [hints.title or ""]
        names = [hints.meta.get("author", "")]
    elif isinstance(hints, MailHints):
        titles = [clean_subject(s) for s in hints.subjects[:3]]
        names = [hints.sender or ""]
    if journal:
        names.append(journal)
    context = context_of(
        titles, names, done.name, usual_gap(done.blocks), done.fmt == "html", reasons
    )
    return units_of(done.blocks), context, journal


# Units the assembly puts in the story whole (breaks with words say so themselves).
STORY = frozenset({"body", "break"})


def _by_labels(done: Read) -> tuple[list[Chapter], list[Epigraph], Confidence, list[Unit]]:
    meta, log = done.meta, done.log
    units, context, journal = units_and_context(done)
    labelling = label(units, context)
    assembled = assemble(units, labelling, meta, log)
    had_title, had_authors = meta.title is not None, bool(meta.authors)
    apply_hints(meta, done.hints, log)
    if journal and not meta.authors:
        meta.add_author(journal)
        meta.guesses.append("author taken from the journal the story was posted in")
    hinted = {"title"} if meta.title and not had_title else set()
    if meta.authors and not had_authors:
        hinted.add("authors")
    sure = confidence(raw_scores(units, labelling, assembled, hinted))
    taken = [u for u, name in zip(units, labelling.labels, strict=True) if name not in STORY]
    return assembled.chapters, assembled.epigraphs, sure, taken


def _blocks(text: str, fmt: str, meta: Meta, log: RescueLog) -> tuple[list[Block], Hints]:
    if fmt == "markdown":
        return read_markdown(text, meta, log), None
    if fmt == "html":
        return html_to_blocks(text, log)
    return text_to_blocks(text, log)


def _work(
    meta: Meta,
    found: list[Epigraph],
    chapters: list[Chapter],
    story: bool,
    log: RescueLog,
    source: Source,
) -> Work:
    paragraphs = [p for c in chapters for p in c.paragraphs]
    work = Work(
        title=meta.title,
        authors=tuple(meta.authors),
        rating=meta.rating,
        rating_source=meta.rating_source,
        warnings=tuple(meta.warnings),
        fandoms=tuple(meta.fandoms),
        relationships=tuple(meta.relationships),
        characters=tuple(meta.characters),
        tags=tuple(meta.tags),
        summary=meta.summary,
        spoilers=meta.spoilers,
        disclaimer=meta.disclaimer,
        notes=Notes(tuple(meta.notes_beginning), tuple(meta.notes_end)),
        credits=tuple(meta.credits),
        challenge=meta.challenge,
        feedback=meta.feedback,
        archive_permission=meta.archive_permission,
        published=meta.published,
        language=meta.language,
        epigraphs=tuple(found),
        chapters=tuple(chapters),
        end_mark=meta.end_mark,
        word_count=count_words(paragraphs),
        looks_like_story=story,
        repairs=log.repairs,
        diagnostics=log.diagnostics,
        source=source,
    )
    return finish_work(work, meta)  # raw tags wrangled, dates, series, status, language
