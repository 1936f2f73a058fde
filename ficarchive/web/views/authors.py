"""Author pages: every work by one person, under every pseudonym the archive has linked;
the list of authors; and, for an owner or archivist, linking and unlinking pseudonyms."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ficarchive.web.links import author_url
from ficarchive.web.params import BadParameter, Page
from ficarchive.web.state import reader_of
from ficarchive.web.visitors import read_form, visitor_of

router = APIRouter(include_in_schema=False)

PER_PAGE = 20
MAX_NAME = 500
AuthorSort = Literal["date", "words", "title"]
Name = Annotated[str, Query(max_length=MAX_NAME)]


@router.get("/authors", response_class=HTMLResponse)
def authors_page(request: Request, after: Name = "") -> HTMLResponse:
    reader = reader_of(request)
    found = reader.people.authors(after=after, limit=100)
    more = found[-1].key if len(found) == 100 else None
    return reader.page(request, "authors.html", authors=found, more=more)


@router.get("/authors/{name:path}", response_class=HTMLResponse)
def author_page(
    name: str, request: Request, sort: AuthorSort = "date", page: Page = 1
) -> HTMLResponse:
    if len(name) > MAX_NAME:
        raise BadParameter(404, "There is no author by that name.")
    reader = reader_of(request)
    number = min(page, 10_000)
    found = reader.people.author(name, sort=sort, limit=PER_PAGE, offset=(number - 1) * PER_PAGE)
    if not found.names:
        raise BadParameter(404, f"No work in the archive is by {name[:100]!r}.")
    pages = max(1, -(-found.total // PER_PAGE))
    return reader.page(
        request,
        "author.html",
        name=name,
        found=found,
        sort=sort,
        page=number,
        pages=pages,
        url=author_url(name),
        may_link=visitor_of(request).can_edit,
    )


@router.post("/authors/{name:path}/pseudonyms")
async def link_pseudonym(name: str, request: Request) -> Response:
    form = await read_form(request)
    if not visitor_of(request).can_edit:
        raise BadParameter(403, "Only an owner or archivist links pseudonyms.")
    people = reader_of(request).people
    if form.get("unlink"):
        people.unlink(form["unlink"][:MAX_NAME])
    else:
        people.link(name[:MAX_NAME], form.get("other", "").strip()[:MAX_NAME])
    return RedirectResponse(author_url(name), status_code=303)
