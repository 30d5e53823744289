"""Per-stage latency of one match in-process (parse, query embedding, filters + ranking), and what torch/
onnxruntime threads do to it, alone and with other processes competing for the cores.

    .venv/bin/python benchmarks/bench_stages.py --data-dir /tmp/jm-full --threads 1 2 --busy 0 1

``--busy N`` starts N processes that spin on the CPU for the duration of a run (the "other work" a server
shares its cores with); they are stopped after each run. Prints a table, writes benchmarks/results/stages.json.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import SHARED, hardware, pct, write_json  # noqa: E402

CHILD = r"""
import json, sys, time
from pathlib import Path
from matcher.domain import MatchOptions
from matcher.service import MatchService
from matcher.settings import Settings
data_dir, n, pdfs = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
svc = MatchService(Settings(data_dir=Path(data_dir)))
opts = MatchOptions(as_of="2021-08-01")
T = {"parse": [], "embed": [], "match": []}
for i, p in enumerate((pdfs * ((n // len(pdfs)) + 2))[: n + 3]):
    data = Path(p).read_bytes()
    t0 = time.perf_counter(); prof = svc.profile_from_resume(data, as_of=opts.as_of)
    t1 = time.perf_counter(); qv = svc.embed_query(prof)
    t2 = time.perf_counter(); svc.match(prof, opts, query_vec=qv)
    t3 = time.perf_counter()
    if i >= 3:  # warm-up
        T["parse"].append(t1 - t0); T["embed"].append(t2 - t1); T["match"].append(t3 - t2)
svc.close()
print(json.dumps(T))
"""


def spin(stop_at: float) -> None:
    x = 0
    while time.time() < stop_at:
        x += 1


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, required=True, help="an ingested data dir")
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--busy", type=int, nargs="+", default=[0, 1])
    ap.add_argument("--backend", default=None, help="JOBMATCH_EMBED_BACKEND for the run (default: the setting)")
    ap.add_argument("--n", type=int, default=30)
    args = ap.parse_args()
    pdfs = [str(p) for p in sorted((SHARED / "data/resumes/livecareer/pdf/INFORMATION-TECHNOLOGY").glob("*.pdf"))[:15]]
    rows = []
    for busy in args.busy:
        for threads in args.threads:
            env = dict(os.environ, JOBMATCH_TORCH_THREADS=str(threads))
            if args.backend:
                env["JOBMATCH_EMBED_BACKEND"] = args.backend
            spinners = [mp.Process(target=spin, args=(time.time() + 600,)) for _ in range(busy)]
            for s in spinners:
                s.start()
            try:
                out = subprocess.run([sys.executable, "-c", CHILD, str(args.data_dir), str(args.n), *pdfs], env=env,
                                     capture_output=True, text=True, check=True)
            finally:
                for s in spinners:
                    s.terminate()
                    s.join()
            T = json.loads(out.stdout.strip().splitlines()[-1])
            row = {"busy_processes": busy, "threads": threads, "n": len(T["embed"]), "load": os.getloadavg(),
                   **{f"{k}_p50_ms": pct(v, 50) * 1000 for k, v in T.items()},
                   **{f"{k}_p99_ms": pct(v, 99) * 1000 for k, v in T.items()}}
            rows.append(row)
            print(f"busy {busy} threads {threads}: parse p50 {row['parse_p50_ms']:.1f} ms, embed p50 "
                  f"{row['embed_p50_ms']:.1f} ms (p99 {row['embed_p99_ms']:.1f}), match p50 {row['match_p50_ms']:.1f} ms",
                  flush=True)
    path = write_json("stages.json", {"hardware": hardware(), "backend": args.backend or "setting", "runs": rows})
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
