"""Prose front matter to metadata: the header before the story and the notes after it.

The header is read block by block from the top: ``Label: value`` lines (see `labels`),
bylines, a title line, disclaimers and notes, until the first block of story prose or a
divider after some metadata. Prose a poster wrote before a divider that is followed by
the story's own title (the Usenet "Hi all, my first post" preface) becomes notes.
"""

from __future__ import annotations

import re

from ficarchive.rescue.blocks.block import Block, html_to_text, split_html_lines
from ficarchive.rescue.log import RescueLog
from ficarchive.rescue.structure.bylines import (
    BY_ALONE,
    BYLINE,
    bare_name,
    byline,
    byline_text,
    late_byline,
)
from ficarchive.rescue.structure.dividers import is_divider
from ficarchive.rescue.structure.labels import read_label, value_html
from ficarchive.rescue.structure.meta import Meta
from ficarchive.rescue.structure.sections import is_chapter_heading
from ficarchive.tags.fandoms import KNOWN_FANDOMS, canonical_fandom

# The header is looked for in this many blocks at most; a story's first scene starts
# within the first few dozen blocks even after a long list of warnings and thanks.
HEADER_MAX_BLOCKS = 40
# A preface before a divider is taken as notes only when the divider comes this soon.
PREFACE_MAX_BLOCKS = 10
# Up to this many short blocks (of at most HEADER_TAIL_WORDS words) between the header
# and a divider are still header ("Based on the episode ...").
HEADER_TAIL_BLOCKS = 3
HEADER_TAIL_WORDS = 15
# A byline is looked for this far into the text when the header had none.
CENTRED_HEADER_WORDS = 8
# A heading at the top is a title (or a post subject) up to this many words.
HEADING_TITLE_MAX_WORDS = 30
# A title line is at most this many words.
TITLE_MAX_WORDS = 14

_PARTS = re.compile(
    r"^[\W_]*(?:page\s+\d+|parts?\s+\d+(?:\s*(?:-|to|of|/|and)\s*\d+)?|[(\[]?\d+\s*/\s*\d+[)\]]?)"
    r"[\W_]*$",
    re.I,
)
_SENTENCE_END = (".", "!", "?", '"', "”", "'", "’")
_FIRST_SENTENCE = re.compile(r"^(.{5,160}?[.!?])\s+")
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATE = re.compile(
    r"^\s*(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?"
    rf"(?:{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH},?\s+"
    r"\d{4}|\d{4}-\d\d-\d\d)(?:,?\s+(?:at\s+)?\d{1,2}:\d\d(?::\d\d)?\s*(?:[ap]\.?m\.?)?)?\s*$",
    re.I,
)
# An address starts where a run of its characters starts (the look-behind): tried at every
# character of a long word, the regex scanned the rest of the word each time (quadratic).
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_DISCLAIMER_HINT = re.compile(
    r"\b(?:disclaimer|belong(?:s)?\s+to|property\s+of|owned\s+by|no\s+(?:copyright\s+)?"
    r"infringement|not\s+mine|don'?t\s+own|do\s+not\s+own|no\s+money|no\s+profit|"
    r"(?:paramount|mutant\s+enemy|joss\s+whedon|fox|upn|the\s+wb)\b.*\b(?:own|belong|right))",
    re.I,
)
_NOTE_START = re.compile(r"^\s*(?:\(?a/n\b|author'?s'?\s+notes?\b|note\b)", re.I)
_FEEDBACK_HINT = re.compile(
    r"\b(?:feedback|comments?|e-?mail\s+me|let\s+me\s+know|write\s+me)", re.I
)
_VALUE_FIELDS = (
    "summary",
    "notes",
    "disclaimer",
    "spoilers",
    "challenge",
    "credits",
    "warnings",
    "feedback",
    "archive_permission",
)


