"""HTTP routes of the recruiter direction (issue 14), mounted by :func:`api.app.create_app` with :func:`register`.

``POST /v1/candidates`` (multipart ``file`` + :class:`AddOptions` form fields, or JSON with one of ``text``,
``json_resume``, ``profile``), ``GET /v1/candidates``, ``GET``/``DELETE /v1/candidates/{id}``,
``POST /v1/jobs/{id}/candidates`` (options as JSON) and ``POST /v1/match/job`` (a posting inline as JSON-LD
under ``posting``, plus options; refused with the ingestion error, nothing stored). Thin: validate, call
:class:`matcher.candidates.CandidatePool`, return its values.
"""
from __future__ import annotations

import json
import threading
from typing import Annotated, Any

from fastapi import Body, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError
from starlette.datastructures import UploadFile

from matcher.candidates import (
    AddedCandidate,
    AddOptions,
    CandidatePool,
    CandidatesResponse,
    CandidateSummary,
    ReverseOptions,
    StoredCandidate,
    resolve_posting,
)
from matcher.errors import FileTooLarge, InvalidRequest, NotFound

from .openapi_docs import error_responses
from .schemas import ProfileIn


def _json_resume(value: dict[str, Any]) -> dict[str, Any]:
    from matcher.resumes.jsonresume import normalise_json_resume

    normalise_json_resume(value)  # InvalidJsonResume (422) naming the bad field
    return value


class AddCandidateRequest(AddOptions):
    """JSON body of ``POST /v1/candidates``: exactly one of ``text``, ``json_resume`` or ``profile``."""

    model_config = ConfigDict(extra="forbid")

    text: str | None = Field(default=None, max_length=500_000, description="resume as plain text")
    json_resume: Annotated[dict[str, Any], AfterValidator(_json_resume)] | None = Field(
        default=None, description="a JSON Resume (jsonresume.org) document; every schema field type-checked")
    profile: ProfileIn | None = Field(default=None, description="an explicit candidate profile")


class MatchJobRequest(ReverseOptions):
    """JSON body of ``POST /v1/match/job``: one JobPosting as JSON-LD (an object, or a string holding JSON-LD or an
    HTML page), plus options."""

    model_config = ConfigDict(extra="forbid")

    posting: dict[str, Any] | str = Field(description="one schema.org JobPosting (JSON-LD); not stored")


class CandidateList(BaseModel):
    items: list[CandidateSummary]
    total: int


_EX_CANDIDATE = {"id": "cd_5b1c0e8f9a2d4c11", "outcome": "added", "candidate": {
    "id": "cd_5b1c0e8f9a2d4c11", "label": "jane.pdf", "kind": "pdf",
    "profile": {"text": "Jane Roe\nSenior Python Developer ...", "degree": "bachelor", "months": 96,
                "location": {"city": "Austin", "region": "TX", "country": "US", "lat": 30.27, "lon": -97.74},
                "skills": ["Python", "Django"], "evidence": {"degree": ["Bachelor of Science in Computer Science"]},
                "confidence": {"degree": 0.9, "months": 0.85, "location": 0.9}, "unknown": {}, "overridden": []},
    "created_at": "2021-08-01T10:00:00Z", "updated_at": "2021-08-01T10:00:00Z"}}
_EX_MATCH = {"job": {"id": "job-1", "title": "Python Developer", "company": "Acme", "location": "Austin, TX, US",
                     "remote": False, "degree": "bachelor", "months": 36, "valid_through": None, "stored": True},
             "filters": {"total": 120, "eligible": 14, "rules": [
                 {"rule": "degree", "status": "applied", "removed": 40, "unknown": 12, "required": "bachelor"},
                 {"rule": "experience", "status": "applied", "removed": 30, "unknown": 5, "required": 36},
                 {"rule": "location", "status": "applied", "removed": 36, "unknown": 9,
                  "required": {"mode": "on-site", "radius_km": 50.0}}]},
             "results": [{"id": "cd_5b1c0e8f9a2d4c11", "label": "jane.pdf", "score": 0.0328, "similarity": 0.61,
                          "location": "Austin, TX, US", "distance_km": 3.2, "degree": "bachelor", "months": 96,
                          "requirements": {"degree": {"required": "bachelor", "candidate": "bachelor", "met": True},
                                           "months": {"required": 36, "candidate": 96, "met": True},
                                           "location": {"required": "Austin, TX, US", "candidate": "Austin, TX, US",
                                                        "met": True}},
                          "skills_in_common": ["Django", "Python"], "skills_missing": ["AWS"]}]}
