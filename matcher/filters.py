"""The hard filters of the matching contract (``shared/docs/matching.md``), as a boolean mask over index rows.

Rules are evaluated in a fixed order (validity, degree, experience, location, employment_type, salary,
freshness); ``removed`` of each rule
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
- a hybrid posting (remote with an office) passes the location rule by its applicant countries (the remote
  rule of the contract) or by its offices (the on-site rule), whichever lets it through;
- the "more filters" (employment type, salary, freshness) apply only when asked for; a posting with no value
  for them (no type stated, no salary or a salary in another currency, no datePosted) passes as unknown, and
  ``unknown`` in each rule's outcome counts those postings. A salary range stating only a minimum is
  open-ended and reaches any ``min_salary``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np

from index.columns import FilterColumns, currency_code

from .domain import DEGREE_LEVEL, DEGREE_NAME, RULES, CandidateProfile, FilterReport, MatchOptions, RuleOutcome
from .posting_index import employment_bits


@dataclass(frozen=True)
class CandidateFacts:
    """The candidate values the rules used, after explicit options overrode extracted ones."""

    degree_level: int | None
    months: int | None
    lat: float | None
    lon: float | None
    country: str | None
    radius_km: float
    why_unknown: tuple[tuple[str, str], ...] = ()  # (field, reason) from the profile: said when a rule is skipped

    def skip_reason(self, field: str, default: str, fix: str) -> str:
        why = dict(self.why_unknown).get(field)
        return f"{field} unknown: {why}; {fix}" if why else f"{default}; {fix}"


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
        why_unknown=tuple(sorted(profile.unknown.items())),
    )


def apply_filters(cols: FilterColumns, facts: CandidateFacts, opts: MatchOptions,
                  as_of: datetime) -> tuple[np.ndarray, FilterReport]:
    alive = cols.alive
    mask = alive.copy()
    total = int(alive.sum())
    rules: list[RuleOutcome] = []

    def step(rule: str, passes: np.ndarray | None, *, skipped: str | None = None, value=None,
             unknown: np.ndarray | None = None) -> None:
        nonlocal mask
        if passes is None:
            rules.append(RuleOutcome(rule=rule, status="skipped", reason=skipped, removed=0, candidate_value=value))
            return
        new = mask & passes
        removed = int(mask.sum() - new.sum())
        n_unknown = int((new & unknown).sum()) if unknown is not None else 0
        mask = new
        rules.append(RuleOutcome(rule=rule, status="applied", removed=removed, unknown=n_unknown,
                                 candidate_value=value))

    if not opts.filters:
        for rule in RULES:
            step(rule, None, skipped="filters disabled on request")
        return mask, FilterReport(as_of=as_of, total=total, eligible=int(mask.sum()), rules=rules)

    # 1. validity
    step("validity", ~cols.expired(as_of.timestamp()), value=as_of.isoformat())

    # 2. degree
    level = facts.degree_level
    if level is None and not opts.strict:
        step("degree", None, skipped=facts.skip_reason(
            "degree", "no degree found in the resume", "set `degree` to apply this rule"))
    else:
        lvl = 0 if level is None else level
        deg = cols.degree
        step("degree", (deg <= lvl) | (deg < 0), value=DEGREE_NAME.get(lvl) if level is not None else None,
             unknown=deg < 0)

    # 3. experience
    months = facts.months
    if months is None and not opts.strict:
        step("experience", None, skipped=facts.skip_reason(
            "months", "no employment dates or stated total found", "set `months` to apply this rule"))
    else:
        have = (0 if months is None else months) + opts.months_slack
        req = cols.months
        step("experience", (req <= have) | (req < 0), value=months, unknown=req < 0)

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
        hybrid = remote & cols.hybrid
        passes = np.where(remote, remote_ok | (hybrid & onsite_ok), onsite_ok)
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
        step("location", None, skipped=facts.skip_reason(
            "location", "no location found in the resume", "set `location` or `lat`/`lon` to apply this rule"))

    more_filters(cols, opts, as_of, step)
    return mask, FilterReport(as_of=as_of, total=total, eligible=int(mask.sum()), rules=rules)


def more_filters(cols: FilterColumns, opts: MatchOptions, as_of: datetime, step) -> None:
    """Rules 5-7 of the contract's "More filters": employment type, salary, freshness (see the module docstring)."""
    # 5. employment type
    if opts.employment_types:
        want = employment_bits(opts.employment_types)
        et = cols.employment
        step("employment_type", (et == 0) | ((et & want) != 0), value=list(opts.employment_types), unknown=et == 0)
    else:
        step("employment_type", None, skipped="not requested; set `employment_types` to apply this rule")
    # 6. salary
    if opts.min_salary is not None:

        cur = (opts.salary_currency or "").upper()
        top = cols.salary_max
        unknown = np.isnan(top) | (cols.salary_currency != currency_code(cur))
        with np.errstate(invalid="ignore"):
            reaches = top >= float(opts.min_salary)
        step("salary", unknown | reaches, value={"min_salary": opts.min_salary, "currency": cur}, unknown=unknown)
    else:
        step("salary", None, skipped="not requested; set `min_salary` and `salary_currency` to apply this rule")
    # 7. freshness
    if opts.posted_within_days is not None:
        posted = cols.date_posted
        since = as_of.timestamp() - opts.posted_within_days * 86400.0
        unknown = np.isnan(posted)
        with np.errstate(invalid="ignore"):
            recent = posted >= since
        step("freshness", unknown | recent, value={"posted_within_days": opts.posted_within_days,
                                                    "since": datetime.fromtimestamp(since, as_of.tzinfo).isoformat()},
             unknown=unknown)
    else:
        step("freshness", None, skipped="not requested; set `posted_within_days` to apply this rule")
