"""Synthetic Word CVs in the layouts Israeli CVs use (issue 11, round 3): tables, two-column tables, text boxes,
headers/footers, labels run into the next label, Israeli date and degree forms, army service, degrees in progress.

Each CV is built with python-docx and read through the real reader (:func:`read_docx`) and profile; the expected
values follow the label definitions (benchmarks/labels/README.md). Where a CV does not say enough, the field must be
*unknown with a reason*, never a guess. No CV here was copied from a real resume.
"""
from __future__ import annotations

import io
from datetime import date

import pytest

from matcher.geo import find_city, haversine_km
from matcher.resumes.profile import profile_from_text
from matcher.resumes.readers import read_docx

AS_OF = date(2023, 1, 1)
_W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _near(place, city: str, km: float = 15.0) -> bool:
    hit = find_city(city, country="IL")
    return place is not None and place.has_point and haversine_km(place.lat, place.lon, hit.lat, hit.lon) <= km


def _textbox(paragraph, lines: list[str]) -> None:
    """A DrawingML text box anchored in ``paragraph`` (with the VML fallback Word writes beside it)."""
    from docx.oxml import parse_xml

    ps = "".join(f"<w:p><w:r><w:t xml:space=\"preserve\">{ln}</w:t></w:r></w:p>" for ln in lines)
    paragraph._p.append(parse_xml(
        f'<w:r {_W_NS} xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
        'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
        'xmlns:v="urn:schemas-microsoft-com:vml"><mc:AlternateContent><mc:Choice Requires="wps">'
        f'<wps:txbx><w:txbxContent>{ps}</w:txbxContent></wps:txbx></mc:Choice><mc:Fallback><v:textbox>'
        f'<w:txbxContent>{ps}</w:txbxContent></v:textbox></mc:Fallback></mc:AlternateContent></w:r>'))


def _save(d) -> bytes:  # type: ignore[no-untyped-def]
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _doc(*paragraphs: str) -> bytes:
    """A Word file of plain paragraphs, in order."""
    import docx

    d = docx.Document()
    for text in paragraphs:
        d.add_paragraph(text)
    return _save(d)


def _profile(data: bytes):  # type: ignore[no-untyped-def]
    return profile_from_text(read_docx(data).text, AS_OF)


def _cell_lines(cell, lines: list[str]) -> None:  # type: ignore[no-untyped-def]
    cell.text = lines[0]
    for ln in lines[1:]:
        cell.add_paragraph(ln)


# ---- layouts -----------------------------------------------------------------------------------
def two_column_table() -> bytes:
    """One table row: a contact/skills sidebar on the left, the CV on the right."""
    import docx

    d = docx.Document()
    t = d.add_table(rows=1, cols=2)
    _cell_lines(t.cell(0, 0), ["Dana Levi", "Residence:Petah Tikva", "054-1234567", "dana.levi@example.com",
                               "Languages: Hebrew, English", "Skills", "Python, SQL, Docker"])
    _cell_lines(t.cell(0, 1), ["Professional Experience", "09/2015 - present", "Backend developer, Acme Ltd.",
                               "Built payment services.", "2012 - 2015", "QA engineer, Beta Systems",
                               "Military Service", "2008 - 2011 IDF, Intelligence Corps", "Education",
                               "2004 - 2008 B.Sc. Computer Science, Tel Aviv University"])
    return _save(d)


def header_footer_contact() -> bytes:
    """Contact details in the page header, a label run into the next words, experience as a dated table."""
    import docx

    d = docx.Document()
    d.sections[0].header.paragraphs[0].text = "Yossi Cohen   Location: TelAviv Web Dev Positions   052-7654321"
    d.sections[0].footer.paragraphs[0].text = "References available upon request"
    d.add_paragraph("SUMMARY")
    d.add_paragraph("Full stack developer with a background in QA.")
    d.add_paragraph("WORK EXPERIENCE")
    t = d.add_table(rows=3, cols=2)
    for i, (when, what) in enumerate([("Jan 2019 – Today", "Full stack developer, Wix"),
                                      ("2016 – 2018", "QA automation, Matrix"),
                                      ("2012 , November - 2015 , December", "Support engineer, Bezeq")]):
        t.cell(i, 0).text = when
        t.cell(i, 1).text = what
    d.add_paragraph("EDUCATION")
    d.add_paragraph("2009 – 2012\tPractical Engineer in Software, ORT Braude College")
    return _save(d)


