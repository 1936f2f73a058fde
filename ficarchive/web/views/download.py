"""Downloads of a work in every export format (see `ficarchive.web.formats`).

The exports clean every HTML fragment with the reader's allow-list and escape every
other field, so a downloaded file holds no script. Each download is also an attachment
with a sandboxing policy: a browser that shows one in place of saving it runs nothing.
"""

from __future__ import annotations

import re

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from ficarchive.web.formats import FORMATS
from ficarchive.web.params import WorkId
from ficarchive.web.state import reader_of

router = APIRouter()

ATTACHMENT_POLICY = "sandbox"
"""Sent with every download beside the reader's own policy: no script, no forms, no
same-origin access, even if the file is shown in the browser instead of saved."""


def _attachment(name: str) -> dict[str, str]:
    return {
        "Content-Disposition": f'attachment; filename="{name}"',
        "Content-Security-Policy": ATTACHMENT_POLICY,
    }


def file_stem(title: str | None, work_id: int) -> str:
    """A safe ASCII file name for a download.

    >>> file_stem("Sound of Bells: Part 1/2", 7), file_stem(None, 7), file_stem("Ça ?", 7)
    ('sound-of-bells-part-1-2', 'work-7', 'a')
    """
    slug = re.sub(r"[^a-z0-9]+", "-", (title or "").lower()).strip("-")[:80]
    return slug or f"work-{work_id}"


@router.get(
    "/works/{work_id}/download/{format_name}",
    tags=["works"],
    summary="Download a work",
    responses={200: {"content": {f.media_type.split(";")[0]: {} for f in FORMATS.values()}}},
)
async def download(work_id: WorkId, format_name: str, request: Request) -> Response:
    """The work as a file in one export format: ``epub``, ``html`` or ``markdown``."""
    found = FORMATS.get(format_name)
    if found is None:
        raise HTTPException(404, f"no format {format_name!r}; formats: {', '.join(FORMATS)}")
    stored = await run_in_threadpool(reader_of(request).archive.get, work_id)
    body = await run_in_threadpool(found.body, stored.work)
    name = f"{file_stem(stored.work.title, work_id)}.{found.extension}"
    return Response(body, media_type=found.media_type, headers=_attachment(name))


@router.get(
    "/works/{work_id}/original",
    tags=["works"],
    summary="Download the original file",
    responses={200: {"content": {"application/octet-stream": {}}}, 404: {}},
)
async def original(work_id: WorkId, request: Request) -> Response:
    """The bytes the work was rescued from, as they were added (a work joined from several
    pages: a zip of them). Always an attachment, never shown: old pages may carry scripts."""
    found = await run_in_threadpool(reader_of(request).archive.original, work_id)
    if found is None:
        raise HTTPException(404, f"work {work_id} was stored without its original file")
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", found.name).strip(".-") or f"work-{work_id}"
    return Response(found.data, media_type="application/octet-stream", headers=_attachment(name))
