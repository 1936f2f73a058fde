"""The wrangling page: read-only without the write token or an editor's account, decisions
with either."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from ficarchive.archive import Archive
from ficarchive.archive.accounts import Accounts
from ficarchive.web import create_app

STORY = (
    "Title: One\nAuthor: Ana\nFandom: BtVS\nCharacters: Apollo, Giles\n\n"
    + "Giles polished his glasses again. " * 20
    + "\n"
).encode()


def _archive(tmp_path: Path) -> tuple[Path, int]:
    path = tmp_path / "a.sqlite"
    with Archive.open(path) as archive:
        work_id = archive.add(STORY, "one.txt").id
    return path, work_id


def test_the_page_is_read_only_without_the_token(tmp_path: Path) -> None:
    path, _ = _archive(tmp_path)
    with TestClient(create_app(path)) as client:
        page = client.get("/tags/wrangle")
        assert page.status_code == 200 and "Apollo" in page.text and "unwrangled" in page.text
        assert 'name="token"' not in page.text and "read-only" in page.text
        refused = client.post(
            "/tags/wrangle",
            data={"action": "canonical", "name": "Apollo", "kind": "character", "token": "x"},
        )
        assert refused.status_code == 403


def test_a_decision_and_its_undo_with_the_owners_token(tmp_path: Path) -> None:
    path, work_id = _archive(tmp_path)
    with TestClient(create_app(path, write_token="s3cret")) as client:
        form = {
            "action": "merge",
            "name": "Apollo",
            "kind": "character",
            "value": "Apollo (Greek Religion & Lore)",
            "token": "wrong",
        }
        assert client.post("/tags/wrangle", data=form).status_code == 403
        done = client.post(
            "/tags/wrangle", data={**form, "token": "s3cret"}, follow_redirects=False
        )
        assert done.status_code == 303
        work = client.get(f"/api/works/{work_id}").json()
        assert "Apollo (Greek Religion & Lore)" in str(work)
        page = client.get("/tags/wrangle?all=1").text
        assert "merge Apollo" in page
        undone = client.post(
            "/tags/wrangle",
            data={"action": "undo", "change": "1", "token": "s3cret"},
            follow_redirects=False,
        )
        assert undone.status_code == 303
        assert "Greek Religion" not in str(client.get(f"/api/works/{work_id}").json())
        bad = client.post(
            "/tags/wrangle",
            data={
                "action": "merge",
                "name": "Nope",
                "kind": "character",
                "value": "X",
                "token": "s3cret",
            },
        )
        assert bad.status_code == 400 and "no character tag" in bad.text


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def _sign_in(client: TestClient, name: str, password: str) -> None:
    form = {"name": name, "password": password, "csrf": _csrf(client.get("/signin").text)}
    assert client.post("/signin", data=form, follow_redirects=False).status_code == 303


def test_a_signed_in_archivist_wrangles_without_the_token(tmp_path: Path) -> None:
    """As on the edit form: an owner or archivist signed in decides with the session's CSRF
    token; a reader's account, a post without the token or from another site may not."""
    path, work_id = _archive(tmp_path)
    with Archive.open(path) as archive:
        Accounts(archive).add("Ana", "correct horse", "owner")
        Accounts(archive).add("Ben", "battery staple", "archivist")
        Accounts(archive).add("Cy", "staple battery", "reader")
    form = {"action": "merge", "name": "Apollo", "kind": "character", "value": "Apollo (God)"}
    with TestClient(create_app(path)) as client:
        _sign_in(client, "Cy", "staple battery")
        page = client.get("/tags/wrangle").text
        assert "read-only for you" in page and 'class="wrangle-form"' not in page
        refused = client.post("/tags/wrangle", data={**form, "csrf": _csrf(page)})
        assert refused.status_code == 403
    with TestClient(create_app(path)) as client:
        _sign_in(client, "Ben", "battery staple")
        page = client.get("/tags/wrangle").text
        assert 'class="wrangle-form"' in page and 'name="token"' not in page
        assert client.post("/tags/wrangle", data=form).status_code == 403  # no CSRF token
        elsewhere = {"Origin": "https://elsewhere.example"}
        cross = client.post("/tags/wrangle", data={**form, "csrf": _csrf(page)}, headers=elsewhere)
        assert cross.status_code == 403
        assert "Apollo (God)" not in str(client.get(f"/api/works/{work_id}").json())
        done = client.post(
            "/tags/wrangle", data={**form, "csrf": _csrf(page)}, follow_redirects=False
        )
        assert done.status_code == 303
        assert "Apollo (God)" in str(client.get(f"/api/works/{work_id}").json())
