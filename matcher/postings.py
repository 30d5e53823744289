"""schema.org JobPosting JSON-LD -> :class:`matcher.domain.Posting`, following ``shared/docs/matching.md``.

Offers:
- :func:`read_records` reads one document (a JSON object, a JSON array, JSONL, an ``@graph`` wrapper, or an
  HTML page with ``<script type="application/ld+json">`` blocks) and yields one :class:`RecordResult` per
  record: a posting, a rejection or a skipped non-JobPosting, each with its position and reason. A bad
  record never stops the rest.
- :func:`read_path` does the same for a file, streaming JSONL line by line.
- :func:`posting_from_jsonld` normalises one JSON-LD object (raises :class:`matcher.errors.PostingError`).
- :func:`dedup_key` / :func:`content_hash` for the store.

Normalisation rules (also in the README):
- degree: missing -> 0; "professional certificate" -> 0; text naming no known degree -> ``None`` (unknown);
  several values (a list) -> the lowest level named, since any of them satisfies the posting.
- months: missing, ``null`` or ``""`` -> 0 (nothing stated; ``null``/``""`` add a warning); "no requirements" -> 0;
  numbers and numeric strings are months; "3 years"/"3+ years"/"3-5 years" -> 36; negative, over 600
  (50 years), NaN, infinite or unreadable -> ``None`` (unknown) with a warning, never 0.
- location: a place whose locality is itself a country name ("United States") names only that country; its
  coordinates (a country centroid) are dropped so the country-only rule applies.
- ids: see :func:`stable_id`.
"""
from __future__ import annotations

import hashlib
import html
import json
import math
import re
import string
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, time
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from dateutil import parser as dtparser

from matcher import jsonld as jsonld_mod
from matcher.degrees import level_from_credential
from matcher.domain import Place, Posting
from matcher.errors import PostingError
from matcher.geo import geocode, normalize_country
from matcher.htmltext import clean_description, unescape_entities
from matcher.options import as_utc

MAX_MONTHS = 600
JSONL_SUFFIXES = {".jsonl", ".ndjson", ".jsonlines"}

_WORD_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                 "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20}
_DURATION = re.compile(
    r"(\d+(?:\.\d+)?|" + "|".join(_WORD_NUMBERS) + r")\s*\+?\s*(?:(?:-|–|to|or)\s*\d+(?:\.\d+)?\s*\+?\s*)?"
    r"(years?|yrs?|months?|mos?)\b", re.I)
_NO_EXPERIENCE = re.compile(r"^\s*(no(ne)?|no requirements?|not required|no experience( required)?|n/?a)\s*\.?\s*$", re.I)
_NO_EXPERIENCE_TEXT = re.compile(
    r"\b(no (prior |previous |professional |work |relevant |formal )*experience|experience (is )?not (required|necessary|needed)|"
    r"without (prior |previous )?experience|entry[- ]level|0 years|zero years|no minimum experience|"
    r"experience (is )?(welcome|a plus|an advantage|preferred) but not required)\b", re.I)
_NO_DEGREE_TEXT = re.compile(
    r"\b(no (formal )?(degree|diploma|education|qualifications?)( is| are)? (required|necessary|needed)|"
    r"(degree|diploma|education) (is )?not (required|necessary|needed)|no (degree|diploma) needed)\b", re.I)
_PREFERRED = re.compile(r"\b(preferred|a plus|nice to have|desirable|advantageous|not essential|optional|or equivalent experience)\b", re.I)
_PREFERRED_HINTS = ("prefer", "plus", "nice", "desir", "advantag", "essential", "optional", "equivalent")
_REQUIRED = re.compile(r"\b(required|must|minimum|mandatory|essential)\b", re.I)
_NUMERIC = re.compile(r"^\s*[-+]?\d+(\.\d+)?\s*$")
# punctuation -> space for comparison keys; str.translate is ~20x faster than a Unicode regex on descriptions
_PUNCTUATION = str.maketrans({c: " " for c in string.punctuation + "\u2018\u2019\u201c\u201d\u2013\u2014\u2026\u2022\u00b7\u00ab\u00bb\u00a1\u00bf"})

