"""The matcher: candidate profile -> hard filters -> ranked, explained results; and keeping the index in
step with the job store. Heavy objects (model, index, parser workers) are built here, explicitly, once.

``MatchService`` is what the API, the CLI and the batch matcher all call, so they give the same answers.
"""
from __future__ import annotations

import contextlib
import logging
import math
import os
import threading
import time
from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import lru_cache

import numpy as np

from index import JobIndex
from index.atomic import fsync_dir, replace_dir
from index.faults import point

from .domain import DEGREE_NAME, CandidateProfile, Match, MatchOptions, MatchResponse, Place, Posting, Requirement
from .errors import IndexNotFound, IndexWriteFailed, InvalidRequest, JobmatchError, NotFound
from .filters import CandidateFacts, apply_filters, candidate_facts
from .geo import geocode, parse_place_text, reverse_country
from .ingest import EMBED_CHUNK, LocalPostingEncoder
from .lexical import LexicalSide
from .lock import DataDirLock
from .occupations import agreement, classify_title, resume_occupation
from .options import as_utc
from .posting_index import posting_row
from .ranking import (
    HybridRanker,
    diversify,
    query_text_for_embedding,
    query_text_for_lexical,
    readable_scores,
    resume_title_text,
    strength_parts,
)
from .second_stage import STAGE2_N, STAGE2_WEIGHTS, rerank_rows, resume_line_vectors
from .settings import Settings

log = logging.getLogger("jobmatch.service")
LEXICAL_BATCH = 8192  # postings per new lexical segment while indexing (_index_into; fewer, larger segments)


def resolve_location(text: str) -> Place:
    """A place the user typed ("Austin, TX", "Germany") -> Place with coordinates when it names a city."""
    city, region, country = parse_place_text(text)
    if not city:
        if not country:
            raise InvalidRequest(f"could not read the location {text!r}; write it as 'City, Region, Country' "
                                 "or give `lat` and `lon`")
        return Place(country=country)
    hit = geocode(city, region, country)
    if hit is None:
        raise InvalidRequest(f"could not find the place {text!r} in the offline gazetteer (cities over 15,000 "
                             "people); give `lat` and `lon` instead")
    lat, lon, cc = hit
    return Place(city=city, region=region, country=cc, lat=lat, lon=lon)


def apply_overrides(profile: CandidateProfile, opts: MatchOptions) -> CandidateProfile:
    """Explicit options override extracted fields; ``overridden`` names them."""
    upd: dict = {}
    over: list[str] = list(profile.overridden)
    ev = dict(profile.evidence)
    if opts.degree is not None:
        upd["degree"] = opts.degree
        over.append("degree")
        ev["degree"] = [f"set explicitly: {opts.degree}"]
    if opts.months is not None:
        upd["months"] = opts.months
        over.append("months")
        ev["months"] = [f"set explicitly: {opts.months}"]
    if opts.lat is not None or opts.lon is not None:
        if opts.lat is None or opts.lon is None:
            raise InvalidRequest("give both `lat` and `lon`, or neither")
        upd["location"] = Place(lat=opts.lat, lon=opts.lon, country=reverse_country(opts.lat, opts.lon))
        over.append("location")
        ev["location"] = [f"set explicitly: {opts.lat}, {opts.lon}"]
    elif opts.location:
        upd["location"] = resolve_location(opts.location)
        over.append("location")
        ev["location"] = [f"set explicitly: {opts.location}"]
    if not upd:
        return profile
    upd["overridden"] = list(dict.fromkeys(over))
    upd["evidence"] = ev
    upd["unknown"] = {k: v for k, v in profile.unknown.items() if k not in over}
    return profile.model_copy(update=upd)


class _View:
    """What one search reads: an index and the lexical side that matches it, swapped as one reference."""

    __slots__ = ("index", "lexical", "stamp")

    def __init__(self, index: JobIndex, lexical: LexicalSide, stamp: tuple | None) -> None:
        self.index, self.lexical, self.stamp = index, lexical, stamp


def _removed(key: str) -> Posting:
    """What a result shows for a posting deleted between the search and the read of its text."""
    return Posting(id=key, title="(removed)", description="")


REFRESH_ATTEMPTS = 5  # loads tried when writers publish generations faster than a process loads one


