"""An independent, deliberately plain implementation of the matching contract's filter rules
(shared/docs/matching.md), written against ``Posting`` objects one at a time, with no numpy and no
index code. Tests compare the service's filtered results and counts with it."""
from __future__ import annotations

import math
from datetime import datetime

LEVEL = {"high_school": 1, "associate": 2, "bachelor": 3, "postgraduate": 4}


def great_circle_km(a_lat, a_lon, b_lat, b_lon) -> float:
    r = 6371.0088
    p1, p2 = math.radians(a_lat), math.radians(b_lat)
    dphi = p2 - p1
    dlmb = math.radians(b_lon - a_lon)
    h = math.sin(dphi / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dlmb / 2) ** 2
    return 2 * r * math.asin(min(1.0, math.sqrt(h)))


def passes(posting, *, as_of: datetime, degree: str | None, months: int | None, lat: float | None,
           lon: float | None, country: str | None, radius_km: float = 50.0, remote: str = "any",
           strict: bool = False, slack: int = 0, employment_types=None, min_salary: float | None = None,
           salary_currency: str | None = None, posted_within_days: int | None = None) -> bool:
    if not _location_etc(posting, as_of=as_of, degree=degree, months=months, lat=lat, lon=lon, country=country,
                         radius_km=radius_km, remote=remote, strict=strict, slack=slack):
        return False
    # more filters: a posting without the value passes (unknown)
    if employment_types and posting.employment_types:
        if not set(posting.employment_types) & set(employment_types):
            return False
    if min_salary is not None and posting.salary is not None:
        s = posting.salary
        if s.currency and s.currency == (salary_currency or "").upper():
            top = s.max if s.max is not None else math.inf  # only a minimum: open-ended
            if top < min_salary:
                return False
    if posted_within_days is not None and posting.date_posted is not None:
        if (as_of - posting.date_posted).total_seconds() > posted_within_days * 86400:
            return False
    return True


def _onsite(posting, lat, lon, country, radius_km) -> bool:
    for place in posting.locations:
        if lat is not None and lon is not None:
            if place.lat is not None and place.lon is not None:
                if great_circle_km(lat, lon, place.lat, place.lon) <= radius_km:
                    return True
            elif place.country and not place.city and place.country == country:
                return True
        elif place.country == country:
            return True
    return False


def _location_etc(posting, *, as_of, degree, months, lat, lon, country, radius_km, remote, strict, slack) -> bool:
    # validity
    if posting.valid_through is not None and posting.valid_through < as_of:
        return False
    # degree
    if degree is not None or strict:
        have = LEVEL[degree] if degree else 0
        if posting.degree is not None and posting.degree > have:
            return False
    # experience
    if months is not None or strict:
        have_m = (months or 0) + slack
        if posting.months is not None and posting.months > have_m:
            return False
    # remote preference
    if remote == "only" and not posting.remote:
        return False
    if remote == "exclude" and posting.remote:
        return False
    # location
    if lat is not None and lon is not None or country:
        if posting.remote:
            # a hybrid posting (remote with an office) may also pass by its offices
            return (not posting.applicant_countries or (country in posting.applicant_countries)
                    or (posting.hybrid and _onsite(posting, lat, lon, country, radius_km)))
        return _onsite(posting, lat, lon, country, radius_km)
    if strict:
        return posting.remote and not posting.applicant_countries
    return True
