"""Issue 12: what job boards really publish. One test (or a few) per class of posting that used to be lost or
read wrong, on examples written here in the style of real boards, aggregators and CMS plugins."""
from __future__ import annotations

import json
from datetime import UTC, datetime

import numpy as np
import pytest

from matcher.postings import read_records


def ok_postings(doc):
    return [r.posting for r in read_records(doc) if r.ok]


def only(doc):
    res = list(read_records(doc))
    assert [r.status for r in res if r.status != "skipped"] == ["ok"], [(r.status, r.reason) for r in res]
    return next(r.posting for r in res if r.ok)


def posting(**fields):
    return {"@context": "https://schema.org/", "@type": "JobPosting", **fields}


# ---- postings without a description --------------------------------------------------------------------
def test_posting_without_description_is_stored_and_ranked_on_what_it_has():
    # aggregator style: no description, the content spread over skills/qualifications/responsibilities
    p = only(json.dumps(posting(
        title="Forklift Operator", datePosted="2024-03-01",
        hiringOrganization={"@type": "Organization", "name": "Northside Logistics"},
        skills=["Forklift certification", "Inventory scanning"],
        qualifications="Valid forklift licence; able to lift 50 lb",
        responsibilities=["Load and unload trucks", "Keep the warehouse tidy"],
        occupationalCategory="53-7051.00 Industrial Truck and Tractor Operators",
        jobLocation={"@type": "Place", "address": {"@type": "PostalAddress", "addressLocality": "Columbus",
                                                    "addressRegion": "OH", "addressCountry": "US"}})))
    assert p.title == "Forklift Operator" and p.company == "Northside Logistics"
    assert p.description.splitlines()[0] == "Forklift Operator"
    for text in ("Forklift certification", "Load and unload trucks", "able to lift 50 lb",
                 "Industrial Truck and Tractor Operators"):
        assert text in p.description
    assert any("no description" in w and "skills" in w for w in p.warnings)
    assert "<script" not in p.description_html and "Load and unload trucks" in p.description_html


def test_posting_with_only_a_title_is_stored_with_a_warning():
    p = only(json.dumps(posting(title="Night Auditor", description="<p>&nbsp;</p>")))
    assert p.description == "Night Auditor"
    assert any("title alone" in w for w in p.warnings)


@pytest.mark.parametrize(("fields", "title", "source"), [
    ({"name": "Line Cook"}, "Line Cook", "name"),
    ({"occupationalCategory": "29-1141.00 Registered Nurses"}, "Registered Nurses", "occupationalCategory"),
    ({"occupationalCategory": {"@type": "CategoryCode", "codeValue": "2512", "name": "Software developers"}},
     "Software developers", "occupationalCategory"),
    ({"relevantOccupation": {"@type": "Occupation", "name": "Welder"}}, "Welder", "relevantOccupation"),
])
def test_title_falls_back_to_what_names_the_job(fields, title, source):
    p = only(json.dumps(posting(description="Join our team.", **fields)))
    assert p.title == title
    assert any(source in w for w in p.warnings)


def test_posting_nothing_names_is_refused_with_what_is_missing():
    res = list(read_records(json.dumps(posting(description="Great place to work",
                                               occupationalCategory="15-1252.00"))))
    assert [r.status for r in res] == ["rejected"]
    for name in ("title", "name", "occupationalCategory", "relevantOccupation"):
        assert name in res[0].reason


# ---- JSON-LD browsers accept and json.loads does not ------------------------------------------------------
def page(*blocks: str) -> str:
    scripts = "\n".join(f'<script type="application/ld+json">{b}</script>' for b in blocks)
    return f"<!DOCTYPE html><html><head><title>Careers</title>{scripts}</head><body><h1>Jobs</h1></body></html>"


def test_raw_newlines_and_tabs_inside_strings():
    block = '{"@context": "https://schema.org", "@type": "JobPosting", "title": "Dental\tAssistant",\n' \
            '"description": "<p>Assist the dentist.\nSterilise instruments.</p>", "datePosted": "2024-02-01"}'
    p = only(page(block))
    assert p.title == "Dental Assistant"
    assert "Sterilise instruments." in p.description
    assert any("read leniently" in w and "line breaks" in w for w in p.warnings)


