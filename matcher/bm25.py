"""BM25 written incrementally: immutable segments, tombstones and global statistics kept as rows come and go.

:class:`LexicalIndex` scores rows (ints) by BM25 over their texts, with the tokeniser of
:func:`matcher.ranking.tokenize` and bm25s' defaults (``method="lucene"``: idf ``log(1 + (N - df + 0.5) /
(df + 0.5))``, term part ``tf / (tf + k1 * (1 - b + b * dl / avgdl))``; a row whose text has no token counts as a
document of length 1, as bm25s indexes it), so its scores are those of a bm25s index rebuilt over the live rows
(``tests/test_bm25.py`` checks them against bm25s). Unlike bm25s nothing is precomputed from N, df or avgdl:

* a **segment** holds a block of rows: their texts, the second stage's line arrays
  (:func:`matcher.second_stage.line_arrays`, token ids from one append-only vocabulary every segment shares) and
  the same (row, tf) pairs turned term-major (``terms``/``term_ptr``/``post_doc``/``post_tf``, CSC-like), with each
  row's length. A segment is never changed once built;
* a write adds one segment for its rows and **tombstones** the earlier copy of a replaced or removed row; the
  live document count, total length and df per term are updated by the rows in and out, so a write costs what
  its rows do, not what the index holds;
* a query reads the postings of its terms in every segment and computes idf and the term part from the current
  statistics; tombstoned rows score nothing;
* segments are merged size-tiered (:func:`index.persist.merge_count`, the vector index's rule: the newest run
  is rewritten once it reaches half the size of the segment before it, so a row is rewritten O(log n) times),
  dropping tombstoned rows; :meth:`LexicalIndex.compacted` merges all into one.

Persisted (:func:`save_dir` / :func:`load_dir`) as one ``seg-<id>.npz`` per segment (arrays + the texts as utf-8
blob and offsets; no pickle), append-only ``vocab-*.json`` and ``keys-*.json`` chunks, a ``dead-<id>.npz`` of
tombstones and ``manifest.json`` naming them. A save into a directory whose manifest is the one this index
descends from writes only the segments not there yet, the new chunks, the tombstones and the manifest (each
file fsynced under a temporary name and renamed; the manifest last, so a crash leaves the previous manifest and
the complete files it names); files no longer named are removed after. Any other directory is written whole
beside it and swapped in. A directory in the older bm25s format is read and rebuilt from its texts (logged).
"""
from __future__ import annotations

import json
import logging
import secrets
import shutil
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path

import numpy as np

from index.atomic import atomic_write, fsync_tree, replace_dir, write_json_atomic
from index.persist import merge_count

log = logging.getLogger(__name__)

FORMAT = "jobmatch-bm25-segments"
VERSION = 2  # 1: one bm25s directory (lexical.json, bm25/, texts.jsonl, rows.npy, lines/)
MANIFEST = "manifest.json"
COMPACT_RATIO = 0.2  # tombstoned rows past this share of the stored rows: merge everything (index.JobIndex too)


def _ranges(starts: np.ndarray, lens: np.ndarray) -> np.ndarray:
    """The indices ``starts[i] .. starts[i] + lens[i] - 1`` for every i, concatenated."""
    lens = np.asarray(lens, dtype=np.int64)
    if lens.size == 0:
        return np.zeros(0, dtype=np.int64)
    ends = np.cumsum(lens)
    return np.repeat(np.asarray(starts, dtype=np.int64) - (ends - lens), lens) + np.arange(int(ends[-1]))


def _new_id() -> str:
    return secrets.token_hex(8)


# ------------------------------------------------------------------------------------------------------------
# Segments
# ------------------------------------------------------------------------------------------------------------

