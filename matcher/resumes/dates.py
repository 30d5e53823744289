"""Months of experience from employment date ranges (and a stated total as fallback).

Month arithmetic follows the labels README: months = (end y*12 + end m) - (start y*12 + start m);
month-less years run from January to January; "Present"/"Current"/"now"/"till date" = ``as_of``;
ranges are cut at ``as_of``; overlaps are merged.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from datetime import date

from matcher.resumes.sections import Line, heading_of

_MON = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10,
        "nov": 11, "dec": 12}
MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
         r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
_DATE = (rf"(?:(?:\d{{1,2}}(?:st|nd|rd|th)?\s+)?{MONTH}\.?,?(?:\s*['’]?\s*|-|/)(?:\d{{4}}|\d{{2}})(?!\d)"
         rf"|{MONTH}\.?\s+,\s*(?:19|20)\d{{2}}(?!\d)"  # "November , 2012"
         rf"|(?<!\d)(?:19|20)\d{{2}}\s*,?\s*{MONTH}\b"  # "2012 , November", "2012 November"
         r"|(?<![\d/])\d{1,2}\s*[/.-]\s*(?:\d{1,2}\s*[/.-]\s*)?(?:19|20)\d{2}(?!\d)"
         r"|(?<!\d)(?:19|20)\d{2}\s*(?:[/-]\s*|\.)\d{1,2}(?![\d/.])"
         r"|(?<![\d/.-])(?:19|20)\d{2}(?![\d/]))")
_PRESENT = (r"(?:present|current(?:ly)?(?:\s+working)?|(?:(?:till|until|up\s*to)\s*)?(?:now|today)|"
            r"till\s*(?:the\s*)?date|to\s*date|date|today|ongoing|(?:עד\s*)?(?:היום|כיום)|(?:по\s+)?настоящее\s+время|"
            r"continuing|cont(?=\s|$|\.)|the\s+present|nowadays)")
# a separator, or nothing when a year runs straight into the next month name ("Apr 2020Jun 2020")
_SEP = r"(?:\s*(?:-+>?|–|—|~|→|=>|to|till|until|through|thru)\s*|\s+|(?<=\d)(?=[A-Za-z]))"
RANGE = re.compile(rf"(?P<since>since\s+)?(?P<start>{_DATE}){_SEP}(?:to\s+)?(?:(?:till|until)\s+(?={_DATE}))?"
                   rf"(?P<end>{_PRESENT}\b|{_DATE}|(?<=[-–—])(?:19|20)\d{{2}}(?![\d/])|(?<=\d{{4}}[-–—])\d{{2}}(?![\d/]))", re.I)
_SINCE = re.compile(rf"\bsince\s+(?P<start>{_DATE})", re.I)

_STATED = [
    # "6 months experience", "six month experience in Data Science": months only (years are below)
    re.compile(r"(?<![\d.])(\d{1,2})()[ \t]*\+?[ \t]*months?(?![ \t]+old)[ \t]*(?:of[ \t]*)?(?:[A-Za-z&/-]+[ \t]+){0,2}?"
               r"(?:experience|exp\b)", re.I),
    re.compile(r"(?<![\d.])(\d{1,2}(?:\.\d{1,2})?)[ \t]*\+?[ \t]*(?:years?|yrs?)\.?(?:[ \t]*(?:and[ \t]*)?(\d{1,2})[ \t]*"
               r"months?)?(?![ \t]+old)[ \t]*(?:of[ \t]*)?(?:[A-Za-z&/-]+[ \t]+){0,4}?(?:experience|exp\b)", re.I),
    re.compile(r"\b(?:experience|(?<=total )exp\.?)\s*(?:of|:|-|is)?\s*(?:about|around|over|more than|nearly|approx\.?)?\s*"
               r"(\d{1,2}(?:\.\d{1,2})?)\s*\+?\s*(?:years?|yrs?)(?:\s*(?:and\s*)?(\d{1,2})\s*months?)?", re.I),
]
# a job explicitly labelled as an internship or volunteer work (the label rules exclude those)
_EXCLUDE_CONTEXT = re.compile(r"\b(intern|internship|volunteer(ed|ing)?|student\s+(senate|government|association)|"
                              r"competition|hackathon|olympiad)\b", re.I)
# a range next to these words is study, not employment
_INSTITUTION = r"university|institute|college|academy|school|faculty"
_STUDY = re.compile(rf"\b({_INSTITUTION}|universit\w+|bootcamp|course|courses|training program(me)?|diploma|degree|"
                    r"bachelor|master'?s?|b\.?\s?sc|m\.?\s?sc|b\.?\s?tech|m\.?\s?tech|mba|gpa|cgpa|graduat\w*|"
                    r"coursework|student)\b", re.I)
# words that make a dated line read as study even inside an experience section (a school as employer does not)
_DEGREE_WORDS = re.compile(r"\b(bachelor'?s?|master(?:'s|’s|s)|master\s+(?:of|in|degree)|b\.?\s?sc|m\.?\s?sc|b\.?\s?tech|m\.?\s?tech|mba|degree|"
                           r"diploma|gpa|cgpa|graduated|coursework)\b", re.I)
_CERT = re.compile(r"\b(certifi\w*|licen[cs]e|award\w*|conference|published|publication)\b", re.I)
_SCHOOL = re.compile(rf"\b({_INSTITUTION})\b", re.I)
_SCHOOL_END = re.compile(rf"\b({_INSTITUTION})\W*$", re.I)
_LONE = re.compile(rf"(?P<start>(?:\d{{1,2}}\s*[/.]\s*(?:19|20)\d{{2}}|{MONTH}\.?,?\s*(?:19|20)\d{{2}}|(?:19|20)\d{{2}}))"
                   rf"(?P<open>\s*(?:-+|–|—)\s*(?![\d\s]*(?:19|20)\d{{2}})(?!\s*{_PRESENT}))?", re.I)
# "January 2006 toNew 42nd Street Inc.January 2012": an employer glued between "to" and the end date (PDF layout)
_GLUED_TO = re.compile(rf"(?P<start>{_DATE})\s*to(?=[A-Z])(?P<mid>[^\n]{{1,70}}?)(?P<end>{_DATE}|{_PRESENT}\b)", re.I)
# "1998/2004", "2004/ 2013": two years joined by a slash; "2013/---", "2013 - ...": an open range (the latest job)
_YEAR_SLASH = re.compile(r"(?<![\d/.])((?:19|20)\d{2})\s*/\s*((?:19|20)\d{2})(?![\d/])")
_PRODUCT = re.compile(r"\b(?:server|studio|windows|office|sql|excel|exchange|sharepoint|visual|oracle|autocad|"
                      r"project|dynamics|ms|microsoft|vs|version|versions|v\.?|r2|windows\s+\w+|from\s+(?:server|"
                      r"windows|office|exchange|sql)\s*\w*)\W*$", re.I)
_HONOURS = re.compile(r"\b(?:awards?|honou?r\s+society|honou?rs?\s+list|dean'?s\s+list|scholarship|conference|"
                      r"published|publications?)\b", re.I)
_PRODUCT_LINE = re.compile(r"^\W*(?:technical\s+)?(?:environment|technolog\w*|tools?|software|platforms?|skills?)\b",
                           re.I)
_YEAR_SLASH_END = re.compile(r"(?<![\d/.])((?:19|20)\d{2})\s*/\s*((?:19|20)\d{2})(?![\d/])(?=\W*$)")
_YEAR_OPEN = re.compile(r"(?<![\d/.])((?:19|20)\d{2})\s*[/\-–—]\s*(?:-{2,}|\.{3}|…)(?=\W*$)")
# "Embedded automotive software / 2018 2019": two bare years ending a line after a separator (a dash lost)
_YEAR_PAIR_END = re.compile(r"(?P<pre>(?:[/|,]|^)\s*)(?P<a>(?:19|20)\d{2})\s+(?P<b>(?:19|20)\d{2})(?P<post>\W*)$")
_CELL_PAIR = re.compile(rf"(?P<a>{_DATE})\s*\|\s*(?P<b>{_DATE}|{_PRESENT}\b)", re.I)
_TO_LABEL = re.compile(r"(?<=\d)\s+to\s*:\s*", re.I)
_DIGIT = re.compile(r"\d")
_MONTH_YEAR = re.compile(rf"\b{MONTH}\.?,?\s*(?:19|20)\d{{2}}\b", re.I)
_ENDS_OPEN = re.compile(rf"(?:{_DATE})\s*(?:-+|–|—|to|till|until)\s*$", re.I)
_ENDS_DATE = re.compile(rf"(?<![-–—/]\s)(?<![-–—/])(?<!\bto\s)(?:{MONTH}\.?,?\s*(?:19|20)\d{{2}}|\d{{1,2}}\s*/\s*(?:19|20)\d{{2}})\s*$", re.I)
_STARTS_SEP_DATE = re.compile(rf"^\s*(?:-+|–|—|to|till|until)\s*(?:{_DATE}|{_PRESENT}\b)", re.I)
_STARTS_DATE = re.compile(rf"^\W*(?:{_DATE}|{_PRESENT})\b", re.I)
_ONLY_DATE = re.compile(rf"^\W*(?:{_DATE}|{_PRESENT})\W*$", re.I)
# "December 2017 Senior System Analyst" above "September 2019" / "currently working" alone on the next line
_DATE_FIRST = re.compile(rf"^\W*(?P<d>{MONTH}\.?,?\s*(?:19|20)\d{{2}}|\d{{1,2}}\s*[/.]\s*(?:19|20)\d{{2}})(?!\s*(?:-|–|—|to\b))\s+[A-Za-z]", re.I)
_STUDY_NEAR = re.compile(r"\b(student|graduated|graduate|studies|studying|university|institute|college|faculty|"
                         r"school|course|degree)\b", re.I)


# "03/16 - 05/18", "09/19 - present": month/two-digit-year ranges (only in an experience section, only as a pair)
_MMYY = r"(?:(?:0?[1-9]|1[0-2])\s*/\s*\d{2}|(?:0[1-9]|1[0-2])\.\d{2})"  # "3/16", "03/16", "03.16" (not "2.10")
_PRESENT_FIRST = re.compile(rf"(?<![\w-])(?P<p>present|now|today|current|היום|כיום)\s*(?:-+|–|—)\s*(?P<d>{_DATE})", re.I)
_MMYY_RANGE = re.compile(rf"(?<![\d/.])(?P<a>{_MMYY})\s*(?:-+|–|—|to)\s*(?P<b>{_MMYY}(?![\d/.])|{_PRESENT}\b)", re.I)


def _slash_range(m: re.Match[str]) -> str:
    """"1998/2004" -> "1998 - 2004", unless a product name comes just before ("SQL Server 2008/2014")."""
    return m.group(0) if _after_product(m.string, m.start()) else f"{m.group(1)} - {m.group(2)}"


def _after_product(text: str, pos: int) -> bool:
    """A product name ends just before ``pos`` ("SQL Server 2008", "Exchange 2010 to 2016"): years there are
    versions."""
    return bool(_PRODUCT.search(text[max(0, pos - 25):pos]))


def _mmyy_range(m: re.Match[str], as_of: date) -> str:
    def full(s: str) -> str:
        if not re.fullmatch(r"\d{1,2}[/.]\d{2}", s):
            return s  # "present", "Cont."
        mon, yy = (int(x) for x in re.split(r"[/.]", s))
        return f"{mon:02d}/{2000 + yy if yy <= as_of.year % 100 + 1 else 1900 + yy}"
    return f"{full(m.group('a').replace(' ', ''))} - {full(m.group('b').replace(' ', ''))}"


@dataclass(frozen=True)
class Span:
    start: int  # y*12 + (m-1)
    end: int
    snippet: str
    study: bool = False  # its line also names a school or degree (kept: inside an experience section)
    reversed: bool = False  # written end first ("2018 - 2015", "Present - 2019": right-to-left text), read swapped


def _parse_date(s: str, as_of: date, *, is_end: bool = False, day_first: bool = False) -> int | None:
    s = s.strip().lower()
    if re.fullmatch(_PRESENT, s, re.I):
        return as_of.year * 12 + as_of.month - 1
    m = re.search(MONTH, s)
    if m:
        mon = _MON[m.group(0)[:3]]
        y = re.search(r"(?<!\d)((?:19|20)\d{2})(?!\d)", s) or re.search(r"(\d{4}|\d{2})\s*$", s)
        if not y:
            return None
        yr = int(y.group(1))
        if yr < 100:
            yr += 2000 if yr <= (as_of.year % 100) + 1 else 1900
        return yr * 12 + mon - 1
    nums = [int(x) for x in re.findall(r"\d+", s)]
    if len(nums) == 1:
        return nums[0] * 12  # January of a month-less year
    if len(nums) == 2:
        a, b = nums
        if a >= 1900:
            a, b = b, a
        if 1 <= a <= 12:
            return b * 12 + a - 1
        return None
    if len(nums) == 3:  # mm/dd/yyyy (US) or dd/mm/yyyy, dd.mm.yyyy (most other places)
        a, b, yr = nums
        if a > 12 or (b <= 12 and (day_first or "." in s)):
            a, b = b, a
        if 1 <= a <= 12 and 1 <= b <= 31:
            return yr * 12 + a - 1
    return None


_DMY = re.compile(r"(?<![\d/.])(\d{1,2})\s*[/.]\s*(\d{1,2})\s*[/.]\s*(?:19|20)\d{2}(?!\d)")


def day_first(text: str) -> bool:
    """True when the resume writes full dates day first: some dd/mm/yyyy has a first number above 12 and no
    date has a second number above 12."""
    pairs = [(int(a), int(b)) for a, b in _DMY.findall(text)]
    return any(a > 12 for a, _ in pairs) and not any(b > 12 for _, b in pairs)


def _valid_year(v: int | None, as_of: date) -> bool:
    return v is not None and 1950 * 12 <= v <= (as_of.year + 10) * 12


# "Customers: ...", "Technologies: ...", "Responsibilities: ...": a labelled line of a job's description
_DESCRIPTION_LABEL = re.compile(r"^\W*(?!(?:education|university|college|school|studies|degree|institute|academy)\b)"
                                r"[A-Z][A-Za-z ]{2,20}:\s", re.I)


def _excluded(lines: list[Line], idx: int, text: str) -> bool:
    """Internship/volunteer labels on the line, on a short title line up to three above or on a short line
    below; outside an experience section also study words on the line or an institution on the line above
    (inside one, a line is a job even when its title names a college or students: "Associate Vice President
    for College Advancement", "Student Operations Specialist")."""
    if _EXCLUDE_CONTEXT.search(text):
        return True
    for back in (1, 2, 3):
        if idx - back < 0 or lines[idx - back].section != lines[idx].section or heading_of(lines[idx - back].text):
            break  # a title above belongs to the same entry: not across a heading ("... my internship." / "Experience")
        prev = lines[idx - back].text
        if prev.rstrip().endswith("."):
            break  # a sentence of the previous entry's description ("Volunteered at a food bank.")
        if len(prev.split()) <= 8 and _EXCLUDE_CONTEXT.search(prev):
            return True
    nxt = lines[idx + 1].text if idx + 1 < len(lines) else ""
    if nxt and (lines[idx + 1].section != lines[idx].section or heading_of(nxt)):
        nxt = ""  # the next section's heading ("Volunteering" below the last army line) is not this entry's label
    if RANGE.search(nxt):
        nxt = ""  # the next entry with its own dates ("Intern (2015 - 2016)") says nothing about this one
    if len(nxt.split()) <= 8 and _EXCLUDE_CONTEXT.search(nxt):
        return True
    if lines[idx].section == "experience":
        return False
    if _STUDY.search(text):
        return True
    if len(nxt.split()) <= 8 and _STUDY_NEAR.search(nxt) and len(re.findall(r"\w+", text)) <= 6:
        return True  # "Sep 2017 - May 2018" above "Last-year student, graduated ..."
    if idx > 0:
        prev = lines[idx - 1].text
        if _DESCRIPTION_LABEL.match(prev):
            return False  # "Customers: Moscow State University, ...": the previous entry's description, not a school
        # a short line above that names an institution, or a longer line (a column run into prose) ending in one
        return bool((len(prev.split()) <= 8 and _SCHOOL.search(prev)) or _SCHOOL_END.search(prev[-45:]))
    return False


def find_spans(lines: list[Line], as_of: date) -> tuple[list[Span], list[str]]:
    """(spans, month-year dates outside education that no range used or excluded).

    Employment date ranges outside education/volunteer sections and not labelled intern/volunteer/study.

    Besides "start - end" on one line: two bare years at the start of a line ("2008  2022 GPB", a dash lost
    in the document), a start and an end date each alone on consecutive lines (PDF columns), and the most
    recent job's lone or open start date ("Developer Sep 2019", "2022 - EPAM") counted to ``as_of``."""
    cut = as_of.year * 12 + as_of.month - 1
    dmy = day_first("\n".join(ln.text for ln in lines))
    spans: list[Span] = []
    lone: list[tuple[int, str]] = []
    unpaired: list[str] = []
    consumed: set[int] = set()  # lines already read as the end of a stacked range
    has_experience = any(ln.section == "experience" for ln in lines)
    for idx, ln in enumerate(lines):
        if ln.section in ("education", "volunteer", "skip") or idx in consumed:
            continue
        text = ln.text
        if not _DIGIT.search(text) and not _ONLY_DATE.match(text):
            continue  # every date this loop reads has digits; a lone "Present" line may still pair with the next
        matched = False
        present_first = 0
        text = _CELL_PAIR.sub(r"\g<a> - \g<b>", text)  # table cells: "Sep 2015 | Jun 2018 | Developer"
        if not has_experience and ln.section != "experience" and not _PRODUCT_LINE.search(text):
            # no experience heading anywhere: a job line ending in its years ("IBS LLC, Moscow, Developer 1998/2004",
            # "Team Lead 2013/---") reads as in an experience section; a product version is caught below
            text = _YEAR_SLASH_END.sub(_slash_range, text)
            text = _YEAR_OPEN.sub(r"\1 - present", text)
        if ln.section == "experience":  # elsewhere "2005/2008" is as often a product version
            if not _PRODUCT_LINE.search(text):  # "SQL Server 2008/2014" is two versions, not a range
                text = _YEAR_SLASH.sub(_slash_range, text)
            text = _TO_LABEL.sub(" to ", text)  # "From: 09/2015 To: 06/2018"
            text = _YEAR_OPEN.sub(r"\1 - present", text)
            text = _YEAR_PAIR_END.sub(r"\g<pre>\g<a> - \g<b>\g<post>", text)
            text = _MMYY_RANGE.sub(lambda m: _mmyy_range(m, as_of), text)  # "03/16 - 05/18"
            text, present_first = _PRESENT_FIRST.subn(r"\g<d> - \g<p>", text)  # "Present - 2019": right-to-left
        first = _DATE_FIRST.match(text)
        nx = lines[idx + 1].text if idx + 1 < len(lines) and idx + 1 not in consumed \
            and lines[idx + 1].section == ln.section else ""
        if nx and not _ONLY_DATE.match(text) and ((_ENDS_OPEN.search(text[-40:]) and _STARTS_DATE.match(nx))
                                                  or (_ENDS_DATE.search(text[-30:]) and _STARTS_SEP_DATE.match(nx))):
            # a range broken across lines by the layout: "Developer Jan 2015 -" / "Mar 2018",
            # "Developer 01/2015" / "to 03/2018 Company"
            text = f"{text} {nx}"
            consumed.add(idx + 1)
        elif first and not RANGE.search(text) and idx + 1 < len(lines) and idx + 1 not in consumed \
                and _ONLY_DATE.match(lines[idx + 1].text) \
                and not (idx and idx - 1 not in consumed and _ONLY_DATE.match(lines[idx - 1].text)):
            text = f"{first.group('d')} - {lines[idx + 1].text.strip()} {text[first.end('d'):]}"
            consumed.add(idx + 1)
        elif _ONLY_DATE.match(text):  # a date alone, then "to" alone, then a date alone (PDF columns)
            nxt = [x.text for x in lines[idx + 1: idx + 3]]
            if len(nxt) == 2 and re.fullmatch(r"\W*(?:to|till|until|-+|–|—)\W*", nxt[0], re.I) and _ONLY_DATE.match(nxt[1]):
                text = f"{text} to {nxt[1]}"
                consumed.update((idx + 1, idx + 2))
            elif nxt and _ONLY_DATE.match(nxt[0]) and not (idx and _ONLY_DATE.match(lines[idx - 1].text)):
                text = f"{text} {nxt[0]}" if re.search(r"[-–—]\s*$", text) else f"{text} - {nxt[0]}"
                consumed.add(idx + 1)
            elif nxt and re.search(r"[-–—]\s*$", text) and _STARTS_DATE.match(nxt[0]):
                text = f"{text} {nxt[0]}"  # "2015 -" then "2018 Developer": a range broken after its dash
                consumed.add(idx + 1)
        ranges = list(RANGE.finditer(text)) + list(_GLUED_TO.finditer(text))
        # per-line facts computed once: a hostile line may hold thousands of dates
        n_words = len(text.split())
        is_cert = bool(_CERT.search(text))
        first_word = re.search(r"\w", text)
        first_word_at = first_word.start() if first_word else len(text)
        degree_line = n_words <= 15 and bool(_DEGREE_WORDS.search(text))
        if ranges and not degree_line and not re.search(r"[A-Za-z]{3}", RANGE.sub(" ", text)):
            # a line holding only dates ("2008 - 2013") takes its entry from the line beside it: a degree or a
            # school there makes it a study range too (checked below: it may not move the total by a year)
            for j in (idx - 1, idx + 1):
                nb = lines[j].text.strip() if 0 <= j < len(lines) and lines[j].section == ln.section else ""
                if not nb or RANGE.search(nb) or not nb[:1].isupper() or nb.endswith("."):
                    continue  # not an entry's title line (a sentence of a description)
                if (len(nb.split()) <= 15 and _DEGREE_WORDS.search(nb)) or (len(nb.split()) <= 8 and _SCHOOL.search(nb)):
                    degree_line = True
        honours_prose = n_words >= 10 and bool(_HONOURS.search(text))
        if (ln.section == "experience" or (ln.section != "header" and n_words <= 8)) \
                and not _STUDY.search(text) and not is_cert:
            covered = sorted((m.start(), m.end()) for m in ranges)
            starts = [c[0] for c in covered]
            for d in _MONTH_YEAR.finditer(text):
                k = bisect.bisect_right(starts, d.start()) - 1
                if k < 0 or covered[k][1] < d.end():
                    unpaired.append(d.group(0))
        excluded: bool | None = None  # decided once per line
        for m in ranges:
            start_s, end_s = m.group("start"), m.group("end")
            sep = text[m.end("start"):m.start("end")] if m.re is RANGE else " to "
            if not re.search(r"[-–—~→>]|to|till|until|through|thru", sep, re.I):
                months_both = re.search(MONTH, start_s, re.I) and (
                    re.search(MONTH, end_s, re.I) or re.fullmatch(_PRESENT, end_s.strip(), re.I))
                at_line_start = first_word_at >= m.start()
                # "20/07/2015 31/05/2016": two full dates side by side ("From To" table columns)
                full_both = _FULL_DATE.fullmatch(start_s.strip()) and _FULL_DATE.fullmatch(end_s.strip())
                if not (months_both or full_both or (at_line_start and sep.strip() == "")):
                    continue
            if re.fullmatch(r"\d{2}", end_s.strip()) and re.fullmatch(r"(?:19|20)\d{2}", start_s.strip()):
                end_s = start_s.strip()[:2] + end_s.strip()  # "2016-18"
            if re.fullmatch(r"(?:19|20)\d{2}", start_s.strip()) and _after_product(text, m.start()):
                continue  # "migrating from Microsoft Exchange 2010 to 2016", "Windows Server 2000-2012": versions
            if honours_prose and _HONOURS.search(text[max(0, m.start() - 40):m.start()]):
                continue  # "Marketing Star of the Year Awards from 2013 - 2018 for ...", "Honor Society 2015 - 2016"
            a = _parse_date(start_s, as_of, day_first=dmy)
            b = _parse_date(end_s, as_of, is_end=True, day_first=dmy)
            if not (_valid_year(a, as_of) and _valid_year(b, as_of)):
                continue
            swapped = b < a  # type: ignore[operator]
            if swapped:  # "2018 - 2015": written end first (a right-to-left CV); read swapped, trusted less
                a, b = _parse_date(end_s, as_of, day_first=dmy), _parse_date(start_s, as_of, is_end=True, day_first=dmy)
                if not (_valid_year(a, as_of) and _valid_year(b, as_of)) or b < a:  # type: ignore[operator]
                    continue
            if b - a > 50 * 12:  # type: ignore[operator]
                continue
            matched = True
            if excluded is None:
                excluded = _excluded(lines, idx, text)
            if excluded:
                continue
            spans.append(Span(a, b, m.group(0).strip(), study=degree_line, reversed=swapped or (present_first > 0 and re.fullmatch(_PRESENT, end_s.strip(), re.I) is not None)))  # type: ignore[arg-type]
        if matched:
            continue
        # header lines are the contact block, unless no experience heading was found at all (then a line that
        # opens with an open start, "2022 - EPAM Systems", is a job like anywhere else)
        if (ln.section != "header" or (not has_experience and re.match(r"\W*(?:(?:19|20)\d{2}\s*[-–—]|since\s)", text, re.I))) \
                and not _excluded(lines, idx, text):
            # "Since Sep 2019" on a short job line of an experience section, or opening any line ("Since 2020 AviaBit
            # Performed ...": an entry of a CV without an experience heading)
            short_job = n_words <= 12 and ln.section == "experience"
            if short_job or re.match(r"\W*since\s", text, re.I):
                for m in _SINCE.finditer(text):
                    if not short_job and m.start() > first_word_at:
                        break  # only the "Since ..." that opens the line
                    a = _parse_date(m.group("start"), as_of)
                    if _valid_year(a, as_of):
                        spans.append(Span(a, cut, m.group(0).strip()))  # type: ignore[arg-type]
                        matched = True
            if matched:
                continue
            for m in (() if ranges else _LONE.finditer(text)):  # a line with a range (even a reversed one) has no lone date
                # a month name, or "09/2014" on a short job line of an experience section
                is_month = bool(re.search(MONTH, m.group("start"), re.I)) or (
                    ln.section == "experience" and n_words <= 12 and "/" in m.group("start")
                    and not re.search(r"[\w/.]$", text[:m.start()]) and not re.match(r"[\w/]", text[m.end():]))
                opens_line = m.group("open") and first_word_at >= m.start()
                if not ((is_month and n_words <= 8) or (is_month and ln.section == "experience" and n_words <= 12)
                        or opens_line) or is_cert:
                    continue
                a = _parse_date(m.group("start"), as_of)
                if _valid_year(a, as_of) and a <= cut:  # type: ignore[operator]
                    lone.append((a, m.group(0).strip()))  # type: ignore[arg-type]
    if lone:
        a, snippet = max(lone)
        if not spans or (a > max(s.start for s in spans) and a >= max(s.end for s in spans) - 1):
            spans.append(Span(a, cut, snippet + " (most recent job, no end date: counted to as_of)"))
            unpaired = [u for u in unpaired if u not in snippet]
    return spans, unpaired


def merge_months(spans: list[Span], as_of: date) -> int:
    cut = as_of.year * 12 + as_of.month - 1
    iv = sorted((s.start, min(s.end, cut)) for s in spans if min(s.end, cut) > s.start)
    total = 0
    cur_s = cur_e = None
    for s, e in iv:
        if cur_e is None or s > cur_e:
            if cur_e is not None:
                total += cur_e - cur_s  # type: ignore[operator]
            cur_s, cur_e = s, e
        else:
            cur_e = max(cur_e, e)
    if cur_e is not None:
        total += cur_e - cur_s  # type: ignore[operator]
    return total


_FULL_DATE = re.compile(r"\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*(?:19|20)\d{2}")
_NUMBER_WORDS = {w: str(i) for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())} | {"thirty": "30", "forty": "40"}
# "twenty five years", "thirty-two years": a tens word and a units word are one number
_COMPOUND_NUMBER = re.compile(r"\b(twenty|thirty|forty)[\s-]+(one|two|three|four|five|six|seven|eight|nine)\b", re.I)
_NUMBER_WORD = re.compile(r"\b(" + "|".join(_NUMBER_WORDS) + r")\b(?=\s*\(?\d*\)?\s*\+?\s*(?:plus\s+)?(?:years?|yrs?|months?)\b)",
                          re.I)
