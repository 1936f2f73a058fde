"""Addresses of the reader's pages for a name (an author, a series): the name quoted whole,
so that one with a slash or a question mark is still one page."""

from __future__ import annotations

from urllib.parse import quote


def author_url(name: str) -> str:
    """
    >>> author_url("Jane Doe"), author_url("a/b?")
    ('/authors/Jane%20Doe', '/authors/a%2Fb%3F')
    """
    return "/authors/" + quote(name, safe="")


def series_url(name: str) -> str:
    return "/series/" + quote(name, safe="")
