"""OPDS 1.2 catalog feeds: what each feed holds, as plain data the feed template draws.

A navigation feed lists other feeds (recent works; works by fandom, relationship,
character, author, series); an acquisition feed lists works, each with its EPUB (the
reader's own download: the same bytes), its page, its authors, summary, tags and dates.
Every feed links itself, the catalog root (``start``), the feed above it (``up``), the
OpenSearch description (``search``) and, when paged, the pages before and after it;
acquisition feeds say how many works there are in all (``opensearch:totalResults``).
Addresses are absolute, made from the address the request came to (its Host is checked by
the guard), so e-reader apps that do not resolve relative links still follow them.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

from ficarchive.archive.model import StoredWork

NAVIGATION = "application/atom+xml;profile=opds-catalog;kind=navigation"
ACQUISITION = "application/atom+xml;profile=opds-catalog;kind=acquisition"
OPENSEARCH = "application/opensearchdescription+xml"
EPUB = "application/epub+zip"
PER_FEED = 25
_ISO_DATE = re.compile(r"\d{4}(-\d\d(-\d\d)?)?$")  # what dc:issued holds (W3C-DTF)
# Tag kinds browsed through the catalog: (path segment, the archive's kind, heading).
BROWSED = (
    ("fandoms", "fandom", "Fandoms"),
    ("relationships", "relationship", "Relationships"),
    ("characters", "character", "Characters"),
)
# The Work's tag fields as OPDS categories: (field, scheme segment).
CATEGORIES = (
    ("warnings", "warning"),
    ("fandoms", "fandom"),
    ("relationships", "relationship"),
    ("characters", "character"),
    ("tags", "freeform"),
)


@dataclass(frozen=True)
class Link:
    rel: str
    href: str
    type: str
    title: str | None = None


@dataclass(frozen=True)
class NavEntry:
    """An entry of a navigation feed: a link to another feed, with a line saying what."""

    id: str
    title: str
    href: str
    type: str
    content: str
    rel: str = "subsection"


@dataclass(frozen=True)
class Person:
    name: str
    uri: str


@dataclass(frozen=True)
class WorkEntry:
    id: str
    title: str
    updated: str
    published: str | None
    authors: tuple[Person, ...]
    language: str
    summary: str | None
    content: str
    categories: tuple[tuple[str, str], ...]  # (scheme, term)
    links: tuple[Link, ...]


@dataclass
class Feed:
    id: str
    title: str
    updated: str
    kind: str  # NAVIGATION or ACQUISITION
    links: list[Link] = field(default_factory=list)
    entries: list[NavEntry] = field(default_factory=list)
    works: list[WorkEntry] = field(default_factory=list)
    total: int | None = None
    start_index: int = 1
    per_page: int = PER_FEED


def quoted(name: str) -> str:
    return quote(name, safe="")


def base_links(base: str, self_href: str, kind: str, up: str | None) -> list[Link]:
    links = [
        Link("self", self_href, kind),
        Link("start", f"{base}/opds", NAVIGATION),
        Link("search", f"{base}/opds/opensearch.xml", OPENSEARCH, "Search the archive"),
    ]
    if up is not None:
        links.append(Link("up", up, NAVIGATION))
    return links


def page_links(address: str, params: list[tuple[str, str]], page: int, total: int) -> list[Link]:
    """first / previous / next / last links of a paged acquisition feed."""
    last = max(1, -(-total // PER_FEED))

    def at(number: int) -> str:
        query = urlencode([*params, ("page", str(number))] if number > 1 else params)
        return f"{address}?{query}" if query else address

    links = [Link("first", at(1), ACQUISITION)]
    if page > 1:
        links.append(Link("previous", at(min(page - 1, last)), ACQUISITION))
    if page < last:
        links.append(Link("next", at(page + 1), ACQUISITION))
    links.append(Link("last", at(last), ACQUISITION))
    return links


def urn(address: str) -> str:
    """A feed's or an entry's Atom id: a UUID of its address, the same every time.

    >>> urn("http://127.0.0.1:8000/works/3")
    'urn:uuid:140e2cb5-b502-5c30-a927-d73382a87d3f'
    """
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, address)}"


def work_entry(base: str, stored: StoredWork) -> WorkEntry:
    work = stored.work
    authors = tuple(Person(a, f"{base}/authors/{quoted(a)}") for a in work.authors)
    categories = tuple(
        (f"{base}/opds/scheme/{scheme}", name)
        for field_name, scheme in CATEGORIES
        for name in getattr(work, field_name)
    )
    chapters = len(work.chapters)
    content = f"{work.rating} · {work.word_count:,} words" + (
        f" · {chapters} chapters" if chapters > 1 else ""
    )
    if work.fandoms:
        content += " · " + ", ".join(work.fandoms)
    issued = work.published if work.published and _ISO_DATE.match(work.published) else None
    if work.published and issued is None:  # a date as the story wrote it: said, not issued
        content += f" · published {work.published}"
    links = (
        Link("http://opds-spec.org/acquisition", f"{base}/works/{stored.id}/download/epub", EPUB),
        Link("alternate", f"{base}/works/{stored.id}", "text/html", "Read it in the browser"),
    )
    return WorkEntry(
        id=urn(f"{base}/works/{stored.id}"),
        title=work.title or "Untitled",
        updated=stored.updated_at,
        published=issued,
        authors=authors,
        language=work.language,
        summary=work.summary,
        content=content,
        categories=categories,
        links=links,
    )


def root(base: str, updated: str) -> Feed:
    feed = Feed(
        urn(f"{base}/opds"),
        "ficarchive",
        updated,
        NAVIGATION,
        base_links(base, f"{base}/opds", NAVIGATION, None),
    )
    feed.entries.append(
        NavEntry(
            urn(f"{base}/opds/recent"),
            "Recently added",
            f"{base}/opds/recent",
            ACQUISITION,
            "Every work, the newest first.",
            "http://opds-spec.org/sort/new",
        )
    )
    for segment, _, heading in BROWSED:
        feed.entries.append(
            NavEntry(
                urn(f"{base}/opds/{segment}"),
                heading,
                f"{base}/opds/{segment}",
                NAVIGATION,
                f"Works by {heading.lower()[:-1]}, the most used first.",
            )
        )
    feed.entries.append(
        NavEntry(
            urn(f"{base}/opds/authors"), "Authors", f"{base}/opds/authors", NAVIGATION, "By author."
        )
    )
    feed.entries.append(
        NavEntry(
            urn(f"{base}/opds/series"), "Series", f"{base}/opds/series", NAVIGATION, "By series."
        )
    )
    return feed
