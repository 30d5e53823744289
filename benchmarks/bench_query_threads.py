"""The query pass on the 2-thread session against the 1-thread one (same bits), one query at a time and in passes
of 4 (the batch driver's ``FORWARD_BATCH``): CPU and wall ms per query.

    .venv/bin/python benchmarks/bench_query_threads.py --data-dir /tmp/T/full-seg --pdfs 40 --rounds 3

Real PDFs of ``bench_api.py``, parsed once; then ``MatchService.embed_queries_lines`` (the upload path's one
pass: query vector and resume-line vectors) over all of them per round, alternating the sessions. Writes
``benchmarks/results/query_threads.json`` (``--out``).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import hardware, write_json  # noqa: E402
from bench_api import pick_pdfs  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data-dir", type=Path, required=True)
    ap.add_argument("--pdfs", type=int, default=40)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--out", default="query_threads.json")
    a = ap.parse_args()
    os.environ.setdefault("JOBMATCH_LOG_LEVEL", "warning")
    from matcher.service import MatchService
    from matcher.settings import Settings

    svc = MatchService(Settings(data_dir=a.data_dir), create_index=False)
    emb = svc.embedder
    if not emb.adaptive:
        print(f"{emb!r} has one session only (threads={emb.threads}); nothing to compare", file=sys.stderr)
        return 2
    profs = [svc.profile_from_resume(p.read_bytes(), as_of=datetime(2021, 8, 1)) for p in pick_pdfs(a.pdfs)]
    sessions = {"2 threads": emb._backend, "1 thread": emb.single_thread_backend()}
    load_before = os.getloadavg()
    rows: dict[str, list[tuple[float, float]]] = {}
    try:
        for _ in range(a.rounds):
            for batch in (1, 4):
                for name, backend in sessions.items():
                    emb._backend = backend  # every pass "alone" on this session
                    c0, w0 = time.process_time(), time.perf_counter()
                    if batch == 1:
                        for p in profs:
                            svc.embed_query_lines(p)
                    else:
                        svc.embed_queries_lines(profs, batch_size=batch)
                    rows.setdefault(f"{name}, passes of {batch}", []).append(
                        ((time.process_time() - c0) / len(profs) * 1e3, (time.perf_counter() - w0) / len(profs) * 1e3))
    finally:
        emb._backend = sessions["2 threads"]
        svc.close()
    out = {k: {"cpu_ms": [round(c, 1) for c, _ in v], "wall_ms": [round(w, 1) for _, w in v]} for k, v in rows.items()}
    for k, v in out.items():
        print(f"{k:<24} CPU ms/query {v['cpu_ms']}  wall {v['wall_ms']}")
    print(f"load {load_before[0]:.2f} -> {os.getloadavg()[0]:.2f}")
    write_json(a.out, {"hardware": hardware(), "queries": len(profs), "load_before": load_before,
                       "load_after": os.getloadavg(), "rows": out,
                       "command": " ".join(["benchmarks/bench_query_threads.py", *sys.argv[1:]])})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
