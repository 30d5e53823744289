"""Ranking-quality evaluation: the shipped ranking vs keyword baselines on graded judgements.

    .venv/bin/python benchmarks/eval_quality.py                       # default variants
    .venv/bin/python benchmarks/eval_quality.py --variants all        # every variant
    .venv/bin/python benchmarks/eval_quality.py --variants bm25,tfidf,shipped --limit 50

Queries, qrels and the relevance mapping: benchmarks/judgements/ (README.md there).
Metrics (own implementation, tested in tests/test_eval_quality.py, trec_eval conventions):
nDCG@10 with linear gain (rel) and log2 discount over graded qrels; P@10, Recall@50 and MRR
with "relevant" = rel >= --binary-threshold (default 2: the resume's own job family).
Postings sharing a stable id (near-duplicates) are indexed once, first occurrence kept.

Every variant is reported on the ``tune`` and ``held`` halves of the queries and of the specificity set
(:func:`assign_splits`; choices are made on tune only) and on all; the issue's seed resumes are also ranked among
postings near Seattle (``seed_near_seattle``). ``pipe:key=value;...`` names any combination of first-stage lists,
second-stage signals and weights (:func:`pipe_variant`), e.g. ``pipe:@dense=0.5;+titles=0.5``; ``r5:key=value;...``
the shipped pipeline with round 5's knobs (:func:`r5_variant`: weights, depth, same-title groups, pseudo-relevance
feedback, fusion), e.g. ``r5:cov=0.6;text=0.6;n=50;group=off`` (= shipped before round 5).

Embeddings are cached (npy) under --cache, keyed by the texts + windows (not by the model: clear the cache when
the model changes). Writes benchmarks/results/quality.json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

JUDGE = ROOT / "benchmarks" / "judgements"
DEFAULT_DATA = ROOT.parent / "shared" / "data"
if not DEFAULT_DATA.exists():
    DEFAULT_DATA = Path("/work/shared/data")

Qrels = dict[str, dict[str, int]]
Run = dict[str, list[str]]  # query id -> doc ids, best first


# ============================================================================================
# Metrics
# ============================================================================================


def ndcg_at(ranked: Sequence[str], rels: Mapping[str, int], k: int = 10) -> float:
    """nDCG@k, gain = rel (trec_eval ndcg_cut), discount 1/log2(rank+1); 0 if no relevant doc."""
    dcg = sum(rels.get(d, 0) / math.log2(i + 2) for i, d in enumerate(ranked[:k]) if rels.get(d, 0) > 0)
    ideal = sorted((r for r in rels.values() if r > 0), reverse=True)[:k]
    idcg = sum(r / math.log2(i + 2) for i, r in enumerate(ideal))
    return dcg / idcg if idcg > 0 else 0.0


def precision_at(ranked: Sequence[str], rels: Mapping[str, int], k: int = 10, threshold: int = 1) -> float:
    """P@k: relevant (rel >= threshold) in the first k over k (short lists count as misses)."""
    return sum(1 for d in ranked[:k] if rels.get(d, 0) >= threshold) / k


def recall_at(ranked: Sequence[str], rels: Mapping[str, int], k: int = 50, threshold: int = 1) -> float:
    n_rel = sum(1 for r in rels.values() if r >= threshold)
    if n_rel == 0:
        return 0.0
    return sum(1 for d in ranked[:k] if rels.get(d, 0) >= threshold) / n_rel


def reciprocal_rank(ranked: Sequence[str], rels: Mapping[str, int], threshold: int = 1) -> float:
    for i, d in enumerate(ranked):
        if rels.get(d, 0) >= threshold:
            return 1.0 / (i + 1)
    return 0.0


def evaluate(run: Run, qrels: Qrels, threshold: int = 2) -> dict[str, float]:
    """Mean metrics over the queries in ``qrels`` that have a relevant doc (missing runs score 0)."""
    per = {"ndcg@10": [], "p@10": [], "recall@50": [], "mrr": []}
    for qid, rels in qrels.items():
        if not any(r >= threshold for r in rels.values()):
            continue
        ranked = _dedupe(run.get(qid, []))
        per["ndcg@10"].append(ndcg_at(ranked, rels, 10))
        per["p@10"].append(precision_at(ranked, rels, 10, threshold))
        per["recall@50"].append(recall_at(ranked, rels, 50, threshold))
        per["mrr"].append(reciprocal_rank(ranked, rels, threshold))
    out = {m: (float(np.mean(v)) if v else 0.0) for m, v in per.items()}
    out["queries"] = len(per["mrr"])
    return out


def family_macro_ndcg(run: Run, qrels: Qrels, families: Mapping[str, str], k: int = 10) -> float:
    """nDCG@k averaged within each query family, then across families (each family weighs 1)."""
    by: dict[str, list[float]] = {}
    for qid, fam in families.items():
        if qid in qrels:
            by.setdefault(fam, []).append(ndcg_at(_dedupe(run.get(qid, [])), qrels[qid], k))
    return float(np.mean([np.mean(v) for v in by.values()])) if by else 0.0


def _dedupe(ids: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    return [d for d in ids if not (d in seen or seen.add(d))]


def read_qrels(path: Path) -> Qrels:
    qrels: Qrels = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) != 4:
                continue
            qid, _, did, rel = parts
            qrels.setdefault(qid, {})[did] = int(rel)
    return qrels


# ============================================================================================
# Data
# ============================================================================================


class Corpus:
    def __init__(self, ids: list[str], titles: list[str], companies: list[str | None], descs: list[str],
                 places: list[tuple] | None = None):
        self.ids, self.titles, self.companies, self.descs = ids, titles, companies, descs
        # per posting: ((lat, lon), ...) of its located places, remote, applicant countries
        self.places = places or [((), False, ())] * len(ids)

    def near(self, lat: float, lon: float, radius_km: float = 50.0, country: str = "US") -> np.ndarray:
        """Eligible as the service's location rule decides for a candidate at (lat, lon) with default options:
        a place within ``radius_km``, or remote open to applicants from ``country``."""
        from matcher.geo import haversine_km

        out = np.zeros(len(self.ids), dtype=bool)
        for i, (pts, remote, countries) in enumerate(self.places):
            if remote:
                out[i] = not countries or country in countries
            else:
                out[i] = any(haversine_km(lat, lon, a, b) <= radius_km for a, b in pts)
        return out

    def __len__(self) -> int:
        return len(self.ids)


def load_corpus(data: Path) -> Corpus:
    from matcher.postings import posting_from_jsonld

    ids, titles, comps, descs, places = [], [], [], [], []
    seen: set[str] = set()
    with open(data / "jobs" / "linkedin_tech_2021.jsonl", encoding="utf-8") as fh:
        for line in fh:
            p = posting_from_jsonld(json.loads(line), geocode_missing=False)
            if p.id in seen:
                continue
            seen.add(p.id)
            ids.append(p.id)
            titles.append(p.title)
            comps.append(p.company)
            descs.append(p.description)
            places.append((tuple((pl.lat, pl.lon) for pl in p.locations if pl.has_point), p.remote,
                           tuple(p.applicant_countries)))
    return Corpus(ids, titles, comps, descs, places)


def load_queries(path: Path, data: Path) -> list[dict]:
    texts: dict[str, str] = {}
    for src, rel in (("updated_resume_dataset", "resumes/updated_resume_dataset/resumes.jsonl"),
                     ("livecareer", "resumes/livecareer/resumes.jsonl")):
        with open(data / rel, encoding="utf-8") as fh:
            for line in fh:
                r = json.loads(line)
                texts[f"{src}:{r['id']}"] = r["text"]
    out = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            q = json.loads(line)
            q["text"] = texts[f"{q['source']}:{q['resume_id']}"]
            out.append(q)
    return out


# ============================================================================================
# Embedding with a cache
# ============================================================================================


class CachedEmbedder:
    def __init__(self, cache: Path, threads: int = 0):
        self.cache = cache
        self.cache.mkdir(parents=True, exist_ok=True)
        self._emb = None
        self.threads = threads

    @property
    def emb(self):
        if self._emb is None:
            from matcher.embed import Embedder

            self._emb = Embedder(threads=self.threads)
        return self._emb

    def windows(self, texts: Sequence[str], max_windows: int | None, tag: str = "") -> tuple[np.ndarray, np.ndarray]:
        h = hashlib.sha1()
        h.update(f"{max_windows}|".encode())
        for t in texts:
            h.update(t.encode("utf-8", "surrogatepass"))
            h.update(b"\x00")
        key = h.hexdigest()[:20]
        f_v, f_o = self.cache / f"{tag}{key}.vec.npy", self.cache / f"{tag}{key}.own.npy"
        if f_v.exists() and f_o.exists():
            return np.load(f_v), np.load(f_o)
        t0 = time.time()
        vecs, owners = self.emb.embed_windows(list(texts), max_windows=max_windows, batch_size=32,
                                              progress=len(texts) > 500)
        print(f"  embedded {len(texts)} texts / {len(owners)} windows in {time.time() - t0:.0f}s", file=sys.stderr)
        np.save(f_v, vecs.astype(np.float32))
        np.save(f_o, owners)
        return vecs, owners

    def pooled(self, texts: Sequence[str], max_windows: int | None, pooling: str, use_windows: int | None = None,
               tag: str = "") -> np.ndarray:
        """Pool the first ``use_windows`` (default all) of ``max_windows`` cached windows."""
        from matcher.embed import pool_windows

        vecs, owners = self.windows(texts, max_windows, tag)
        if use_windows is not None:
            first = np.ones(len(owners), dtype=bool)
            first[1:] = owners[1:] != owners[:-1]
            starts = np.flatnonzero(first)
            pos = np.arange(len(owners)) - np.repeat(starts, np.diff(np.append(starts, len(owners))))
            keep = pos < use_windows
            vecs, owners = vecs[keep], owners[keep]
        return pool_windows(vecs, owners, len(texts), pooling)


# ============================================================================================
# Rankers under test
# ============================================================================================


def topn(scores: np.ndarray, n: int) -> np.ndarray:
    n = min(n, scores.size)
    idx = np.argpartition(-scores, n - 1)[:n]
    return idx[np.lexsort((idx, -scores[idx]))]


class Lab:
    """Holds the corpus, queries and cached pieces; builds a run per variant."""

    DEPTH = 100

    def __init__(self, corpus: Corpus, queries: list[dict], emb: CachedEmbedder, eligible: np.ndarray | None = None):
        self.c, self.q, self.emb = corpus, queries, emb
        self.eligible = eligible  # None: every posting (else a mask: what the service's filters would leave)
        self._memo: dict[str, object] = {}
        self.line_context = True  # the distinct signal's line vectors as shipped: pooled from the query pass

    def _masked(self, S: np.ndarray) -> np.ndarray:
        return S if self.eligible is None else np.where(self.eligible[None, :], S, -np.inf)

    def memo(self, key: str, fn: Callable[[], object]):
        if key not in self._memo:
            self._memo[key] = fn()
        return self._memo[key]

    # --- texts ------------------------------------------------------------------------------
    def doc_texts(self, rep: str) -> list[str]:
        from matcher import posting_index

        c = self.c
        if rep == "desc":
            return [d for d in c.descs]
        if rep == "title":
            return list(c.titles)
        if rep == "title+desc":
            return [f"{t}\n{d}" for t, d in zip(c.titles, c.descs, strict=False)]
        if rep == "title@company+desc":
            return [f"{t} at {co}\n{d}" if co else f"{t}\n{d}" for t, co, d in zip(c.titles, c.companies, c.descs, strict=False)]
        if rep == "shipped":  # name kept for the cache: the title + 96-word head text
            return [posting_index.posting_head_text(t, co, d) for t, co, d in zip(c.titles, c.companies, c.descs, strict=False)]
        if rep.startswith("title+desc") and rep[len("title+desc"):].rstrip("w").isdigit():  # e.g. title+desc96w
            n = int(rep[len("title+desc"):].rstrip("w"))
            return [posting_index.posting_text_for_embedding(t, co, d, max_words=n)
                    for t, co, d in zip(c.titles, c.companies, c.descs, strict=False)]
        if rep == "lines":  # the second stage's requirement/responsibility lines (boilerplate dropped), one window
            from matcher.second_stage import posting_lines

            return ["\n".join(posting_lines(d)) or t for t, d in zip(c.titles, c.descs, strict=False)]
        if rep == "lexical":
            return [posting_index.posting_text_for_lexical(t, co, d) for t, co, d in zip(c.titles, c.companies, c.descs, strict=False)]
        raise ValueError(rep)

    def query_texts(self, rep: str = "shipped") -> list[str]:
        from matcher import ranking

        if rep == "raw":
            return [q["text"] for q in self.q]
        return [ranking.query_text_for_embedding(q["text"]) for q in self.q]

    # --- vectors ----------------------------------------------------------------------------
    def doc_vecs(self, rep: str, pooling: str = "first", windows: int = 1) -> np.ndarray:
        def f():
            texts = self.doc_texts(rep)
            if pooling == "first" or windows == 1:
                return self.emb.pooled(texts, 1, "first", tag="doc-")
            return self.emb.pooled(texts, 4, pooling, use_windows=windows, tag="doc-")

        return self.memo(f"dv:{rep}:{pooling}:{windows}", f)

    def line_vecs(self) -> tuple[np.ndarray, list[np.ndarray]]:
        """Late interaction, posting side: a vector per distinct requirement / responsibility line
        (``matcher.second_stage.posting_lines``, one window each) and, per posting, the indices of its lines.
        Only the postings listed in ``<cache>/line-rows.json`` (written by ``--embed-lines``: the first stage's
        candidates of every query) are embedded, in cached chunks; other postings get no lines."""
        def f():
            from matcher.second_stage import posting_lines

            want = set(json.loads((self.emb.cache / "line-rows.json").read_text()))
            pos: dict[str, int] = {}
            per = []
            for pid, d in zip(self.c.ids, self.c.descs, strict=False):
                if pid in want:
                    per.append(np.array([pos.setdefault(x, len(pos)) for x in posting_lines(d)], dtype=np.int64))
                else:
                    per.append(np.zeros(0, dtype=np.int64))
            texts = list(pos)
            parts = [self.emb.windows(texts[a:a + 2048], 1, tag="line-")[0] for a in range(0, len(texts), 2048)]
            return (np.concatenate(parts) if parts else np.zeros((0, 384), dtype=np.float32)), per

        return self.memo("line-vecs", f)

    def query_vecs(self, windows: int = 2, pooling: str = "mean") -> np.ndarray:
        return self.memo(f"qv:{windows}:{pooling}",
                         lambda: self.emb.pooled(self.query_texts(), 2, pooling, use_windows=windows, tag="q-"))

    # --- lexical ----------------------------------------------------------------------------
    def bm25_scores(self) -> np.ndarray:
        """Baseline BM25: bm25s' own tokenizer + English stop words, title + description."""
        def f():
            import bm25s

            docs = self.doc_texts("title+desc")
            bm = bm25s.BM25()
            bm.index(bm25s.tokenize(docs, stopwords="en", show_progress=False), show_progress=False)
            qtok = bm25s.tokenize([q["text"] for q in self.q], stopwords="en", show_progress=False,
                                  return_ids=False)
            vocab = bm.vocab_dict
            out = np.zeros((len(self.q), len(self.c)), dtype=np.float32)
            for i, toks in enumerate(qtok):
                toks = [t for t in toks if t in vocab]
                if toks:
                    out[i] = bm.get_scores(toks)
            return out

        return self.memo("bm25", f)

    def tfidf_scores(self) -> np.ndarray:
        def f():
            from sklearn.feature_extraction.text import TfidfVectorizer

            vec = TfidfVectorizer(stop_words="english", sublinear_tf=True, min_df=2, max_df=0.9)
            D = vec.fit_transform(self.doc_texts("title+desc"))
            Q = vec.transform([q["text"] for q in self.q])
            return (Q @ D.T).toarray().astype(np.float32)

        return self.memo("tfidf", f)

    def lexical_index(self):
        from matcher.ranking import LexicalIndex

        return self.memo("lexidx", lambda: LexicalIndex().build(self.doc_texts("lexical")))

    def ours_lex_scores(self) -> np.ndarray:
        def f():
            from matcher.ranking import query_text_for_lexical

            idx = self.lexical_index()
            return np.stack([idx.scores(query_text_for_lexical(q["text"]), len(self.c)) for q in self.q])

        return self.memo("ourlex", f)

    def skill_scores(self) -> np.ndarray:
        """Skill overlap: sum of idf over skills shared by resume and posting (matcher.resumes.skills)."""
        def f():
            from matcher.resumes.skills import extract_skills

            cf = self.emb.cache / f"skills-{len(self.c)}-{hashlib.sha1(''.join(self.c.ids).encode()).hexdigest()[:12]}.json"
            if cf.exists():
                post = json.loads(cf.read_text())
            else:
                post = [sorted(set(extract_skills(f"{t}\n{d}"))) for t, d in zip(self.c.titles, self.c.descs, strict=False)]
                cf.write_text(json.dumps(post))
            vocab: dict[str, int] = {}
            for sk in post:
                for x in sk:
                    vocab.setdefault(x, len(vocab))
            P = np.zeros((len(post), len(vocab)), dtype=np.float32)
            for i, sk in enumerate(post):
                P[i, [vocab[x] for x in sk]] = 1
            idf = np.log((1 + len(post)) / (1 + P.sum(0))) + 1
            Q = np.zeros((len(self.q), len(vocab)), dtype=np.float32)
            for i, q in enumerate(self.q):
                ids = [vocab[x] for x in set(extract_skills(q["text"])) if x in vocab]
                Q[i, ids] = idf[ids]
            return Q @ P.T

        return self.memo("skills", f)

    # --- runs -------------------------------------------------------------------------------
    def run_from_scores(self, S: np.ndarray) -> Run:
        S = self._masked(S)
        return {q["query_id"]: [self.c.ids[j] for j in topn(S[i], self.DEPTH) if np.isfinite(S[i, j])]
                for i, q in enumerate(self.q)}

    def dense_scores(self, doc: str, pooling: str = "first", dwin: int = 1, qwin: int = 2,
                     title_mix: float = 0.0) -> np.ndarray:
        D = self.doc_vecs(doc, pooling, dwin)
        if title_mix:
            D = D + title_mix * self.doc_vecs("title")
            D = D / np.linalg.norm(D, axis=1, keepdims=True)
        return self.query_vecs(qwin) @ D.T

    def rrf_run(self, dense: np.ndarray, lex: np.ndarray, k: float = 60, w_lex: float = 1.0, cand: int = 100,
                extra: np.ndarray | None = None, w_extra: float = 1.0) -> Run:
        from matcher.ranking import rrf_fuse

        run = {}
        dense, lex = self._masked(dense), self._masked(lex)
        extra = self._masked(extra) if extra is not None else None
        for i, q in enumerate(self.q):
            d = topn(dense[i], cand)
            d = d[np.isfinite(dense[i][d])]
            lx = topn(lex[i], cand)
            lx = lx[lex[i][lx] > 0]
            lists, ws = [d, lx], [1.0, w_lex]
            if extra is not None:
                ex = topn(extra[i], cand)
                lists.append(ex[extra[i][ex] > 0])
                ws.append(w_extra)
            fused = rrf_fuse(lists, ws, k)
            rows = np.array(list(fused)), np.array(list(fused.values()))
            o = np.lexsort((rows[0], -rows[1]))[: self.DEPTH]
            run[q["query_id"]] = [self.c.ids[j] for j in rows[0][o]]
        return run

    def minmax_run(self, dense: np.ndarray, lex: np.ndarray, alpha: float, cand: int = 100) -> Run:
        """alpha * minmax(dense) + (1 - alpha) * minmax(lex) over the union of top-cand lists."""
        run = {}
        for i, q in enumerate(self.q):
            rows = np.union1d(topn(dense[i], cand), topn(lex[i], cand))
            def mm(x):
                lo, hi = x.min(), x.max()
                return (x - lo) / (hi - lo) if hi > lo else np.zeros_like(x)
            s = alpha * mm(dense[i][rows]) + (1 - alpha) * mm(lex[i][rows])
            o = np.lexsort((rows, -s))[: self.DEPTH]
            run[q["query_id"]] = [self.c.ids[j] for j in rows[o]]
        return run

    def shipped_run(self) -> tuple[Run, dict]:
        """The real code path: matcher.ranking.default_ranker over all rows eligible."""
        from matcher import posting_index, ranking

        ranker = ranking.default_ranker()
        if hasattr(ranker, "build"):
            ranker.build(self.doc_texts("lexical"))
        lab = self

        class _CachedShim:  # embed_documents() served from the embedding cache
            def embed_documents(self, texts, max_windows=None, batch_size=64, progress=False):
                return lab.emb.pooled(texts, max_windows, "mean", tag="doc-")

        D = self.memo("shipped-docs", lambda: posting_index.embed_postings(
            _CachedShim(), self.c.titles, self.c.companies, self.c.descs))
        Q = self.query_vecs(ranking.QUERY_WINDOWS)
        TQ = self.title_query_vecs()
        eligible = np.ones(len(self.c), dtype=bool) if self.eligible is None else self.eligible
        run, times = {}, []
        for i, q in enumerate(self.q):
            qv = Q[i]

            def dense_scores(mask: np.ndarray, n: int, qv=qv):
                s = D @ qv
                s = np.where(mask, s, -np.inf)
                idx = topn(s, n)
                idx = idx[np.isfinite(s[idx])]
                return idx, s[idx]

            tv = TQ[i]

            def title_scores(mask: np.ndarray, n: int, tv=tv):
                return dense_scores(mask, n, qv=tv)

            t0 = time.perf_counter()
            res = ranker.rank(ranking.query_text_for_lexical(q["text"]), qv, eligible, self.DEPTH, dense_scores,
                              title_scores=title_scores if tv.any() else None)
            times.append(time.perf_counter() - t0)
            run[q["query_id"]] = [self.c.ids[r] for r, _ in res]
            self._memo.setdefault("first-stage", {})[q["query_id"]] = res
        return run, {"rank_ms_p50": 1000 * float(np.median(times)), "rank_ms_p95": 1000 * float(np.percentile(times, 95)),
                     "ranker": repr(ranker)}

    # --- second stage (matcher.second_stage) over the first stage's top-n -------------------------
    def first_stage(self) -> dict[str, list[tuple[int, float]]]:
        if "first-stage" not in self._memo:
            self.shipped_run()
        return self._memo["first-stage"]

    def readings(self, n: int) -> dict[str, list]:
        """Per query: the second-stage readings of the first stage's top-n (cached per n)."""
        def f():
            from matcher.occupations import agreement, classify_title, resume_occupation

            lines = self.lexical_index().lines
            out = {}
            for q in self.q:
                res = self.first_stage()[q["query_id"]][:n]
                side = lines.resume_side(q["text"])
                ro = resume_occupation(q["text"])
                reads = []
                for r, _ in res:
                    x = lines.read(r, side)
                    x.occupation = agreement(ro, classify_title(self.c.titles[r]))
                    reads.append(x)
                for x, c in zip(reads, lines.contrast([r for r, _ in res], side), strict=False):
                    x.contrast = float(c)
                out[q["query_id"]] = reads
            return out

        return self.memo(f"readings:{n}", f)

    def shipped_full_run(self, weights: dict[str, float] | None = None, max_per_company: int | None = None,
                         n: int | None = None, group: dict[str, float] | None = None) -> Run:
        """What MatchService ranks: the first stage, the second stage over its top STAGE2_N, then diversity
        (MatchOptions' default max_per_company)."""
        from matcher.domain import MatchOptions
        from matcher.second_stage import RESUME_LINE_MIN_TOKENS, RESUME_LINE_WORDS, STAGE2_N, rerank_rows

        n = STAGE2_N if n is None else n
        cap = MatchOptions.model_fields["max_per_company"].default if max_per_company is None else max_per_company
        lines = self.lexical_index().lines  # lexical rows = corpus rows here
        sig = self.memo("signatures", lambda: {})
        from matcher import ranking

        Q = self.query_vecs(ranking.QUERY_WINDOWS)
        run = {}
        for qi, q in enumerate(self.q):
            res = self.first_stage()[q["query_id"]]
            rows = [r for r, _ in res]
            sims = (self.shipped_doc_vecs()[rows] @ Q[qi]).tolist() if rows else []
            # the distinct signal: the resume's lines as shipped (or its vector when it has none)
            R = self.resume_line_vecs(RESUME_LINE_WORDS, RESUME_LINE_MIN_TOKENS, headline=False,
                                      context=self.line_context)[qi]
            rr = rerank_rows(lines, rows, [sc for _, sc in res], q["text"], [self.c.titles[r] for r in rows], n=n,
                             weights=weights, similarity=sims, resume_vectors=R if len(R) else Q[qi][None, :],
                             vectors=self.shipped_doc_vecs()[rows[:n]], group=group)
            run[q["query_id"]] = self._diversified(lines, [rows[i] for i in rr.order], sig, cap)
        return run

    def _diversified(self, lines, order: list[int], sig: dict, cap: int) -> list[str]:
        """The posting ids of ``order`` after the diversity pass (signatures read once per row into ``sig``)."""
        from matcher.ranking import diversify

        for r in order:
            if r not in sig:
                sig[r] = lines.signature(r)
        new, _ = diversify([self.c.companies[r] for r in order], [sig[r] for r in order], cap)
        return [self.c.ids[order[i]] for i in new]

    def r5_run(self, *, weights: dict[str, float] | None = None, n: int | None = None,
               group: dict[str, float] | None = None, prf: tuple[int, float, str] | None = None,
               lexprf: tuple[int, int, int] | None = None, rrf_k: float = 60.0, w_lex: float = 1.0,
               cand: int | None = None) -> Run:
        """Round 5: the shipped pipeline (the same first stage, second stage with the pooled line vectors and
        diversity as :meth:`shipped_full_run`, written out so the first stage can change) with ``weights`` /
        ``n`` / ``group`` (as ``rerank_rows``), and pseudo-relevance feedback: ``prf = (k, beta, where)``, the
        query vector moved towards the mean of the first dense list's top ``k`` posting vectors,
        q' = unit(q + beta * mean), used for the dense list (``where`` "dense"), the semantic signal ("sem") or
        both ("both"); ``lexprf = (k, terms, times)``, RM3-like: the BM25 query gets the ``terms`` words of highest
        summed unit log-tf x idf weight over the BM25 top ``k`` postings, each ``times`` times. ``rrf_k``, ``w_lex``,
        ``cand``: the first stage's fusion constant, BM25 weight and candidates per side (shipped 60, 1, 100)."""
        from matcher import ranking
        from matcher.domain import MatchOptions
        from matcher.ranking import rrf_fuse
        from matcher.second_stage import RESUME_LINE_MIN_TOKENS, RESUME_LINE_WORDS, STAGE2_N, rerank_rows

        n = STAGE2_N if n is None else n
        cap = MatchOptions.model_fields["max_per_company"].default
        D = self.shipped_doc_vecs()
        Q = self.query_vecs(ranking.QUERY_WINDOWS)
        lex = self.ours_lex_scores()
        idx = self.lexical_index()
        lines = idx.lines
        R = self.resume_line_vecs(RESUME_LINE_WORDS, RESUME_LINE_MIN_TOKENS, headline=False, context=self.line_context)
        sig = self.memo("signatures", lambda: {})
        inv = self.memo("lex-vocab-inv", lambda: {i: t for t, i in lines.vocab.items()})
        run = {}
        for qi, q in enumerate(self.q):
            qv = qs = Q[qi]
            ds = D @ qv
            ls = lex[qi]
            if lexprf:
                k, terms, times = lexprf
                acc: dict[int, float] = {}
                for r in topn(ls, k).tolist():
                    P, pr = lines._part(r)
                    u = P.doc_tok[int(P.row_doc[pr]):int(P.row_doc[pr + 1])]
                    w = (1 + np.log(P.doc_cnt[int(P.row_doc[pr]):int(P.row_doc[pr + 1])])) * lines.idf[u]
                    w = w / (np.linalg.norm(w) or 1.0)
                    for t, x in zip(u.tolist(), w.tolist(), strict=True):
                        acc[t] = acc.get(t, 0.0) + x
                extra = [inv[t] for t, _ in sorted(acc.items(), key=lambda z: (-z[1], z[0]))[:terms]]
                ls = idx.scores(ranking.query_text_for_lexical(q["text"]) + "\n" + " ".join(extra * times), len(self.c))
            if self.eligible is not None:
                ds = np.where(self.eligible, ds, -np.inf)
                ls = np.where(self.eligible, ls, 0.0)
            cand_n = self.DEPTH if cand is None else cand
            d = topn(ds, cand_n)
            d = d[np.isfinite(ds[d])]
            if prf:
                k, beta, where = prf
                q2 = qv + beta * D[d[:k]].mean(0)
                q2 = q2 / np.linalg.norm(q2)
                if where in ("dense", "both"):
                    ds = D @ q2
                    if self.eligible is not None:
                        ds = np.where(self.eligible, ds, -np.inf)
                    d = topn(ds, cand_n)
                    d = d[np.isfinite(ds[d])]
                if where in ("sem", "both"):
                    qs = q2
            lx = topn(ls, cand_n)
            lx = lx[ls[lx] > 0]
            fused = rrf_fuse([d, lx], [1.0, w_lex], rrf_k)
            rows = np.fromiter(fused.keys(), dtype=np.int64, count=len(fused))
            sc = np.fromiter(fused.values(), dtype=np.float64, count=len(fused))
            o = np.lexsort((rows, -sc))[: self.DEPTH]
            rows, sc = rows[o].tolist(), sc[o].tolist()
            Rq = R[qi]
            rr = rerank_rows(lines, rows, sc, q["text"], [self.c.titles[r] for r in rows], n=n, weights=weights,
                             similarity=(D[rows] @ qs).tolist() if rows else [],
                             resume_vectors=Rq if len(Rq) else Q[qi][None, :], vectors=D[rows[:n]], group=group)
            run[q["query_id"]] = self._diversified(lines, [rows[i] for i in rr.order], sig, cap)
        return run

    def stage2_run(self, weights: dict[str, float], n: int = 50, w_lines_vec: float = 0.0) -> Run:
        """``w_lines_vec``: also the cosine of the resume vector and a vector of the posting's requirement lines
        (one window; measured only here, not shipped), min-max scaled within the candidates."""
        from matcher.second_stage import stage2_scores

        run = {}
        reads = self.readings(n)
        L = self.doc_vecs("lines") if w_lines_vec else None
        Q = self.query_vecs(1) if w_lines_vec else None
        for qi, q in enumerate(self.q):
            res = self.first_stage()[q["query_id"]]
            head, tail = res[:n], res[n:]
            s = stage2_scores([sc for _, sc in head], reads[q["query_id"]], weights)
            if w_lines_vec and head:
                c = L[[r for r, _ in head]] @ Q[qi]
                lo, hi = float(c.min()), float(c.max())
                s = s + w_lines_vec * ((c - lo) / (hi - lo) if hi > lo else 0.0)
            rows = np.array([r for r, _ in head], dtype=np.int64)
            o = np.lexsort((rows, -s))
            run[q["query_id"]] = [self.c.ids[r] for r in rows[o]] + [self.c.ids[r] for r, _ in tail]
        return run


    # --- round 3: one pipeline with every knob (first-stage fusion, extra lists, stage-2 signals, diversity) ----
    def shipped_doc_vecs(self) -> np.ndarray:
        if "shipped-docs" not in self._memo:
            self.shipped_run()
        return self._memo["shipped-docs"]

    def title_query_vecs(self) -> np.ndarray:
        """Per query: the mean vector of the candidate's recent job titles from the experience section
        (``matcher.occupations.resume_titles``, the headline is not read); zero when none is found."""
        def f():
            from matcher.ranking import resume_title_text

            return self._short_query_vecs([resume_title_text(q["text"]) for q in self.q], "qtitle-")

        return self.memo("title-qv", f)

    def _short_query_vecs(self, texts: list[str], tag: str) -> np.ndarray:
        """One window per query text (zeros where a query has none), cached under ``tag``."""
        have = [i for i, t in enumerate(texts) if t]
        got = self.emb.pooled([texts[i] for i in have], 1, "first", tag=tag) if have else None
        V = np.zeros((len(texts), got.shape[1] if got is not None else 384), dtype=np.float32)
        if have:
            V[have] = got
        return V

    def resume_line_vecs(self, max_words: int = 200, min_tokens: int = 3, headline: bool = True,
                         context: bool = False) -> list[np.ndarray]:
        """Late interaction, resume side: per query, vectors of the resume's lines (long ones split into sentences,
        lines of >= 3 content words) within its first ``max_words`` words (about the first window). ``context``:
        as shipped, each line's tokens pooled from the resume's own query pass
        (``MatchService.embed_queries_lines``); else each line embedded alone (a pass of its own)."""
        if context:
            return self.memo(f"rline-ctx:{max_words}:{min_tokens}:{headline}",
                             lambda: self._context_line_vecs(max_words, min_tokens, headline))

        def f():
            from matcher.second_stage import resume_lines

            per_q = [resume_lines(q["text"], max_words, min_tokens, headline) for q in self.q]
            flat = [x for lines in per_q for x in lines]
            vecs = self.emb.windows(flat, 1, tag="rline-")[0] if flat else np.zeros((0, 384), np.float32)
            res, a = [], 0
            for lines in per_q:
                res.append(vecs[a:a + len(lines)])
                a += len(lines)
            return res

        return self.memo(f"rline:{max_words}:{min_tokens}:{headline}", f)

    def _context_line_vecs(self, max_words: int, min_tokens: int, headline: bool) -> list[np.ndarray]:
        from matcher.ranking import query_text_for_embedding
        from matcher.second_stage import resume_line_vectors

        texts = [query_text_for_embedding(q["text"]) for q in self.q]
        return resume_line_vectors(self.emb.emb, texts, max_windows=1, batch_size=32, max_words=max_words,
                                   min_tokens=min_tokens, headline=headline)[1]

    def skills_query_vecs(self) -> np.ndarray:
        """Per query: a vector of the resume's skills (``matcher.resumes.skills.extract_skills``, joined)."""
        def f():
            from matcher.resumes.skills import extract_skills

            return self._short_query_vecs([", ".join(extract_skills(q["text"])) for q in self.q], "qskills-")

        return self.memo("skills-qv", f)

    def second_window_vecs(self) -> np.ndarray:
        """Per query: the vector of the resume's second window (zero when the resume has one window)."""
        def f():
            vecs, owners = self.emb.windows(self.query_texts(), 2, tag="q-")
            V = np.zeros((len(self.q), vecs.shape[1]), dtype=np.float32)
            first = np.ones(len(owners), dtype=bool)
            first[1:] = owners[1:] != owners[:-1]
            second = ~first
            V[owners[second]] = vecs[second]
            return V

        return self.memo("win2-qv", f)

    def pipeline(self, *, rrf_k: float = 60.0, w_lex: float = 1.0, w_dense: float = 1.0, cand: int = 100,
                 extra: tuple[tuple[str, float], ...] = (), n: int | None = None,
                 weights: dict[str, float] | None = None, signals: tuple[tuple[str, float], ...] = (),
                 max_per_company: int | None = None, dupcos: float | None = None) -> Run:
        """First stage (RRF of the shipped dense list and BM25, plus ``extra`` named lists), second stage over
        its top ``n`` (``weights`` of matcher.second_stage plus extra named ``signals``, each min-max scaled within
        the candidates), then diversity. Names: lists ``titles`` (recent job titles vs posting vectors),
        ``titles-t`` (vs posting *title* vectors); signals ``dense`` (cosine resume vs posting vector),
        ``li-max`` / ``li-top3`` / ``li-mean`` (the resume vector vs the posting's requirement-line vectors:
        best line, mean of the best three, mean), ``titles`` / ``titles-t`` (cosines as the lists), ``lc`` / ``lcl``
        (round 4: local contrast of the resume vector / its lines and the posting vectors from the candidates'
        centroid, :meth:`_local_contrast`; ``lcl:100:4h`` is the shipped ``distinct`` signal), ``lines-raw`` (its
        uncentred control). ``dupcos``: also space postings whose vectors' cosine is at least this."""
        from matcher.domain import MatchOptions
        from matcher.ranking import diversify, rrf_fuse
        from matcher.second_stage import STAGE2_N, stage2_scores

        n = STAGE2_N if n is None else n
        cap = MatchOptions.model_fields["max_per_company"].default if max_per_company is None else max_per_company
        D = self.shipped_doc_vecs()
        from matcher import ranking

        Q = self.query_vecs(ranking.QUERY_WINDOWS)
        lex = self.ours_lex_scores()
        lines = self.lexical_index().lines
        sig = self.memo("signatures", lambda: {})
        need_t = any(x[0] == "titles" or x[0] == "titles-t" for x in (*extra, *signals))
        TQ = self.title_query_vecs() if need_t else None
        T = self.doc_vecs("title") if any(x[0] == "titles-t" for x in (*extra, *signals)) else None
        LV = self.line_vecs() if any(x[0].startswith(("li-", "ll-")) for x in signals) else None
        run = {}
        for qi, q in enumerate(self.q):
            ds = D @ Q[qi]
            ls = lex[qi]
            if self.eligible is not None:
                ds = np.where(self.eligible, ds, -np.inf)
                ls = np.where(self.eligible, ls, 0.0)
            d = topn(ds, cand)
            d = d[np.isfinite(ds[d])]
            lx = topn(ls, cand)
            lx = lx[ls[lx] > 0]
            lists, ws = [d, lx], [w_dense, w_lex]
            for name, w in extra:
                qv = (self.second_window_vecs()[qi] if name == "win2" else
                      self.skills_query_vecs()[qi] if name == "skills" else TQ[qi])
                if not qv.any():
                    continue
                xs = (T if name == "titles-t" else D) @ qv
                if self.eligible is not None:
                    xs = np.where(self.eligible, xs, -np.inf)
                lists.append(topn(xs, cand))
                ws.append(w)
            fused = rrf_fuse(lists, ws, rrf_k)
            rows = np.fromiter(fused.keys(), dtype=np.int64, count=len(fused))
            sc = np.fromiter(fused.values(), dtype=np.float64, count=len(fused))
            o = np.lexsort((rows, -sc))[: self.DEPTH]
            rows, sc = rows[o], sc[o]
            head = rows[:n]
            if n and head.size:
                rd = self._readings_for(q, head, lines)
                if (weights or {}).get("contrast"):
                    for x, cv in zip(rd, lines.contrast(head.tolist(), lines.resume_side(q["text"])), strict=False):
                        x.contrast = float(cv)
                s2 = stage2_scores(sc[:n].tolist(), rd, weights)
                for name, w in signals:
                    x = self._signal(name, qi, head, D, Q, TQ, T, LV)
                    lo, hi = float(x.min()), float(x.max())
                    s2 = s2 + w * ((x - lo) / (hi - lo) if hi > lo else 0.0)
                oo = np.lexsort((head, -s2))
                order = np.concatenate([head[oo], rows[n:]])
            else:
                order = rows
            for r in order.tolist():
                if r not in sig:
                    sig[r] = lines.signature(r)
            new, _ = diversify([self.c.companies[r] for r in order], [sig[r] for r in order], cap,
                               vectors=D[order] if dupcos else None, near_vector=dupcos)
            run[q["query_id"]] = [self.c.ids[order[i]] for i in new]
        return run

    def _readings_for(self, q: dict, rows: np.ndarray, lines) -> list:
        from matcher.occupations import agreement, classify_title, resume_occupation

        cache = self.memo("readings-by-row", lambda: {})
        key = q["query_id"]
        if key not in cache:
            cache[key] = (lines.resume_side(q["text"]), resume_occupation(q["text"]), {})
        side, ro, done = cache[key]
        out = []
        for r in rows.tolist():
            if r not in done:
                x = lines.read(r, side)
                x.occupation = agreement(ro, classify_title(self.c.titles[r]))
                done[r] = x
            out.append(done[r])
        return out

    def _local_contrast(self, name: str, qi: int, rows: np.ndarray, D: np.ndarray, Q: np.ndarray) -> np.ndarray:
        """``lc`` / ``lcl`` (the resume's lines, best one; ``lclq`` lines and the resume vector) with an optional
        centre: ``-knnK`` (the K nearest other candidates), ``-occ`` (candidates of the same O*NET occupation),
        ``-title`` (same normalised title); default the centroid of all the candidates."""
        from matcher.second_stage import local_contrast

        kind, _, centre = name.partition("-")
        kind, _, words = kind.partition(":")  # lcl:400 — the resume's lines within its first 400 words
        words, _, min_tok = words.partition(":")  # lcl:100:4 — and of at least 4 content words; lcl:100:3h —
        no_head = min_tok.endswith("h")           # without the resume's first line (its headline)
        min_tok = min_tok.rstrip("h")
        if kind == "lc":
            qv = Q[qi]
        else:
            R = self.resume_line_vecs(int(words or 200), int(min_tok or 3), not no_head)[qi]
            qv = (np.vstack([R, Q[qi][None, :]]) if kind == "lclq" else R) if len(R) else Q[qi]
        kw: dict = {}
        if centre.startswith("knn"):
            kw["neighbours"] = int(centre[3:])
        elif centre == "occ":
            from matcher.occupations import classify_title

            occ = [classify_title(self.c.titles[r]) for r in rows.tolist()]
            kw["groups"] = [o.code if o is not None else None for o in occ]
        elif centre == "title":
            kw["groups"] = [_title_key(self.c.titles[r]) for r in rows.tolist()]
        return local_contrast(qv, D[rows], **kw)

    def _signal(self, name, qi, rows, D, Q, TQ, T, LV) -> np.ndarray:
        if name == "dense":
            return D[rows] @ Q[qi]
        if name == "lines-raw":  # the resume's best line vs the posting vector, no centre (control for ``lcl``)
            R = self.resume_line_vecs(200)[qi]
            return ((D[rows] @ R.T).max(1) if len(R) else D[rows] @ Q[qi]).astype(np.float64)
        if name.startswith("lc"):  # local contrast in the dense space (matcher.second_stage.local_contrast)
            return self._local_contrast(name, qi, rows, D, Q)
        if name == "skills":
            return (D[rows] @ self.skills_query_vecs()[qi]).astype(np.float64)
        if name == "winmax":
            w2 = self.second_window_vecs()[qi]
            return np.maximum(D[rows] @ Q[qi], D[rows] @ w2) if w2.any() else D[rows] @ Q[qi]
        if name in ("titles", "titles-t"):
            return ((D if name == "titles" else T)[rows] @ TQ[qi]).astype(np.float64)
        if name.startswith("ll-"):  # both sides by line: posting requirement lines x resume lines
            vecs, per = LV
            kind, _, words = name[3:].partition(":")
            R = self.resume_line_vecs(int(words or 200))[qi]
            out = np.full(len(rows), np.nan)
            for j, r in enumerate(rows.tolist()):
                idx = per[r]
                if not idx.size or not len(R):
                    continue
                S = vecs[idx] @ R.T  # posting lines x resume lines
                if kind == "cov":  # each posting line's best resume line, averaged
                    out[j] = S.max(1).mean()
                elif kind == "res":  # each resume line's best posting line, averaged
                    out[j] = S.max(0).mean()
                elif kind == "dist":  # kept aside: needs every candidate (below)
                    out[j] = 0.0
                else:  # "top": the five best posting lines' best match
                    out[j] = np.sort(S.max(1))[-5:].mean()
            if kind == "dist" and len(R):
                # per resume line, how much better this posting's best line matches it than the candidates' average;
                # the posting's score: its most distinctive resume line (what tells it from the others)
                M = np.zeros((len(rows), len(R)))
                have = np.zeros(len(rows), dtype=bool)
                for j, r in enumerate(rows.tolist()):
                    if per[r].size:
                        M[j] = (vecs[per[r]] @ R.T).max(0)
                        have[j] = True
                if have.any():
                    M[~have] = M[have].mean(0)
                    return (M - M.mean(0)).max(1)
                return np.zeros(len(rows))
            if np.isnan(out).all():
                return np.zeros(len(rows))
            return np.where(np.isnan(out), np.nanmin(out), out)
        if name.startswith("li-"):
            vecs, per = LV
            out = np.zeros(len(rows))
            for j, r in enumerate(rows.tolist()):
                idx = per[r]
                if not idx.size:
                    continue
                sims = vecs[idx] @ Q[qi]
                if name == "li-max":
                    out[j] = sims.max()
                elif name == "li-top3":
                    out[j] = np.sort(sims)[-3:].mean()
                else:
                    out[j] = sims.mean()
            return out
        raise ValueError(name)