def textbox_contact() -> bytes:
    """Contact details in a text box, one paragraph holding a label and the next label."""
    import docx

    d = docx.Document()
    p = d.add_paragraph("Igor Petrov")
    _textbox(p, ["Residence: Hadera Languages: Hebrew, English, Russian", "Mob: 050-1112233"])
    d.add_paragraph("Experience")
    d.add_paragraph("2017 – till date\tSenior developer, Elbit Systems")
    d.add_paragraph("2010 – 2017\tDeveloper, NII Radio, Kharkiv")
    d.add_paragraph("Education")
    d.add_paragraph("1999 – 2004\tKharkiv Polytechnic Institute, Engineer")
    return _save(d)


def line_breaks_in_paragraphs() -> bytes:
    """Entries written as one paragraph with soft line breaks (Shift+Enter)."""
    import docx

    d = docx.Document()
    d.add_paragraph("Noa Bar")
    d.add_paragraph("Address: Herzl 12, Rishon LeZion")
    d.add_paragraph("Work Experience")
    run = d.add_paragraph().add_run("Data analyst, Leumi Bank")
    run.add_break()
    run.add_text("03/2018 - 12/2022")
    run.add_break()
    run.add_text("Reports and dashboards.")
    run = d.add_paragraph().add_run("Junior analyst, Clalit")
    run.add_break()
    run.add_text("10/2016 - 02/2018")
    d.add_paragraph("Education")
    d.add_paragraph("M.A. in Economics, Bar-Ilan University, 2016")
    d.add_paragraph("B.A. in Economics and Management, 2013")
    return _save(d)


def degrees_in_progress() -> bytes:
    return _doc(
        "Maya Golan | Haifa, Israel | +972-54-0000000",
        "Experience",
        "2020 - present: Junior developer, Intel",
        "Education",
        "M.Sc. Computer Science, Technion (expected 2024)",
        "B.Sc. Computer Science, Technion, 2015 - 2019",
    )


def studying_towards() -> bytes:
    return _doc(
        "Lior Ben David",
        "Ramat Gan | 053-9998877",
        "Experience",
        "2021 - now  Customer support, Partner",
        "Education",
        "Studying towards B.Sc. in Computer Science, The Open University",
        "Full Bagrut, Blich High School, 2014",
    )


def experience_without_dates() -> bytes:
    """An experience section with jobs but no dates at all: months are unknown with the reason, never 0."""
    return _doc(
        "Avi Mizrahi",
        "Residence: Netanya",
        "Experience",
        "Developer at Amdocs – billing systems",
        "QA engineer at NICE – test automation",
        "Education",
        "B.Sc. in Software Engineering, Afeka",
    )


def name_and_birth_date_only() -> bytes:
    """No place at all: a first name that is a town somewhere ("Dana", SY) and "Date" must not become places."""
    return _doc(
        "Dana",
        "Date of birth: 12.03.1990   Mob: 054-1234567",
        "Experience",
        "Intel, Haifa 2015-2020 Validation engineer",
        "Education",
        "B.A. Psychology",
    )


def mm_yy_and_dotted_dates() -> bytes:
    return _doc(
        "Eli Katz",
        "Kfar Saba, Israel",
        "Employment History",
        "03/19 - 12/22 | Team lead | CyberArk",
        "10.2015 - 02.2019 | Developer | Check Point",
        "Academic Education",
        "2011-2015 B.Sc. Electrical Engineering, Ben-Gurion University",
    )


# ---- the known answers ---------------------------------------------------------------------------
def test_two_column_table_cv():
    p = _profile(two_column_table())
    assert p.degree == "bachelor"
    assert p.months == 88 + 36 + 36  # 09/2015-01/2023, 2012-2015, army 2008-2011 (counts)
    assert _near(p.location, "Petah Tikva") and p.location.country == "IL"


def test_header_footer_and_dated_table_cv():
    p = _profile(header_footer_contact())
    assert p.degree == "associate"  # Practical Engineer
    assert p.months == 48 + 24 + 37  # Jan 2019-today, 2016-2018, Nov 2012-Dec 2015
    assert _near(p.location, "Tel Aviv")


def test_text_box_contact_and_cis_engineer():
    p = _profile(textbox_contact())
    assert p.degree == "bachelor"  # a CIS 5-year engineer qualification
    assert p.months == 72 + 84
    assert _near(p.location, "Hadera")


def test_soft_line_breaks_keep_dates_apart():
    p = _profile(line_breaks_in_paragraphs())
    assert p.degree == "postgraduate"
    assert p.months == 57 + 16
    assert _near(p.location, "Rishon LeZion")


def test_degree_expected_after_as_of_does_not_count():
    p = _profile(degrees_in_progress())
    assert p.degree == "bachelor"
    assert p.evidence["degree_in_progress"]
    assert p.months == 36
    assert _near(p.location, "Haifa")


def test_studying_towards_a_degree_leaves_high_school():
    p = _profile(studying_towards())
    assert p.degree == "high_school"
    assert p.months == 24  # month-less "2021 - now" runs from January
    assert _near(p.location, "Ramat Gan")


