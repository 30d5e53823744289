"""Isolated parsing: a small pool of pre-started worker processes with a wall-clock limit and a memory cap.

A worker is started once (``forkserver`` context, so replacements fork from a warm server that has
already imported pypdfium2 and python-docx), sets ``RLIMIT_AS`` in its initializer and then serves
requests over a pipe. When a request exceeds the time limit, or the worker dies (a crash in pdfium,
the kernel refusing memory), the worker is killed and replaced and the caller gets
:class:`ParseTimeout`, :class:`ParseMemoryExceeded` or :class:`CorruptDocument`.

The pool is explicit: build it with :class:`WorkerPool` (``close()`` or ``with``), never at import.
"""
from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import sys
import threading
import time
from typing import Any

from matcher import errors as E
from matcher.resumes.readers import Extracted, reader_for

_ERRORS = {name: getattr(E, name) for name in (
    "UnsupportedFileType", "FileTooLarge", "EmptyDocument", "CorruptDocument", "TooManyPages",
    "ParseTimeout", "ParseMemoryExceeded", "UnsafeDocument", "ResumeError")}


STARTUP_TIMEOUT_S = 120.0
BURST_IDLE_S = 30.0  # a burst worker idle this long is stopped (at the pool's next hand-out or return)
_START_LOCK = threading.Lock()


