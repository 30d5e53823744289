"""Turn a :class:`~matcher.domain.Posting` into the index's filter columns (one ``ColumnRow``)."""
from __future__ import annotations

from index.columns import ColumnRow

from .domain import Posting


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
    )
