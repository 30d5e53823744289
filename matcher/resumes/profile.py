"""Field extraction from resume text: degree, months of experience, location, skills, clean text."""
from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime

from matcher.domain import CandidateProfile
from matcher.geo import haversine_km
from matcher.resumes.consistency import canonical_dates, split_contact_labels
from matcher.resumes.dates import MonthsGuess, months_of_experience
from matcher.resumes.education import highest_degree
from matcher.resumes.location import LocationGuess, find_location
from matcher.resumes.sections import COLUMN_MARK, split_lines
from matcher.resumes.skills import extract_skills

_MOJIBAKE = re.compile("[ÃÂâ][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]")
_GLUED_HEADINGS = re.compile(r"(?<=\S)[ \t]*(Education Details|Company Details|Skill Details|Work Experience|"
                             r"PERSONAL DOSSIER|Permanent Address:)")


def as_date(as_of: date | datetime | str | None) -> date:
    if as_of is None:
        return date.today()
    if isinstance(as_of, datetime):
        return as_of.date()
    if isinstance(as_of, str):
        return date.fromisoformat(as_of[:10])
    return as_of


def fix_mojibake(text: str) -> str:
    """Undo UTF-8 read as cp1252/latin-1 when that is what happened (cheap check first)."""
    if not _MOJIBAKE.search(text):
        return text
    for enc in ("cp1252", "latin-1"):
        try:
            fixed = text.encode(enc).decode("utf-8")
            return fixed
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
    # line by line when the whole text does not round-trip
    out = []
    for line in text.split("\n"):
        if _MOJIBAKE.search(line):
            try:
                line = line.encode("cp1252").decode("utf-8")
            except (UnicodeEncodeError, UnicodeDecodeError):
                pass
        out.append(line)
    return "\n".join(out)


