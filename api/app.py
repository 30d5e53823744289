"""FastAPI app: thin routes over :class:`matcher.service.MatchService`.

The service (model, index, parser workers) is built in a background thread at start-up, so ``/healthz``
answers at once and ``/readyz`` says 503 until everything is loaded.
"""
from __future__ import annotations

import asyncio
import json
import logging
import re
import secrets
import threading
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

from fastapi import Body, Depends, FastAPI, File, Form, Query, Request, Security, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.security import APIKeyHeader
from fastapi.staticfiles import StaticFiles
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.formparsers import MultiPartParser
from starlette.routing import Match

from matcher.domain import CandidateProfile, MatchOptions, MatchResponse
from matcher.embed.threads import competing
from matcher.errors import (
    FileTooLarge,
    InvalidRequest,
    JobmatchError,
    ModelUnavailable,
    NotFound,
    ParseCancelled,
    ResumeError,
    error_payload,
)
from matcher.lock import WriterLockTimeout
from matcher.options import build_options, parse_when
from matcher.paging import JobPage, JobQuery, list_jobs, match_page
from matcher.settings import Settings
from matcher.stats import StoreStats, compute_stats

from .guard import Guard
from .logs import RequestLog, stage
from .metrics import Metrics
from .openapi_docs import (
    ADD_JOBS_BODY,
    EXAMPLES,
    error_responses,
    job_page_example,
    match_example,
    stats_example,
    summary_example,
)
from .schemas import MatchForm, MatchRequest

log = logging.getLogger("jobmatch.api")
STATIC = Path(__file__).parent / "static"
MULTIPART_OVERHEAD = 64 * 1024  # form fields and part headers around an uploaded file
# documentation and clients only: the guard (api/guard.py) checks the key before any body is read
API_KEY = APIKeyHeader(name="X-API-Key", auto_error=False, scheme_name="ApiKey",
                       description="needed on every /v1 route when JOBMATCH_API_KEY is set")


class NotReady(ModelUnavailable):
    code = "not_ready"


class State:
    """What the routes share: settings, metrics, and the service once it is built."""

    def __init__(self, settings: Settings, service=None, *, freeze_heap: bool = False):
        self.settings = settings
        self.freeze_heap = freeze_heap  # a server process: freeze the loaded heap (matcher.heap)
        self.metrics = Metrics()
        self.service = service
        self.load_error: str | None = None
        self.loaded = threading.Event()
        # one embedding per core at a time, each with 1 torch thread: more would only thrash (README: threads)
        from matcher.embed import usable_cores

        self.compute = threading.Semaphore(settings.compute_slots or usable_cores())
        if service is not None:
            self.loaded.set()

    def load(self) -> None:
        try:
            from matcher.service import MatchService

            svc = MatchService(self.settings)
            try:  # index whatever the store has that the index lacks (--no-index, a crashed writer)
                svc.sync()
            except WriterLockTimeout as e:  # another process is writing: it leaves the index in step itself
                log.warning("start-up reconcile skipped: %s", e)
            self.service = svc
            self.refresh_gauges()
            if self.freeze_heap:  # full GC passes would otherwise walk ~0.5 M loaded objects (matcher/heap.py)
                from matcher.heap import freeze_loaded_heap

                freeze_loaded_heap()
        except Exception as e:  # reported by /readyz and every route
            log.exception("service failed to load")
            self.load_error = f"{type(e).__name__}: {e}"
        finally:
            self.loaded.set()

    def refresh_gauges(self) -> None:
        if self.service is not None:
            self.service.refresh()  # a generation saved by another process (one stat of the manifest)
            idx = self.service.index
            self.metrics.index_size.set(len(idx))
            self.metrics.index_generation.set(getattr(idx, "generation", 0))
            self.metrics.ready.set(1)

    def require(self):
        if self.service is None:
            if self.load_error:
                raise NotReady(f"the matcher failed to start ({self.load_error}); check the server log and settings")
            raise NotReady("the matcher is still loading the model and the index; retry in a few seconds")
        return self.service


