"""``JobIndex``: normalised vectors + filter columns + optional IVF index, persisted as a directory.

Concurrency model (one writer, many readers, in one process):

* All state a search needs lives in an immutable :class:`IndexSnapshot` (row count ``n``, views of
  the first ``n`` vectors and column entries, its own copy of the ``alive`` mask, the key list, the
  ANN handle). A writer (``upsert``/``remove``/``compact``/``build_ann``/``save``, serialised by a
  lock) builds the next snapshot and publishes it with one reference assignment; a search grabs the
  reference once, so it always sees one consistent state and never fails because of a write.
* Vectors and columns live in append-only growable buffers: appending writes beyond every published
  snapshot's ``n`` (or into a new buffer when capacity runs out), so existing views never change.
  Tombstoning copies the ``alive`` mask (1 byte/row). Compaction builds new buffers.
* The IVF index is shared between snapshots; rows appended after it was built are added to it under
  an exclusive lock (searches hold the shared side), and a snapshot restricts it to its own rows
  with an id selector, so rows added later are never returned to an older snapshot.
* For masks that match the rows, compute them from the same snapshot you search:
  ``snap = index.snapshot(); mask = rule(snap.columns); snap.search(q, k, mask)``.
  ``JobIndex.search`` takes the current snapshot; a mask shorter than it (rows appended since) is
  padded with False.

Another process must not write the same directory concurrently: callers take the data directory's writer
lock (``matcher.lock``, held by ``matcher.service.MatchService``) around every change and save.
"""
from __future__ import annotations

import os
import platform
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from matcher.errors import IndexCorrupt, IndexModelMismatch, IndexNotFound

from . import persist
from .columns import (CSR_SETS, ROW_ARRAYS, ROW_DEFAULTS, ColumnRow, CountryVocab, FilterColumns, column_names,
                      empty_arrays, rows_to_arrays, take_rows)
from .planner import (PlannerSettings, SearchResult, add_in_chunks, as_masks, build_ivf, exact_full,
                      exact_subset, ivf_search, tune_nprobe)

METRIC = "ip"


class _RWLock:
    """Many readers or one writer; a waiting writer blocks new readers (no writer starvation)."""

    def __init__(self):
        self._cond = threading.Condition()
        self._readers = 0
        self._writer = False
        self._waiting_writers = 0

    def acquire_read(self):
        with self._cond:
            while self._writer or self._waiting_writers:
                self._cond.wait()
            self._readers += 1

    def release_read(self):
        with self._cond:
            self._readers -= 1
            if not self._readers:
                self._cond.notify_all()

    def acquire_write(self):
        with self._cond:
            self._waiting_writers += 1
            try:
                while self._writer or self._readers:
                    self._cond.wait()
            finally:
                self._waiting_writers -= 1
            self._writer = True

    def release_write(self):
        with self._cond:
            self._writer = False
            self._cond.notify_all()


class _Ann:
    """An IVF index whose ids are row numbers, with a lock separating adds from searches."""

    def __init__(self, ivf, readonly: bool = False, nprobe: int | None = None):
        self.ivf = ivf
        self.nprobe = nprobe  # tuned at build time (None: use settings.nprobe_base)
        self.readonly = readonly  # memory-mapped from disk: copy to memory before adding
        self.lock = _RWLock()

    def writable(self) -> "_Ann":
        """This index, or an in-memory copy of a memory-mapped one (whose lists cannot grow)."""
        if not self.readonly:
            return self
        ivf = faiss.extract_index_ivf(self.ivf)
        il = ivf.invlists
        al = faiss.ArrayInvertedLists(il.nlist, il.code_size)
        for lst in range(il.nlist):
            size = il.list_size(lst)
            if size:
                al.add_entries(lst, size, il.get_ids(lst), il.get_codes(lst))
        quantizer = faiss.clone_index(ivf.quantizer)
        new = faiss.IndexIVFFlat(quantizer, ivf.d, ivf.nlist, ivf.metric_type)
        new.own_fields = True
        quantizer.this.disown()
        new.replace_invlists(al, True)
        al.this.disown()
        new.ntotal, new.is_trained = ivf.ntotal, True
        return _Ann(new, nprobe=self.nprobe)

    @property
    def nlist(self) -> int:
        return int(self.ivf.nlist)


