"""``jobmatch match-job ID|FILE``: candidates of the pool for a stored posting (by id) or for a JobPosting
JSON-LD file (read like ``jobmatch ingest`` reads it, refused with its error, never stored)."""
from __future__ import annotations

import argparse
from pathlib import Path

from matcher.candidates import CandidatePool, CandidatesResponse, ReverseOptions

from .cli_common import STDIN, add_common, add_model_flags, filter_lines, print_json, run_until_killed, settings_from


def reverse_options(args: argparse.Namespace, settings) -> ReverseOptions:
    from pydantic import ValidationError

    from matcher.errors import InvalidRequest

    vals = {k: getattr(args, k, None) for k in ReverseOptions.model_fields}
    vals = {k: v for k, v in vals.items() if v is not None}
    vals.setdefault("top_k", settings.default_top_k)
    vals.setdefault("radius_km", settings.default_radius_km)
    try:
        opts = ReverseOptions(**vals)
    except ValidationError as e:
        first = e.errors()[0]
        raise InvalidRequest(f"--{'.'.join(map(str, first['loc'])).replace('_', '-')}: {first['msg']}") from None
    if opts.top_k > settings.max_top_k:
        raise InvalidRequest(f"--top-k is {opts.top_k}; the most returned is {settings.max_top_k}")
    return opts


def render_text(resp: CandidatesResponse) -> str:
    j, f = resp.job, resp.filters
    req = f"degree={j.degree if j.degree is not None else 'unknown'}  months={j.months if j.months is not None else 'unknown'}"
    lines = [f"Job: {j.title} — {j.company or '?'}  [{j.location or '?'}]  {req}  id={j.id}"
             + ("" if j.stored else "  (inline, not stored)"),
             f"Filters: {f.eligible} of {f.total} candidates eligible"]
    lines += filter_lines(f.rules, 11)
    lines.append("")
    if not resp.results:
        lines.append("No candidate passes the filters. Try --radius-km, --months-slack, or --no-filters.")
    for i, m in enumerate(resp.results, 1):
        dist = f"  {m.distance_km:.0f} km" if m.distance_km is not None else ""
        sim = f"{m.similarity:.2f}" if m.similarity is not None else "?"
        lines.append(f"{i:>2}. {m.score:.4f} (sim {sim})  {m.label or m.id}  [{m.location or 'location unknown'}]{dist}")
        if m.skills_in_common:
            lines.append(f"      skills in common: {', '.join(m.skills_in_common[:12])}")
        if m.skills_missing:
            lines.append(f"      missing: {', '.join(m.skills_missing[:12])}")
        reqs = []
        for name, r in m.requirements.items():
            mark = {True: "met", False: "NOT met", None: "unknown"}[r.met]
            reqs.append(f"{name} {mark}" + (f" ({r.reason})" if r.reason and r.met is None else ""))
        lines.append(f"      {'; '.join(reqs)}   id={m.id}")
    return "\n".join(lines)


def cmd_match_job(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    opts = reverse_options(args, settings)
    target = args.job
    with CandidatePool(settings) as pool:
        if target == STDIN or Path(target).is_file():
            from matcher.candidates import resolve_posting

            from .cli_common import read_input

            data, name = read_input(target, settings.max_upload_bytes)
            resp = pool.match_posting(resolve_posting(data, source=name), opts)
        else:
            from index import JobIndex
            from matcher.errors import IndexNotFound, NotFound
            from matcher.jobstore import JobStore

            with JobStore(settings.store_path) as store:
                try:
                    posting = store.get(target).posting
                except NotFound:
                    raise NotFound(f"no posting with id {target!r} and no such file; list ids with "
                                   "`jobmatch jobs ls`") from None
            vec = None  # the posting's vector as the job index holds it, when built with the same model
            try:
                idx = JobIndex.open(settings.index_path, mmap=True, verify=False)
                if idx.model_id == pool.embedder.model_id and idx.model_checksum in (None, pool.embedder.checksum):
                    vec = idx.vector_of(target)
            except IndexNotFound:
                pass
            resp = pool.match_posting(posting, opts, vector=vec, stored=True)
    if args.json:
        print_json(resp)
    else:
        print(render_text(resp))
    return 0


def register(sub) -> None:
    p = sub.add_parser("match-job", help="rank the pool's candidates for a posting (stored id or JSON-LD file)")
    p.add_argument("job", help="a stored posting id, or a JobPosting JSON-LD file (not stored); - reads stdin")
    add_common(p)
    add_model_flags(p, ReverseOptions)
    p.set_defaults(func=cmd_match_job)


def cmd_batch_jobs(args: argparse.Namespace, settings) -> int:
    """``jobmatch batch INPUT --out OUT --direction job-to-candidates`` (:mod:`matcher.candidates.batch`)."""
    import json
    import sys

    from matcher.candidates.batch import run_job_batch
    from matcher.domain import MatchOptions
    from matcher.errors import InvalidRequest

    # the forward-only options have no meaning here: refuse them rather than ignore them
    forward_only = [n for n in MatchOptions.model_fields if n not in ReverseOptions.model_fields
                    and getattr(args, n, None) is not None]
    if forward_only:
        raise InvalidRequest(f"{', '.join('--' + n.replace('_', '-') for n in forward_only)}: not an option of "
                             "--direction job-to-candidates (its options: --top-k --offset --radius-km "
                             "--months-slack --strict --no-filters)")
    if args.engine != "local" or args.workers != 1:
        raise InvalidRequest("--direction job-to-candidates runs in this process (no --engine ray, no --workers)")
    opts = reverse_options(args, settings)

    s = run_until_killed(lambda: run_job_batch(args.input, args.out, opts, settings, resume=args.resume,
                                               embed_batch=args.embed_batch, progress=args.progress))
    if args.json:
        json.dump(s, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        print(f"{s['processed']} postings written to {s['out']} ({s['ok']} matched, {s['failed']} failed"
              + (f", {s['already_done']} already done" if s["already_done"] else "") + f"); {s['elapsed_s']:.1f} s")
        for code, n in sorted(s["failures_by_code"].items()):
            print(f"  failed ({code}): {n}")
    return 0 if s["complete"] else 1