def _error(status: int, code: str, message: str, details: Any = None, *,
           headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(status_code=status, content={"error": {"code": code, "message": redact(message),
                                                               "details": details}}, headers=headers)


# an absolute POSIX path (not the path part of a URL): what a server must never show a client
_PATH = re.compile(r"(?<![\w:/.\-])/(?:[\w.\-]+/)+[\w.\-]*")


def redact(message: str) -> str:
    """``message`` without server paths (a file name stays: ``…/jobs.sqlite3``)."""
    return _PATH.sub(lambda m: "…/" + m.group(0).rstrip("/").rsplit("/", 1)[-1], message)


def create_app(settings: Settings | None = None, *, service=None, freeze_heap: bool = False) -> FastAPI:
    """``freeze_heap``: once the service is loaded, move the process's objects out of the cyclic GC's reach
    (:func:`matcher.heap.freeze_loaded_heap`; what ``jobmatch serve`` does, not tests)."""
    settings = settings or Settings()
    state = State(settings, service, freeze_heap=freeze_heap)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if state.service is None:
            threading.Thread(target=state.load, name="jobmatch-load", daemon=True).start()
        yield
        if state.service is not None and service is None:
            state.service.close()

    app = FastAPI(title="jobmatch", version="0.1.0", lifespan=lifespan,
                  description="Candidate-job matching: upload a resume, get ranked jobs that pass the hard filters.")
    app.state.jm = state

    # ---- cross-cutting: auth before the body, body caps and deadline, metrics (api/guard.py) -------------------
    # uploads stay in memory: the guard caps every body, so no part can outgrow the spool (default 1 MB)
    MultiPartParser.spool_max_size = max(MultiPartParser.spool_max_size,
                                         settings.max_upload_bytes + MULTIPART_OVERHEAD)

    def limit_for(method: str, path: str) -> int:
        if path in ("/v1/match/resume", "/v1/candidates"):  # a resume upload (or its JSON), same cap
            return settings.max_upload_bytes + MULTIPART_OVERHEAD
        if path in ("/v1/match", "/v1/match/job"):
            return settings.max_json_bytes
        if path == "/v1/jobs":
            return settings.max_upload_bytes
        return settings.max_other_body_bytes

    def route_of(scope: dict) -> str:
        for r in app.router.routes:
            if r.matches(scope)[0] is Match.FULL:
                return getattr(r, "path", "unmatched")
        return "unmatched"

    app.add_middleware(Guard, settings=settings, metrics=state.metrics, limit_for=limit_for, route_of=route_of)
    # outermost: request id (X-Request-ID) and one JSON access line per request, refusals included (api/logs.py)
    app.add_middleware(RequestLog, route_of=route_of)

    def check_key(given: Annotated[str | None, Security(API_KEY)] = None) -> None:
        if settings.api_key:
            if not secrets.compare_digest((given or "").encode(), settings.api_key.encode()):
                raise Unauthorized("missing or wrong API key: send it in the X-API-Key header")

    Auth = Depends(check_key)

    # ---- errors -------------------------------------------------------------------------------------------------
    def template(request: Request) -> str:
        return getattr(request.scope.get("route"), "path", None) or route_of(request.scope)

    @app.exception_handler(JobmatchError)
    async def domain_error(request: Request, e: JobmatchError):
        route = template(request)
        if isinstance(e, ResumeError) and route.startswith("/v1/match"):  # a resume failed, not a posting body
            state.metrics.parse_failures.labels("resume", getattr(e, "reason", "invalid")).inc()
        payload = error_payload(e)  # the same {code, message} as the CLI's --json and batch records
        state.metrics.rejected.labels(route, payload["code"]).inc()
        headers = {"Retry-After": str(settings.retry_after_s)} if e.status_code in (429, 503) else None
        return _error(e.status_code, payload["code"], payload["message"], headers=headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, e: RequestValidationError):
        errs = [{"loc": [str(p) for p in x.get("loc", ())], "msg": x.get("msg")} for x in e.errors()][:20]
        first = errs[0] if errs else {"loc": [], "msg": "invalid request"}
        where = ".".join(str(p) for p in first["loc"] if p not in ("body", "query", "path"))
        state.metrics.rejected.labels(template(request), "invalid_request").inc()
        return _error(422, "invalid_request", f"{where or 'request'}: {first['msg']}", errs)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, e: StarletteHTTPException):
        """Starlette's own 404/405/400 (unknown route, wrong method, unreadable body) in the error shape."""
        codes = {404: "not_found", 405: "method_not_allowed", 400: "invalid_request"}
        code = codes.get(e.status_code, "http_error")
        msg = {404: f"no route {request.url.path}; see /docs", 405: f"{request.method} is not allowed here; see /docs",
               400: "the body could not be read: send valid JSON (or multipart for uploads)"}.get(e.status_code,
                                                                                                    str(e.detail))
        state.metrics.rejected.labels(template(request), code).inc()
        return _error(e.status_code, code, msg, headers=getattr(e, "headers", None))

    async def run(fn, *args, compute: bool = False):
        """Run blocking work in the thread pool, bounded by the per-request time limit."""
        def call():
            if compute:
                with stage("wait"):  # for a compute slot (one embedding per core)
                    state.compute.acquire()
                try:
                    return fn(*args)
                finally:
                    state.compute.release()
            return fn(*args)
        try:
            return await asyncio.wait_for(run_in_threadpool(call), timeout=settings.request_timeout_s)
        except TimeoutError:
            raise RequestTimeout(f"the request took longer than {settings.request_timeout_s:g} s; "
                                 "try a smaller file or retry later") from None

    async def parse(request: Request, fn):
        """Parse in a thread (the parser's worker does the work); when the client disconnects or the request
        time limit passes first, ``cancel`` is set: the parse stops waiting, or its worker is killed."""
        cancel = threading.Event()
        work = asyncio.ensure_future(run_in_threadpool(fn, cancel))
        gone = asyncio.ensure_future(_disconnected(request))
        try:
            done, _ = await asyncio.wait({work, gone}, timeout=settings.request_timeout_s,
                                         return_when=asyncio.FIRST_COMPLETED)
            if work in done:
                return work.result()
            cancel.set()
            if gone in done:
                raise ClientDisconnected("the client disconnected; the parse was stopped")
            raise RequestTimeout(f"reading the file took longer than {settings.request_timeout_s:g} s with the "
                                 "queue; it was stopped. Retry later or send a simpler file")
        finally:
            cancel.set()  # no-op when done; stops the parse when this coroutine is cancelled itself
            gone.cancel()
            if not work.done():
                work.add_done_callback(_swallow)

    # ---- health --------------------------------------------------------------------------------------------------
    @app.get("/healthz", tags=["ops"], responses={200: EXAMPLES["healthz"]})
    async def healthz():
        return {"status": "alive"}

    @app.get("/readyz", tags=["ops"], responses={200: EXAMPLES["readyz"], **error_responses(503)})
    async def readyz():
        if state.service is None:
            msg = state.load_error or "loading the model and the index"
            return _error(503, "not_ready", msg, headers={"Retry-After": str(settings.retry_after_s)})
        state.refresh_gauges()
        svc = state.service
        return {"status": "ready", "postings": len(svc.index), "model": svc.embedder.model_id,
                "generation": svc.generation, "refresh_error": svc.refresh_error}

    @app.get("/metrics", tags=["ops"], responses={200: EXAMPLES["metrics"]})
    async def metrics():
        if state.service is not None:
            state.refresh_gauges()
        return Response(generate_latest(state.metrics.registry), media_type=CONTENT_TYPE_LATEST)

    # ---- matching ------------------------------------------------------------------------------------------------
    @app.post("/v1/match/resume", response_model=MatchResponse, tags=["match"], dependencies=[Auth],
              responses={200: match_example(), **error_responses(401, 408, 413, 415, 422, 429, 503, 504)})
    async def match_resume(
        request: Request,
        file: Annotated[UploadFile, File(description="PDF, DOCX, plain text or JSON Resume")],
        form: Annotated[MatchForm, Form()],
    ):
        opts = build_options(form.model_dump(exclude_none=True), settings)
        data = await file.read(settings.max_upload_bytes + 1)
        if len(data) > settings.max_upload_bytes:
            raise FileTooLarge(f"the file is larger than {settings.max_upload_bytes:,} bytes; send a smaller file")
        svc = state.require()

        # parsing runs in the parser's own worker process: it overlaps with another request's embedding
        with stage("parse"), competing(svc):
            profile = await parse(request, lambda cancel: svc.profile_from_resume(
                data, filename=file.filename, as_of=opts.as_of, cancel=cancel))
        return await run(lambda: timed_match(svc, profile, opts), compute=True)

    @app.post("/v1/match", response_model=MatchResponse, tags=["match"], dependencies=[Auth],
              responses={200: match_example(), **error_responses(401, 413, 422, 429, 503, 504)})
    async def match_json(body: Annotated[MatchRequest, Body(openapi_examples=EXAMPLES["match_body"])]):
        given = [x for x in (body.text, body.json_resume, body.profile) if x is not None]
        if len(given) != 1:
            raise InvalidRequest("send exactly one of `text`, `json_resume` or `profile`")
        opts = build_options(body.option_values(), settings)  # the same defaults and top_k cap as the form
        svc = state.require()

        def work():
            with stage("parse"), competing(svc):
                profile = profile_of(svc, body, opts)
            return timed_match(svc, profile, opts)

        return await run(work, compute=True)

    # ---- postings ------------------------------------------------------------------------------------------------
    @app.post("/v1/jobs", tags=["jobs"], dependencies=[Auth], status_code=201, openapi_extra=ADD_JOBS_BODY,
              responses={201: summary_example("some postings added or updated"),
                         200: summary_example("nothing new: every posting unchanged or a duplicate"),
                         **error_responses(401, 408, 413, 422, 429, 503, 504)})
    async def add_jobs(request: Request):
        """JobPosting JSON-LD, read from the raw body (so that the size cap applies while it streams): one
        object, an array, ``@graph``, JSON lines, or HTML pages with ``ld+json`` scripts. 422 when every
        record was rejected; the summary lists each reject with its position and reason."""
        body = await request.body()
        if len(body) > settings.max_upload_bytes:
            raise FileTooLarge(f"the body is larger than {settings.max_upload_bytes:,} bytes; send fewer postings per request")
        if not body.strip():
            raise InvalidRequest("the body is empty; send JobPosting JSON-LD (one object, an array, or JSONL)")
        svc = state.require()
        def work():
            with stage("ingest"):
                return svc.add_jsonld(body, source="request")

        summary = await run(work, compute=True)
        if summary.rejected:
            state.metrics.parse_failures.labels("posting", "rejected").inc(summary.rejected)
        status = 201 if (summary.added or summary.updated) else 200
        if summary.rejected and not (summary.added or summary.updated or summary.unchanged or summary.duplicate):
            status = 422
        return JSONResponse(status_code=status, content=json.loads(summary.model_dump_json()))

    @app.get("/v1/jobs", response_model=JobPage, tags=["jobs"], dependencies=[Auth],
             responses={200: job_page_example(), **error_responses(401, 422, 503, 504)})
    async def list_postings(query: Annotated[JobQuery, Query()]):
        """Stored postings in id order, filtered; follow ``next_cursor`` for the next page (postings added
        meanwhile never make a page repeat or skip one)."""
        svc = state.require()
        return await run(lambda: list_jobs(svc.store, query))

    @app.get("/v1/stats", response_model=StoreStats, tags=["jobs"], dependencies=[Auth],
             responses={200: stats_example(), **error_responses(401, 422, 503, 504)})
    async def stats(as_of: Annotated[str | None, Query(max_length=40, description="clock of the expired count, "
                                                       "ISO 8601 (default now)", examples=["2021-08-01"])] = None):
        """The facets of ``jobmatch stats``: postings by degree, experience, remote, country, employment type,
        salary, posted date and industry, and how many expired."""
        svc = state.require()
        when = parse_when(as_of) if as_of else None
        return await run(lambda: compute_stats(svc.store, when))

    @app.get("/v1/jobs/{job_id}", tags=["jobs"], dependencies=[Auth],
             responses={200: EXAMPLES["job"], **error_responses(401, 404, 503, 504)})
    async def get_job(job_id: str):
        svc = state.require()
        try:
            stored = await run(svc.store.get, job_id)
        except NotFound:  # the store's message names its file: fine on the command line, not over HTTP
            raise NotFound(f"no posting with id {job_id[:200]!r}; ids are in the `changed_ids` of POST /v1/jobs") from None
        return job_document(stored)

    @app.delete("/v1/jobs/{job_id}", tags=["jobs"], dependencies=[Auth],
                responses={200: EXAMPLES["deleted"], **error_responses(401, 404, 503, 504)})
    async def delete_job(job_id: str):
        svc = state.require()
        await run(svc.delete_posting, job_id)
        return {"deleted": job_id}

    # ---- the recruiter direction (api/routes_candidates.py) ---------------------------------------------------------
    from .routes_candidates import register as register_candidates

    register_candidates(app, state, run=run, parse=parse, auth=Auth)

    # ---- the page --------------------------------------------------------------------------------------------------
    if STATIC.is_dir():
        app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/", include_in_schema=False)
    async def page():
        index = STATIC / "index.html"
        if not index.exists():
            return JSONResponse({"docs": "/docs", "match": "POST /v1/match/resume"})
        return FileResponse(index, media_type="text/html")

    return app


