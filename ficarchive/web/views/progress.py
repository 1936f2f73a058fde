"""Where a signed-in reader is in a work, and whether they have read it.

The reader's script saves the first paragraph in view (``PUT /api/progress/{id}``, JSON,
with the CSRF token in ``X-CSRF-Token``) a few seconds after scrolling stops and when the
page is left; without an account it keeps the same in the browser (localStorage) and
asks nothing of the server. "Mark as read" is a form, so it works without the script.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from ficarchive.archive.reading import MAX_PARAGRAPH
from ficarchive.web.params import WorkId
from ficarchive.web.state import reader_of
from ficarchive.web.visitors import CSRF_HEADER, check_csrf, read_form, require_user

router = APIRouter()


class Position(BaseModel):
    paragraph: int = Field(ge=0, le=MAX_PARAGRAPH, description="The first paragraph in view")
    fraction: float = Field(ge=0.0, le=1.0, description="How far into the work, 0 to 1")


@router.put(
    "/api/progress/{work_id}",
    status_code=204,
    tags=["reading"],
    summary="Save where you are in a work",
    responses={401: {"description": "Not signed in"}, 403: {"description": "No CSRF token"}},
)
def save_progress(work_id: WorkId, position: Position, request: Request) -> Response:
    """For a signed-in account; the CSRF token of the page goes in ``X-CSRF-Token``."""
    user = require_user(request)
    check_csrf(request, request.headers.get(CSRF_HEADER))
    reader_of(request).reading.save_progress(
        user.id, work_id, position.paragraph, position.fraction
    )
    return Response(status_code=204)


@router.post("/works/{work_id}/read", include_in_schema=False)
async def mark_read(work_id: WorkId, request: Request) -> Response:
    user = require_user(request)
    form = await read_form(request)
    reader_of(request).reading.mark_read(user.id, work_id, form.get("read", "1") != "0")
    return RedirectResponse(f"/works/{work_id}", status_code=303)
