"""Upload latency and throughput of ``POST /v1/match/resume`` against a running uvicorn server.

    .venv/bin/python benchmarks/bench_api.py --data-dir /tmp/jm-full          # ingests the 7,684 postings first if empty
    .venv/bin/python benchmarks/bench_api.py --url http://127.0.0.1:8000      # against a server you started
    .venv/bin/python benchmarks/bench_api.py --data-dir DIR --workers 1,2 --out api-workers.json
                                              # jobmatch serve --workers N for each N, same load on each
    .venv/bin/python benchmarks/bench_api.py --data-dir DIR --concurrency 8 --ab 8d7c2aa --rounds 3
                                              # this tree's server and 8d7c2aa's, alternating, 3 pairs
    .venv/bin/python benchmarks/bench_api.py --data-dir DIR --concurrency 8 --ab 8d7c2aa --ab-only api/app.py
                                              # the same, but the other server is this tree with 8d7c2aa's app.py

Real 1-2 page PDFs from ../shared/data/resumes/livecareer/pdf, at concurrency 1 and 8: p50/p99 latency,
uploads/s, errors, the server's CPU time per upload (its process tree: server, forkserver, parse workers; the
number to compare on a shared machine), this client's own CPU per upload and the machine's idle share during
the run (near 0: the cores, not the server, set the rate) and the load average before and after each run. Servers log
at info level (one JSON line per request, to a temporary file), as deployed. Prints a table and writes
benchmarks/results/api.json (or ``--out``).
"""
from __future__ import annotations

import argparse
import atexit
import os
import shutil
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
                 workers: int = 1, env_extra: dict[str, str] | None = None) -> subprocess.Popen:
    """``jobmatch serve`` on 127.0.0.1:``port``; returns once every worker answers /readyz (with several
    workers, a request reaches whichever accepts it: wait until ``workers`` distinct pids have answered /readyz
    with 200, as their access lines in ``log_file`` say — ``process_start_time_seconds`` has 10 ms resolution,
    so two workers started together could not be told apart by it)."""
    if workers > 1 and (log_file is None or log_level not in ("debug", "info")):
        raise ValueError("several workers: pass log_file and log_level info (the access lines name the pids)")
    env = dict(os.environ, JOBMATCH_DATA_DIR=str(data_dir), JOBMATCH_LOG_FORMAT="json", **(env_extra or {}))
    err = open(log_file, "ab") if log_file else None
    proc = subprocess.Popen([str(JOBMATCH), "serve", "--port", str(port), "--log-level", log_level,
                             "--workers", str(workers)], env=env, stderr=err)
    deadline = time.time() + 300
    while time.time() < deadline:
        try:
            r = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2)  # a new connection each time
            if r.status_code == 200 and (workers <= 1 or len(ready_pids(log_file)) >= workers):
                return proc
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            raise SystemExit("server exited during start-up")
        time.sleep(0.5)
    proc.terminate()
    raise SystemExit("server not ready after 300 s")


def ref_tree(rev: str, only: list[str] | None = None) -> Path:
    """``api/`` and ``matcher/`` of git revision ``rev`` in a temporary directory: on a server's PYTHONPATH it
    serves that revision's code (the installed entry point, this venv, the same data directory). With ``only``
    (paths under api/ or matcher/): this working tree's api/ and matcher/ with just those files as at ``rev``,
    so that one change is compared and not everything else committed or edited since."""
    out = Path(tempfile.mkdtemp(prefix="jobmatch-ref-"))
    atexit.register(shutil.rmtree, out, True)
    if only:
        for top in ("api", "matcher"):
            shutil.copytree(ROOT / top, out / top, ignore=shutil.ignore_patterns("__pycache__"))
        for path in only:
            text = subprocess.run(["git", "-C", str(ROOT), "show", f"{rev}:{path}"], check=True,
                                  capture_output=True).stdout
            (out / path).write_bytes(text)
        return out
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "api", "matcher"], check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(out)], input=archive, check=True)
    return out