Status = Literal["ok", "rejected", "skipped"]


@dataclass(frozen=True)
class RecordResult:
    """One record of an input: ``posting`` when ok, else ``reason`` says why it was rejected or skipped."""

    source: str
    position: str
    status: Status
    posting: Posting | None = None
    jsonld: str | None = None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == "ok"


# ---- small readers of loosely typed JSON-LD values -----------------------------------------------------
def _text(v: Any) -> str | None:
    """A display string from a string, number, ``{"name"|"value"|"@value": ...}`` or a list (first usable)."""
    if isinstance(v, str):
        s = " ".join(unescape_entities(v).replace("&amp;", "&").split())
        return s or None
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, int | float):
        return str(v) if math.isfinite(v) else None
    if isinstance(v, dict):
        for key in ("name", "value", "@value", "text"):
            got = _text(v.get(key))
            if got:
                return got
        return None
    if isinstance(v, list):
        for item in v:
            got = _text(item)
            if got:
                return got
    return None


@lru_cache(maxsize=2048)  # the description is normalised for its id and again for the store's dedup key
def _norm(s: str | None) -> str:
    """Lower case, punctuation removed, whitespace collapsed: the comparison form of a text."""
    return " ".join((s or "").lower().translate(_PUNCTUATION).split())


def _number(v: Any) -> float | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, int | float):
        f = float(v)
    elif isinstance(v, str) and _NUMERIC.match(v):
        f = float(v)
    else:
        return None
    return f if math.isfinite(f) else None


# ---- fields ----------------------------------------------------------------------------------------------
def _degree(edu: Any, warnings: list[str]) -> tuple[int | None, str | None]:
    """(level, raw label) of ``educationRequirements``; see the module docstring for the rules."""
    if edu is None or edu == "" or edu == []:
        return 0, None
    labels: list[str] = []

    def collect(v: Any) -> None:
        if isinstance(v, list):
            for item in v:
                collect(item)
        elif isinstance(v, dict):
            if "credentialCategory" in v:
                collect(v["credentialCategory"])
            else:
                got = _text(v) or _text(v.get("description")) or _text(v.get("termCode"))
                if got:
                    labels.append(got)
        else:
            got = _text(v)
            if got:
                labels.append(got)

    collect(edu)
    if not labels:
        return 0, None
    raw = "; ".join(labels)
    levels = [_degree_level(label) for label in labels]
    known = [lv for lv in levels if lv is not None]
    if not known:
        warnings.append(f"degree requirement {raw!r} names no known degree; treated as unknown")
        return None, raw
    if len(known) < len(levels):
        warnings.append(f"part of degree requirement {raw!r} not understood; used the known part")
    return min(known), raw


def _degree_level(label: str) -> int | None:
    """``level_from_credential`` plus sentences: "no degree required" -> 0; a degree named only as preferred
    ("Master's degree preferred", "BS or equivalent experience") -> 0, since it is not a requirement."""
    low = label.lower()
    if ("no " in low or "not " in low) and _NO_DEGREE_TEXT.search(label):
        return 0
    level = level_from_credential(label)
    if level and any(w in low for w in _PREFERRED_HINTS) and _PREFERRED.search(label) and not _REQUIRED.search(label):
        return 0
    return level


def _months_from_text(s: str) -> int | None:
    if _NO_EXPERIENCE.match(s):
        return 0
    if _NUMERIC.match(s):
        f = float(s)
        return round(f) if 0 <= f <= MAX_MONTHS else None
    m = _DURATION.search(s)
    if not m:
        return 0 if _NO_EXPERIENCE_TEXT.search(s) else None
    qty = m.group(1).lower()
    n = float(_WORD_NUMBERS.get(qty, qty) if qty in _WORD_NUMBERS else qty)
    months = n * 12 if m.group(2).lower().startswith(("y", "yr")) else n
    return round(months) if 0 <= months <= MAX_MONTHS else None


