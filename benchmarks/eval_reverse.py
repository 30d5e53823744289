"""Ranking quality in the recruiter direction: candidates for a posting, shipped ranking vs keyword baselines.

    .venv/bin/python benchmarks/eval_reverse.py                  # build the judgements if missing, evaluate
    .venv/bin/python benchmarks/eval_reverse.py --rebuild        # rewrite benchmarks/judgements/reverse_dev.*

**Judgements** (``benchmarks/judgements/reverse_dev.queries.jsonl`` and ``reverse_dev.qrels``): the forward dev
set (``dev.queries.jsonl`` / ``dev.qrels``: title-family labels, README there) turned around. The candidate pool is
the 178 judged resumes; a query is a posting of ``jobs/linkedin_tech_2021.jsonl`` that at least one of them has at
grade 2 (same job family). Per posting family at most ``--per-family`` postings are drawn (seeded), so the big
families (software, data science) do not drown the small ones. A resume's grade for a posting is the forward
grade of that (resume, posting) pair (2 same family, 1 adjacent). The same limits apply as forward: labels are
about the role only.

**Variants**: ``bm25`` (bm25s' own tokenizer + English stop words over the resume text, the posting's title +
description as the query), ``tfidf`` (scikit-learn, sublinear tf), ``lex:ours`` (the shipped BM25 side:
:class:`matcher.candidates.lexical.CandidateLexical`), ``dense`` (the posting vector as the job index embeds it
against each resume's query vector) and ``shipped`` (:func:`matcher.candidates.rank_within`, what
``CandidatePool.match_posting`` runs, with no filter: the dense side alone since round 4, ``fusion:w_lex=1`` the
fusion shipped before). Queries are split into ``tune`` / ``held`` halves stratified by posting family (the salt of
``eval_quality.py``): choices on tune, held read at the end. Metrics from ``eval_quality.py`` (nDCG@10 graded, P@10 /
Recall@50 / MRR with relevant = grade 2), plus nDCG@10 averaged per posting family. Writes
``benchmarks/results/quality_reverse.json``.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
for p in (ROOT, ROOT / "benchmarks", ROOT / "benchmarks" / "judgements"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

import _common  # noqa: E402
from eval_quality import (  # noqa: E402
    DEFAULT_DATA,
    JUDGE,
    SPLIT_SALT,
    SPLITS,
    assign_splits,
    evaluate,
    family_macro_ndcg,
    load_corpus,
    load_queries,
    read_qrels,
)

REV_QUERIES = JUDGE / "reverse_dev.queries.jsonl"
REV_QRELS = JUDGE / "reverse_dev.qrels"


def build(corpus, per_family: int, seed: int) -> None:
    """Turn the forward qrels around (see the module docstring) and write the reverse judgement files."""
    from build_dev import title_family

    qrels = read_qrels(JUDGE / "dev.qrels")
    by_doc: dict[str, dict[str, int]] = {}
    for qid, rels in qrels.items():
        for did, rel in rels.items():
            by_doc.setdefault(did, {})[qid] = rel
    title = dict(zip(corpus.ids, corpus.titles, strict=True))
    fam_docs: dict[str, list[str]] = {}
    for did in sorted(by_doc):
        if did in title and any(r == 2 for r in by_doc[did].values()):
            fam_docs.setdefault(title_family(title[did]) or "(none)", []).append(did)
    rng = random.Random(seed)
    chosen = []
    for fam in sorted(fam_docs):
        docs = fam_docs[fam]
        chosen += [(fam, d) for d in sorted(rng.sample(docs, min(per_family, len(docs))))]
    with open(REV_QUERIES, "w", encoding="utf-8") as fh:
        for fam, did in chosen:
            fh.write(json.dumps({"query_id": did, "posting_id": did, "family": fam, "title": title[did]}) + "\n")
    with open(REV_QRELS, "w", encoding="utf-8") as fh:
        for _, did in chosen:
            for qid, rel in sorted(by_doc[did].items()):
                fh.write(f"{did} 0 {qid} {rel}\n")
    print(f"wrote {len(chosen)} posting queries over {len(fam_docs)} families -> {REV_QUERIES.name}, {REV_QRELS.name}")


def topn(scores: np.ndarray, ids: list[str], n: int = 100) -> list[str]:
    n = min(n, scores.size)
    idx = np.argpartition(-scores, n - 1)[:n]
    idx = idx[np.lexsort((idx, -scores[idx]))]
    return [ids[i] for i in idx]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--rebuild", action="store_true", help="rewrite the reverse judgement files")
    ap.add_argument("--per-family", type=int, default=25)
    ap.add_argument("--seed", type=int, default=14)
    ap.add_argument("--cache", type=Path, default=Path("/tmp/jobmatch-eval-reverse-cache"),
                    help="vectors cached here (npy), keyed by the texts and the model checksum")
    ap.add_argument("--lex-weights", default="1,0.25,0.5",
                    help="also run the fusion with these BM25 weights (w_lex; shipped = 0: "
                         "matcher.candidates.pool.REVERSE_RANKER)")
    ap.add_argument("--out", default="quality_reverse.json", help="file name under benchmarks/results/")
    args = ap.parse_args(argv)
    t_start = time.time()
    corpus = load_corpus(args.data)
    if args.rebuild or not (REV_QUERIES.exists() and REV_QRELS.exists()):
        build(corpus, args.per_family, args.seed)
    queries = [json.loads(line) for line in REV_QUERIES.read_text().splitlines() if line.strip()]
    qrels = read_qrels(REV_QRELS)
    resumes = load_queries(JUDGE / "dev.queries.jsonl", args.data)  # the forward queries are the pool here
    rids = [r["query_id"] for r in resumes]
    rtexts = [r["text"] for r in resumes]
    pos = {d: i for i, d in enumerate(corpus.ids)}
    jobs = [(corpus.titles[pos[q["posting_id"]]], corpus.companies[pos[q["posting_id"]]],
             corpus.descs[pos[q["posting_id"]]]) for q in queries]

    from matcher import posting_index
    from matcher.embed import Embedder
    from matcher.service import query_text

    runs: dict[str, dict[str, list[str]]] = {}
    # keyword baselines ---------------------------------------------------------------------------------------
    import bm25s

    bm = bm25s.BM25()
    bm.index(bm25s.tokenize(rtexts, stopwords="en", show_progress=False), show_progress=False)
    qtok = bm25s.tokenize([f"{t}\n{d}" for t, _, d in jobs], stopwords="en", show_progress=False, return_ids=False)
    run = {}
    for q, toks in zip(queries, qtok, strict=True):
        toks = [t for t in toks if t in bm.vocab_dict]
        s = bm.get_scores(toks) if toks else np.zeros(len(rids), np.float32)
        run[q["query_id"]] = topn(np.asarray(s), rids)
    runs["bm25"] = run

    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(stop_words="english", sublinear_tf=True, min_df=2, max_df=0.9)
    D = vec.fit_transform(rtexts)
    Q = vec.transform([f"{t}\n{d}" for t, _, d in jobs])
    S = (Q @ D.T).toarray()
    runs["tfidf"] = {q["query_id"]: topn(S[i], rids) for i, q in enumerate(queries)}

    # the shipped pieces --------------------------------------------------------------------------------------
    from index import ColumnRow, JobIndex
    from matcher.candidates import rank_within
    from matcher.candidates.lexical import CandidateLexical

    lex = CandidateLexical.build(dict(zip(rids, rtexts, strict=True)))
    qlex = [posting_index.posting_text_for_lexical(t, c, d) for t, c, d in jobs]
    emb = Embedder()
    t0 = time.time()
    import hashlib

    h = hashlib.sha1(f"{emb.model_id}|{emb.checksum}|".encode())
    for t in rtexts + [f"{t}|{c}|{d}" for t, c, d in jobs]:
        h.update(t.encode("utf-8", "surrogatepass") + b"\0")
    cache = args.cache / f"rev-{h.hexdigest()[:20]}.npz"
    if cache.exists():
        got = np.load(cache, allow_pickle=False)
        rvec, pvec = got["r"], got["p"]
    else:
        rvec = emb.embed_queries([query_text(t) for t in rtexts], max_windows=1)
        pvec = posting_index.embed_postings(emb, [t for t, _, _ in jobs], [c for _, c, _ in jobs], [d for _, _, d in jobs])
        args.cache.mkdir(parents=True, exist_ok=True)
        np.savez(cache, r=rvec, p=pvec)
    embed_s = time.time() - t0
    idx = JobIndex.create("/nonexistent-eval-reverse", dim=emb.dim, model_id=emb.model_id)
    idx.upsert(rids, rvec, [ColumnRow() for _ in rids])
    snap = idx.snapshot()
    scores_for = lex.for_snapshot(snap)
    runs["lex:ours"] = {q["query_id"]: topn(scores_for.scores(qlex[i], len(rids))[:len(rids)], rids)
                        for i, q in enumerate(queries)}
    runs["dense"] = {q["query_id"]: topn(rvec @ pvec[i], rids) for i, q in enumerate(queries)}
    everyone = snap.alive.copy()
    runs["shipped"] = {q["query_id"]: [k for k, _, _ in rank_within(snap, scores_for, qlex[i], pvec[i], everyone, 100)]
                       for i, q in enumerate(queries)}
    for w in [float(x) for x in args.lex_weights.split(",") if x.strip()]:
        runs[f"fusion:w_lex={w:g}"] = {
            q["query_id"]: [k for k, _, _ in rank_within(snap, scores_for, qlex[i], pvec[i], everyone, 100,
                                                         {"w_lex": w})] for i, q in enumerate(queries)}

    fams = {q["query_id"]: q["family"] for q in queries}
    # tune / held (as eval_quality.py: stratified by the posting's family, sha256 of the same salt); choices are made
    # on tune, held is read at the end. The even / odd halves of the first rounds are kept for comparison.
    split = assign_splits(fams)
    parts = {s: {q for q, v in split.items() if v == s} for s in SPLITS}
    halves = {"even": {q["query_id"] for q in queries[0::2]}, "odd": {q["query_id"] for q in queries[1::2]}}
    table = {}
    for name, run in runs.items():
        m = evaluate(run, qrels)
        m["family_macro_ndcg@10"] = family_macro_ndcg(run, qrels, fams)
        for part, ids in {**parts, **halves}.items():
            sub = {k: v for k, v in qrels.items() if k in ids}
            got = evaluate(run, sub)
            m[f"ndcg@10_{part}"] = got["ndcg@10"]
            if part in SPLITS:
                m[f"mrr_{part}"] = got["mrr"]
                m[f"family_macro_ndcg@10_{part}"] = family_macro_ndcg(run, sub, fams)
        table[name] = {k: round(v, 4) if isinstance(v, float) else v for k, v in m.items()}
    print(f"reverse judgements: {len(queries)} postings x {len(rids)} resumes "
          f"({len(parts['tune'])} tune / {len(parts['held'])} held); embedding {embed_s:.0f} s")
    print(f"{'variant':<18} {'tune':>7} {'held':>7} {'nDCG@10':>8} {'fam-nDCG':>8} {'P@10':>6} {'R@50':>6} {'MRR':>6} "
          f"{'MRR tune':>8} {'even':>7} {'odd':>7}")
    for name, m in table.items():
        print(f"{name:<18} {m['ndcg@10_tune']:>7.4f} {m['ndcg@10_held']:>7.4f} {m['ndcg@10']:>8.4f} "
              f"{m['family_macro_ndcg@10']:>8.4f} {m['p@10']:>6.3f} {m['recall@50']:>6.3f} {m['mrr']:>6.3f} "
              f"{m['mrr_tune']:>8.3f} {m['ndcg@10_even']:>7.4f} {m['ndcg@10_odd']:>7.4f}")
    out = _common.write_json(args.out, {
        "queries": len(queries), "pool": len(rids), "variants": table, "seconds": round(time.time() - t_start, 1),
        "split": {"salt": SPLIT_SALT, "stratified_by": "posting family",
                  **{s: sorted(ids) for s, ids in parts.items()}},
        "hardware": _common.hardware()})
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
