"""Prose front matter to metadata: the header before the story and the notes after it.

The header is read block by block from the top: ``Label: value`` lines (see `labels`),
bylines, a title line, disclaimers and notes, until the first block of story prose or a
divider after some metadata. Prose a poster wrote before a divider that is followed by
the story's own title (the Usenet "Hi all, my first post" preface) becomes notes.
"""

from __future__ import annotations

import re

from ficarchive.rescue.blocks import Block, html_to_text, split_html_lines
from ficarchive.rescue.dividers import is_divider
from ficarchive.rescue.labels import read_label
from ficarchive.rescue.log import RescueLog
from ficarchive.rescue.meta import Meta
from ficarchive.rescue.sections import is_chapter_heading
from ficarchive.rescue.words import looks_like_name, zipf
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
LATE_BYLINE_BLOCKS = 25
LATE_TITLE_BY_WORDS = 16
# A bare name has at least one word rarer than this (Zipf scale): "Geld", not "Frontier".
NAME_MAX_ZIPF = 3.0
# Short centred lines in the header are its title page ("A", "Star Trek", "Novel").
CENTRED_HEADER_WORDS = 8
# A heading at the top is a title (or a post subject) up to this many words.
HEADING_TITLE_MAX_WORDS = 30
# A title line is at most this many words.
TITLE_MAX_WORDS = 14

