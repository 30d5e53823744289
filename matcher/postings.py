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
import json
import math
import re
import string
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any, Literal

from dateutil import parser as dtparser

from matcher.degrees import level_from_credential
from matcher.domain import Place, Posting
from matcher.errors import PostingError
from matcher.geo import geocode, normalize_country
from matcher.htmltext import clean_description, unescape_entities

MAX_MONTHS = 600
JSONL_SUFFIXES = {".jsonl", ".ndjson", ".jsonlines"}

_WORD_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                 "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20}
_DURATION = re.compile(
    r"(\d+(?:\.\d+)?|%s)\s*\+?\s*(?:(?:-|–|to|or)\s*\d+(?:\.\d+)?\s*\+?\s*)?(years?|yrs?|months?|mos?)\b"
    % "|".join(_WORD_NUMBERS), re.I)
_NO_EXPERIENCE = re.compile(r"^\s*(no(ne)?|no requirements?|not required|no experience( required)?|n/?a)\s*\.?\s*$", re.I)
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
    levels = [level_from_credential(label) for label in labels]
    known = [lv for lv in levels if lv is not None]
    if not known:
        warnings.append(f"degree requirement {raw!r} names no known degree; treated as unknown")
        return None, raw
    if len(known) < len(levels):
        warnings.append(f"part of degree requirement {raw!r} not understood; used the known part")
    return min(known), raw


def _months_from_text(s: str) -> int | None:
    if _NO_EXPERIENCE.match(s):
        return 0
    if _NUMERIC.match(s):
        f = float(s)
        return round(f) if 0 <= f <= MAX_MONTHS else None
    m = _DURATION.search(s)
    if not m:
        return None
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
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def _coord(place: dict, key: str) -> Any:
    if key in place:
        return place[key]
    geo = place.get("geo")
    return geo.get(key) if isinstance(geo, dict) else None


def _address_parts(addr: Any) -> tuple[str | None, str | None, Any]:
    """(city, region, raw country) of a PostalAddress object or a "City, ST, Country" string."""
    if isinstance(addr, dict):
        return _text(addr.get("addressLocality")), _text(addr.get("addressRegion")), addr.get("addressCountry")
    text = _text(addr)
    if not text:
        return None, None, None
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if len(parts) >= 3:
        return parts[0], parts[-2], parts[-1]
    if len(parts) == 2:
        return (parts[0], None, parts[1]) if normalize_country(parts[1]) and len(parts[1]) != 2 else (parts[0], parts[1], None)
    return (None, None, parts[0]) if normalize_country(parts[0]) else (parts[0], None, None)


def _place(p: Any, i: int, warnings: list[str], geocode_missing: bool) -> Place | None:
    if isinstance(p, str):
        p = {"address": p}
    if not isinstance(p, dict):
        warnings.append(f"jobLocation {i} is not a Place; ignored")
        return None
    city, region, raw_country = _address_parts(p.get("address"))
    country = normalize_country(raw_country)
    if raw_country is not None and country is None and _text(raw_country):
        warnings.append(f"country {_text(raw_country)!r} not recognised")
    if region and not country:
        from matcher.geo import us_states

        if region.lower() in us_states():
            country = "US"
    lat, lon = _number(_coord(p, "latitude")), _number(_coord(p, "longitude"))
    if (lat is None) != (lon is None) or (lat is not None and not (-90 <= lat <= 90 and -180 <= lon <= 180)):
        warnings.append(f"jobLocation {i}: coordinates ({_coord(p, 'latitude')}, {_coord(p, 'longitude')}) "
                        "missing or out of range; ignored")
        lat = lon = None
    elif lat == 0 and lon == 0:
        warnings.append(f"jobLocation {i}: coordinates (0, 0) ignored")
        lat = lon = None
    named_country = normalize_country(city) if city and not region else None
    if named_country and (country is None or named_country == country):
        # "United States" as the locality: the posting names only a country; the point is its centroid
        return Place(country=named_country)
    if lat is None and city and geocode_missing:
        hit = geocode(city, region, country)
        if hit:
            lat, lon = hit[0], hit[1]
            country = country or hit[2]
            warnings.append(f"jobLocation {i}: coordinates geocoded from {city!r}")
    place = Place(city=city, region=region, country=country, lat=lat, lon=lon)
    return place if (city or region or country or place.has_point) else None


def _locations(v: Any, warnings: list[str], geocode_missing: bool) -> tuple[Place, ...]:
    items = v if isinstance(v, list) else ([] if v is None else [v])
    places = [_place(p, i, warnings, geocode_missing) for i, p in enumerate(items)]
    return tuple(dict.fromkeys(p for p in places if p is not None))


def _remote(obj: dict, warnings: list[str]) -> tuple[bool, tuple[str, ...]]:
    kinds = obj.get("jobLocationType")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    remote = any(isinstance(k, str) and k.strip().upper() == "TELECOMMUTE" for k in kinds)
    req = obj.get("applicantLocationRequirements")
    reqs = req if isinstance(req, list) else ([] if req is None else [req])
    countries: list[str] = []
    for r in reqs:
        code = normalize_country(r)
        if code:
            countries.append(code)
        elif _text(r):
            warnings.append(f"applicant location {_text(r)!r} not recognised as a country; ignored")
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
def _is_job_posting(obj: dict) -> bool:
    t = obj.get("@type")
    types = t if isinstance(t, list) else [t]
    return any(isinstance(x, str) and x.rsplit("/", 1)[-1].rsplit(":", 1)[-1] == "JobPosting" for x in types)


