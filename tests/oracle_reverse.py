"""An independent, deliberately plain implementation of the reverse filter rules (README: *Candidates for a
job*), one candidate and one posting at a time, from ``Posting`` and ``CandidateProfile`` objects: no numpy,
no index columns, no code of ``matcher.candidates``. Tests compare the pool's eligible sets and per-rule counts
with it."""
from __future__ import annotations

import math

LEVEL = {"high_school": 1, "associate": 2, "bachelor": 3, "postgraduate": 4}


def km(a_lat, a_lon, b_lat, b_lon) -> float:
    r = 6371.0088
    p1, p2 = math.radians(a_lat), math.radians(b_lat)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(b_lon - a_lon) / 2) ** 2
    return 2 * r * math.asin(min(1.0, math.sqrt(h)))


def rule_results(posting, profile, *, radius_km=50.0, slack=0, strict=False) -> dict[str, str]:
    """Per rule: "pass", "fail", "unknown-pass" (candidate value unknown, rule skipped for them) or "skipped"
    (the posting's side is unknown / absent)."""
    out = {}
    # degree
    if posting.degree is None:
        out["degree"] = "skipped"
    else:
        have = LEVEL.get(profile.degree) if profile.degree else None
        if have is None:
            out["degree"] = ("pass" if posting.degree == 0 else "fail") if strict else (
                "pass" if posting.degree == 0 else "unknown-pass")
        else:
            out["degree"] = "pass" if have >= posting.degree else "fail"
    # experience
    if posting.months is None:
        out["experience"] = "skipped"
    else:
        if profile.months is None:
            if strict:
                out["experience"] = "pass" if slack >= posting.months else "fail"
            else:
                out["experience"] = "pass" if slack >= posting.months else "unknown-pass"
        else:
            out["experience"] = "pass" if profile.months + slack >= posting.months else "fail"
    # location
    loc = profile.location
    lat = loc.lat if loc is not None else None
    lon = loc.lon if loc is not None else None
    cc = loc.country if loc is not None else None
    has_point = lat is not None and lon is not None
    known = has_point or bool(cc)

    def onsite() -> bool:
        for place in posting.locations:
            if has_point and place.lat is not None and place.lon is not None and km(lat, lon, place.lat, place.lon) <= radius_km:
                return True
            if cc and place.country == cc:
                if place.lat is None and not place.city:  # a place naming only a country
                    return True
                if not has_point:  # candidate known only by country
                    return True
        return False

    if posting.remote:
        if not posting.applicant_countries:
            out["location"] = "pass"
        elif not known:
            out["location"] = "fail" if strict else "unknown-pass"
        elif cc in posting.applicant_countries or (posting.hybrid and onsite()):
            out["location"] = "pass"
        else:
            out["location"] = "fail"
    elif not posting.locations:
        out["location"] = "skipped"
    elif not known:
        out["location"] = "fail" if strict else "unknown-pass"
    else:
        out["location"] = "pass" if onsite() else "fail"
    return out


def eligible(posting, profiles: dict, **kw) -> set[str]:
    """Ids of the profiles that pass every rule."""
    return {cid for cid, p in profiles.items() if "fail" not in rule_results(posting, p, **kw).values()}


def removed_counts(posting, profiles: dict, **kw) -> dict[str, int]:
    """How many candidates each rule removed among those the earlier rules left (degree, experience, location)."""
    left = dict(profiles)
    counts = {}
    for rule in ("degree", "experience", "location"):
        keep = {cid: p for cid, p in left.items() if rule_results(posting, p, **kw)[rule] != "fail"}
        counts[rule] = len(left) - len(keep)
        left = keep
    return counts


def unknown_counts(posting, profiles: dict, **kw) -> dict[str, int]:
    """How many candidates passed each rule because their own value is unknown, among those the earlier rules
    left (as ``removed`` counts)."""
    left = dict(profiles)
    counts = {}
    for rule in ("degree", "experience", "location"):
        res = {cid: rule_results(posting, p, **kw)[rule] for cid, p in left.items()}
        counts[rule] = sum(1 for r in res.values() if r == "unknown-pass")
        left = {cid: p for cid, p in left.items() if res[cid] != "fail"}
    return counts
