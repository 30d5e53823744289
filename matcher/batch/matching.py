"""Matching parsed candidates: batched query vectors, then ``match_page`` per candidate (the code path of
``jobmatch match``: filters, hybrid ranking, explanations), so results are those of ``jobmatch match``."""
from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..domain import CandidateProfile, MatchOptions
from ..errors import InvalidRequest, error_payload
from ..paging import match_page
from .inputs import candidate_options
from .records import error_record, ok_record

# windows per forward pass. ONNX fp32, 1 thread, 64 real resumes of 256 word pieces (2026-12-01, load ~11, so
# CPU time): 33.4 queries per CPU-second one at a time, 33.2 in fours, 32.0 in eights, 28 in 16s and 32s (the
# attention tensors leave the cache); 2 threads 17-19 per CPU-second. Batching buys little CPU on onnxruntime;
# it is kept small (and bit-identical to one at a time, see Embedder.embed_queries).
FORWARD_BATCH = 4

Queries = tuple[np.ndarray, list]  # query vectors (n, dim) and each one's resume-line vectors (or None)


@dataclass
class Step:
    """One batch of parsed candidates on its way to records: those that failed already have theirs, ``todo``
    (index, profile, options) still need a query vector and a search."""

    parsed: Sequence[dict[str, Any]]
    records: list[dict[str, Any] | None]
    todo: list[tuple[int, CandidateProfile, MatchOptions]]


def prepare(parsed: Sequence[dict[str, Any]], base: MatchOptions) -> Step:
    """Each parsed candidate's options and profile, or its error record."""
    records: list[dict[str, Any] | None] = [None] * len(parsed)
    todo: list[tuple[int, CandidateProfile, MatchOptions]] = []
    for i, p in enumerate(parsed):
        if p.get("error"):
            records[i] = error_record(p["id"], p["source"], p["error"])
            continue
        try:
            opts = candidate_options(base, p.get("options") or {})
            profile = CandidateProfile.model_validate(p["profile"])  # overrides are applied by match()
            if not profile.text.strip():
                raise InvalidRequest("the resume has no text to match on; send a resume with some text")
        except Exception as e:  # noqa: BLE001
            records[i] = error_record(p["id"], p["source"], error_payload(e))
            continue
        todo.append((i, profile, opts))
    return Step(parsed, records, todo)


def embed_step(svc, step: Step, *, batch_size: int = FORWARD_BATCH, helper=None) -> tuple[Queries, float]:
    """The step's query vectors and resume-line vectors (:func:`query_vectors`) and the seconds they took.

    With ``helper`` (an executor), the first half of the profiles is embedded on it while this thread embeds the
    second half: two passes at once, each on one core (onnxruntime releases the GIL). A query's vectors do not
    depend on the other queries of its pass (:meth:`matcher.embed.Embedder.embed_queries`, tested), so the bits
    are those of one pass."""
    t0 = time.perf_counter()
    queries: Queries = (np.zeros((0, 0), np.float32), [])
    profiles = [pr for _, pr, _ in step.todo]
    if helper is not None and len(profiles) >= 2 * batch_size:
        half = len(profiles) // 2
        first = helper.submit(query_vectors, svc, profiles[:half], batch_size=batch_size)
        vb, lb = query_vectors(svc, profiles[half:], batch_size=batch_size)
        va, la = first.result()
        queries = (np.concatenate([va, vb]), list(la) + list(lb))
    elif profiles:
        queries = query_vectors(svc, profiles, batch_size=batch_size)
    return queries, time.perf_counter() - t0


def search_step(svc, step: Step, queries: Queries) -> tuple[list[dict[str, Any]], float]:
    """:func:`~matcher.paging.match_page` per candidate with its vectors; the step's records, in input order, and
    the seconds the searches took."""
    t0 = time.perf_counter()
    records = step.records
    vecs, lines = queries
    for (i, pr, o), v, lv in zip(step.todo, vecs, lines, strict=False):
        p = step.parsed[i]
        try:
            resp = match_page(svc, pr, o, query_vec=v, line_vecs=lv)  # top_k after offset, as on every surface
        except Exception as e:  # noqa: BLE001 - recorded for this candidate; the run goes on
            records[i] = error_record(p["id"], p["source"], error_payload(e))
        else:
            records[i] = ok_record(p["id"], p["source"], resp)
    return records, time.perf_counter() - t0  # type: ignore[return-value]


def match_parsed(svc, parsed: Sequence[dict[str, Any]], base: MatchOptions, *,
                 embed_batch_size: int = FORWARD_BATCH) -> tuple[list[dict[str, Any]], dict[str, float]]:
    """Records (one per parsed item, same order) and stage seconds ``{embed, search}``.

    Query vectors are computed for the whole batch at once (:func:`query_vectors`, equal to
    ``svc.embed_query``), then :func:`~matcher.paging.match_page` runs per candidate with its vector: the very
    code path of ``jobmatch match`` (filters, hybrid ranking, explanations), so results are identical.
    """
    step = prepare(parsed, base)
    vecs, embed_s = embed_step(svc, step, batch_size=embed_batch_size)
    records, search_s = search_step(svc, step, vecs)
    return records, {"embed": embed_s, "search": search_s}


def query_vectors(svc, profiles: Sequence[CandidateProfile], *, batch_size: int = 64) -> Queries:
    """``svc.embed_query_lines(p)`` for every profile, computed in batches (the same bits:
    :meth:`matcher.service.MatchService.embed_queries_lines`)."""
    return svc.embed_queries_lines(list(profiles), batch_size=batch_size)


def embed_queries(embedder, texts: Sequence[str], *, max_windows: int | None, batch_size: int = 64) -> np.ndarray:
    """``embedder.embed_query`` of every text, bit for bit, in batches (:meth:`Embedder.embed_queries`)."""
    if not hasattr(embedder, "embed_queries"):
        return embedder.embed_documents(list(texts), max_windows=max_windows, batch_size=batch_size)
    return embedder.embed_queries(list(texts), max_windows=max_windows, batch_size=batch_size)
