"""Write the 24 synthetic Word CVs of the held-out split ``test5w`` (issue 11, round 6) deterministically.

    .venv/bin/python benchmarks/make_synthetic_cvs_test5w.py [OUT_DIR]

Writes ``v01.docx`` … ``v24.docx`` into ``benchmarks/labels/synthetic_cv5/`` (or OUT_DIR). Every person and fact is
fictional; the forms imitate CVs as people outside the US write them (LinkedIn exports, Europass, Word templates with
sidebars, plain TAB-aligned CVs, CVs translated from Hebrew or Russian, Indian / Brazilian / Irish / French CVs).
Core properties and zip timestamps are fixed, so a re-run reproduces the files byte for byte. The labels are in
``benchmarks/labels/resume_fields_test5w.jsonl``; ``benchmarks/labels/synthetic_cv5/README.md`` says how they were
written. Requires python-docx only.
"""
from __future__ import annotations

import datetime as _dt
import io
import sys
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from index.atomic import write_bytes_atomic

sys.path.insert(0, str(Path(__file__).parent))
from _common import fixed_zip  # noqa: E402

OUT = Path(__file__).resolve().parent / "labels" / "synthetic_cv5"
FIXED_TIME = _dt.datetime(2022, 12, 15, 9, 0, 0)
ZIP_TIME = (2022, 12, 15, 9, 0, 0)


