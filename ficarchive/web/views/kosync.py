"""KOReader's progress sync, so an account's place in a book follows it between devices.

In KOReader: Settings → Progress sync → Custom sync server ``http://HOST:PORT/kosync``,
then log in with the account's name and password (KOReader sends the MD5 of the
password, which the archive keeps only hashed with Argon2id). The protocol is
KOReader's own (``users/auth``, ``syncs/progress``); accounts are made by the owner
(``ficarchive users add``), never through it. Wrong passwords count towards the same
sign-in limit as the reader's own sign-in page.
"""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from ficarchive.archive.accounts import (
    FAILURES_PER_ADDRESS,
    FAILURES_PER_NAME,
    MAX_NAME,
    User,
    name_key,
)
from ficarchive.archive.reading import SyncedPosition
from ficarchive.web.state import reader_of

router = APIRouter(prefix="/kosync", tags=["kosync"])

UNAUTHORIZED = {"code": 2001, "message": "Unauthorized"}


class Progress(BaseModel):
    document: str = Field(min_length=1, max_length=200)
    progress: str = Field(max_length=2000)
    percentage: float = Field(ge=0.0, le=1.0)
    device: str = Field(default="", max_length=200)
    device_id: str = Field(default="", max_length=200)


class Refused(Exception):
    def __init__(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None):
        self.status, self.body, self.headers = status, body, headers or {}


async def _user(request: Request) -> User:
    reader = reader_of(request)
    name = request.headers.get("x-auth-user", "")[:MAX_NAME]
    key = request.headers.get("x-auth-key", "")[:100]
    if not name or not key or not reader.accounts_on():
        raise Refused(401, UNAUTHORIZED)
    address = request.client.host if request.client else "unknown"
    keys = (f"name:{name_key(name)}", f"address:{address}")
    for kept, most in zip(keys, (FAILURES_PER_NAME, FAILURES_PER_ADDRESS), strict=True):
        if reader.accounts.failures(kept) >= most:
            wait = str(reader.accounts.retry_after(kept))
            raise Refused(429, {"message": "Too many wrong passwords"}, {"Retry-After": wait})
    user = await run_in_threadpool(reader.accounts.verify, name, key.lower(), kosync=True)
    if user is None:
        reader.accounts.note_failure(*keys)
        raise Refused(401, UNAUTHORIZED)
    return user


def install(app: FastAPI) -> None:
    @app.exception_handler(Refused)
    async def refused(request: Request, exc: Refused) -> JSONResponse:
        return JSONResponse(exc.body, status_code=exc.status, headers=exc.headers)


@router.post("/users/create", summary="KOReader: make an account (refused: the owner does)")
def create() -> JSONResponse:
    message = "Accounts are made by the archive's owner (ficarchive users add NAME)."
    return JSONResponse({"code": 2005, "message": message}, status_code=403)


@router.get("/users/auth", summary="KOReader: check a name and key")
async def auth(request: Request) -> dict[str, str]:
    await _user(request)
    return {"authorized": "OK"}


@router.put("/syncs/progress", summary="KOReader: save a position")
async def save(progress: Progress, request: Request) -> dict[str, Any]:
    user = await _user(request)
    stamp = int(time.time())
    position = SyncedPosition(
        progress.document,
        progress.progress,
        progress.percentage,
        progress.device,
        progress.device_id,
        stamp,
    )
    await run_in_threadpool(reader_of(request).reading.sync_position, user.id, position)
    return {"document": progress.document, "timestamp": stamp}


@router.get("/syncs/progress/{document}", summary="KOReader: the last position saved")
async def load(document: str, request: Request) -> dict[str, Any]:
    user = await _user(request)
    found = reader_of(request).reading.synced_position(user.id, document[:200])
    if found is None:
        return {}
    return {
        "document": found.document,
        "progress": found.progress,
        "percentage": found.percentage,
        "device": found.device,
        "device_id": found.device_id,
        "timestamp": found.timestamp,
    }
