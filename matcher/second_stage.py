"""Second ranking stage: reads the whole posting against the whole resume, over the fused top candidates.

The first stage (:class:`matcher.ranking.HybridRanker`) fuses a dense list, where the posting title weighs
most, with BM25. Many postings share one title, so the first stage alone cannot tell a generic "Site
Reliability Engineer" from the one whose duties are the resume's. This stage reads, for each candidate:

* **requirement coverage** — the posting's requirement and responsibility lines (one ask per line;
  equal-opportunity, benefits and application boilerplate dropped), each scored by the idf-weighted share of
  its words the resume shows, averaged over the lines;
* **text similarity** — cosine of log-tf x idf vectors of the whole resume and the whole posting;
* **occupation agreement** (:mod:`matcher.occupations`).

The posting side is read from arrays built once with the BM25 index (:class:`PostingLines`, saved beside it),
so no posting is tokenised at query time. ``benchmarks/eval_quality.py`` measures the options (README,
"Ranking quality", has the numbers behind the defaults).
"""
from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .ranking import tokenize

__all__ = ["Reading", "PostingLines", "posting_lines", "stage2_scores", "rerank_rows", "Reranked", "STAGE2_N",
           "STAGE2_WEIGHTS", "local_contrast", "resume_line_spans", "resume_line_vectors", "resume_lines", "RESUME_LINE_WORDS",
           "RESUME_LINE_MIN_TOKENS", "STAGE2_GROUP", "title_key", "group_order", "numeric_ids"]

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
# (round 5: coverage 0.6 -> 1.0, text 0.6 -> 0.3, re-fitted on the tune half for the pooled line vectors; occupation
# held at 0.5 — raising it is a title signal scored against title-family labels)
STAGE2_WEIGHTS = {"prior": 1.0, "coverage": 1.0, "text": 0.3, "occupation": 0.5, "contrast": 0.0, "semantic": 1.0,
                  "distinct": 1.0}
# the resume's lines read by the ``distinct`` signal: those within its first 100 words (about 7 lines, one short
# embedding call per upload), of at least 4 content words, the headline (first line) left out — short lines are
# mostly job titles and the headline is one: a title signal scored against title-family labels (issue 16; with
# them the tune half scored 0.4486 instead of 0.4353, README "Ranking quality")
RESUME_LINE_WORDS = 100
RESUME_LINE_MIN_TOKENS = 4
# Same-title groups (round 5): among the second stage's candidates, postings that share a normalised title
# (:func:`title_key`) keep the places their group holds in the list and are ordered among themselves by what their
# descriptions say to this resume — these :func:`stage2_scores` signals, each min-max scaled within the candidates
# (the title-heavy ones, first-stage score, semantic cosine and occupation, are the same or nearly so inside a
# group). Reorders nothing across titles, so which titles fill the page does not change. {} = off.
# Round 6: *contrast* (the resume's words this posting shares that few of the other candidates share) instead of the
# whole-text cosine: the cosine favours the generic postings that list the resume's common stack (Kubernetes, AWS,
# ...); contrast and distinct both read what sets a posting apart from the candidates around it; numbers (years, phone
# digits) count nothing in it (:func:`numeric_ids`). Tune: the same hits, nDCG@10 -0.002 +- 0.003; the plain seed
# resume 7th -> 2nd near Seattle (README "Ranking quality", round 6).
STAGE2_GROUP = {"distinct": 1.0, "contrast": 1.0}


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


@dataclass
class Reading:
    """What the second stage read in one posting for one resume."""

    coverage: float            # idf-weighted share of the posting's requirement lines the resume shows, 0..1
    text: float                # tf-idf cosine of the whole texts, 0..1
    lines: int                 # requirement lines read
    lines_met: int             # lines with at least half their weight shown
    occupation: float | None = None  # agreement of the two O*NET occupations (matcher.occupations), None: unknown
    contrast: float = 0.0      # resume words this posting shares that few of the other candidates share (idf-weighted;
    # computed when a weight or the same-title groups read it)
    semantic: float | None = None  # cosine of the resume and posting vectors (the first stage's dense score)
    distinct: float | None = None  # local contrast: the resume's best line vs the posting, both seen from the
    # candidates' centroid (:func:`local_contrast`), None: not computed


