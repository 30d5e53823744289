"""``CandidatePool``: the candidates added by consent, their vector index and BM25 side, and the search of
candidates for a posting.

Layout, all under ``<data_dir>/candidates/`` (beside the job store and index, which it never touches):
``candidates.sqlite3`` (:mod:`.store`), ``index/`` (an :class:`index.JobIndex`: generations, manifest, planner;
keys are candidate ids, vectors the resume query vectors, columns :func:`.filters.candidate_row`) and
``lexical/`` (:mod:`.lexical`).

Writes (add, remove, reindex) hold the data directory's writer lock (:mod:`matcher.lock`, the same one the job
side takes) from the store write to the index save, load the newest generation first, and leave the index
holding exactly the stored candidates (pending ids, stored-but-unindexed, indexed-but-deleted), like
:meth:`matcher.service.MatchService.sync`. A removal compacts the index before saving, so the new generation
holds no row of the candidate and the old generation directory is deleted; the BM25 side is rebuilt without
them. Readers never take the lock; a search first picks up a generation another process saved (one ``stat``).
"""
from __future__ import annotations

import contextlib
import math
import os
import shutil
import threading
from collections.abc import Sequence

import numpy as np

from index import JobIndex
from matcher.domain import DEGREE_LEVEL, CandidateProfile, MatchOptions, Posting
from matcher.errors import IndexModelMismatch, IndexNotFound, InvalidRequest, NotFound
from matcher.geo import haversine_km
from matcher.lock import DataDirLock
from matcher.options import as_utc
from matcher.posting_index import embed_postings, posting_row, posting_text_for_lexical
from matcher.ranking import HybridRanker
from matcher.settings import Settings

from .domain import (
    AddedCandidate,
    CandidateMatch,
    CandidateRequirement,
    CandidatesResponse,
    JobRef,
    ReverseOptions,
    StoredCandidate,
)
from .filters import (
    apply_reverse_filters,
    candidate_row,
    location_mode,
    location_ok,
    location_unknown,
    required_degree_text,
)
from .lexical import CandidateLexical
from .store import CandidateStore


class _View:
    __slots__ = ("index", "lexical", "stamp")

    def __init__(self, index: JobIndex | None, lexical: CandidateLexical, stamp) -> None:
        self.index, self.lexical, self.stamp = index, lexical, stamp


# The recruiter direction ranks by the dense side alone (BM25 weight 0): on the tune half of the reverse judgements
# (benchmarks/eval_reverse.py, 153 of 306 postings) nDCG@10 0.444 dense-only vs 0.407 fused with BM25 at weight 1
# (0.428 at 0.25); README "Candidates for a job". ``ranker_settings`` given by the caller override it.
REVERSE_RANKER: dict = {"w_lex": 0.0}


def rank_within(snap, lexical, query_text: str, query_vec: np.ndarray, mask: np.ndarray, k: int,
                ranker_settings: dict | None = None) -> list[tuple[str, float, float]]:
    """The shipped ranking over any index snapshot: :class:`matcher.ranking.HybridRanker` (dense top within the
    mask, fused with BM25 by reciprocal rank when its weight is not 0; :data:`REVERSE_RANKER` and then
    ``ranker_settings``) -> ``[(key, fused score, cosine)]``, ties broken by key."""
    q = np.asarray(query_vec, dtype=np.float32)[None, :]

    def dense_scores(m: np.ndarray, n: int):
        res = snap.search(q, n, m)
        return res.rows[0], np.array([s for _, s in res.hits[0]], dtype=np.float64)

    ranker = HybridRanker(lexical, **{**REVERSE_RANKER, **(ranker_settings or {})})
    ranked = ranker.rank(query_text, q[0], mask, k + 32, dense_scores)
    rows = np.array([r for r, _ in ranked], dtype=np.int64)
    keys = snap.key_of(rows)
    sims = (snap.vectors[rows] @ q[0]).tolist() if len(rows) else []
    out = sorted(((key, score, sim) for key, (_, score), sim in zip(keys, ranked, sims, strict=True)),
                 key=lambda t: (-round(t[1], 12), t[0]))
    return out[:k]


