"""Text embeddings: the bundled all-MiniLM-L6-v2 (or any sentence-transformers model), windowed.

Modules (each imports only those above it)::

    model_files    locate, extract and verify the bundled model; resolve a local one (never downloads)
    windows        split token ids into windows, pad them into arrays, pool window and token vectors
    threads        usable_cores, resolve_threads (why 1 thread by default)
    backend        the Backend interface (one forward(arrays)), ModelSpec
    torch_backend  TorchBackend: the sentence-transformers model in PyTorch
    onnx_backend   OnnxBackend: the model exported to ONNX (fp32 or int8), pooled in numpy
    embedder       Embedder: tokenise, window, batch, forward, pool; make_backend

``from matcher.embed import Embedder`` (and the other names below) is the public way in.
"""
from __future__ import annotations

from .backend import BACKENDS, Backend, ModelSpec
from .embedder import Embedder, make_backend
from .model_files import (
    BUNDLED,
    BUNDLED_MODEL_ID,
    BUNDLED_PACKAGE,
    BUNDLED_PIP,
    BUNDLED_SHA256,
    BUNDLED_WEIGHTS,
    bundled_zip,
    default_cache_dir,
    locate_bundled_model,
    resolve_model,
    safe_extract,
    sha256_file,
    verify_bundled,
)
from .threads import competing, resolve_threads, usable_cores
from .windows import POOLINGS, WINDOW_OVERLAP, mean_pool_rows, pad_windows, pool_windows, split_windows

__all__ = [
    "BACKENDS", "BUNDLED", "BUNDLED_MODEL_ID", "BUNDLED_PACKAGE", "BUNDLED_PIP", "BUNDLED_SHA256", "BUNDLED_WEIGHTS",
    "Backend", "Embedder", "ModelSpec", "POOLINGS", "WINDOW_OVERLAP", "bundled_zip", "competing", "default_cache_dir",
    "locate_bundled_model", "make_backend", "mean_pool_rows", "pad_windows", "pool_windows", "resolve_model",
    "resolve_threads", "safe_extract", "sha256_file", "split_windows", "usable_cores", "verify_bundled",
]
