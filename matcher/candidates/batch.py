"""Batch in the recruiter direction: many postings -> one JSONL line of ranked, explained candidates per posting
(``jobmatch batch --direction job-to-candidates``).

Input: files of JobPosting JSON-LD in any shape ``jobmatch ingest`` reads (one object, array, ``@graph``, JSONL,
HTML with ld+json), or a directory of them (recursive, ``*.json *.jsonl *.ndjson *.html *.htm``). Postings are read
like an ingest, never stored. A record the ingestion refuses becomes an error line with its reason.

Output, on the forward batch's writer (:mod:`matcher.batch.records`: append-only, every line flushed, a torn last
line cut on ``--resume``): ``{id, source, job, filters, results, error}`` where ``job``/``filters``/``results`` are
those of ``jobmatch match-job`` for the same posting and options (:meth:`CandidatePool.match_posting`), and
``OUT.summary.json`` (counts, failures, throughput, per-stage time) written atomically at the end or on Ctrl-C.
Posting vectors are embedded in batches of ``embed_batch`` (the same vectors ``embed_postings`` gives one at a time).
"""
from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from index.atomic import write_json_atomic
from matcher.errors import InvalidRequest, NotFound, error_code
from matcher.settings import Settings

from .domain import ReverseOptions
from .pool import CandidatePool

POSTING_SUFFIXES = (".json", ".jsonl", ".ndjson", ".html", ".htm", ".jsonld")


def iter_postings(src: Path) -> Iterator[tuple[str, str, Any]]:
    """``(id, source, Posting | error dict)`` for every record under ``src`` (a file or a directory)."""
    from matcher.postings import read_records

    if not src.exists():
        raise NotFound(f"no such file or directory: {src}")
    files = sorted(p for p in src.rglob("*") if p.is_file() and p.suffix.lower() in POSTING_SUFFIXES) \
        if src.is_dir() else [src]
    for f in files:
        source = str(f.relative_to(src)) if src.is_dir() else f.name
        for r in read_records(f.read_bytes(), source):
            if r.ok:
                yield r.posting.id, source, r.posting
            elif r.status == "rejected":
                yield f"{source}:{r.position}", source, {"code": "posting_error",
                                                         "message": f"the posting was refused: {r.reason}"}


def run_job_batch(src: Path, out: Path, opts: ReverseOptions, settings: Settings, *, resume: bool = False,
                  embed_batch: int = 64, progress: bool | None = None, pool: CandidatePool | None = None) -> dict:
    from matcher.batch.records import Writer, read_done, summary_path
    from matcher.posting_index import embed_postings

    if out.exists() and out.stat().st_size and not resume:
        raise InvalidRequest(f"{out} exists; pass --resume to continue it, or choose another --out")
    done = read_done(out) if resume else set()
    items = list(iter_postings(Path(src)))
    todo = [it for it in items if it[0] not in done]
    t_start = time.perf_counter()
    stages = {"embed": 0.0, "search": 0.0, "write": 0.0}
    own = pool is None
    pool = pool or CandidatePool(settings)
    writer = Writer(out)
    complete = False
    bar = None
    if progress or (progress is None and os.isatty(2)):
        from tqdm import tqdm

        bar = tqdm(total=len(todo), unit="posting", desc="matching")
    try:
        for a in range(0, len(todo), max(1, embed_batch)):
            chunk = todo[a:a + embed_batch]
            good = [(i, it) for i, it in enumerate(chunk) if not isinstance(it[2], dict)]
            t = time.perf_counter()
            vecs = embed_postings(pool.embedder, [it[2].title for _, it in good], [it[2].company for _, it in good],
                                  [it[2].description for _, it in good]) if good else []
            stages["embed"] += time.perf_counter() - t
            vec_of = {i: vecs[j] for j, (i, _) in enumerate(good)}
            records = []
            t = time.perf_counter()
            for i, (pid, source, p) in enumerate(chunk):
                if isinstance(p, dict):
                    records.append(_record(pid, source, error=p))
                    continue
                try:
                    resp = pool.match_posting(p, opts, vector=vec_of[i])
                    records.append(_record(pid, source, resp=resp))
                except Exception as e:  # noqa: BLE001 - one posting's failure is its line, the run goes on
                    records.append(_record(pid, source, error={"code": error_code(e), "message": str(e)}))
            stages["search"] += time.perf_counter() - t
            t = time.perf_counter()
            writer.write(records)
            stages["write"] += time.perf_counter() - t
            if bar:
                bar.update(len(chunk))
        complete = True
    except KeyboardInterrupt:
        pass
    finally:
        writer.close()
        if bar:
            bar.close()
        if own:
            pool.close()
    elapsed = time.perf_counter() - t_start
    summary = {"direction": "job-to-candidates", "input": str(src), "out": str(out), "complete": complete,
               "postings": len(items), "already_done": len(items) - len(todo), "processed": writer.written,
               "ok": writer.ok, "failed": len(writer.failed), "failures_by_code": dict(writer.codes),
               "failures": writer.failed[:1000], "elapsed_s": round(elapsed, 3),
               "postings_per_s": round(writer.written / elapsed, 2) if elapsed > 0 else None,
               "stages_s": {k: round(v, 3) for k, v in stages.items()},
               "options": opts.model_dump(mode="json")}
    write_json_atomic(summary_path(out), summary)
    return summary


def _record(pid: str, source: str, *, resp=None, error: dict | None = None) -> dict[str, Any]:
    if resp is None:
        return {"id": pid, "source": source, "job": None, "filters": None, "results": [], "error": error}
    return {"id": pid, "source": source, "job": resp.job.model_dump(mode="json"),
            "filters": resp.filters.model_dump(mode="json"),
            "results": [m.model_dump(mode="json") for m in resp.results], "error": None}
