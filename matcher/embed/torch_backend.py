"""The ``torch`` backend: the sentence-transformers model (transformer, mean pooling, normalise) in PyTorch."""
from __future__ import annotations

import numpy as np

from .backend import Backend, ModelSpec


class TorchBackend(Backend):
    name = "torch"

    def __init__(self, spec: ModelSpec) -> None:
        self.module = spec.module

    def forward(self, arrays: dict[str, np.ndarray]) -> np.ndarray:
        return self._out(arrays)["sentence_embedding"].float().numpy()

    def forward_tokens(self, arrays: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        out = self._out(arrays)
        return out["sentence_embedding"].float().numpy(), out["token_embeddings"].float().numpy()

    def _out(self, arrays: dict[str, np.ndarray]) -> dict:
        import torch

        with torch.inference_mode():
            return self.module({k: torch.from_numpy(v) for k, v in arrays.items()})
