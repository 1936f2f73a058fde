"""Ratings as old sites wrote them, mapped to the Archive of Our Own's five.

The mapping follows what Open Doors uses when it moves an old archive to AO3:
film ratings, FanFiction.net letters and the Fiction Ratings system all land on
the nearest AO3 rating; the original is kept as ``rating_source``.
"""

from __future__ import annotations

import re

GENERAL = "General Audiences"
TEEN = "Teen And Up Audiences"
MATURE = "Mature"
EXPLICIT = "Explicit"
NOT_RATED = "Not Rated"

_TABLE: dict[str, str] = {
    "g": GENERAL,
    "k": GENERAL,
    "k+": GENERAL,
    "pg": GENERAL,
    "frc": GENERAL,
    "frk": GENERAL,
    "u": GENERAL,
    "all ages": GENERAL,
    "general": GENERAL,
    "gen": GENERAL,
    "everyone": GENERAL,
    "general audiences": GENERAL,
    "e": GENERAL,
    "pg13": TEEN,
    "pg-13": TEEN,
    "pg 13": TEEN,
    "t": TEEN,
    "teen": TEEN,
    "frt": TEEN,
    "12": TEEN,
    "15": TEEN,
    "pg-15": TEEN,
    "pg15": TEEN,
    "teen and up audiences": TEEN,
    "teen and up": TEEN,
    "r": MATURE,
    "m": MATURE,
    "mature": MATURE,
    "frm": MATURE,
    "18": MATURE,
    "adult": EXPLICIT,
    "nc-17": EXPLICIT,
    "nc17": EXPLICIT,
    "nc 17": EXPLICIT,
    "nc-18": EXPLICIT,
    "nc-21": EXPLICIT,
    "x": EXPLICIT,
    "xxx": EXPLICIT,
    "ma": EXPLICIT,
    "frao": EXPLICIT,
    "explicit": EXPLICIT,
    "adults only": EXPLICIT,
    "r18": EXPLICIT,
    "r-18": EXPLICIT,
    "not rated": NOT_RATED,
    "unrated": NOT_RATED,
    "none": NOT_RATED,
}
_LEADING = re.compile(r"^\s*([A-Za-z]+(?:[- ]?\d+\+?)?\+?|\d+\+?)")


def map_rating(written: str) -> str:
    """AO3's rating for a rating as written on an old page.

    >>> map_rating("NC-17"), map_rating("PG-13 for language"), map_rating("R")
    ('Explicit', 'Teen And Up Audiences', 'Mature')
    """
    key = written.strip().strip(".;:()[]").lower()
    if key in _TABLE:
        return _TABLE[key]
    match = _LEADING.match(key)
    if match:
        head = match.group(1).lower()
        for candidate in (head, head.rstrip("+"), head.replace(" ", "-")):
            if candidate in _TABLE:
                return _TABLE[candidate]
    return NOT_RATED
