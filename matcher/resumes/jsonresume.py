"""JSON Resume (jsonresume.org schema) to text and to a :class:`CandidateProfile`."""
from __future__ import annotations

from datetime import date
from typing import Any

from matcher.degrees import level_from_credential
from matcher.domain import DEGREE_NAME, CandidateProfile, Place
from matcher.geo import geocode, normalize_country, us_states
from matcher.resumes.dates import Span, _parse_date, merge_months
from matcher.resumes.education import _STRONG, _WEAK, _level_in


def _s(v: Any) -> str:
    return v.strip() if isinstance(v, str) else ""


def json_resume_text(obj: dict) -> str:
    """A readable rendering used for embedding and skill matching."""
    out: list[str] = []
    b = obj.get("basics") or {}
    if isinstance(b, dict):
        out += [_s(b.get("name")), _s(b.get("label")), _s(b.get("summary"))]
    for w in obj.get("work") or []:
        if isinstance(w, dict):
            out.append(" ".join(filter(None, [_s(w.get("position")), _s(w.get("name")),
                                              _s(w.get("startDate")), "-", _s(w.get("endDate")) or "Present"])))
            out.append(_s(w.get("summary")))
            out += [_s(h) for h in w.get("highlights") or []]
    for e in obj.get("education") or []:
        if isinstance(e, dict):
            out.append(" ".join(filter(None, [_s(e.get("studyType")), _s(e.get("area")), _s(e.get("institution")),
                                              _s(e.get("endDate"))])))
    for s in obj.get("skills") or []:
        if isinstance(s, dict):
            out.append(", ".join(filter(None, [_s(s.get("name")), *[_s(k) for k in s.get("keywords") or []]])))
    return "\n".join(x for x in out if x)


def _ym(s: str, as_of: date) -> int | None:
    s = _s(s)
    if not s:
        return None
    parts = s.split("-")
    try:
        y = int(parts[0])
        m = int(parts[1]) if len(parts) > 1 else 1
        return y * 12 + m - 1
    except ValueError:
        return _parse_date(s, as_of)


def profile_from_json_resume(obj: dict, as_of: date, text: str | None = None) -> CandidateProfile:
    from matcher.resumes.skills import extract_skills

    text = text if text is not None else json_resume_text(obj)
    ev: dict[str, list[str]] = {}
    if isinstance(as_of, str):
        as_of = date.fromisoformat(as_of[:10])
    now = as_of.year * 12 + as_of.month - 1
    # degree
    best = 0
    for e in obj.get("education") or []:
        if not isinstance(e, dict):
            continue
        label = " ".join(filter(None, [_s(e.get("studyType")), _s(e.get("area"))]))
        hit = _level_in(label, _STRONG) or _level_in(label, _WEAK)
        if not hit and _s(e.get("studyType")):
            # studyType is a short label ("Master", "Bachelor", "PhD"): read it as a credential category
            lvl = level_from_credential(_s(e.get("studyType")))
            hit = (lvl, label) if lvl else None
        if not hit:
            continue
        end = _ym(e.get("endDate", ""), as_of)
        if (e.get("endDate") is None and e.get("startDate")) or (end is not None and end > now):
            continue  # in progress
        if hit[0] > best:
            best = hit[0]
            ev["degree"] = [label]
    # months
    spans = []
    for w in obj.get("work") or []:
        if not isinstance(w, dict):
            continue
        a = _ym(w.get("startDate", ""), as_of)
        b = _ym(w.get("endDate", ""), as_of) if w.get("endDate") else now
        if a is not None and b is not None:
            spans.append(Span(a, b, f"{_s(w.get('position'))} {_s(w.get('startDate'))} - {_s(w.get('endDate')) or 'Present'}"))
    months = merge_months(spans, as_of) if spans else None
    if spans:
        ev["months"] = [s.snippet.strip() for s in spans]
    # location
    place = None
    loc = (obj.get("basics") or {}).get("location") if isinstance(obj.get("basics"), dict) else None
    if isinstance(loc, dict):
        city, region = _s(loc.get("city")) or None, _s(loc.get("region")) or None
        country = normalize_country(_s(loc.get("countryCode"))) if loc.get("countryCode") else None
        if region and region.lower() in us_states() and country in (None, "US"):
            region = us_states()[region.lower()]
            country = country or "US"
        g = geocode(city, region, country) if city else None
        if city or country:
            place = Place(city=city, region=region, country=country or (g[2] if g else None),
                          lat=g[0] if g else None, lon=g[1] if g else None)
            ev["location"] = [", ".join(filter(None, [city, region, _s(loc.get("countryCode"))]))]
    skills: list[str] = []
    for s in obj.get("skills") or []:
        if isinstance(s, dict):
            for k in [s.get("name"), *(s.get("keywords") or [])]:
                k = _s(k)
                if k and k not in skills:
                    skills.append(k)
    found = extract_skills(text)
    skills = list(dict.fromkeys(found + [s for s in skills if s.lower() not in {f.lower() for f in found}]))
    if skills:
        ev["skills"] = skills[:20]
    return CandidateProfile(text=text, degree=DEGREE_NAME[best] if best else None, months=months,
                            location=place, skills=skills, evidence=ev)