ADD_BODY = {"requestBody": {"required": True, "content": {
    "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
        "file": {"type": "string", "format": "binary", "description": "PDF, DOCX, plain text or JSON Resume"},
        **{k: {"type": "string", "description": f.description or ""} for k, f in AddOptions.model_fields.items()}}}},
    "application/json": {"schema": {"$ref": "#/components/schemas/AddCandidateRequest"},
                         "example": {"text": "Jane Roe\nPython Developer\nAustin, TX\n...", "label": "jane"}}}}}


def _ok(example: Any, description: str = "OK") -> dict:
    return {"description": description, "content": {"application/json": {"example": example}}}


def register(app: FastAPI, state, *, run, parse, auth) -> None:
    """Add the candidate routes. ``run``/``parse`` are the app's bounded thread-pool and cancellable-parse
    helpers; ``auth`` its API-key dependency."""
    settings = state.settings
    lock = threading.Lock()
    build_openapi = app.openapi

    def openapi() -> dict:
        # the JSON body of POST /v1/candidates is read by hand (the route also takes multipart): add its schema
        if app.openapi_schema is None:
            add_openapi_models(build_openapi(), [AddCandidateRequest])
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

    def pool() -> CandidatePool:
        svc = state.require()
        got = getattr(state, "candidate_pool", None)
        if got is None:
            with lock:
                got = getattr(state, "candidate_pool", None)
                if got is None:
                    got = state.candidate_pool = CandidatePool(settings, embedder=svc.embedder, parser=svc.parser,
                                                               ranker=svc.ranker_settings)
        return got

    def capped(opts: ReverseOptions) -> ReverseOptions:
        if opts.top_k > settings.max_top_k:
            raise InvalidRequest(f"top_k is {opts.top_k}; the most returned is {settings.max_top_k}")
        return opts

    @app.post("/v1/candidates", tags=["candidates"], dependencies=[auth], status_code=201,
              response_model=AddedCandidate, openapi_extra=ADD_BODY,
              responses={201: _ok(_EX_CANDIDATE, "stored (by this explicit request) and searchable"),
                         **error_responses(401, 408, 413, 415, 422, 429, 503, 504)})
    async def add_candidate(request: Request):
        """Add one candidate to the pool: a resume file (multipart ``file``, the same limits and isolated parser
        as ``POST /v1/match/resume``) or JSON (``text``, ``json_resume`` or ``profile``), with optional label and
        explicit values that override the extracted ones. The only way a candidate is ever stored."""
        if request.headers.get("content-type", "").startswith("multipart/form-data"):
            form = await request.form()
            upload = form.get("file")
            if not isinstance(upload, UploadFile):
                raise InvalidRequest("send the resume as the multipart field `file`")
            fields = {k: v for k, v in form.items() if k != "file" and isinstance(v, str) and v.strip()}
            opts = _validated(AddOptions, fields, "body")
            data = await upload.read(settings.max_upload_bytes + 1)
            if len(data) > settings.max_upload_bytes:
                raise FileTooLarge(f"the file is larger than {settings.max_upload_bytes:,} bytes; send a smaller file")
            p = pool()
            overrides = opts.overrides()
            profile, kind = await parse(request, lambda cancel: p.profile_from_resume(
                data, filename=upload.filename, overrides=overrides, cancel=cancel))
            label = opts.label or upload.filename
        else:
            body = await request.body()
            if not body.strip():
                raise InvalidRequest("the body is empty; send a multipart `file` or JSON with `text`, `json_resume` "
                                     "or `profile`")
            req = _validated(AddCandidateRequest, body, "body")
            given = [x for x in (req.text, req.json_resume, req.profile) if x is not None]
            if len(given) != 1:
                raise InvalidRequest("send exactly one of `text`, `json_resume` or `profile`")
            p = pool()
            overrides = req.overrides()
            from api.app import profile_of
            from matcher.service import apply_overrides

            profile = apply_overrides(profile_of(p, req, overrides), overrides)
            kind = "json" if req.json_resume is not None else "text" if req.text is not None else "profile"
            label = req.label
        added = await run(lambda: p.add_profiles([(profile, kind, label)])[0], compute=True)
        return added

    @app.get("/v1/candidates", tags=["candidates"], dependencies=[auth], response_model=CandidateList,
             responses={200: _ok({"items": [{"id": "cd_5b1c0e8f9a2d4c11", "label": "jane.pdf", "kind": "pdf",
                                             "degree": "bachelor", "months": 96, "location": "Austin, TX, US",
                                             "skills": 14, "created_at": "2021-08-01T10:00:00Z",
                                             "updated_at": "2021-08-01T10:00:00Z"}], "total": 1}),
                        **error_responses(401, 503, 504)})
    async def list_candidates():
        """Every candidate in the pool, in id order (no resume text)."""
        p = pool()

        def work():
            items = [c.summary() for c in p.store.iter_all()]
            return CandidateList(items=items, total=len(items))

        return await run(work)

    @app.get("/v1/candidates/{candidate_id}", tags=["candidates"], dependencies=[auth], response_model=StoredCandidate,
             responses={200: _ok(_EX_CANDIDATE["candidate"]), **error_responses(401, 404, 503, 504)})
    async def get_candidate(candidate_id: str):
        """The stored profile: resume text, extracted fields with evidence, confidence and unknown reasons."""
        return await run(pool().get, candidate_id)

    @app.delete("/v1/candidates/{candidate_id}", tags=["candidates"], dependencies=[auth],
                responses={200: _ok({"deleted": "cd_5b1c0e8f9a2d4c11"}), **error_responses(401, 404, 503, 504)})
    async def delete_candidate(candidate_id: str):
        """Erase the candidate: store row, index row (vector, filter columns) and BM25 text, in one call."""
        await run(pool().remove, candidate_id)
        return {"deleted": candidate_id}

    @app.post("/v1/jobs/{job_id}/candidates", tags=["candidates"], dependencies=[auth],
              response_model=CandidatesResponse,
              responses={200: _ok(_EX_MATCH), **error_responses(401, 404, 413, 422, 429, 503, 504)})
    async def candidates_for_job(job_id: str, opts: Annotated[ReverseOptions | None, Body()] = None):
        """Candidates of the pool for a stored posting: reverse hard filters, then the shipped ranking."""
        opts = capped(opts or ReverseOptions(top_k=settings.default_top_k, radius_km=settings.default_radius_km))
        svc = state.require()
        p = pool()

        def work():
            try:
                posting = svc.store.get(job_id).posting
            except NotFound:
                raise NotFound(f"no posting with id {job_id[:200]!r}; ids are in GET /v1/jobs") from None
            return p.match_posting(posting, opts, vector=svc.index.vector_of(job_id), stored=True)

        return await run(work, compute=True)

    @app.post("/v1/match/job", tags=["candidates"], dependencies=[auth], response_model=CandidatesResponse,
              responses={200: _ok(_EX_MATCH), **error_responses(401, 413, 422, 429, 503, 504)})
    async def candidates_for_inline_job(body: MatchJobRequest):
        """Candidates for a posting given inline (``posting``: JSON-LD). A posting the ingestion would refuse is
        refused here with the same reason (422); nothing is stored."""
        posting_data = body.posting if isinstance(body.posting, str) else json.dumps(body.posting)
        opts = capped(ReverseOptions(**body.model_dump(include=set(ReverseOptions.model_fields))))
        posting = resolve_posting(posting_data)
        p = pool()
        return await run(lambda: p.match_posting(posting, opts), compute=True)


def _validated(model, data, where: str):
    try:
        if isinstance(data, (bytes, str)):
            return model.model_validate_json(data)
        return model.model_validate(data)
    except ValidationError as e:
        raise RequestValidationError([{**x, "loc": (where, *x.get("loc", ()))} for x in e.errors()]) from None


def add_openapi_models(doc: dict, models: list[type[BaseModel]]) -> dict:
    """Put the schemas of bodies read by hand into an OpenAPI document's components (in place)."""
    from pydantic.json_schema import models_json_schema

    _, defs = models_json_schema([(m, "validation") for m in models], ref_template="#/components/schemas/{model}")
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in defs.get("$defs", {}).items():
        schemas.setdefault(name, schema)
    return doc
