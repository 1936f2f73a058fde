"""The web reader: ``create_app(archive_location, write_token=None)`` gives the ASGI app.

Pages (home, search, work, what was changed, edit, downloads) are one module each under
``views/``; the JSON API is ``api``; templates and styles are in ``templates/`` and
``static/``. Around it all, ``guard`` (safety headers, the Host check, the body limit);
``params`` checks every parameter and ``refusals`` says what was wrong, as a page or
JSON. ``ficarchive serve`` runs it on uvicorn.
"""

from ficarchive.web.app import create_app

__all__ = ["create_app"]