def test_experience_without_dates_is_unknown_with_the_reason():
    p = _profile(experience_without_dates())
    assert p.months is None and "experience" in p.unknown["months"]
    assert p.degree == "bachelor"
    assert _near(p.location, "Netanya")


def test_no_place_is_no_place():
    p = profile_from_text(read_docx(name_and_birth_date_only()).text, AS_OF, min_confidence=0.0)
    assert p.location is None
    assert p.months == 60


def test_short_year_and_dotted_dates():
    p = _profile(mm_yy_and_dotted_dates())
    assert p.degree == "bachelor"
    assert p.months == 45 + 40
    assert _near(p.location, "Kfar Saba")


@pytest.mark.parametrize("build", [two_column_table, header_footer_contact, textbox_contact,
                                   line_breaks_in_paragraphs, degrees_in_progress, studying_towards,
                                   experience_without_dates, name_and_birth_date_only, mm_yy_and_dotted_dates])
def test_every_field_is_right_or_unknown_with_a_reason(build):
    """Whatever the layout, a field is either a value with enough confidence or unknown with its reason."""
    p = _profile(build())
    for field in ("degree", "months", "location"):
        value = getattr(p, field)
        assert (value is None) == (field in p.unknown)
        assert value is None or p.confidence[field] >= 0.6


# ---- single forms, as text (the reader gives one line per paragraph / table row) ------------------------------
def _text_profile(header: str, education: str, experience: str):  # type: ignore[no-untyped-def]
    return profile_from_text(f"Dana Levi\n{header}\nExperience\n{experience}\nEducation\n{education}", AS_OF)


@pytest.mark.parametrize("line, months", [
    ("2015 -\n2018 Developer", 36),  # a range broken after its dash
    ("2019 - Nowadays Developer", 48),
    ("03/16 - 05/18 Developer", 26),
    ("Jan'19 - Dec'20 Developer", 23),
    ("2019/01 - 2020/12 Developer", 23),
    ("Military service in the IDF (2010-2013) – Sergeant", 36),
    ("2012 , November - 2014 , May Developer", 18),
    ("2017 – till date Developer", 72),
    ("2015 – 2016, 2018 – present Developer", 72),
    ("November , 2012 - May , 2014 Developer", 18),
    ("2012 November - 2014 May Developer", 18),
    ("11.12 - 05.14 Developer", 18),
    ("Developer, version 2.10 - 3.12", None),  # versions, not months
    ("03/16 - Cont. Developer", 82),
])
def test_israeli_date_forms(line, months):
    assert _text_profile("Holon", "B.A.", line).months == months


@pytest.mark.parametrize("education, degree", [
    ("Practical Software Engineer (Handasai), 2010", "associate"),
    ("Diploma of Engineer, Moscow Aviation Institute", "bachelor"),
    ("1999 – 2004 Kharkiv Polytechnic Institute, Engineer", "bachelor"),
    ("B.Sc. Computer Science, Open University (2 courses left)\nFull Bagrut", "high_school"),
    ("Second degree (M.A.) in Education, Tel Aviv University", "postgraduate"),
    ("First degree in Economics, Haifa University", "bachelor"),
    ("2019-present M.Sc. Data Science, Bar-Ilan\n2014-2018 B.Sc. Mathematics, Bar-Ilan", "bachelor"),
    ("Associate OfArts Mar 2016 School of Makeup, Nail Technician", "associate"),
])
def test_israeli_and_cis_degree_forms(education, degree):
    assert _text_profile("Holon", education, "2015-2018 Developer").degree == degree


@pytest.mark.parametrize("education, why", [
    ("Second degree, Ulyanovsk State Technical University", "second degree"),  # master's in Israel, not in the CIS
    ("Technician diploma, Amal", "technician"),
    ("2019 - 2023 B.Sc. Computer Science, Ariel University", "ends in 2023"),  # the reference date's year
])
def test_unsure_degrees_are_unknown_with_the_reason(education, why):
    p = _text_profile("Holon", education, "2015-2018 Developer")
    assert p.degree is None and why in p.unknown["degree"]


@pytest.mark.parametrize("header, city", [
    ("Residence:Petah Tikva", "Petah Tikva"),
    ("Address: 12 Herzl St., Ramat Gan", "Ramat Gan"),
    ("Mobile: 054-1234567  E-mail: a@b.com  Residence: Kfar Yona", "Kfar Yona"),
    ("Place of residence: Or Yehuda", "Or Yehuda"),
    ("Born in Moscow, Russia; lives in Haifa, Israel", "Haifa"),
    ("Tzfat | 050-0000000", "Safed"),
    ("Rosh Haain, Israel", "Rosh HaAyin"),
])
def test_israeli_contact_forms(header, city):
    p = _text_profile(header, "B.A.", "2015-2018 Developer")
    assert _near(p.location, city)


