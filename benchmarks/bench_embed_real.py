"""Embedding cost and agreement on the real corpus, the way the service embeds.

    .venv/bin/python benchmarks/bench_embed_real.py --speed 256 --queries 280          # ~6 min idle
    .venv/bin/python benchmarks/bench_embed_real.py --backends onnx,onnx-int8 --budgets 256,100000

Postings are the distinct postings of ``linkedin_tech_2021.jsonl`` read by the project's own reader
(6,665 of 7,684 lines), embedded with :func:`matcher.posting_index.embed_postings` (title + head of the
description, two short windows); queries are real resumes (livecareer text + the plain-text resumes) embedded
with :meth:`Embedder.embed_query` (``query_windows`` windows), as ``jobmatch match`` does.

Speed: **CPU time** (``time.thread_time``, one intra-op thread, so the process's own work whatever the load)
and wall time per posting (``embed_postings`` over ``--speed`` postings) and per query (one at a time), per
backend and ``max_batch_tokens`` budget; the 1-minute load average beside each.

Agreement, against ``--reference`` (onnx fp32 at the default budget): cosine of the posting and query vectors,
and top-10 agreement — the share of each query's dense top-10 over the whole corpus that the reference's
top-10 also holds (mean over queries; ``tie-aware`` also counts a posting whose reference score equals the
reference's 10th score within 1e-6). Vectors of a (backend, budget) are cached under ``--cache`` so a
second run only embeds what is new.

Extra graphs: ``--graph NAME=PATH.onnx`` runs an ONNX file (same inputs/outputs as the shipped export) as
backend ``NAME``, to try a quantisation recipe before it becomes a backend. Writes
``benchmarks/results/embed_real.json`` (``--out``).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import SHARED, hardware, write_json  # noqa: E402
from matcher.embed import Embedder  # noqa: E402
from matcher.embed.embedder import MAX_BATCH_TOKENS  # noqa: E402
from matcher.settings import Settings  # noqa: E402


def load_postings(path: Path) -> list:
    from matcher.postings import read_path

    by_id: dict[str, object] = {}
    for r in read_path(path, geocode_missing=False):
        if r.ok and r.posting is not None:
            by_id[r.posting.id] = r.posting
    return [by_id[k] for k in sorted(by_id)]


def load_queries(n: int) -> list[str]:
    from matcher.ranking import query_text_for_embedding

    live = [json.loads(line)["text"] for line in open(SHARED / "data/resumes/livecareer/resumes.jsonl", encoding="utf-8")]
    live = [t for t in live if t.strip()]
    plain = [json.loads(line).get("text") or json.loads(line).get("resume") or ""
             for line in open(SHARED / "data/resumes/updated_resume_dataset/resumes.jsonl", encoding="utf-8")]
    plain = [t for t in plain if t.strip()]
    n_plain = min(len(plain), max(0, n // 4))
    step = max(1, len(live) // max(1, n - n_plain))  # spread over the 24 categories
    texts = live[::step][: n - n_plain] + plain[:n_plain]
    return [query_text_for_embedding(t) for t in texts]


def make_embedder(backend: str, budget: int, graphs: dict[str, Path], model: str, cache_dir: Path | None) -> Embedder:
    if backend in graphs:
        from matcher.embed.onnx_backend import OnnxBackend

        emb = Embedder(model, threads=1, backend="onnx", cache_dir=cache_dir, max_batch_tokens=budget)
        emb._backend = OnnxBackend(graphs[backend], 1)
        emb.backend = backend
        return emb
    return Embedder(model, threads=1, backend=backend, cache_dir=cache_dir, max_batch_tokens=budget)


def posting_vectors(emb: Embedder, postings: list) -> np.ndarray:
    from matcher.posting_index import embed_postings

    return embed_postings(emb, [p.title for p in postings], [p.company for p in postings],
                          [p.description for p in postings])


def query_vectors(emb: Embedder, queries: list[str], windows: int) -> np.ndarray:
    return np.stack([emb.embed_query(q, max_windows=windows) for q in queries]) if queries else np.zeros((0, emb.dim))


def timed(fn, *args) -> tuple[object, float, float]:
    t0, c0 = time.perf_counter(), time.thread_time()
    out = fn(*args)
    return out, time.thread_time() - c0, time.perf_counter() - t0


def top_k(q: np.ndarray, d: np.ndarray, k: int = 10) -> np.ndarray:
    scores = q @ d.T
    part = np.argpartition(-scores, kth=k, axis=1)[:, :k]
    rows = np.arange(q.shape[0])[:, None]
    return part[rows, np.argsort(-scores[rows, part], axis=1)]


def agreement(q: np.ndarray, d: np.ndarray, ref_q: np.ndarray, ref_d: np.ndarray, k: int = 10) -> dict:
    got, ref = top_k(q, d, k), top_k(ref_q, ref_d, k)
    ref_scores = ref_q @ ref_d.T
    plain, tie = [], []
    for i in range(len(q)):
        kth = ref_scores[i, ref[i, -1]]
        plain.append(len(set(got[i]) & set(ref[i])) / k)
        tie.append(sum(1 for j in got[i] if j in set(ref[i]) or ref_scores[i, j] >= kth - 1e-6) / k)
    cd, cq = (d * ref_d).sum(1), (q * ref_q).sum(1)
    return {"top10_agreement": round(float(np.mean(plain)), 4), "top10_tie_aware": round(float(np.mean(tie)), 4),
            "queries_all_10": int(sum(p == 1.0 for p in plain)), "min_query_agreement": round(float(min(plain)), 2),
            "cos_postings_mean": round(float(cd.mean()), 6), "cos_postings_min": round(float(cd.min()), 6),
            "cos_queries_mean": round(float(cq.mean()), 6), "cos_queries_min": round(float(cq.min()), 6)}


def main(argv: list[str] | None = None) -> int:
    s = Settings()
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--jobs", type=Path, default=SHARED / "data/jobs/linkedin_tech_2021.jsonl")
    ap.add_argument("--queries", type=int, default=280, help="real resumes (3/4 livecareer, 1/4 plain text)")
    ap.add_argument("--backends", default="onnx,onnx-int8")
    ap.add_argument("--graph", action="append", default=[], help="NAME=PATH.onnx: an extra ONNX graph as a backend")
    ap.add_argument("--budgets", default=str(MAX_BATCH_TOKENS), help="max_batch_tokens values to time")
    ap.add_argument("--reference", default=f"onnx@{MAX_BATCH_TOKENS}", help="BACKEND@BUDGET the others are compared with")
    ap.add_argument("--speed", type=int, default=256, help="postings timed per setting (0: no speed runs)")
    ap.add_argument("--speed-queries", type=int, default=40, help="queries timed one at a time per setting")
    ap.add_argument("--no-agreement", action="store_true")
    ap.add_argument("--cache", type=Path, default=Path("/tmp/jobmatch-embed-real"))
    ap.add_argument("--model", default=s.model)
    ap.add_argument("--out", default="embed_real.json")
    args = ap.parse_args(argv)

    graphs = dict((kv.split("=", 1)[0], Path(kv.split("=", 1)[1])) for kv in args.graph)
    backends = [b.strip() for b in args.backends.split(",") if b.strip()] + [g for g in graphs if g not in args.backends]
    budgets = [int(b) for b in args.budgets.split(",") if b.strip()]
    postings = load_postings(args.jobs)
    queries = load_queries(args.queries)
    tag = hashlib.sha256("\n".join(p.id for p in postings).encode() + "\n".join(queries).encode()).hexdigest()[:12]
    args.cache.mkdir(parents=True, exist_ok=True)
    result: dict = {"hardware": hardware(), "load_start": os.getloadavg(), "postings": len(postings),
                    "queries": len(queries), "query_windows": s.query_windows,
                    "args": {k: str(v) for k, v in vars(args).items()}, "speed": [], "agreement": {}}
    print(f"# {len(postings)} distinct postings, {len(queries)} queries; load {os.getloadavg()}", flush=True)

    vectors: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    settings = [(b, w) for b in backends for w in budgets]
    ref_b, ref_w = args.reference.split("@")
    if (ref_b, int(ref_w)) not in settings and not args.no_agreement:
        settings.insert(0, (ref_b, int(ref_w)))
    print(f"{'backend':<14} {'budget':>6} {'cpu ms/posting':>14} {'wall':>6} {'cpu ms/query':>12} {'wall':>6} {'load':>5}")
    for backend, budget in settings:
        name = f"{backend}@{budget}"
        emb = make_embedder(backend, budget, graphs, args.model, s.model_cache_dir)
        if args.speed:
            sub, qs = postings[: args.speed], queries[: args.speed_queries]
            posting_vectors(emb, sub[:16])  # warm-up
            _, pc, pw = timed(posting_vectors, emb, sub)
            _, qc, qw = timed(query_vectors, emb, qs, s.query_windows)
            r = {"backend": backend, "max_batch_tokens": budget, "postings": len(sub), "queries": len(qs),
                 "cpu_ms_per_posting": round(1000 * pc / len(sub), 2), "wall_ms_per_posting": round(1000 * pw / len(sub), 2),
                 "postings_per_cpu_s": round(len(sub) / pc, 1),
                 "cpu_ms_per_query": round(1000 * qc / len(qs), 2), "wall_ms_per_query": round(1000 * qw / len(qs), 2),
                 "load_1min": round(os.getloadavg()[0], 2)}
            result["speed"].append(r)
            print(f"{backend:<14} {budget:>6} {r['cpu_ms_per_posting']:>14.2f} {r['wall_ms_per_posting']:>6.1f} "
                  f"{r['cpu_ms_per_query']:>12.2f} {r['wall_ms_per_query']:>6.1f} {r['load_1min']:>5.1f}", flush=True)
        if not args.no_agreement:
            cache = args.cache / f"{tag}-{name.replace('/', '_')}.npz"
            if cache.is_file() and backend not in graphs:
                z = np.load(cache)
                vectors[name] = (z["d"], z["q"])
            else:
                d, q = posting_vectors(emb, postings), query_vectors(emb, queries, s.query_windows)
                vectors[name] = (d, q)
                if backend not in graphs:
                    np.savez(cache, d=d, q=q)
        del emb

    if not args.no_agreement:
        ref = vectors[args.reference]
        print(f"\nagreement with {args.reference} ({len(postings)} postings, {len(queries)} queries)")
        for name, (d, q) in vectors.items():
            a = agreement(q, d, ref[1], ref[0])
            result["agreement"][name] = a
            print(f"  {name:<22} top-10 {a['top10_agreement']:.4f} (tie-aware {a['top10_tie_aware']:.4f}, "
                  f"{a['queries_all_10']}/{len(queries)} all 10, min {a['min_query_agreement']:.1f})  "
                  f"cos postings {a['cos_postings_mean']:.6f} (min {a['cos_postings_min']:.6f}) "
                  f"queries {a['cos_queries_mean']:.6f}", flush=True)
    result["load_end"] = os.getloadavg()
    print(f"\nwrote {write_json(args.out, result)}; load {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