class MatchService:
    """Owns the job store, the embedder, the vector index and the resume parser.

    Several processes may open one data directory: writers (``add_jsonld``, ``delete_posting``, ``sync``,
    ``reindex``, ``index_ids``) take the directory's writer lock (:mod:`matcher.lock`), first load any
    generation another process saved, and leave the index holding exactly the alive stored postings
    (:meth:`sync`). Readers never take it; :meth:`refresh` (called by :meth:`match`) swaps in a generation
    written by another process, the vector index and the lexical side together.
    """

    def __init__(self, settings: Settings | None = None, *, embedder=None, parser=None, ranker=None,
                 create_index: bool = True):
        from .embed import Embedder
        from .jobstore import JobStore

        self.settings = settings or Settings()
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.store = JobStore(self.settings.store_path)
        self.embedder = embedder or Embedder(self.settings.model, threads=self.settings.torch_threads,
                                             backend=self.settings.embed_backend,
                                             cache_dir=self.settings.model_cache_dir)
        self._parser = parser
        self._lock = DataDirLock.for_dir(self.settings.data_dir)
        self._refresh_lock = threading.RLock()  # held by writers too (re-entrant: writes nest)
        self._last_check = 0.0
        self.refresh_error: str | None = None  # why the last generation seen on disk was not loaded
        # another process may publish a generation and remove the one being loaded: load the newer then
        self._view = self._load_newest(create_index) or self._load_view(create_index)
        self.ranker_settings = ranker or {}
        self.posting_encoder = None  # matcher.ingest.LocalPostingEncoder / RayPostingEncoder; None: 1 thread

    # ---- what is served ---------------------------------------------------------------------------
    @property
    def index(self) -> JobIndex:
        return self._view.index

    @property
    def lexical(self) -> LexicalSide:
        return self._view.lexical

    @property
    def generation(self) -> int:
        return self._view.index.generation

    def _stamp(self) -> tuple | None:
        """Identity of the manifest on disk (a new file on every save; another target after reindex)."""
        try:
            st = os.stat(self.settings.index_path / "manifest.json")
        except OSError:
            return None
        return (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size)

    def _lexical_tag(self, generation: int) -> str:
        """What the lexical side records: which index build and generation it matches."""
        return f"{self.settings.index_path.resolve().name}/{generation}"

    def _load_view(self, create: bool) -> _View:
        stamp = self._stamp()
        index = self._open_index(create)
        return _View(index, self._open_lexical(index), stamp)

    def _load_newest(self, create: bool) -> _View | None:
        """:meth:`_load_view`, again when it failed because another process published a newer generation while
        this one loaded (and removed the one being loaded: its files went missing mid-load — not a broken index).
        Raises what a load on an unchanged manifest raised; None when generations kept replacing each other for
        ``REFRESH_ATTEMPTS`` loads."""
        for _ in range(REFRESH_ATTEMPTS):
            stamp = self._stamp()
            try:
                return self._load_view(create)
            except JobmatchError:
                if self._stamp() == stamp:
                    raise
        return None

    # ---- lifecycle ------------------------------------------------------------------------------
    def _open_index(self, create: bool) -> JobIndex:
        path = self.settings.index_path
        try:
            index = JobIndex.open(path, **self.embedder.index_identity())
            if index.missing_columns:
                with self._lock.hold(self.settings.writer_lock_timeout_s):
                    self._refill_columns(index)
            return index
        except IndexNotFound:
            if not create:
                raise IndexNotFound(f"no index in {path}; run `jobmatch ingest FILE` (or `jobmatch reindex`) first") from None
            return JobIndex.create(path, **self.embedder.index_identity())

    def _refill_columns(self, index: JobIndex) -> None:
        """An index written by an older format lacks some filter columns (loaded as unknown): rebuild every
        row's columns from the store, keeping the vectors (no re-embedding), and save the upgraded index."""
        snap = index.snapshot()
        keys = snap.key_of(np.flatnonzero(snap.alive))
        postings = {p.id: p for p in self.store.iter_postings()}
        keys = [k for k in keys if k in postings]
        if keys:
            vecs = np.stack([index.vector_of(k) for k in keys])
            index.upsert(keys, vecs, [posting_row(postings[k]) for k in keys])
        index.missing_columns = []
        # the lexical side goes with the generation about to be written, as in _save: else it would not match
        # and be rebuilt from the store on every start until the next write
        self._open_lexical(index).save(self.settings.lexical_path, self._lexical_tag(index.generation + 1))
        index.save()

    def _open_lexical(self, index: JobIndex) -> LexicalSide:
        tag = self._lexical_tag(index.generation)
        side = LexicalSide.load(self.settings.lexical_path, tag)
        if side is None:  # missing or from another generation: rebuild from the store (about 1 s per 5k postings)
            side = LexicalSide()
            snap = index.snapshot()
            keys = set(snap.key_of(np.flatnonzero(snap.alive)))
            side.update(p for p in self.store.iter_postings() if p.id in keys)
        return side

    def refresh(self, *, force: bool = False) -> bool:
        """Serve a generation another process saved, if there is one (one ``stat`` of the manifest, at most
        every ``reader_refresh_s``). The new index and its lexical side are swapped in as one reference; a
        search already running finishes on the old one. A generation that cannot be loaded (corrupt,
        another model) is not served: the old one stays and ``refresh_error`` says why. True when swapped."""
        now = time.monotonic()
        if not force and now - self._last_check < self.settings.reader_refresh_s:
            return False
        self._last_check = now
        if self._stamp() == self._view.stamp or self._lock.held:
            return False  # nothing new, or this process is writing (a writer loads the newest itself)
        if not self._refresh_lock.acquire(blocking=False):
            return False  # another thread is loading it, or this process is writing (it knows its own saves)
        try:
            stamp = self._stamp()
            if stamp == self._view.stamp or stamp is None:
                return False
            try:
                view = self._load_newest(create=False)
            except JobmatchError as e:
                self.refresh_error = f"generation on disk not loaded ({type(e).__name__}: {e})"
                log.warning("jobmatch: %s; still serving generation %s", self.refresh_error, self.generation)
                self._view.stamp = self._stamp()  # do not retry the same broken manifest on every request
                return False
            if view is None:
                return False  # generations kept replacing each other: the next refresh tries again
            self._view = view
            self.refresh_error = None
            return True
        finally:
            self._refresh_lock.release()

    @contextlib.contextmanager
    def writing(self):
        """Hold the data directory's writer lock (waits up to ``writer_lock_timeout_s``, then
        :class:`~matcher.lock.WriterLockTimeout` naming the holder) with the newest generation on disk
        loaded. Re-entrant; readers in other threads keep searching meanwhile."""
        with self._lock.hold(self.settings.writer_lock_timeout_s), self._refresh_lock:
            if self._stamp() != self._view.stamp:  # another process saved since we loaded: build on that
                self._view = self._load_view(create=True)
            yield

    def _save(self, view: _View) -> int:
        """Persist ``view`` (the lexical side first, tagged with the generation about to be written, then the
        index's new generation and manifest). On failure the generation on disk is loaded back, so what is
        served is exactly what is saved, and :class:`IndexWriteFailed` says what to do."""
        gen = view.index.generation + 1
        try:
            view.lexical.save(self.settings.lexical_path, self._lexical_tag(gen))
            saved = view.index.save()
        except OSError as e:
            try:
                self._view = self._load_view(create=True)
            except JobmatchError:
                pass  # keep the in-memory view; the error below still stands
            raise IndexWriteFailed(
                f"could not write index generation {gen} in {self.settings.index_path} ({e.strerror or e}); "
                f"generation {self.generation} is still served and the stored postings will be indexed by the "
                "next write. Free disk space (or fix permissions) and retry, or run `jobmatch reindex`") from e
        assert saved == gen, (saved, gen)
        view.stamp = self._stamp()
        point("index.saved")
        return saved

    @property
    def parser(self):
        if self._parser is None:
            from .resumes import ResumeParser

            self._parser = ResumeParser(self.settings)
        return self._parser

    def close(self) -> None:
        parser, self._parser = self._parser, None
        if parser is not None and hasattr(parser, "close"):
            parser.close()

    def __enter__(self) -> MatchService:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ---- keeping the index in step with the store -------------------------------------------------
    def _index_into(self, idx: JobIndex, ids: Iterable[str], batch: int = EMBED_CHUNK, progress: bool = False,
                    lexical: LexicalSide | None = None) -> int:
        ids = list(ids)
        done = 0
        bar = None
        if progress:
            from tqdm import tqdm

            bar = tqdm(total=len(ids), unit="posting", desc="embedding", leave=False)
        # the posting encoder (matcher.ingest): threads here, Ray actors for `ingest --engine ray`; same vectors
        encoder = self.posting_encoder or LocalPostingEncoder(self.embedder, workers=1)
        chunks = ([self.store.get(i).posting for i in ids[s:s + batch]] for s in range(0, len(ids), batch))
        lex_todo: list = []  # each lexical update adds one segment: batch them (serial work)
        for postings, vecs in encoder.encode(chunks):
            idx.upsert([p.id for p in postings], vecs, [posting_row(p) for p in postings])
            lex_todo.extend(postings)
            if lexical is not None and len(lex_todo) >= LEXICAL_BATCH:
                lexical.update(lex_todo)
                lex_todo = []
            done += len(postings)
            if bar:
                bar.update(len(postings))
        if lexical is not None and lex_todo:
            lexical.update(lex_todo)
        if bar:
            bar.close()
        return done

    def index_ids(self, ids: Sequence[str], *, removed: Sequence[str] = (), progress: bool = False) -> int:
        """Embed and index the given store ids (added or updated), drop ``removed``, save a generation."""
        with self.writing():
            return self._reconcile([*ids, *removed], progress=progress, full=False)["indexed"]

    def add_jsonld(self, data: bytes | str, *, source: str = "request"):
        """Read JobPosting JSON-LD (any shape :func:`matcher.postings.read_records` takes), store it and make
        it searchable at once (the writer lock is held from the store write to the index save). Returns the
        :class:`~matcher.ingest.IngestSummary`."""
        from .ingest import ingest_records
        from .postings import read_records

        records = list(read_records(data, source))  # parse before taking the lock
        with self.writing():
            summary = ingest_records(records, self.store)
            self._reconcile(summary.changed_ids, full=False)
        return summary

    def sync(self, changed: Sequence[str] = (), *, progress: bool = False) -> dict[str, int]:
        """Bring the index in step with the store under the writer lock: (re)index ``changed``, every id the
        store lists as pending (written, index not saved: e.g. a crash in between, or ``ingest --no-index``)
        and any stored posting the index lacks; drop indexed postings the store no longer has. Returns counts."""
        with self.writing():
            return self._reconcile(changed, progress=progress)

    def _reconcile(self, changed: Sequence[str] = (), *, progress: bool = False, full: bool = True) -> dict[str, int]:
        """``full``: compare every stored id with every indexed one (on open, ``sync``, ``jobmatch ingest``).
        Otherwise only ``changed`` and the store's pending ids are looked at: every store write records its ids
        as pending in the same transaction, so that covers other processes' unindexed writes too, without a
        scan of the whole store on each POST or DELETE."""
        view = self._view
        pending = self.store.pending()
        if full:
            stored = self.store.ids()
            have = set(stored)
            snap = view.index.snapshot()
            indexed = set(snap.key_of(np.flatnonzero(snap.alive)))
            todo = list(dict.fromkeys([*[i for i in (*changed, *pending) if i in have],
                                       *[i for i in stored if i not in indexed]]))
            gone = sorted(indexed - have)
        else:
            touched = list(dict.fromkeys([*changed, *pending]))
            have = self.store.present(touched)
            todo = [i for i in touched if i in have]
            gone = sorted(i for i in touched if i not in have and i in view.index)
        n = self._index_into(view.index, todo, progress=progress, lexical=view.lexical) if todo else 0
        if gone:
            view.index.remove(gone)
            view.lexical.update((), removed=gone)
        if todo or gone:
            self._save(view)
        self.store.clear_pending(pending)
        return {"indexed": n, "removed": len(gone), "total": len(view.index)}

    def delete_posting(self, posting_id: str) -> None:
        with self.writing():
            if not self.store.delete(posting_id):
                raise NotFound(f"no posting with id {posting_id!r}; list ids with `jobmatch stats` or GET /v1/jobs")
            self._reconcile([posting_id], full=False)

    def reindex(self, progress: bool = False) -> int:
        """Rebuild the index from the store (e.g. after changing the model).

        The new index is built beside the old one (``index-<time>``) and published by atomically replacing
        the ``index`` symlink, so a process opening the data dir meanwhile finds the old index or the new one,
        never none. The previous build is kept until the next reindex (a reader may still be opening it).
        A data dir whose ``index`` is still a plain directory is migrated on its first reindex."""
        import shutil
        import time as _time

        with self.writing():
            path = self.settings.index_path
            target = path.with_name(f"{path.name}-{_time.strftime('%Y%m%d%H%M%S')}-{os.getpid()}")
            shutil.rmtree(target, ignore_errors=True)
            idx = JobIndex.create(target, **self.embedder.index_identity())
            lexical = LexicalSide()
            pending = self.store.pending()
            n = self._index_into(idx, self.store.ids(), progress=progress, lexical=lexical)
            nxt = self.settings.lexical_path.with_name("lexical-next")
            try:
                gen = idx.save()
                lexical.save(nxt, f"{target.name}/{gen}")
            except OSError as e:
                shutil.rmtree(target, ignore_errors=True)
                raise IndexWriteFailed(f"could not write the new index in {target} ({e.strerror or e}); the "
                                       "current index is still served. Free disk space and retry") from e
            point("reindex.built")
            previous = path.resolve() if path.is_symlink() else None
            if path.exists() and not path.is_symlink():  # legacy plain directory: move it aside first
                previous = path.with_name(f"{path.name}-legacy-{_time.strftime('%Y%m%d%H%M%S')}")
                path.rename(previous)
            link = path.with_name(path.name + ".swap")
            if link.is_symlink() or link.exists():
                link.unlink()
            link.symlink_to(target.name)
            os.replace(link, path)  # atomic: readers see the old or the new index
            fsync_dir(path.parent)
            point("reindex.swapped")
            # the lexical side written beside it (tagged with the new build) takes the usual place
            replace_dir(nxt, self.settings.lexical_path)
            for stale in path.parent.glob(f"{path.name}-*"):  # keep the new build and the one before it
                if stale.is_dir() and stale.resolve() not in (target.resolve(), previous):
                    shutil.rmtree(stale, ignore_errors=True)
            self._view = _View(idx, lexical, self._stamp())
            self.store.clear_pending(pending)
            return n

    # ---- matching -----------------------------------------------------------------------------------
    def profile_from_resume(self, data: bytes, *, filename: str | None = None,
                            as_of: datetime | None = None, cancel=None) -> CandidateProfile:
        """``cancel``: a ``threading.Event`` the caller sets when it gives up (stops the parse, kills its worker)."""
        return self.parser.parse(data, filename=filename, as_of=as_utc(as_of), cancel=cancel).profile

    def embed_query(self, profile: CandidateProfile) -> np.ndarray:
        return self.embedder.embed_query(query_text(profile.text), max_windows=self.settings.query_windows)

    def embed_queries_lines(self, profiles: Sequence[CandidateProfile], *, batch_size: int = 64
                            ) -> tuple[np.ndarray, list[np.ndarray | None]]:
        """Each profile's query vector (:meth:`embed_query`'s bits) and the ``distinct`` signal's resume-line
        vectors (:func:`~matcher.second_stage.resume_line_spans` pooled from the same forward pass: no pass of
        their own; the resume vector when it has no such line; None when the signal is off). A profile's pair
        does not depend on the other profiles (``jobmatch batch`` gives what ``jobmatch match`` gives)."""
        texts = [query_text(p.text) for p in profiles]
        windows = self.settings.query_windows
        if not STAGE2_WEIGHTS.get("distinct"):
            return self.embedder.embed_queries(texts, max_windows=windows, batch_size=batch_size), [None] * len(texts)
        Q, found = resume_line_vectors(self.embedder, texts, max_windows=windows, batch_size=batch_size)
        return Q, [s if len(s) else q[None, :] for q, s in zip(Q, found, strict=True)]

    def embed_query_lines(self, profile: CandidateProfile) -> tuple[np.ndarray, np.ndarray | None]:
        """:meth:`embed_queries_lines` of one profile."""
        Q, lines = self.embed_queries_lines([profile])
        return Q[0], lines[0]

    def match(self, profile: CandidateProfile, opts: MatchOptions, *, query_vec: np.ndarray | None = None,
              line_vecs: np.ndarray | None = None) -> MatchResponse:
        """``query_vec`` and ``line_vecs``: :meth:`embed_query_lines` of the profile (after its overrides, which
        do not touch its text), when the caller has them; computed here otherwise."""
        profile = apply_overrides(profile, opts)
        if not profile.text.strip():
            raise InvalidRequest("the resume has no text to match on; send a resume with some text")
        as_of = as_utc(opts.as_of)
        if query_vec is None or (line_vecs is None and STAGE2_WEIGHTS.get("distinct")):
            query_vec, line_vecs = self.embed_query_lines(profile)
        self.refresh()  # a generation saved by another process (one stat, at most every reader_refresh_s)
        view = self._view  # index + lexical side of one generation, whatever writers do meanwhile
        snap = view.index.snapshot()  # one consistent view for masks and search
        facts = candidate_facts(profile, opts)
        mask, report = apply_filters(snap.columns, facts, opts, as_of)
        mask, report = self._occupation_rule(snap, view.lexical, mask, report, opts)
        hits = self._rank(snap, profile, query_vec, mask, opts.top_k, view.lexical,
                          max_per_company=opts.max_per_company, line_vecs=line_vecs)
        results = [self._explain(h, profile, facts) for h in hits]
        return MatchResponse(candidate=profile, filters=report, results=results)

    def _occupation_rule(self, snap, lexical: LexicalSide, mask: np.ndarray, report, opts: MatchOptions):
        """The ``occupations`` filter (O*NET-SOC code prefixes; the posting's occupation is read from its title by
        :mod:`matcher.occupations`): a posting whose title names no known occupation passes as unknown (fails
        with ``strict``). Reported as the rule ``occupation``."""
        from .domain import RuleOutcome

        if any(r.rule == "occupation" for r in report.rules):  # filters disabled: already reported as skipped
            return mask, report
        if not opts.occupations:
            rule = RuleOutcome(rule="occupation", status="skipped",
                               reason="not requested; set `occupations` (O*NET-SOC codes or prefixes, e.g. "
                                      "15-1252,15-2051) to apply this rule")
            return mask, report.model_copy(update={"rules": [*report.rules, rule]})
        wanted = tuple(dict.fromkeys(c.strip() for c in opts.occupations.split(",") if c.strip()))
        codes = self._row_occupations(snap, lexical)
        known = codes != ""
        hit = np.zeros(codes.size, dtype=bool)
        for w in wanted:
            hit |= np.char.startswith(codes, w)
        passes = hit | (~known & (not opts.strict))
        new = mask & passes[: mask.size]
        rule = RuleOutcome(rule="occupation", status="applied", removed=int(mask.sum() - new.sum()),
                           unknown=int((new & ~known[: mask.size]).sum()), candidate_value=list(wanted))
        return new, report.model_copy(update={"rules": [*report.rules, rule], "eligible": int(new.sum())})

    def _row_occupations(self, snap, lexical: LexicalSide) -> np.ndarray:
        """O*NET-SOC code of every snapshot row's posting title ("" unknown), cached per snapshot and lexical
        side (the title is the first line of the lexical text)."""
        from .occupations import classify_title

        cached = getattr(self, "_occ_cache", None)
        if cached is not None and cached[0] is snap and cached[1] is lexical.index:
            return cached[2]
        pos = {k: i for i, k in enumerate(lexical.keys)}
        texts = lexical.index.texts
        out = []
        for key in snap.key_of(np.arange(snap.n_rows)):
            text = texts.get(pos.get(key, -1), "")
            occ = classify_title(text.split("\n", 1)[0]) if text else None
            out.append(occ.code if occ is not None else "")
        arr = np.array(out, dtype=str) if out else np.zeros(0, dtype="<U10")
        self._occ_cache = (snap, lexical.index, arr)
        return arr

    def _rank(self, snap, profile: CandidateProfile, qv: np.ndarray, mask: np.ndarray,
              k: int, lexical: LexicalSide | None = None, *, max_per_company: int = 0,
              line_vecs: np.ndarray | None = None) -> list[_Hit]:
        """The shipped ranking (``matcher.ranking``, ``matcher.second_stage``): exact dense top candidates within
        the mask fused by reciprocal rank with BM25 over the same eligible postings; the second stage re-reads
        the top :data:`~matcher.second_stage.STAGE2_N` (whole posting vs whole resume); then the diversity pass
        (``max_per_company``, near-identical texts) and the 0-100 score."""
        q = np.asarray(qv, dtype=np.float32)[None, :]
        lex = lexical or self.lexical

        def searcher(query: np.ndarray):  # a DenseScores over this snapshot for one query vector
            def scores(m: np.ndarray, n: int):
                res = snap.search(query, n, m)
                return res.rows[0], np.array([s for _, s in res.hits[0]], dtype=np.float64)
            return scores

        dense_scores = searcher(q)
        ranker = HybridRanker(lex.for_snapshot(snap), **self.ranker_settings)
        title_scores = None  # the third list: the candidate's recent job titles (experience section) vs postings
        titles = resume_title_text(profile.text) if ranker.w_titles else ""
        if titles:
            title_scores = searcher(np.asarray(self.embedder.embed_query(titles, max_windows=1),
                                               dtype=np.float32)[None, :])
        # fused scores tie often (1/(60+r) from one side only): ask for a margin, then break ties by posting
        # id, so the order does not depend on where a posting sits in the index
        ranked = ranker.rank_detailed(query_text_for_lexical(profile.text), q[0], mask, max(k + 32, STAGE2_N),
                                      dense_scores, title_scores=title_scores)
        rows = np.array([c.row for c in ranked], dtype=np.int64)
        keys = snap.key_of(rows)
        sims = (snap.vectors[rows] @ q[0]).tolist() if len(rows) else []
        first = sorted(range(len(ranked)), key=lambda i: (-round(ranked[i].fused, 12), keys[i]))
        stored = self.store.postings([keys[i] for i in first])  # one read for the candidates
        postings = [stored.get(keys[i]) or _removed(keys[i]) for i in first]  # deleted between search and read
        cand_occ = resume_occupation(profile.text)
        lines = lex.index.lines  # the second stage reads arrays built with the lexical index
        lrows = [self._lexical_row(lex, keys[i]) for i in first]
        head = rows[first[:STAGE2_N]] if len(rows) else rows
        rr = rerank_rows(lines, lrows, [ranked[i].fused for i in first], profile.text,
                         [p.title for p in postings], resume_occ=cand_occ, similarity=[sims[i] for i in first],
                         resume_vectors=line_vecs if len(head) else None,
                         vectors=snap.vectors[head] if len(head) else None)
        order = rr.order
        new_order, why = diversify([postings[j].company for j in order], lines.signatures([lrows[j] for j in order]),
                                   max_per_company, limit=k)  # only the first k are kept: texts read lazily
        order = [order[j] for j in new_order][:k]
        why = {order[pos]: why[j] for pos, j in enumerate(new_order[:k]) if j in why}
        hits = []
        side = None  # the resume's side of the reading, made once for the results below the second stage
        for j in order:
            i = first[j]
            reading = rr.readings[j]
            if reading is None:  # ranked below the second stage's candidates: read it for the explanation
                if side is None:
                    side = lines.resume_side(profile.text)
                reading = lines.read(lrows[j], side)
                reading.occupation = agreement(cand_occ, classify_title(postings[j].title))
            parts = strength_parts(sims[i], reading.coverage, reading.text, reading.occupation)
            hit = _Hit(postings[j], ranked[i], float(sims[i]), rr.scores[j], reading, parts, why.get(j))
            hit.candidate_occupation = cand_occ
            hits.append(hit)
        for h, m in zip(hits, readable_scores([h.parts for h in hits]), strict=False):
            h.match = m
        return hits

    def _lexical_row(self, lexical: LexicalSide, key: str) -> int:
        """The lexical index's row of a posting id (-1: not there)."""
        return lexical.row(key)

    def _explain(self, hit: _Hit, profile: CandidateProfile, facts: CandidateFacts) -> Match:
        p, score, sim = hit.posting, hit.ranked.fused, hit.similarity
        dist = None
        if facts.lat is not None and facts.lon is not None:
            pts = [(pl.lat, pl.lon) for pl in p.locations if pl.has_point]
            if pts:
                from .geo import haversine_km

                dist = round(min(haversine_km(facts.lat, facts.lon, a, b) for a, b in pts), 1)
        reqs = {
            "degree": Requirement(
                required="unknown" if p.degree is None else (DEGREE_NAME.get(p.degree) or "none"),
                candidate=profile.degree,
                met=None if (p.degree is None or facts.degree_level is None) else facts.degree_level >= p.degree,
            ),
            "months": Requirement(
                required=p.months,
                candidate=facts.months,
                met=None if (p.months is None or facts.months is None) else facts.months >= p.months,
            ),
        }
        skills = skills_in_common(p.id, p.title + "\n" + p.description, tuple(profile.skills))
        rd = hit.reading
        missing = skills_missing(p.id, p.title + "\n" + p.description, profile)
        p_occ, c_occ = classify_title(p.title), hit.candidate_occupation
        occupation = {"posting": p_occ.as_dict() if p_occ else None, "candidate": c_occ.as_dict() if c_occ else None,
                      "agreement": rd.occupation}
        ranking = {"semantic_rank": hit.ranked.dense_rank, "keyword_rank": hit.ranked.lex_rank,
                   "title_rank": hit.ranked.title_rank,
                   "requirement_lines": rd.lines, "requirement_lines_met": rd.lines_met,
                   "distinct": round(rd.distinct, 4) if rd.distinct is not None else None,
                   "stage2_score": round(hit.stage2, 6) if math.isfinite(hit.stage2) else None,
                   "diversity": hit.held_back}
        return Match(id=p.id, title=p.title, company=p.company, location=p.location_text(), remote=p.remote,
                     hybrid=p.hybrid, date_posted=p.date_posted, employment_types=list(p.employment_types),
                     salary=p.salary,
                     score=round(float(score), 6) if math.isfinite(score) else 0.0,
                     similarity=round(float(sim), 4) if math.isfinite(sim) else None, distance_km=dist, url=p.url,
                     valid_through=p.valid_through, requirements=reqs, skills_in_common=skills,
                     skills_missing=missing, match=hit.match, match_signals=hit.parts, occupation=occupation,
                     ranking=ranking)