class Unauthorized(JobmatchError):
    code = "unauthorized"
    status_code = 401


class RequestTimeout(JobmatchError):
    """The request ran out of time (``REQUEST_TIMEOUT_S``): 504, and the work was stopped or abandoned."""

    code = "request_timeout"
    status_code = 504


class ClientDisconnected(ParseCancelled):
    code = "client_disconnected"
    status_code = 499  # nobody reads it; the metrics say what happened


async def _disconnected(request: Request) -> None:
    """Return when the client disconnects (the guard replays the body, then ``receive`` waits for that)."""
    while True:
        msg = await request.receive()
        if msg["type"] == "http.disconnect":
            return


def _swallow(task: asyncio.Future) -> None:
    if not task.cancelled():
        task.exception()  # retrieved: a cancelled parse's ParseCancelled is expected


def timed_match(svc, profile: CandidateProfile, opts: MatchOptions) -> MatchResponse:
    """``match_page`` with the query embedding and the rest (filters, ranking, explanations) timed as the
    request's ``embed`` and ``rank`` stages (api/logs.py)."""
    if not profile.text.strip():  # no text: match() says what is wrong
        with stage("rank"):
            return match_page(svc, profile, opts)
    with stage("embed"):
        qv, lines = svc.embed_query_lines(profile)
    with stage("rank"), competing(svc):
        return match_page(svc, profile, opts, query_vec=qv, line_vecs=lines)


def profile_of(svc, body: MatchRequest, opts: MatchOptions) -> CandidateProfile:
    if body.profile is not None:
        return body.profile.domain()
    from matcher.service import as_utc

    if body.json_resume is not None:
        from matcher.resumes import profile_from_json_resume

        return profile_from_json_resume(body.json_resume, as_of=as_utc(opts.as_of))
    from matcher.resumes import profile_from_text

    return profile_from_text(body.text or "", as_of=as_utc(opts.as_of),
                             min_confidence=svc.settings.profile_min_confidence)


def job_document(stored) -> dict:
    doc = json.loads(stored.posting.model_dump_json())
    doc["jsonld"] = stored.jsonld if isinstance(stored.jsonld, dict) else json.loads(stored.jsonld)
    return doc