def stage2_scores(prior: Sequence[float], readings: Sequence[Reading],
                  weights: dict[str, float] | None = None) -> np.ndarray:
    """Final scores of the candidates: each signal min-max scaled within the candidates, then weighted.

    ``prior`` is the first-stage score (fused RRF), best first or not: only its values count."""
    unknown = set(weights or {}) - set(STAGE2_WEIGHTS)
    if unknown:
        raise ValueError(f"unknown second-stage signal(s) {sorted(unknown)}; the signals are {sorted(STAGE2_WEIGHTS)}")
    w = {**STAGE2_WEIGHTS, **(weights or {})}
    n = len(readings)
    if n == 0:
        return np.zeros(0)
    cols = {"prior": np.asarray(prior, dtype=np.float64),
            "coverage": np.array([r.coverage for r in readings]),
            "text": np.array([r.text for r in readings]),
            "occupation": np.array([r.occupation or 0.0 for r in readings]),
            "semantic": np.array([r.semantic if r.semantic is not None else np.nan for r in readings]),
            "contrast": np.array([r.contrast for r in readings]),
            "distinct": np.array([r.distinct if r.distinct is not None else np.nan for r in readings])}
    out = np.zeros(n)
    for name, x in cols.items():
        if not w.get(name):
            continue
        known = ~np.isnan(x)
        if not known.any():
            continue
        lo, hi = float(x[known].min()), float(x[known].max())
        out += w[name] * np.where(known, (x - lo) / (hi - lo) if hi > lo else 0.0, 0.0)
    return out


STAGE2_N = 50  # first-stage candidates the second stage reads (100 measured better on tune in round 5, +0.004 nDCG@10
# with the same-title groups, for +4.6 ms CPU per upload: not kept; README "Ranking quality")


def resume_lines(text: str | None, max_words: int = RESUME_LINE_WORDS, min_tokens: int = RESUME_LINE_MIN_TOKENS,
                 headline: bool = False) -> list[str]:
    """The resume's lines (long paragraphs split into sentences) within its first ``max_words`` words, those of at
    least ``min_tokens`` content words: what the ``distinct`` signal embeds, one vector each. The resume's first
    line (its headline) is left out unless ``headline``."""
    out: list[str] = []
    words = 0
    parts = _line_parts(text or "")
    for part in parts if headline else parts[1:]:
        n = len(part.split())
        if words + n > max_words and out:
            break
        words += n
        if len(tokenize(part)) >= min_tokens:
            out.append(part)
    return out


def resume_line_spans(text: str | None, max_words: int = RESUME_LINE_WORDS,
                      min_tokens: int = RESUME_LINE_MIN_TOKENS, headline: bool = False) -> list[tuple[int, int]]:
    """Where each of :func:`resume_lines` sits in ``text``: ``(start, end)`` character offsets, in order. The
    ``distinct`` signal's line vectors are pooled over these spans from the resume's own query pass
    (:meth:`matcher.embed.Embedder.embed_queries_with_spans`): each line read in its context, no pass of its own."""
    text = text or ""
    spans: list[tuple[int, int]] = []
    pos = 0
    for line in resume_lines(text, max_words, min_tokens, headline):
        a = text.find(line, pos)
        if a < 0:  # a line is a piece of the text; kept defensive
            continue
        spans.append((a, a + len(line)))
        pos = a + len(line)
    return spans


def resume_line_vectors(embedder, texts: Sequence[str], *, max_windows: int | None, batch_size: int = 64,
                        **lines) -> tuple[np.ndarray, list[np.ndarray]]:
    """Each query text's vector (``embedder.embed_queries``' bits) and its :func:`resume_line_spans` vectors
    (``lines``: that function's keywords) pooled from the same forward pass; a line with no token in the first
    window is left out (an empty array: the text has no such line)."""
    Q, S = embedder.embed_queries_with_spans(list(texts), [resume_line_spans(t, **lines) for t in texts],
                                             max_windows=max_windows, batch_size=batch_size)
    return Q, [s[~np.isnan(s).any(axis=1)] for s in S]