class _Buf:
    """Append-only growable array; views of the first n elements stay valid across appends."""

    def __init__(self, data: np.ndarray, n: int | None = None):
        self.data = data
        self.n = len(data) if n is None else n

    def append(self, x: np.ndarray) -> None:
        m = len(x)
        if self.n + m > len(self.data) or not self.data.flags.writeable:
            cap = max(self.n + m, int(len(self.data) * 1.5) + 1024)
            new = np.empty((cap,) + self.data.shape[1:], self.data.dtype)
            new[:self.n] = self.data[:self.n]
            self.data = new
        self.data[self.n:self.n + m] = x
        self.n += m

    def view(self) -> np.ndarray:
        return self.data[:self.n]


class IndexSnapshot:
    """An immutable, consistent view of the index for searching (see the module docstring)."""

    def __init__(self, vectors, arrays, alive, keys, n, countries, ann, settings, generation):
        self.n_rows = n
        self.vectors: np.ndarray = vectors
        self.alive: np.ndarray = alive
        self._keys = keys  # append-only list shared with the writer; only [:n] is read
        self.ann: _Ann | None = ann
        self.settings: PlannerSettings = settings
        self.generation = generation
        self.columns = FilterColumns(arrays, alive, countries)
        self.n_alive = int(alive.sum())

    def __len__(self) -> int:
        return self.n_alive

    def key_of(self, rows) -> list[str]:
        return [self._keys[int(r)] for r in np.asarray(rows).ravel()]

    def search(self, queries: np.ndarray, k: int, mask: np.ndarray | None = None,
               masks: np.ndarray | Sequence[np.ndarray] | None = None) -> SearchResult:
        """Top ``k`` alive rows per query among ``mask`` (shared (n,)) or ``masks`` (per query (q, n)).

        Scores are inner products of normalised vectors (cosine). Never returns a row outside the
        mask; returns ``min(k, eligible)`` results on exact plans, and falls back to exact when the
        IVF plan comes back short.
        """
        q = np.asarray(queries, np.float32)
        if q.ndim == 1:
            q = q[None, :]
        if q.ndim != 2 or (self.n_rows and q.shape[1] != self.vectors.shape[1]):
            raise ValueError(f"queries must be (n_queries, {self.vectors.shape[1]}); got {q.shape}")
        q = np.ascontiguousarray(q)
        nq, n = len(q), self.n_rows
        if k <= 0:
            raise ValueError("k must be >= 1")
        shared, per = as_masks(mask, masks, nq, n, self.alive)
        res = SearchResult(hits=[[] for _ in range(nq)], rows=[np.empty(0, np.int64)] * nq,
                           plans=["none"] * nq, eligible=[0] * nq, nprobe=[None] * nq)
        if nq == 0 or n == 0:
            return res
        counts = (per.sum(axis=1) if per is not None else np.full(nq, int(shared.sum()))).astype(np.int64)
        res.eligible = [int(c) for c in counts]
        plans = [self._plan(int(m)) for m in counts]
        key_of = self._keys.__getitem__

        def put(i, rows, scores, plan, nprobe=None):
            res.rows[i] = rows
            res.hits[i] = [(self._keys[int(r)], float(s)) for r, s in zip(rows, scores)]
            res.plans[i] = plan
            res.nprobe[i] = nprobe

        for plan in ("exact-subset", "exact-full", "ivf"):
            qi = [i for i in range(nq) if plans[i] == plan]
            if not qi:
                continue
            if plan == "exact-subset":
                if per is None:
                    for i, out in zip(qi, exact_subset(self.vectors, np.flatnonzero(shared), q[qi], k, key_of)):
                        put(i, *out, plan)
                else:
                    for i in qi:
                        put(i, *exact_subset(self.vectors, np.flatnonzero(per[i]), q[i:i + 1], k, key_of)[0], plan)
            elif plan == "exact-full":
                m = shared if per is None else per[qi]
                for i, out in zip(qi, exact_full(self.vectors, q[qi], k, m, key_of, self.settings.query_block_bytes)):
                    put(i, *out, plan)
            else:
                self._search_ivf(q, qi, k, shared, per, counts, put, key_of)
        return res

    def _plan(self, m: int) -> str:
        if m == 0:
            return "none"
        s = self.settings
        if self.ann is not None:
            return "ivf" if m > s.subset_max else "exact-subset"
        return "exact-subset" if m <= s.subset_fraction * self.n_rows else "exact-full"

    def _search_ivf(self, q, qi, k, shared, per, counts, put, key_of):
        ann, n = self.ann, self.n_rows
        all_alive = self.n_alive == n
        groups: list[tuple[list[int], np.ndarray | None]]
        if per is None:
            groups = [(qi, None if (all_alive and counts[qi[0]] == n) else shared)]
        else:
            groups = [([i], per[i]) for i in qi]
        for ids, m in groups:
            nprobe = self.settings.nprobe_for(int(counts[ids[0]]), ann.nlist, ann.nprobe)
            ann.lock.acquire_read()
            try:
                D, I = ivf_search(ann.ivf, q[ids], k, m, n, nprobe)
            finally:
                ann.lock.release_read()
            for j, i in enumerate(ids):
                valid = I[j] >= 0
                rows, scores = I[j][valid].astype(np.int64), D[j][valid]
                if len(rows) < min(k, int(counts[i])):
                    mi = shared if per is None else per[i]
                    idx = np.flatnonzero(mi)
                    if len(idx) <= self.settings.subset_fraction * n:
                        rows, scores = exact_subset(self.vectors, idx, q[i:i + 1], k, key_of)[0]
                    else:
                        rows, scores = exact_full(self.vectors, q[i:i + 1], k, mi, key_of)[0]
                    put(i, rows, scores, "ivf+fallback", nprobe)
                else:
                    order = sorted(range(len(rows)), key=lambda t: (-float(scores[t]), key_of(int(rows[t]))))
                    put(i, rows[order], scores[order], "ivf", nprobe)


