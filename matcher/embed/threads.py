"""Threads for the model.

``threads=0`` (auto) chose **1** intra-op thread until 2026-12-01 (now 2 for onnxruntime: see the end).
``benchmarks/bench_stages.py`` measured a resume query on this 2-core machine: with torch, 2 threads take 44 ms against 75 ms on an idle machine but 86 ms (p99 231)
against 74 ms as soon as one other process spins on a core (onnxruntime: 31 vs 41 idle, 64 vs 44 busy). A
server always has other work (the parser worker, a second request), so it gets its parallelism from running
requests side by side instead (one embedding per core, ``Settings.compute_slots``), and batch workers from
processes. Set ``JOBMATCH_TORCH_THREADS=2`` only for a single-user process on an otherwise idle machine.

Most of what made 2 onnxruntime threads lose under load was spin-waiting: its pool threads spun between kernels.
The ONNX backend now turns spinning off (:class:`~matcher.embed.onnx_backend.OnnxBackend`); measured 2026-12-01
on a resume window at load 3-5, interleaved in one process: 1 thread 30 ms CPU, 2 threads spinning 60-62 ms CPU
(p50 98-144 ms wall), 2 threads not spinning 31-34 ms CPU (p50 31-62 ms wall, 1 thread 34-98). Two threads
without spinning therefore cost ~5 % more CPU than one and answer no later, sooner when a core is free. Over
the real corpus (``benchmarks/bench_api.py --data-dir /tmp/F-full2 --concurrency 1,8``, 80 uploads, three A/B
pairs): 2 threads c=1 p50 79, 79, 247 ms against 88, 91, 269 (load 1.1, 1.5, 4-5), c=8 17.6, 16.7, 6.3 uploads/s
against 16.9, 16.8, 5.3; the batch driver 17.7, 17.2, 16.9 resumes/s against 15.4, 14.9, 15.4. So auto is now
**2 threads for the ONNX backends** (on 2+ cores) and still 1 for torch, whose OpenMP threads do spin.
``torch.set_num_threads`` is process-wide; the last Embedder built wins.

Threads by load (2026-12-01, round 4): an onnxruntime :class:`~matcher.embed.Embedder` with more than one thread
also keeps a 1-thread session of the same graph and runs a forward pass on it when another pass is already
running (two requests embedding side by side, or the batch driver's query windows beside a search's resume
lines), so concurrent passes do not put 2 x 2 threads on 2 cores. The vectors are the same bits (tested);
measured over 40 real resume queries, 1 thread 36.2 ms CPU per query against 39.0 ms with 2 (load ~3).

Round 5: other CPU work counts too (:meth:`~matcher.embed.Embedder.competing`): the server marks a request's parse
and ranking, the batch driver its running parse workers and searches, and a pass that starts while any is marked
runs on the 1-thread session — 38 against 41 ms CPU per query at load ~4 (``benchmarks/bench_query_threads.py``);
2 threads only when the pass has the process to itself (an upload at c=1).
"""
from __future__ import annotations

import os
from contextlib import AbstractContextManager, nullcontext


def usable_cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def resolve_threads(threads: int = 0, backend: str = "torch") -> int:
    """0 = auto: 2 threads for onnxruntime on 2+ cores (no spin-waiting, see above), 1 for torch."""
    if threads < 0:
        raise ValueError(f"threads must be >= 0 (0 = auto), got {threads}")
    if threads:
        return threads
    return max(1, min(2, usable_cores())) if backend.startswith("onnx") else 1


def competing(owner) -> AbstractContextManager:  # type: ignore[no-untyped-def]
    """``owner.embedder.competing()`` (:meth:`matcher.embed.Embedder.competing`) for a service (the server's
    request's parse or ranking, the batch driver's parse workers or searches marked as CPU work beside forward
    passes); a no-op for stand-ins without it."""
    mark = getattr(getattr(owner, "embedder", None), "competing", None)
    return mark() if mark is not None else nullcontext()
