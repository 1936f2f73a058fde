"""Our own HTML export, read back field by field: rescuing a rescued work changes nothing.

The export names every field with a class (see `ficarchive.export.html`), so nothing
here is guessed; the page's generator tag says the file is ours.
"""

from __future__ import annotations

import json
from typing import Any

import lxml.html

from ficarchive.rescue.blocks.parse import document
from ficarchive.rescue.structure.meta import Meta
from ficarchive.work import Chapter, Credit, Epigraph, Section, Work


def is_ours(generator: str | None) -> bool:
    return bool(generator) and str(generator).startswith("ficarchive ")


def _inner(el: Any) -> str:
    text = lxml.html.tostring(el, encoding="unicode", with_tail=False)
    start = text.index(">") + 1
    end = text.rindex("</")
    return str(text[start:end]).strip()


def _xpath_class(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def _find(root: Any, tag: str, cls: str) -> list[Any]:
    return list(root.xpath(f".//{tag}[{_xpath_class(cls)}]"))


def read_ours(text: str, meta: Meta) -> list[Chapter]:
    root = document(text)  # no 10 MB cap on a paragraph
    title = _find(root, "h1", "title")
    meta.title = title[0].text_content().strip() if title else None
    meta.authors = [
        a.text_content().strip()
        for a in root.xpath(f".//p[{_xpath_class('byline')}]//span[{_xpath_class('author')}]")
    ]
    for dd in _find(root, "dd", "rating"):
        meta.rating = dd.text_content().strip()
        meta.rating_source = dd.get("data-source")
    for name in ("warnings", "fandoms", "relationships", "characters", "tags"):
        for dd in _find(root, "dd", name):
            setattr(meta, name, [li.text_content().strip() for li in dd.iter("li")])
    for name in ("spoilers", "challenge", "published", "language"):
        for dd in _find(root, "dd", name):
            setattr(meta, name, dd.text_content().strip())
    for name in ("summary", "disclaimer"):
        for block in _find(root, "blockquote", f"{name}-text"):
            setattr(meta, name, "\n\n".join(p.text_content() for p in block.iter("p")))
    for main in root.iter("main"):
        verdict = main.get("data-looks-like-story")
        if verdict in ("true", "false"):
            meta.verdict = verdict == "true"
    for position in ("beginning", "end"):
        for section in root.xpath(
            f".//section[{_xpath_class('notes')} and {_xpath_class(position)}]"
        ):
            notes = [_inner(p) for p in section.xpath(".//div[@class='notes-text']/p")]
            setattr(meta, f"notes_{position}", notes)
        for section in root.xpath(
            f".//section[{_xpath_class('epigraph')} and {_xpath_class(position)}]"
        ):
            meta.epigraphs.append(_epigraph(section, position))
    for li in root.xpath(f".//section[{_xpath_class('credits')}]//li"):
        roles, names = _find(li, "span", "role"), _find(li, "span", "name")
        if roles and names:
            meta.credits.append(Credit(roles[0].text_content(), names[0].text_content()))
    for p in _find(root, "p", "end-mark"):
        meta.end_mark = p.text_content().strip()
    for name in ("feedback", "archive-permission"):
        for p in _find(root, "p", name):
            label = p.find("strong")
            value = (label.tail or "") if label is not None else p.text_content()
            setattr(meta, name.replace("-", "_"), value.strip())
    return [_chapter(article) for article in root.xpath(f".//article[{_xpath_class('chapter')}]")]


def _epigraph(section: Any, position: str) -> Epigraph:
    quote = section.xpath(".//blockquote/p")
    author = _find(section, "span", "author")
    cite = section.xpath(".//cite")
    return Epigraph(
        _inner(quote[0]) if quote else "",
        author[0].text_content().strip() if author else None,
        cite[0].text_content().strip() if cite else None,
        "end" if position == "end" else "beginning",
    )


def _chapter(article: Any) -> Chapter:
    heading = _find(article, "h2", "chapter-title")
    sections: list[list[str]] = [[]]
    for div in _find(article, "div", "userstuff"):
        for child in div:
            if not isinstance(child.tag, str):
                continue
            if child.tag == "hr":
                sections.append([])
            elif child.tag == "p":
                sections[-1].append(_inner(child) if len(child) or child.text else "")
    title = heading[0].text_content().strip() if heading else None
    return Chapter(title, tuple(Section(tuple(s)) for s in sections))


def read_work_json(text: str) -> Work | None:
    """The Work in a ficarchive JSON file (``rescue --json``), or None for anything else."""
    if not text.lstrip().startswith("{") or '"schema"' not in text[:200]:
        return None
    try:
        data = json.loads(text)
        return Work.from_dict(data) if isinstance(data, dict) and "chapters" in data else None
    except (ValueError, TypeError, KeyError):
        return None
