"""What the profile rules cost per resume, and the service's parse time, over the shared resumes outside every
held-out split (the same 1,245 as ``bench_parse_drift.py``; held-out ids are skipped by id, never opened).

    .venv/bin/python benchmarks/bench_parse_rules.py [--root DIR] [--limit N] [--out FILE]

- ``parse``: ``ResumeParser.parse`` as the service runs it (isolated worker read + rules), wall clock per resume;
- ``rules``: ``profile_from_text`` alone on the text the reader gave (CPU time of this process, so the machine's load
  inflates it less), the stage the round-5 second readings (``matcher/resumes/consistency.py``) add to.

``--root`` times the matcher package under another tree (``git archive <commit> matcher | tar -x -C DIR``), to
compare a change with what came before it on the same machine, one after the other.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))] if xs else float("nan")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", type=Path, default=HERE.parent)
    ap.add_argument("--data", type=Path, default=HERE.parents[1] / "shared" / "data")
    ap.add_argument("--limit", type=int, default=0, help="only the first N resumes (0 = all)")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    sys.path.insert(0, str(HERE))
    from bench_parse_drift import held_out_ids

    held = held_out_ids()
    for m in [k for k in sys.modules if k == "matcher" or k.startswith("matcher.")]:
        del sys.modules[m]
    sys.path.insert(0, str(args.root.resolve()))
    from matcher.errors import ResumeError
    from matcher.resumes import ResumeParser
    from matcher.resumes.profile import profile_from_text

    d = args.data
    items: list[tuple[bytes, str]] = []
    for r in map(json.loads, open(d / "resumes/livecareer/resumes.jsonl", encoding="utf-8")):
        if ("livecareer", str(r["id"])) not in held:
            items.append(((d / "resumes/livecareer" / r["pdf"]).read_bytes(), "2021-01-01"))
    for r in map(json.loads, open(d / "resumes/updated_resume_dataset/resumes.jsonl", encoding="utf-8")):
        if ("updated_resume_dataset", str(r["id"])) not in held:
            items.append((r["text"].encode("utf-8"), "2021-01-01"))
    labelled_dev = {json.loads(x)["id"] for x in open(HERE / "labels" / "resume_fields.jsonl", encoding="utf-8")
                    if json.loads(x).get("split") == "dev" and json.loads(x).get("source") == "vanetik"}
    for p in sorted((d / "resumes/vanetik_cv").glob("*.docx")):
        if p.stem in labelled_dev:  # the dev Word CVs only (the others are the held-out test split)
            items.append((p.read_bytes(), "2023-01-01"))
    if args.limit:
        items = items[: args.limit]
    parse_ms: list[float] = []
    rules_ms: list[float] = []
    errors = 0
    with ResumeParser() as parser:
        for data, as_of in items[:5]:  # warm-up
            try:
                parser.parse(data, as_of=as_of)
            except ResumeError:
                pass
        for data, as_of in items:
            t0 = time.perf_counter()
            try:
                parsed = parser.parse(data, as_of=as_of)
            except ResumeError:
                errors += 1
                continue
            parse_ms.append((time.perf_counter() - t0) * 1000)
            kind, ext = parser.extract(data)
            c0 = time.process_time()
            profile_from_text(ext.text, as_of)
            rules_ms.append((time.process_time() - c0) * 1000)
            del parsed
    out = {"root": str(args.root), "resumes": len(items), "errors": errors,
           "parse_ms": {"p50": pct(parse_ms, .5), "p90": pct(parse_ms, .9), "p99": pct(parse_ms, .99),
                        "max": max(parse_ms)},
           "rules_cpu_ms": {"mean": sum(rules_ms) / len(rules_ms), "p50": pct(rules_ms, .5),
                            "p99": pct(rules_ms, .99)},
           "loadavg": Path("/proc/loadavg").read_text().split()[:3],
           "created": time.strftime("%Y-%m-%dT%H:%M:%S")}
    print(json.dumps(out, indent=1))
    if args.out:
        args.out.write_text(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
