"""A second, independent reading of a resume's dates, to tell when the months read by the hand rules are fragile.

:mod:`matcher.resumes.dates` reads employment ranges with many rules written on the labelled resumes' forms. Here a
small reader that knows only three date shapes — a month name and a year (``Sep 2015``, ``September, 2015``), a
numeric month and year (``09/2015``, ``9.2015``, ``09-2015``), a year alone — joined by a dash or ``to`` / ``until`` /
``till``, or open (``present``, ``now``, ``till date`` ...), rewrites every range it finds in one canonical form
(``Sep 2015 - Mar 2018``, ``2015 - 2018``, ``Sep 2015 - Present``), leaving all the other text, so the hand rules'
exclusions (study lines, product versions, internships, sections) still apply. If the hand rules then read a total
more than a year away from the first reading (or none at all), the two readings of the same dates disagree and the
months are reported unknown with both values: one of them misread a date, and which one cannot be told from the text.

Contact lines get the same treatment (:func:`split_contact_labels`): labels run together each start a line.

Measured (``benchmarks/bench_parse_agreement.py``, README "Resume profile accuracy", round 5): on the parser as it
was before any rule was tuned on the project's labels the two readings flag 5 of its 28 wrong fields on the dev
records (3 months, 2 places) and none of its right ones that these rules re-read; on the round-5 start parser they
flag none of the dev records, real or perturbed; on the 1,245 non-held-out shared resumes 4 month values, each a
misreading by the hand rules.
"""
from __future__ import annotations

import re

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MON = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
        r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_YEAR = r"(?:19[5-9]\d|20[0-9]\d)"
_DATE = (rf"(?<![\w/.])(?:(?P<{{p}}mon>{_MON})\s*,?\s*(?P<{{p}}y1>{_YEAR})|(?P<{{p}}num>0?[1-9]|1[0-2])\s*[/.\-]\s*"
         rf"(?P<{{p}}y2>{_YEAR})|(?P<{{p}}y3>{_YEAR}))(?![\d/.]\d)")
_OPEN = r"(?:present|current(?:ly)?|now|today|till date|to date|till now|nowadays|ongoing)"
RANGE = re.compile(_DATE.format(p="s") + r"\s*(?:-|–|—|to|until|till)\s*(?:" + _DATE.format(p="e")
                   + rf"|(?P<open>{_OPEN})\b)", re.I)


# two years joined by a slash ("1998/2004"), or a year and a slash with dashes or dots ("2013/---"): a range
_YEAR_SLASH = re.compile(rf"(?<![\w/.])(?P<a>{_YEAR})\s*/\s*(?:(?P<b>{_YEAR})|(?P<open>-{{2,}}|\.{{3}}|…))(?![\d/.]\d)")


def _one(m: re.Match[str], p: str) -> str | None:
    if m.group(p + "mon"):
        return f"{_MONTHS[_MONTHS.index(m.group(p + 'mon')[:3].lower())].title()} {m.group(p + 'y1')}"
    if m.group(p + "num"):
        return f"{_MONTHS[int(m.group(p + 'num')) - 1].title()} {m.group(p + 'y2')}"
    if m.group(p + "y3"):
        return m.group(p + "y3")
    return None


def canonical_dates(text: str) -> str:
    """``text`` with every date range this reader finds rewritten as ``Mon YYYY - Mon YYYY`` / ``YYYY - YYYY`` /
    ``... - Present`` (everything else unchanged)."""
    out: list[str] = []
    last = 0
    for m in RANGE.finditer(text):
        start = _one(m, "s")
        if start is None:
            continue
        end = _one(m, "e") or "Present"
        out.append(text[last:m.start()])
        out.append(f"{start} - {end}")
        last = m.end()
    out.append(text[last:])
    text2 = "".join(out)
    return _YEAR_SLASH.sub(lambda m: f"{m.group('a')} - {m.group('b') or 'Present'}", text2)


# contact labels a Word CV may run together on one line ("Residence:Petah Tikva Phone:050-..." or
# "Address: Haifa Mob: ..."): the second reading of the contact block puts each on a line of its own
_CONTACT_LABELS = (r"(?:residence|address|location|city|phone|mobile|mob|tel|cell|e-?mail|linked-?in|github|"
                   r"date of birth|birth|born|age|citizenship|nationality|marital status|family status|languages?|"
                   r"name|home)")
# not between a label and its qualifier ("Permanent Address:", "Home Phone:", "Current City:", "E-mail Address:")
_GLUED_LABEL = re.compile(rf"(?<=\S)(?<!permanent)(?<!present)(?<!current)(?<!home)(?<!mailing)(?<!residential)"
                          rf"(?<!postal)(?<!mail)(?<!e-mail)(?<!email)(?<!office)(?<!work)"
                          rf"[ \t]*(?=\b(?:(?:permanent|present|current|home|mailing|residential|postal|e-?mail|office|"
                          rf"work)\s+)?{_CONTACT_LABELS}\s*:)", re.I)
# ... or run into the value before it without a space ("dana@mail.comResidence: Holon"): a capital after a small
# letter or digit
_CAPITAL_LABEL = re.compile(r"(?<=[a-z\d])(?=(?:Residence|Address|Location|City|Phone|Mobile|Mob|Tel|Cell|E-?mail|"
                            r"Linked-?[Ii]n|Git[Hh]ub|Date of birth|Birth|Born|Age|Citizenship|Nationality|"
                            r"Marital status|Family status|Languages?|Name|Home)\s*:)")
CONTACT_LINES = 15  # the top of the text where contact lines are


def split_contact_labels(text: str) -> str:
    """``text`` with every contact label in its first lines starting a line of its own."""
    lines = text.split("\n")
    head = "\n".join(lines[:CONTACT_LINES])
    new = _GLUED_LABEL.sub("\n", _CAPITAL_LABEL.sub("\n", head))
    if new == head:
        return text
    return "\n".join([new, *lines[CONTACT_LINES:]])