class CandidatePool:
    """The recruiter side of one data directory. ``embedder``/``parser`` are shared with a
    :class:`~matcher.service.MatchService` when there is one; otherwise built on first need (listing, showing and
    removing candidates never load the model)."""

    def __init__(self, settings: Settings | None = None, *, embedder=None, parser=None, ranker: dict | None = None):
        self.settings = settings or Settings()
        self.root = self.settings.data_dir / "candidates"
        self.store = CandidateStore(self.root / "candidates.sqlite3")
        self._embedder = embedder
        self._parser = parser
        self._own_parser = parser is None
        self.ranker_settings = ranker or {}
        self._lock = DataDirLock.for_dir(self.settings.data_dir)
        self._view_lock = threading.RLock()
        self._view: _View | None = None

    # ---- paths and heavy objects ----------------------------------------------------------------------------
    @property
    def index_path(self):
        return self.root / "index"

    @property
    def lexical_path(self):
        return self.root / "lexical"

    @property
    def embedder(self):
        if self._embedder is None:
            from matcher.embed import Embedder

            s = self.settings
            self._embedder = Embedder(s.model, threads=s.torch_threads, backend=s.embed_backend,
                                      cache_dir=s.model_cache_dir)
        return self._embedder

    @property
    def parser(self):
        if self._parser is None:
            from matcher.resumes import ResumeParser

            self._parser = ResumeParser(self.settings, warm=False)
        return self._parser

    def close(self) -> None:
        if self._own_parser and self._parser is not None:
            self._parser.close()
            self._parser = None
        self.store.close()

    def __enter__(self) -> CandidatePool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ---- the view: index + lexical of one generation -------------------------------------------------------------
    def _stamp(self):
        try:
            st = os.stat(self.index_path / "manifest.json")
        except OSError:
            return None
        return (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size)

    def _open_index(self, *, check_model: bool) -> JobIndex | None:
        try:
            if not check_model:
                return JobIndex.open(self.index_path)
            return JobIndex.open(self.index_path, **self.embedder.index_identity())
        except IndexNotFound:
            return None
        except IndexModelMismatch as err:
            raise IndexModelMismatch(f"the candidate index was built with another model ({err}); run "
                                     "`jobmatch candidates reindex`") from None

    def _load_view(self, *, check_model: bool = True) -> _View:
        stamp = self._stamp()
        index = self._open_index(check_model=check_model)
        tag = str(index.generation) if index is not None else "none"
        lexical = CandidateLexical.load(self.lexical_path, tag)
        if lexical is None:
            lexical = CandidateLexical.build(self._indexed_texts(index))
        return _View(index, lexical, stamp)

    def _indexed_texts(self, index: JobIndex | None) -> dict[str, str]:
        if index is None:
            return {}
        snap = index.snapshot()
        keys = set(snap.key_of(np.flatnonzero(snap.alive)))
        return {k: t for k, t in self.store.texts().items() if k in keys}

    def view(self, *, check_model: bool = True) -> _View:
        """The generation on disk (reloaded when another process saved a newer one). Never waits for a writer of
        this process: while one holds the view lock, searches keep the view they have."""
        v = self._view
        if v is not None and v.stamp == self._stamp():
            return v
        if not self._view_lock.acquire(blocking=v is None):
            return v  # type: ignore[return-value]  # a write in progress here publishes its own view when done
        try:
            if self._view is None or self._view.stamp != self._stamp():
                self._view = self._load_view(check_model=check_model)
            return self._view
        finally:
            self._view_lock.release()

    @contextlib.contextmanager
    def _writing(self, *, check_model: bool = True):
        with self._lock.hold(self.settings.writer_lock_timeout_s), self._view_lock:
            yield self.view(check_model=check_model)

    # ---- writes ---------------------------------------------------------------------------------------------------
    def add_profile(self, profile: CandidateProfile, *, kind: str, label: str | None = None) -> AddedCandidate:
        """Store a candidate and make them searchable at once (by explicit request only)."""
        return self.add_profiles([(profile, kind, label)])[0]

    def add_profiles(self, items: Sequence[tuple[CandidateProfile, str, str | None]]) -> list[AddedCandidate]:
        """Store several ``(profile, kind, label)`` and index them in one generation."""
        for profile, _, label in items:
            if not profile.text.strip():
                name = f"the resume {label!r}" if label else "the resume"
                raise InvalidRequest(f"{name} has no text; a candidate needs a resume with some text")
        with self._writing():
            done = [self.store.upsert(profile, kind=kind, label=label) for profile, kind, label in items]
            self._reconcile([cid for cid, _ in done])
        return [AddedCandidate(id=cid, outcome=outcome, candidate=self.store.get(cid)) for cid, outcome in done]

    def profile_from_resume(self, data: bytes, *, filename: str | None = None,
                            overrides: MatchOptions | None = None, cancel=None) -> tuple[CandidateProfile, str]:
        """A resume file read into ``(profile, kind)`` by the isolated parser (the same limits as matching an
        upload), explicit values in ``overrides`` applied, ``overrides.as_of`` (UTC; now when unset) as "present".
        The one path from a file to a candidate (HTTP upload and ``jobmatch candidates add``)."""
        from matcher.service import apply_overrides

        as_of = overrides.as_of if overrides is not None else None
        parsed = self.parser.parse(data, filename=filename, as_of=as_utc(as_of), cancel=cancel)
        profile = apply_overrides(parsed.profile, overrides) if overrides is not None else parsed.profile
        return profile, parsed.kind

    def remove(self, cid: str) -> None:
        """Erase a candidate: the store row (overwritten on disk), the index row (compacted away, the previous
        generation deleted) and the BM25 text. Loads no model."""
        with self._writing(check_model=False):
            if not self.store.delete(cid):
                raise NotFound(f"no candidate with id {cid[:200]!r}; nothing removed (list them with "
                               "`jobmatch candidates ls`)")
            self._reconcile([cid])

    def sync(self) -> dict[str, int]:
        with self._writing():
            return self._reconcile()

    def _reconcile(self, changed: Sequence[str] = ()) -> dict[str, int]:
        view = self._view
        assert view is not None
        pending = self.store.pending()
        stored = self.store.ids()
        have = set(stored)
        index = view.index
        indexed: set[str] = set()
        if index is not None:
            snap = index.snapshot()
            indexed = set(snap.key_of(np.flatnonzero(snap.alive)))
        todo = list(dict.fromkeys([*[i for i in (*changed, *pending) if i in have],
                                   *[i for i in stored if i not in indexed]]))
        gone = sorted(indexed - have)
        if todo and index is None:
            index = JobIndex.create(self.index_path, **self.embedder.index_identity())
        if todo:
            self._index_into(index, todo)
        if gone:
            index.remove(gone)
        if todo or gone:
            index.compact()  # no row of a removed candidate may stay in the generation written next
            lexical = CandidateLexical.build(self._indexed_texts(index))
            lexical.save(self.lexical_path, str(index.generation + 1))
            index.save()
            self._view = _View(index, lexical, self._stamp())
        self.store.clear_pending(pending)
        return {"indexed": len(todo), "removed": len(gone), "total": 0 if index is None else len(index)}

    def _index_into(self, index: JobIndex, ids: Sequence[str], batch: int = 256) -> None:
        from matcher.service import query_text

        for a in range(0, len(ids), batch):
            got = self.store.get_many(ids[a:a + batch])
            keys = [k for k in ids[a:a + batch] if k in got]
            profiles = [got[k].profile for k in keys]
            vecs = self.embedder.embed_queries([query_text(p.text) for p in profiles],
                                               max_windows=self.settings.query_windows)
            index.upsert(keys, vecs, [candidate_row(p) for p in profiles])

    def reindex(self) -> int:
        """Rebuild the candidate index from the store (e.g. after changing the model)."""
        with self._lock.hold(self.settings.writer_lock_timeout_s), self._view_lock:
            shutil.rmtree(self.index_path, ignore_errors=True)
            shutil.rmtree(self.lexical_path, ignore_errors=True)
            self._view = _View(None, CandidateLexical(), None)
            return self._reconcile(self.store.ids())["indexed"]

    # ---- reads ------------------------------------------------------------------------------------------------
    def get(self, cid: str) -> StoredCandidate:
        return self.store.get(cid)

    def __len__(self) -> int:
        return self.store.count()

    # ---- candidates for a job -------------------------------------------------------------------------------------
    def posting_vector(self, posting: Posting) -> np.ndarray:
        """The posting's vector as the job index embeds it (title + head of the description)."""
        return embed_postings(self.embedder, [posting.title], [posting.company], [posting.description])[0]

    def match_posting(self, posting: Posting, opts: ReverseOptions, *, vector: np.ndarray | None = None,
                      stored: bool = False) -> CandidatesResponse:
        """Candidates for ``posting``: reverse hard filters, then the shipped ranking (posting vector against resume
        vectors, BM25 of the posting's text over resume texts), each result explained."""
        view = self.view()
        job = posting_row(posting)
        ref = JobRef(id=posting.id, title=posting.title, company=posting.company, location=posting.location_text(),
                     remote=posting.remote, degree=None if posting.degree is None else required_degree_text(posting.degree),
                     months=posting.months, valid_through=posting.valid_through, stored=stored)
        if view.index is None:  # nobody added yet
            _, report = apply_reverse_filters(_empty_columns(), job, opts)
            return CandidatesResponse(job=ref, filters=report, results=[])
        snap = view.index.snapshot()
        mask, report = apply_reverse_filters(snap.columns, job, opts)
        qv = self.posting_vector(posting) if vector is None else vector
        text = posting_text_for_lexical(posting.title, posting.company, posting.description)
        hits = rank_within(snap, view.lexical.for_snapshot(snap), text, qv, mask, opts.top_k + opts.offset,
                           self.ranker_settings)[opts.offset:]
        rows = [view.index.row_of(k) for k, _, _ in hits]
        has_place = location_mode(job) is not None
        if has_place:  # per-row location fit for the explanations (only when the rule applies)
            loc_ok = location_ok(snap.columns, job, opts.radius_km)
            loc_unknown = location_unknown(snap.columns)
        skills = _posting_skills(posting)  # once per search, not per result
        stored_c = self.store.get_many([k for k, _, _ in hits])
        results = []
        for (key, score, sim), row in zip(hits, rows, strict=True):
            c = stored_c.get(key)
            if c is None:  # removed between search and explanation
                continue
            fit = None if row is None or not has_place or bool(loc_unknown[row]) else bool(loc_ok[row])
            results.append(_explain(c, posting, skills, score, sim, fit, has_place))
        return CandidatesResponse(job=ref, filters=report, results=results)


