"""What OpenAPI says about each route beyond its types: examples, the error responses a route can give (with
``Retry-After`` where it is sent), and the request bodies of ``POST /v1/jobs``, which is read raw so that its
size cap applies while it streams."""
from __future__ import annotations

from typing import Any

from .schemas import ErrorResponse

# status -> (error code of the example, description)
ERRORS: dict[int, tuple[str, str]] = {
    401: ("unauthorized", "missing or wrong X-API-Key (sent before any of the body is read)"),
    404: ("not_found", "no posting with that id"),
    408: ("body_timeout", "the body did not arrive whole within BODY_TIMEOUT_S"),
    413: ("body_too_large", "the body (or the file) is over its cap"),
    415: ("unsupported_file_type", "the file is not a PDF, DOCX, plain text or JSON Resume"),
    422: ("invalid_request", "an option, field or record is invalid; the message names it"),
    429: ("busy", "too many requests with a body in flight; retry after Retry-After seconds"),
    503: ("not_ready", "still loading the model and the index, or the parser queue is full; retry after "
                      "Retry-After seconds"),
    504: ("request_timeout", "the request ran out of time (REQUEST_TIMEOUT_S); the work was stopped"),
}
RETRY_AFTER = {"Retry-After": {"description": "seconds to wait before retrying", "schema": {"type": "integer"}}}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    out: dict[int | str, dict[str, Any]] = {}
    for s in statuses:
        code, desc = ERRORS[s]
        out[s] = {"model": ErrorResponse, "description": desc,
                  "content": {"application/json": {"example": {"error": {"code": code, "message": desc,
                                                                          "details": None}}}}}
        if s in (429, 503):
            out[s]["headers"] = RETRY_AFTER
    return out


def _json(example: Any, description: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"content": {"application/json": {"example": example}}}
    if description:
        out["description"] = description
    return out


POSTING = {"@context": "https://schema.org", "@type": "JobPosting", "identifier": "job-1",
           "title": "Python Developer", "description": "<p>Build Django services on AWS. 3+ years.</p>",
           "datePosted": "2021-07-01", "validThrough": "2021-09-30", "employmentType": "FULL_TIME",
           "hiringOrganization": {"@type": "Organization", "name": "Acme"},
           "jobLocation": {"@type": "Place", "address": {"addressLocality": "Austin", "addressRegion": "TX",
                                                         "addressCountry": "US"}}}
_JSONLD_SCHEMA = {"oneOf": [{"type": "object", "description": "one JobPosting, or an object with @graph"},
                            {"type": "array", "items": {"type": "object"}, "description": "JobPostings"}]}
ADD_JOBS_BODY: dict[str, Any] = {"requestBody": {"required": True, "content": {
    "application/ld+json": {"schema": _JSONLD_SCHEMA, "example": POSTING},
    "application/json": {"schema": _JSONLD_SCHEMA, "example": [POSTING]},
    "application/x-ndjson": {"schema": {"type": "string", "description": "one JobPosting JSON object per line"},
                             "example": '{"@type": "JobPosting", "title": "Nurse", "description": "..."}\n'},
    "text/html": {"schema": {"type": "string", "description": "HTML pages with "
                                                             "<script type=\"application/ld+json\"> JobPostings"},
                  "example": '<html><script type="application/ld+json">{"@type": "JobPosting", '
                             '"title": "Nurse", "description": "..."}</script></html>'},
}}}

MATCH = {
    "candidate": {"text": "Python developer ...", "degree": "bachelor", "months": 60,
                  "location": {"city": "Austin", "region": "TX", "country": "US", "lat": 30.27, "lon": -97.74},
                  "skills": ["python", "django", "aws"], "evidence": {"degree": ["B.S. Computer Science 2014"]},
                  "overridden": []},
    "filters": {"as_of": "2021-08-01T00:00:00Z", "total": 300, "eligible": 41,
                "rules": [{"rule": "validity", "status": "applied", "reason": None, "removed": 12, "unknown": 0},
                          {"rule": "location", "status": "applied", "reason": None, "removed": 230, "unknown": 3}]},
    "results": [{"id": "job-1", "title": "Python Developer", "company": "Acme", "location": "Austin, TX, US",
                 "remote": False, "score": 0.0328, "similarity": 0.61, "distance_km": 4.2,
                 "requirements": {"degree": {"required": "bachelor", "candidate": "bachelor", "met": True}},
                 "skills_in_common": ["python", "django"]}],
}

EXAMPLES: dict[str, Any] = {
    "healthz": _json({"status": "alive"}),
    "readyz": _json({"status": "ready", "postings": 300, "model": "bundled:all-MiniLM-L6-v2"}),
    "metrics": {"content": {"text/plain": {"example": 'jobmatch_requests_total{method="POST",'
                                                      'route="/v1/match",status="200"} 3.0\n'}}},
    "job": _json({"id": "job-1", "title": "Python Developer", "company": "Acme", "description": "Build ...",
                  "jsonld": POSTING}),
    "deleted": _json({"deleted": "job-1"}),
    "match_body": {
        "text": {"summary": "resume text", "value": {"text": "Senior Python engineer, AWS, 6 years",
                                                     "as_of": "2021-08-01", "top_k": 5, "location": "Austin, TX"}},
        "profile": {"summary": "explicit profile, second page", "value": {
            "profile": {"text": "registered nurse", "degree": "bachelor", "months": 24},
            "remote": "only", "top_k": 10, "offset": 10, "as_of": "2021-08-01"}},
        "json_resume": {"summary": "JSON Resume", "value": {
            "json_resume": {"basics": {"location": {"city": "Seattle", "countryCode": "US"}},
                            "work": [{"position": "Data Engineer", "startDate": "2016-01-01"}]},
            "employment_types": ["FULL_TIME"], "min_salary": 90000, "salary_currency": "USD"}},
    },
}


def match_example() -> dict[str, Any]:
    return _json(MATCH, "the candidate as read, the filter report, and one page of ranked results")


def summary_example(description: str) -> dict[str, Any]:
    return _json({"added": 1, "updated": 0, "unchanged": 0, "duplicate": 0, "rejected": 1, "skipped": 0,
                  "rejections": [{"source": "request", "position": "2", "reason": "no title"}],
                  "changed_ids": ["job-1"], "indexed": 1}, description)


def job_page_example() -> dict[str, Any]:
    return _json({"items": [{"id": "job-1", "title": "Python Developer", "company": "Acme",
                             "location": "Austin, TX, US", "remote": False, "date_posted": "2021-07-01T00:00:00Z",
                             "valid_through": "2021-09-30T00:00:00Z", "url": None}],
                  "next_cursor": "am9iLTE"})


def stats_example() -> dict[str, Any]:
    return _json({"total": 300, "as_of": "2021-08-01T00:00:00Z", "expired": 12,
                  "by_degree": {"none": 120, "bachelor": 150, "unknown": 30}, "remote": {"remote": 40, "onsite": 260},
                  "by_country": {"US": 280, "CA": 20}})