def _title_key(title: str | None) -> str:
    """The generic title (``matcher.second_stage.title_key``): "Sr. Site Reliability Engineer - Recommendation" ->
    "site reliability engineer"."""
    from matcher.second_stage import title_key

    return title_key(title)


# ============================================================================================
# Tune / held split (ranking choices are made on ``tune`` only; ``held`` is reported at the end)
# ============================================================================================

SPLIT_SALT = "jobmatch-ranking-split-2026-12-01"
SPLITS = ("tune", "held")


def split_key(query_id: str, salt: str = SPLIT_SALT) -> str:
    return hashlib.sha256(f"{salt}|{query_id}".encode()).hexdigest()


def assign_splits(strata: Mapping[str, str], salt: str = SPLIT_SALT) -> dict[str, str]:
    """``query id -> "tune" | "held"``, stratified: within each stratum (title family, or the specificity
    group) the queries sorted by sha256(salt | id) alternate tune, held, tune, ...; strata (sorted by name)
    alternate which half gets the odd one out, so the halves stay within one query of each other."""
    by: dict[str, list[str]] = {}
    for qid, st in strata.items():
        by.setdefault(st, []).append(qid)
    out: dict[str, str] = {}
    odd = 0
    for st in sorted(by):
        ids = sorted(by[st], key=lambda q: split_key(q, salt))
        for i, qid in enumerate(ids):
            out[qid] = SPLITS[(i + odd) % 2]
        odd = (odd + len(ids)) % 2
    return out


