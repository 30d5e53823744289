"""A posting given inline (``POST /v1/match/job``, ``jobmatch match-job FILE``): read with the ingestion reader,
refused with its error, never stored."""
from __future__ import annotations

from matcher.domain import Posting
from matcher.errors import InvalidRequest, PostingError


def resolve_posting(data: bytes | str, *, source: str = "request") -> Posting:
    """The one JobPosting in ``data`` (JSON-LD object, ``@graph``, or an HTML page with one ld+json posting).
    A record the ingestion would reject raises :class:`PostingError` with the ingestion's reason; nothing is
    written anywhere."""
    from matcher.postings import read_records

    records = list(read_records(data, source))
    bad = [r for r in records if not r.ok and r.status == "rejected"]
    if bad:
        r = bad[0]
        raise PostingError(f"the posting was refused ({r.position}): {r.reason}")
    ok = [r for r in records if r.ok]
    if not ok:
        raise PostingError("no JobPosting found in the body; send one schema.org JobPosting as JSON-LD")
    if len(ok) > 1:
        raise InvalidRequest(f"the body holds {len(ok)} postings; send one (or store them with POST /v1/jobs and "
                             "use POST /v1/jobs/{id}/candidates)")
    return ok[0].posting
