"""The labels made to fit the shape every file has: front matter, the story, back matter.

The chain labeller sees a unit and its near neighbours, so on a file unlike its training
it can lose its place: stay in "epigraph" for the rest of a story after a lost break, read
the last paragraph of a story with no footer as back matter, or a paragraph as a heading.
`story_grammar` holds the labels to what any file's parts are: a paragraph of prose is
never a heading, a break or an end mark; a story does not begin with a header line; the
story's own prose at either edge is story; between its first and last paragraph a line
that is only a divider is a scene break and nothing is back matter; an epigraph is a
quotation, not a scene; and every file read has a story.
"""

from __future__ import annotations

import re

from ficarchive.rescue.structure.dividers import is_divider_text
from ficarchive.rescue.structure.features import SHORT_WORDS, author_talk
from ficarchive.rescue.structure.labels import read_label
from ficarchive.rescue.structure.units import Unit

# A run of epigraph labels longer than this many words is story.
EPIGRAPH_MAX_WORDS = 250
# Labels of a line set apart, never of a paragraph of prose.
LINE_LABELS = frozenset({"chapter", "break", "end"})
_SENTENCE_END = re.compile(r"[a-z][.!?][\"'”’)]*(?:\s|$)")


def story_grammar(labels: list[str], units: list[Unit]) -> tuple[str, ...]:
    """`labels` (one per unit) made to fit front matter, story, back matter."""
    out = ["body" if _prose_misread(n, u) else n for n, u in zip(labels, units, strict=True)]
    body = [i for i, name in enumerate(out) if name == "body"]
    while body and _header_line(units[body[0]]):  # a story does not begin "Rating: PG"
        out[body.pop(0)] = "field"
    if not body:  # every file read has a story; take its longest run of prose
        run = _longest_prose_run(out, units)
        out[run] = ["body"] * len(out[run])
        body = [i for i, name in enumerate(out) if name == "body"]
    if body:
        first, last = _story_edges(out, units, body[0], body[-1])
        _inside_the_story(out, units, first, last)
    return _epigraphs_bounded(out, units)


def _story_edges(out: list[str], units: list[Unit], first: int, last: int) -> tuple[int, int]:
    """The story widened over its own prose labelled as a note before it or back matter
    after it (prose that says nothing about the story, its author or where to write)."""
    for i in range(last + 1, len(out)):
        if units[i].is_gap or _is_divider(units[i]):
            continue
        if out[i] != "back" or not _story_prose(units[i]):
            break
        out[i], last = "body", i
    for i in range(first - 1, -1, -1):
        if units[i].is_gap or _is_divider(units[i]):
            continue
        if out[i] != "note" or not _story_prose(units[i]):
            break
        out[i], first = "body", i
    return first, last


def _inside_the_story(out: list[str], units: list[Unit], first: int, last: int) -> None:
    """Between the story's first and last paragraph: a divider line is a scene break and
    nothing is back matter."""
    for i in range(first + 1, last):
        if out[i] in ("body", "furniture", "back") and _is_divider(units[i]):
            out[i] = "break"
        elif out[i] == "back":
            out[i] = "body"


def _prose_misread(name: str, unit: Unit) -> bool:
    """A paragraph of prose labelled as a line (a heading, a break, an end mark), or as a
    header field although it names no field and continues none."""
    if not _is_prose(unit):
        return False
    if name in LINE_LABELS:
        return True
    if name in ("title", "byline"):  # a line, or a line run on into the first sentence
        return unit.words > 2 * SHORT_WORDS and read_label(unit.text) is None
    return name == "field" and unit.parts == 1 and read_label(unit.text) is None


def _story_prose(unit: Unit) -> bool:
    """Prose that says nothing about the story, its author or where to write: not an end
    note."""
    text = unit.text
    return _is_prose(unit) and author_talk(text) == 0 and "@" not in text and "://" not in text


def _header_line(unit: Unit) -> bool:
    return unit.words <= SHORT_WORDS and read_label(unit.text) is not None


def _longest_prose_run(labels: list[str], units: list[Unit]) -> slice:
    """The longest run of prose units not labelled title, byline or field."""
    best, start = slice(0, 0), None
    for i, unit in enumerate([*units, None]):
        fits = unit is not None and (
            unit.is_gap or (_is_prose(unit) and labels[i] not in ("title", "byline", "field"))
        )
        if fits and start is None:
            start = i
        elif not fits and start is not None:
            if i - start > best.stop - best.start:
                best = slice(start, i)
            start = None
    return best


def _is_prose(unit: Unit) -> bool:
    """A paragraph of prose: longer than a short line, or a sentence of six words or more."""
    if unit.is_gap:
        return False
    sentence = unit.words >= 6 and bool(_SENTENCE_END.search(unit.text))
    return unit.words > SHORT_WORDS or sentence


def _is_divider(unit: Unit) -> bool:
    return not unit.is_gap and unit.words <= SHORT_WORDS and is_divider_text(unit.text)


def _epigraphs_bounded(labels: list[str], units: list[Unit]) -> tuple[str, ...]:
    """Every run of epigraph units longer than `EPIGRAPH_MAX_WORDS` read as body."""
    out = list(labels)
    i = 0
    while i < len(out):
        if out[i] != "epigraph":
            i += 1
            continue
        end = i
        while end < len(out) and out[end] == "epigraph":
            end += 1
        if sum(u.words for u in units[i:end]) > EPIGRAPH_MAX_WORDS:
            out[i:end] = ["body"] * (end - i)
        i = end
    return tuple(out)