def local_contrast(query: np.ndarray, cands: np.ndarray, *, neighbours: int = 0,
                   groups: Sequence[object] | None = None, min_group: int = 3) -> np.ndarray:
    """Per candidate: cos(q - m, d - m), the resume's and the posting's vectors seen from a local centre ``m`` of
    the candidates — what tells a posting from the generic majority it stands among, and whether that points
    where the resume does. ``m``: the centroid of all candidates (default), of the ``neighbours`` nearest other
    candidates, or of the candidates sharing the posting's ``groups`` key (groups smaller than ``min_group``: all
    candidates). ``query`` may be one vector or several (the resume's lines): then the best line counts."""
    C = np.asarray(cands, dtype=np.float64)
    n = C.shape[0]
    if n == 0:
        return np.zeros(0)
    M = np.repeat(C.mean(0, keepdims=True), n, axis=0)
    if neighbours and n > 1:
        S = C @ C.T
        np.fill_diagonal(S, -np.inf)
        k = min(neighbours, n - 1)
        idx = np.argpartition(-S, k - 1, axis=1)[:, :k]
        M = C[idx].mean(1)
    elif groups is not None:
        by: dict[object, list[int]] = {}
        for i, g in enumerate(groups):
            if g is not None:
                by.setdefault(g, []).append(i)
        for members in by.values():
            if len(members) >= min_group:
                M[members] = C[members].mean(0)
    Dd = C - M
    dn = np.linalg.norm(Dd, axis=1)
    Q = np.atleast_2d(np.asarray(query, dtype=np.float64))
    Qd = Q[None, :, :] - M[:, None, :]                      # candidates x query vectors x dim
    qn = np.linalg.norm(Qd, axis=2)
    cos = np.einsum("nld,nd->nl", Qd, Dd) / np.maximum(qn * dn[:, None], 1e-12)
    return cos.max(1)
_UNSET = object()

_NUMERIC = re.compile(r"[0-9][0-9.]*")


def numeric_ids(vocab, text: str | None) -> list[int]:
    """Token ids (in ``vocab``) of the text's numbers — years, months, phone numbers, zip codes, requisition ids:
    what the ``contrast`` signal leaves out (round 6: on the plain seed resume its top words were "206" (the phone's
    area code) and "2017"). Words with letters ("5g", "s3", "3d") are kept."""
    out = []
    for t in set(tokenize(text or "")):
        if _NUMERIC.fullmatch(t):
            i = vocab.get(t)
            if i is not None:
                out.append(i)
    return out

_TITLE_NOISE = frozenset({"senior", "sr", "junior", "jr", "lead", "principal", "staff", "i", "ii", "iii", "iv",
                          "remote"})
_TITLE_CUT = re.compile(r"\s+[-–—|:]\s+|\s*[|,(\[]\s*")
_TITLE_WORD = re.compile(r"[a-z0-9+#]+")


def title_key(title: str | None) -> str:
    """A posting title without seniority / contract words and without what follows a separator — the generic
    title: "Sr. Site Reliability Engineer - Recommendation Infrastructure" -> "site reliability engineer"."""
    t = _TITLE_CUT.split((title or "").lower(), maxsplit=1)[0]
    return " ".join(w for w in _TITLE_WORD.findall(t) if w not in _TITLE_NOISE)


def group_order(order: Sequence[int], keys: Sequence[str | None], inner: Sequence[float]) -> list[int]:
    """``order`` (positions, best first) with the members of each group of equal ``keys`` (indexed by position;
    ""/None: in no group) re-sorted among the places the group holds, by ``inner`` (per position, higher first;
    ties keep their order). Groups of one, and positions in no group, stay where they are."""
    places: dict[str, list[int]] = {}
    for i, p in enumerate(order):
        if keys[p]:
            places.setdefault(keys[p], []).append(i)
    out = list(order)
    for where in places.values():
        if len(where) > 1:
            members = sorted((order[i] for i in where), key=lambda p: -inner[p])  # stable: ties keep their order
            for i, p in zip(where, members, strict=True):
                out[i] = p
    return out


