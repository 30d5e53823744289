"""Known answers for each profile field on small synthetic resumes, JSON Resume, encodings, skills."""
from __future__ import annotations

import json
from datetime import date

from matcher.resumes import detect_kind, extract_skills, profile_from_json_resume, profile_from_text
from matcher.resumes.readers import decode_text

AS_OF = date(2021, 1, 1)

RESUME = """Jane Doe
Austin, TX 78701
jane@example.com

Summary
Engineer with 8+ years of experience in Python and SQL.

Experience
Senior Engineer  Jan 2018 to Present
Acme Corp
Engineer  Mar 2015 - Feb 2019
Beta Inc
Intern  Jun 2014 - Aug 2014
Gamma LLC (internship)

Education
Master of Science in Computer Science, expected 2022
Bachelor of Science in Physics, 2014
"""


def test_degree_in_progress_excluded_and_completed_counted():
    p = profile_from_text(RESUME, AS_OF)
    assert p.degree == "bachelor"
    assert "Bachelor" in p.evidence["degree"][0]
    assert p.evidence["degree_in_progress"]


def test_months_overlap_merged_present_is_as_of_intern_excluded():
    p = profile_from_text(RESUME, AS_OF)
    # Mar 2015 .. Jan 2021 (Present) merged = 70 months; the internship does not count
    assert p.months == (2021 * 12 + 1) - (2015 * 12 + 3)
    assert p.evidence["months_basis"] == ["dates"]


def test_stated_total_fallback_and_unknown():
    p = profile_from_text("Summary\nAccountant with 8+ years of experience.\nEducation\nB.Com, 2010", AS_OF)
    assert p.months == 96 and p.evidence["months_basis"] == ["stated"]
    assert p.degree == "bachelor"
    q = profile_from_text("Skills\nPython- Exprience - 24 months\nEducation\nHSC 2012", AS_OF)
    assert q.months is None and q.degree == "high_school"
    r = profile_from_text("Hello, I like cats.", AS_OF)
    assert r.degree is None and r.months is None and r.location is None


def test_month_arithmetic_formats():
    cases = {
        "Experience\nClerk Jan 2013 to Jan 2014": 12,
        "Experience\nClerk 01/2015 to Current": 72,
        "Experience\nClerk 2015 - 2017": 24,
        "Experience\nClerk Mar'18 - Present": 34,
        "Experience\nClerk June 2016 - till date": 55,
        "Experience\nClerk 2021 - 2021": 0,
        "Experience\nClerk Jan 2019 - Jan 2023": 24,  # cut at as_of
    }
    for text, want in cases.items():
        assert profile_from_text(text, AS_OF).months == want, text


def test_education_ranges_not_counted_as_work():
    p = profile_from_text("Experience\nClerk Jan 2019 to Jan 2020\nEducation\nBSc Biology 2010 - 2014", AS_OF)
    assert p.months == 12


def test_location_from_header_and_masked():
    p = profile_from_text(RESUME, AS_OF)
    assert p.location and p.location.city == "Austin" and p.location.region == "TX" and p.location.country == "US"
    assert p.location.has_point
    q = profile_from_text("John Doe\nCity , State\nExperience\nClerk", AS_OF)
    assert q.location is None
    r = profile_from_text("PERSONAL DOSSIER\nPermanent Address: Bandra West, Mumbai 400 050", AS_OF)
    assert r.location and r.location.city == "Mumbai" and r.location.country == "IN"


def test_skills_word_boundaries_and_case():
    s = extract_skills("Python, C++, R and SQL; Java/J2EE; Microsoft Excel. I go home; a word; react quickly")
    assert {"Python", "C++", "R", "SQL", "Java", "Microsoft Excel"} <= set(s)
    assert "Go" not in s and "Microsoft Word" not in s
    assert "Java" in extract_skills("JavaScript and Java") and "JavaScript" in extract_skills("JavaScript and Java")


def test_json_resume():
    obj = {
        "basics": {"name": "A", "location": {"city": "Berlin", "countryCode": "DE", "region": "Berlin"}},
        "work": [{"name": "X", "position": "Dev", "startDate": "2018-01", "endDate": "2019-01"},
                 {"name": "Y", "position": "Dev", "startDate": "2018-06"}],
        "education": [{"studyType": "Master", "area": "CS", "endDate": "2023-06"},
                      {"studyType": "Bachelor", "area": "CS", "endDate": "2017-06-30"}],
        "skills": [{"name": "Web", "keywords": ["Python", "Docker"]}],
    }
    data = json.dumps(obj).encode()
    assert detect_kind(data) == "json"
    p = profile_from_json_resume(obj, AS_OF)
    assert p.degree == "bachelor"
    assert p.months == 36  # 2018-01 .. 2021-01 merged
    assert p.location and p.location.country == "DE" and p.location.has_point
    assert "Python" in p.skills


def test_utf16_and_latin1_text():
    text = "Résumé\nExperience\nCafé manager Jan 2019 to Jan 2020\n"
    for data in (text.encode("utf-16"), text.encode("utf-16-le"), text.encode("cp1252"), text.encode("latin-1")):
        assert detect_kind(data) == "text"
        assert "Café manager" in decode_text(data)
        assert profile_from_text(decode_text(data), AS_OF).months == 12
