"""Paging: match results by ``offset`` and stored postings by cursor.

Offers :func:`match_page` (one page of ranked results: the first ``offset + top_k`` are ranked and the page
is cut from them) and :class:`JobQuery` / :func:`list_jobs` (stored postings filtered by company, country,
remote, expiry and a text query, in id order, with an opaque cursor).

The job cursor is the last id returned: pages are taken in id order after it, so a posting added or removed
meanwhile never makes a page repeat or skip a posting that was there all along (keyset paging).
"""
from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .domain import CandidateProfile, MatchOptions, MatchResponse, Posting
from .errors import InvalidRequest
from .options import as_utc

MAX_PAGE = 500


def match_page(svc, profile: CandidateProfile, opts: MatchOptions, **kw) -> MatchResponse:
    """``svc.match`` for results ``offset .. offset + top_k`` of the ranking."""
    if not opts.offset:
        return svc.match(profile, opts, **kw)
    wide = opts.model_copy(update={"top_k": opts.top_k + opts.offset, "offset": 0})
    resp = svc.match(profile, wide, **kw)
    return resp.model_copy(update={"results": resp.results[opts.offset:]})


class JobQuery(BaseModel):
    """Filters of a posting listing (``GET /v1/jobs``, ``jobmatch jobs ls``); every filter is optional."""

    model_config = ConfigDict(extra="forbid")

    company: str | None = Field(default=None, max_length=200,
                                description="company name contains this (case-insensitive)")
    country: str | None = Field(default=None, pattern=r"^[A-Za-z]{2}$",
                                description="ISO 3166 alpha-2: an office there, or remote open to it")
    remote: Literal["any", "only", "exclude"] = Field(default="any", description="remote postings: any, only, exclude")
    expired: bool | None = Field(default=None, description="true: only expired as of `as_of`; false: only valid")
    as_of: datetime | None = Field(default=None, description="clock of `expired` (ISO 8601; default now)")
    q: str | None = Field(default=None, max_length=200,
                          description="text query: every word appears in the title, company or description")
    limit: int = Field(default=50, ge=1, le=MAX_PAGE, description=f"postings per page (at most {MAX_PAGE})")
    cursor: str | None = Field(default=None, max_length=400, description="`next_cursor` of the previous page")


class JobSummary(BaseModel):
    id: str
    title: str
    company: str | None
    location: str
    remote: bool
    date_posted: datetime | None
    valid_through: datetime | None
    url: str | None


class JobPage(BaseModel):
    items: list[JobSummary]
    next_cursor: str | None = Field(description="pass as `cursor` for the next page; null on the last page")


def encode_cursor(last_id: str) -> str:
    return base64.urlsafe_b64encode(last_id.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> str:
    try:
        last = base64.b64decode(cursor + "=" * (-len(cursor) % 4), altchars=b"-_", validate=True).decode()
        if not last:
            raise ValueError(cursor)
        return last
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidRequest("cursor: not a cursor this server gave; pass `next_cursor` of the previous page "
                             "unchanged, or leave it out to start again") from None


def matches(p: Posting, q: JobQuery, as_of: datetime) -> bool:
    if q.company and (not p.company or q.company.casefold() not in p.company.casefold()):
        return False
    if q.remote == "only" and not p.remote or q.remote == "exclude" and p.remote:
        return False
    if q.country:
        cc = q.country.upper()
        here = any((loc.country or "").upper() == cc for loc in p.locations)
        if not here and not (p.remote and (not p.applicant_countries or cc in p.applicant_countries)):
            return False
    if q.expired is not None:
        expired = p.valid_through is not None and as_utc(p.valid_through) < as_of
        if expired != q.expired:
            return False
    if q.q:
        hay = " ".join((p.title, p.company or "", p.description)).casefold()
        if not all(w in hay for w in q.q.casefold().split()):
            return False
    return True


def list_jobs(store, query: JobQuery) -> JobPage:
    """One page of stored postings matching ``query``, in id order, after ``query.cursor``."""
    after = decode_cursor(query.cursor) if query.cursor else None
    as_of = as_utc(query.as_of)
    items: list[JobSummary] = []
    for p in store.postings_after(after):
        if not matches(p, query, as_of):
            continue
        if len(items) == query.limit:  # one more exists: there is a next page
            return JobPage(items=items, next_cursor=encode_cursor(items[-1].id))
        items.append(JobSummary(id=p.id, title=p.title, company=p.company, location=p.location_text(),
                                remote=p.remote, date_posted=p.date_posted, valid_through=p.valid_through,
                                url=p.url))
    return JobPage(items=items, next_cursor=None)
