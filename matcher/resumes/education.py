"""Highest completed degree on the ladder high_school < associate < bachelor < postgraduate.

Rules (labels README): a degree marked in progress / pursuing / expected, or ending after ``as_of``,
does not count; one ending on or before ``as_of``, or listed without a date, counts. Short
abbreviations ("BS", "MA", "BE") are only trusted inside an education section.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from matcher.domain import DEGREE_NAME
from matcher.resumes.sections import Line

_I = re.I
# strong patterns: trusted anywhere
_STRONG: list[tuple[int, re.Pattern[str]]] = [
    (4, re.compile(r"\bmaster(?:'s|’s|s)?\s*(?:degree|of|in)\b|\bmaster(?:'s|’s)|\bmasters?\s*:", _I)),
    (4, re.compile(r"\bM\.?B\.?A(?![a-z])|\bPh\.?\s?D\b|\b(?i:doctor(ate| of (philosophy|medicine|education|pharmacy|"
                   r"nursing|psychology|law|science|business|dental|veterinary|osteopathic|physical therapy)|al degree))\b|"
                   r"\b(?i:candidate\s+of\s+(?:\w+\s+){0,2}sciences?|kandidat\s+nauk)\b|"
                   r"\bM\.?\s?Tech\b|\bMCA\b|\bM\.\s?Com\b|\bMCom\b|\bM\.?F\.?A\b|\bMCM\b|\bM\.\s?Sc\b|\bMSc\b|"
                   r"\bM\.\s?S\.|\bM\.\s?A\.|\bM\.\s?Ed\b|\bM\.?P\.?H\b|\bMSW\b|\bMSN\b|\bLL\.?M\b|\bJuris Doctor\b|"
                   r"\bM\.\s?E\.|\bM\.D\.|\bM\.\s?Des\b|\bMDes\b|\bM\.\s?Eng\b|\bMEng\b|\bM\.\s?Arch\b|\bM\.\s?Mus\b|\bPharm\.?\s?D\b|\bPGDM\b(?!)|\bMBBS\b(?!)")),
    # spellings of non-native writers ("Msc", "B.sc.", "B.SC") and Israeli usage: "first degree" is a
    # bachelor's, "second degree" a master's; "magister" (CIS) a master's
    (4, re.compile(r"\bm\.?\s?sc\.?(?![a-z])|\bmagist(er|ra)\w*|\bsecond\s+(academic\s+)?degree\b", _I)),
    (3, re.compile(r"\bbachelor'?s?\b|\bbaccalaureate\b|\bundergraduate degree\b|\bhonou?rs\s+degree\b|\bb\.?\s?sc\.?(?![a-z])|"
                   r"\bfirst\s+(academic\s+)?degree\b", _I)),
    (3, re.compile(r"\bB\.?\s?Tech\b|\bB\.\s?E\b\.?|\bB\.\s?Sc\b|\bBSc\b|\bB\.\s?S\.|\bB\.\s?A\.|\bBCA\b|"
                   r"\bB\.\s?Com\b|\bBCom\b|\bB\.A(?=[A-Z])|\bBBA\b|\bLL\.?B\b|\bBSN\b|\bB\.?F\.?A\b|\bB\.\s?Pharm|\bBPharm\b|"
                   r"\bBBM\b|\bB\.\s?Arch\b|\bB\.\s?Des\b|\bBDes\b|\bB\.\s?Eng\b|\bBEng\b|\bB\.\s?Mus\b|\bBMus\b|\bMBBS\b|\bB\.\s?Ed\b|\bBSBA\b|\bBSEE\b|\bBSME\b|\bBSCS\b")),
    (3, re.compile(r"\bB[Aa]\s+of\s+(?:science|arts)\b", _I)),  # "Ba of Science"
    (2, re.compile(r"\bA\.\s?[AS]\.?\s+degree\b|\bpractical\s+(?:[a-z]+\s+){0,2}engineer(ing)?\b|\bhandasai\b|\bassociates?'?s?\s*(of|in)(?:\b|(?=[A-Z]))|\bassociate'?s?\s+degree\b|\bassociate's\b|\bA\.A\.S?\b|"
                   r"\bA\.S\.(?=\s)|\bAAS\b|\bpolytechnic\b(?!\s+(?:institute|university))|\bdiploma\s+in\s+(\w+\s+){0,2}engineering\b", _I)),
    (1, re.compile(r"\bhigh\s*school\s+diploma\b|\bhigh\s*school\s+graduate\b|\bG\.?E\.?D\b|\bH\.?S\.?C\b|"
                   r"\bS\.?S\.?C\b|\b12th\b|\bbagrut\b|\bXII(th)?\b|\bmatriculation\b|\bpre-?university\b|\bPUC\b|"
                   r"\bdiploma\b.{0,30}\bhigh school\b|\bhigh school\b.{0,40}\bdiploma\b|\bsecondary school "
                   r"(certificate|diploma)\b", _I)),
]
# weak patterns: only inside an education section
_WEAK: list[tuple[int, re.Pattern[str]]] = [
    (4, re.compile(r"\bMS\b(?!\s*-?\s*(office|excel|word|access|project|sql|dynamics|visio|powerpoint|outlook|"
                   r"windows|dos|exchange|teams|paint|cit))|\bMA\b(?=\s*(in|of|,|-|:|\(|degree))|\bME\b(?=\s*(in|\(|,|-))|"
                   r"\bMEd\b|\bMSEE\b|\bMSCS\b|\bPG\b(?=\s*(in|-|:|,))(?!.*diploma)")),
    (4, re.compile(r"\b(mba|mcom|mtech|msc|mca|m\.\s?sc)\b", _I)),
    # "2004-2009, Master, Computer science": the bare word, not a scrum/web/master class
    (4, re.compile(r"(?<![\w-])(?<!scrum )(?<!web)master\b(?=\s*[,(;:]|\s+(?:degree|diploma)\b)", _I)),
    (4, re.compile(r"\bMCS\b|\bM\.?E\.?\b(?=\s+[A-Z]\w+\s+(?:Engineering|Engg))")),
    (3, re.compile(r"\b(bcom|btech|bsc|bca|bba|b\.\s?sc|b\.\s?com|b\.\s?tech)\b|\bdegree\s+in\s+\w*\s*engineering\b|"
                   r"\bengineering\s+degree\b", _I)),
    (3, re.compile(r"\bBS\b|\bBA\b|\bBE\b(?=\s*(in|\(|,|-|:|\s+[A-Z]))|\bB\s?Sc\b|\bB\s?Com\b|\bBE\b$|\bB\.?S\.?N\b")),
    (2, re.compile(r"\bassociate\b(?!\s+(director|manager|professor|editor|dean))|(?<!school )(?<!school: )(?<!no )"
                   r"\bdiploma\b(?!.*(high school|post ?graduate|pg\b|ged))", _I)),
    (1, re.compile(r"\bhigh\s*school\b|\b10th\b|\bSSLC\b|\bintermediate\b|\bsecondary\b", _I)),
]
_PROGRESS = re.compile(r"\b(in progress|pursuing|expected|anticipated|candidate(?!\s+of\s+(?:\w+\s+){0,2}sciences?)|currently (enrolled|attending|"
                       r"studying|working)|ongoing|to be completed|will graduate|graduating|present|current|"
                       r"till date|enrolled|coursework|no diploma|not completed|unfinished|incomplete|"
                       r"did not (graduate|complete)|dropped out|without (a )?degree|(?<!top )(?<!best )(?<!outstanding )student|studying|presently|attending|"
                       r"progress|hope to|plan(?:ning)? to|intend(?:ing)? to|to obtain|working towards?|"
                       r"all course ?work|all but dissertation|ABD|aiming|awaiting(?:\s+(?:the\s+)?(?:approval|results?|defen[cs]e|"
                       r"graduation|conferral|diploma))?|results?\s+awaited|not yet (?:awarded|completed|conferred)|"
                       r"\w+ (?:courses?|credits?|exams?) (?:left|remaining))\b", _I)
# dotted abbreviations are degrees anywhere ("B.A in Economics", "M.Eng"); undotted "BA"/"MS" only in an
# education section (a "BA" elsewhere is as often a business analyst)
_DOTTED = re.compile(r"\b(?P<d>[BM])\.\s?(?:A|S|Sc|SC|Eng|E|Ed|Com|Tech|Arch|Phil)\b\.?(?!\s*(?:Office|Excel|Word)\b)")
# "BA in History", "MSc of Economics": an abbreviation followed by a capitalised field is a degree anywhere
_ABBR_FIELD = re.compile(r"\b(?P<d>BA|BS|BSc|BEng|MA|MS|MSc|MEng)\s+(?:in|of)\s+[A-Z]")
# CIS 5-year "specialist"/"engineer" qualifications count as bachelor (labels README), even when written
# "Specialist (M.Sc. analogue)"
_CIS = re.compile(r"^\W*(?:engineer|specialist)\b(?!\s+(?:at|in|of)\b)|\bspecialist\s*(?:\(|degree|diploma)|"
                  r"[,;]\s*(?:engineer|specialist)\W*$|\bspecialist\s+of\s+(?:science|arts)\b|"
                  r"\b(?:universit\w*|institute|academy)\b[^,;]*\s(?:engineer|specialist)\W*$|"  # "... University Specialist"
                  r"\bengineer'?s?\s+(?:degree|diploma)|\bdiploma\s+of\s+(?:an\s+)?engineer|\bdegree\s+of\s+specialist",
                  _I)
_NOT_DEGREE = re.compile(r"\b(post[- ]?graduate diploma|pg diploma|certificate (course|program)|coursework toward|"
                         r"courses? (in|toward)|some college|training)\b", _I)
# "Diploma with honours, Saint Petersburg State University": a CIS university diploma may be a 5-year degree
_UNI_DIPLOMA = re.compile(r"^(?!.*\b(?:polytechnic|engineering|associate)\b).*\bdiploma\b.*\buniversit", _I)
_GRADUATE_DIPLOMA = re.compile(r"\b(?:post[- ]?)?graduate\s+diploma\b", _I)
_CREDENTIAL = re.compile(r"\b(?:CPA|CFA|CMA|PMP|CPP|certif\w*|licen[cs]\w*|exams?)\b", _I)
_CERTIFIED = re.compile(r"\bcertifi(?:ed|cate|cation)\b", _I)
_MS_TOOL = re.compile(r"^MS\s*-?\s*(office|excel|word|access|project|sql|dynamics|visio|powerpoint|outlook|windows)", _I)
_EXPECTED_WORDS = {"expected", "anticipated", "graduating", "will graduate"}
_INSTITUTION = re.compile(r"\b(universit\w*|institute|academy|polytechnic)\b", _I)
_COURSE = re.compile(r"\b(course|courses|bootcamp|training|program(me)?)\b", _I)
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_SCHOOL_NAME = re.compile(r"\b(?:universit\w*|college|institute|academy|school|polytechnic|tech)\b", _I)
_HIGH_SCHOOL = re.compile(r"\bhigh\s*school\b|\bH\.\s?S\b\.?|\bsecondary school\b", _I)
_TECHNICIAN = re.compile(r"\btechnician\b", _I)
_ASSOCIATE = re.compile(r"\bassociate", _I)
# an associate degree, or a polytechnic / Indian 3-year "Diploma in engineering" (labels README): named so, from a
# polytechnic or a state board of technical education (MSBTE), or a diploma in an engineering field
_ASSOCIATE_KIND = re.compile(r"\bassociate|\bengineering\b|\bpolytechnic\b|\bA\.?A\.?S?\b|\bA\.S\.|\bMSBTE\b|"
                             r"\bboard\s+of\s+technical\s+education\b|"
                             r"\bdiploma\s*(?:in\s+|:\s*)?(?:mechanical|civil|electrical|electronics?|computer\s+(?:technology|"
                             r"engineering|science)|information\s+technology|automobile|chemical|instrumentation|"
                             r"e\s?&\s?tc|telecommunications?|production|mechatronics)\b", _I)
_SECOND_DEGREE = re.compile(r"\bsecond\s+(?:academic\s+)?degree\b", _I)
# a closed year range alone on a line ("2015 - 2016"); an open one ("2019 - Present") or a lone year says whether
# the entry is finished and stays the entry's context
_DATES_ONLY = re.compile(r"\W*(?:19|20)\d{2}\s*(?:-+|–|—|to)\s*(?:19|20)\d{2}\W*", _I)
_TRAILING_RANGE = re.compile(r"[\s(|]*(?:19|20)\d{2}\s*(?:-+|–|—|to)\s*(?:(?:19|20)\d{2}|present|current|now)\W*$", _I)
_MASTER_WORDS = re.compile(r"\bmaster|\bm\.?\s?(?:sc|a|ba|eng|ed|s)\b|\bmagist|\bMBA\b", _I)


def _level_in(text: str, patterns: list[tuple[int, re.Pattern[str]]]) -> tuple[int, str] | None:
    best = None
    for level, pat in patterns:
        m = pat.search(text)
        if m and level == 4 and _MS_TOOL.search(text[m.start():m.start() + 20]):
            continue
        if m and (best is None or level > best[0]):
            best = (level, m.group(0))
    if patterns is _STRONG:
        for m in (_ABBR_FIELD.search(text), _DOTTED.search(text)):
            if m:
                level = 4 if m.group("d").startswith("M") else 3
                if best is None or level > best[0]:
                    best = (level, m.group(0))
    return best


def _in_progress(ctx: str, as_of: date) -> bool:
    years = [int(y) for y in _YEAR.findall(ctx)]
    words = {m.group(0).lower() for m in _PROGRESS.finditer(ctx)}
    if words and words <= _EXPECTED_WORDS and years and max(years) < as_of.year:
        return False  # "Expected graduation 2017" read in 2021: the expected date has passed (labels README)
    if words:
        return True
    return bool(years) and max(years) > as_of.year


@dataclass
class DegreeGuess:
    degree: str | None
    confidence: float
    evidence: list[str] = field(default_factory=list)
    in_progress: list[str] = field(default_factory=list)
    reason: str | None = None


def highest_degree(lines: list[Line], as_of: date) -> DegreeGuess:
    """The highest completed degree with its evidence, in-progress mentions and a confidence:
    a strong pattern in the education section is surest; an abbreviation, or a degree named only outside
    an education section (a summary line), less so."""
    found: list[tuple[int, str, bool, bool]] = []  # level, snippet, in education section, strong pattern
    entry: dict[str, str] = {}  # snippet -> the snippet with its neighbouring lines
    progress: list[str] = []
    has_edu = any(ln.section == "education" for ln in lines)
    for i, ln in enumerate(lines):
        in_edu = ln.section == "education"
        if has_edu and not in_edu and ln.section not in ("header", "contact", "other", "experience"):
            # outside education: only strong patterns, and not in job descriptions
            continue
        if has_edu and ln.section == "experience" and len(ln.text.split()) > 12:
            continue  # in the experience section only a short line can be a degree (a column run into it)
        hit = _level_in(ln.text, _STRONG)
        strong = hit is not None
        if in_edu:
            weak = _level_in(ln.text, _WEAK)
            if weak and (hit is None or weak[0] > hit[0]):
                hit, strong = weak, False
            around = " ".join(x.text for x in lines[max(0, i - 2): i + 2])
            if _CIS.search(ln.text) and (hit is None or hit[0] >= 3 or (hit[0] == 2 and not strong)) \
                    and _INSTITUTION.search(around) \
                    and not _COURSE.search(ln.text):
                hit, strong = (3, ln.text[:60]), False
        if not hit:
            continue
        if hit[0] == 2 and not strong and re.fullmatch(r"(?i)diploma", hit[1].strip()):
            # a bare "Diploma" beside a high school ("East Pennsboro High School City , State Diploma",
            # "Diploma: General Studies" above "Maury High School") is a high-school diploma
            near = " ".join(x.text for x in lines[max(0, i - 1): i + 2] if x.section == ln.section)
            if _HIGH_SCHOOL.search(near):
                hit = (1, hit[1])
            elif len(ln.text.split()) <= 2:
                continue  # "diploma" alone on a line says nothing
        if _NOT_DEGREE.search(ln.text) and hit[0] < 4 and not strong:
            continue
        if hit[0] == 2 and _GRADUATE_DIPLOMA.search(ln.text):
            continue  # a (post)graduate diploma follows a degree and is not one (labels README)
        if not strong and hit[1].strip().upper() in ("MS", "MA", "ME") and (_CERTIFIED.search(ln.text) or
                                                                       _COURSE.search(ln.text)):
            continue  # "New Horizons Course: Developing MS ASP .NET Web Applications"
        if hit[0] == 2 and not strong and _CERTIFIED.search(ln.text):
            continue  # "Aruba Certified Switching Associate (ACSA)" is a certificate
        nxt = lines[i + 1].text if i + 1 < len(lines) and lines[i + 1].section == ln.section else ""
        if len(nxt) > 40 or _level_in(nxt, _STRONG) or _level_in(nxt, _WEAK):
            nxt = ""
        # an entry that started on the line above ("2015 - 2016 Student (no diploma), The School ... and")
        k = i - 1  # a line holding only the entry's dates ("2015 - 2016") between its wrapped lines is skipped
        while k > 0 and lines[k].section == ln.section and _DATES_ONLY.fullmatch(lines[k].text):
            k -= 1
        prev = lines[k].text if i and lines[k].section == ln.section and not _DATES_ONLY.fullmatch(lines[k].text) else ""
        prev = _TRAILING_RANGE.sub("", prev)  # "..., The School ... and<tab>2015 - 2016": the entry's dates at its end
        if not prev or prev.rstrip().endswith((".", ";")) or _level_in(prev, _STRONG) or _level_in(prev, _WEAK):
            prev = ""
        if _SCHOOL_NAME.search(prev) and _SCHOOL_NAME.search(ln.text) \
                and not re.search(r"(?:\band|\bof|\bin|&|,|-)\s*$", prev, re.I):
            prev = ""  # the line above is another school's entry ("Currently Enrolled : Accounting, Champlain College")
        # a "Coursework in ..." line next to a degree lists its courses; it does not say the degree is unfinished
        prev, nxt = ("" if re.search(r"\bcoursework\b", x, re.I) else x for x in (prev, nxt))
        if _CREDENTIAL.search(nxt):
            nxt = ""  # "CPA Candidate" under a BS is about the CPA
        if _in_progress(prev + " " + ln.text + " " + nxt, as_of):
            progress.append(ln.text[:200])
            continue
        # a short line that starts with the degree is a degree line even where a layout column put it
        displaced = strong and len(ln.text.split()) <= 12 and ln.text.find(hit[1]) <= 12
        found.append((hit[0], ln.text[:200], in_edu or displaced, strong))
        # the entry around a degree line (its school may stand on the next line: "Diploma in IT" / "XYZ Polytechnic")
        entry[ln.text[:200]] = " ".join(x.text for x in lines[max(0, i - 1): i + 2] if x.section == ln.section)
    if any(f[2] for f in found):
        found = [f for f in found if f[2]]  # the education section wins over mentions elsewhere
    if not found:
        reason = "only a degree in progress is named" if progress else "no completed degree named"
        return DegreeGuess(None, 0.0, [], progress, reason)
    level = max(f[0] for f in found)
    top = [f for f in found if f[0] == level]
    ev = [f[1] for f in top][:3]
    in_edu, strong = any(f[2] for f in top), any(f[3] for f in top)
    if in_edu and strong:
        conf, reason = 0.9, None
    elif in_edu:
        conf, reason = 0.75, "read from an abbreviation"
    elif strong:
        conf, reason = 0.7, "named outside an education section"
    else:
        conf, reason = 0.5, "an abbreviation outside an education section"
    if level == 2 and not strong and all(_UNI_DIPLOMA.search(e) for e in ev):
        conf, reason = min(conf, 0.5), "a diploma from a university: its level is not written"
    if level == 2 and not strong and all(_TECHNICIAN.search(e) and not _ASSOCIATE.search(e) for e in ev):
        conf, reason = min(conf, 0.5), "a technician's diploma: not an associate degree by the definitions"
    elif level == 2 and not strong and not any(_ASSOCIATE_KIND.search(entry.get(e, e)) for e in ev):
        # "Diploma: Fashion Designer", "Technical Diploma: Police Academy": only a polytechnic / engineering
        # diploma is an associate degree by the definitions
        conf, reason = min(conf, 0.55), "a diploma whose level is not written"
    if level == 4 and all(_SECOND_DEGREE.search(e) and not _MASTER_WORDS.search(e) for e in ev):
        conf, reason = min(conf, 0.55), "'second degree' is a master's in Israel but a second bachelor's elsewhere"
    ends = [max(int(y) for y in _YEAR.findall(e)) for e in ev if _YEAR.search(e)]
    if ends and len(ends) == len(ev) and max(ends) == as_of.year and as_of.month <= 6:
        conf, reason = min(conf, 0.55), f"it ends in {as_of.year}, the year of the reference date: maybe not finished"
    return DegreeGuess(DEGREE_NAME[level], conf, ev, progress, reason)
