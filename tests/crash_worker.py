"""Zygote for the crash tests (tests/test_datadir_concurrency.py): loads the model once, then for each case
read from stdin forks a child that runs writes on a data directory with ``JOBMATCH_CRASH_AT`` armed and
records every *acknowledged* write (the call returned) in ``acks.jsonl`` (fsynced before the next write).
The child SIGKILLs itself at the crash point (index/faults.py). One JSON line per case goes to stdout:
``{"case", "signal", "exit"}``. Also the second writer of the "two writers" test (``hammer`` mode).

Run as ``python -m tests.crash_worker`` (cases on stdin) or ``python -m tests.crash_worker hammer DIR TAG N``.
"""
from __future__ import annotations

import copy
import json
import os
import signal
import sys
from pathlib import Path

JOB = {
    "@context": "http://schema.org", "@type": "JobPosting",
    "datePosted": "2021-07-09T17:39:28.000Z", "validThrough": "2031-08-08T17:39:28.000Z",
    "title": "Data Engineer", "employmentType": "FULL_TIME",
    "hiringOrganization": {"@type": "Organization", "name": "Crashtest Inc"},
    "jobLocation": {"@type": "Place", "address": {"@type": "PostalAddress", "addressCountry": "US",
                    "addressLocality": "Austin", "addressRegion": "TX"}, "latitude": 30.27, "longitude": -97.74},
}


def job(tag: str) -> dict:
    """A posting whose title and description carry ``tag`` (a unique word), so BM25 finds just it."""
    j = copy.deepcopy(JOB)
    j["title"] = f"Data Engineer {tag}"
    j["description"] = f"Build pipelines in Python and SQL for the {tag} platform. " * 3
    j["url"] = f"https://example.test/jobs/{tag}"
    return j


def _ack(fh, **rec) -> None:
    fh.write(json.dumps(rec) + "\n")
    fh.flush()
    os.fsync(fh.fileno())


def run_ops(data_dir: Path, ops: list[list], embedder, acks: Path) -> None:
    from matcher.ingest import ingest_paths
    from matcher.service import MatchService
    from matcher.settings import Settings

    settings = Settings(data_dir=data_dir)
    with open(acks, "a") as fh, MatchService(settings, embedder=embedder) as svc:
        for op in ops:
            kind = op[0]
            if kind == "post":
                tags = op[1]
                s = svc.add_jsonld(json.dumps([job(t) for t in tags]))
                _ack(fh, op="post", ids=s.changed_ids, tags=tags)
            elif kind == "ingest":  # what `jobmatch ingest FILE` does: store + sync under one lock
                tags = op[1]
                f = data_dir.parent / f"in-{tags[0]}.jsonl"
                f.write_text("".join(json.dumps(job(t)) + "\n" for t in tags))
                with svc.writing():
                    summary = ingest_paths([f], svc.store, progress=False)
                    svc.sync(summary.changed_ids)
                _ack(fh, op="ingest", ids=summary.changed_ids, tags=tags)
            elif kind == "delete":
                pid = svc.store.ids()[op[1] % max(1, svc.store.count())]
                svc.delete_posting(pid)
                _ack(fh, op="delete", ids=[pid])
            elif kind == "reindex":
                svc.reindex()
                _ack(fh, op="reindex", ids=[])


def zygote() -> int:
    from matcher.embed import Embedder
    from matcher.settings import Settings

    embedder = Embedder(backend=Settings().embed_backend)
    for line in sys.stdin:
        case = json.loads(line)
        pid = os.fork()
        if pid == 0:  # child: arm the crash point, run the writes, never return into the loop
            code = 0
            try:
                import faulthandler

                faulthandler.dump_traceback_later(60, exit=True)  # a hang is reported, never waited for
                os.environ["JOBMATCH_CRASH_AT"] = case["crash_at"]
                from index import faults

                faults._read = False
                run_ops(Path(case["dir"]), case["ops"], embedder, Path(case["acks"]))
            except BaseException as e:  # noqa: BLE001 - reported to the test, which fails on it
                sys.stderr.write(f"case {case['case']}: {type(e).__name__}: {e}\n")
                code = 3
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else 0
        print(json.dumps({"case": case["case"], "signal": sig,
                          "exit": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None}), flush=True)
    return 0


def hammer(data_dir: str, tag: str, n: int) -> int:
    """Second writer: ``n`` POST-style writes of one posting each, acknowledged on stdout."""
    from matcher.service import MatchService
    from matcher.settings import Settings

    with MatchService(Settings(data_dir=Path(data_dir))) as svc:
        for i in range(n):
            s = svc.add_jsonld(json.dumps(job(f"{tag}x{i}")))
            print(json.dumps({"ids": s.changed_ids, "generation": svc.generation}), flush=True)
    return 0


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    if len(sys.argv) > 1 and sys.argv[1] == "hammer":
        sys.exit(hammer(sys.argv[2], sys.argv[3], int(sys.argv[4])))
    sys.exit(zygote())
