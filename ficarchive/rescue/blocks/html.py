"""Old-web HTML to blocks.

``<font>``, ``<center>``, ``<p align>``, ``<br><br>`` paragraphs, layout tables and tag
soup are read with lxml's forgiving parser; emphasis survives as ``<em>``/``<strong>``;
everything else inline is dropped to its text. ``<hr>`` and stand-alone images become
rule and image blocks for the structure stage to judge.
"""

from __future__ import annotations

import html as htmllib
import re
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from ficarchive.rescue.blocks.block import MAX_HINT_CHARS, Block, BlockKind, html_to_text
from ficarchive.rescue.blocks.markup import replace_tags
from ficarchive.rescue.blocks.parse import TooDeep, as_plain_text, parse_page
from ficarchive.rescue.blocks.text import text_to_blocks
from ficarchive.rescue.log import RescueLog

_BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "center",
        "blockquote",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "table",
        "tr",
        "td",
        "th",
        "tbody",
        "thead",
        "tfoot",
        "caption",
        "address",
        "section",
        "article",
        "header",
        "footer",
        "nav",
        "main",
        "aside",
        "form",
        "body",
        "html",
        "figure",
        "figcaption",
        "fieldset",
        "legend",
        "details",
        "summary",
    ]
)
_DROP_TAGS = frozenset(
    [
        "script",
        "style",
        "noscript",
        "iframe",
        "object",
        "embed",
        "applet",
        "select",
        "option",
        "textarea",
        "button",
        "input",
        "map",
        "area",
        "audio",
        "video",
        "svg",
        "canvas",
    ]
)
_INLINE_MAP = {
    "i": "em",
    "em": "em",
    "cite": "em",
    "var": "em",
    "dfn": "em",
    "b": "strong",
    "strong": "strong",
    "u": "u",
    "ins": "u",
    "s": "s",
    "strike": "s",
    "del": "s",
}
_ANY_TAG = re.compile(r"<[^>]+>")
# Each of these is tried only where a run of spaces and <br> starts (the look-behinds),
# and takes its run whole (possessive): tried in the middle of a long run, each scanned
# the rest of it again (quadratic).
_BR_SPACE = re.compile(r"(?:(?<!\s)|(?=<br>))\s*+<br>\s*+")
_EDGE_BR = re.compile(r"^(?:<br>|\s)++|(?<!\s)(?<!<br>)(?:<br>|\s)++$")
_BR_AFTER_OPEN = re.compile(r"<(em|strong|u|s)>((?:<br>)+)")
_BR_BEFORE_CLOSE = re.compile(r"(?<!<br>)((?:<br>)++)</(em|strong|u|s)>")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_SPACE = re.compile(r"[ \t\r\n\f\u00a0]+")
_EMPTY_TAG = re.compile(r"<(em|strong|u|s|span)(?: [^>]*)?>(\s*)</\1>")


@dataclass
class HtmlHints:
    title: str | None = None
    generator: str | None = None
    meta: dict[str, str] = field(default_factory=dict)


@dataclass
class _Ctx:
    centered: bool = False
    heading: int = 0
    quote: bool = False


@dataclass
class _Builder:
    parts: list[str] = field(default_factory=list)
    open_tags: list[str] = field(default_factory=list)
    chars: int = 0
    strong_chars: int = 0
    em_chars: int = 0
    link_chars: int = 0
    hrefs: list[str] = field(default_factory=list)
    pending_br: int = 0
    line: int = -1  # source line of the block's first text (0-based)


