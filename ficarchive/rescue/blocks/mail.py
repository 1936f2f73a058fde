"""Usenet and mailing-list debris in plain text: headers, signatures, part markers.

Headers and signatures are taken out of the text and kept in diagnostics; the
``Subject:`` and ``From:`` of the first post are returned as hints for the title and
author, since many posts carry nothing else.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from ficarchive.rescue.blocks.block import MAX_HINT_CHARS
from ficarchive.rescue.log import RescueLog

_HEADER = re.compile(
    r"^[~>]?(?:Path|From|Newsgroups|Subject|Date|Message-I[Dd]|Received|Return-Path|Organization|"
    r"Lines|X-[\w-]+|To|Cc|Sender|Reply-To|References|NNTP-Posting-Host|Nntp-Posting-Host|Xref|"
    r"Status|Content-[\w-]+|MIME-[Vv]ersion|Mime-Version|Approved|Distribution|Keywords|Summary|"
    r"Followup-To|Expires|In-Reply-To|Apparently-To|Article-I\.D\.|Posted|Originator|Resent-[\w-]+|"
    r"Delivered-To|Precedence|Errors-To|Comments|Encoding|Message-id|Origin)\s*:",
)
_STRONG_HEADER = re.compile(
    r"^[~>]?(?:Path|From|Newsgroups|Message-I[Dd]|Received|Return-Path|Message-id|Xref|"
    r"NNTP-Posting-Host|Nntp-Posting-Host)\s*:"
)
_ANY_HEADER = re.compile(r"^[~>]?[A-Z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*:\s")
_SUBJECT = re.compile(r"^[~>]?Subject:\s*\S", re.I)
_SUBJECT_PREFIX = re.compile(
    r"^(?:new\s+)?(?:[A-Z0-9]{2,6}\s+)?(?:story|fanfic|fan fiction|ff|fic|new|repost|re-post|"
    r"corrected repost)\s*[-:;]\s*",
    re.I,
)
_MBOX_FROM = re.compile(r"^From \S+\s+\w{3} \w{3}\s+\d+ [\d:]+ \d{4}\s*$")
# Possessive quantifiers (``\s*+``) where what follows cannot start with a space: the
# same matches, but a line of "cont" and a thousand spaces no longer tries every way of
# sharing the spaces among the ``\s*`` (cubic: 400 spaces took 16 s). The look-behind
# of `_SUBJECT_PART` starts tries at a run of spaces, not in it.
_PART_MARKER = re.compile(
    r"^\s*+(?:[\[(]\s*+(?:part\s*+)?\d+\s*+(?:/|of)\s*+\d+\??\s*+[\])]|"
    r"\(?(?:cont(?:inued|'d|\.)?)\s*+(?:in|on|from)?\s*+(?:part|next)?\s*+\d*+\.?\)?|"
    r"\[?\s*+(?:end(?:\s+of)?\s+part\s+\w+)\s*+\]?\.?)\s*+$",
    re.I,
)
_SUBJECT_PART = re.compile(
    r"(?<!\s)\s*+(?:[,:;-]\s*+)?(?:\(?\s*+part\s*+\(?\s*+\d+\s*+(?:/|of)?\s*+\d*+\??\s*+\)?|"
    r"[\[(]\s*+\d+\s*+(?:/|of)\s*+\d+\??\s*+[\])]|,?\s*+chapter\s+\d+)\s*+$",
    re.I,
)
_SUBJECT_END = re.compile(
    r"(?:,|(?<!\s))\s*+(?:a\s+novel|prologue|prolog|epilogue|intro(?:duction)?\.?)\s*+$", re.I
)
# A subject loses at most this many part markers from its end ("part 2 (2/5)" is two).
MAX_SUBJECT_PARTS = 8


@dataclass
class MailHints:
    subject: str | None = None
    sender: str | None = None
    posts: int = 0
    subjects: list[str] = field(default_factory=list)


def strip_mail(lines: list[str], log: RescueLog) -> tuple[list[tuple[int, str]], MailHints]:
    """Remove header blocks and signatures; return the remaining lines (each with its
    number in `lines`, so later stages can say where a block stood) and hints."""
    hints = MailHints()
    out: list[tuple[int, str]] = []
    first_text = next((n for n, line in enumerate(lines) if line.strip()), len(lines))
    no_header_until = 0  # a failed header scan reached here: no header starts before it
    i = 0
    while i < len(lines):
        end = i
        if i >= no_header_until:
            end, scanned = _header_end(lines, i, first_text)
            no_header_until = scanned
        if end > i:
            _take_hints(lines[i:end], hints)
            log.note("mail-header", "Usenet/mail header removed", "\n".join(lines[i:end]))
            i = end
            continue
        sig = _signature_end(lines, i)
        if sig > i:
            log.note("signature", "signature block removed", "\n".join(lines[i:sig]))
            i = sig
            continue
        if _PART_MARKER.match(lines[i]) and lines[i].strip():
            log.note("part-marker", "part marker removed", lines[i].strip())
            out.append((i, ""))
            i += 1
            continue
        out.append((i, lines[i]))
        i += 1
    return out, hints


def _header_end(lines: list[str], start: int, first_text: int) -> tuple[int, int]:
    """Index after a header block starting at `start` (`start` if there is none), and
    how far the scan went: a block cannot start inside a run that failed, since a start
    further in sees the same lines with fewer of them counted (so `strip_mail` does not
    scan the same run again from each of its lines). `first_text`: the file's first
    line that is not blank."""
    i = start
    strong = 0
    count = 0
    if _MBOX_FROM.match(lines[i]):
        i += 1
        strong += 1
    while i < len(lines):
        line = lines[i]
        if _HEADER.match(line) or (count and _ANY_HEADER.match(line)):
            count += 1
            strong += bool(_STRONG_HEADER.match(line))
        elif line[:1] in (" ", "\t") and count and line.strip():
            pass  # continuation of the previous header
        else:
            break
        i += 1
    ends = i >= len(lines) or not lines[i].strip()
    if strong and count >= 2 and ends:
        return i, i
    if count == 1 and ends and start <= first_text and _SUBJECT.match(lines[start]):
        return i, i  # a lone Subject: line saved at the top of the file
    return start, i


def _signature_end(lines: list[str], start: int) -> int:
    """A ``-- `` line and at most 8 lines after it, ending the post or the file."""
    if lines[start].rstrip() not in ("--", "-- "):
        return start
    i = start + 1
    while i < len(lines) and i - start <= 8:
        if _HEADER.match(lines[i]) or _MBOX_FROM.match(lines[i]):
            return i
        i += 1
    if i >= len(lines):
        return len(lines)
    more_text = any(line.strip() for line in itertools.islice(lines, i, None))
    return start if more_text else len(lines)


def _take_hints(block: list[str], hints: MailHints) -> None:
    hints.posts += 1
    for line in block:
        name, _, value = line.lstrip("~>").partition(":")
        value = value.strip()[:MAX_HINT_CHARS]
        if name == "Subject":
            hints.subjects.append(value)
            if hints.subject is None:
                hints.subject = value
        elif name == "From" and hints.sender is None:
            sender = sender_name(value)
            if sender is not None:
                # "Jane Doe, Attorney at Chaos": the name is before the comma
                hints.sender = sender.split(",")[0].strip()


def sender_name(value: str) -> str | None:
    r"""The name in a ``From:`` value: ``"Jane Doe" <jd@x.org>`` or ``jd@x.org (Jane Doe)``.

    What the regex ``^\s*(?:"?([^"<]+?)"?\s*<[^>]+>|[^\s(]+\s*\(([^)]+)\))\s*$`` gives
    as its group 1 or 2, found by hand: the regex tried every way of sharing a run of
    spaces between its name and its ``\s*`` (cubic in the run's length).

    >>> sender_name('"Jane Doe" <jd@example.org>'), sender_name("jd@example.org (Jane Doe)")
    ('Jane Doe', 'Jane Doe')
    >>> sender_name("Jane Doe") is None
    True
    """
    lt = value.find("<")
    gt = value.find(">", lt + 1) if lt >= 0 else -1
    if gt > lt + 1 and not value[gt + 1 :].strip():
        name = _name_before_angle(value[:lt])
        if name is not None:
            return name
    start = len(value) - len(value.lstrip())
    end = start
    while end < len(value) and not value[end].isspace() and value[end] != "(":
        end += 1
    paren = len(value) - len(value[end:].lstrip())
    close = value.find(")", paren + 1)
    if end > start and value[paren : paren + 1] == "(" and close > paren + 1:
        return value[paren + 1 : close] if not value[close + 1 :].strip() else None
    return None


def _name_before_angle(head: str) -> str | None:
    r"""Group 1 of ``\s*"?([^"<]+?)"?\s*`` matching all of `head` (no "<" in it)."""
    leading = len(head) - len(head.lstrip())
    content_end = len(head.rstrip())
    for skip in range(leading, -1, -1):  # the regex's \s* gives back a space at a time
        start = skip + 1 if skip < len(head) and head[skip] == '"' else skip
        quote = head.find('"', start)
        if quote >= 0:  # the name ends at a closing quote with only spaces after it
            if quote > start and content_end <= quote + 1:
                return head[start:quote]
        elif start < len(head):
            return head[start : max(start + 1, content_end)]
    return None


def clean_subject(subject: str) -> str:
    """A subject line as a title candidate: no ``Re:``, part numbers or quotes.

    >>> clean_subject('Aftershock, part (1/8?)')
    'Aftershock'
    >>> clean_subject('"Ascent" A Lore Story')
    '"Ascent" A Lore Story'
    """
    subject = re.sub(r"^(?:re|fwd?)\s*:\s*", "", subject.strip(), flags=re.I)
    subject = _SUBJECT_PREFIX.sub("", subject)
    subject = re.sub(r"^[\[(][A-Z0-9:/ ]{2,12}[\])]\s*", "", subject)
    subject = _SUBJECT_END.sub("", subject)
    for _ in range(MAX_SUBJECT_PARTS):
        previous, subject = subject, _SUBJECT_PART.sub("", subject).strip()
        if subject == previous:
            break
    return subject.strip(" ,;:-")
