"""Units: what the structure labeller gives one label each.

A unit is one line of a block (a header block of ``Title: X<br>Author: Y`` is two units; a
prose paragraph, one), or a *gap*: a run of blank lines longer than the text's usual
paragraph gap, which may be a scene break that left no marker. Units keep the block they
came from, so the body can be put back together as the author wrote it.
"""

from __future__ import annotations

from dataclasses import dataclass

from ficarchive.rescue.blocks.block import Block, html_to_text, split_html_lines


@dataclass(frozen=True)
class Unit:
    index: int  # position in the document's units
    block: int  # index of the block it is a line of
    part: int  # which line of that block (0 for a whole block)
    parts: int  # how many lines the block has
    html: str
    text: str
    line: int  # source line in the decoded text, -1 when unknown
    source: Block
    gap: int = 0  # blank lines before (gap units: the run's length)
    is_gap: bool = False
    words: int = 0  # words of its text


def usual_gap(blocks: list[Block]) -> int:
    """The blank lines that usually separate two paragraphs of this text (0, 1, 2...)."""
    gaps = sorted(b.gap for b in blocks[1:] if b.kind == "para")
    return gaps[len(gaps) // 2] if gaps else 1


def units_of(blocks: list[Block]) -> list[Unit]:
    """Every block split into its lines, with gap units where blank runs are long."""
    usual = usual_gap(blocks)
    units: list[Unit] = []
    for b, block in enumerate(blocks):
        if units and block.gap > usual:
            start = block.line - block.gap if block.line >= 0 else -1
            units.append(
                Unit(len(units), b, -1, 0, "", "", start, block, gap=block.gap, is_gap=True)
            )
        lines = split_html_lines(block.html) if block.kind in ("para", "heading") else [block.html]
        if len(lines) <= 1:
            units.append(
                Unit(
                    len(units),
                    b,
                    0,
                    1,
                    block.html,
                    block.text,
                    block.line,
                    block,
                    block.gap,
                    words=len(block.text.split()),
                )
            )
            continue
        for k, line_html in enumerate(lines):
            text = html_to_text(line_html).strip()
            units.append(
                Unit(
                    len(units),
                    b,
                    k,
                    len(lines),
                    line_html,
                    text,
                    block.line + k if block.line >= 0 else -1,
                    block,
                    block.gap if k == 0 else 0,
                    words=len(text.split()),
                )
            )
    return units
