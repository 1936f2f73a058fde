"""The home page: continue reading, recent works, and browsing by fandom, relationship and
character."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from ficarchive.web.state import reader_of
from ficarchive.web.visitors import visitor_of

router = APIRouter()

RECENT = 10
BROWSE = (
    ("fandom", "fandom", "Fandoms"),
    ("relationship", "relationship", "Relationships"),
    ("character", "character", "Characters"),
)


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def home(request: Request) -> HTMLResponse:
    reader = reader_of(request)
    archive = reader.archive
    user = visitor_of(request).user
    return reader.page(
        request,
        "home.html",
        reading=reader.reading.continue_reading(user.id) if user else None,
        total=archive.count(),
        recent=list(archive.works(sort="date", limit=RECENT)),
        facets=archive.facets(),
        browse=BROWSE,
    )
