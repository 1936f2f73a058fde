"""Turn a gold antennapedia story into the shapes it would have had on the old web.

Four shapes, each a realistic way the same story turns up in the wild:

``site-html``
    A personal fiction site: cp1252 bytes under a ``charset=iso-8859-1`` declaration,
    ``<font>``/``<center>`` markup, a prose header, divider images for scene breaks,
    nav bar, hit counter and a mailto feedback link (see `html_shapes`).
``wrapped-text``
    Plain text hard-wrapped at 70-76 columns with CRLF line endings, ``Label: value``
    header lines and text scene dividers.
``macroman-mojibake``
    The cp1252 bytes of ``wrapped-text`` decoded as Mac Roman and saved as UTF-8, so
    ``can’t`` reads ``canít`` and ``—`` reads ``ó``.
``livejournal-html``
    A saved LiveJournal entry page in UTF-8 (see `html_shapes`).

Every choice (labels, widths, dividers, markup) is drawn from a `random.Random` seeded
by the story's file name and the shape, so a story degrades the same way on every run
and on every machine.
"""

from __future__ import annotations

from dataclasses import dataclass

from benchmarks.quality.corpus import GoldStory
from benchmarks.quality.html_shapes import livejournal_html, lj_name, site_html
from benchmarks.quality.text_shapes import macroman_mojibake, wrapped_text

SHAPES = ("site-html", "wrapped-text", "macroman-mojibake", "livejournal-html")


@dataclass(frozen=True)
class Degraded:
    """One degraded file: what `rescue` is given, under which name."""

    story: str
    shape: str
    name: str
    data: bytes


def stem(name: str) -> str:
    return name.rsplit(".", 1)[0]


def degrade(story: GoldStory) -> list[Degraded]:
    """All shapes of one story, in `SHAPES` order."""
    base = stem(story.name)
    return [
        Degraded(story.name, "site-html", f"{base}.html", site_html(story)),
        Degraded(story.name, "wrapped-text", f"{base}.txt", wrapped_text(story)),
        Degraded(story.name, "macroman-mojibake", f"{base}.txt", macroman_mojibake(story)),
        Degraded(story.name, "livejournal-html", lj_name(story), livejournal_html(story)),
    ]