def _empty_columns():
    """Filter columns of an empty pool (no index yet)."""
    from index.columns import FilterColumns, empty_arrays

    return FilterColumns(empty_arrays(), np.zeros(0, np.bool_), ())


def _posting_skills(p: Posting) -> set[str]:
    from matcher.resumes.skills import extract_skills

    return set(extract_skills(p.title + "\n" + p.description))


def _explain(c: StoredCandidate, p: Posting, posting_skills: set[str], score: float, sim: float,
             location_fit: bool | None,
             has_place: bool = True) -> CandidateMatch:
    prof = c.profile
    level = DEGREE_LEVEL[prof.degree] if prof.degree else None
    why = prof.unknown

    def unknown_reason(field: str, default: str) -> str:
        return why.get(field) or default

    if p.degree is None:
        deg = CandidateRequirement(required="unknown", candidate=prof.degree, met=None,
                                   reason="the posting's requirement could not be read")
    else:
        deg = CandidateRequirement(required=required_degree_text(p.degree), candidate=prof.degree,
                                   met=None if level is None else level >= p.degree,
                                   reason=None if level is not None else unknown_reason("degree", "no degree found in the resume"))
    if p.months is None:
        months = CandidateRequirement(required="unknown", candidate=prof.months, met=None,
                                      reason="the posting's requirement could not be read")
    else:
        months = CandidateRequirement(
            required=p.months, candidate=prof.months, met=None if prof.months is None else prof.months >= p.months,
            reason=None if prof.months is not None else unknown_reason("months", "no employment dates or stated total found"))
    loc = prof.location
    dist = None
    if loc is not None and loc.has_point:
        pts = [(pl.lat, pl.lon) for pl in p.locations if pl.has_point]
        if pts:
            dist = round(min(haversine_km(loc.lat, loc.lon, a, b) for a, b in pts), 1)
    place = CandidateRequirement(required=p.location_text() or None, candidate=loc.text() if loc else None,
                                 met=location_fit,
                                 reason=None if location_fit is not None else (
                                     unknown_reason("location", "no location found in the resume") if has_place
                                     else "the posting names no place and is not remote"))
    have = set(prof.skills)
    return CandidateMatch(
        id=c.id, label=c.label, score=round(float(score), 6) if math.isfinite(score) else 0.0,
        similarity=round(float(sim), 4) if math.isfinite(sim) else None,
        location=loc.text() if loc else None, distance_km=dist, degree=prof.degree, months=prof.months,
        requirements={"degree": deg, "months": months, "location": place},
        skills_in_common=sorted(have & posting_skills), skills_missing=sorted(posting_skills - have))
