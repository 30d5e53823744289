"""Windowing and pooling: cutting token ids into model windows, padding them into arrays, pooling vectors.

The model reads at most ``max_seq_length`` (256) word pieces including [CLS]/[SEP]. Each text is tokenised
once (no truncation) and its token ids are cut into windows of 254 body tokens that overlap by 32; the last
window is shifted back to end at the text's end so it is full rather than a short tail. ``max_windows``
keeps the first *k* windows (the title and summary live at the start). A text's vector is the pooled
(``mean`` by default) vector of its windows, renormalised to unit length.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

WINDOW_OVERLAP = 32
POOLINGS = ("mean", "first", "weighted")


def split_windows(ids: Sequence[int], body: int, overlap: int = WINDOW_OVERLAP,
                  max_windows: int | None = None) -> list[Sequence[int]]:
    """Cut token ids into windows of ``body`` tokens overlapping by ``overlap``.

    The last window is shifted back to end at the end of the text (a full window, more overlap).
    An empty text gives one empty window.
    """
    n = len(ids)
    if n <= body:
        return [ids]
    stride = max(1, body - overlap)
    starts = list(range(0, n - body, stride)) + [n - body]
    if len(starts) >= 2 and starts[-1] <= starts[-2]:
        starts.pop()
    if max_windows is not None:
        starts = starts[: max(1, max_windows)]
    return [ids[s : s + body] for s in starts]


def pad_windows(windows: Sequence[Sequence[int]], pad_id: int, *, width: int | None = None,
                token_type_ids: bool = False) -> dict[str, np.ndarray]:
    """The model's input arrays for ``windows`` (token ids with special tokens), padded to ``width``
    (default: the longest window): ``input_ids``, ``attention_mask`` (and ``token_type_ids``), int64."""
    width = width if width is not None else max(len(w) for w in windows)
    ids = np.full((len(windows), width), pad_id, dtype=np.int64)
    mask = np.zeros((len(windows), width), dtype=np.int64)
    for r, w in enumerate(windows):
        ids[r, : len(w)] = w
        mask[r, : len(w)] = 1
    arrays = {"input_ids": ids, "attention_mask": mask}
    if token_type_ids:
        arrays["token_type_ids"] = np.zeros_like(ids)
    return arrays


def mean_pool_rows(tokens: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Sentence vectors from token vectors ``(batch, seq, dim)``: the mean of each row's unmasked tokens, at unit
    length (sentence-transformers' Pooling + Normalize). Computed row by row, so a row's bits do not depend on
    the other rows of the batch."""
    out = np.empty((tokens.shape[0], tokens.shape[2]), np.float32)
    for r in range(tokens.shape[0]):
        keep = mask[r].astype(bool)
        n = max(1, int(keep.sum()))
        v = tokens[r, keep].sum(axis=0, dtype=np.float32) / np.float32(n)
        out[r] = v / max(float(np.linalg.norm(v)), 1e-12)
    return out


def pool_windows(window_vecs: np.ndarray, owners: np.ndarray, n: int, pooling: str = "mean") -> np.ndarray:
    """Pool window embeddings (rows, owners[i] = text index, in window order) into (n, dim), unit rows."""
    if pooling not in POOLINGS:
        raise ValueError(f"pooling must be one of {POOLINGS}, got {pooling!r}")
    dim = window_vecs.shape[1]
    first = np.ones(len(owners), dtype=bool)
    first[1:] = owners[1:] != owners[:-1]
    if pooling == "first":
        weights = first.astype(np.float32)
    elif pooling == "weighted":
        weights = np.where(first, 2.0, 1.0).astype(np.float32)
    else:
        weights = np.ones(len(owners), dtype=np.float32)
    out = np.zeros((n, dim), dtype=np.float32)
    np.add.at(out, owners, window_vecs * weights[:, None])
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return (out / np.maximum(norms, 1e-12)).astype(np.float32)
