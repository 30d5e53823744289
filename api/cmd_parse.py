"""``jobmatch parse FILE [--as-of DATE] [--json]``: read a resume and print the candidate profile."""
from __future__ import annotations

import argparse
import json
from datetime import date

from api.cli_common import add_common, read_input, settings_from


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("parse", help="read a resume (PDF, DOCX, text, JSON Resume) and print its profile")
    p.add_argument("file", help="PDF, DOCX, plain text or JSON Resume file; - reads stdin")
    p.add_argument("--as-of", type=date.fromisoformat, default=None, help="reference date YYYY-MM-DD (default today)")
    p.add_argument("--in-process", action="store_true", help="parse without the isolated worker (trusted files only)")
    add_common(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from matcher.resumes import ResumeParser

    settings = settings_from(args)
    data, name = read_input(args.file, settings.max_upload_bytes)
    with ResumeParser(settings, isolated=not args.in_process, warm=False, workers=1) as parser:
        res = parser.parse(data, filename=name, as_of=args.as_of)
    prof = res.profile
    if args.json:
        out = prof.model_dump(mode="json", exclude={"overridden"})
        out.update({"kind": res.kind, "pages": res.pages, "notes": res.notes})
        print(json.dumps(out, indent=2, ensure_ascii=False))
        return 0
    loc = prof.location

    def shown(field: str, value: str | None) -> str:
        if value is None:
            return f"unknown ({prof.unknown.get(field, 'not found')})"
        conf = prof.confidence.get(field)
        return value + (f"  (confidence {conf:.2f})" if conf is not None else "")

    print(f"kind:     {res.kind}" + (f" ({res.pages} pages)" if res.pages else ""))
    print(f"degree:   {shown('degree', prof.degree)}")
    print(f"months:   {shown('months', None if prof.months is None else str(prof.months))}")
    print(f"location: {shown('location', (loc.text() + (f' ({loc.lat:.3f}, {loc.lon:.3f})' if loc.has_point else '')) if loc else None)}")
    print(f"skills:   {', '.join(prof.skills) or '-'}")
    for field, ev in prof.evidence.items():
        if field != "skills":
            print(f"  evidence[{field}]: " + " | ".join(e[:100] for e in ev[:4]))
    for n in res.notes:
        print(f"note: {n}")
    return 0