class JobIndex:
    """Vectors + filter columns + optional IVF index, keyed by posting id. See the module docstring."""

    def __init__(self, path: Path, *, dim: int, model_id: str, model_checksum: str | None,
                 settings: PlannerSettings | None = None):
        self.path = Path(path)
        self.dim = int(dim)
        self.model_id = model_id
        self.model_checksum = model_checksum
        self.settings = settings or PlannerSettings()
        self.generation = 0
        self.created = time.time()
        self.compact_ratio = 0.2  # save() compacts when tombstones exceed this fraction of rows
        self.missing_columns: list[str] = []  # columns an older format lacked (loaded as unknown; see open())
        self._wlock = threading.RLock()
        self._vec = _Buf(np.empty((0, self.dim), np.float32))
        self._cols = {k: _Buf(v) for k, v in empty_arrays().items()}
        self._alive = np.empty(0, np.bool_)
        self._keys: list[str] = []
        self._row_of: dict[str, int] = {}
        self._vocab = CountryVocab()
        self._ann: _Ann | None = None
        self._publish()

    # ---- construction ----------------------------------------------------------------------
    @classmethod
    def create(cls, path: str | os.PathLike, *, dim: int, model_id: str, model_checksum: str | None = None,
               settings: PlannerSettings | None = None) -> "JobIndex":
        """A new empty index at ``path`` (written on the first :meth:`save`)."""
        if dim <= 0:
            raise ValueError("dim must be positive")
        return cls(Path(path), dim=dim, model_id=model_id, model_checksum=model_checksum, settings=settings)

    @classmethod
    def open(cls, path: str | os.PathLike, *, model_id: str | None = None, model_checksum: str | None = None,
             dim: int | None = None, mmap: bool = False, verify: bool | None = None,
             settings: PlannerSettings | None = None) -> "JobIndex":
        """Load the current generation. ``mmap=True`` maps arrays read-only (copied on first append).

        ``verify`` checks file checksums (default: when not memory-mapping). Raises IndexNotFound,
        IndexCorrupt, or IndexModelMismatch with what to do.
        """
        root = Path(path)
        if not (root / persist.MANIFEST).is_file():
            raise IndexNotFound(f"no index at {root} (no {persist.MANIFEST}); build one with `jobmatch reindex`")
        m = persist.read_manifest(root)
        if model_id is not None and m["model_id"] != model_id:
            raise IndexModelMismatch(
                f"index at {root} was built with model {m['model_id']!r} but {model_id!r} is configured; "
                f"run `jobmatch reindex` to rebuild it, or set JOBMATCH_MODEL={m['model_id']}")
        if model_checksum is not None and m.get("model_checksum") not in (None, model_checksum):
            raise IndexModelMismatch(
                f"index at {root} was built with a different copy of model {m['model_id']!r} "
                f"(checksum {m.get('model_checksum')} vs {model_checksum}); run `jobmatch reindex`")
        if dim is not None and m["dim"] != dim:
            raise IndexModelMismatch(
                f"index at {root} holds {m['dim']}-d vectors but the model makes {dim}-d ones; "
                f"run `jobmatch reindex` or set JOBMATCH_MODEL={m['model_id']}")
        verify = (not mmap) if verify is None else verify
        # query-time thresholds come from this code (or the caller), not from the manifest, which
        # only records what the index was built with.
        ps = settings or PlannerSettings()
        self = cls(root, dim=m["dim"], model_id=m["model_id"], model_checksum=m.get("model_checksum"), settings=ps)
        self.generation, self.created = int(m["generation"]), float(m.get("created", time.time()))
        self.compact_ratio = float(m.get("build_settings", {}).get("compact_ratio", self.compact_ratio))
        gdir = root / m["generation_dir"]
        files = m["files"]

        def load(name):
            if name not in files:
                raise IndexCorrupt(f"index manifest at {root} lists no {name}; rebuild with `jobmatch reindex`")
            return persist.load_npy(gdir, name, files[name], mmap=mmap, verify=verify)

        n = int(m["rows"])
        vec = load("vectors.npy")
        blob, koff = load("keys_blob.npy"), load("keys_off.npy")
        alive = np.array(load("alive.npy"))
        # columns added after the index was written load as unknown; the owner refills them (missing_columns)
        self.missing_columns = [c for c in column_names() if f"col_{c}.npy" not in files and c in ROW_DEFAULTS]
        arrays = {c: np.full(n, ROW_DEFAULTS[c], ROW_ARRAYS[c]) if c in self.missing_columns else load(f"col_{c}.npy")
                  for c in column_names()}
        if vec.shape != (n, self.dim) or len(koff) != n + 1 or len(alive) != n or any(
                len(arrays[c]) != n for c in ROW_ARRAYS):
            raise IndexCorrupt(f"index at {root}: array lengths disagree with the manifest's {n} rows; "
                               "rebuild with `jobmatch reindex`")
        try:
            raw = bytes(np.asarray(blob))
            keys = [raw[koff[i]:koff[i + 1]].decode() for i in range(n)]
        except (UnicodeDecodeError, IndexError) as e:
            raise IndexCorrupt(f"index at {root}: the key list is damaged ({e}); rebuild with `jobmatch reindex`") from e
        self._vec = _Buf(vec)
        self._cols = {k: _Buf(v) for k, v in arrays.items()}
        self._alive = alive
        self._keys = keys
        self._row_of = {k: i for i, k in enumerate(keys) if alive[i]}
        self._vocab = CountryVocab(m.get("countries", []))
        if "ann.faiss" in files:
            p = gdir / "ann.faiss"
            ent = files["ann.faiss"]
            if not p.is_file() or p.stat().st_size != ent["bytes"] or (verify and persist.file_crc32(p) != ent["crc32"]):
                raise IndexCorrupt(f"index file {p} is missing, truncated or corrupted; rebuild with `jobmatch reindex`")
            try:
                ivf = faiss.read_index(str(p), faiss.IO_FLAG_MMAP | faiss.IO_FLAG_READ_ONLY if mmap else 0)
            except RuntimeError as e:
                raise IndexCorrupt(f"index file {p} cannot be read ({e}); rebuild with `jobmatch reindex`") from e
            if ivf.ntotal != n:
                raise IndexCorrupt(f"index file {p} holds {ivf.ntotal} rows, expected {n}; run `jobmatch reindex`")
            self._ann = _Ann(ivf, readonly=mmap, nprobe=(m.get("ann") or {}).get("nprobe"))
        self._publish()
        return self

    # ---- state -------------------------------------------------------------------------------
    def _publish(self) -> None:
        n = self._vec.n
        arrays = {k: b.view() for k, b in self._cols.items()}
        self._state = IndexSnapshot(self._vec.view(), arrays, self._alive, self._keys, n,
                                    self._vocab.snapshot(), self._ann, self.settings, self.generation)

    def set_settings(self, settings: PlannerSettings) -> None:
        """Change planner thresholds (takes effect for searches that start afterwards)."""
        with self._wlock:
            self.settings = settings
            self._publish()

    def snapshot(self) -> IndexSnapshot:
        """The current consistent state; compute masks from ``snapshot().columns`` and search it."""
        return self._state

    def __len__(self) -> int:
        return self._state.n_alive

    @property
    def n_rows(self) -> int:
        """Rows including tombstones (the length masks must have)."""
        return self._state.n_rows

    @property
    def columns(self) -> FilterColumns:
        return self._state.columns

    @property
    def has_ann(self) -> bool:
        return self._state.ann is not None

    def key_of(self, rows) -> list[str]:
        return self._state.key_of(rows)

    def row_of(self, key: str) -> int | None:
        """Current row of an alive key, or None."""
        return self._row_of.get(key)

    def vector_of(self, key: str) -> np.ndarray | None:
        st = self._state
        r = self._row_of.get(key)
        if r is None or r >= st.n_rows:
            return None
        return np.array(st.vectors[r])

    def __contains__(self, key: str) -> bool:
        return key in self._row_of

    def search(self, queries: np.ndarray, k: int, mask: np.ndarray | None = None,
               masks: np.ndarray | Sequence[np.ndarray] | None = None) -> SearchResult:
        """See :meth:`IndexSnapshot.search` (uses the current snapshot)."""
        return self._state.search(queries, k, mask=mask, masks=masks)

    # ---- writes ------------------------------------------------------------------------------
    def upsert(self, keys: Sequence[str], vectors: np.ndarray, rows: Sequence[ColumnRow]) -> None:
        """Add or replace postings. Replacing tombstones the old row and appends a new one.

        ``vectors`` must be (len(keys), dim), L2-normalised (checked within 1e-3). Within one call
        the last occurrence of a key wins.
        """
        keys = list(keys)
        vecs = np.asarray(vectors, np.float32).reshape(len(keys), -1) if len(keys) else np.empty((0, self.dim), np.float32)
        if vecs.shape != (len(keys), self.dim) or len(rows) != len(keys):
            raise ValueError(f"upsert needs len(keys) == len(rows) == vectors.shape[0] and dim {self.dim}; "
                             f"got {len(keys)} keys, {len(rows)} rows, vectors {vecs.shape}")
        if not keys:
            return
        if not np.all(np.isfinite(vecs)):
            raise ValueError("vectors contain NaN or inf")
        norms = np.linalg.norm(vecs, axis=1)
        if np.any(np.abs(norms - 1) > 1e-3):
            raise ValueError("vectors must be L2-normalised (metric is inner product on unit vectors)")
        last = {k: i for i, k in enumerate(keys)}
        if len(last) != len(keys):
            sel = sorted(last.values())
            keys, vecs, rows = [keys[i] for i in sel], vecs[sel], [rows[i] for i in sel]
        with self._wlock:
            base = self._vec.n
            cols = rows_to_arrays(rows, self._vocab, row_base=base)
            alive = np.concatenate([self._alive, np.ones(len(keys), np.bool_)])
            for k in keys:
                old = self._row_of.get(k)
                if old is not None:
                    alive[old] = False
            if self._ann is not None and self._ann.readonly:
                self._ann = self._ann.writable()
            if self._ann is not None:  # add before publishing: ids beyond a snapshot's n are excluded
                self._ann.lock.acquire_write()
                try:
                    if not self._ann.ivf.is_trained or self._ann.ivf.ntotal != base:
                        raise IndexCorrupt("the IVF index is out of step with the vectors; call build_ann()")
                    add_in_chunks(self._ann.ivf, vecs, 0)
                finally:
                    self._ann.lock.release_write()
            self._vec.append(vecs)
            for name, b in self._cols.items():
                arr = cols[name]
                if name.endswith("_off"):
                    b.append(arr[1:] + b.data[b.n - 1])
                else:
                    b.append(arr)
            self._keys.extend(keys)
            self._alive = alive
            for i, k in enumerate(keys):
                self._row_of[k] = base + i
            self._publish()

    def remove(self, keys: Iterable[str]) -> int:
        """Tombstone these keys; returns how many were present."""
        with self._wlock:
            rows = [self._row_of.pop(k) for k in set(keys) if k in self._row_of]
            if rows:
                alive = self._alive.copy()
                alive[rows] = False
                self._alive = alive
                self._publish()
            return len(rows)

    def compact(self) -> int:
        """Drop tombstoned rows (renumbering rows) and rebuild the IVF index if there is one.

        Returns how many rows were dropped. Snapshots taken before keep working on the old arrays.
        """
        with self._wlock:
            keep = self._alive
            dropped = int(len(keep) - keep.sum())
            if dropped == 0:
                return 0
            vec = np.ascontiguousarray(self._vec.view()[keep])
            arrays = take_rows({k: b.view() for k, b in self._cols.items()}, keep)
            idx = np.flatnonzero(keep)
            self._keys = [self._keys[i] for i in idx]
            self._row_of = {k: i for i, k in enumerate(self._keys)}
            self._vec = _Buf(vec)
            self._cols = {k: _Buf(np.array(v)) for k, v in arrays.items()}
            self._alive = np.ones(len(idx), np.bool_)
            if self._ann is not None:
                self._ann = self._refill_ann(self._ann, vec)
            self._publish()
            return dropped

    @staticmethod
    def _refill_ann(old: _Ann, vec: np.ndarray) -> _Ann:
        """A new IVF index with ``old``'s trained centroids (no retraining) holding ``vec``."""
        ivf = faiss.extract_index_ivf(old.ivf)
        quantizer = faiss.clone_index(ivf.quantizer)
        new = faiss.IndexIVFFlat(quantizer, ivf.d, ivf.nlist, ivf.metric_type)
        new.own_fields = True
        quantizer.this.disown()
        new.is_trained = True
        add_in_chunks(new, vec, 0)
        return _Ann(new, nprobe=old.nprobe)

    def _new_ann(self, vec: np.ndarray) -> _Ann | None:
        if len(vec) < max(39, self.settings.nlist_for(len(vec))):
            return None
        ivf = build_ivf(vec, self.settings)
        return _Ann(ivf, nprobe=tune_nprobe(ivf, vec, self.settings))

    def build_ann(self) -> bool:
        """(Re)build the IVF index over all rows now; False when there are too few rows to train."""
        with self._wlock:
            self._ann = self._new_ann(self._vec.view())
            self._publish()
            return self._ann is not None

    def drop_ann(self) -> None:
        with self._wlock:
            self._ann = None
            self._publish()

    # ---- persistence -------------------------------------------------------------------------
    def manifest(self) -> dict[str, Any]:
        st = self._state
        return {
            "format_version": persist.FORMAT_VERSION,
            "model_id": self.model_id, "model_checksum": self.model_checksum,
            "dim": self.dim, "metric": METRIC, "normalized": True,
            "rows": st.n_rows, "alive": st.n_alive, "generation": self.generation,
            "generation_dir": f"gen-{self.generation:06d}",
            "countries": list(st.columns.country_vocab),
            "ann": None if st.ann is None else {"type": "IndexIVFFlat", "nlist": st.ann.nlist,
                                                "nprobe": st.ann.nprobe},
            "build_settings": {"planner": asdict(self.settings), "compact_ratio": self.compact_ratio},
            "versions": {"faiss": faiss.__version__, "numpy": np.__version__, "python": platform.python_version()},
            "created": self.created, "saved": time.time(),
        }

    def save(self, *, build_ann: bool | None = None) -> int:
        """Write a new generation and switch the manifest to it; returns the generation number.

        Compacts first when tombstones exceed ``compact_ratio`` of the rows. Builds the IVF index when
        ``build_ann`` is True, or (None) when the corpus has at least ``settings.ann_min_rows`` rows and
        none exists yet.
        """
        with self._wlock:
            st = self._state
            if st.n_rows and (st.n_rows - st.n_alive) > self.compact_ratio * st.n_rows:
                self.compact()
            if build_ann or (build_ann is None and self._ann is None and len(self) >= self.settings.ann_min_rows):
                self.build_ann()
            st = self._state
            self.path.mkdir(parents=True, exist_ok=True)
            gen = self.generation + 1
            tmp, final = persist.new_generation_dir(self.path, gen)
            try:
                files = self._write_generation(tmp, st)
                persist.publish_generation(tmp, final)
            except BaseException:  # disk full, read-only, ...: the manifest still names the previous generation
                import shutil

                shutil.rmtree(tmp, ignore_errors=True)
                raise
            self.generation = gen
            self._publish()
            man = self.manifest()
            man["rows"], man["alive"] = st.n_rows, st.n_alive
            man["files"] = files
            persist.write_manifest(self.path, man)
            persist.remove_stale(self.path, keep=final.name)
            return gen

    def _write_generation(self, tmp: Path, st: IndexSnapshot) -> dict[str, Any]:
        """Every file of one generation into ``tmp`` (each fsynced); their manifest entries."""
        files: dict[str, Any] = {}
        files["vectors.npy"] = persist.save_npy(tmp, "vectors.npy", st.vectors)
        kb = [k.encode() for k in st.key_of(range(st.n_rows))]
        off = np.concatenate([[0], np.cumsum([len(b) for b in kb], dtype=np.int64)]).astype(np.int64)
        files["keys_blob.npy"] = persist.save_npy(tmp, "keys_blob.npy", np.frombuffer(b"".join(kb), np.uint8))
        files["keys_off.npy"] = persist.save_npy(tmp, "keys_off.npy", off)
        files["alive.npy"] = persist.save_npy(tmp, "alive.npy", st.alive)
        for c in column_names():
            files[f"col_{c}.npy"] = persist.save_npy(tmp, f"col_{c}.npy", st.columns.array(c))
        if st.ann is not None:
            st.ann.lock.acquire_read()
            try:
                files["ann.faiss"] = persist.save_file(tmp, "ann.faiss",
                                                       lambda p: faiss.write_index(st.ann.ivf, p))
            finally:
                st.ann.lock.release_read()
        return files


__all__ = ["JobIndex", "IndexSnapshot", "METRIC", "CSR_SETS"]
