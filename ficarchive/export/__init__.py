"""Exports of a Work: EPUB 3, self-contained HTML, Markdown with a YAML header, and the
AO3 import form (`ficarchive.export.ao3`, with Open Doors tables in
`ficarchive.export.opendoors`)."""

from ficarchive.export.epub import to_epub
from ficarchive.export.html import to_html
from ficarchive.export.markdown import to_markdown

__all__ = ["to_epub", "to_html", "to_markdown"]
