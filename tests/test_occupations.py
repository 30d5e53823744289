"""matcher.occupations: titles -> O*NET-SOC occupations (the shipped table), resume titles, agreement."""
import pytest

from matcher.occupations import (
    Occupation,
    agreement,
    classify_title,
    occupation_title,
    resume_occupation,
    resume_titles,
    title_key,
)


def test_title_key_drops_seniority_and_contract_words():
    assert title_key("Sr. Site Reliability Engineer II (Remote) - Full-time") == "site reliability engineer"
    assert title_key("R&D Engineer") == "r and d engineer"


@pytest.mark.parametrize("title, code", [
    ("Site Reliability Engineer - Recommendation Infrastructure, TikTok-US-Tech Services", "15-1252.00"),
    ("Senior Data Scientist - Search and NLP", "15-2051.00"),
    ("Software Engineer II", "15-1252.00"),
    ("Web Developer", "15-1254.00"),
    ("Registered Nurse", "29-1141.00"),
    ("Accountant", "13-2011.00"),
])
def test_known_titles(title, code):
    occ = classify_title(title)
    assert occ is not None and occ.code == code
    assert abs(sum(p for _, p in occ.codes) - 1.0) < 1e-9


def test_unknown_titles_and_names():
    assert classify_title("Zephyrine Qubit Wrangler") is None
    assert classify_title("") is None and classify_title(None) is None
    assert occupation_title("15-1252.00") == "Software Developers"


def test_resume_titles_come_from_dated_experience_entries_not_the_headline():
    text = ("NURSE\nSummary\nCaring person.\nExperience\nCompany Name City , State Web Developer 01/2015 to Current\n"
            "Built web pages.\nAccountant Jun 2010 to Nov 2014\nCompany Name - City , State\nKept the books.\n")
    titles = resume_titles(text)
    assert [o.code for _, o in titles] == ["15-1254.00", "13-2011.00"]
    occ = resume_occupation(text)
    assert occ.code == "15-1254.00" and "web developer" in occ.matched
    assert resume_occupation("NURSE\nno sections here") is None


def test_agreement():
    a = Occupation((("15-1252.00", 0.5), ("17-2112.02", 0.5)), "a")
    b = Occupation((("15-1252.00", 1.0),), "b")
    c = Occupation((("15-1254.00", 1.0),), "c")  # same minor group 15-12
    d = Occupation((("29-1141.00", 1.0),), "d")
    assert agreement(a, b) == 0.5 and agreement(b, b) == 1.0
    assert agreement(b, c) == 0.5 and agreement(b, d) == 0.0
    assert agreement(None, b) is None


def test_stats_facet_by_occupation(sample_service):
    from matcher.stats import compute_stats

    st = compute_stats(sample_service.store)
    assert sum(st.by_occupation.values()) == st.total
    assert "15-1252 Software Developers" in st.by_occupation
    assert len([k for k in st.by_occupation if k not in ("other", "unknown")]) <= 20
