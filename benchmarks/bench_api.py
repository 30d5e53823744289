"""Upload latency and throughput of ``POST /v1/match/resume`` against a running uvicorn server.

    .venv/bin/python benchmarks/bench_api.py --data-dir /tmp/jm-full          # ingests the 7,684 postings first if empty
    .venv/bin/python benchmarks/bench_api.py --url http://127.0.0.1:8000      # against a server you started
    .venv/bin/python benchmarks/bench_api.py --data-dir DIR --workers 1,2 --out api-workers.json
                                              # jobmatch serve --workers N for each N, same load on each

Real 1-2 page PDFs from ../shared/data/resumes/livecareer/pdf, at concurrency 1 and 8: p50/p99 latency,
uploads/s, errors, the server's CPU time per upload (its process tree: server, forkserver, parse workers; the
number to compare on a shared machine) and the load average before and after each run. Servers log
at info level (one JSON line per request, to a temporary file), as deployed. Prints a table and writes
benchmarks/results/api.json (or ``--out``).
"""
from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from _common import SHARED, hardware, pct, write_json  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
JOBMATCH = ROOT / ".venv" / "bin" / "jobmatch"


def pick_pdfs(n: int, max_pages: int = 2) -> list[Path]:
    import pypdfium2 as pdfium

    out = []
    for p in sorted((SHARED / "data/resumes/livecareer/pdf").rglob("*.pdf")):
        try:
            doc = pdfium.PdfDocument(str(p))
            pages = len(doc)
            doc.close()
        except Exception:
            continue
        if pages <= max_pages:
            out.append(p)
        if len(out) >= n:
            break
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(data_dir: Path, port: int, *, log_level: str = "warning", log_file: Path | None = None,
                 workers: int = 1) -> subprocess.Popen:
    """``jobmatch serve`` on 127.0.0.1:``port``; returns once every worker answers /readyz (with several
    workers, a request reaches whichever accepts it: wait for ``workers`` distinct pids to say ready)."""
    env = dict(os.environ, JOBMATCH_DATA_DIR=str(data_dir))
    err = open(log_file, "ab") if log_file else None
    proc = subprocess.Popen([str(JOBMATCH), "serve", "--port", str(port), "--log-level", log_level,
                             "--workers", str(workers)], env=env, stderr=err)
    deadline = time.time() + 300
    ready_pids: set[str] = set()
    while time.time() < deadline:
        try:
            r = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=2)
            if r.status_code == 200 and "jobmatch_ready 1.0" in r.text:
                start = next(x for x in r.text.splitlines() if x.startswith("process_start_time_seconds"))
                ready_pids.add(start)
                if len(ready_pids) >= workers:
                    return proc
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            raise SystemExit("server exited during start-up")
        time.sleep(0.5)
    proc.terminate()
    raise SystemExit("server not ready after 300 s")


def tree_cpu(root: int | None) -> float | None:
    """CPU seconds (user + system) used so far by process ``root`` and its descendants (the server, its
    forkserver and parse workers; a replaced worker counts through its parent's reaped-children time); None
    without a local server."""
    if root is None:
        return None
    tick = os.sysconf("SC_CLK_TCK")
    parent: dict[int, int] = {}
    cpu: dict[int, float] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parent[int(d)] = int(fields[1])
        cpu[int(d)] = sum(int(x) for x in fields[11:15]) / tick  # utime, stime, cutime, cstime
    total = 0.0
    for pid in cpu:
        p = pid
        while p in parent and p != root and p > 1:
            p = parent[p]
        if p == root:
            total += cpu[pid]
    return total


