"""Labels to a Work: the labelled units read into fields, epigraphs, chapters and breaks.

The labeller says what each unit is; this module only reads each part the way its label
says (a ``Label: value`` field by its label, a byline for its name, a title for its
words) and puts the body back together block by block. Every unit ends up somewhere: the
body, a field, the notes, or a diagnostic with its text — nothing is dropped.

The document is read in three stretches: the *front* (before the first body unit), the
*story* (from the first body unit to the last) and the *back* (after it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ficarchive.rescue.blocks.block import html_to_text
from ficarchive.rescue.log import RescueLog
from ficarchive.rescue.structure.bylines import BY_ALONE
from ficarchive.rescue.structure.dividers import is_divider_text
from ficarchive.rescue.structure.endmark import canonical_end_mark
from ficarchive.rescue.structure.epigraphs import attribution_of
from ficarchive.rescue.structure.labeller import Labelling
from ficarchive.rescue.structure.labels import read_label, value_html
from ficarchive.rescue.structure.meta import Meta
from ficarchive.rescue.structure.names import BY, Byline, read_byline
from ficarchive.rescue.structure.title import read_title
from ficarchive.rescue.structure.units import Unit
from ficarchive.sanitise import clean_fragment
from ficarchive.work import Chapter, Epigraph, Section

_WORD = re.compile(r"\w+")
STORY_LABELS = frozenset({"body", "break", "chapter"})

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PRESENTS = re.compile(
    r"^(?P<name>.+?)\s+(?:productions?\s+)?(?:proudly\s+|unfortunately\s+)?(?:presents?|"
    r"presentation)\b.*$",
    re.I,
)
_AKA = re.compile(r"\s*\(?\s*\ba\.?k\.?a\.?\b.*$", re.I)
_FANFIC_BY = re.compile(r"^(?:a\s+)?(?:\w+\s+)?(?:fan\s*fic(?:tion)?|story|tale|fic)\s+by\s+", re.I)


@dataclass
class Assembled:
    chapters: list[Chapter]
    epigraphs: list[Epigraph]
    # confidence material: the units each field came from
    title_units: list[int] = field(default_factory=list)
    author_units: list[int] = field(default_factory=list)
    break_units: list[int] = field(default_factory=list)
    chapter_units: list[int] = field(default_factory=list)
    body_first: int | None = None
    body_last: int | None = None


def story_span(labels: tuple[str, ...], units: list[Unit]) -> tuple[int, int]:
    """First and last unit of the story proper (an empty span when there is no body)."""
    body = [i for i, lab in enumerate(labels) if lab == "body" and not units[i].is_gap]
    if not body:
        return len(labels), len(labels) - 1
    first = j = body[0]
    while j > 0 and (units[j - 1].is_gap or labels[j - 1] == "chapter"):
        j -= 1
        if labels[j] == "chapter" and not units[j].is_gap:
            first = j  # the first chapter's heading, blank lines or not between
    return first, body[-1]


def assemble(units: list[Unit], labelling: Labelling, meta: Meta, log: RescueLog) -> Assembled:
    labels = labelling.labels
    first, last = story_span(labels, units)
    out = Assembled([], [])
    _front(units[:first], labels[:first], labelling, meta, log, out)
    out.chapters = _story(units, labels, first, last, meta, log, out)
    _back(units[last + 1 :], labels[last + 1 :], meta, log, out)
    _heading_as_title(units, labels, meta, log, out)
    if first <= last:
        out.body_first, out.body_last = first, last
    return out


_NUMBERED = re.compile(
    r"^\W*(?:chapter|chap\.|ch\.|part|book|act|scene|section|episode|volume|vol\.|prologue|"
    r"epilogue|interlude|teaser|afterword|foreword|intermission|conclusion|\d+\b|[ivxlc]+\b)",
    re.I,
)


def _heading_as_title(
    units: list[Unit], labels: tuple[str, ...], meta: Meta, log: RescueLog, out: Assembled
) -> None:
    """A story with no title whose one heading opens the file: the heading is its title
    (a one-chapter story has no chapter headings, only a title), unless it is a chapter's
    number or name (``Chapter 8``, ``Prologue``), which a file of one chapter also opens on."""
    if meta.title is not None or len(out.chapters) != 1 or not out.chapters[0].title:
        return
    heading = out.chapter_units[0] if out.chapter_units else None
    opening = next((i for i, u in enumerate(units) if not u.is_gap), None)
    if heading is None or heading != opening or _NUMBERED.match(out.chapters[0].title):
        return
    if any(labels[i] == "chapter" and not units[i].is_gap for i in out.chapter_units[1:]):
        return  # a heading of two lines (a title and a chapter's name): left as it is
    meta.set_title(read_title(out.chapters[0].title).title)
    out.title_units.append(heading)
    out.chapter_units.remove(heading)
    out.chapters[0] = Chapter(None, out.chapters[0].sections)
    log.note("title", "the story's one heading, at the top of the file, read as its title")


# -- front --------------------------------------------------------------------------------
def _front(
    units: list[Unit],
    labels: tuple[str, ...],
    labelling: Labelling,
    meta: Meta,
    log: RescueLog,
    out: Assembled,
) -> None:
    title_at = _best_title(units, labels, labelling)
    byline_at, _ = _best_byline(units, labels, labelling)
    pending_field: str | None = None
    epigraph: list[Unit] = []
    for i, (unit, label) in enumerate(zip(units, labels, strict=True)):
        if unit.is_gap:
            continue
        if label != "epigraph" and epigraph:
            _epigraph(epigraph, "beginning", out, log)
            epigraph = []
        if i == title_at:
            _title(unit, meta, log, out)
            continue
        if label in ("title", "byline") and i != byline_at and _names_a_field(unit):
            label = "field"  # "Fandom: BtVS" is a header field whatever it sits beside
        if label == "title":
            meta.notes_beginning.append(_whole(unit))  # an alternate title, a series name
            continue
        if i == byline_at:
            _byline(unit, meta, log, out)
            continue
        if label == "byline":  # "by" alone, a studio's "presents", a second credit
            meta.notes_beginning.append(_whole(unit))
            continue
        if label == "field":
            pending_field = _field(unit, meta, pending_field)
            continue
        pending_field = None
        if label == "epigraph":
            epigraph.append(unit)
        elif label == "disclaimer":
            _disclaimer(unit, meta)
        elif label == "furniture":
            log.note("boilerplate", "page furniture before the story", unit.text or unit.html)
        else:  # note, and anything the labeller put before the story that is not header
            _note(unit, meta, beginning=True)
    if epigraph:
        _epigraph(epigraph, "beginning", out, log)


def _whole(unit: Unit) -> str:
    """The unit's HTML with its tags closed: a line cut from a block can hold half of an
    ``<em>`` that spans lines."""
    return clean_fragment(unit.html).strip() if unit.parts > 1 else unit.html


def _names_a_field(unit: Unit) -> bool:
    """Whether the unit is written ``Label: value`` for a field other than title or author."""
    found = read_label(unit.text)
    return found is not None and found.field not in ("title", "authors")


def _title(unit: Unit, meta: Meta, log: RescueLog, out: Assembled) -> None:
    found = read_title(unit.text)
    _rest_kept(unit, [found.title, found.author or ""], "title", log)
    if found.author and not meta.authors:
        meta.add_author(found.author)
        out.author_units.append(unit.index)
    meta.set_title(found.title)
    out.title_units.append(unit.index)


def _best_title(units: list[Unit], labels: tuple[str, ...], labelling: Labelling) -> int | None:
    """The front's title unit: of the units labelled title (or written ``Title: X``), the one
    the labeller is surest of; the others are kept as notes (alternate titles, series)."""
    best: int | None = None
    best_p = -1.0
    for i, (unit, label) in enumerate(zip(units, labels, strict=True)):
        if unit.is_gap:
            continue
        labelled = read_label(unit.text.strip())
        explicit = labelled is not None and labelled.field == "title" and bool(labelled.value)
        if label == "title" or explicit:
            p = labelling.marginals[unit.index].get("title", 0.0) + (1.0 if explicit else 0.0)
            if p > best_p:
                best, best_p = i, p
    return best


def _byline(unit: Unit, meta: Meta, log: RescueLog, out: Assembled) -> None:
    """Take the authors a byline names; a byline that names nobody is kept as a note."""
    found = read_byline(unit.text)
    emails = _EMAIL.findall(unit.text) or _EMAIL.findall(unit.source.attrs.get("hrefs", ""))
    if emails and not meta.feedback:
        meta.feedback = emails[0]
    before = len(meta.authors)
    for name in found.names:
        meta.add_author(name)
    if len(meta.authors) > before:
        out.author_units.append(unit.index)
        _rest_kept(unit, [*found.names, *emails], "byline", log)
    else:
        log.note("header", "byline with no name read from it", unit.text)


_BYLINE_WORDS = frozenset({"by", "written", "author", "authors", "and", "c", "copyright"})


def _rest_kept(unit: Unit, taken: list[str], what: str, log: RescueLog) -> None:
    """A line a field was cut from is kept as a diagnostic when words are left over."""
    kept = {w.lower() for w in _WORD.findall(" ".join(taken))} | _BYLINE_WORDS
    if any(w.lower() not in kept for w in _WORD.findall(unit.text)):
        log.note(what, f"the {what} line a field was read from, as written", unit.text)


def _best_byline(
    units: list[Unit], labels: tuple[str, ...], labelling: Labelling
) -> tuple[int | None, Byline]:
    """The unit whose names are the authors: of the byline units, the one that names the
    author most plainly (``Author: X``, then ``by X``, a notice, a bare name), the labeller's
    surer one between equals. ``by`` alone on a line gives the next line its strength."""
    best: tuple[int, float] = (0, -1.0)
    chosen: tuple[int | None, Byline] = (None, Byline((), 0))
    alone = False
    for i, (unit, label) in enumerate(zip(units, labels, strict=True)):
        if unit.is_gap or label != "byline":
            continue
        if BY_ALONE.match(unit.text.strip()):
            alone = True
            continue
        found = read_byline(unit.text)
        if alone and found.names:
            found = Byline(found.names, max(found.strength, BY))
        alone = False
        rank = (found.strength, labelling.marginals[unit.index].get("byline", 0.0))
        if found.names and rank > best:
            best, chosen = rank, (i, found)
    return chosen


def _field(unit: Unit, meta: Meta, pending: str | None) -> str | None:
    """A header field line, or the continuation of the one before; the field still open."""
    text = unit.text.strip()
    labelled = read_label(text)
    if labelled is not None:
        meta.assign(labelled.field, value_html(unit.html), labelled.label)
        return labelled.field
    if pending is not None and pending not in ("title", "author", "rating"):
        meta.append(pending, _whole(unit))
        return pending
    meta.notes_beginning.append(_whole(unit))
    return None


def _disclaimer(unit: Unit, meta: Meta) -> None:
    labelled = read_label(unit.text.strip())
    if labelled is not None and labelled.field == "disclaimer":
        if labelled.value:
            meta.append("disclaimer", labelled.value)
        return
    meta.append("disclaimer", _whole(unit))


def _note(unit: Unit, meta: Meta, *, beginning: bool) -> None:
    labelled = read_label(unit.text.strip())
    if labelled is not None and labelled.field not in ("notes", "title", "author"):
        meta.assign(labelled.field, labelled.value, labelled.label)
        return
    (meta.notes_beginning if beginning else meta.notes_end).append(_whole(unit))


def _epigraph(units: list[Unit], position: str, out: Assembled, log: RescueLog) -> None:
    lines = [u.html for u in units if u.text.strip()]
    if not lines:
        return
    author, work = attribution_of(html_to_text(lines[-1]).strip())
    quote = lines[:-1] if author and len(lines) > 1 else lines
    if quote is lines:
        author, work = None, None
    out.epigraphs.append(Epigraph("<br>".join(quote), author, work, position))  # type: ignore[arg-type]
    log.note("epigraph", f"quotation set as an epigraph at the {position}", author)


# -- the story ----------------------------------------------------------------------------
def _story(
    units: list[Unit],
    labels: tuple[str, ...],
    first: int,
    last: int,
    meta: Meta,
    log: RescueLog,
    out: Assembled,
) -> list[Chapter]:
    chapters: list[tuple[str | None, list[list[str]]]] = [(None, [[]])]
    heading: list[str] = []
    previous_block = -1
    cut: list[tuple[list[list[str]], int, int]] = []
    for i in range(first, last + 1):
        unit, label = units[i], labels[i]
        sections = chapters[-1][1]
        if label == "chapter" and not unit.is_gap:
            heading.append(" ".join(unit.text.split()))
            out.chapter_units.append(i)
            continue
        if heading:
            chapters.append((_heading_title(heading), [[]]))
            sections = chapters[-1][1]
            heading = []
        if label == "break":
            if sections[-1]:
                sections.append([])
                out.break_units.append(i)
            if not unit.is_gap and unit.text.strip() and not is_divider_text(unit.text):
                log.note("scene-break", "words read as a scene break, as written", unit.text)
            continue
        if unit.is_gap:
            continue
        if label != "body":
            _inside(unit, label, meta, log, out)
            continue
        if unit.block == previous_block and unit.part > 0 and sections[-1]:
            sections[-1][-1] += "<br>" + unit.html  # the next line of the same block
        else:
            sections[-1].append(unit.html)
            if unit.parts > 1:  # lines of a block: the story may hold only some of them
                cut.append((sections, len(sections) - 1, len(sections[-1]) - 1))
        previous_block = unit.block
    if heading:
        chapters.append((_heading_title(heading), [[]]))
    for held, s, p in cut:  # a paragraph made of some lines of a block has its tags closed
        held[s][p] = clean_fragment(held[s][p]).strip()
    return _chapters(chapters)


def _heading_title(lines: list[str]) -> str:
    title = lines[0]
    for line in lines[1:]:
        title = f"{title}{'' if title.endswith((':', '-', '—')) else ':'} {line}"
    return title


def _inside(unit: Unit, label: str, meta: Meta, log: RescueLog, out: Assembled) -> None:
    """A unit inside the story that the labeller says is not story: a title or byline the
    header did not give (after a cold open) is taken; the rest are kept in diagnostics."""
    if label == "title" and meta.title is None:
        _title(unit, meta, log, out)
        log.note("header", "the title stands after the story's opening", unit.text)
    elif label == "byline" and not meta.authors:
        _byline(unit, meta, log, out)
        log.note("header", "the byline stands after the story's opening", unit.text)
    elif label == "furniture":
        log.note("boilerplate", "page furniture inside the story", unit.text or unit.html)
    elif label == "end":
        log.note("end-mark", "an end mark with more story after it", unit.text)
    else:
        log.note("between-parts", f"{label} between parts of the story, kept here", unit.text)


def _chapters(raw: list[tuple[str | None, list[list[str]]]]) -> list[Chapter]:
    result = []
    for title, sections in raw:
        kept = tuple(Section(tuple(s)) for s in sections if s)
        if kept or title:
            result.append(Chapter(title, kept or (Section(()),)))
    if result and result[0].title is None and len(result) > 1 and not result[0].paragraphs:
        result = result[1:]
    return result or [Chapter(None, (Section(()),))]


# -- back ---------------------------------------------------------------------------------
def _back(
    units: list[Unit], labels: tuple[str, ...], meta: Meta, log: RescueLog, out: Assembled
) -> None:
    epigraph: list[Unit] = []
    for unit, label in zip(units, labels, strict=True):
        if unit.is_gap:
            continue
        if label != "epigraph" and epigraph:
            _epigraph(epigraph, "end", out, log)
            epigraph = []
        if label == "end" and meta.end_mark is None and canonical_end_mark(unit.text):
            meta.end_mark = canonical_end_mark(unit.text)
        elif label == "epigraph":
            epigraph.append(unit)
        elif label in ("furniture", "break") and _names_a_field(unit):
            _field(unit, meta, None)  # a journal's "Tags: fic, c:giles" under the post
        elif label == "furniture" or label == "break":
            log.note("boilerplate", "page furniture after the story", unit.text or unit.html)
        elif label == "disclaimer":
            _disclaimer(unit, meta)
        elif label == "byline" and not meta.authors:
            _byline(unit, meta, log, out)
        elif label == "title" and meta.title is None:
            _title(unit, meta, log, out)
        elif label == "field":
            _field(unit, meta, None)
        else:
            _end_note(unit, meta)
    if epigraph:
        _epigraph(epigraph, "end", out, log)


def _end_note(unit: Unit, meta: Meta) -> None:
    labelled = read_label(unit.text.strip())
    if labelled is not None and labelled.field in (
        "feedback",
        "archive_permission",
        "disclaimer",
        "tags",
    ):
        meta.assign(labelled.field, labelled.value, labelled.label)
        return
    text = unit.text
    emails = _EMAIL.findall(text) or _EMAIL.findall(unit.source.attrs.get("hrefs", ""))
    if emails and not meta.feedback:
        meta.feedback = emails[0]
    meta.notes_end.append(_whole(unit))
