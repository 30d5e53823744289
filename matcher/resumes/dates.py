"""Months of experience from employment date ranges (and a stated total as fallback).

Month arithmetic follows the labels README: months = (end y*12 + end m) - (start y*12 + start m);
month-less years run from January to January; "Present"/"Current"/"now"/"till date" = ``as_of``;
ranges are cut at ``as_of``; overlaps are merged.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from matcher.resumes.sections import Line

_MON = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10,
        "nov": 11, "dec": 12}
MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
         r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
_DATE = (rf"(?:(?:\d{{1,2}}(?:st|nd|rd|th)?\s+)?{MONTH}\.?,?\s*['’]?\s*(?:\d{{4}}|\d{{2}})(?!\d)"
         r"|(?<![\d/])\d{1,2}\s*[/.-]\s*(?:\d{1,2}\s*[/.-]\s*)?(?:19|20)\d{2}(?!\d)"
         r"|(?<!\d)(?:19|20)\d{2}\s*[/-]\s*\d{1,2}(?![\d/])"
         r"|(?<![\d/.-])(?:19|20)\d{2}(?![\d/]))")
_PRESENT = r"(?:present|current(?:ly)?|now|till\s*(?:the\s*)?date|to\s*date|date|today|ongoing|continuing)"
_SEP = r"(?:\s*(?:-+|–|—|~|to|till|until|through|thru)\s*|\s+)"
RANGE = re.compile(rf"(?P<since>since\s+)?(?P<start>{_DATE}){_SEP}(?:to\s+)?(?P<end>{_PRESENT}\b|{_DATE})", re.I)
_SINCE = re.compile(rf"\bsince\s+(?P<start>{_DATE})", re.I)

_STATED = [
    re.compile(r"(?<![\d.])(\d{1,2}(?:\.\d{1,2})?)\s*\+?\s*(?:years?|yrs?)\.?(?:\s*(?:and\s*)?(\d{1,2})\s*months?)?"
               r"\s*(?:of\s+)?(?:[A-Za-z&/-]+\s+){0,4}?(?:experience|exp\b)", re.I),
    re.compile(r"\bexperience\s*(?:of|:|-|is)?\s*(?:about|around|over|more than|nearly|approx\.?)?\s*"
               r"(\d{1,2}(?:\.\d{1,2})?)\s*\+?\s*(?:years?|yrs?)(?:\s*(?:and\s*)?(\d{1,2})\s*months?)?", re.I),
]
_EXCLUDE_CONTEXT = re.compile(r"\b(intern(ship)?s?|volunteer(ed|ing)?|student\s+(senate|government|association))\b",
                              re.I)


@dataclass(frozen=True)
class Span:
    start: int  # y*12 + (m-1)
    end: int
    snippet: str


def _parse_date(s: str, as_of: date, *, is_end: bool = False) -> int | None:
    s = s.strip().lower()
    if re.fullmatch(_PRESENT, s, re.I):
        return as_of.year * 12 + as_of.month - 1
    m = re.search(MONTH, s)
    if m:
        mon = _MON[m.group(0)[:3]]
        y = re.search(r"(\d{4}|\d{2})\s*$", s)
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
    if len(nums) == 3:  # mm/dd/yyyy
        mo, _, yr = nums
        if 1 <= mo <= 12:
            return yr * 12 + mo - 1
    return None


def _valid_year(v: int | None, as_of: date) -> bool:
    return v is not None and 1950 * 12 <= v <= (as_of.year + 10) * 12


def find_spans(lines: list[Line], as_of: date) -> list[Span]:
    """Employment date ranges outside education/volunteer sections and not labelled intern/volunteer."""
    spans: list[Span] = []
    for idx, ln in enumerate(lines):
        if ln.section in ("education", "volunteer", "skip"):
            continue
        text = ln.text
        for m in RANGE.finditer(text):
            start_s, end_s = m.group("start"), m.group("end")
            # two bare years joined by whitespace only are not a range
            sep = text[m.end("start"):m.start("end")]
            if not re.search(r"[-–—~]|to|till|until|through|thru", sep, re.I):
                if not (re.search(MONTH, start_s, re.I) and (re.search(MONTH, end_s, re.I) or re.fullmatch(_PRESENT, end_s.strip(), re.I))):
                    continue
            a = _parse_date(start_s, as_of)
            b = _parse_date(end_s, as_of, is_end=True)
            if not (_valid_year(a, as_of) and _valid_year(b, as_of)):
                continue
            ctx = " ".join(x.text for x in lines[max(0, idx - 1): idx + 2])
            if _EXCLUDE_CONTEXT.search(ctx):
                continue
            if _DEGREE_HINT.search(text):
                continue
            spans.append(Span(a, b, m.group(0).strip()))  # type: ignore[arg-type]
        if not RANGE.search(text):
            for m in _SINCE.finditer(text):
                a = _parse_date(m.group("start"), as_of)
                if _valid_year(a, as_of):
                    spans.append(Span(a, as_of.year * 12 + as_of.month - 1, m.group(0).strip()))  # type: ignore[arg-type]
    return spans


_DEGREE_HINT = re.compile(r"\b(bachelor|master'?s|degree|diploma|b\.?\s?tech|m\.?\s?tech|mba|university|college|"
                          r"school|gpa|cgpa|graduat\w*|coursework)\b", re.I)


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


def stated_months(text: str) -> tuple[int, str] | None:
    """An explicit total such as "8+ years of experience" (per-skill "Exprience - 24 months" lines don't count)."""
    best: tuple[int, str] | None = None
    for pat in _STATED:
        for m in pat.finditer(text):
            years = float(m.group(1))
            months = int(m.group(2) or 0)
            if years <= 0 or years > 60:
                continue
            val = int(round(years * 12)) + months
            pos = m.start()
            if best is None or pos < best[2]:  # type: ignore[misc]
                best = (val, m.group(0).strip(), pos)  # type: ignore[assignment]
    return (best[0], best[1]) if best else None


def months_of_experience(lines: list[Line], text: str, as_of: date) -> tuple[int | None, list[str], str]:
    """(months, evidence, basis) with basis ``dates`` | ``stated`` | ``unknown``."""
    spans = find_spans(lines, as_of)
    if spans:
        return merge_months(spans, as_of), [s.snippet for s in spans], "dates"
    st = stated_months(text)
    if st:
        return st[0], [st[1]], "stated"
    return None, [], "unknown"
