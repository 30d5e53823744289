"""The second stage's :class:`~matcher.second_stage.PostingLines` over the segments of a :mod:`matcher.bm25` index.

Each segment keeps its rows' line arrays (token ids from the one vocabulary all segments share); the document
frequencies, the idf and the row -> (segment, row there) map are the index's, so reading a row costs what it
did on one block of arrays and nothing is rebuilt when a segment is added.
"""
from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence

import numpy as np

from .second_stage import PostingLines


class VocabView(Mapping):
    """The first ``n`` terms of an append-only vocabulary (term -> id): a snapshot's view of a dict that later
    writes keep growing, so ids past the snapshot's arrays are never handed out."""

    def __init__(self, vocab: dict[str, int], n: int) -> None:
        self._v, self._n = vocab, n

    def __getitem__(self, term: str) -> int:
        i = self._v[term]
        if i >= self._n:
            raise KeyError(term)
        return i

    def get(self, term, default=None):
        i = self._v.get(term)
        return i if i is not None and i < self._n else default

    def __contains__(self, term) -> bool:
        return self.get(term) is not None

    def __len__(self) -> int:
        return self._n

    def __iter__(self) -> Iterator[str]:
        for i, t in enumerate(self._v):
            if i >= self._n:
                return
            yield t


class SegmentedLines(PostingLines):
    """:class:`PostingLines` whose rows live in several segments (``parts``: objects with the per-row arrays of
    :func:`matcher.second_stage.line_arrays`); ``seg_of``/``local_of`` map a row to its segment and row there
    (-1: no such row). ``df``/``n_docs`` are over the live rows of all segments."""

    def __init__(self, vocab: Mapping[str, int], df: np.ndarray, n_docs: int, parts: Sequence,
                 seg_of: np.ndarray, local_of: np.ndarray) -> None:
        self.vocab, self.n_docs, self.df = vocab, int(n_docs), df
        d = df.astype(np.float64)
        self.idf = np.log(1 + (self.n_docs - d + 0.5) / (d + 0.5)).astype(np.float32)
        self.idf_unknown = float(math.log(1 + (self.n_docs + 0.5) / 0.5)) if self.n_docs else 1.0
        self._parts, self._seg_of, self._local_of = parts, seg_of, local_of
        self._doc_norm: np.ndarray | None = None

    def _part(self, row: int):
        if 0 <= row < self._seg_of.size:
            s = int(self._seg_of[row])
            if s >= 0:
                return self._parts[s], int(self._local_of[row])
        return None, -1

    def _norm(self, part, r: int, dv: np.ndarray) -> float:
        return float(np.float32(math.sqrt(float(dv @ dv))))

    @property
    def doc_norm(self) -> np.ndarray:
        """Every row's norm (0: no such row or no text); computed on first use (a query reads only its rows')."""
        if self._doc_norm is None:
            out = np.zeros(self._seg_of.size, dtype=np.float32)
            for s, P in enumerate(self._parts):
                rows = np.flatnonzero(self._seg_of == s)
                local = self._local_of[rows]
                n = P.row_doc.size - 1
                owner = np.repeat(np.arange(n), np.diff(P.row_doc))
                w = (1.0 + np.log(np.maximum(P.doc_cnt, 1))) * self.idf[P.doc_tok]
                norms = np.sqrt(np.bincount(owner, weights=w * w, minlength=n)).astype(np.float32)
                out[rows] = norms[local]
            self._doc_norm = out
        return self._doc_norm