def _months(exp: Any, warnings: list[str]) -> tuple[int | None, str | None]:
    """(months, raw) of ``experienceRequirements``; see the module docstring for the rules."""
    if isinstance(exp, list):
        exp = exp[0] if exp else None
    if exp is None:
        return 0, None
    if isinstance(exp, dict):
        if "monthsOfExperience" in exp:
            value = exp["monthsOfExperience"]
        else:
            value = exp.get("description")
            if value is None:
                return 0, None
    else:
        value = exp
    if value is None or (isinstance(value, str) and not value.strip()):
        warnings.append("experience requirement is empty; treated as none required")
        return 0, None
    raw = _text(value) if not isinstance(value, float) else repr(value)
    if isinstance(value, bool):
        months: int | None = None
    elif isinstance(value, int | float):
        f = float(value)
        months = round(f) if math.isfinite(f) and 0 <= f <= MAX_MONTHS else None
    elif isinstance(value, str):
        months = _months_from_text(unescape_entities(value))
    else:
        months = None
    if months is None:
        warnings.append(f"experience requirement {raw!r} is not a readable number of months; treated as unknown")
    return months, raw


def _date(v: Any, name: str, warnings: list[str], *, end_of_day: bool = False) -> datetime | None:
    """Timezone-aware UTC datetime of an ISO 8601 value; naive times are taken as UTC."""
    if v is None or v == "":
        return None
    if not isinstance(v, str):
        warnings.append(f"{name} {v!r} is not a date string; ignored")
        return None
    s = v.strip()
    try:
        dt = dtparser.isoparse(s)
    except (ValueError, OverflowError):
        try:
            dt = dtparser.parse(s)
        except (ValueError, OverflowError):
            warnings.append(f"{name} {s[:40]!r} is not an ISO 8601 date; ignored")
            return None
    if end_of_day and len(s) == 10 and dt.time() == time(0):
        dt = dt.replace(hour=23, minute=59, second=59)  # a bare date is valid through that whole day
    return as_utc(dt)


def _coord(place: dict, key: str) -> Any:
    if key in place:
        return place[key]
    geo = place.get("geo")
    return geo.get(key) if isinstance(geo, dict) else None


_NOT_A_PLACE = re.compile(r"^\s*(remote|anywhere|work from home|wfh|home[- ]?based|hybrid|telecommut\w*|virtual|"
                          r"various locations?|multiple locations?|flexible|tbd|n/?a)\b", re.I)


def _string_address(text: str) -> tuple[str | None, str | None, str | None, bool]:
    """(city, region, country, sure) of an address written as one string ("Austin, TX", "Berlin, DE",
    "Pune, Maharashtra, India", "Toronto, Ontario", "Москва"). The country is only filled when it is stated in
    full or the gazetteer agrees with it (see :mod:`matcher.placecheck`); ``sure`` is False when a country
    could not be decided and was left unknown."""
    from .placecheck import city_in, known_city, region_country, us_state

    parts = [p.strip() for p in re.split(r"[,;|]", text) if p.strip()]
    if not parts:
        return None, None, None, True
    if len(parts) == 1:
        only = parts[0]
        cc = normalize_country(only)
        if cc and not us_state(only):
            return None, None, cc, True
        if us_state(only) and not known_city(only):
            return None, only, "US" if not cc else None, not cc
        return only, None, None, False
    city, last = parts[0], parts[-1]
    middle = parts[-2] if len(parts) >= 3 else None
    cc = normalize_country(last)
    st = us_state(last) if len(parts) == 2 else None
    if cc and len(last.strip()) > 2 and not st:  # "Berlin, Germany", "Austin, TX, USA"
        return city, middle, cc, True
    if len(last.strip()) == 2 and cc and st:  # "Chicago, IL" (Illinois or Israel?), "Berlin, DE"
        as_state, as_country = city_in(city, "US", last), city_in(city, cc)
        if as_state != as_country:
            return (city, last, "US", True) if as_state else (city, None, cc, True)
        if not known_city(city):  # a small place the gazetteer lacks: a US state code is the usual reading
            return city, last, "US", True
        return city, None, None, False
    if cc:  # "Austin, TX, US", "Paris, FR"
        return city, middle, cc, True
    if st:
        return city, last, "US", True
    return city, last if len(parts) == 2 else middle, region_country(last), bool(region_country(last))


