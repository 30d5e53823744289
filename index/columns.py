"""Filter columns: the per-row metadata the hard filters need, as numpy arrays aligned with index rows.

The matcher builds one :class:`ColumnRow` per posting; the index stores them column-wise in a
:class:`FilterColumns` and offers vectorised predicates that return ``bool`` arrays of length
``n_rows``. The rule logic (which predicates to combine, how unknown values are treated) belongs to
the matcher; these predicates are deliberately raw:

* ``degree`` / ``months`` hold ``-1`` for *unknown*; ``degree_at_most(level)`` is ``degree <= level``,
  so unknown (-1) and "none" (0) pass it. Use the raw arrays for any other treatment.
* ``valid_through`` is epoch seconds, ``inf`` for "no expiry"; ``expired(t)`` is ``valid_through < t``.
* Variable-length sets (points, countries, country-only locations, applicant countries) are CSR:
  ``*_off`` (int64, n+1 offsets), element arrays, and ``*_row`` (int32, the owning row of each element,
  so predicates scatter hits with one fancy-index assignment).
* Country codes are stored as uint16 codes into a small vocabulary (ISO alpha-2 strings).
* ``hybrid`` marks remote rows with an office; ``etype`` is a bitmask of employment types (bit i = the matcher's i-th type), 0 = none stated;
  ``sal_max`` the top of the annual salary range (``nan`` unknown) in currency ``sal_cur`` (three ASCII
  letters packed into a uint32 by :func:`currency_code`, 0 unknown); ``posted`` is ``datePosted`` in epoch
  seconds (``nan`` unknown). Added in format version 2: an index written before loads them as unknown
  (:data:`ROW_DEFAULTS`), and the matcher refills them from its store (``JobIndex.missing_columns``).
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

EARTH_RADIUS_KM = 6371.0088
_KM_PER_DEG_LAT = np.pi * EARTH_RADIUS_KM / 180.0  # ~111.2 km

# name -> dtype of every stored array (the on-disk column files use these names).
ROW_ARRAYS = {"degree": np.int8, "months": np.int32, "valid_through": np.float64, "remote": np.bool_,
              "hybrid": np.bool_, "etype": np.uint8, "sal_max": np.float64, "sal_cur": np.uint32, "posted": np.float64}
# value of each row array for rows written by an older format that lacked it (= unknown)
ROW_DEFAULTS = {"hybrid": False, "etype": 0, "sal_max": np.nan, "sal_cur": 0, "posted": np.nan}
CSR_SETS = {
    # set name -> element arrays (name suffix -> dtype)
    "pt": {"lat": np.float64, "lon": np.float64},
    "cc": {"code": np.uint16},  # every on-site location's country
    "co": {"code": np.uint16},  # on-site locations naming only a country
    "ap": {"code": np.uint16},  # remote applicant-location requirement (empty = anywhere)
}


@dataclass(frozen=True)
class ColumnRow:
    """Filter metadata of one posting, as the matcher normalised it."""

    degree: int = -1  # -1 unknown, 0 none, 1 high school .. 4 postgraduate
    months: int = -1  # -1 unknown, else >= 0
    valid_through: float | None = None  # epoch seconds; None = no expiry
    remote: bool = False
    points: tuple[tuple[float, float], ...] = ()  # (lat, lon) of on-site locations with coordinates
    countries: tuple[str, ...] = ()  # alpha-2 of every on-site location
    country_only: tuple[str, ...] = ()  # alpha-2 of on-site locations naming only a country
    applicant_countries: tuple[str, ...] = ()  # remote applicant requirement, empty = anywhere
    hybrid: bool = False  # remote, with an office too
    employment: int = 0  # bitmask of employment types, 0 = none stated
    salary_max: float | None = None  # top of the annual salary range, None = unknown
    salary_currency: str | None = None  # ISO 4217
    date_posted: float | None = None  # epoch seconds, None = unknown


def currency_code(cur: str | None) -> int:
    """Three ASCII letters packed into an int (0 for None or anything else)."""
    if not cur or len(cur) != 3 or not cur.isascii() or not cur.isalpha():
        return 0
    c = cur.upper().encode()
    return (c[0] << 16) | (c[1] << 8) | c[2]


def currency_text(code: int) -> str | None:
    return None if not code else bytes([(code >> 16) & 255, (code >> 8) & 255, code & 255]).decode()


def haversine_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Great-circle distance in km, vectorised (degrees in, km out)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp = p2 - p1
    dl = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(a)))


def column_names() -> list[str]:
    names = list(ROW_ARRAYS)
    for s, elems in CSR_SETS.items():
        names += [f"{s}_off", f"{s}_row"] + [f"{s}_{e}" for e in elems]
    return names


def empty_arrays() -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {k: np.empty(0, dt) for k, dt in ROW_ARRAYS.items()}
    for s, elems in CSR_SETS.items():
        out[f"{s}_off"] = np.zeros(1, np.int64)
        out[f"{s}_row"] = np.empty(0, np.int32)
        for e, dt in elems.items():
            out[f"{s}_{e}"] = np.empty(0, dt)
    return out


class CountryVocab:
    """Append-only alpha-2 -> uint16 code map (codes never change, so stored arrays stay valid)."""

    def __init__(self, codes: Iterable[str] = ()):
        self._list: list[str] = []
        self._map: dict[str, int] = {}
        for c in codes:
            self.add(c)

    def add(self, cc: str) -> int:
        cc = cc.upper()
        got = self._map.get(cc)
        if got is None:
            if len(self._list) >= 65535:
                raise ValueError("more than 65535 distinct country codes; codes must be ISO alpha-2")
            got = self._map[cc] = len(self._list)
            self._list.append(cc)
        return got

    def get(self, cc: str) -> int | None:
        return self._map.get(cc.upper())

    def snapshot(self) -> tuple[str, ...]:
        return tuple(self._list)


def rows_to_arrays(rows: Sequence[ColumnRow], vocab: CountryVocab, row_base: int = 0) -> dict[str, np.ndarray]:
    """Column arrays for a batch of rows. CSR offsets start at 0 and ``*_row`` at ``row_base``."""
    n = len(rows)
    out: dict[str, np.ndarray] = {
        "degree": np.fromiter((r.degree for r in rows), np.int8, n),
        "months": np.fromiter((r.months for r in rows), np.int32, n),
        "valid_through": np.fromiter(
            (np.inf if r.valid_through is None else r.valid_through for r in rows), np.float64, n),
        "remote": np.fromiter((bool(r.remote) for r in rows), np.bool_, n),
        "hybrid": np.fromiter((bool(r.hybrid) for r in rows), np.bool_, n),
        "etype": np.fromiter((r.employment for r in rows), np.uint8, n),
        "sal_max": np.fromiter((np.nan if r.salary_max is None else r.salary_max for r in rows), np.float64, n),
        "sal_cur": np.fromiter((currency_code(r.salary_currency) for r in rows), np.uint32, n),
        "posted": np.fromiter((np.nan if r.date_posted is None else r.date_posted for r in rows), np.float64, n),
    }
    if n and (out["degree"].min() < -1 or out["degree"].max() > 4):
        raise ValueError("ColumnRow.degree must be -1 (unknown) or 0..4")
    if n and out["months"].min() < -1:
        raise ValueError("ColumnRow.months must be -1 (unknown) or >= 0")
    lens = np.fromiter((len(r.points) for r in rows), np.int64, n)
    flat = [p for r in rows for p in r.points]
    pts = np.asarray(flat, np.float64).reshape(-1, 2)
    out["pt_off"] = np.concatenate([[0], np.cumsum(lens)]).astype(np.int64)
    out["pt_row"] = (np.repeat(np.arange(n, dtype=np.int64), lens) + row_base).astype(np.int32)
    out["pt_lat"] = np.ascontiguousarray(pts[:, 0])
    out["pt_lon"] = np.ascontiguousarray(pts[:, 1])
    for s, attr in (("cc", "countries"), ("co", "country_only"), ("ap", "applicant_countries")):
        sets = [sorted({c.upper() for c in getattr(r, attr)}) for r in rows]
        lens = np.fromiter((len(x) for x in sets), np.int64, n)
        out[f"{s}_off"] = np.concatenate([[0], np.cumsum(lens)]).astype(np.int64)
        out[f"{s}_row"] = (np.repeat(np.arange(n, dtype=np.int64), lens) + row_base).astype(np.int32)
        out[f"{s}_code"] = np.fromiter((vocab.add(c) for x in sets for c in x), np.uint16, int(lens.sum()))
    return out


class FilterColumns:
    """Read-only view of the filter columns of ``n_rows`` index rows, with vectorised predicates.

    Every predicate returns a fresh ``bool`` array of length ``n_rows`` (tombstoned rows included;
    AND with :attr:`alive` or let :meth:`JobIndex.search` do it).
    """

    def __init__(self, arrays: dict[str, np.ndarray], alive: np.ndarray, countries: Sequence[str]):
        self._a = arrays
        self._alive = alive
        self._vocab = {c: i for i, c in enumerate(countries)}
        self._countries = tuple(countries)
        self.n_rows = int(len(arrays["degree"]))
        if len(alive) != self.n_rows:
            raise ValueError("alive mask length differs from the column length")

    # ---- raw arrays ----------------------------------------------------------------------
    @property
    def degree(self) -> np.ndarray:
        return self._a["degree"]

    @property
    def months(self) -> np.ndarray:
        return self._a["months"]

    @property
    def valid_through(self) -> np.ndarray:
        return self._a["valid_through"]

    @property
    def remote(self) -> np.ndarray:
        return self._a["remote"]

    @property
    def hybrid(self) -> np.ndarray:
        return self._a["hybrid"]

    @property
    def employment(self) -> np.ndarray:
        return self._a["etype"]

    @property
    def salary_max(self) -> np.ndarray:
        return self._a["sal_max"]

    @property
    def salary_currency(self) -> np.ndarray:
        return self._a["sal_cur"]

    @property
    def date_posted(self) -> np.ndarray:
        return self._a["posted"]

    @property
    def alive(self) -> np.ndarray:
        return self._alive

    @property
    def country_vocab(self) -> tuple[str, ...]:
        return self._countries

    def array(self, name: str) -> np.ndarray:
        """Any stored array by name (see :func:`column_names`)."""
        return self._a[name]

    def __len__(self) -> int:
        return self.n_rows

    # ---- predicates ----------------------------------------------------------------------
    def expired(self, as_of_epoch: float) -> np.ndarray:
        return self._a["valid_through"] < float(as_of_epoch)

    def degree_at_most(self, level: int) -> np.ndarray:
        """``degree <= level``: unknown (-1) and none (0) pass; AND with ``degree >= 0`` to be strict."""
        return self._a["degree"] <= int(level)

    def months_at_most(self, months: int) -> np.ndarray:
        """``months <= m``: unknown (-1) passes; AND with ``months >= 0`` to be strict."""
        return self._a["months"] <= int(months)

    def _scatter(self, s: str, hits: np.ndarray) -> np.ndarray:
        out = np.zeros(self.n_rows, np.bool_)
        out[self._a[f"{s}_row"][hits]] = True
        return out

    def any_point_within(self, lat: float, lon: float, radius_km: float) -> np.ndarray:
        """Rows with at least one on-site point within ``radius_km`` (great-circle) of (lat, lon)."""
        plat, plon = self._a["pt_lat"], self._a["pt_lon"]
        if len(plat) == 0 or radius_km < 0:
            return np.zeros(self.n_rows, np.bool_)
        dlat = radius_km / _KM_PER_DEG_LAT + 1e-9
        cand = np.flatnonzero(np.abs(plat - lat) <= dlat)  # latitude band: exact lower bound
        if len(cand):
            # longitude window where it is a valid bound (away from the poles, small radius)
            coslat = np.cos(np.radians(min(89.0, abs(lat) + dlat)))
            dlon = radius_km / (_KM_PER_DEG_LAT * coslat) if coslat > 0 else 360.0
            if dlon < 170.0:
                dl = np.abs(plon[cand] - lon) % 360.0
                cand = cand[np.minimum(dl, 360.0 - dl) <= dlon + 1e-9]
        if len(cand):
            d = haversine_km(lat, lon, plat[cand], plon[cand])
            cand = cand[d <= radius_km]
        return self._scatter("pt", cand)

    def _has_code(self, s: str, cc: str) -> np.ndarray:
        code = self._vocab.get(cc.upper())
        if code is None:
            return np.zeros(self.n_rows, np.bool_)
        return self._scatter(s, np.flatnonzero(self._a[f"{s}_code"] == code))

    def country_only_in(self, cc: str) -> np.ndarray:
        """Rows with an on-site location that names only country ``cc``."""
        return self._has_code("co", cc)

    def country_in(self, cc: str) -> np.ndarray:
        """Rows with any on-site location in country ``cc``."""
        return self._has_code("cc", cc)

    def has_applicant_requirement(self) -> np.ndarray:
        return np.diff(self._a["ap_off"]) > 0

    def applicant_allows(self, cc: str | None) -> np.ndarray:
        """Remote applicant requirement empty, or containing ``cc`` (``None``: only empty passes)."""
        out = ~self.has_applicant_requirement()
        if cc:
            out |= self._has_code("ap", cc)
        return out

    def has_points(self) -> np.ndarray:
        return np.diff(self._a["pt_off"]) > 0


    def min_distance_km(self, rows: np.ndarray, lat: float, lon: float) -> np.ndarray:
        """Distance (km) from (lat, lon) to the nearest on-site point of each row; nan without points."""
        rows = np.asarray(rows, np.int64).ravel()
        off = self._a["pt_off"]
        starts, ends = off[rows], off[rows + 1]
        lens = ends - starts
        out = np.full(len(rows), np.nan)
        has = lens > 0
        if not has.any():
            return out
        s, ln = starts[has], lens[has]
        idx = np.repeat(s - np.concatenate([[0], np.cumsum(ln)[:-1]]), ln) + np.arange(ln.sum())
        d = haversine_km(lat, lon, self._a["pt_lat"][idx], self._a["pt_lon"][idx])
        out[has] = np.minimum.reduceat(d, np.concatenate([[0], np.cumsum(ln)[:-1]]))
        return out

    def row(self, i: int) -> ColumnRow:
        """The :class:`ColumnRow` stored at row ``i`` (for inspection and tests)."""
        a = self._a

        def codes(s):
            o = a[f"{s}_off"]
            return tuple(self._countries[c] for c in a[f"{s}_code"][o[i]:o[i + 1]])

        o = a["pt_off"]
        vt = float(a["valid_through"][i])
        sm, dp = float(a["sal_max"][i]), float(a["posted"][i])
        return ColumnRow(
            degree=int(a["degree"][i]), months=int(a["months"][i]),
            valid_through=None if np.isinf(vt) else vt, remote=bool(a["remote"][i]),
            points=tuple((float(x), float(y)) for x, y in zip(a["pt_lat"][o[i]:o[i + 1]], a["pt_lon"][o[i]:o[i + 1]], strict=True)),
            countries=codes("cc"), country_only=codes("co"), applicant_countries=codes("ap"),
            hybrid=bool(a["hybrid"][i]), employment=int(a["etype"][i]), salary_max=None if np.isnan(sm) else sm,
            salary_currency=currency_text(int(a["sal_cur"][i])), date_posted=None if np.isnan(dp) else dp)


def take_rows(arrays: dict[str, np.ndarray], keep: np.ndarray) -> dict[str, np.ndarray]:
    """Arrays restricted to the rows where ``keep`` is True, renumbered 0..; used by compaction."""
    keep = np.asarray(keep, np.bool_)
    out = {k: np.ascontiguousarray(arrays[k][keep]) for k in ROW_ARRAYS}
    remap = np.cumsum(keep, dtype=np.int64) - 1
    n_new = int(keep.sum())
    for s, elems in CSR_SETS.items():
        row = arrays[f"{s}_row"]
        ek = keep[row] if len(row) else np.zeros(0, np.bool_)
        new_row = remap[row[ek]]
        out[f"{s}_row"] = new_row.astype(np.int32)
        counts = np.bincount(new_row, minlength=n_new) if n_new else np.zeros(0, np.int64)
        out[f"{s}_off"] = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        for e in elems:
            out[f"{s}_{e}"] = np.ascontiguousarray(arrays[f"{s}_{e}"][ek])
    return out
