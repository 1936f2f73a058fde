"""A Work as Markdown with a YAML header carrying every field.

The body is CommonMark: ``*emphasis*``, ``**strong**``, a hard break as a backslash at
line end, ``## Chapter`` headings and ``* * *`` scene breaks; markup Markdown has no
syntax for (``<u>``, ``<s>``, ``<span lang>``) stays as inline HTML, which CommonMark
allows. `ficarchive.rescue` reads the file back to the same Work.

The only HTML in the file is what the reader's allow-list (`ficarchive.sanitise`) lets
through: paragraphs are cleaned before they become Markdown, and so are the header's HTML
fields (notes, epigraph texts); chapter titles are escaped text. The header's other
values are plain text, written as YAML strings: data, as in the Work JSON.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from ficarchive.sanitise import clean_fragment
from ficarchive.work import Work

_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")
_LINE_START = re.compile(r"^(\s*)([-+=]+|\d+[.)])(?=\s|$)")
_TAG = re.compile(r"(<[^>]+>)")
_ENTITY = re.compile(r"&(amp|lt|gt);")
_BODY_FIELDS = ("chapters", "repairs", "diagnostics", "source", "schema", "word_count")


def _escape_text(text: str) -> str:
    return _SPECIAL.sub(r"\\\1", text)


def inline_markdown(html: str) -> str:
    """A paragraph's inline HTML as Markdown.

    >>> inline_markdown("She <em>ran</em>, <strong>fast</strong> &amp; far.<br>Then *stopped*")
    'She *ran*, **fast** & far.\\\\\\nThen \\\\*stopped\\\\*'
    """
    out: list[str] = []
    for part in _TAG.split(html):
        if not part:
            continue
        if part.startswith("<"):
            tag = part.strip("</>").split()[0].lower() if part.strip("</>") else ""
            out.append({"em": "*", "strong": "**", "br": "\\\n"}.get(tag, part))
        else:
            text = _ENTITY.sub(lambda m: {"amp": "&", "lt": "<", "gt": ">"}[m.group(1)], part)
            out.append(_escape_text(text))
    text = "".join(out)
    return "\n".join(_LINE_START.sub(_escape_start, line) for line in text.split("\n"))


def _escape_start(match: re.Match[str]) -> str:
    """``1.`` becomes ``1\\.`` and ``---`` becomes ``\\---``: not a list, not a rule."""
    mark = match.group(2)
    if mark[0].isdigit():
        return f"{match.group(1)}{mark[:-1]}\\{mark[-1]}"
    return f"{match.group(1)}\\{mark}"


def _front(work: Work) -> dict[str, Any]:
    data = {k: v for k, v in work.to_dict().items() if k not in _BODY_FIELDS}
    data["notes"] = {k: [clean_fragment(n) for n in v] for k, v in data["notes"].items()}
    data["epigraphs"] = [{**e, "text": clean_fragment(e["text"])} for e in data["epigraphs"]]
    data["word_count"] = work.word_count
    return {k: v for k, v in data.items() if v not in (None, [], {"beginning": [], "end": []})}


def to_markdown(work: Work) -> str:
    front = yaml.safe_dump(_front(work), allow_unicode=True, sort_keys=False, width=1000)
    lines = ["---", front.rstrip("\n"), "---", ""]
    for chapter in work.chapters:
        if chapter.title is not None:
            lines += [f"## {_escape_text(chapter.title)}", ""]
        for n, section in enumerate(chapter.sections):
            if n:
                lines += ["* * *", ""]
            for paragraph in section.paragraphs:
                lines += [inline_markdown(clean_fragment(paragraph)), ""]
    return "\n".join(lines).rstrip("\n") + "\n"
