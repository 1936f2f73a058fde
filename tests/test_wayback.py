"""Pages saved from the Wayback Machine rescue to the same Work as the page itself.

The replays are made by `wayback_replay` from a page of ours and from real pages of the
tmffa mirror: the page as web.archive.org serves it (and "Save Page As…, HTML only"
keeps it), the same page saved "complete" by a browser, and a replay of the 2000s.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from wayback_replay import replayed_2005, saved_complete, served

from ficarchive.rescue import rescue
from ficarchive.rescue.decoding.decode import Decoded
from ficarchive.rescue.decoding.wayback import original_url, unwrap, unwrap_text
from ficarchive.rescue.log import RescueLog
from ficarchive.work import Work

PAGE = (Path(__file__).parent / "fixtures" / "wayback" / "story.html").read_text()
URL = "http://www.lanterns.example/fic/story.html"
TS = "20030412093000"


def _without_wayback(work: Work) -> dict[str, Any]:
    """The Work as the page itself gives it: what the step added (its notes and link
    repairs, the capture in the source) left out."""
    data = work.to_dict()
    data["diagnostics"] = [
        (d["kind"], d["message"]) for d in data["diagnostics"] if d["kind"] != "wayback"
    ]
    data["repairs"] = [r for r in data["repairs"] if r["kind"] != "wayback link"]
    data.pop("source")
    return data


@pytest.mark.parametrize(
    "replay",
    [
        lambda page, url: served(page, url, TS),
        lambda page, url: saved_complete(page, url, TS, "The Lantern Keeper_files"),
        lambda page, url: replayed_2005(page, url, TS),
    ],
    ids=["served", "saved-complete", "replay-2005"],
)
def test_a_wayback_page_rescues_to_the_work_of_the_page_itself(replay: Any) -> None:
    page = rescue(PAGE.encode(), "story.html")
    saved = rescue(replay(PAGE, URL).encode(), "story.html")
    assert _without_wayback(saved) == _without_wayback(page)
    assert saved.source is not None
    assert saved.source.captured == "2003-04-12T09:30:00Z"
    kinds = {d.kind for d in saved.diagnostics}
    assert "wayback" in kinds and "wayback" not in {d.kind for d in page.diagnostics}


def test_the_capture_becomes_the_work_s_source() -> None:
    work = rescue(served(PAGE, URL, TS).encode(), "story.html")
    assert work.source is not None
    assert (work.source.url, work.source.captured) == (URL, "2003-04-12T09:30:00Z")
    assert work.source.warc_file is None
    again = Work.from_json(work.to_json(), strict=True)
    assert again.source == work.source


def test_every_removal_is_recorded() -> None:
    log = RescueLog()
    page = unwrap_text(served(PAGE, URL, TS), log)
    notes = [d for d in log.diagnostics if d.kind == "wayback"]
    messages = " | ".join(d.message for d in notes)
    assert "toolbar" in messages and "scripts and stylesheets" in messages
    toolbar = next(d for d in notes if "toolbar" in d.message)
    assert toolbar.text is not None and "COLLECTED BY" in toolbar.text
    assert {(r.before, r.count) for r in log.repairs} == {
        (f"/web/{TS}/", 2),  # the next-part and index links
        (f"/web/{TS}im_/", 1),  # the divider image
    }
    for gone in ("wm-ipp", "__wm", "_static", "FILE ARCHIVED ON", "playback timings", "/web/"):
        assert gone not in page.text
    assert 'href="lantern2.html"' in page.text and 'src="images/line.gif"' in page.text
    assert 'href="mailto:mara@example.com"' in page.text


def test_a_raw_capture_and_an_ordinary_page_are_left_as_they_are() -> None:
    """An ``id_`` capture is the page as it was served; a page that only links to the
    Wayback Machine is not a replay."""
    mentions = PAGE.replace(
        "Back to the stories", 'see <a href="https://web.archive.org/web/2003/http://a.com/">it</a>'
    )
    for text in (PAGE, mentions):
        log = RescueLog()
        decoded = Decoded(text, "utf-8")
        assert unwrap(decoded, log) == (decoded, {})
        assert not log.diagnostics and not log.repairs


def test_original_addresses() -> None:
    assert original_url("/web/20030412093000/http://a.com/x.html?sid=1&amp;c=2") == (
        "http://a.com/x.html?sid=1&amp;c=2",
        "2003-04-12T09:30:00Z",
    )
    assert original_url("http://wayback.archive.org/web/20010101000000*/a.com") is None
    assert original_url("//web.archive.org/web/20010203if_/http:/a.com/") == (
        "http://a.com/",
        "2001-02-03T00:00:00Z",
    )


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=400))
def test_unwrapping_twice_changes_nothing_more(noise: str) -> None:
    replay = served(PAGE.replace("forty years", noise, 1), URL, TS)
    once = unwrap_text(replay, RescueLog())
    log = RescueLog()
    assert unwrap_text(once.text, log).text == once.text
    assert not log.diagnostics


@pytest.mark.corpus
def test_real_pages_of_a_dead_archive(corpus: Path) -> None:
    """A listing page and a story's chapter page of the tmffa mirror, replayed."""
    for name in ("cross-a-c.html", "x-guyver_muyo.html", "h-intro1.html"):
        data = (corpus / "tmffa" / name).read_bytes()
        page = rescue(data, name)
        url = f"http://tmffa.example.net/{name}"
        text = data.decode("cp1252")
        saved = rescue(served(text, url, "19990905120000").encode("cp1252"), name)
        assert _without_wayback(saved) == _without_wayback(page), name
        assert saved.source is not None and saved.source.url == url
