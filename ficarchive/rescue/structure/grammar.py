"""The labels made to fit the shape every file has: front matter, the story, back matter.

The chain labeller sees a unit and its near neighbours, so on a file unlike its training
it can lose its place: stay in "epigraph" for the rest of a story after a lost break, read
the last paragraph of a story with no footer as back matter, or a paragraph as a heading.
`story_grammar` holds the labels to what any file's parts are: a paragraph of prose is
never a heading, a break or an end mark; a story does not begin with a header line;
between its first and last paragraph a line that is only a divider is a scene break and
nothing is back matter; an epigraph is a quotation, not a scene; and every file read has
a story.

A rule stays only while it costs nothing on the real collections (the quality gate):
rules that mended our small hand-written cases by moving prose between the story and its
notes cost up to 20 points of body start on real files, and went.
"""

from __future__ import annotations

import re

from ficarchive.rescue.structure.dividers import is_divider_text
from ficarchive.rescue.structure.features import SHORT_WORDS
from ficarchive.rescue.structure.labels import read_label
from ficarchive.rescue.structure.sections import chapter_heading_text
from ficarchive.rescue.structure.units import Unit

# A run of epigraph or disclaimer labels longer than this many words is story: a
# quotation set before a story, or the owners' names and a promise of no profit, is
# not a scene.
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
    if body:  # "Part 1: Dusk" just before the story is its first chapter's heading
        _first_heading(out, units, body[0])
    while body and _is_divider(units[body[-1]]):  # a rule under the story closes it
        out[body.pop()] = "furniture"
    while body and _is_divider(units[body[0]]):
        out[body.pop(0)] = "furniture"
    if body:
        _inside_the_story(out, units, body[0], body[-1])
    return _epigraphs_bounded(out, units)


def _first_heading(out: list[str], units: list[Unit], first: int) -> None:
    i = first - 1
    while i >= 0 and units[i].is_gap:
        i -= 1
    if i >= 0 and out[i] in ("furniture", "note", "title") and _heading(units[i]):
        out[i] = "chapter"


def _heading(unit: Unit) -> bool:
    return unit.words <= SHORT_WORDS and chapter_heading_text(unit.text, set_apart=False)


def _inside_the_story(out: list[str], units: list[Unit], first: int, last: int) -> None:
    """Between the story's first and last paragraph: a divider line is a scene break and
    nothing is back matter."""
    for i in range(first + 1, last):
        if out[i] in ("body", "furniture", "back", "chapter") and _is_divider(units[i]):
            out[i] = "break"
        elif out[i] == "back":
            out[i] = "body"


def _prose_misread(name: str, unit: Unit) -> bool:
    """A paragraph of prose labelled as a line set apart: a heading, a break, an end mark."""
    return name in LINE_LABELS and _is_prose(unit)


def _header_line(unit: Unit) -> bool:
    return unit.words <= SHORT_WORDS and read_label(unit.text) is not None


def _longest_prose_run(labels: list[str], units: list[Unit]) -> slice:
    """The longest run of prose units not labelled title, byline or field."""
    best, start = slice(0, 0), None
    for i, unit in enumerate([*units, None]):
        fits = unit is not None and (
            unit.is_gap or (_is_prose(unit) and _not_header(labels[i], unit))
        )
        if fits and start is None:
            start = i
        elif not fits and start is not None:
            if i - start > best.stop - best.start:
                best = slice(start, i)
            start = None
    return best


def _not_header(name: str, unit: Unit) -> bool:
    """Not a header line: a paragraph labelled field that names no field and begins a
    block of its own is not one either."""
    if name == "field":
        return unit.part == 0 and read_label(unit.text) is None
    return name not in ("title", "byline")


def _is_prose(unit: Unit) -> bool:
    """A paragraph of prose: longer than a short line, or a sentence of six words or more."""
    if unit.is_gap:
        return False
    sentence = unit.words >= 6 and bool(_SENTENCE_END.search(unit.text))
    return unit.words > SHORT_WORDS or sentence


def _is_divider(unit: Unit) -> bool:
    return not unit.is_gap and unit.words <= SHORT_WORDS and is_divider_text(unit.text)


def _epigraphs_bounded(labels: list[str], units: list[Unit]) -> tuple[str, ...]:
    """Every run of epigraph (or disclaimer) units longer than `EPIGRAPH_MAX_WORDS` read
    as body."""
    out = list(labels)
    i = 0
    while i < len(out):
        if out[i] not in ("epigraph", "disclaimer"):
            i += 1
            continue
        end = i
        while end < len(out) and out[end] == out[i]:
            end += 1
        if sum(u.words for u in units[i:end]) > EPIGRAPH_MAX_WORDS:
            out[i:end] = ["body"] * (end - i)
        i = end
    return tuple(out)