def read_header(blocks: list[Block], meta: Meta, log: RescueLog) -> list[Block]:
    """Fill `meta` from the header at the top of `blocks`; return the blocks after it."""
    start = 0
    for _ in range(3):
        end = _scan(blocks, start, meta)
        preface = _preface_end(blocks, end, meta)
        if preface is None:
            body = blocks[_header_tail(blocks, end, meta) :]
            return body if meta.authors else late_byline(body, meta, log)
        for block in blocks[end:preface]:
            if not is_divider(block):
                _unlabelled_note(block, meta)
        log.note("header", f"{preface - end} blocks before a divider read as the author's preface")
        start = preface + 1
    return blocks[start:]


def _header_tail(blocks: list[Block], end: int, meta: Meta) -> int:
    """Short lines between the header and a divider just after it are header notes."""
    if not meta.found or (end and is_divider(blocks[end - 1])):
        return end  # the header already ended at its own divider
    for j in range(end, min(len(blocks), end + HEADER_TAIL_BLOCKS + 1)):
        if is_divider(blocks[j]):
            for block in blocks[end:j]:
                meta.notes_beginning.append(block.html)
            return j + 1 if j > end else end
        text = blocks[j].text.strip()
        if blocks[j].words > HEADER_TAIL_WORDS or "\n" in text or text.endswith(_SENTENCE_END):
            return end  # story prose, not a header line
    return end


def _scan(blocks: list[Block], start: int, meta: Meta) -> int:
    i = start
    pending: str | None = None
    while i < min(len(blocks), start + HEADER_MAX_BLOCKS):
        block = blocks[i]
        if is_divider(block):
            i += 1
            if meta.found and i > start + 1 and not _header_follows(blocks, i):
                return i
            continue
        if block.kind == "image":
            if meta.title is None and block.attrs.get("alt", "").strip():
                meta.title = block.attrs["alt"].strip()
                meta.guesses.append("title taken from the alt text of a title image")
            i += 1
            continue
        nxt = blocks[i + 1] if i + 1 < len(blocks) else None
        if pending is not None and not _has_label(block):
            meta.assign(pending, block.html, "")
            pending = None
            i += 1
            continue
        taken, pending = _block(block, meta, nxt)
        if not taken:
            return i
        i += 1
    return i


def _header_follows(blocks: list[Block], i: int) -> bool:
    """Whether the next block after a divider still belongs to the header."""
    while i < len(blocks) and is_divider(blocks[i]):
        i += 1
    if i >= len(blocks):
        return False
    lines = blocks[i].lines
    return bool(lines) and bool(read_label(lines[0]) or byline_text(lines[0]))


def _has_label(block: Block) -> bool:
    return any(read_label(line) for line in block.lines[:1])


def _block(block: Block, meta: Meta, nxt: Block | None) -> tuple[bool, str | None]:
    """Read one block as header; (whether it was header, field awaiting a value)."""
    html_lines = split_html_lines(block.html) if block.kind != "rule" else []
    last: str | None = None
    taken_any = False
    texts = [html_to_text(line).strip() for line in html_lines]
    after = nxt.lines[0] if nxt is not None and nxt.lines else ""
    for n, line_html in enumerate(html_lines):
        text = texts[n]
        following = next((t for t in texts[n + 1 :] if t), after)
        if not text:
            continue
        labelled = read_label(text)
        if labelled:
            meta.assign(labelled.field, value_html(line_html), labelled.label)
            last = labelled.field if labelled.field in _VALUE_FIELDS or not labelled.value else None
            if not labelled.value:
                last = labelled.field
            taken_any = True
            continue
        if last in _VALUE_FIELDS:
            meta.append(last, line_html)
            continue
        if last and not meta.value_of(last):
            meta.assign(last, line_html, "")
            continue
        if _unlabelled(text, line_html, block, meta, following):
            taken_any = True
            continue
        if not taken_any:
            return False, None
        meta.notes_beginning.append(line_html)
    pending = last if last and not meta.value_of(last) else None
    return taken_any or bool(pending), pending


