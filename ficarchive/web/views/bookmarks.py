"""A signed-in reader's bookmarks: a work (at a paragraph, when the script knew where) with
a note of their own; listed newest first, each removable."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ficarchive.web.params import BadParameter, WorkId, whole_number
from ficarchive.web.state import reader_of
from ficarchive.web.visitors import read_form, require_user

router = APIRouter(include_in_schema=False)


@router.get("/bookmarks", response_class=HTMLResponse)
def bookmarks_page(request: Request) -> HTMLResponse:
    user = require_user(request)
    reader = reader_of(request)
    return reader.page(
        request,
        "bookmarks.html",
        bookmarks=reader.reading.bookmarks(user.id),
        finished=reader.reading.finished(user.id),
    )


def paragraph_of(text: str | None) -> int | None:
    """A paragraph number from a form (empty: none)."""
    if not text:
        return None
    try:
        return int(str(whole_number(text)))
    except ValueError as exc:
        raise BadParameter(400, f"paragraph {exc}") from None


@router.post("/works/{work_id}/bookmarks")
async def add_bookmark(work_id: WorkId, request: Request) -> Response:
    user = require_user(request)
    form = await read_form(request)
    paragraph = paragraph_of(form.get("paragraph"))
    reader_of(request).reading.add_bookmark(user.id, work_id, form.get("note", ""), paragraph)
    anchor = f"#p-{paragraph}" if paragraph is not None else ""
    return RedirectResponse(f"/works/{work_id}{anchor}", status_code=303)


@router.post("/bookmarks/{bookmark_id}/delete")
async def remove_bookmark(bookmark_id: WorkId, request: Request) -> Response:
    user = require_user(request)
    await read_form(request)
    if not reader_of(request).reading.remove_bookmark(user.id, bookmark_id):
        raise BadParameter(404, "You have no bookmark with that number.")
    return RedirectResponse("/bookmarks", status_code=303)