def run_load(url: str, pdfs: list[Path], concurrency: int, total: int, as_of: str) -> dict:
    blobs = [(p.name, p.read_bytes()) for p in pdfs]
    lat: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    counter = iter(range(total))

    def worker():
        with httpx.Client(timeout=60) as client:
            while True:
                with lock:
                    i = next(counter, None)
                if i is None:
                    return
                name, data = blobs[i % len(blobs)]
                t0 = time.perf_counter()
                try:
                    r = client.post(f"{url}/v1/match/resume", files={"file": (name, data, "application/pdf")},
                                    data={"as_of": as_of, "top_k": "10"})
                    ok = r.status_code == 200
                    msg = None if ok else f"{r.status_code} {r.text[:120]}"
                except httpx.HTTPError as e:
                    ok, msg = False, repr(e)
                dt = time.perf_counter() - t0
                with lock:
                    lat.append(dt)
                    if not ok:
                        errors.append(msg)

    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    return {"concurrency": concurrency, "requests": total, "errors": len(errors), "error_samples": errors[:3],
            "p50_ms": pct(lat, 50) * 1000, "p99_ms": pct(lat, 99) * 1000, "mean_ms": sum(lat) / len(lat) * 1000,
            "uploads_per_s": total / wall, "wall_s": wall}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", help="a running server; otherwise one is started over --data-dir")
    ap.add_argument("--data-dir", type=Path, default=Path("/tmp/jobmatch-bench-full"))
    ap.add_argument("--postings", type=Path, default=SHARED / "data/jobs/linkedin_tech_2021.jsonl")
    ap.add_argument("--pdfs", type=int, default=40, help="distinct real PDFs to upload")
    ap.add_argument("--requests", type=int, default=60, help="uploads per concurrency level")
    ap.add_argument("--concurrency", default="1,8")
    ap.add_argument("--as-of", default="2021-08-01")
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--workers", default="1", help="comma-separated: jobmatch serve --workers N for each")
    ap.add_argument("--out", default="api.json", help="file name under benchmarks/results/")
    args = ap.parse_args()
    worker_counts = [int(w) for w in args.workers.split(",")]

    if not args.url:
        store = args.data_dir / "jobs.sqlite3"
        if not store.exists():
            print(f"ingesting {args.postings} into {args.data_dir} (embeds every posting; takes minutes)", file=sys.stderr)
            subprocess.run([str(JOBMATCH), "ingest", str(args.postings), "--data-dir", str(args.data_dir)], check=True,
                           stdout=subprocess.DEVNULL)
    pdfs = pick_pdfs(args.pdfs)
    rows = []
    info: dict = {}
    for workers in ([1] if args.url else worker_counts):
        proc = None
        url = args.url
        if not url:
            port = free_port()
            log = Path(tempfile.mkstemp(prefix="jobmatch-bench-api-", suffix=".log")[1])
            proc = start_server(args.data_dir, port, log_level="info", log_file=log, workers=workers)
            url = f"http://127.0.0.1:{port}"
        try:
            info = httpx.get(f"{url}/readyz", timeout=10).json()
            run_load(url, pdfs, 1, args.warmup * workers, args.as_of)
            for c in args.concurrency.split(","):
                load_before = os.getloadavg()
                cpu0 = tree_cpu(proc.pid if proc is not None else None)
                row = run_load(url, pdfs, int(c), args.requests, args.as_of)
                cpu1 = tree_cpu(proc.pid if proc is not None else None)
                # the server's CPU per upload (its process, forkserver and parse workers): what the machine's load
                # does not inflate much, unlike the wall-clock numbers
                row["server_cpu_ms_per_upload"] = (None if cpu0 is None or cpu1 is None
                                                   else (cpu1 - cpu0) / row["requests"] * 1000)
                rows.append({"workers": workers, **row, "loadavg_before": [round(x, 2) for x in load_before],
                             "loadavg_after": [round(x, 2) for x in os.getloadavg()]})
        finally:
            if proc is not None:
                proc.send_signal(signal.SIGINT)
                proc.wait(timeout=60)
                log.unlink(missing_ok=True)
    print(f"server: {info}")
    print(f"{'workers':>7} {'conc':>4} {'reqs':>5} {'err':>4} {'p50 ms':>8} {'p99 ms':>8} {'uploads/s':>10} "
          f"{'CPU ms/upload':>13} {'load 1m':>8}")
    for r in rows:
        cpu = r.get("server_cpu_ms_per_upload")
        print(f"{r['workers']:>7} {r['concurrency']:>4} {r['requests']:>5} {r['errors']:>4} {r['p50_ms']:>8.0f} "
              f"{r['p99_ms']:>8.0f} {r['uploads_per_s']:>10.2f} {cpu if cpu is None else round(cpu, 1)!s:>13} "
              f"{r['loadavg_before'][0]:>8.2f}")
    path = write_json(args.out, {"hardware": hardware(), "server": info, "pdfs": len(pdfs), "runs": rows,
                                 "command": "benchmarks/bench_api.py " + " ".join(sys.argv[1:])})
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
