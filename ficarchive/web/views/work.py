"""The work page, shaped like AO3's: warnings and rating first, then the text.

The work's part of the page is rendered once per (id, updated_at) and kept in the
reader's cache; a request then costs one indexed lookup and the small page shell.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool

from ficarchive.errors import WorkNotFound
from ficarchive.web.params import WorkId
from ficarchive.web.state import Reader, RenderedWork, reader_of
from ficarchive.web.visitors import visitor_of

router = APIRouter()


def rendered_work(reader: Reader, work_id: int) -> RenderedWork:
    """The work's rendered content, from the cache while the work is unchanged."""
    stamp = reader.stamp(work_id)
    if stamp is None:
        reader.archive.get(work_id)  # raises WorkNotFound with the archive's message
        raise WorkNotFound(f"no work {work_id}")
    key = (work_id, stamp)
    found = reader.cache.get(key)
    if found is not None:
        return found
    stored = reader.archive.get(work_id)
    html = reader.env.get_template("work_body.html").render(
        work=stored.work, work_id=work_id, series=reader.people.series_of(work_id)
    )
    rendered = RenderedWork(stored.work.title or "Untitled", stored.work.language, Markup(html))
    reader.cache.put((work_id, stored.updated_at), rendered)
    return rendered


@router.get("/works/{work_id}", response_class=HTMLResponse, include_in_schema=False)
async def work_page(work_id: WorkId, request: Request) -> HTMLResponse:
    reader = reader_of(request)
    key = (work_id, reader.stamp(work_id) or "")
    rendered = reader.cache.get(key)
    if rendered is None:  # rendering a long work is kept off the event loop
        rendered = await run_in_threadpool(rendered_work, reader, work_id)
    return reader.page(
        request, "work.html", rendered=rendered, work_id=work_id, **_yours(reader, request, work_id)
    )


def _yours(reader: Reader, request: Request, work_id: int) -> dict[str, Any]:
    """What the signed-in reader keeps of this work: progress, bookmarks, collections."""
    user = visitor_of(request).user
    if user is None:
        return {"progress": None, "bookmarks": [], "collections": [], "in_collections": set()}
    return {
        "progress": reader.reading.progress(user.id, work_id),
        "bookmarks": reader.reading.bookmarks(user.id, work_id),
        "collections": reader.reading.collections(user.id),
        "in_collections": reader.reading.collections_with(user.id, work_id),
    }
