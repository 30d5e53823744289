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
import secrets
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from . import persist
from .columns import (
    CSR_SETS,
    ROW_ARRAYS,
    ROW_DEFAULTS,
    ColumnRow,
    CountryVocab,
    FilterColumns,
    column_names,
    empty_arrays,
    rows_to_arrays,
    take_rows,
)
from .errors import IndexCorrupt, IndexModelMismatch, IndexNotFound
from .planner import (
    PlannerSettings,
    SearchResult,
    add_in_chunks,
    as_masks,
    build_ivf,
    exact_full,
    exact_subset,
    ivf_search,
    probe_recall,
    tune_nprobe,
)

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

    def __init__(self, ivf, readonly: bool = False, nprobe: int | None = None, *, trained_rows: int | None = None,
                 checked_rows: int | None = None, recall: float | None = None, reason: str | None = None,
                 lineage: str | None = None):
        self.ivf = ivf
        self.nprobe = nprobe  # tuned at build time (None: use settings.nprobe_base)
        self.readonly = readonly  # memory-mapped from disk: copy to memory before adding
        self.lock = _RWLock()
        # drift bookkeeping (manifest "ann"): rows when trained, rows at the last recall probe and its result
        self.trained_rows = int(trained_rows if trained_rows is not None else ivf.ntotal)
        self.checked_rows = int(checked_rows if checked_rows is not None else self.trained_rows)
        self.recall = recall
        self.reason = reason
        self.lineage = lineage or secrets.token_hex(8)  # same centroids and row numbering (a saved file stays valid)

    def _same(self, ivf) -> _Ann:
        return _Ann(ivf, nprobe=self.nprobe, trained_rows=self.trained_rows, checked_rows=self.checked_rows,
                    recall=self.recall, reason=self.reason, lineage=self.lineage)

    def writable(self) -> _Ann:
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
        return self._same(new)

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


def _join_segments(parts: list[dict[str, np.ndarray]], dim: int, root) -> tuple[np.ndarray, dict, list[str]]:
    """Vectors, column arrays and keys of the whole index from its segments (oldest first). One segment is
    returned as loaded (memory-mapped when asked); several are concatenated, CSR offsets shifted."""
    try:
        keys: list[str] = []
        for part in parts:
            raw, off = bytes(np.asarray(part["keys_blob"])), part["keys_off"]
            keys += [raw[off[i]:off[i + 1]].decode() for i in range(len(off) - 1)]
    except (UnicodeDecodeError, IndexError) as e:
        raise IndexCorrupt(f"index at {root}: the key list is damaged ({e}); rebuild with `jobmatch reindex`") from e
    if len(parts) == 1:
        return parts[0]["vectors"], {c: parts[0][c] for c in column_names()}, keys
    vec = np.concatenate([p["vectors"] for p in parts]) if parts else np.empty((0, dim), np.float32)
    arrays = {}
    for c in column_names():
        if c.endswith("_off"):
            shift, pieces = 0, [np.zeros(1, np.int64)]
            for p in parts:
                pieces.append(np.asarray(p[c][1:], np.int64) + shift)
                shift += int(p[c][-1])
            arrays[c] = np.concatenate(pieces)
        else:
            arrays[c] = np.concatenate([p[c] for p in parts])
    return vec, arrays, keys


