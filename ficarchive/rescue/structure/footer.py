"""The close of a story: end marks (``The End``, ``Fin``, ``*END*``) and the notes after."""

from __future__ import annotations

import re

from ficarchive.rescue.blocks.block import Block, html_to_text, split_html_lines
from ficarchive.rescue.log import RescueLog
from ficarchive.rescue.structure.dividers import is_divider
from ficarchive.rescue.structure.labels import read_label
from ficarchive.rescue.structure.meta import Meta

# The end mark is looked for among this many blocks at the end.
END_WINDOW = 15

END_MARK = re.compile(
    r"^[\s*~_\-=.:()\[\]<>#+•]*(?P<mark>the\s+end|fin|finis|end|owari|end\s+of\s+story|"
    r"the\s+end\s*\?)[\s*~_\-=.:!?()\[\]<>#+•]*$",
    re.I,
)
# An address starts where a run of its characters starts (the look-behind): tried at every
# character of a long word, the regex scanned the rest of the word each time (quadratic).
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_END_NOTE = re.compile(r"^\s*(?:\(?a/n\b|author'?s'?\s+notes?\b|notes?\s*:|end\s+notes?\b)", re.I)
_FEEDBACK = re.compile(
    r"\b(?:feedback|comments?|e-?mail\s+me|let\s+me\s+know|write\s+(?:to\s+)?me|"
    r"love\s+to\s+hear)",
    re.I,
)


def read_footer(body: list[Block], meta: Meta, log: RescueLog) -> list[Block]:
    """Take the end mark and end notes off the end of `body` into `meta`."""
    body = _drop_trailing_dividers(body)
    for k in range(len(body) - 1, max(len(body) - END_WINDOW, 0) - 1, -1):
        match = END_MARK.match(body[k].text) if body[k].kind != "image" else None
        if match and "\n" not in body[k].text.strip():
            meta.end_mark = canonical_end_mark(body[k].text)
            for block in body[k + 1 :]:
                if not is_divider(block):
                    _end_note(block, meta, log)
            return _drop_trailing_dividers(body[:k])
    while body and _looks_like_end_note(body[-1]):
        _end_note(body[-1], meta, log, first=True)
        body = _drop_trailing_dividers(body[:-1])
    if meta.notes_end:
        log.note("footer", f"{len(meta.notes_end)} closing blocks read as end notes")
    return body


def canonical_end_mark(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().strip("*~_-=.:()[]<>#+• ")).strip()


def _drop_trailing_dividers(body: list[Block]) -> list[Block]:
    while body and is_divider(body[-1]):
        body = body[:-1]
    return body


def _looks_like_end_note(block: Block) -> bool:
    text = block.text.strip()
    if block.kind not in ("para", "heading") or not text:
        return False
    if _END_NOTE.match(text):
        return True
    labelled = read_label(block.lines[0]) if block.lines else None
    if labelled and labelled.field in ("notes", *_FOOTER_FIELDS):
        return True
    email = _EMAIL.search(text) or "mailto:" in block.attrs.get("hrefs", "")
    return len(text.split()) <= 40 and bool(email) and bool(_FEEDBACK.search(text))


_FOOTER_FIELDS = ("feedback", "archive_permission", "disclaimer", "tags", "journal")


def _end_note(block: Block, meta: Meta, log: RescueLog, first: bool = False) -> None:
    """A closing block: labelled lines fill their fields, the rest are end notes."""
    rest: list[str] = []
    for line_html in split_html_lines(block.html):
        labelled = read_label(html_to_text(line_html))
        if labelled and labelled.field == "journal":
            log.note("boilerplate", "journal post footer", html_to_text(line_html))
        elif labelled and labelled.field in _FOOTER_FIELDS:
            meta.assign(labelled.field, labelled.value, labelled.label)
        elif line_html:
            rest.append(line_html)
    if not rest:
        return
    html = "<br>".join(rest)
    text = html_to_text(html)
    if (
        len(text.split()) <= 40
        and _FEEDBACK.search(text)
        and (_EMAIL.search(text) or "mailto:" in block.attrs.get("hrefs", ""))
    ):
        emails = _EMAIL.findall(text) or _EMAIL.findall(block.attrs.get("hrefs", ""))
        meta.feedback = meta.feedback or (emails[0] if emails else text.strip())
    if first:
        meta.notes_end.insert(0, html)
    else:
        meta.notes_end.append(html)
