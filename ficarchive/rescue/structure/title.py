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
    r"^(?P<title>.{2,90}?),?\s+by\s+(?P<name>[^,()]{2,60}?)\s*(?:\(.*\))?\.?$", re.I
)
_KIND_BY = re.compile(
    r"\s*[:,\-–—]\s*an?\s+(?:[\w'-]+\s+){0,3}(?:fan\s*fic(?:tion)?|fic|story|tale|novel|"
    r"parody|poem|script)\b(?:\s+by\s+(?P<name>[^,()]{2,60}?))?\s*\.?$",
    re.I,
)
_NUMBER = r"(?:\d{1,3}[a-z]?|[ivxlc]{1,7}|one|two|three|four|five|six|seven|eight|nine|ten)"
_PART = re.compile(
    rf"\s*(?:(?:[:,;\-–—]\s*|\s)\(?\s*(?:chapter|chap\.?|ch\.?|part|pt\.?|episode|ep\.?|book|"
    rf"volume|vol\.?)\s*{_NUMBER}\b\s*\)?(?:\s*(?:of|/)\s*\d+)?|\s*\(\s*\d+\s*(?:/|of)\s*\d+\s*\)|"
    rf"\s*\(\s*{_NUMBER}\s*\)|\s*[:\-–—]\s*{_NUMBER})\s*(?:[:\-–—\"“(].*)?$",
    re.I,
)
_TAGS = re.compile(r"^(?:\s*\[[^\]]{1,12}\])+\s*")
_CLOSING_STOP = re.compile(r"(?<![.\s][A-Z])(?<!\.)\.$")


@dataclass(frozen=True)
class TitleLine:
    title: str
    author: str | None = None


def read_title(line: str) -> TitleLine:
    """The title (and author) a title line gives; the line itself when nothing is taken off."""
    text = " ".join(line.split())
    author: str | None = None
    labelled = read_label(text)
    if labelled is not None and labelled.field == "title" and labelled.value:
        text = labelled.value
    text = _TAGS.sub("", text) or text
    follows = _HERE_FOLLOWS.match(text)
    if follows:
        text, author = follows.group("title"), follows.group("name")
    quoted = _QUOTED.match(text)
    if quoted:
        text = quoted.group("title")
    by = _TITLE_BY.match(text)
    if by and looks_like_name(by.group("name").strip()):
        text, author = by.group("title"), author or by.group("name").strip()
    kind = _KIND_BY.search(text)
    if kind and kind.start() > 0:
        author = author or (kind.group("name") or None)
        text = text[: kind.start()]
    text = _PART.sub("", text).strip() or text
    quoted = _QUOTED.match(text)
    if quoted:
        text = quoted.group("title")
    text = _CLOSING_STOP.sub("", text.strip()).strip()
    return TitleLine(text, author)
