"""Prometheus metrics of the service (own registry, so tests can build several apps)."""
from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
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
