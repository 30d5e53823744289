"""The lexical (BM25) side at scale: query time, the cost of a write, and the bytes a save writes.

    .venv/bin/python benchmarks/bench_lexical.py                          # 10k / 100k / 1M, 100 resume queries
    .venv/bin/python benchmarks/bench_lexical.py --sizes 10000 --queries 20 --no-save   # a quick run

Texts: the real corpus (``../shared/data/jobs``, loaded as ``benchmarks/eval_quality.py`` loads it, indexed as the
service indexes a posting: ``posting_text_for_lexical``). Tokenising a posting costs a few ms, so a size past the
real corpus is built from it without tokenising again: the real corpus's segment repeated under new row numbers
(arrays shared, the last copy cut to size), i.e. N rows = N/7,684 copies of every real posting, each copy a
document of its own (N, df and avgdl are those of N documents; every term's posting list grows with N). Such an
index holds one segment per copy (a live index holds O(log n) segments after size-tiered merges; more segments
cost a query a little more, not less).

Measured per size:

* ``query_p50_ms`` / ``p90``: ``LexicalIndex.scores`` for the first ``--queries`` real resumes
  (``query_text_for_lexical``, the whole resume, as the service searches) over every row;
* bm25s over the same texts (``bm25s_p50_ms``, what the side computed before segments), for sizes up to
  ``--bm25s-max`` (it has to be built from token lists in memory), timed query by query alternating with the
  segmented index (``interleaved_query_p50_ms``), and its build time (what every write cost);
* ``add_1_ms`` / ``add_1000_ms``: ``LexicalIndex.updated`` with 1 / 1,000 real postings as new rows;
* with the save on (``--no-save`` off): a whole save of the side (``matcher.bm25.save_dir``), then 1,000 postings
  added (new rows) and 100 replaced, and the incremental save: bytes of the files it created and the
  process's ``write_bytes`` (``/proc/self/io``) against the bytes of the whole side on disk.

Writes ``benchmarks/results/lexical.json``.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common  # noqa: E402
from eval_quality import DEFAULT_DATA, load_corpus  # noqa: E402

from matcher.bm25 import LexicalIndex, Segment, save_dir  # noqa: E402
from matcher.posting_index import posting_text_for_lexical  # noqa: E402
from matcher.ranking import query_text_for_lexical, tokenize  # noqa: E402


def dir_bytes(d: Path) -> int:
    return sum(p.stat().st_size for p in d.rglob("*") if p.is_file())


def repeated(base: LexicalIndex, n: int) -> LexicalIndex:
    """An index of ``n`` rows: ``base``'s one segment repeated under new row numbers (arrays shared)."""
    (seg,) = base._segs
    segs = []
    for start in range(0, n, seg.n):
        k = min(seg.n, n - start)
        s = seg if k == seg.n else Segment.merge([(seg, np.arange(seg.n) >= k)])
        segs.append(Segment(f"copy{start // seg.n:05d}", {**s.arrays(), "rows": s.rows + start}, s.texts))
    return LexicalIndex.assemble(dict(base._vocab), segs, [np.zeros(s.n, dtype=bool) for s in segs],
                                 k1=base.k1, b=base.b)


