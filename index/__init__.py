"""Vector index: vectors, filter columns, persistence as a directory with a manifest, search planning.

Public API::

    from index import JobIndex, ColumnRow, FilterColumns, PlannerSettings, SearchResult

    idx = JobIndex.create(path, dim=384, model_id="bundled:all-MiniLM-L6-v2", model_checksum="...")
    idx.upsert(keys, vectors, rows)          # rows: one ColumnRow per posting
    snap = idx.snapshot()                   # consistent view: compute masks and search the same one
    mask = ~snap.columns.expired(now) & snap.columns.degree_at_most(3)
    res = snap.search(queries, k=10, mask=mask)   # or masks=(q, n) per query
    idx.save()                              # new generation (only what changed), atomic manifest switch
    idx = JobIndex.open(path, model_id=..., dim=384, mmap=True)
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from .columns import ColumnRow, FilterColumns, haversine_km
    from .job_index import METRIC, IndexSnapshot, JobIndex
    from .planner import PlannerSettings, SearchResult

# Imported on first use (PEP 562), so ``import index.errors`` / ``index.atomic`` (the error vocabulary every
# process loads, parser workers under a memory cap included) does not load numpy and faiss.
_LAZY = {"ColumnRow": "columns", "FilterColumns": "columns", "haversine_km": "columns", "PlannerSettings": "planner",
         "SearchResult": "planner", "METRIC": "job_index", "IndexSnapshot": "job_index", "JobIndex": "job_index"}

__all__ = ["JobIndex", "IndexSnapshot", "ColumnRow", "FilterColumns", "PlannerSettings", "SearchResult",
           "haversine_km", "METRIC"]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