# what leads a per-skill line ("Java - ", "C#/.NET: ", "* SQL Server – "): a short name and a dash or colon, without
# a word that makes the number a total
_PER_SKILL = re.compile(r"[\s*•·-]*(?!.*\b(?:total|overall|experience|exp)\b)[A-Za-z][\w .+#/&()]{0,40}?\s*[-–:]\s*", re.I)
# "10 plus years' proven experience", "8+ years’ experience"
_PLUS_YEARS = re.compile(r"(?<=\d)\s*(?:plus|\+)\s*(years?|yrs?)['’]?", re.I)


def stated_months(text: str) -> tuple[int, str] | None:
    """An explicit total such as "8+ years of experience", "six months experience", "10 plus years' experience"
    (per-skill "Exprience - 24 months" lines don't count)."""
    best: tuple[int, str] | None = None
    text = _COMPOUND_NUMBER.sub(
        lambda m: str(int(_NUMBER_WORDS[m.group(1).lower()]) + int(_NUMBER_WORDS[m.group(2).lower()])), text)
    text = _NUMBER_WORD.sub(lambda m: _NUMBER_WORDS[m.group(1).lower()], text)
    text = re.sub(r"\b(\d{1,2})\s*\(\s*\1\s*\)", r"\1", text)  # "two (2) years" -> "2 (2) years" -> "2 years"
    text = _PLUS_YEARS.sub(r"+ \1", text)
    for pat in _STATED:
        for m in pat.finditer(text):
            if re.search(r"intern|training|volunteer|teaching assistant", m.group(0), re.I):
                continue  # "6 months of internship experience" is not employment
            if pat is _STATED[0]:  # months only
                years, months = 0.0, int(m.group(1))
                if months <= 0 or _PER_SKILL.fullmatch(text[text.rfind("\n", 0, m.start()) + 1:m.start()]):
                    continue  # "Java - 24 months experience": one skill's months, not a total
            else:
                years, months = float(m.group(1)), int(m.group(2) or 0)
            if years < 0 or years > 60 or (years == 0 and pat is not _STATED[0]):
                continue
            val = int(round(years * 12)) + months
            # the first total in the text; a months-only phrase ("6 months experience in Python") only when no
            # total in years is written
            pos = (pat is _STATED[0], m.start())
            if best is None or pos < best[2]:  # type: ignore[misc]
                best = (val, m.group(0).strip(), pos)  # type: ignore[assignment]
    return (best[0], best[1]) if best else None