def load_specificity(path: Path) -> list[dict]:
    """The specificity cases: resumes written to mirror one posting's domain and duties under a generic title
    (benchmarks/judgements/README.md). Each has ``targets`` (posting ids) and ``group`` (the generic title)."""
    out = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                c = json.loads(line)
                c["query_id"] = c["case_id"]
                c["family"] = c["group"]
                out.append(c)
    return out


def specificity(run: Run, cases: list[dict], corpus: Corpus) -> dict:
    """Hit = the first posting of the run whose title contains the case's generic title is a target.
    Also: hits in the top 3 overall, and the target's rank (the best one of its targets; None past the run)."""
    titles = {d: t.lower() for d, t in zip(corpus.ids, corpus.titles, strict=False)}
    hits, top3, per = 0, 0, {}
    for c in cases:
        ranked = _dedupe(run.get(c["case_id"], []))
        first = next((d for d in ranked if c["group"] in titles.get(d, "")), None)
        rank = next((i + 1 for i, d in enumerate(ranked) if d in c["targets"]), None)
        hit = first is not None and first in c["targets"]
        hits += hit
        top3 += rank is not None and rank <= 3
        per[c["case_id"]] = {"hit": hit, "rank": rank}
    n = max(len(cases), 1)
    return {"hit_rate": hits / n, "top3_rate": top3 / n, "cases": len(cases), "per_case": per}


