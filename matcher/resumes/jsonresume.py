"""JSON Resume (jsonresume.org schema) to text and to a :class:`CandidateProfile`.

Input is untrusted: :func:`normalise_json_resume` checks the size and the type of every field of the schema
first and raises :class:`~matcher.errors.InvalidJsonResume` naming the field (a list where a string belongs,
a number where a list belongs, ...); scalars in string fields are read as text, ``null`` as absent, unknown
keys are ignored (but count against the size limits).
"""
from __future__ import annotations

from datetime import date
from typing import Any

from matcher.degrees import level_from_credential
from matcher.domain import DEGREE_NAME, CandidateProfile, Place
from matcher.errors import InvalidJsonResume
from matcher.geo import geocode, normalize_country, us_states
from matcher.resumes.dates import Span, _parse_date, merge_months
from matcher.resumes.education import _STRONG, _WEAK, _level_in


def _s(v: Any) -> str:
    return v.strip() if isinstance(v, str) else ""


# ---- validation ------------------------------------------------------------------------------------------
MAX_NODES = 20_000        # values (objects, arrays, strings, numbers) in the whole document
MAX_DEPTH = 24
MAX_STRING = 100_000      # characters in one string
MAX_TOTAL_CHARS = 1_000_000

_STR, _STRS = "str", "list[str]"
_LOC = {k: _STR for k in ("address", "postalCode", "city", "countryCode", "region")}
_SCHEMA: dict[str, Any] = {
    "basics": {**{k: _STR for k in ("name", "label", "image", "email", "phone", "url", "summary")},
               "location": _LOC,
               "profiles": [{k: _STR for k in ("network", "username", "url")}]},
    "work": [{**{k: _STR for k in ("name", "location", "description", "position", "url", "startDate", "endDate",
                                    "summary")}, "highlights": _STRS}],
    "volunteer": [{**{k: _STR for k in ("organization", "position", "url", "startDate", "endDate", "summary")},
                   "highlights": _STRS}],
    "education": [{**{k: _STR for k in ("institution", "url", "area", "studyType", "startDate", "endDate",
                                         "score")}, "courses": _STRS}],
    "awards": [{k: _STR for k in ("title", "date", "awarder", "summary")}],
    "certificates": [{k: _STR for k in ("name", "date", "url", "issuer")}],
    "publications": [{k: _STR for k in ("name", "publisher", "releaseDate", "url", "summary")}],
    "skills": [{"name": _STR, "level": _STR, "keywords": _STRS}],
    "languages": [{k: _STR for k in ("language", "fluency")}],
    "interests": [{"name": _STR, "keywords": _STRS}],
    "references": [{k: _STR for k in ("name", "reference")}],
    "projects": [{**{k: _STR for k in ("name", "description", "startDate", "endDate", "url", "entity", "type")},
                  "highlights": _STRS, "keywords": _STRS, "roles": _STRS}],
    "meta": {k: _STR for k in ("canonical", "version", "lastModified")},
}


def _kind(v: Any) -> str:
    if isinstance(v, bool):
        return "a boolean"
    if isinstance(v, (int, float)):
        return "a number"
    if isinstance(v, str):
        return "a string"
    if isinstance(v, list):
        return "a list"
    if isinstance(v, dict):
        return "an object"
    return f"a {type(v).__name__}"


def _bad(where: str, want: str, v: Any) -> InvalidJsonResume:
    return InvalidJsonResume(f"JSON Resume field `{where}` should be {want}, not {_kind(v)}; "
                             "fix it (see jsonresume.org/schema) or send the resume as text.")


def _check_size(obj: Any) -> None:
    """Refuse documents too large or too deep to read in the request path (iterative: no recursion)."""
    nodes = chars = 0
    stack: list[tuple[Any, int]] = [(obj, 1)]
    while stack:
        v, depth = stack.pop()
        nodes += 1
        if nodes > MAX_NODES or depth > MAX_DEPTH:
            what = f"more than {MAX_NODES:,} values" if nodes > MAX_NODES else f"nesting deeper than {MAX_DEPTH}"
            raise InvalidJsonResume(f"The JSON Resume has {what}; send a smaller resume (or its text).")
        if isinstance(v, str):
            if len(v) > MAX_STRING:
                raise InvalidJsonResume(f"A JSON Resume field holds {len(v):,} characters (limit {MAX_STRING:,}); "
                                        "send a smaller resume.")
            chars += len(v)
        elif isinstance(v, dict):
            for k, x in v.items():
                chars += len(k) if isinstance(k, str) else 0
                stack.append((x, depth + 1))
        elif isinstance(v, list):
            stack.extend((x, depth + 1) for x in v)
        if chars > MAX_TOTAL_CHARS:
            raise InvalidJsonResume(f"The JSON Resume holds more than {MAX_TOTAL_CHARS:,} characters; "
                                    "send a smaller resume.")


def _norm(v: Any, spec: Any, where: str) -> Any:
    """``v`` checked against ``spec``; None means absent."""
    if v is None:
        return None
    if spec == _STR:
        if isinstance(v, str):
            return v
        if isinstance(v, (bool, int, float)):
            return str(v)
        raise _bad(where, "a string", v)
    if spec == _STRS:
        if not isinstance(v, list):
            raise _bad(where, "a list of strings", v)
        out = [_norm(x, _STR, f"{where}[{i}]") for i, x in enumerate(v)]
        return [x for x in out if x is not None]
    if isinstance(spec, list):
        if not isinstance(v, list):
            raise _bad(where, "a list of objects", v)
        out = []
        for i, x in enumerate(v):
            if x is None:
                continue
            out.append(_norm(x, spec[0], f"{where}[{i}]"))
        return out
    if not isinstance(v, dict):
        raise _bad(where, "an object", v)
    out_d: dict[str, Any] = {}
    for k, sub in spec.items():
        got = _norm(v.get(k), sub, f"{where}.{k}" if where else k)
        if got is not None:
            out_d[k] = got
    return out_d


def normalise_json_resume(obj: Any) -> dict:
    """The known fields of a JSON Resume, type-checked: raise :class:`InvalidJsonResume` naming a bad field.
    Idempotent; the result holds only strings, lists and dicts of the shapes in the schema."""
    if not isinstance(obj, dict):
        raise _bad("(document)", "an object", obj)
    _check_size(obj)
    return _norm(obj, _SCHEMA, "")


def json_resume_text(obj: dict) -> str:
    """A readable rendering used for embedding and skill matching."""
    obj = normalise_json_resume(obj)
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

    obj = normalise_json_resume(obj)
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
    listed: dict[str, None] = {}
    for s in obj.get("skills") or []:
        if isinstance(s, dict):
            for k in [s.get("name"), *(s.get("keywords") or [])]:
                k = _s(k)
                if k:
                    listed.setdefault(k)
    found = extract_skills(text)
    seen = {f.lower() for f in found}
    skills = list(dict.fromkeys(found + [s for s in listed if s.lower() not in seen]))
    if skills:
        ev["skills"] = skills[:20]
    return CandidateProfile(text=text, degree=DEGREE_NAME[best] if best else None, months=months,
                            location=place, skills=skills, evidence=ev)
