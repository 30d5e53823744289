"""Ingest throughput: postings/s for reading + normalising alone, and for reading + storing in a fresh store.

    .venv/bin/python benchmarks/bench_ingest.py [--input FILE] [--repeats 3] [--limit N]
    .venv/bin/python benchmarks/bench_ingest.py --embed --limit 1000 --workers 1 2 [--engines local ray]

Prints a table and writes ``benchmarks/results/ingest.json``. Each measurement has one warm-up run
(imports, caches) and then ``--repeats`` timed runs; the table shows p50 and max wall time, and postings per
second of wall time and of process CPU time (the latter is robust to other load on a shared machine). The baseline in the same run is
plain ``json.loads`` of every line (the floor any reader pays).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from matcher.ingest import ingest_paths  # noqa: E402
from matcher.jobstore import JobStore  # noqa: E402
from matcher.postings import read_path  # noqa: E402

DEFAULT_INPUT = ROOT.parent / "shared" / "data" / "jobs" / "linkedin_tech_2021.jsonl"


def run_json(path: Path) -> int:
    n = 0
    with path.open("rb") as f:
        for line in f:
            json.loads(line)
            n += 1
    return n


def run_read(path: Path) -> int:
    return sum(1 for r in read_path(path, geocode_missing=False) if r.ok)


def run_store(path: Path) -> int:
    with tempfile.TemporaryDirectory() as d, JobStore(Path(d) / "jobs.sqlite3") as store:
        s = ingest_paths([path], store, progress=False, geocode_missing=False)
        return s.records


def run_embed(path: Path, workers: list[int], engines: list[str], out: Path, threads: int = 0) -> int:
    """Ingest with embedding: store once, then index the same postings with each engine x workers into a fresh
    data dir (one model, loaded before timing; Ray start-up is included in its time). Writes ``ingest_embed.json``."""
    import shutil

    from matcher.embed import Embedder
    from matcher.ingest import LocalPostingEncoder, RayPostingEncoder
    from matcher.service import MatchService
    from matcher.settings import Settings

    emb = Embedder(backend=Settings().embed_backend, threads=threads or Settings().torch_threads)
    rows = []
    with tempfile.TemporaryDirectory() as d:
        base = Path(d) / "base"
        with JobStore(Path(base) / "jobs.sqlite3") as store:
            summary = ingest_paths([path], store, progress=False)
        for engine in engines:
            for w in workers:
                dd = Path(d) / f"{engine}-{w}-{len(rows)}"  # a worker count may be listed twice (repeats)
                shutil.copytree(base, dd)
                settings = Settings(data_dir=dd)
                load0 = os.getloadavg()
                with MatchService(settings, embedder=emb) as svc:
                    svc.posting_encoder = (LocalPostingEncoder(emb, workers=w) if engine == "local"
                                           else RayPostingEncoder(settings, workers=w))
                    t, c = time.perf_counter(), time.process_time()
                    try:
                        res = svc.sync(summary.changed_ids)
                    finally:
                        svc.posting_encoder.close()
                    secs, cpu = time.perf_counter() - t, time.process_time() - c
                row = {"engine": engine, "workers": w, "indexed": res["indexed"], "seconds": round(secs, 2),
                       "cpu_seconds": round(cpu, 2), "postings_per_s": round(res["indexed"] / secs, 1),
                       "postings_per_cpu_s": round(res["indexed"] / max(cpu, 1e-9), 1), "load_before": load0,
                       "load_after": os.getloadavg()}
                rows.append(row)
                print(f"{engine:<6} workers {w}: {row['indexed']} postings in {secs:.1f} s = "
                      f"{row['postings_per_s']:.1f} postings/s, {row['postings_per_cpu_s']:.1f} per CPU-s of this process  (load {load0[0]:.2f} -> {row['load_after'][0]:.2f})",
                      flush=True)
    report = {"input": str(path), "backend": emb.backend, "threads": emb.threads, "results": rows,
              "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "cpus": os.cpu_count()}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    print(f"wrote {out}")
    return 0


def measure(fn, path: Path, repeats: int) -> dict:
    fn(path)  # warm-up
    times, cpu, n = [], [], 0
    for _ in range(repeats):
        t, c = time.perf_counter(), time.process_time()
        n = fn(path)
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    p50, cpu50 = statistics.median(times), statistics.median(cpu)
    return {"records": n, "seconds": times, "cpu_seconds": cpu, "p50_s": p50, "max_s": max(times),
            "postings_per_s_p50": n / p50, "postings_per_cpu_s_p50": n / cpu50}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--input", type=Path, default=DEFAULT_INPUT)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--limit", type=int, default=0, help="only the first N lines (0 = all)")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "ingest.json")
    ap.add_argument("--embed", action="store_true", help="measure embedding + indexing (postings/s) instead")
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="with --embed: worker counts")
    ap.add_argument("--engines", nargs="+", default=["local"], choices=["local", "ray"], help="with --embed")
    ap.add_argument("--threads", type=int, default=0, help="with --embed: intra-op threads per embedding (0: setting/auto)")
    args = ap.parse_args()
    path = args.input
    tmp = None
    if args.limit:
        tmp = tempfile.NamedTemporaryFile("wb", suffix=".jsonl", delete=False)
        with path.open("rb") as f:
            for i, line in enumerate(f):
                if i >= args.limit:
                    break
                tmp.write(line)
        tmp.close()
        path = Path(tmp.name)
    if args.embed:
        try:
            return run_embed(path, args.workers, args.engines, args.out.with_name("ingest_embed.json"), args.threads)
        finally:
            if tmp:
                os.unlink(tmp.name)
    try:
        results = {name: measure(fn, path, args.repeats) for name, fn in
                   (("json.loads baseline", run_json), ("read+normalise", run_read), ("read+normalise+store", run_store))}
    finally:
        if tmp:
            os.unlink(tmp.name)
    print(f"{'stage':<24}{'records':>9}{'p50 s':>9}{'max s':>9}{'postings/s':>12}{'per CPU-s':>11}")
    for name, r in results.items():
        print(f"{name:<24}{r['records']:>9}{r['p50_s']:>9.2f}{r['max_s']:>9.2f}{r['postings_per_s_p50']:>12.0f}"
              f"{r['postings_per_cpu_s_p50']:>11.0f}")
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    report = {"input": str(args.input), "limit": args.limit, "repeats": args.repeats, "results": results,
              "hardware": {"machine": platform.machine(), "processor": platform.processor(), "cpus": os.cpu_count(),
                           "python": platform.python_version(), "loadavg_at_end": load},
              "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp_out = args.out.with_suffix(".json.tmp")
    tmp_out.write_text(json.dumps(report, indent=2))
    os.replace(tmp_out, args.out)
    print(f"load average at end: {load}; wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
