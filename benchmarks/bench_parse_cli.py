"""Wall time of one-shot ``jobmatch parse`` (start-up included) on a small text resume, a DOCX and a PDF.

Run: ``.venv/bin/python benchmarks/bench_parse_cli.py [--runs 5]``; writes ``benchmarks/results/parse_cli.json``.
Each command is a fresh process, as a user typing it would run it; the first run of each is a warm-up (disk
cache) and is not counted.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import SHARED, hardware, pct, write_json  # noqa: E402

TEXT = "Jane Doe\nAustin, TX\nExperience\nDeveloper Jan 2018 - Present\nEducation\nBS Computer Science 2014\n"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    exe = str(Path(sys.executable).with_name("jobmatch"))
    live = json.loads(next(open(SHARED / "data/resumes/livecareer/resumes.jsonl", encoding="utf-8")))
    with tempfile.TemporaryDirectory() as tmp:
        txt = Path(tmp) / "resume.txt"
        txt.write_text(TEXT)
        files = {"text": txt, "docx": SHARED / "data/resumes/vanetik_cv/2.docx",
                 "pdf": SHARED / "data/resumes/livecareer" / live["pdf"]}
        out = {}
        for kind, path in files.items():
            times = []
            for i in range(args.runs + 1):
                t0 = time.perf_counter()
                subprocess.run([exe, "parse", str(path), "--json"], check=True, stdout=subprocess.DEVNULL)
                if i:
                    times.append(time.perf_counter() - t0)
            out[kind] = {"runs": len(times), "p50_s": pct(times, 50), "max_s": max(times)}
            print(f"jobmatch parse {kind:5}: p50 {out[kind]['p50_s']:.2f} s, max {out[kind]['max_s']:.2f} s")
    write_json("parse_cli.json", {"results": out, "hardware": hardware(), "command": " ".join(sys.argv)})
    return 0


if __name__ == "__main__":
    sys.exit(main())
