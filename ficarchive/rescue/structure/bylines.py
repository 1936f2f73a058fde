"""Bylines: who wrote the story, wherever the header put it.

``By X``, ``Written by`` on its own line, ``Title by X``, ``copyright 1994 Jane Doe``, a
name alone after the title, a name signing the author's note, a copyright notice in the
disclaimer: each is a way old headers named the author. The header reader tries them
in the header; `late_byline` looks a little further into the text when it found none.
"""

from __future__ import annotations

import re

from ficarchive.rescue.blocks.block import Block, html_to_text
from ficarchive.rescue.log import RescueLog
from ficarchive.rescue.structure.labels import read_label
from ficarchive.rescue.structure.meta import Meta
from ficarchive.rescue.words import looks_like_name, zipf

LATE_BYLINE_BLOCKS = 25

LATE_TITLE_BY_WORDS = 16
# A bare name has at least one word rarer than this (Zipf scale): "Geld", not "Frontier".

NAME_MAX_ZIPF = 3.0
# Short centred lines in the header are its title page ("A", "Star Trek", "Novel").

BYLINE = re.compile(
    r"^(?:a\s+\w+(?:\s+\w+)?\s+(?:story|fic|fanfic|tale)\s+)?(?:(?:story|written)\s+)?"
    r"by[:\s]\s*(?P<name>.+?)\s*$",
    re.I,
)

# issue 13: catastrophic on long runs of spaces; the same matches (checked with Hypothesis),
# with `pre` never ending inside a run of spaces and the spaces taken whole.
_COPYRIGHT = re.compile(
    r"^(?:(?P<pre>.+?)(?:(?<!\s)|(?!\s)|(?<=^.))\s*+[-,*]?\s*+)?"
    r"(?:copyright|copywrite|copr\.|\(c\)|©)\s*+(?:\d{4}\s*+(?:,|by)?\s*+)?"
    r"(?:by\s++)?(?P<name>[A-Z][\w.'-]+(?:\s+[A-Z][\w.'-]+){0,3})?\s*+,?\s*+(?:\d{4})?\.?\s*+$",
    re.I,
)

_TITLE_BY = re.compile(
    r"^(?P<title>.{2,80}?),?\s+by\s+(?P<name>[^,()]{2,60}?)\s*(?:,\s+(?:a|an|the)\s.*|\.|"
    r"\s+(?:(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s*)?'?\d{2,4})?$",
    re.I,
)
# Columns of a typed title line ("Title     by Name     May 1992") are split by runs of spaces.

_COLUMN_GAP = re.compile(r"\s{3,}")

BY_ALONE = re.compile(r"^\s*(?:(?:story\s+)?written\s+|a\s+story\s+|story\s+)?by:?\s*$", re.I)

