"""Issue 11, round 5: second readings of a resume (matcher/resumes/consistency.py). When the hand rules and a second,
independent reading of the same dates or contact lines disagree, the field is unknown with both readings in the
reason; when they agree nothing changes. Synthetic texts only (none copied from a real resume)."""
from __future__ import annotations

from datetime import date

from matcher.resumes.consistency import canonical_dates, split_contact_labels
from matcher.resumes.profile import profile_from_text

AS_OF = date(2021, 1, 1)


def test_canonical_dates_rewrites_each_range_in_one_form() -> None:
    assert canonical_dates("Developer 09/2015 - present") == "Developer Sep 2015 - Present"
    assert canonical_dates("Analyst, September, 2012 to March 2014.") == "Analyst, Sep 2012 - Mar 2014."
    assert canonical_dates("Clerk 2008 – 2011 | Acme") == "Clerk 2008 - 2011 | Acme"
    assert canonical_dates("Teacher 1 /2017 to Current") == "Teacher Jan 2017 - Present"
    assert canonical_dates("Sept. 2014 - Mar. 2015 and 01.2016-12.2018") == "Sep 2014 - Mar 2015 and Jan 2016 - Dec 2018"


def test_canonical_dates_leaves_text_without_ranges_alone() -> None:
    text = "Skills: Python, SQL Server 2012\nPhone 050-1234567"
    assert canonical_dates(text) == text


def test_split_contact_labels_top_only() -> None:
    head = "Dana Levi\nResidence:Holon Phone:050-1234567 Languages: Hebrew\nEmail: d@mail.comCity: Ashdod"
    assert split_contact_labels(head) == ("Dana Levi\nResidence:Holon\nPhone:050-1234567\nLanguages: Hebrew\n"
                                          "Email: d@mail.com\nCity: Ashdod")
    body = "\n".join(f"line {i}" for i in range(20)) + "\nNotes Phone: 1"
    assert split_contact_labels(body) is body  # below the contact lines: not touched


def test_months_unknown_when_the_two_date_readings_disagree() -> None:
    # the latest job's start is garbled ("0- 1 /2017"): the hand rules drop the job (5 months), the second
    # reading reads "1 /2017 to Current" (48 more): which one is right cannot be told from the text
    text = ("Jane Roe\nExperience\nSales Representative 0- 1 /2017 to Current\nServer 12/2015 to 05/2016\n"
            "Education\nHigh School Diploma 2012")
    p = profile_from_text(text, AS_OF)
    assert p.months is None
    assert "two readings of the dates disagree: 5 months as written, 53 months" in p.unknown["months"]
    assert p.confidence["months"] == 0.5


def test_months_kept_when_the_readings_agree() -> None:
    text = ("Jane Roe\nExperience\nSales Representative January 2017 to Current\nServer Dec. 2015 - May 2016\n"
            "Education\nHigh School Diploma 2012")
    p = profile_from_text(text, AS_OF)
    assert p.months == 48 + 5
    assert "months" not in p.unknown


def test_location_unknown_when_the_two_contact_readings_disagree() -> None:
    # "...1990City: Ashdod": the label runs into the value before it; read as written the line gives Haifa (the
    # first word), read with each label on its own line it gives Ashdod
    text = "Dana Levi\nHaifa Date of birth:1990City:Ashdod\nExperience\nDeveloper 2015-2018"
    p = profile_from_text(text, date(2023, 1, 1))
    assert p.location is None
    assert "two readings of the contact lines disagree: 'Haifa, IL' as written" in p.unknown["location"]
    assert "'Ashdod, IL' with each label on a line of its own" in p.unknown["location"]


def test_a_web_address_on_a_contact_line_names_no_place() -> None:
    # round 6: "linkedin.com/in/dana" split at "/" gave "in", read as the state code of Indiana (country US), so
    # the city beside it was looked for in the US; web and e-mail addresses are no longer read for places
    for line in ("LinkedIn: linkedin.com/in/danaCity: Ashdod",
                 "Ashdod | 054-555-0193 | dana@example.com | linkedin.com/in/dana",
                 "Ashdod • 050-555-0170 • dana@example.com • www.example.com/in/dana"):
        p = profile_from_text(f"Dana Levi\n{line}\nExperience\nDeveloper 2015-2018", date(2023, 1, 1))
        assert p.location is not None and (p.location.city, p.location.country) == ("Ashdod", "IL"), line


def test_location_kept_when_the_readings_agree() -> None:
    text = "Dana Levi\nResidence:Modiin Email:dana@mail.com Date of birth:1990\nExperience\nDeveloper 2015-2018"
    p = profile_from_text(text, date(2023, 1, 1))
    assert p.location is not None and p.location.city == "Modiin" and p.location.country == "IL"
    assert "location" not in p.unknown


def test_second_readings_skipped_below_the_threshold() -> None:
    # a value already below the threshold is unknown for its own reason; the second reading does not replace it
    text = "Jane Roe\nDeveloper 12/2015 to 05/2016 and 0- 1 /2017 to Current"
    low = profile_from_text(text, AS_OF, min_confidence=0.99)
    assert low.months is None and "two readings" not in low.unknown["months"]
