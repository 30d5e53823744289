"""The ``local`` batch engine: a process pool of parse workers feeding the model in this process.

::

    inputs ──> parse (process pool of ``workers``, in-process readers, the parser's limits)
           ──> embed (batches of query texts, the same vectors as the service's query path)
           ──> match_page per candidate with its vector (filters, ranking, explanations), on a second
               thread while the driver embeds the next batch
           ──> RunOutput.emit (one flushed JSONL line per candidate, as it goes)

Parse workers are started before the model is loaded; while they are busy a torch model gets the cores
they leave; once parsing is over it gets all of them. An onnxruntime model has 2 threads (:func:`choose_threads`)
but its passes run on its 1-thread session while parse workers or searches are running
(:meth:`~matcher.embed.Embedder.competing`). A worker that crashes
breaks the pool: the pool is rebuilt and the inputs in flight retried once; an input that crashes it
twice is recorded as ``corrupt``.
"""
from __future__ import annotations

import os
import time
from collections import Counter
from contextlib import nullcontext
from typing import Any

from ..embed.threads import competing
from ..errors import CorruptDocument, error_payload
from ..settings import Settings
from .engine import Engine, RunOutput
from .inputs import BatchInput
from .matching import FORWARD_BATCH, embed_step, prepare, search_step
from .parse import init_parse_worker, parse_one


def choose_threads(workers: int, settings: Settings) -> int:
    """The driver's embedding threads. torch: the cores the parse workers leave, at least 1. onnxruntime: 2 (on
    2+ cores) whatever the workers: its sessions do not spin-wait, so a second thread costs ~5 % more CPU and
    takes the core whenever a parse worker waits. Measured 2026-12-01, 200 real resumes against the real corpus,
    1 parse worker, load 1.2-1.4, alternating: 2 threads 17.7, 17.2, 16.9 resumes/s steady (embed stage 5.5-5.7 s)
    against 1 thread 15.4, 14.9, 15.4 (7.1-7.4 s)."""
    from ..embed import usable_cores
    from ..embed.threads import resolve_threads

    if settings.torch_threads or settings.embed_backend.startswith("onnx"):
        return resolve_threads(settings.torch_threads, settings.embed_backend)  # the service's rule
    return max(1, min(2, usable_cores() - workers))


class LocalEngine(Engine):
    name = "local"

    def run(self, todo: list[BatchInput], out: RunOutput) -> dict[str, Any]:
        import multiprocessing as mp
        from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, ThreadPoolExecutor, wait
        from concurrent.futures.process import BrokenProcessPool

        from ..embed import resolve_threads
        from ..service import MatchService

        cfg, times = self.cfg, out.times
        as_of = cfg.options.as_of
        workers = max(1, cfg.workers)
        method = "forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn"
        ctx = mp.get_context(method)
        if method == "forkserver":
            ctx.set_forkserver_preload(["matcher.resumes", "matcher.batch.parse"])

        def new_pool() -> ProcessPoolExecutor:
            return ProcessPoolExecutor(workers, mp_context=ctx, initializer=init_parse_worker,
                                       initargs=(cfg.settings, True, os.getpid()))

        t_start = time.perf_counter()
        startup = 0.0
        pool = new_pool()  # started before the model is loaded
        threads = choose_threads(workers, cfg.settings)
        settings = cfg.settings.model_copy(update={"torch_threads": threads})
        queue = list(reversed(todo))
        attempts: Counter[str] = Counter()
        pending: dict[Any, BatchInput] = {}
        ready: list[dict[str, Any]] = []
        max_pending = max(4 * cfg.embed_batch, 32 * workers)
        started = False
        # one batch's searches (GIL-bound Python) run on this thread while the driver embeds the next batch
        # (onnxruntime releases the GIL); records are still written in input order, batch after batch
        searcher = ThreadPoolExecutor(1, thread_name_prefix="batch-search")
        # a second embedding thread: half of each batch's queries embed beside the other half (see embed_step)
        from ..embed import usable_cores

        split = cfg.embed_split if cfg.embed_split is not None else usable_cores() >= 2
        embed_helper = ThreadPoolExecutor(1, thread_name_prefix="batch-embed") if split else None
        searching: Future | None = None

        def emit_searched() -> None:
            nonlocal searching
            if searching is not None:
                records, search_s = searching.result()
                searching = None
                times.search += search_s
                for rec in records:
                    out.emit(rec)

        try:
            with MatchService(settings, create_index=False) as svc:
                import torch

                if cfg.freeze_heap:  # a CLI run: full GC passes would walk ~0.5 M loaded objects (matcher/heap.py)
                    from ..heap import freeze_loaded_heap

                    freeze_loaded_heap()
                startup = time.perf_counter() - t_start

                while queue or pending or ready:
                    while queue and len(pending) < max_pending:
                        it = queue.pop()
                        pending[pool.submit(parse_one, it, as_of)] = it
                    want = cfg.embed_batch if started else min(cfg.embed_batch, 8)  # start embedding early
                    if pending and len(ready) < want:
                        t0 = time.perf_counter()
                        done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
                        times.parse_wait += time.perf_counter() - t0
                        broken = False
                        for f in done:
                            it = pending.pop(f)
                            try:
                                r = f.result()
                            except BrokenProcessPool:
                                broken = True
                                attempts[it.id] += 1
                                if attempts[it.id] >= 2:
                                    r = {"id": it.id, "source": it.source, "options": it.options, "profile": None,
                                         "seconds": 0.0, "error": error_payload(CorruptDocument(
                                             "The parser crashed on this file. Re-save it as PDF or .docx "
                                             "and try again."))}
                                else:
                                    queue.append(it)
                                    continue
                            times.parse += r.pop("seconds", 0.0)
                            ready.append(r)
                        if broken:
                            for it in list(pending.values()):
                                queue.append(it)
                            pending.clear()
                            pool.shutdown(wait=False, cancel_futures=True)
                            pool = new_pool()
                        if (queue or pending) and len(ready) < want:
                            continue
                    all_threads = resolve_threads(cfg.settings.torch_threads)
                    if not queue and not pending and torch.get_num_threads() != all_threads:
                        torch.set_num_threads(all_threads)  # parsing over: all cores
                    batch, ready = ready[:cfg.embed_batch], ready[cfg.embed_batch:]
                    started = True
                    step = prepare(batch, cfg.options)
                    # parse workers or the previous batch's searches still running take the other core: the
                    # passes then run on the 1-thread session (same bits; 38 against 41.5 ms CPU per query in
                    # passes of 4, and no later, at load ~4: benchmarks/bench_query_threads.py)
                    others = (any(not f.done() for f in pending)
                              or (searching is not None and not searching.done()))
                    with competing(svc) if others else nullcontext():
                        vecs, embed_s = embed_step(svc, step, batch_size=FORWARD_BATCH, helper=embed_helper)
                    times.embed += embed_s
                    emit_searched()  # the batch before, in input order
                    searching = searcher.submit(search_step, svc, step, vecs)
                emit_searched()
        finally:
            searcher.shutdown(wait=True, cancel_futures=True)
            if embed_helper is not None:
                embed_helper.shutdown(wait=True, cancel_futures=True)
            pool.shutdown(wait=True, cancel_futures=True)
        return {"torch_threads": threads, "parse_start_method": method, "startup_s": round(startup, 3)}
