"""``jobmatch match``, ``jobmatch serve`` and ``jobmatch reindex``."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from matcher.domain import EMPLOYMENT_TYPES, MatchOptions, MatchResponse
from matcher.errors import InvalidRequest
from matcher.options import build_options

from .cli_common import add_common, print_json, settings_from


def add_match_options(p: argparse.ArgumentParser) -> None:
    """The one vocabulary of matching options (same names as form fields and JSON keys)."""
    p.add_argument("--top-k", type=int, default=None, help="how many results (default 10)")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--location", default=None, help='candidate location, e.g. "Austin, TX" or "Germany"')
    where.add_argument("--lat", type=float, default=None, help="candidate latitude (with --lon)")
    p.add_argument("--lon", type=float, default=None, help="candidate longitude (with --lat)")
    p.add_argument("--radius-km", type=float, default=None, help="on-site radius in km (default 50)")
    p.add_argument("--remote", choices=["any", "only", "exclude"], default=None)
    p.add_argument("--degree", choices=["high_school", "associate", "bachelor", "postgraduate"], default=None)
    p.add_argument("--months", type=int, default=None, help="months of experience")
    p.add_argument("--months-slack", type=int, default=None, help="allow postings asking up to this many months more")
    p.add_argument("--as-of", default=None, help="matching clock, ISO date (default now); the 2021 sample needs e.g. 2021-08-01")
    p.add_argument("--strict", action="store_true", default=None, help="unknown candidate values fail their rule")
    p.add_argument("--no-filters", dest="filters", action="store_false", default=None,
                   help="rank by similarity alone; every hard filter is skipped on request")
    p.add_argument("--employment-types", default=None,
                   help="comma-separated, any of " + ",".join(EMPLOYMENT_TYPES) + " (postings stating none pass as unknown)")
    p.add_argument("--min-salary", type=float, default=None,
                   help="annual salary the range must reach (with --salary-currency); no salary passes as unknown")
    p.add_argument("--salary-currency", default=None, help="ISO 4217 currency of --min-salary, e.g. USD")
    p.add_argument("--posted-within-days", type=int, default=None,
                   help="datePosted at most this many days before --as-of (no datePosted passes as unknown)")


def options_from(args: argparse.Namespace, settings) -> MatchOptions:
    vals = {k: getattr(args, k, None) for k in MatchOptions.model_fields}
    return build_options(vals, settings, name=lambda k: "--" + k.replace("_", "-"))


def render_text(resp: MatchResponse) -> str:
    c, f = resp.candidate, resp.filters
    loc = c.location.text() if c.location else None
    lines = [f"Candidate: degree={c.degree or 'unknown'}  months={c.months if c.months is not None else 'unknown'}  "
             f"location={loc or 'unknown'}  skills={len(c.skills)}"
             + (f"  (overridden: {', '.join(c.overridden)})" if c.overridden else ""),
             f"Filters as of {f.as_of:%Y-%m-%d}: {f.eligible} of {f.total} postings eligible"]
    for r in f.rules:
        if r.status == "applied":
            unknown = f", {r.unknown} passed as unknown" if r.unknown else ""
            lines.append(f"  {r.rule:<15} applied, removed {r.removed}{unknown}")
        else:
            lines.append(f"  {r.rule:<15} skipped: {r.reason}")
    lines.append("")
    if not resp.results:
        lines.append("No posting passes the filters. Try --radius-km, --remote any, or --no-filters.")
    for i, m in enumerate(resp.results, 1):
        dist = f"  {m.distance_km:.0f} km" if m.distance_km is not None else ""
        lines.append(f"{i:>2}. {m.score:.4f} (sim {m.similarity:.2f})  {m.title} — {m.company or '?'}  [{m.location or '?'}]{dist}")
        terms = [t for t in (", ".join(m.employment_types), m.salary.text() if m.salary else "",
                             f"posted {m.date_posted:%Y-%m-%d}" if m.date_posted else "") if t]
        if terms:
            lines.append(f"      {' · '.join(terms)}")
        if m.skills_in_common:
            lines.append(f"      skills in common: {', '.join(m.skills_in_common[:12])}")
        reqs = []
        for name, r in m.requirements.items():
            mark = {True: "met", False: "NOT met", None: "unknown"}[r.met]
            reqs.append(f"{name} {r.required} ({mark})")
        lines.append(f"      requires: {'; '.join(reqs)}   id={m.id}")
    return "\n".join(lines)


def cmd_match(args: argparse.Namespace) -> int:
    from matcher.service import MatchService, as_utc

    settings = settings_from(args)
    path = Path(args.resume)
    if not path.is_file():
        raise InvalidRequest(f"no such file: {path}")
    opts = options_from(args, settings)
    data = path.read_bytes()
    if len(data) > settings.max_upload_bytes:
        from matcher.errors import FileTooLarge

        raise FileTooLarge(f"{path} is {len(data):,} bytes; the limit is {settings.max_upload_bytes:,} "
                           "(JOBMATCH_MAX_UPLOAD_BYTES)")
    with MatchService(settings, create_index=False) as svc:
        profile = svc.profile_from_resume(data, filename=path.name, as_of=as_utc(opts.as_of))
        resp = svc.match(profile, opts)
    if args.json:
        print_json(resp)
    else:
        print(render_text(resp))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from .server import serve

    serve(settings_from(args), host=args.host, port=args.port, log_level=args.log_level)
    return 0


def cmd_reindex(args: argparse.Namespace) -> int:
    from matcher.service import MatchService

    settings = settings_from(args)
    with MatchService(settings, create_index=True) as svc:
        n = svc.reindex(progress=sys.stderr.isatty())
        gen = getattr(svc.index, "generation", None)
    if args.json:
        print_json({"indexed": n, "generation": gen})
    else:
        print(f"indexed {n} postings (generation {gen})")
    return 0


def register(sub) -> None:
    p = sub.add_parser("match", help="rank open jobs for one resume")
    p.add_argument("resume", help="PDF, DOCX, plain text or JSON Resume file")
    add_common(p)
    add_match_options(p)
    p.set_defaults(func=cmd_match)

    p = sub.add_parser("serve", help="run the HTTP API (and the web page at /)")
    add_common(p, json_flag=False)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--log-level", default="info")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("reindex", help="rebuild the vector index from the job store")
    add_common(p)
    p.set_defaults(func=cmd_reindex)