def variants(lab: Lab) -> dict[str, Callable[[], Run]]:
    """Named variants. Dense posting representations other than title / shipped need a full
    embedding pass of the corpus each (slow on a shared 2-core box: ~3 windows/s at 256 tokens)."""
    V: dict[str, Callable[[], Run]] = {}
    V["bm25"] = lambda: lab.run_from_scores(lab.bm25_scores())
    V["tfidf"] = lambda: lab.run_from_scores(lab.tfidf_scores())
    V["lex:ours"] = lambda: lab.run_from_scores(lab.ours_lex_scores())
    # posting representation (query: first 2 windows, mean-pooled)
    for doc in ("title", "shipped", "desc", "title+desc", "title@company+desc", "title+desc48w", "title+desc192w"):
        V[f"dense:doc={doc}"] = (lambda doc=doc: lab.run_from_scores(lab.dense_scores(doc)))
    for w, pool in ((2, "mean"), (4, "mean"), (4, "weighted")):
        V[f"dense:doc=title+desc;{pool}{w}"] = (lambda w=w, pool=pool: lab.run_from_scores(
            lab.dense_scores("title+desc", pool, w)))
    for a in (0.5, 1.0):
        V[f"dense:doc=shipped+{a}title"] = (lambda a=a: lab.run_from_scores(
            lab.dense_scores("shipped", title_mix=a)))
    # resume representation
    for doc in ("title", "shipped"):
        V[f"dense:doc={doc};q=1win"] = (lambda doc=doc: lab.run_from_scores(lab.dense_scores(doc, qwin=1)))
    # fusion of the shipped dense side with a lexical side
    dense = lambda: lab.dense_scores("shipped")  # noqa: E731
    for k in (10, 30, 60):
        for wl in (0.5, 1.0):
            V[f"rrf:k={k};wlex={wl}"] = (lambda k=k, wl=wl: lab.rrf_run(dense(), lab.ours_lex_scores(), k, wl))
    for cand in (50, 200):
        V[f"rrf:k=60;wlex=1.0;cand={cand}"] = (lambda c=cand: lab.rrf_run(dense(), lab.ours_lex_scores(), 60, 1.0, c))
    V["rrf:k=60;lex=bm25base"] = lambda: lab.rrf_run(dense(), lab.bm25_scores(), 60, 1.0)
    V["rrf:k=60;dense=title"] = lambda: lab.rrf_run(lab.dense_scores("title"), lab.ours_lex_scores(), 60, 1.0)
    V["rrf:k=60;dense=shipped+title"] = lambda: lab.rrf_run(
        lab.dense_scores("shipped", title_mix=1.0), lab.ours_lex_scores(), 60, 1.0)
    V["skills"] = lambda: lab.run_from_scores(lab.skill_scores())
    V["rrf:dense+lex+skills"] = lambda: lab.rrf_run(dense(), lab.ours_lex_scores(), 60, 1.0,
                                                    extra=lab.skill_scores(), w_extra=1.0)
    V["rrf:dense+skills"] = lambda: lab.rrf_run(dense(), lab.skill_scores(), 60, 1.0)
    for doc in ("title", "title+desc48w", "shipped"):
        for qw in (1, 2):
            V[f"dense:doc={doc}+1.0title;q={qw}win"] = (lambda doc=doc, qw=qw: lab.run_from_scores(
                lab.dense_scores(doc, qwin=qw, title_mix=1.0 if doc != "title" else 0.0)))
    for doc in ("title", "title+desc48w", "shipped"):
        for mix in (0.0, 1.0):
            for wl in (0.5, 1.0):
                name = f"rrf:dense={doc}{'+title' if mix else ''};q=1win;wlex={wl}"
                V[name] = (lambda doc=doc, mix=mix, wl=wl: lab.rrf_run(
                    lab.dense_scores(doc, qwin=1, title_mix=mix), lab.ours_lex_scores(), 60, wl))
    for a in (0.5, 0.7, 0.85):
        V[f"minmax:alpha={a}"] = (lambda a=a: lab.minmax_run(dense(), lab.ours_lex_scores(), a))
    V["first-stage"] = lambda: lab.shipped_run()[0]
    # a third fused list: dense over a vector of the posting's requirement lines (not shipped: needs a second
    # vector per posting at index time)
    V["rrf3:lines-vector"] = lambda: lab.rrf_run(lab.dense_scores("shipped", qwin=1, title_mix=1.0),
                                                 lab.ours_lex_scores(), 60, 1.0,
                                                 extra=lab.dense_scores("lines", qwin=1), w_extra=1.0)
    V["rrf3:lines-vector;w=0.5"] = lambda: lab.rrf_run(lab.dense_scores("shipped", qwin=1, title_mix=1.0),
                                                       lab.ours_lex_scores(), 60, 1.0,
                                                       extra=lab.dense_scores("lines", qwin=1), w_extra=0.5)
    for cap in (0, 1, 2, 3):
        V[f"shipped:max_per_company={cap}"] = (lambda cap=cap: lab.shipped_full_run(max_per_company=cap))
    V["shipped:no-stage2"] = lambda: lab.shipped_full_run(n=0)
    # second stage over the shipped first stage's top-n: weights of prior / coverage / text (the skills signal of
    # round 2 is gone; these variants leave the semantic signal out, so compare them with each other, not `shipped`)
    for n in (30, 50, 100):
        for cov, txt in ((1, 0), (0, 1), (0.5, 0.5), (1, 1), (0.3, 0.3), (0.6, 0.6), (2, 2)):
            name = f"stage2:n={n};cov={cov};text={txt}"
            V[name] = (lambda n=n, cov=cov, txt=txt: lab.stage2_run(
                {"prior": 1.0, "coverage": cov, "text": txt, "occupation": 0.0, "semantic": 0.0}, n))
        for con in (0.5, 1.0, 2.0):
            for cov, txt, occ in ((0, 0, 0), (0.6, 0.6, 0.5), (0.3, 0.3, 0.5), (0, 0, 0.5)):
                name = f"stage2:n={n};cov={cov};text={txt};occ={occ};contrast={con}"
                V[name] = (lambda n=n, cov=cov, txt=txt, occ=occ, con=con: lab.stage2_run(
                    {"prior": 1.0, "coverage": cov, "text": txt, "occupation": occ, "contrast": con}, n))
        for wl in (0.5, 1.0, 2.0):
            V[f"stage2:n={n};lines-vector={wl}"] = (lambda n=n, wl=wl: lab.stage2_run(
                {"prior": 1.0, "coverage": 0.0, "text": 0.0, "occupation": 0.0}, n, wl))
            V[f"stage2:n={n};cov=0.6;text=0.6;occ=0.5;lines-vector={wl}"] = (lambda n=n, wl=wl: lab.stage2_run(
                {"prior": 1.0, "coverage": 0.6, "text": 0.6, "occupation": 0.5}, n, wl))
        for occ in (0.25, 0.5, 1.0):
            for cov, txt in ((0, 0), (0.6, 0.6), (1, 1)):
                name = f"stage2:n={n};cov={cov};text={txt};occ={occ}"
                V[name] = (lambda n=n, cov=cov, txt=txt, occ=occ: lab.stage2_run(
                    {"prior": 1.0, "coverage": cov, "text": txt, "occupation": occ}, n))
    return V


