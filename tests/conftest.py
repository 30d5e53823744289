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
