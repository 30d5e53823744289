"""Second ranking stage: reads the whole posting against the whole resume, over the fused top candidates.

The first stage (:class:`matcher.ranking.HybridRanker`) fuses a dense list, where the posting title weighs
most, with BM25. Many postings share one title, so the first stage alone cannot tell a generic "Site
Reliability Engineer" from the one whose duties are the resume's. This stage reads, for each candidate:

* **requirement coverage** — the posting's requirement and responsibility lines (one ask per line;
  equal-opportunity, benefits and application boilerplate dropped), each scored by the idf-weighted share of
  its words the resume shows, averaged over the lines; skills from the skill vocabulary
  (:mod:`matcher.resumes.skills`) count the same way (share of the posting's skills the resume names);
* **text similarity** — cosine of log-tf x idf vectors of the whole resume and the whole posting.

Nothing here needs new per-posting index data: the posting text comes from the lexical side (or the store),
document frequencies from the BM25 index. Functions take plain texts, so the reverse direction (candidates
for a job) can call them with the roles swapped. ``benchmarks/eval_quality.py`` measures the options
(benchmarks/judgements/README.md has the numbers behind the defaults).
"""
from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Sequence

import numpy as np

from .ranking import tokenize

__all__ = ["IdfTable", "PostingDigest", "ResumeDigest", "Reading", "digest_posting", "digest_resume", "read_whole",
           "posting_lines", "STAGE2_WEIGHTS"]

# boilerplate lines: equal opportunity, benefits, how to apply, privacy — not asks of the candidate
_BOILER = re.compile(
    r"equal (employment )?opportunit|without regard to|regard to race|race, colou?r|national origin|gender identity|"
    r"sexual orientation|protected veteran|veteran status|disabilit|reasonable accommodation|accommodations?\b|"
    r"e-?verify|affirmative action|\bbenefits\b|401\(?k\)?|paid time off|\bpto\b|dental|vision insurance|"
    r"health insurance|medical,|parental leave|apply now|click apply|to apply\b|privacy (policy|notice)|"
    r"committed to (creating|providing|building|diversity|an inclusive)|diverse (and|&) inclusive|inclusive "
    r"(workplace|environment|space)|recruitment process|background check|drug[- ]free|unsolicited|"
    r"staffing agenc|pay transparency|salary range|compensation range|we offer|perks", re.I)

MIN_LINE_TOKENS = 3
MAX_LINES = 60
# How the stage-2 reading and the first-stage rank are mixed (measured in benchmarks/eval_quality.py)
STAGE2_WEIGHTS = {"prior": 1.0, "coverage": 0.6, "text": 0.6, "skills": 0.0, "occupation": 0.5}


class IdfTable:
    """Inverse document frequency over a corpus (BM25's idf: ``log(1 + (N - df + .5) / (df + .5))``)."""

    def __init__(self, df: dict[str, int], n_docs: int) -> None:
        self.df, self.n = df, max(int(n_docs), 1)
        self._unknown = math.log(1 + (self.n + 0.5) / 0.5) if self.n else 1.0

    @classmethod
    def from_texts(cls, texts: Sequence[str]) -> "IdfTable":
        df: Counter[str] = Counter()
        for t in texts:
            df.update(set(tokenize(t)))
        return cls(dict(df), len(texts))

    @classmethod
    def from_bm25(cls, bm) -> "IdfTable":
        """From a built ``bm25s.BM25`` (document frequency = entries per token column)."""
        indptr = np.asarray(bm.scores["indptr"])
        counts = np.diff(indptr)
        df = {tok: int(counts[i]) for tok, i in bm.vocab_dict.items() if i < counts.size}
        return cls(df, int(bm.scores["num_docs"]))

    def __call__(self, tok: str) -> float:
        d = self.df.get(tok)
        if d is None:
            return self._unknown
        return math.log(1 + (self.n - d + 0.5) / (d + 0.5))


def posting_lines(description: str | None) -> list[str]:
    """The posting's requirement and responsibility lines: lines of at least three content words, boilerplate
    (equal opportunity, benefits, how to apply) dropped; long paragraphs are split into sentences."""
    out: list[str] = []
    for line in (description or "").split("\n"):
        line = line.strip(" -•*\t")
        if not line:
            continue
        parts = re.split(r"(?<=[.;!?])\s+(?=[A-Z])", line) if len(line) > 240 else [line]
        for s in parts:
            if _BOILER.search(s):
                continue
            if len(tokenize(s)) >= MIN_LINE_TOKENS:
                out.append(s)
            if len(out) >= MAX_LINES:
                return out
    return out


@dataclass(frozen=True)
class PostingDigest:
    tf: dict[str, int]
    lines: tuple[frozenset[str], ...]
    line_texts: tuple[str, ...]
    skills: tuple[str, ...]


@dataclass(frozen=True)
class ResumeDigest:
    tf: dict[str, int]
    tokens: frozenset[str]
    skills: frozenset[str]


def digest_posting(title: str | None, description: str | None, *, skills: bool = True) -> PostingDigest:
    lines = posting_lines(description)
    toks = tokenize(f"{title or ''}\n{description or ''}")
    sk: tuple[str, ...] = ()
    if skills:
        from .resumes.skills import extract_skills

        sk = tuple(extract_skills(f"{title or ''}\n{description or ''}"))
    return PostingDigest(dict(Counter(toks)), tuple(frozenset(tokenize(s)) for s in lines), tuple(lines), sk)


