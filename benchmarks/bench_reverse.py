"""Reverse filtered search benchmark: candidates for a job over a synthetic candidate pool.

    .venv/bin/python benchmarks/bench_reverse.py --candidates 100000 --queries 200
    .venv/bin/python benchmarks/bench_reverse.py --quick        # 20k candidates, 50 queries

A seeded pool of unit 384-d resume vectors (a two-level gaussian mixture, as in bench_search.py) with candidate
filter columns like parsed resumes (degree unknown 15 %, months unknown 10 %, 20 % of places unknown, 15 % known
by country only, the rest at points around 300 cities) in an ``index.JobIndex`` (the same machinery the pool
uses), and synthetic postings with realistic requirements (no degree .. postgraduate, 0-120 months, on-site at a
city / country-only / remote with or without applicant countries). Per posting it times what
``CandidatePool.match_posting`` does before explanations:

* ``filters + dense``: the reverse rules (:func:`matcher.candidates.apply_reverse_filters`) and the planner's
  filtered top-k (k=10) — the target of issue 14 (p50 <= 10 ms at 100k);
* ``filters + dense + BM25``: the shipped hybrid ranking (:func:`matcher.candidates.rank_within`) with BM25 over
  synthetic resume texts (``--no-lexical`` skips building it);
* a brute-force peer in the same run: the mask, then a full numpy scan and argpartition.

Results are checked against the brute force (recall@10 counting ties). Prints a table and writes
``benchmarks/results/reverse.json`` with the hardware and the load average.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common  # noqa: E402
from bench_search import synthetic_vectors  # noqa: E402

from index import ColumnRow, JobIndex  # noqa: E402
from matcher.candidates import ReverseOptions, apply_reverse_filters, rank_within  # noqa: E402
from matcher.candidates.lexical import CandidateLexical  # noqa: E402

DIM = 384
COUNTRIES = ["US", "US", "US", "IN", "DE", "GB", "CA", "IL", "FR", "NL"]
WORDS = ("python java sql aws docker kubernetes react node django spark hadoop tableau excel nursing patient "
         "sales marketing accounting linux network security cisco azure gcp terraform golang rust scala "
         "tensorflow pytorch pandas statistics leadership agile scrum jira support helpdesk windows").split()


def cities(rng, n=300):
    lat = rng.uniform(-40, 60, n)
    lon = rng.uniform(-125, 140, n)
    cc = [COUNTRIES[i % len(COUNTRIES)] for i in range(n)]
    return lat, lon, cc


def candidate_rows(n: int, rng, city) -> list[ColumnRow]:
    clat, clon, ccc = city
    deg = rng.choice([-1, 1, 2, 3, 4], size=n, p=[0.15, 0.15, 0.1, 0.4, 0.2])
    months = np.where(rng.random(n) < 0.1, -1, rng.integers(0, 300, n))
    kind = rng.random(n)
    ci = rng.integers(0, len(clat), n)
    rows = []
    for i in range(n):
        if kind[i] < 0.2:
            pts, cc = (), ()
        elif kind[i] < 0.35:
            pts, cc = (), (ccc[ci[i]],)
        else:
            j = ci[i]
            pts = ((float(clat[j] + rng.normal(0, 0.2)), float(clon[j] + rng.normal(0, 0.2))),)
            cc = (ccc[j],)
        rows.append(ColumnRow(degree=int(deg[i]), months=int(months[i]), points=pts, countries=cc))
    return rows


def job_rows(q: int, rng, city) -> list[ColumnRow]:
    clat, clon, ccc = city
    out = []
    for _ in range(q):
        deg = int(rng.choice([0, 1, 2, 3, 4, -1], p=[0.2, 0.1, 0.05, 0.45, 0.15, 0.05]))
        months = int(rng.choice([0, 12, 24, 36, 60, 120, -1]))
        r = rng.random()
        j = int(rng.integers(0, len(clat)))
        if r < 0.6:
            out.append(ColumnRow(degree=deg, months=months, points=((float(clat[j]), float(clon[j])),),
                                 countries=(ccc[j],)))
        elif r < 0.7:
            out.append(ColumnRow(degree=deg, months=months, countries=(ccc[j],), country_only=(ccc[j],)))
        elif r < 0.85:
            out.append(ColumnRow(degree=deg, months=months, remote=True, applicant_countries=(ccc[j],)))
        else:
            out.append(ColumnRow(degree=deg, months=months, remote=True))
    return out


def brute(vectors, mask, q, k):
    idx = np.flatnonzero(mask)
    if not len(idx):
        return np.empty(0, np.int64), np.empty(0)
    s = vectors[idx] @ q
    top = np.argpartition(-s, min(k, len(s)) - 1)[:k] if len(s) > k else np.arange(len(s))
    o = np.lexsort((idx[top], -s[top]))
    return idx[top][o], s[top][o]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--candidates", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--seed", type=int, default=14)
    ap.add_argument("--no-lexical", action="store_true", help="skip the BM25 side (building it takes a while)")
    ap.add_argument("--quick", action="store_true", help="20k candidates, 50 queries")
    args = ap.parse_args()
    if args.quick:
        args.candidates, args.queries = 20_000, 50
    rng = np.random.default_rng(args.seed)
    load_before = _common.hardware()["load_avg"]
    t0 = time.perf_counter()
    vecs = synthetic_vectors(args.candidates, args.seed)
    city = cities(rng)
    rows = candidate_rows(args.candidates, rng, city)
    keys = [f"cd_{i:016x}" for i in range(args.candidates)]
    idx = JobIndex.create("/nonexistent-bench-reverse", dim=DIM, model_id="synthetic")
    idx.upsert(keys, vecs, rows)
    build_s = time.perf_counter() - t0
    lexical = None
    lex_s = None
    if not args.no_lexical:
        t0 = time.perf_counter()
        rng_text = np.random.default_rng(args.seed + 3)  # its own stream: the postings do not depend on it
        texts = {k: " ".join(rng_text.choice(WORDS, size=60)) for k in keys}
        lexical = CandidateLexical.build(texts)
        lex_s = time.perf_counter() - t0
    snap = idx.snapshot()
    queries = synthetic_vectors(args.queries, args.seed + 1)
    rng_jobs = np.random.default_rng(args.seed + 2)
    jobs = job_rows(args.queries, rng_jobs, city)
    opts = ReverseOptions(top_k=args.k)
    qtexts = [" ".join(rng_jobs.choice(WORDS, size=80)) for _ in range(args.queries)]

    def filtered_dense(i):
        mask, report = apply_reverse_filters(snap.columns, jobs[i], opts)
        res = snap.search(queries[i], args.k, mask)
        return mask, res

    for i in range(min(10, args.queries)):  # warm-up
        filtered_dense(i)
    # each measurement in its own loop, so that one does not evict the other's working set from the caches
    t_fd, t_bf, t_full, sel, recalls, plans, got_rows, c_fd = [], [], [], [], [], {}, [], []
    for i in range(args.queries):
        t, c = time.perf_counter(), time.process_time()
        mask, res = filtered_dense(i)
        t_fd.append((time.perf_counter() - t) * 1000)
        c_fd.append((time.process_time() - c) * 1000)  # CPU time of this process: what the wall time would be
        # without other processes taking the cores (the machine these numbers come from is shared)
        sel.append(np.count_nonzero(mask) / args.candidates)
        plans[res.plans[0]] = plans.get(res.plans[0], 0) + 1
        got_rows.append(res.rows[0])
    for i in range(args.queries):
        t = time.perf_counter()
        m2, _ = apply_reverse_filters(snap.columns, jobs[i], opts)
        rows_bf, s_bf = brute(vecs, m2 & snap.alive, queries[i], args.k)
        t_bf.append((time.perf_counter() - t) * 1000)
        if len(rows_bf):
            got_s = vecs[got_rows[i]] @ queries[i]
            recalls.append(min(1.0, float((got_s >= s_bf[-1] - 1e-6).sum()) / len(rows_bf)))
    if lexical is not None:
        scores_for = lexical.for_snapshot(snap)
        for i in range(args.queries):
            t = time.perf_counter()
            mask, _ = apply_reverse_filters(snap.columns, jobs[i], opts)
            rank_within(snap, scores_for, qtexts[i], queries[i], mask, args.k)
            t_full.append((time.perf_counter() - t) * 1000)
    load_after = _common.hardware()["load_avg"]
    res = {
        "candidates": args.candidates, "queries": args.queries, "k": args.k,
        "build_s": round(build_s, 1), "lexical_build_s": None if lex_s is None else round(lex_s, 1),
        "selectivity": {"p10": round(_common.pct(sel, 10), 4), "p50": round(_common.pct(sel, 50), 4),
                        "p90": round(_common.pct(sel, 90), 4)},
        "plans": plans,
        "filters_dense_ms": {"p50": round(_common.pct(t_fd, 50), 2), "p99": round(_common.pct(t_fd, 99), 2)},
        "filters_dense_cpu_ms": {"p50": round(_common.pct(c_fd, 50), 2), "p99": round(_common.pct(c_fd, 99), 2)},
        "brute_force_ms": {"p50": round(_common.pct(t_bf, 50), 2), "p99": round(_common.pct(t_bf, 99), 2)},
        "hybrid_ms": None if not t_full else {"p50": round(_common.pct(t_full, 50), 2),
                                              "p99": round(_common.pct(t_full, 99), 2)},
        "recall_at_k": {"mean": round(float(np.mean(recalls)), 4), "min": round(float(np.min(recalls)), 4)},
        "hardware": _common.hardware(), "load_before": load_before, "load_after": load_after,
    }
    print(f"reverse search over {args.candidates:,} synthetic candidates, {args.queries} postings, k={args.k} "
          f"(load {load_before} -> {load_after})")
    print(f"  eligible fraction p10/p50/p90: {res['selectivity']}; plans {plans}")
    print(f"  filters + dense         p50 {res['filters_dense_ms']['p50']:.2f} ms  p99 {res['filters_dense_ms']['p99']:.2f} ms")
    print(f"  filters + dense, CPU   p50 {res['filters_dense_cpu_ms']['p50']:.2f} ms  p99 {res['filters_dense_cpu_ms']['p99']:.2f} ms (process time)")
    print(f"  brute force (same mask) p50 {res['brute_force_ms']['p50']:.2f} ms  p99 {res['brute_force_ms']['p99']:.2f} ms")
    if t_full:
        print(f"  filters + dense + BM25  p50 {res['hybrid_ms']['p50']:.2f} ms  p99 {res['hybrid_ms']['p99']:.2f} ms")
    print(f"  recall@{args.k} vs brute force: mean {res['recall_at_k']['mean']}, min {res['recall_at_k']['min']}")
    path = _common.write_json("reverse.json" if not args.quick else "reverse-quick.json", res)
    print(f"  wrote {path}")


if __name__ == "__main__":
    main()
