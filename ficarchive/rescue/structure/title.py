"""A title line read for the title it gives: the words of the title, and an author when
the line names one too.

Old title lines carry more than the title: a label (``Title:``), quotes, a byline
(``X by Name``, ``Here follows "X," by Name``), a part or chapter number
(``No Need for Changes: V``, ``Hotline! (4)``, ``Red Rose Drops PT4 - The Battle``), a
subtitle saying what kind of thing it is (``: A Hentai Fanfic by Name``), list tags
(``[C&C] [WFL] The Mihoshi Incident``) and a closing full stop. Each is taken off here.

>>> read_title('Here follows "The Hostess," by Steven Han')
TitleLine(title='The Hostess', author='Steven Han')
>>> read_title("No Need for Changes: V").title, read_title("Three girls abroad.").title
('No Need for Changes', 'Three girls abroad')
>>> read_title("[C&C] [WFL] The Mihoshi Incident, chapter 10")
TitleLine(title='The Mihoshi Incident', author=None)
>>> [read_title(t).title for t in ("GRADUATION (Pt. 1/10)", "Quantum Q May 28, 1994")]
['GRADUATION', 'Quantum Q']
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ficarchive.rescue.structure.labels import read_label
from ficarchive.rescue.words import looks_like_name

_QUOTED = re.compile(r"^[\"“'‘](?P<title>.+?)[,.]?[\"”'’]\s*$")
_HERE_FOLLOWS = re.compile(
    r"^(?:here\s+(?:follows|is|comes)|presenting|introducing)\s+[\"“](?P<title>.+?)[,.]?[\"”]"
    r"(?:\s*,?\s*by\s+(?P<name>.+?))?\s*\.?$",
    re.I,
)
_TITLE_BY = re.compile(
    r"^(?P<title>.{2,90}?),?\s+by[:,]?\s+(?P<name>[^,()]{2,60}?)\s*(?:\(.*\)|,\s+(?:a|an|the)\s.*|"
    r"\s+(?:(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s*)?'?\d{2,4})?\.?$",
    re.I,
)
# A title line longer than this ran on into the byline, the copyright and the notes (a
# header written as one paragraph): it is cut before the first of them.
LONG_TITLE_WORDS = 12
_RUN_ON = re.compile(
    r"\s*(?:[*(\[]\s*)?\b(?:disclaimer|dedicated|comments?\s+(?:are|welcome)|feedback|enjoy)\b|"
    r"(?<=[a-z0-9!?\"”'’)])[.!?]\s+(?=[A-Z])"
)
# Never part of a title, however short the line: a copyright notice.
_COPYRIGHT_TAIL = re.compile(
    r"\s*[*,(\[-]?\s*(?:copyright|copr\.|©|all\s+rights\s+reserved)\b.*$", re.I
)
# A title given in quotes after a show's name or a date ('STAR TREK: "Memento Mori" -
# REV. 8/7/93', '12/16/93 Deep Space Nine, "The Chip"(v#4)By Glen Johnson'), the quotes
# typed the old way too (``ST:TNG script: `The Ghosts of Yesteryear'``).
_QUOTED_IN = re.compile(
    r"^[^\"“`]{2,60}?[:,\-–—]\s*(?:[\"“](?P<title>[^\"”]{2,80})[\"”]|"
    r"`(?P<typed>[^`']{2,80})')\s*(?P<rest>.*)$"
)
_SPACED = re.compile(r"^(?:\S\s)+\S$")
_STORY_PREFIX = re.compile(
    r"^[\w/&'’ .-]{2,40}?\b(?:story|fic|fanfic|fan\s*fiction|tale|parody)\s*:\s*(?=\S)"
)
_NAME_AFTER = re.compile(r"^\W*by[:,]?\s+(?P<name>[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3})")
_KIND_BY = re.compile(
    r"(?:\s*[:,\-–—]\s*[Aa]n?|\s+An?)\s+(?:[\w'’:-]+\s+){0,6}(?i:fan\s*fic(?:tion)?|fic|story|"
    r"tale|novel|parody|poem|script)\b(?:\s+(?i:by)\s+(?P<name>[^,()]{2,60}?))?\s*\.?$",
)
# A subtitle that says what kind of thing the piece is, after a separator: taken off when
# one of these words comes within its first few words ("- an MSTing adventure!", ": MST #3",
# "(A Lemon)", ": Dragonballz / Tenchi crossover. The worlds collide...").
_KIND_WORD = re.compile(
    r"\b(?:mst\w*|crossover|x-?over|parody|lyrics|songfic|song\s*fic|fan\s*fic(?:tion)?|fic|"
    r"lemon|lime|hentai|one[- ]shot|drabble|ficlet|sequel|prequel|poem|filk)\b",
    re.I,
)
_SUBTITLE = re.compile(r"\s*(?:\s[-–—~]+\s*|[:(\[]|\s-|-\s|-(?=\w*mst))", re.I)
KIND_WITHIN_WORDS = 8
_NUMBER = r"(?:\d{1,3}[a-z]?|[ivxlc]{1,7}|one|two|three|four|five|six|seven|eight|nine|ten)"
_PART = re.compile(
    rf"\s*(?:(?:[:,;.\-–—]\s*|\s)\(?\s*(?:chapter|chap\.?|ch\.?|parts?|pt\.?|episode|ep\.?|book|"
    rf"volume|vol\.?)\s*(?:{_NUMBER}|[a-z])\b\s*\)?(?:\s*(?:of|/|-|–)\s*\d+)?\s*\)?|"
    rf"\s*\(\s*(?:[a-z]+\s+)?\d+\s*(?:/|of)\s*\d+\s*\)|"
    rf"\s*\(\s*{_NUMBER}\s*\)|(?:\s*:|\s+[\-–—]|[\-–—](?=\s))\s*{_NUMBER})\s*(?:[:\-–—\"“(].*)?$",
    re.I,
)
# A date the line was posted or revised on, after the title ('Quantum Q May 28, 1994',
# 'Dust - 12/16/93', 'Winter Tide (1996)').
_DATE_TAIL = re.compile(
    r"\s*[,\-–—]?\s*(?:(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+"
    r"\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}|\d{1,2}/\d{1,2}/\d{2,4}|\(\s*(?:19|20)\d\d\s*\))\s*$",
    re.I,
)
_TAGS = re.compile(r"^(?:\s*\[[^\]]{1,12}\])+\s*")
_CLOSING_STOP = re.compile(r"(?<![.\s][A-Z])(?<!\.)\.$")


@dataclass(frozen=True)
class TitleLine:
    title: str
    author: str | None = None


def _shortened(text: str) -> tuple[str, str | None]:
    """A run-on title line cut to its title, and the author it names just after."""
    author: str | None = None
    inside = _QUOTED_IN.match(text)
    if inside:
        after = _NAME_AFTER.match(inside.group("rest"))
        title = inside.group("title") or inside.group("typed")  # "X" or typed `X'
        return title, after.group("name") if after else None
    if _SPACED.match(text):
        return text.replace(" ", ""), None
    story = _STORY_PREFIX.match(text)
    if story:
        text = text[story.end() :]
    text = _COPYRIGHT_TAIL.sub("", text).strip() or text
    if len(text.split()) > LONG_TITLE_WORDS:
        cut = _RUN_ON.search(text, 3)
        if cut:
            text = text[: cut.start()].strip(" ,;:-")
    return text, author


def _without_kind_subtitle(text: str) -> str:
    """The title without a subtitle that only says what kind of piece it is."""
    for sep in _SUBTITLE.finditer(text):
        head, rest = text[: sep.start()].strip(), text[sep.end() :]
        if len(head.split()) >= 1 and len(head) >= 3:
            opening = " ".join(re.findall(r"[\w'-]+", rest)[:KIND_WITHIN_WORDS])
            if _KIND_WORD.search(opening):
                return head.rstrip(" :,-–—")
    return text


def read_title(line: str) -> TitleLine:
    """The title (and author) a title line gives; the line itself when nothing is taken off."""
    text = " ".join(line.split())
    author: str | None = None
    labelled = read_label(text)
    if labelled is not None and labelled.field == "title" and labelled.value:
        text = labelled.value
    text = _TAGS.sub("", text) or text
    text, author = _shortened(text)
    follows = _HERE_FOLLOWS.match(text)
    if follows:
        text, author = follows.group("title"), follows.group("name") or author
    quoted = _QUOTED.match(text)
    if quoted:
        text = quoted.group("title")
    by = _TITLE_BY.match(text)
    if by and looks_like_name(by.group("name").strip()):
        name = by.group("name").strip()
        if re.search(r"\s[A-Z]$", name) and text[by.end("name") : by.end("name") + 1] == ".":
            name += "."  # an initial keeps its stop ("by Kristina V.")
        text, author = by.group("title"), author or name
    kind = _KIND_BY.search(text)
    if kind and kind.start() > 0:
        author = author or (kind.group("name") or None)
        text = text[: kind.start()]
    text = _without_kind_subtitle(text)
    text = _PART.sub("", text).strip() or text
    text = _DATE_TAIL.sub("", text).strip() or text
    quoted = _QUOTED.match(text)
    if quoted:
        text = quoted.group("title")
    text = _CLOSING_STOP.sub("", text.strip()).strip()
    return TitleLine(text, author)
