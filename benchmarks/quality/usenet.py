"""Gold for ``usenet-startrek``: the collection's own one-line descriptions.

Rule for *story or not* (documented in docs/quality.md):

1. A file whose description starts with some spelling of "Fan Fiction" (``Fan Fiction:``,
   ``FAN FICTION:``, ``FANFICTION:``, ``Fan Finction:``, with or without the colon) is a
   story.
2. A few files are fiction although the collection files them under another label
   (parodies, spec scripts, reposted stories); they were read one by one and are listed
   in `FICTION_BY_READING` with the reason.  They count as stories.
3. Two files are genuinely ambiguous and are left out of the story-or-not score
   (`AMBIGUOUS`).
4. Every other described file (reviews, lists, FAQs, guides, interviews, songs, quizzes,
   news letters, terminal animations) is not a story.  Files without a description
   (``index.html``) are not scored.

Title and author gold come from the description: ``TITLE, by AUTHOR (DATE)``; ``, by`` is
preferred over a bare `` by `` (``Baptism by Fire, by Mark Kinney``), ``from`` is accepted
(``Five Star Trek, from Matthew C. Melmon``), trailing dates and years are dropped, and
``&``/``and`` split several authors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from benchmarks.quality.corpus import USENET, corpus_dir, usenet_descs

FAN_FICTION_PREFIX = re.compile(r"^fan\s*fi\w*ction\b\s*:?\s*", re.IGNORECASE)

#: Fiction that the collection describes without the "Fan Fiction" label.
FICTION_BY_READING: dict[str, str] = {
    "amiga2.txt": "AmigaTrek parody episode posted to Usenet",
    "awakenin": "TNG spec script by Steven Grimm, with a change list",
    "backtoth": "TNG parody (Back to the Future crossover)",
    "bartreki": "Bar Trek II, same parody series the collection files as Fan Fiction",
    "bartrekw": "Bar Trek parody episode",
    "biffsbra": "BIFF parody story",
    "bizarret": "Bizarre Trek part 2, parody script",
    "chainofc": "rejected TNG spec script, fan-written",
    "ds9_paro": "BIFF parody story (DS9)",
    "ds9thefi": "Hack-Man's DS9 parody",
    "dunethen": "Dune/TNG crossover story",
    "dwarftre": "Red Dwarf/TNG parody",
    "emailent": "Star Trek V email parody story",
    "hhgtrek1.txt": "Hitchhiker's Guide/TNG parody script",
    "hitcborg.txt": "Hitchhiker's Guide/Borg story (also filed as borg.txt, Fan Fiction)",
    "hitcborgf.txt": "full version of the same story, author's letter in front",
    "kirk&gra.txt": "Kirk and the Holy Grail parody scene",
    "leastgen.stt": "The Least Generation, parody",
    "nxtnxtgn.stt": "The Next NeXT Generation, parody",
    "pow_srch.stt": "In Search of Power, computer parody story",
    "st-isop.txt": "In Search of Power, another copy",
    "thewitne": "The Witness, a story repost",
    "trekscip.hum": "Trek Classic meets New Trek, parody story",
    "w95_trek.txt": "Windows 95 parody story",
}

#: Neither clearly a story nor clearly not: left out of the story-or-not score.
AMBIGUOUS: dict[str, str] = {
    "bartrekt": "a 26-line promo for a parody episode",
    "st-satnl.txt": "transcript of a broadcast Saturday Night Live sketch, not fan-written",
}

_DATE_TAIL = re.compile(
    r"[\s,]*(?:\((?:[^()]*?\b)?(?:1[89]|20)\d\d\)|\(?(?:1[89]|20)\d\d\)?|"
    r"\((?:[A-Z][a-z]+\.?\s+\d{1,2}\w*)\))\s*$"
)

_LABEL = re.compile(r"^(?:script|parody)\s*:\s*", re.IGNORECASE)
_PAREN_TAIL = re.compile(r"\s*\([^()]*\)\s*$")


@dataclass(frozen=True)
class UsenetGold:
    name: str
    description: str
    is_story: bool | None  # None: ambiguous, not scored
    title: str | None
    authors: tuple[str, ...]


def _strip_tail(text: str) -> str:
    previous = None
    while previous != text:
        previous = text
        text = _DATE_TAIL.sub("", text).strip(" ,;:")
    return text


def parse_description(desc: str) -> tuple[str | None, tuple[str, ...]]:
    """``Fan Fiction: A Cruel Universe, by Tanya Dean (1993)`` -> title and authors."""
    rest = FAN_FICTION_PREFIX.sub("", desc).strip()
    match = re.search(r"^(.*),\s*(?:by|from)\s+(.+)$", rest, re.IGNORECASE)
    match = match or re.search(r"^(.*\S)\s+(?:by|from)\s+(.+)$", rest, re.IGNORECASE)
    title, author = (match.group(1), match.group(2)) if match else (rest, "")
    title = _LABEL.sub("", _strip_tail(title)).strip().strip('"').strip()
    author = _PAREN_TAIL.sub("", _strip_tail(author)).strip(" ,")
    authors = tuple(a.strip() for a in re.split(r"\s+(?:&|and)\s+", author) if a.strip())
    return (title or None), authors


def gold_for(name: str, desc: str) -> UsenetGold:
    if name in AMBIGUOUS:
        is_story: bool | None = None
    else:
        is_story = bool(FAN_FICTION_PREFIX.match(desc)) or name in FICTION_BY_READING
    title, authors = parse_description(desc) if is_story else (None, ())
    return UsenetGold(name, desc, is_story, title, authors)


def usenet_gold() -> list[UsenetGold]:
    return [gold_for(name, desc) for name, desc in sorted(usenet_descs().items())]


def usenet_path(name: str) -> Path:
    return corpus_dir() / USENET / name