class Segment:
    """An immutable block of rows (``rows``: their numbers in the index; local row i is ``rows[i]``)."""

    LINES = ("tok", "line_ptr", "line_req", "row_line", "doc_tok", "doc_cnt", "row_doc")
    ARRAYS = ("rows", *LINES, "terms", "term_ptr", "post_doc", "post_tf", "dl", "has_text")

    def __init__(self, sid: str, arrays: dict[str, np.ndarray], texts: list[str]) -> None:
        self.id = sid
        for k in self.ARRAYS:
            setattr(self, k, arrays[k])
        self.texts = texts
        self.n = int(self.rows.size)
        self._knorm: tuple[float, np.ndarray] | None = None

    @classmethod
    def build(cls, rows: Sequence[int], texts: Sequence[str], vocab: dict[str, int]) -> Segment:
        """Tokenise ``texts`` (adding new terms to ``vocab``) into a segment for ``rows``."""
        from .second_stage import line_arrays

        return cls.from_lines(np.asarray(rows, dtype=np.int64), line_arrays(texts, vocab), list(texts))

    @classmethod
    def from_lines(cls, rows: np.ndarray, a: dict[str, np.ndarray], texts: list[str], sid: str | None = None
                   ) -> Segment:
        """A segment from its line arrays: the term-major postings and lengths derived from them."""
        n = int(rows.size)
        counts = np.diff(a["row_doc"])
        owner = np.repeat(np.arange(n, dtype=np.int32), counts)
        order = np.argsort(a["doc_tok"], kind="stable")  # term-major, rows ascending within a term
        t = a["doc_tok"][order]
        first = np.flatnonzero(np.diff(t)) + 1 if t.size else np.zeros(0, dtype=np.int64)
        first = np.concatenate([[0], first]) if t.size else first
        arrays = dict(a)
        arrays.update(
            rows=rows, terms=t[first].astype(np.int32), term_ptr=np.append(first, t.size).astype(np.int64),
            post_doc=owner[order], post_tf=a["doc_cnt"][order].astype(np.float32),
            # bm25s indexes a row without tokens as one placeholder token: length 1
            dl=np.maximum(np.bincount(owner, weights=a["doc_cnt"], minlength=n), 1).astype(np.int64),
            has_text=np.array([bool(x) for x in texts], dtype=bool))
        return cls(sid or _new_id(), arrays, texts)

    @classmethod
    def merge(cls, parts: Sequence[tuple[Segment, np.ndarray]]) -> Segment:
        """One segment of the live rows (``dead`` False) of ``parts``, in order."""
        rows, texts, nlines, ntok, ndoc, req, tok, dtok, dcnt = [], [], [], [], [], [], [], [], []
        for seg, dead in parts:
            keep = np.flatnonzero(~dead)
            rows.append(seg.rows[keep])
            texts.extend(seg.texts[i] for i in keep.tolist())
            nl = seg.row_line[keep + 1] - seg.row_line[keep]
            lines = _ranges(seg.row_line[keep], nl)
            nt = seg.line_ptr[lines + 1] - seg.line_ptr[lines]
            nd = seg.row_doc[keep + 1] - seg.row_doc[keep]
            d = _ranges(seg.row_doc[keep], nd)
            nlines.append(nl)
            ntok.append(nt)
            ndoc.append(nd)
            req.append(seg.line_req[lines])
            tok.append(seg.tok[_ranges(seg.line_ptr[lines], nt)])
            dtok.append(seg.doc_tok[d])
            dcnt.append(seg.doc_cnt[d])

        def ptr(parts_: list[np.ndarray]) -> np.ndarray:
            return np.concatenate([[0], np.cumsum(np.concatenate(parts_))]).astype(np.int64)

        a = {"tok": np.concatenate(tok).astype(np.int32, copy=False), "line_ptr": ptr(ntok),
             "line_req": np.concatenate(req).astype(bool, copy=False), "row_line": ptr(nlines),
             "doc_tok": np.concatenate(dtok).astype(np.int32, copy=False),
             "doc_cnt": np.concatenate(dcnt).astype(np.int32, copy=False), "row_doc": ptr(ndoc)}
        return cls.from_lines(np.concatenate(rows).astype(np.int64, copy=False), a, texts)

    def knorm(self, k1: float, b: float, avgdl: float) -> np.ndarray:
        """``k1 * (1 - b + b * dl / avgdl)`` per row, float32 (cached for the last avgdl)."""
        cached = self._knorm
        if cached is None or cached[0] != avgdl:
            cached = (avgdl, (k1 * ((1 - b) + b * self.dl / avgdl)).astype(np.float32))
            self._knorm = cached
        return cached[1]

    def scores(self, qterms: np.ndarray, qweight: np.ndarray, k1: float, b: float, avgdl: float) -> np.ndarray:
        """Sum over the query terms (sorted ids, weight = idf x times in the query) of weight x term part, in
        float32 as bm25s sums."""
        out = np.zeros(self.n, dtype=np.float32)
        if not self.terms.size or not qterms.size:
            return out
        pos = np.minimum(np.searchsorted(self.terms, qterms), self.terms.size - 1)
        ok = self.terms[pos] == qterms
        if not ok.any():
            return out
        pos, w = pos[ok], qweight[ok].astype(np.float32)
        starts, ends = self.term_ptr[pos].tolist(), self.term_ptr[pos + 1].tolist()
        pd, pt = self.post_doc, self.post_tf
        docs = np.concatenate([pd[a:e] for a, e in zip(starts, ends, strict=True)]).astype(np.int64)
        tf = np.concatenate([pt[a:e] for a, e in zip(starts, ends, strict=True)])
        wrep = np.repeat(w, np.subtract(ends, starts))
        np.add.at(out, docs, wrep * tf / (tf + self.knorm(k1, b, avgdl)[docs]))  # float32 in float32: fast path
        return out

    def arrays(self) -> dict[str, np.ndarray]:
        return {k: getattr(self, k) for k in self.ARRAYS}


