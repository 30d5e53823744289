"""The candidate's own location, from the contact header or an explicit Address/Location line.

Masked livecareer places ("City , State") give no location. Coordinates come from the offline
gazetteer (:func:`matcher.geo.geocode`).
"""
from __future__ import annotations

import re

from matcher.domain import Place
from matcher.geo import geocode, normalize_country, us_states
from matcher.resumes.sections import Line

_LABEL = re.compile(r"\b(?:(?:permanent|present|current|home|mailing|residential|correspondence)\s+)?"
                    r"(?:address|location|residence|resident|lives? in|based in)\s*[:\-–]\s*(?P<v>.+)", re.I)
_MASKED = re.compile(r"\bCity\s*,\s*State\b", re.I)
_US = re.compile(r"(?P<city>[A-Z][A-Za-z.'\- ]{1,30}?)\s*,\s*(?P<st>[A-Z]{2})(?:\s+\d{5}(?:-\d{4})?)?\b")
_STOP = {"email", "phone", "mobile", "tel", "e-mail"}


def _clean_part(p: str) -> str:
    p = re.sub(r"\b\d[\d\s-]{3,}\b", " ", p)  # postcodes, pins, house numbers
    p = re.sub(r"[^\w .'\-]", " ", p)
    return re.sub(r"\s+", " ", p).strip(" .-")


def _from_value(value: str, explicit: bool) -> tuple[Place, str] | None:
    value = value.strip()
    if not value or _MASKED.search(value):
        return None
    states = us_states()
    m = _US.search(value)
    if m and m.group("st").lower() in states:
        city = m.group("city").strip()
        city = re.split(r"\s{2,}|\b\d+\b", city)[-1].strip() or city
        code = states[m.group("st").lower()]
        g = geocode(city, code, "US")
        if g or explicit:
            return Place(city=city, region=code, country="US", lat=g[0] if g else None,
                         lon=g[1] if g else None), m.group(0)
    parts = [_clean_part(p) for p in re.split(r"[,;|/]", value)]
    parts = [p for p in parts if p and p.lower() not in _STOP]
    if not parts:
        return None
    country = None
    for p in reversed(parts):
        c = normalize_country(p)
        if c and len(p) > 2:
            country = c
            break
    region = None
    for p in reversed(parts):
        if p.lower() in states and (country in (None, "US")):
            region = states[p.lower()]
            country = "US"
            break
    # the city: the last part that the gazetteer knows (a word inside it as a fallback)
    for p in reversed(parts):
        if normalize_country(p) or p.lower() in states:
            continue
        cands = [p] + ([w for w in reversed(p.split()) if len(w) > 3] if explicit else [])
        for cand in cands:
            g = geocode(cand, region, country)
            if g:
                return Place(city=cand, region=region, country=g[2], lat=g[0], lon=g[1]), value[:120]
    if explicit and country:
        return Place(country=country), value[:120]
    return None


def find_location(lines: list[Line]) -> tuple[Place | None, list[str]]:
    for ln in lines:
        m = _LABEL.search(ln.text)
        if m:
            got = _from_value(m.group("v")[:150], explicit=True)
            if got:
                return got[0], [ln.text[:160]]
    header = [ln for ln in lines[:8] if ln.section == "header"]
    for ln in header:
        if len(ln.text) > 120:
            continue
        got = _from_value(ln.text, explicit=False)
        if got and got[0].city:
            return got[0], [ln.text[:160]]
    return None, []
