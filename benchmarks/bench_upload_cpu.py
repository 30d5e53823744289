"""Where the CPU of one resume upload goes, stage by stage, in-process (what ``POST /v1/match/resume`` runs).

    .venv/bin/python benchmarks/bench_upload_cpu.py --data-dir /tmp/jm-full --pdfs 40 --repeats 2

Over the same real PDFs as ``bench_api.py`` (``as_of=2021-08-01``, ``top_k=10``), one upload at a time, each
stage timed in wall clock and in CPU time, which the machine's load does not inflate much:

- ``extract``: the isolated parse worker reading the PDF (IPC + pypdfium2 + the char loop); CPU = the worker
  processes' CPU (``/proc/PID/stat``) plus this process's during the round trip;
- ``rules``: profile extraction from the text (sections, dates, skills; in the server's process);
- ``embed``: the query embedding (process CPU: every onnxruntime thread);
- ``match`` and its parts: filters, occupation rule, first stage (dense + BM25 + fusion), the resume-line
  embedding of the second stage's ``distinct`` signal, the second stage, the diversity pass, explanations; ``json``: the response model validated and serialised as FastAPI does.

``--profile N`` also prints a cProfile of N matches (the top functions by own time). Writes
``benchmarks/results/upload_cpu.json`` (``--out``).
"""
from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import hardware, pct, write_json  # noqa: E402
from bench_api import pick_pdfs  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


WORKERS: list = []  # the parse pool's workers (children of the forkserver, not of this process)


