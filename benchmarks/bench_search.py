"""Filtered vector search benchmark: JobIndex planner vs exact brute force (and a faiss flat peer).

    .venv/bin/python benchmarks/bench_search.py --sizes 100000 1000000 --queries 200
    .venv/bin/python benchmarks/bench_search.py --sizes 1000000 --variant subset_max=0 --variant subset_max=1000000
        # the same data with IVF only / exact only: where the planner should switch
    .venv/bin/python benchmarks/bench_search.py --quick          # 20k rows, 50 queries, a smoke run
    .venv/bin/python benchmarks/bench_search.py --real jobmatch-data/index

Synthetic data: seeded, 384-d, a gaussian mixture (clustered like sentence embeddings), normalised;
filter columns like postings (80% bachelor, months 0-180, 20% remote, points around 300 cities).
Selectivity masks are geographic (``any_point_within`` around a city, radius searched to hit the
target) so they correlate with the column data the way a real location filter does.
Prints a table and writes ``benchmarks/results/search.json`` with the hardware and load.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

import faiss
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common  # noqa: E402

from index import ColumnRow, JobIndex, PlannerSettings  # noqa: E402

DIM = 384
SELECTIVITIES = [1.0, 0.1, 0.05, 0.01, 0.001]


def hardware() -> dict:
    return {**_common.hardware(), "faiss_threads": faiss.omp_get_max_threads(), "faiss": faiss.__version__,
            "numpy": np.__version__}


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def synthetic_vectors(n: int, seed: int, topics: int = 2000, subtopics: int = 25, center_seed: int = 0) -> np.ndarray:
    """Two-level gaussian mixture (200 topics x 50 subtopics), normalised.

    Chosen to be hard for IVF (top-10 cosine ~0.4-0.5, the 100th ~0.3, unrelated ~0): many small
    families of similar postings rather than a few well separated clusters.
    """
    crng = np.random.default_rng(center_seed)
    top = crng.standard_normal((topics, DIM)).astype(np.float32) / np.sqrt(DIM)
    sub = (np.repeat(top, subtopics, axis=0)
           + 0.8 * crng.standard_normal((topics * subtopics, DIM)).astype(np.float32) / np.sqrt(DIM))
    rng = np.random.default_rng(seed)
    out = np.empty((n, DIM), np.float32)
    for a in range(0, n, 100_000):
        b = min(n, a + 100_000)
        x = sub[rng.integers(0, len(sub), b - a)] + 1.0 * rng.standard_normal((b - a, DIM)).astype(np.float32) / np.sqrt(DIM)
        out[a:b] = x / np.linalg.norm(x, axis=1, keepdims=True)
    return out


def cities(seed: int = 7, count: int = 300) -> tuple[np.ndarray, np.ndarray]:
    """~300 city centres in the US and Europe with Zipf-like weights."""
    rng = np.random.default_rng(seed)
    us = np.column_stack([rng.uniform(26, 48, count * 2 // 3), rng.uniform(-123, -71, count * 2 // 3)])
    eu = np.column_stack([rng.uniform(37, 60, count - len(us)), rng.uniform(-9, 28, count - len(us))])
    pts = np.vstack([us, eu])
    w = 1.0 / np.arange(1, count + 1) ** 0.8
    return pts, w / w.sum()


def synthetic_rows(n: int, seed: int) -> list[ColumnRow]:
    rng = np.random.default_rng(seed)
    pts, w = cities()
    deg = rng.choice([-1, 0, 1, 2, 3, 4], n, p=[.05, .03, .04, .03, .80, .05])
    months = np.where(rng.random(n) < .05, -1, rng.integers(0, 181, n))
    remote = rng.random(n) < .2
    nloc = np.where(remote, 0, rng.choice([1, 1, 1, 2, 3], n))
    city = rng.choice(len(pts), nloc.sum(), p=w)
    jitter = rng.normal(0, 0.15, (len(city), 2))
    vt = np.where(rng.random(n) < .3, np.inf, rng.uniform(1.70e9, 1.80e9, n))
    rows, j = [], 0
    for i in range(n):
        p = tuple((float(pts[c, 0] + jitter[j + t, 0]), float(pts[c, 1] + jitter[j + t, 1]))
                  for t, c in enumerate(city[j:j + nloc[i]]))
        j += nloc[i]
        cc = ("US",) if p and p[0][1] < -30 else (("DE",) if p else ())
        rows.append(ColumnRow(degree=int(deg[i]), months=int(months[i]),
                              valid_through=None if np.isinf(vt[i]) else float(vt[i]), remote=bool(remote[i]),
                              points=p, countries=cc,
                              applicant_countries=("US",) if remote[i] and rng.random() < .5 else ()))
    return rows


def masks_for(snap, sel: float, n_masks: int, seed: int) -> list[np.ndarray]:
    """Geographic masks hitting ~sel of the rows (radius found by bisection around random cities)."""
    if sel >= 1.0:
        return [snap.alive.copy()]
    rng = np.random.default_rng(seed)
    pts, w = cities()
    n = snap.n_rows
    out = []
    tries = 0
    while len(out) < n_masks and tries < 50 * n_masks:
        tries += 1
        lat, lon = pts[rng.choice(len(pts), p=w)]
        lo, hi = 0.0, 5000.0
        m = None
        for _ in range(30):
            mid = (lo + hi) / 2
            m = snap.columns.any_point_within(lat, lon, mid)
            c = m.sum() / n
            if abs(c - sel) <= 0.1 * sel:
                break
            lo, hi = (mid, hi) if c < sel else (lo, mid)
        if m is not None and abs(m.sum() / n - sel) <= 0.25 * sel:
            out.append(m)
    if not out:  # fall back to a random mask of that size
        m = np.zeros(n, bool)
        m[rng.choice(n, max(1, int(sel * n)), replace=False)] = True
        out.append(m)
    return out


def ground_truth(X: np.ndarray, Q: np.ndarray, masks: list[np.ndarray], k: int) -> list[np.ndarray]:
    """Exact filtered top-k row ids by brute force (batched matrix products, chunked over rows)."""
    nq = len(Q)
    best_s = np.full((nq, k), -np.inf, np.float32)
    best_i = np.full((nq, k), -1, np.int64)
    M = np.stack([masks[i % len(masks)] for i in range(nq)])
    for a in range(0, len(X), 200_000):
        b = min(len(X), a + 200_000)
        s = Q @ X[a:b].T
        s[~M[:, a:b]] = -np.inf
        s_all = np.concatenate([best_s, s], axis=1)
        i_all = np.concatenate([best_i, np.broadcast_to(np.arange(a, b), s.shape)], axis=1)
        top = np.argsort(-s_all, axis=1, kind="stable")[:, :k]
        best_s = np.take_along_axis(s_all, top, 1)
        best_i = np.take_along_axis(i_all, top, 1)
    return [bi[np.isfinite(bs)] for bs, bi in zip(best_s, best_i, strict=True)]


def pct(xs, p):
    return float(np.percentile(np.asarray(xs) * 1000, p)) if len(xs) else float("nan")


def tie_recall(got: np.ndarray, truth: np.ndarray, X: np.ndarray, q: np.ndarray, eps: float = 1e-5) -> float:
    """recall@k that counts ties as hits: a returned row is right when its exact score reaches the k-th true
    score. Real postings have identical vectors (the same posting text at several places), so which of the
    tied rows fills the last places is arbitrary; plain set overlap would call a correct answer wrong."""
    truth = np.asarray(truth)
    if truth.size == 0:
        return 1.0
    kth = float(np.min(np.asarray(X)[truth] @ q))
    got = np.asarray(got)
    hits = int(np.sum(np.asarray(X)[got] @ q >= kth - eps)) if got.size else 0
    return min(hits, truth.size) / truth.size


def run_size(n: int, args, X=None, ix=None, label=None) -> list[dict]:
    rows_out = []
    t0 = time.perf_counter()
    settings = args.settings
    if ix is None:
        X = synthetic_vectors(n, seed=args.seed)
        rows = synthetic_rows(n, seed=args.seed)
        gen_s = time.perf_counter() - t0
        ix = JobIndex.create("/tmp/bench-unsaved", dim=DIM, model_id="bench", settings=settings)
        t1 = time.perf_counter()
        for a in range(0, n, 100_000):
            ix.upsert([f"job-{i:08d}" for i in range(a, min(n, a + 100_000))], X[a:a + 100_000], rows[a:a + 100_000])
        del rows
        ingest_s = time.perf_counter() - t1
    else:
        gen_s = ingest_s = 0.0
    ann_s = None
    if len(ix) >= settings.ann_min_rows or args.force_ann:
        t1 = time.perf_counter()
        ix.build_ann()
        ann_s = time.perf_counter() - t1
    snap = ix.snapshot()
    X = snap.vectors if X is None else X
    label = label or f"synthetic-{n}"
    print(f"\n== {label}: rows {snap.n_rows}, gen {gen_s:.1f}s, ingest {ingest_s:.1f}s, "
          f"ann build {ann_s if ann_s is None else round(ann_s, 1)}s, nlist "
          f"{snap.ann.nlist if snap.ann else '-'}, rss {rss_mb():.0f} MB, load {load()}", flush=True)
    Q = synthetic_vectors(args.queries, seed=args.seed + 1)  # fresh draws from the same mixture
    k = 10
    flat_peer = None
    variants = [("default", settings)] + [
        (v, PlannerSettings(**{**settings.__dict__, **parse_sets([v])})) for v in args.variant]
    for sel in args.selectivities:
        masks = masks_for(snap, sel, n_masks=8, seed=args.seed + int(sel * 1e6))
        real_sel = float(np.mean([m.sum() for m in masks]) / snap.n_rows)
        truth = ground_truth(np.asarray(X), Q, masks, k)
        for (vname, vset), omp in [(v, t) for t in args.omp_threads for v in variants]:
            if omp:
                faiss.omp_set_num_threads(omp)
                vname = f"{vname}/omp{omp}"
            ix.set_settings(vset)
            snap = ix.snapshot()
            for q in Q[:3]:  # warm-up
                snap.search(q[None], k, mask=masks[0])
            lat, cpu, recalls, plans, nprobes = [], [], [], {}, set()
            for i, q in enumerate(Q):
                m = masks[i % len(masks)]
                t, c = time.perf_counter(), time.process_time()
                r = snap.search(q[None], k, mask=m)
                lat.append(time.perf_counter() - t)
                cpu.append(time.process_time() - c)
                recalls.append(tie_recall(r.rows[0], truth[i], X, q))
                plans[r.plans[0]] = plans.get(r.plans[0], 0) + 1
                nprobes.add(r.nprobe[0])
            M = np.stack([masks[i % len(masks)] for i in range(len(Q))])
            t = time.perf_counter()
            rb = snap.search(Q, k, masks=M) if sel < 1.0 else snap.search(Q, k)
            batch_s = time.perf_counter() - t
            b_recall = float(np.mean([tie_recall(rb.rows[i], truth[i], X, Q[i]) for i in range(len(Q))]))
            # peer: exact full scan (numpy, one query at a time) on a few queries
            peer = []
            for i, q in enumerate(Q[:min(10, len(Q))]):
                t = time.perf_counter()
                s = np.asarray(X) @ q
                s[~masks[i % len(masks)]] = -np.inf
                np.argpartition(-s, k)[:k]
                peer.append(time.perf_counter() - t)
            # peer for small subsets: faiss IndexFlatIP + IDSelectorBatch (vs our numpy gather)
            if sel <= 0.01:
                if flat_peer is None:
                    flat_peer = faiss.IndexFlatIP(DIM)
                    flat_peer.add(np.asarray(X, np.float32))
                fl = []
                for i, q in enumerate(Q[:min(20, len(Q))]):
                    ids = np.flatnonzero(masks[i % len(masks)]).astype(np.int64)
                    t = time.perf_counter()
                    sel_b = faiss.IDSelectorBatch(len(ids), faiss.swig_ptr(ids))
                    flat_peer.search(q[None], k, params=faiss.SearchParameters(sel=sel_b))
                    fl.append(time.perf_counter() - t)
                faiss_sel_p50 = pct(fl, 50)
            else:
                faiss_sel_p50 = None
            row = {"dataset": label, "variant": vname, "rows": snap.n_rows, "target_selectivity": sel, "selectivity": round(real_sel, 5),
                   "plans": plans, "nprobe": sorted(x for x in nprobes if x is not None),
                   "p50_ms": round(pct(lat, 50), 3), "p99_ms": round(pct(lat, 99), 3),
                   # CPU time of the whole process (every faiss/BLAS thread) per query: what the load does not inflate
                   "cpu_p50_ms": round(pct(cpu, 50), 3), "cpu_mean_ms": round(float(np.mean(cpu)) * 1000, 3),
                   "omp_threads": faiss.omp_get_max_threads(),
                   "recall@10": round(float(np.mean(recalls)), 4), "min_recall@10": round(float(np.min(recalls)), 3),
                   "batch_qps": round(len(Q) / batch_s, 1), "batch_recall@10": round(b_recall, 4),
                   "bruteforce_p50_ms": round(pct(peer, 50), 3),
                   "faiss_flat_idselector_p50_ms": None if faiss_sel_p50 is None else round(faiss_sel_p50, 3),
                   "queries": len(Q), "ann_build_s": None if ann_s is None else round(ann_s, 2),
                   "ingest_s": round(ingest_s, 2), "rss_mb": round(rss_mb()), "load": load()}
            rows_out.append(row)
            print(f"{label[:18]:>18} {vname[:34]:>34} sel {real_sel:8.4f} {str(plans):>36} p50 {row['p50_ms']:8.2f} ms  p99 {row['p99_ms']:8.2f} ms"
                  f"  cpu p50 {row['cpu_p50_ms']:6.2f} ms  recall {row['recall@10']:.4f} (min {row['min_recall@10']:.2f})  batch {row['batch_qps']:8.1f} q/s"
                  f"  brute p50 {row['bruteforce_p50_ms']:7.2f} ms"
                  + (f"  faiss-flat+sel p50 {faiss_sel_p50:6.2f} ms" if faiss_sel_p50 is not None else ""), flush=True)
    if snap.ann is not None and args.sweep:
        print("   nprobe sweep (unfiltered):", flush=True)
        truth = ground_truth(np.asarray(X), Q, [snap.alive], k)
        for p in args.sweep_nprobe:
            lat, rec = [], []
            for i, q in enumerate(Q):
                t = time.perf_counter()
                _, I = snap.ann.ivf.search(q[None], k, params=faiss.SearchParametersIVF(nprobe=p))
                lat.append(time.perf_counter() - t)
                rec.append(len(set(I[0].tolist()) & set(truth[i].tolist())) / k)
            print(f"     nprobe {p:3d}: p50 {pct(lat, 50):7.2f} ms  recall {np.mean(rec):.4f}", flush=True)
            rows_out.append({"dataset": label, "rows": snap.n_rows, "sweep_nprobe": p, "p50_ms": round(pct(lat, 50), 3),
                             "recall@10": round(float(np.mean(rec)), 4), "load": load()})
    del flat_peer
    return rows_out


def parse_sets(items) -> dict:
    """["subset_max=5000", ...] -> {"subset_max": 5000} typed like the PlannerSettings field."""
    out = {}
    for kv in items:
        for part in kv.split(","):
            name, _, value = part.partition("=")
            out[name] = type(getattr(PlannerSettings(), name) or 0)(value)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--selectivities", type=float, nargs="+", default=SELECTIVITIES)
    ap.add_argument("--quick", action="store_true", help="20k rows, 50 queries")
    ap.add_argument("--real", type=Path, help="also run on a saved JobIndex directory")
    ap.add_argument("--force-ann", action="store_true", help="build the IVF index even below ann_min_rows")
    ap.add_argument("--sweep", action="store_true", help="nprobe sweep when an IVF index exists")
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                    help="override a PlannerSettings field, e.g. --set subset_max=50000")
    ap.add_argument("--variant", action="append", default=[], metavar="NAME=VALUE[,NAME=VALUE]",
                    help="also measure the search phase with these settings (same data, same ground truth)")
    ap.add_argument("--sweep-nprobe", type=int, nargs="+", default=[8, 16, 32, 64, 128, 256])
    ap.add_argument("--omp-threads", type=int, nargs="+", default=[0],
                    help="faiss OpenMP threads for the search phase, each measured (0: faiss's default)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "results" / "search.json")
    args = ap.parse_args(argv)
    if args.quick:
        args.sizes, args.queries = [20_000], min(args.queries, 50)
    args.settings = PlannerSettings(**parse_sets(args.set))
    info = {"hardware": hardware(), "load_start": load(), "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "settings": args.settings.__dict__, "args": {k: str(v) for k, v in vars(args).items()}}
    print(f"hardware {info['hardware']}  load {info['load_start']}")
    results = []
    for n in args.sizes:
        results += run_size(n, args)
    if args.real:
        ix = JobIndex.open(args.real, mmap=False)
        results += run_size(ix.n_rows, args, ix=ix, label=f"real:{args.real.name}")
    info["load_end"] = load()
    info["results"] = results
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(info, indent=2))
    print(f"\nwrote {args.out}  (load at end {info['load_end']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
