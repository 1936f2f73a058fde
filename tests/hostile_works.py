"""Hostile works for the export tests: script, handlers, iframes, SVG, meta refresh and
javascript: links in every field a Work has, as a Work, a Work JSON and a Markdown story.

Every payload, if it ever ran, would set ``window.top.__pwned`` to the field's name and
log ``PWNED <field>`` (some also open a dialog), so a browser test can tell what ran.
"""

from __future__ import annotations

from typing import Any

import yaml

from ficarchive.work import Chapter, Credit, Epigraph, Notes, RawTag, Section, SeriesPart, Work

PAYLOADS = (
    "<script>window.top.__pwned='{f}';console.log('PWNED {f}')</script>",
    "<img src=x onerror=\"window.top.__pwned='{f}';alert('{f}')\">",
    "<svg onload=\"window.top.__pwned='{f}'\"><script>window.top.__pwned='{f}'</script></svg>",
    "<iframe srcdoc=\"<script>parent.__pwned='{f}'</script>\"></iframe>",
    "<iframe src=\"javascript:parent.__pwned='{f}'\"></iframe>",
    '<meta http-equiv="refresh" content="0;url=javascript:window.top.__pwned=\'{f}\'">',
    "<a href=\"javascript:window.top.__pwned='{f}'\">a link</a>",
    "<details open ontoggle=\"window.top.__pwned='{f}'\">details</details>",
    "<input autofocus onfocus=\"window.top.__pwned='{f}'\">",
    "<object data=\"javascript:window.top.__pwned='{f}'\"></object>",
    "<embed src=\"javascript:window.top.__pwned='{f}'\">",
    '<span lang="en" onmouseover="window.top.__pwned=\'{f}\'">hover</span>',
    "\"><script>window.top.__pwned='{f}'</script><b title=\"",
    "'><img src=x onerror=\"window.top.__pwned='{f}'\">",
    "]]></title></style></textarea><script>window.top.__pwned='{f}'</script>",
    "<style>body{{background:url(\"javascript:window.top.__pwned='{f}'\")}}</style>",
    "[a link](javascript:window.top.__pwned='{f}') <javascript:window.top.__pwned='{f}'>",
    "&lt;script&gt;window.top.__pwned='{f}'&lt;/script&gt;",
    "<!--><script>window.top.__pwned='{f}'</script>-->",
)

MARKER = "__pwned"


def payload(field: str) -> str:
    """Every payload at once, for a field that holds one string."""
    return "Start " + " ".join(p.format(f=field) for p in PAYLOADS) + " end"


def payloads(field: str) -> tuple[str, ...]:
    """One payload an item, for a field that holds a list."""
    return tuple(p.format(f=f"{field}-{n}") for n, p in enumerate(PAYLOADS))


def hostile_work() -> Work:
    """A Work (valid against the schema) with a payload in every field that holds text."""
    paragraphs = ("Plain words come first.", *payloads("paragraph"), "Still here at the end.")
    return Work(
        title=payload("title"),
        authors=payloads("author"),
        rating="Mature",
        rating_source=payload("rating_source"),
        warnings=payloads("warning"),
        fandoms=payloads("fandom"),
        relationships=payloads("relationship"),
        characters=payloads("character"),
        tags=payloads("tag"),
        summary=payload("summary") + "\n\n" + payload("summary-2"),
        spoilers=payload("spoilers"),
        disclaimer=payload("disclaimer"),
        notes=Notes(payloads("note"), payloads("end-note")),
        credits=(Credit(payload("credit-role"), payload("credit-name")),),
        challenge=payload("challenge"),
        feedback=payload("feedback"),
        archive_permission=payload("archive_permission"),
        published=payload("published"),
        language="en\" onmouseover=\"window.top.__pwned='language'",
        epigraphs=(
            Epigraph(payload("epigraph"), payload("epigraph-author"), payload("epigraph-work")),
            Epigraph(payload("end-epigraph"), None, None, "end"),
        ),
        chapters=(
            Chapter(payload("chapter-title"), (Section(paragraphs[:8]), Section(paragraphs[8:]))),
            Chapter(
                payload("chapter-2-title"),
                (Section(("Second chapter words.", *payloads("chapter-2"))),),
            ),
        ),
        end_mark=payload("end_mark"),
        word_count=400,
        raw_tags=tuple(RawTag("freeform", p) for p in payloads("raw-tag")),
        categories=("F/M",),
        series=(SeriesPart(payload("series"), 2), SeriesPart(payload("series-2"))),
        complete=False,
        updated=payload("updated"),
        published_as_written=payload("published_as_written"),
        updated_as_written=payload("updated_as_written"),
        url=payload("url"),
    )


def hostile_markdown() -> str:
    """A Markdown story whose YAML header holds a payload in every key it reads."""
    header: dict[str, Any] = {
        "title": payload("title"),
        "authors": list(payloads("author")),
        "rating": payload("rating"),
        "warnings": list(payloads("warning")),
        "fandoms": list(payloads("fandom")),
        "pairing": list(payloads("relationship"))[:3],
        "characters": list(payloads("character")),
        "tags": list(payloads("tag")),
        "summary": payload("summary"),
        "spoilers": payload("spoilers"),
        "disclaimer": payload("disclaimer"),
        "challenge": payload("challenge"),
        "feedback": payload("feedback"),
        "archive_permission": payload("archive_permission"),
        "published": payload("published"),
        "end_mark": payload("end_mark"),
        "notes": {"beginning": list(payloads("note")), "end": list(payloads("end-note"))},
        "credits": [{"role": payload("credit-role"), "name": payload("credit-name")}],
        "epigraphs": [
            {"text": payload("epigraph"), "author": payload("epigraph-author")},
            {"text": payload("end-epigraph"), "work": payload("ep-work"), "position": "end"},
        ],
    }
    # Not <embed> in the body: rescue loses the text after one (see the strict xfail in
    # test_export_safety.py); the header's notes still hold it.
    body = ["Plain words come first.", *_body_payloads("paragraph"), "Still here at the end."]
    return (
        "---\n"
        + yaml.safe_dump(header, allow_unicode=True, sort_keys=False, width=1000)
        + "---\n\n"
        + "\n\n".join(body[:8])
        + "\n\n* * *\n\n"
        + "\n\n".join(body[8:])
        + f"\n\n## {payload('chapter-title')}\n\nSecond chapter words.\n\n"
        + "\n\n".join(_body_payloads("chapter-2"))
        + "\n"
    )


def _body_payloads(field: str) -> list[str]:
    return [p for p in payloads(field) if "<embed" not in p]
