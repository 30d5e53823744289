"""Ingestion: read JSON-LD files and upsert their postings into a :class:`matcher.jobstore.JobStore`.

Offers :func:`ingest_paths` -> :class:`IngestSummary` (counts, rejections with their position and reason, and
``changed_ids`` -- the ids added or updated, for an indexing step to embed just those). Files are streamed
(JSONL line by line) and written in batches of one transaction each.
"""
from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path

from pydantic import BaseModel, Field

from matcher.domain import Posting
from matcher.errors import NotFound
from matcher.jobstore import JobStore
from matcher.postings import RecordResult, read_path

INPUT_SUFFIXES = {".json", ".jsonl", ".ndjson", ".jsonld", ".html", ".htm"}


class Rejection(BaseModel):
    source: str
    position: str
    reason: str


class Duplicate(BaseModel):
    source: str
    position: str
    id: str
    duplicate_of: str


class IngestSummary(BaseModel):
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicate: int = 0
    rejected: int = 0
    skipped: int = Field(default=0, description="objects that are not JobPostings (e.g. an Organization)")
    with_warnings: int = 0
    rejections: list[Rejection] = Field(default_factory=list)
    skips: list[Rejection] = Field(default_factory=list)
    duplicates: list[Duplicate] = Field(default_factory=list)
    changed_ids: list[str] = Field(default_factory=list, description="added or updated: what to (re)index")
    files: list[str] = Field(default_factory=list)
    seconds: float = 0.0
    indexed: int | None = Field(default=None, description="postings embedded and indexed (None: indexing not run)")
    index_removed: int | None = None

    @property
    def records(self) -> int:
        """Every record read: each one ends in exactly one of the counts."""
        return self.added + self.updated + self.unchanged + self.duplicate + self.rejected + self.skipped


def expand_paths(paths: Iterable[Path | str]) -> list[Path]:
    """Files to read: each path itself, or a directory's files with a known suffix. Raises NotFound early."""
    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in INPUT_SUFFIXES))
        elif p.is_file():
            out.append(p)
        else:
            raise NotFound(f"input {str(p)!r} does not exist; give a JSON, JSONL or HTML file or a directory")
    return out


def _batches(results: Iterator[RecordResult], size: int) -> Iterator[list[RecordResult]]:
    batch: list[RecordResult] = []
    for r in results:
        batch.append(r)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def ingest_paths(paths: Iterable[Path | str], store: JobStore, *, batch_size: int = 1000,
                 progress: bool | None = None, geocode_missing: bool = True) -> IngestSummary:
    """Read every posting in ``paths`` and upsert it into ``store``.

    ``progress``: show a tqdm bar on stderr (default: when stderr is a terminal). A bad record never stops
    the rest; it is counted in ``rejected`` and listed in ``rejections``.
    """
    from tqdm import tqdm

    files = expand_paths(paths)
    show = sys.stderr.isatty() if progress is None else progress
    summary = IngestSummary(files=[str(f) for f in files])
    started = time.perf_counter()
    total = sum(f.stat().st_size for f in files)
    with tqdm(total=total, unit="B", unit_scale=True, desc="ingest", disable=not show, file=sys.stderr) as bar:
        for f in files:
            records = read_path(f, geocode_missing=geocode_missing, on_bytes=bar.update)
            for batch in _batches(records, batch_size):
                _store_batch(batch, store, summary)
    summary.changed_ids = list(dict.fromkeys(summary.changed_ids))  # added then updated in one run: once
    summary.seconds = round(time.perf_counter() - started, 3)
    return summary


def ingest_records(records: Iterable[RecordResult], store: JobStore, *, batch_size: int = 1000) -> IngestSummary:
    """Upsert already-read records (e.g. the body of ``POST /v1/jobs``); same summary as :func:`ingest_paths`."""
    summary = IngestSummary()
    started = time.perf_counter()
    for batch in _batches(iter(records), batch_size):
        _store_batch(batch, store, summary)
    summary.changed_ids = list(dict.fromkeys(summary.changed_ids))
    summary.seconds = round(time.perf_counter() - started, 3)
    return summary


def _store_batch(batch: list[RecordResult], store: JobStore, summary: IngestSummary) -> None:
    postings: list[Posting] = []
    texts: list[str] = []
    where: list[RecordResult] = []
    for r in batch:
        if r.status == "ok" and r.posting is not None:
            postings.append(r.posting)
            texts.append(r.jsonld or "")
            where.append(r)
            summary.with_warnings += bool(r.posting.warnings)
        elif r.status == "skipped":
            summary.skipped += 1
            summary.skips.append(Rejection(source=r.source, position=r.position, reason=r.reason or ""))
        else:
            summary.rejected += 1
            summary.rejections.append(Rejection(source=r.source, position=r.position, reason=r.reason or ""))
    for r, out in zip(where, store.upsert_many(postings, texts), strict=True):
        if out.outcome == "added":
            summary.added += 1
            summary.changed_ids.append(out.id)
        elif out.outcome == "updated":
            summary.updated += 1
            summary.changed_ids.append(out.id)
        elif out.outcome == "unchanged":
            summary.unchanged += 1
        else:
            summary.duplicate += 1
            summary.duplicates.append(Duplicate(source=r.source, position=r.position, id=out.id,
                                                duplicate_of=out.duplicate_of or ""))


# ---- embedding postings for the index: on threads (local) or on Ray Data actors -------------------------
EMBED_CHUNK = 256  # postings per embedding call; fixed whatever the workers, so the vectors are the same bits