def _place(p: Any, i: int, warnings: list[str], geocode_missing: bool) -> Place | None:
    from .placecheck import city_country, is_latin, known_city, region_country

    if isinstance(p, str):
        p = {"address": p}
    if not isinstance(p, dict):
        warnings.append(f"jobLocation {i} is not a Place; ignored")
        return None
    addr = p.get("address")
    if isinstance(addr, list):
        addr = next((a for a in addr if a), None)
    if addr is None and isinstance(p.get("name"), str) and not any(k in p for k in ("latitude", "geo")):
        addr = p["name"]  # {"@type": "Place", "name": "Berlin, Germany"}
    stated_country = True
    if isinstance(addr, dict):
        city, region, raw_country = (_text(addr.get("addressLocality")), _text(addr.get("addressRegion")),
                                     addr.get("addressCountry"))
        country = normalize_country(raw_country)
        if raw_country is not None and country is None and _text(raw_country):
            warnings.append(f"country {_text(raw_country)!r} not recognised; left unknown")
        if not country and (city or region):
            stated_country = False
            got = city_country(city, region) if city else None
            if got is None and (not city or not known_city(city)):
                got = region_country(region)
            country = got
    else:
        text = _text(addr)
        if text and _NOT_A_PLACE.match(text):
            warnings.append(f"jobLocation {i} address {text!r} is not a place; ignored")
            return None
        city, region, country, sure = _string_address(text) if text else (None, None, None, True)
        stated_country = sure
    lat, lon = _number(_coord(p, "latitude")), _number(_coord(p, "longitude"))
    if (lat is None) != (lon is None) or (lat is not None and not (-90 <= lat <= 90 and -180 <= lon <= 180)):
        warnings.append(f"jobLocation {i}: coordinates ({_coord(p, 'latitude')}, {_coord(p, 'longitude')}) "
                        "missing or out of range; ignored")
        lat = lon = None
    elif lat == 0 and lon == 0:
        warnings.append(f"jobLocation {i}: coordinates (0, 0) ignored")
        lat = lon = None
    named_country = normalize_country(city) if city and not region and is_latin(city) else None
    if named_country and (country is None or named_country == country):
        # "United States" as the locality: the posting names only a country; the point is its centroid
        return Place(country=named_country)
    if city and not country and not (stated_country and lat is not None):
        why = "is not in Latin script" if not is_latin(city) else "is not in the gazetteer or exists in several countries"
        warnings.append(f"jobLocation {i}: {city!r} {why}; country left unknown")
    if lat is None and city and geocode_missing:
        if not is_latin(city):
            pass  # the offline gazetteer reads Latin names only: never look up what it cannot read
        elif country:
            hit = geocode(city, region, country)
            if hit and hit[2] == country:
                lat, lon = hit[0], hit[1]
                warnings.append(f"jobLocation {i}: coordinates geocoded from {city!r}")
    place = Place(city=city, region=region, country=country, lat=lat, lon=lon)
    return place if (city or region or country or place.has_point) else None


def _locations(v: Any, warnings: list[str], geocode_missing: bool) -> tuple[Place, ...]:
    items = v if isinstance(v, list) else ([] if v is None else [v])
    places = [_place(p, i, warnings, geocode_missing) for i, p in enumerate(items)]
    return tuple(dict.fromkeys(p for p in places if p is not None))


def _applicant_country(r: Any) -> str | None:
    """Country of one applicantLocationRequirements entry: a Country, a bare name/code, or a State/region
    (its country, when the name belongs to one country only)."""
    from .placecheck import region_country

    code = normalize_country(r)
    if isinstance(r, dict):
        types = {str(t) for t in (r.get("@type") if isinstance(r.get("@type"), list) else [r.get("@type")])}
        if types & {"State", "AdministrativeArea", "Place", "City"}:
            inner = normalize_country(r.get("containedInPlace")) or normalize_country(r.get("address"))
            if inner:
                return inner
            name = _text(r.get("name"))
            # a State named like a country ("Georgia") is the state
            return region_country(name) if name else code
        return code
    if isinstance(r, str) and not code:
        return region_country(r)
    return code


