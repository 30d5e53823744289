"""Server soak: N resume uploads over at most M minutes to a ``jobmatch serve`` this script starts on 127.0.0.1,
while another process ingests postings into the same data directory now and then. Reports the server's RSS and
open file descriptors (the server and its parser workers) at start, along the way and at the end, failed
requests, and whether every posting the other process ingested became searchable without a restart.

    .venv/bin/python benchmarks/bench_soak.py --uploads 2000 --minutes 10 --concurrency 4
    .venv/bin/python benchmarks/bench_soak.py --data-dir /tmp/jm-full --uploads 10000 --minutes 60

Without ``--data-dir`` a temporary one is built from the bundled sample (data/sample/postings.jsonl).
Writes benchmarks/results/soak.json.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from _common import hardware, pct, write_json  # noqa: E402
from bench_api import JOBMATCH, ROOT, free_port, pick_pdfs, start_server  # noqa: E402


def tree(pid: int) -> list[int]:
    """``pid`` and every descendant (parser workers are forked by a forkserver child of the server)."""
    kids: dict[int, list[int]] = {}
    for e in os.listdir("/proc"):
        if e.isdigit():
            try:
                with open(f"/proc/{e}/stat") as fh:
                    ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            kids.setdefault(ppid, []).append(int(e))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, []))
    return out


def usage(pid: int) -> dict:
    def rss(p: int) -> int:
        try:
            with open(f"/proc/{p}/status") as fh:
                return next(int(x.split()[1]) for x in fh if x.startswith("VmRSS:")) * 1024
        except (OSError, StopIteration):
            return 0

    def fds(p: int) -> int:
        try:
            return len(os.listdir(f"/proc/{p}/fd"))
        except OSError:
            return 0

    procs = tree(pid)
    return {"t": round(time.time(), 1), "server_rss_mb": round(rss(pid) / 2**20, 1), "server_fds": fds(pid),
            "processes": len(procs), "tree_rss_mb": round(sum(rss(p) for p in procs) / 2**20, 1),
            "tree_fds": sum(fds(p) for p in procs)}


def side_writer(data_dir: Path, url: str, every_s: float, stop: threading.Event, out: dict) -> None:
    """Another process writes the data directory (``jobmatch ingest``); the server must find each posting by its
    unique word through /v1/match without a restart."""
    sys.path.insert(0, str(ROOT))
    from tests.crash_worker import job

    i = 0
    while not stop.wait(every_s):
        tag = f"soakword{i}q"
        f = Path(tempfile.mkstemp(suffix=".jsonl")[1])
        f.write_text(json.dumps(job(tag)) + "\n")
        r = subprocess.run([str(JOBMATCH), "ingest", str(f), "--data-dir", str(data_dir), "--json", "--no-progress"],
                           capture_output=True, text=True)
        f.unlink()
        i += 1  # a new word each time, even after a failure (a retried word would be "unchanged")
        changed = json.loads(r.stdout).get("changed_ids") if r.returncode == 0 else None
        if not changed:
            out["ingest_failures"].append(r.stderr[-500:] or r.stdout[-500:])
            continue
        pid = changed[0]
        out["ingested"] += 1
        t0 = time.time()
        while time.time() - t0 < 10:
            res = httpx.post(f"{url}/v1/match", json={"text": f"{tag} data engineer platform", "filters": False,
                                                       "top_k": 3}, timeout=30)
            if res.status_code == 200 and any(m["id"] == pid for m in res.json()["results"]):
                out["seen"] += 1
                out["seen_after_s"].append(round(time.time() - t0, 2))
                break
            time.sleep(0.2)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, default=None)
    ap.add_argument("--uploads", type=int, default=2000)
    ap.add_argument("--minutes", type=float, default=10.0, help="stop sending after this long, whatever N")
    ap.add_argument("--concurrency", type=int, default=4)
    ap.add_argument("--pdfs", type=int, default=20)
    ap.add_argument("--ingest-every-s", type=float, default=20.0, help="side writer period (0 = none)")
    ap.add_argument("--server-log", default="/tmp/jobmatch-soak-server.log",
                    help="the server's stderr (JSON lines, one per request): counted at the end")
    args = ap.parse_args()

    tmp = None
    data_dir = args.data_dir
    if data_dir is None:
        tmp = tempfile.TemporaryDirectory(prefix="jm-soak-")
        data_dir = Path(tmp.name) / "data"
        subprocess.run([str(JOBMATCH), "ingest", str(ROOT / "data/sample/postings.jsonl"), "--data-dir", str(data_dir),
                        "--no-progress"], check=True, capture_output=True)
    pdfs = pick_pdfs(args.pdfs)
    blobs = [(p.name, p.read_bytes()) for p in pdfs]
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server_log = Path(args.server_log)
    server_log.unlink(missing_ok=True)
    server = start_server(data_dir, port, log_level="info", log_file=server_log)  # logging as deployed
    samples: list[dict] = []
    lat: list[float] = []
    errors: list[str] = []
    side = {"ingested": 0, "seen": 0, "seen_after_s": [], "ingest_failures": []}
    stop = threading.Event()
    try:
        with httpx.Client(timeout=60) as c:  # warm-up: every worker and code path touched once
            for name, data in blobs[: 2 * args.concurrency]:
                c.post(f"{url}/v1/match/resume", files={"file": (name, data)}, data={"as_of": "2021-08-01"})
        samples.append({"uploads": 0, **usage(server.pid)})
        counter = iter(range(args.uploads))
        lock = threading.Lock()
        deadline = time.time() + args.minutes * 60
        done = [0]
        every = max(1, args.uploads // 10)

        def worker() -> None:
            with httpx.Client(timeout=60) as client:
                for i in counter:
                    if time.time() > deadline:
                        return
                    name, data = blobs[i % len(blobs)]
                    t0 = time.perf_counter()
                    try:
                        r = client.post(f"{url}/v1/match/resume", files={"file": (name, data)},
                                        data={"as_of": "2021-08-01"})
                        ok = r.status_code == 200
                        err = None if ok else f"{r.status_code} {r.text[:200]}"
                    except httpx.HTTPError as e:
                        ok, err = False, f"{type(e).__name__}: {e}"
                    with lock:
                        lat.append(time.perf_counter() - t0)
                        if err:
                            errors.append(err)
                        done[0] += 1
                        if done[0] % every == 0:
                            samples.append({"uploads": done[0], **usage(server.pid)})

        writer = None
        if args.ingest_every_s > 0:
            writer = threading.Thread(target=side_writer, args=(data_dir, url, args.ingest_every_s, stop, side))
            writer.start()
        t_start = time.time()
        threads = [threading.Thread(target=worker) for _ in range(args.concurrency)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.time() - t_start
        stop.set()
        if writer:
            writer.join()
        time.sleep(2)  # burst workers stop when idle
        samples.append({"uploads": done[0], "idle": True, **usage(server.pid)})
        ready = httpx.get(f"{url}/readyz", timeout=10).json()
    finally:
        stop.set()
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(10)
        if tmp:
            tmp.cleanup()
    first, last = samples[0], samples[-1]
    access = errors_logged = 0
    with open(server_log, encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line) if line.startswith("{") else {}
            access += rec.get("logger") == "jobmatch.access" and rec.get("route") == "/v1/match/resume"
            errors_logged += rec.get("level") == "ERROR"
    result = {
        "uploads": len(lat), "errors": len(errors), "error_examples": errors[:5], "seconds": round(wall, 1),
        "uploads_per_s": round(len(lat) / wall, 2), "concurrency": args.concurrency,
        "p50_ms": round(pct(lat, 50) * 1000, 1), "p99_ms": round(pct(lat, 99) * 1000, 1),
        "start": first, "end": last, "samples": samples,
        "growth": {"server_rss_mb": round(last["server_rss_mb"] - first["server_rss_mb"], 1),
                   "server_fds": last["server_fds"] - first["server_fds"],
                   "tree_rss_mb": round(last["tree_rss_mb"] - first["tree_rss_mb"], 1),
                   "tree_fds": last["tree_fds"] - first["tree_fds"]},
        "side_writer": {k: v for k, v in side.items()}, "served_generation": ready.get("generation"),
        "server_log": {"upload_access_lines": access, "error_lines": errors_logged,
                       "bytes": server_log.stat().st_size},
        "hardware": hardware(),
        "command": "benchmarks/bench_soak.py " + " ".join(sys.argv[1:]),
    }
    path = write_json("soak.json", result)
    print(json.dumps({k: result[k] for k in ("uploads", "errors", "seconds", "uploads_per_s", "p50_ms", "p99_ms",
                                             "start", "end", "growth", "side_writer", "served_generation",
                                             "server_log")}, indent=1))
    print(f"wrote {path}")
    return 0 if not errors and side["seen"] == side["ingested"] and not side["ingest_failures"] else 1


if __name__ == "__main__":
    sys.exit(main())
