"""Write the 24 synthetic Word CVs of the split ``dev4w`` (issue 11; held out as ``test4w`` in round 5).

Run: ``.venv/bin/python benchmarks/make_synthetic_cvs.py [--out benchmarks/labels/synthetic_cv]``.

Each CV is its own (fictional) person with its own facts, written the way people outside the US write CVs in Word:
mostly Israeli (some of them immigrants from Russia/Ukraine), a few Indian and European ones. The *forms* vary on
purpose: contact blocks in a table, in the page header or footer, in a text box, in a two-column "sidebar" table, on
one line with separators, or as a bare town line; dates as month names, abbreviations, ``MM/YYYY``, ``MM.YYYY``,
year-only, "since 03/2019", right-aligned in a tab column, below the title, in reverse and chronological order.
Labels are in ``benchmarks/labels/resume_fields_dev4w.jsonl`` (split ``dev4w``, ``as_of`` 2023-01-01).

The files are written deterministically (fixed core properties, fixed zip timestamps), so re-running the script
reproduces them byte for byte. Names, phone numbers, addresses and most employers are invented.
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import sys
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_TAB_ALIGNMENT
from docx.oxml import parse_xml
from docx.shared import Cm, Pt, RGBColor

from index.atomic import write_bytes_atomic

sys.path.insert(0, str(Path(__file__).parent))
from _common import fixed_zip  # noqa: E402

HERE = Path(__file__).resolve().parent
OUT = HERE / "labels" / "synthetic_cv"
FIXED = dt.datetime(2023, 1, 1, 0, 0, 0)
RIGHT = Cm(17.0)  # right edge of the text on A4 with 2 cm margins

# ---------------------------------------------------------------------------------------------------------------
# small helpers


def new_doc(font: str = "Calibri", size: float = 10.5, margins_cm: float = 2.0) -> Document:
    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
    sec.left_margin = sec.right_margin = Cm(margins_cm)
    sec.top_margin = sec.bottom_margin = Cm(1.8)
    st = doc.styles["Normal"]
    st.font.name = font
    st.font.size = Pt(size)
    st.paragraph_format.space_after = Pt(2)
    cp = doc.core_properties
    cp.author = cp.last_modified_by = "synthetic"
    cp.title = "CV"
    cp.created = cp.modified = FIXED
    cp.revision = 1
    return doc


def para(where, text: str = "", bold: bool = False, italic: bool = False, size: float | None = None,
         align=None, color: str | None = None, space_after: float | None = None):
    p = where.add_paragraph()
    if text:
        r = p.add_run(text)
        r.bold, r.italic = bold, italic
        if size:
            r.font.size = Pt(size)
        if color:
            r.font.color.rgb = RGBColor.from_string(color)
    if align is not None:
        p.alignment = align
    if space_after is not None:
        p.paragraph_format.space_after = Pt(space_after)
    return p


def runs(where, *parts: tuple[str, str]):
    """One paragraph from (text, style) parts; style letters: b = bold, i = italic."""
    p = where.add_paragraph()
    for text, style in parts:
        r = p.add_run(text)
        r.bold, r.italic = "b" in style, "i" in style
    return p


def heading(where, text: str, caps: bool = True, size: float = 11.5, color: str = "1F3864", rule: bool = True):
    p = para(where, text.upper() if caps else text, bold=True, size=size, color=color, space_after=3)
    p.paragraph_format.space_before = Pt(8)
    if rule:  # a bottom border under the heading, as many CV templates draw
        ppr = p._p.get_or_add_pPr()
        ppr.append(parse_xml(
            '<w:pBdr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            '<w:bottom w:val="single" w:sz="6" w:space="1" w:color="1F3864"/></w:pBdr>'))
    return p


def tab_line(where, left: str, right: str, bold_left: bool = True, italic_right: bool = False):
    """``left<TAB>right`` with a right-aligned tab stop at the right margin (the dates column)."""
    p = where.add_paragraph()
    p.paragraph_format.tab_stops.add_tab_stop(RIGHT, WD_TAB_ALIGNMENT.RIGHT)
    r = p.add_run(left)
    r.bold = bold_left
    r2 = p.add_run("\t" + right)
    r2.italic = italic_right
    return p


def bullet(where, text: str):
    p = where.add_paragraph(style="List Bullet")
    p.add_run(text)
    return p


def lines_in_one(where, lines: list[str], align=None, bold_first: bool = False):
    """Several lines in ONE paragraph separated by manual line breaks (Shift+Enter)."""
    p = where.add_paragraph()
    for i, line in enumerate(lines):
        r = p.add_run(line)
        r.bold = bold_first and i == 0
        if i < len(lines) - 1:
            r.add_break(WD_BREAK.LINE)
    if align is not None:
        p.alignment = align
    return p


def shade(cell, fill: str) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    tcpr.append(parse_xml(f'<w:shd xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
                          f'w:val="clear" w:color="auto" w:fill="{fill}"/>'))


def cell_width(cell, cm: float) -> None:
    cell.width = Cm(cm)


def no_borders(table) -> None:
    tblpr = table._tbl.tblPr
    tblpr.append(parse_xml(
        '<w:tblBorders xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        + "".join(f'<w:{s} w:val="nil"/>' for s in ("top", "left", "bottom", "right", "insideH", "insideV"))
        + "</w:tblBorders>"))


def clear_cell(cell):
    """A new table cell holds one empty paragraph; drop it so the content starts at the top."""
    p = cell.paragraphs[0]
    p._p.getparent().remove(p._p)
    return cell


_TB_COUNTER = [0]


def _txbx_paragraphs(lines: list[str]) -> str:
    out = []
    for i, line in enumerate(lines):
        b = "<w:rPr><w:b/></w:rPr>" if i == 0 else ""
        out.append(f'<w:p><w:r>{b}<w:t xml:space="preserve">{_esc(line)}</w:t></w:r></w:p>')
    return "".join(out)


def _esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def textbox(paragraph, lines: list[str], vml_only: bool = False, x_cm: float = 11.0, w_cm: float = 6.0,
            h_cm: float = 3.0) -> None:
    """A floating text box anchored in ``paragraph``: DrawingML with the VML fallback Word writes beside it, or
    (``vml_only``) the legacy VML shape older Word versions write."""
    _TB_COUNTER[0] += 1
    n = _TB_COUNTER[0]
    body = _txbx_paragraphs(lines)
    vml = (f'<w:pict><v:shape id="TextBox{n}" o:spid="_x0000_s10{n:02d}" type="#_x0000_t202" '
           f'style="position:absolute;margin-left:{x_cm * 28.35:.0f}pt;margin-top:0;width:{w_cm * 28.35:.0f}pt;'
           f'height:{h_cm * 28.35:.0f}pt;z-index:{n}" stroked="f"><v:textbox>'
           f'<w:txbxContent>{body}</w:txbxContent></v:textbox></v:shape></w:pict>')
    ns = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
          'xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
          'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
          'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
          'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
          'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"')
    if vml_only:
        run = parse_xml(f"<w:r {ns}>{vml}</w:r>")
    else:
        emu = 360000  # EMU per cm
        drawing = (
            f'<w:drawing><wp:anchor distT="0" distB="0" distL="114300" distR="114300" simplePos="0" '
            f'relativeHeight="{251659264 + n}" behindDoc="0" locked="0" layoutInCell="1" allowOverlap="1">'
            f'<wp:simplePos x="0" y="0"/>'
            f'<wp:positionH relativeFrom="column"><wp:posOffset>{int(x_cm * emu)}</wp:posOffset></wp:positionH>'
            f'<wp:positionV relativeFrom="paragraph"><wp:posOffset>0</wp:posOffset></wp:positionV>'
            f'<wp:extent cx="{int(w_cm * emu)}" cy="{int(h_cm * emu)}"/><wp:effectExtent l="0" t="0" r="0" b="0"/>'
            f'<wp:wrapSquare wrapText="bothSides"/><wp:docPr id="{n}" name="Text Box {n}"/>'
            f'<wp:cNvGraphicFramePr/>'
            f'<a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
            f'<wps:wsp><wps:cNvSpPr txBox="1"/><wps:spPr><a:xfrm><a:off x="0" y="0"/>'
            f'<a:ext cx="{int(w_cm * emu)}" cy="{int(h_cm * emu)}"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/>'
            f'</a:prstGeom><a:noFill/><a:ln><a:noFill/></a:ln></wps:spPr>'
            f'<wps:txbx><w:txbxContent>{body}</w:txbxContent></wps:txbx>'
            f'<wps:bodyPr rot="0" vert="horz" wrap="square" anchor="t"><a:noAutofit/></wps:bodyPr></wps:wsp>'
            f'</a:graphicData></a:graphic></wp:anchor></w:drawing>')
        run = parse_xml(f'<w:r {ns}><mc:AlternateContent><mc:Choice Requires="wps">{drawing}</mc:Choice>'
                        f'<mc:Fallback>{vml}</mc:Fallback></mc:AlternateContent></w:r>')
    paragraph._p.append(run)


def save(doc: Document, path: Path) -> None:
    """Save with fixed zip timestamps so the bytes do not depend on when the script ran."""
    buf = io.BytesIO()
    doc.save(buf)
    write_bytes_atomic(path, fixed_zip(buf.getvalue(), (2023, 1, 1, 0, 0, 0)))


# ---------------------------------------------------------------------------------------------------------------
# the CVs (one function per person)


def w01() -> Document:
    """Israeli QA lead; contact block in a 2x2 table; abbreviated months in a right tab column; year-only army."""
    doc = new_doc()
    para(doc, "Noa Levi-Katz", bold=True, size=20, color="2E4057")
    para(doc, "QA Team Lead | Test Automation", italic=True, size=12)
    t = doc.add_table(rows=2, cols=2)
    t.style = "Table Grid"
    vals = [["Phone: 052-555-0147", "Email: noa.levikatz@example.com"],
            ["Address: Ra'anana", "LinkedIn: linkedin.com/in/noa-levikatz"]]
    for i in range(2):
        for j in range(2):
            t.cell(i, j).text = vals[i][j]
    heading(doc, "Professional Experience")
    tab_line(doc, "QA Team Lead — Lumeris Ltd., Herzliya", "Mar 2019 – Present")
    bullet(doc, "Lead a team of 6 QA engineers (manual and automation) for a B2B payments platform.")
    bullet(doc, "Built the Selenium/pytest regression suite that cut release testing from 5 days to 1.")
    tab_line(doc, "QA Engineer — Tavor Systems, Petah Tikva", "Aug 2016 – Feb 2019")
    bullet(doc, "Functional, API and load testing of a medical imaging workstation; Jira, Postman, JMeter.")
    tab_line(doc, "Lab Assistant (part-time, during studies) — Ort Braude College, Karmiel", "2014 – 2016")
    bullet(doc, "Prepared and ran the quality-engineering laboratory sessions for first-year students.")
    heading(doc, "Military Service")
    para(doc, "IDF, 2008 – 2010 — Operations sergeant, Home Front Command.")
    heading(doc, "Education")
    tab_line(doc, "B.Sc. Industrial Engineering and Management — Ort Braude College, Karmiel", "2012 – 2016")
    heading(doc, "Certifications")
    para(doc, "ISTQB Certified Tester, Foundation Level (2017)")
    heading(doc, "Languages")
    para(doc, "Hebrew — native; English — fluent")
    return doc


def w02() -> Document:
    """Israeli data analyst; contact on one line with '|' in the page header; MM/YYYY and 'Today'; M.Sc. expected."""
    doc = new_doc(font="Arial", size=10)
    hp = doc.sections[0].header.paragraphs[0]
    hp.text = "Kfar Saba | 054-555-0193 | daniel.avrahami@example.com | linkedin.com/in/davrahami"
    hp.alignment = WD_ALIGN_PARAGRAPH.CENTER
    para(doc, "DANIEL AVRAHAMI", bold=True, size=18, align=WD_ALIGN_PARAGRAPH.CENTER)
    para(doc, "Data Analyst — SQL, Python, Tableau", align=WD_ALIGN_PARAGRAPH.CENTER)
    heading(doc, "Experience", rule=False)
    runs(doc, ("Senior Data Analyst", "b"), (", Meitav Insurance Group, Tel Aviv   ", ""), ("01/2019 – Today", "i"))
    bullet(doc, "Own the claims-fraud dashboards; models in Python (pandas, scikit-learn) used by 40 adjusters.")
    runs(doc, ("Data Analyst", "b"), (", First Coastal Bank, Tel Aviv   ", ""), ("07/2016 – 12/2018", "i"))
    bullet(doc, "Monthly credit-risk reporting in SQL Server and Excel VBA.")
    heading(doc, "Military Service", rule=False)
    para(doc, "IDF, 2009 – 2012 — Intelligence analyst, Intelligence Corps (honourable discharge, rank: Staff Sergeant)")
    heading(doc, "Education", rule=False)
    para(doc, "M.Sc. Data Science, Technion – Israel Institute of Technology — in progress, expected 2024")
    para(doc, "B.A. Economics and Management, Tel Aviv University, 2013 – 2016 (graduated with distinction)")
    heading(doc, "Courses", rule=False)
    para(doc, "Machine Learning (Coursera / Stanford Online), 2017")
    para(doc, "Languages: Hebrew (native), English (very good)")
    return doc


def w03() -> Document:
    """Israeli HW engineer; contact in a DrawingML text box; chronological order; year-only dates in a tab column."""
    doc = new_doc()
    p = para(doc, "Eitan Shapira", bold=True, size=22)
    textbox(p, ["Contact details", "Residence: Be'er Sheva", "Tel: 050-555-0128", "eitan.shapira@example.com"])
    para(doc, "Hardware Design Engineer (M.Sc.)", size=12)
    para(doc, "")
    heading(doc, "Education")
    tab_line(doc, "B.Sc. Electrical and Computer Engineering, Ben-Gurion University of the Negev", "2010 – 2014")
    tab_line(doc, "M.Sc. Electrical and Computer Engineering, Ben-Gurion University of the Negev", "2014 – 2017")
    para(doc, "Thesis: Low-power clock distribution for SoC designs (advisor: Prof. R. Amar)", italic=True)
    heading(doc, "Professional Experience (chronological)")
    tab_line(doc, "Teaching Assistant, Dept. of Electrical and Computer Engineering, BGU", "2014 – 2017")
    para(doc, "Digital electronics and VLSI labs; graded exercises for 120 students per semester.")
    tab_line(doc, "Hardware Design Engineer, Elbit Systems, Be'er Sheva", "2017 – 2020")
    para(doc, "Board-level design of RF receivers, schematic capture in OrCAD, bring-up and EMC testing.")
    tab_line(doc, "Senior Hardware Engineer, Negev Cyber Systems Ltd., Gav-Yam Negev Park", "2020 – Present")
    para(doc, "FPGA boards (Xilinx UltraScale), high-speed interfaces (PCIe, DDR4), team of 3 engineers.")
    heading(doc, "Military Service")
    tab_line(doc, "IDF — Communications technician, C4I Corps", "2006 – 2009", bold_left=False)
    heading(doc, "Skills")
    para(doc, "OrCAD, Altium, VHDL, Verilog, MATLAB, Python; Hebrew and English")
    return doc


def w04() -> Document:
    """Ukrainian-born designer in Israel; sidebar two-column table; MM.YYYY dates; CIS Specialist degree."""
    doc = new_doc(size=10)
    t = doc.add_table(rows=1, cols=2)
    no_borders(t)
    left, right = (clear_cell(c) for c in t.rows[0].cells)
    cell_width(left, 5.5)
    cell_width(right, 11.5)
    shade(left, "DCE6F0")
    for txt, b in [("CONTACT", True), ("Ashdod, Israel", False), ("+972-53-555-0177", False),
                   ("olga.petrenko@example.com", False), ("", False), ("LANGUAGES", True), ("Russian – native", False),
                   ("Ukrainian – native", False), ("Hebrew – good", False), ("English – good", False), ("", False),
                   ("SOFTWARE", True), ("SolidWorks, AutoCAD, Autodesk Inventor, ERP Priority", False)]:
        para(left, txt, bold=b)
    para(right, "OLGA PETRENKO", bold=True, size=18)
    para(right, "Mechanical Designer", size=12, color="444444")
    heading(right, "Work experience")
    for dates, title, org, what in [
        ("09.2017 – now", "Mechanical Designer", "Tamar Precision Ltd., Yavne",
         "Design of jigs and fixtures for the aerospace line; drawings to ASME Y14.5."),
        ("11.2014 – 08.2017", "CNC Operator", "Ashdod Metalworks, Ashdod",
         "Setting and operating Haas 5-axis machines; first-article inspection."),
        ("09.2006 – 03.2014", "Design Engineer", "Turboatom, Kharkiv, Ukraine",
         "Steam turbine casings and diaphragms; calculations and working drawings."),
    ]:
        runs(right, (dates + "   ", "b"), (title, "b"), (" | " + org, ""))
        para(right, what)
    heading(right, "Education")
    runs(right, ("09.2001 – 06.2006   ", "b"),
         ("Specialist degree (Engineer), Mechanical Engineering — National Technical University "
          "\"Kharkiv Polytechnic Institute\", Ukraine", ""))
    runs(right, ("2014   ", "b"), ("Hebrew Ulpan, Ashdod", ""))
    heading(right, "Certificates")
    para(right, "CSWA – Certified SolidWorks Associate (Dassault Systèmes), 2016")
    para(doc, "")  # Word always keeps a paragraph after a table that ends the body
    return doc


def w05() -> Document:
    """Indian software engineer; address line with PIN code; experience and education in grid tables."""
    doc = new_doc(font="Times New Roman", size=11)
    para(doc, "RAHUL SHARMA", bold=True, size=16)
    para(doc, "Address: #12, 4th Cross, Koramangala 5th Block, Bengaluru – 560095, Karnataka")
    para(doc, "Mobile: +91 98450 55501 | E-mail: rahul.sharma@example.com")
    heading(doc, "Career Objective", color="000000")
    para(doc, "To work in a challenging environment where I can use my skills in Java and cloud architecture for the "
              "growth of the organisation.")
    heading(doc, "Professional Summary", color="000000")
    bullet(doc, "11+ years of experience in design and development of Java/J2EE and Spring Boot applications.")
    bullet(doc, "Experience in AWS (EC2, Lambda, RDS), Kafka, microservices and Agile delivery.")
    heading(doc, "Work Experience", color="000000")
    t = doc.add_table(rows=4, cols=3)
    t.style = "Table Grid"
    for i, row in enumerate([("Organisation", "Designation", "Duration"),
                             ("Accenture Solutions Pvt. Ltd., Bengaluru", "Tech Lead", "Apr 2018 – till date"),
                             ("Wipro Technologies, Bengaluru", "Senior Software Engineer", "Jul 2014 – Mar 2018"),
                             ("Infosys Ltd., Mysuru", "Systems Engineer", "Aug 2011 – Jun 2014")]):
        for j, v in enumerate(row):
            t.cell(i, j).text = v
    heading(doc, "Educational Qualification", color="000000")
    t = doc.add_table(rows=5, cols=4)
    t.style = "Table Grid"
    for i, row in enumerate([("Qualification", "Institute / Board", "Year", "Score"),
                             ("M.Tech (Software Engineering)", "IIIT Bangalore", "Pursuing (expected 2024)", "–"),
                             ("B.E. (Computer Science)", "Visvesvaraya Technological University", "2011", "72%"),
                             ("Class XII", "Karnataka PU Board", "2007", "85%"),
                             ("Class X", "CBSE", "2005", "88%")]):
        for j, v in enumerate(row):
            t.cell(i, j).text = v
    heading(doc, "Certifications", color="000000")
    bullet(doc, "AWS Certified Solutions Architect – Associate (2020)")
    heading(doc, "Personal Details", color="000000")
    para(doc, "Date of Birth: 14-03-1989")
    para(doc, "Languages Known: English, Hindi, Kannada")
    heading(doc, "Declaration", color="000000")
    para(doc, "I hereby declare that the above information is true to the best of my knowledge.")
    para(doc, "Place: Bengaluru")
    para(doc, "Date:")
    return doc


def _europass_rows(where, rows: list[tuple[str, str]], left_cm: float = 4.5):
    t = where.add_table(rows=len(rows), cols=2)
    no_borders(t)
    for i, (a, b) in enumerate(rows):
        c0, c1 = t.cell(i, 0), t.cell(i, 1)
        cell_width(c0, left_cm)
        cell_width(c1, 17.0 - left_cm)
        c0.text = a
        c0.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
        lines = b.split("\n")
        c1.text = lines[0]
        c1.paragraphs[0].runs[0].bold = True
        for extra in lines[1:]:
            para(c1, extra)
    return t


def w06() -> Document:
    """German engineer; Europass-like two-column tables (dates left); Werkstudent job; internship."""
    doc = new_doc(font="Arial", size=10)
    para(doc, "Curriculum Vitae", size=9, color="777777")
    para(doc, "Katrin Müller", bold=True, size=18)
    heading(doc, "Personal information", caps=False)
    _europass_rows(doc, [("Address", "Leopoldstraße 12, 80802 München, Germany"),
                         ("Telephone", "+49 151 5550 1234"),
                         ("E-mail", "katrin.mueller@example.com"),
                         ("Nationality", "German")])
    heading(doc, "Work experience", caps=False)
    _europass_rows(doc, [
        ("07/2015 – today", "Project Engineer, Siemens Mobility GmbH, Erlangen\n"
                            "Bogie projects for regional trains; planning, suppliers, homologation."),
        ("11/2010 – 06/2015", "Development Engineer, powertrain, BMW AG, Munich\n"
                              "Transmission mounts; FEM (Abaqus), test-bench validation."),
        ("04/2008 – 09/2010", "Working student (Werkstudentin, 15 h/week), MAN Truck & Bus AG, Munich\n"
                              "CAD support (CATIA V5) for the chassis department."),
        ("03/2007 – 08/2007", "Internship (Praktikum), Robert Bosch GmbH, Stuttgart\n"
                              "Mandatory basic internship in production."),
    ])
    heading(doc, "Education and training", caps=False)
    _europass_rows(doc, [
        ("10/2008 – 09/2010", "Master of Science (M.Sc.) in Mechanical Engineering\nTechnische Universität München"),
        ("10/2005 – 09/2008", "Bachelor of Science (B.Sc.) in Mechanical Engineering\nTechnische Universität München"),
        ("2005", "Abitur\nGymnasium Fürstenried, München"),
    ])
    heading(doc, "Certificates", caps=False)
    _europass_rows(doc, [("2019", "Project Management Professional (PMP)®, Project Management Institute")])
    heading(doc, "Languages", caps=False)
    _europass_rows(doc, [("Mother tongue", "German"), ("Other", "English (C1), French (B1)")])
    return doc


def w07() -> Document:
    """Israeli chemist; labels with a Hebrew name field and 'Lives in'; PhD; TA during PhD; postdoc."""
    doc = new_doc(font="David", size=11)
    para(doc, "Curriculum Vitae", bold=True, size=16, align=WD_ALIGN_PARAGRAPH.CENTER)
    for label, value in [("Name:", "Yael Cohen"), ("שם:", "יעל כהן"), ("Lives in:", "Haifa (Neve Sha'anan)"),
                         ("Phone:", "054-555-0166"), ("Email:", "yael.cohen@example.com")]:
        runs(doc, (label + " ", "b"), (value, ""))
    heading(doc, "Academic Positions and Employment")
    runs(doc, ("Postdoctoral Researcher", "b"), (", Schulich Faculty of Chemistry, Technion, Haifa — ", ""),
         ("October 2020 – present", "i"))
    para(doc, "Group of Prof. A. Ben-Ami: metal-organic frameworks for water harvesting.")
    runs(doc, ("Teaching Assistant", "b"), (" (General Chemistry laboratory), Technion — ", ""), ("2016 – 2020", "i"))
    heading(doc, "Education")
    para(doc, "Ph.D. in Chemistry, Technion – Israel Institute of Technology, 2015 – 2020 (degree awarded September 2020)")
    para(doc, "M.Sc. in Chemistry (direct track), Technion, 2013 – 2015")
    para(doc, "B.Sc. in Chemistry, University of Haifa, 2010 – 2013")
    heading(doc, "Military Service")
    para(doc, "IDF, 2008 – 2010 — Education NCO")
    heading(doc, "Awards")
    para(doc, "Excellence in Teaching Award, Technion, 2018; Jacobs Graduate Fellowship, 2016")
    heading(doc, "Publications")
    para(doc, "7 peer-reviewed papers (2 as first author), list on request.")
    return doc


def w08() -> Document:
    """Israeli developer with NO location; dates below each title; freelance; bootcamp; volunteering."""
    doc = new_doc(font="Segoe UI", size=10)
    para(doc, "Amit Ben-David", bold=True, size=20)
    para(doc, "Full-Stack Developer · React · Node.js · TypeScript")
    para(doc, "amit.bendavid@example.com • +972-50-555-0101 • github.com/amitbd")
    heading(doc, "Experience", caps=False)
    for title, where, dates, what in [
        ("Senior Frontend Developer", "Pixelwave, Tel Aviv", "Nov 2021 – Present",
         "Design system in React/TypeScript used by 4 product teams."),
        ("Frontend Developer", "Shuk Online Ltd., Tel Aviv", "Jan 2020 – Oct 2021",
         "E-commerce storefront; performance work (LCP 4.1 s → 1.6 s)."),
        ("Freelance Full-Stack Developer", "Self-employed", "2019 – 2020",
         "Websites and small web apps for local businesses (Node.js, MongoDB)."),
        ("Shift Manager (part-time, during studies)", "Aroma Espresso Bar, Jerusalem", "2014 – 2017",
         "Managed shifts of 8 employees."),
    ]:
        para(doc, title, bold=True, space_after=0)
        para(doc, where, space_after=0)
        para(doc, dates, italic=True, color="666666", space_after=0)
        bullet(doc, what)
    heading(doc, "Military Service", caps=False)
    para(doc, "IDF 2010 – 2013 — Combat soldier, Golani Brigade")
    heading(doc, "Education", caps=False)
    para(doc, "B.A. Psychology and Sociology, The Open University of Israel, 2017")
    para(doc, "Full-Stack Web Development Bootcamp, Coding Academy, Tel Aviv, 2019 (640 hours)")
    heading(doc, "Volunteering", caps=False)
    para(doc, "Mentor, Code for Israel (volunteer), 2021 – Present")
    return doc


def w09() -> Document:
    """Israeli marketer; contact line naming only the country; full month names in a tab column; MBA."""
    doc = new_doc(font="Georgia", size=10.5)
    para(doc, "Dana Friedman", bold=True, size=20)
    para(doc, "+972-52-555-0139  •  dana.friedman@example.com  •  Israel", color="555555")
    heading(doc, "Summary", caps=False, rule=False)
    para(doc, "B2B marketing leader: demand generation, product marketing and brand for SaaS and FMCG.")
    heading(doc, "Experience", caps=False, rule=False)
    tab_line(doc, "Head of Marketing, Orbitly (B2B SaaS)", "June 2019 – Present")
    tab_line(doc, "Marketing Manager, Galil Foods Ltd.", "September 2014 – May 2019")
    tab_line(doc, "Marketing Coordinator, Keshet Media Group", "June 2011 – August 2014")
    heading(doc, "Military Service", caps=False, rule=False)
    para(doc, "Israel Defense Forces — Spokesperson's Unit, 2005 – 2007")
    heading(doc, "Education", caps=False, rule=False)
    tab_line(doc, "MBA, Bar-Ilan University", "2016 – 2018")
    tab_line(doc, "B.A. Communication and Business, Reichman University (IDC Herzliya)", "2008 – 2011")
    heading(doc, "Skills", caps=False, rule=False)
    para(doc, "HubSpot, Salesforce, Google Ads, Hebrew (native), English (native level)")
    return doc


def w10() -> Document:
    """Israeli technician; contact in a one-row 3-cell table; year-first lines; Practical Engineer (Handesai)."""
    doc = new_doc()
    para(doc, "Yossi Mizrahi", bold=True, size=18, align=WD_ALIGN_PARAGRAPH.CENTER)
    t = doc.add_table(rows=1, cols=3)
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    for c, v in zip(t.rows[0].cells, ["Address: Herzl 5, Kiryat Motzkin", "Mobile: 050-555-0183",
                                      "yossi.mizrahi@example.com"], strict=True):
        c.text = v
    heading(doc, "Work Experience")
    para(doc, "2016 – today: Field Service Engineer, KLA Israel, Migdal HaEmek — installation and repair of "
              "wafer-inspection systems at customer fabs.")
    para(doc, "2011 – 2016: Electronics Technician, Rafael Advanced Defense Systems, Haifa — testing and "
              "troubleshooting of RF modules.")
    para(doc, "2008 – 2011: IDF – Avionics technician, Israeli Air Force (Ramat David base).")
    heading(doc, "Education")
    para(doc, "2006 – 2008: Practical Engineer (Handesai) in Electronics, ORT Braude College, Karmiel")
    para(doc, "2006: Full matriculation (Bagrut), ORT Kiryat Motzkin High School")
    heading(doc, "Certificates")
    para(doc, "IPC-A-610 Certified IPC Specialist (CIS), 2017")
    heading(doc, "Languages")
    para(doc, "Hebrew – mother tongue, English – good")
    return doc


def w11() -> Document:
    """Ukrainian-born accountant in Israel; city on the contact line; MM.YYYY below each title; 'till now'."""
    doc = new_doc(font="Cambria", size=10.5)
    para(doc, "Svetlana Kravets", bold=True, size=18, align=WD_ALIGN_PARAGRAPH.CENTER)
    para(doc, "Netanya, Israel | 053-555-0112 | svetlana.kravets@example.com", align=WD_ALIGN_PARAGRAPH.CENTER)
    heading(doc, "Work Experience")
    for title, org, dates in [("Senior Accountant", "Sharon Logistics Ltd., Netanya", "03.2016 – till now"),
                              ("Bookkeeper", "Even Accounting Office, Kfar Yona", "05.2012 – 02.2016"),
                              ("Accountant", "Naftogaz of Ukraine, Kyiv", "08.2003 – 12.2010")]:
        para(doc, title, bold=True, space_after=0)
        para(doc, org, space_after=0)
        para(doc, dates, italic=True)
    heading(doc, "Education")
    para(doc, "Master's degree in Economics (Accounting and Audit), Kyiv National Economic University, "
              "09.1998 – 06.2003")
    para(doc, "Hebrew Ulpan, Netanya, 2011")
    heading(doc, "Professional Certification")
    para(doc, "Certified Bookkeeper, Grade 3 (Israeli Bookkeepers' Council), 2012")
    heading(doc, "Computer Skills")
    para(doc, "Priority, Hashavshevet, Excel (advanced), 1C")
    return doc


def w12() -> Document:
    """Indian test engineer; Present vs Permanent address in a personal-details table at the END."""
    doc = new_doc(font="Calibri", size=11)
    para(doc, "PRIYA NAIR", bold=True, size=16)
    para(doc, "Mobile: +91 98470 55523 | Email: priya.nair@example.com")
    heading(doc, "Profile", color="000000")
    para(doc, "Test automation engineer (Selenium, Java, Rest Assured) in banking and insurance domains.")
    heading(doc, "Experience", color="000000")
    para(doc, "Capgemini Technology Services India Ltd., Pune — Senior Analyst (Test Automation) — Dec 2018 – to date",
         bold=True)
    bullet(doc, "Automation framework for a UK insurer's policy portal; CI in Jenkins.")
    para(doc, "Tata Consultancy Services, Chennai — Assistant System Engineer — 15th July 2015 to 30th Nov 2018",
         bold=True)
    bullet(doc, "Manual and automated testing for a core banking product.")
    heading(doc, "Education", color="000000")
    bullet(doc, "MCA — Cochin University of Science and Technology (CUSAT), Kochi — 2015 — CGPA 8.1")
    bullet(doc, "BCA — University of Calicut — 2012 — 78%")
    bullet(doc, "Higher Secondary (XII) — Kerala State Board — 2009 — 88%")
    heading(doc, "Certification", color="000000")
    bullet(doc, "ISTQB Certified Tester Foundation Level (CTFL), 2016")
    heading(doc, "Personal Details", color="000000")
    t = doc.add_table(rows=4, cols=2)
    for i, (a, b) in enumerate([("Date of Birth", "22 May 1992"),
                                ("Present Address", "Flat 304, Green Meadows, Hinjewadi Phase 1, Pune, "
                                                    "Maharashtra – 411057"),
                                ("Permanent Address", "Nair House, Ollur, Thrissur, Kerala – 680306"),
                                ("Languages Known", "English, Malayalam, Hindi")]):
        t.cell(i, 0).text, t.cell(i, 1).text = a, b
    return doc


def w13() -> Document:
    """Israeli product manager; 'Location:' with tabs in the page header; overlapping jobs; reserve duty."""
    doc = new_doc()
    hp = doc.sections[0].header.paragraphs[0]
    hp.paragraph_format.tab_stops.add_tab_stop(Cm(8.5), WD_TAB_ALIGNMENT.CENTER)
    hp.paragraph_format.tab_stops.add_tab_stop(RIGHT, WD_TAB_ALIGNMENT.RIGHT)
    hp.text = "Location: Modi'in\t054-555-0108\tgil.oren@example.com"
    para(doc, "Gil Oren", bold=True, size=20)
    para(doc, "Product Manager — B2B SaaS, data products")
    heading(doc, "Experience")
    for title, dates, what in [
        ("Product Manager, Cloudway Ltd., Petah Tikva", "03/2018 – present",
         "Own the analytics product line (ARR $12M); roadmap, discovery, pricing."),
        ("Product Advisor (part-time, alongside Cloudway), HealthNest (startup)", "06/2020 – 12/2021",
         "Advised the founders on MVP scope and first enterprise pilots."),
        ("Software Developer, Matrix Global, Or Yehuda", "09/2014 – 04/2018",
         "Backend services in C# and SQL Server for insurance clients."),
        ("Software Developer (student position), Hebrew University Computing Authority", "10/2011 – 08/2014",
         "Internal web tools, 20 hours a week during the degree."),
    ]:
        tab_line(doc, title, dates)
        bullet(doc, what)
    heading(doc, "Military Service")
    tab_line(doc, "IDF — Combat Engineering Corps, Sergeant", "Aug 2007 – Aug 2010", bold_left=False)
    para(doc, "Reserve duty (Combat Engineering): ongoing")
    heading(doc, "Education")
    tab_line(doc, "B.Sc. Computer Science, The Hebrew University of Jerusalem", "2011 – 2014", bold_left=False)
    heading(doc, "Certifications")
    para(doc, "Certified Scrum Product Owner (CSPO), Scrum Alliance, 2019")
    return doc


def w14() -> Document:
    """Israeli nurse; name left / contact right in a one-row table with line breaks; RN licence; volunteering."""
    doc = new_doc()
    t = doc.add_table(rows=1, cols=2)
    no_borders(t)
    a, b = t.rows[0].cells
    a.text = "RAMI HADDAD, RN"
    a.paragraphs[0].runs[0].bold = True
    a.paragraphs[0].runs[0].font.size = Pt(18)
    para(a, "Registered Nurse — Internal Medicine")
    clear_cell(b)
    lines_in_one(b, ["Nazareth", "052-555-0155", "rami.haddad@example.com"], align=WD_ALIGN_PARAGRAPH.RIGHT)
    heading(doc, "Professional Experience")
    tab_line(doc, "Registered Nurse, Internal Medicine B, Rambam Health Care Campus, Haifa", "2016 – present")
    bullet(doc, "Care for 34-bed ward; charge nurse on night shifts since 2019; preceptor for new nurses.")
    tab_line(doc, "Nursing Assistant (student job, 3 shifts/week), Nazareth Hospital EMMS", "2013 – 2016")
    heading(doc, "Volunteering")
    tab_line(doc, "Volunteer medic, Magen David Adom, Nazareth station", "2010 – 2013", bold_left=False)
    heading(doc, "Education")
    tab_line(doc, "B.Sc. Nursing, Max Stern Yezreel Valley College", "2012 – 2016", bold_left=False)
    heading(doc, "Licences & Certifications")
    bullet(doc, "Registered Nurse licence, Israel Ministry of Health (no. 123456), 2016")
    bullet(doc, "ACLS Provider (Israel Heart Society), 2021")
    heading(doc, "Languages")
    para(doc, "Arabic (native), Hebrew (fluent), English (good)")
    return doc


def w15() -> Document:
    """Israeli student; one line with bullets; B.Sc. expected 2023; student job; volunteering; army MM/YYYY."""
    doc = new_doc(font="Calibri", size=10.5)
    para(doc, "Shira Peretz", bold=True, size=20)
    para(doc, "Rishon LeZion • 050-555-0170 • shira.peretz@example.com • linkedin.com/in/shiraperetz")
    heading(doc, "Education", caps=False)
    runs(doc, ("B.Sc. Computer Science", "b"),
         (", College of Management Academic Studies, Rishon LeZion — 2020 – expected July 2023 (GPA 91)", ""))
    runs(doc, ("Full Bagrut (matriculation) with honours", "b"), (", Gymnasia Realit, Rishon LeZion — 2016", ""))
    heading(doc, "Experience", caps=False)
    tab_line(doc, "Junior Developer (student position, 24 h/week), Verint, Herzliya", "10/2021 – present")
    bullet(doc, "Python microservices and test automation for the speech-analytics team.")
    tab_line(doc, "Sales Associate, Fox Home, Rishon LeZion", "2019 – 2020")
    heading(doc, "Military Service", caps=False)
    tab_line(doc, "IDF — Instructor, Artillery Corps", "03/2016 – 03/2019", bold_left=False)
    heading(doc, "Volunteering", caps=False)
    para(doc, "Perach tutoring programme — volunteer mentor for a 5th-grade pupil, 2020 – 2022")
    heading(doc, "Skills", caps=False)
    para(doc, "Python, Java, C, SQL, Git, Docker; Hebrew (native), English (very good)")
    return doc


def w16() -> Document:
    """Polish developer; Europass tables; 'since 03/2019' (open start date); Polish degree names."""
    doc = new_doc(font="Arial", size=10)
    para(doc, "Europass Curriculum Vitae", size=9, color="777777")
    para(doc, "Piotr Kowalski", bold=True, size=18)
    heading(doc, "Personal information", caps=False)
    _europass_rows(doc, [("Address", "ul. Legnicka 55/12, 54-203 Wrocław, Poland"),
                         ("Mobile", "+48 601 555 012"),
                         ("E-mail", "piotr.kowalski@example.com")])
    heading(doc, "Work experience", caps=False)
    _europass_rows(doc, [
        ("since 03/2019", "Senior Java Developer, Nokia Solutions and Networks, Wrocław\n"
                          "5G network management software; Java 17, Spring, Kubernetes."),
        ("07/2014 – 02/2019", "Java Developer, Capgemini Polska, Kraków\n"
                              "Back-office systems for a Scandinavian bank."),
    ])
    heading(doc, "Education and training", caps=False)
    _europass_rows(doc, [
        ("2012 – 2014", "Master of Science in Engineering (magister inżynier), Computer Science\n"
                        "Wrocław University of Science and Technology"),
        ("2008 – 2012", "Bachelor of Engineering (inżynier), Computer Science\n"
                        "Wrocław University of Science and Technology"),
    ])
    heading(doc, "Certificates", caps=False)
    _europass_rows(doc, [("2020", "Oracle Certified Professional: Java SE 11 Developer")])
    heading(doc, "Languages", caps=False)
    _europass_rows(doc, [("Mother tongue", "Polish"), ("Other", "English (C1), German (A2)")])
    return doc


def w17() -> Document:
    """Russian-born physicist in Israel; contact in a legacy VML text box; Specialist diploma + Candidate of
    Sciences; retraining course after immigration (not work)."""
    doc = new_doc(font="Times New Roman", size=11)
    p = para(doc, "Dmitry Volkov, Ph.D.", bold=True, size=18)
    textbox(p, ["Dmitry Volkov", "Karmiel", "Tel. 054-555-0124", "d.volkov@example.com"], vml_only=True, x_cm=12.0)
    para(doc, "Physicist / Process Engineer (semiconductors, thin films)")
    para(doc, "")
    heading(doc, "Experience", color="000000")
    for dates, what in [
        ("Jul 2010 – Present", "Physicist / Process Engineer, Galil Photonics Ltd., Migdal HaEmek — deposition and "
                               "etch processes for photonic chips; yield improvement."),
        ("2009 – 2010", "Retraining course for immigrant scientists (Ministry of Aliyah and Integration), Haifa — "
                        "Hebrew and semiconductor technology."),
        ("2005 – 2008", "Research Fellow, Institute of Solid State Physics RAS, Chernogolovka, Russia."),
        ("2000 – 2005", "Junior Research Fellow, Institute of Solid State Physics RAS, Chernogolovka, Russia."),
    ]:
        p = doc.add_paragraph()
        p.paragraph_format.tab_stops.add_tab_stop(Cm(4.0))
        p.add_run(dates).bold = True
        p.add_run("\t" + what)
    heading(doc, "Education", color="000000")
    para(doc, "2000 – 2004  Candidate of Sciences in Physics and Mathematics (Ph.D. equivalent), Institute of "
              "Solid State Physics RAS")
    para(doc, "1995 – 2000  Moscow State University (Lomonosov), Faculty of Physics — Diploma of Specialist "
              "(Physicist), with honours")
    heading(doc, "Publications", color="000000")
    para(doc, "23 papers in refereed journals.")
    heading(doc, "Languages", color="000000")
    para(doc, "Russian – native, English – fluent, Hebrew – good")
    return doc


def w18() -> Document:
    """Indian automotive engineer; name left, address right in a 2-cell table; two roles at one employer;
    B.Tech over a diploma."""
    doc = new_doc(font="Calibri", size=10.5)
    t = doc.add_table(rows=1, cols=2)
    no_borders(t)
    a, b = t.rows[0].cells
    a.text = "ARUN KUMAR"
    a.paragraphs[0].runs[0].bold = True
    a.paragraphs[0].runs[0].font.size = Pt(18)
    para(a, "Quality Engineer – Automotive")
    clear_cell(b)
    for line in ["No. 14, 2nd Street, Anna Nagar West,", "Chennai – 600040, Tamil Nadu", "+91 94440 55519",
                 "arun.kumar@example.com"]:
        para(b, line, align=WD_ALIGN_PARAGRAPH.RIGHT, space_after=0)
    heading(doc, "Profile", color="000000")
    para(doc, "Mechanical engineer with over 10 years of experience in automotive manufacturing and supplier quality.")
    heading(doc, "Professional Experience", color="000000")
    para(doc, "Hyundai Motor India Ltd., Sriperumbudur | Senior Engineer – Quality | June 2016 – Present", bold=True)
    bullet(doc, "Supplier quality for body and trim parts; PPAP, 8D and APQP.")
    para(doc, "Ashok Leyland Ltd., Hosur", bold=True)
    bullet(doc, "Graduate Engineer Trainee (June 2012 – May 2013)")
    bullet(doc, "Engineer – Production, engine assembly (June 2013 – May 2016)")
    heading(doc, "Education", color="000000")
    bullet(doc, "B.Tech. (Mechanical Engineering), SRM Institute of Science and Technology, Chennai — 2012 — CGPA 8.2")
    bullet(doc, "Diploma in Mechanical Engineering (DME), Central Polytechnic College, Chennai — 2009 — 86%")
    heading(doc, "Certifications", color="000000")
    bullet(doc, "Certified Six Sigma Green Belt (CSSGB), ASQ, 2018")
    heading(doc, "Personal Details", color="000000")
    para(doc, "Languages: Tamil, English, Hindi | Marital status: Married")
    return doc


def w19() -> Document:
    """Israeli designer from a small town; bare town line (no label); dates below the title; freelance overlapping
    a part-time job."""
    doc = new_doc(font="Century Gothic", size=10)
    para(doc, "Michal Golan", bold=True, size=22)
    para(doc, "Zichron Ya'akov", space_after=0)
    para(doc, "052-555-0190 · michal@golan-design.example")
    heading(doc, "Experience", caps=False)
    for title, org, dates in [
        ("Freelance Graphic Designer & Illustrator", "Self-employed, clients in Israel and abroad", "2015 – present"),
        ("Designer (part-time, alongside freelance work)", "Studio Kav, Haifa", "2018 – 2020"),
        ("Art Director", "Adam & Kedem Advertising, Tel Aviv", "March 2010 – December 2014"),
    ]:
        para(doc, title, bold=True, space_after=0)
        para(doc, org, space_after=0)
        para(doc, dates, italic=True, color="888888")
    heading(doc, "Military Service", caps=False)
    para(doc, "IDF, 2004 – 2006 — Graphic designer, Education Corps")
    heading(doc, "Education", caps=False)
    para(doc, "B.Des. Visual Communication, Shenkar College of Engineering, Design and Art, Ramat Gan, 2006 – 2010")
    heading(doc, "Tools", caps=False)
    para(doc, "Illustrator, Photoshop, InDesign, Figma, After Effects")
    return doc


def w20() -> Document:
    """Israeli chip designer; 'Home:' label in a right-aligned block; employers in other cities; internship;
    career break."""
    doc = new_doc()
    para(doc, "Oren Katz", bold=True, size=20)
    for line in ["Home: Petah Tikva", "Mobile: 050-555-0162", "oren.katz@example.com"]:
        para(doc, line, align=WD_ALIGN_PARAGRAPH.RIGHT, space_after=0)
    heading(doc, "Experience")
    for left, right in [
        ("Senior Design Engineer, NVIDIA Israel, Yokneam", "01/2022 – Present"),
        ("Design Engineer, Mobileye, Jerusalem", "03/2018 – 12/2021"),
        ("Career break — travel in South America", "11/2017 – 02/2018"),
        ("Validation Engineer, Intel, Kiryat Gat", "07/2015 – 10/2017"),
        ("Student Intern, Intel, Haifa", "2013 – 2015"),
    ]:
        tab_line(doc, left, right)
    heading(doc, "Military Service")
    tab_line(doc, "IDF — Signal Corps", "2007 – 2010", bold_left=False)
    heading(doc, "Education")
    tab_line(doc, "B.Sc. Electrical and Electronics Engineering, Ariel University", "2011 – 2015", bold_left=False)
    heading(doc, "Skills")
    para(doc, "SystemVerilog, UVM, Python, Tcl, Synopsys and Cadence flows")
    return doc


def w21() -> Document:
    """Dutch HR partner; address in a table in the page header; year-only ranges; 'now'; student job."""
    doc = new_doc(font="Verdana", size=9.5)
    header = doc.sections[0].header
    header.paragraphs[0].text = ""
    ht = header.add_table(rows=1, cols=2, width=Cm(17))
    ht.cell(0, 0).text = "Sanne de Vries"
    ht.cell(0, 0).paragraphs[0].runs[0].bold = True
    ht.cell(0, 1).text = "Oudegracht 210, 3511 NR Utrecht, the Netherlands"
    para(ht.cell(0, 1), "+31 6 5550 1234 | sanne.devries@example.com")
    para(doc, "HR Business Partner", bold=True, size=14)
    heading(doc, "Work experience", caps=False)
    for dates, what in [("2019 – now", "HR Business Partner, Lindeboom Bank, Utrecht"),
                        ("2016 – 2019", "HR Advisor, Koster Retail B.V., Amsterdam"),
                        ("2014 – 2016", "Student assistant (8 h/week), Faculty of Social Sciences, Utrecht University")]:
        runs(doc, (dates + "   ", "b"), (what, ""))
    heading(doc, "Education", caps=False)
    runs(doc, ("2015 – 2016   ", "b"), ("MSc Work and Organisational Psychology, Utrecht University", ""))
    runs(doc, ("2011 – 2014   ", "b"), ("BSc Psychology, Utrecht University", ""))
    heading(doc, "Other activities", caps=False)
    runs(doc, ("2013 – 2014   ", "b"), ("Board member (treasurer), student association Psychologica", ""))
    heading(doc, "Languages", caps=False)
    para(doc, "Dutch (native), English (fluent), German (good)")
    return doc


def w22() -> Document:
    """Israeli DevOps engineer without a degree; tab-separated contact line; 'Now'; courses; two certifications."""
    doc = new_doc(font="Consolas", size=10)
    para(doc, "LIOR AZULAY — DevOps Engineer", bold=True, size=16)
    p = para(doc, "Herzliya\t050-555-0114\tlior.azulay@example.com")
    p.paragraph_format.tab_stops.add_tab_stop(Cm(5.0))
    p.paragraph_format.tab_stops.add_tab_stop(Cm(9.0))
    heading(doc, "Summary", rule=False)
    para(doc, "DevOps engineer: Kubernetes, Terraform, AWS, CI/CD. Started in IT support in the army.")
    heading(doc, "Experience", rule=False)
    for dates, what in [("2019 – Now", "Senior DevOps Engineer, Bluefin Cloud, Tel Aviv"),
                        ("2015 – 2019", "DevOps Engineer, Sapphire Insurance Software, Holon"),
                        ("2011 – 2015", "System Administrator, Netzer IT Services, Ra'anana"),
                        ("2008 – 2011", "IDF – Computer technician, MAMRAM (Center of Computing and Information "
                                        "Systems)")]:
        runs(doc, (dates + ": ", "b"), (what, ""))
    heading(doc, "Certifications", rule=False)
    bullet(doc, "Certified Kubernetes Administrator (CKA), CNCF, 2021")
    bullet(doc, "AWS Certified DevOps Engineer – Professional, 2020")
    heading(doc, "Education", rule=False)
    bullet(doc, "Full matriculation certificate (Bagrut), Herzliya Hebrew Gymnasium, 2008")
    bullet(doc, "DevOps Engineering course, John Bryce Training, 2014")
    bullet(doc, "Linux System Administration course, 2011")
    return doc


def w23() -> Document:
    """Israeli teacher in a small town; sidebar table with 'Residence:'; self-employed tutoring; M.Ed. in
    progress; teaching certificate."""
    doc = new_doc(size=10.5)
    t = doc.add_table(rows=1, cols=2)
    no_borders(t)
    left, right = (clear_cell(c) for c in t.rows[0].cells)
    cell_width(left, 5.0)
    cell_width(right, 12.0)
    shade(left, "EFEFEF")
    para(left, "TAMAR BITON", bold=True, size=15)
    for line in ["Residence: Sderot", "Phone: 052-555-0148", "tamar.biton@example.com", "", "Languages:",
                 "Hebrew – native", "English – very good", "French – basic", "", "Certificates:",
                 "Teaching certificate (Te'udat Hora'a), Israeli Ministry of Education, 2012"]:
        para(left, line)
    para(right, "Mathematics Teacher", bold=True, size=14)
    heading(right, "Experience")
    runs(right, ("Mathematics Teacher", "b"), (", Sha'ar HaNegev High School — 09/2012 – present", ""))
    bullet(right, "Teaching 5-unit mathematics for Bagrut; homeroom teacher since 2015.")
    runs(right, ("Private tutor (self-employed)", "b"), (", mathematics for high-school pupils — 2008 – 2012", ""))
    heading(right, "Education")
    para(right, "M.Ed. Educational Counselling, Achva Academic College — in progress (expected 2024)")
    para(right, "B.Ed. Mathematics Education, Sapir Academic College, 2008 – 2012")
    para(doc, "")  # Word always keeps a paragraph after a table that ends the body
    return doc


def w24() -> Document:
    """Russian-born team leader in Israel; contact only in the page FOOTER; chronological order; 'Today'; gap."""
    doc = new_doc(font="Calibri", size=11)
    fp = doc.sections[0].footer.paragraphs[0]
    fp.text = "Igor Smirnov · Bat Yam · 054-555-0131 · igor.smirnov@example.com"
    fp.alignment = WD_ALIGN_PARAGRAPH.CENTER
    para(doc, "Igor Smirnov", bold=True, size=20)
    para(doc, "Customer Success Team Leader")
    heading(doc, "Work experience (chronological)")
    for dates, what in [
        ("Sep 2008 – Jul 2011", "Sales Manager, Nevsky Trade LLC, St. Petersburg, Russia"),
        ("Nov. 2012 – Apr. 2016", "Customer Service Representative, Partner Communications, Rosh HaAyin"),
        ("May 2016 – Today", "Team Leader, Customer Success, Telnet Mobile, Holon (team of 12)"),
    ]:
        p = doc.add_paragraph()
        p.paragraph_format.tab_stops.add_tab_stop(Cm(4.5))
        p.add_run(dates).bold = True
        p.add_run("\t" + what)
    heading(doc, "Education")
    para(doc, "Bachelor's degree in Management, St. Petersburg State University of Economics, 2004 – 2008")
    para(doc, "Hebrew Ulpan Aleph, Bat Yam, 2012")
    heading(doc, "Languages")
    para(doc, "Russian – native; Hebrew – fluent; English – very good")
    return doc


CVS = {f"w{i:02d}": fn for i, fn in enumerate(
    [w01, w02, w03, w04, w05, w06, w07, w08, w09, w10, w11, w12,
     w13, w14, w15, w16, w17, w18, w19, w20, w21, w22, w23, w24], start=1)}


def build(out: Path = OUT) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    _TB_COUNTER[0] = 0
    paths = []
    for cid, fn in CVS.items():
        path = out / f"{cid}.docx"
        save(fn(), path)
        paths.append(path)
    return paths


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=OUT)
    a = ap.parse_args()
    for p in build(a.out):
        print(p)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