def _remote(obj: dict, warnings: list[str]) -> tuple[bool, tuple[str, ...]]:
    kinds = obj.get("jobLocationType")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    remote = any(isinstance(k, str) and k.strip().upper().replace("-", "") == "TELECOMMUTE" for k in kinds)
    req = obj.get("applicantLocationRequirements")
    reqs = req if isinstance(req, list) else ([] if req is None else [req])
    countries: list[str] = []
    for r in reqs:
        code = _applicant_country(r)
        if code:
            countries.append(code)
        elif _text(r):
            warnings.append(f"applicant location {_text(r)!r} not recognised as a country or a region of one "
                            "country; ignored")
        elif r not in ("", None, {}):
            warnings.append("applicant location without a name; ignored")
    if req is not None and not remote and countries:
        warnings.append("applicantLocationRequirements without jobLocationType TELECOMMUTE; kept, posting not remote")
    return remote, tuple(dict.fromkeys(countries))


def _employment_type(v: Any) -> str | None:
    if isinstance(v, list):
        parts = [t for t in (_text(x) for x in v) if t]
        return ", ".join(parts) or None
    return _text(v)


def _url(v: Any) -> str | None:
    s = _text(v)
    return s if s and s.lower().startswith(("http://", "https://")) else None


def _place_key(places: tuple[Place, ...]) -> str:
    return ";".join(sorted(_norm(p.text()) for p in places))


def stable_id(obj: dict, *, company: str | None, places: tuple[Place, ...], title: str, description: str,
              url: str | None) -> str:
    """``jp_`` + 16 hex digits, from the first of:

    1. ``identifier`` when it is a real value (a PropertyValue's ``value`` or a string) other than the company's
       name, scoped by company and place: employers reuse one requisition id for the same job in many places
       (one id covers up to 32 locations in the shared data), and each place is its own posting;
    2. ``url``;
    3. the content: title, company, place and description (so a re-ingest never duplicates).
    """
    ident = obj.get("identifier")
    value = ident.get("value", ident.get("@value")) if isinstance(ident, dict) else ident
    value = _text(value) if isinstance(value, str | int) and not isinstance(value, bool) else None
    names = {_norm(company)}
    if isinstance(ident, dict):
        names.add(_norm(_text(ident.get("name"))))
    if value and _norm(value) and _norm(value) not in names:
        basis = f"identifier|{_norm(company)}|{value}|{_place_key(places)}"
    elif url:
        basis = f"url|{url}"
    else:
        basis = "content|" + _dedup_material(title, company, places, description)
    return "jp_" + hashlib.sha256(basis.encode()).hexdigest()[:16]


def _dedup_material(title: str, company: str | None, places: tuple[Place, ...], description: str) -> str:
    return "|".join((_norm(title), _norm(company), _place_key(places), _norm(description)))


def dedup_key(p: Posting) -> str:
    """Near-duplicate key: title, company, place and description compared without case, punctuation or spacing."""
    return hashlib.sha256(_dedup_material(p.title, p.company, p.locations, p.description).encode()).hexdigest()[:32]


def content_hash(p: Posting) -> str:
    """Hash of the whole normalised posting: equal hashes mean nothing changed."""
    return hashlib.sha256(p.model_dump_json().encode()).hexdigest()[:32]


# ---- one posting -----------------------------------------------------------------------------------------
_CODE_PREFIX = re.compile(r"^\s*[\d][\d.\-]*\s*[:\-–]?\s*")
# what a posting without a description is embedded and ranked on, after its title, in this order
_FALLBACK_FIELDS = (("skills", "Skills"), ("occupationalCategory", "Occupation"), ("relevantOccupation", "Occupation"),
                    ("qualifications", "Qualifications"), ("responsibilities", "Responsibilities"),
                    ("educationRequirements", "Education"), ("experienceRequirements", "Experience"),
                    ("industry", "Industry"), ("jobBenefits", "Benefits"))


