"""Plain-text shapes: ``wrapped-text`` and ``macroman-mojibake``."""

from __future__ import annotations

import random
import re
import textwrap
from dataclasses import dataclass

from benchmarks.quality.corpus import Break, GoldStory, Heading
from benchmarks.quality.header import header_fields, inline_text, rng_for

TEXT_DIVIDERS = ("* * *", "~*~", "-----", "oOo", "***", "~~~~~")
END_MARKS = ("The End", "THE END", "Fin", "~ fin ~")


@dataclass(frozen=True)
class TextStyle:
    width: int
    crlf: bool
    indent_paragraphs: bool
    emphasis: str
    divider: str
    centre: bool
    caps_labels: bool
    separator: str
    end_mark: str | None


def text_style(rng: random.Random) -> TextStyle:
    return TextStyle(
        width=rng.randint(70, 76),
        crlf=True,
        indent_paragraphs=rng.random() < 0.25,
        emphasis=rng.choice(("*", "_", "")),
        divider=rng.choice(TEXT_DIVIDERS),
        centre=rng.random() < 0.5,
        caps_labels=rng.random() < 0.3,
        separator=rng.choice(("", "-" * 40, "=" * 60, "~" * 30)),
        end_mark=rng.choice(END_MARKS) if rng.random() < 0.5 else None,
    )


def _wrap(text: str, width: int, *, indent: str = "", hang: str = "") -> list[str]:
    lines: list[str] = []
    for piece in text.split("\n"):
        lines += textwrap.wrap(
            piece,
            width,
            initial_indent=indent,
            subsequent_indent=hang,
            break_long_words=False,
            break_on_hyphens=False,
        ) or [""]
        indent = hang
    return lines


def _centred(text: str, style: TextStyle) -> str:
    return text.center(style.width).rstrip() if style.centre else text


def text_header(story: GoldStory, rng: random.Random, style: TextStyle) -> list[str]:
    lines: list[str] = []
    hang = "  " if rng.random() < 0.5 else ""
    for f in header_fields(story, rng, caps=style.caps_labels):
        lines += _wrap(f"{f.label}: {f.text}", style.width, hang=hang)
    lines.append("")
    if style.separator:
        lines += [style.separator, ""]
    return lines


def text_body(story: GoldStory, style: TextStyle) -> list[str]:
    lines: list[str] = []
    for block in story.blocks:
        if isinstance(block, Break):
            lines += ["", _centred(style.divider, style), ""]
        elif isinstance(block, Heading):
            lines += ["", _centred(block.text, style), ""]
        else:
            text = inline_text(block.html, emphasis=style.emphasis)
            if not text:
                continue
            if style.indent_paragraphs:
                lines += _wrap(text, style.width, indent="     ")
            else:
                if lines and lines[-1] != "":
                    lines.append("")
                lines += _wrap(text, style.width)
    if style.end_mark:
        lines += ["", _centred(style.end_mark, style)]
    return lines


def wrapped_text(story: GoldStory) -> bytes:
    """The ``wrapped-text`` shape: cp1252 bytes, CRLF, hard-wrapped."""
    rng = rng_for(story.name, "wrapped-text")
    style = text_style(rng)
    lines = text_header(story, rng, style) + text_body(story, style)
    # Collapse the blank runs a divider after an indented paragraph leaves behind.
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines).strip("\n")) + "\n"
    if style.crlf:
        text = text.replace("\n", "\r\n")
    return text.encode("cp1252", errors="replace")


def macroman_mojibake(story: GoldStory) -> bytes:
    """The cp1252 text read as Mac Roman and re-saved as UTF-8."""
    return wrapped_text(story).decode("mac_roman").encode("utf-8")
