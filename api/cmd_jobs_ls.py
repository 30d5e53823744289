"""``jobmatch jobs ls`` (the listing of ``GET /v1/jobs``: same filters, same cursor) and what ``jobmatch ingest``
needs to read stdin (``-``) and to fail under ``--strict``. Thin wrappers over :mod:`matcher.paging` and
:mod:`matcher.ingest`."""
from __future__ import annotations

import argparse
import sys

from pydantic import ValidationError

from matcher.errors import InvalidRequest, NotFound
from matcher.ingest import IngestSummary, ingest_paths
from matcher.jobstore import JobStore
from matcher.options import parse_when
from matcher.paging import JobQuery, list_jobs

from .cli_common import STDIN, add_common, add_model_flags, print_json, read_input, settings_from


def register_ls(jsub) -> None:
    ls = jsub.add_parser("ls", help="list stored postings, filtered, a page at a time (id order)",
                         description="The listing of GET /v1/jobs: the same filters and cursor.")
    add_model_flags(ls, JobQuery)
    add_common(ls)
    ls.set_defaults(func=cmd_ls)


def cmd_ls(args: argparse.Namespace) -> int:
    vals = {k: getattr(args, k) for k in JobQuery.model_fields if getattr(args, k, None) is not None}
    if isinstance(vals.get("as_of"), str):
        vals["as_of"] = parse_when(vals["as_of"])
    try:
        query = JobQuery(**vals)
    except ValidationError as e:
        first = e.errors()[0]
        where = "--" + ".".join(str(x) for x in first.get("loc", ())).replace("_", "-")
        raise InvalidRequest(f"{where}: {first.get('msg')}") from None
    path = settings_from(args).store_path
    if not path.exists():
        raise NotFound(f"no job store at {path}; run `jobmatch ingest FILE` first, or pass the right --data-dir")
    with JobStore(path) as store:
        page = list_jobs(store, query)
    if args.json:
        print_json(page)
        return 0
    for j in page.items:
        print(f"{j.id}  {j.title}" + (f" — {j.company}" if j.company else "") + f"  [{j.location or '?'}]")
    if page.next_cursor:
        print(f"more: add --cursor {page.next_cursor}")
    elif not page.items:
        print("no posting matches; loosen the filters")
    return 0


def add_ingest_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--strict", action="store_true",
                   help="exit 1 when any record was rejected (the others are still stored)")


def ingest_inputs(args: argparse.Namespace, store: JobStore) -> IngestSummary:
    """``ingest_paths`` over the paths, plus stdin when one of them is ``-``."""
    paths = [p for p in args.paths if p != STDIN]
    if len(paths) < len(args.paths) - 1:
        raise InvalidRequest("- (stdin) may be given once")
    summary = ingest_paths(paths, store, progress=args.progress) if paths else IngestSummary()
    if len(paths) < len(args.paths):
        summary = _merge(summary, _ingest_stdin(store, settings_from(args).max_upload_bytes))
    return summary


def strict_failure(args: argparse.Namespace, summary: IngestSummary) -> int:
    """1 (and one sentence on stderr) when ``--strict`` and a record was rejected, else 0."""
    if getattr(args, "strict", False) and summary.rejected:
        print(f"jobmatch: error: {summary.rejected} record(s) rejected with --strict (the others were stored); "
              "fix or drop the rejected records", file=sys.stderr)
        return 1
    return 0


def _merge(a: IngestSummary, b: IngestSummary) -> IngestSummary:
    out = a.model_copy(deep=True)
    for name, value in b:
        mine = getattr(out, name)
        if isinstance(value, list):
            mine.extend(value)
        elif isinstance(value, int | float) and isinstance(mine, int | float):
            setattr(out, name, mine + value)
    return out


def _ingest_stdin(store: JobStore, limit: int) -> IngestSummary:
    from matcher.ingest import ingest_records
    from matcher.postings import read_records

    data, _ = read_input(STDIN, limit)
    summary = ingest_records(read_records(data, "stdin"), store)
    summary.files = ["stdin"]
    return summary
