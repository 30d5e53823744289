"""What the second stage's ``distinct`` signal would cost and change if its resume-line vectors were read from the
query embedding's own forward pass instead of a second one (a measurement for the ranking owner; nothing shipped).

    .venv/bin/python benchmarks/bench_line_vectors.py --data-dir /tmp/jm-full --pdfs 40

The lines the signal reads (:func:`matcher.second_stage.resume_lines`, the first ``RESUME_LINE_WORDS`` words) sit
inside the query's first window (256 word pieces), whose token vectors the ONNX pass already computes
(``token_embeddings``). A *contextual* line vector is the mean of those token vectors over the line's word
pieces (found as the line's own word-piece ids inside the window), at unit length. Reported over the same real
PDFs as ``bench_api.py``: CPU of the shipped line embedding (a second forward pass) against the pooling, the
cosine between the two kinds of line vector, and how the final top-10 moves when the contextual vectors are used
(overlap with the shipped top-10, same first result). Writes ``benchmarks/results/line_vectors.json``.
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


def find(seq: list[int], sub: list[int], start: int = 0) -> int:
    n = len(sub)
    for i in range(start, len(seq) - n + 1):
        if seq[i:i + n] == sub:
            return i
    return -1


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

    def contextual(profile) -> tuple[np.ndarray | None, float, int]:
        """Line vectors pooled from the query window's token vectors; CPU of the pooling; lines not found."""
        text = service.query_text(profile.text)
        windows, _ = emb._windows([text], svc.settings.query_windows)
        win = windows[0]
        arrays = emb._arrays([win])
        feed = {n: arrays[n] for n in emb._backend.input_names}
        tokens = np.asarray(emb._backend.session.run(["token_embeddings"], feed)[0], np.float32)[0]
        lines = resume_lines(profile.text)
        if not lines:
            return None, 0.0, 0
        c0 = time.thread_time()
        out, missing, at = [], 0, 0
        for ids in emb._token_ids(lines):
            i = find(win, ids, at) if ids else -1
            if i < 0:
                i = find(win, ids) if ids else -1
            if i < 0:
                missing += 1
                span = tokens[: len(win)]
            else:
                span = tokens[i:i + len(ids)]
                at = i + len(ids)
            v = span.mean(axis=0, dtype=np.float32)
            out.append(v / max(float(np.linalg.norm(v)), 1e-12))
        return np.stack(out).astype(np.float32), time.thread_time() - c0, missing

    shipped_cpu, pool_cpu, cos, missing, n_lines = [], [], [], 0, 0
    overlap, same_first = [], []
    orig = service.MatchService._resume_line_vectors
    for prof in profiles:
        qv = svc.embed_query(prof)
        c0 = time.process_time()
        alone = orig(svc, prof, qv)
        shipped_cpu.append(time.process_time() - c0)
        ctx, t, miss = contextual(prof)
        pool_cpu.append(t)
        if ctx is not None and alone is not None and len(ctx) == len(alone):
            cos += list((ctx * alone).sum(axis=1))
            n_lines += len(ctx)
            missing += miss
        base = [m.id for m in match_page(svc, prof, opts, query_vec=qv).results]
        vecs = ctx if ctx is not None else None
        service.MatchService._resume_line_vectors = (
            lambda self, p, q, _v=vecs: _v if _v is not None else orig(self, p, q))
        try:
            alt = [m.id for m in match_page(svc, prof, opts, query_vec=qv).results]
        finally:
            service.MatchService._resume_line_vectors = orig
        overlap.append(len(set(base) & set(alt)) / max(1, len(base)))
        same_first.append(bool(base and alt and base[0] == alt[0]))
    svc.close()
    res = {"resumes": len(profiles), "resume_line_words": RESUME_LINE_WORDS, "lines": n_lines,
           "lines_not_found_in_window": missing,
           "shipped_line_embedding_cpu_ms": float(np.mean(shipped_cpu) * 1e3),
           "contextual_pooling_cpu_ms": float(np.mean(pool_cpu) * 1e3),
           "cosine_contextual_vs_alone": {"mean": float(np.mean(cos)), "min": float(np.min(cos))} if cos else None,
           "top10_overlap_mean": float(np.mean(overlap)), "same_first_result": float(np.mean(same_first))}
    print(res)
    path = write_json(args.out, {"hardware": hardware(), **res,
                                 "command": " ".join(["benchmarks/bench_line_vectors.py", *sys.argv[1:]])})
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