_BYLINE = re.compile(
    r"^(?:a\s+\w+(?:\s+\w+)?\s+(?:story|fic|fanfic|tale)\s+)?(?:(?:story|written)\s+)?"
    r"by[:\s]\s*(?P<name>.+?)\s*$",
    re.I,
)
_COPYRIGHT = re.compile(
    r"^(?:(?P<pre>.+?)\s*[-,*]?\s*)?(?:copyright|copywrite|copr\.|\(c\)|©)\s*(?:\d{4}\s*(?:,|by)?\s*)?"
    r"(?:by\s+)?(?P<name>[A-Z][\w.'-]+(?:\s+[A-Z][\w.'-]+){0,3})?\s*,?\s*(?:\d{4})?\.?\s*$",
    re.I,
)
_TITLE_BY = re.compile(
    r"^(?P<title>.{2,80}?),?\s+by\s+(?P<name>[^,()]{2,60}?)\s*(?:,\s+(?:a|an|the)\s.*|\.|"
    r"\s+(?:(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s*)?'?\d{2,4})?$",
    re.I,
)
# Columns of a typed title line ("Title     by Name     May 1992") are split by runs of spaces.
_COLUMN_GAP = re.compile(r"\s{3,}")
_BY_ALONE = re.compile(r"^\s*(?:written\s+|a\s+story\s+)?by:?\s*$", re.I)
_PARTS = re.compile(
    r"^[\W_]*(?:page\s+\d+|parts?\s+\d+(?:\s*(?:-|to|of|/|and)\s*\d+)?|[(\[]?\d+\s*/\s*\d+[)\]]?)"
    r"[\W_]*$",
    re.I,
)
_SENTENCE_END = (".", "!", "?", '"', "”", "'", "’")
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
_FIRST_SENTENCE = re.compile(r"^(.{5,160}?[.!?])\s+")
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATE = re.compile(
    r"^\s*(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?"
    rf"(?:{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH},?\s+"
    r"\d{4}|\d{4}-\d\d-\d\d)(?:,?\s+(?:at\s+)?\d{1,2}:\d\d(?::\d\d)?\s*(?:[ap]\.?m\.?)?)?\s*$",
    re.I,
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
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
            return body if meta.authors else _late_byline(body, meta, log)
        for block in blocks[end:preface]:
            if not is_divider(block):
                _unlabelled_note(block, meta)
        log.note("header", f"{preface - end} blocks before a divider read as the author's preface")
        start = preface + 1
    return blocks[start:]


def _late_byline(body: list[Block], meta: Meta, log: RescueLog) -> list[Block]:
    """A byline standing alone a little way into the text, after a preface or notice."""
    for i, block in enumerate(body[:LATE_BYLINE_BLOCKS]):
        lines = block.lines
        if len(lines) == 1 and _BY_ALONE.match(lines[0]) and i + 1 < len(body):
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
        if not _byline(found, meta):
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
    if i == 0 or len(lines) != 1 or not _bare_name(lines[0]):
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
    match = _BYLINE.match(line)
    return bool(match and looks_like_name(match.group("name"))) or bool(
        _COPYRIGHT.match(line) and re.search(r"[A-Z][a-z]+\s+[A-Z]", line)
    )


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
    return bool(lines) and bool(read_label(lines[0]) or _byline_text(lines[0]))


def _byline_text(line: str) -> bool:
    return len(line.split()) <= 10 and bool(_BYLINE.match(line) or _COPYRIGHT.match(line))


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
            value_html = _value_html(line_html)
            meta.assign(labelled.field, value_html, labelled.label)
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


def _value_html(line_html: str) -> str:
    """The value part of a labelled line, keeping its inline markup."""
    text = html_to_text(line_html)
    label_end = text.find(":") if ":" in text else text.find("=")
    prefix = text[: label_end + 1]
    html = line_html
    for _char in prefix:  # walk past the label, skipping tags
        while html.startswith("<"):
            html = html[html.find(">") + 1 :]
        html = html[1:] if html else html
    html = re.sub(r"^(?:\s|</(?:strong|em|u)>)+", "", html)
    return html.strip()


def _unlabelled(text: str, line_html: str, block: Block, meta: Meta, following: str) -> bool:
    words = len(text.split())
    if _BY_ALONE.match(text):
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
    if words <= 20 and _byline(text, meta):
        return True
    sentence = _FIRST_SENTENCE.match(text)
    if words > 20 and sentence and _byline(sentence.group(1), meta):
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
        if meta.title and not meta.authors and _bare_name(text):
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


def _byline(text: str, meta: Meta) -> bool:
    """A byline, a copyright line or "Title by Name", in the line or one of its columns."""
    columns = [c for c in _COLUMN_GAP.split(text.strip()) if c]
    candidates = [" ".join(columns)] if len(columns) == 1 else [*columns, " ".join(columns)]
    return any(_byline_one(candidate, meta) for candidate in candidates)


def _byline_one(text: str, meta: Meta) -> bool:
    match = _BYLINE.match(text)
    if match and len(match.group("name").split()) <= 6 and not meta.authors:
        meta.add_author(match.group("name"))
        return True
    match = _COPYRIGHT.match(text)
    if match and (match.group("name") or match.group("pre")):
        name = match.group("name") or ""
        pre = match.group("pre") or ""
        if _MONTH_WORD.fullmatch(name):
            name = ""  # "NAME COPYRIGHT APRIL 1994": the name came first
        by = _BYLINE.match(pre)
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


def _quoted_title(text: str) -> bool:
    """A title in quotes ("Aeia"), not a line of dialogue ("Come here, you.")."""
    return (
        text[:1] in "\"“'"
        and text[-1:] in "\"”'"
        and text[-2:-1] not in ".,!?…-"
        and len(text.split()) <= TITLE_MAX_WORDS
    )


def _bare_name(text: str) -> bool:
    """A person's name alone on a line: capitalised words, not all of them common words.

    >>> _bare_name("Jonathan Geld"), _bare_name("The Final Frontier"), _bare_name("B.J. Henry")
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
        _BYLINE.match(following)
        or read_label(following)
        or _byline_text(following)
        or _bare_name(following)
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
    if read_label(first) or _byline_text(first):
        return True
    return (
        len(first.split()) <= TITLE_MAX_WORDS
        and (block.centered or block.strong or first.isupper() or _quoted_title(first))
        and len(lines) <= 4
    )
