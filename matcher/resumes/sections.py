"""Split resume text into lines tagged with the section they belong to (education, experience, ...)."""
from __future__ import annotations

import re
from dataclasses import dataclass

_HEADINGS: list[tuple[str, re.Pattern[str]]] = [
    ("skip", re.compile(r"^(references?|referees)\b", re.I)),
    ("volunteer", re.compile(r"^(volunteer\w*|community (service|involvement)|volunteer (work|experience)|"
                             r"associations?|memberships?|professional memberships?|extra-?curricular( activities)?|"
                             r"activities|interests|hobbies|organi[sz]ations)\b", re.I)),
    ("contact", re.compile(r"^(contacts?|contact (me|info|information|details)|personal (details|information|data|"
                           r"info|dossier|profile))\b", re.I)),
    # "Academic Positions and Employment", "Research Appointments": jobs, though "academic" opens education headings
    ("experience", re.compile(r"^((academic|research|teaching|professional|previous)\s+)?(positions|appointments|employment)"
                              r"(\s+(and|&)\s+(employment|positions|appointments|experience))?\W*$", re.I)),
    ("education", re.compile(r"^(education(al)?|academic|academics|qualifications?|educational qualifications?|"
                             r"education (and|&) training|education details|academic (profile|background|"
                             r"qualifications?|credentials)|scholastic|schooling|studies|degrees?|"
                             r"higher education|courses|additional education|further education)\b", re.I)),
    ("other", re.compile(r"^(career|professional|executive) (summary|profile|objective|overview)\b", re.I)),
    ("experience", re.compile(r"^((professional |work |relevant |employment |career )?experience|work history|"
                              r"military service|army service|military experience|career|professional background|"
                              r"employment( history)?|professional history|career history|company details|"
                              r"experience details|work experience details)\b|"
                              # Israeli CVs: "Military", "Army", "IDF Service", "National Service"; alone on the line
                              r"^(military|army|idf( service)?|(national|civil|military|army) service|"
                              r"work|jobs|positions( held)?|(employment|work) record|professional career|"
                              r"previous (experience|employment|positions))\W*$|"
                              # "Teaching Experience", "Hi-Tech Experience", "Software Development Experience"
                              r"^(?!volunteer)(?!.*\b(?:years?|months?|of)\b)[A-Za-z][A-Za-z&/-]*(\s+[A-Za-z&/-]+){0,2}\s+experience\W*$", re.I)),
    ("other", re.compile(r"^(about me|skills?|skill details|summary|professional summary|profile|objective|highlights|"
                         r"certifications?|licenses?|accomplishments|achievements|awards|"
                         r"additional information|affiliations|professional affiliations|languages|projects?|"
                         r"publications|training|certificates|about(?=\W*$)|personal projects|"
                         r"core qualifications|technical skills|it skills|key skills|strengths)\b", re.I)),
]


# a column break of a two-column Word table, marked on its own line (a private-use character the cleaning keeps)
COLUMN_MARK = "\U000f0000"


@dataclass(frozen=True)
class Line:
    text: str
    section: str  # header | contact | education | experience | volunteer | skip | other | break (table column)


# multi-word headings whose letter spacing lost the word breaks
_SQUASHED = {h.replace(" ", ""): name for name, hs in {
    "experience": ("work experience", "professional experience", "employment history", "work history",
                   "relevant experience", "career history", "professional background", "military service",
                   "army service", "military experience", "employment record", "professional history"),
    "education": ("educational background", "academic background", "education and training",
                  "academic qualifications", "educational qualifications", "higher education"),
    "contact": ("contact information", "contact details", "personal information", "personal details", "contact me"),
    "volunteer": ("volunteer experience", "volunteer work", "community service"),
    "other": ("technical skills", "professional summary", "career objective", "additional information", "key skills",
              "core qualifications", "personal projects", "about me"),
}.items() for h in hs}
_SPACED = re.compile(r"^(?:[A-Za-z&]\s{1,2}){3,}[A-Za-z&]$")


