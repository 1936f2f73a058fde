"""Reading preferences (theme, text size), kept in cookies and set by plain links.

Without JavaScript a preference link goes to ``/prefs?theme=dark&back=/works/3``, which
sets the cookie and sends the reader back; with JavaScript, ``reader.js`` sets the same
cookie and applies it at once, without leaving the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

THEMES = ("auto", "light", "dark")
SIZES = ("1", "2", "3", "4", "5")  # 3 is the default; each step is 12.5 % of the base
SIZE_LABELS = {"1": "Smallest", "2": "Smaller", "3": "Normal", "4": "Larger", "5": "Largest"}
COOKIE_AGE = 365 * 24 * 3600


@dataclass(frozen=True)
class Prefs:
    theme: str = "auto"
    size: str = "3"

    @classmethod
    def from_cookies(cls, cookies: dict[str, str]) -> Prefs:
        theme = cookies.get("theme", "auto")
        size = cookies.get("size", "3")
        return cls(theme if theme in THEMES else "auto", size if size in SIZES else "3")

    def smaller(self) -> str | None:
        index = SIZES.index(self.size)
        return SIZES[index - 1] if index > 0 else None

    def larger(self) -> str | None:
        index = SIZES.index(self.size)
        return SIZES[index + 1] if index + 1 < len(SIZES) else None


def safe_back(back: str | None) -> str:
    r"""Only a path on this site: never another host (``//evil``, ``https://…``), nor a
    control character (a header's line break).

    >>> [safe_back(b) for b in ("/works/3", "//evil", "/\\evil", "/a\r\nSet-Cookie: x", None)]
    ['/works/3', '/', '/', '/', '/']
    """
    if not back or not back.startswith("/") or back.startswith("//") or "\\" in back:
        return "/"
    if any(ord(c) < 32 or ord(c) == 127 for c in back):
        return "/"
    return back


def pref_url(name: str, value: str, back: str) -> str:
    return "/prefs?" + urlencode({name: value, "back": back})
