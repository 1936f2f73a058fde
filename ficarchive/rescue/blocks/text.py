"""Plain text to blocks: paragraphs, unwrapped lines, verse kept as lines, centred titles.

Hard-wrapped prose is unwrapped with the line-fit rule: a line break is soft when the
next line's first word would not have fitted on the line within the wrap width, so the
author's own short lines (verse, lyrics, lists, short dialogue) stay lines.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, replace

from ficarchive.rescue.blocks.block import Block, para
from ficarchive.rescue.blocks.mail import MailHints, strip_mail
from ficarchive.rescue.log import RescueLog
from ficarchive.rescue.structure.dividers import is_divider_text
from ficarchive.rescue.structure.labels import read_label

# A text is hard-wrapped when at least this share of its lines come within
# WRAP_BAND columns of the wrap width; wider than MAX_WRAP_WIDTH is not wrapping.
WRAPPED_SHARE = 0.25
# Paragraphs marked by indenting their first line: at least INDENTED_SHARE of the lines
# are indented PARAGRAPH_INDENT to 12 columns, and lines ending past RAGGED_SHARE of
# the width join the next flush line even when the next word would have fitted.
PARAGRAPH_INDENT = 2
INDENTED_SHARE = 0.08
RAGGED_SHARE = 0.6
# A text is double-spaced when at least this share of its lines follow one blank line.
DOUBLE_SPACED_SHARE = 0.5
SINGLE_SPACED_SHARE = 0.25
# Below this many lines a text has no band of line lengths to read a width from.
FEW_LINES = 8
WRAP_BAND = 15
MAX_WRAP_WIDTH = 100
MIN_WRAP_WIDTH = 40
# A break is kept when the next word would have fitted with this many columns to spare
# (wrappers differ by a column or two in how they count the margin).
FIT_SLACK = 2
# A group of at least GROUP_WRAP_MIN_LINES lines, GROUP_WRAP_SHARE of them ending within
# GROUP_WRAP_BAND columns of its widest, was wrapped at its own width.
GROUP_WRAP_MIN_LINES = 4
# Verse is narrower than this; prose wrapped narrow (a quoted reply) is wider.
GROUP_MIN_WRAP_WIDTH = 55
GROUP_WRAP_BAND = 10
GROUP_WRAP_SHARE = 0.6
# A line this far indented, and not full width, is centred.
CENTRE_INDENT = 10
# Verse: every line of the group shorter than this share of the wrap width.
VERSE_SHARE = 0.8

_SPACES = re.compile(r"[ \u00a0]{2,}")
_EMPHASIS = re.compile(
    r"(?<![\w*])([*_])(?=[^\s<])(?=[^*_\n<>]*\w)([^*_\n<>]{1,80}?)(?<=\S)\1(?![\w*])"
)


@dataclass
class _Line:
    text: str
    indent: int
    gap: int  # blank lines before
    number: int = -1  # the line's number in the text
    divider: bool = False  # the line is a scene divider (* * *, ~*~), tested once


def text_to_blocks(text: str, log: RescueLog) -> tuple[list[Block], MailHints]:
    lines = text.expandtabs(8).split("\n")
    numbered, hints = strip_mail(lines, log)
    parsed = _parse_lines(numbered)
    # header fields and scene dividers are never wrapped prose: they do not vote on a width
    width = _wrap_width(
        [p.text for p in parsed if not p.divider and not read_label(p.text)]
    )
    if width and _double_spaced(parsed):
        parsed = [replace(p, gap=max(p.gap - 1, 0)) for p in parsed]
        log.note("double-spacing", "every line was followed by a blank line; read as single-spaced")
    blocks: list[Block] = []
    unwrapped = 0
    indented = _indent_led(parsed)
    for group in _groups(parsed):
        made, joined = _group_blocks(group, width, indented)
        blocks.extend(made)
        unwrapped += joined
    if unwrapped:
        log.note("unwrap", f"joined {unwrapped} hard-wrapped lines (wrap width {width})")
    return [_emphasis(b, log) for b in blocks], hints


def _parse_lines(lines: list[tuple[int, str]]) -> list[_Line]:
    parsed: list[_Line] = []
    gap = 0
    for number, raw in lines:
        line = raw.rstrip()
        if not line.strip():
            gap += 1
            continue
        stripped = line.lstrip()
        indent = len(line) - len(stripped)
        parsed.append(_Line(stripped, indent, gap, number, is_divider_text(stripped)))
        gap = 0
    return parsed


def _indent_led(lines: list[_Line]) -> bool:
    """Paragraphs marked by an indented first line, the rest of each paragraph flush."""
    if len(lines) < FEW_LINES:
        return False
    indented = sum(1 for line in lines if PARAGRAPH_INDENT <= line.indent <= 12)
    flush = sum(1 for line in lines if line.indent == 0)
    return indented >= INDENTED_SHARE * len(lines) and flush >= len(lines) / 3


def _double_spaced(lines: list[_Line]) -> bool:
    """Typed double-spaced: a blank line after nearly every line, wrapped lines and all."""
    gaps = [line.gap for line in lines[1:]]
    if len(gaps) < FEW_LINES:
        return False
    ones = sum(1 for g in gaps if g == 1)
    zeros = sum(1 for g in gaps if g == 0)
    # most lines one blank line apart, almost none touching (paragraphs may be further apart)
    return ones >= DOUBLE_SPACED_SHARE * len(gaps) and zeros <= SINGLE_SPACED_SHARE * len(gaps)


def _wrap_width(lines: list[str]) -> int | None:
    """The column the text was wrapped at, or None when lines were never wrapped."""
    lengths = sorted(len(line) for line in lines)
    if not lengths:
        return None
    if len(lengths) < FEW_LINES:
        # too few lines to see a band: the longest line is the width, if it is one
        return lengths[-1] if GROUP_MIN_WRAP_WIDTH <= lengths[-1] <= MAX_WRAP_WIDTH else None
    width = lengths[int(len(lengths) * 0.97) - 1]
    if not MIN_WRAP_WIDTH <= width <= MAX_WRAP_WIDTH:
        return None
    # the band: lines ending within WRAP_BAND of the width (the few longer ones included)
    near = [n for n in lengths if width - WRAP_BAND <= n <= width + WRAP_BAND]
    return width if len(near) >= WRAPPED_SHARE * len(lengths) else None


def _groups(lines: list[_Line]) -> list[list[_Line]]:
    groups: list[list[_Line]] = []
    for line in lines:
        if line.gap or not groups:
            groups.append([line])
        else:
            groups[-1].append(line)
    return groups


def _is_centred(line: _Line, width: int | None) -> bool:
    if line.indent < CENTRE_INDENT:
        return False
    span = width or 80
    return len(line.text) + line.indent < span - 2 or line.indent >= 2 * CENTRE_INDENT


def _soft_break(
    line: _Line, nxt: _Line, width: int | None, head: _Line, indented: bool = False
) -> bool:
    if line.divider or nxt.divider or read_label(nxt.text):
        return False
    if nxt.indent > head.indent and read_label(head.text):
        return True  # a header field's value wrapped with a hanging indent
    if indented and head.indent >= PARAGRAPH_INDENT and nxt.indent == 0 and width:
        # paragraphs start indented: a flush line goes on the paragraph, however ragged
        # the right margin (typed by hand, or wrapped by an editor at varying widths)
        return line.indent + len(line.text) >= width * RAGGED_SHARE
    if width is None or nxt.indent > line.indent:
        return False
    first = nxt.text.split(" ", 1)[0]
    return line.indent + len(line.text) + 1 + len(first) > width - FIT_SLACK


def _group_width(group: list[_Line], width: int | None) -> int | None:
    """The wrap width of one group: narrower than the text's when the group was wrapped
    narrower (an indented passage, a reply), else the text's own."""
    if len(group) < GROUP_WRAP_MIN_LINES:
        return width
    ends = [line.indent + len(line.text) for line in group[:-1]]
    widest = max(ends)
    if widest < GROUP_MIN_WRAP_WIDTH or (width is not None and widest >= width):
        return width
    near = sum(1 for n in ends if n >= widest - GROUP_WRAP_BAND)
    return widest if near >= GROUP_WRAP_SHARE * len(ends) else width


