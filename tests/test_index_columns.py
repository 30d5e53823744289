"""FilterColumns predicates against known answers."""
from __future__ import annotations

import numpy as np
import pytest

from index import ColumnRow, JobIndex, haversine_km

NYC, NEWARK, BOSTON = (40.7128, -74.0060), (40.7357, -74.1724), (42.3601, -71.0589)
BERLIN = (52.52, 13.405)


def index_of(rows):
    ix = JobIndex.create("/unsaved", dim=2, model_id="m")
    v = np.tile(np.array([[1.0, 0.0]], np.float32), (len(rows), 1))
    ix.upsert([f"r{i}" for i in range(len(rows))], v, rows)
    return ix


def test_known_distances():
    assert haversine_km(*NYC, *NEWARK) == pytest.approx(14.2, abs=1.0)
    assert haversine_km(*NYC, *BOSTON) == pytest.approx(306, abs=3)


def test_any_point_within_and_min_distance():
    rows = [ColumnRow(points=(NEWARK,)), ColumnRow(points=(BOSTON,)), ColumnRow(points=(BERLIN, BOSTON, NEWARK)),
            ColumnRow(), ColumnRow(points=((40.7128, 179.9),))]
    c = index_of(rows).columns
    assert c.any_point_within(*NYC, 50).tolist() == [True, False, True, False, False]
    assert c.any_point_within(*NYC, 310).tolist() == [True, True, True, False, False]
    assert c.any_point_within(*BERLIN, 1).tolist() == [False, False, True, False, False]
    # across the antimeridian
    assert c.any_point_within(40.7128, -179.9, 30).tolist() == [False, False, False, False, True]
    d = c.min_distance_km(np.array([0, 1, 2, 3]), *NYC)
    assert d[0] == pytest.approx(14.2, abs=1) and d[1] == pytest.approx(306, abs=3)
    assert d[2] == pytest.approx(d[0]) and np.isnan(d[3])
    assert c.has_points().tolist() == [True, True, True, False, True]


def test_brute_force_equivalence_random_points():
    rng = np.random.default_rng(0)
    rows = [ColumnRow(points=tuple((float(rng.uniform(-60, 70)), float(rng.uniform(-180, 180)))
                                   for _ in range(rng.integers(0, 4)))) for _ in range(2000)]
    c = index_of(rows).columns
    for lat, lon, r in [(40, -74, 500), (0, 179, 2000), (65, 10, 800), (-50, -100, 50)]:
        want = [any(haversine_km(lat, lon, a, b) <= r for a, b in row.points) for row in rows]
        assert c.any_point_within(lat, lon, r).tolist() == want


def test_countries_remote_validity_requirements():
    rows = [
        ColumnRow(degree=3, months=24, valid_through=1000.0, countries=("US",)),
        ColumnRow(degree=-1, months=-1, remote=True, applicant_countries=("us", "CA")),
        ColumnRow(degree=4, months=0, remote=True),
        ColumnRow(degree=0, months=120, countries=("DE",), country_only=("DE",)),
    ]
    c = index_of(rows).columns
    assert c.expired(999).tolist() == [False] * 4
    assert c.expired(1001).tolist() == [True, False, False, False]
    assert c.degree.tolist() == [3, -1, 4, 0] and c.months.tolist() == [24, -1, 0, 120]
    assert c.degree_at_most(3).tolist() == [True, True, False, True]
    assert c.months_at_most(23).tolist() == [False, True, True, False]
    assert c.remote.tolist() == [False, True, True, False]
    assert c.applicant_allows("US").tolist() == [True, True, True, True]
    assert c.applicant_allows("DE").tolist() == [True, False, True, True]
    assert c.country_only_in("de").tolist() == [False, False, False, True]
    assert c.country_only_in("US").tolist() == [False] * 4
    assert c.country_in("US").tolist() == [True, False, False, False]
    assert c.country_only_in("FR").tolist() == [False] * 4
    assert c.row(1).applicant_countries == ("CA", "US")


def test_invalid_rows_rejected():
    with pytest.raises(ValueError):
        index_of([ColumnRow(degree=7)])
    with pytest.raises(ValueError):
        index_of([ColumnRow(months=-5)])
