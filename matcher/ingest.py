"""Ingestion: read JSON-LD files and upsert their postings into a :class:`matcher.store.JobStore`.

Offers :func:`ingest_paths` -> :class:`IngestSummary` (counts, rejections with their position and reason, and
``changed_ids`` -- the ids added or updated, for an indexing step to embed just those). Files are streamed
(JSONL line by line) and written in batches of one transaction each.
"""
from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from pydantic import BaseModel, Field

from matcher.domain import Posting
from matcher.errors import NotFound
from matcher.postings import RecordResult, read_path
from matcher.store import JobStore

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