@dataclass
class MonthsGuess:
    months: int | None
    basis: str  # dates | stated | unknown
    confidence: float
    evidence: list[str]
    reason: str | None = None


# "09/2019", "15/09/2019", "01.2015", "2015.09", "Sep '15": dates written with numbers, read as their year
_NUMERIC_MONTH = re.compile(r"(?<![\d/.])(?:\d{1,2}\s*[/.]\s*)?(?:0?[1-9]|1[0-2])\s*[/.]\s*((?:19|20)\d{2})(?![\d/.])|"
                            r"(?<![\d/.])((?:19|20)\d{2})\.(?:0[1-9]|1[0-2])(?![\d/.])")
_MONTH_SLASH = re.compile(rf"\b({MONTH})\.?/((?:19|20)\d{{2}})\b", re.I)  # "Sep/2017"
_APOSTROPHE_YEAR = re.compile(rf"\b({MONTH})\.?\s*['’](\d{{2}})\b", re.I)


def _years_outside_education(lines: list[Line], as_of: date) -> int:
    years = set()
    for ln in lines:
        # numeric month dates ("09/2019", "01.2015") count like "Sep 2019"; then not in education, and not on a
        # line of product versions ("SQL Server 2012/2008 R2")
        t = _NUMERIC_MONTH.sub(lambda m: f" {m.group(1) or m.group(2)}", _MONTH_SLASH.sub(r"\1 \2", ln.text))
        t = _APOSTROPHE_YEAR.sub(lambda m: f"{m.group(1)} {2000 + int(m.group(2)) if int(m.group(2)) <= as_of.year % 100 else 1900 + int(m.group(2))}", t)
        if ln.section not in ("education", "skip", "volunteer") and not re.search(r"\d{4}\s*/|/\s*\d{4}", t):
            years.update(int(y) for y in re.findall(r"(?<![\d.])((?:19|20)\d{2})(?![\d.])", t)
                         if 1950 <= int(y) <= as_of.year)
    return len(years)


