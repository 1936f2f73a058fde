"""The JSON API: works, one work, search and facets, described at ``/openapi.json``.

The same archive methods as the pages, with typed response models so the OpenAPI
document says exactly what comes back. A work is the Work JSON of
``ficarchive/schema/work.schema.json`` (story HTML as stored: sanitise before display).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from ficarchive.archive import FacetCount, StoredWork
from ficarchive.archive.model import FACET_SAMPLE
from ficarchive.web.params import Limit, ListSort, Offset, SearchRequest, WorkId, search_request
from ficarchive.web.state import reader_of
from ficarchive.work import Work

router = APIRouter(prefix="/api", tags=["api"])


class WorkSummary(BaseModel):
    id: int
    title: str | None
    authors: list[str]
    rating: str
    warnings: list[str]
    fandoms: list[str]
    relationships: list[str]
    characters: list[str]
    tags: list[str]
    summary: str | None
    word_count: int
    added_at: str
    updated_at: str
    url: str

    @classmethod
    def of(cls, stored: StoredWork) -> WorkSummary:
        w = stored.work
        return cls(
            id=stored.id,
            title=w.title,
            authors=list(w.authors),
            rating=w.rating,
            warnings=list(w.warnings),
            fandoms=list(w.fandoms),
            relationships=list(w.relationships),
            characters=list(w.characters),
            tags=list(w.tags),
            summary=w.summary,
            word_count=w.word_count,
            added_at=stored.added_at,
            updated_at=stored.updated_at,
            url=f"/works/{stored.id}",
        )


class WorkList(BaseModel):
    total: int
    offset: int
    works: list[WorkSummary]


class WorkDetail(BaseModel):
    id: int
    added_at: str
    updated_at: str
    work: Work


class HitOut(BaseModel):
    id: int
    title: str | None
    authors: list[str]
    rating: str
    word_count: int
    snippet: str  # escaped text with <mark> around the matched words
    added_at: str
    url: str


class FacetOut(BaseModel):
    name: str
    count: int


Facets = dict[str, list[FacetOut]]


class SearchOut(BaseModel):
    total: int = Field(description="matching works, or more than this when not total_exact")
    total_exact: bool = Field(
        description="false: more works match than total (counting stops there)"
    )
    facets_exact: bool = Field(
        description=f"false: the facets count the {FACET_SAMPLE:,} most recently added "
        "matching works only"
    )
    offset: int
    hits: list[HitOut]
    facets: Facets


@router.get("/works", response_model=WorkList, summary="List works")
def list_works(
    request: Request,
    sort: ListSort = "date",
    limit: Limit = 20,
    offset: Offset = 0,
) -> WorkList:
    archive = reader_of(request).archive
    works = [WorkSummary.of(s) for s in archive.works(sort=sort, limit=limit, offset=offset)]
    return WorkList(total=archive.count(), offset=offset, works=works)


@router.get("/works/{work_id}", response_model=WorkDetail, summary="One work, whole")
async def get_work(work_id: WorkId, request: Request) -> WorkDetail:
    stored = await run_in_threadpool(reader_of(request).archive.get, work_id)
    return WorkDetail(
        id=stored.id, added_at=stored.added_at, updated_at=stored.updated_at, work=stored.work
    )


@router.get("/search", response_model=SearchOut, summary="Search works")
def search(
    request: Request,
    search: Annotated[SearchRequest, Depends(search_request)],
    limit: Limit = 20,
    offset: Offset = 0,
) -> SearchOut:
    results = reader_of(request).archive.search(
        search.query, search.filters, sort=search.sort, limit=limit, offset=offset
    )
    hits = [
        HitOut(
            id=h.id,
            title=h.title,
            authors=list(h.authors),
            rating=h.rating,
            word_count=h.word_count,
            snippet=h.snippet,
            added_at=h.added_at,
            url=f"/works/{h.id}",
        )
        for h in results.hits
    ]
    return SearchOut(
        total=results.total,
        total_exact=results.total_exact,
        facets_exact=results.facets_exact,
        offset=offset,
        hits=hits,
        facets=_facets(results.facets),
    )


@router.get("/facets", response_model=Facets, summary="Facet counts")
def facets(request: Request, search: Annotated[SearchRequest, Depends(search_request)]) -> Facets:
    """Tag counts by kind (rating, warning, fandom, relationship, character, freeform)."""
    return _facets(reader_of(request).archive.facets(search.filters, search.query))


def _facets(found: dict[str, tuple[FacetCount, ...]]) -> Facets:
    return {
        kind: [FacetOut(name=f.name, count=f.count) for f in items] for kind, items in found.items()
    }