def children_cpu() -> float:
    """CPU seconds (user + system) of the parse workers (clock ticks: 10 ms resolution, so quote means)."""
    total = 0.0
    for w in WORKERS:
        try:
            with open(f"/proc/{w.proc.pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / TICK
    return total


class Clock:
    """Wall and CPU (process or thread) time per named stage, over many calls."""

    def __init__(self) -> None:
        self.wall: dict[str, list[float]] = defaultdict(list)
        self.cpu: dict[str, list[float]] = defaultdict(list)
        self.on = True

    def wrap(self, name: str, fn, cpu=time.process_time):
        def timed(*a, **kw):
            if not self.on:
                return fn(*a, **kw)
            w0, c0 = time.perf_counter(), cpu()
            try:
                return fn(*a, **kw)
            finally:
                self.wall[name].append(time.perf_counter() - w0)
                self.cpu[name].append(cpu() - c0)
        return timed


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, required=True)
    ap.add_argument("--pdfs", type=int, default=40)
    ap.add_argument("--repeats", type=int, default=2, help="passes over the PDFs (the first upload is warm-up)")
    ap.add_argument("--profile", type=int, default=0, help="cProfile this many matches and print the top")
    ap.add_argument("--out", default="upload_cpu.json")
    args = ap.parse_args()

    os.environ.setdefault("JOBMATCH_LOG_LEVEL", "warning")
    from fastapi.encoders import jsonable_encoder  # noqa: F401  (imported like the app does)

    import matcher.second_stage as second_stage
    import matcher.service as service
    from matcher import paging
    from matcher.domain import MatchOptions, MatchResponse
    from matcher.jobstore import JobStore
    from matcher.ranking import HybridRanker
    from matcher.resumes import parser as parser_mod
    from matcher.resumes.profile import as_date
    from matcher.settings import Settings

    clock = Clock()
    # the parts of a match, wrapped where matcher.service looks them up
    service.apply_filters = clock.wrap("filters", service.apply_filters)
    service.MatchService._occupation_rule = clock.wrap("occupation_rule", service.MatchService._occupation_rule)
    HybridRanker.rank_detailed = clock.wrap("first_stage", HybridRanker.rank_detailed)
    service.rerank_rows = clock.wrap("second_stage", second_stage.rerank_rows)
    service.diversify = clock.wrap("diversify", service.diversify)
    service.MatchService._explain = clock.wrap("explain", service.MatchService._explain)
    service.MatchService._rank = clock.wrap("rank_total", service.MatchService._rank)
    parser_mod.profile_from_text = clock.wrap("rules", parser_mod.profile_from_text)
    # the rest of rank_total, part by part (each wrap costs ~1-2 us a call: ~0.2 ms over the ~110 calls an upload)
    JobStore.postings = clock.wrap("postings", JobStore.postings)  # the candidates' postings, one store read
    second_stage.PostingLines.signature = clock.wrap("signatures", second_stage.PostingLines.signature)
    service.resume_occupation = clock.wrap("resume_occupation", service.resume_occupation)
    service.query_text_for_lexical = clock.wrap("lexical_query_text", service.query_text_for_lexical)
    service.resume_title_text = clock.wrap("title_text", service.resume_title_text)
    service.MatchService._lexical_row = clock.wrap("lexical_rows", service.MatchService._lexical_row)
    service.readable_scores = clock.wrap("readable_scores", service.readable_scores)

    svc = service.MatchService(Settings(data_dir=args.data_dir), create_index=False)
    opts = MatchOptions(as_of="2021-08-01", top_k=10)
    pdfs = pick_pdfs(args.pdfs)
    blobs = [p.read_bytes() for p in pdfs]
    from pydantic import TypeAdapter

    adapter = TypeAdapter(MatchResponse)
    rows: dict[str, list[float]] = defaultdict(list)
    cpus: dict[str, list[float]] = defaultdict(list)
    load_before = os.getloadavg()
    # warm-up: the parse workers, the model, the caches of the lexical side
    prof = svc.profile_from_resume(blobs[0], as_of=opts.as_of)
    qv, lines = svc.embed_query_lines(prof)
    paging.match_page(svc, prof, opts, query_vec=qv, line_vecs=lines)
    WORKERS.extend(svc.parser._pool._all)
    from matcher.resumes.readers import read_pdf

    inproc = []
    for data in blobs:  # the same reader in this process, for its CPU time alone (no IPC)
        c0 = time.thread_time()
        read_pdf(data, svc.settings.max_pages)
        inproc.append(time.thread_time() - c0)
    for lst in (*clock.wall.values(), *clock.cpu.values()):
        lst.clear()
    t_start, c_start, k_start = time.perf_counter(), time.process_time(), children_cpu()
    n = 0
    for _ in range(args.repeats):
        for data in blobs:
            w0, c0, k0 = time.perf_counter(), time.process_time(), children_cpu()
            kind, ext = svc.parser.extract(data)
            w1, c1, k1 = time.perf_counter(), time.process_time(), children_cpu()
            # rules on the extracted text, as ResumeParser.parse does after the worker
            prof = parser_mod.profile_from_text(ext.text, as_date(opts.as_of),
                                                min_confidence=svc.settings.profile_min_confidence)
            w2, c2 = time.perf_counter(), time.process_time()
            qv, lines = svc.embed_query_lines(prof)  # as the upload route: the distinct lines from the same pass
            w3, c3 = time.perf_counter(), time.process_time()
            resp = paging.match_page(svc, prof, opts, query_vec=qv, line_vecs=lines)
            w4, c4 = time.perf_counter(), time.process_time()
            body = json.dumps(adapter.dump_python(adapter.validate_python(resp), mode="json")).encode()
            w5, c5 = time.perf_counter(), time.process_time()
            assert body
            rows["extract"].append(w1 - w0)
            cpus["extract"].append((c1 - c0) + (k1 - k0))
            rows["rules"].append(w2 - w1)
            cpus["rules"].append(c2 - c1)
            rows["embed"].append(w3 - w2)
            cpus["embed"].append(c3 - c2)
            rows["match"].append(w4 - w3)
            cpus["match"].append(c4 - c3)
            rows["json"].append(w5 - w4)
            cpus["json"].append(c5 - c4)
            n += 1
    wall_total = time.perf_counter() - t_start
    cpu_total = time.process_time() - c_start + children_cpu() - k_start
    load_after = os.getloadavg()
    for k in list(clock.wall):
        if k == "rules":
            continue
        rows["match." + k] = clock.wall[k]
        cpus["match." + k] = clock.cpu[k]

    rows["read_pdf_in_process"], cpus["read_pdf_in_process"] = inproc, inproc
    table = {}
    print(f"{n} uploads, load {load_before[0]:.2f} -> {load_after[0]:.2f}")
    print(f"{'stage':<24} {'wall p50':>9} {'wall mean':>9} {'CPU p50':>8} {'CPU mean':>8}  (ms)")
    for k in ("extract", "read_pdf_in_process", "rules", "embed", "match", "match.rank_total", "match.filters", "match.occupation_rule",
              "match.first_stage", "match.second_stage", "match.diversify", "match.postings", "match.signatures",
              "match.resume_occupation", "match.lexical_query_text", "match.title_text", "match.lexical_rows",
              "match.readable_scores", "match.explain", "json"):
        if k not in rows:
            continue
        w, c = rows[k], cpus[k]
        per = len(w) / n if k != "read_pdf_in_process" else 1.0  # calls per upload
        table[k] = {"calls_per_upload": per, "wall_p50_ms": pct(w, 50) * 1e3, "wall_mean_ms": sum(w) / len(w) * per * 1e3,
                    "cpu_p50_ms": pct(c, 50) * 1e3, "cpu_mean_ms": sum(c) / len(c) * per * 1e3}
        print(f"{k:<24} {table[k]['wall_p50_ms']:>9.1f} {table[k]['wall_mean_ms']:>9.1f} "
              f"{table[k]['cpu_p50_ms']:>8.1f} {table[k]['cpu_mean_ms']:>8.1f}")
    print(f"total: wall {wall_total / n * 1e3:.1f} ms, CPU {cpu_total / n * 1e3:.1f} ms per upload "
          f"(process + parse workers)")

    if args.profile:
        clock.on = False
        pr = cProfile.Profile()
        items = []
        for data in blobs[: args.profile]:
            p = svc.profile_from_resume(data, as_of=opts.as_of)
            items.append((p, *svc.embed_query_lines(p)))
        pr.enable()
        for p, qv, lines in items:
            resp = paging.match_page(svc, p, opts, query_vec=qv, line_vecs=lines)
            json.dumps(adapter.dump_python(adapter.validate_python(resp), mode="json"))
        pr.disable()
        pstats.Stats(pr).sort_stats("tottime").print_stats(30)
        pstats.Stats(pr).sort_stats("cumulative").print_stats(40)
    svc.close()
    hw = hardware()
    print(f"host speed (benchmarks/_common.host_speed, CPU ms): {hw['host_speed']}")
    path = write_json(args.out, {"hardware": hw, "uploads": n, "pdfs": len(pdfs),
                                 "load_before": load_before, "load_after": load_after,
                                 "per_upload_wall_ms": wall_total / n * 1e3, "per_upload_cpu_ms": cpu_total / n * 1e3,
                                 "stages": table, "command": " ".join(["benchmarks/bench_upload_cpu.py", *sys.argv[1:]])})
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
