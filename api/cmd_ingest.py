"""CLI: ``jobmatch ingest PATH...``, ``jobmatch jobs show ID``, ``jobmatch jobs rm ID``, ``jobmatch stats``.

Thin wrappers over :func:`matcher.ingest.ingest_paths` (via ``cmd_jobs_ls.ingest_inputs``), :class:`matcher.jobstore.JobStore` and
:func:`matcher.stats.compute_stats`.
"""
from __future__ import annotations

import argparse
import json
from datetime import datetime

from api.cli_common import add_common, print_json, settings_from
from api.cmd_jobs_ls import add_ingest_flags, ingest_inputs, register_ls, strict_failure
from matcher.errors import NotFound
from matcher.ingest import IngestSummary
from matcher.jobstore import JobStore
from matcher.options import parse_when
from matcher.stats import compute_stats


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ingest", help="read JobPosting JSON-LD (JSON, JSONL, HTML) into the job store")
    p.add_argument("paths", nargs="+", help="files or directories; - reads stdin (JSON, JSONL or HTML)")
    add_ingest_flags(p)
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="progress bar on stderr (default: when stderr is a terminal)")
    p.add_argument("--no-index", dest="index", action="store_false",
                   help="only store the postings; embed and index them later (`jobmatch reindex` or the next ingest)")
    p.add_argument("--workers", type=int, default=0, metavar="N",
                   help="postings embedded at once (threads, or Ray actors with --engine ray); 0 = one per core")
    p.add_argument("--engine", choices=["local", "ray"], default="local",
                   help="where postings are embedded: this process (local) or Ray Data actors (ray; needs "
                        "`pip install jobmatch[ray]`); both write the same index")
    p.add_argument("--ray-address", default=None, metavar="ADDR",
                   help="with --engine ray: an existing Ray cluster (default: start a local instance, stopped after)")
    add_common(p)
    p.set_defaults(func=cmd_ingest)

    jobs = sub.add_parser("jobs", help="look at or remove stored postings")
    jsub = jobs.add_subparsers(dest="jobs_command", required=True)
    show = jsub.add_parser("show", help="a stored posting: normalised fields and the original JSON-LD")
    show.add_argument("id")
    add_common(show)
    show.set_defaults(func=cmd_show)
    register_ls(jsub)
    rm = jsub.add_parser("rm", help="remove a stored posting")
    rm.add_argument("id")
    add_common(rm, json_flag=False)
    rm.set_defaults(func=cmd_rm)

    st = sub.add_parser("stats", help="counts over the job store")
    st.add_argument("--as-of", default=None, help="ISO date/time for the expired count (default now, UTC)")
    add_common(st)
    st.set_defaults(func=cmd_stats)


def _store(args: argparse.Namespace, *, create: bool = False) -> JobStore:
    path = settings_from(args).store_path
    if not create and not path.exists():
        raise NotFound(f"no job store at {path}; run `jobmatch ingest FILE` first, or pass the right --data-dir")
    return JobStore(path)


def _print_summary(s: IngestSummary) -> None:
    print(f"added {s.added}, updated {s.updated}, unchanged {s.unchanged}, duplicate {s.duplicate}, "
          f"rejected {s.rejected}, skipped {s.skipped} ({s.records} records, {s.seconds:.1f} s)")
    for r in s.rejections:
        print(f"  rejected {r.source}:{r.position}: {r.reason}")
    for r in s.skips:
        print(f"  skipped {r.source}:{r.position}: {r.reason}")
    if s.with_warnings:
        print(f"  {s.with_warnings} postings stored with warnings (see `jobmatch jobs show ID`)")