@dataclass
class Reranked:
    """The final order over the first stage's candidates: ``order`` indexes the input lists."""

    order: list[int]
    scores: list[float]                 # stage-2 score per input position (first-stage score beyond ``n``)
    readings: list[Reading | None]      # per input position (None beyond ``n``)


# --------------------------------------------------------------------------------------------------------------
# The reading over arrays built once per lexical index (no per-query tokenising of postings)
# --------------------------------------------------------------------------------------------------------------

LINES_VERSION = 1
_SHINGLE_TOKENS = 400
_SKETCH = 64  # smallest shingle hashes kept per posting
_MULT = np.uint64(0x9E3779B97F4A7C15)


def _line_parts(text: str) -> list[str]:
    """A text's lines, long paragraphs split into sentences (as :func:`posting_lines`)."""
    out: list[str] = []
    for line in text.split("\n"):
        line = line.strip(" -•*\t")
        if not line:
            continue
        out.extend(re.split(r"(?<=[.;!?])\s+(?=[A-Z])", line) if len(line) > 240 else [line])
    return out


def line_arrays(texts: Sequence[str], vocab: dict[str, int]) -> dict[str, np.ndarray]:
    """The per-row arrays of :class:`PostingLines` (all but ``df``) for ``texts``, row i = ``texts[i]`` ("" : a
    row without text), token ids from ``vocab``, which receives every new token (ids in order of first sight):
    one vocabulary can serve many such blocks (the segments of :mod:`matcher.bm25`)."""
    tok: list[int] = []
    line_ptr = [0]
    line_req: list[bool] = []
    n_rows = len(texts)
    row_line = np.zeros(n_rows + 1, dtype=np.int64)
    doc_tok: list[np.ndarray] = []
    doc_cnt: list[np.ndarray] = []
    row_doc = np.zeros(n_rows + 1, dtype=np.int64)
    for r, text in enumerate(texts):
        seen: set[str] = set()
        n_req = 0
        start = len(tok)
        for part in _line_parts(text or ""):
            toks = tokenize(part)
            if not toks:
                continue
            ids = [vocab.setdefault(t, len(vocab)) for t in toks]
            tok.extend(ids)
            line_ptr.append(len(tok))
            req = len(ids) >= MIN_LINE_TOKENS and part not in seen and n_req < MAX_LINES \
                and not _BOILER.search(part)
            seen.add(part)
            n_req += req
            line_req.append(req)
        row_line[r + 1] = len(line_ptr) - 1
        u, c = np.unique(np.asarray(tok[start:], dtype=np.int32), return_counts=True)
        doc_tok.append(u)
        doc_cnt.append(c.astype(np.int32))
        row_doc[r + 1] = row_doc[r] + u.size
    return {"tok": np.asarray(tok, dtype=np.int32), "line_ptr": np.asarray(line_ptr, dtype=np.int64),
            "line_req": np.asarray(line_req, dtype=bool), "row_line": row_line,
            "doc_tok": np.concatenate(doc_tok) if doc_tok else np.zeros(0, dtype=np.int32),
            "doc_cnt": np.concatenate(doc_cnt) if doc_cnt else np.zeros(0, dtype=np.int32), "row_doc": row_doc}


