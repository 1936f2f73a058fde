"""The archivist's edit form: for a signed-in owner or archivist, or with the write token.

The token the owner started the reader with is typed into the form with every change
(it is never put in a cookie, nor taken from a header or the query): a page from another
site cannot know it, so it cannot make a reader's browser edit the archive, and a script
can post the form with it alone. A signed-in owner or archivist edits without the token,
with the session's CSRF token instead (`ficarchive.web.visitors`); every post that says
it comes from another site (``Origin``, ``Sec-Fetch-Site``) is refused either way.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ficarchive.web.params import WorkId
from ficarchive.web.state import Reader, reader_of
from ficarchive.web.visitors import check_csrf, same_site, visitor_of
from ficarchive.work import RATINGS, Work

router = APIRouter()

LIST_FIELDS = (
    ("warnings", "Archive Warnings"),
    ("fandoms", "Fandoms"),
    ("relationships", "Relationships"),
    ("characters", "Characters"),
    ("tags", "Additional Tags"),
)


def _form(reader: Reader, request: Request, work_id: int, status: int, message: str = "") -> Any:
    return reader.page(
        request,
        "edit.html",
        status_code=status,
        work=reader.archive.get(work_id).work,
        work_id=work_id,
        ratings=RATINGS,
        list_fields=LIST_FIELDS,
        message=message,
    )


def _may_edit(reader: Reader, request: Request) -> bool:
    return reader.writable or visitor_of(request).can_edit


@router.get("/works/{work_id}/edit", response_class=HTMLResponse, include_in_schema=False)
def edit_form(work_id: WorkId, request: Request) -> HTMLResponse:
    reader = reader_of(request)
    status = 200 if _may_edit(reader, request) else 403
    response: HTMLResponse = _form(reader, request, work_id, status)
    return response


def changes_from(form: dict[str, str], work: Work) -> dict[str, Any]:
    """The fields the form changes, as `Archive.edit` takes them."""
    changes: dict[str, Any] = {}
    for field in ("title", "summary"):
        if field in form:
            value = form[field].replace("\r\n", "\n").strip() or None
            if value != getattr(work, field):
                changes[field] = value
    rating = form.get("rating", work.rating)
    if rating in RATINGS and rating != work.rating:
        changes["rating"] = rating
    for field in ("authors", *(f for f, _ in LIST_FIELDS)):
        if field not in form:
            continue
        values = tuple(dict.fromkeys(v.strip() for v in form[field].split(",") if v.strip()))
        if values != getattr(work, field):
            changes[field] = list(values)
    return changes


@router.post("/works/{work_id}/edit", include_in_schema=False)
async def save_edit(work_id: WorkId, request: Request) -> Response:
    reader = reader_of(request)
    if not _may_edit(reader, request):
        response: Response = _form(reader, request, work_id, 403)
        return response
    raw = await request.body()  # at most guard.MAX_BODY: a longer body is refused (413)
    fields = parse_qs(raw.decode("utf-8", "replace"), keep_blank_values=True)
    form = {k: v[-1] for k, v in fields.items()}
    if not same_site(request):
        check_csrf(request, None)  # refused, saying why
    if not reader.token_ok(form.get("token")):
        if not visitor_of(request).can_edit:
            response = _form(reader, request, work_id, 403, "That write token is not right.")
            return response
        check_csrf(request, form.get("csrf"))
    stored = reader.archive.get(work_id)
    changes = changes_from(form, stored.work)
    if changes:
        reader.archive.edit(work_id, changes, form.get("note", "").strip() or None)
    return RedirectResponse(f"/works/{work_id}/changes", status_code=303)
