"""Setting the theme and text size without JavaScript: a link sets a cookie and goes back."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import RedirectResponse

from ficarchive.web.prefs import COOKIE_AGE, safe_back

router = APIRouter()

# ficarchive.web.prefs.THEMES and SIZES (checked equal in the tests).
Theme = Literal["auto", "light", "dark"]
Size = Literal["1", "2", "3", "4", "5"]


@router.get("/prefs", include_in_schema=False)
def set_prefs(
    theme: Theme | None = None,
    size: Size | None = None,
    back: Annotated[str, Query(max_length=2000)] = "/",
) -> RedirectResponse:
    response = RedirectResponse(safe_back(back), status_code=303)
    for name, value in (("theme", theme), ("size", size)):
        if value is not None:
            response.set_cookie(name, value, max_age=COOKIE_AGE, samesite="lax", httponly=False)
    return response
