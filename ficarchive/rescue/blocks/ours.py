"""Our own exports read back: rescuing a rescued work changes nothing.

The HTML export names every field with a class (see `ficarchive.export.html`), so nothing
here is guessed; the page's generator tag says the file is ours. Anyone can write that
tag, so the HTML read from such a page passes through the reader's allow-list
(`ficarchive.sanitise`) like any other.

A Work JSON (``rescue --json``) is checked against ``work.schema.json`` before it is
used; one that does not fit is refused with a line naming the field (`InvalidWork`),
since reading its braces as prose would only make a story of them. What the file says
about itself is not trusted: its HTML is cleaned (each removal a diagnostic), its word
count is counted again, and its ``source`` is replaced by the bytes actually given.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import lxml.html

from ficarchive.errors import InvalidWork
from ficarchive.rescue.blocks.parse import document
from ficarchive.rescue.structure.count import count_words
from ficarchive.rescue.structure.meta import Meta
from ficarchive.sanitise import clean_fragment, clean_work
from ficarchive.work import (
    Chapter,
    Confidence,
    Credit,
    Diagnostic,
    Epigraph,
    RawTag,
    Section,
    Source,
    Work,
)


def is_ours(generator: str | None) -> bool:
    return bool(generator) and str(generator).startswith("ficarchive ")


def _inner(el: Any) -> str:
    """An element's content as a clean HTML fragment."""
    text = lxml.html.tostring(el, encoding="unicode", with_tail=False)
    start = text.index(">") + 1
    end = text.rindex("</")
    return clean_fragment(str(text[start:end]).strip())


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
    for name in ("warnings", "fandoms", "relationships", "characters", "tags", "categories"):
        for dd in _find(root, "dd", name):
            setattr(meta, name, [li.text_content().strip() for li in dd.iter("li")])
    for name in ("spoilers", "challenge", "language", "url"):
        for dd in _find(root, "dd", name):
            setattr(meta, name, dd.text_content().strip())
    _ours_v2(root, meta)
    for name in ("summary", "disclaimer"):
        for block in _find(root, "blockquote", f"{name}-text"):
            setattr(meta, name, "\n\n".join(p.text_content() for p in block.iter("p")))
    for main in root.iter("main"):
        verdict = main.get("data-looks-like-story")
        if verdict in ("true", "false"):
            meta.verdict = verdict == "true"
        meta.confidence = read_confidence(main.get("data-confidence"))
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


def _probability(value: object) -> float | None:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value <= 1
    return float(value) if ok else None  # type: ignore[arg-type]


def read_confidence(text: str | None) -> Confidence | None:
    """The confidence our HTML export keeps on the page; None when it is missing or is not
    a map of probabilities (anyone can write the attribute)."""
    try:
        found = json.loads(text) if text else None
    except ValueError:
        return None
    return confidence_of(found)


def confidence_of(found: object) -> Confidence | None:
    """A Work's ``confidence`` as an export wrote it (``fields``, ``breaks``, ``chapters``),
    or None when it is not a map of probabilities."""
    if not isinstance(found, dict):
        return None
    fields, breaks, chapters = found.get("fields"), found.get("breaks"), found.get("chapters")
    if not (isinstance(fields, dict) and isinstance(breaks, list) and isinstance(chapters, list)):
        return None
    named = {str(k): _probability(v) for k, v in fields.items()}
    listed = [_probability(v) for v in [*breaks, *chapters]]
    if any(p is None for p in [*named.values(), *listed]):
        return None
    return Confidence(
        {k: float(v) for k, v in named.items() if v is not None},
        tuple(float(v) for v in breaks),
        tuple(float(v) for v in chapters),
    )


def _ours_v2(root: Any, meta: Meta) -> None:
    """What our exports carry since Work schema 2: dates as written, series, status, raw
    tags; the tag lists are canonical already (nothing to wrangle again)."""
    meta.tags_wrangled = True
    for name in ("published", "updated"):
        for dd in _find(root, "dd", name):
            setattr(meta, name, dd.text_content().strip() or None)
            meta.dates_as_written[name] = dd.get("data-written")
    series = [
        f"{li.get('data-name')} [{li.get('data-part')}]"
        if li.get("data-part")
        else li.get("data-name")
        for dd in _find(root, "dd", "series")
        for li in dd.iter("li")
        if li.get("data-name")
    ]
    meta.series = "; ".join(series) or None
    for dd in _find(root, "dd", "status"):
        meta.status = dd.text_content().strip()
    for found in root.xpath(f".//*[{_xpath_class('raw-tags')}]"):
        meta.raw_tags = [
            RawTag(li.get("data-kind") or "freeform", li.text_content().strip())
            for li in found.iter("li")
        ]


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