def _unlabelled(text: str, line_html: str, block: Block, meta: Meta, following: str) -> bool:
    words = len(text.split())
    if BY_ALONE.match(text):
        meta.expect_author = True
        return True
    if meta.expect_author and words <= 5 and not read_label(text):
        meta.expect_author = False
        meta.add_author(text)
        return True
    if _PARTS.match(text):
        return True
    if _DATE.match(text):
        if meta.published is None:
            meta.published = text.strip()
        return True
    if block.kind == "heading" and words <= HEADING_TITLE_MAX_WORDS and meta.title is None:
        meta.set_title(text)  # a post subject; a "Title:" line later overrides it
        return True
    if words <= 20 and byline(text, meta):
        return True
    sentence = _FIRST_SENTENCE.match(text)
    if words > 20 and sentence and byline(sentence.group(1), meta):
        rest = text[sentence.end() :].strip()
        if rest:
            meta.append("disclaimer" if _DISCLAIMER_HINT.search(rest) else "notes", rest)
        return True
    if words <= 12:
        if _fandom_line(text, meta):
            return True
        if meta.title is None and _title_like(text, line_html, block, following):
            meta.set_title(text)
            return True
        if meta.title and not meta.authors and bare_name(text):
            meta.add_author(text)
            meta.guesses.append("a name on its own line after the title taken as the author")
            return True
    if _DISCLAIMER_HINT.search(text) and not meta.body_started:
        meta.append("disclaimer", line_html)
        return True
    if _NOTE_START.match(text):
        meta.notes_beginning.append(line_html)
        return True
    if words <= 25 and _EMAIL.search(text) and _FEEDBACK_HINT.search(text):
        meta.append("feedback", line_html)
        return True
    if block.centered and words <= CENTRED_HEADER_WORDS and meta.found and not meta.expect_author:
        if not (meta.title and text.casefold() == meta.title.casefold()):
            meta.notes_beginning.append(line_html)  # a title page: "A Star Trek Novel"
        return True
    return False


def _fandom_line(text: str, meta: Meta) -> bool:
    """A line that only names the fandom ("STAR TREK: THE NEXT GENERATION")."""
    name = canonical_fandom(text.strip(" .:-*~"))
    if name.lower() == text.strip(" .:-*~").lower() and name not in KNOWN_FANDOMS:
        return False
    if name not in meta.fandoms:
        meta.fandoms.append(name)
    return True


def _quoted_title(text: str) -> bool:
    """A title in quotes ("Aeia"), not a line of dialogue ("Come here, you.")."""
    return (
        text[:1] in "\"“'"
        and text[-1:] in "\"”'"
        and text[-2:-1] not in ".,!?…-"
        and len(text.split()) <= TITLE_MAX_WORDS
    )


def _title_like(text: str, line_html: str, block: Block, following: str) -> bool:
    if len(text.split()) > TITLE_MAX_WORDS or len(text) > 120:
        return False
    if is_chapter_heading(block.evolve(text=text)):
        return False
    if text.endswith((".", ",", ";")) and not text.endswith("..."):
        return False
    marked = (
        block.centered
        or block.kind == "heading"
        or block.strong
        or (line_html.startswith("<strong>") and line_html.endswith("</strong>"))
        or (text.isupper() and len(text) > 3)
        or _quoted_title(text)
    )
    if marked:
        return True
    return bool(
        BYLINE.match(following)
        or read_label(following)
        or byline_text(following)
        or bare_name(following)
    )


def _unlabelled_note(block: Block, meta: Meta) -> None:
    if _DISCLAIMER_HINT.search(block.text):
        meta.append("disclaimer", block.html)
    else:
        meta.notes_beginning.append(block.html)


def _preface_end(blocks: list[Block], end: int, meta: Meta) -> int | None:
    """Index of a divider soon after `end` that is followed by the story's own header."""
    if meta.found:
        return None
    for j in range(end, min(len(blocks), end + PREFACE_MAX_BLOCKS)):
        if not is_divider(blocks[j]):
            continue
        after = [b for b in blocks[j + 1 : j + 4] if not is_divider(b)]
        if any(_header_like(b) for b in after[:2]):
            return j
    return None


def _header_like(block: Block) -> bool:
    lines = block.lines
    if not lines:
        return False
    first = lines[0]
    if read_label(first) or byline_text(first):
        return True
    return (
        len(first.split()) <= TITLE_MAX_WORDS
        and (block.centered or block.strong or first.isupper() or _quoted_title(first))
        and len(lines) <= 4
    )