def heading_of(line: str) -> str | None:
    s = line.strip().strip(":-•*|").strip()
    if not s or s[0].islower():  # a heading starts with a capital; "courses" alone is a wrapped line
        return None
    if s.endswith(".") and not s.isupper():  # "Contact." ends a wrapped sentence ("... Supervisor: Contact.")
        return None
    if _SPACED.match(s):  # letter-spaced headings: "W O R K  E X P E R I E N C E"
        s = re.sub(r"\s{2,}", "\0", s).replace(" ", "").replace("\0", " ")
        if s.lower() in _SQUASHED:  # the spaces between its words were collapsed too: "WORKEXPERIENCE"
            return _SQUASHED[s.lower()]
    if not s or len(s) > 45 or len(s.split()) > 5:
        return None
    for name, pat in _HEADINGS:
        if pat.match(s):
            return name
    return None


# "Education Saint-Petersburg University ... 2008 TO 2013 , Specialist": a heading run into its first entry
_GLUED_EDUCATION = re.compile(r"^(?P<h>EDUCATION|Education)\s*:?\s+(?P<rest>[A-Z].*\b(?i:universit\w*|institute|college|"
                              r"academy|school|faculty|bachelor|master|degree|diploma|B\.\s?Sc|M\.\s?Sc)\b.*)$")

_GLUED_CERTIFICATES = re.compile(r"^(?P<h>CERTIFICATIONS?|Certifications?|CERTIFICATES|Certificates)\s*:?\s+(?P<rest>[A-Z].*)$")


def split_lines(text: str) -> list[Line]:
    out: list[Line] = []
    section = "header"
    for raw in text.splitlines():
        if raw.strip() == COLUMN_MARK:
            section = "other" if section != "header" else section  # a new table column: no heading carries over
            out.append(Line("", "break"))  # kept, so that a line is not read with its neighbour across columns
            continue
        if not raw.strip():
            continue
        head, bar, rest = raw.partition(" | ")
        if bar and rest.strip() and heading_of(head):  # a table row "Experience | 2015-2018 Developer, Acme"
            section = heading_of(head) or section
            out.append(Line(head.strip(), section))
            raw = rest
        h = heading_of(raw)
        if h:
            section = h
        else:
            g = _GLUED_EDUCATION.match(raw.strip()) or _GLUED_CERTIFICATES.match(raw.strip())
            if g:
                section = "education" if g.re is _GLUED_EDUCATION else "other"
                out.append(Line(g.group("h"), section))  # the heading, then the whole line in its section
        out.append(Line(raw.strip(), section))
    return _qualifications_without_study(out)


_QUALIFICATIONS = re.compile(r"^\W*(?:summary of |core |key |professional )?qualifications?\W*$", re.I)
_STUDY_WORDS = re.compile(r"\b(?:universit\w*|college|institute|school|academy|bachelor\w*|master\w*|degree|diploma|"
                          r"b\.?\s?(?:sc|tech|com|e|a|s)\b|m\.?\s?(?:sc|tech|com|ba|ca)\b|ssc|hsc|sslc|10th|12th|"
                          r"board|graduat\w*|matriculation|ged)\b", re.I)


def _qualifications_without_study(lines: list[Line]) -> list[Line]:
    """A "Qualifications" heading starts an education section in Indian resumes ("Qualifications: B.E., 2014")
    but a list of skills in US ones ("Qualifications / Windows NT/2000 / MS Hyperv"): a block under it that names
    no school, degree or board is "other"."""
    out = list(lines)
    i = 0
    while i < len(out):
        if out[i].section == "education" and _QUALIFICATIONS.match(out[i].text):
            j = i + 1
            while j < len(out) and out[j].section == "education" and not heading_of(out[j].text):
                j += 1
            if not any(_STUDY_WORDS.search(x.text) for x in out[i + 1:j]):
                out[i:j] = [Line(x.text, "other") for x in out[i:j]]
            i = j
        else:
            i += 1
    return out
