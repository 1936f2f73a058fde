"""Markdown with a YAML header: the shape of an author's own archive and of our export.

The YAML keys of a Work are read as they are; the common keys of static-site archives
(``author``, ``pairing``, ``tags`` with ``c:``/``p:``/``f:`` prefixes) are mapped to
Work fields (`ficarchive.rescue.blocks.yaml_header`, which checks each value's shape
first). Keys we do not know, and values of the wrong shape, are kept in diagnostics.
"""

from __future__ import annotations

import re

import yaml
from markdown_it import MarkdownIt

from ficarchive.rescue.blocks.block import Block
from ficarchive.rescue.blocks.html import html_to_blocks
from ficarchive.rescue.blocks.yaml_header import apply_yaml
from ficarchive.rescue.log import RescueLog
from ficarchive.rescue.structure.meta import Meta

# libyaml's loader when PyYAML was built with it (the wheels are): ten times faster.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_FRONT = re.compile(r"\A---[ \t]*\n(.*?\n)(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_MD = MarkdownIt("commonmark", {"html": True, "typographer": False})


def has_front_matter(text: str) -> bool:
    return bool(_FRONT.match(text))


def read_markdown(text: str, meta: Meta, log: RescueLog) -> list[Block]:
    match = _FRONT.match(text)
    body = text
    data: object = None
    if match:
        try:
            data = yaml.load(match.group(1), Loader=_YAML_LOADER)
        except yaml.YAMLError as exc:
            log.note("front-matter", f"YAML header could not be read ({exc.__class__.__name__})")
            data = None
        if isinstance(data, dict):
            apply_yaml(data, meta, log)
            body = text[match.end() :]
            meta.structured = True
    blocks, _ = html_to_blocks(_MD.render(body), log)
    return blocks
