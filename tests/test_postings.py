"""Reading JobPosting JSON-LD: document shapes, field variants, bad input that never stops a batch."""
from __future__ import annotations

import json
import math
from datetime import UTC, datetime

import pytest

from matcher.htmltext import MAX_TEXT_CHARS, clean_description
from matcher.postings import dedup_key, posting_from_jsonld, read_records


def one(job: dict):
    return posting_from_jsonld(job, geocode_missing=False)


def results(text: str):
    return list(read_records(text, "test", geocode_missing=False))


# ---- document shapes ---------------------------------------------------------------------------------
def test_jsonl_with_one_invalid_line_keeps_the_rest(make_job):
    lines = [json.dumps(make_job(title="A")), '{"@type": "JobPosting", "title": "Broken",', json.dumps(make_job(title="B"))]
    res = results("\n".join(lines))
    assert [r.status for r in res] == ["ok", "rejected", "ok"]
    assert res[1].position == "line 2" and "invalid JSON" in res[1].reason
    assert [r.posting.title for r in res if r.ok] == ["A", "B"]


def test_utf8_bom_bytes(make_job):
    data = "\ufeff".encode() + json.dumps(make_job()).encode()
    (r,) = list(read_records(data, "bom.json", geocode_missing=False))
    assert r.ok and r.posting.title == "Senior Data Engineer"


def test_array_graph_and_non_jobposting_skipped(make_job):
    doc = {"@context": "https://schema.org", "@graph": [
        {"@type": "Organization", "name": "CyberCoders"},
        make_job(title="One", **{"@type": ["JobPosting", "Thing"]}),
        make_job(title="Two"),
    ]}
    res = results(json.dumps([doc, make_job(title="Three")]))
    assert [r.status for r in res] == ["skipped", "ok", "ok", "ok"]
    assert res[0].position == "item 0 @graph item 0" and "Organization" in res[0].reason
    assert [r.posting.title for r in res if r.ok] == ["One", "Two", "Three"]


def test_html_page_with_several_script_blocks(make_job):
    page = f"""<!doctype html><html><head><title>Jobs</title>
    <script type="application/ld+json">{json.dumps(make_job(title="First"))}</script>
    <script type="application/ld+json">{{"@type": "BreadcrumbList"}}</script>
    <script type="application/ld+json">{{ not json </script>
    <script type="application/ld+json">{json.dumps([make_job(title="Second"), make_job(title="Third")])}</script>
    </head><body>hi</body></html>"""
    res = results(page)
    assert [r.status for r in res] == ["ok", "skipped", "rejected", "ok", "ok"]
    assert res[2].position == "script 3"
    assert [r.posting.title for r in res if r.ok] == ["First", "Second", "Third"]


def test_missing_title_rejected_with_reason_missing_description_stored_with_warning(make_job):
    """Issue 12: a posting without a description is stored (ranked on what it has) with a warning; only a
    posting that nothing names is refused, and the reason says what is missing."""
    res = results("\n".join(json.dumps(j) for j in [
        make_job(drop=("title",)), make_job(description="   "), make_job(description="<p> </p>"),
        make_job(title=["Data Engineer", "ignored"]), make_job(title=42)]))
    assert [r.status for r in res] == ["rejected", "ok", "ok", "ok", "ok"]
    assert all(w in res[0].reason for w in ("title", "name", "occupationalCategory", "relevantOccupation"))
    for r in res[1:3]:
        assert r.posting.description.startswith("Senior Data Engineer")
        assert any("description" in w for w in r.posting.warnings)
    assert res[3].posting.title == "Data Engineer" and res[4].posting.title == "42"


# ---- degree ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("edu", "level"), [
    ({"@type": "EducationalOccupationalCredential", "credentialCategory": "bachelor degree"}, 3),
    ({"credentialCategory": "Bachelor's"}, 3),
    ({"credentialCategory": "BSc"}, 3),
    ({"credentialCategory": ["bachelor degree", "postgraduate degree"]}, 3),
    ({"credentialCategory": {"@type": "DefinedTerm", "name": "associate degree"}}, 2),
    ("high school", 1),
    ({"credentialCategory": "professional certificate"}, 0),
    ({"credentialCategory": "a willingness to learn"}, None),
])
def test_degree_variants(make_job, edu, level):
    assert one(make_job(educationRequirements=edu)).degree == level


def test_degree_missing_is_no_requirement_and_unknown_warns(make_job):
    assert one(make_job(drop=("educationRequirements",))).degree == 0
    p = one(make_job(educationRequirements={"credentialCategory": "a willingness to learn"}))
    assert p.degree_raw == "a willingness to learn" and any("unknown" in w for w in p.warnings)


# ---- months ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("value", "months", "warns"), [
    (60, 60, False), ("60", 60, False), ("3 years", 36, False), ("3+ years", 36, False),
    ("no requirements", 0, False), ("", 0, True), (None, 0, True),
    (-5, None, True), (1e9, None, True), (math.nan, None, True), (math.inf, None, True), ("lots", None, True),
])
def test_months_of_experience_variants(make_job, value, months, warns):
    p = one(make_job(experienceRequirements={"@type": "OccupationalExperienceRequirements",
                                             "monthsOfExperience": value}))
    assert p.months == months
    assert bool(p.warnings) is warns


def test_months_plain_text_and_missing(make_job):
    assert one(make_job(experienceRequirements="no requirements")).months == 0
    assert one(make_job(experienceRequirements="3-5 years of Python")).months == 36
    assert one(make_job(drop=("experienceRequirements",))).months == 0


def test_nan_from_a_real_json_line_is_unknown(make_job):
    line = json.dumps(make_job()).replace('"monthsOfExperience": 60', '"monthsOfExperience": NaN')
    (r,) = results(line)
    assert r.ok and r.posting.months is None


