"""Gold data read from the shared corpus (never copied into the repository).

Two corpora live in ``../shared/corpus`` relative to the repository root (see its
README): ``antennapedia-btvs`` (Markdown stories whose YAML front matter is the gold
metadata) and ``usenet-startrek`` (text files whose ``.descs`` line is the gold).

The gold body of an antennapedia story is its Markdown rendered by markdown-it-py and
read back as a list of blocks: paragraphs (inline HTML), chapter headings (``h2``/``h3``)
and scene breaks (``<hr />``, ``***``, ``* * *``, ``<em>-==-</em>``).  The blocks are
normalised so that a scene break always sits *inside* a chapter, between paragraphs
(see `normalise_blocks`); the gold scene-break count is the number that remain.
"""

from __future__ import annotations

import html
import os
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import lxml.html
import yaml
from markdown_it import MarkdownIt

REPO_ROOT = Path(__file__).resolve().parents[2]
CORPUS_ENV = "FICARCHIVE_CORPUS"
ANTENNAPEDIA = "antennapedia-btvs"
USENET = "usenet-startrek"

#: A paragraph whose whole text is one of these is a scene break in the gold Markdown.
GOLD_BREAK_TEXT = re.compile(r"^(?:(?:\*\s*){3,}|-==-)$")
_TAG = re.compile(r"<[^>]*>")
_BREAK_TAG = re.compile(r"<\s*(?:br|/?p)\b[^>]*>", re.IGNORECASE)
_CONTAINERS = {"blockquote", "div", "ul", "ol", "center", "section"}


def corpus_dir() -> Path:
    """``$FICARCHIVE_CORPUS`` or ``../shared/corpus`` next to the repository."""
    env = os.environ.get(CORPUS_ENV)
    return Path(env) if env else REPO_ROOT.parent / "shared" / "corpus"


def corpus_missing() -> str | None:
    """Why the gate cannot run here, or None when both corpora are present."""
    root = corpus_dir()
    for name in (ANTENNAPEDIA, USENET):
        if not (root / name).is_dir():
            return f"corpus folder {root / name} is absent (set ${CORPUS_ENV} to point at it)"
    return None


# -- blocks ------------------------------------------------------------------------
@dataclass(frozen=True)
class Para:
    html: str  # inline HTML, as the author wrote it


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class Break:
    pass


Block = Para | Heading | Break


def text_of(fragment: str) -> str:
    """Plain text of an HTML fragment: ``<br>``/``<p>`` become spaces, other tags vanish."""
    text = _BREAK_TAG.sub(" ", fragment)
    return unicodedata.normalize("NFC", html.unescape(_TAG.sub("", text)))


def words_of(fragments: Iterator[str] | tuple[str, ...] | list[str]) -> list[str]:
    """Whitespace-separated words of some HTML fragments, in order."""
    return [w for f in fragments for w in text_of(f).split()]


def _inner_html(el: Any) -> str:
    parts = [html.escape(el.text or "", quote=False)]
    for child in el:
        parts.append(lxml.html.tostring(child, encoding="unicode", with_tail=False))
        parts.append(html.escape(child.tail or "", quote=False))
    return "".join(parts).strip()


def _blocks_of(el: Any) -> Iterator[Block]:
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag == "hr":
        yield Break()
    elif tag in ("h1", "h2", "h3", "h4"):
        yield Heading(" ".join(el.text_content().split()))
    elif tag in _CONTAINERS:
        if (el.text or "").strip():
            yield Para(html.escape(el.text.strip(), quote=False))
        for child in el:
            yield from _blocks_of(child)
            if (child.tail or "").strip():
                yield Para(html.escape(child.tail.strip(), quote=False))
    elif tag:
        inner = (
            _inner_html(el)
            if tag in ("p", "li", "pre")
            else lxml.html.tostring(el, encoding="unicode", with_tail=False)
        )
        plain = " ".join(text_of(inner).split())
        if GOLD_BREAK_TEXT.match(plain):
            yield Break()
        elif plain or "<img" in inner:
            yield Para(inner)


def normalise_blocks(blocks: list[Block]) -> tuple[Block, ...]:
    """Collapse runs of breaks; drop breaks at either end of a chapter.

    A break next to a heading, at the start or at the end of the body is not a scene
    break *inside* a chapter, so it does not count and is not rendered.
    """
    out: list[Block] = []
    for block in blocks:
        if isinstance(block, Break) and (not out or not isinstance(out[-1], Para)):
            continue
        if isinstance(block, Heading) and out and isinstance(out[-1], Break):
            out.pop()
        out.append(block)
    while out and isinstance(out[-1], Break):
        out.pop()
    return tuple(out)


def body_blocks(markdown: str) -> tuple[Block, ...]:
    rendered = MarkdownIt("commonmark").render(markdown)
    blocks: list[Block] = []
    for el in lxml.html.fragments_fromstring(rendered):
        if isinstance(el, str):
            if el.strip():
                blocks.append(Para(html.escape(el.strip(), quote=False)))
            continue
        blocks.extend(_blocks_of(el))
    return normalise_blocks(blocks)


# -- antennapedia gold -----------------------------------------------------------------
@dataclass(frozen=True)
class GoldStory:
    name: str
    title: str
    author: str
    rating: str  # general / mature / adult
    pairing: str  # e.g. giles/buffy, or gen
    summary: str
    notes: str | None  # HTML
    tags: tuple[str, ...]
    series: str | None
    published: str
    altlink: str
    blocks: tuple[Block, ...]

    @property
    def paragraphs(self) -> tuple[str, ...]:
        return tuple(b.html for b in self.blocks if isinstance(b, Para))

    @property
    def words(self) -> list[str]:
        return words_of(self.paragraphs)

    @property
    def scene_breaks(self) -> int:
        return sum(isinstance(b, Break) for b in self.blocks)

    @property
    def chapters(self) -> tuple[str, ...]:
        return tuple(b.text for b in self.blocks if isinstance(b, Heading))


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    match = re.match(r"---\r?\n(.*?)\r?\n---\r?\n", text, re.DOTALL)
    if not match:
        raise ValueError("no YAML front matter")
    data = yaml.safe_load(match.group(1))
    if not isinstance(data, dict):
        raise ValueError("front matter is not a mapping")
    return data, text[match.end() :]


def load_story(path: Path) -> GoldStory:
    meta, body = split_front_matter(path.read_text(encoding="utf-8"))
    return GoldStory(
        name=path.name,
        title=str(meta["title"]),
        author=str(meta["author"]),
        rating=str(meta["rating"]),
        pairing=str(meta.get("pairing") or "gen"),
        summary=" ".join(str(meta.get("summary") or "").split()),
        notes=" ".join(str(meta["notes"]).split()) if meta.get("notes") else None,
        tags=tuple(str(t) for t in meta.get("tags") or ()),
        series=str(meta["series"]) if meta.get("series") else None,
        published=str(meta.get("published") or ""),
        altlink=str(meta.get("altlink") or ""),
        blocks=body_blocks(body),
    )


def story_paths() -> list[Path]:
    return sorted((corpus_dir() / ANTENNAPEDIA).glob("*.md"))


# -- usenet gold ------------------------------------------------------------------------
@lru_cache(maxsize=1)
def usenet_descs() -> dict[str, str]:
    """File name -> the collection's description line, from ``.descs``."""
    path = corpus_dir() / USENET / ".descs"
    out: dict[str, str] = {}
    for line in path.read_text(encoding="latin-1").splitlines():
        name, _, desc = line.strip().partition(" ")
        if name:
            out[name] = desc.strip()
    return out