def test_trailing_commas_comments_and_bom_inside_the_script_tag():
    block = ('\ufeff<!--\n{"@context": "https://schema.org", "@type": "JobPosting", "title": "Plumber",'
             ' "description": "Fix pipes.", "employmentType": ["FULL_TIME", ],\n'
             ' "jobLocation": {"@type": "Place", "address": {"addressLocality": "Leeds", "addressCountry": "GB",},},}\n//-->')
    p = only(page(block))
    assert p.title == "Plumber" and p.employment_types == ("FULL_TIME",)
    assert p.locations[0].country == "GB"
    warning = next(w for w in p.warnings if "read leniently" in w)
    for what in ("byte-order mark", "HTML comment", "trailing commas"):
        assert what in warning


def test_lenient_reading_never_guesses_structure():
    broken = '{"@type": "JobPosting", "title": "Chef", "description": "Cook" "hiringOrganization": "X"}'
    unquoted = "{'@type': 'JobPosting', title: 'Chef', description: 'Cook'}"
    for block in (broken, unquoted):
        res = list(read_records(page(block)))
        assert [r.status for r in res] == ["rejected"] and "invalid JSON" in res[0].reason


def test_strict_json_gets_no_leniency_warning(make_job):
    p = only(page(json.dumps(make_job())))
    assert not any("leniently" in w for w in p.warnings)


# ---- @id references -----------------------------------------------------------------------------------
def test_id_references_resolve_within_the_graph():
    doc = {"@context": "https://schema.org", "@graph": [
        {"@type": "Organization", "@id": "https://acme.example/#org", "name": "Acme Robotics",
         "sameAs": "https://acme.example"},
        {"@type": "Place", "@id": "https://acme.example/#hq",
         "address": {"@type": "PostalAddress", "addressLocality": "Pittsburgh", "addressRegion": "PA",
                     "addressCountry": "US"}},
        {"@type": "JobPosting", "@id": "https://acme.example/jobs/42#job", "title": "Robotics Technician",
         "description": "Build robots.", "hiringOrganization": {"@id": "https://acme.example/#org"},
         "jobLocation": {"@id": "https://acme.example/#hq"}},
    ]}
    res = list(read_records(json.dumps(doc)))
    assert [r.status for r in res] == ["skipped", "skipped", "ok"]
    p = res[2].posting
    assert p.company == "Acme Robotics"
    assert p.locations[0].city == "Pittsburgh" and p.locations[0].country == "US"
    assert json.loads(res[2].jsonld)["hiringOrganization"]["name"] == "Acme Robotics"  # stored resolved


def test_id_references_resolve_across_blocks_of_one_page():
    org = {"@context": "https://schema.org", "@type": "Organization", "@id": "#employer", "name": "Harbor Clinic"}
    job = posting(title="Receptionist", description="Greet patients.", hiringOrganization={"@id": "#employer"})
    assert only(page(json.dumps(org), json.dumps(job))).company == "Harbor Clinic"


def test_unresolvable_reference_leaves_the_company_unknown():
    p = only(json.dumps(posting(title="Cashier", description="Ring up sales.",
                                hiringOrganization={"@id": "https://elsewhere.example/#org"})))
    assert p.company is None


# ---- JobPostings nested anywhere ----------------------------------------------------------------------
def test_item_list_of_postings():
    doc = {"@context": "https://schema.org", "@type": "ItemList", "itemListElement": [
        {"@type": "ListItem", "position": i + 1,
         "item": posting(title=t, description=f"{t} wanted.")} for i, t in enumerate(["Baker", "Butcher", "Florist"])]}
    res = list(read_records(json.dumps(doc)))
    assert [r.posting.title for r in res if r.ok] == ["Baker", "Butcher", "Florist"]
    assert all("itemListElement" in r.position for r in res)


def test_main_entity_of_a_web_page_and_nested_graph():
    webpage = {"@context": "https://schema.org", "@type": "WebPage", "name": "Careers at Pine Co",
               "mainEntity": posting(title="Forester", description="Plant trees.")}
    nested = {"@context": "https://schema.org", "@graph": [
        {"@type": "WebSite", "name": "Pine Co"},
        {"@graph": [posting(title="Sawyer", description="Cut logs.")]}]}
    assert [p.title for p in ok_postings(json.dumps(webpage))] == ["Forester"]
    assert [p.title for p in ok_postings(json.dumps(nested))] == ["Sawyer"]


