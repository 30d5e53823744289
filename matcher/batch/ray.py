"""The ``ray`` batch engine: the batch pipeline on Ray Data (``jobmatch batch --engine ray``).

::

    ray.data.from_items(inputs)                           one row per candidate (a JSON payload)
      .map_batches(parse_batch, concurrency=workers)      Ray tasks, each with the in-process parser
      .map_batches(MatchActor, concurrency=actors)        actors holding the model, the store and the index
    driver: iter_rows() -> RunOutput.emit (same lines, same summary as the local engine)

Each :class:`MatchActor` builds its own read-only :class:`~matcher.service.MatchService` from the data
directory, so on a cluster (``--ray-address``) every node needs the project installed and the data
directory at the same path (a shared file system), and the inputs readable at their paths.
Without an address a local Ray instance is started with 2 CPUs (``JOBMATCH_RAY_CPUS`` to change).
Ray's start-up costs tens of seconds; use it when a cluster is there, the local engine otherwise.

(This module is ``matcher.batch.ray``; ``import ray`` in it is the Ray package: imports are absolute.)
"""
from __future__ import annotations

import dataclasses
import json
import os
import time
from typing import Any

from ..domain import MatchOptions
from ..settings import Settings
from .engine import Engine, RunOutput
from .inputs import BatchInput
from .matching import FORWARD_BATCH, match_parsed
from .parse import ensure_parse_worker, parse_one


def payload(it: BatchInput) -> dict[str, str]:
    """One Ray row for an input: its id and the input as JSON (paths made absolute)."""
    d = dataclasses.asdict(it)
    if d["path"] is not None:
        d["path"] = os.path.abspath(d["path"])  # workers may run elsewhere; ``source`` keeps the user's spelling
    return {"id": it.id, "payload": json.dumps(d, ensure_ascii=False)}


def parse_batch(batch: dict[str, Any], *, settings_json: str, as_of: str) -> dict[str, list[str]]:
    """Ray task: parse every payload of the batch with this worker process's in-process parser."""
    from datetime import datetime

    # no RLIMIT_AS in a Ray worker: its object store mapping counts against it; Ray's memory monitor applies
    ensure_parse_worker(Settings.model_validate_json(settings_json), memory_cap=False)
    when = datetime.fromisoformat(as_of)
    out = []
    for raw in batch["payload"]:
        d = json.loads(raw)
        d["error"] = tuple(d["error"]) if d["error"] else None
        d["ignored"] = tuple(d["ignored"])
        out.append(json.dumps(parse_one(BatchInput(**d), when), ensure_ascii=False))
    return {"id": list(batch["id"]), "parsed": out}


class MatchActor:
    """Holds one MatchService (model + store + index, read-only) and matches batches of parsed resumes."""

    def __init__(self, settings_json: str, options_json: str) -> None:
        from ..service import MatchService

        settings = Settings.model_validate_json(settings_json)
        self.svc = MatchService(settings, create_index=False)
        self.opts = MatchOptions.model_validate_json(options_json)

    def __call__(self, batch: dict[str, Any]) -> dict[str, list]:
        parsed = [json.loads(p) for p in batch["parsed"]]
        parse_s = [p.pop("seconds", 0.0) for p in parsed]
        records, t = match_parsed(self.svc, parsed, self.opts, embed_batch_size=FORWARD_BATCH)
        n = max(1, len(records))
        return {"record": [json.dumps(r, ensure_ascii=False) for r in records], "parse_s": parse_s,
                "embed_s": [t["embed"] / n] * len(records), "search_s": [t["search"] / n] * len(records)}


def init_ray(address: str | None) -> dict[str, Any]:
    import ray

    if not ray.is_initialized():
        kw: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False, "logging_level": "ERROR"}
        if address:
            ray.init(address=address, **kw)
        else:
            ray.init(num_cpus=Settings().ray_cpus, **kw)
    return {"ray_version": ray.__version__, "ray_cpus": ray.cluster_resources().get("CPU")}


class RayEngine(Engine):
    name = "ray"

    def run(self, todo: list[BatchInput], out: RunOutput) -> dict[str, Any]:
        import ray

        cfg, times = self.cfg, out.times
        t0 = time.perf_counter()
        info = init_ray(cfg.ray_address)
        info["ray_init_s"] = round(time.perf_counter() - t0, 3)
        ctx = ray.data.DataContext.get_current()
        ctx.enable_progress_bars = False
        if hasattr(ctx, "enable_operator_progress_bars"):
            ctx.enable_operator_progress_bars = False
        if not todo:
            return info
        settings = cfg.settings.model_copy(update={"data_dir": cfg.settings.data_dir.resolve(), "torch_threads":
                                                   cfg.settings.torch_threads or 1})
        workers = max(1, cfg.workers)
        actors = max(1, cfg.match_actors)
        blocks = max(1, min(len(todo), max(2 * workers, len(todo) // 32)))
        ds = ray.data.from_items([payload(it) for it in todo], override_num_blocks=blocks)
        ds = ds.map_batches(parse_batch, batch_size=8, compute=ray.data.TaskPoolStrategy(size=workers),
                            num_cpus=cfg.parse_cpus,
                            fn_kwargs={"settings_json": settings.model_dump_json(),
                                       "as_of": cfg.options.as_of.isoformat()})
        ds = ds.map_batches(MatchActor, batch_size=cfg.embed_batch, compute=ray.data.ActorPoolStrategy(size=actors),
                            num_cpus=1,
                            fn_constructor_kwargs={"settings_json": settings.model_dump_json(),
                                                   "options_json": cfg.options.model_dump_json()})
        for row in ds.iter_rows():
            times.parse += float(row["parse_s"])
            times.embed += float(row["embed_s"])
            times.search += float(row["search_s"])
            out.emit(json.loads(row["record"]))
        info.update({"match_actors": actors, "parse_cpus": cfg.parse_cpus})
        return info