# ------------------------------------------------------------------------------------------------------------
# The index
# ------------------------------------------------------------------------------------------------------------

class _Texts(Mapping):
    """row -> text of the live rows of one index snapshot (read-only, no copy)."""

    def __init__(self, idx: LexicalIndex) -> None:
        self._i = idx

    def __getitem__(self, row: int) -> str:
        i = self._i
        if 0 <= row < i._seg_of.size and i._seg_of[row] >= 0:
            return i._segs[int(i._seg_of[row])].texts[int(i._local_of[row])]
        raise KeyError(row)

    def __iter__(self) -> Iterator[int]:
        return iter(np.flatnonzero(self._i._seg_of >= 0).tolist())

    def __len__(self) -> int:
        return self._i._n_live


class LexicalIndex:
    """BM25 over posting (or resume) texts, keyed by rows (ints), written incrementally (module docstring).

    :meth:`updated` returns a new index and leaves this one as it was, so searches running on it are never
    disturbed; :meth:`add` and :meth:`build` change this one."""

    def __init__(self, k1: float = 1.2, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self._vocab: dict[str, int] = {}  # shared with the indexes derived from this one; only ever appended to
        self._nv = 0
        self._segs: tuple[Segment, ...] = ()
        self._dead: tuple[np.ndarray, ...] = ()
        self._seg_of = np.zeros(0, dtype=np.int32)    # row -> segment position (-1: no live row)
        self._local_of = np.zeros(0, dtype=np.int32)  # row -> row in that segment
        self._df = np.zeros(0, dtype=np.int32)        # live rows holding each term
        self._n_live = 0      # BM25's N: live rows
        self._len_live = 0    # sum of their lengths
        self._n_text = 0      # live rows with a non-empty text (the second stage's n_docs)
        self._lines = None
        self._origin: str | None = None  # id of the saved manifest this index descends from (incremental saves)

    def __len__(self) -> int:
        return self._n_live

    @classmethod
    def assemble(cls, vocab: dict[str, int], segs: Sequence[Segment], dead: Sequence[np.ndarray],
                 k1: float = 1.2, b: float = 0.75) -> LexicalIndex:
        """An index of these segments (``dead``: each one's tombstones; a row live in one segment at most) over
        ``vocab``, its statistics counted from them."""
        idx = cls(k1=k1, b=b)
        idx._vocab, idx._nv = vocab, len(vocab)
        idx._segs, idx._dead = tuple(segs), tuple(dead)
        n_rows = max((int(s.rows.max()) + 1 for s in segs if s.n), default=0)
        idx._seg_of = np.full(n_rows, -1, dtype=np.int32)
        idx._local_of = np.zeros(n_rows, dtype=np.int32)
        df = np.zeros(idx._nv, dtype=np.int64)
        for i, (s, d) in enumerate(zip(segs, dead, strict=True)):
            live = np.flatnonzero(~d)
            idx._seg_of[s.rows[live]] = i
            idx._local_of[s.rows[live]] = live.astype(np.int32)
            idx._n_live += int(live.size)
            idx._len_live += int(s.dl[live].sum())
            idx._n_text += int(s.has_text[live].sum())
            df += np.bincount(s.doc_tok[~np.repeat(d, np.diff(s.row_doc))], minlength=idx._nv)
        idx._df = df.astype(np.int32)
        return idx

    # ---- writing -------------------------------------------------------------------------------------------
    def build(self, texts: Sequence[str]) -> LexicalIndex:
        """Index ``texts`` as rows 0..n-1 (replacing whatever this held)."""
        fresh = LexicalIndex(self.k1, self.b)._with(range(len(texts)), list(texts), ())
        self.__dict__.update(fresh.__dict__)
        return self

    def add(self, rows: Iterable[int], texts: Iterable[str]) -> LexicalIndex:
        """Add or replace ``rows`` in this index."""
        self.__dict__.update(self.updated(rows, texts).__dict__)
        return self

    def updated(self, rows: Iterable[int], texts: Iterable[str], removed: Iterable[int] = ()) -> LexicalIndex:
        """A new index with these rows added or replaced and ``removed`` rows gone (a row given both ways: the
        text wins); this one is left as it was (readers keep using it). Costs what these rows do."""
        return self._with(rows, texts, removed)

    def compacted(self) -> LexicalIndex:
        """The same rows in one segment, tombstoned rows dropped."""
        new = self._copy()
        if len(new._segs) > 1 or any(d.any() for d in new._dead):
            new._seg_of, new._local_of = new._seg_of.copy(), new._local_of.copy()
            new._merge_tail(len(new._segs))
        return new

    def _copy(self) -> LexicalIndex:
        new = LexicalIndex(self.k1, self.b)
        new.__dict__.update({k: v for k, v in self.__dict__.items() if k != "_lines"})
        new._lines = None
        return new

    def _with(self, rows: Iterable[int], texts: Iterable[str], removed: Iterable[int]) -> LexicalIndex:
        put: dict[int, str] = {}
        for r, t in zip(rows, texts, strict=True):
            put[int(r)] = t or ""
        gone = {int(r) for r in removed} - set(put)
        new = self._copy()
        if not put and not gone:
            return new
        top = max([*put, *gone]) + 1
        seg_of, local_of = new._seg_of.copy(), new._local_of.copy()
        if top > seg_of.size:
            seg_of = np.concatenate([seg_of, np.full(top - seg_of.size, -1, dtype=np.int32)])
            local_of = np.concatenate([local_of, np.zeros(top - local_of.size, dtype=np.int32)])
        new._seg_of, new._local_of = seg_of, local_of
        # tombstone the earlier copy of every row written or removed
        old = np.array(sorted(r for r in [*put, *gone] if r < self._seg_of.size and self._seg_of[r] >= 0),
                       dtype=np.int64)
        df = new._df.copy()
        dead = list(new._dead)
        if old.size:
            segs_hit = seg_of[old]
            for s in np.unique(segs_hit).tolist():
                local = local_of[old[segs_hit == s]].astype(np.int64)
                seg = new._segs[s]
                d = dead[s] = dead[s].copy()
                d[local] = True
                toks = seg.doc_tok[_ranges(seg.row_doc[local], seg.row_doc[local + 1] - seg.row_doc[local])]
                df -= np.bincount(toks, minlength=df.size).astype(np.int32)
                new._n_live -= int(local.size)
                new._len_live -= int(seg.dl[local].sum())
                new._n_text -= int(seg.has_text[local].sum())
            seg_of[old] = -1
        new._dead = tuple(dead)
        # the rows written: one new segment
        if put:
            seg = Segment.build(list(put), list(put.values()), new._vocab)
            new._nv = len(new._vocab)
            if df.size < new._nv:
                df = np.concatenate([df, np.zeros(new._nv - df.size, dtype=np.int32)])
            df += np.bincount(seg.doc_tok, minlength=df.size).astype(np.int32)
            new._n_live += seg.n
            new._len_live += int(seg.dl.sum())
            new._n_text += int(seg.has_text.sum())
            seg_of[seg.rows] = len(new._segs)
            local_of[seg.rows] = np.arange(seg.n, dtype=np.int32)
            new._segs = (*new._segs, seg)
            new._dead = (*new._dead, np.zeros(seg.n, dtype=bool))
        new._df = df
        new._drop_empty()
        live = [int((~d).sum()) for d in new._dead]
        stored = sum(d.size for d in new._dead)
        if stored - sum(live) > COMPACT_RATIO * stored:  # as the vector index: tombstones past 20 % -> one segment
            new._merge_tail(len(new._segs))
        elif len(live) > 1:
            k = merge_count(live[:-1], live[-1])
            if k:
                new._merge_tail(k + 1)
        return new

    def _drop_empty(self) -> None:
        """Forget segments with no live row (their positions renumbered in the row map)."""
        keep = [i for i, d in enumerate(self._dead) if not d.all()]
        if len(keep) == len(self._segs):
            return
        remap = np.full(len(self._segs) + 1, -1, dtype=np.int32)
        remap[keep] = np.arange(len(keep), dtype=np.int32)
        self._seg_of = remap[self._seg_of]  # -1 -> remap[-1] == -1
        self._segs = tuple(self._segs[i] for i in keep)
        self._dead = tuple(self._dead[i] for i in keep)

    def _merge_tail(self, k: int) -> None:
        """Rewrite the newest ``k`` segments as one (tombstoned rows dropped); row map updated in place
        (callers pass a fresh copy)."""
        first = len(self._segs) - k
        merged = Segment.merge(list(zip(self._segs[first:], self._dead[first:], strict=True)))
        self._segs = (*self._segs[:first], merged)
        self._dead = (*self._dead[:first], np.zeros(merged.n, dtype=bool))
        self._seg_of[merged.rows] = first
        self._local_of[merged.rows] = np.arange(merged.n, dtype=np.int32)

    # ---- reading -------------------------------------------------------------------------------------------
    @property
    def texts(self) -> Mapping[int, str]:
        """The indexed text of every live row (read-only)."""
        return _Texts(self)

    @property
    def segments(self) -> list[tuple[str, int, int]]:
        """(id, rows, live rows) of every segment, oldest first."""
        return [(s.id, s.n, int((~d).sum())) for s, d in zip(self._segs, self._dead, strict=True)]

    @property
    def lines(self):
        """The second stage's arrays over the same rows (:class:`matcher.bm25_lines.SegmentedLines`)."""
        if self._lines is None:
            from .bm25_lines import SegmentedLines, VocabView

            self._lines = SegmentedLines(VocabView(self._vocab, self._nv), self._df[: self._nv], self._n_text,
                                         self._segs, self._seg_of, self._local_of)
        return self._lines

    def scores(self, query_text: str, n_rows: int | None = None) -> np.ndarray:
        """BM25 score for every row (0 for rows without text), length max(n_rows, known rows)."""
        out = np.zeros(max(n_rows or 0, int(self._seg_of.size)), dtype=np.float32)
        if not self._n_live:
            return out
        from .ranking import tokenize

        get, nv = self._vocab.get, self._nv
        ids = np.fromiter((i for i in map(get, tokenize(query_text)) if i is not None and i < nv), dtype=np.int64)
        if not ids.size:
            return out
        q, times = np.unique(ids, return_counts=True)  # a word said twice in the query counts twice (as bm25s)
        df = self._df[q].astype(np.float64)
        n = float(self._n_live)
        idf = np.where(df > 0, np.log(1 + (n - df + 0.5) / (df + 0.5)), 0.0).astype(np.float32)
        w = idf.astype(np.float64) * times
        avgdl = self._len_live / n
        for seg, dead in zip(self._segs, self._dead, strict=True):
            s = seg.scores(q, w, self.k1, self.b, avgdl)
            live = ~dead
            out[seg.rows[live]] = s[live]
        return out

    # ---- disk ----------------------------------------------------------------------------------------------
    def save(self, directory: str | Path) -> None:
        """Write this index into ``directory`` (incrementally when it holds the save this one descends from)."""
        save_dir(Path(directory), self)

    @classmethod
    def load(cls, directory: str | Path) -> LexicalIndex:
        return load_dir(Path(directory))[0]


# ------------------------------------------------------------------------------------------------------------
# Persistence
# ------------------------------------------------------------------------------------------------------------

def read_manifest(directory: Path) -> dict | None:
    """The segmented manifest in ``directory``, or None (none there, or another format)."""
    try:
        m = json.loads((Path(directory) / MANIFEST).read_text())
    except (OSError, ValueError):
        return None
    return m if isinstance(m, dict) and m.get("format") == FORMAT and m.get("version") == VERSION else None


_OURS = ("seg-", "vocab-", "keys-", "dead-", ".seg-", ".vocab-", ".keys-", ".dead-", f".{MANIFEST}.")  # + temp names


def _referenced(m: dict | None) -> set[str]:
    if not m:
        return set()
    names = {f"seg-{s}.npz" for s in m["segments"]}
    names.update(c[0] for c in m["vocab"])
    names.update(c[0] for c in m.get("keys", []))
    if m.get("dead"):
        names.add(m["dead"])
    return names


def _write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    def write(tmp: Path) -> None:
        with open(tmp, "wb") as f:
            np.savez(f, **arrays)

    atomic_write(path, write)


def _write_segment(d: Path, seg: Segment) -> None:
    path = d / f"seg-{seg.id}.npz"
    if path.exists():  # written whole under a temporary name, then renamed: present means complete
        return
    blobs = [t.encode("utf-8") for t in seg.texts]
    off = np.zeros(len(blobs) + 1, dtype=np.int64)
    np.cumsum([len(x) for x in blobs], out=off[1:])
    _write_npz(path, {**seg.arrays(), "text_blob": np.frombuffer(b"".join(blobs), dtype=np.uint8),
                      "text_off": off})


def _chunks(d: Path, prefix: str, items: list[str], have: list, fresh: bool) -> list:
    """Append-only chunks of ``items``: the ones in ``have`` covering a prefix, plus one new chunk for the rest."""
    chunks = [] if fresh else [c for c in have if c[2] <= len(items)]
    done = chunks[-1][2] if chunks else 0
    if done < len(items):
        name = f"{prefix}-{done:09d}-{_new_id()}.json"
        write_json_atomic(d / name, items[done:], indent=None)
        chunks.append([name, done, len(items)])
    return chunks


def save_dir(directory: Path, index: LexicalIndex, *, keys: list[str] | None = None,
             meta: dict | None = None) -> dict:
    """Write ``index`` (and ``keys``, an append-only list of names for its rows, and ``meta``) into
    ``directory``; returns the manifest written. Incremental when the directory's manifest is the one
    ``index`` descends from; otherwise written whole beside it and swapped in."""
    directory = Path(directory)
    prev = read_manifest(directory)
    incremental = prev is not None and index._origin is not None and prev.get("id") == index._origin
    target = directory if incremental else directory.with_name(directory.name + ".tmp")
    if not incremental:
        shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True, exist_ok=True)
    for seg in index._segs:
        _write_segment(target, seg)
    vocab = list(index._vocab)[: index._nv]
    m = {"format": FORMAT, "version": VERSION, "id": _new_id(), "k1": index.k1, "b": index.b,
         "segments": [s.id for s in index._segs],
         "vocab": _chunks(target, "vocab", vocab, prev["vocab"] if incremental else [], not incremental),
         "dead": None, "meta": meta or {}}
    if keys is not None:
        m["keys"] = _chunks(target, "keys", list(keys), prev.get("keys", []) if incremental else [],
                            not incremental)
    tomb = {s.id: np.flatnonzero(d).astype(np.int32) for s, d in zip(index._segs, index._dead, strict=True)
            if d.any()}
    if tomb:
        m["dead"] = f"dead-{_new_id()}.npz"
        _write_npz(target / m["dead"], tomb)
    if incremental:
        write_json_atomic(target / MANIFEST, m)  # the switch: files it names are all on disk already
        keep = _referenced(m) | _referenced(prev) | {MANIFEST}
        for p in directory.iterdir():  # ours that neither the new nor the previous manifest names (a reader of
            if p.name not in keep and p.is_file() and p.name.startswith(_OURS):  # the previous one may still be
                p.unlink(missing_ok=True)                                        # opening its files)
    else:
        write_json_atomic(target / MANIFEST, m)
        fsync_tree(target)
        replace_dir(target, directory)
    index._origin = m["id"]
    return m