def test_page_whose_first_blocks_are_organization_and_website_and_one_block_is_an_array():
    blocks = [json.dumps({"@context": "https://schema.org", "@type": "Organization", "name": "Lake Hotel"}),
              json.dumps({"@context": "https://schema.org", "@type": "WebSite", "url": "https://lake.example"}),
              json.dumps([posting(title="Housekeeper", description="Clean rooms."),
                          posting(title="Concierge", description="Help guests.")])]
    res = list(read_records(page(*blocks)))
    assert [r.status for r in res] == ["skipped", "skipped", "ok", "ok"]
    assert [r.posting.title for r in res if r.ok] == ["Housekeeper", "Concierge"]


# ---- free-text requirements ---------------------------------------------------------------------------
@pytest.mark.parametrize(("exp", "months"), [
    ("No experience required", 0),
    ("No prior experience necessary - full training provided", 0),
    ({"@type": "OccupationalExperienceRequirements", "description": "Entry level; we train you"}, 0),
    ("Experience is not required", 0),
    ("3+ years in retail", 36),
    ("Minimum 18 months in a warehouse", 18),
    ("Experience with Excel", None),  # names no duration: unknown, never 0
])
def test_experience_in_words(exp, months):
    assert only(json.dumps(posting(title="T", description="d", experienceRequirements=exp))).months == months


@pytest.mark.parametrize(("edu", "level"), [
    ("High school diploma or GED", 1),
    ({"@type": "EducationalOccupationalCredential", "description": "High School Diploma"}, 1),
    ("Bachelor's degree in Computer Science or a related field", 3),
    ({"@type": "EducationalOccupationalCredential", "name": "BS/MS in Statistics"}, 3),
    ("No degree required", 0),
    ("No formal education required", 0),
    ("Master's degree preferred", 0),
    ("Master's degree required", 4),
    ("Diploma", None),  # a diploma of what? unknown (passes the rule, reported unknown)
])
def test_degree_named_only_in_text(edu, level):
    assert only(json.dumps(posting(title="T", description="d", educationRequirements=edu))).degree == level


# ---- locations ------------------------------------------------------------------------------------------
def where(address):
    p = only(json.dumps(posting(title="T", description="d", jobLocation={"@type": "Place", "address": address})))
    return [(pl.city, pl.country) for pl in p.locations], p.warnings


@pytest.mark.parametrize(("address", "expected"), [
    ("Москва", [("Москва", None)]),              # Cyrillic: never looked up, never China
    ("Москва, Россия", [("Москва", None)]),
    ("東京都渋谷区", [("東京都渋谷区", None)]),
    ("London", [("London", None)]),               # England or Ontario: unsure -> unknown
    ("Berlin, DE", [("Berlin", "DE")]),           # DE the country, not Delaware
    ("Chicago, IL", [("Chicago", "US")]),         # IL the state, not Israel
    ("Toronto, Ontario", [("Toronto", "CA")]),
    ("Paris, France", [("Paris", "FR")]),
    ("Remote", []),
])
def test_bare_string_addresses_are_read_conservatively(address, expected):
    got, warnings = where(address)
    assert got == expected
    if expected and expected[0][1] is None:
        assert any("country left unknown" in w for w in warnings)


def test_postal_address_with_cyrillic_locality_keeps_the_stated_country():
    got, _ = where({"@type": "PostalAddress", "addressLocality": "Новосибирск", "addressCountry": "RU"})
    assert got == [("Новосибирск", "RU")]


def test_hybrid_posting_is_remote_with_an_office():
    p = only(json.dumps(posting(
        title="Product Designer", description="Two days a week in the studio.", jobLocationType="TELECOMMUTE",
        applicantLocationRequirements={"@type": "Country", "name": "Germany"},
        jobLocation={"@type": "Place", "address": {"@type": "PostalAddress", "addressLocality": "Hamburg",
                                                    "addressCountry": "DE"}})))
    assert p.remote and p.hybrid and p.applicant_countries == ("DE",)
    assert p.locations[0].country == "DE" and p.locations[0].has_point
    assert "Hybrid (DE)" in p.location_text()


