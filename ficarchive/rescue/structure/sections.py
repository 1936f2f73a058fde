"""Chapters and scene breaks of a story whose markup says where they are (a Markdown story
with a YAML header), and what a chapter heading's words look like (a feature of the
structure labeller for every other story).

`build`: scene breaks are dividers (see `dividers`) and blank-line runs clearly longer
than the usual paragraph gap; chapters start at headings. `chapter_heading_text`:
``Chapter 3``, ``Part Two``, ``Prologue``, a bare number or numeral set apart.
"""

from __future__ import annotations

import re

from ficarchive.rescue.blocks.block import Block
from ficarchive.rescue.log import RescueLog
from ficarchive.rescue.structure.dividers import is_divider
from ficarchive.work import Chapter, Section

# A blank-line run is a scene break when it is at least this long and longer than the
# usual gap by BREAK_GAP_MARGIN (authors who leave one blank line between paragraphs
# leave three or more between scenes).
MIN_BREAK_GAP = 3
BREAK_GAP_MARGIN = 2
CHAPTER_MAX_WORDS = 12

_NUMBER = (
    r"(?:\d{1,3}|[ivxlc]{1,7}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|"
    r"twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|"
    r"first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|last|final)"
)
_CHAPTER = re.compile(
    rf"^(?:chapter|ch\.|part|book|act|section|episode)\s+{_NUMBER}\b(?!\s+of\s+\d)|"
    r"^(?:prologue|epilogue|interlude|coda|teaser|afterword|foreword)\b|"
    rf"^{_NUMBER}\s*[.:]?$",
    re.I,
)


_BARE_NUMBER = re.compile(rf"{_NUMBER}\s*[.:]?", re.I)


def chapter_heading_text(text: str, *, set_apart: bool) -> bool:
    """Whether one line reads as a chapter heading; a bare number or numeral ("3.", "IV")
    only when it is set apart (a heading, centred, bold)."""
    text = text.strip()
    if "\n" in text or not text:
        return False
    if len(text.split()) > CHAPTER_MAX_WORDS or text.endswith((",", ";")):
        return False
    if not _CHAPTER.match(text):
        return False
    if _BARE_NUMBER.fullmatch(text):
        return set_apart
    return True


def break_gap(body: list[Block]) -> int | None:
    """The blank-line run that marks a scene break in this text, if it has one."""
    gaps = sorted(b.gap for b in body if b.gap > 0)
    if not gaps:
        return None
    usual = gaps[len(gaps) // 2]
    threshold = max(MIN_BREAK_GAP, usual + BREAK_GAP_MARGIN)
    return threshold if any(g >= threshold for g in gaps) else None


# In a Markdown story a break is a rule (``* * *``, ``---``) or a short line of symbols
# (``-==-``, ``~*~``); a longer run of symbols is text (ASCII art, a drawn banner).
SHORT_DIVIDER = 20


def build(body: list[Block], log: RescueLog) -> list[Chapter]:
    chapters: list[tuple[str | None, list[list[str]]]] = [(None, [[]])]
    gap = break_gap(body)
    for block in body:
        current = chapters[-1][1]
        if is_divider(block) and (block.kind != "para" or len(block.text) <= SHORT_DIVIDER):
            current.append([])
        elif block.kind == "heading":  # Markdown says where its chapters start
            chapters.append((block.text.strip(), [[]]))
        elif block.html.strip():
            if gap and block.gap >= gap and current[-1]:
                current.append([])
            current[-1].append(block.html)
    if gap:
        log.note("scene-break", f"blank-line runs of {gap} or more read as scene breaks")
    result = []
    for title, sections in chapters:
        kept = tuple(Section(tuple(s)) for s in sections if s)
        if kept or title:
            result.append(Chapter(title, kept or (Section(()),)))
    if result and result[0].title is None and len(result) > 1 and not result[0].paragraphs:
        result = result[1:]
    return result or [Chapter(None, (Section(()),))]