@pytest.mark.parametrize("header", ["Date of birth: 1990, Marital status: married", "Citizenship: Israeli",
                                    "Aliyah: 1995 | Mob: 054-1234567"])
def test_personal_details_are_not_places(header):
    p = profile_from_text(f"Dana Levi\n{header}\nExperience\n2015-2018 Developer", AS_OF, min_confidence=0.0)
    assert p.location is None


def test_a_table_row_led_by_a_heading_cell_opens_that_section():
    # a two-column table whose left cells name the sections: "Experience | 2015-2018 Developer, Acme"
    text = ("Dana Levi | Residence: Holon\nEducation\nB.Sc. Computer Science, Technion, 2010-2014\n"
            "Experience | 2015-2018 Developer, Acme\nMilitary Service | 2005-2008 IDF\nLanguages | Hebrew, English")
    p = profile_from_text(text, AS_OF)
    assert p.months == 36 + 36 and p.degree == "bachelor"


@pytest.mark.parametrize("header", ["B.Sc. Tel Aviv University | dana@example.com",
                                    "Haifa University graduate, 054-1234567"])
def test_a_school_or_employer_named_after_a_city_is_not_a_home(header):
    p = profile_from_text(f"Dana Levi\n{header}\nExperience\n2015-2018 Developer", AS_OF, min_confidence=0.0)
    assert p.location is None


def test_cv_without_an_experience_heading():
    # no heading at all: the latest job's open start ("2022 - EPAM") counts like in an experience section, and the
    # confidence says the ranges were read from undivided text
    text = ("Anna K.\nFrontend developer\n2022 - EPAM Systems. Software Engineer.\n"
            "2021 2022 UniqTrip. Junior web developer.\nEducation\n2000 - 2005 Specialist, Ryazan State University")
    p = profile_from_text(text, AS_OF, min_confidence=0.0)
    assert p.months == 24
    assert p.confidence["months"] < 0.85


def test_label_and_value_in_neighbouring_table_cells():
    import docx

    d = docx.Document()
    d.add_paragraph("Dana Levi")
    t = d.add_table(rows=2, cols=4)
    for c, v in zip(t.rows[0].cells, ["Address", "Petah Tikva", "Phone", "054-1234567"], strict=True):
        c.text = v
    for c, v in zip(t.rows[1].cells, ["Date of birth", "1990", "E-mail", "dana@example.com"], strict=True):
        c.text = v
    d.add_paragraph("Experience")
    d.add_paragraph("2015 - 2018 Developer, Acme")
    p = _profile(_save(d))
    assert _near(p.location, "Petah Tikva") and p.confidence["location"] >= 0.85


def test_a_second_column_without_a_heading_does_not_inherit_education():
    """Left cell: skills and education; right cell: jobs with no heading of their own."""
    import docx

    d = docx.Document()
    d.sections[0].footer.paragraphs[0].text = "Address: Rehovot, Israel | 054-1112222 | a@example.com"
    t = d.add_table(rows=1, cols=2)
    _cell_lines(t.cell(0, 0), ["SKILLS", "Excel, SQL", "EDUCATION", "M.Sc. Biology, Weizmann Institute, 2012"])
    _cell_lines(t.cell(0, 1), ["Research associate, Teva — 2019–Present", "Lab manager, Kamada — 2013–2019"])
    data = _save(d)
    assert "\x0c" not in _profile(data).text  # the column mark is not part of the profile's text
    p = _profile(data)
    assert p.degree == "postgraduate"
    assert p.months == 48 + 72
    assert _near(p.location, "Rehovot")


@pytest.mark.parametrize("header, city", [
    ("Dana Levi | Holon | Technion graduate", "Holon"),  # the name first, a school beside the city
    ("Dana Levi   Kfar Saba   054-1234567", "Kfar Saba"),  # a local phone number makes it a contact line
    ("Dana Levi | Holon, Center District", "Holon"),  # a district is not a school ("Center")
])
def test_first_line_name_and_contact_details(header, city):
    p = profile_from_text(f"{header}\nExperience\n2015-2018 Developer", AS_OF)
    assert _near(p.location, city)


def test_a_school_and_its_city_are_not_the_home():
    p = profile_from_text("Dana Levi\nB.Sc., Technion, Haifa, Israel\nExperience\n2015-2018 Developer", AS_OF,
                          min_confidence=0.0)
    assert p.location is None


def test_start_and_end_years_in_neighbouring_cells_without_an_experience_heading():
    p = profile_from_text("Dana\nSkills\nPython\n2015 | 2018 | Developer, Acme\n2012 | 2015 | QA, Beta", AS_OF)
    assert p.months == 72
