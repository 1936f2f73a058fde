"""``ficarchive add site.warc.gz``: the pages of a web archive as the story files ``add``
iterates over.

`expand` turns each web archive among the inputs into one `CapturedPage` per captured
page (site furniture by its name left out, as ``bulk rescue`` leaves it out), indexed in
a folder the caller keeps for the length of the add. A worker rescues a page with
`CapturedPage.rescue`: the capture's payload, its place in the Work's source, and as the
original the payload itself (or, for a page captured several times, a zip of every
capture, as ``bulk load`` keeps them). Pages are added one by one, as ``add`` adds the
files of a folder; ``bulk rescue`` and ``bulk load`` join a site's pages into stories.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ficarchive.bulk.joining import furniture
from ficarchive.bulk.load import pack
from ficarchive.bulk.warcsource import WarcSource
from ficarchive.bulk.webarchive import is_web_archive
from ficarchive.errors import InputError
from ficarchive.files import StoryFile
from ficarchive.work import Work


@dataclass(frozen=True)
class CapturedPage(StoryFile):
    """One captured page of a web archive, as an input of ``add``."""

    location: str = ""
    index: str = ""
    key: str = ""

    def rescue(self) -> tuple[Work, bytes]:
        """The page's Work and the original bytes to keep with it."""
        source = WarcSource(self.location, self.index)
        data = source.read(self.key)
        work = source.rescue(self.key, data)
        others = source.other_captures(self.key)
        if not others:
            return work, data
        names, blobs = zip((self.key, data), *others, strict=True)
        return work, pack(list(names), list(blobs))[1]


@dataclass
class Expanded:
    """What `expand` found: (web archive, reason, kind) rows of its report (capture
    choices, pages not rescued, bad records) and how many files of site furniture it left
    out."""

    notes: list[tuple[str, str, str]]
    furniture: int = 0


def expand(files: Iterable[StoryFile], folder: Path, found: Expanded) -> Iterator[StoryFile]:
    """`files`, each web archive among them replaced by its captured pages."""
    for n, story in enumerate(files):
        if story.path is None or not is_web_archive(str(story.path)):
            yield story
            continue
        try:
            source = WarcSource(str(story.path))
            source.check()
            indexed = source.indexed(folder / f"archive-{n}")
        except InputError as exc:
            found.notes.append((story.name, str(exc), "failed"))
            continue
        found.notes += [(story.name, reason, kind) for _file, reason, kind in indexed.notes()]
        for entry in indexed.entries():
            if furniture(entry.key) is not None:
                found.furniture += 1
                continue
            yield CapturedPage(
                None, f"{story.name}: {entry.key}", Path(entry.key), str(story.path),
                str(indexed.index_path), entry.key,
            )  # fmt: skip
