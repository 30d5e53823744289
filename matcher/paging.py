"""Paging: match results by ``offset`` or cursor, and stored postings by cursor.

Offers :func:`match_page` (one page of ranked results: the first ``offset + top_k`` are ranked and the page
is cut from them; or, with a cursor, the best ``top_k`` not shown yet) and :class:`JobQuery` /
:func:`list_jobs` (stored postings filtered by company, country, remote, expiry and a text query, in id
order, with an opaque cursor).

The job cursor is the last id returned: pages are taken in id order after it, so a posting added or removed
meanwhile never makes a page repeat or skip a posting that was there all along (keyset paging).

A match cursor cannot be a position: a ranking is not an order that stays put (a new posting moves everything
below it, and BM25's statistics move with the corpus). It names what was shown instead: a 48-bit hash of each
posting id already returned (base64, 8 characters per result). The next page is the current ranking without
those, cut at ``top_k``. So a posting is never shown twice, and one that stays eligible is never skipped: it
is on a later page if not on this one, whatever was added or removed meanwhile. At most
:data:`MAX_CURSOR_RESULTS` results are paged this way.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .domain import CandidateProfile, MatchOptions, MatchResponse, Posting
from .errors import InvalidRequest
from .options import as_utc

MAX_PAGE = 500
MAX_CURSOR_RESULTS = 2_000  # results a match cursor can remember (16,000 characters)
_SEEN_BYTES = 6


def seen_key(posting_id: str) -> bytes:
    return hashlib.blake2b(posting_id.encode(), digest_size=_SEEN_BYTES).digest()


def encode_match_cursor(shown: list[bytes]) -> str:
    return "m" + base64.urlsafe_b64encode(b"".join(shown)).decode().rstrip("=")


def decode_match_cursor(cursor: str) -> set[bytes]:
    try:
        if not cursor.startswith("m"):
            raise ValueError(cursor)
        body = cursor[1:]
        raw = base64.b64decode(body + "=" * (-len(body) % 4), altchars=b"-_", validate=True)
        if not raw or len(raw) % _SEEN_BYTES:
            raise ValueError(cursor)
    except (binascii.Error, ValueError):
        raise InvalidRequest("cursor: not a match cursor this server gave; pass `next_cursor` of the previous "
                             "page unchanged (with the same query), or leave it out to start again") from None
    return {raw[i:i + _SEEN_BYTES] for i in range(0, len(raw), _SEEN_BYTES)}


def match_page(svc, profile: CandidateProfile, opts: MatchOptions, **kw) -> MatchResponse:
    """``svc.match`` for results ``offset .. offset + top_k`` of the ranking, or with ``opts.cursor`` the best
    ``top_k`` not shown on the pages before; ``next_cursor`` leads on from this page."""
    if opts.cursor and opts.offset:
        raise InvalidRequest("give `cursor` or `offset`, not both: the cursor already knows what was shown")
    seen = decode_match_cursor(opts.cursor) if opts.cursor else set()
    depth = opts.offset + opts.top_k + len(seen)
    wide = opts.model_copy(update={"top_k": depth, "offset": 0, "cursor": None})
    resp = svc.match(profile, wide, **kw)
    ranked = [(m, key) for m in resp.results if (key := seen_key(m.id)) not in seen]
    page = ranked[opts.offset:opts.offset + opts.top_k]
    shown = [*seen, *(key for _, key in ranked[:opts.offset + opts.top_k])]
    more = len(resp.results) == depth  # the ranking was cut: there may be more
    next_cursor = encode_match_cursor(shown) if more and page and len(shown) <= MAX_CURSOR_RESULTS else None
    return resp.model_copy(update={"results": [m for m, _ in page], "next_cursor": next_cursor})


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
