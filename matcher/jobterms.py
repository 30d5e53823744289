"""Terms of a job read from JSON-LD: ``employmentType`` and ``baseSalary``/``estimatedSalary``.

Offers :func:`employment_types` and :func:`salary` (each appends to a warnings list and never raises).

Rules (also in ``docs/ingestion.md``):
- employment type: a string, a comma/slash-separated string or a list; each value is matched case- and
  punctuation-insensitively to schema.org's FULL_TIME, PART_TIME, CONTRACTOR, TEMPORARY, INTERN, VOLUNTEER,
  PER_DIEM, OTHER (with the usual spellings: "Full-time", "contract", "internship", "temp"); a value that is
  none of them is kept in the display text and left out of the filter, with a warning.
- salary: ``baseSalary`` when it yields an amount, else ``estimatedSalary``; a MonetaryAmount (or a list of
  them: the first usable) whose ``value`` is a number, a numeric string ("85,000") or a QuantitativeValue with
  ``value`` or ``minValue``/``maxValue`` (a MonetaryAmountDistribution's ``percentile10``/``percentile90``/
  ``median`` also count); ``unitText`` (on the value or the amount) HOUR/DAY/WEEK/MONTH/YEAR, also "hourly",
  "per hour", "annual", ...; annualised HOUR x 2080, DAY x 260, WEEK x 52, MONTH x 12. No unit, an unknown
  unit, no number, or min > max: no salary (unknown), with a warning - never a guessed unit.
"""
from __future__ import annotations

import math
import re
from typing import Any

from .domain import ANNUAL_FACTOR, EMPLOYMENT_TYPES, Salary

_ETYPE_ALIASES = {
    "FULLTIME": "FULL_TIME", "FULL": "FULL_TIME", "PERMANENT_FULL_TIME": "FULL_TIME",
    "PARTTIME": "PART_TIME", "PART": "PART_TIME",
    "CONTRACT": "CONTRACTOR", "CONTRACTORS": "CONTRACTOR", "FREELANCE": "CONTRACTOR", "CONTRACT_TO_HIRE": "CONTRACTOR",
    "TEMP": "TEMPORARY", "SEASONAL": "TEMPORARY",
    "INTERNSHIP": "INTERN", "TRAINEE": "INTERN",
    "PERDIEM": "PER_DIEM",
}
_TYPES = frozenset(EMPLOYMENT_TYPES)
_UNITS = {
    "HOUR": "HOUR", "HOURS": "HOUR", "HOURLY": "HOUR", "PER_HOUR": "HOUR", "HR": "HOUR", "H": "HOUR",
    "DAY": "DAY", "DAYS": "DAY", "DAILY": "DAY", "PER_DAY": "DAY",
    "WEEK": "WEEK", "WEEKS": "WEEK", "WEEKLY": "WEEK", "PER_WEEK": "WEEK",
    "MONTH": "MONTH", "MONTHS": "MONTH", "MONTHLY": "MONTH", "PER_MONTH": "MONTH",
    "YEAR": "YEAR", "YEARS": "YEAR", "YEARLY": "YEAR", "ANNUAL": "YEAR", "ANNUALLY": "YEAR", "PER_YEAR": "YEAR",
    "ANNUM": "YEAR", "PER_ANNUM": "YEAR", "YR": "YEAR",
}
_AMOUNT = re.compile(r"^\s*[-+]?\d{1,3}(?:[,\s\u00a0\u202f]\d{3})+(?:\.\d+)?\s*$|^\s*[-+]?\d+(?:\.\d+)?\s*$")


def _key(s: str) -> str:
    return re.sub(r"[^A-Z]+", "_", s.upper()).strip("_")


def employment_types(v: Any, warnings: list[str]) -> tuple[str, ...]:
    """Normalised employment types in the order given, without repeats."""
    if isinstance(v, str) and v in _TYPES:  # the common case, already a schema.org value
        return (v,)
    raw: list[str] = []

    def collect(x: Any) -> None:
        if isinstance(x, list):
            for y in x:
                collect(y)
        elif isinstance(x, str):
            raw.extend(p for p in re.split(r"[,;/|]", x) if p.strip())
        elif isinstance(x, dict):
            collect(x.get("name") or x.get("@value"))

    collect(v)
    out: list[str] = []
    for r in raw:
        k = _key(r)
        k = _ETYPE_ALIASES.get(k, k)
        if k in EMPLOYMENT_TYPES:
            out.append(k)
        else:
            warnings.append(f"employmentType {r.strip()!r} is not a schema.org employment type; not used for filtering")
    return tuple(dict.fromkeys(out))