def default_workers() -> int:
    """``--workers 0`` (auto): one embedding per usable core. ``benchmarks/bench_ingest.py --embed`` measured
    2 threads (one ONNX session run each, 1 intra-op thread) against 1 on this 2-core machine (README)."""
    from .embed import usable_cores

    return usable_cores()


def _posting_vectors(embedder, postings: list[Posting]):
    from .posting_index import embed_postings

    return embed_postings(embedder, [p.title for p in postings], [p.company for p in postings],
                          [p.description for p in postings])


class LocalPostingEncoder:
    """Embeds chunks of postings on ``workers`` threads sharing one :class:`~matcher.embed.Embedder`.

    Each forward pass releases the GIL (onnxruntime, torch), so two threads keep two cores busy with one copy of
    the model. Chunks are read from the caller's iterator in the caller's thread (the store's SQLite connection
    stays in its thread), at most ``2 * workers`` are in flight, and results come back in input order.
    """

    name = "local"

    def __init__(self, embedder, workers: int = 1) -> None:
        if workers < 0:
            raise ValueError(f"workers must be >= 0 (0 = one per core), got {workers}")
        self.embedder = embedder
        self.workers = workers or default_workers()

    def encode(self, chunks: Iterable[list[Posting]]):
        """Yield ``(postings, vectors)`` for every chunk, in order."""
        if self.workers == 1:
            for chunk in chunks:
                yield chunk, _posting_vectors(self.embedder, chunk)
            return
        from collections import deque
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(self.workers, thread_name_prefix="embed") as pool:
            inflight: deque = deque()
            for chunk in chunks:
                inflight.append((chunk, pool.submit(_posting_vectors, self.embedder, chunk)))
                if len(inflight) >= 2 * self.workers:
                    c, fut = inflight.popleft()
                    yield c, fut.result()
            while inflight:
                c, fut = inflight.popleft()
                yield c, fut.result()

    def close(self) -> None:
        pass


class _EmbedActor:
    """Ray actor: one Embedder (1 thread) embedding whole chunks, so its vectors equal the local engine's."""

    def __init__(self, settings_json: str) -> None:
        from .embed import Embedder
        from .settings import Settings

        s = Settings.model_validate_json(settings_json)
        self.embedder = Embedder(s.model, threads=s.torch_threads or 1, backend=s.embed_backend,
                                 cache_dir=s.model_cache_dir)

    def __call__(self, batch):
        import numpy as np

        out = []
        for raw in batch["chunk"]:
            chunk = [Posting.model_validate(p) for p in json.loads(raw)]
            out.append(np.ascontiguousarray(_posting_vectors(self.embedder, chunk), np.float32).tobytes())
        return {"seq": list(batch["seq"]), "vectors": out}


class RayPostingEncoder:
    """Embeds chunks of postings on a pool of Ray Data actors (``jobmatch ingest --engine ray``).

    The driver reads the store, ships each chunk as JSON to an actor holding its own model, and gets float32
    bytes back, which it writes into the one index (same format as the local engine, same vectors: chunks are
    embedded whole). Without ``address`` a local Ray instance with ``workers`` CPUs is started, and
    :meth:`close` shuts it down again. On a cluster every node needs the project and the model installed.
    """

    name = "ray"

    def __init__(self, settings, workers: int = 0, address: str | None = None, window: int = 64) -> None:
        self.settings = settings
        self.workers = workers or default_workers()
        self.address = address
        self.window = window  # chunks per Ray dataset (bounds driver memory for big corpora)
        self._started = False

    def _init(self) -> None:
        import ray

        if ray.is_initialized():
            return
        kw = {"include_dashboard": False, "log_to_driver": False, "logging_level": "ERROR"}
        if self.address:
            ray.init(address=self.address, **kw)
        else:
            ray.init(num_cpus=self.workers, **kw)
            self._started = True
        ctx = ray.data.DataContext.get_current()
        ctx.enable_progress_bars = False
        if hasattr(ctx, "enable_operator_progress_bars"):
            ctx.enable_operator_progress_bars = False

    def encode(self, chunks: Iterable[list[Posting]]):
        import numpy as np
        import ray

        self._init()
        settings_json = self.settings.model_copy(
            update={"torch_threads": self.settings.torch_threads or 1}).model_dump_json()
        dim = None
        it = iter(chunks)
        while True:
            window = list(islice(it, self.window))
            if not window:
                return
            rows = [{"seq": i, "chunk": json.dumps([p.model_dump(mode="json") for p in c], ensure_ascii=False)}
                    for i, c in enumerate(window)]
            ds = ray.data.from_items(rows, override_num_blocks=max(1, min(len(rows), 4 * self.workers)))
            ds = ds.map_batches(_EmbedActor, batch_size=1, compute=ray.data.ActorPoolStrategy(size=self.workers),
                                num_cpus=1, fn_constructor_kwargs={"settings_json": settings_json})
            got: dict[int, bytes] = {}
            nxt = 0
            for row in ds.iter_rows():  # chunks finish in any order; hand them on in order as soon as we can
                got[int(row["seq"])] = row["vectors"]
                while nxt in got:
                    c, v = window[nxt], np.frombuffer(got.pop(nxt), np.float32)
                    dim = dim or (len(v) // max(1, len(c)))
                    yield c, v.reshape(len(c), dim) if len(c) else np.zeros((0, dim or 0), np.float32)
                    nxt += 1
            if nxt != len(window):
                raise RuntimeError(f"Ray returned {nxt} of {len(window)} embedding chunks")

    def close(self) -> None:
        if self._started:
            import ray

            ray.shutdown()
            self._started = False
