"""Series pages: the works of one series in part order, and the list of series.

A work is in a series when its Work says so (a ``series`` list of names and part
numbers, read from the stored Work by the archive: `ficarchive.archive.people`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from ficarchive.web.params import BadParameter
from ficarchive.web.state import reader_of

router = APIRouter(include_in_schema=False)

MAX_NAME = 500


@router.get("/series", response_class=HTMLResponse)
def series_list(
    request: Request, after: Annotated[str, Query(max_length=MAX_NAME)] = ""
) -> HTMLResponse:
    reader = reader_of(request)
    found = reader.people.all_series(after=after, limit=100)
    more = found[-1].key if len(found) == 100 else None
    return reader.page(request, "series_list.html", series=found, more=more)


@router.get("/series/{name:path}", response_class=HTMLResponse)
def series_page(name: str, request: Request) -> HTMLResponse:
    reader = reader_of(request)
    found = reader.people.series(name[:MAX_NAME])
    if not found.names:
        raise BadParameter(404, f"There is no series named {name[:100]!r} in the archive.")
    return reader.page(request, "series.html", found=found)