def load_dir(directory: Path) -> tuple[LexicalIndex, list[str] | None, dict]:
    """(index, keys or None, meta) from ``directory``. An older bm25s directory is rebuilt from its texts.
    Raises OSError/ValueError/KeyError when the directory is missing or unreadable."""
    directory = Path(directory)
    m = read_manifest(directory)
    if m is None:
        if (directory / MANIFEST).exists():
            raise ValueError(f"{directory / MANIFEST} is not a lexical index of format {FORMAT} v{VERSION}")
        return _load_v1(directory), None, {}
    vocab: dict[str, int] = {}
    for name, start, end in m["vocab"]:
        terms = json.loads((directory / name).read_text())
        if len(terms) != end - start or len(vocab) != start:
            raise ValueError(f"vocabulary chunk {name} does not fit: rebuild the lexical side")
        for t in terms:
            vocab[t] = len(vocab)
    tomb: dict[str, np.ndarray] = {}
    if m.get("dead"):
        with np.load(directory / m["dead"], allow_pickle=False) as z:
            tomb = {k: z[k] for k in z.files}
    segs, dead = [], []
    for sid in m["segments"]:
        with np.load(directory / f"seg-{sid}.npz", allow_pickle=False) as z:
            arrays = {k: z[k] for k in Segment.ARRAYS}
            blob, off = z["text_blob"].tobytes(), z["text_off"]
        texts = [blob[off[i]:off[i + 1]].decode("utf-8") for i in range(off.size - 1)]
        seg = Segment(sid, arrays, texts)
        d = np.zeros(seg.n, dtype=bool)
        d[tomb.get(sid, np.zeros(0, dtype=np.int32))] = True
        segs.append(seg)
        dead.append(d)
    idx = LexicalIndex.assemble(vocab, segs, dead, k1=float(m["k1"]), b=float(m["b"]))
    idx._origin = m["id"]
    keys = None
    if "keys" in m:
        keys = []
        for name, start, end in m["keys"]:
            part = json.loads((directory / name).read_text())
            if len(part) != end - start or len(keys) != start:
                raise ValueError(f"keys chunk {name} does not fit: rebuild the lexical side")
            keys.extend(part)
    return idx, keys, dict(m.get("meta") or {})


def _load_v1(directory: Path) -> LexicalIndex:
    """A lexical directory of the older bm25s format (``lexical.json`` + ``texts.jsonl``): rebuilt from its
    texts (the next save writes the segmented format)."""
    meta = json.loads((directory / "lexical.json").read_text())
    texts: dict[int, str] = {}
    with open(directory / "texts.jsonl", encoding="utf-8") as fh:
        for line in fh:
            o = json.loads(line)
            texts[int(o["row"])] = o["text"]
    log.warning("jobmatch: lexical index in %s is in the older bm25s format: rebuilding it from its %d texts "
                "(the next save writes the segmented format)", directory, len(texts))
    return LexicalIndex(k1=float(meta["k1"]), b=float(meta["b"])).updated(list(texts), list(texts.values()))