def clean_text(text: str) -> str:
    """Text for embedding and extraction: NFKC, mojibake fixed, control characters dropped, spaces normalised,
    line breaks kept (sections need them)."""
    text = fix_mojibake(text).replace("Â\u00a0", " ").replace("Â ", " ").replace("ï¼\u200b", ",")
    # U+FF0D (fullwidth hyphen-minus, UTF-8 EF BC 8D) read as cp1252 loses its undefined third byte: "09/2013 ï¼ Current"
    text = re.sub(r"ï¼(?=\s)", " -", text)
    # an en dash whose UTF-8 tail was lost leaves a lone "Â" after a date: "(July 2009 Â\nMarch 2012)"
    text = re.sub(r"(?<=\d)[ \t]*Â(?=[ \t]*(?:\n|$|[A-Za-z0-9]))", " -", text)
    text = unicodedata.normalize("NFKC", text)
    text = re.sub("[\u2010\u2011\u2012\u2015\u2212]", "-", text)  # hyphen, figure dash, bar, minus: "2015 − 2018"
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00ad", "")
    text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd\u200b\ufeff]", " ", text)
    # a whole page in one paragraph (a Word file converted from PDF): its columns and blocks are kept apart only
    # by runs of spaces, so on a very long line such a run is a line break
    text = _LONG_LINE.sub(lambda m: _SPACE_RUN.sub("\n", m.group(0)), text)
    # "Residence<tab>Petah Tikva": a location label whose value stands in the next tab stop (no colon)
    text = re.sub(r"\b(residence|address|location|city)[ \u00a0]*\t+[ \t]*(?=[A-Z])", r"\1: ", text, flags=re.I)
    text = re.sub(r"[ \t\u00a0]+", " ", text)
    text = re.sub(r"\b(of|in|and|at)(?=[A-Z][a-z])", r"\1 ", text)  # words glued by PDF layout: "ofArts"
    text = re.sub(r" *\n *", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


_LONG_LINE = re.compile(r"[^\n]{150,}")
_SPACE_RUN = re.compile(r"[ \t\u00a0]{3,}")
PROFILE_FIELDS = ("degree", "months", "location")
DEFAULT_MIN_CONFIDENCE = 0.6


def _second_date_reading(exp: MonthsGuess, work: str, day: date) -> MonthsGuess:
    """The months again, from the text with its dates rewritten by a second, independent date reader
    (:mod:`matcher.resumes.consistency`); when the two readings are more than a year apart (or the second finds
    none), the value is kept but not trusted (confidence 0.5) and the reason gives both readings."""
    canon = canonical_dates(work)
    if canon == work:
        return exp
    again = months_of_experience(split_lines(canon), canon, day)
    if again.months is not None and abs(again.months - exp.months) <= 12:  # type: ignore[operator]
        return exp
    other = "no months" if again.months is None else f"{again.months} months"
    return MonthsGuess(exp.months, exp.basis, min(exp.confidence, 0.5), exp.evidence,
                       f"two readings of the dates disagree: {exp.months} months as written, {other} with the "
                       f"dates rewritten in one form")


def _second_contact_reading(loc: LocationGuess, work: str) -> LocationGuess:
    """The location again, from the text with every contact label at the top on a line of its own
    (:func:`matcher.resumes.consistency.split_contact_labels`); when that reading finds no place, another country,
    or a city more than 40 km away, the place is kept but not trusted (confidence 0.5) with both readings."""
    split = split_contact_labels(work)
    if split == work:
        return loc
    again = find_location(split_lines(split)).place
    a = loc.place
    assert a is not None
    if again is not None and again.country == a.country and bool(again.city) == bool(a.city) and not (
            a.has_point and again.has_point and haversine_km(a.lat, a.lon, again.lat, again.lon) > 40):  # type: ignore[arg-type]
        return loc
    other = "no place" if again is None else repr(again.text())
    return LocationGuess(a, min(loc.confidence, 0.5), loc.evidence,
                         f"two readings of the contact lines disagree: {a.text()!r} as written, {other} with each "
                         f"label on a line of its own")


def profile_from_text(text: str, as_of: date | datetime | str | None = None, *,
                      min_confidence: float = DEFAULT_MIN_CONFIDENCE) -> CandidateProfile:
    """Extract the profile fields from resume text. Each field comes with the snippets it was read from and a
    confidence; a field read with less than ``min_confidence`` is left unknown (``None``, so its filter rule is
    skipped) and ``unknown[field]`` says why, with the value that was not trusted."""
    day = as_date(as_of)
    marked = clean_text(text)  # keeps the Word reader's column marks (COLUMN_MARK)
    clean = re.sub(rf"\n*{COLUMN_MARK}\n*", "\n", marked).strip() if COLUMN_MARK in marked else marked
    work = _GLUED_HEADINGS.sub(r"\n\1", marked)
    lines = split_lines(work)
    deg = highest_degree(lines, day)
    exp = months_of_experience(lines, work, day)
    if exp.months is not None and exp.basis == "dates" and exp.confidence >= min_confidence:
        exp = _second_date_reading(exp, work, day)
    loc = find_location(lines)
    if loc.place is not None and loc.confidence >= min_confidence:
        loc = _second_contact_reading(loc, work)
    ev: dict[str, list[str]] = {}
    if deg.in_progress:
        ev["degree_in_progress"] = deg.in_progress
    ev["months_basis"] = [exp.basis]
    conf: dict[str, float] = {}
    unknown: dict[str, str] = {}
    values: dict[str, object] = {}
    for name, value, guess, shown in (("degree", deg.degree, deg, repr(deg.degree)),
                                      ("months", exp.months, exp, f"{exp.months} months"),
                                      ("location", loc.place, loc, repr(loc.place.text()) if loc.place else "")):
        if guess.evidence:
            ev[name] = guess.evidence
        conf[name] = round(guess.confidence, 3)
        if value is None:
            unknown[name] = guess.reason or "not found"
        elif guess.confidence < min_confidence:
            unknown[name] = f"read {shown} but not sure enough ({guess.reason or 'weak evidence'})"
            value = None
        values[name] = value

    skills = extract_skills(clean)
    if skills:
        ev["skills"] = skills[:50]
    return CandidateProfile(text=clean, degree=values["degree"], months=values["months"], location=values["location"],
                            skills=skills, evidence=ev, confidence=conf, unknown=unknown)
