"""Running the app under uvicorn with the connection limits of :class:`~matcher.settings.Settings`.

- ``timeout_keep_alive`` (``keep_alive_timeout_s``) closes idle keep-alive connections;
- ``h11_max_incomplete_event_size`` (``max_header_bytes``) bounds a request line + headers;
- ``limit_concurrency`` (``max_connections``) answers 503 above that many connections/tasks;
- :class:`HeaderDeadline` closes a connection whose request headers have not all arrived within
  ``header_timeout_s`` (uvicorn has no such timer: a client trickling headers would hold a connection forever).

Bodies are bounded and timed by :mod:`api.guard` (408/413/429).
"""
from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

from matcher.settings import Settings


class HeaderDeadline(H11Protocol):
    """H11Protocol that closes the connection when a request's headers take longer than ``header_timeout_s``."""

    header_timeout_s = 10.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._arm()  # the next request on this connection gets its own deadline

    def _arm(self) -> None:
        cycle = self.cycle
        self.loop.call_later(self.header_timeout_s, self._expire, cycle)

    def _expire(self, cycle: Any) -> None:
        # no new request began since the timer was armed (headers incomplete, or idle): drop the connection
        if self.cycle is cycle and not self.transport.is_closing():
            self.transport.close()


def uvicorn_config(app: Any, settings: Settings, *, host: str = "127.0.0.1", port: int = 8000,
                   log_level: str = "info"):
    import uvicorn

    protocol = type("HeaderDeadlineProtocol", (HeaderDeadline,), {"header_timeout_s": settings.header_timeout_s})
    return uvicorn.Config(app, host=host, port=port, log_level=log_level, workers=1, http=protocol,
                          timeout_keep_alive=settings.keep_alive_timeout_s,
                          h11_max_incomplete_event_size=settings.max_header_bytes,
                          limit_concurrency=settings.max_connections)


def serve(settings: Settings, *, host: str = "127.0.0.1", port: int = 8000, log_level: str = "info") -> None:
    """``jobmatch serve``: build the app and run it until interrupted."""
    import uvicorn

    from .app import create_app

    uvicorn.Server(uvicorn_config(create_app(settings), settings, host=host, port=port, log_level=log_level)).run()
