"""Helpers shared by the benchmark scripts: hardware description, percentiles, JSON output."""
from __future__ import annotations

import json
import os
import platform
import time
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).parent / "results"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def hardware() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {"cpu": cpu, "cores": os.cpu_count(), "load_avg": load, "python": platform.python_version(),
            "machine": platform.machine(), "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "host_speed": host_speed()}


def host_speed() -> dict:
    """CPU milliseconds of two fixed single-threaded workloads (a Python loop of 2 M additions; sorting 1 M float32
    with numpy), best of three. This VM's speed drifts by tens of per cent within an hour with the load average
    near 0 (round 5: the same in-process upload benchmark 68 -> 98 ms CPU in 30 minutes), and a process's CPU time
    drifts with it, so a result is comparable with another only next to these two numbers."""
    loop, sort = [], []
    arr = np.random.default_rng(0).random(1_000_000, dtype=np.float32)
    for _ in range(3):
        t = time.process_time()
        s = 0
        for i in range(2_000_000):
            s += i
        loop.append(time.process_time() - t)
        t = time.process_time()
        np.sort(arr)
        sort.append(time.process_time() - t)
    return {"py_loop_2m_ms": round(min(loop) * 1000, 1), "np_sort_1m_ms": round(min(sort) * 1000, 1)}


def pct(values, q: float) -> float:
    return float(np.percentile(np.asarray(values, dtype=float), q)) if len(values) else float("nan")


def write_json(name: str, payload: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / name
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(payload, indent=2, default=str))
    os.replace(tmp, path)
    return path


def io_written() -> int:
    """Bytes this process has caused to be written to storage so far (``/proc/self/io``), -1 where unknown."""
    try:
        for line in Path("/proc/self/io").read_text().splitlines():
            if line.startswith("write_bytes:"):
                return int(line.split()[1])
    except OSError:
        pass
    return -1


def fixed_zip(data: bytes, date_time: tuple[int, int, int, int, int, int]) -> bytes:
    """A zip package (a .docx) re-packed with fixed timestamps, permissions and creator system, so that a script
    writing it gives the same bytes whenever and wherever it runs (zipfile stamps the current time otherwise)."""
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=date_time)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            zi.create_system = 3
            zout.writestr(zi, zin.read(info.filename))
    return out.getvalue()
