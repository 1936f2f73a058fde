"""Collections: a signed-in reader's own lists of works, private unless they make one
public (then anyone may read it at its address)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ficarchive.web.params import BadParameter, WorkId, whole_number
from ficarchive.web.state import reader_of
from ficarchive.web.visitors import read_form, require_user, visitor_of

router = APIRouter(include_in_schema=False)


@router.get("/collections", response_class=HTMLResponse)
def collections_page(request: Request) -> HTMLResponse:
    reader = reader_of(request)
    user = visitor_of(request).user
    mine = reader.reading.collections(user.id) if user else []
    public = [
        c for c in reader.reading.public_collections() if user is None or c.user_id != user.id
    ]
    return reader.page(request, "collections.html", mine=mine, public=public)


@router.post("/collections")
async def add_collection(request: Request) -> Response:
    user = require_user(request)
    form = await read_form(request)
    number = reader_of(request).reading.add_collection(
        user.id, form.get("name", ""), private=form.get("public") != "1"
    )
    return RedirectResponse(f"/collections/{number}", status_code=303)


@router.get("/collections/{collection_id}", response_class=HTMLResponse)
def collection_page(collection_id: WorkId, request: Request) -> HTMLResponse:
    reader = reader_of(request)
    user = visitor_of(request).user
    found = reader.reading.collection(collection_id, user.id if user else None)
    if found is None:
        raise BadParameter(404, "There is no collection with that number (or it is private).")
    works = reader.people.stored_works(reader.reading.collection_works(collection_id))
    mine = user is not None and user.id == found.user_id
    return reader.page(request, "collection.html", collection=found, works=works, mine=mine)


@router.post("/works/{work_id}/collections")
async def put_in(work_id: WorkId, request: Request) -> Response:
    user = require_user(request)
    form = await read_form(request)
    try:
        number = int(str(whole_number(form.get("collection", ""))))
    except ValueError as exc:
        raise BadParameter(400, f"collection {exc}") from None
    reader_of(request).reading.put_in_collection(user.id, number, work_id)
    return RedirectResponse(f"/works/{work_id}", status_code=303)


@router.post("/collections/{collection_id}/works/{work_id}/delete")
async def take_out(collection_id: WorkId, work_id: WorkId, request: Request) -> Response:
    user = require_user(request)
    await read_form(request)
    reader_of(request).reading.take_from_collection(user.id, collection_id, work_id)
    return RedirectResponse(f"/collections/{collection_id}", status_code=303)


@router.post("/collections/{collection_id}/privacy")
async def privacy(collection_id: WorkId, request: Request) -> Response:
    user = require_user(request)
    form = await read_form(request)
    reader_of(request).reading.set_collection_private(
        user.id, collection_id, form.get("public") != "1"
    )
    return RedirectResponse(f"/collections/{collection_id}", status_code=303)


@router.post("/collections/{collection_id}/delete")
async def remove(collection_id: WorkId, request: Request) -> Response:
    user = require_user(request)
    await read_form(request)
    reader_of(request).reading.remove_collection(user.id, collection_id)
    return RedirectResponse("/collections", status_code=303)