def cmd_ingest(args: argparse.Namespace) -> int:
    from matcher.lock import DataDirLock

    settings = settings_from(args)
    # one writer per data directory: held from the store write to the index save (README: writer lock)
    with DataDirLock.for_dir(settings.data_dir).hold(settings.writer_lock_timeout_s):
        with _store(args, create=True) as store:
            summary = ingest_inputs(args, store)
        if args.index:
            import sys

            from matcher.service import MatchService

            show = sys.stderr.isatty() if args.progress is None else args.progress
            with MatchService(settings) as svc:
                svc.posting_encoder = posting_encoder(args, svc)
                try:
                    synced = svc.sync(summary.changed_ids, progress=show)
                finally:
                    svc.posting_encoder.close()
            summary.indexed = synced["indexed"]
            summary.index_removed = synced["removed"]
    if args.json:
        print_json(summary)
    else:
        _print_summary(summary)
    return strict_failure(args, summary)


def posting_encoder(args: argparse.Namespace, svc):
    """The posting encoder ``--engine``/``--workers`` ask for (see ``matcher.ingest``)."""
    from matcher.errors import InvalidRequest
    from matcher.ingest import LocalPostingEncoder, RayPostingEncoder

    if args.workers < 0:
        raise InvalidRequest(f"--workers must be >= 0 (0 = one per core), got {args.workers}")
    if args.engine == "ray":
        try:
            import ray  # noqa: F401
        except ImportError as e:
            raise InvalidRequest("--engine ray needs Ray: pip install 'jobmatch[ray]' (or use --engine local)") from e
        return RayPostingEncoder(svc.settings, workers=args.workers, address=args.ray_address)
    return LocalPostingEncoder(svc.embedder, workers=args.workers)


def cmd_show(args: argparse.Namespace) -> int:
    with _store(args) as store:
        stored = store.get(args.id)
    if args.json:
        out = stored.posting.model_dump(mode="json")
        out["jsonld"] = json.loads(stored.jsonld)
        out["created_at"], out["updated_at"] = stored.created_at.isoformat(), stored.updated_at.isoformat()
        print_json(out)
        return 0
    p = stored.posting
    print(f"{p.id}  {p.title}" + (f" at {p.company}" if p.company else ""))
    print(f"  location: {p.location_text() or '-'}")
    print(f"  degree: {p.degree if p.degree is not None else 'unknown'} ({p.degree_raw or 'not stated'}); "
          f"months: {p.months if p.months is not None else 'unknown'} ({p.months_raw or 'not stated'})")
    print(f"  posted: {p.date_posted}; valid through: {p.valid_through}")
    for w in p.warnings:
        print(f"  warning: {w}")
    print()
    print(p.description)
    print("\njsonld:")
    print(stored.jsonld)
    return 0


def cmd_rm(args: argparse.Namespace) -> int:
    from matcher.datadir import remove_posting

    _store(args).close()  # says what to do when there is no store
    remove_posting(settings_from(args), args.id)  # store and index, under the writer lock
    print(f"removed {args.id}")
    return 0


def _as_of(text: str | None) -> datetime | None:
    return parse_when(text) if text else None


def cmd_stats(args: argparse.Namespace) -> int:
    from matcher.datadir import index_gap

    with _store(args) as store:
        stats = compute_stats(store, _as_of(args.as_of))
        gap = index_gap(settings_from(args), store)
    if args.json:
        print_json({**stats.model_dump(mode="json"), "index": gap.model_dump(mode="json")})
        return 0
    print(f"postings: {stats.total} (expired as of {stats.as_of:%Y-%m-%d %H:%M} UTC: {stats.expired})")
    print(f"  searchable: {gap.searchable} (index generation {gap.generation}); stored but not yet searchable: "
          f"{gap.not_searchable}; removed but still searchable: {gap.removed_but_searchable}"
          + ("" if gap.in_step else " (the next write, `jobmatch ingest`, or a starting server closes the gap)"))
    for name, counts in (("degree", stats.by_degree), ("experience", stats.experience), ("remote", stats.remote),
                         ("country", stats.by_country), ("employment type", stats.by_employment_type),
                         ("salary", stats.salary), ("posted", stats.posted), ("industry", stats.by_industry),
                         ("occupation (O*NET-SOC)", stats.by_occupation)):
        print(f"  {name}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    print(f"  hybrid (remote with an office): {stats.hybrid}; with warnings: {stats.with_warnings}")
    return 0
