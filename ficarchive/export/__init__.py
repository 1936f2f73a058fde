"""Exports of a Work: self-contained HTML and Markdown with a YAML header."""

from ficarchive.export.html import to_html
from ficarchive.export.markdown import to_markdown

__all__ = ["to_html", "to_markdown"]
