"""The download formats of a work: one table, read by the work page and the download route.

Each format names its media type, file extension and the export function that makes it.
A new export is one more row here; the work page lists every row as a download link.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ficarchive import export
from ficarchive.work import Work


@dataclass(frozen=True)
class Format:
    name: str  # the URL segment: /works/{id}/download/{name}
    label: str  # what the link says
    media_type: str
    extension: str
    render: Callable[[Work], str | bytes]

    def body(self, work: Work) -> bytes:
        out = self.render(work)
        return out.encode("utf-8") if isinstance(out, str) else out


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("epub", "EPUB", "application/epub+zip", "epub", export.to_epub),
        Format("html", "HTML", "text/html; charset=utf-8", "html", export.to_html),
        Format("markdown", "Markdown", "text/markdown; charset=utf-8", "md", export.to_markdown),
    )
}
