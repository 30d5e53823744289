"""The lexical (BM25) side of the shipped ranking, kept in step with the job store and the vector index.

:class:`matcher.bm25.LexicalIndex` scores "rows"; here a row is a position in ``keys`` (posting ids, append-only:
a removed posting's row is tombstoned, a re-added one takes its old row), and :meth:`LexicalSide.for_snapshot`
maps those scores onto the rows of one vector-index snapshot, so the fusion in
:class:`matcher.ranking.HybridRanker` sees both sides over the same rows. The map is cached per (snapshot,
lexical version).

Persisted in ``<data_dir>/lexical/`` by :func:`matcher.bm25.save_dir` (segments, tombstones, append-only
vocabulary and keys chunks, a manifest recording the index generation it matches; no pickle): a save writes
only the segments added since the last one, so a write of a few postings costs a few postings' bytes, not the
whole side. A side that does not match the index generation is rebuilt from the store; one in the older
bm25s format is rebuilt from its own texts (logged) and written in the new format by the next save.
"""
from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from .bm25 import LexicalIndex, load_dir, read_manifest, save_dir
from .posting_index import posting_text_for_lexical

__all__ = ["LexicalSide", "SnapshotScores"]


class LexicalSide:
    def __init__(self) -> None:
        self.keys: list[str] = []
        self._pos: dict[str, int] = {}
        self.index = LexicalIndex()
        self.version = 0
        self._lock = threading.Lock()
        self._cache: tuple | None = None  # (snapshot, version, lex->row, id->row)

    # ---- upkeep ----------------------------------------------------------------------------------
    def update(self, postings: Iterable, removed: Sequence[str] = ()) -> None:
        """Add or replace ``postings`` (objects with id/title/company/description), drop ``removed``. Costs what
        these postings do (a new segment and tombstones), not what the side holds."""
        rows: list[int] = []
        texts: list[str] = []
        gone: list[int] = []
        with self._lock:
            for p in postings:
                pos = self._pos.get(p.id)
                if pos is None:
                    pos = self._pos[p.id] = len(self.keys)
                    self.keys.append(p.id)
                rows.append(pos)
                texts.append(posting_text_for_lexical(p.title, p.company, p.description))
            for key in removed:
                pos = self._pos.get(key)
                if pos is not None:
                    gone.append(pos)
            if rows or gone:
                self.index = self.index.updated(rows, texts, removed=gone)  # built aside, then swapped in
                self.version += 1

    def compact(self) -> None:
        """Merge the segments into one, tombstoned rows dropped (the next save writes it whole)."""
        with self._lock:
            self.index = self.index.compacted()
            self.version += 1

    def save(self, directory: Path, generation) -> None:
        """Write the side tagged with ``generation`` (the index generation it matches): only what changed
        since the save this side was loaded from or last written to (:func:`matcher.bm25.save_dir`)."""
        save_dir(directory, self.index, keys=self.keys, meta={"generation": generation})

    @classmethod
    def load(cls, directory: Path, generation) -> LexicalSide | None:
        """The saved side if it matches index ``generation``, else None (rebuild it)."""
        try:
            if read_manifest(directory) is None:
                return cls._load_v1(directory, generation)
            index, keys, meta = load_dir(directory)
            if meta.get("generation") != generation or keys is None:
                return None
        except (OSError, ValueError, KeyError):
            return None
        return cls._of(index, keys)

    @classmethod
    def _load_v1(cls, directory: Path, generation) -> LexicalSide | None:
        """A side saved in the older bm25s format (``keys.json`` + bm25s files): its texts rebuilt (logged)."""
        meta = json.loads((directory / "keys.json").read_text())
        if meta.get("generation") != generation:
            return None
        return cls._of(LexicalIndex.load(directory), meta["keys"])

    @classmethod
    def _of(cls, index: LexicalIndex, keys: Sequence[str]) -> LexicalSide:
        side = cls()
        side.index, side.keys = index, list(keys)
        side._pos = {k: i for i, k in enumerate(side.keys)}
        return side

    # ---- query -------------------------------------------------------------------------------
    def row(self, key: str) -> int:
        """The lexical row of a posting id (-1: never indexed; a removed posting keeps its row, without text)."""
        return self._pos.get(key, -1)

    def for_snapshot(self, snap) -> SnapshotScores:
        index, version = self.index, self.version
        cached = self._cache
        if cached is None or cached[0] is not snap or cached[1] != version:
            row_of, lex2row = self._map(snap, cached)
            cached = (snap, version, lex2row, row_of)
            self._cache = cached
        return SnapshotScores(index, cached[2], snap.n_rows)

    def _map(self, snap, cached) -> tuple[dict[str, int], np.ndarray]:
        """(posting id -> alive snapshot row, lexical row -> snapshot row or -1). From the previous map when the
        snapshot only grew or lost rows since (rows are append-only between the vector index's compactions: same
        key list), by the rows that changed and the lexical rows added: a write costs what it changed, plus a
        copy of the maps (the first search after a write over 1M postings took ~3 s when this was rebuilt)."""
        keys = self.keys
        prev = cached[0] if cached is not None else None
        same_rows = prev is not None and snap.extends(prev)
        if not same_rows:
            alive = snap.alive
            row_of = {k: i for i, k in enumerate(snap.key_of(np.arange(snap.n_rows))) if alive[i]}
            return row_of, np.fromiter((row_of.get(k, -1) for k in keys), dtype=np.int64, count=len(keys))
        old_lex2row, old_row_of = cached[2], cached[3]
        row_of = dict(old_row_of)
        n0 = prev.n_rows
        was, now = prev.alive[:n0], snap.alive[:n0]
        died = np.flatnonzero(was & ~now)
        born = np.concatenate([np.flatnonzero(~was & now), n0 + np.flatnonzero(snap.alive[n0:snap.n_rows])])
        changed: list[str] = []
        for r, k in zip(died.tolist(), snap.key_of(died), strict=True):
            if row_of.get(k) == r:
                del row_of[k]
            changed.append(k)
        for r, k in zip(born.tolist(), snap.key_of(born), strict=True):
            row_of[k] = r
            changed.append(k)
        n_old = min(old_lex2row.size, len(keys))
        lex2row = np.full(len(keys), -1, dtype=np.int64)
        lex2row[:n_old] = old_lex2row[:n_old]
        changed.extend(keys[n_old:])  # lexical rows added since: their rows may be old ones
        for k in changed:
            pos = self._pos.get(k)
            if pos is not None and pos < lex2row.size:
                lex2row[pos] = row_of.get(k, -1)
        return row_of, lex2row


class SnapshotScores:
    """Looks like a LexicalIndex to :class:`HybridRanker`, over the rows of one index snapshot."""

    def __init__(self, index: LexicalIndex, lex2row: np.ndarray, n_rows: int) -> None:
        self._index, self._lex2row, self._n = index, lex2row, n_rows

    def scores(self, query_text: str, n_rows: int | None = None) -> np.ndarray:
        out = np.zeros(max(n_rows or 0, self._n), dtype=np.float32)
        lex = self._index.scores(query_text, len(self._lex2row))[: len(self._lex2row)]
        m = self._lex2row[: lex.size] >= 0
        out[self._lex2row[: lex.size][m]] = lex[m]
        return out
