"""Soak: a bounded mix of hostile and honest requests against a real server this script starts (API key set,
127.0.0.1); reports server RSS before and after and honest-request latency; writes results/hostile.json.

    .venv/bin/python benchmarks/bench_hostile.py --data-dir /tmp/hx/data --rounds 5
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.hostile_tools import connect, head, multipart, request, rss_mb, running_server, slow_pdf, upload  # noqa: E402

KEY = "bench-key"


def hostile_round(port: int) -> tuple[dict[str, int], threading.Thread]:
    """One of each attack; returns status codes seen (or 'closed')."""
    seen: dict[str, int] = {}

    def note(name: str, fn) -> None:
        try:
            seen[name] = fn()
        except OSError:
            seen[name] = -1  # connection closed by the server

    def chunked_no_key() -> int:
        with connect(port, 10) as s:
            s.sendall(head("POST", "/v1/match", {"Transfer-Encoding": "chunked"}))
            try:
                for _ in range(100):
                    s.sendall(b"%x\r\n%s\r\n" % (1 << 20, b"a" * (1 << 20)))
            except OSError:
                pass
            return -1
    note("chunked_100mb_no_key", chunked_no_key)
    big = json.dumps({"json_resume": {"basics": {"summary": "python " * 1_300_000}}}).encode()
    note("json_resume_9mb", lambda: request(port, "POST", "/v1/match", big,
                                            {"Content-Type": "application/json", "X-API-Key": KEY}, 10)[0])
    note("type_confused", lambda: request(port, "POST", "/v1/match", json.dumps({"json_resume": {"work": 5}}).encode(),
                                          {"Content-Type": "application/json", "X-API-Key": KEY}, 10)[0])

    def stalled() -> int:
        with connect(port, 30) as s:
            s.sendall(head("POST", "/v1/match", {"Content-Length": "1000", "X-API-Key": KEY}) + b"{")
            from tests.hostile_tools import read_response
            return read_response(s, 30)[0]
    t = threading.Thread(target=lambda: note("stalled_body", stalled))
    t.start()
    return seen, t


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, required=True, help="an ingested data dir (it is copied)")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--honest", type=Path, default=None, help="an honest resume file (default: a real PDF)")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "hostile.json")
    args = ap.parse_args()
    honest_path = args.honest or sorted((ROOT.parent / "shared/data/resumes/livecareer/pdf/INFORMATION-TECHNOLOGY")
                                        .glob("*.pdf"))[0]
    honest = honest_path.read_bytes()
    import shutil

    work = Path(tempfile.mkdtemp(prefix="bench-hostile-"))
    shutil.copytree(args.data_dir, work / "data")
    (work / "tmp").mkdir()
    latencies: list[float] = []
    statuses: list[int] = []
    hostile: list[dict] = []
    with running_server(work / "data", work / "tmp", key=KEY, body_timeout_s=5) as srv:
        for _ in range(3):  # warm-up
            upload(srv.port, KEY, honest_path.name, honest, {"as_of": "2021-08-01"})
        rss0, hwm0 = rss_mb(srv.pid)
        t_start = time.monotonic()
        for r in range(args.rounds):
            slow_socks = []
            for _ in range(4):
                body, ctype = multipart("slow.pdf", slow_pdf(), {"as_of": "2021-08-01"})
                s = connect(srv.port, 60)
                s.sendall(head("POST", "/v1/match/resume", {"Content-Type": ctype, "Content-Length": str(len(body)),
                                                             "X-API-Key": KEY}) + body)
                slow_socks.append(s)
            seen, th = hostile_round(srv.port)
            res: list[tuple[int, float]] = []

            def honest_one(res: list[tuple[int, float]] = res) -> None:
                t0 = time.monotonic()
                st = upload(srv.port, KEY, honest_path.name, honest, {"as_of": "2021-08-01", "top_k": "5"}, 30)[0]
                res.append((st, time.monotonic() - t0))
            ts = [threading.Thread(target=honest_one) for _ in range(6)]
            for t in ts:
                t.start()
            for t in ts:
                t.join(60)
            th.join(60)
            for s in slow_socks:
                s.close()
            statuses += [st for st, _ in res]
            latencies += [dt for _, dt in res]
            hostile.append(dict(seen))
            print(f"round {r + 1}: honest {[round(dt, 2) for _, dt in res]} s, hostile {seen}", flush=True)
        time.sleep(2)
        rss1, hwm1 = rss_mb(srv.pid)
        elapsed = time.monotonic() - t_start
    lat = sorted(latencies)
    out = {
        "command": "benchmarks/bench_hostile.py " + " ".join(sys.argv[1:]),
        "rounds": args.rounds,
        "per_round": f"4 slow PDFs (50 pages x 12,000 text operators, {len(slow_pdf())} bytes) + 100 MB chunked "
                     "without key + 9 MB json_resume + type-confused JSON Resume + stalled body, then 6 honest uploads",
        "honest_file": honest_path.name,
        "honest_ok": sum(1 for s in statuses if s == 200), "honest_total": len(statuses),
        "honest_latency_s": {"p50": round(statistics.median(lat), 3), "p90": round(lat[int(0.9 * (len(lat) - 1))], 3),
                             "max": round(lat[-1], 3)},
        "hostile_statuses": hostile,
        "server_rss_mb": {"before": round(rss0, 1), "after": round(rss1, 1), "peak_before": round(hwm0, 1),
                          "peak_after": round(hwm1, 1)},
        "seconds": round(elapsed, 1),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=2) + "\n")
    print(json.dumps(out, indent=2))
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
