"""Story HTML on the way out of the reader: every fragment passes through the one
allow-list (`ficarchive.sanitise`), whatever its origin.

Paragraphs, notes and epigraphs are sanitised when a work is rescued, but the archive
may hold works from older versions, hand edits or other tools, so the reader treats
them as untrusted: only the tags a Work may contain survive, with no attributes but
``lang``; scripts, styles and their contents go, and so do links of any scheme. The
exports use the same allow-list, so a downloaded file holds what the page showed.
"""

from __future__ import annotations

from markupsafe import Markup

from ficarchive.sanitise import STORY_ATTRIBUTES, STORY_TAGS, clean_fragment, clean_snippet

__all__ = ["STORY_ATTRIBUTES", "STORY_TAGS", "snippet_html", "story_html"]


def story_html(fragment: str | None) -> Markup:
    """A story fragment made safe to put in a page.

    >>> str(story_html('<em>Hi</em><script>alert(1)</script><img src=x onerror=alert(1)>'))
    '<em>Hi</em>'
    """
    return Markup(clean_fragment(fragment))


def snippet_html(fragment: str | None) -> Markup:
    """A search snippet: only ``<mark>`` survives.

    >>> str(snippet_html('a <mark>bell</mark> <b onclick="x">rang</b>'))
    'a <mark>bell</mark> rang'
    """
    return Markup(clean_snippet(fragment))