def _texts(v: Any, depth: int = 0) -> list[str]:
    """Every human-readable string inside a value (names, descriptions, list items), in order."""
    if depth > 4 or v is None or isinstance(v, bool):
        return []
    if isinstance(v, str):
        t = _text(v)
        return [t] if t else []
    if isinstance(v, list):
        return [t for x in v for t in _texts(x, depth + 1)]
    if isinstance(v, dict):
        out: list[str] = []
        for key in ("name", "title", "credentialCategory", "description", "text", "value", "@value"):
            if key in v:
                out += _texts(v[key], depth + 1)
        if isinstance(v.get("monthsOfExperience"), int | float) and not isinstance(v.get("monthsOfExperience"), bool):
            out.append(f"{v['monthsOfExperience']:g} months")
        return out
    return []


def _occupation(v: Any) -> str | None:
    """A job name from occupationalCategory / relevantOccupation ("15-1252.00 Software Developers",
    a CategoryCode or an Occupation); a bare code names nothing."""
    for t in _texts(v):
        name = _CODE_PREFIX.sub("", t).strip()
        if name and any(ch.isalpha() for ch in name):
            return name
    return None


def _title(obj: dict, warnings: list[str]) -> str:
    raw = obj.get("title")
    title = _text(raw)
    if title:
        if not isinstance(raw, str):
            warnings.append(f"title was a {type(raw).__name__}, read as {title!r}")
        return title
    for key in ("name", "occupationalCategory", "relevantOccupation"):
        got = _text(obj.get(key)) if key == "name" else _occupation(obj.get(key))
        if got:
            warnings.append(f"no title; the job is named by its {key} {got!r}")
            return got
    raise PostingError("missing title: none of title, name, occupationalCategory or relevantOccupation names the "
                       "job; add a non-empty 'title'")


def _fallback_description(obj: dict, title: str) -> tuple[str, list[str]]:
    """(text, fields used) for a posting without a usable description."""
    lines, used = [], []
    for key, label in _FALLBACK_FIELDS:
        vals = [t for t in dict.fromkeys(_texts(obj.get(key))) if t and t != title]
        if vals:
            lines.append(f"{label}: " + "; ".join(vals))
            used.append(key)
    return "\n".join(lines), used


def posting_from_jsonld(obj: dict, *, geocode_missing: bool = True) -> Posting:
    """Normalise one JobPosting object. Raises :class:`PostingError` only when nothing names the job."""
    from .jobterms import employment_types, salary

    warnings: list[str] = []
    title = _title(obj, warnings)
    raw_desc = obj.get("description")
    if isinstance(raw_desc, list):
        raw_desc = "\n".join(x for x in raw_desc if isinstance(x, str))
    elif isinstance(raw_desc, dict):
        raw_desc = _text(raw_desc)
    desc = clean_description(raw_desc) if isinstance(raw_desc, str) and raw_desc.strip() else None
    if desc is not None and desc.text:
        text, html_text = desc.text, desc.html
        warnings.extend(desc.warnings)
    else:
        text, used = _fallback_description(obj, title)
        what = "no description" if desc is None else "a description with no text once HTML is removed"
        warnings.append(f"{what}; embedded and ranked on the title" + (f" and {', '.join(used)}" if used else " alone"))
        text = f"{title}\n{text}" if text else title
        html_text = "".join(f"<p>{html.escape(line)}</p>" for line in text.split("\n"))
    company = _text(obj.get("hiringOrganization"))
    degree, degree_raw = _degree(obj.get("educationRequirements"), warnings)
    months, months_raw = _months(obj.get("experienceRequirements"), warnings)
    places = _locations(obj.get("jobLocation"), warnings, geocode_missing)
    remote, countries = _remote(obj, warnings)
    date_posted = _date(obj.get("datePosted"), "datePosted", warnings)
    valid_through = _date(obj.get("validThrough"), "validThrough", warnings, end_of_day=True)
    if date_posted and valid_through and valid_through < date_posted:
        warnings.append("validThrough is before datePosted; kept as given")
    url = _url(obj.get("url"))
    return Posting(
        id=stable_id(obj, company=company, places=places, title=title, description=text, url=url),
        title=title, company=company, description=text, description_html=html_text, url=url,
        date_posted=date_posted, valid_through=valid_through, degree=degree, degree_raw=degree_raw,
        months=months, months_raw=months_raw, locations=places, remote=remote, applicant_countries=countries,
        hybrid=remote and any(p.city or p.has_point for p in places),
        employment_type=_employment_type(obj.get("employmentType")),
        employment_types=employment_types(obj.get("employmentType"), warnings),
        salary=salary(obj, warnings), industry=_text(obj.get("industry")),
        occupational_category=_occupation(obj.get("occupationalCategory")), warnings=tuple(warnings),
    )


