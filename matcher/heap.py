"""The Python heap of a long-running process that has loaded the service.

Once the model, the index and the libraries are loaded, a process holds ~0.5 M objects that the cyclic garbage
collector tracks (mostly functions, tuples and dicts of imported modules: torch, transformers, onnxruntime,
pydantic); every full collection walks all of them — measured 260-300 ms at load ~5 over the real corpus — and
a server made one every ~80 uploads (3.7 ms of CPU per upload on average, all of it in one request's latency).
:func:`freeze_loaded_heap` collects once, then moves every live object out of the collector's reach
(``gc.freeze``), so later collections only walk what was allocated since. Frozen objects are still freed by
reference counting; only a frozen object that later becomes garbage *in a cycle* is never freed (a view replaced
by a new generation leaves ~500 small objects in cycles, ``ast.literal_eval`` closures of ``np.load``; its
arrays are freed). Entry points call it (the server after loading, the batch driver): not the library, whose
callers (tests) create and drop services all the time.
"""
from __future__ import annotations

import gc


def freeze_loaded_heap() -> int:
    """Collect, then freeze every object alive now; returns how many objects are frozen."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