@pytest.mark.parametrize(("req", "countries"), [
    ({"@type": "State", "name": "California"}, ("US",)),
    ({"@type": "State", "name": "Ontario"}, ("CA",)),
    ({"@type": "AdministrativeArea", "name": "Texas"}, ("US",)),
    ([{"@type": "Country", "name": "USA"}, {"@type": "State", "name": "Alberta"}], ("US", "CA")),
    ({"@type": "Country", "name": ""}, ()),
    ({"@type": "Country"}, ()),
])
def test_applicant_location_as_state_or_with_empty_name(req, countries):
    p = only(json.dumps(posting(title="Support Agent", description="Answer tickets.", jobLocationType="TELECOMMUTE",
                                applicantLocationRequirements=req)))
    assert p.remote and p.applicant_countries == countries
    if not countries:
        assert any("applicant location" in w for w in p.warnings)


# ---- new fields -----------------------------------------------------------------------------------------
def test_employment_type_string_list_and_spellings():
    def types(v):
        return only(json.dumps(posting(title="T", description="d", employmentType=v))).employment_types
    assert types("FULL_TIME") == ("FULL_TIME",)
    assert types(["Full-time", "contract"]) == ("FULL_TIME", "CONTRACTOR")
    assert types("PART_TIME, TEMPORARY") == ("PART_TIME", "TEMPORARY")
    assert types("Internship") == ("INTERN",)
    assert types("Permanent") == ()  # not a schema.org value: kept for display only


@pytest.mark.parametrize(("fields", "expected"), [
    ({"baseSalary": {"@type": "MonetaryAmount", "currency": "USD", "value": {
        "@type": "QuantitativeValue", "minValue": 18, "maxValue": 22.5, "unitText": "HOUR"}}},
     ("USD", 37_440, 46_800, "HOUR")),
    ({"baseSalary": {"@type": "MonetaryAmount", "currency": "EUR", "value": {
        "@type": "QuantitativeValue", "value": 4000, "unitText": "MONTH"}}}, ("EUR", 48_000, 48_000, "MONTH")),
    ({"baseSalary": {"@type": "MonetaryAmount", "currency": "GBP", "value": {
        "@type": "QuantitativeValue", "value": "450", "unitText": "WEEK"}}}, ("GBP", 23_400, 23_400, "WEEK")),
    ({"baseSalary": {"@type": "MonetaryAmount", "currency": "USD", "value": {
        "@type": "QuantitativeValue", "minValue": 200, "maxValue": 250, "unitText": "DAY"}}}, ("USD", 52_000, 65_000, "DAY")),
    ({"baseSalary": {"@type": "MonetaryAmount", "currency": "usd", "value": "85,000", "unitText": "YEAR"}},
     ("USD", 85_000, 85_000, "YEAR")),
    ({"estimatedSalary": [{"@type": "MonetaryAmountDistribution", "currency": "CAD", "duration": "P1Y",
                           "percentile10": 50000, "percentile90": 70000, "unitText": "YEAR"}]},
     ("CAD", 50_000, 70_000, "YEAR")),
])
def test_salary_is_annualised(fields, expected):
    s = only(json.dumps(posting(title="T", description="d", **fields))).salary
    assert (s.currency, s.min, s.max, s.unit) == expected


def test_salary_without_a_unit_is_unknown_never_guessed():
    p = only(json.dumps(posting(title="T", description="d", baseSalary={
        "@type": "MonetaryAmount", "currency": "USD", "value": {"@type": "QuantitativeValue", "value": 25}})))
    assert p.salary is None and any("unit is never guessed" in w for w in p.warnings)


def test_base_salary_wins_over_estimated_and_other_fields_are_kept():
    p = only(json.dumps(posting(
        title="Electrician", description="Wire houses.", datePosted="2024-05-02", industry="Construction",
        occupationalCategory="47-2111.00 Electricians",
        baseSalary={"@type": "MonetaryAmount", "currency": "USD",
                    "value": {"@type": "QuantitativeValue", "value": 30, "unitText": "HOUR"}},
        estimatedSalary={"@type": "MonetaryAmount", "currency": "USD",
                         "value": {"@type": "QuantitativeValue", "value": 99, "unitText": "HOUR"}})))
    assert p.salary.max == 62_400 and p.salary.source == "baseSalary"
    assert p.industry == "Construction" and p.occupational_category == "Electricians"
    assert p.date_posted == datetime(2024, 5, 2, tzinfo=UTC)