def default_size() -> int:
    """Warm workers by default: one per usable core, at least 2 (one slow file never holds the only one)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(2, cores)


@contextlib.contextmanager
def _main_not_reimported():
    """The worker's code lives in this module, not in ``__main__``: hide the main module's file/spec while
    starting it, so forkserver/spawn do not re-run the caller's script (which breaks scripts without an
    ``if __name__ == "__main__"`` guard and slows every start)."""
    main = sys.modules.get("__main__")
    with _START_LOCK:
        saved = {k: main.__dict__.pop(k) for k in ("__file__", "__spec__") if main and k in main.__dict__}
        if main is not None:
            main.__spec__ = None  # multiprocessing reads it; None means "nothing to import by name"
        try:
            yield
        finally:
            if main:
                main.__dict__.update(saved)


def _set_limits(memory_mb: int) -> None:
    try:
        import resource

        if memory_mb > 0:
            limit = memory_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (ImportError, ValueError, OSError):  # not on this platform: rely on the timeout
        pass


def exit_with_owner(owner: int | None) -> None:
    """In a worker process: exit as soon as the process that owns it (its pool's creator, not the forkserver
    that forked it) is gone, even SIGKILLed. Without this a pool worker blocked on a queue whose write end it
    holds itself (``ProcessPoolExecutor``'s) outlives a killed owner for ever, and keeps its forkserver alive."""
    if not owner or owner == os.getpid():
        return

    def watch() -> None:
        try:
            fd = os.pidfd_open(owner)  # Linux >= 5.3: readable when the process exits
        except (AttributeError, OSError):
            fd = None
        if fd is not None:
            import select

            select.select([fd], [], [])
            os._exit(0)
        while True:  # no pidfd: poll (pid reuse within a second is not a concern here)
            try:
                os.kill(owner, 0)
            except ProcessLookupError:
                os._exit(0)
            except PermissionError:
                pass
            time.sleep(1.0)

    threading.Thread(target=watch, name="owner-watch", daemon=True).start()


def _serve(conn: Any, memory_mb: int, owner: int | None = None) -> None:
    """Worker loop: receive (kind, data, max_pages), answer ("ok", text, pages) or ("err", type, message)."""
    _set_limits(memory_mb)
    exit_with_owner(owner)
    import docx  # noqa: F401
    import pypdfium2  # noqa: F401  warm the imports once per worker

    conn.send(("ready",))  # start-up is not counted against a request's time limit
    _warm_rules()
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg is None:
            return
        kind, data, max_pages, spec = msg if len(msg) == 4 else (*msg, None)
        try:
            if kind == "_sleep":  # test hook: simulate a hanging parse
                time.sleep(float(data))
                out = Extracted("", 0)
            elif kind == "_spin":  # test hook: a parse that keeps a core busy
                t = time.process_time()
                while time.process_time() - t < float(data):
                    pass
                out = Extracted("", 0)
            elif kind == "_alloc":  # test hook: simulate a memory bomb
                blob = bytearray(int(data) * 1024 * 1024)
                out = Extracted(str(len(blob)), 0)
            elif kind == "_crash":  # test hook: simulate a native crash
                os.abort()
            else:
                out = reader_for(kind)(data, max_pages)
            reply: tuple = ("ok", out.text, out.pages, _profile_json(out.text, spec))
        except MemoryError:
            reply = ("err", "ParseMemoryExceeded", "")
        except E.ResumeError as e:
            reply = ("err", type(e).__name__, str(e))
        except Exception as e:  # a reader bug or a library exception on a broken file
            reply = ("err", "CorruptDocument", f"The file could not be read ({type(e).__name__}). "
                     "Re-save it as PDF or .docx and try again.")
        del msg, data
        try:
            conn.send(reply)
        except MemoryError:
            conn.send(("err", "ParseMemoryExceeded", ""))


def _warm_rules() -> None:
    """Load what the profile rules load lazily (gazetteer, date parser, vocabularies) once per worker, after it is
    ready: a request that arrives meanwhile waits for this, never for a cold first read."""
    try:
        from matcher.resumes.profile import profile_from_text

        profile_from_text("Engineer\nAustin, TX\nEXPERIENCE\nAcme, Jan 2015 - Mar 2019\nEDUCATION\nB.Sc. 2014",
                          as_of=None)
    except Exception:  # noqa: BLE001 - warming is best effort; the first request then loads what it needs
        pass


def _profile_json(text: str, spec: tuple[str, float, int] | None) -> str | None:
    """The profile of ``text`` as JSON when the request asked for it (``spec`` = as_of ISO date, min_confidence,
    max_chars): the rules run here, beside the reader, so a server's threads do not hold its GIL for them. None
    (the caller runs the rules itself) when not asked, for an empty text, or if the rules fail here."""
    if spec is None or not text.strip():
        return None
    try:
        from matcher.resumes.profile import as_date, profile_from_text

        as_of, min_confidence, max_chars = spec
        return profile_from_text(text[:max_chars], as_date(as_of), min_confidence=min_confidence).model_dump_json()
    except Exception:  # noqa: BLE001 - the caller reads the text itself and reports any error as before
        return None


def process_cpu_s(pid: int) -> float | None:
    """CPU seconds (user + system) a process has used, from ``/proc/<pid>/stat``; None where there is no /proc."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            fields = fh.read().rsplit(b")", 1)[1].split()  # the command name may hold spaces or parentheses
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime: fields 14 and 15
    except (OSError, ValueError, IndexError):
        return None


# CPU seconds a parse may use before its worker drops to nice 19: ~10x the slowest honest parse measured (every
# shared resume: p99 65 ms, max 128 ms wall, isolated read + profile), so an honest file is never demoted and a
# costly one is demoted sooner than the 1 s of wall clock used before (which on an idle machine was ~1 s of CPU)
DEMOTE_AFTER_CPU_S = 0.25


def over_demote_budget(limit_s: float, start: float, now: float, cpu0: float | None, cpu: float | None) -> bool:
    """Whether a parse has used more than ``limit_s``: its worker's own CPU time when it can be read, else the wall
    clock. CPU, not wall time: on a loaded host an honest 20 ms parse can wait a second for a core, and demoting it
    to nice 19 then starved it past the time limit (3 of ~4,000 uploads at load 4-10 in round 6)."""
    if cpu0 is not None and cpu is not None:
        return cpu - cpu0 > limit_s
    return now - start > limit_s


class _Worker:
    def __init__(self, ctx: Any, memory_mb: int) -> None:
        self.conn, child = ctx.Pipe(duplex=True)
        self.proc = ctx.Process(target=_serve, args=(child, memory_mb, os.getpid()), daemon=True,
                                name="resume-parser")
        with _main_not_reimported():
            self.proc.start()
        child.close()
        self.ready = False
        self.demoted = False
        self.idle_since = time.monotonic()
        self.peak_vm = 0  # largest address space seen while it parsed (bytes), sampled by the pool
        self.base_vm = 0  # address space when the parse began

    def sample_vm(self) -> None:
        """Sample the worker's address-space size (Linux /proc); a native library that runs out of memory
        under the cap aborts instead of raising, so the last samples are what tells a bomb from a crash."""
        try:
            with open(f"/proc/{self.proc.pid}/statm", "rb") as fh:
                self.peak_vm = max(self.peak_vm, int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE"))
        except (OSError, ValueError, IndexError):
            pass

    def cpu_s(self) -> float | None:
        """The worker's CPU time so far (user + system, Linux /proc), None where it cannot be read."""
        return process_cpu_s(self.proc.pid)

    def wait_ready(self, timeout: float) -> bool:
        """Wait for the worker's start-up handshake (imports done, limits set)."""
        if self.ready:
            return True
        try:
            if self.conn.poll(timeout) and self.conn.recv() == ("ready",):
                self.ready = True
        except (EOFError, OSError):
            return False
        return self.ready

    def kill(self) -> None:
        try:
            self.proc.kill()
            self.proc.join(2)
        except Exception:
            pass
        try:
            self.conn.close()
        except Exception:
            pass

    def stop(self) -> None:
        try:
            self.conn.send(None)
            self.proc.join(1)
        except Exception:
            pass
        if self.proc.is_alive():
            self.kill()
        else:
            self.conn.close()


class WorkerPool:
    """Persistent parser processes shared by threads; each call borrows one worker.

    ``size`` workers are started at once (0 = the usable cores, at least 2). While all are busy, up to
    ``burst`` more are started on demand (from the warm forkserver: tens of ms) and stopped again when idle,
    so a few slow files cannot hold every worker while honest ones wait. A parse still running after
    ``demote_after_s`` of its worker's CPU time (wall time where /proc is missing) is moved to the lowest CPU
    priority (nice 19), so long parses only get the CPU that
    short ones and the server leave; its worker is replaced afterwards (priority cannot be raised back).
    At most ``max_waiting`` calls wait
    for a worker (None = no bound); one more raises :class:`ParserBusy` at once. A call whose ``cancel``
    event is set (its request gave up) stops waiting, or has its worker killed and replaced.
    """

    def __init__(self, size: int = 0, *, timeout_s: float = 10.0, memory_mb: int = 1024,
                 start_method: str | None = None, burst: int = 0, max_waiting: int | None = None,
                 demote_after_s: float | None = DEMOTE_AFTER_CPU_S) -> None:
        method = start_method or ("forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn")
        self._ctx = mp.get_context(method)
        if method == "forkserver":
            self._ctx.set_forkserver_preload(["pypdfium2", "docx", "matcher.resumes.readers"])
        self.size = size if size > 0 else default_size()
        self.max_size = self.size + max(0, burst)
        self.max_waiting = max_waiting
        self.demote_after_s = demote_after_s
        self.timeout_s = timeout_s
        self.memory_mb = memory_mb
        self.restarts = 0
        self.burst_started = 0  # burst workers started so far
        self._cond = threading.Condition()
        self._idle: list[_Worker] = []
        self._all: list[_Worker] = []
        self._waiting = 0
        self._closed = False
        for _ in range(self.size):
            w = _Worker(self._ctx, memory_mb)
            self._all.append(w)
            self._idle.append(w)

    # ---- borrowing --------------------------------------------------------------------------------------------
    def _acquire(self, cancel: threading.Event | None) -> _Worker:
        with self._cond:
            if not self._idle and len(self._all) >= self.max_size:
                if self.max_waiting is not None and self._waiting >= self.max_waiting:
                    raise E.ParserBusy(f"{self._waiting} files are already waiting for the parser; "
                                       "retry in a few seconds.")
                self._waiting += 1
                try:
                    while not self._idle and len(self._all) >= self.max_size and not self._closed:
                        if cancel is not None and cancel.is_set():
                            raise E.ParseCancelled("The request gave up while its file waited for the parser.")
                        self._cond.wait(0.05)
                finally:
                    self._waiting -= 1
            if self._closed:
                raise RuntimeError("the parser pool is closed")
            if self._idle:
                return self._idle.pop()
            w = _Worker(self._ctx, self.memory_mb)  # a burst worker (fork from the warm server: fast)
            self.burst_started += 1
            self._all.append(w)
            return w

    def _release(self, w: _Worker) -> None:
        """Give a healthy worker back; a burst worker nobody waits for is stopped."""
        if w.demoted:  # a nice-19 worker would stay slow: replace it
            self._discard(w, restart=False)
            return
        with self._cond:
            if self._closed:
                self._all = [x for x in self._all if x is not w]
                stale = [w]
            else:
                w.idle_since = time.monotonic()
                self._idle.append(w)
                self._cond.notify()
                stale = self._stale_burst()
        for x in stale:
            x.stop()

    def _stale_burst(self) -> list[_Worker]:
        """Take out burst workers (those past ``size``) idle for ``BURST_IDLE_S``: under a steady load they stay
        (starting one costs a process and its warm-up), after it they go. Call with ``_cond`` held."""
        now = time.monotonic()
        stale = []
        for x in list(self._idle):
            if len(self._all) - len(stale) <= self.size:
                break
            if now - x.idle_since >= BURST_IDLE_S:
                stale.append(x)
        if stale:
            self._idle = [x for x in self._idle if x not in stale]
            self._all = [x for x in self._all if x not in stale]
        return stale

    def _discard(self, w: _Worker, *, restart: bool = True) -> None:
        """Kill a worker (timed out, cancelled, dead, demoted); keep ``size`` workers warm."""
        w.kill()
        with self._cond:
            self.restarts += restart
            self._all = [x for x in self._all if x is not w]
            refill = not self._closed and len(self._all) < self.size
            if refill:
                nw = _Worker(self._ctx, self.memory_mb)
                self._all.append(nw)
                self._idle.append(nw)
            self._cond.notify()

    # ---- one parse ----------------------------------------------------------------------------------------------
    def run(self, kind: str, data: Any, max_pages: int, *, timeout_s: float | None = None,
            cancel: threading.Event | None = None, profile: tuple[str, float, int] | None = None) -> Extracted:
        """The text of ``data`` read by a worker; with ``profile`` (as_of ISO date, min_confidence, max_chars) also
        the profile read from it there (``Extracted.profile_json``; None if the worker could not)."""
        if self._closed:
            raise RuntimeError("the parser pool is closed")
        timeout = self.timeout_s if timeout_s is None else timeout_s
        w = self._acquire(cancel)
        healthy = False
        try:
            if not w.proc.is_alive() or not w.wait_ready(STARTUP_TIMEOUT_S):
                raise E.ParseTimeout("The resume parser could not start in time (the machine may be overloaded); "
                                     "retry in a moment.")
            reply = self._exchange(w, (kind, data, max_pages, profile), timeout, cancel)
            healthy = True
        finally:
            if healthy:
                self._release(w)
            else:
                self._discard(w)
        if reply[0] == "ok":
            return Extracted(reply[1], reply[2], reply[3] if len(reply) > 3 else None)
        _, name, message = reply
        if name == "ParseMemoryExceeded":
            raise E.ParseMemoryExceeded(f"Reading the file needed more than {self.memory_mb} MB and was stopped. "
                                        "Upload a smaller or simpler file.")
        raise _ERRORS.get(name, E.CorruptDocument)(message)

    def _exchange(self, w: _Worker, msg: tuple, timeout: float, cancel: threading.Event | None) -> tuple:
        """Send one request and wait for its reply in short slices (10 ms: a cancel is seen at once, and the address
        space is sampled often enough to catch a bomb that grows and aborts within a tenth of a second)."""
        start = time.monotonic()
        deadline = start + timeout
        try:
            w.conn.send(msg)
            w.peak_vm = 0
            w.sample_vm()
            w.base_vm = w.peak_vm
            cpu0 = w.cpu_s() if self.demote_after_s is not None else None
            while not w.conn.poll(0.01):
                w.sample_vm()
                if (not w.demoted and self.demote_after_s is not None
                        and over_demote_budget(self.demote_after_s, start, time.monotonic(), cpu0, w.cpu_s())):
                    w.demoted = True
                    with contextlib.suppress(OSError):
                        os.setpriority(os.PRIO_PROCESS, w.proc.pid, 19)
                if cancel is not None and cancel.is_set():
                    raise E.ParseCancelled("The request gave up; its parse was stopped.")
                if not w.proc.is_alive():
                    break
                if time.monotonic() >= deadline:
                    raise E.ParseTimeout(f"Reading the file took longer than {timeout:g} s and was stopped. "
                                         "Upload a simpler PDF or a .docx/text version.")
            return w.conn.recv()
        except (BrokenPipeError, EOFError, OSError):
            pass
        w.proc.join(1)
        self._raise_died(w.proc.exitcode, w.peak_vm - w.base_vm, w.peak_vm)
        raise AssertionError("unreachable")

    def _raise_died(self, code: int | None, grew: int = 0, peak: int = 0) -> None:
        import signal

        cap = self.memory_mb * 1024 * 1024
        # near the cap: the parse grew by a quarter of it, or the address space came within 15 % of it (a worker
        # starts at ~250 of 384 MB in the tests, so growth alone sat at the edge of the first test)
        near_cap = self.memory_mb > 0 and (grew >= 0.25 * cap or peak >= 0.85 * cap)
        if code == -signal.SIGKILL or (near_cap and code in (-signal.SIGABRT, -signal.SIGSEGV, -signal.SIGBUS,
                                                               -signal.SIGTRAP)):
            # the kernel OOM killer, or a native library aborting on a failed allocation near the cap
            # (a decompression bomb): a memory failure, not a corrupt file
            raise E.ParseMemoryExceeded(f"Reading the file needed more than {self.memory_mb} MB and was stopped. "
                                        "Upload a smaller or simpler file.")
        raise E.CorruptDocument(f"The parser crashed on this file (exit code {code}). "
                                "Re-save it as PDF or .docx and try again.")

    def close(self) -> None:
        if self._closed:
            return
        with self._cond:
            self._closed = True
            workers = list(self._all)
            self._cond.notify_all()
        for w in workers:
            w.stop()

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:  # best effort; call close()
        try:
            self.close()
        except Exception:
            pass
