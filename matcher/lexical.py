"""The lexical (BM25) side of the shipped ranking, kept in step with the job store and the vector index.

:class:`matcher.ranking.LexicalIndex` scores "rows"; here a row is a position in ``keys`` (posting ids),
and :meth:`LexicalSide.for_snapshot` maps those scores onto the rows of one vector-index snapshot, so the
fusion in :class:`matcher.ranking.HybridRanker` sees both sides over the same rows. The map is cached per
(snapshot, lexical version).

Persisted in ``<data_dir>/lexical/`` (bm25s JSON + npy, keys.json; no pickle), written to a temporary
directory and swapped in; it records the index generation it matches, and is rebuilt from the store when
it does not match.
"""
from __future__ import annotations

import json
import os
import shutil
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from index.atomic import fsync_dir

from .posting_index import posting_text_for_lexical
from .ranking import LexicalIndex


def fsync_tree(root: Path) -> None:
    """fsync every file under ``root``, then every directory (deepest first), ``root`` last."""
    dirs = []
    for here, _, files in os.walk(root):
        dirs.append(Path(here))
        for name in files:
            fd = os.open(os.path.join(here, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
    for d in reversed(dirs):
        fsync_dir(d)


def replace_dir(new: Path, directory: Path) -> None:
    """Put the directory ``new`` in the place of ``directory``: the old one is moved aside to ``<name>.old``
    first and removed after, so the place is empty only between two renames."""
    old = directory.with_name(directory.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if directory.exists():
        os.replace(directory, old)
    os.replace(new, directory)
    fsync_dir(directory.parent)  # the rename itself is durable before anything relies on it
    shutil.rmtree(old, ignore_errors=True)


class LexicalSide:
    def __init__(self) -> None:
        self.keys: list[str] = []
        self._pos: dict[str, int] = {}
        self.index = LexicalIndex()
        self.version = 0
        self._lock = threading.Lock()
        self._cache: tuple[object, int, np.ndarray] | None = None  # (snapshot, version, lex->row)

    # ---- upkeep ----------------------------------------------------------------------------------
    def update(self, postings: Iterable, removed: Sequence[str] = ()) -> None:
        """Add or replace ``postings`` (objects with id/title/company/description), blank ``removed``."""
        rows: list[int] = []
        texts: list[str] = []
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
                    rows.append(pos)
                    texts.append("")
            if rows:
                self.index = self.index.updated(rows, texts)  # built aside, then swapped: searches never see half
                self.version += 1

    def save(self, directory: Path, generation: int) -> None:
        tmp = directory.with_name(directory.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        self.index.save(tmp)
        (tmp / "keys.json").write_text(json.dumps({"generation": generation, "keys": self.keys}))
        fsync_tree(tmp)  # like a vector generation: every file on disk before the directory takes its place
        replace_dir(tmp, directory)

    @classmethod
    def load(cls, directory: Path, generation: int) -> LexicalSide | None:
        """The saved side if it matches index ``generation``, else None (rebuild it)."""
        try:
            meta = json.loads((directory / "keys.json").read_text())
            if meta.get("generation") != generation:
                return None
            side = cls()
            side.index = LexicalIndex.load(directory)
            side.keys = list(meta["keys"])
            side._pos = {k: i for i, k in enumerate(side.keys)}
            return side
        except (OSError, ValueError, KeyError):
            return None

    # ---- query -------------------------------------------------------------------------------
    def for_snapshot(self, snap) -> SnapshotScores:
        index, version, keys = self.index, self.version, self.keys
        cached = self._cache
        if cached is None or cached[0] is not snap or cached[1] != version:
            alive = snap.alive
            row_of = {k: i for i, k in enumerate(snap.key_of(np.arange(snap.n_rows))) if alive[i]}
            lex2row = np.fromiter((row_of.get(k, -1) for k in keys), dtype=np.int64, count=len(keys))
            cached = (snap, version, lex2row)
            self._cache = cached
        return SnapshotScores(index, cached[2], snap.n_rows)


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
