"""Filtered search planning: choose exact (subset gather or full scan) or IVF-with-selector per query.

Plans (the name is reported in :class:`SearchResult.plans`):

* ``"exact-subset"`` - gather the eligible rows and take one matrix product (one per batch when the
  mask is shared). Used when the eligible count ``m`` is small: ``m <= subset_max`` with an ANN
  index, or ``m <= subset_fraction * n`` without one.
* ``"exact-full"``   - one matrix product over all rows, ineligible scores set to ``-inf``.
* ``"ivf"``          - the IVF index searched with the mask as a faiss ``IDSelectorBitmap``;
  ``nprobe`` grows as the eligible count ``m`` drops, so that the probed lists hold about
  ``ivf_min_candidates`` eligible rows on average (``max(nprobe_base, c * nlist / m)``).
* ``"ivf+fallback"`` - IVF returned fewer than ``min(k, m)`` eligible results, so the query was
  re-run exactly. Exact plans always return ``min(k, m)`` results.

Ties are broken deterministically: best score first, then key ascending; the k-th score's ties are
all collected before cutting, so the answer does not depend on the partition order.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import faiss
import numpy as np


@dataclass(frozen=True)
class PlannerSettings:
    """Thresholds of the planner and the ANN build (stored in the manifest as build settings).

    Defaults measured with ``benchmarks/bench_search.py`` on 2 shared cores (load 8-10), 384-d:

    * ``ann_min_rows``: a flat scan of 100k rows costs ~16-28 ms p50 per query; an IVF index costs
      seconds to build and gives up exactness, so exact search stays the default below 150k.
    * ``subset_max``: the crossover of exact subset search (faiss scoring the eligible rows in place,
      cost ~ eligible rows) and IVF with a bitmap selector (cost ~ probed lists, which grow as 1/eligible),
      measured at 1M rows on 2 shared cores (load 6-9, so both slow): 2 % eligible exact 16 ms vs IVF 20 ms
      (recall 0.9955), 3 % 20 vs 15-19 ms (0.9985), 3.9 % 15 vs 11 ms, 5.2 % 18 vs 2-3 ms (1.0); at load ~1
      10k rows cost 0.6 ms exact and 50k 4.4 ms. So up to 30k eligible rows are searched exactly.
    * ``ivf_min_candidates``: probes enough lists to meet ~5000 eligible rows, which keeps filtered
      recall@10 >= 0.98 where 1000 gave 0.97 at 2% (probing is cheap: non-members are skipped
      by the id check, only members have their distance computed).
    * ``nprobe_base`` 48: recall@10 1.0 at 1M on the benchmark data at nprobe >= 8; sparser data
      (100k, few near neighbours) needs more (0.91 at 24, 0.945 at 64); 48 costs ~4-6 ms at 1M.
      ``build_ann`` raises it to a tuned value (``tune_nprobe``: smallest power of two reaching
      ``tune_recall`` on held-out rows), stored with the index.
    """

    ann_min_rows: int = 150_000  # build an IVF index at save() only for corpora at least this big
    subset_max: int = 30_000  # with an IVF index: eligible count up to which we search exactly
    subset_fraction: float = 0.25  # without one: gather when m <= this * n, else full scan
    nprobe_base: int = 48  # nprobe at 100% selectivity
    ivf_min_candidates: int = 5000  # filtered: probe enough lists to meet ~this many eligible rows
    nprobe_max: int = 4096
    nlist: int | None = None  # None = nlist_factor * sqrt(n)
    nlist_factor: float = 2.0  # 2*sqrt(n): half the build cost of 4*sqrt(n) for the same recall/latency
    train_per_list: int = 39  # training sample = this * nlist (faiss's minimum without a warning)
    train_iters: int = 10
    query_block_bytes: int = 128 << 20  # cap on one (queries x rows) float32 score block

    def nlist_for(self, n: int) -> int:
        if self.nlist:
            return int(self.nlist)
        return max(1, min(int(self.nlist_factor * math.sqrt(n)), n // 39 if n >= 39 else 1))

    tune_recall: float = 0.98  # build_ann: smallest nprobe reaching this recall@10 on held-out rows
    tune_queries: int = 64
    # drift (JobIndex.save): retrain the IVF index when the rows added since training exceed this share of the
    # rows it was trained on, or when recall@10 of those new rows (probed every recall_probe_growth of growth,
    # recall_probe_queries of them as queries) falls below tune_recall
    retrain_growth: float = 0.25
    recall_probe_growth: float = 0.05
    recall_probe_queries: int = 32
    # an IVF file holding fewer than (1 - this) of the rows is written again (rows past it are re-assigned on open)
    ann_rewrite_tail: float = 0.05

    def nprobe_for(self, eligible: int, nlist: int, tuned: int | None = None) -> int:
        """max(tuned, nprobe_base), raised so the probed lists hold ~ivf_min_candidates eligible rows."""
        need = math.ceil(self.ivf_min_candidates * nlist / max(1, eligible))
        return int(max(1, min(nlist, self.nprobe_max, max(tuned or 0, self.nprobe_base, need))))


@dataclass
class SearchResult:
    """Per query: ``hits[i]`` = [(key, score), ...] best first; ``rows[i]`` the matching row numbers."""

    hits: list[list[tuple[str, float]]]
    rows: list[np.ndarray]
    plans: list[str]
    eligible: list[int]
    nprobe: list[int | None] = field(default_factory=list)

    @property
    def plan(self) -> str:
        """The plan if all queries used the same one, else ``"mixed"``."""
        s = set(self.plans)
        return s.pop() if len(s) == 1 else ("mixed" if s else "none")


def finalize(rows: np.ndarray, scores: np.ndarray, k: int, key_of) -> tuple[np.ndarray, np.ndarray]:
    """Top ``k`` of (rows, scores) by score desc, then key asc; all ties at the cut are considered."""
    if len(rows) > k:
        kth = np.partition(scores, len(scores) - k)[len(scores) - k]
        sel = scores >= kth
        rows, scores = rows[sel], scores[sel]
    order = sorted(range(len(rows)), key=lambda i: (-float(scores[i]), key_of(int(rows[i]))))[:k]
    return rows[order], scores[order]


SINGLE_BLOCK = 1024


def scores(vectors: np.ndarray, queries: np.ndarray, idx: np.ndarray | None = None) -> np.ndarray:
    """queries @ vectors[idx].T as float32 (q, m).

    One query is computed in blocks of 1024 rows: OpenBLAS multithreads bigger matrix-vector
    products, which costs a scheduler time slice (~25 ms measured) whenever the cores are busy
    (other requests, other processes) and gains nothing on a memory-bound product. Batches use one
    matrix product (compute-bound, threads help).
    """
    m = len(vectors) if idx is None else len(idx)
    if len(queries) > 1:
        sub = vectors if idx is None else np.take(vectors, idx, axis=0)
        return queries @ sub.T
    out = np.empty((1, m), np.float32)
    q = queries[0]
    for a in range(0, m, SINGLE_BLOCK):
        b = min(m, a + SINGLE_BLOCK)
        blk = vectors[a:b] if idx is None else np.take(vectors, idx[a:b], axis=0)
        out[0, a:b] = blk @ q
    return out


TIE_EXTRA = 8  # exact_by_idx asks for k + this many; more only when scores tie at the cut


def exact_by_idx(vectors: np.ndarray, idx: np.ndarray, query: np.ndarray, k: int, key_of):
    """Exact top-k of one query over rows ``idx`` without copying them: faiss scores each listed row in
    place (``knn_inner_products_by_idx``, SIMD inner products straight from the row-major matrix), so
    the cost is reading the eligible rows once - about half that of gathering them first.

    Asks for ``k + TIE_EXTRA`` candidates; when the last of them still ties the k-th score, asks again
    for 4x as many, so every row tied at the cut is considered (same answer as :func:`finalize` on all).
    """
    m = len(idx)
    if m == 0:
        return np.empty(0, np.int64), np.empty(0, np.float32)
    vec = vectors if (vectors.dtype == np.float32 and vectors.flags.c_contiguous) else \
        np.ascontiguousarray(vectors, np.float32)
    q = np.ascontiguousarray(query, np.float32).reshape(1, -1)
    ids = np.ascontiguousarray(idx, np.int64)
    kk = min(m, k + TIE_EXTRA)
    while True:
        vals = np.empty((1, kk), np.float32)
        out = np.empty((1, kk), np.int64)
        faiss.knn_inner_products_by_idx(faiss.swig_ptr(q), faiss.swig_ptr(vec), faiss.swig_ptr(ids),
                                        vec.shape[1], 1, len(vec), m, kk, faiss.swig_ptr(vals), faiss.swig_ptr(out))
        got = out[0] >= 0
        rows, sc = out[0][got], vals[0][got]
        if kk >= m or len(sc) < kk or sc.min() < np.sort(sc)[::-1][k - 1]:
            return finalize(rows, sc, k, key_of)
        kk = min(m, kk * 4)


def exact_subset(vectors: np.ndarray, idx: np.ndarray, queries: np.ndarray, k: int, key_of):
    """Exact top-k of each query over rows ``idx`` (shared by all queries).

    One query: :func:`exact_by_idx` (no copy). Several: one gather, one matrix product (compute-bound).
    """
    out = []
    if len(idx) == 0:
        return [(np.empty(0, np.int64), np.empty(0, np.float32)) for _ in range(len(queries))]
    if len(queries) == 1:
        return [exact_by_idx(vectors, idx, queries[0], k, key_of)]
    s = scores(vectors, queries, idx)  # (q, m)
    for i in range(len(queries)):
        row = s[i]
        if len(idx) > k:
            top = np.argpartition(-row, k - 1)[:k]
            kth = row[top].min()
            top = np.flatnonzero(row >= kth)
        else:
            top = np.arange(len(idx))
        out.append(finalize(idx[top], row[top], k, key_of))
    return out


def exact_full(vectors: np.ndarray, queries: np.ndarray, k: int, masks: np.ndarray, key_of,
               block_bytes: int = 128 << 20):
    """Exact top-k by scanning all rows; ``masks`` is (n,) shared or (q, n) per query."""
    n = len(vectors)
    q = len(queries)
    per_query = masks.ndim == 2
    qb = max(1, block_bytes // max(1, 4 * n))
    out = []
    for a in range(0, q, qb):
        b = min(q, a + qb)
        s = scores(vectors, queries[a:b])  # (qb, n)
        if per_query:
            s[~masks[a:b]] = -np.inf
        else:
            s[:, ~masks] = -np.inf
        kk = min(k, n)
        top = np.argpartition(-s, kk - 1, axis=1)[:, :kk] if kk < n else np.tile(np.arange(n), (b - a, 1))
        for j in range(b - a):
            row = s[j]
            t = top[j]
            kth = row[t].min()
            if np.isfinite(kth):
                cand = np.flatnonzero(row >= kth)
            else:
                cand = t[np.isfinite(row[t])]
            out.append(finalize(cand.astype(np.int64), row[cand], k, key_of))
    return out


def bitmap_selector(mask: np.ndarray):
    """faiss ``IDSelectorBitmap`` for a bool mask; returns (selector, bitmap) - keep both alive."""
    bits = np.packbits(mask, bitorder="little")
    return faiss.IDSelectorBitmap(len(bits), faiss.swig_ptr(bits)), bits


def ivf_search(ann, queries: np.ndarray, k: int, mask: np.ndarray | None, n_rows: int, nprobe: int):
    """Search the IVF index restricted to ``mask`` (or rows < n_rows when mask is None).

    Returns (D, I) with ids < 0 for missing results.
    """
    keep = []
    if mask is None:
        sel = None if ann.ntotal == n_rows else faiss.IDSelectorRange(0, n_rows)
    else:
        sel, bits = bitmap_selector(mask)
        keep.append(bits)
    params = faiss.SearchParametersIVF(sel=sel, nprobe=int(nprobe)) if sel is not None else \
        faiss.SearchParametersIVF(nprobe=int(nprobe))
    D, I = ann.search(np.ascontiguousarray(queries, np.float32), k, params=params)
    del keep
    return D, I


def build_ivf(vectors: np.ndarray, settings: PlannerSettings, seed: int = 1234):
    """Train an ``IndexIVFFlat`` (inner product) on a sample of ``vectors`` and add them all."""
    n, d = vectors.shape
    nlist = settings.nlist_for(n)
    quantizer = faiss.IndexFlatIP(d)
    ivf = faiss.IndexIVFFlat(quantizer, d, nlist, faiss.METRIC_INNER_PRODUCT)
    ivf.cp.seed = seed
    ivf.cp.niter = settings.train_iters
    rng = np.random.default_rng(seed)
    ts = min(n, settings.train_per_list * nlist)
    sample = vectors[np.sort(rng.choice(n, ts, replace=False))] if ts < n else np.asarray(vectors)
    ivf.train(np.ascontiguousarray(sample, np.float32))
    ivf.own_fields = True
    quantizer.this.disown()
    add_in_chunks(ivf, vectors, 0)
    return ivf


def tune_nprobe(ivf, vectors: np.ndarray, settings: PlannerSettings, k: int = 10, seed: int = 99) -> int:
    """Smallest nprobe (doubling from 4) whose recall@k on sampled rows as queries reaches the target.

    Queries are rows of the index with themselves excluded from both answers; ground truth is exact.
    Never returns less than ``nprobe_base``'s quarter or more than nlist.
    """
    n = len(vectors)
    nq = min(settings.tune_queries, n)
    if nq == 0 or n <= k + 1:
        return settings.nprobe_base
    rng = np.random.default_rng(seed)
    qi = np.sort(rng.choice(n, nq, replace=False))
    Q, truth = _self_truth(vectors, qi, k)
    p = 4
    while True:
        rec = _recall(ivf, Q, qi, truth, p, k)
        if rec >= settings.tune_recall or p >= ivf.nlist:
            return int(min(ivf.nlist, max(p, settings.nprobe_base // 4)))
        p *= 2


def _self_truth(vectors: np.ndarray, qi: np.ndarray, k: int) -> tuple[np.ndarray, list[set]]:
    """Rows ``qi`` as queries and their exact top-k neighbours among all rows, themselves excluded."""
    n, nq = len(vectors), len(qi)
    Q = np.ascontiguousarray(np.take(vectors, qi, axis=0), np.float32)
    best = np.full((nq, k + 1), -np.inf, np.float32)
    best_i = np.full((nq, k + 1), -1, np.int64)
    for a in range(0, n, 131072):
        b = min(n, a + 131072)
        sc = Q @ np.asarray(vectors[a:b], np.float32).T
        allsc = np.concatenate([best, sc], axis=1)
        alli = np.concatenate([best_i, np.broadcast_to(np.arange(a, b), sc.shape)], axis=1)
        top = np.argpartition(-allsc, k, axis=1)[:, :k + 1]
        best, best_i = np.take_along_axis(allsc, top, 1), np.take_along_axis(alli, top, 1)
    return Q, [set(best_i[j].tolist()) - {int(qi[j])} for j in range(nq)]


def _recall(ivf, Q: np.ndarray, qi: np.ndarray, truth: list[set], nprobe: int, k: int) -> float:
    _, I = ivf.search(Q, k + 1, params=faiss.SearchParametersIVF(nprobe=int(nprobe)))
    return float(np.mean([len((set(I[j].tolist()) - {int(qi[j])}) & truth[j]) / max(1, len(truth[j]))
                          for j in range(len(qi))]))


def probe_recall(ivf, vectors: np.ndarray, rows: np.ndarray, nprobe: int, settings: PlannerSettings,
                 k: int = 10, seed: int = 7) -> float:
    """recall@k of the IVF index at ``nprobe`` with a sample of ``rows`` (e.g. rows added since training) as
    queries, against exact search over all rows (themselves excluded)."""
    rows = np.asarray(rows, np.int64)
    if len(rows) == 0 or len(vectors) <= k + 1:
        return 1.0
    rng = np.random.default_rng(seed)
    qi = np.sort(rng.choice(rows, min(len(rows), settings.recall_probe_queries), replace=False))
    Q, truth = _self_truth(vectors, qi, k)
    return _recall(ivf, Q, qi, truth, nprobe, k)


def add_in_chunks(ivf, vectors: np.ndarray, start: int, chunk: int = 65536) -> None:
    for a in range(start, len(vectors), chunk):
        ivf.add(np.ascontiguousarray(vectors[a:a + chunk], np.float32))


def as_masks(mask, masks, q: int, n: int, alive: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Normalise the caller's mask(s) AND alive: returns (shared (n,), None) or (None, per-query (q, n)).

    Masks shorter than ``n`` (computed before rows were appended) are padded with False.
    """

    def fix(m):
        m = np.asarray(m, np.bool_)
        if m.shape[-1] > n:
            raise ValueError(f"mask has {m.shape[-1]} rows but the index snapshot has {n}; "
                             "compute masks from the same snapshot you search (JobIndex.snapshot())")
        if m.shape[-1] < n:
            pad = np.zeros(m.shape[:-1] + (n - m.shape[-1],), np.bool_)
            m = np.concatenate([m, pad], axis=-1)
        return m

    if masks is not None:
        if mask is not None:
            raise ValueError("pass either mask (shared) or masks (per query), not both")
        if isinstance(masks, Sequence) and not isinstance(masks, np.ndarray):
            masks = np.stack([fix(m) for m in masks]) if len(masks) else np.zeros((0, n), np.bool_)
        else:
            masks = fix(masks)
        if masks.ndim != 2 or masks.shape[0] != q:
            raise ValueError(f"masks must be (n_queries={q}, n_rows); got {masks.shape}")
        return None, masks & alive
    if mask is None:
        return alive, None
    mask = fix(mask)
    if mask.ndim == 2:
        return as_masks(None, mask, q, n, alive)
    return mask & alive, None
