"""A typed, synchronous Python client of the jobmatch HTTP API (httpx).

    from api.client import JobmatchClient

    with JobmatchClient("http://127.0.0.1:8000", api_key=None) as jm:
        page = jm.match_resume("resume.pdf", as_of="2021-08-01", top_k=5, remote="exclude")
        for m in page.results:
            print(m.score, m.title, m.company)
        more = jm.match_resume("resume.pdf", as_of="2021-08-01", top_k=5, remote="exclude",
                               cursor=page.next_cursor)
        jm.add_jobs(open("postings.jsonl", "rb").read())
        for job in jm.iter_jobs(country="US", remote="only"):
            print(job.id, job.title)

Every match option of :class:`matcher.domain.MatchOptions` is a keyword argument of :meth:`match_resume` and
:meth:`match` (checked here: a misspelt option is a ``TypeError`` before anything is sent). Answers are the
API's own models (:class:`~matcher.domain.MatchResponse`, :class:`~matcher.paging.JobPage`,
:class:`~matcher.stats.StoreStats`, :class:`~matcher.ingest.IngestSummary`). An error answer raises
:class:`ApiError` with the status, the error ``code`` and ``message`` of the API, ``retry_after`` (429/503) and
the ``request_id`` to find the request in the server log. Each call sends an ``X-Request-ID``
(``request_id=`` to choose it).

``http=`` takes any ``httpx.Client`` (with its own base URL), e.g. FastAPI's ``TestClient`` for an in-process
app; the client then does not close it.
"""
from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

import httpx

from matcher.domain import MatchOptions, MatchResponse
from matcher.ingest import IngestSummary
from matcher.paging import JobPage, JobQuery, JobSummary
from matcher.stats import StoreStats

OPTIONS = frozenset(MatchOptions.model_fields)
QUERY = frozenset(JobQuery.model_fields)


class ApiError(Exception):
    """An error answer of the API: ``status``, ``code`` (stable, as in ``matcher.errors``), ``message``,
    ``details``, ``retry_after`` (seconds, on 429/503) and ``request_id``."""

    def __init__(self, status: int, code: str, message: str, *, details: Any = None, retry_after: int | None = None,
                 request_id: str | None = None) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message = status, code, message
        self.details, self.retry_after, self.request_id = details, retry_after, request_id