@lru_cache(maxsize=16384)
def digest_posting_cached(key: str, title: str | None, description: str | None) -> PostingDigest:
    """:func:`digest_posting` memoised by posting id + text (a changed posting gets a new entry)."""
    return digest_posting(title, description)


def digest_resume(text: str, skills: Sequence[str] | None = None) -> ResumeDigest:
    toks = tokenize(text)
    if skills is None:
        from .resumes.skills import extract_skills

        skills = extract_skills(text)
    return ResumeDigest(dict(Counter(toks)), frozenset(toks), frozenset(skills))


@dataclass
class Reading:
    """What the second stage read in one posting for one resume."""

    coverage: float            # idf-weighted share of the posting's requirement lines the resume shows, 0..1
    text: float                # tf-idf cosine of the whole texts, 0..1
    skills: float              # share of the posting's skills the resume names (0 when the posting names none)
    lines: int                 # requirement lines read
    lines_met: int             # lines with at least half their weight shown
    skills_in_common: list[str] = field(default_factory=list)
    skills_missing: list[str] = field(default_factory=list)
    occupation: float | None = None  # agreement of the two O*NET occupations (matcher.occupations), None: unknown


def _vec(tf: dict[str, int], idf: IdfTable) -> dict[str, float]:
    return {t: (1.0 + math.log(c)) * idf(t) for t, c in tf.items()}


def read_whole(resume: ResumeDigest, posting: PostingDigest, idf: IdfTable, *,
               resume_vec: dict[str, float] | None = None) -> Reading:
    """Read one posting against one resume (both digested)."""
    have = resume.tokens
    fracs: list[float] = []
    met = 0
    for line in posting.lines:
        w = [idf(t) for t in line]
        tot = sum(w)
        if tot <= 0:
            continue
        got = sum(x for t, x in zip(line, w) if t in have) / tot
        fracs.append(got)
        met += got >= 0.5
    coverage = float(np.mean(fracs)) if fracs else 0.0
    rv = resume_vec if resume_vec is not None else _vec(resume.tf, idf)
    pv = _vec(posting.tf, idf)
    dot = sum(v * rv[t] for t, v in pv.items() if t in rv)
    nr = math.sqrt(sum(v * v for v in rv.values())) or 1.0
    npv = math.sqrt(sum(v * v for v in pv.values())) or 1.0
    common = [s for s in posting.skills if s in resume.skills]
    missing = [s for s in posting.skills if s not in resume.skills]
    return Reading(coverage=coverage, text=dot / (nr * npv),
                   skills=len(common) / len(posting.skills) if posting.skills else 0.0,
                   lines=len(fracs), lines_met=met, skills_in_common=common, skills_missing=missing)


def stage2_scores(prior: Sequence[float], readings: Sequence[Reading],
                  weights: dict[str, float] | None = None) -> np.ndarray:
    """Final scores of the candidates: each signal min-max scaled within the candidates, then weighted.

    ``prior`` is the first-stage score (fused RRF), best first or not: only its values count."""
    w = {**STAGE2_WEIGHTS, **(weights or {})}
    n = len(readings)
    if n == 0:
        return np.zeros(0)
    cols = {"prior": np.asarray(prior, dtype=np.float64),
            "coverage": np.array([r.coverage for r in readings]),
            "text": np.array([r.text for r in readings]),
            "skills": np.array([r.skills for r in readings]),
            "occupation": np.array([r.occupation or 0.0 for r in readings])}
    out = np.zeros(n)
    for name, x in cols.items():
        if not w.get(name):
            continue
        lo, hi = float(x.min()), float(x.max())
        out += w[name] * ((x - lo) / (hi - lo) if hi > lo else np.zeros(n))
    return out


STAGE2_N = 50  # first-stage candidates the second stage reads
_UNSET = object()


@dataclass
class Reranked:
    """The final order over the first stage's candidates: ``order`` indexes the input lists."""

    order: list[int]
    scores: list[float]                 # stage-2 score per input position (first-stage score beyond ``n``)
    readings: list[Reading | None]      # per input position (None beyond ``n``)


def rerank(resume_text: str, resume_skills: Sequence[str] | None, titles: Sequence[str | None],
           descriptions: Sequence[str | None], prior: Sequence[float], idf: IdfTable, *,
           keys: Sequence[str] | None = None, n: int = STAGE2_N,
           weights: dict[str, float] | None = None, resume_occ=_UNSET) -> Reranked:
    """Re-order the first ``n`` candidates (given best first, with their first-stage ``prior`` scores) by
    :func:`stage2_scores`; the rest keep their first-stage order after them. Ties: input order."""
    from .occupations import agreement, classify_title

    m = min(n, len(prior))
    rd = digest_resume(resume_text, resume_skills)
    rv = _vec(rd.tf, idf)
    if resume_occ is _UNSET:
        from .occupations import resume_occupation

        resume_occ = resume_occupation(resume_text)
    readings: list[Reading | None] = []
    for i in range(m):
        d = (digest_posting_cached(keys[i], titles[i], descriptions[i]) if keys is not None
             else digest_posting(titles[i], descriptions[i]))
        r = read_whole(rd, d, idf, resume_vec=rv)
        r.occupation = agreement(resume_occ, classify_title(titles[i]))
        readings.append(r)
    s = stage2_scores(list(prior[:m]), readings, weights) if m else np.zeros(0)
    head = sorted(range(m), key=lambda i: (-s[i], i))
    scores = [float(x) for x in s] + [float(x) for x in prior[m:]]
    return Reranked(order=head + list(range(m, len(prior))), scores=scores,
                    readings=readings + [None] * (len(prior) - m))
