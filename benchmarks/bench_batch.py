"""Batch matching throughput: candidates/s over real resumes, per engine and worker count, per stage.

    .venv/bin/python benchmarks/bench_batch.py                       # 500 resumes, local+ray, 1 and 2 workers
    .venv/bin/python benchmarks/bench_batch.py --limit 200 --engines local --workers 1 2

Inputs: PDFs from ``shared/data/resumes/livecareer/pdf/**`` (spread over the categories) plus the plain-text
resumes of ``updated_resume_dataset/resumes.jsonl`` (one JSONL input file: ``path`` and ``text`` lines).
Postings: the bundled sample (``data/sample/postings.jsonl``) ingested and indexed into ``--data-dir``
once (reused afterwards). As of 2021-08-01 so the 2021 postings are live.

Baseline, measured in the same run: one resume at a time the way ``jobmatch match`` does it
(isolated parser, ``embed_query``, ``MatchService.match``) over ``--baseline`` resumes.

Prints a table; writes ``benchmarks/results/batch.json`` (atomically). ``elapsed`` includes start-up
(model load, parser processes, Ray); ``steady`` excludes it.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).parent))
from _common import host_speed  # noqa: E402
from bench_api import tree_cpu  # noqa: E402

SHARED = ROOT.parent / "shared" / "data" / "resumes"
AS_OF = datetime(2021, 8, 1, tzinfo=UTC)


def pick_inputs(limit: int, dest: Path) -> tuple[Path, dict[str, int]]:
    texts = [json.loads(x) for x in (SHARED / "updated_resume_dataset" / "resumes.jsonl").read_text().splitlines()]
    n_text = min(len(texts), max(0, limit // 6))
    cats = sorted(p for p in (SHARED / "livecareer" / "pdf").iterdir() if p.is_dir())
    per_cat = [sorted(c.glob("*.pdf")) for c in cats]
    pdfs: list[Path] = []
    i = 0
    while len(pdfs) < limit - n_text and any(i < len(x) for x in per_cat):
        pdfs += [x[i] for x in per_cat if i < len(x)]
        i += 1
    pdfs = pdfs[: limit - n_text]
    lines = [{"id": f"pdf/{p.parent.name}/{p.name}", "path": str(p)} for p in pdfs]
    lines += [{"id": f"text/{t['id']}", "text": t["text"]} for t in texts[:n_text]]
    inp = dest / "inputs.jsonl"
    inp.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    return inp, {"pdf": len(pdfs), "text": n_text}


def ensure_data_dir(data_dir: Path) -> None:
    from matcher.ingest import ingest_paths
    from matcher.service import MatchService
    from matcher.settings import Settings

    if (data_dir / "index").exists() and (data_dir / "jobs.sqlite3").exists():
        return
    print(f"indexing the bundled sample into {data_dir} (once) ...", file=sys.stderr)
    with MatchService(Settings(data_dir=data_dir)) as svc:
        summary = ingest_paths([ROOT / "data" / "sample" / "postings.jsonl"], svc.store, progress=False)
        svc.sync(summary.changed_ids)


def baseline(data_dir: Path, inp: Path, n: int) -> dict:
    """One at a time, like ``jobmatch match`` in a loop (model loaded once)."""
    from matcher.domain import MatchOptions
    from matcher.resumes import profile_from_text
    from matcher.service import MatchService
    from matcher.settings import Settings

    items = [json.loads(x) for x in inp.read_text().splitlines()]
    step = max(1, len(items) // n)
    items = items[::step][:n]
    opts = MatchOptions(as_of=AS_OF, top_k=10)
    with MatchService(Settings(data_dir=data_dir), create_index=False) as svc:
        t = {"parse": 0.0, "embed": 0.0, "search": 0.0}
        svc.match(profile_from_text("warm up python developer"), opts)
        t0 = time.perf_counter()
        for it in items:
            a = time.perf_counter()
            try:
                if "path" in it:
                    prof = svc.profile_from_resume(Path(it["path"]).read_bytes(), filename=it["path"], as_of=AS_OF)
                else:
                    prof = profile_from_text(it["text"], AS_OF.date())
            except Exception:  # noqa: BLE001
                continue
            b = time.perf_counter()
            qv = svc.embed_query(prof)
            c = time.perf_counter()
            svc.match(prof, opts, query_vec=qv)
            d = time.perf_counter()
            t["parse"] += b - a
            t["embed"] += c - b
            t["search"] += d - c
        el = time.perf_counter() - t0
    return {"engine": "one-at-a-time", "workers": 1, "n": len(items), "elapsed_s": round(el, 2),
            "steady_s": round(el, 2), "candidates_per_s": round(len(items) / el, 2),
            "stages_s": {k: round(v, 2) for k, v in t.items()}}


def run_one(data_dir: Path, inp: Path, engine: str, workers: int, tmp: Path, split: str = "auto") -> dict:
    from matcher.batch import BatchConfig, run_batch
    from matcher.domain import MatchOptions
    from matcher.settings import Settings

    out = tmp / f"out-{engine}-{workers}.jsonl"
    out.unlink(missing_ok=True)
    cfg = BatchConfig(input=inp, out=out, options=MatchOptions(as_of=AS_OF, top_k=10),
                      settings=Settings(data_dir=data_dir), workers=workers, engine=engine, progress=False,
                      freeze_heap=True,  # as `jobmatch batch` runs
                      embed_split=None if split == "auto" else split == "on")
    cpu0 = tree_cpu(os.getpid())
    s = run_batch(cfg)
    cpu = tree_cpu(os.getpid()) - cpu0  # this process and its parse workers (through their reaper)
    if engine == "ray":
        import ray

        ray.shutdown()
    startup = s.get("startup_s", 0.0) + s.get("ray_init_s", 0.0)
    steady = max(1e-9, s["elapsed_s"] - startup)
    st = s["stages_s"]
    return {"engine": engine, "workers": workers, "embed_split": split, "n": s["processed"], "ok": s["ok"], "failed": s["failed"],
            "failures_by_code": s["failures_by_code"], "elapsed_s": s["elapsed_s"], "startup_s": round(startup, 2),
            "steady_s": round(steady, 2), "candidates_per_s": s["candidates_per_s"],
            "steady_candidates_per_s": round(s["processed"] / steady, 2), "stages_s": st,
            "search_write_share": round((st["search"] + st["write"]) / s["elapsed_s"], 4),
            "torch_threads": s.get("torch_threads"),
            "cpu_ms_per_candidate": round(cpu / max(1, s["processed"]) * 1000, 1)}


def loadavg() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def cpu_model() -> str:
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--limit", type=int, default=500, help="resumes (about 1/6 text, the rest PDF)")
    ap.add_argument("--engines", nargs="+", default=["local", "ray"], choices=["local", "ray"])
    ap.add_argument("--workers", nargs="+", type=int, default=[1, 2])
    ap.add_argument("--baseline", type=int, default=40, help="resumes for the one-at-a-time baseline (0: skip)")
    ap.add_argument("--data-dir", type=Path, default=Path(tempfile.gettempdir()) / "jobmatch-bench-sample",
                    help="data dir with the sample indexed (built if missing)")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "batch.json")
    ap.add_argument("--embed-split", nargs="+", default=["auto"], choices=["auto", "on", "off"],
                    help="local engine: each batch's queries embedded as two halves side by side (auto: on with 2+ "
                         "cores); several values run one after another, for an A/B")
    a = ap.parse_args()

    ensure_data_dir(a.data_dir)
    rows = []
    load_before = loadavg()
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmpd:
        tmp = Path(tmpd)
        inp, kinds = pick_inputs(a.limit, tmp)
        if a.baseline:
            rows.append(baseline(a.data_dir, inp, a.baseline))
            print(f"baseline: {rows[-1]['candidates_per_s']} cand/s", file=sys.stderr)
        for engine in a.engines:
            if engine == "ray":
                try:
                    import ray  # noqa: F401
                except ImportError:
                    print("ray is not installed (pip install -e '.[ray]'); skipping", file=sys.stderr)
                    continue
            for w in a.workers:
                for split in (a.embed_split if engine == "local" else ["auto"]):
                    rows.append(run_one(a.data_dir, inp, engine, w, tmp, split))
                    print(f"{engine} workers={w} embed_split={split}: {rows[-1]['candidates_per_s']} cand/s",
                          file=sys.stderr)
    result = {
        "benchmark": "batch", "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "inputs": kinds, "as_of": AS_OF.isoformat(),
        "hardware": {"cpu": cpu_model(), "cores": os.cpu_count(), "python": platform.python_version()},
        "load_before": load_before, "load_after": loadavg(), "host_speed": host_speed(), "runs": rows,
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
    }
    hdr = f"{'engine':<14}{'workers':>8}{'n':>6}{'elapsed s':>11}{'cand/s':>8}{'steady/s':>9}" \
          f"{'parse':>8}{'embed':>8}{'search':>8}{'write':>7}{'s+w %':>7}{'CPU ms/cand':>12}"
    print(hdr)
    for r in rows:
        st = r["stages_s"]
        share = r.get("search_write_share")
        print(f"{r['engine']:<14}{r['workers']:>8}{r['n']:>6}{r['elapsed_s']:>11.1f}{r['candidates_per_s']:>8.2f}"
              f"{r.get('steady_candidates_per_s', r['candidates_per_s']):>9.2f}{st.get('parse', 0):>8.1f}"
              f"{st.get('embed', 0):>8.1f}{st.get('search', 0):>8.2f}{st.get('write', 0):>7.2f}"
              f"{(100 * share if share is not None else float('nan')):>7.1f}"
              f"{r.get('cpu_ms_per_candidate', float('nan')):>12.1f}")
    print(f"load average before {load_before}, after {result['load_after']}; {result['hardware']}; "
          f"host speed (CPU ms) {result['host_speed']}")
    from index.atomic import write_json_atomic

    write_json_atomic(a.out, result)
    print(f"wrote {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