_MONTH_WORD = re.compile(r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?", re.I)

_COPYRIGHT_BY = re.compile(
    r"(?:copyright|\(c\)|©)[^.;:]{0,60}?(?:\bby\s+|,\s+)(?P<name>[A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*){0,3})"
)

_RIGHTS_OWNER = re.compile(
    r"paramount|viacom|fox|mutant|whedon|warner|bbc|cbs|lucas|disney|"
    r"universal|roddenberry|pictures|studios|inc\b|ltd\b",
    re.I,
)

_FIRST_PERSON = re.compile(r"\b(?:I|I'm|I've|my|me)\b")


def late_byline(body: list[Block], meta: Meta, log: RescueLog) -> list[Block]:
    """A byline standing alone a little way into the text, after a preface or notice."""
    for i, block in enumerate(body[:LATE_BYLINE_BLOCKS]):
        lines = block.lines
        if len(lines) == 1 and BY_ALONE.match(lines[0]) and i + 1 < len(body):
            name = body[i + 1].lines
            if len(name) == 1 and looks_like_name(name[0]) and len(name[0].split()) <= 4:
                meta.add_author(name[0])
                log.note(
                    "header",
                    "byline found after the header, taken out of the text",
                    f"{lines[0]} {name[0]}",
                )
                return [*body[:i], *body[i + 2 :]]
        if _signed_note(body, i):
            meta.add_author(lines[0])
            log.note("guess", "the name signing the author's note taken as the author", lines[0])
            return [*body[:i], *body[i + 1 :]]
        if block.kind not in ("para", "heading") or len(lines) > 3:
            continue
        found = next((line for line in lines if _late_byline_line(line)), None)
        if found is None:
            continue
        if not byline(found, meta):
            meta.assign("author", found.split(":", 1)[1], "author")
        if not meta.authors:
            continue
        log.note("header", "byline found after the header, taken out of the text", found)
        rest = [line for line in lines if line != found]
        kept = [block.evolve(html="<br>".join(rest), text="\n".join(rest))] if rest else []
        return [*body[:i], *kept, *body[i + 1 :]]
    _copyright_holder(body, meta, log)
    return body


def _copyright_holder(body: list[Block], meta: Meta, log: RescueLog) -> None:
    """ "This story is copyright 1994 by Jane Doe" in the disclaimer, notes or first blocks."""
    texts = [meta.disclaimer or "", *map(html_to_text, meta.notes_beginning)]
    for text in [*texts, *(b.text for b in body[:LATE_BYLINE_BLOCKS])]:
        for match in _COPYRIGHT_BY.finditer(text):
            name = match.group("name").strip(" .,")
            if not _RIGHTS_OWNER.search(name) and looks_like_name(name):
                meta.add_author(name)
                log.note("guess", "author taken from a copyright notice", match.group())
                return


def _signed_note(body: list[Block], i: int) -> bool:
    """A name alone on a line right after a first-person note: the note's signature."""
    lines = body[i].lines
    if i == 0 or len(lines) != 1 or not bare_name(lines[0]):
        return False
    return bool(_FIRST_PERSON.search(body[i - 1].text))


def _late_byline_line(line: str) -> bool:
    title_by = _TITLE_BY.match(line)
    prose = line.rstrip().endswith((".", "!", "?")) or ". " in line
    if title_by and len(line.split()) <= LATE_TITLE_BY_WORDS and not prose:
        return looks_like_name(title_by.group("name"))
    if len(line.split()) > 8:
        return False
    labelled = read_label(line)
    if labelled is not None:
        return labelled.field == "author" and bool(labelled.value)
    match = BYLINE.match(line)
    return bool(match and looks_like_name(match.group("name"))) or bool(
        _COPYRIGHT.match(line) and re.search(r"[A-Z][a-z]+\s+[A-Z]", line)
    )


def byline_text(line: str) -> bool:
    return len(line.split()) <= 10 and bool(BYLINE.match(line) or _COPYRIGHT.match(line))


def byline(text: str, meta: Meta) -> bool:
    """A byline, a copyright line or "Title by Name", in the line or one of its columns."""
    columns = [c for c in _COLUMN_GAP.split(text.strip()) if c]
    candidates = [" ".join(columns)] if len(columns) == 1 else [*columns, " ".join(columns)]
    return any(_byline_one(candidate, meta) for candidate in candidates)


def _byline_one(text: str, meta: Meta) -> bool:
    match = BYLINE.match(text)
    if match and len(match.group("name").split()) <= 6 and not meta.authors:
        meta.add_author(match.group("name"))
        return True
    match = _COPYRIGHT.match(text)
    if match and (match.group("name") or match.group("pre")):
        name = match.group("name") or ""
        pre = match.group("pre") or ""
        if _MONTH_WORD.fullmatch(name):
            name = ""  # "NAME COPYRIGHT APRIL 1994": the name came first
        by = BYLINE.match(pre)
        meta.add_author(by.group("name") if by else name or pre)
        return True
    match = _TITLE_BY.match(text)
    if match and looks_like_name(match.group("name")) and not (meta.title and meta.authors):
        if meta.title is None:
            meta.set_title(match.group("title"))
        if not meta.authors:
            meta.add_author(match.group("name"))
        return True
    return False


def bare_name(text: str) -> bool:
    """A person's name alone on a line: capitalised words, not all of them common words.

    >>> bare_name("Jonathan Geld"), bare_name("The Final Frontier"), bare_name("B.J. Henry")
    (True, False, True)
    """
    words = text.split()
    if not 2 <= len(words) <= 4 or not all(w[:1].isupper() for w in words):
        return False
    if text.isupper() or words[0].lower() in ("the", "a", "an", "int.", "ext."):
        return False  # a heading in capitals, a title, a screenplay scene line
    if any(w.endswith(".") and not re.fullmatch(r"(?:[A-Z]\.)+", w) for w in words):
        return False  # "B.J." and "S." are initials; "INT." is not
    if not all(re.fullmatch(r"[A-Z][\w'’.-]*", w) for w in words):
        return False
    return min(zipf(w.strip(".").lower()) for w in words) < NAME_MAX_ZIPF


_OBFUSCATED_EMAIL = re.compile(
    r"\S+\s*[\[({<]\s*at\s*[\])}>]\s*\S+|\S+@\S+|\S+\s+at\s+\S+\s+dot\s+\S+", re.I
)
_COMPANY = re.compile(
    r"\b(?:productions?|presents?|inc\.?|ltd\.?|ldc|corp\.?|co\.|studios?|entertainment|"
    r"pictures|enterprises)\s*$",
    re.I,
)
_OWNERS = re.compile(
    r"\b(?:paramount|viacom|mutant\s+enemy|whedon|warner|bbc|cbs|lucasfilm|disney|pioneer|"
    r"a\.?i\.?c\.?|toho|kadokawa|shueisha|marvel|malibu|dc\s+comics|fox|universal|"
    r"roddenberry|sunrise|bandai|funimation|gainax)\b",
    re.I,
)


def clean_name(name: str) -> str | None:
    """An author's name as a byline gives it, without addresses, studio words or trailing
    punctuation; None when it names a rights holder, not a writer.

    >>> clean_name("Garrett Albright - albright(at)students{dot}sonoma[dot]edu")
    'Garrett Albright'
    >>> clean_name("Pug Productions"), clean_name("PIONEER LDC")
    ('Pug', None)
    """
    text = _OBFUSCATED_EMAIL.sub(" ", name)
    text = re.sub(r"[\s\-–—,;:|/]+$", "", " ".join(text.split())).strip(" ()<>[]")
    if _OWNERS.search(text):
        return None
    stripped = _COMPANY.sub("", text).strip(" ,-")
    return stripped or None
