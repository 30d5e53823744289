"""Counts over the job store: by required degree, experience requirement, remote, country, expiry.

Offers :func:`compute_stats` -> :class:`StoreStats`.
"""
from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from pydantic import BaseModel

from matcher.domain import DEGREE_NAME
from matcher.store import JobStore


class StoreStats(BaseModel):
    total: int
    as_of: datetime
    expired: int
    by_degree: dict[str, int]      # none, high_school, associate, bachelor, postgraduate, unknown
    experience: dict[str, int]     # stated (> 0 months), none (0), unknown (unreadable)
    remote: dict[str, int]         # remote, onsite
    by_country: dict[str, int]     # each posting once per distinct country (locations + applicant countries)
    with_warnings: int


def compute_stats(store: JobStore, as_of: datetime | None = None) -> StoreStats:
    """Counts over every stored posting; ``expired`` uses ``as_of`` (default now, UTC)."""
    as_of = as_of or datetime.now(UTC)
    if as_of.tzinfo is None:
        as_of = as_of.replace(tzinfo=UTC)
    degree: Counter[str] = Counter()
    experience: Counter[str] = Counter()
    remote: Counter[str] = Counter()
    country: Counter[str] = Counter()
    total = expired = warned = 0
    for p in store.iter_postings():
        total += 1
        degree["unknown" if p.degree is None else DEGREE_NAME.get(p.degree, "none")] += 1
        experience["unknown" if p.months is None else ("stated" if p.months > 0 else "none")] += 1
        remote["remote" if p.remote else "onsite"] += 1
        codes = {pl.country for pl in p.locations if pl.country} | set(p.applicant_countries)
        country.update(codes or {"unknown"})
        expired += bool(p.valid_through and p.valid_through < as_of)
        warned += bool(p.warnings)
    return StoreStats(total=total, as_of=as_of, expired=expired, by_degree=dict(degree.most_common()),
                      experience=dict(experience.most_common()), remote=dict(remote.most_common()),
                      by_country=dict(country.most_common()), with_warnings=warned)
