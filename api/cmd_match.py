"""``jobmatch match``, ``jobmatch serve`` and ``jobmatch reindex``."""
from __future__ import annotations

import argparse
import sys
import types
import typing

from matcher.domain import MatchOptions, MatchResponse
from matcher.options import build_options
from matcher.paging import match_page

from .cli_common import add_common, filter_lines, print_json, read_input, settings_from

EXCLUSIVE = ("location", "lat")  # a place by name or by coordinates, not both


def flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def add_match_options(p: argparse.ArgumentParser) -> None:
    """One flag per :class:`MatchOptions` field, generated from it: the same names as form fields and JSON keys
    (dashes for underscores), the field's description as help, its enum as choices. A boolean that defaults to
    true becomes ``--no-NAME``; a list is comma-separated."""
    where = p.add_mutually_exclusive_group()
    for name, field in MatchOptions.model_fields.items():
        target = where if name in EXCLUSIVE else p
        kind, choices = option_kind(field.annotation)
        helptext = (field.description or "").replace("%", "%%")
        if kind is bool:
            if field.default is True:
                target.add_argument(flag("no_" + name), dest=name, action="store_false", default=None, help=helptext)
            else:
                target.add_argument(flag(name), action="store_true", default=None, help=helptext)
        elif kind is list:
            target.add_argument(flag(name), default=None, metavar="A,B",
                                help=f"{helptext}; comma-separated, any of {','.join(choices or ())}")
        else:
            target.add_argument(flag(name), type=kind, choices=choices, default=None, help=helptext)


def option_kind(annotation) -> tuple[type, tuple[str, ...] | None]:
    """(argparse type, choices) of an option's annotation: ``int | None`` → int; a Literal → its values;
    a list → list (with the Literal's values); a date-time → str (read by :func:`matcher.options.parse_when`)."""
    args = [a for a in typing.get_args(annotation) if a is not type(None)] or [annotation]
    base = args[0] if typing.get_origin(annotation) in (typing.Union, types.UnionType) else annotation
    if typing.get_origin(base) is list:
        return list, typing.get_args(typing.get_args(base)[0]) or None
    if typing.get_origin(base) is typing.Literal:
        return str, typing.get_args(base)
    if base in (int, float, bool):
        return base, None
    return str, None


def options_from(args: argparse.Namespace, settings) -> MatchOptions:
    vals = {k: getattr(args, k, None) for k in MatchOptions.model_fields}
    return build_options(vals, settings, name=flag)


def render_text(resp: MatchResponse) -> str:
    c, f = resp.candidate, resp.filters
    loc = c.location.text() if c.location else None
    lines = [f"Candidate: degree={c.degree or 'unknown'}  months={c.months if c.months is not None else 'unknown'}  "
             f"location={loc or 'unknown'}  skills={len(c.skills)}"
             + (f"  (overridden: {', '.join(c.overridden)})" if c.overridden else ""),
             f"Filters as of {f.as_of:%Y-%m-%d}: {f.eligible} of {f.total} postings eligible"]
    lines += filter_lines(f.rules, 15)
    lines.append("")
    if not resp.results:
        lines.append("No posting passes the filters. Try --radius-km, --remote any, or --no-filters.")
    for i, m in enumerate(resp.results, 1):
        dist = f"  {m.distance_km:.0f} km" if m.distance_km is not None else ""
        strength = f"match {m.match:>3}/100" if m.match is not None else f"{m.score:.4f}"
        lines.append(f"{i:>2}. {strength} (sim {m.similarity:.2f})  {m.title} — {m.company or '?'}  [{m.location or '?'}]{dist}")
        terms = [t for t in (", ".join(m.employment_types), m.salary.text() if m.salary else "",
                             f"posted {m.date_posted:%Y-%m-%d}" if m.date_posted else "") if t]
        if terms:
            lines.append(f"      {' · '.join(terms)}")
        if m.skills_in_common:
            lines.append(f"      skills in common: {', '.join(m.skills_in_common[:12])}")
        if m.skills_missing:
            lines.append(f"      skills it asks for, not on the resume: {', '.join(m.skills_missing[:12])}")
        occ = m.occupation or {}
        if occ.get("posting") or occ.get("candidate"):
            name = lambda o: f"{o['title']} ({o['code'][:7]})" if o else "unknown"  # noqa: E731
            lines.append(f"      occupation: {name(occ.get('posting'))}; candidate: {name(occ.get('candidate'))}")
        if (m.ranking or {}).get("diversity"):
            lines.append(f"      placed lower: {m.ranking['diversity']}")
        reqs = []
        for name, r in m.requirements.items():
            mark = {True: "met", False: "NOT met", None: "unknown"}[r.met]
            reqs.append(f"{name} {r.required} ({mark})")
        lines.append(f"      requires: {'; '.join(reqs)}   id={m.id}")
    if resp.next_cursor:  # the same command with this flag shows the next results not shown yet
        lines += ["", f"More: add --cursor {resp.next_cursor}"]
    return "\n".join(lines)


def cmd_match(args: argparse.Namespace) -> int:
    from matcher.service import MatchService, as_utc

    settings = settings_from(args)
    opts = options_from(args, settings)
    data, name = read_input(args.resume, settings.max_upload_bytes)
    with MatchService(settings, create_index=False) as svc:
        profile = svc.profile_from_resume(data, filename=name, as_of=as_utc(opts.as_of))
        resp = match_page(svc, profile, opts)
    if args.json:
        print_json(resp)
    else:
        print(render_text(resp))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from .server import serve

    settings = settings_from(args)
    if args.log_format:
        settings = settings.model_copy(update={"log_format": args.log_format})
    serve(settings, host=args.host, port=args.port, log_level=args.log_level, workers=args.workers)
    return 0


def cmd_reindex(args: argparse.Namespace) -> int:
    from matcher.errors import InvalidRequest
    from matcher.ingest import LocalPostingEncoder
    from matcher.service import MatchService

    settings = settings_from(args)
    if args.workers < 0:
        raise InvalidRequest(f"--workers must be >= 0 (0 = one per core), got {args.workers}")
    with MatchService(settings, create_index=True) as svc:
        svc.posting_encoder = LocalPostingEncoder(svc.embedder, workers=args.workers)
        try:
            n = svc.reindex(progress=sys.stderr.isatty())
        finally:
            svc.posting_encoder.close()
        gen = getattr(svc.index, "generation", None)
    if args.json:
        print_json({"indexed": n, "generation": gen})
    else:
        print(f"indexed {n} postings (generation {gen})")
    return 0


def register(sub) -> None:
    p = sub.add_parser("match", help="rank open jobs for one resume")
    p.add_argument("resume", help="PDF, DOCX, plain text or JSON Resume file; - reads stdin")
    add_common(p)
    add_match_options(p)
    p.set_defaults(func=cmd_match)

    p = sub.add_parser("serve", help="run the HTTP API (and the web page at /)")
    add_common(p, json_flag=False)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--log-level", default=None, help="debug, info (default: $JOBMATCH_LOG_LEVEL or info), warning, error")
    p.add_argument("--log-format", choices=["json", "text"], default=None,
                   help="stderr log lines: json (default: $JOBMATCH_LOG_FORMAT or json; one line per request) or text")
    p.add_argument("--workers", type=int, default=1,
                   help="worker processes behind one socket, each with its own model and index (README: operations)")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("reindex", help="rebuild the vector index from the job store")
    add_common(p)
    p.add_argument("--workers", type=int, default=0,
                   help="embedding threads sharing one model (default 0: one per core, as jobmatch ingest)")
    p.set_defaults(func=cmd_reindex)