def ready_pids(log_file: Path) -> set[int]:
    """Pids whose access lines show a 200 from /readyz."""
    import json

    pids: set[int] = set()
    with open(log_file, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            if '"/readyz"' in line:
                try:
                    rec = json.loads(line)
                except ValueError:
                    continue
                if rec.get("route") == "/readyz" and rec.get("status") == 200 and "pid" in rec:
                    pids.add(rec["pid"])
    return pids


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


def machine_cpu() -> tuple[int, int]:
    """(all, idle + iowait) jiffies of the machine so far (/proc/stat); (0, 0) elsewhere."""
    try:
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
    except OSError:
        return 0, 0
    return sum(v), v[3] + v[4]


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
    ap.add_argument("--ab", metavar="REV", help="alternate servers of this tree and of git revision REV (its api/ "
                    "and matcher/ on the server's PYTHONPATH), --rounds times: A/B on a machine whose speed drifts")
    ap.add_argument("--rounds", type=int, default=1, help="with --ab: pairs of runs (this tree first)")
    ap.add_argument("--ab-only", nargs="+", metavar="PATH", help="with --ab: the other server runs this working "
                    "tree with only these files (under api/ or matcher/) as at REV")
    ap.add_argument("--out", default="api.json", help="file name under benchmarks/results/")
    args = ap.parse_args()
    worker_counts = [int(w) for w in args.workers.split(",")]
    trees: list[tuple[str, dict[str, str]]] = [("tree", {})]
    if args.ab:
        if args.url:
            raise SystemExit("--ab starts its own servers: leave out --url")
        trees = [("tree", {}), (args.ab, {"PYTHONPATH": str(ref_tree(args.ab, args.ab_only))})] * max(1, args.rounds)

    if not args.url:
        store = args.data_dir / "jobs.sqlite3"
        if not store.exists():
            print(f"ingesting {args.postings} into {args.data_dir} (embeds every posting; takes minutes)", file=sys.stderr)
            subprocess.run([str(JOBMATCH), "ingest", str(args.postings), "--data-dir", str(args.data_dir)], check=True,
                           stdout=subprocess.DEVNULL)
    pdfs = pick_pdfs(args.pdfs)
    rows = []
    info: dict = {}
    for (code, env_extra), workers in [(t, w) for t in trees for w in ([1] if args.url else worker_counts)]:
        proc = None
        url = args.url
        if not url:
            port = free_port()
            log = Path(tempfile.mkstemp(prefix="jobmatch-bench-api-", suffix=".log")[1])
            proc = start_server(args.data_dir, port, log_level="info", log_file=log, workers=workers,
                                env_extra=env_extra)
            url = f"http://127.0.0.1:{port}"
        try:
            info = httpx.get(f"{url}/readyz", timeout=10).json()
            run_load(url, pdfs, 1, args.warmup * workers, args.as_of)
            for c in args.concurrency.split(","):
                load_before = os.getloadavg()
                cpu0 = tree_cpu(proc.pid if proc is not None else None)
                own0, stat0 = os.times(), machine_cpu()
                row = run_load(url, pdfs, int(c), args.requests, args.as_of)
                own1, stat1 = os.times(), machine_cpu()
                cpu1 = tree_cpu(proc.pid if proc is not None else None)
                # this client's own CPU (it shares the machine with the server) and how idle the machine was:
                # an idle share near 0 means the cores, not the server, set the rate
                row["client_cpu_ms_per_upload"] = ((own1.user + own1.system - own0.user - own0.system)
                                                   / row["requests"] * 1000)
                row["machine_idle_pct"] = round(100 * (stat1[1] - stat0[1]) / max(1, stat1[0] - stat0[0]), 1)
                # the server's CPU per upload (its process, forkserver and parse workers): what the machine's load
                # does not inflate much, unlike the wall-clock numbers
                row["server_cpu_ms_per_upload"] = (None if cpu0 is None or cpu1 is None
                                                   else (cpu1 - cpu0) / row["requests"] * 1000)
                rows.append({"code": code, "workers": workers, **row, "loadavg_before": [round(x, 2) for x in load_before],
                             "loadavg_after": [round(x, 2) for x in os.getloadavg()]})
        finally:
            if proc is not None:
                proc.send_signal(signal.SIGINT)
                proc.wait(timeout=60)
                log.unlink(missing_ok=True)
    print(f"server: {info}")
    print(f"{'code':>8} {'workers':>7} {'conc':>4} {'reqs':>5} {'err':>4} {'p50 ms':>8} {'p99 ms':>8} {'uploads/s':>10} "
          f"{'CPU ms/upload':>13} {'client ms':>9} {'idle %':>6} {'load 1m':>8}")
    for r in rows:
        cpu = r.get("server_cpu_ms_per_upload")
        print(f"{r['code'][:8]:>8} {r['workers']:>7} {r['concurrency']:>4} {r['requests']:>5} {r['errors']:>4} {r['p50_ms']:>8.0f} "
              f"{r['p99_ms']:>8.0f} {r['uploads_per_s']:>10.2f} {cpu if cpu is None else round(cpu, 1)!s:>13} "
              f"{r['client_cpu_ms_per_upload']:>9.1f} {r['machine_idle_pct']:>6.1f} {r['loadavg_before'][0]:>8.2f}")
    hw = hardware()
    print(f"host speed (benchmarks/_common.host_speed, CPU ms): {hw['host_speed']}")
    path = write_json(args.out, {"hardware": hw, "server": info, "pdfs": len(pdfs), "runs": rows,
                                 "command": "benchmarks/bench_api.py " + " ".join(sys.argv[1:])})
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
