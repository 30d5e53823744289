"""Conservative reading of the places postings name (decides the country; ``matcher.geo`` does the lookups).

Rule: a place we are not sure of leaves the country unknown rather than wrong.
- Names that are not in Latin script are never looked up (the offline gazetteer holds Latin names only; a
  lookup of "Москва" would match an unrelated city); a country stated separately is kept.
- Without a stated country, a city's country is taken only when the region agrees with exactly one country
  ("Chicago, IL": a city Chicago in the US state IL; "Berlin, DE": a city Berlin in Germany, none in the US
  state DE), or, with no region, when every gazetteer city of that name lies in one country ("Toronto").
- An applicant-location requirement given as a State/region ("California", "Ontario") stands for its
  country when the name belongs to exactly one country's subdivisions (US states first).

Offers :func:`is_latin`, :func:`city_country`, :func:`region_country`.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache


def _fold(s: str) -> str:
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()
    return re.sub(r"\s+", " ", s).strip().lower()


@lru_cache(maxsize=4096)
def is_latin(s: str) -> bool:
    """True when every letter of ``s`` is a Latin letter (accents allowed) and there is at least one."""
    letters = [ch for ch in s if ch.isalpha()]
    return bool(letters) and all("LATIN" in unicodedata.name(ch, "") for ch in letters)


@lru_cache(maxsize=4096)
def _places(city: str) -> frozenset[tuple[str, str]]:
    """{(country, admin1 code)} of the gazetteer cities of this name (:func:`matcher.geo.cities_named`)."""
    from .geo import cities_named

    return frozenset((c.country, c.admin1) for c in cities_named(city))


@lru_cache(maxsize=1)
def _subdivisions() -> dict[str, frozenset[str]]:
    """folded subdivision name -> countries having a subdivision of that name."""
    import pycountry

    out: dict[str, set[str]] = {}
    for s in pycountry.subdivisions:
        out.setdefault(_fold(s.name), set()).add(s.country_code)
    return {k: frozenset(v) for k, v in out.items()}


def us_state(region: str) -> str | None:
    """Two-letter code of a US state name or code, else None."""
    from .geo import us_states

    return us_states().get(_fold(region)) or us_states().get(region.strip().lower())


def region_country(region: str | None) -> str | None:
    """Country of a region/state name: a US state name or code -> US; else a subdivision name that exists in
    exactly one country; else None."""
    if not region or not is_latin(region):
        return None
    if us_state(region):
        return "US"
    got = _subdivisions().get(_fold(region))
    return next(iter(got)) if got and len(got) == 1 else None


def known_city(city: str) -> bool:
    return is_latin(city) and bool(_places(city))


def city_in(city: str, country: str, state: str | None = None) -> bool:
    """Whether the gazetteer has a city of this name in ``country`` (and in that US state, when given)."""
    if not is_latin(city):
        return False
    st = us_state(state) if state else None
    return any(cc == country and (st is None or a1 == st) for cc, a1 in _places(city))


def city_country(city: str, region: str | None, country_options: tuple[str, ...] = ()) -> str | None:
    """The one country where a city of this name exists, consistent with ``region`` and, when given, with
    ``country_options`` (the countries the address text might name); None when unsure."""
    if not is_latin(city) or (region and not is_latin(region)):
        return None
    places = _places(city)
    if not places:
        return None
    if country_options:
        places = frozenset(p for p in places if p[0] in country_options)
    if region:
        st = us_state(region)
        reg = _fold(region)
        agree = {cc for cc, a1 in places if (st and cc == "US" and a1 == st) or _fold(a1) == reg}
        if not agree and len(reg) > 3 and not st:  # a region written out ("Ontario"): its one country
            rc = region_country(region)
            agree = {cc for cc, _ in places if cc == rc} if rc else set()
        countries = agree
    else:
        countries = {cc for cc, _ in places}
    return next(iter(countries)) if len(countries) == 1 else None
