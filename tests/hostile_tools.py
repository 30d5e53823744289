"""Tools for hostile-traffic tests and ``benchmarks/bench_hostile.py``: a real server in a subprocess, raw
HTTP over sockets, files that are slow to parse. Everything started here is stopped by its context manager."""
from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def slow_pdf(pages: int = 50, operators: int = 12_000) -> bytes:
    """A small PDF (a few KB) whose ``pages`` pages all share one content stream of ``operators`` text-showing
    operators: cheap to send, costly to extract (every page repeats the whole stream)."""
    content = zlib.compress(b"BT /F1 1 Tf 10 700 Td " + b"(a) Tj " * operators + b"ET", 9)
    objs: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + b" ".join(f"{5 + i} 0 R".encode() for i in range(pages))
        + f"] /Count {pages} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Length {len(content)} /Filter /FlateDecode >>\nstream\n".encode() + content + b"\nendstream",
    ]
    objs += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> "
             b"/Contents 4 0 R >>"] * pages
    return write_pdf(objs)


def write_pdf(objs: list[bytes]) -> bytes:
    """A PDF file of these objects (object 1 is the catalog), with its cross-reference table."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of a process in MB."""
    vals = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            k, v = line.split(":")
            vals[k] = int(v.split()[0]) / 1024
    return vals["VmRSS"], vals["VmHWM"]


@dataclass
class Server:
    proc: subprocess.Popen
    port: int
    key: str
    data_dir: Path
    tmp_dir: Path

    @property
    def pid(self) -> int:
        return self.proc.pid


@contextlib.contextmanager
def running_server(data_dir: Path, tmp_dir: Path, *, key: str = "k3y", ready_timeout: float = 180.0,
                   **settings: object) -> Iterator[Server]:
    """``jobmatch serve`` on 127.0.0.1 and a free port over ``data_dir``, with the API key and JOBMATCH_
    settings given; waits for /readyz; terminates (then kills) the server and its children on exit."""
    port = free_port()
    env = {**os.environ, "JOBMATCH_API_KEY": key, "TMPDIR": str(tmp_dir), "PYTHONPATH": str(ROOT)}
    env.update({f"JOBMATCH_{k.upper()}": str(v) for k, v in settings.items()})
    code = ("import sys; from api.cli import main; "
            f"sys.exit(main(['serve', '--data-dir', {str(data_dir)!r}, '--port', '{port}', '--log-level', 'warning']))")
    proc = subprocess.Popen([sys.executable, "-c", code], env=env, cwd=ROOT, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    server = Server(proc, port, key, data_dir, tmp_dir)
    try:
        deadline = time.monotonic() + ready_timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"the server exited: {proc.stderr.read().decode(errors='replace')[-2000:]}")
            try:
                status, _, _ = request(port, "GET", "/readyz", timeout=2)
                if status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the server was not ready in time")
            time.sleep(0.3)
        yield server
    finally:
        import signal

        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)
        if proc.stderr:
            proc.stderr.close()


# ---- raw HTTP/1.1 --------------------------------------------------------------------------------------------
def connect(port: int, timeout: float = 10.0) -> socket.socket:
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    return s


def head(method: str, path: str, headers: dict[str, str]) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", *(f"{k}: {v}" for k, v in headers.items()), "", ""]
    return "\r\n".join(lines).encode()


def read_response(s: socket.socket, timeout: float = 10.0) -> tuple[int, dict[str, str], bytes]:
    """One response (Content-Length bodies); raises TimeoutError / ConnectionError."""
    s.settimeout(timeout)
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = s.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed before a response ({buf[:100]!r})")
        buf += chunk
    top, rest = buf.split(b"\r\n\r\n", 1)
    lines = top.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    hdrs = {k.strip().lower(): v.strip() for k, v in (x.split(":", 1) for x in lines[1:])}
    n = int(hdrs.get("content-length", "0"))
    while len(rest) < n:
        chunk = s.recv(65536)
        if not chunk:
            break
        rest += chunk
    return status, hdrs, rest[:n]


def request(port: int, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None,
            timeout: float = 30.0) -> tuple[int, dict[str, str], bytes]:
    """One request; the body is sent from a thread while the response is read, so a server that answers
    early (401/413) and closes is seen answering, not as a reset."""
    import threading

    hdrs = {"Content-Length": str(len(body)), "Connection": "close", **(headers or {})}
    with connect(port, timeout) as s:
        s.sendall(head(method, path, hdrs))

        def send_body() -> None:
            try:
                s.sendall(body)
            except OSError:
                pass

        t = threading.Thread(target=send_body, daemon=True)
        t.start()
        try:
            return read_response(s, timeout)
        finally:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            t.join(timeout)


def multipart(filename: str, data: bytes, fields: dict[str, str] | None = None) -> tuple[bytes, str]:
    boundary = "jobmatchboundary7d3f"
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
             for k, v in (fields or {}).items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
                 "Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def upload(port: int, key: str, filename: str, data: bytes, fields: dict[str, str] | None = None,
           timeout: float = 30.0) -> tuple[int, dict[str, str], bytes]:
    body, ctype = multipart(filename, data, fields)
    return request(port, "POST", "/v1/match/resume", body, {"Content-Type": ctype, "X-API-Key": key}, timeout)


def error_of(body: bytes) -> dict:
    doc = json.loads(body)
    assert set(doc) == {"error"} and {"code", "message", "details"} <= set(doc["error"]), doc
    return doc["error"]
