"""What the page says about itself outside the story: ``<title>``, Subject:, From:.

Used only where the story's own header is silent (or wrote its title in capitals),
and every use is a recorded guess.
"""

from __future__ import annotations

import re

from ficarchive.rescue.blocks.html import HtmlHints
from ficarchive.rescue.blocks.mail import MailHints, clean_subject
from ficarchive.rescue.log import RescueLog
from ficarchive.rescue.structure.meta import Meta
from ficarchive.rescue.structure.names import names_in
from ficarchive.rescue.structure.title import read_title
from ficarchive.rescue.words import looks_like_name

Hints = HtmlHints | MailHints | None

_GENERIC = re.compile(
    r"^(?:untitled(?:\s+document)?|new\s+page\s*\d*|index|home|document|fiction|fan\s*fic(?:tion)?|"
    r"stories|story|new\s+story|page\s*\d*|welcome|no\s+title|title|\d+)$",
    re.I,
)
_SITE_WORDS = re.compile(
    r"\b(?:fiction|stories|archive|fanfic|home|page|site|library|"
    r"collection|'s\s+(?:place|lair|den|corner|page|fic))\b",
    re.I,
)
_SITE_PREFIX = re.compile(r"^([^:]{2,40}):\s+(.+)$")
_SEPARATORS = re.compile(r"\s+(?:[-|:~»·]|::|--)\s+")
# issue 13: catastrophic on long runs of spaces; the same matches (checked with Hypothesis),
# with the title never ending inside a run of spaces and the spaces taken whole.
_TITLE_BY = re.compile(
    r"^(?P<title>.+?)(?:(?<!\s)|(?!\s)|(?<=^.))(?:\s*+,\s++|\s++)by\s+(?P<name>[^,()]{2,60})$",
    re.I,
)
_BRACKETS = re.compile(r"\s*\[[^\]]*\]?\s*$|\s*\((?:repost|re-?post|rev(?:ised)?)[^)]*\)", re.I)
_QUOTED = re.compile(r"[\"“]([^\"”]{2,80})[\"”]")
_SMALL = frozenset(
    [
        "a",
        "an",
        "and",
        "as",
        "at",
        "but",
        "by",
        "for",
        "from",
        "in",
        "into",
        "nor",
        "of",
        "on",
        "or",
        "over",
        "the",
        "to",
        "up",
        "with",
    ]
)


def apply_hints(meta: Meta, hints: Hints, log: RescueLog) -> None:
    if isinstance(hints, HtmlHints):
        _from_page_title(meta, hints.title)
        if not meta.authors and hints.meta.get("author"):
            meta.add_author(hints.meta["author"])
            meta.guesses.append("author taken from the page's author meta tag")
    elif isinstance(hints, MailHints):
        meta.subject = hints.subject
        if hints.subject:
            _from_subject(meta, hints.subject)
        if not meta.authors and hints.sender and names_in(hints.sender):
            for name in names_in(hints.sender):
                meta.add_author(name)
            meta.guesses.append("author taken from the From: header")
    if meta.title and meta.title.isupper() and len(meta.title) > 3:
        meta.title = title_case(meta.title)
        meta.guesses.append("title written in capitals; set in title case")
    del log


def title_case(text: str) -> str:
    """Title case for a title written in capitals.

    >>> title_case("A GUL'S REVENGE"), title_case("THE END OF THE WORLD")
    ("A Gul's Revenge", 'The End of the World')
    """
    words = text.lower().split()
    out = []
    for i, word in enumerate(words):
        if i and word in _SMALL:
            out.append(word)
        else:
            out.append(word[:1].upper() + word[1:])
    return " ".join(out)


def _from_page_title(meta: Meta, page_title: str | None) -> None:
    if not page_title or _GENERIC.match(page_title.strip()):
        return
    candidate = page_title.strip()
    match = _TITLE_BY.match(candidate)
    if match and looks_like_name(match.group("name")):
        candidate = match.group("title")
        if not meta.authors:
            meta.add_author(match.group("name"))
            meta.guesses.append("author taken from the page <title>")
    site = _SITE_PREFIX.match(candidate)
    if site and (_SITE_WORDS.search(site.group(1)) or " " not in site.group(1)):
        candidate = site.group(2)
    parts = [p for p in _SEPARATORS.split(candidate) if p.strip()]
    if len(parts) > 1:
        story_parts = [p for p in parts if not _SITE_WORDS.search(p) and not _GENERIC.match(p)]
        candidate = story_parts[-1] if story_parts else parts[-1]
    _offer_title(meta, candidate, "the page <title>")


def _from_subject(meta: Meta, subject: str) -> None:
    cleaned = clean_subject(subject)
    cleaned = _BRACKETS.sub("", cleaned).strip()
    quoted = _QUOTED.search(cleaned)
    match = _TITLE_BY.match(cleaned)
    if match and not looks_like_name(match.group("name")):
        match = None
    if quoted:
        cleaned = quoted.group(1)
    elif match:
        cleaned = clean_subject(match.group("title"))
        if not meta.authors:
            meta.add_author(match.group("name"))
            meta.guesses.append("author taken from the Subject: line")
    if not _GENERIC.match(cleaned):
        _offer_title(meta, cleaned, "the Subject: line")


def _offer_title(meta: Meta, candidate: str, where: str) -> None:
    candidate = read_title(candidate.strip().strip('"“”').strip()).title
    if not candidate:
        return
    if meta.title is None:
        meta.set_title(candidate)
        meta.guesses.append(f"title taken from {where}")
    elif meta.title.isupper() and candidate.casefold() == meta.title.casefold():
        meta.title = candidate