JSON_SOURCE = "json-source"
"""The diagnostic that keeps what a Work JSON said about the file it was rescued from."""


def claims_work_json(text: str) -> bool:
    """Whether the text starts like a ficarchive Work JSON (an object with ``"schema"``)."""
    return text.lstrip().startswith("{") and '"schema"' in text[:200]


def read_work_json(text: str, source: Source | None = None) -> Work | None:
    """The Work in a ficarchive JSON file, or None for text that is not one.

    `source` describes the bytes the text was decoded from; without it, the source is
    the text's own UTF-8 bytes (the bytes, for the UTF-8 ``rescue --json`` writes).
    Raises `InvalidWork` for a file that says it is a Work JSON but does not fit.
    """
    if not claims_work_json(text):
        return None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise _named(InvalidWork(f"{_not_json(exc)}; {_ADVICE}"), source) from None
    if not isinstance(data, dict) or "schema" not in data or "chapters" not in data:
        return None
    try:
        work = Work.from_dict(data, strict=True)
    except InvalidWork as exc:
        raise _named(exc, source, data) from None
    return _untrusted(work, source or _text_source(text, work.source))


_ADVICE = "re-export it with `ficarchive rescue --json`, or rescue the story's original file"


def _not_json(exc: Exception) -> str:
    if isinstance(exc, json.JSONDecodeError) and exc.msg == "Extra data":
        return (
            f"holds more than one JSON value (from line {exc.lineno}): JSON Lines, as "
            "`rescue --json` writes for several stories? Give one Work a file"
        )
    if isinstance(exc, json.JSONDecodeError):
        where = f"{exc.msg} at line {exc.lineno}, column {exc.colno}"
    else:
        where = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
    return f"starts like a Work JSON but is not JSON ({where})"


def _named(exc: InvalidWork, source: Source | None, data: Any = None) -> InvalidWork:
    """The error named after the file; without its name (the pipeline did not say), after
    what the JSON says of itself, so that a batch's list of failures still tells them apart."""
    if source is not None and source.name:
        return InvalidWork(f"{source.name}: {exc}", problems=exc.problems)
    if isinstance(data, dict):
        said = data.get("source")
        name = said.get("name") if isinstance(said, dict) else None
        title = data.get("title")
        for label, value in (("rescued from", name), ("titled", title)):
            if isinstance(value, str) and value.strip():
                shown = " ".join(value.split())[:80]
                return InvalidWork(f"a Work JSON {label} {shown!r}: {exc}", problems=exc.problems)
    return exc


def _text_source(text: str, claimed: Source | None) -> Source:
    data = text.encode("utf-8")
    name = claimed.name if claimed and claimed.name else "work"
    name = name if name.lower().endswith(".json") else f"{name}.json"
    return Source("json", "utf-8", hashlib.sha256(data).hexdigest(), name, len(data))


def _untrusted(work: Work, source: Source) -> Work:
    """The Work as its own text says, not as its JSON claims: HTML cleaned, words
    counted, the source being the bytes given (what the file claimed kept in a note)."""
    work, lost = clean_work(work)
    notes = list(work.diagnostics)
    notes += [
        Diagnostic(
            "sanitised",
            f"{c.field}: markup a Work may not hold (script, handlers, links, other tags) "
            "was removed",
            c.before,
        )
        for c in lost
    ]
    words = count_words(list(work.paragraphs))
    if words != work.word_count:
        notes.append(
            Diagnostic("word-count", f"counted {words} words; the file said {work.word_count}")
        )
    claimed = work.source
    if claimed is not None and not any(d.kind == JSON_SOURCE for d in notes):
        notes.append(
            Diagnostic(
                JSON_SOURCE,
                f"the Work JSON says it was rescued from {claimed.name!r} "
                f"({claimed.format}, {claimed.encoding}, {claimed.size:,} bytes, "
                f"sha256 {claimed.sha256}); its source here is the JSON file itself",
            )
        )
    json_source = Source("json", source.encoding, source.sha256, source.name, source.size)
    return work.evolve(diagnostics=tuple(notes), word_count=words, source=json_source)