class _Walker:
    def __init__(self, log: RescueLog) -> None:
        self.log = log
        self.blocks: list[Block] = []
        self.b = _Builder()
        self.ctx = _Ctx()
        self.line = -1  # source line of the element being walked (0-based)

    # -- output -----------------------------------------------------------------
    def flush(self) -> None:
        b, self.b = self.b, _Builder()
        raw = "".join(b.parts) + "".join(f"</{t}>" for t in reversed(b.open_tags))
        html = _tidy(raw)
        text = html_to_text(html).strip()
        if not text:
            return
        attrs = {"link_chars": str(b.link_chars), "hrefs": " ".join(b.hrefs)}
        kind: BlockKind = "heading" if self.ctx.heading else "para"
        self.blocks.append(
            Block(
                kind,
                html=html,
                text=text,
                centered=self.ctx.centered,
                level=self.ctx.heading,
                strong=b.chars > 0 and b.strong_chars >= b.chars * 0.9,
                emphasis=b.chars > 0 and b.em_chars >= b.chars * 0.9,
                preformatted="<br>" in html,
                line=b.line,
                attrs=attrs,
            )
        )

    def emit(self, block: Block) -> None:
        self.flush()
        self.blocks.append(block.evolve(centered=block.centered or self.ctx.centered))

    # -- walking ----------------------------------------------------------------
    def text(self, value: str | None, inline: list[str], in_link: bool) -> None:
        if not value:
            return
        if self.b.pending_br and value.strip():
            self.b.pending_br = 0
        escaped = htmllib.escape(value, quote=False)
        self.b.parts.append(escaped)
        n = len(value.strip())
        if n and self.b.chars == 0:
            self.b.line = self.line
        self.b.chars += n
        if "strong" in inline or self.ctx.heading:
            self.b.strong_chars += n
        if "em" in inline:
            self.b.em_chars += n
        if in_link:
            self.b.link_chars += n

    def walk(self, el: Any, inline: list[str], in_link: bool) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        tag = tag.lower()
        if tag in _DROP_TAGS or not tag:
            return
        if el.sourceline:
            self.line = el.sourceline - 1
        if tag == "br":
            self.br()
        elif tag == "hr":
            self.emit(Block("rule", line=self.line, attrs={"html": "hr"}))
        elif tag == "img":
            self.image(el)
        elif tag == "pre":
            self.pre(el)
        elif tag in _BLOCK_TAGS:
            self.block(el, tag, inline, in_link)
            return
        else:
            self.inline(el, tag, inline, in_link)
            return
        self.text(el.tail, inline, in_link)

    def br(self) -> None:
        self.b.pending_br += 1
        if self.b.pending_br >= 2:
            self.b.pending_br = 0
            if self.b.parts and self.b.parts[-1] == "<br>":
                self.b.parts.pop()
            self.flush_keeping_tags()
        else:
            self.b.parts.append("<br>")

    def flush_keeping_tags(self) -> None:
        reopen = list(self.b.open_tags)
        self.flush()
        for t in reopen:
            self.b.parts.append(f"<{t}>")
            self.b.open_tags.append(t)

    def image(self, el: Any) -> None:
        attrs = {k: str(el.get(k, "")) for k in ("src", "alt", "width", "height", "title")}
        if self.b.chars:  # an image inside running text: keep its words, if any
            if attrs["alt"].strip():
                self.log.note("image", "inline image replaced by its alt text", attrs["alt"])
            return
        self.emit(Block("image", text="", line=self.line, attrs=attrs))

    def pre(self, el: Any) -> None:
        self.flush()
        blocks, _ = text_to_blocks(el.text_content(), self.log)
        self.blocks.extend(blocks)

    def block(self, el: Any, tag: str, inline: list[str], in_link: bool) -> None:
        self.flush()
        saved = self.ctx
        align = (el.get("align") or "").lower()
        style = (el.get("style") or "").lower().replace(" ", "")
        self.ctx = _Ctx(
            centered=saved.centered
            or tag == "center"
            or align == "center"
            or "text-align:center" in style,
            heading=int(tag[1]) if tag in ("h1", "h2", "h3", "h4", "h5", "h6") else saved.heading,
            quote=saved.quote or tag == "blockquote",
        )
        self.text(el.text, inline, in_link)
        for child in el:
            self.walk(child, inline, in_link)
        self.flush()
        self.ctx = saved
        self.text(el.tail, inline, in_link)

    def inline(self, el: Any, tag: str, inline: list[str], in_link: bool) -> None:
        mapped = _INLINE_MAP.get(tag)
        if tag == "span" and el.get("lang"):
            lang = htmllib.escape(el.get("lang"), quote=True)
            self.b.parts.append(f'<span lang="{lang}">')
            mapped = "span"
        elif mapped and mapped not in inline:
            self.b.parts.append(f"<{mapped}>")
        else:
            mapped = None if not mapped or mapped in inline else mapped
        if mapped:
            self.b.open_tags.append(mapped)
        link = in_link or tag == "a"
        if tag == "a" and el.get("href"):
            self.b.hrefs.append(str(el.get("href")))
        self.text(el.text, [*inline, mapped] if mapped else inline, link)
        for child in el:
            self.walk(child, [*inline, mapped] if mapped else inline, link)
        if mapped and mapped in self.b.open_tags:
            self.b.open_tags.remove(mapped)
            self.b.parts.append(f"</{mapped}>")
        self.text(el.tail, inline, in_link)


def _tidy(raw: str) -> str:
    """Collapse whitespace, drop empty inline elements and edge ``<br>``s."""
    html = _SPACE.sub(" ", raw)
    if "<" not in html:
        return html.strip()
    html = _BR_SPACE.sub("<br>", html)
    previous = None
    while previous != html:
        previous = html
        html = _EMPTY_TAG.sub(r"\2", html)
    if "<br>" in html:
        html = _EDGE_BR.sub("", html)
        # <br> just inside an inline element's edges moves outside it
        html = _BR_AFTER_OPEN.sub(r"\2<\1>", html)
        html = _BR_BEFORE_CLOSE.sub(r"</\2>\1", html)
        html = _EDGE_BR.sub("", html)
    return html.strip()


def html_to_blocks(text: str, log: RescueLog) -> tuple[list[Block], HtmlHints]:
    text = _XML_DECL.sub("", text, count=1)
    try:
        root = parse_page(text, log)
    except (etree.ParserError, ValueError):
        log.note("html", "the HTML could not be parsed; read as plain text")
        blocks, _ = text_to_blocks(replace_tags(_ANY_TAG, " ", text), log)
        return blocks, HtmlHints()
    except TooDeep as exc:
        log.note("html-depth", f"the page cannot be read as HTML ({exc}); read as plain text")
        blocks, _ = text_to_blocks(as_plain_text(text), log)
        return blocks, HtmlHints()
    hints = _hints(root)
    for comment in root.iter(etree.Comment):
        if comment.text and comment.text.strip():
            log.note("html-comment", "HTML comment not shown on the page", comment.text.strip())
    walker = _Walker(log)
    body = root.find("body")
    walker.walk(body if body is not None else root, [], False)
    walker.flush()
    return walker.blocks, hints


def _hints(root: Any) -> HtmlHints:
    hints = HtmlHints()
    title = root.find(".//title")
    if title is not None and title.text_content().strip():
        hints.title = _SPACE.sub(" ", title.text_content()).strip()[:MAX_HINT_CHARS]
    for meta in root.iter("meta"):
        name = (meta.get("name") or meta.get("property") or "").lower()
        if name and meta.get("content"):
            hints.meta[name] = str(meta.get("content"))
    hints.generator = hints.meta.get("generator")
    head = root.find("head")
    if head is not None:
        head.getparent().remove(head)
    return hints
