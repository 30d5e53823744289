"""The ASGI middleware in front of every route: what a request may cost before a route sees it.

In this order, for every HTTP request:

1. **auth first**: with an API key set, a ``/v1`` request without the right ``X-API-Key`` is answered 401
   before a byte of its body is read (and the connection is closed, so the body is never drained);
2. **a cap on the body** per route (``limit_for``): a ``Content-Length`` above it is refused at once (413),
   and the body is read here, counted as it streams, so a chunked body is cut at the cap too (413);
3. **a deadline on the body**: the whole body must arrive within ``body_timeout_s`` (408), so a request that
   declares more than it sends, or trickles, is dropped;
4. **a bound on bodies in flight** (``max_concurrent_bodies``): one more is refused with 429 + Retry-After;
5. the body, now whole and in memory, is replayed to the app; after it, ``receive`` waits for the client's
   disconnect, which routes use to cancel work nobody waits for;
6. **every response is counted** (``jobmatch_requests_total`` by route template and status), an exception
   is logged and answered with a JSON 500 in the documented shape (and counted), and each refusal above is
   counted by reason (``jobmatch_requests_refused_total``).

Refusals are ``{"error": {"code", "message", "details"}}`` like every other error.
"""
from __future__ import annotations

import asyncio
import json
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import Any

log = logging.getLogger("jobmatch.api")

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


class Refusal(Exception):
    """A request answered by the guard itself."""

    def __init__(self, status: int, code: str, message: str, reason: str, *, retry_after: int | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.reason, self.retry_after = status, code, message, reason, retry_after


class ClientGone(Exception):
    """The client disconnected before its body was read."""


def error_body(code: str, message: str, details: Any = None) -> bytes:
    return json.dumps({"error": {"code": code, "message": message, "details": details}}).encode()


async def send_json(send: Send, status: int, body: bytes, *, close: bool = False,
                    retry_after: int | None = None) -> None:
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if close:
        headers.append((b"connection", b"close"))
    if retry_after is not None:
        headers.append((b"retry-after", str(retry_after).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})


class Guard:
    """Pure ASGI middleware (no BaseHTTPMiddleware: it would buffer differently and hide disconnects).

    ``limit_for(method, path)`` gives the body cap of a request; ``route_of(scope)`` the route template used
    as a metrics label for requests refused before routing; ``metrics`` is :class:`api.metrics.Metrics`.
    """

    def __init__(self, app: Callable, *, settings: Any, metrics: Any, limit_for: Callable[[str, str], int],
                 route_of: Callable[[Scope], str]) -> None:
        self.app = app
        self.settings = settings
        self.metrics = metrics
        self.limit_for = limit_for
        self.route_of = route_of
        self.in_flight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        seen: dict[str, Any] = {"status": None}

        async def observed_send(msg: Message) -> None:
            if msg["type"] == "http.response.start":
                seen["status"] = msg["status"]
            await send(msg)

        refused: str | None = None
        try:
            await self._handle(scope, receive, observed_send)
        except Refusal as r:
            refused = r.reason
            if seen["status"] is None:
                await send_json(observed_send, r.status, error_body(r.code, r.message), close=True,
                                retry_after=r.retry_after)
        except ClientGone:
            refused, seen["status"] = "client_gone", 499  # nginx's code for "client closed the request"
        except Exception:
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if seen["status"] is None:
                await send_json(observed_send, 500, error_body(
                    "internal_error", "the server failed on this request; it was logged. Retry, and report it if "
                    "it happens again."), close=True)
            else:
                seen["status"] = 500
        finally:
            route = getattr(scope.get("route"), "path", None) or self.route_of(scope)
            status = str(seen["status"] or 500)
            method = scope.get("method", "")
            self.metrics.requests.labels(method, route, status).inc()
            if int(status) >= 400:
                self.metrics.errors.labels(method, route, status).inc()
            if refused:
                self.metrics.refused.labels(route, refused).inc()
            self.metrics.latency.labels(method, route).observe(time.perf_counter() - start)

    async def _handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        s = self.settings
        method, path = scope.get("method", "GET"), scope.get("path", "")
        headers = dict((k.lower(), v) for k, v in scope.get("headers") or [])
        if s.api_key and path.startswith("/v1"):
            given = headers.get(b"x-api-key", b"")
            if not secrets.compare_digest(given, s.api_key.encode()):
                raise Refusal(401, "unauthorized", "missing or wrong API key: send it in the X-API-Key header",
                              "unauthorized")
        chunked = b"chunked" in headers.get(b"transfer-encoding", b"").lower()
        length_h = headers.get(b"content-length")
        if method not in BODY_METHODS and not chunked and not length_h:
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(method, path)
        if length_h is not None:
            try:
                length = int(length_h)
            except ValueError:
                raise Refusal(400, "invalid_request", "the Content-Length header is not a number", "bad_header") from None
            if length > limit:
                raise Refusal(413, "body_too_large", f"the request body is {length:,} bytes; the limit for "
                              f"{path} is {limit:,} bytes (send a smaller file or fewer postings)", "too_large")
        if self.in_flight >= s.max_concurrent_bodies:
            raise Refusal(429, "too_many_requests", f"{self.in_flight} uploads are in progress; retry in "
                          f"{s.retry_after_s} s", "busy", retry_after=s.retry_after_s)
        self.in_flight += 1
        try:
            body = await self._read_body(receive, limit, path)
            await self.app(scope, _replay(body, receive), send)
        finally:
            self.in_flight -= 1

    async def _read_body(self, receive: Receive, limit: int, path: str) -> bytes:
        """The whole body, counted as it streams (chunked or not), within the body deadline."""
        s = self.settings
        buf = bytearray()
        try:
            async with asyncio.timeout(s.body_timeout_s):
                while True:
                    msg = await receive()
                    if msg["type"] == "http.disconnect":
                        raise ClientGone()
                    buf += msg.get("body", b"")
                    if len(buf) > limit:
                        raise Refusal(413, "body_too_large", f"the request body is over the limit of {limit:,} "
                                      f"bytes for {path} (send a smaller file or fewer postings)", "too_large")
                    if not msg.get("more_body", False):
                        return bytes(buf)
        except TimeoutError:
            raise Refusal(408, "body_timeout", f"the request body did not arrive within {s.body_timeout_s:g} s "
                          f"({len(buf):,} bytes came); send it at once", "body_timeout") from None


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives the buffered body once, then the real one (which reports the disconnect)."""
    given = False

    async def replay() -> Message:
        nonlocal given
        if not given:
            given = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