def pipe_variant(lab: Lab, spec: str) -> Callable[[], Run]:
    """``pipe:key=value;...`` — :meth:`Lab.pipeline` with: k, wlex, wdense, cand, n, cov, text, occ, cap, and
    ``+list=w`` (extra first-stage list) / ``@signal=w`` (extra stage-2 signal). Example:
    ``pipe:k=60;wlex=1;@li-top3=0.5;+titles=1``."""
    kw: dict = {"weights": {}, "extra": [], "signals": []}
    for part in spec[len("pipe:"):].split(";"):
        if not part:
            continue
        key, val = part.split("=")
        if key.startswith("+"):
            kw["extra"].append((key[1:], float(val)))
        elif key.startswith("@"):
            kw["signals"].append((key[1:], float(val)))
        elif key in ("cov", "text", "occ", "prior", "con"):
            kw["weights"][{"cov": "coverage", "occ": "occupation", "con": "contrast"}.get(key, key)] = float(val)
        else:
            kw[{"k": "rrf_k", "wlex": "w_lex", "wdense": "w_dense", "cap": "max_per_company"}.get(key, key)] = (
                int(val) if key in ("cand", "n", "cap") else float(val))
    kw["extra"], kw["signals"] = tuple(kw["extra"]), tuple(kw["signals"])
    return lambda: lab.pipeline(**kw)


