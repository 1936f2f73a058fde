"""Setting the theme and text size without JavaScript: a link sets a cookie and goes back."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import RedirectResponse

from ficarchive.web.prefs import COOKIE_AGE, SIZES, THEMES, safe_back

router = APIRouter()


@router.get("/prefs", include_in_schema=False)
def set_prefs(
    theme: Annotated[str, Query()] = "",
    size: Annotated[str, Query()] = "",
    back: Annotated[str, Query()] = "/",
) -> RedirectResponse:
    response = RedirectResponse(safe_back(back), status_code=303)
    for name, value, allowed in (("theme", theme, THEMES), ("size", size, SIZES)):
        if value in allowed:
            response.set_cookie(name, value, max_age=COOKIE_AGE, samesite="lax", httponly=False)
    return response
