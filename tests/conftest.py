"""Shared fixtures: a realistic JobPosting JSON-LD factory and a temporary job store."""
from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

SHARED_JOBS = Path(__file__).parents[1].parent / "shared" / "data" / "jobs" / "linkedin_tech_2021.jsonl"

# shaped like a line of the shared LinkedIn file (entity-escaped HTML description)
_JOB: dict[str, Any] = {
    "@context": "http://schema.org", "@type": "JobPosting",
    "datePosted": "2021-07-09T17:39:28.000Z", "validThrough": "2021-08-08T17:39:28.000Z",
    "title": "Senior Data Engineer", "employmentType": "FULL_TIME",
    "description": "Job Title: Senior Data Engineer&lt;br&gt;Location: Alexandria, VA&lt;br&gt;&lt;br&gt;"
                   "&lt;ul&gt;&lt;li&gt;Build data pipelines in Python&lt;/li&gt;&lt;li&gt;SQL &amp;amp; AWS&lt;/li&gt;&lt;/ul&gt;",
    "hiringOrganization": {"@type": "Organization", "name": "CyberCoders"},
    "identifier": {"@type": "PropertyValue", "name": "CyberCoders", "value": None},
    "jobLocation": {"@type": "Place", "address": {"@type": "PostalAddress", "addressCountry": "US",
                    "addressLocality": "Alexandria", "addressRegion": "VA", "postalCode": "22336"},
                    "latitude": 38.804665, "longitude": -77.04362},
    "educationRequirements": {"@type": "EducationalOccupationalCredential", "credentialCategory": "bachelor degree"},
    "experienceRequirements": {"@type": "OccupationalExperienceRequirements", "monthsOfExperience": 60},
}


@pytest.fixture
def make_job() -> Callable[..., dict[str, Any]]:
    """``make_job(drop=("title",), description="...")``: a fresh JSON-LD dict with keys changed or removed."""
    def make(drop: tuple[str, ...] = (), **changes: Any) -> dict[str, Any]:
        job = copy.deepcopy(_JOB)
        job.update(changes)
        for k in drop:
            job.pop(k, None)
        return job
    return make


@pytest.fixture
def job_store(tmp_path: Path) -> Iterator[Any]:
    from matcher.jobstore import JobStore

    with JobStore(tmp_path / "jobs.sqlite3") as store:
        yield store


# ---- the real service over the bundled sample (real model, real postings) -----------------------------------
ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SAMPLE_POSTINGS = ROOT / "data" / "sample" / "postings.jsonl"
IT_PDFS = SHARED / "data" / "resumes" / "livecareer" / "pdf" / "INFORMATION-TECHNOLOGY"


@pytest.fixture(scope="session")
def embedder():
    from matcher.embed import Embedder
    from matcher.settings import Settings

    return Embedder(backend=Settings().embed_backend)  # the shipped default backend


@pytest.fixture(scope="session")
def sample_data_dir(tmp_path_factory, embedder) -> Path:
    """A data dir with the bundled sample ingested and indexed once per session (copy it before changing it)."""
    from matcher.ingest import ingest_paths
    from matcher.service import MatchService
    from matcher.settings import Settings

    d = tmp_path_factory.mktemp("sample-data")
    settings = Settings(data_dir=d)
    with MatchService(settings, embedder=embedder) as svc:
        summary = ingest_paths([SAMPLE_POSTINGS], svc.store, progress=False)
        assert summary.added > 250
        svc.sync(summary.changed_ids)
        svc.store.close()
    return d


@pytest.fixture
def service_copy(tmp_path, sample_data_dir, embedder):
    """A MatchService over a private copy of the sample data dir: tests may add and delete postings."""
    import shutil

    from matcher.service import MatchService
    from matcher.settings import Settings

    d = tmp_path / "data"
    shutil.copytree(sample_data_dir, d)
    svc = MatchService(Settings(data_dir=d), embedder=embedder)
    yield svc
    svc.close()
    svc.store.close()


@pytest.fixture(scope="session")
def sample_service(sample_data_dir, embedder):
    """A read-only MatchService over the sample (do not add or delete postings through it)."""
    from matcher.service import MatchService
    from matcher.settings import Settings

    svc = MatchService(Settings(data_dir=sample_data_dir), embedder=embedder)
    yield svc
    svc.close()


# ---- no process left behind ------------------------------------------------------------------------------------
# Every process this session starts (parser pools, servers, batch workers, Ray, the crash-test zygote) inherits
# this marker; at the end, any still running is reported, stopped by its pid, and fails the session. Only the
# session's own multiprocessing forkserver/resource tracker may remain (they exit with this process).
import os as _os
import secrets as _secrets
import time as _time

SESSION_MARK = f"{_os.getpid()}-{_secrets.token_hex(6)}"
_os.environ["JOBMATCH_TEST_SESSION"] = SESSION_MARK


def _leftover_processes() -> list[tuple[int, str]]:
    me, mark = _os.getpid(), f"JOBMATCH_TEST_SESSION={SESSION_MARK}".encode()
    found = []
    for entry in _os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == me:
            continue
        pid = int(entry)
        try:
            with open(f"/proc/{pid}/environ", "rb") as fh:
                if mark not in fh.read().split(b"\0"):
                    continue
            with open(f"/proc/{pid}/stat") as fh:
                stat = fh.read()
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                cmd = fh.read().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        state, ppid = fields[0], int(fields[1])
        if state == "Z":
            continue
        if ppid == me and ("multiprocessing.forkserver" in cmd or "multiprocessing.resource_tracker" in cmd):
            continue  # this process's own singletons: they exit with it
        found.append((pid, cmd[:200]))
    return found


def pytest_sessionfinish(session, exitstatus):
    if not hasattr(_os, "listdir") or not _os.path.isdir("/proc"):
        return
    deadline = _time.monotonic() + 5.0  # workers told to stop (or whose owner died) get a moment to exit
    left = _leftover_processes()
    while left and _time.monotonic() < deadline:
        _time.sleep(0.2)
        left = _leftover_processes()
    if not left:
        return
    import signal
    import sys

    sys.stderr.write("\nprocesses started by this test session are still running (stopped now):\n")
    for pid, cmd in left:
        sys.stderr.write(f"  pid {pid}: {cmd}\n")
        try:
            _os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    session.exitstatus = 1