class PostingLines:
    """Every row's text as token ids, line by line, with the requirement lines marked (the rules of
    :func:`posting_lines`; a repeated line counts once), document frequencies, and each row's distinct tokens
    with their counts. Built with the lexical index (same rows), saved beside it as ``.npy`` files."""

    FILES = ("tok", "line_ptr", "line_req", "row_line", "doc_tok", "doc_cnt", "row_doc", "df")

    def __init__(self, vocab: dict[str, int], arrays: dict[str, np.ndarray], n_docs: int) -> None:
        self.vocab, self.n_docs = vocab, int(n_docs)
        for k in self.FILES:
            setattr(self, k, arrays[k])
        df = self.df.astype(np.float64)
        self.idf = np.log(1 + (self.n_docs - df + 0.5) / (df + 0.5)).astype(np.float32)
        self.idf_unknown = float(math.log(1 + (self.n_docs + 0.5) / 0.5)) if self.n_docs else 1.0
        # norm of each row's log-tf x idf vector (whole text)
        w = (1.0 + np.log(np.maximum(self.doc_cnt, 1))) * self.idf[self.doc_tok]
        n_rows = self.row_doc.size - 1
        owner = np.repeat(np.arange(n_rows), np.diff(self.row_doc))  # rows without text own nothing
        self.doc_norm = np.sqrt(np.bincount(owner, weights=w * w, minlength=n_rows)).astype(np.float32)

    @classmethod
    def build(cls, texts: dict[int, str], corpus: list[list[str]] | None = None) -> PostingLines:
        """From ``texts`` (row -> text). ``corpus``, when given, receives every present row's tokens in row
        order (what BM25 indexes: the same tokens as :func:`matcher.ranking.tokenize` of the whole text)."""
        vocab: dict[str, int] = {}
        n_rows = max(texts) + 1 if texts else 0
        arrays = line_arrays([texts.get(r, "") for r in range(n_rows)], vocab)
        if corpus is not None:
            inv = list(vocab)
            for r in range(n_rows):
                if r in texts:
                    a, b = arrays["line_ptr"][arrays["row_line"][r]], arrays["line_ptr"][arrays["row_line"][r + 1]]
                    corpus.append([inv[i] for i in arrays["tok"][a:b].tolist()])
        arrays["df"] = np.bincount(arrays["doc_tok"], minlength=len(vocab)).astype(np.int32)
        return cls(vocab, arrays, n_docs=sum(1 for t in texts.values() if t))

    def save(self, directory: Path) -> None:
        import json

        d = Path(directory) / "lines"
        d.mkdir(parents=True, exist_ok=True)
        for k in self.FILES:
            np.save(d / f"{k}.npy", getattr(self, k), allow_pickle=False)
        (d / "vocab.json").write_text(json.dumps({"version": LINES_VERSION, "n_docs": self.n_docs,
                                                  "vocab": sorted(self.vocab, key=self.vocab.__getitem__)}))

    @classmethod
    def load(cls, directory: Path) -> PostingLines | None:
        """The saved arrays, or None (an index saved before they existed, or another version: rebuild)."""
        import json

        d = Path(directory) / "lines"
        try:
            meta = json.loads((d / "vocab.json").read_text())
            if meta.get("version") != LINES_VERSION:
                return None
            arrays = {k: np.load(d / f"{k}.npy", allow_pickle=False) for k in cls.FILES}
        except (OSError, ValueError, KeyError):
            return None
        return cls({t: i for i, t in enumerate(meta["vocab"])}, arrays, meta["n_docs"])

    # ---- where a row's arrays are (overridden by matcher.bm25_lines.SegmentedLines: one block per segment) ----
    def _part(self, row: int):
        """(the object holding ``row``'s arrays, its row there), or (None, -1) for a row this has not."""
        return (self, row) if 0 <= row and row + 1 < self.row_line.size else (None, -1)

    def _norm(self, part, r: int, dv: np.ndarray) -> float:
        """Norm of the row's log-tf x idf vector ``dv``."""
        return float(self.doc_norm[r])

    # ---- per query ---------------------------------------------------------------------------------------
    def resume_side(self, resume_text: str) -> tuple[np.ndarray, np.ndarray, float]:
        """(has-token mask over the vocabulary, log-tf x idf vector, its norm with out-of-vocabulary words)."""
        tf = Counter(tokenize(resume_text))
        have = np.zeros(len(self.vocab), dtype=bool)
        vec = np.zeros(len(self.vocab), dtype=np.float32)
        oov = 0.0
        for t, c in tf.items():
            i = self.vocab.get(t)
            w = 1.0 + math.log(c)
            if i is None:
                oov += (w * self.idf_unknown) ** 2
            else:
                have[i] = True
                vec[i] = w * self.idf[i]
        return have, vec, math.sqrt(float(vec @ vec) + oov) or 1.0

    def read(self, row: int, resume: tuple[np.ndarray, np.ndarray, float]) -> Reading:
        """One posting (a row) read against the resume (:meth:`resume_side`): requirement coverage, lines met and
        whole-text cosine; the caller sets the occupation agreement."""
        have, rv, rnorm = resume
        P, row = self._part(row)
        if P is None:
            return Reading(coverage=0.0, text=0.0, lines=0, lines_met=0)
        l0, l1 = int(P.row_line[row]), int(P.row_line[row + 1])
        req_mask = P.line_req[l0:l1]
        n_req = int(np.count_nonzero(req_mask))
        coverage, met = 0.0, 0
        if n_req:
            # every line of the row is a non-empty run of ``tok``: sum each line's idf (and the part the resume
            # has) over the row's tokens at once, then keep the requirement lines
            a = int(P.line_ptr[l0])
            toks = P.tok[a:int(P.line_ptr[l1])]
            w = self.idf[toks].astype(np.float64)
            offs = P.line_ptr[l0:l1] - a
            tot = np.add.reduceat(w, offs)[req_mask]
            got = np.add.reduceat(w * have[toks], offs)[req_mask]
            frac = np.where(tot > 0, got / np.maximum(tot, 1e-12), 0.0)
            coverage, met = float(frac.mean()), int((frac >= 0.5).sum())
        d0, d1 = int(P.row_doc[row]), int(P.row_doc[row + 1])
        u, c = P.doc_tok[d0:d1], P.doc_cnt[d0:d1]
        dv = (1.0 + np.log(np.maximum(c, 1))) * self.idf[u]
        dn = self._norm(P, row, dv) or 1.0
        text = float(dv @ rv[u]) / (dn * rnorm) if u.size else 0.0
        return Reading(coverage=coverage, text=text, lines=n_req, lines_met=met)

    def contrast(self, rows: Sequence[int], resume: tuple[np.ndarray, np.ndarray, float],
                 skip: Sequence[int] | np.ndarray | None = None) -> np.ndarray:
        """Per row: the resume's words it contains, each weighted by the resume's log-tf x idf and by how few of
        the other ``rows`` contain it (``log((n + 1) / (n_rows_with_it + 1))``): words every candidate shares
        count nothing, a word only this posting shares with the resume counts most. What tells one posting
        from the others under the same title. ``skip``: token ids that count nothing (:func:`numeric_ids`)."""
        have, rv, _ = resume
        n = len(rows)
        matched: list[np.ndarray] = []
        for row in rows:
            P, row = self._part(row)
            if P is None:
                matched.append(np.zeros(0, dtype=np.int32))
                continue
            u = P.doc_tok[int(P.row_doc[row]):int(P.row_doc[row + 1])]
            matched.append(u[have[u]])
        if not n:
            return np.zeros(0)
        allm = np.concatenate(matched)
        if not allm.size:
            return np.zeros(n)
        # how many of the rows contain each matched word (over the matched words only: no vocabulary-sized array)
        u, inv, df_local = np.unique(allm, return_inverse=True, return_counts=True)
        w = np.log((n + 1.0) / (df_local + 1.0))
        if skip is not None and len(skip):
            w[np.isin(u, np.asarray(skip))] = 0.0
        owner = np.repeat(np.arange(n), [mt.size for mt in matched])
        return np.bincount(owner, weights=rv[allm].astype(np.float64) * w[inv], minlength=n)

    def signatures(self, rows: Sequence[int]) -> Sequence[frozenset[int]]:
        """:meth:`signature` of each of ``rows``, read when first indexed (for ``ranking.diversify(limit=)``,
        which looks only at the postings it places)."""
        return _LazySignatures(self, rows)

    def signature(self, row: int, skip_lines: int = 2) -> frozenset[int]:
        """The 64 smallest hashes of the 4-token shingles of the row's first ~400 tokens after its first
        ``skip_lines`` lines (the title, twice, in the lexical text): a bottom-k sketch, so near-identical
        descriptions share almost all of them and comparing two costs 64 lookups."""
        P, row = self._part(row)
        if P is None:
            return frozenset()
        l0, l1 = int(P.row_line[row]), int(P.row_line[row + 1])
        a = int(P.line_ptr[min(l0 + skip_lines, l1)])
        b = int(P.line_ptr[l1])
        t = P.tok[a:min(b, a + _SHINGLE_TOKENS)].astype(np.uint64)
        if t.size < 4:
            return frozenset(t.tolist())
        with np.errstate(over="ignore"):
            h = ((t[:-3] * _MULT + t[1:-2]) * _MULT + t[2:-1]) * _MULT + t[3:]
        return frozenset(np.unique(h)[:_SKETCH].tolist())  # bottom-k sketch: Jaccard of two estimates theirs