def r5_variant(lab: Lab, spec: str) -> Callable[[], Run]:
    """``r5:key=value;...`` — :meth:`Lab.r5_run` with second-stage weights ``cov text occ sem dist prior``, ``n``,
    ``group=D:T[:C]`` (same-title groups ordered by distinct D + text T [+ contrast C, round 6]; ``group=off``), ``prf=K:BETA:WHERE``,
    ``lexprf=K:TERMS:TIMES``, ``k`` / ``wlex`` / ``cand`` (first-stage fusion). Example: ``r5:cov=1;text=0.3;group=off``."""
    names = {"cov": "coverage", "text": "text", "occ": "occupation", "sem": "semantic", "dist": "distinct",
             "prior": "prior"}
    kw: dict = {}
    weights: dict[str, float] = {}
    for part in spec[len("r5:"):].split(";"):
        if not part:
            continue
        key, val = part.split("=")
        if key in names:
            weights[names[key]] = float(val)
        elif key in ("n", "cand"):
            kw[key] = int(val)
        elif key in ("k", "wlex"):
            kw[{"k": "rrf_k", "wlex": "w_lex"}[key]] = float(val)
        elif key == "group":
            kw["group"] = {} if val == "off" else dict(zip(("distinct", "text", "contrast"), map(float, val.split(":")),
                                                            strict=False))
        elif key == "prf":
            k, b, where = val.split(":")
            kw["prf"] = (int(k), float(b), where)
        elif key == "lexprf":
            kw["lexprf"] = tuple(int(x) for x in val.split(":"))
        else:
            raise ValueError(f"unknown r5 key {key!r} in {spec!r}")
    if weights:
        kw["weights"] = weights
    return lambda: lab.r5_run(**kw)


