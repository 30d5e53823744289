"""Ranking stage: turns a resume query into a ranked list of index rows.

The matcher calls a :class:`Ranker`; the indexer builds a posting's texts and vectors with
:mod:`matcher.posting_index` and the matcher its query with :func:`query_text_for_embedding`, so what runs in production is exactly what
``benchmarks/eval_quality.py`` measures (see benchmarks/judgements/README.md for the numbers
behind every default here).

Contract of :meth:`Ranker.rank`:

* ``eligible`` is a boolean mask over index rows (hard filters already applied);
* ``dense_scores(mask, n)`` returns ``(rows, scores)``: the top-``n`` dense (cosine) results
  within ``mask``, provided by the index planner;
* the result is ``[(row, score), ...]`` best first, ties broken by ascending row, never a row
  outside ``eligible``, and ``min(k, eligible.sum())`` rows.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from .bm25 import LexicalIndex  # matcher.bm25 reads tokenize from here inside its functions only
from .posting_index import normalize_text

__all__ = [
    "DenseScores",
    "Ranker",
    "DenseRanker",
    "HybridRanker",
    "LexicalIndex",
    "query_text_for_embedding",
    "query_text_for_lexical",
    "resume_title_text",
    "tokenize",
    "rrf_fuse",
    "Ranked",
    "diversify",
    "company_key",
    "strength_parts",
    "readable_scores",
]

DenseScores = Callable[[np.ndarray, int], "tuple[np.ndarray, np.ndarray]"]


# A resume query is embedded as its first window only (the posting side: matcher.posting_index).
QUERY_WINDOWS = 1
# weight of the recent-job-titles list in the first stage's fusion: off. It gained 0.006 nDCG@10 on the tune half, but it is
# a title signal scored against title-family labels (issue 16: no title shortcut), it moved the plain seed case from
# 22nd to 28th, and it costs one more embedding per resume; `pipe:+titles=0.5` in benchmarks/eval_quality.py measures it
W_TITLES = 0.0


def default_ranker() -> Ranker:
    """The ranker the matcher should use (what benchmarks/eval_quality.py reports as 'shipped')."""
    return HybridRanker()


def query_text_for_embedding(resume_text: str | None) -> str:
    """Text embedded for a resume query: the resume text, normalised; embed it with
    ``max_windows=QUERY_WINDOWS`` (1: the first window, where headline, summary and skills sit on
    most resumes, measured better than pooling two windows)."""
    return normalize_text(resume_text)


def resume_title_text(resume_text: str | None) -> str:
    """The candidate's recent job titles (the dated entries of the resume's experience section, most recent
    first, as :func:`matcher.occupations.resume_titles` reads them; the headline is not read), joined: embedded
    as a short query for the first stage's third list. "" when none is found."""
    from .occupations import resume_titles

    return "; ".join(t for t, _ in resume_titles(resume_text or ""))


def query_text_for_lexical(resume_text: str | None) -> str:
    """Text searched on the lexical side: the whole resume (cutting it to its first 300 words
    measured the same within noise and saved ~1 ms)."""
    return normalize_text(resume_text)


# --------------------------------------------------------------------------------------------
# Tokenisation for the lexical index
# --------------------------------------------------------------------------------------------

_TOKEN = re.compile(r"[a-z0-9][a-z0-9+#]*(?:\.[a-z0-9+#]+)*|\.net\b")

_STOP = frozenset(
    """a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had
    has have having he her here hers herself him himself his how i if in into is it its itself just
    me more most my myself no nor not now of off on once only or other our ours ourselves out over
    own same she should so some such than that the their theirs them themselves then there these
    they this those through to too under until up very was we were what when where which while who
    whom why will with would you your yours yourself yourselves etc also within across per via
    """.split()
)


def _stem(tok: str) -> str:
    # Deliberately light: plural "s" only (keeps "aws", "kubernetes" distinctive enough).
    if len(tok) > 4 and tok.endswith("s") and tok.isalpha() and not tok.endswith(("ss", "us", "is")):
        return tok[:-1]
    return tok