# ---- location and remote -----------------------------------------------------------------------------
def test_location_list_string_address_and_country_object(make_job):
    p = one(make_job(jobLocation=[
        {"@type": "Place", "address": "Austin, TX, US", "geo": {"latitude": "30.26", "longitude": "-97.74"}},
        {"@type": "Place", "address": {"addressLocality": "Berlin",
                                       "addressCountry": {"@type": "Country", "name": "Germany"}}},
        {"@type": "Place", "address": {"addressLocality": "Nowhere", "addressCountry": "US"},
         "latitude": 123, "longitude": 5},
    ]))
    austin, berlin, nowhere = p.locations
    assert (austin.city, austin.region, austin.country, austin.lat, austin.lon) == ("Austin", "TX", "US", 30.26, -97.74)
    assert berlin.country == "DE" and not berlin.has_point
    assert nowhere.country == "US" and not nowhere.has_point and any("out of range" in w for w in p.warnings)


def test_country_only_posting_drops_the_centroid(make_job):
    loc = {"@type": "Place", "address": {"addressCountry": "US", "addressLocality": "United States",
                                         "addressRegion": None}, "latitude": 39.50355, "longitude": -99.0183}
    p = one(make_job(jobLocation=loc))
    assert p.locations[0].country == "US" and not p.locations[0].has_point and p.locations[0].city is None


def test_remote_with_applicant_countries(make_job):
    p = one(make_job(jobLocationType=["TELECOMMUTE"], applicantLocationRequirements=[
        {"@type": "Country", "name": "United States"}, "Deutschland", {"@type": "Country", "name": "Atlantis"}]))
    assert p.remote and p.applicant_countries == ("US", "DE")
    assert any("Atlantis" in w for w in p.warnings)
    assert one(make_job(jobLocationType="TELECOMMUTE")).applicant_countries == ()


# ---- dates -------------------------------------------------------------------------------------------
def test_dates_are_utc_and_bad_ones_warn(make_job):
    p = one(make_job())
    assert p.valid_through == datetime(2021, 8, 8, 17, 39, 28, tzinfo=UTC)
    p = one(make_job(datePosted="2021-09-01T10:00:00+02:00", validThrough="2021-08-01"))
    assert p.date_posted == datetime(2021, 9, 1, 8, 0, tzinfo=UTC)
    assert p.valid_through == datetime(2021, 8, 1, 23, 59, 59, tzinfo=UTC)
    assert any("before datePosted" in w for w in p.warnings)
    p = one(make_job(validThrough="next month"))
    assert p.valid_through is None and any("validThrough" in w for w in p.warnings)


# ---- description -------------------------------------------------------------------------------------
def test_description_text_keeps_structure(make_job):
    p = one(make_job())
    assert p.description == ("Job Title: Senior Data Engineer\nLocation: Alexandria, VA\n\n"
                             "- Build data pipelines in Python\n- SQL & AWS")
    assert "<li>" in p.description_html


@pytest.mark.parametrize("escape", [lambda s: s, lambda s: s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"),
                                    lambda s: s.replace("<", "&amp;lt;").replace(">", "&amp;gt;")])
def test_scripts_and_javascript_links_never_survive(make_job, escape):
    raw = ('<p>Apply <a href="javascript:alert(1)" onclick="steal()">here</a></p>'
           '<script>alert("x")</script><style>p{}</style><img src=x onerror="alert(2)">'
           '<a href="https://example.com/apply">ok</a>')
    p = one(make_job(description=escape(raw)))
    for bad in ("alert", "javascript:", "onclick", "onerror", "<script", "steal"):
        assert bad not in p.description and bad not in p.description_html
    assert p.description == "Apply here\n\nok"
    assert 'href="https://example.com/apply"' in p.description_html


def test_several_megabyte_description_is_capped_with_a_note(make_job):
    big = "&lt;p&gt;" + ("Python SQL Spark " * 250_000) + "&lt;/p&gt;"  # about 4 MB
    p = one(make_job(description=big))
    assert len(p.description) <= MAX_TEXT_CHARS
    assert any("capped" in w for w in p.warnings)


def test_plain_text_description():
    d = clean_description("AT&amp;T needs   you\r\n\r\n\r\nnow")
    assert d.text == "AT&T needs you\n\nnow"


# ---- ids ---------------------------------------------------------------------------------------------
def test_ids_from_content_identifier_or_url(make_job):
    a, b = one(make_job()), one(make_job())
    assert a.id == b.id and a.id.startswith("jp_") and len(a.id) == 19
    edited = one(make_job(description="Something else entirely"))
    assert edited.id != a.id  # content id: an edit is a new posting
    ident = make_job(identifier={"@type": "PropertyValue", "name": "CyberCoders", "value": "SW3-163417310"})
    x, y = one(ident), one({**ident, "description": "Something else entirely"})
    assert x.id == y.id != a.id  # identifier id: stable across edits
    company_only = one(make_job(identifier="CyberCoders"))
    assert company_only.id == a.id
    u1 = one(make_job(url="https://jobs.example.com/123"))
    u2 = one(make_job(url="https://jobs.example.com/123", title="Renamed"))
    assert u1.id == u2.id


def test_dedup_key_ignores_case_spacing_and_punctuation(make_job):
    a = one(make_job())
    b = one(make_job(title="senior data engineer!", description=make_job()["description"].replace(" ", "  ")))
    assert dedup_key(a) == dedup_key(b)


def test_jsonl_lines_holding_unicode_line_separators(make_job):
    text = "\n".join(json.dumps(make_job(title=t, description="Line\u2028two\x85three"), ensure_ascii=False)
                     for t in ("A", "B"))
    assert [r.posting.title for r in results(text) if r.ok] == ["A", "B"]
