"""Pathological searches at the library level, on SQLite and PostgreSQL.

Whatever the text of a query and whatever the filters, `Archive.search` and
`Archive.facets` give results or raise `SearchTooLarge` with one line naming the bound,
quickly: the CLI's `search` and the reader both go through here.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from web_support import BACKENDS, fill_archive, open_test_archive

from ficarchive.archive import Filters
from ficarchive.archive.query import (
    INT64_MAX,
    MAX_QUERY_CHARS,
    MAX_TAG_FILTERS,
    MAX_WORDS,
    SearchTooLarge,
    fts5,
    parse,
)
from ficarchive.errors import FicarchiveError

# A pathological search must come back in well under this (the slowest here take ~0.1 s).
SLOW_S = 5.0


@pytest.fixture(scope="module", params=BACKENDS)
def archive(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Any, dict[str, int]]]:
    store = open_test_archive(request.param, tmp_path_factory.mktemp("bounds"))
    ids = fill_archive(store)
    yield store, ids
    store.close()


def _search(store: Any, query: str, filters: Filters | None = None, **options: Any) -> Any:
    started = time.monotonic()
    try:
        return store.search(query, filters, **options)
    finally:
        assert time.monotonic() - started < SLOW_S, query[:80]


def test_a_long_run_of_or_gives_results(archive: tuple[Any, dict[str, int]]) -> None:
    store, ids = archive
    query = " OR ".join(["zzyzx"] * 99 + ["lighthouse"])  # 99 ORs: a parser overflow once
    assert [h.id for h in _search(store, query).hits] == [ids["story"]]
    assert store.facets(Filters(), query)["relationship"][0].name == "Buffy Summers/Spike"
    most = " OR ".join(["lighthouse"] * MAX_WORDS)
    assert _search(store, most).total == 1
    mixed = " ".join(f"(lighthouse OR bells{n} OR -x{n})" for n in range(60))
    assert _search(store, mixed).total == 1


@pytest.mark.parametrize(
    "query",
    [
        "(" * MAX_QUERY_CHARS,
        ")" * 2000 + "lighthouse",
        '"' * 1001,
        '"lighthouse keeper',
        "lighthouse\x00keeper",
        "\x00" * 100,
        "-" * 4000,
        "OR " * 1000,
        "NOT " * 200,
        "AND OR NOT NEAR( * : ^ {} [] ~",
        "lighthouse" + "é" * 4000,
        '-"' * 1000,
        "\ud800 lighthouse",  # a lone surrogate, as a broken URL decoder can hand over
    ],
)
def test_pathological_queries_give_results(archive: tuple[Any, dict[str, int]], query: str) -> None:
    store, _ = archive
    results = _search(store, query)
    assert results.total >= 0
    assert isinstance(store.facets(Filters(), query), dict)


@pytest.mark.parametrize(
    ("query", "says"),
    [
        (" OR ".join(["a"] * 800), "800 words; at most 256"),
        (" ".join(f"w{n}" for n in range(600)), "600 words"),
        (" ".join(f"w{n}" for n in range(5000)), "28,889 characters long"),
        ('"' + "bell " * 300 + '"', "300 words"),
        ("x" * (MAX_QUERY_CHARS + 1), "4,097 characters long"),
        ("lighthouse " * 3_000_000, "33,000,000 characters long"),
    ],
)
def test_searches_past_the_bounds_say_so(
    archive: tuple[Any, dict[str, int]], query: str, says: str
) -> None:
    store, _ = archive
    with pytest.raises(SearchTooLarge, match=says) as refused:
        _search(store, query)
    assert "\n" not in str(refused.value) and isinstance(refused.value, FicarchiveError)
    with pytest.raises(SearchTooLarge):
        store.facets(Filters(), query)


def test_filters_of_any_size(archive: tuple[Any, dict[str, int]]) -> None:
    store, ids = archive
    assert _search(store, "", Filters(words_min=10**30)).total == 0
    assert _search(store, "", Filters(words_max=10**30)).total == len(ids)
    assert _search(store, "", Filters(words_min=INT64_MAX, words_max=INT64_MAX)).total == 0
    assert _search(store, "", limit=10**20, offset=10**20).hits == ()
    assert len(_search(store, "", limit=10**20).hits) == len(ids)
    nul = Filters(relationships=("Spike/\x00Buffy",), fandoms=("\x00",))
    assert _search(store, "", nul).total == 0
    assert _search(store, "", Filters(relationships=("Spike/Buffy\x00",))).total == 1
    many = Filters(fandoms=tuple(f"Fandom {n}" for n in range(MAX_TAG_FILTERS)))
    assert _search(store, "bells", many).total == 0
    spuffy = ("relationship", "Spike/Buffy")  # a tag the archive has, as often as allowed
    assert _search(store, "lighthouse", Filters(excluded=(spuffy,) * MAX_TAG_FILTERS)).total == 0
    found = _search(store, "lighthouse", Filters(relationships=(spuffy[1],) * MAX_TAG_FILTERS))
    assert [h.id for h in found.hits] == [ids["story"]]
    too_many = Filters(tags=tuple(f"Tag {n}" for n in range(MAX_TAG_FILTERS + 1)))
    with pytest.raises(SearchTooLarge, match="129 tags; at most 128"):
        _search(store, "", too_many)
    with pytest.raises(SearchTooLarge):
        store.facets(too_many)


QUERY_TEXT = st.lists(
    st.one_of(
        st.sampled_from(
            ['"', "-", "(", ")", "OR", "or", "AND", "NOT", "NEAR(", "*", ":", "^", "\x00", " "]
        ),
        st.sampled_from(["lighthouse", "bells", "keeper", "fog", "Ça", "カフェ", "x_y"]),
        st.text(max_size=12),
    ),
    max_size=60,
).map(" ".join)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(query=QUERY_TEXT, sort=st.sampled_from(["relevance", "date", "words", "title"]))
def test_any_query_text_gives_results(
    archive: tuple[Any, dict[str, int]], query: str, sort: str
) -> None:
    store, ids = archive
    results = _search(store, query, sort=sort, limit=5)
    assert 0 <= results.total <= len(ids) and len(results.hits) <= 5
    assert isinstance(store.facets(Filters(), query), dict)


@given(query=QUERY_TEXT)
def test_expressions_stay_flat(query: str) -> None:
    """However many terms, no parenthesis is opened inside another: no parser stack grows."""
    expression = fts5(query) or ""
    depth = deepest = 0
    inside_quotes = False
    for char in expression:
        if char == '"':
            inside_quotes = not inside_quotes
        elif not inside_quotes:
            depth += {"(": 1, ")": -1}.get(char, 0)
            deepest = max(deepest, depth)
    assert deepest <= 1, expression
    assert sum(len(t.text.split()) for t in parse(query)) <= MAX_WORDS


def test_the_cli_search_says_so_in_one_line(tmp_path: Any, run_cli: Any) -> None:
    path = tmp_path / "archive.sqlite"
    fill_archive(store := open_test_archive("sqlite", tmp_path))
    store.close()
    result = run_cli("search", "bells " * 300, "--archive", path)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "300 words; at most 256" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    ninety_nine = run_cli("search", " OR ".join(["zzyzx"] * 99 + ["lighthouse"]), "--archive", path)
    assert ninety_nine.exit_code == 0 and "Harbour of Bells" in ninety_nine.stdout
    huge = run_cli("search", "--min-words", "9" * 30, "--limit", "9" * 30, "--archive", path)
    assert huge.exit_code == 0 and "Traceback" not in huge.output
