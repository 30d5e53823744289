"""Score resume field extraction against the dev labels, and time PDF parsing over the shared PDFs.

Run: ``.venv/bin/python benchmarks/eval_parse.py [--data ../shared/data] [--limit N] [--show-failures]``
Writes ``benchmarks/results/eval_parse.json``.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from matcher.errors import ResumeError  # noqa: E402
from matcher.resumes import ResumeParser, profile_from_text  # noqa: E402
from matcher.settings import Settings  # noqa: E402


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))] if xs else float("nan")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    ap.add_argument("--limit", type=int, default=0, help="time only the first N PDFs (0 = all)")
    ap.add_argument("--show-failures", action="store_true")
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "results" / "eval_parse.json")
    args = ap.parse_args()
    d = args.data
    labels = [json.loads(x) for x in open(d / "labels" / "resume_fields_dev.jsonl", encoding="utf-8")]
    live = {}
    for line in open(d / "resumes/livecareer/resumes.jsonl", encoding="utf-8"):
        r = json.loads(line)
        live[r["id"]] = r
    urd = {}
    for line in open(d / "resumes/updated_resume_dataset/resumes.jsonl", encoding="utf-8"):
        r = json.loads(line)
        urd[r["id"]] = r
    settings = Settings()
    per: dict[str, dict] = {}
    failures = []
    with ResumeParser(settings) as parser:
        for lab in labels:
            src = lab["source"]
            if src == "livecareer":
                rec = live[lab["id"]]
                prof = parser.parse((d / "resumes/livecareer" / rec["pdf"]).read_bytes(), as_of=lab["as_of"]).profile
            else:
                prof = profile_from_text(urd[lab["id"]]["text"], lab["as_of"])
            s = per.setdefault(src, {"n": 0, "degree_ok": 0, "months_n": 0, "months_within12": 0, "months_abs": [],
                                     "months_null_ok": 0, "loc_n": 0, "city_ok": 0, "country_ok": 0, "loc_false_pos": 0})
            s["n"] += 1
            want_deg = None if lab["highest_degree"] == "none_stated" else lab["highest_degree"]
            s["degree_ok"] += prof.degree == want_deg
            want_m = lab["months_experience"]
            if want_m is None:
                s["months_null_ok"] += prof.months is None
                ok_m = prof.months is None
            else:
                s["months_n"] += 1
                ok_m = prof.months is not None and abs(prof.months - want_m) <= 12
                s["months_within12"] += ok_m
                s["months_abs"].append(abs((prof.months if prof.months is not None else 0) - want_m))
            loc = lab["location"]
            got = prof.location
            if loc.get("city") or loc.get("country"):
                s["loc_n"] += 1
                s["city_ok"] += bool(got and (got.city or "").lower() == (loc["city"] or "").lower())
                s["country_ok"] += bool(got and got.country == loc["country"])
            elif got is not None:
                s["loc_false_pos"] += 1
            if prof.degree != want_deg or not ok_m:
                failures.append({"source": src, "id": lab["id"], "degree": [prof.degree, want_deg],
                                 "months": [prof.months, want_m], "ev": {k: prof.evidence.get(k) for k in ("degree", "months")}})
        # timing over all shared PDFs
        pdfs = sorted((d / "resumes/livecareer/pdf").glob("*/*.pdf"))
        if args.limit:
            pdfs = pdfs[: args.limit]
        for p in pdfs[:5]:  # warm-up
            parser.parse(p.read_bytes(), as_of="2021-01-01")
        times, extract_times, errors = [], [], []
        for p in pdfs:
            data = p.read_bytes()
            t0 = time.perf_counter()
            try:
                parser.extract(data)
                t1 = time.perf_counter()
                parser.parse(data, as_of="2021-01-01")
                t2 = time.perf_counter()
                extract_times.append(t1 - t0)
                times.append(t2 - t1)
            except ResumeError as e:
                errors.append({"file": str(p.relative_to(d)), "error": type(e).__name__, "message": str(e)})
    table = []
    for src, s in per.items():
        row = {
            "source": src, "n": s["n"],
            "degree_acc": s["degree_ok"] / s["n"],
            "months_within12": s["months_within12"] / s["months_n"] if s["months_n"] else None,
            "months_mae": statistics.mean(s["months_abs"]) if s["months_abs"] else None,
            "months_labelled": s["months_n"], "months_null_correct": s["months_null_ok"],
            "months_null_labelled": s["n"] - s["months_n"],
            "loc_labelled": s["loc_n"], "city_acc": s["city_ok"] / s["loc_n"] if s["loc_n"] else None,
            "country_acc": s["country_ok"] / s["loc_n"] if s["loc_n"] else None,
            "loc_false_positive": s["loc_false_pos"],
        }
        table.append(row)
    tot = {k: sum(p[k] for p in per.values()) for k in ("n", "degree_ok", "months_n", "months_within12", "loc_n",
                                                        "city_ok", "country_ok", "loc_false_pos", "months_null_ok")}
    all_abs = [x for p in per.values() for x in p["months_abs"]]
    overall = {"source": "all", "n": tot["n"], "degree_acc": tot["degree_ok"] / tot["n"],
               "months_within12": tot["months_within12"] / max(1, tot["months_n"]),
               "months_mae": statistics.mean(all_abs) if all_abs else None,
               "months_labelled": tot["months_n"], "months_null_correct": tot["months_null_ok"],
               "months_null_labelled": tot["n"] - tot["months_n"],
               "loc_labelled": tot["loc_n"], "city_acc": tot["city_ok"] / max(1, tot["loc_n"]),
               "country_acc": tot["country_ok"] / max(1, tot["loc_n"]), "loc_false_positive": tot["loc_false_pos"]}
    table.append(overall)
    timing = {"pdfs": len(pdfs), "ok": len(times), "errors": errors,
              "extract_ms_p50": pct(extract_times, .5) * 1000, "extract_ms_p99": pct(extract_times, .99) * 1000,
              "parse_ms_p50": pct(times, .5) * 1000, "parse_ms_p99": pct(times, .99) * 1000,
              "parse_ms_max": max(times) * 1000 if times else None}
    hdr = f"{'source':24} {'n':>3} {'degree':>7} {'m±12':>6} {'m MAE':>6} {'null ok':>8} {'loc n':>5} {'city':>5} {'ctry':>5} {'loc FP':>6}"
    print(hdr)
    for r in table:
        f = lambda v, p=True: "  -  " if v is None else (f"{v * 100:5.0f}%" if p else f"{v:6.1f}")  # noqa: E731
        print(f"{r['source']:24} {r['n']:>3} {f(r['degree_acc']):>7} {f(r['months_within12']):>6} "
              f"{f(r['months_mae'], False):>6} {r['months_null_correct']:>3}/{r['months_null_labelled']:<4} "
              f"{r['loc_labelled']:>5} {f(r['city_acc']):>5} {f(r['country_acc']):>5} {r['loc_false_positive']:>6}")
    print(f"\nPDFs: {timing['pdfs']}  ok {timing['ok']}  errors {len(errors)}  "
          f"isolated read p50 {timing['extract_ms_p50']:.1f} ms p99 {timing['extract_ms_p99']:.1f} ms | "
          f"read+profile p50 {timing['parse_ms_p50']:.1f} ms p99 {timing['parse_ms_p99']:.1f} ms max {timing['parse_ms_max']:.1f} ms")
    for e in errors[:10]:
        print("  error:", e)
    if args.show_failures:
        for f_ in failures:
            print(json.dumps(f_, ensure_ascii=False)[:600])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    out = {"table": table, "timing": timing, "failures": failures,
           "hardware": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
           "created": time.strftime("%Y-%m-%dT%H:%M:%S")}
    args.out.write_text(json.dumps(out, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