def timed(fn, reps: int) -> list[float]:
    out = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def one_size(n: int, base: LexicalIndex, texts: list[str], queries: list[str], args) -> dict:
    idx = base if n == len(texts) else repeated(base, n)
    r: dict = {"segments": len(idx.segments), "load_avg_start": os.getloadavg()}
    idx.scores(queries[0], n)  # warm
    lat = [timed(lambda q=q: idx.scores(q, n), 1)[0] for q in queries]
    r["query_p50_ms"], r["query_p90_ms"] = _common.pct(lat, 50), _common.pct(lat, 90)
    if n <= args.bm25s_max:
        import bm25s

        corpus = [tokenize(x) or ["\x00empty"] for x in texts]
        corpus = [corpus[i % len(corpus)] for i in range(n)]
        t = time.perf_counter()
        bm = bm25s.BM25(k1=1.2, b=0.75)
        bm.index(corpus, show_progress=False)
        r["bm25s_build_s"] = time.perf_counter() - t
        del corpus

        def old_scores(q: str) -> np.ndarray:  # the side's scores before segments: tokenise, bm25s, place
            toks = [w for w in tokenize(q) if w in bm.vocab_dict]
            out = np.zeros(n, dtype=np.float32)
            if toks:
                out[:] = bm.get_scores(toks)
            return out

        old_scores(queries[0])
        lat, ours = [], []  # the two interleaved, query by query, so that the machine's load hits both alike
        for q in queries:
            lat.append(timed(lambda q=q: old_scores(q), 1)[0])
            ours.append(timed(lambda q=q: idx.scores(q, n), 1)[0])
        r["bm25s_p50_ms"], r["bm25s_p90_ms"] = _common.pct(lat, 50), _common.pct(lat, 90)
        r["interleaved_query_p50_ms"], r["interleaved_query_p90_ms"] = _common.pct(ours, 50), _common.pct(ours, 90)
        rel = [np.abs(idx.scores(q, n)[:n] - (ref := old_scores(q))).max() / max(float(ref.max()), 1e-9)
               for q in queries[:10]]
        r["max_rel_diff_vs_bm25s"] = float(max(rel))
        del bm
    r["add_1_ms"] = _common.pct(timed(lambda: idx.updated([n], [texts[0]]), 5), 50)
    r["add_1000_ms"] = _common.pct(timed(lambda: idx.updated(range(n, n + 1000), texts[:1000]), 3), 50)
    if not args.no_save and n != len(texts):
        tmp = Path(tempfile.mkdtemp(prefix="bench-lexical-", dir=args.tmp))
        try:
            d = tmp / "lexical"
            keys = [f"p{i}" for i in range(n)]
            t = time.perf_counter()
            save_dir(d, idx, keys=keys, meta={"generation": 1})
            r["full_save_s"] = time.perf_counter() - t
            r["side_bytes"] = dir_bytes(d)
            before = {p.name for p in d.iterdir()}
            new = idx.updated([*range(n, n + 1000), *range(0, 100 * 37, 37)],
                              [*texts[1000:2000], *texts[2000:2100]])
            keys += [f"p{i}" for i in range(n, n + 1000)]
            w0 = _common.io_written()
            t = time.perf_counter()
            save_dir(d, new, keys=keys, meta={"generation": 2})
            r["incremental_save_ms"] = (time.perf_counter() - t) * 1000
            r["incremental_write_bytes"] = _common.io_written() - w0
            r["incremental_new_file_bytes"] = sum(p.stat().st_size for p in d.iterdir()
                                                  if p.name not in before)
            r["side_bytes_after"] = dir_bytes(d)
            r["incremental_share"] = r["incremental_new_file_bytes"] / r["side_bytes_after"]
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    r["load_avg_end"] = os.getloadavg()
    return r


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--queries", type=int, default=100)
    ap.add_argument("--bm25s-max", type=int, default=100000)
    ap.add_argument("--no-save", action="store_true")
    ap.add_argument("--tmp", type=Path, default=None, help="where the saves go (default: a temp dir)")
    ap.add_argument("--out", default="lexical.json")
    args = ap.parse_args()

    c = load_corpus(args.data)
    texts = [posting_text_for_lexical(t, co, d) for t, co, d in zip(c.titles, c.companies, c.descs, strict=True)]

    queries = []
    with open(args.data / "resumes" / "livecareer" / "resumes.jsonl", encoding="utf-8") as fh:
        for line in fh:
            queries.append(query_text_for_lexical(json.loads(line)["text"]))
            if len(queries) >= args.queries:
                break
    t = time.perf_counter()
    base = LexicalIndex().build(texts)
    build_s = time.perf_counter() - t
    print(f"real corpus: {len(texts)} postings, built in {build_s:.1f} s; load {os.getloadavg()}", flush=True)
    res: dict = {"hardware": _common.hardware(), "real_postings": len(texts), "real_build_s": build_s,
                 "queries": len(queries), "sizes": {}}

    sizes = [len(texts)] + [int(s) for s in args.sizes.split(",") if s]
    for n in sizes:
        r = one_size(n, base, texts, queries, args)
        res["sizes"][str(n)] = r
        print(n, json.dumps(r), flush=True)
    print("wrote", _common.write_json(args.out, res))


if __name__ == "__main__":
    main()
