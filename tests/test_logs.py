"""Operations (issue 17 item 5): one JSON log line per request with its id, route, status, duration and stage
timings, never any resume text; the standard process metrics on /metrics."""
from __future__ import annotations

import io
import json
import logging

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.logs import configure_logging

pytestmark = pytest.mark.slow
AS_OF = "2021-08-01"
# words that appear nowhere but in the resumes sent below: none may reach a log line
SECRET = ("Quorvantix", "Plimsoddle", "Zephyrquill")
RESUME = (f"Dana {SECRET[0]}\n{SECRET[1]} Street 12, Austin, TX\nExperience\nSenior Python developer at "
          f"{SECRET[2]} Labs, Jan 2014 to Jan 2020: Django, PostgreSQL, AWS\nEducation\nB.S. Computer Science 2013\n")


def _restore_logging(saved: tuple[list, int]) -> None:
    """Put back the root handlers and level saved before configure_logging, and uvicorn's access log."""
    root = logging.getLogger()
    for h in list(root.handlers):
        root.removeHandler(h)
    for h in saved[0]:
        root.addHandler(h)
    root.setLevel(saved[1])
    logging.getLogger("uvicorn.access").disabled = False


@pytest.fixture
def logged(service_copy):
    """The app over a copy of the sample, with every logger captured as JSON lines (restored after)."""
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    buf = io.StringIO()
    configure_logging("json", "debug", stream=buf)
    try:
        with TestClient(create_app(service_copy.settings, service=service_copy)) as client:
            yield client, service_copy, buf
    finally:
        _restore_logging(saved)


def lines(buf: io.StringIO) -> list[dict]:
    """The server's lines (the test client's own httpx logger, which names the URLs it calls, left out)."""
    got = [json.loads(x) for x in buf.getvalue().splitlines() if x.strip()]
    return [x for x in got if not x["logger"].startswith("httpx")]


def server_text(buf: io.StringIO) -> str:
    return "\n".join(json.dumps(x) for x in lines(buf))


def access(buf: io.StringIO) -> list[dict]:
    return [x for x in lines(buf) if x["logger"] == "jobmatch.access"]


def test_one_line_per_request_with_id_route_status_and_stages(logged):
    client, _, buf = logged
    r = client.post("/v1/match/resume", files={"file": ("cv.txt", RESUME.encode())},
                    data={"as_of": AS_OF, "top_k": "3"}, headers={"X-Request-ID": "client-42.a"})
    assert r.status_code == 200, r.text
    assert r.headers["x-request-id"] == "client-42.a"  # the client's id comes back
    r2 = client.get("/v1/jobs/no-such-id", headers={"X-Request-ID": "bad id with spaces"})
    assert r2.status_code == 404
    made = r2.headers["x-request-id"]
    assert len(made) == 32 and made != "bad id with spaces"  # not a plausible id: a new one
    r3 = client.get("/healthz")
    got = access(buf)
    assert len(got) == 3
    up, miss, health = got
    assert up["request_id"] == "client-42.a" and up["method"] == "POST" and up["route"] == "/v1/match/resume"
    assert up["status"] == 200 and up["bytes_in"] > len(RESUME) and up["level"] == "INFO"
    assert set(up["stages_ms"]) == {"parse", "wait", "embed", "rank"}
    assert all(v >= 0 for v in up["stages_ms"].values())
    assert up["duration_ms"] >= up["stages_ms"]["embed"] + up["stages_ms"]["rank"]
    # the route template, never the path: posting ids (and query strings) stay out of the log
    assert miss["route"] == "/v1/jobs/{job_id}" and miss["status"] == 404 and miss["request_id"] == made
    assert "no-such-id" not in server_text(buf)
    assert health["route"] == "/healthz" and health["status"] == 200 and "stages_ms" not in health
    assert r3.headers["x-request-id"] == health["request_id"]
    assert {"ts", "pid", "duration_ms"} <= set(health)


def test_resume_text_never_reaches_the_log(logged, monkeypatch):
    """Uploads, JSON bodies, a refused JSON Resume, a query string and an unexpected failure inside matching:
    the access lines and the error lines carry none of the resume's words."""
    client, svc, buf = logged
    assert client.post("/v1/match/resume", files={"file": ("cv.txt", RESUME.encode())},
                       data={"as_of": AS_OF}).status_code == 200
    assert client.post("/v1/match", json={"text": RESUME, "as_of": AS_OF}).status_code == 200
    bad = {"basics": {"name": SECRET[0], "location": SECRET[1]}, "work": SECRET[2]}  # wrong types: 422
    r = client.post("/v1/match", json={"json_resume": bad})
    assert r.status_code == 422, r.text
    assert client.get("/v1/jobs", params={"q": SECRET[1]}).status_code == 200
    too_big = client.post("/v1/match", content=json.dumps({"text": RESUME * 20_000}),
                          headers={"content-type": "application/json"})
    assert too_big.status_code == 413

    def broken(profile):  # an unexpected error whose message quotes the resume (as pydantic's messages do)
        raise ValueError(f"cannot embed {profile.text!r}")

    monkeypatch.setattr(svc, "embed_query_lines", broken)
    r = client.post("/v1/match", json={"text": RESUME, "as_of": AS_OF})
    assert r.status_code == 500 and r.json()["error"]["code"] == "internal_error"
    log_text = server_text(buf)
    for word in SECRET:
        assert word.casefold() not in log_text.casefold()
    got = lines(buf)
    crash = [x for x in got if x.get("exc_type") == "ValueError"]
    assert len(crash) == 1 and crash[0]["level"] == "ERROR"
    assert any("broken" in f for f in crash[0]["frames"])  # where it failed is logged, its message is not
    statuses = [x["status"] for x in got if x["logger"] == "jobmatch.access"]
    assert statuses == [200, 200, 422, 200, 413, 500]
    assert crash[0]["request_id"] == [x for x in got if x["logger"] == "jobmatch.access"][-1]["request_id"]