def months_of_experience(lines: list[Line], text: str, as_of: date) -> MonthsGuess:
    """Months from merged employment ranges, else an explicit stated total, else unknown.

    The confidence follows the evidence: ranges read cleanly 0.85; lower (below the default threshold, so the
    value is reported unknown with the reason) when several month-year dates could not be paired into ranges,
    when the only evidence is one open start date, when ranges on lines naming a school change the total by
    more than a year, or when a stated total stands in for dates the resume has but that could not be read."""
    spans, unpaired = find_spans(lines, as_of)
    if spans:
        months = merge_months(spans, as_of)
        ev = [s.snippet for s in spans]
        back = [s for s in spans if s.reversed]
        mixed_note = None
        if back and len(back) < len(spans):
            # among ranges written start first, one written end first is as likely a typo ("September 2017 to
            # April 2008"): not counted (its two dates count as unpaired if it would change the total), and the
            # total is not trusted when counting it swapped moves it by a year
            spans = [s for s in spans if not s.reversed]
            rest = merge_months(spans, as_of)
            ev = [s.snippet for s in spans]
            if months != rest:  # it would change the total: its two dates are dates left unread
                unpaired = [*unpaired, *(b.snippet for b in back for _ in range(2))]
            if abs(months - rest) > 12:
                mixed_note = (f"the range {back[0].snippet!r} is written end first among ranges written start first; "
                              f"not counted: swapped it would make {months} months")
            months, back = rest, []
        if mixed_note:
            return MonthsGuess(months, "dates", 0.5, ev, mixed_note)
        if len(unpaired) >= 2 and len(unpaired) >= len(spans):
            return MonthsGuess(months, "dates", 0.5, ev,
                               f"{len(unpaired)} dates could not be paired into ranges (e.g. {unpaired[0]!r})")
        if len(spans) == 1 and "most recent job" in spans[0].snippet:
            return MonthsGuess(months, "dates", 0.5, ev, "only one start date with no end, counted to as_of")
        if back and len(back) == len(spans) > 1:
            return MonthsGuess(months, "dates", 0.7, ev, "every range is written end first (right-to-left "
                                                         "order); read with start and end swapped")
        if back and len(back) == len(spans):
            return MonthsGuess(months, "dates", 0.5, ev, f"the one range {back[0].snippet!r} is written end "
                                                         f"first: right-to-left order or a typo")
        schoolish = [s for s in spans if s.study]
        if schoolish and len(schoolish) < len(spans):
            rest = merge_months([s for s in spans if not s.study], as_of)
            if abs(months - rest) > 12:
                return MonthsGuess(months, "dates", 0.5, ev,
                                   f"the range {schoolish[0].snippet!r} is on a line naming a school or degree; "
                                   f"without it the total is {rest} months")
        if not any(ln.section == "experience" for ln in lines):
            return MonthsGuess(months, "dates", 0.7, ev, "no experience section was found: ranges read from "
                                                         "undivided text")
        return MonthsGuess(months, "dates", 0.85, ev)
    st = stated_months(text)
    if st:
        n_years = _years_outside_education(lines, as_of)
        if n_years >= 2:
            return MonthsGuess(st[0], "stated", 0.5, [st[1]],
                               f"a stated total, while {n_years} years written in the resume could not be read as "
                               f"employment ranges")
        return MonthsGuess(st[0], "stated", 0.7, [st[1]], "a stated total, no employment dates")
    jobs = [ln.text for ln in lines if ln.section == "experience" and not heading_of(ln.text)]
    if jobs:
        return MonthsGuess(None, "unknown", 0.0, [jobs[0][:80]],
                           f"the experience section ({len(jobs)} lines) has no dates that could be read "
                           f"and no total is stated")
    return MonthsGuess(None, "unknown", 0.0, [], "no employment dates or stated total")