def _wire(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def _check(names: dict[str, Any], allowed: frozenset[str], what: str) -> dict[str, Any]:
    unknown = sorted(set(names) - allowed)
    if unknown:
        raise TypeError(f"unknown {what}: {', '.join(unknown)} (known: {', '.join(sorted(allowed))})")
    return {k: _wire(v) for k, v in names.items() if v is not None}


class JobmatchClient:
    def __init__(self, base_url: str = "http://127.0.0.1:8000", *, api_key: str | None = None,
                 timeout: float = 60.0, http: httpx.Client | None = None) -> None:
        self._own = http is None
        self.http = http or httpx.Client(base_url=base_url, timeout=timeout)
        self.api_key = api_key
        self.last_request_id: str | None = None

    # ---- plumbing -------------------------------------------------------------------------------
    def close(self) -> None:
        if self._own:
            self.http.close()

    def __enter__(self) -> JobmatchClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _call(self, method: str, path: str, *, request_id: str | None = None, **kw: Any) -> httpx.Response:
        rid = request_id or uuid.uuid4().hex
        headers = {"X-Request-ID": rid, **kw.pop("headers", {})}
        if self.api_key:
            headers["X-API-Key"] = self.api_key
        r = self.http.request(method, path, headers=headers, **kw)
        self.last_request_id = r.headers.get("x-request-id", rid)
        if r.status_code >= 400:
            try:
                err = r.json()["error"]
            except (ValueError, KeyError, TypeError):
                err = {"code": "http_error", "message": r.text[:500] or r.reason_phrase}
            retry = r.headers.get("retry-after")
            raise ApiError(r.status_code, err.get("code", "http_error"), err.get("message", ""),
                           details=err.get("details"), retry_after=int(retry) if retry and retry.isdigit() else None,
                           request_id=self.last_request_id)
        return r

    # ---- matching ---------------------------------------------------------------------------------
    def match_resume(self, resume: bytes | str | Path | IO[bytes], *, filename: str | None = None,
                     request_id: str | None = None, **options: Any) -> MatchResponse:
        """``POST /v1/match/resume``: a resume file (path, bytes or a binary file object; the type is decided
        from the content) and any match options."""
        if isinstance(resume, (str, Path)):
            path = Path(resume)
            data, filename = path.read_bytes(), filename or path.name
        elif isinstance(resume, bytes):
            data = resume
        else:
            data = resume.read()
        fields: dict[str, str | list[str]] = {}
        for k, v in _check(options, OPTIONS, "match option").items():
            if isinstance(v, (list, tuple)):
                fields[k] = [str(x) for x in v]  # a repeated form field
            else:
                fields[k] = str(v).lower() if isinstance(v, bool) else str(v)
        r = self._call("POST", "/v1/match/resume", request_id=request_id,
                       files={"file": (filename or "resume", data)}, data=fields)
        return MatchResponse.model_validate(r.json())

    def match(self, *, text: str | None = None, json_resume: dict | None = None, profile: dict | None = None,
              request_id: str | None = None, **options: Any) -> MatchResponse:
        """``POST /v1/match``: exactly one of ``text``, ``json_resume`` (a JSON Resume document) or ``profile``
        (the fields of a candidate profile), and any match options."""
        body = {k: v for k, v in (("text", text), ("json_resume", json_resume), ("profile", profile)) if v is not None}
        body.update(_check(options, OPTIONS, "match option"))
        r = self._call("POST", "/v1/match", request_id=request_id, json=body)
        return MatchResponse.model_validate(r.json())

    # ---- postings ---------------------------------------------------------------------------------
    def add_jobs(self, postings: bytes | str | dict | list, *, content_type: str | None = None,
                 request_id: str | None = None) -> IngestSummary:
        """``POST /v1/jobs``: JobPosting JSON-LD as a dict or a list of dicts, or as raw bytes/text (one object,
        an array, JSONL, or HTML with ld+json). A body where every record was rejected raises 422
        ``ApiError``; otherwise the summary lists rejects."""
        if isinstance(postings, (dict, list)):
            data, ctype = json.dumps(postings).encode(), "application/ld+json"
        else:
            data = postings.encode() if isinstance(postings, str) else postings
            ctype = "application/json"
        r = self._call("POST", "/v1/jobs", request_id=request_id, content=data,
                       headers={"Content-Type": content_type or ctype})
        return IngestSummary.model_validate(r.json())

    def list_jobs(self, *, request_id: str | None = None, **query: Any) -> JobPage:
        """``GET /v1/jobs``: one page of stored postings (filters of :class:`~matcher.paging.JobQuery`)."""
        params = _check(query, QUERY, "listing filter")
        params = {k: str(v).lower() if isinstance(v, bool) else v for k, v in params.items()}
        return JobPage.model_validate(self._call("GET", "/v1/jobs", request_id=request_id, params=params).json())

    def iter_jobs(self, **query: Any) -> Iterator[JobSummary]:
        """Every stored posting matching ``query``, page after page (cursor paging)."""
        cursor = query.pop("cursor", None)
        while True:
            page = self.list_jobs(cursor=cursor, **query)
            yield from page.items
            if not page.next_cursor:
                return
            cursor = page.next_cursor

    def get_job(self, job_id: str, *, request_id: str | None = None) -> dict[str, Any]:
        """``GET /v1/jobs/{id}``: the stored posting, its original JSON-LD under ``jsonld``."""
        return self._call("GET", f"/v1/jobs/{_segment(job_id)}", request_id=request_id).json()

    def delete_job(self, job_id: str, *, request_id: str | None = None) -> None:
        self._call("DELETE", f"/v1/jobs/{_segment(job_id)}", request_id=request_id)

    def stats(self, *, as_of: str | datetime | None = None, request_id: str | None = None) -> StoreStats:
        params = {"as_of": _wire(as_of)} if as_of else {}
        return StoreStats.model_validate(self._call("GET", "/v1/stats", request_id=request_id, params=params).json())

    # ---- health --------------------------------------------------------------------------------
    def health(self) -> bool:
        """``GET /healthz``: the process answers."""
        return self._call("GET", "/healthz").json().get("status") == "alive"

    def ready(self) -> dict[str, Any]:
        """``GET /readyz``: model and index loaded (``postings``, ``model``, ``generation``); raises
        :class:`ApiError` 503 ``not_ready`` (with ``retry_after``) while loading."""
        return self._call("GET", "/readyz").json()


def _segment(job_id: str) -> str:
    from urllib.parse import quote

    return quote(job_id, safe="")