# ---- documents -------------------------------------------------------------------------------------------
def _one(obj: dict, source: str, pos: str, jsonld: str | None, geocode_missing: bool,
         doc_warnings: list[str]) -> RecordResult:
    text = jsonld if jsonld is not None else json.dumps(obj, ensure_ascii=False)
    try:
        posting = posting_from_jsonld(obj, geocode_missing=geocode_missing)
    except PostingError as e:
        return RecordResult(source, pos, "rejected", jsonld=text, reason=str(e))
    except (TypeError, ValueError, AttributeError) as e:  # a shape no rule foresaw must not stop the batch
        return RecordResult(source, pos, "rejected", jsonld=text, reason=f"unreadable record: {e}")
    if doc_warnings:
        posting = posting.model_copy(update={"warnings": tuple(doc_warnings) + posting.warnings})
    return RecordResult(source, pos, "ok", posting=posting, jsonld=text)


def _records(value: Any, source: str, position: str, jsonld: str | None, geocode_missing: bool,
             doc_warnings: list[str] = (), ids: dict | None = None) -> Iterator[RecordResult]:
    """Every JobPosting in ``value`` (arrays, ``@graph``, ItemList, mainEntity, any nesting), with ``@id``
    references resolved against ``ids`` (default: the nodes of ``value`` itself). Each top-level item that
    holds no posting is one ``skipped`` record."""
    if ids is None:
        ids = jsonld_mod.id_map(value) if "@id" in (jsonld or "@id") else {}
    if isinstance(value, list):
        for i, item in enumerate(value):
            yield from _records(item, source, f"{position} item {i}".strip(), None, geocode_missing, doc_warnings, ids)
        return
    if not isinstance(value, dict):
        yield RecordResult(source, position or "document", "rejected",
                           reason=f"expected a JSON object, found {type(value).__name__}")
        return
    if jsonld_mod.is_job_posting(value):
        obj = jsonld_mod.resolve_refs(value, ids) if ids else value
        text = jsonld if obj is value else None
        yield _one(obj, source, position or "document", text, geocode_missing, list(doc_warnings))
        return
    if isinstance(value.get("@graph"), list) and set(value) <= {"@context", "@graph", "@id", "@type"}:
        yield from _records(value["@graph"], source, f"{position} @graph".strip(), None, geocode_missing,
                            doc_warnings, ids)
        return
    found = False
    for path, obj in jsonld_mod.find_postings(value):
        found = True
        resolved = jsonld_mod.resolve_refs(obj, ids) if ids else obj
        yield _one(resolved, source, f"{position} {path}".strip() or "document", None, geocode_missing,
                   list(doc_warnings))
    if not found:
        yield RecordResult(source, position or "document", "skipped",
                           reason=f"@type {value.get('@type')!r} is not JobPosting and holds none")


def _json_error(e: json.JSONDecodeError) -> str:
    return f"invalid JSON: {e.msg} (line {e.lineno} column {e.colno})"


def _read_line(line: str, lineno: int, source: str, geocode_missing: bool) -> Iterator[RecordResult]:
    try:
        value = json.loads(line)
        warns: list[str] = []
    except json.JSONDecodeError:
        try:
            value, warns = jsonld_mod.loads_lenient(line)
        except json.JSONDecodeError as e:
            yield RecordResult(source, f"line {lineno}", "rejected", reason=_json_error(e))
            return
    whole = line.strip() if isinstance(value, dict) and not warns else None
    yield from _records(value, source, f"line {lineno}", whole, geocode_missing, warns)


