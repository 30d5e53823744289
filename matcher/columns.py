"""Turn a :class:`~matcher.domain.Posting` into the index's filter columns (one ``ColumnRow``)."""
from __future__ import annotations

from index.columns import ColumnRow

from .domain import EMPLOYMENT_TYPES, Posting


def employment_bits(types) -> int:
    """Bitmask of employment types (bit i = ``EMPLOYMENT_TYPES[i]``); 0 for none."""
    out = 0
    for t in types:
        if t in EMPLOYMENT_TYPES:
            out |= 1 << EMPLOYMENT_TYPES.index(t)
    return out


def posting_row(p: Posting) -> ColumnRow:
    points: list[tuple[float, float]] = []
    countries: list[str] = []
    country_only: list[str] = []
    for place in p.locations:
        if place.country:
            countries.append(place.country)
        if place.has_point:
            points.append((float(place.lat), float(place.lon)))  # type: ignore[arg-type]
        elif place.country and not place.city:
            country_only.append(place.country)
    return ColumnRow(
        degree=-1 if p.degree is None else int(p.degree),
        months=-1 if p.months is None else int(p.months),
        valid_through=p.valid_through.timestamp() if p.valid_through else None,
        remote=bool(p.remote),
        points=tuple(points),
        countries=tuple(dict.fromkeys(countries)),
        country_only=tuple(dict.fromkeys(country_only)),
        applicant_countries=tuple(dict.fromkeys(p.applicant_countries)),
        hybrid=bool(p.hybrid),
        employment=employment_bits(p.employment_types),
        salary_max=_salary_top(p),
        salary_currency=p.salary.currency if p.salary else None,
        date_posted=p.date_posted.timestamp() if p.date_posted else None,
    )


def _salary_top(p: Posting) -> float | None:
    """Top of the annual range; a range stating only a minimum ("from 50,000") is open-ended (inf)."""
    if p.salary is None:
        return None
    return p.salary.max if p.salary.max is not None else float("inf")