class _Hit:
    """One ranked result before it is explained."""

    __slots__ = ("posting", "ranked", "similarity", "stage2", "reading", "parts", "held_back", "match",
                 "candidate_occupation")

    def __init__(self, posting: Posting, ranked, similarity: float, stage2: float, reading, parts: dict,
                 held_back: str | None) -> None:
        self.posting, self.ranked, self.similarity, self.stage2 = posting, ranked, similarity, stage2
        self.reading, self.parts, self.held_back = reading, parts, held_back
        self.match: int | None = None
        self.candidate_occupation = None


def query_text(text: str) -> str:
    """The text embedded for a resume query (the representation the quality eval measured)."""
    return query_text_for_embedding(text)


@lru_cache(maxsize=8192)
def _posting_skills(posting_id: str, text: str) -> frozenset[str]:
    from .resumes.skills import extract_skills

    return frozenset(extract_skills(text))


def skills_missing(posting_id: str, text: str, profile: CandidateProfile, limit: int = 20) -> list[str]:
    """Skills the posting names (skill vocabulary) that the resume does not: neither among the profile's skills
    nor anywhere in its text (alphabetical)."""
    have = set(profile.skills) | _resume_skills(profile.text)
    return sorted(s for s in _posting_skills(posting_id, text) if s not in have)[:limit]


@lru_cache(maxsize=64)
def _resume_skills(text: str) -> frozenset[str]:
    from .resumes.skills import extract_skills

    return frozenset(extract_skills(text))


def skills_in_common(posting_id: str, text: str, skills: tuple[str, ...]) -> list[str]:
    """The profile's ``skills`` the posting names too (skill vocabulary; alphabetical)."""
    if not skills:
        return []
    have = _posting_skills(posting_id, text)
    return sorted(s for s in skills if s in have)