def posting_from_jsonld(obj: dict, *, geocode_missing: bool = True) -> Posting:
    """Normalise one JobPosting object. Raises :class:`PostingError` when it has no usable title or description."""
    warnings: list[str] = []
    raw_title = obj.get("title", obj.get("name"))
    title = _text(raw_title)
    if not title:
        raise PostingError("missing title: a JobPosting needs a non-empty 'title' string")
    if not isinstance(raw_title, str):
        warnings.append(f"title was a {type(raw_title).__name__}, read as {title!r}")
    raw_desc = obj.get("description")
    if isinstance(raw_desc, list):
        raw_desc = "\n".join(x for x in raw_desc if isinstance(x, str))
    if not isinstance(raw_desc, str) or not raw_desc.strip():
        raise PostingError("missing description: a JobPosting needs a non-empty 'description' (text or HTML)")
    desc = clean_description(raw_desc)
    if not desc.text:
        raise PostingError("empty description: the 'description' holds no text once HTML is removed")
    warnings.extend(desc.warnings)
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
        id=stable_id(obj, company=company, places=places, title=title, description=desc.text, url=url),
        title=title, company=company, description=desc.text, description_html=desc.html, url=url,
        date_posted=date_posted, valid_through=valid_through, degree=degree, degree_raw=degree_raw,
        months=months, months_raw=months_raw, locations=places, remote=remote, applicant_countries=countries,
        employment_type=_employment_type(obj.get("employmentType")), warnings=tuple(warnings),
    )


# ---- documents -------------------------------------------------------------------------------------------
def _records(value: Any, source: str, position: str, jsonld: str | None,
             geocode_missing: bool) -> Iterator[RecordResult]:
    """Unwrap arrays and ``@graph`` and normalise every JobPosting found."""
    if isinstance(value, list):
        for i, item in enumerate(value):
            yield from _records(item, source, f"{position} item {i}".strip(), None, geocode_missing)
        return
    if not isinstance(value, dict):
        yield RecordResult(source, position or "document", "rejected",
                           reason=f"expected a JSON object, found {type(value).__name__}")
        return
    if "@graph" in value and not _is_job_posting(value):
        yield from _records(value["@graph"], source, f"{position} @graph".strip(), None, geocode_missing)
        return
    pos = position or "document"
    if not _is_job_posting(value):
        yield RecordResult(source, pos, "skipped", reason=f"@type {value.get('@type')!r} is not JobPosting")
        return
    text = jsonld if jsonld is not None else json.dumps(value, ensure_ascii=False)
    try:
        posting = posting_from_jsonld(value, geocode_missing=geocode_missing)
    except PostingError as e:
        yield RecordResult(source, pos, "rejected", jsonld=text, reason=str(e))
        return
    except (TypeError, ValueError, AttributeError) as e:  # a shape no rule foresaw must not stop the batch
        yield RecordResult(source, pos, "rejected", jsonld=text, reason=f"unreadable record: {e}")
        return
    yield RecordResult(source, pos, "ok", posting=posting, jsonld=text)


def _json_error(e: json.JSONDecodeError) -> str:
    return f"invalid JSON: {e.msg} (column {e.colno})"


def _read_line(line: str, lineno: int, source: str, geocode_missing: bool) -> Iterator[RecordResult]:
    try:
        value = json.loads(line)
    except json.JSONDecodeError as e:
        yield RecordResult(source, f"line {lineno}", "rejected", reason=_json_error(e))
        return
    whole = line.strip() if isinstance(value, dict) else None
    yield from _records(value, source, f"line {lineno}", whole, geocode_missing)


def _read_html(text: str, source: str, geocode_missing: bool) -> Iterator[RecordResult]:
    from selectolax.lexbor import LexborHTMLParser

    scripts = LexborHTMLParser(text).css('script[type="application/ld+json"]')
    if not scripts:
        yield RecordResult(source, "document", "rejected",
                           reason='HTML page without a <script type="application/ld+json"> block')
    for i, node in enumerate(scripts, start=1):
        body = unescape_entities(node.text(deep=True) or "").strip()
        pos = f"script {i}"
        try:
            value = json.loads(body)
        except json.JSONDecodeError as e:
            yield RecordResult(source, pos, "rejected", reason=_json_error(e))
            continue
        yield from _records(value, source, pos, body if isinstance(value, dict) else None, geocode_missing)


def read_records(data: bytes | str, source: str = "<input>", *, geocode_missing: bool = True) -> Iterator[RecordResult]:
    """Every record of one document, in order; see the module docstring for the accepted shapes."""
    text = data.decode("utf-8-sig", errors="replace") if isinstance(data, bytes) else data.lstrip("\ufeff")
    head = text.lstrip()[:1]
    if not head:
        yield RecordResult(source, "document", "rejected", reason="empty input")
        return
    if head == "<":
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
    if not any(_parses(line) for line in lines[:50]):  # not JSONL either: one error for the document
        yield RecordResult(source, "document", "rejected",
                           reason=f"{_json_error(whole_error)} at line {whole_error.lineno}")
        return
    for lineno, line in enumerate(lines, start=1):
        if line.strip():
            yield from _read_line(line, lineno, source, geocode_missing)


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
