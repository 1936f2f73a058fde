"""The reader under hostile requests, through the TestClient, on SQLite and PostgreSQL.

Every response carries the safety headers, whatever its status; every parameter out of
shape is a 400 (404 for a path) with a page or JSON that names it, never a 500;
Hypothesis makes paths, query strings, methods and cookies and finds no 5xx. What held
when the reader was first attacked stays tested: the edit token's unauthorised variants
and FTS query injection here, the sanitiser in test_web.py and test_web_browser.py,
path traversal and bodies over the wire in test_web_wire.py.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from typing import Any, get_args
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.types import Message
from web_support import BACKENDS, fill_archive, open_test_archive

from ficarchive.archive.model import SORTS
from ficarchive.web import create_app
from ficarchive.web.guard import SECURITY_HEADERS
from ficarchive.web.params import ListSort, SearchSort
from ficarchive.web.prefs import SIZES, THEMES
from ficarchive.web.views.prefs import Size, Theme

TOKEN = "s3cret"
BIG_ID = str(2**63)


@pytest.fixture(scope="module", params=BACKENDS)
def reader(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[TestClient, dict[str, int]]]:
    store = open_test_archive(request.param, tmp_path_factory.mktemp("hostile"))
    ids = fill_archive(store)
    app = create_app(store, write_token=TOKEN)

    async def fault() -> None:  # a fault of the reader's own, to see the 500 page
        raise RuntimeError("a bug")

    app.add_api_route("/test-fault", fault)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, ids
    store.close()


def _has_safety_headers(response: Any) -> bool:
    """Every safety header, the reader's policy among the policies sent (a download adds
    ``sandbox`` of its own)."""
    return all(v.decode() in response.headers.get_list(k.decode()) for k, v in SECURITY_HEADERS)


def _says(response: Any) -> str:
    """What a refusal says: the JSON detail, or the error page's heading and message."""
    if response.headers.get("content-type", "").startswith("application/json"):
        return str(response.json()["detail"])
    found = re.search(r"<h1>(.*?)</h1>\s*<p>(.*?)</p>", response.text, re.S)
    assert found, response.text[:300]
    return f"{found[1]}: {found[2]}".replace("&#39;", "'")


def test_every_response_carries_the_safety_headers(
    reader: tuple[TestClient, dict[str, int]],
) -> None:
    client, ids = reader
    story = ids["story"]
    walk = [
        ("GET", "/", 200),
        ("GET", f"/works/{story}", 200),
        ("GET", f"/works/{story}/changes", 200),
        ("GET", f"/works/{story}/edit", 200),
        ("GET", f"/works/{story}/download/epub", 200),
        ("GET", f"/works/{ids['livejournal_post.html']}/original", 200),
        ("GET", "/search?q=bells", 200),
        ("GET", "/static/reader.css", 200),
        ("GET", "/static/reader.js", 200),
        ("GET", "/api/works", 200),
        ("GET", f"/api/works/{story}", 200),
        ("GET", "/api/search?q=bells", 200),
        ("GET", "/api/facets", 200),
        ("GET", "/openapi.json", 200),
        ("GET", "/prefs?theme=dark", 303),
        ("GET", "/no/such/page", 404),
        ("GET", "/works/99999", 404),
        ("GET", f"/works/{BIG_ID}", 404),
        ("GET", "/works/abc", 404),
        ("GET", f"/works/{story}/original", 404),
        ("GET", f"/works/{story}/download/pdf", 404),
        ("GET", "/static/nothing.css", 404),
        ("GET", "/static/%2e%2e/app.py", 404),
        ("GET", f"/api/works/{BIG_ID}", 404),
        ("GET", "/search?page=²", 400),
        ("GET", "/api/works?limit=0", 400),
        ("GET", "/search?q=" + "+OR+".join(["a"] * 300), 400),
        ("GET", "/search?sort=a&sort=b", 400),
        ("POST", "/", 405),
        ("DELETE", f"/api/works/{story}", 405),
        ("PUT", "/static/reader.css", 405),
        ("POST", f"/works/{story}/edit", 403),
        ("GET", "/test-fault", 500),
        ("GET", "/api/test-fault", 404),
    ]
    for method, url, status in walk:
        response = client.request(method, url, follow_redirects=False)
        assert response.status_code == status, (method, url, response.text[:300])
        assert _has_safety_headers(response), (method, url, dict(response.headers))
        if status >= 400 and status != 403:
            assert _says(response), (method, url)
    assert "server's log" in _says(client.get("/test-fault"))
    assert client.post("/").headers["allow"] == "GET"
    huge = client.post(f"/works/{story}/edit", content=b"x" * 300_000)
    assert huge.status_code == 413 and _has_safety_headers(huge)
    assert "262,144 bytes" in _says(huge)
    away = client.get("/", headers={"Host": "evil.example"})
    assert away.status_code == 400 and _has_safety_headers(away)
    assert "--allow-host" in _says(away)