def _term(tok: str) -> str:
    """A matched word's token: "" for a stop word or a lone letter (but c, r), else the light stem."""
    if tok in _STOP or len(tok) == 1 and tok not in {"c", "r"}:
        return ""
    return _stem(tok)


_TERMS: dict[str, str] = {}  # word -> _term(word), for the first _TERMS_MAX distinct words seen (a pure function)
_TERMS_MAX = 200_000


def tokenize(text: str) -> list[str]:
    """Lower-case word tokens, keeping c++, c#, .net, node.js; stop words dropped."""
    out = []
    get = _TERMS.get
    for tok in _TOKEN.findall((text or "").lower()):
        t = get(tok)
        if t is None:
            t = _term(tok)
            if len(_TERMS) < _TERMS_MAX:
                _TERMS[tok] = t
        if t:
            out.append(t)
    return out


# --------------------------------------------------------------------------------------------
# Ranking helpers
# --------------------------------------------------------------------------------------------


def _eligible_ranked(rows, scores, eligible: np.ndarray) -> np.ndarray:
    """A dense search's rows (``-1`` padding and rows out of range or not eligible dropped), best first."""
    rows = np.asarray(rows, dtype=np.int64)
    scores = np.asarray(scores, dtype=np.float64)
    ok = (rows >= 0) & (rows < eligible.size)
    rows, scores = rows[ok], scores[ok]
    ok = eligible[rows]
    rows, scores = rows[ok], scores[ok]
    return rows[_order(rows, scores)]


