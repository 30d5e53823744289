"""The second stage's ``distinct`` signal reads the resume's lines; since round 4 their vectors are pooled from the
query embedding's own forward pass (:meth:`matcher.service.MatchService.embed_query_lines`) instead of a second
pass over the lines alone (commit e8fb349 to 5edef36). This measures the two against each other.

    .venv/bin/python benchmarks/bench_line_vectors.py --data-dir /tmp/jm-full --pdfs 40

The lines (:func:`matcher.second_stage.resume_lines`, the first ``RESUME_LINE_WORDS`` words) sit inside the query's
first window (256 word pieces); a *contextual* line vector is the mean of that window's token vectors over the
line's characters, at unit length. Reported over the same real PDFs as ``bench_api.py``: CPU of the query pass
with the pooling against the query pass plus a second pass over the lines alone, the cosine between the two kinds
of line vector, and how the final top-10 moves (overlap, same first result). Writes
``benchmarks/results/line_vectors.json``.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _common import hardware, write_json  # noqa: E402
from bench_api import pick_pdfs  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, required=True)
    ap.add_argument("--pdfs", type=int, default=40)
    ap.add_argument("--out", default="line_vectors.json")
    args = ap.parse_args()

    import matcher.service as service
    from matcher.domain import MatchOptions
    from matcher.paging import match_page
    from matcher.resumes.profile import profile_from_text
    from matcher.resumes.readers import read_pdf
    from matcher.second_stage import RESUME_LINE_WORDS, resume_lines
    from matcher.settings import Settings

    svc = service.MatchService(Settings(data_dir=args.data_dir), create_index=False)
    emb = svc.embedder
    opts = MatchOptions(as_of="2021-08-01", top_k=10)
    profiles = [profile_from_text(read_pdf(p.read_bytes()).text, "2021-08-01") for p in pick_pdfs(args.pdfs)]

    with_pass, pooled_cpu, cos, n_lines = [], [], [], 0
    overlap, same_first = [], []
    for prof in profiles:
        c0 = time.process_time()
        qv, ctx = svc.embed_query_lines(prof)
        pooled_cpu.append(time.process_time() - c0)
        lines = resume_lines(service.query_text(prof.text))
        c0 = time.process_time()
        svc.embed_query(prof)
        alone = emb.embed_windows(lines, max_windows=1)[0] if lines else qv[None, :]
        with_pass.append(time.process_time() - c0)
        if ctx is not None and len(ctx) == len(alone) and lines:
            cos += list((ctx * alone).sum(axis=1))
            n_lines += len(ctx)
        shipped = [m.id for m in match_page(svc, prof, opts, query_vec=qv, line_vecs=ctx).results]
        other = [m.id for m in match_page(svc, prof, opts, query_vec=qv, line_vecs=alone).results]
        overlap.append(len(set(shipped) & set(other)) / max(1, len(shipped)))
        same_first.append(bool(shipped and other and shipped[0] == other[0]))
    svc.close()
    res = {"resumes": len(profiles), "resume_line_words": RESUME_LINE_WORDS, "lines": n_lines,
           "query_pass_with_pooled_lines_cpu_ms": float(np.mean(pooled_cpu) * 1e3),
           "query_pass_plus_lines_pass_cpu_ms": float(np.mean(with_pass) * 1e3),
           "cosine_contextual_vs_alone": {"mean": float(np.mean(cos)), "min": float(np.min(cos))} if cos else None,
           "top10_overlap_with_lines_alone": float(np.mean(overlap)), "same_first_result": float(np.mean(same_first))}
    print(res)
    path = write_json(args.out, {"hardware": hardware(), **res,
                                 "command": " ".join(["benchmarks/bench_line_vectors.py", *sys.argv[1:]])})
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