def test_a_content_length_that_is_no_number(reader: tuple[TestClient, dict[str, int]]) -> None:
    """uvicorn refuses it before the app; another ASGI server may not, so the app does."""
    client, ids = reader
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": f"/works/{ids['story']}/edit",
        "raw_path": b"",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), (b"content-length", b"12abc")],
        "server": ("testserver", 80),
        "client": ("127.0.0.1", 5000),
    }
    asyncio.run(client.app(scope, receive, send))
    assert sent[0]["status"] == 400
    headers = dict(sent[0]["headers"])
    assert headers[b"connection"] == b"close" and b"content-security-policy" in headers
    assert b"is not a number of bytes" in b"".join(m.get("body", b"") for m in sent[1:])


NUMBERS = ["²", "٣٤", "１２", "9" * 4300, "-1", "", "1e3", "0x10", "+5", "1.0", " 7", BIG_ID]


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("/search?page={}", "page"),
        ("/search?min_words={}", "min_words"),
        ("/search?max_words={}", "max_words"),
        ("/api/search?min_words={}", "min_words"),
        ("/api/search?limit={}", "limit"),
        ("/api/search?offset={}", "offset"),
        ("/api/works?limit={}", "limit"),
        ("/api/works?offset={}", "offset"),
        ("/api/facets?max_words={}", "max_words"),
    ],
)
def test_every_number_out_of_shape_is_named(
    reader: tuple[TestClient, dict[str, int]], url: str, name: str
) -> None:
    client, _ = reader
    for value in NUMBERS:
        response = client.get(url.format(quote(value)))
        if value in ("", " 7") and "words" in name:
            assert response.status_code == 200, (url, value)  # an empty box, a stray space
            continue
        assert response.status_code == 400, (url, value, response.text[:300])
        assert name in _says(response) and _has_safety_headers(response), (url, value)
    twice = client.get(url.format("1") + "&" + name + "=2")
    assert twice.status_code == 400 and f"'{name}' (2 times)" in _says(twice)


@pytest.mark.parametrize(
    "path",
    [
        "/works/{}",
        "/works/{}/changes",
        "/works/{}/edit",
        "/api/works/{}",
        "/works/{}/download/html",
        "/works/{}/original",
    ],
)
def test_every_work_id_out_of_shape_is_not_found(
    reader: tuple[TestClient, dict[str, int]], path: str
) -> None:
    client, _ = reader
    for value in [*NUMBERS, "0", "1;2", "%00"]:
        response = client.get(path.format(quote(value, safe="%") if value else "%20"))
        assert response.status_code == 404, (path, value, response.text[:300])
        assert "work" in _says(response) and _has_safety_headers(response)


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("/search?sort=best", "sort must be one of 'relevance', 'date', 'words' or 'title'"),
        ("/api/works?sort=", "sort must be one of 'date'"),
        ("/prefs?theme=neon", "theme must be one of 'auto', 'light' or 'dark'"),
        ("/prefs?size=6", "size must be one of '1', '2', '3', '4' or '5'"),
        ("/prefs?size=3&size=4", "'size' (2 times)"),
        ("/search?" + "&".join(["tag=x"] * 21), "tag may be given at most 20 times"),
        ("/search?fandom=" + "x" * 501, "fandom is too long (at most 500 characters)"),
        ("/search?q=" + "x" * 5000, "at most 4,096 are searched"),
        ("/api/search?q=" + "+".join(["bells"] * 257), "257 words; at most 256"),
    ],
)
def test_choices_and_lengths_out_of_shape_are_named(
    reader: tuple[TestClient, dict[str, int]], url: str, says: str
) -> None:
    client, _ = reader
    response = client.get(url, follow_redirects=False)
    assert response.status_code == 400, (url, response.text[:300])
    assert says in _says(response) and _has_safety_headers(response)


def test_the_choices_are_the_archives() -> None:
    assert get_args(SearchSort) == SORTS
    assert get_args(ListSort) == ("date", "words", "title", "id")
    assert get_args(Theme) == THEMES and get_args(Size) == SIZES


def test_the_pathological_searches_give_results(
    reader: tuple[TestClient, dict[str, int]],
) -> None:
    client, ids = reader
    ninety_nine = "+OR+".join(["zzyzx"] * 99 + ["lighthouse"])
    for url in ("/search", "/api/search", "/api/facets"):
        for query in (ninety_nine, "%28" * 2000 + "bells", "%00bells", "%22bells", "-" * 3000):
            response = client.get(f"{url}?q={query}")
            assert response.status_code == 200, (url, query[:40], response.text[:300])
    found = client.get(f"/api/search?q={ninety_nine}").json()
    assert [h["id"] for h in found["hits"]] == [ids["story"]]


