"""The batch run: plan the inputs, hand them to an engine, write the summary.

Resuming: with ``resume=True`` the ids already in OUT are skipped; a torn last line (a killed run) is
cut off first. OUT is only ever appended to.

Clock: when no ``as_of`` is given, one clock is pinned at the start of the run for parsing and filtering,
so every candidate of a run is judged at the same instant (it is recorded in the summary).
"""
from __future__ import annotations

import importlib
import time
from collections import Counter
from typing import Any

from index.atomic import write_json_atomic

from ..errors import DuplicateId, InvalidRequest
from ..options import as_utc
from .engine import BatchConfig, Engine, RunOutput, StopRun
from .inputs import BatchInput, iter_inputs
from .records import Writer, read_done, summary_path

# engine name -> "module:class"; imported only when chosen (the ray engine needs the `ray` extra)
ENGINES = {"local": "matcher.batch.local:LocalEngine", "ray": "matcher.batch.ray:RayEngine"}


def engine_for(cfg: BatchConfig) -> Engine:
    """The engine ``cfg.engine`` names, built for ``cfg``."""
    spec = ENGINES.get(cfg.engine)
    if spec is None:
        raise InvalidRequest(f"unknown engine {cfg.engine!r}; use {' or '.join(ENGINES)}")
    module, cls = spec.split(":")
    return getattr(importlib.import_module(module), cls)(cfg)


def plan_inputs(cfg: BatchConfig) -> tuple[list[BatchInput], int, int, Counter]:
    """(inputs to do, inputs in total, already done, ignored keys) after reading OUT when resuming."""
    done = read_done(cfg.out) if cfg.resume else set()
    if not cfg.resume and cfg.out.exists() and cfg.out.stat().st_size:
        raise InvalidRequest(f"{cfg.out} already exists; pass --resume to continue it, or choose another --out")
    items = list(iter_inputs(cfg.input))
    ignored: Counter[str] = Counter(k for it in items for k in it.ignored)
    seen: set[str] = set()
    todo = []
    for it in items:
        if it.id in seen and not it.error:
            it.error = (DuplicateId.code, f"the id {it.id!r} was already used by an earlier input; ids must be unique")
        seen.add(it.id)
        if it.id not in done:
            todo.append(it)
    return todo, len(items), len(items) - len(todo), ignored


def run_batch(cfg: BatchConfig) -> dict[str, Any]:
    """Run the whole batch; return (and write to ``OUT.summary.json``) the summary."""
    t_start = time.perf_counter()
    cfg.options = cfg.options.model_copy(update={"as_of": as_utc(cfg.options.as_of)})  # one clock for the run
    todo, total, skipped, ignored = plan_inputs(cfg)
    writer = Writer(cfg.out)
    out = RunOutput(writer, len(todo), progress=cfg.progress, stop_after=cfg.stop_after)
    extra: dict[str, Any] = {}
    interrupted = False
    try:
        extra = engine_for(cfg).run(todo, out)
    except StopRun:
        interrupted = True
    except KeyboardInterrupt:
        interrupted = True
        raise
    finally:
        out.close()
        writer.close()
        elapsed = time.perf_counter() - t_start
        written = writer.written
        summary = {
            "input": str(cfg.input), "out": str(cfg.out), "engine": cfg.engine, "workers": cfg.workers,
            "as_of": cfg.options.as_of.isoformat() if cfg.options.as_of else None,
            "inputs": total, "already_done": skipped, "processed": written, "ok": writer.ok,
            "failed": len(writer.failed), "complete": (not interrupted) and written == len(todo),
            "failures_by_code": dict(writer.codes), "failures": writer.failed[:1000],
            "ignored_keys": dict(ignored), "elapsed_s": round(elapsed, 3),
            "candidates_per_s": round(written / elapsed, 3) if elapsed > 0 else None,
            "stages_s": out.times.as_dict(), **extra,
        }
        write_json_atomic(summary_path(cfg.out), summary)
    return summary