def _amount(v: Any) -> float | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, int | float):
        f = float(v)
    elif isinstance(v, str) and _AMOUNT.match(v):
        f = float(re.sub(r"[,\s\u00a0\u202f]", "", v))
    else:
        return None
    return f if math.isfinite(f) and f >= 0 else None


def _unit(*candidates: Any) -> tuple[str | None, str | None]:
    """(normalised unit, first raw unit text seen)."""
    first = None
    for c in candidates:
        if isinstance(c, str) and c.strip():
            first = first or c.strip()
            got = _UNITS.get(_key(c))
            if got:
                return got, first
    return None, first


def _one_salary(amount: Any, source: str, warnings: list[str]) -> Salary | None:
    if not isinstance(amount, dict):
        got = _amount(amount)
        if got is not None:
            warnings.append(f"{source} {amount!r} has no unitText or currency; not used for filtering")
        return None
    currency = amount.get("currency")
    currency = currency.strip().upper() if isinstance(currency, str) and re.fullmatch(r"\s*[A-Za-z]{3}\s*", currency) else None
    value = amount.get("value")
    lo = hi = None
    unit_candidates: list[Any] = []
    if isinstance(value, dict):
        lo = _amount(value.get("minValue"))
        hi = _amount(value.get("maxValue"))
        one = _amount(value.get("value"))
        if one is None:
            one = _amount(value.get("median"))
        if lo is None and hi is None:
            lo = _amount(value.get("percentile10")) if one is None else None
            hi = _amount(value.get("percentile90")) if one is None else None
        if lo is None and hi is None and one is not None:
            lo = hi = one
        unit_candidates.append(value.get("unitText"))
    elif isinstance(value, list):
        return _one_salary({**amount, "value": value[0]}, source, warnings) if value else None
    else:
        lo = hi = _amount(value)
    if lo is None and hi is None:
        lo, hi = _amount(amount.get("minValue")), _amount(amount.get("maxValue"))
    if lo is None and hi is None:  # a MonetaryAmountDistribution carries its percentiles itself
        lo, hi = _amount(amount.get("percentile10")), _amount(amount.get("percentile90"))
        if lo is None and hi is None:
            lo = hi = _amount(amount.get("median"))
    unit_candidates += [amount.get("unitText")]
    if lo is None and hi is None:
        if value is not None or amount.get("minValue") is not None or amount.get("median") is not None:
            warnings.append(f"{source} amount {value!r} is not a number; salary unknown")
        return None
    if lo is not None and hi is not None and lo > hi:
        warnings.append(f"{source} minValue {lo:g} is above maxValue {hi:g}; salary unknown")
        return None
    unit, raw_unit = _unit(*unit_candidates)
    if unit is None:
        what = f"unitText {raw_unit!r} is not HOUR/DAY/WEEK/MONTH/YEAR" if raw_unit else "no unitText"
        warnings.append(f"{source} has {what}; salary unknown (a unit is never guessed)")
        return None
    if currency is None:
        warnings.append(f"{source} names no ISO 4217 currency; the salary filter treats it as unknown")
    f = ANNUAL_FACTOR[unit]
    return Salary(currency=currency, min=None if lo is None else round(lo * f, 2),
                  max=None if hi is None else round(hi * f, 2), unit=unit, amount_min=lo, amount_max=hi,
                  source=source)


def salary(obj: dict, warnings: list[str]) -> Salary | None:
    """The posting's annual salary range, or None; see the module docstring."""
    for source in ("baseSalary", "estimatedSalary"):
        v = obj.get(source)
        items = v if isinstance(v, list) else ([] if v is None else [v])
        for item in items:
            got = _one_salary(item, source, warnings)
            if got is not None:
                return got
    return None
