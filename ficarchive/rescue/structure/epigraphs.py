"""Epigraphs: quoted verse or lyrics with an attribution, at either end of the story.

A quotation is an epigraph only at the very beginning or the very end, and only with
an attribution line (``--Tori Amos, "Bells For Her"``); a song sung inside the story
stays in the story.
"""

from __future__ import annotations

import re

from ficarchive.rescue.blocks.block import Block, html_to_text, split_html_lines
from ficarchive.rescue.log import RescueLog
from ficarchive.work import Epigraph, Position

# An epigraph is short: a verse or two, not a scene.
MAX_EPIGRAPH_WORDS = 160
MAX_ATTRIBUTION_WORDS = 14

_ATTRIBUTION = re.compile(r"^\s*(?:--+|—|–|~+|-)\s*(?P<who>\S.*)$")
# issue 13: catastrophic on long runs of spaces; the same matches (checked with Hypothesis),
# with the author never ending inside a run of spaces and the spaces taken whole.
_WORK = re.compile(
    r"^(?P<author>[^,\"“”]+?)(?:(?<!\s)|(?!\s)|(?<=^.))(?:\s*+[,:]|\s++[-–](?=\s)|)\s*+"
    r"[\"“](?P<work>[^\"”]+)[\"”]\s*+(?:\((?P<year>[^)]*)\))?\s*+$"
)
_WORK_PLAIN = re.compile(r"^(?P<author>[^,]+?),\s*(?P<work>.+)$")


def extract(body: list[Block], log: RescueLog) -> tuple[list[Block], list[Epigraph]]:
    epigraphs: list[Epigraph] = []
    found = _at(body, 0, "beginning")
    if found:
        taken, epigraph = found
        epigraphs.append(epigraph)
        body = body[taken:]
        log.note(
            "epigraph",
            "quotation with attribution at the start set as an epigraph",
            epigraph.author,
        )
    found = _at(body, len(body), "end")
    if found:
        taken, epigraph = found
        epigraphs.append(epigraph)
        body = body[: len(body) - taken]
        log.note(
            "epigraph", "quotation with attribution at the end set as an epigraph", epigraph.author
        )
    return body, epigraphs


def _at(body: list[Block], edge: int, position: Position) -> tuple[int, Epigraph] | None:
    """An epigraph of one or two blocks at the start (edge 0) or end (edge len)."""
    if len(body) < 3:
        return None
    candidates = body[:3] if position == "beginning" else body[-3:]
    for size in (1, 2):
        group = candidates[:size] if position == "beginning" else candidates[-size:]
        if any(b.kind != "para" for b in group):
            continue
        epigraph = _read(group, position)
        if epigraph:
            return size, epigraph
    return None


def _read(group: list[Block], position: Position) -> Epigraph | None:
    lines = [line for b in group for line in split_html_lines(b.html) if line]
    if len(lines) < 2:
        return None
    who = _attribution(html_to_text(lines[-1]).strip())
    if who is None:
        return None
    quote = lines[:-1]
    words = sum(len(html_to_text(line).split()) for line in quote)
    if words > MAX_EPIGRAPH_WORDS:
        return None
    if len(group) == 2 and len(split_html_lines(group[1].html)) > 1:
        return None
    first = group[0]
    quoted = html_to_text(quote[0]).lstrip()[:1] in "\"“'‘"
    if len(quote) < 2 and not (first.emphasis or first.centered or quoted):
        return None
    author, work = _who(who)
    return Epigraph("<br>".join(quote), author, work, position)


def _attribution(line: str) -> str | None:
    match = _ATTRIBUTION.match(line)
    if not match:
        return None
    who = match.group("who").strip()
    words = who.split()
    if not words or len(words) > MAX_ATTRIBUTION_WORDS or who.endswith(("?", "!")):
        return None
    if not (who[0].isupper() or who[0] in '"“'):
        return None
    return who


def _who(who: str) -> tuple[str | None, str | None]:
    """Author and work of an attribution line.

    >>> _who('Tori Amos, "Bells For Her"')
    ('Tori Amos', 'Bells For Her')
    >>> _who('Shakespeare')
    ('Shakespeare', None)
    """
    match = _WORK.match(who)
    if match:
        return match.group("author").strip() or None, match.group("work").strip()
    match = _WORK_PLAIN.match(who)
    if match:
        return match.group("author").strip(), match.group("work").strip()
    return who.strip(), None


def attribution_of(line: str) -> tuple[str | None, str | None]:
    """Author and work of an epigraph's attribution line (``--Tori Amos, "Bells For Her"``),
    or (None, None) when the line is not one."""
    who = _attribution(line)
    return _who(who) if who is not None else (None, None)
