"""“What was changed and why”: a work's repairs, diagnostics, source and edit history."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from ficarchive.web.params import WorkId
from ficarchive.web.state import reader_of

router = APIRouter()


@router.get("/works/{work_id}/changes", response_class=HTMLResponse, include_in_schema=False)
def changes_page(work_id: WorkId, request: Request) -> HTMLResponse:
    reader = reader_of(request)
    stored = reader.archive.get(work_id)
    original = reader.archive.original(work_id)
    return reader.page(
        request,
        "changes.html",
        work=stored.work,
        work_id=work_id,
        added_at=stored.added_at,
        original=(original.name, len(original.data)) if original is not None else None,
        history=reader.archive.history(work_id),
        near=reader.archive.near_duplicates(work_id),
    )