DEFAULT_VARIANTS = "bm25,tfidf,lex:ours,dense:doc=title,dense:doc=shipped,shipped"


def alone_lines(lab: Lab) -> Run:
    """The shipped pipeline with the ``distinct`` signal's resume lines each embedded alone (a second forward pass
    per resume, as shipped from e8fb349 to 5edef36) instead of pooled from the query pass."""
    lab.line_context = False
    try:
        return lab.shipped_full_run()
    finally:
        lab.line_context = True


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--qrels", type=Path, default=JUDGE / "dev.qrels")
    ap.add_argument("--queries", type=Path, default=None, help="default: <qrels stem>.queries.jsonl")
    ap.add_argument("--limit", type=int, default=None, help="first N queries only")
    ap.add_argument("--variants", default=DEFAULT_VARIANTS, help="comma list, 'all', or 'list'")
    ap.add_argument("--binary-threshold", type=int, default=2)
    ap.add_argument("--cache", type=Path, default=Path("/tmp/jobmatch-eval-cache"))
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "quality.json")
    ap.add_argument("--specificity", type=Path, default=JUDGE / "specificity.jsonl",
                    help="specificity cases (hit rate reported per variant); 'none' to skip")
    ap.add_argument("--embed-only", nargs="?", const=True, default=False,
                    help="warm the embedding cache (optionally: comma list of doc representations) and stop")
    ap.add_argument("--embed-lines", type=int, default=0, metavar="N",
                    help="embed the requirement lines of every query's first-stage top N postings and stop")
    args = ap.parse_args(argv)

    queries_path = args.queries or args.qrels.with_name(args.qrels.name.split(".")[0] + ".queries.jsonl")
    qrels = read_qrels(args.qrels)
    queries = [q for q in load_queries(queries_path, args.data) if q["query_id"] in qrels]
    if args.limit:
        queries = queries[: args.limit]
    qrels = {q["query_id"]: qrels[q["query_id"]] for q in queries}
    corpus = load_corpus(args.data)
    emb = CachedEmbedder(args.cache, args.threads)
    lab = Lab(corpus, queries, emb)
    V = variants(lab)
    V["shipped"] = lambda: lab.shipped_full_run()
    V["shipped:lines-alone"] = lambda: alone_lines(lab)
    spec_cases = load_specificity(args.specificity) if str(args.specificity) != "none" else []
    spec_lab = Lab(corpus, spec_cases, emb) if spec_cases else None
    SV: dict[str, Callable[[], Run]] = {}
    seed_lab = None
    SEEDV: dict[str, Callable[[], Run]] = {}
    if spec_lab is not None:
        spec_lab._memo["lexidx"] = lab.lexical_index()
        SV = variants(spec_lab)
        SV["shipped"] = lambda: spec_lab.shipped_full_run()
        SV["shipped:lines-alone"] = lambda: alone_lines(spec_lab)
        seeds = [c for c in spec_cases if c["case_id"] in SEED_CASES]
        if seeds:  # the seed case as the service would rank it: only postings near Seattle (or remote)
            seed_lab = Lab(corpus, seeds, emb, eligible=corpus.near(*SEATTLE))
            seed_lab._memo["lexidx"] = lab.lexical_index()
            SEEDV = variants(seed_lab)
            SEEDV["shipped"] = lambda: seed_lab.shipped_full_run()
            SEEDV["shipped:lines-alone"] = lambda: alone_lines(seed_lab)
    if args.variants == "list":
        print("\n".join(V))
        return 0
    names = list(V) if args.variants == "all" else [v.strip() for v in args.variants.split(",") if v.strip()]
    for name in names:
        for prefix, make in (("pipe:", pipe_variant), ("r5:", r5_variant)):
            if name.startswith(prefix):
                V[name] = make(lab, name)
                if spec_lab is not None:
                    SV[name] = make(spec_lab, name)
                if seed_lab is not None:
                    SEEDV[name] = make(seed_lab, name)
    unknown = [n for n in names if n not in V]
    if unknown:
        ap.error(f"unknown variants {unknown}; try --variants list")
    if args.embed_lines:  # the postings whose line vectors are embedded: every query's first-stage top N
        want: set[str] = set()
        for lb in (lab, spec_lab, seed_lab):
            if lb is not None:
                for res in lb.first_stage().values():
                    want.update(corpus.ids[r] for r, _ in res[: args.embed_lines])
        (args.cache / "line-rows.json").write_text(json.dumps(sorted(want)))
        vecs, _ = lab.line_vecs()
        print(f"{len(want)} postings, {len(vecs)} distinct lines embedded", file=sys.stderr)
        return 0
    if args.embed_only:
        for rep in (args.embed_only.split(",") if isinstance(args.embed_only, str) else ["title", "shipped"]):
            lab.doc_vecs(rep)
        lab.query_vecs(2)
        return 0

    families = {q["query_id"]: q["family"] for q in queries}
    split = assign_splits(families)
    spec_split = assign_splits({c["case_id"]: c["group"] for c in spec_cases})
    print(f"{len(queries)} queries ({sum(v == 'tune' for v in split.values())} tune / "
          f"{sum(v == 'held' for v in split.values())} held), {len(corpus)} postings, qrels {args.qrels}",
          file=sys.stderr)
    results = {}
    for name in names:
        t0 = time.time()
        extra = {}
        if name in ("shipped", "first-stage"):
            extra = lab.shipped_run()[1]
        run = V[name]()
        m = _metrics(run, qrels, families, args.binary_threshold)
        m["splits"] = {s: _metrics(run, {q: r for q, r in qrels.items() if split[q] == s}, families,
                                   args.binary_threshold) for s in SPLITS}
        m.update(extra)
        if spec_lab is not None and not name.startswith(("dense:doc=title+desc", "dense:doc=desc")):
            srun = SV[name]()
            sp = specificity(srun, spec_cases, corpus)
            sp["splits"] = {s: {k: v for k, v in specificity(srun, [c for c in spec_cases if spec_split[c["case_id"]] == s],
                                                             corpus).items() if k != "per_case"} for s in SPLITS}
            for cid, pc in sp["per_case"].items():
                pc["split"] = spec_split[cid]
            m["specificity"] = sp
            if seed_lab is not None and not name.startswith("minmax"):
                seed_run = SEEDV[name]()
                m["seed_near_seattle"] = {c["case_id"]: next((i + 1 for i, d in enumerate(_dedupe(seed_run[c["case_id"]]))
                                                              if d in c["targets"]), None) for c in seed_lab.q}
        m["seconds"] = round(time.time() - t0, 1)
        results[name] = m
        print(f"{name:38s} {_line(m)}", flush=True)

    args.out.parent.mkdir(parents=True, exist_ok=True)
    payload = {"qrels": str(args.qrels.relative_to(ROOT) if args.qrels.is_relative_to(ROOT) else args.qrels),
               "queries": len(queries), "postings": len(corpus), "binary_threshold": args.binary_threshold,
               "metrics": "nDCG@10 (graded, linear gain), P@10, Recall@50, MRR (rel >= binary_threshold)",
               "split": {"salt": SPLIT_SALT, "stratified_by": "family (dev) / group (specificity)",
                         "dev": {s: sorted(q for q, v in split.items() if v == s) for s in SPLITS},
                         "specificity": {s: sorted(q for q, v in spec_split.items() if v == s) for s in SPLITS}},
               "seed_cases": {"filter": f"postings within 50 km of Seattle {SEATTLE} or remote open to US applicants",
                              "cases": list(SEED_CASES)},
               "results": results}
    args.out.write_text(json.dumps(payload, indent=2) + "\n")
    print("\n| variant | nDCG@10 tune | held | all | fam-macro tune | held | all | P@10 all | MRR all "
          "| spec hit tune | held | all | top 3 all | seed (plain) rank near Seattle |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name, m in results.items():
        sp = m.get("specificity")
        hits = [f"{sp['splits'][s]['hit_rate']:.0%}" for s in SPLITS] + [f"{sp['hit_rate']:.0%}"] if sp else ["–"] * 3
        top3 = f"{sp['top3_rate']:.0%}" if sp else "–"
        seed = m.get("seed_near_seattle", {}).get(SEED_CASES[0], "–")
        t, h = m["splits"]["tune"], m["splits"]["held"]
        print(f"| {name} | {t['ndcg@10']:.4f} | {h['ndcg@10']:.4f} | {m['ndcg@10']:.4f} "
              f"| {t['ndcg@10_family_macro']:.4f} | {h['ndcg@10_family_macro']:.4f} | {m['ndcg@10_family_macro']:.4f} "
              f"| {m['p@10']:.4f} | {m['mrr']:.4f} | {' | '.join(hits)} | {top3} | {seed if seed is not None else '>100'} |")
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


SEED_CASES = ("seed-sre-recsys-plain", "seed-sre-recsys")  # the case (plain wording first)
SEATTLE = (47.6062, -122.3321)


def _metrics(run: Run, qrels: Qrels, families: Mapping[str, str], threshold: int) -> dict:
    m = evaluate(run, qrels, threshold)
    m["ndcg@10_family_macro"] = family_macro_ndcg(run, qrels, {q: f for q, f in families.items() if q in qrels})
    by: dict[str, list[float]] = {}
    for q, rels in qrels.items():
        by.setdefault(families[q], []).append(ndcg_at(_dedupe(run.get(q, [])), rels, 10))
    m["ndcg@10_by_family"] = {f: round(float(np.mean(v)), 4) for f, v in sorted(by.items())}
    return m


def _line(m: dict) -> str:
    t, h = m["splits"]["tune"], m["splits"]["held"]
    out = (f"nDCG@10 tune {t['ndcg@10']:.4f} held {h['ndcg@10']:.4f} all {m['ndcg@10']:.4f}  "
           f"fam-macro {m['ndcg@10_family_macro']:.4f}  MRR {m['mrr']:.4f}")
    sp = m.get("specificity")
    if sp:
        out += (f"  spec hit tune {sp['splits']['tune']['hit_rate']:.2f} held {sp['splits']['held']['hit_rate']:.2f} "
                f"all {sp['hit_rate']:.2f} top3 {sp['top3_rate']:.2f}")
    if "seed_near_seattle" in m:
        out += f"  seed {m['seed_near_seattle']}"
    return out


if __name__ == "__main__":
    raise SystemExit(main())