UNAUTHORISED: list[tuple[str, dict[str, Any]]] = [
    ("no token", {"data": {"title": "Pwned"}}),
    ("empty token", {"data": {"title": "Pwned", "token": ""}}),
    ("wrong token", {"data": {"title": "Pwned", "token": "guess"}}),
    ("a prefix", {"data": {"title": "Pwned", "token": TOKEN[:-1]}}),
    ("one more", {"data": {"title": "Pwned", "token": TOKEN + "x"}}),
    ("another case", {"data": {"title": "Pwned", "token": TOKEN.upper()}}),
    ("with spaces", {"data": {"title": "Pwned", "token": f" {TOKEN} "}}),
    ("with a NUL", {"data": {"title": "Pwned", "token": TOKEN + "\x00"}}),
    ("a look-alike", {"data": {"title": "Pwned", "token": "ѕ3cret"}}),
    ("in the query", {"data": {"title": "Pwned"}, "params": {"token": TOKEN}}),
    ("in a cookie", {"data": {"title": "Pwned"}, "cookies": {"token": TOKEN}}),
    (
        "in a header",
        {"data": {"title": "Pwned"}, "headers": {"Authorization": f"Bearer {TOKEN}"}},
    ),
    ("as JSON", {"json": {"title": "Pwned", "token": TOKEN}}),
    (
        "as multipart",
        {"files": {"token": (None, TOKEN), "title": (None, "Pwned")}},
    ),
]


def test_no_edit_without_the_token(reader: tuple[TestClient, dict[str, int]]) -> None:
    client, ids = reader
    url = f"/works/{ids['story']}/edit"
    for name, variant in UNAUTHORISED:
        request = dict(variant)
        client.cookies.update(request.pop("cookies", {}))
        response = client.post(url, follow_redirects=False, **request)
        client.cookies.clear()
        assert response.status_code == 403, (name, response.status_code)
        assert _has_safety_headers(response), name
    work = client.get(f"/api/works/{ids['story']}").json()["work"]
    assert work["title"] == "Harbour of Bells"
    assert "No edits" in client.get(f"/works/{ids['story']}/changes").text


# -- Hypothesis: any path, query string, method and cookie --------------------------------

WORDS = "works api static search prefs download edit changes original facets epub html"
SEGMENTS = st.one_of(
    st.sampled_from([*WORDS.split(), "reader.css", "openapi.json", "1", "2", "0", "-1"]),
    st.sampled_from([BIG_ID, "9" * 400, "²", "..", ".", "", "%00", "%2e%2e", "%2f", "%ff"]),
    st.text(max_size=20).map(lambda t: quote(t, safe="")),
)
NAMES = "q page min_words max_words sort limit offset fandom tag relationship character"
PARAMS = st.sampled_from([*NAMES.split(), "rating", "warning", "theme", "size", "back"])
VALUES = st.one_of(
    st.sampled_from(NUMBERS),
    st.sampled_from(["dark", "5", "title", "/", "//evil", "OR", '"', "(", "\x00", "Spike/Buffy"]),
    st.text(max_size=40),
)
QUERY = st.lists(st.tuples(PARAMS, VALUES), max_size=8).map(
    lambda pairs: "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in pairs)
)
COOKIES = st.dictionaries(st.sampled_from(["theme", "size", "token"]), VALUES, max_size=3)
METHODS = st.sampled_from(["GET", "GET", "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"])


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    method=METHODS,
    segments=st.lists(SEGMENTS, min_size=1, max_size=6),
    query=QUERY,
    cookies=COOKIES,
)
def test_no_request_gets_a_server_error(
    reader: tuple[TestClient, dict[str, int]],
    method: str,
    segments: list[str],
    query: str,
    cookies: dict[str, str],
) -> None:
    client, ids = reader
    url = "/" + "/".join(segments) + (f"?{query}" if query else "")
    client.cookies.clear()
    for name, value in cookies.items():
        client.cookies.set(name, quote(value, safe=""))
    response = client.request(method, "http://testserver" + url, follow_redirects=False)
    client.cookies.clear()
    assert response.status_code < 500, (method, url, response.text[:500])
    assert _has_safety_headers(response), (method, url)
    if response.status_code >= 400 and method != "HEAD" and response.status_code != 403:
        assert _says(response), (method, url)
    title = client.get(f"/api/works/{ids['story']}").json()["work"]["title"]
    assert title == "Harbour of Bells"  # no request without the token changed anything


def test_the_openapi_document_names_the_real_refusals(
    reader: tuple[TestClient, dict[str, int]],
) -> None:
    client, _ = reader
    spec = client.get("/openapi.json").json()
    text = str(spec)
    assert "'422'" not in text and "HTTPValidationError" not in text
    assert spec["components"]["schemas"]["Refusal"]["required"] == ["detail"]
    one = spec["paths"]["/api/works/{work_id}"]["get"]
    assert set(one["responses"]) == {"200", "400", "404"}
    work_id = one["parameters"][0]["schema"]
    assert (work_id["type"], work_id["minimum"], work_id["maximum"]) == ("integer", 1, 2**63 - 1)
    assert client.get("/api/works/1").status_code == 200
