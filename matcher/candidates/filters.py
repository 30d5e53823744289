"""The hard filters turned around: which stored candidates a posting may see (README: *Candidates for a job*).

The candidate index holds one :class:`index.ColumnRow` per candidate (:func:`candidate_row`): ``degree`` is the
candidate's level (-1 unknown), ``months`` their months (-1 unknown), ``points`` their place when it has
coordinates and ``countries`` their country. The posting's side is its own ``ColumnRow``
(:func:`matcher.posting_index.posting_row`), so both directions read a posting the same way.

Rules, in order degree -> experience -> location; ``removed`` counts what each rule removed among the
candidates the earlier rules left, so they add up to ``total - eligible``:

- **degree**: candidate level >= the posting's required level. A posting requiring none (0) removes nobody; a
  requirement that could not be read (unknown) skips the rule for everyone.
- **experience**: candidate months + ``months_slack`` >= required months (unknown requirement: skipped).
- **location**: an on-site posting keeps candidates within ``radius_km`` of any of its places with coordinates,
  and candidates in the country of a place that names only a country; a candidate with a country but no
  coordinates is matched at country level (any on-site place in their country). A remote posting keeps
  candidates in one of its applicant countries (everyone when it names none); a hybrid one also by its offices.
  A posting naming no place at all and not remote skips the rule (nothing to compare with).
- a candidate's **unknown** value (no degree, no dates, no place) skips that rule *for that candidate*: they
  pass, ``unknown`` counts them and their result says why; ``strict`` makes them fail instead (as unknown
  degree = level 0 and unknown months = 0 months, as the forward ``strict`` does);
- ``filters=False`` skips every rule on request.
"""
from __future__ import annotations

import numpy as np

from index.columns import ColumnRow, FilterColumns
from matcher.domain import DEGREE_LEVEL, DEGREE_NAME, CandidateProfile

from .domain import REVERSE_RULES, ReverseOptions, ReverseReport, ReverseRuleOutcome


def candidate_row(profile: CandidateProfile) -> ColumnRow:
    """The filter columns of one candidate (see the module docstring)."""
    loc = profile.location
    points = ((float(loc.lat), float(loc.lon)),) if loc is not None and loc.has_point else ()
    countries = (loc.country,) if loc is not None and loc.country else ()
    return ColumnRow(degree=DEGREE_LEVEL[profile.degree] if profile.degree else -1,
                     months=-1 if profile.months is None else int(profile.months),
                     points=points, countries=countries)


def required_degree_text(level: int) -> str:
    return DEGREE_NAME.get(level) or "none"


def location_mode(job: ColumnRow) -> str | None:
    """How the location rule reads this posting: remote-anywhere, remote, hybrid, on-site, or None (no place)."""
    if job.remote:
        if not job.applicant_countries:
            return "remote-anywhere"
        return "hybrid" if job.hybrid else "remote"
    if job.points or job.countries:
        return "on-site"
    return None


def location_ok(cols: FilterColumns, job: ColumnRow, radius_km: float) -> np.ndarray:
    """Candidates whose known place fits the posting (unknown places never pass here)."""
    n = cols.n_rows
    has_pt = cols.has_points()
    onsite = np.zeros(n, np.bool_)
    for lat, lon in job.points:
        onsite |= cols.any_point_within(lat, lon, radius_km)
    for cc in job.country_only:
        onsite |= cols.country_in(cc)
    for cc in job.countries:  # a candidate known only by country: any on-site place in that country
        onsite |= ~has_pt & cols.country_in(cc)
    if not job.remote:
        return onsite
    if not job.applicant_countries:
        return np.ones(n, np.bool_)
    ok = np.zeros(n, np.bool_)
    for cc in job.applicant_countries:
        ok |= cols.country_in(cc)
    return ok | onsite if job.hybrid else ok


def location_unknown(cols: FilterColumns) -> np.ndarray:
    return ~cols.has_points() & ~(np.diff(cols.array("cc_off")) > 0)


def apply_reverse_filters(cols: FilterColumns, job: ColumnRow, opts: ReverseOptions) -> tuple[np.ndarray, ReverseReport]:
    """(mask over candidate index rows, report) for one posting's requirements."""
    mask = cols.alive.copy()
    total = int(np.count_nonzero(mask))
    count = np.count_nonzero  # much faster than bool.sum()
    rules: list[ReverseRuleOutcome] = []

    def step(rule: str, ok: np.ndarray | None, unknown: np.ndarray | None = None, *, required=None,
             skipped: str | None = None) -> None:
        nonlocal mask
        if ok is None:
            rules.append(ReverseRuleOutcome(rule=rule, status="skipped", reason=skipped, required=required))
            return
        passes = ok if (unknown is None or opts.strict) else ok | unknown
        new = mask & passes
        n_unknown = 0 if (unknown is None or opts.strict) else int(count(new & unknown & ~ok))
        rules.append(ReverseRuleOutcome(rule=rule, status="applied", removed=int(count(mask) - count(new)),
                                        unknown=n_unknown, required=required))
        mask = new

    if not opts.filters:
        for rule in REVERSE_RULES:
            step(rule, None, skipped="filters disabled on request")
        return mask, ReverseReport(total=total, eligible=int(count(mask)), rules=rules)

    # 1. degree
    if job.degree < 0:
        step("degree", None, skipped="the posting's degree requirement could not be read; no candidate is removed")
    else:
        deg = cols.degree
        unknown = deg < 0
        ok = np.where(unknown, 0, deg) >= job.degree  # strict: an unknown degree counts as level 0
        step("degree", ok, unknown, required=required_degree_text(job.degree))

    # 2. experience
    if job.months < 0:
        step("experience", None, skipped="the posting's experience requirement could not be read; "
                                         "no candidate is removed")
    else:
        months = cols.months
        unknown = months < 0
        ok = np.where(unknown, 0, months).astype(np.int64) + opts.months_slack >= job.months
        step("experience", ok, unknown, required=job.months)

    # 3. location
    mode = location_mode(job)
    if mode is None:
        step("location", None, skipped="the posting names no place and is not remote; no candidate is removed")
    else:
        ok = location_ok(cols, job, opts.radius_km)
        required = {"mode": mode, "radius_km": opts.radius_km, "places": [list(p) for p in job.points],
                    "countries": list(job.countries), "applicant_countries": list(job.applicant_countries)}
        step("location", ok, location_unknown(cols), required=required)

    return mask, ReverseReport(total=total, eligible=int(count(mask)), rules=rules)