def _order(rows: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """Indices sorting by score descending, then row ascending (deterministic ties)."""
    return np.lexsort((rows, -scores))


def _top_within(scores: np.ndarray, mask: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Top-``n`` (rows, scores) of a dense score vector restricted to ``mask``."""
    rows = np.flatnonzero(mask)
    if rows.size == 0 or n <= 0:
        return rows[:0], scores[:0].astype(np.float32)
    s = scores[rows]
    if rows.size > n:
        # keep everything tied with the n-th score so tie-breaking by row stays exact
        kth = np.partition(-s, n - 1)[n - 1]
        keep = -s <= kth
        rows, s = rows[keep], s[keep]
    o = _order(rows, s)[:n]
    return rows[o], s[o]


def rrf_fuse(
    ranked_lists: Sequence[np.ndarray], weights: Sequence[float] | None = None, k: float = 60.0
) -> dict[int, float]:
    """Reciprocal rank fusion: score(row) = sum_i w_i / (k + rank_i(row)), rank from 1."""
    weights = weights or [1.0] * len(ranked_lists)
    fused: dict[int, float] = {}
    for rows, w in zip(ranked_lists, weights, strict=False):
        for r, row in enumerate(np.asarray(rows).tolist(), start=1):
            fused[row] = fused.get(row, 0.0) + w / (k + r)
    return fused


def _finish(rows: np.ndarray, scores: np.ndarray, k: int) -> list[tuple[int, float]]:
    rows = np.asarray(rows, dtype=np.int64)
    scores = np.asarray(scores, dtype=np.float64)
    o = _order(rows, scores)[: max(k, 0)]
    return [(int(rows[i]), float(scores[i])) for i in o]


class Ranker(Protocol):
    def rank(
        self,
        query_text: str,
        query_vec: np.ndarray,
        eligible: np.ndarray,
        k: int,
        dense_scores: DenseScores,
    ) -> list[tuple[int, float]]: ...


class DenseRanker:
    """Plain dense top-k (cosine of normalised vectors, as returned by ``dense_scores``)."""

    def rank(self, query_text, query_vec, eligible, k, dense_scores) -> list[tuple[int, float]]:
        eligible = np.asarray(eligible, dtype=bool)
        n = int(min(k, eligible.sum()))
        if n <= 0:
            return []
        rows, scores = dense_scores(eligible, n)
        rows = np.asarray(rows, dtype=np.int64)
        keep = (rows >= 0) & (rows < eligible.size)
        rows, scores = rows[keep], np.asarray(scores)[keep]
        keep = eligible[rows]
        return _finish(rows[keep], scores[keep], n)


# --------------------------------------------------------------------------------------------
# Lexical index: matcher.bm25.LexicalIndex (segmented BM25, written incrementally), imported above
# --------------------------------------------------------------------------------------------


class HybridRanker:
    """Dense + BM25, fused by reciprocal rank fusion over the top candidates of each side.

    ``candidates`` results are taken from each side within ``eligible``; fused score is
    ``w_dense/(rrf_k + rank_dense) + w_lex/(rrf_k + rank_lex)``. Rows outside a side's top
    list get nothing from that side. Lexical scoring covers the whole resume text and costs a
    few ms for ~8k postings; no extra embedding is needed.
    """

    def __init__(
        self,
        lexical: LexicalIndex | None = None,
        *,
        candidates: int = 100,
        rrf_k: float = 60.0,
        w_dense: float = 1.0,
        w_lex: float = 1.0,
        w_titles: float = W_TITLES,
    ) -> None:
        self.lexical = lexical or LexicalIndex()
        self.candidates = candidates
        self.rrf_k = rrf_k
        self.w_dense = w_dense
        self.w_lex = w_lex
        self.w_titles = w_titles

    # index maintenance -------------------------------------------------------------------
    def build(self, texts: Sequence[str]) -> HybridRanker:
        self.lexical.build(texts)
        return self

    def add(self, rows: Iterable[int], texts: Iterable[str]) -> HybridRanker:
        self.lexical.add(rows, texts)
        return self

    def save(self, directory: str | Path) -> None:
        d = Path(directory)
        self.lexical.save(d)
        (d / "ranker.json").write_text(json.dumps(
            {"kind": "hybrid-rrf", "candidates": self.candidates, "rrf_k": self.rrf_k,
             "w_dense": self.w_dense, "w_lex": self.w_lex, "w_titles": self.w_titles}))

    @classmethod
    def load(cls, directory: str | Path) -> HybridRanker:
        d = Path(directory)
        cfg = json.loads((d / "ranker.json").read_text()) if (d / "ranker.json").exists() else {}
        cfg.pop("kind", None)
        return cls(LexicalIndex.load(d), **cfg)

    # ranking -----------------------------------------------------------------------------
    def rank(self, query_text, query_vec, eligible, k, dense_scores, *,
             title_scores: DenseScores | None = None) -> list[tuple[int, float]]:
        return [(c.row, c.fused) for c in self.rank_detailed(query_text, query_vec, eligible, k, dense_scores,
                                                             title_scores=title_scores)]

    def rank_detailed(self, query_text, query_vec, eligible, k, dense_scores, *,
                      title_scores: DenseScores | None = None) -> list[Ranked]:
        """:meth:`rank` with each candidate's rank on the dense and the lexical side (None: not in that
        side's top ``candidates``). ``title_scores``: a third dense list, the candidate's recent job titles
        (from the experience section; :func:`resume_title_text`) against the posting vectors, fused with
        weight ``w_titles``; None when the resume names no known title."""
        eligible = np.asarray(eligible, dtype=bool)
        n_elig = int(eligible.sum())
        k = int(min(k, n_elig))
        if k <= 0:
            return []
        n = max(self.candidates, k)
        d_rows = _eligible_ranked(*dense_scores(eligible, min(n, n_elig)), eligible)

        if self.w_lex:
            lex = self.lexical.scores(query_text, eligible.size)[: eligible.size]
            lmask = eligible.copy()
            lmask[: lex.size] &= lex > 0
            lmask[lex.size:] = False
            l_rows, _ = _top_within(lex, lmask, n)
        else:  # the lexical side weighs nothing: not scored
            l_rows = d_rows[:0]

        lists, weights = [d_rows, l_rows], [self.w_dense, self.w_lex]
        t_rows = d_rows[:0]
        if title_scores is not None and self.w_titles:
            t_rows = _eligible_ranked(*title_scores(eligible, min(n, n_elig)), eligible)
            lists.append(t_rows)
            weights.append(self.w_titles)
        fused = rrf_fuse(lists, weights, self.rrf_k)
        rows = np.fromiter(fused.keys(), dtype=np.int64, count=len(fused))
        scores = np.fromiter(fused.values(), dtype=np.float64, count=len(fused))
        out = _finish(rows, scores, k)
        if len(out) < k:  # fewer candidates than k (tiny corpora): pad with eligible rows
            seen = {r for r, _ in out}
            for r in np.flatnonzero(eligible).tolist():
                if len(out) >= k:
                    break
                if r not in seen:
                    out.append((r, 0.0))
        d_pos = {r: i for i, r in enumerate(d_rows.tolist(), start=1)}
        l_pos = {r: i for i, r in enumerate(l_rows.tolist(), start=1)}
        t_pos = {r: i for i, r in enumerate(t_rows.tolist(), start=1)}
        return [Ranked(r, s, d_pos.get(r), l_pos.get(r), t_pos.get(r)) for r, s in out]


# --------------------------------------------------------------------------------------------
# First stage with its signals (for the second stage, the readable score and explanations)
# --------------------------------------------------------------------------------------------


class Ranked:
    """One first-stage candidate: its row, fused score and the rank (1-based) it had on each list (dense, lexical,
    recent job titles; None: not in that list)."""

    __slots__ = ("row", "fused", "dense_rank", "lex_rank", "title_rank")

    def __init__(self, row: int, fused: float, dense_rank: int | None, lex_rank: int | None,
                 title_rank: int | None = None) -> None:
        self.row, self.fused, self.dense_rank, self.lex_rank = row, fused, dense_rank, lex_rank
        self.title_rank = title_rank

    def __repr__(self) -> str:
        return (f"Ranked({self.row}, {self.fused:.5f}, dense={self.dense_rank}, lex={self.lex_rank}, "
                f"titles={self.title_rank})")


# --------------------------------------------------------------------------------------------
# Diversity: a cap per company, near-identical texts spaced
# --------------------------------------------------------------------------------------------

NEAR_DUPLICATE = 0.8  # Jaccard of token 4-shingle sketches (PostingLines.signature) above which two texts are "the same"


def _jaccard(a: frozenset, b: frozenset) -> float:
    if not a or not b:
        return 0.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


def company_key(company: str | None) -> str | None:
    """Company name folded for the per-company cap ("Acme, Inc." == "ACME Inc")."""
    if not company:
        return None
    key = re.sub(r"[^a-z0-9]+", " ", company.lower())
    key = re.sub(r"\b(inc|llc|ltd|corp|corporation|co|company|gmbh|plc|lp)\b", " ", key)
    return " ".join(key.split()) or None


DIVERSITY_PAGE = 10


def diversify(companies: Sequence[str | None], signatures: Sequence[frozenset], max_per_company: int,
              near_duplicate: float = NEAR_DUPLICATE, page: int = DIVERSITY_PAGE, *,
              vectors: np.ndarray | None = None, near_vector: float | None = None,
              limit: int | None = None) -> tuple[list[int], dict[int, str]]:
    """Re-order a ranked list (positions ``0..n-1``, best first) so one company or one text cannot fill a page.

    The list is filled page by page (``page`` results): walking down what is left, a posting waits for the
    next page when ``max_per_company`` postings of its company are already on this page, or when its text is
    near-identical (Jaccard of word shingles >= ``near_duplicate``) to one already on it. Nothing is dropped
    (k results still come back when k are eligible) and a held-back posting is only spaced out, first in line
    on the next page. ``max_per_company`` 0 turns both off. ``vectors`` (unit rows, one per position) with
    ``near_vector``: a posting whose vector's cosine with one already on the page is at least ``near_vector`` is
    near-identical too (measured in benchmarks/eval_quality.py, off by default). ``limit``: only the first
    ``limit`` places are needed — pages stop once they are filled and the rest follows in its given order (the
    first ``limit`` are what a full pass gives; ``signatures`` may then be a lazy sequence: only the postings
    looked at are read). Returns the new order and, per held-back position, why."""
    n = len(companies)
    if max_per_company <= 0 or n == 0:
        return list(range(n)), {}
    keys = [company_key(c) for c in companies]
    out: list[int] = []
    why: dict[int, str] = {}
    remaining = list(range(n))
    while remaining and (limit is None or len(out) < limit):
        on_page: list[int] = []
        per: dict[str, int] = {}
        rest: list[int] = []
        for i in remaining:
            if len(on_page) >= page:
                rest.append(i)
                continue
            ck = keys[i]
            if ck is not None and per.get(ck, 0) >= max_per_company:
                rest.append(i)
                why.setdefault(i, f"more than {max_per_company} from {companies[i]} on one page")
                continue
            dup = next((j for j in on_page if _jaccard(signatures[i], signatures[j]) >= near_duplicate
                        or (near_vector is not None and float(vectors[i] @ vectors[j]) >= near_vector)), None)
            if dup is not None:
                rest.append(i)
                why.setdefault(i, "near-identical to a result above" + (f" ({companies[dup]})" if companies[dup]
                                                                         else ""))
                continue
            on_page.append(i)
            if ck is not None:
                per[ck] = per.get(ck, 0) + 1
        out += on_page
        remaining = rest
    out += remaining  # empty unless ``limit`` stopped the pages
    return out, {i: w for i, w in why.items() if out.index(i) > i}


# --------------------------------------------------------------------------------------------
# A score people can read
# --------------------------------------------------------------------------------------------

# points each signal can give (sum 100) and the raw value at which it gives all of them
STRENGTH_POINTS = {"semantic": 40.0, "requirements": 30.0, "text": 20.0, "occupation": 10.0}
# calibrated on real resumes (livecareer + the specificity set) against the 6,665 real postings: the best result's
# cosine is 0.37 / 0.54 / 0.77 at the 10th / 50th / 90th percentile, requirement coverage of the top ten 0.1-0.3,
# whole-text cosine 0.05-0.15; so a typical good match lands around 50 and a near-perfect one near 90
_SEM_ZERO, _SEM_FULL = 0.25, 0.80   # cosine of resume and posting vectors
_REQ_FULL = 0.5                     # share of the posting's requirement lines the resume shows
_TEXT_FULL = 0.25                   # tf-idf cosine of the whole texts


def strength_parts(similarity: float | None, coverage: float | None, text: float | None,
                   occupation: float | None) -> dict[str, float]:
    """Points per signal (see :data:`STRENGTH_POINTS`); an unknown signal gives 0."""
    def clip(x: float) -> float:
        return max(0.0, min(1.0, x))

    sem = clip(((similarity or 0.0) - _SEM_ZERO) / (_SEM_FULL - _SEM_ZERO)) if similarity is not None else 0.0
    req = clip((coverage or 0.0) / _REQ_FULL)
    txt = clip((text or 0.0) / _TEXT_FULL)
    occ = clip(occupation or 0.0)
    P = STRENGTH_POINTS
    return {"semantic": round(P["semantic"] * sem, 1), "requirements": round(P["requirements"] * req, 1),
            "text": round(P["text"] * txt, 1), "occupation": round(P["occupation"] * occ, 1)}


def readable_scores(parts: Sequence[dict[str, float]]) -> list[int]:
    """0-100 per result, in the given (final) order: the sum of its points, never above the result ranked
    before it (so the number falls with the rank)."""
    out: list[int] = []
    cap = 100
    for p in parts:
        v = int(round(min(100.0, max(0.0, sum(p.values())))))
        v = min(v, cap)
        out.append(v)
        cap = v
    return out

