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
# A YAML header, its aliases written out, may weigh this many times its own length (plus
# MAX_YAML_VALUES): room for a repeated value or two, none for a bomb. Headers nest a
# list of epigraphs in a mapping, three levels; deeper than MAX_YAML_DEPTH is no header.
MAX_YAML_GROWTH = 4
MAX_YAML_VALUES = 10_000
MAX_YAML_DEPTH = 64
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
            data = load_yaml(match.group(1))
        except YamlTooBig as exc:
            log.note("front-matter", f"YAML header refused: {exc}; read as text")
            data = None
        except yaml.YAMLError as exc:
            log.note("front-matter", f"YAML header could not be read ({exc.__class__.__name__})")
            data = None
        if isinstance(data, dict):
            apply_yaml(data, meta, log)
            body = text[match.end() :]
            meta.structured = True
    blocks, _ = html_to_blocks(_MD.render(body), log)
    return blocks


class YamlTooBig(yaml.YAMLError):
    """A YAML header whose aliases would build far more than is written (a YAML bomb)."""


def load_yaml(source: str) -> object:
    """The YAML document, built only after its aliases are known to stay small.

    Aliases (``&a``, ``*a``) let 383 bytes stand for a billion strings; the node graph is
    composed first (aliases shared, nothing copied) and its size counted as if every
    alias were written out: over `MAX_YAML_GROWTH` times the header's own length (plus
    `MAX_YAML_VALUES`), or nested deeper than `MAX_YAML_DEPTH`, or an alias inside
    itself, and it is refused with `YamlTooBig` before anything is built.

    >>> load_yaml("title: Bells\\nauthors: [Jo]")
    {'title': 'Bells', 'authors': ['Jo']}
    >>> load_yaml("a: &a [x, x]\\nb: &b [*a, *a]\\nc: [*b, *b]")["c"][0][0]
    ['x', 'x']
    """
    loader = _YAML_LOADER(source)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_expansion(node, MAX_YAML_GROWTH * len(source) + MAX_YAML_VALUES)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _check_expansion(root: yaml.Node, limit: int) -> None:
    """Raise `YamlTooBig` when `root`, every alias written out, weighs more than `limit`
    (a value weighs its length plus one); iterative, each shared node counted once."""
    weights: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool, int]] = [(root, False, 1)]
    while stack:
        node, done, depth = stack.pop()
        children = _children(node)
        if done:
            on_path.discard(id(node))
            weight = len(node.value) + 1 if isinstance(node, yaml.ScalarNode) else 1
            weights[id(node)] = weight + sum(weights[id(c)] for c in children)
            if weights[id(node)] > limit:
                raise YamlTooBig(f"its aliases expand it to more than {limit:,} characters")
            continue
        if id(node) in weights:
            continue
        if id(node) in on_path:
            raise YamlTooBig("an alias refers to a value that holds it")
        if depth > MAX_YAML_DEPTH:
            raise YamlTooBig(f"values nested more than {MAX_YAML_DEPTH} deep")
        on_path.add(id(node))
        stack.append((node, True, depth))
        stack.extend((c, False, depth + 1) for c in children if id(c) not in weights)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []

