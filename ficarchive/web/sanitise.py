"""Story HTML on the way out: every fragment passes through nh3, whatever its origin.

Paragraphs, notes and epigraphs are sanitised when a work is rescued, but the archive
may hold works from older versions, hand edits or other tools, so the reader treats
them as untrusted: only the tags a Work may contain survive, with no attributes but
``lang``; scripts, styles and their contents go, and so do links of any scheme.
"""

from __future__ import annotations

import nh3
from markupsafe import Markup

# The tags a Work's HTML fragments may hold (see ficarchive/work.py), and nothing else.
STORY_TAGS = frozenset({"em", "strong", "u", "s", "br", "span"})
STORY_ATTRIBUTES = {"span": {"lang"}}

_STORY = nh3.Cleaner(
    tags=set(STORY_TAGS),
    attributes={k: set(v) for k, v in STORY_ATTRIBUTES.items()},
    url_schemes=set(),
    link_rel=None,
    strip_comments=True,
)
# Search snippets: escaped text with <mark> around the matched words.
_SNIPPET = nh3.Cleaner(
    tags={"mark"}, attributes={}, url_schemes=set(), link_rel=None, strip_comments=True
)


def story_html(fragment: str | None) -> Markup:
    """A story fragment made safe to put in a page.

    >>> str(story_html('<em>Hi</em><script>alert(1)</script><img src=x onerror=alert(1)>'))
    '<em>Hi</em>'
    """
    return Markup(_STORY.clean(fragment or ""))


def snippet_html(fragment: str | None) -> Markup:
    """A search snippet: only ``<mark>`` survives.

    >>> str(snippet_html('a <mark>bell</mark> <b onclick="x">rang</b>'))
    'a <mark>bell</mark> rang'
    """
    return Markup(_SNIPPET.clean(fragment or ""))