# ----------------------------------------------------------------------------------------------------------- helpers
class CV:
    def __init__(self, font: str = "Calibri", size: float = 11, margins_cm: float = 2.0):
        self.doc = Document()
        st = self.doc.styles["Normal"]
        st.font.name = font
        st.font.size = Pt(size)
        for s in self.doc.sections:
            s.left_margin = s.right_margin = s.top_margin = s.bottom_margin = Cm(margins_cm)

    # paragraphs ------------------------------------------------------------------------------------------------
    def p(self, text: str = "", *, bold: bool = False, italic: bool = False, size: float | None = None,
          underline: bool = False, align: str | None = None, color: str | None = None, rtl: bool = False,
          tabs: list[tuple[float, str]] | None = None, container=None, space_after: float | None = None):
        """A paragraph; ``\\n`` in ``text`` is a line break inside it, ``**x**`` pieces are bold."""
        box = container if container is not None else self.doc
        para = box.add_paragraph()
        if rtl:
            _set_bidi(para)
        if tabs:
            for pos, kind in tabs:
                para.paragraph_format.tab_stops.add_tab_stop(
                    Cm(pos), WD_TAB_ALIGNMENT.RIGHT if kind == "right" else WD_TAB_ALIGNMENT.LEFT)
        if align:
            para.alignment = {"center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT,
                              "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}[align]
        if space_after is not None:
            para.paragraph_format.space_after = Pt(space_after)
        self.runs(para, text, bold=bold, italic=italic, size=size, underline=underline, color=color, rtl=rtl)
        return para

    @staticmethod
    def runs(para, text: str, *, bold=False, italic=False, size=None, underline=False, color=None, rtl=False):
        pieces = text.split("**")
        for i, piece in enumerate(pieces):
            lines = piece.split("\n")
            for j, line in enumerate(lines):
                if j:
                    para.add_run().add_break()
                if not line:
                    continue
                r = para.add_run(line)
                r.bold = bold or (i % 2 == 1)
                r.italic = italic
                r.underline = underline
                if size:
                    r.font.size = Pt(size)
                if color:
                    r.font.color.rgb = RGBColor.from_string(color)
                if rtl:
                    rpr = r._r.get_or_add_rPr()
                    rpr.append(OxmlElement("w:rtl"))
        return para

    def table(self, rows: list[list[str]], widths_cm: list[float], *, container=None, style: str | None = None,
              bold_first_col: bool = False):
        box = container if container is not None else self.doc
        if container is not None and hasattr(container, "add_table") and container is not self.doc:
            t = container.add_table(rows=len(rows), cols=len(widths_cm), width=Cm(sum(widths_cm)))
        else:
            t = box.add_table(rows=len(rows), cols=len(widths_cm))
        if style:
            t.style = style
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
        for i, row in enumerate(rows):
            for j, val in enumerate(row):
                cell = t.cell(i, j)
                cell.width = Cm(widths_cm[j])
                self.fill(cell, val, bold=bold_first_col and j == 0)
        return t

    def fill(self, cell, text: str, *, bold: bool = False, size: float | None = None, rtl: bool = False):
        """Cell text: paragraphs separated by a blank line-free ``\\n\\n``; ``\\n`` alone is a line break."""
        paras = text.split("\n\n")
        first = cell.paragraphs[0]
        for k, ptxt in enumerate(paras):
            para = first if k == 0 else cell.add_paragraph()
            if rtl:
                _set_bidi(para)
            self.runs(para, ptxt, bold=bold, size=size, rtl=rtl)
        return cell

    def save(self, path: Path, author: str) -> Path:
        cp = self.doc.core_properties
        cp.author = author
        cp.last_modified_by = author
        cp.title = "CV"
        cp.created = FIXED_TIME
        cp.modified = FIXED_TIME
        cp.revision = 1
        buf = io.BytesIO()
        self.doc.save(buf)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(path, fixed_zip(buf.getvalue(), ZIP_TIME))
        return path


def _set_bidi(para) -> None:
    ppr = para._p.get_or_add_pPr()
    el = OxmlElement("w:bidi")
    ppr.insert_element_before(el, "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing",
                              "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
                              "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr",
                              "w:pPrChange")


def heading_caps(cv: CV, text: str, color: str = "1F3864", **kw):
    return cv.p(text.upper(), bold=True, size=12, color=color, space_after=2, **kw)


# ------------------------------------------------------------------------------------------------------------ the CVs
def v01(cv: CV) -> str:
    """LinkedIn 'Save to PDF' profile pasted into Word: a left contact column, durations next to the dates."""
    left = ("**Contact**\nnoa.shalevkatz@gmail.com\nwww.linkedin.com/in/noa-shalev-katz (LinkedIn)\n\n"
            "**Top Skills**\nDesign Systems\nUser Research\nFigma\n\n"
            "**Languages**\nHebrew (Native or Bilingual)\nEnglish (Full Professional)\n\n"
            "**Certifications**\nGoogle UX Design Certificate - Coursera")
    right = ("**Noa Shalev-Katz**\nSenior Product Designer at Lumio | Design systems, B2B SaaS\n"
             "Ramat Gan, Tel Aviv District, Israel\n\n"
             "**Summary**\nProduct designer who likes messy B2B problems. I build design systems and run research "
             "with real users before drawing anything.\n\n"
             "**Experience**\n\n"
             "**Lumio**\nSenior Product Designer\nMarch 2019 - Present (3 years 10 months)\nTel Aviv Area, Israel\n"
             "Leading design of the analytics suite; built the company design system from scratch.\n\n"
             "**Kartan Labs**\nProduct Designer\nAugust 2016 - February 2019 (2 years 7 months)\nHerzliya, Israel\n\n"
             "**Mobileye**\nUX Design Intern\nJune 2015 - July 2016 (1 year 2 months)\nJerusalem, Israel\n\n"
             "**Israel Defense Forces**\nIntelligence Analyst\n2009 - 2012 (3 years)\n\n"
             "**Education**\n\n"
             "**Bezalel Academy of Arts and Design, Jerusalem**\n"
             "Bachelor of Design - BDes, Visual Communication · (2012 - 2016)")
    cv.table([[left, right]], [5.5, 11.5])
    cv.p("Page 1 of 1", size=8, align="center", color="808080")
    return "Noa Shalev-Katz"


def v02(cv: CV) -> str:
    """Europass CV: label column on the left, dd/mm/yyyy ranges, EQF levels, language grid."""
    cv.p("Europass\nCurriculum Vitae", bold=True, size=16, color="0E4194")
    rows = [
        ["PERSONAL INFORMATION", "Oleksandr Kovalenko"],
        ["", "vul. Velyka Vasylkivska 72, apt. 41, 03150 Kyiv (Ukraine)\n+380 67 412 3390\n"
             "o.kovalenko.qa@ukr.net\nSex Male | Date of birth 14/02/1991 | Nationality Ukrainian"],
        ["JOB APPLIED FOR", "Senior QA Automation Engineer"],
        ["WORK EXPERIENCE", ""],
        ["01/09/2014–present", "Senior QA Automation Engineer (from 2018; QA Engineer before)\n"
                               "SoftServe, Kyiv (Ukraine)\nTest automation for fintech clients (Java, Selenium, "
                               "REST Assured); mentoring 4 engineers\nBusiness or sector Information and communication"],
        ["15/03/2012–31/08/2014", "Junior Software Tester (part-time during studies)\n"
                                  "Intetics, Kyiv (Ukraine)\nManual and API testing"],
        ["EDUCATION AND TRAINING", ""],
        ["09/2008–06/2014", "Master of Science in Computer Engineering\nEQF level 7\n"
                            "National Technical University of Ukraine \"Kyiv Polytechnic Institute\", Kyiv (Ukraine)"],
        ["2019", "ISTQB Certified Tester Foundation Level (CTFL)\nISTQB / Ukrainian Testing Board"],
        ["PERSONAL SKILLS", ""],
        ["Mother tongue(s)", "Ukrainian, Russian"],
        ["Other language(s)", "English  C1 C1 B2 B2 C1\nGerman  A2 A2 A1 A1 A1"],
        ["Digital skills", "Java, Python, Selenium WebDriver, Jenkins, Docker"],
    ]
    cv.table(rows, [5.0, 12.0], bold_first_col=True)
    return "Oleksandr Kovalenko"


def v03(cv: CV) -> str:
    """A Word template with a coloured sidebar: photo placeholder, icon contact lines, skill bars."""
    side = ("[ PHOTO ]\n\n"
            "**CONTACT**\n📞  +972 54 318 2207\n✉  lina.haddad.rn@gmail.com\n📍  Nazareth, Israel\n\n"
            "**SKILLS**\nIntensive care  ●●●●●\nWound care  ●●●●○\nPatient education  ●●●●○\n"
            "Chameleon EMR  ●●●○○\n\n"
            "**LANGUAGES**\nArabic  ●●●●●\nHebrew  ●●●●●\nEnglish  ●●●●○")
    main = ("**LINA HADDAD**\nRegistered Nurse\n\n"
            "**PROFILE**\nRegistered nurse with five years on a busy internal medicine ward. Calm under pressure, "
            "fluent in three languages.\n\n"
            "**EXPERIENCE**\n"
            "**Registered Nurse, Internal Medicine B** | 10/2017 – Present\nEMMS Nazareth Hospital (The Scottish "
            "Hospital)\n• Care for 28-bed ward, charge nurse on night shifts since 2020\n\n"
            "**Nursing Assistant (student job)** | 2015 – 2017\nHoly Family Hospital, Nazareth\n\n"
            "**Volunteer, First Aid instructor** | 2012\nArab Red Crescent youth group\n\n"
            "**EDUCATION**\n"
            "**B.Sc. in Nursing** | 2013 – 2017\nUniversity of Haifa, Cheryl Spencer Department of Nursing\n\n"
            "**M.A. in Nursing Administration** | in progress, expected 2024\nTel Aviv University\n\n"
            "**LICENCES**\nRegistered Nurse licence, Israel Ministry of Health (2017)")
    t = cv.table([[side, main]], [5.5, 11.5])
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:fill"), "DCE6F1")
    t.cell(0, 0)._tc.get_or_add_tcPr().append(shd)
    return "Lina Haddad"


def v04(cv: CV) -> str:
    """Typed by an older engineer: underlined headings, TAB-aligned columns, dates at the end of the line."""
    cv.doc.styles["Normal"].font.name = "Times New Roman"
    cv.p("CURRICULUM VITAE", bold=True, underline=True, align="center", size=14)
    tabs = [(4.0, "left")]
    cv.p("Name:\tYosef (Yossi) Ben-Ami", tabs=tabs)
    cv.p("Address:\t12 Hashikma St., Kiryat Bialik 27000", tabs=tabs)
    cv.p("Telephone:\t04-8745521, 052-3348112", tabs=tabs)
    cv.p("E-mail:\tyossi.benami@bezeqint.net", tabs=tabs)
    cv.p("Born:\t1962, married + 3", tabs=tabs)
    cv.p("")
    cv.p("Education", underline=True, bold=True)
    et = [(1.0, "left"), (16.5, "right")]
    cv.p("\tM.Sc. Mechanical Engineering, Technion, Haifa\t1994", tabs=et)
    cv.p("\tB.Sc. Mechanical Engineering, Technion, Haifa\t1988", tabs=et)
    cv.p("")
    cv.p("Military Service", underline=True, bold=True)
    cv.p("\tIsraeli Air Force, aircraft maintenance technician, Sergeant\t1980 - 1983", tabs=et)
    cv.p("")
    cv.p("Professional Experience", underline=True, bold=True)
    cv.p("\tIndependent consultant, mechanical design and reliability\t2021 - present", tabs=et)
    cv.p("\t  Clients in the defence and medical device industries.", tabs=et)
    cv.p("\tElbit Systems, Haifa - Chief Engineer, Mechanics Department\t2008 - 2021", tabs=et)
    cv.p("\t  Responsible for 40 engineers; design reviews; DO-160 qualification.", tabs=et)
    cv.p("\tElbit Systems, Haifa - Team Leader, Mechanical Design\t1996 - 2008", tabs=et)
    cv.p("\tRafael, Haifa - Mechanical Design Engineer\t1988 - 1996", tabs=et)
    cv.p("")
    cv.p("Professional Registration", underline=True, bold=True)
    cv.p("\tRegistered Engineer (Mechanical), Israeli Registry of Engineers and Architects, no. 41872", tabs=et)
    cv.p("")
    cv.p("Languages", underline=True, bold=True)
    cv.p("\tHebrew - mother tongue; English - very good", tabs=et)
    return "Yosef Ben-Ami"


def v05(cv: CV) -> str:
    """Translated from a Hebrew CV: right-to-left paragraphs, Hebrew labels with English values, newest-first
    ranges typed in the visual order (``2018 - 2015`` for 2015 to 2018)."""
    cv.p("קורות חיים", bold=True, size=16, align="center", rtl=True)
    cv.p("Moran Peretz", bold=True, size=14, align="center")
    cv.p("כתובת: Holon", rtl=True)
    cv.p("טלפון: 050-6617742", rtl=True)
    cv.p("דוא\"ל: moran.peretz85@walla.co.il", rtl=True)
    cv.p("")
    cv.p("ניסיון תעסוקתי / Work Experience", bold=True, underline=True, rtl=True)
    cv.p("Present - 2018 | Senior bookkeeper, Levi & Co. CPA, Tel Aviv", rtl=True)
    cv.p("Full bookkeeping for 60 clients, VAT and withholding tax reports, payroll", rtl=True)
    cv.p("2018 - 2015 | Payroll clerk, Shefa Chain Stores, Rishon LeZion", rtl=True)
    cv.p("2006 - 2004 | Military service – HR clerk (Tash), IDF", rtl=True)
    cv.p("")
    cv.p("השכלה / Education", bold=True, underline=True, rtl=True)
    cv.p("2014 - 2010 | B.A. Economics and Management, The Open University of Israel", rtl=True)
    cv.p("2012 | Bookkeeper licence, Level 3 (Ministry of Economy)", rtl=True)
    cv.p("")
    cv.p("שפות / Languages", bold=True, underline=True, rtl=True)
    cv.p("Hebrew – native, English – good", rtl=True)
    cv.p("מחשבים / Computers", bold=True, underline=True, rtl=True)
    cv.p("Hashavshevet, Priority, Excel (advanced)", rtl=True)
    return "Moran Peretz"


def v06(cv: CV) -> str:
    """A Russian-speaking scientist: Specialist diploma, Candidate of Sciences, mm.yyyy ranges, place of birth."""
    cv.p("Dr. Igor Vainshtein", bold=True, size=16)
    cv.p("Data Scientist, PhD (Candidate of Sciences) in Physics", italic=True)
    cv.table([["Date and place of birth:", "17.05.1988, Kharkiv, Ukraine"],
              ["Residence:", "Ashdod, Israel (since 2016)"],
              ["Phone:", "+972-53-7712094"],
              ["E-mail:", "igor.vainshtein@gmail.com"],
              ["Citizenship:", "Israeli, Ukrainian"]], [5.0, 12.0])
    cv.p("")
    cv.p("Work experience", bold=True, size=13)
    cv.p("01.2020 – present\tData Scientist, Optiwise Analytics, Tel Aviv\n"
         "Demand forecasting models (Python, PyTorch), anomaly detection for retail chains", tabs=[(4.5, "left")])
    cv.p("03.2017 – 12.2019\tLaboratory Engineer, Weizmann Institute of Science, Rehovot\n"
         "Cryogenic measurements, data pipelines for the lab", tabs=[(4.5, "left")])
    cv.p("09.2016 – 02.2017\tUlpan (Hebrew course), Ashdod", tabs=[(4.5, "left")])
    cv.p("11.2013 – 07.2016\tJunior Research Fellow, B. Verkin Institute for Low Temperature Physics and "
         "Engineering, Kharkiv", tabs=[(4.5, "left")])
    cv.p("")
    cv.p("Education", bold=True, size=13)
    cv.p("10.2010 – 10.2013\tPostgraduate study (aspirantura), V. N. Karazin Kharkiv National University.\n"
         "Candidate of Sciences (Physics and Mathematics), thesis defended 02.2014", tabs=[(4.5, "left")])
    cv.p("09.2005 – 06.2010\tSpecialist diploma (with honours), Physics, V. N. Karazin Kharkiv National "
         "University", tabs=[(4.5, "left")])
    cv.p("")
    cv.p("Publications: 11 papers in refereed journals (list on request).")
    cv.p("Languages: Russian, Ukrainian (native), English (fluent), Hebrew (good).")
    return "Igor Vainshtein"


def v07(cv: CV) -> str:
    """A new graduate from Umm al-Fahm: one job, a teaching-assistant job during studies, an internship."""
    cv.p("Ahmad Mahajna", bold=True, size=20, color="2E74B5")
    cv.p("Umm al-Fahm  •  +972-52-4419083  •  ahmad.mahajna@campus.technion.ac.il  •  github.com/amahajna",
         size=9)
    heading_caps(cv, "Education")
    cv.p("**B.Sc. in Computer Science**, Technion – Israel Institute of Technology\t2018 – 2022",
         tabs=[(17.0, "right")])
    cv.p("GPA 89.4, Dean's list 2021. Graduated July 2022.")
    heading_caps(cv, "Experience")
    cv.p("**Junior Backend Developer**, Payvio, Haifa\t08/2022 – Present", tabs=[(17.0, "right")])
    cv.p("• Go and PostgreSQL services for payment reconciliation")
    cv.p("**Software Engineering Intern**, Intel, Haifa\t07/2021 – 09/2021", tabs=[(17.0, "right")])
    cv.p("• Summer internship: validation tooling in Python")
    cv.p("**Teaching Assistant** (part-time), Technion, Faculty of Computer Science\t10/2020 – 06/2022",
         tabs=[(17.0, "right")])
    cv.p("• Ran weekly tutorials in Data Structures, graded homework")
    heading_caps(cv, "Projects")
    cv.p("Arabic OCR for historical newspapers (final project, 2022)")
    heading_caps(cv, "Skills")
    cv.p("Go, Python, C++, SQL, Docker, Kubernetes basics · Arabic (native), Hebrew (fluent), English (fluent)")
    return "Ahmad Mahajna"


def v08(cv: CV) -> str:
    """Contact details only in the page header (name, address with P.O. Box), body without them."""
    hdr = cv.doc.sections[0].header
    hp = hdr.paragraphs[0]
    cv.runs(hp, "RANIA KHOURY, B.Pharm", bold=True, size=14)
    cv.p("P.O. Box 512, Shefa-'Amr 20200, Israel  |  Tel. 054-6120983  |  rania.khoury.pharm@gmail.com",
         container=hdr, size=9)
    cv.p("Professional Summary", bold=True, size=13, color="385623")
    cv.p("Pharmacist with 14 years in community pharmacy, the last eight managing a pharmacy of a large HMO.")
    cv.p("Experience", bold=True, size=13, color="385623")
    cv.table([["2014–present", "Pharmacy Manager, Clalit Health Services, Kiryat Ata\n"
                               "Team of 6 pharmacists and 4 technicians; inventory and controlled drugs"],
              ["2008–2014", "Pharmacist, Super-Pharm, Haifa (Grand Canyon branch)"]], [3.5, 13.5])
    cv.p("Education", bold=True, size=13, color="385623")
    cv.table([["2008", "B.Pharm (Bachelor of Pharmacy), The Hebrew University of Jerusalem, School of Pharmacy"],
              ["2003", "Matriculation, Orthodox College, Haifa"]], [3.5, 13.5])
    cv.p("Licences", bold=True, size=13, color="385623")
    cv.p("Licensed Pharmacist, Israel Ministry of Health (licence no. 8-11543), since 2008")
    cv.p("Languages", bold=True, size=13, color="385623")
    cv.p("Arabic – native; Hebrew – excellent; English – very good")
    return "Rania Khoury"


def v09(cv: CV) -> str:
    """Contact line only in the page footer; an M.Ed. in progress; overlapping roles at one school."""
    ftr = cv.doc.sections[0].footer
    cv.runs(ftr.paragraphs[0], "Salem Abu Rabia · Rahat, Israel · +972-50-8831276 · salem.aburabia@gmail.com",
            size=9)
    cv.p("Salem Abu Rabia", bold=True, size=18)
    cv.p("Mathematics teacher and coordinator", italic=True)
    cv.p("")
    cv.p("Teaching experience", bold=True, size=13)
    cv.p("Sept 2011 – present: Mathematics teacher (grades 10–12, 5-unit Bagrut), Al-Salam High School, Rahat")
    cv.p("Sept 2018 – present: Mathematics coordinator (in addition to teaching), Al-Salam High School")
    cv.p("")
    cv.p("Education and certification", bold=True, size=13)
    cv.p("2007 – 2011: B.Ed. in Mathematics Education, Kaye Academic College of Education, Be'er Sheva")
    cv.p("2011: Teaching certificate (Te'udat Hora'a), Israel Ministry of Education")
    cv.p("2021 – : M.Ed. in Educational Leadership, Ben-Gurion University of the Negev "
         "(studies in progress, expected 2023)")
    cv.p("")
    cv.p("Community", bold=True, size=13)
    cv.p("Volunteer maths tutor for the Rahat youth centre, 2015 – 2019")
    return "Salem Abu Rabia"


def v10(cv: CV) -> str:
    """A student on a moshav: army service, a part-time job, a B.Sc. still in progress, matriculation only."""
    cv.p("Itai Golan", bold=True, size=18, align="center")
    cv.p("Moshav Nahalal, Jezreel Valley | 052-7781450 | itai.golan@gmail.com", align="center", size=10)
    cv.p("Third-year Computer Science student looking for a student position in backend or data.", italic=True,
         align="center")
    cv.p("Education", bold=True, size=13, underline=True)
    cv.p("2020 – 2023 (expected)\tB.Sc. Computer Science, University of Haifa. Average: 88", tabs=[(4.5, "left")])
    cv.p("2015\tFull matriculation (Bagrut), Nahalal Agricultural High School; 5 units maths, physics",
         tabs=[(4.5, "left")])
    cv.p("Experience", bold=True, size=13, underline=True)
    cv.p("11/2020 – present\tQA Tester (student position, 20 h/week), Mellanox/NVIDIA, Yokneam\n"
         "Manual and scripted tests of switch firmware", tabs=[(4.5, "left")])
    cv.p("03/2016 – 03/2019\tMilitary service, Combat Engineering Corps – squad commander, Staff Sergeant",
         tabs=[(4.5, "left")])
    cv.p("2019\tSeasonal work on the family farm (avocado harvest) and a trip to South America",
         tabs=[(4.5, "left")])
    cv.p("Skills", bold=True, size=13, underline=True)
    cv.p("Python, Java, SQL, Linux, Git. Hebrew (native), English (very good).")
    return "Itai Golan"


def v11(cv: CV) -> str:
    """A marketing manager back after a career break abroad (the break and the city abroad are not work/home)."""
    cv.p("DANA ROSENFELD", bold=True, size=20, color="7030A0")
    cv.p("Kfar Saba, Israel  ·  054-2210987  ·  dana.rosenfeld@outlook.com", size=10)
    cv.p("Marketing leader returning to full-time work after a family relocation; B2B tech and consumer brands.",
         italic=True)
    heading_caps(cv, "Career", color="7030A0")
    t = [(17.0, "right")]
    cv.p("**Head of Marketing** (part-time, 60%), Greenleaf Foods, Petah Tikva\t2021 – present", tabs=t)
    cv.p("**Career break** – family relocation to Boston, MA, USA; parenting; volunteer PTA newsletter editor"
         "\t2016 – 2020", tabs=t)
    cv.p("**Marketing Manager**, Netix Software, Herzliya\t2008 – 2016", tabs=t)
    cv.p("Led a team of 5; launched two product lines in Europe; budget of $3M a year.")
    cv.p("**Marketing Coordinator**, Tnuva, Tel Aviv\t2005 – 2008", tabs=t)
    heading_caps(cv, "Education", color="7030A0")
    cv.p("MBA, Coller School of Management, Tel Aviv University\t2010", tabs=t)
    cv.p("B.A. Communication and Political Science, Tel Aviv University\t2004", tabs=t)
    heading_caps(cv, "Courses", color="7030A0")
    cv.p("Digital marketing (Google Ads, HubSpot Academy) – online courses, 2020")
    return "Dana Rosenfeld"


def v12(cv: CV) -> str:
    """A freelance DevOps contractor: many short, overlapping engagements; a region ('Gush Dan') instead of a city."""
    cv.p("Eyal Mizrahi — DevOps / SRE (freelance)", bold=True, size=16)
    cv.p("Location: Gush Dan (Center), Israel | Mobile: 054-9012874 | eyal@mizrahi-ops.co.il")
    cv.p("Certifications: RHCE (Red Hat Certified Engineer), CKA (Certified Kubernetes Administrator)")
    cv.p("ENGAGEMENTS (freelance, via Mizrahi Ops – self-employed)", bold=True)
    rows = [["Period", "Client", "Role"],
            ["Mar 2020 – Present", "Arbel Insurance (retainer)", "Cloud infrastructure owner, AWS + Terraform"],
            ["Jun 2021 – Dec 2021", "Kiwi Mobility", "EKS migration (in parallel)"],
            ["Sep 2019 – Jan 2020", "Tavor Bank", "CI/CD hardening"],
            ["Nov 2017 – Jun 2019", "Shapir Media", "Kubernetes platform"],
            ["May 2016 – Feb 2018", "Orenim Games", "On-call SRE, monitoring"],
            ["Jul 2015 – Mar 2016", "Yam Logistics", "Datacenter to AWS"],
            ["Jan 2015 – Sep 2015", "Beit Shemesh Engines", "Linux automation (Ansible)"]]
    cv.table(rows, [4.5, 5.0, 7.5], style="Table Grid")
    cv.p("")
    cv.p("EMPLOYMENT", bold=True)
    cv.p("Jun 2010 – Dec 2014  Linux System Administrator, Bezeq International, Petah Tikva")
    cv.p("08/2003 – 08/2006  Military service: IDF Center of Computing and Information Systems (Mamram), "
         "system administrator")
    cv.p("")
    cv.p("EDUCATION", bold=True)
    cv.p("2008  Practical Engineer (Handesai) in Electronics and Computers, ORT Singalovski College, Tel Aviv")
    return "Eyal Mizrahi"


def v13(cv: CV) -> str:
    """A COO with 30 years: a summary with a stated total, dates 'Jan. 1996' style, a home in a settlement."""
    cv.p("Avraham (Avi) Dahan", bold=True, size=18)
    cv.p("Chief Operating Officer | Operations & Supply Chain | Manufacturing", color="595959")
    cv.table([["Ariel, Israel", "+972-50-5527631", "avi.dahan@gmail.com"]], [5.5, 5.5, 6.0])
    cv.p("")
    cv.p("EXECUTIVE SUMMARY", bold=True)
    cv.p("Over 30 years of experience in operations, from production engineering to COO of a public "
         "electronics manufacturer. Led three plant consolidations and an ERP roll-out.")
    cv.p("PROFESSIONAL EXPERIENCE", bold=True)
    cv.p("Kitron Ltd., Rosh HaAyin — Chief Operating Officer\nJan. 2014 – Present")
    cv.p("Orbit Technologies, Netanya — VP Operations\nJan. 2005 – Dec. 2013")
    cv.p("ECI Telecom, Petah Tikva — Operations Manager\nFeb. 1997 – Dec. 2004")
    cv.p("Tadiran Telecom, Kiryat Shmona plant — Production Engineer\nMar. 1994 – Jan. 1997")
    cv.p("MILITARY SERVICE", bold=True)
    cv.p("IDF Ordnance Corps — Maintenance officer, Captain\nAug. 1985 – Aug. 1990")
    cv.p("EDUCATION", bold=True)
    cv.p("Executive MBA, Kellogg-Recanati program (Northwestern University & Tel Aviv University), 2003")
    cv.p("B.Sc. Industrial Engineering and Management, Ben-Gurion University of the Negev, 1994")
    cv.p("CERTIFICATIONS", bold=True)
    cv.p("Certified Six Sigma Black Belt (ASQ CSSBB), 2009")
    return "Avraham Dahan"


def v14(cv: CV) -> str:
    """Two addresses: the current one (Tel Aviv) and the parents' (Kiryat Shmona)."""
    cv.p("Shira Amsalem", bold=True, size=18)
    cv.table([["Current address:", "Dizengoff St. 188, apt. 7, Tel Aviv"],
              ["Permanent address (parents):", "Ha-Palmach St. 9, Kiryat Shmona"],
              ["Mobile:", "058-4412670"],
              ["Email:", "shira.amsalem@gmail.com"]], [5.5, 11.5])
    cv.p("")
    cv.p("Work Experience", bold=True, size=13, color="C00000")
    cv.p("11/2021 – present | HR Coordinator, Taldor Computer Systems, Tel Aviv")
    cv.p("Recruiting for R&D, onboarding 15 new hires a month")
    cv.p("10/2019 – 09/2021 | Research Assistant (paid, part-time), Social Cognition Lab, Tel Aviv University")
    cv.p("08/2013 – 08/2015 | Military service – Education NCO, Golani Brigade")
    cv.p("")
    cv.p("Education", bold=True, size=13, color="C00000")
    cv.p("2018 – 2021 | B.A. Psychology and Sociology, Tel Aviv University (graduated with distinction)")
    cv.p("2016 – 2017 | Pre-academic preparatory program, Tel-Hai College")
    cv.p("")
    cv.p("Languages: Hebrew (native), English (very good), French (basic)")
    return "Shira Amsalem"


def v15(cv: CV) -> str:
    """A freelance translator: only a +972 mobile number and no town; no dated jobs, a stated total."""
    cv.p("Michal Ben-David", bold=True, size=18)
    cv.p("Hebrew ⇄ English translator and localization editor")
    cv.p("Mobile: +972-54-7650321   |   michal@bendavid-translations.com   |   Proz.com: michal-bd", size=10)
    cv.p("")
    cv.p("Profile", bold=True, size=13)
    cv.p("Freelance translator and editor with 10+ years of experience in legal, medical and software "
         "localization. Fast turnaround, memoQ and Trados power user.")
    cv.p("Selected clients", bold=True, size=13)
    cv.p("• Lionbridge – medical device IFUs and clinical trial documents")
    cv.p("• Herzog Fox & Neeman – contracts and court filings")
    cv.p("• Monday.com – UI strings and help centre (localization project lead)")
    cv.p("Education", bold=True, size=13)
    cv.p("M.A. in Linguistics, Bar-Ilan University, 2012")
    cv.p("B.A. in English Literature and Linguistics, Bar-Ilan University, 2009")
    cv.p("Tools", bold=True, size=13)
    cv.p("memoQ, SDL Trados Studio, Xbench, Smartcat")
    return "Michal Ben-David"


def v16(cv: CV) -> str:
    """An Indian CV: current vs permanent address, 'till date', a PG diploma, personal details, declaration."""
    cv.p("RESUME", bold=True, align="center", size=14, underline=True)
    cv.p("Arjun Krishnan Nair", bold=True, size=13)
    cv.p("Mobile: +91-98450 12276\nE-mail: arjun.k.nair@gmail.com\n"
         "Current Location: Bengaluru, Karnataka")
    cv.p("Career Objective", bold=True, underline=True)
    cv.p("To work in a challenging data science role where I can apply analytics to business problems.")
    cv.p("Professional Summary", bold=True, underline=True)
    cv.p("• Total experience: 8.5 years in analytics and software.\n• Hands-on Python, SQL, Spark, Tableau.")
    cv.p("Work Experience", bold=True, underline=True)
    cv.table([["Organisation", "Designation", "Duration"],
              ["Mu Sigma Business Solutions, Bengaluru", "Decision Scientist", "Apr 2018 to till date"],
              ["Infosys Ltd, Mysuru & Bengaluru", "Systems Engineer", "Jul 2014 to Mar 2018"]],
             [6.5, 4.5, 6.0], style="Table Grid")
    cv.p("Educational Qualification", bold=True, underline=True)
    cv.table([["Qualification", "Institute / Board", "Year", "%"],
              ["PG Diploma in Data Science", "IIIT Bangalore (online, with upGrad)", "2020", "3.4 CGPA"],
              ["B.E. (Electronics & Communication)", "Visvesvaraya Technological University", "2014", "72%"],
              ["XII (PUC)", "Karnataka PU Board", "2010", "88%"],
              ["X (SSLC)", "Kerala State Board", "2008", "91%"]], [5.5, 6.5, 2.0, 3.0], style="Table Grid")
    cv.p("Certifications", bold=True, underline=True)
    cv.p("AWS Certified Cloud Practitioner (2021)")
    cv.p("Personal Details", bold=True, underline=True)
    cv.table([["Father's Name", "K. Krishnan Nair"], ["Date of Birth", "03-06-1992"],
              ["Permanent Address", "Thevara, Kochi, Kerala - 682013"], ["Languages Known", "English, Malayalam, "
                                                                          "Kannada, Hindi"],
              ["Marital Status", "Married"]], [5.0, 12.0])
    cv.p("Declaration", bold=True, underline=True)
    cv.p("I hereby declare that the above information is true to the best of my knowledge.\n\n"
         "Place: Bengaluru\t\t\tDate:\nArjun K. Nair")
    return "Arjun Krishnan Nair"


def v17(cv: CV) -> str:
    """A Brazilian CV in English: 'Mar/2011' dates, Portuguese degree names, an estágio (internship)."""
    cv.p("Mariana Costa Ribeiro", bold=True, size=18, color="00703C")
    cv.p("São Paulo, SP – Brazil | +55 11 98765-4321 | mariana.ribeiro@gmail.com | linkedin.com/in/marianacr",
         size=10)
    cv.p("Software Engineering Manager, PMP", italic=True)
    cv.p("Professional Experience", bold=True, size=13, color="00703C")
    cv.p("**Nubank** – Engineering Manager (São Paulo)\nJul/2014 – Present\n"
         "Manage 3 squads (22 engineers) in the credit card platform; Clojure, Kafka, AWS.")
    cv.p("**Totvs S.A.** – Software Developer\nMar/2011 – Jun/2014\nERP modules in Java and Progress.")
    cv.p("**Itaú Unibanco** – Intern (Estagiário), IT\nJan/2010 – Feb/2011")
    cv.p("Education", bold=True, size=13, color="00703C")
    cv.p("Mestrado (M.Sc.) in Computer Engineering – Unicamp, 2015")
    cv.p("Bacharelado (B.Sc.) in Computer Science – Universidade de São Paulo (USP), 2011")
    cv.p("Certifications", bold=True, size=13, color="00703C")
    cv.p("PMP – Project Management Professional (PMI), 2019")
    cv.p("Languages: Portuguese (native), English (fluent), Spanish (intermediate)")
    return "Mariana Costa Ribeiro"


def v18(cv: CV) -> str:
    """An Irish CV: Eircode address, 'Sept 2015', Leaving Certificate, chartered accountant, referees."""
    cv.p("Ciarán Ó Briain", bold=True, size=18)
    cv.p("14 Seafield Road, Clontarf, Dublin 3, D03 X2Y4, Ireland\nMobile: 087 214 5590  |  ciaran.obriain@eircom.net")
    cv.p("Personal Profile", bold=True, size=13)
    cv.p("Chartered accountant (ACA) with audit and fintech finance experience, looking for a finance lead role.")
    cv.p("Career History", bold=True, size=13)
    cv.p("Sept 2019 – present\tFinance Manager, Stripe, Dublin", tabs=[(4.5, "left")])
    cv.p("Sept 2015 – Aug 2019\tAudit Associate, then Senior Associate, PwC Ireland, Dublin",
         tabs=[(4.5, "left")])
    cv.p("Summer 2014\tSummer intern, Bank of Ireland, Dublin", tabs=[(4.5, "left")])
    cv.p("Education & Qualifications", bold=True, size=13)
    cv.p("2019\tACA, Chartered Accountants Ireland", tabs=[(4.5, "left")])
    cv.p("2011 – 2015\tBA (Hons) Business and Economics, Trinity College Dublin (2.1)", tabs=[(4.5, "left")])
    cv.p("2011\tLeaving Certificate, St. Paul's College, Raheny – 550 points", tabs=[(4.5, "left")])
    cv.p("Interests", bold=True, size=13)
    cv.p("GAA (hurling with Clontarf GAA), sea swimming, Irish language.")
    cv.p("Referees available on request.", italic=True)
    return "Ciarán Ó Briain"


def v19(cv: CV) -> str:
    """A French CV in English: 'aujourd'hui', a stage de fin d'études, Diplôme d'Ingénieur (grade de Master)."""
    cv.table([["Camille Girard\nSenior Process Engineer",
               "Lyon, France\n+33 6 12 34 56 78\ncamille.girard@free.fr\n"
               "Born 12/04/1990 in Grenoble"]], [10.0, 7.0])
    cv.p("")
    cv.p("PROFESSIONAL EXPERIENCE", bold=True, color="002060")
    cv.p("09/2016 – aujourd'hui (present)  Senior Process Engineer – Sanofi Pasteur, Marcy-l'Étoile")
    cv.p("Scale-up of vaccine purification steps; GMP validation.")
    cv.p("09/2013 – 08/2016  Process Engineer – Arkema, Pierre-Bénite")
    cv.p("02/2013 – 08/2013  Stage de fin d'études (end-of-studies internship) – Air Liquide, Grenoble")
    cv.p("EDUCATION", bold=True, color="002060")
    cv.p("2013  Diplôme d'Ingénieur – Master of Engineering (grade de Master), Chemical Engineering, INSA Lyon")
    cv.p("2008  Baccalauréat S (scientifique), mention Très Bien, Lycée Champollion, Grenoble")
    cv.p("LANGUAGES", bold=True, color="002060")
    cv.p("French (native), English (C1, TOEIC 945), German (B1)")
    return "Camille Girard"


def v20(cv: CV) -> str:
    """An engineer from Moscow (Specialist diploma), 'Center of Israel' as the location, dd.mm ranges."""
    cv.p("Anna Sokolova", bold=True, size=18)
    cv.p("Senior QA Engineer")
    cv.p("Location: Center of Israel  •  Phone: 052-6630915  •  anna.sokolova.qa@gmail.com")
    cv.p("Born 1989 in Moscow, Russia; in Israel since 2016.", italic=True, size=9)
    cv.p("EXPERIENCE", bold=True)
    cv.p("05.2019 – present\tSenior QA Engineer, Cellebrite, Petah Tikva", tabs=[(4.0, "left")])
    cv.p("05.2016 – 04.2019\tQA Engineer, Radcom, Tel Aviv", tabs=[(4.0, "left")])
    cv.p("09.2012 – 11.2015\tTest Engineer (radio equipment), Radiotekhnika JSC, Moscow", tabs=[(4.0, "left")])
    cv.p("EDUCATION", bold=True)
    cv.p("2007 – 2012\tSpecialist (5-year engineering diploma) in Radio Engineering, Moscow Power "
         "Engineering Institute (MPEI)", tabs=[(4.0, "left")])
    cv.p("SKILLS", bold=True)
    cv.p("Python, pytest, Selenium, Jira, TestRail, Wireshark, Linux. Russian (native), Hebrew, English.")
    return "Anna Sokolova"


def v21(cv: CV) -> str:
    """'Tel Aviv area' as the location; dates in a left column, the current job only 'Since 2019'."""
    cv.p("Yonatan Levi", bold=True, size=18)
    cv.p("Data Analyst | SQL · Python · Tableau", color="404040")
    cv.p("Location: Tel Aviv area | 050-3349821 | yonatan.levi.data@gmail.com")
    cv.p("Highlights", bold=True, size=13)
    cv.p("• Built the pricing dashboard used by 200 sales reps\n• 3 years in Unit 8200 as a data analyst")
    cv.p("Experience", bold=True, size=13)
    cv.table([["Since 2019", "Senior Data Analyst, Riskified, Tel Aviv\nFraud-rate analytics, A/B tests, dbt models"],
              ["2017 – 2019", "Data Analyst (part-time during studies), Gett, Tel Aviv"],
              ["2013 – 2016", "IDF, Unit 8200 – data analyst (military service)"]], [3.5, 13.5])
    cv.p("Education", bold=True, size=13)
    cv.table([["2016 – 2019", "B.Sc. Statistics and Economics, The Hebrew University of Jerusalem"]], [3.5, 13.5])
    return "Yonatan Levi"


def v22(cv: CV) -> str:
    """A kibbutz member: address with zip code, role first and dates in parentheses after it."""
    cv.p("Gideon Avrahami – Curriculum Vitae", bold=True, size=15)
    cv.p("Kibbutz Yagur, 3006500 · tel. 04-9848123 · gidi.avrahami@yagur.org.il")
    cv.p("")
    cv.p("Work", bold=True, underline=True)
    cv.p("- Dairy farm manager, Kibbutz Yagur dairy (900 cows) (1999 – today)")
    cv.p("- Field crops coordinator, Kibbutz Yagur (1995 – 1999)")
    cv.p("- Guest lecturer, dairy management course, Ruppin Academic Center (occasional, 2010 – 2015)")
    cv.p("- Military service, Armored Corps (1988 – 1991)")
    cv.p("")
    cv.p("Studies", bold=True, underline=True)
    cv.p("- B.Sc. Agriculture (Animal Sciences), Faculty of Agriculture, Hebrew University, Rehovot (1995)")
    cv.p("")
    cv.p("Public roles", bold=True, underline=True)
    cv.p("- Member of the board, Israel Cattle Breeders Association (volunteer, 2012 – 2018)")
    return "Gideon Avrahami"


def v23(cv: CV) -> str:
    """A lawyer living in Mevaseret Zion and working in other cities; a legal internship (not counted)."""
    hdr = cv.doc.sections[0].header
    cv.table([["Adv. Tamar Friedman-Oz", "Residence: Mevaseret Zion\nMobile: 052-8876543\n"
                                         "tamar.friedman.adv@gmail.com"]], [9.0, 8.0], container=hdr)
    cv.p("Attorney – commercial and technology law", bold=True, size=14)
    cv.p("Professional Experience", bold=True, size=12, color="833C0B")
    cv.p("2017 – present\tLegal Counsel, Jerusalem Venture Partners (JVP), Jerusalem", tabs=[(4.0, "left")])
    cv.p("2011 – 2017\tAssociate, Meitar Law Offices, Ramat Gan (tech M&A, venture financing)",
         tabs=[(4.0, "left")])
    cv.p("2010 – 2011\tLegal intern (hitmachut), Office of the State Attorney, Jerusalem", tabs=[(4.0, "left")])
    cv.p("Education", bold=True, size=12, color="833C0B")
    cv.p("2014\tLL.M. (Master of Laws), The Hebrew University of Jerusalem", tabs=[(4.0, "left")])
    cv.p("2010\tLL.B., The Hebrew University of Jerusalem", tabs=[(4.0, "left")])
    cv.p("Bar Admission", bold=True, size=12, color="833C0B")
    cv.p("Member of the Israel Bar Association since 2011 (licence no. 61244)")
    cv.p("Languages", bold=True, size=12, color="833C0B")
    cv.p("Hebrew, English (mother tongue level), Spanish")
    return "Tamar Friedman-Oz"


def v24(cv: CV) -> str:
    """A store manager back after a career break: 'since 04/2019', hyphen year ranges, matriculation only."""
    cv.p("Orit Azulay", bold=True, size=18)
    cv.p("Address: Be'er Sheva   Tel: 052-3399871   Email: orit.azulay76@gmail.com", size=10)
    cv.p("")
    cv.p("Experience", bold=True, size=13)
    cv.p("since 04/2019  Store manager, H&O, Grand Kenyon Be'er Sheva – team of 14, monthly targets")
    cv.p("2015-2019  Career break (caring for a family member)")
    cv.p("2009-2015  Branch manager, Castro, Kiryat Gat")
    cv.p("2004-2009  Shift manager, Fox, Be'er Sheva")
    cv.p("1994-1996  Military service, Southern Command – clerk")
    cv.p("")
    cv.p("Education", bold=True, size=13)
    cv.p("1994  Full matriculation certificate (Bagrut), Makif Gimel High School, Be'er Sheva")
    cv.p("2008  Store management course, Israel Retail Association (3 months)")
    cv.p("")
    cv.p("Languages: Hebrew (native), English (good), French (good)")
    return "Orit Azulay"


CVS = [v01, v02, v03, v04, v05, v06, v07, v08, v09, v10, v11, v12,
       v13, v14, v15, v16, v17, v18, v19, v20, v21, v22, v23, v24]


def build(out_dir: Path = OUT) -> list[Path]:
    """Write every CV into ``out_dir``; returns the paths written (v01.docx … v24.docx)."""
    written = []
    for fn in CVS:
        cv = CV()
        author = fn(cv)
        written.append(cv.save(Path(out_dir) / f"{fn.__name__}.docx", author))
    return written


if __name__ == "__main__":
    dest = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    for p in build(dest):
        print(p)