def _underlined(group: list[_Line]) -> bool:
    """A heading underlined the typewriter way: a line, then ``-----`` or ``=====`` under it."""
    if len(group) != 2:
        return False
    title, rule = group[0].text, group[1].text
    return (
        set(rule) <= set("-=~_*^")
        and len(rule) >= 3
        and abs(len(rule) - len(title)) <= 3
        and not is_divider_text(title)
    )


def _group_blocks(
    group: list[_Line], width: int | None, indented: bool = False
) -> tuple[list[Block], int]:
    """Blocks for one blank-line-separated group, and how many line breaks were joined."""
    gap = group[0].gap
    if _underlined(group):
        first = group[0]
        heading = para(
            _SPACES.sub(" ", first.text), gap=gap, line=first.number, indent=first.indent
        )
        return [heading.evolve(kind="heading", level=2)], 0
    width = _group_width(group, width)
    if all(_is_centred(line, width) for line in group) and len(group) <= 6:
        return [
            para(
                _SPACES.sub(" ", line.text),
                centered=True,
                gap=gap if i == 0 else 0,
                line=line.number,
                indent=line.indent,
            )
            for i, line in enumerate(group)
        ], 0
    runs: list[list[_Line]] = [[group[0]]]
    joined = 0
    for line, nxt in itertools.pairwise(group):
        if _soft_break(line, nxt, width, runs[-1][0], indented):
            runs[-1].append(nxt)
            joined += 1
        else:
            runs.append([nxt])
    if len(runs) > 1 and _is_verse(group, runs, width):
        text = "\n".join(_SPACES.sub(" ", line.text) for line in group)
        first = group[0]
        return [para(text, gap=gap, preformatted=True, line=first.number, indent=first.indent)], 0
    blocks = []
    for i, run in enumerate(runs):
        text = _SPACES.sub(" ", " ".join(line.text for line in run))
        centred = len(run) == 1 and _is_centred(run[0], width)
        blocks.append(
            para(
                text,
                gap=gap if i == 0 else 0,
                centered=centred,
                line=run[0].number,
                indent=run[0].indent,
            )
        )
    return blocks, joined


def _is_verse(group: list[_Line], runs: list[list[_Line]], width: int | None) -> bool:
    """Short lines kept as the author broke them: verse, lyrics, lists, addresses."""
    if any(len(run) > 1 for run in runs):
        return False
    limit = (width or 80) * VERSE_SHARE
    if any(len(line.text) > limit for line in group):
        return False
    indents = {line.indent for line in group}
    dialogue = sum(1 for line in group if line.text[:1] in "\"'“‘")
    # Lines each starting a new indented paragraph, or a run of dialogue lines, are prose.
    return not (len(indents) > 1 and min(indents) == 0 and dialogue) and dialogue < len(group) / 2


def _emphasis(block: Block, log: RescueLog) -> Block:
    """``*word*`` and ``_word_``, the plain-text way to write italics, become ``<em>``."""
    if "*" not in block.html and "_" not in block.html:
        return block
    found = _EMPHASIS.findall(block.html)
    if not found:
        return block
    html = _EMPHASIS.sub(r"<em>\2</em>", block.html)
    for mark, _ in found:
        log.repair("emphasis", f"{mark}text{mark}", "<em>text</em>", 1)
    return block.evolve(html=html, text=_EMPHASIS.sub(r"\2", block.text))
