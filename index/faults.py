"""Crash points for the crash tests: ``point(name)`` does nothing unless ``JOBMATCH_CRASH_AT=name:n`` is set in
the environment, in which case the process SIGKILLs itself the n-th time it reaches ``name`` (no cleanup, no
flush: what a power cut or the OOM killer does). Read once per process; costs one dict lookup otherwise.

Points: ``store.committed`` (a store write is committed, the index not saved), ``index.file`` (between two
files of a new generation), ``index.published`` (generation directory renamed, manifest not switched),
``index.saved`` (manifest switched, lexical side and pending list not updated), ``reindex.built`` (new index
written, symlink not swapped), ``reindex.swapped`` (symlink swapped, lexical side not saved).
"""
from __future__ import annotations

import os
import signal

_target: tuple[str, int] | None = None
_counts: dict[str, int] = {}
_read = False


def _load() -> None:
    global _target, _read
    _read = True
    spec = os.environ.get("JOBMATCH_CRASH_AT", "")
    if ":" in spec:
        name, _, n = spec.rpartition(":")
        _target = (name, int(n))


def point(name: str) -> None:
    if not _read:
        _load()
    if _target is None or _target[0] != name:
        return
    _counts[name] = _counts.get(name, 0) + 1
    if _counts[name] >= _target[1]:
        os.kill(os.getpid(), signal.SIGKILL)
