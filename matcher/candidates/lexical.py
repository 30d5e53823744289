"""The BM25 side of the candidate pool: resume texts scored against a posting's text.

Uses :class:`matcher.ranking.LexicalIndex` (the same BM25 and tokeniser as the job side) over every stored
candidate's resume (``query_text_for_lexical``: the text the forward direction searches with), rows in id order.
Unlike the job side (segments and tombstones, written incrementally) it is rebuilt from the candidate store on
every change, so a removed candidate leaves no posting list, vocabulary entry or text behind, not even in a
tombstoned segment. Saved in ``<data_dir>/candidates/lexical/`` (:func:`matcher.bm25.save_dir`, written whole:
a rebuilt index descends from no earlier save) tagged with the index generation it belongs to; a mismatch, or a
side in the older bm25s format, rebuilds it from the store.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from matcher.bm25 import load_dir, read_manifest, save_dir
from matcher.lexical import SnapshotScores
from matcher.ranking import LexicalIndex, query_text_for_lexical


class CandidateLexical:
    def __init__(self, keys: list[str] | None = None, index: LexicalIndex | None = None) -> None:
        self.keys = list(keys or [])
        self.index = index or LexicalIndex()
        self._cache: tuple[object, np.ndarray] | None = None

    @classmethod
    def build(cls, texts: dict[str, str]) -> CandidateLexical:
        keys = sorted(texts)
        return cls(keys, LexicalIndex().build([query_text_for_lexical(texts[k]) for k in keys]))

    def save(self, directory: Path, tag: str) -> None:
        save_dir(directory, self.index, keys=self.keys, meta={"tag": tag})

    @classmethod
    def load(cls, directory: Path, tag: str) -> CandidateLexical | None:
        """The saved side when it belongs to ``tag``, else None (rebuild it from the store)."""
        if read_manifest(directory) is None:
            return None  # missing, or the older bm25s format
        try:
            index, keys, meta = load_dir(directory)
        except (OSError, ValueError, KeyError):
            return None
        if meta.get("tag") != tag or keys is None:
            return None
        return cls(list(keys), index)

    def for_snapshot(self, snap) -> SnapshotScores:
        """Scores over the rows of one candidate-index snapshot (what :class:`HybridRanker` reads)."""
        cached = self._cache
        if cached is None or cached[0] is not snap:
            alive = snap.alive
            row_of = {k: i for i, k in enumerate(snap.key_of(np.arange(snap.n_rows))) if alive[i]}
            lex2row = np.fromiter((row_of.get(k, -1) for k in self.keys), dtype=np.int64, count=len(self.keys))
            cached = self._cache = (snap, lex2row)
        return SnapshotScores(self.index, cached[1], snap.n_rows)