def _script_value(node_text: str) -> tuple[Any, list[str], str]:
    """(value, warnings, body) of one ld+json script; browsers do not decode entities in scripts, so the raw
    text is tried first and an entity-escaped block second."""
    raw = (node_text or "").strip()
    try:
        return json.loads(raw), [], raw
    except json.JSONDecodeError as e:
        first = e
    for body in dict.fromkeys((raw, unescape_entities(raw).strip())):
        try:
            value, warns = jsonld_mod.loads_lenient(body)
            return value, warns, body
        except json.JSONDecodeError:
            continue
    raise first


def _read_html(text: str, source: str, geocode_missing: bool) -> Iterator[RecordResult]:
    from selectolax.lexbor import LexborHTMLParser

    scripts = [n for n in LexborHTMLParser(text).css("script")
               if (n.attributes.get("type") or "").split(";")[0].strip().lower() == "application/ld+json"]
    if not scripts:
        yield RecordResult(source, "document", "rejected",
                           reason='HTML page without a <script type="application/ld+json"> block')
        return
    blocks: list[tuple[str, Any, list[str], str, json.JSONDecodeError | None]] = []
    for i, node in enumerate(scripts, start=1):
        try:
            value, warns, body = _script_value(node.text(deep=True))
            blocks.append((f"script {i}", value, warns, body, None))
        except json.JSONDecodeError as e:
            blocks.append((f"script {i}", None, [], "", e))
    # references may point into another block of the page
    ids = jsonld_mod.id_map(*(b[1] for b in blocks if b[4] is None))
    for pos, value, warns, body, err in blocks:
        if err is not None:
            yield RecordResult(source, pos, "rejected", reason=_json_error(err))
            continue
        whole = body if isinstance(value, dict) and not warns else None
        yield from _records(value, source, pos, whole, geocode_missing, warns, ids)


def read_records(data: bytes | str, source: str = "<input>", *, geocode_missing: bool = True) -> Iterator[RecordResult]:
    """Every record of one document, in order; see the module docstring for the accepted shapes."""
    text = data.decode("utf-8-sig", errors="replace") if isinstance(data, bytes) else data.lstrip("\ufeff")
    head = text.lstrip()[:1]
    if not head:
        yield RecordResult(source, "document", "rejected", reason="empty input")
        return
    if head == "<" and not text.lstrip().startswith("<!--"):
        yield from _read_html(text, source, geocode_missing)
        return
    try:
        value = json.loads(text)
    except json.JSONDecodeError as e:
        whole_error = e
    else:
        yield from _records(value, source, "", text.strip() if isinstance(value, dict) else None, geocode_missing)
        return
    lines = text.split("\n")  # not splitlines(): JSON strings may hold U+2028 or U+0085
    if sum(bool(line.strip()) for line in lines) > 1 and any(_parses(line) for line in lines[:50]):
        for lineno, line in enumerate(lines, start=1):
            if line.strip():
                yield from _read_line(line, lineno, source, geocode_missing)
        return
    try:  # not strict JSON, not JSONL: the repairs browsers tolerate, with a warning
        value, warns = jsonld_mod.loads_lenient(text)
    except json.JSONDecodeError:
        if head == "<":
            yield from _read_html(text, source, geocode_missing)
            return
        yield RecordResult(source, "document", "rejected", reason=_json_error(whole_error))
        return
    yield from _records(value, source, "", None, geocode_missing, warns)


def _parses(line: str) -> bool:
    try:
        json.loads(line)
    except json.JSONDecodeError:
        return False
    return bool(line.strip())


def read_path(path: Path, *, geocode_missing: bool = True,
              on_bytes: Any = None) -> Iterator[RecordResult]:
    """Records of a file. JSONL files (by suffix) are streamed line by line; ``on_bytes(n)`` reports progress."""
    source = str(path)
    if path.suffix.lower() in JSONL_SUFFIXES:
        with path.open("rb") as f:
            for lineno, raw in enumerate(f, start=1):
                if on_bytes:
                    on_bytes(len(raw))
                line = raw.decode("utf-8", errors="replace")
                if lineno == 1:
                    line = line.lstrip("\ufeff")
                if line.strip():
                    yield from _read_line(line, lineno, source, geocode_missing)
        return
    data = path.read_bytes()
    if on_bytes:
        on_bytes(len(data))
    yield from read_records(data, source, geocode_missing=geocode_missing)