class _LazySignatures(Sequence):
    def __init__(self, lines: PostingLines, rows: Sequence[int]) -> None:
        self._lines, self._rows = lines, list(rows)
        self._got: dict[int, frozenset[int]] = {}

    def __len__(self) -> int:
        return len(self._rows)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self._rows)
        got = self._got.get(i)
        if got is None:
            got = self._got[i] = self._lines.signature(self._rows[i])
        return got


def rerank_rows(lines: PostingLines, rows: Sequence[int], prior: Sequence[float], resume_text: str,
                titles: Sequence[str | None], *, n: int = STAGE2_N, weights: dict[str, float] | None = None,
                resume_occ=_UNSET, similarity: Sequence[float] | None = None,
                resume_vectors: np.ndarray | None = None, vectors: np.ndarray | None = None,
                group: dict[str, float] | None = None) -> Reranked:
    """Re-order the first ``n`` candidates (``rows`` of ``lines``, given best first with their first-stage
    ``prior`` scores) by :func:`stage2_scores`; the rest keep their first-stage order after them. Ties: input
    order. ``similarity``: each candidate's cosine with the resume vector (the ``semantic`` signal).
    ``resume_vectors`` (the vectors of :func:`resume_lines`, or the resume vector) and ``vectors`` (each
    candidate's posting vector, at least the first ``n``): the ``distinct`` signal, :func:`local_contrast` over the
    ``n`` candidates. ``group``: the signals that order same-title candidates among themselves
    (:data:`STAGE2_GROUP` when None, {} = off; :func:`group_order`)."""
    from .occupations import agreement, classify_title

    m = min(n, len(prior))
    if resume_occ is _UNSET:
        from .occupations import resume_occupation

        resume_occ = resume_occupation(resume_text)
    side = lines.resume_side(resume_text)
    readings: list[Reading | None] = []
    for i in range(m):
        r = lines.read(int(rows[i]), side)
        r.occupation = agreement(resume_occ, classify_title(titles[i]))
        if similarity is not None:
            r.semantic = float(similarity[i])
        readings.append(r)
    w = {**STAGE2_WEIGHTS, **(weights or {})}
    g = STAGE2_GROUP if group is None else group
    if (w.get("distinct") or g.get("distinct")) and m and resume_vectors is not None and vectors is not None \
            and len(resume_vectors):
        for r, d in zip(readings, local_contrast(resume_vectors, np.asarray(vectors)[:m]), strict=False):
            r.distinct = float(d)
    if w.get("contrast") or g.get("contrast"):
        skip = numeric_ids(lines.vocab, resume_text)
        for r, c in zip(readings, lines.contrast([int(x) for x in rows[:m]], side, skip), strict=False):
            r.contrast = float(c)
    s = stage2_scores(list(prior[:m]), readings, weights) if m else np.zeros(0)
    head = sorted(range(m), key=lambda i: (-s[i], i))
    if g and m > 1:
        inner = stage2_scores([0.0] * m, readings, {k: float(g.get(k, 0.0)) for k in STAGE2_WEIGHTS})
        head = group_order(head, [title_key(t) for t in titles[:m]], inner.tolist())
    scores = [float(x) for x in s] + [float(x) for x in prior[m:]]
    return Reranked(order=head + list(range(m, len(prior))), scores=scores,
                    readings=readings + [None] * (len(prior) - m))
