"""Prometheus metrics of the service (own registry, so tests can build several apps).

Besides the service's own ``jobmatch_*`` series, the registry carries the standard process metrics of
prometheus_client's collectors: ``process_cpu_seconds_total``, ``process_resident_memory_bytes``,
``process_virtual_memory_bytes``, ``process_open_fds``, ``process_max_fds``, ``process_start_time_seconds``
(from /proc; Linux only), ``python_info`` and ``python_gc_*``. Under several workers (``jobmatch serve
--workers N``) each process has its own registry: a scrape sees the worker that answered it
(``process_start_time_seconds`` and the ``pid`` in the logs tell them apart).
"""
from __future__ import annotations

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        ProcessCollector(registry=self.registry)
        PlatformCollector(registry=self.registry)
        GCCollector(registry=self.registry)
        self.requests = Counter("jobmatch_requests_total", "HTTP requests", ["method", "route", "status"],
                                registry=self.registry)
        self.errors = Counter("jobmatch_request_errors_total", "HTTP requests answered with status >= 400",
                              ["method", "route", "status"], registry=self.registry)
        self.latency = Histogram("jobmatch_request_duration_seconds", "HTTP request latency", ["method", "route"],
                                 buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1.0, 1.5, 2.5, 5.0, 10.0, 30.0),
                                 registry=self.registry)
        self.parse_failures = Counter("jobmatch_parse_failures_total", "resume/posting parse failures by reason",
                                      ["kind", "reason"], registry=self.registry)
        self.refused = Counter("jobmatch_requests_refused_total", "requests refused before the route ran, by "
                               "reason (unauthorized, too_large, body_timeout, busy, client_gone, bad_header)",
                               ["route", "reason"], registry=self.registry)
        self.rejected = Counter("jobmatch_request_rejections_total", "requests a route refused, by error code "
                                "(every 4xx/5xx answer in the error shape)", ["route", "code"], registry=self.registry)
        self.index_size = Gauge("jobmatch_index_postings", "postings in the vector index", registry=self.registry)
        self.index_generation = Gauge("jobmatch_index_generation", "index generation on disk", registry=self.registry)
        self.ready = Gauge("jobmatch_ready", "1 when the model and the index are loaded", registry=self.registry)
