"""``jobmatch candidates add FILE...|rm ID|ls|show ID|reindex``: the candidate pool (only what is added here or
with ``POST /v1/candidates`` is ever stored)."""
from __future__ import annotations

import argparse
from pathlib import Path

from pydantic import ValidationError

from matcher.candidates import AddOptions, CandidatePool
from matcher.errors import InvalidRequest

from .cli_common import add_common, add_model_flags, print_json, read_input, settings_from


def _pool(args) -> CandidatePool:
    return CandidatePool(settings_from(args))


def cmd_add(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    vals = {k: getattr(args, k, None) for k in AddOptions.model_fields}
    try:
        opts = AddOptions(**{k: v for k, v in vals.items() if v is not None})
    except ValidationError as e:
        first = e.errors()[0]
        raise InvalidRequest(f"--{'.'.join(map(str, first['loc'])).replace('_', '-')}: {first['msg']}") from None
    if opts.label and len(args.files) > 1:
        raise InvalidRequest("--label names one candidate; add the files one at a time to label each")
    overrides = opts.overrides()
    items = []
    with CandidatePool(settings) as pool:
        for f in args.files:
            data, name = read_input(f, settings.max_upload_bytes)
            profile, kind = pool.profile_from_resume(data, filename=name, overrides=overrides)
            items.append((profile, kind, opts.label or name))
        added = pool.add_profiles(items)
    if args.json:
        print_json([a.model_dump(mode="json") for a in added])
    else:
        for a in added:
            p = a.candidate.profile
            print(f"{a.outcome} {a.id}  {a.candidate.label or ''}  degree={p.degree or 'unknown'} "
                  f"months={p.months if p.months is not None else 'unknown'} "
                  f"location={p.location.text() if p.location else 'unknown'}")
    return 0


def cmd_rm(args: argparse.Namespace) -> int:
    with _pool(args) as pool:
        pool.remove(args.id)
    if args.json:
        print_json({"deleted": args.id})
    else:
        print(f"removed {args.id} (store row, vector and BM25 text)")
    return 0


def cmd_ls(args: argparse.Namespace) -> int:
    with _pool(args) as pool:
        items = [c.summary() for c in pool.store.iter_all()]
    if args.json:
        print_json({"items": [i.model_dump(mode="json") for i in items], "total": len(items)})
    else:
        for c in items:
            print(f"{c.id}  {c.label or '-':<30.30}  {c.kind:<7} degree={c.degree or 'unknown'} "
                  f"months={c.months if c.months is not None else 'unknown'} location={c.location or 'unknown'}")
        print(f"{len(items)} candidates")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    with _pool(args) as pool:
        c = pool.get(args.id)
    if args.json:
        print_json(c)
    else:
        p = c.profile
        print(f"{c.id}  {c.label or ''}  ({c.kind}, added {c.created_at:%Y-%m-%d %H:%M})")
        for field, value in (("degree", p.degree), ("months", p.months),
                             ("location", p.location.text() if p.location else None)):
            conf = p.confidence.get(field)
            why = p.unknown.get(field)
            print(f"  {field:<9} {value if value is not None else 'unknown'}"
                  + (f"  (confidence {conf:.2f})" if conf is not None else "") + (f"  — {why}" if why else ""))
            for ev in p.evidence.get(field, [])[:3]:
                print(f"            evidence: {ev[:100]}")
        print(f"  skills    {', '.join(p.skills[:30])}")
        print(f"  text      {len(p.text)} characters")
    return 0


def cmd_reindex(args: argparse.Namespace) -> int:
    with _pool(args) as pool:
        n = pool.reindex()
    if args.json:
        print_json({"indexed": n})
    else:
        print(f"indexed {n} candidates")
    return 0


def register(sub) -> None:
    p = sub.add_parser("candidates", help="the candidate pool: add, rm, ls, show, reindex")
    csub = p.add_subparsers(dest="candidates_command", required=True)

    a = csub.add_parser("add", help="add resumes to the pool (stored: only by this explicit request)")
    a.add_argument("files", nargs="+", type=Path, help="PDF, DOCX, plain text or JSON Resume files; - reads stdin")
    add_common(a)
    add_model_flags(a, AddOptions)
    a.set_defaults(func=cmd_add)

    r = csub.add_parser("rm", help="erase a candidate: store row, vector, BM25 text")
    r.add_argument("id")
    add_common(r)
    r.set_defaults(func=cmd_rm)

    ls = csub.add_parser("ls", help="list the candidates")
    add_common(ls)
    ls.set_defaults(func=cmd_ls)

    s = csub.add_parser("show", help="a candidate's profile with evidence, confidence and unknown reasons")
    s.add_argument("id")
    add_common(s)
    s.set_defaults(func=cmd_show)

    x = csub.add_parser("reindex", help="rebuild the candidate index from the candidate store (e.g. new model)")
    add_common(x)
    x.set_defaults(func=cmd_reindex)
