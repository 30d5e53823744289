"""The hard filters of the matching contract (``shared/docs/matching.md``), as a boolean mask over index rows.

Rules are evaluated in a fixed order (validity, degree, experience, location); ``removed`` of each rule
counts the postings it removed among those still eligible after the previous rules, so the removed counts
add up to ``total - eligible``.

Decisions the contract leaves open (also in the README):
- a posting whose requirement could not be read (degree or months unknown) passes that rule: we never hide
  a job on data we could not read; the result says the requirement is unknown;
- a remote posting is judged by the remote rule only (applicant countries), an on-site one by the radius rule;
- a candidate with a country but no point is matched at country level (any on-site location in that country);
- ``strict`` makes an unknown candidate value fail its rule (degree level 0, 0 months, no location:
  only remote postings open to anywhere pass);
- ``filters=False`` skips every rule on request (ranking alone); expired postings are then kept too.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np

from index.columns import FilterColumns

from .domain import DEGREE_LEVEL, DEGREE_NAME, CandidateProfile, FilterReport, MatchOptions, RuleOutcome


@dataclass(frozen=True)
class CandidateFacts:
    """The candidate values the rules used, after explicit options overrode extracted ones."""

    degree_level: int | None
    months: int | None
    lat: float | None
    lon: float | None
    country: str | None
    radius_km: float


def candidate_facts(profile: CandidateProfile, opts: MatchOptions) -> CandidateFacts:
    loc = profile.location
    lat = loc.lat if loc else None
    lon = loc.lon if loc else None
    country = loc.country if loc else None
    return CandidateFacts(
        degree_level=DEGREE_LEVEL[profile.degree] if profile.degree else None,
        months=profile.months,
        lat=lat,
        lon=lon,
        country=country,
        radius_km=opts.radius_km,
    )


def apply_filters(cols: FilterColumns, facts: CandidateFacts, opts: MatchOptions,
                  as_of: datetime) -> tuple[np.ndarray, FilterReport]:
    alive = cols.alive
    mask = alive.copy()
    total = int(alive.sum())
    rules: list[RuleOutcome] = []

    def step(rule: str, passes: np.ndarray | None, *, skipped: str | None = None, value=None) -> None:
        nonlocal mask
        if passes is None:
            rules.append(RuleOutcome(rule=rule, status="skipped", reason=skipped, removed=0, candidate_value=value))
            return
        new = mask & passes
        removed = int(mask.sum() - new.sum())
        mask = new
        rules.append(RuleOutcome(rule=rule, status="applied", removed=removed, candidate_value=value))

    if not opts.filters:
        for rule in ("validity", "degree", "experience", "location"):
            step(rule, None, skipped="filters disabled on request")
        return mask, FilterReport(as_of=as_of, total=total, eligible=int(mask.sum()), rules=rules)

    # 1. validity
    step("validity", ~cols.expired(as_of.timestamp()), value=as_of.isoformat())

    # 2. degree
    level = facts.degree_level
    if level is None and not opts.strict:
        step("degree", None, skipped="no degree found in the resume; set `degree` to apply this rule")
    else:
        lvl = 0 if level is None else level
        deg = cols.degree
        step("degree", (deg <= lvl) | (deg < 0), value=DEGREE_NAME.get(lvl) if level is not None else None)

    # 3. experience
    months = facts.months
    if months is None and not opts.strict:
        step("experience", None, skipped="no employment dates or stated total found; set `months` to apply this rule")
    else:
        have = (0 if months is None else months) + opts.months_slack
        req = cols.months
        step("experience", (req <= have) | (req < 0), value=months)

    # 4. location (+ remote preference)
    remote = cols.remote
    if opts.remote == "only":
        pref = remote
    elif opts.remote == "exclude":
        pref = ~remote
    else:
        pref = None
    has_point = facts.lat is not None and facts.lon is not None
    if has_point or facts.country:
        if has_point:
            onsite_ok = cols.any_point_within(facts.lat, facts.lon, facts.radius_km)
            if facts.country:
                onsite_ok = onsite_ok | cols.country_only_in(facts.country)
        else:
            onsite_ok = cols.country_in(facts.country)
        remote_ok = cols.applicant_allows(facts.country) if facts.country else cols.applicant_allows(None)
        passes = np.where(remote, remote_ok, onsite_ok)
        if pref is not None:
            passes = passes & pref
        value = {"lat": facts.lat, "lon": facts.lon, "country": facts.country, "radius_km": facts.radius_km,
                 "remote": opts.remote, "level": "point" if has_point else "country"}
        step("location", passes, value=value)
    elif opts.strict:
        passes = remote & cols.applicant_allows(None)
        if pref is not None:
            passes = passes & pref
        step("location", passes, value={"remote": opts.remote, "level": "unknown (strict)"})
    elif pref is not None:
        step("location", pref, value={"remote": opts.remote, "level": "remote preference only"})
    else:
        step("location", None, skipped="no location found in the resume; set `location` or `lat`/`lon` to apply this rule")

    return mask, FilterReport(as_of=as_of, total=total, eligible=int(mask.sum()), rules=rules)