def _segment_arrays(st: IndexSnapshot, a: int, b: int) -> dict[str, np.ndarray]:
    """Files of one segment: rows [a, b) of the snapshot (CSR offsets rebased to the segment)."""
    out: dict[str, np.ndarray] = {"vectors": st.vectors[a:b]}
    kb = [k.encode() for k in st.key_of(range(a, b))]
    out["keys_blob"] = np.frombuffer(b"".join(kb), np.uint8)
    out["keys_off"] = np.concatenate([[0], np.cumsum([len(x) for x in kb], dtype=np.int64)]).astype(np.int64)
    cols = st.columns
    for c in ROW_ARRAYS:
        out[f"col_{c}"] = cols.array(c)[a:b]
    for sname, elems in CSR_SETS.items():
        off = cols.array(f"{sname}_off")
        lo, hi = int(off[a]), int(off[b])
        out[f"col_{sname}_off"] = np.asarray(off[a:b + 1], np.int64) - lo
        out[f"col_{sname}_row"] = cols.array(f"{sname}_row")[lo:hi]
        for e in elems:
            out[f"col_{sname}_{e}"] = cols.array(f"{sname}_{e}")[lo:hi]
    return out


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

    def extends(self, earlier: IndexSnapshot) -> bool:
        """True when this snapshot's rows are ``earlier``'s rows plus rows appended since (no compaction in
        between: the same row -> key list), so a map built over ``earlier`` can be brought up to date from the
        rows whose ``alive`` changed and the new rows."""
        return self._keys is earlier._keys and self.n_rows >= earlier.n_rows

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
            res.hits[i] = [(self._keys[int(r)], float(s)) for r, s in zip(rows, scores, strict=True)]
            res.plans[i] = plan
            res.nprobe[i] = nprobe

        for plan in ("exact-subset", "exact-full", "ivf"):
            qi = [i for i in range(nq) if plans[i] == plan]
            if not qi:
                continue
            if plan == "exact-subset":
                if per is None:
                    outs = exact_subset(self.vectors, np.flatnonzero(shared), q[qi], k, key_of)
                    for i, out in zip(qi, outs, strict=True):
                        put(i, *out, plan)
                else:
                    for i in qi:
                        put(i, *exact_subset(self.vectors, np.flatnonzero(per[i]), q[i:i + 1], k, key_of)[0], plan)
            elif plan == "exact-full":
                m = shared if per is None else per[qi]
                for i, out in zip(qi, exact_full(self.vectors, q[qi], k, m, key_of, self.settings.query_block_bytes),
                                  strict=True):
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
                 settings: PlannerSettings | None = None, vectors: str = "fp32"):
        self.path = Path(path)
        self.dim = int(dim)
        self.model_id = model_id
        self.model_checksum = model_checksum
        self.vectors = vectors  # the arithmetic the vectors were computed in ("fp32", "int8"): see open()
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
        # what the last save (or open) left on disk, reusable by the next save: segments (prefix, rows) covering
        # rows [0, sum) exactly as they are in memory, their generation dir and manifest entries, the IVF file
        self._saved_segs: list[tuple[str, int]] = []
        self._saved_dir: Path | None = None
        self._saved_files: dict[str, Any] = {}
        self._saved_ann: tuple[dict[str, Any], int, str] | None = None  # (entry, rows it holds, lineage)
        self.last_save: dict[str, Any] = {}  # bytes written and linked by the last save
        self._publish()

    # ---- construction ----------------------------------------------------------------------
    @classmethod
    def create(cls, path: str | os.PathLike, *, dim: int, model_id: str, model_checksum: str | None = None,
               settings: PlannerSettings | None = None, vectors: str = "fp32") -> JobIndex:
        """A new empty index at ``path`` (written on the first :meth:`save`)."""
        if dim <= 0:
            raise ValueError("dim must be positive")
        return cls(Path(path), dim=dim, model_id=model_id, model_checksum=model_checksum, settings=settings,
                   vectors=vectors)

    @classmethod
    def open(cls, path: str | os.PathLike, *, model_id: str | None = None, model_checksum: str | None = None,
             dim: int | None = None, mmap: bool = False, verify: bool | None = None,
             settings: PlannerSettings | None = None, vectors: str | None = None) -> JobIndex:
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
        built = m.get("vectors", "fp32")  # manifests written before the field held fp32 vectors
        if vectors is not None and built != vectors:
            raise IndexModelMismatch(
                f"index at {root} holds {built} vectors of model {m['model_id']!r} but the configured embedding "
                f"backend makes {vectors} ones (their rankings differ); set JOBMATCH_EMBED_BACKEND to a backend "
                f"that makes {built} vectors, or run `jobmatch reindex`")
        if dim is not None and m["dim"] != dim:
            raise IndexModelMismatch(
                f"index at {root} holds {m['dim']}-d vectors but the model makes {dim}-d ones; "
                f"run `jobmatch reindex` or set JOBMATCH_MODEL={m['model_id']}")
        verify = (not mmap) if verify is None else verify
        # query-time thresholds come from this code (or the caller), not from the manifest, which
        # only records what the index was built with.
        ps = settings or PlannerSettings()
        self = cls(root, dim=m["dim"], model_id=m["model_id"], model_checksum=m.get("model_checksum"), settings=ps,
                   vectors=built)
        self.generation, self.created = int(m["generation"]), float(m.get("created", time.time()))
        self.compact_ratio = float(m.get("build_settings", {}).get("compact_ratio", self.compact_ratio))
        gdir = root / m["generation_dir"]
        files = m["files"]

        def load(name):
            if name not in files:
                raise IndexCorrupt(f"index manifest at {root} lists no {name}; rebuild with `jobmatch reindex`")
            return persist.load_npy(gdir, name, files[name], mmap=mmap, verify=verify)

        n = int(m["rows"])
        segs = m.get("segments") or [{"prefix": "", "rows": n}]
        if sum(int(g["rows"]) for g in segs) != n:
            raise IndexCorrupt(f"index at {root}: its segments hold {sum(int(g['rows']) for g in segs)} rows, the "
                               f"manifest says {n}; rebuild with `jobmatch reindex`")
        alive = np.array(load("alive.npy"))
        # columns added after the index was written load as unknown; the owner refills them (missing_columns)
        self.missing_columns = [c for c in column_names() if c in ROW_DEFAULTS and any(
            f"{g['prefix']}col_{c}.npy" not in files for g in segs)]
        parts: list[dict[str, np.ndarray]] = []
        for g in segs:
            pre, rows = g["prefix"], int(g["rows"])
            part = {"vectors": load(pre + "vectors.npy"), "keys_blob": load(pre + "keys_blob.npy"),
                    "keys_off": load(pre + "keys_off.npy")}
            for c in column_names():
                part[c] = np.full(rows, ROW_DEFAULTS[c], ROW_ARRAYS[c]) if c in self.missing_columns else \
                    load(f"{pre}col_{c}.npy")
            if part["vectors"].shape != (rows, self.dim) or len(part["keys_off"]) != rows + 1 or any(
                    len(part[c]) != rows for c in ROW_ARRAYS):
                raise IndexCorrupt(f"index at {root}: array lengths of segment {pre or 'base'} disagree with the "
                                   f"manifest's {rows} rows; rebuild with `jobmatch reindex`")
            parts.append(part)
        if len(alive) != n:
            raise IndexCorrupt(f"index at {root}: array lengths disagree with the manifest's {n} rows; "
                               "rebuild with `jobmatch reindex`")
        vec, arrays, keys = _join_segments(parts, self.dim, root)
        self._vec = _Buf(vec)
        self._cols = {k: _Buf(v) for k, v in arrays.items()}
        self._alive = alive
        self._keys = keys
        self._row_of = {k: i for i, k in enumerate(keys) if alive[i]}
        self._vocab = CountryVocab(m.get("countries", []))
        ann_meta = m.get("ann") or {}
        if "ann.faiss" in files:
            p = gdir / "ann.faiss"
            ent = files["ann.faiss"]
            if not p.is_file() or p.stat().st_size != ent["bytes"] or (verify and persist.file_crc32(p) != ent["crc32"]):
                raise IndexCorrupt(f"index file {p} is missing, truncated or corrupted; rebuild with `jobmatch reindex`")
            try:
                ivf = faiss.read_index(str(p), faiss.IO_FLAG_MMAP | faiss.IO_FLAG_READ_ONLY if mmap else 0)
            except RuntimeError as e:
                raise IndexCorrupt(f"index file {p} cannot be read ({e}); rebuild with `jobmatch reindex`") from e
            held = int(ann_meta.get("rows", n))  # format 3: the file holds the first `rows` rows
            if ivf.ntotal != held or held > n:
                raise IndexCorrupt(f"index file {p} holds {ivf.ntotal} rows, expected {held} of {n}; "
                                   "run `jobmatch reindex`")
            ann = _Ann(ivf, readonly=mmap, nprobe=ann_meta.get("nprobe"), trained_rows=ann_meta.get("trained_rows"),
                       checked_rows=ann_meta.get("checked_rows"), recall=ann_meta.get("recall"),
                       reason=ann_meta.get("reason"))
            if held < n:  # rows saved after the IVF file: add them (assignment only, no training)
                ann = ann.writable()
                add_in_chunks(ann.ivf, vec[held:], 0)
            self._ann = ann
            self._saved_ann = (files["ann.faiss"], held, ann.lineage)
        if not self.missing_columns:  # what the next save may link instead of writing again
            self._saved_segs = [(g["prefix"], int(g["rows"])) for g in segs]
            self._saved_dir, self._saved_files = gdir, dict(files)
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
            self._saved_segs = []  # rows renumbered: the next save writes one new segment
            if self._ann is not None:
                self._ann = self._refill_ann(self._ann, vec)
            self._publish()
            return dropped

    def merge_segments(self) -> None:
        """Make the next save write all rows as one segment (``compact`` does this too)."""
        with self._wlock:
            self._saved_segs = []

    @property
    def segments(self) -> list[int]:
        """Rows per saved segment, oldest first (rows appended since the last save not included)."""
        return [r for _, r in self._saved_segs]

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
        n = len(vec)
        return _Ann(new, nprobe=old.nprobe, trained_rows=min(old.trained_rows, n), checked_rows=min(old.checked_rows, n),
                    recall=old.recall, reason=old.reason)

    def _new_ann(self, vec: np.ndarray, reason: str = "built") -> _Ann | None:
        if len(vec) < max(39, self.settings.nlist_for(len(vec))):
            return None
        ivf = build_ivf(vec, self.settings)
        return _Ann(ivf, nprobe=tune_nprobe(ivf, vec, self.settings), reason=reason)

    def build_ann(self, reason: str = "built") -> bool:
        """(Re)build the IVF index over all rows now; False when there are too few rows to train."""
        with self._wlock:
            self._ann = self._new_ann(self._vec.view(), reason)
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
            "model_id": self.model_id, "model_checksum": self.model_checksum, "vectors": self.vectors,
            "dim": self.dim, "metric": METRIC, "normalized": True,
            "rows": st.n_rows, "alive": st.n_alive, "generation": self.generation,
            "generation_dir": f"gen-{self.generation:06d}",
            "countries": list(st.columns.country_vocab),
            "ann": None if st.ann is None else {
                "type": "IndexIVFFlat", "nlist": st.ann.nlist, "nprobe": st.ann.nprobe,
                "trained_rows": st.ann.trained_rows, "checked_rows": st.ann.checked_rows, "recall": st.ann.recall,
                "reason": st.ann.reason},
            "build_settings": {"planner": asdict(self.settings), "compact_ratio": self.compact_ratio},
            "versions": {"faiss": faiss.__version__, "numpy": np.__version__, "python": platform.python_version()},
            "created": self.created, "saved": time.time(),
        }

    def _check_drift(self) -> None:
        """Retrain the IVF index when the corpus has drifted from what it was trained on: more than
        ``retrain_growth`` x the training rows added since, or (probed each ``recall_probe_growth`` of growth)
        recall@10 of rows added since training, searched as queries, below ``tune_recall``. The reason is
        recorded in the manifest (``ann.reason``)."""
        ann, s = self._ann, self.settings
        if ann is None:
            return
        n = self._vec.n
        grown = n - ann.trained_rows
        if grown > s.retrain_growth * ann.trained_rows:
            self.build_ann(reason=f"drift: {grown} rows added since training on {ann.trained_rows}")
            return
        if grown > 0 and n - ann.checked_rows >= s.recall_probe_growth * ann.trained_rows:
            rows = np.arange(ann.trained_rows, n)
            nprobe = s.nprobe_for(n, ann.nlist, ann.nprobe)
            ann.lock.acquire_read()
            try:
                rec = probe_recall(ann.ivf, self._vec.view(), rows, nprobe, s)
            finally:
                ann.lock.release_read()
            ann.checked_rows, ann.recall = n, round(rec, 4)
            if rec < s.tune_recall:
                self.build_ann(reason=f"drift: recall@10 {rec:.3f} of rows added since training (below "
                                      f"{s.tune_recall})")

    def save(self, *, build_ann: bool | None = None) -> int:
        """Write a new generation and switch the manifest to it; returns the generation number.

        Incremental: only rows added since the last save are written (one new segment), plus the tombstone
        mask and, when it was rebuilt, the IVF file; unchanged files are hard-linked (see ``index.persist``).
        Compacts first when tombstones exceed ``compact_ratio`` of the rows. Builds the IVF index when
        ``build_ann`` is True, or (None) when the corpus has at least ``settings.ann_min_rows`` rows and
        none exists yet; retrains it on drift (:meth:`_check_drift`). ``last_save`` tells what was written.
        """
        with self._wlock:
            st = self._state
            if st.n_rows and (st.n_rows - st.n_alive) > self.compact_ratio * st.n_rows:
                self.compact()
            if build_ann or (build_ann is None and self._ann is None and len(self) >= self.settings.ann_min_rows):
                self.build_ann()
            elif build_ann is None:
                self._check_drift()
            st = self._state
            self.path.mkdir(parents=True, exist_ok=True)
            gen = self.generation + 1
            tmp, final = persist.new_generation_dir(self.path, gen)
            try:
                files, segs, ann_rows, stats = self._write_generation(tmp, st, gen)
                persist.publish_generation(tmp, final)
            except BaseException:  # disk full, read-only, ...: the manifest still names the previous generation
                import shutil

                shutil.rmtree(tmp, ignore_errors=True)
                raise
            self.generation = gen
            self._publish()
            man = self.manifest()
            man["rows"], man["alive"] = st.n_rows, st.n_alive
            man["segments"] = [{"prefix": pre, "rows": rows} for pre, rows in segs]
            if man["ann"] is not None:
                man["ann"]["rows"] = ann_rows
            man["files"] = files
            persist.write_manifest(self.path, man)
            self._saved_segs, self._saved_dir, self._saved_files = segs, final, files
            self._saved_ann = (files["ann.faiss"], ann_rows, st.ann.lineage) if st.ann is not None else None
            self.last_save = {**stats, "generation": gen, "segments": [r for _, r in segs]}
            persist.remove_stale(self.path, keep=final.name)
            return gen

    def _reusable(self, names: list[str]) -> bool:
        d = self._saved_dir
        if d is None:
            return False
        for name in names:
            ent = self._saved_files.get(name)
            try:
                if ent is None or (d / name).stat().st_size != ent["bytes"]:
                    return False
            except OSError:
                return False
        return True

    def _write_generation(self, tmp: Path, st: IndexSnapshot, gen: int):
        """The files of one generation into ``tmp`` (each fsynced): unchanged segments and IVF file linked from the
        previous generation, rows added since written as one segment (merged with the newest segments when
        ``persist.merge_count`` says so). Returns (manifest entries, segments, rows in the IVF file, byte counts)."""
        files: dict[str, Any] = {}
        n = st.n_rows
        saved = list(self._saved_segs)
        if sum(r for _, r in saved) > n or not self._reusable(
                [pre + f for pre, _ in saved for f in _segment_files()]):
            saved = []
        covered = sum(r for _, r in saved)
        k = persist.merge_count([r for _, r in saved], n - covered) if n > covered else 0
        keep = saved[:len(saved) - k]
        written = linked = 0
        for pre, _rows in keep:
            for f in _segment_files():
                persist.link_or_copy(self._saved_dir / (pre + f), tmp / (pre + f))
                files[pre + f] = self._saved_files[pre + f]
                linked += files[pre + f]["bytes"]
        segs = list(keep)
        start = sum(r for _, r in keep)
        if n > start or not segs:
            pre = "" if start == 0 else f"s{gen:06d}."
            for name, arr in _segment_arrays(st, start, n).items():
                files[f"{pre}{name}.npy"] = persist.save_npy(tmp, f"{pre}{name}.npy", arr)
                written += files[f"{pre}{name}.npy"]["bytes"]
            segs.append((pre, n - start))
        files["alive.npy"] = persist.save_npy(tmp, "alive.npy", st.alive)
        written += files["alive.npy"]["bytes"]
        ann_rows = 0
        if st.ann is not None:
            sa = self._saved_ann
            if sa is not None and sa[2] == st.ann.lineage and (n - sa[1]) <= self.settings.ann_rewrite_tail * n \
                    and self._reusable(["ann.faiss"]):
                persist.link_or_copy(self._saved_dir / "ann.faiss", tmp / "ann.faiss")
                files["ann.faiss"], ann_rows = sa[0], sa[1]
                linked += sa[0]["bytes"]
            else:
                st.ann.lock.acquire_read()
                try:
                    files["ann.faiss"] = persist.save_file(tmp, "ann.faiss",
                                                           lambda p: faiss.write_index(st.ann.ivf, p))
                    ann_rows = int(st.ann.ivf.ntotal)
                finally:
                    st.ann.lock.release_read()
                written += files["ann.faiss"]["bytes"]
        return files, segs, ann_rows, {"bytes_written": written, "bytes_linked": linked}


def _segment_files() -> list[str]:
    """File names of one segment (after its prefix)."""
    return ["vectors.npy", "keys_blob.npy", "keys_off.npy"] + [f"col_{c}.npy" for c in column_names()]


__all__ = ["JobIndex", "IndexSnapshot", "METRIC", "CSR_SETS"]
