"""What you get without ficarchive: the two baselines measured in the same run.

``ftfy alone``
    Decode the bytes naively (the declared ``charset`` if there is one, else UTF-8 with
    ``errors="replace"``), run `ftfy.fix_text`, strip tags crudely, and take every word
    of the page as the body.  ftfy runs with its defaults except ``uncurl_quotes=False``:
    straightening correct curly quotes is a style choice, not a repair, and would cost
    the baseline a word in ten for no reason the gate is about.
``Label: value``
    An AO3-style header reader: lines ``Title:``, ``Author:``, ``Rating:`` and
    ``Pairing:`` (exactly those labels) in the crudely stripped text, first one wins;
    the rating value is mapped by `BASELINE_RATINGS`.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import ftfy

_CHARSET = re.compile(rb"""charset\s*=\s*["']?([\w.:-]+)""", re.IGNORECASE)
_BLOCK_TAG = re.compile(
    r"<\s*(?:br|/?p|/?div|/?center|/?tr|/?td|/?table|/?h\d|/?li|/?title|hr)\b[^>]*>",
    re.IGNORECASE,
)
_TAG = re.compile(r"<[^>]*>")
_LABEL_LINE = re.compile(
    r"^[ \t]*(title|author|rating|pairing)[ \t]*:[ \t]*(\S.*?)\s*$", re.I | re.M
)

#: Written rating -> AO3 rating, the common convention (first match on the value's start).
BASELINE_RATINGS = (
    (re.compile(r"^(?:nc-?17|x|adult|explicit|ma)\b", re.I), "Explicit"),
    (re.compile(r"^(?:r|m|mature)\b", re.I), "Mature"),
    (re.compile(r"^(?:pg-?13|pg13|t|teen)\b", re.I), "Teen And Up Audiences"),
    (re.compile(r"^(?:g|pg|k\+?|gen(?:eral)?|all ages)\b", re.I), "General Audiences"),
)


def naive_decode(data: bytes) -> str:
    """The declared charset if the bytes declare one, else UTF-8; never fails."""
    match = _CHARSET.search(data[:4096])
    if match:
        try:
            return data.decode(match.group(1).decode("ascii"), errors="replace")
        except LookupError:
            pass
    return data.decode("utf-8", errors="replace")


def crude_text(text: str) -> str:
    """Tags out, block tags to line breaks, entities decoded."""
    return html.unescape(_TAG.sub("", _BLOCK_TAG.sub("\n", text)))


def ftfy_alone(data: bytes) -> str:
    """The ftfy-alone baseline's whole text for some bytes."""
    fixed = ftfy.fix_text(naive_decode(data), uncurl_quotes=False)
    return crude_text(fixed)


def ftfy_words(data: bytes) -> list[str]:
    return ftfy_alone(data).split()


@dataclass(frozen=True)
class LabelHeader:
    title: str | None
    author: str | None
    rating: str
    pairing: str | None


def baseline_rating(value: str | None) -> str:
    for pattern, rating in BASELINE_RATINGS:
        if value and pattern.match(value.strip()):
            return rating
    return "Not Rated"


def label_header(text: str) -> LabelHeader:
    """Read ``Label: value`` lines, first of each label wins."""
    found: dict[str, str] = {}
    for match in _LABEL_LINE.finditer(text):
        found.setdefault(match.group(1).lower(), match.group(2))
    return LabelHeader(
        found.get("title"),
        found.get("author"),
        baseline_rating(found.get("rating")),
        found.get("pairing"),
    )
