"""A learned combination of the second-stage signals, measured against the hand weights (issue 16, round 4).

    .venv/bin/python benchmarks/fit_stage2.py [--n 50] [--held]

Per dev query, the first stage's top ``--n`` candidates (eval_quality.py's pipeline: RRF of the shipped dense list
and BM25) get the signals the second stage reads — fused score, semantic cosine, requirement coverage, tf-idf text,
occupation agreement, ``distinct`` (the resume's lines vs the posting from the candidates' centroid, lines within
100 words), ``lc`` (the same with the resume vector) and the BM25 score — each min-max scaled within the
candidates. A pairwise logistic regression (scikit-learn, no intercept: a linear score like the hand weights) is
fitted on pairs of candidates with different grades. Reported: two-fold cross-validation *within the tune half*
(fit on one half of tune, score the other; the only number used to decide) against the shipped hand weights on the
same queries, and with ``--held`` the model fitted on all of tune scored on held (read once, at the end). The
weights are printed (plain numbers; nothing is saved). Diversity runs after either ranking, as shipped.
"""
from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import eval_quality as E  # noqa: E402

NAMES = ("prior", "semantic", "coverage", "text", "occupation", "distinct", "lc", "bm25")


def features(lab: E.Lab, n: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    from matcher import ranking
    from matcher.ranking import rrf_fuse
    from matcher.second_stage import RESUME_LINE_MIN_TOKENS, RESUME_LINE_WORDS

    D, Q = lab.shipped_doc_vecs(), lab.query_vecs(ranking.QUERY_WINDOWS)
    lex, lines = lab.ours_lex_scores(), lab.lexical_index().lines
    out = {}
    for qi, q in enumerate(lab.q):
        ds, ls = D @ Q[qi], lex[qi]
        d = E.topn(ds, 100)
        lx = E.topn(ls, 100)
        fused = rrf_fuse([d, lx[ls[lx] > 0]], [1.0, 1.0], 60)
        rows = np.fromiter(fused.keys(), dtype=np.int64)
        sc = np.fromiter(fused.values(), dtype=np.float64)
        o = np.lexsort((rows, -sc))[:100]
        rows, sc = rows[o], sc[o]
        head = rows[:n]
        rd = lab._readings_for(q, head, lines)
        X = np.stack([sc[:n], D[head] @ Q[qi], [r.coverage for r in rd], [r.text for r in rd],
                      [r.occupation or 0.0 for r in rd],
                      lab._local_contrast(f"lcl:{RESUME_LINE_WORDS}:{RESUME_LINE_MIN_TOKENS}h", qi, head, D, Q),
                      lab._local_contrast("lc", qi, head, D, Q), ls[head]], 1).astype(np.float64)
        lo, hi = X.min(0), X.max(0)
        X = np.where(hi > lo, (X - lo) / np.where(hi > lo, hi - lo, 1), 0.0)
        out[q["query_id"]] = (rows, X)
    return out


def main(argv: list[str] | None = None) -> int:
    from sklearn.linear_model import LogisticRegression

    from matcher.domain import MatchOptions
    from matcher.ranking import diversify
    from matcher.second_stage import STAGE2_WEIGHTS

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=50)
    ap.add_argument("--C", type=float, default=0.1, help="inverse regularisation of the logistic regression")
    ap.add_argument("--held", action="store_true", help="also score the model fitted on tune on held (final read)")
    ap.add_argument("--cache", type=Path, default=Path("/tmp/jobmatch-eval-cache"))
    args = ap.parse_args(argv)
    corpus = E.load_corpus(E.DEFAULT_DATA)
    qrels = E.read_qrels(E.JUDGE / "dev.qrels")
    queries = [q for q in E.load_queries(E.JUDGE / "dev.queries.jsonl", E.DEFAULT_DATA) if q["query_id"] in qrels]
    lab = E.Lab(corpus, queries, E.CachedEmbedder(args.cache))
    split = E.assign_splits({q["query_id"]: q["family"] for q in queries})
    F = features(lab, args.n)
    sig = lab.memo("signatures", lambda: {})
    lines = lab.lexical_index().lines
    cap = MatchOptions.model_fields["max_per_company"].default

    def run_with(w: np.ndarray) -> E.Run:
        run = {}
        for q in queries:
            rows, X = F[q["query_id"]]
            head = rows[:args.n]
            oo = np.lexsort((head, -(X @ w)))
            order = np.concatenate([head[oo], rows[args.n:]])
            for r in order.tolist():
                if r not in sig:
                    sig[r] = lines.signature(r)
            new, _ = diversify([corpus.companies[r] for r in order], [sig[r] for r in order], cap)
            run[q["query_id"]] = [corpus.ids[order[i]] for i in new]
        return run

    def ndcg(run: E.Run, qids: list[str]) -> float:
        return E.evaluate(run, {k: qrels[k] for k in qids})["ndcg@10"]

    def fit(qids: list[str], idx: list[int]) -> np.ndarray:
        Xs, ys = [], []
        for qid in qids:
            rows, X = F[qid]
            rel = np.array([qrels[qid].get(corpus.ids[r], 0) for r in rows[:args.n]])
            hi, lo = np.nonzero(rel[:, None] > rel[None, :])
            diff = X[hi][:, idx] - X[lo][:, idx]
            Xs += [diff, -diff]
            ys += [np.ones(len(diff)), np.zeros(len(diff))]
        m = LogisticRegression(C=args.C, fit_intercept=False, max_iter=2000).fit(np.vstack(Xs), np.concatenate(ys))
        w = np.zeros(len(NAMES))
        w[idx] = m.coef_[0]
        return w / w[0] if w[0] > 0 else w

    hand = np.array([STAGE2_WEIGHTS.get(n, 0.0) for n in NAMES])
    hand_run = run_with(hand)
    tune = [q["query_id"] for q in queries if split[q["query_id"]] == "tune"]
    held = [q["query_id"] for q in queries if split[q["query_id"]] == "held"]
    fold = {q: int(hashlib.sha256(q.encode()).hexdigest(), 16) % 2 for q in tune}
    print(f"hand weights {dict(zip(NAMES, hand.tolist(), strict=True))}: tune nDCG@10 {ndcg(hand_run, tune):.4f}")
    for used in (NAMES, tuple(x for x in NAMES if x != "occupation")):
        idx = [NAMES.index(x) for x in used]
        cv_l = cv_h = 0.0
        for f in (0, 1):
            tr = [q for q in tune if fold[q] == f]
            te = [q for q in tune if fold[q] != f]
            cv_l += ndcg(run_with(fit(tr, idx)), te) * len(te)
            cv_h += ndcg(hand_run, te) * len(te)
        label = "all signals" if used == NAMES else "without occupation"
        w = fit(tune, idx)
        print(f"{label}: 2-fold CV within tune nDCG@10 learned {cv_l / len(tune):.4f} vs hand {cv_h / len(tune):.4f}; "
              f"fitted on tune: {dict(zip(NAMES, np.round(w, 2).tolist(), strict=True))}")
        if args.held:
            print(f"  held (final read): learned {ndcg(run_with(w), held):.4f} vs hand {ndcg(hand_run, held):.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
