"""Complete or in progress, as sites say it: ``Status: Complete``, ``WIP``,
``In-Progress`` (FanFicFare), ``Chapters: 3/?`` (AO3), eFiction's ``completed`` flag."""

from __future__ import annotations

import re

_DONE = re.compile(r"^(?:complete[d]?|finished|done|yes|y|1|true|oneshot|one[- ]shot|fin)\b", re.I)
_GOING = re.compile(
    r"^(?:wip|w\.i\.p\.?|in[- ]progress|incomplete|ongoing|on[- ]going|unfinished|"
    r"not\s+complete[d]?|abandoned|hiatus|on\s+hiatus|no|n|0|false|to\s+be\s+continued|tbc)\b",
    re.I,
)
_CHAPTERS = re.compile(r"^\s*(\d+)\s*/\s*(\d+|\?)\s*$")


def parse_status(text: str) -> bool | None:
    """True for complete, False for in progress, None when the text says neither.

    >>> parse_status("Completed"), parse_status("In-Progress"), parse_status("WIP")
    (True, False, False)
    >>> parse_status("3/3"), parse_status("3/?"), parse_status("2/5"), parse_status("soon")
    (True, False, False, None)
    """
    value = text.strip(" .!")
    chapters = _CHAPTERS.match(value)
    if chapters:
        done, total = chapters.groups()
        return total != "?" and int(done) >= int(total)
    if _GOING.match(value):
        return False
    if _DONE.match(value):
        return True
    return None