# ---- the new filters, on index columns, with unknowns counted ------------------------------------------
def _columns(postings):
    from index.columns import CountryVocab, FilterColumns, rows_to_arrays
    from matcher.posting_index import posting_row

    vocab = CountryVocab()
    arrays = rows_to_arrays([posting_row(p) for p in postings], vocab)
    return FilterColumns(arrays, np.ones(len(postings), bool), vocab.snapshot())


def test_more_filters_pass_unknowns_and_count_them():
    from matcher.domain import MatchOptions
    from matcher.filters import CandidateFacts, apply_filters
    from tests import oracle

    def sal(cur, lo, hi, unit="YEAR"):
        return {"@type": "MonetaryAmount", "currency": cur,
                "value": {"@type": "QuantitativeValue", "minValue": lo, "maxValue": hi, "unitText": unit}}

    docs = [
        posting(title="a", description="d", employmentType="FULL_TIME", baseSalary=sal("USD", 90000, 120000),
                datePosted="2024-05-30"),
        posting(title="b", description="d", employmentType="PART_TIME", baseSalary=sal("USD", 20, 25, "HOUR"),
                datePosted="2024-04-01"),
        posting(title="c", description="d", baseSalary=sal("EUR", 90000, 95000)),  # other currency: unknown
        posting(title="d", description="d", employmentType=["CONTRACTOR", "FULL_TIME"], datePosted="2024-05-25",
                baseSalary={"@type": "MonetaryAmount", "currency": "USD",
                            "value": {"@type": "QuantitativeValue", "minValue": 70000, "unitText": "YEAR"}}),
    ]
    postings = [only(json.dumps(d)) for d in docs]
    cols = _columns(postings)
    as_of = datetime(2024, 6, 1, tzinfo=UTC)
    facts = CandidateFacts(None, None, None, None, None, 50.0)
    opts = MatchOptions(employment_types=["FULL_TIME"], min_salary=100_000, salary_currency="USD",
                        posted_within_days=14)
    mask, report = apply_filters(cols, facts, opts, as_of)
    rules = {r.rule: r for r in report.rules}
    # a: passes all; b: not full-time; c: no type (unknown), EUR (unknown), no date (unknown); d: open-ended range
    assert mask.tolist() == [True, False, True, True]
    assert (rules["employment_type"].removed, rules["employment_type"].unknown) == (1, 1)
    assert (rules["salary"].removed, rules["salary"].unknown) == (0, 1)
    assert (rules["freshness"].removed, rules["freshness"].unknown) == (0, 1)
    expected = [oracle.passes(p, as_of=as_of, degree=None, months=None, lat=None, lon=None, country=None,
                              employment_types=opts.employment_types, min_salary=opts.min_salary,
                              salary_currency=opts.salary_currency, posted_within_days=opts.posted_within_days)
                for p in postings]
    assert mask.tolist() == expected


def test_hybrid_posting_passes_by_applicant_country_or_by_its_office():
    from matcher.domain import MatchOptions
    from matcher.filters import CandidateFacts, apply_filters

    hybrid = only(json.dumps(posting(
        title="Analyst", description="d", jobLocationType="TELECOMMUTE",
        applicantLocationRequirements={"@type": "Country", "name": "US"},
        jobLocation={"@type": "Place", "address": {"addressLocality": "Toronto", "addressCountry": "CA"},
                     "latitude": 43.65, "longitude": -79.38})))
    remote_us = only(json.dumps(posting(title="Analyst 2", description="d", jobLocationType="TELECOMMUTE",
                                        applicantLocationRequirements="US")))
    cols = _columns([hybrid, remote_us])
    as_of = datetime(2024, 6, 1, tzinfo=UTC)
    near_office = CandidateFacts(None, None, 43.7, -79.4, "CA", 50.0)
    in_us = CandidateFacts(None, None, 40.7, -74.0, "US", 50.0)
    assert apply_filters(cols, near_office, MatchOptions(), as_of)[0].tolist() == [True, False]
    assert apply_filters(cols, in_us, MatchOptions(), as_of)[0].tolist() == [True, True]