def test_metrics_have_the_standard_process_metrics(logged):
    client, _, _ = logged
    text = client.get("/metrics").text
    values = {line.split(" ")[0]: float(line.split(" ")[-1]) for line in text.splitlines()
              if line and not line.startswith("#")}
    assert values["process_resident_memory_bytes"] > 50 * 2**20  # the model alone is more
    assert values["process_open_fds"] >= 3 and values["process_max_fds"] >= values["process_open_fds"]
    assert values["process_cpu_seconds_total"] > 0 and values["process_start_time_seconds"] > 1.7e9
    assert any(k.startswith("python_info{") for k in values) and any(k.startswith("python_gc_") for k in values)
    assert values["jobmatch_ready"] == 1


def test_text_format_for_a_terminal():
    buf = io.StringIO()
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    try:
        configure_logging("text", "info", stream=buf)
        logging.getLogger("jobmatch.access").info("request", extra={"route": "/healthz", "status": 200})
        line = buf.getvalue().strip()
        assert line.endswith('jobmatch.access request route="/healthz" status=200') and " INFO " in line
        with pytest.raises(ValueError, match="log format"):
            configure_logging("xml")
    finally:
        _restore_logging(saved)


def test_serve_with_two_workers_answers_from_both_and_stops_cleanly(tmp_path, sample_data_dir):
    """``jobmatch serve --workers 2`` (the multi-worker recipe): two worker processes behind one socket, each
    with the model and index loaded, logging JSON lines with their pid; SIGTERM to the supervisor stops them all."""
    import os
    import shutil
    import signal
    import socket
    import subprocess
    import sys
    import time
    from pathlib import Path

    import httpx

    root = Path(__file__).resolve().parents[1]
    data = tmp_path / "data"
    shutil.copytree(sample_data_dir, data)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log_path = tmp_path / "server.log"
    env = {**os.environ, "JOBMATCH_DATA_DIR": str(data), "PYTHONPATH": str(root)}
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([sys.executable, "-c", "import sys; from api.cli import main; sys.exit(main())",
                                 "serve", "--port", str(port), "--workers", "2"], cwd=root, env=env, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        ready_ids: set[str] = set()
        ready_pids: set[int] = set()
        deadline = time.monotonic() + 240
        n = 0
        while len(ready_pids) < 2:  # a request reaches whichever worker accepts it: wait until both said ready
            assert proc.poll() is None, log_path.read_text(errors="replace")[-3000:]
            assert time.monotonic() < deadline, log_path.read_text(errors="replace")[-3000:]
            n += 1
            try:
                r = httpx.get(f"{base}/metrics", timeout=5, headers={"X-Request-ID": f"ready-probe-{n}"})
                if "jobmatch_ready 1.0" in r.text:
                    ready_ids.add(f"ready-probe-{n}")
            except httpx.TransportError:
                pass
            # which worker answered a probe is in its access-log line (two workers can share a start time)
            for line in log_path.read_text(errors="replace").splitlines():
                if line.startswith("{") and line.endswith("}") and '"ready-probe-' in line:  # whole lines only
                    rec = json.loads(line)
                    if rec.get("request_id") in ready_ids:
                        ready_pids.add(rec["pid"])
            time.sleep(0.3)
        with httpx.Client(base_url=base, timeout=60) as c:
            for i in range(6):
                r = c.post("/v1/match", json={"text": "python developer, AWS", "top_k": 2, "filters": False},
                           headers={"X-Request-ID": f"two-workers-{i}"})
                assert r.status_code == 200 and len(r.json()["results"]) == 2
                assert r.headers["x-request-id"] == f"two-workers-{i}"
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
    assert proc.returncode == 0
    got = [json.loads(x) for x in log_path.read_text().splitlines() if x.startswith("{")]
    worker_pids = {x["pid"] for x in got if x["logger"] == "jobmatch.access"}
    assert len(worker_pids) == 2 and proc.pid not in worker_pids  # requests answered by the two workers
    answered = [x for x in got if x["logger"] == "jobmatch.access" and x["route"] == "/v1/match"]
    assert [x["request_id"] for x in answered] == [f"two-workers-{i}" for i in range(6)]
    assert all(x["status"] == 200 and set(x["stages_ms"]) == {"parse", "wait", "embed", "rank"} for x in answered)
    for pid in worker_pids:  # the supervisor stopped its workers
        assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text()
