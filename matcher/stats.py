"""Counts over the job store: by required degree, experience requirement, remote, country, expiry, employment
type, salary, freshness and industry.

Offers :func:`compute_stats` -> :class:`StoreStats`.
"""
from __future__ import annotations

from collections import Counter
from datetime import datetime

from pydantic import BaseModel

from matcher.domain import DEGREE_NAME
from matcher.jobstore import JobStore
from matcher.occupations import classify_title
from matcher.options import as_utc


class StoreStats(BaseModel):
    total: int
    as_of: datetime
    expired: int
    by_degree: dict[str, int]      # none, high_school, associate, bachelor, postgraduate, unknown
    experience: dict[str, int]     # stated (> 0 months), none (0), unknown (unreadable)
    remote: dict[str, int]         # remote, onsite
    by_country: dict[str, int]     # each posting once per distinct country (locations + applicant countries)
    with_warnings: int
    by_employment_type: dict[str, int]  # each posting once per type it states; "unknown" when none
    salary: dict[str, int]              # stated (annual range read) by currency, "unknown" without one
    posted: dict[str, int]              # datePosted within 7 / 30 / 90 days of as_of, older, unknown
    by_industry: dict[str, int]         # each comma-separated industry once; the 20 most frequent, "other", "unknown"
    hybrid: int                         # remote postings with an office too
    by_occupation: dict[str, int] = {}  # O*NET-SOC occupation read from the title ("15-1252 Software Developers");
                                        # the 20 most frequent, "other", "unknown" (matcher.occupations)


def compute_stats(store: JobStore, as_of: datetime | None = None) -> StoreStats:
    """Counts over every stored posting; ``expired`` uses ``as_of`` (default now, UTC)."""
    as_of = as_utc(as_of)
    degree: Counter[str] = Counter()
    experience: Counter[str] = Counter()
    remote: Counter[str] = Counter()
    country: Counter[str] = Counter()
    etype: Counter[str] = Counter()
    salary: Counter[str] = Counter()
    posted: Counter[str] = Counter()
    industry: Counter[str] = Counter()
    occupation: Counter[str] = Counter()
    total = expired = warned = hybrid = 0
    for p in store.iter_postings():
        total += 1
        degree["unknown" if p.degree is None else DEGREE_NAME.get(p.degree, "none")] += 1
        experience["unknown" if p.months is None else ("stated" if p.months > 0 else "none")] += 1
        remote["remote" if p.remote else "onsite"] += 1
        codes = {pl.country for pl in p.locations if pl.country} | set(p.applicant_countries)
        country.update(codes or {"unknown"})
        expired += bool(p.valid_through and p.valid_through < as_of)
        warned += bool(p.warnings)
        hybrid += bool(p.hybrid)
        etype.update(p.employment_types or ("unknown",))
        salary[(p.salary.currency or "currency unknown") if p.salary else "unknown"] += 1
        if p.date_posted is None:
            posted["unknown"] += 1
        else:
            age = (as_of - p.date_posted).total_seconds() / 86400
            posted[next((f"within {d} days" for d in (7, 30, 90) if age <= d), "older")] += 1
        # boards list several industries in one string ("Computer Software,Internet"): count each
        industry.update({i.strip() for i in (p.industry or "").split(",") if i.strip()} or {"unknown"})
        occ = classify_title(p.title)
        occupation[f"{occ.code[:7]} {occ.title}" if occ else "unknown"] += 1
    return StoreStats(total=total, as_of=as_of, expired=expired, by_degree=dict(degree.most_common()),
                      experience=dict(experience.most_common()), remote=dict(remote.most_common()),
                      by_country=dict(country.most_common()), with_warnings=warned,
                      by_employment_type=dict(etype.most_common()), salary=dict(salary.most_common()),
                      posted=dict(posted.most_common()), by_industry=_top(industry, 20), hybrid=hybrid,
                      by_occupation=_top(occupation, 20))


def _top(c: Counter[str], n: int) -> dict[str, int]:
    named = [(k, v) for k, v in c.most_common() if k != "unknown"]
    out = dict(named[:n])
    rest = sum(v for _, v in named[n:])
    if rest:
        out["other"] = rest
    if c.get("unknown"):
        out["unknown"] = c["unknown"]
    return out
