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
    from matcher.store import JobStore

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
