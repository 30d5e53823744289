"""Running the app under uvicorn with the connection limits of :class:`~matcher.settings.Settings`.

- ``timeout_keep_alive`` (``keep_alive_timeout_s``) closes idle keep-alive connections;
- ``h11_max_incomplete_event_size`` (``max_header_bytes``) bounds a request line + headers;
- ``limit_concurrency`` (``max_connections``) answers 503 above that many connections/tasks;
- :class:`HeaderDeadline` closes a connection whose request headers have not all arrived within
  ``header_timeout_s`` (uvicorn has no such timer: a client trickling headers would hold a connection forever).

Bodies are bounded and timed by :mod:`api.guard` (408/413/429).

Logging (:mod:`api.logs`): every logger goes to stderr as JSON lines (``JOBMATCH_LOG_FORMAT=text`` for a
terminal), one access line per request; uvicorn's own access log is off.

Several workers (``jobmatch serve --workers N``): uvicorn's supervisor binds the socket once and starts N
spawned processes, each building its app with :func:`app_from_env` from the environment (the ``JOBMATCH_*``
settings; ``serve`` exports what its flags changed), so each has its own model, index, parser workers and
metrics. They share the data directory like any processes (README: several processes): one writer at a time,
and every worker serves a generation another one saved. The supervisor restarts a worker that dies.
"""
from __future__ import annotations

import asyncio
import os
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


def _limits(settings: Settings) -> dict[str, Any]:
    return {"timeout_keep_alive": settings.keep_alive_timeout_s,
            "h11_max_incomplete_event_size": settings.max_header_bytes,
            "limit_concurrency": settings.max_connections,
            "log_config": None, "access_log": False}  # logging: api.logs (one JSON line per request)


def uvicorn_config(app: Any, settings: Settings, *, host: str = "127.0.0.1", port: int = 8000,
                   log_level: str = "info"):
    import uvicorn

    protocol = type("HeaderDeadlineProtocol", (HeaderDeadline,), {"header_timeout_s": settings.header_timeout_s})
    return uvicorn.Config(app, host=host, port=port, log_level=log_level, workers=1, http=protocol,
                          **_limits(settings))


def app_from_env():
    """The app of one worker under ``jobmatch serve --workers N`` (or ``uvicorn --factory``): settings from the
    ``JOBMATCH_*`` environment, logging configured in this process."""
    from .app import create_app
    from .logs import configure_logging

    settings = Settings()
    configure_logging(settings.log_format, settings.log_level)
    HeaderDeadline.header_timeout_s = settings.header_timeout_s  # this process's connections
    return create_app(settings, freeze_heap=True)


def serve(settings: Settings, *, host: str = "127.0.0.1", port: int = 8000, log_level: str | None = None,
          workers: int = 1) -> None:
    """``jobmatch serve``: build the app and run it until interrupted; with ``workers`` > 1, that many worker
    processes behind one socket (uvicorn's supervisor)."""
    import uvicorn

    from .app import create_app
    from .logs import configure_logging

    level = log_level or settings.log_level
    configure_logging(settings.log_format, level)
    if workers <= 1:
        uvicorn.Server(uvicorn_config(create_app(settings, freeze_heap=True), settings, host=host, port=port, log_level=level)).run()
        return
    # the workers are spawned: they read their settings from the environment, so export what flags changed
    os.environ.update({"JOBMATCH_DATA_DIR": str(settings.data_dir), "JOBMATCH_LOG_FORMAT": settings.log_format,
                       "JOBMATCH_LOG_LEVEL": level})
    uvicorn.run("api.server:app_from_env", factory=True, host=host, port=port, workers=workers,
                http=HeaderDeadline, log_level=level, **_limits(settings))
