"""The wrangling page: the archive's tags as written, by use, and the decisions
`ficarchive tags` makes (merge as a synonym, make canonical, rename, undo).

Like the edit form (`ficarchive.web.views.edit`) it is for a signed-in owner or
archivist, with the session's CSRF token, or for whoever types the reader's write token
with every change; a post that says it comes from another site is refused either way.
Without either the page only shows the tags. Every change goes through the archive's
wrangling methods, so it is logged and can be undone here or with ``ficarchive tags
undo``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ficarchive.errors import ArchiveError
from ficarchive.tags.wrangle import KINDS
from ficarchive.web.state import Reader, reader_of
from ficarchive.web.visitors import check_csrf, same_site, visitor_of

router = APIRouter()
SHOWN = 200
"""Raw tags shown at once, most used first."""


def _page(reader: Reader, request: Request, status: int, message: str = "") -> Any:
    unwrangled = request.query_params.get("all") is None
    return reader.page(
        request,
        "wrangling.html",
        status_code=status,
        tags=reader.archive.raw_tags(unwrangled=unwrangled, limit=SHOWN),
        history=list(reversed(reader.archive.tag_history()))[:50],
        kinds=KINDS,
        unwrangled=unwrangled,
        message=message,
    )


@router.get("/tags/wrangle", response_class=HTMLResponse, include_in_schema=False)
def wrangling_page(request: Request) -> HTMLResponse:
    reader = reader_of(request)
    response: HTMLResponse = _page(reader, request, 200)
    return response


@router.post("/tags/wrangle", include_in_schema=False)
async def wrangle(request: Request) -> Response:
    reader = reader_of(request)
    if not (reader.writable or visitor_of(request).can_edit):
        response: Response = _page(reader, request, 403, "This reader is read-only.")
        return response
    raw = await request.body()  # at most guard.MAX_BODY: a longer body is refused (413)
    form = {k: v[-1] for k, v in parse_qs(raw.decode("utf-8", "replace")).items()}
    if not same_site(request):
        check_csrf(request, None)  # refused, saying why
    if not reader.token_ok(form.get("token")):
        if not visitor_of(request).can_edit:
            response = _page(reader, request, 403, "That write token is not right.")
            return response
        check_csrf(request, form.get("csrf"))
    try:
        _apply(reader, form)
    except (ArchiveError, ValueError) as exc:
        response = _page(reader, request, 400, str(exc))
        return response
    return RedirectResponse("/tags/wrangle", status_code=303)


def _apply(reader: Reader, form: dict[str, str]) -> None:
    action, kind = form.get("action", ""), form.get("kind", "")
    name, value = form.get("name", "").strip(), form.get("value", "").strip()
    note = form.get("note", "").strip() or None
    archive: Any = reader.archive
    if action == "undo":
        archive.undo_tag_change(int(form.get("change", "0") or 0))
        return
    if kind not in KINDS or not name:
        raise ValueError("choose a tag and its kind")
    if action == "merge" and value:
        archive.merge_tag(name, value, kind=kind, note=note)
    elif action == "canonical":
        archive.make_canonical(name, kind=kind, note=note)
    elif action == "rename" and value:
        archive.rename_tag(name, value, kind=kind, note=note)
    else:
        raise ValueError(
            "choose merge (with the canonical tag), canonical, or rename (with the new name)"
        )
