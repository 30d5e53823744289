"""The writer lock of a data directory: one writing process at a time, readers never wait.

``DataDirLock.for_dir(data_dir)`` returns the one lock object of that directory in this process. ``with
lock.hold(timeout_s):`` takes it: first a thread lock (writer threads of one process queue up), then, for
the outermost holder only, ``fcntl.flock(LOCK_EX)`` on ``<data_dir>/writer.lock``. The holder's pid, command
line and start time are written into the file, so a writer that waits longer than ``timeout_s`` fails with
:class:`WriterLockTimeout` naming who holds it. The kernel drops an flock when its process dies (SIGKILL
included), so a crashed writer never leaves a stale lock; the text in the file is only informative.

Re-entrant within a thread (the service's ``sync`` inside ``add``), so library calls can nest.
"""
from __future__ import annotations

import contextlib
import fcntl
import json
import os
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from .errors import JobmatchError

LOCK_NAME = "writer.lock"
_POLL_S = 0.05


class WriterLockTimeout(JobmatchError):
    """Another process kept the data directory's writer lock for longer than the wait allowed."""

    code = "writer_lock_timeout"
    status_code = 503  # the API answers 503 with Retry-After


class DataDirLock:
    _registry: dict[str, DataDirLock] = {}
    _registry_lock = threading.Lock()

    def __init__(self, path: Path) -> None:
        self.path = path
        self._thread_lock = threading.RLock()
        self._depth = 0
        self._fd: int | None = None

    @classmethod
    def for_dir(cls, data_dir: Path | str) -> DataDirLock:
        path = (Path(data_dir) / LOCK_NAME).resolve()
        with cls._registry_lock:
            lock = cls._registry.get(str(path))
            if lock is None:
                lock = cls._registry[str(path)] = cls(path)
            return lock

    # ---- holder information --------------------------------------------------------------------------------------
    def holder(self) -> dict | None:
        """What the file says about the current (or last) holder: pid, cmd, since; None when unreadable."""
        try:
            info = json.loads(self.path.read_text() or "null")
            return info if isinstance(info, dict) else None
        except (OSError, ValueError):
            return None

    @property
    def held(self) -> bool:
        """True while this process holds the lock (in any thread)."""
        return self._depth > 0

    def _describe_holder(self) -> str:
        info = self.holder()
        if not info:
            return "another process (its pid was not recorded yet)"
        since = info.get("since")
        age = f", for {time.time() - since:.0f} s" if isinstance(since, (int, float)) else ""
        return f"pid {info.get('pid')} ({info.get('cmd', '?')}{age})"

    # ---- taking it -----------------------------------------------------------------------------------------------
    @contextlib.contextmanager
    def hold(self, timeout_s: float) -> Iterator[None]:
        deadline = time.monotonic() + max(0.0, timeout_s)
        if not self._thread_lock.acquire(timeout=max(0.0, timeout_s)):
            raise WriterLockTimeout(
                f"another writer thread of this process kept the data directory busy for {timeout_s:g} s "
                f"({self.path.parent}); retry, or raise JOBMATCH_WRITER_LOCK_TIMEOUT_S")
        try:
            if self._depth == 0:
                self._take_file_lock(deadline, timeout_s)
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
                if self._depth == 0:
                    self._release_file_lock()
        finally:
            self._thread_lock.release()

    def _take_file_lock(self, deadline: float, timeout_s: float) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise WriterLockTimeout(
                            f"the data directory {self.path.parent} is being written by "
                            f"{self._describe_holder()}; waited {timeout_s:g} s. Wait for it to finish and retry, "
                            "or raise JOBMATCH_WRITER_LOCK_TIMEOUT_S") from None
                    time.sleep(_POLL_S)
            info = {"pid": os.getpid(), "cmd": " ".join(sys.argv)[:300] or sys.executable, "since": time.time()}
            os.ftruncate(fd, 0)
            os.pwrite(fd, json.dumps(info).encode(), 0)
        except BaseException:
            os.close(fd)  # closing drops the flock, if taken
            raise
        self._fd = fd

    def _release_file_lock(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)  # no holder now (a waiting writer reads "not recorded yet" for a moment)
            os.close(fd)  # drops the flock