def test_option_surfaces_read_the_same_values():
    from matcher.errors import InvalidRequest
    from matcher.options import build_options

    o = build_options({"employment_types": "full-time, Contractor", "min_salary": "50000", "salary_currency": "eur",
                       "posted_within_days": "30"})
    assert o.employment_types == ["FULL_TIME", "CONTRACTOR"] and o.salary_currency == "EUR"
    assert (o.min_salary, o.posted_within_days) == (50_000, 30)
    with pytest.raises(InvalidRequest, match="salary_currency"):
        build_options({"min_salary": 50_000})
    with pytest.raises(InvalidRequest, match="employment_types"):
        build_options({"employment_types": ["SOMETIMES"]})


def test_every_match_option_is_a_cli_flag_a_form_field_and_a_batch_key():
    import argparse

    from api.cmd_match import add_match_options
    from matcher.batch import OPTION_KEYS
    from matcher.domain import MatchOptions

    p = argparse.ArgumentParser()
    add_match_options(p)
    flags = {a.dest for a in p._actions}
    assert set(MatchOptions.model_fields) <= flags
    assert set(MatchOptions.model_fields) <= OPTION_KEYS
    from api.schemas import MatchForm  # the upload form's fields, generated from MatchOptions (issue 17)

    for name in ("employment_types", "min_salary", "salary_currency", "posted_within_days", "months_slack"):
        assert name in MatchForm.model_fields


# ---- index format ---------------------------------------------------------------------------------------
def test_an_index_written_before_the_new_columns_loads_them_as_unknown(tmp_path):
    from index import JobIndex
    from index.columns import ColumnRow

    ix = JobIndex.create(tmp_path / "ix", dim=4, model_id="m")
    v = np.eye(4, dtype=np.float32)[:2]
    ix.upsert(["a", "b"], v, [ColumnRow(degree=1, employment=1, salary_max=5.0, salary_currency="USD",
                                        date_posted=1e9), ColumnRow(degree=2)])
    ix.save()
    # turn it into a format-1 index: no new column files, version 1 in the manifest
    man_path = tmp_path / "ix" / "manifest.json"
    man = json.loads(man_path.read_text())
    gen = tmp_path / "ix" / man["generation_dir"]
    for c in ("hybrid", "etype", "sal_max", "sal_cur", "posted"):
        (gen / f"col_{c}.npy").unlink()
        del man["files"][f"col_{c}.npy"]
    man["format_version"] = 1
    man_path.write_text(json.dumps(man))
    old = JobIndex.open(tmp_path / "ix", model_id="m", dim=4)
    assert set(old.missing_columns) == {"hybrid", "etype", "sal_max", "sal_cur", "posted"}
    row = old.columns.row(0)
    assert row.degree == 1 and row.employment == 0 and row.salary_max is None and row.date_posted is None
    # a newer format than this code understands is refused with what to do
    man["format_version"] = 99
    man_path.write_text(json.dumps(man))
    from matcher.errors import IndexCorrupt

    with pytest.raises(IndexCorrupt, match="reindex"):
        JobIndex.open(tmp_path / "ix", model_id="m", dim=4)


@pytest.mark.slow
def test_service_refills_the_new_columns_of_a_format_1_index_from_the_store(service_copy):
    """An index saved before the new filter columns existed is upgraded on open, without re-embedding."""
    from matcher.posting_index import posting_row
    from matcher.service import MatchService

    svc = service_copy
    root = svc.settings.index_path.resolve()
    man = json.loads((root / "manifest.json").read_text())
    gen = root / man["generation_dir"]
    for c in ("hybrid", "etype", "sal_max", "sal_cur", "posted"):
        (gen / f"col_{c}.npy").unlink()
        del man["files"][f"col_{c}.npy"]
    man["format_version"] = 1
    (root / "manifest.json").write_text(json.dumps(man))
    before = {k: svc.index.vector_of(k) for k in svc.index.key_of(range(3))}
    with MatchService(svc.settings, embedder=svc.embedder, create_index=False) as upgraded:
        ix = upgraded.index
        assert ix.missing_columns == [] and len(ix) == len(svc.index)
        for p in list(upgraded.store.iter_postings())[:50]:
            assert ix.columns.row(ix.row_of(p.id)) == posting_row(p)
        for k, v in before.items():
            assert np.array_equal(ix.vector_of(k), v)  # vectors kept, not re-embedded
    from index.persist import FORMAT_VERSION  # saved in the current format (3 since incremental saves)

    assert json.loads((svc.settings.index_path.resolve() / "manifest.json").read_text())["format_version"] == FORMAT_VERSION
