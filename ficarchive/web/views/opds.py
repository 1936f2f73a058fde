"""The OPDS 1.2 catalog, for e-reader apps (KOReader, Thorium, Moon+ Reader, calibre…).

``/opds`` is the root; feeds are cached like work pages: rendered once per (address,
the archive's change stamp), so a feed is read from memory until a work is added, edited
or removed, or its tags change. ``/opds/opensearch.xml`` describes the search, which
takes the search page's parameters (``q``, ``fandom``, ``-tag:…`` in ``q``, …).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from ficarchive.web import opds
from ficarchive.web.opds import ACQUISITION, BROWSED, NAVIGATION, Feed, NavEntry, quoted, urn
from ficarchive.web.params import BadParameter, Page, SearchRequest, search_request
from ficarchive.web.state import Reader, RenderedFeed, reader_of

router = APIRouter(prefix="/opds", include_in_schema=False)

PER_NAV = 100
MAX_PAGE = 2000  # 50,000 works into a feed: past that, search or browse
MAX_NAME = 500
Name = Annotated[str, Query(max_length=MAX_NAME)]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


async def _cached(request: Request, make: Any, *args: Any) -> Response:
    """The feed `make(reader, base, *args)` gives, from the cache while nothing changed."""
    reader = reader_of(request)
    key = (str(request.url), reader.changed())
    found = reader.feeds.get(key)
    if found is None:
        feed = await run_in_threadpool(make, reader, _base(request), *args)
        template = "opensearch.xml" if isinstance(feed, dict) else "opds_feed.xml"
        body = reader.env.get_template(template).render(feed=feed).encode("utf-8")
        kind = opds.OPENSEARCH if isinstance(feed, dict) else feed.kind
        found = RenderedFeed(body, kind)
        reader.feeds.put(key, found)
    return Response(found.body, media_type=found.media_type)


def _page(page: int) -> int:
    if page > MAX_PAGE:
        raise BadParameter(400, f"page must be at most {MAX_PAGE:,} in the catalog")
    return page


@router.get("")
async def catalog_root(request: Request) -> Response:
    return await _cached(request, lambda reader, base: opds.root(base, _now()))


def _acquisition(
    base: str, address: str, title: str, up: str, works: list[Any], total: int, page: int,
    params: list[tuple[str, str]],
) -> Feed:  # fmt: skip
    self_href = f"{address}?page={page}" if page > 1 else address
    feed = Feed(
        urn(address), title, _now(), ACQUISITION, opds.base_links(base, self_href, ACQUISITION, up)
    )
    feed.links += opds.page_links(address, params, page, total)
    feed.works = [opds.work_entry(base, w) for w in works]
    feed.total, feed.start_index = total, (page - 1) * opds.PER_FEED + 1
    return feed


def _recent(reader: Reader, base: str, page: int) -> Feed:
    archive = reader.archive
    offset = (page - 1) * opds.PER_FEED
    works = list(archive.works(sort="date", limit=opds.PER_FEED, offset=offset))
    return _acquisition(
        base, f"{base}/opds/recent", "Recently added", f"{base}/opds", works, archive.count(),
        page, [],
    )  # fmt: skip


@router.get("/recent")
async def recent(request: Request, page: Page = 1) -> Response:
    return await _cached(request, _recent, _page(page))


def _tags(reader: Reader, base: str, segment: str, kind: str, heading: str, page: int) -> Feed:
    address = f"{base}/opds/{segment}"
    self_href = f"{address}?page={page}" if page > 1 else address
    feed = Feed(
        urn(address),
        heading,
        _now(),
        NAVIGATION,
        opds.base_links(base, self_href, NAVIGATION, f"{base}/opds"),
    )
    found = reader.people.tags(kind, limit=PER_NAV, offset=(page - 1) * PER_NAV)
    param = {"freeform": "tag"}.get(kind, kind)
    for tag in found:
        href = f"{base}/opds/search?{param}={quoted(tag.name)}"
        works = "work" if tag.works == 1 else "works"
        feed.entries.append(
            NavEntry(urn(href), tag.name, href, ACQUISITION, f"{tag.works:,} {works}")
        )
    if page > 1:
        feed.links.append(opds.Link("previous", f"{address}?page={page - 1}", NAVIGATION))
    if len(found) == PER_NAV:
        feed.links.append(opds.Link("next", f"{address}?page={page + 1}", NAVIGATION))
    return feed


def _browse(segment: str, kind: str, heading: str) -> Any:
    async def view(request: Request, page: Page = 1) -> Response:
        return await _cached(request, _tags, segment, kind, heading, _page(page))

    view.__name__ = f"browse_{segment}"
    return view


for _segment, _kind, _heading in BROWSED:
    router.add_api_route(f"/{_segment}", _browse(_segment, _kind, _heading), methods=["GET"])


def _named_list(reader: Reader, base: str, which: str, after: str) -> Feed:
    address = f"{base}/opds/{which}"
    self_href = f"{address}?after={quoted(after)}" if after else address
    title = "Authors" if which == "authors" else "Series"
    feed = Feed(
        urn(self_href),
        title,
        _now(),
        NAVIGATION,
        opds.base_links(base, self_href, NAVIGATION, f"{base}/opds"),
    )
    lister = reader.people.authors if which == "authors" else reader.people.all_series
    found = lister(after=after, limit=PER_NAV)
    for named in found:
        href = f"{address}/{quoted(named.name)}"
        works = "work" if named.works == 1 else "works"
        feed.entries.append(
            NavEntry(urn(href), named.name, href, ACQUISITION, f"{named.works:,} {works}")
        )
    if len(found) == PER_NAV:
        feed.links.append(opds.Link("next", f"{address}?after={quoted(found[-1].key)}", NAVIGATION))
    return feed


@router.get("/authors")
async def authors(request: Request, after: Name = "") -> Response:
    return await _cached(request, _named_list, "authors", after)


@router.get("/series")
async def series_list(request: Request, after: Name = "") -> Response:
    return await _cached(request, _named_list, "series", after)


def _author(reader: Reader, base: str, name: str, page: int) -> Feed:
    found = reader.people.author(name, limit=opds.PER_FEED, offset=(page - 1) * opds.PER_FEED)
    if not found.names:
        raise BadParameter(404, f"No work in the archive is by {name[:100]!r}.")
    address = f"{base}/opds/authors/{quoted(name)}"
    return _acquisition(
        base, address, found.names[0], f"{base}/opds/authors", list(found.works), found.total,
        page, [],
    )  # fmt: skip


@router.get("/authors/{name:path}")
async def author(name: str, request: Request, page: Page = 1) -> Response:
    return await _cached(request, _author, name[:MAX_NAME], _page(page))


def _series(reader: Reader, base: str, name: str) -> Feed:
    found = reader.people.series(name)
    if not found.names:
        raise BadParameter(404, f"There is no series named {name[:100]!r} in the archive.")
    address = f"{base}/opds/series/{quoted(name)}"
    return _acquisition(
        base, address, found.names[0], f"{base}/opds/series", list(found.works), found.total,
        1, [],
    )  # fmt: skip


@router.get("/series/{name:path}")
async def one_series(name: str, request: Request) -> Response:
    return await _cached(request, _series, name[:MAX_NAME])


def _search(reader: Reader, base: str, search: SearchRequest, page: int) -> Feed:
    results = reader.archive.search(
        search.query, search.filters, sort=search.sort, limit=opds.PER_FEED,
        offset=(page - 1) * opds.PER_FEED, facets=False,
    )  # fmt: skip
    works = list(reader.people.stored_works([h.id for h in results.hits]))
    title = f"Search: {search.query}" if search.query else "Works"
    named = [v for p, v in search.pairs() if p != "q" and p != "sort"]
    if named:
        title += (" · " if search.query else ": ") + ", ".join(named)
    return _acquisition(
        base, f"{base}/opds/search", title, f"{base}/opds", works, results.total, page,
        search.pairs(),
    )  # fmt: skip


@router.get("/search")
async def search(
    request: Request,
    found: Annotated[SearchRequest, Depends(search_request)],
    page: Page = 1,
) -> Response:
    return await _cached(request, _search, found, _page(page))


@router.get("/opensearch.xml")
async def opensearch(request: Request) -> Response:
    def make(reader: Reader, base: str) -> dict[str, str]:
        return {"template": f"{base}/opds/search?q={{searchTerms}}&page={{startPage?}}"}

    return await _cached(request, make)
