"""Epigraphs' attribution lines (``--Tori Amos, "Bells For Her"``): who said it, and where.

The labeller decides which units are an epigraph; this reads the attribution of one.
"""

from __future__ import annotations

import re

MAX_ATTRIBUTION_WORDS = 14

_ATTRIBUTION = re.compile(r"^\s*(?:--+|—|–|~+|-)\s*(?P<who>\S.*)$")
# issue 13: catastrophic on long runs of spaces; the same matches (checked with Hypothesis),
# with the author never ending inside a run of spaces and the spaces taken whole.
_WORK = re.compile(
    r"^(?P<author>[^,\"“”]+?)(?:(?<!\s)|(?!\s)|(?<=^.))(?:\s*+[,:]|\s++[-–](?=\s)|)\s*+"
    r"[\"“](?P<work>[^\"”]+)[\"”]\s*+(?:\((?P<year>[^)]*)\))?\s*+$"
)
_WORK_PLAIN = re.compile(r"^(?P<author>[^,]+?),\s*(?P<work>.+)$")


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
