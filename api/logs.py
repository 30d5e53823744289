"""Structured logs of the HTTP service: one JSON object per line, one line per request.

Offers :func:`configure_logging` (JSON or text lines on stderr for every logger, uvicorn's included),
:class:`RequestLog` (ASGI middleware: request id, the access line) and :func:`stage` (per-stage timings of the
current request, gathered into its access line).

The access line (logger ``jobmatch.access``) has a fixed set of fields and nothing from the request body::

    {"ts": "2026-12-01T10:41:07.113Z", "level": "INFO", "logger": "jobmatch.access", "msg": "request",
     "request_id": "5f0c…", "method": "POST", "route": "/v1/match/resume", "status": 200,
     "duration_ms": 412.7, "stages_ms": {"parse": 231.0, "wait": 0.0, "embed": 48.2, "rank": 9.1},
     "bytes_in": 48213, "pid": 4242}

``request_id`` is the client's ``X-Request-ID`` when it is a plausible id (1-128 characters of
``A-Za-z0-9._:-``), else a new one; either way it is sent back in ``X-Request-ID``. The route is the route
*template* (``/v1/jobs/{job_id}``), never the raw path or query string, so posting ids and query words stay out
of the log too. Resume content never reaches a log: the access line carries only the fields above, and error
lines carry the error's code and the exception type, not the request.
"""
from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import os
import re
import sys
import time
import traceback
import uuid
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime
from typing import Any

Scope = dict[str, Any]
Message = dict[str, Any]

ACCESS = logging.getLogger("jobmatch.access")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")
# the fields a log line may carry besides its message: an allow-list, so nothing else is ever serialised
FIELDS = ("request_id", "method", "route", "status", "duration_ms", "stages_ms", "bytes_in", "code", "reason")

_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("jobmatch_request_id", default=None)
_stages: contextvars.ContextVar[dict[str, float] | None] = contextvars.ContextVar("jobmatch_stages", default=None)


def current_request_id() -> str | None:
    return _request_id.get()


@contextlib.contextmanager
def stage(name: str) -> Iterator[None]:
    """Time a stage of the current request (``parse``, ``wait``, ``embed``, ``rank``, ...) into its access line.
    Works in the thread pool too (the request's context is copied there; the dict is shared). Outside a request
    it only runs the block."""
    stages = _stages.get()
    t0 = time.perf_counter()
    try:
        yield
    finally:
        if stages is not None:
            stages[name] = round(stages.get(name, 0.0) + (time.perf_counter() - t0) * 1000, 1)


def frames(exc_info) -> list[str]:
    """Where an exception was raised, as ``file:line function`` (innermost last, at most 30): the exception's
    message is left out, since a message may quote its input (pydantic's do) and the input may be a resume."""
    tb = traceback.extract_tb(exc_info[2])[-30:]
    return [f"{os.path.basename(f.filename)}:{f.lineno} {f.name}" for f in tb]


class JsonFormatter(logging.Formatter):
    """One JSON object per record: ts (UTC, ms), level, logger, msg, the request id when in a request, the
    allow-listed extra fields (:data:`FIELDS`), and for an exception its type and :func:`frames`."""

    def __init__(self) -> None:
        super().__init__()
        self.pid = os.getpid()

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        rid = getattr(record, "request_id", None) or _request_id.get()
        if rid:
            out["request_id"] = rid
        for f in FIELDS[1:]:
            v = getattr(record, f, None)
            if v is not None:
                out[f] = v
        if record.exc_info and record.exc_info[0] is not None:
            out["exc_type"] = record.exc_info[0].__name__
            out["frames"] = frames(record.exc_info)
        out["pid"] = self.pid
        return json.dumps(out, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """``ts level logger [request id] msg key=value ...`` for a terminal."""

    def format(self, record: logging.LogRecord) -> str:
        rid = getattr(record, "request_id", None) or _request_id.get()
        extra = " ".join(f"{f}={json.dumps(getattr(record, f), default=str)}" for f in FIELDS[1:]
                         if getattr(record, f, None) is not None)
        line = (f"{datetime.fromtimestamp(record.created, UTC):%Y-%m-%dT%H:%M:%S}Z {record.levelname:<7} "
                f"{record.name}{f' [{rid}]' if rid else ''} {record.getMessage()}{' ' + extra if extra else ''}")
        if record.exc_info and record.exc_info[0] is not None:
            line += f" exc_type={record.exc_info[0].__name__} at " + " < ".join(reversed(frames(record.exc_info)))
        return line


def configure_logging(fmt: str = "json", level: str | int = "info", *, stream=None) -> logging.Handler:
    """Send every logger (ours, uvicorn's, libraries') to one handler on stderr, in ``fmt`` (``json`` or
    ``text``). uvicorn's own access log is not used (:class:`RequestLog` writes one line per request)."""
    if fmt not in ("json", "text"):
        raise ValueError(f"log format {fmt!r}: use json or text")
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root = logging.getLogger()
    for h in list(root.handlers):
        root.removeHandler(h)
    root.addHandler(handler)
    root.setLevel(level.upper() if isinstance(level, str) else level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        lg = logging.getLogger(name)
        lg.handlers.clear()
        lg.propagate = True
    logging.getLogger("uvicorn.access").disabled = True
    return handler


class RequestLog:
    """Outermost ASGI middleware: gives each HTTP request an id (the client's ``X-Request-ID`` or a new one),
    returns it in ``X-Request-ID``, collects :func:`stage` timings, and logs one line when the response is done
    (also for requests the guard refused, and for 500s)."""

    def __init__(self, app: Callable[..., Awaitable[None]], *, route_of: Callable[[Scope], str],
                 logger: logging.Logger = ACCESS) -> None:
        self.app = app
        self.route_of = route_of
        self.log = logger

    async def __call__(self, scope: Scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = next((v for k, v in scope.get("headers") or [] if k.lower() == b"x-request-id"), b"")
        try:
            rid = given.decode("ascii")
        except UnicodeDecodeError:
            rid = ""
        if not _REQUEST_ID.match(rid):
            rid = uuid.uuid4().hex
        rid_token = _request_id.set(rid)
        stages: dict[str, float] = {}
        st_token = _stages.set(stages)
        seen: dict[str, Any] = {"status": None, "bytes_in": 0}
        start = time.perf_counter()

        async def counted_receive() -> Message:
            msg = await receive()
            if msg["type"] == "http.request":
                seen["bytes_in"] += len(msg.get("body", b""))
            return msg

        async def tagged_send(msg: Message) -> None:
            if msg["type"] == "http.response.start":
                seen["status"] = msg["status"]
                msg = {**msg, "headers": [*[(k, v) for k, v in msg.get("headers", []) if k.lower() != b"x-request-id"],
                                          (b"x-request-id", rid.encode())]}
            await send(msg)

        failed = True
        try:
            await self.app(scope, counted_receive, tagged_send)
            failed = False
        finally:
            route = getattr(scope.get("route"), "path", None) or self.route_of(scope)
            # no response sent: the client went away (499, as the guard counts it), or the app raised (500)
            status = seen["status"] or (500 if failed else 499)
            self.log.info("request", extra={
                "request_id": rid, "method": scope.get("method", ""), "route": route, "status": status,
                "duration_ms": round((time.perf_counter() - start) * 1000, 1), "stages_ms": dict(stages) or None,
                "bytes_in": seen["bytes_in"]})
            _stages.reset(st_token)
            _request_id.reset(rid_token)
