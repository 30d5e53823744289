"""The backend interface: one ``forward(arrays)`` from padded input arrays to sentence vectors.

An :class:`~matcher.embed.embedder.Embedder` tokenises and windows texts, pads windows into arrays
(:func:`~matcher.embed.windows.pad_windows`), and asks its backend for their vectors. A backend gets what it
needs about the loaded model explicitly, as a :class:`ModelSpec` (built by
:func:`~matcher.embed.embedder.make_backend`); one implementation per module:

- ``torch`` (:class:`~matcher.embed.torch_backend.TorchBackend`): the sentence-transformers model itself;
- ``onnx`` / ``onnx-int8`` (:class:`~matcher.embed.onnx_backend.OnnxBackend`): the same model exported to
  ONNX and run by onnxruntime (fp32, or selected MatMuls int8).

Contract of :meth:`Backend.forward`: ``(batch, dim)`` float32 unit vectors, and a row's bits depend only on
that row of the arrays (its tokens and the padded width), not on the other rows of the batch. The batch
matcher relies on that to batch query windows and still give exactly ``jobmatch match``'s vectors.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

BACKENDS = ("torch", "onnx", "onnx-int8")
# the arithmetic of each backend's vectors, recorded in an index's manifest and checked when it is opened: torch and
# onnx fp32 give the same rankings, int8 does not (top-10 agreement 0.89)
VECTORS = {"torch": "fp32", "onnx": "fp32", "onnx-int8": "int8"}


@dataclass(frozen=True)
class ModelSpec:
    """What a backend may use of the loaded model."""

    module: Any  # the loaded sentence_transformers.SentenceTransformer (torch), in eval mode
    model_id: str
    checksum: str  # sha256 of the weights: exports are cached per model and checksum
    dim: int
    input_names: tuple[str, ...]  # the arrays forward() receives
    sample: dict[str, np.ndarray]  # a small padded input batch (for tracing an export)
    cache_dir: Path
    threads: int


class Backend(ABC):
    name: ClassVar[str]

    @abstractmethod
    def forward(self, arrays: dict[str, np.ndarray]) -> np.ndarray:
        """``(batch, dim)`` float32 unit vectors of padded windows; each row independent of the others."""

    @abstractmethod
    def forward_tokens(self, arrays: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`forward`'s vectors (the same bits) and the transformer's token vectors ``(batch, width, dim)``
        float32 they were pooled from (padding positions unspecified): one pass gives a text's vector and, pooled
        over a span of its tokens, a vector of that part read in its context."""

