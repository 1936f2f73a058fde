"""Raw HTML markup read in linear time, whatever the page does.

A regex such as ``<!--.*?-->`` is quick when the comment is closed, but tried at each of
a million ``<!--`` that are never closed it scans to the end of the page each time: hours
on one page. `strip_markup` gives the regex's own result and never scans past a closer
that is not there more than once.
"""

from __future__ import annotations

import re

# The regex `strip_markup` stands for: script and style elements, comments, then tags.
REFERENCE = re.compile(r"<(script|style)\b.*?</\1\s*>|<!--.*?-->|<[^>]*>", re.S | re.I)

_PLAIN_TAG = re.compile(r"<[^>]*>")
_CLOSERS = {
    "script": re.compile(r"</script\s*>", re.I),
    "style": re.compile(r"</style\s*>", re.I),
}
_OPENERS = {
    "script": r"<script\b",
    "style": r"<style\b",
    "comment": r"<!--",
}


def _openers(live: frozenset[str]) -> re.Pattern[str] | None:
    if not live:
        return None
    return re.compile("|".join(f"(?P<{k}>{_OPENERS[k]})" for k in sorted(live)), re.I)


def _closer_end(text: str, kind: str, after: int) -> int:
    """Where the closer of a `kind` opened before `after` ends, or -1 when none follows."""
    if kind == "comment":
        found = text.find("-->", after)
        return found + 3 if found >= 0 else -1
    match = _CLOSERS[kind].search(text, after)
    return match.end() if match else -1


def strip_markup(text: str) -> str:
    """The text with script and style elements, comments and tags taken out, exactly as
    `REFERENCE` ``.sub("", text)`` does, in time linear in the text.

    Plain tags between the special openers go to the (linear) tag regex a stretch at a
    time; an opener whose closer is not in the rest of the text is remembered as dead,
    so it is never looked for again.

    >>> strip_markup("a<b>b</b><!-- c -->d<script>e</script>f <!-- g")
    'abdf <!-- g'
    """
    live = frozenset(_OPENERS)
    openers = _openers(live)
    out: list[str] = []
    pos = 0
    while True:
        opener = openers.search(text, pos) if openers is not None else None
        stop = opener.start() if opener is not None else len(text)
        last = text.rfind(">", pos, stop)
        if last >= 0:  # every "<" up to here closes by here: the tag regex, in C
            out.append(_PLAIN_TAG.sub("", text[pos : last + 1]))
            pos = last + 1
        lt = text.find("<", pos, stop)
        if lt >= 0:  # a tag running past the opener (and swallowing it)
            end = text.find(">", lt)
            if end < 0:  # no ">" left: nothing more can match
                break
            out.append(text[pos:lt])
            pos = end + 1
            continue
        out.append(text[pos:stop])
        pos = stop
        if opener is None:
            return "".join(out)
        kind = str(opener.lastgroup)
        end = _closer_end(text, kind, opener.end() if kind != "comment" else stop + 4)
        if end < 0:  # never closed: from here on it is a plain "<"
            live -= {kind}
            openers = _openers(live)
            continue
        pos = end
    out.append(text[pos:])
    return "".join(out)


def replace_tags(pattern: re.Pattern[str], replacement: str, text: str) -> str:
    """``pattern.sub(replacement, text)`` for a tag pattern (each match ends at the first
    ``>`` after its start), not tried past the last ``>`` of the text, where every try
    would scan to the end and fail: linear where the plain `sub` is quadratic.

    >>> replace_tags(re.compile(r"<[^>]+>"), " ", "a<b>c<<<<")
    'a c<<<<'
    """
    end = text.rfind(">") + 1
    return pattern.sub(replacement, text[:end]) + text[end:]
