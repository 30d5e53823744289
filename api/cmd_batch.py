"""``jobmatch batch INPUT --out OUT.jsonl``: match many resumes offline (thin wrapper over :mod:`matcher.batch`)."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .cli_common import add_common, run_until_killed, settings_from
from .cmd_match import add_match_options, options_from


def register(sub) -> None:
    p = sub.add_parser("batch", help="match a directory or JSONL file of resumes; one JSONL line per candidate",
                       description="INPUT is a directory of resume files (recursive; PDF, DOCX, text, JSON Resume) "
                       "or a JSONL file of {id, text | path | json_resume, optional degree/months/location/lat/lon "
                       "and other matching options per candidate}. Results are those of `jobmatch match`.")
    p.add_argument("input", type=Path, help="directory of resumes, or JSONL file")
    p.add_argument("--out", type=Path, required=True, help="output JSONL (one line per candidate); "
                   "a summary goes to OUT.summary.json")
    add_common(p)
    add_match_options(p)
    p.add_argument("--workers", type=int, default=1, help="parser processes (local) or parse actors (ray); default 1")
    p.add_argument("--engine", choices=["local", "ray"], default="local")
    p.add_argument("--ray-address", default=None,
                   help="Ray cluster address (default: start a local Ray instance with 2 CPUs)")
    p.add_argument("--match-actors", type=int, default=1,
                   help="ray: actors that hold the model and the index (each takes 1 CPU); default 1")
    p.add_argument("--resume", action="store_true", help="continue an interrupted run: skip ids already in OUT")
    p.add_argument("--embed-batch", type=int, default=64, help="candidates parsed, embedded and matched per step (default 64)")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="progress bar on stderr (default: when stderr is a terminal)")
    p.add_argument("--direction", choices=["resume-to-jobs", "job-to-candidates"], default="resume-to-jobs",
                   help="resume-to-jobs (default): INPUT holds resumes; job-to-candidates: INPUT holds JobPosting "
                   "JSON-LD (a file or a directory; not stored) and each line ranks the candidate pool for one "
                   "posting, like `jobmatch match-job` (options: top_k offset radius_km months_slack strict filters)")
    p.set_defaults(func=cmd_batch)


def cmd_batch(args: argparse.Namespace) -> int:
    from matcher.batch import BatchConfig, run_batch, summary_path
    from matcher.errors import InvalidRequest

    settings = settings_from(args)
    if getattr(args, "direction", "resume-to-jobs") == "job-to-candidates":
        from .cmd_match_job import cmd_batch_jobs

        return cmd_batch_jobs(args, settings)
    if args.workers < 1:
        raise InvalidRequest("--workers must be at least 1")
    if args.embed_batch < 1:
        raise InvalidRequest("--embed-batch must be at least 1")
    cfg = BatchConfig(input=args.input, out=args.out, options=options_from(args, settings), settings=settings,
                      workers=args.workers, engine=args.engine, ray_address=args.ray_address, resume=args.resume,
                      match_actors=args.match_actors,
                      embed_batch=args.embed_batch, progress=args.progress, freeze_heap=True)
    s = run_until_killed(lambda: run_batch(cfg))  # a kill stops like Ctrl-C: lines so far stay, summary written
    if args.json:
        json.dump(s, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        st = s["stages_s"]
        print(f"{s['processed']} candidates written to {s['out']} ({s['ok']} matched, {s['failed']} failed"
              + (f", {s['already_done']} already done" if s["already_done"] else "") + ")")
        print(f"{s['elapsed_s']:.1f} s, {s['candidates_per_s'] or 0:.1f} candidates/s; stages: parse {st['parse']:.1f} "
              f"worker-s (waited {st['parse_wait']:.1f} s), embed {st['embed']:.1f} s, search {st['search']:.1f} s, "
              f"write {st['write']:.1f} s")
        for code, n in sorted(s["failures_by_code"].items()):
            print(f"  failed ({code}): {n}")
        for f in s["failures"][:10]:
            print(f"    {f['id']}: {f['message']}")
        if s["ignored_keys"]:
            print(f"  ignored input keys: {', '.join(sorted(s['ignored_keys']))}")
        print(f"summary: {summary_path(Path(s['out']))}")
    return 0 if s["complete"] else 1
