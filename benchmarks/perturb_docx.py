"""Perturbation set for Word CVs: the dev vanetik CVs re-rendered under format transforms that keep their labels true,
and the parser scored on them per transform (issue #11, round 4: format generalisation of Word CVs).

Run: ``.venv/bin/python benchmarks/perturb_docx.py [--out-dir /tmp/perturbed_docx] [--only T1,T2] [--no-score]``.
Writes the .docx files under ``--out-dir`` (never into the repository) and the scores to
``benchmarks/results/perturb_docx.json``.

Only ``split == "dev"`` vanetik records of ``benchmarks/labels/resume_fields.jsonl`` are read (27 CVs; the 13 held-out
``test`` CVs are never opened). Each CV is read into blocks (paragraphs; table rows whose cells are single lines;
multi-line table rows as columns of blocks; headers and footers kept apart; text boxes as the paragraphs after their
anchor), then written again with python-docx:

- ``identity``: the same blocks re-rendered (paragraphs stay paragraphs, rows stay table rows): what re-rendering
  alone changes.
- contact block (the top-level paragraphs before the first section heading, dated line or sentence, at most 8):
  ``contact_table`` (a label | value table), ``contact_header`` / ``contact_footer`` (moved into the page header /
  footer), ``contact_textbox`` (a VML text box anchored in the first paragraph), ``contact_runtogether`` (the contact
  lines run into one paragraph with no space after the colons: ``Residence:Petah Tikva Phone:050-...``),
  ``contact_tabs`` (``Label<tab>value`` without colons, all on one line).
- location (the label's city found by a spelling-tolerant regex): ``loc_unlabelled`` (``Residence:``/``Address:``/
  ``Location:``/``City:``/``Home:`` removed), ``loc_hyphen`` (``Petah-Tikva``), ``loc_street`` (``12 Herzl St.,``
  before the city), ``loc_country`` (``, Israel`` after it).
- dated lines (a date range found by :data:`RANGE`): ``dates_line_before`` / ``dates_line_after`` (the range on its
  own line before / after the rest of the line), ``dates_tab_end`` (the rest, a tab, the range), ``dates_paren``
  (the rest, then the range in parentheses), ``exp_table`` (a two-column table: range left, the rest of the entry
  right, up to the next dated line or heading). A line that is a glued ``Education <entry>`` heading is left alone
  (its dates would move out before their heading).
- date formats, each keeping every date's precision (a month stays a month, a year alone stays a year alone):
  ``fmt_slash`` (``09/2015 - present``), ``fmt_mon_now`` (``Sep 2015 – Now``), ``fmt_till_date``
  (``Sep 2015 – till date``), ``fmt_dotted`` (``01.2015-12.2018``), ``fmt_year_month`` (``2012 , November``),
  ``fmt_since`` (``Since Sep 2019`` for open ranges, ``September 2015 to December 2018`` otherwise),
  ``fmt_current`` (``2019 – current``), ``fmt_apostrophe`` (``Sep '15 – Mar '18``), ``fmt_dotabbr``
  (``Sept. 2015 - Mar. 2018``), ``fmt_iso`` (``2015.09 – 2018.03``), ``fmt_fulldate`` (``15/09/2015 - today``),
  ``fmt_mon_slash`` (``Sep/2015 → present``), ``fmt_glued`` (``Sep2015-Mar2018``), ``fmt_lower_full``
  (``september 2015 – march 2018``), ``fmt_open_words`` (each open end another word: ``to date``, ``ongoing``,
  ``today``, ``till now``, ``nowadays``, ``Currently``, a dash alone). ``fmt_years_only`` drops the months
  (``2015-2018``): it loses precision, so its months label is right only within the ±12 window the score allows (up to
  11 months per range boundary can move); reported apart as lossy.
- headings: every line the section detector calls an experience heading renamed to ``Work Experience`` /
  ``Professional Experience`` / ``Employment History`` / ``Career`` / ``Military Service`` (army service counts as
  experience under the label rules), or written ``WORK EXPERIENCE:`` (``head_upper_colon``), letter-spaced
  (``head_spaced``), alone in a one-cell table (``head_table``), or left out (``head_none``).
- degrees: ``deg_abbrev`` (B.Sc. -> BSc, M.Sc. -> MSc, Bachelor of Science -> BSc, B.A. -> BA), ``deg_long``
  (-> Bachelor of Science / Master of Science / Bachelor of Arts / Master of Arts), ``deg_loose`` (-> B.Sc / M.Sc /
  B.A / M.A), ``deg_inprogress`` (one more line under the education heading naming the next degree up as in
  progress / expected after ``as_of``: by the label definitions it does not count, so the label stays).
- layout: ``sidebar`` (contact and every section but experience in a left column, experience in the right one),
  ``page_one_paragraph`` (the body's paragraphs run into one, kept apart by runs of spaces: a PDF converted to Word).
- ``combo_a`` … ``combo_e``: four or five of the above at once.

Every transform is generic code over the CV's blocks (dates by regex, headings by ``sections.heading_of``); none
edits one CV by hand. Scored with ``eval_parse.judge`` at the shipped threshold: per transform degree / months ±12 /
location / wrong-not-unknown / unknown, and ``broken``: fields right on the original CV that are not right on the
transformed one (the invariance this set measures).
"""
from __future__ import annotations

import argparse
import copy
import io
import json
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from matcher.resumes.sections import _GLUED_EDUCATION, heading_of  # noqa: E402

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"


# ---------------------------------------------------------------------------------------------------- blocks

@dataclass
class P:
    text: str  # may hold "\t" and "\n" (soft line breaks)


@dataclass
class Row:
    cells: list[str]  # a table row whose cells are single lines


@dataclass
class Cols:
    cols: list[list]  # a table row with multi-line cells: each cell a list of blocks


@dataclass
class Doc:
    header: list = field(default_factory=list)
    body: list = field(default_factory=list)
    footer: list = field(default_factory=list)


def _para_text(p) -> tuple[str, list]:  # type: ignore[no-untyped-def]
    buf: list[str] = []
    boxes: list = []

    def walk(el) -> None:  # type: ignore[no-untyped-def]
        for ch in el:
            tag = ch.tag
            if tag == _W + "t":
                buf.append(ch.text or "")
            elif tag == _W + "tab":
                buf.append("\t")
            elif tag in (_W + "br", _W + "cr"):
                buf.append("\n")
            elif tag == _W + "noBreakHyphen":
                buf.append("-")
            elif tag == _W + "txbxContent":
                boxes.append(ch)
            elif tag in (_MC_FALLBACK, _W + "delText", _W + "instrText"):
                continue
            elif isinstance(tag, str):
                walk(ch)

    walk(p)
    return "".join(buf), boxes


def _blocks(container) -> list:  # type: ignore[no-untyped-def]
    out: list = []
    for ch in container:
        tag = ch.tag
        if tag == _W + "p":
            text, boxes = _para_text(ch)
            if text.strip():
                out.append(P(text))
            for b in boxes:
                out.extend(_blocks(b))
        elif tag == _W + "tbl":
            for tr in ch:
                if tr.tag != _W + "tr":
                    continue
                cells = [_blocks(tc) for tc in tr if tc.tag == _W + "tc"]
                cells = [c for c in cells if c]
                if not cells:
                    continue
                if all(len(c) == 1 and isinstance(c[0], P) and "\n" not in c[0].text for c in cells):
                    out.append(Row([c[0].text for c in cells]))
                else:
                    out.append(Cols(cells))
        elif tag in (_W + "sdt", _W + "sdtContent", _W + "customXml", _W + "ins"):
            out.extend(_blocks(ch))
    return out


def read_blocks(data: bytes) -> Doc:
    import docx
    from lxml import etree

    d = docx.Document(io.BytesIO(data))
    doc = Doc(body=_blocks(d.element.body))
    seen: set[str] = set()
    for rel in d.part.rels.values():
        kind = rel.reltype.rsplit("/", 1)[-1]
        if kind not in ("header", "footer") or rel.is_external or str(rel.target_part.partname) in seen:
            continue
        seen.add(str(rel.target_part.partname))
        root = etree.fromstring(rel.target_part.blob)
        (doc.header if kind == "header" else doc.footer).extend(_blocks(root))
    return doc


# ---------------------------------------------------------------------------------------------------- writing

_VML = "urn:schemas-microsoft-com:vml"


def _add_text(par, text: str) -> None:  # type: ignore[no-untyped-def]
    par.add_run(text)  # python-docx writes "\t" as <w:tab/> and "\n" as <w:br/>


def _write_blocks(container, blocks: list, *, cell_first=None) -> None:  # type: ignore[no-untyped-def]
    """Write blocks into a python-docx container (Document, header, footer or table cell)."""
    first = cell_first
    table = None
    for b in blocks:
        if isinstance(b, Row):
            if table is None or len(table.columns) != len(b.cells):
                table = container.add_table(rows=0, cols=len(b.cells))
            cells = table.add_row().cells
            for c, t in zip(cells, b.cells, strict=False):
                _add_text(c.paragraphs[0], t)
            continue
        table = None
        if isinstance(b, P):
            if first is not None:
                par, first = first, None
            else:
                par = container.add_paragraph()
            _add_text(par, b.text)
        elif isinstance(b, Cols):
            t = container.add_table(rows=1, cols=len(b.cols))
            for c, sub in zip(t.rows[0].cells, b.cols, strict=False):
                _write_blocks(c, sub, cell_first=c.paragraphs[0])
        elif isinstance(b, TextBox):
            par = container.add_paragraph()
            _add_textbox(par, b.lines)


@dataclass
class TextBox:
    lines: list[str]


def _add_textbox(par, lines: list[str]) -> None:  # type: ignore[no-untyped-def]
    from xml.sax.saxutils import escape

    from docx.oxml import parse_xml

    paras = "".join(f'<w:p><w:r><w:t xml:space="preserve">{escape(x)}</w:t></w:r></w:p>' for x in lines)
    xml = (f'<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:v="{_VML}">'
           f'<w:pict><v:shape id="contact_box" style="width:300pt;height:90pt" type="#_x0000_t202">'
           f'<v:textbox><w:txbxContent>{paras}</w:txbxContent></v:textbox></v:shape></w:pict></w:r>')
    par._p.append(parse_xml(xml))


def write_docx(doc: Doc) -> bytes:
    import docx

    d = docx.Document()
    for p in list(d.paragraphs):  # the template's empty first paragraph
        p._p.getparent().remove(p._p)
    sec = d.sections[0]
    if doc.header:
        hdr = sec.header
        _write_blocks(hdr, doc.header, cell_first=hdr.paragraphs[0])
    if doc.footer:
        ftr = sec.footer
        _write_blocks(ftr, doc.footer, cell_first=ftr.paragraphs[0])
    _write_blocks(d, doc.body)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


# ---------------------------------------------------------------------------------------------------- dates

_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_FULL = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
         "November", "December"]
MON = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
       r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
YEAR = r"(?:19[5-9]\d|20[0-2]\d)"
_DATE = (rf"(?<![\w/.])(?:(?P<{{p}}mon>{MON})\s*,?\s*(?P<{{p}}y1>{YEAR})|(?P<{{p}}num>0?[1-9]|1[0-2])\s*[/.\-]\s*"
         rf"(?P<{{p}}y2>{YEAR})|(?P<{{p}}y3>{YEAR}))(?![\d/.]\d)")
END_WORDS = r"(?:present|current(?:ly)?|now|today|till date|to date|till now|nowadays|ongoing)"
RANGE = re.compile(_DATE.format(p="s") + r"\s*(?:-|–|—|to|until|till)\s*(?:" + _DATE.format(p="e")
                   + rf"|(?P<open>{END_WORDS})\b)", re.I)


@dataclass(frozen=True)
class DateRange:
    sm: int | None
    sy: int
    em: int | None
    ey: int | None  # None: open ("present")


def _one(m: re.Match, p: str) -> tuple[int | None, int] | None:
    if m.group(p + "mon"):
        return _MONTHS.index(m.group(p + "mon")[:3].lower()) + 1, int(m.group(p + "y1"))
    if m.group(p + "num"):
        return int(m.group(p + "num")), int(m.group(p + "y2"))
    if m.group(p + "y3"):
        return None, int(m.group(p + "y3"))
    return None


def find_ranges(text: str) -> list[tuple[re.Match, DateRange]]:
    out = []
    for m in RANGE.finditer(text):
        s = _one(m, "s")
        e = _one(m, "e")
        if s is None:
            continue
        out.append((m, DateRange(s[0], s[1], e[0] if e else None, e[1] if e else None)))
    return out


def _mon(m: int | None, y: int, style: str) -> str:
    if m is None:
        return str(y)
    return {"slash": f"{m:02d}/{y}", "abbr": f"{_MONTHS[m - 1].title()} {y}", "dot": f"{m:02d}.{y}",
            "ym": f"{y} , {_FULL[m - 1]}", "full": f"{_FULL[m - 1]} {y}"}[style]


def _fmt(style: str, sep: str, now: str) -> Callable[[DateRange], str]:
    def f(r: DateRange) -> str:
        end = now if r.ey is None else _mon(r.em, r.ey, style)
        return f"{_mon(r.sm, r.sy, style)}{sep}{end}"
    return f


def _fmt_since(r: DateRange) -> str:
    if r.ey is None:
        return f"Since {_mon(r.sm, r.sy, 'abbr')}"
    return f"{_mon(r.sm, r.sy, 'full')} to {_mon(r.em, r.ey, 'full')}"


def _fmt_years_only(r: DateRange) -> str:
    return f"{r.sy}-{'present' if r.ey is None else r.ey}"


def _fmt_apostrophe(r: DateRange) -> str:
    def one(m: int | None, y: int) -> str:
        return f"{_MONTHS[m - 1].title()} '{y % 100:02d}" if m else str(y)
    return f"{one(r.sm, r.sy)} – {'Present' if r.ey is None else one(r.em, r.ey)}"


def _fmt_dotabbr(r: DateRange) -> str:
    def one(m: int | None, y: int) -> str:
        return f"{('Sept' if m == 9 else _MONTHS[m - 1].title())}. {y}" if m else str(y)
    return f"{one(r.sm, r.sy)} - {'Present' if r.ey is None else one(r.em, r.ey)}"


def _fmt_iso(r: DateRange) -> str:
    def one(m: int | None, y: int) -> str:
        return f"{y}.{m:02d}" if m else str(y)
    return f"{one(r.sm, r.sy)} – {'present' if r.ey is None else one(r.em, r.ey)}"


def _fmt_fulldate(r: DateRange) -> str:  # a day written in (the 15th: day-first is then plain)
    def one(m: int | None, y: int) -> str:
        return f"15/{m:02d}/{y}" if m else str(y)
    return f"{one(r.sm, r.sy)} - {'today' if r.ey is None else one(r.em, r.ey)}"


_OPEN_WORDS = ["to date", "ongoing", "today", "till now", "nowadays", "Currently", ""]


def _fmt_open_words() -> Callable[[DateRange], str]:
    k = [0]

    def f(r: DateRange) -> str:
        start = _mon(r.sm, r.sy, "abbr")
        if r.ey is not None:
            return f"{start} - {_mon(r.em, r.ey, 'abbr')}"
        w = _OPEN_WORDS[k[0] % len(_OPEN_WORDS)]
        k[0] += 1
        return f"{start} – {w}".rstrip() if w else f"{start} –"
    return f


def _fmt_glued(r: DateRange) -> str:
    def one(m: int | None, y: int) -> str:
        return f"{_MONTHS[m - 1].title()}{y}" if m else str(y)
    return f"{one(r.sm, r.sy)}-{'Present' if r.ey is None else one(r.em, r.ey)}"


def _fmt_lower_full(r: DateRange) -> str:
    def one(m: int | None, y: int) -> str:
        return f"{_FULL[m - 1].lower()} {y}" if m else str(y)
    return f"{one(r.sm, r.sy)} – {'present' if r.ey is None else one(r.em, r.ey)}"


def _fmt_mon_slash(r: DateRange) -> str:
    def one(m: int | None, y: int) -> str:
        return f"{_MONTHS[m - 1].title()}/{y}" if m else str(y)
    return f"{one(r.sm, r.sy)} → {'present' if r.ey is None else one(r.em, r.ey)}"


DATE_FORMATS: dict[str, Callable[[DateRange], str]] = {
    "fmt_mon_slash": _fmt_mon_slash,
    "fmt_glued": _fmt_glued,
    "fmt_lower_full": _fmt_lower_full,
    "fmt_apostrophe": _fmt_apostrophe,
    "fmt_dotabbr": _fmt_dotabbr,
    "fmt_iso": _fmt_iso,
    "fmt_fulldate": _fmt_fulldate,
    "fmt_slash": _fmt("slash", " - ", "present"),
    "fmt_mon_now": _fmt("abbr", " – ", "Now"),
    "fmt_till_date": _fmt("abbr", " – ", "till date"),
    "fmt_dotted": _fmt("dot", "-", "present"),
    "fmt_year_month": _fmt("ym", " - ", "present"),
    "fmt_since": _fmt_since,
    "fmt_current": _fmt("abbr", " – ", "current"),
    "fmt_years_only": _fmt_years_only,  # lossy: months dropped
}


def rewrite_ranges(text: str, f: Callable[[DateRange], str]) -> str:
    out, last = [], 0
    for m, r in find_ranges(text):
        out.append(text[last:m.start()])
        out.append(f(r))
        last = m.end()
    out.append(text[last:])
    return "".join(out)


# ---------------------------------------------------------------------------------------------------- degrees

_DEG = [  # (pattern, kind)
    (re.compile(r"\bB\.\s?Sc\b\.?|\bBSc\b|\bBachelor of Science\b|\bB\.S\.(?=\s)"), "bsc"),
    (re.compile(r"\bB\.\s?A\b\.?(?=[\s,;(])|\bBA\b(?=[\s,;(])|\bBachelor of Arts\b"), "ba"),
    (re.compile(r"\bM\.\s?Sc\b\.?|\bMSc\b|\bMaster of Science\b"), "msc"),
    (re.compile(r"\bM\.\s?A\b\.?(?=[\s,;(])|\bMaster of Arts\b"), "ma"),
    # "Bachelor in Informatics", "Bachelor's degree in ...", "Master of Engineering": same level, another form
    (re.compile(r"\bBachelor(?:'s)?(?: degree)?(?= (?:of|in) (?!Science|Arts))"), "bsc"),
    (re.compile(r"\bMaster(?:'s)?(?: degree)?(?= (?:of|in) (?!Science|Arts))"), "msc"),
]
DEGREE_FORMS = {
    "deg_abbrev": {"bsc": "BSc", "ba": "BA", "msc": "MSc", "ma": "MA"},
    "deg_long": {"bsc": "Bachelor of Science", "ba": "Bachelor of Arts", "msc": "Master of Science",
                 "ma": "Master of Arts"},
    "deg_loose": {"bsc": "B.Sc", "ba": "B.A", "msc": "M.Sc", "ma": "M.A"},
}


def rewrite_degrees(text: str, forms: dict[str, str]) -> str:
    for pat, kind in _DEG:
        text = pat.sub(forms[kind], text)
    return text


NEXT_UP = {  # label's highest degree -> a line naming the next degree up as not completed
    "none_stated": "B.Sc. in Computer Science (in progress)",
    "high_school": "B.Sc. in Computer Science (in progress)",
    "associate": "B.Sc. in Computer Science – in progress, expected 2024",
    "bachelor": "M.Sc. in Computer Science – in progress, expected 2024",
    "postgraduate": "Ph.D. in Computer Science – expected 2025",
}


# ---------------------------------------------------------------------------------------------------- transforms

def _map_text(blocks: list, f: Callable[[str], str]) -> list:
    out = []
    for b in blocks:
        if isinstance(b, P):
            out.append(P("\n".join(f(x) for x in b.text.split("\n"))))
        elif isinstance(b, Row):
            out.append(Row([f(c) for c in b.cells]))
        elif isinstance(b, Cols):
            out.append(Cols([_map_text(c, f) for c in b.cols]))
        else:
            out.append(b)
    return out


def map_doc(doc: Doc, f: Callable[[str], str]) -> Doc:
    return Doc(_map_text(doc.header, f), _map_text(doc.body, f), _map_text(doc.footer, f))


def _lines_split(blocks: list) -> list:
    """Paragraphs with soft breaks become one paragraph per line (for the structural transforms)."""
    out = []
    for b in blocks:
        if isinstance(b, P):
            out.extend(P(x) for x in b.text.split("\n") if x.strip())
        elif isinstance(b, Cols):
            out.append(Cols([_lines_split(c) for c in b.cols]))
        else:
            out.append(b)
    return out


def _is_heading(text: str) -> bool:
    return heading_of(text) is not None


def contact_block(doc: Doc) -> tuple[int, int]:
    """(start, end) of the top-level paragraphs before the first heading or dated line (at most 8)."""
    body = doc.body
    end = 0
    while end < len(body) and end < 8 and isinstance(body[end], P):
        t = body[end].text
        if _is_heading(t) or find_ranges(t) or len(t.split()) > 10:  # a heading, a dated line, a sentence
            break
        end += 1
    return 0, end


_CONTACT = re.compile(r"^\W*[A-Za-z][\w .-]{0,20}:|@|\+?\d[\d -]{7,}\d|\b(?:phone|mobile|tel|e-?mail|address|residence|"
                      r"location|linkedin)\b", re.I)


def _contact(doc: Doc, how: str) -> Doc:
    doc = Doc(doc.header, _lines_split(doc.body), doc.footer)
    s, e = contact_block(doc)
    if e - s < 1:
        return doc
    lines = [b.text for b in doc.body[s:e]]
    rest = doc.body[e:]
    if how == "table":  # each contact line a row: label | value
        out: list = []
        for x in lines:
            lab, colon, val = x.partition(":")
            out.append(Row([lab.strip() + ":", re.sub(r"\s+", " ", val).strip()])
                       if colon and val.strip() and len(lab) < 30 else Row([x.strip()]) if _CONTACT.search(x) else P(x))
        return Doc(doc.header, out + rest, doc.footer)
    if how == "header":
        return Doc(doc.header + [P(x) for x in lines], rest, doc.footer)
    if how == "footer":
        return Doc(doc.header, rest, doc.footer + [P(x) for x in lines])
    if how == "textbox":
        return Doc(doc.header, [TextBox(lines)] + rest, doc.footer)
    if how == "runtogether":
        out, run = [], []
        for x in lines + [""]:  # consecutive contact lines run into one paragraph, no space after the colons
            if x and _CONTACT.search(x):
                run.append(re.sub(r":\s+", ":", re.sub(r"\s+", " ", x.strip())))
                continue
            if run:
                out.append(P(" ".join(run)))
                run = []
            if x:
                out.append(P(x))
        return Doc(doc.header, out + rest, doc.footer)
    raise ValueError(how)


_LOC_LABEL = re.compile(r"\b(?:residence|address|location|city|home)\s*:\s*", re.I)


def _contact_tabs(doc: Doc) -> Doc:
    """Contact lines as 'Label<tab>value' without colons, all on one line separated by tabs."""
    doc = Doc(doc.header, _lines_split(doc.body), doc.footer)
    s, e = contact_block(doc)
    lines = [b.text for b in doc.body[s:e]]
    items = [re.sub(r"\s*:\s*", "\t", re.sub(r"\s+", " ", x.strip()), count=1) for x in lines if _CONTACT.search(x)]
    if not items:
        return doc
    others = [P(x) for x in lines if not _CONTACT.search(x)]
    return Doc(doc.header, others + [P("\t".join(items))] + doc.body[e:], doc.footer)


def _city_pattern(city: str) -> re.Pattern[str]:
    words = re.split(r"[\s'-]+", city)
    return re.compile(r"\b" + r"[\s'-]?".join(re.escape(w) for w in words) + r"\b", re.I)


def _loc(doc: Doc, lab: dict, how: str) -> Doc:
    city = (lab.get("location") or {}).get("city")
    if how == "unlabelled":
        return map_doc(doc, lambda x: _LOC_LABEL.sub("", x) if len(x) < 120 else x)
    if not city:
        return doc
    pat = _city_pattern(city)
    if how == "hyphen":
        return map_doc(doc, lambda x: pat.sub(lambda m: re.sub(r"[\s']+", "-", m.group(0)), x))
    if how == "country":  # ", Israel" after the city where no country follows it
        cc = {"IL": "Israel", "RU": "Russia", "IN": "India", "US": "USA"}.get((lab.get("location") or {}).get("country"))
        if not cc:
            return doc
        tail = re.compile(pat.pattern + r"(?![\s,]*(?:" + cc + r"|IL|ISR)\b)", re.I)
        return map_doc(doc, lambda x: tail.sub(lambda m: m.group(0) + ", " + cc, x, count=1) if len(x) < 120 else x)
    if how == "street":  # a street and number before the city on its (short) line
        return map_doc(doc, lambda x: pat.sub(lambda m: "12 Herzl St., " + m.group(0), x, count=1) if len(x) < 120 else x)
    raise ValueError(how)


def _split_range(text: str) -> tuple[str, str, str] | None:
    """(before, range, after) for the first date range on a line that has other text too."""
    rs = find_ranges(text)
    if not rs or _GLUED_EDUCATION.match(text.strip()):
        return None  # "Education X University 2008 - 2013": the dates would move out before their heading
    m = rs[0][0]
    before, after = text[:m.start()], text[m.end():]
    if not re.search(r"\w{2}", before + after):
        return None
    return before, m.group(0), after


def _rest(before: str, after: str) -> str:
    s = (before.rstrip(" \t,;:-–—|(") + " " + after.lstrip(" \t,;:-–—|)")).strip()
    return re.sub(r"\(\s*\)", "", s).strip()


def _dates_pos(blocks: list, how: str) -> list:
    out = []
    for b in blocks:
        if isinstance(b, Cols):
            out.append(Cols([_dates_pos(c, how) for c in b.cols]))
            continue
        if not isinstance(b, P):
            out.append(b)
            continue
        sp = _split_range(b.text)
        if sp is None:
            out.append(b)
            continue
        before, rng, after = sp
        rest = _rest(before, after)
        if how == "before":
            out += [P(rng), P(rest)]
        elif how == "after":
            out += [P(rest), P(rng)]
        elif how == "tab_end":
            out.append(P(f"{rest}\t{rng}"))
        elif how == "paren":
            out.append(P(f"{rest} ({rng})"))
    return out


def _exp_table(blocks: list) -> list:
    out: list = []
    i = 0
    while i < len(blocks):
        b = blocks[i]
        if isinstance(b, Cols):
            out.append(Cols([_exp_table(c) for c in b.cols]))
            i += 1
            continue
        if not (isinstance(b, P) and find_ranges(b.text)) or _GLUED_EDUCATION.match(b.text.strip()):
            out.append(b)
            i += 1
            continue
        m = find_ranges(b.text)[0][0]
        rng = m.group(0)
        first = _rest(b.text[:m.start()], b.text[m.end():])
        entry = [P(first)] if first else []
        j = i + 1
        while (j < len(blocks) and isinstance(blocks[j], P) and not find_ranges(blocks[j].text)
               and not _is_heading(blocks[j].text) and not _GLUED_EDUCATION.match(blocks[j].text.strip())):
            entry.append(blocks[j])
            j += 1
        out.append(Cols([[P(rng)], entry or [P(" ")]]))
        i = j
    return out


def _rename_heading(doc: Doc, name: str) -> Doc:
    def f(x: str) -> str:
        return name if heading_of(x) == "experience" else x
    return map_doc(doc, f)


def _heading_style(doc: Doc, how: str) -> Doc:
    """Every experience heading written another way: 'WORK EXPERIENCE:', letter-spaced, alone in a one-cell table,
    or left out (the entries then stand under whatever came before)."""
    out = []
    for b in _lines_split(doc.body):
        if isinstance(b, P) and heading_of(b.text) == "experience":
            t = b.text.strip().rstrip(":")
            if how == "upper_colon":
                out.append(P(t.upper() + ":"))
            elif how == "spaced":
                out.append(P("  ".join(" ".join(w.upper()) for w in t.split())))
            elif how == "table":
                out.append(Row([t]))
        else:
            out.append(b)
    return Doc(doc.header, out, doc.footer)


def _one_paragraph(doc: Doc) -> Doc:
    """The body's top-level paragraphs run into one paragraph, kept apart only by runs of spaces (a Word file
    converted from a PDF)."""
    out: list = []
    run: list[str] = []
    for b in _lines_split(doc.body) + [None]:
        if isinstance(b, P):
            run.append(b.text.replace("\t", " ").strip())
            continue
        if run:
            out.append(P("     ".join(run)))
            run = []
        if b is not None:
            out.append(b)
    return Doc(doc.header, out, doc.footer)


def _deg_inprogress(doc: Doc, label: dict) -> Doc:
    line = P(NEXT_UP[label["highest_degree"]])
    body = _lines_split(doc.body)
    for k, b in enumerate(body):
        if isinstance(b, P) and heading_of(b.text) == "education":
            return Doc(doc.header, body[:k + 1] + [line] + body[k + 1:], doc.footer)
    return Doc(doc.header, body + [P("Education"), line], doc.footer)


def _sidebar(doc: Doc) -> Doc:
    """A two-column layout: the contact block and every section but experience in a left column, the experience
    sections in the right one (one table row)."""
    body = _lines_split(doc.body)
    s, e = contact_block(Doc(doc.header, body, doc.footer))
    left, right = list(body[s:e]), []
    section = "other"
    for b in body[e:]:
        if isinstance(b, P) and heading_of(b.text):
            section = heading_of(b.text) or section
        (right if section == "experience" else left).append(b)
    if not right or not left:
        return Doc(doc.header, body, doc.footer)
    return Doc(doc.header, [Cols([left, right])], doc.footer)


def _date_transform(fmt: Callable[[DateRange], str]) -> Callable[[Doc, dict], Doc]:
    return lambda d, lab: map_doc(d, lambda x: rewrite_ranges(x, fmt))


def _heading_transform(name: str) -> Callable[[Doc, dict], Doc]:
    return lambda d, lab: _rename_heading(d, name)


def _compose(*names: str) -> Callable[[Doc, dict], Doc]:
    def f(d: Doc, lab: dict) -> Doc:
        for n in names:
            d = TRANSFORMS[n](d, lab)
        return d
    return f


TRANSFORMS: dict[str, Callable[[Doc, dict], Doc]] = {
    "identity": lambda d, lab: d,
    "contact_table": lambda d, lab: _contact(d, "table"),
    "contact_header": lambda d, lab: _contact(d, "header"),
    "contact_textbox": lambda d, lab: _contact(d, "textbox"),
    "contact_runtogether": lambda d, lab: _contact(d, "runtogether"),
    "dates_line_before": lambda d, lab: Doc(d.header, _dates_pos(_lines_split(d.body), "before"), d.footer),
    "dates_line_after": lambda d, lab: Doc(d.header, _dates_pos(_lines_split(d.body), "after"), d.footer),
    "dates_tab_end": lambda d, lab: Doc(d.header, _dates_pos(_lines_split(d.body), "tab_end"), d.footer),
    "exp_table": lambda d, lab: Doc(d.header, _exp_table(_lines_split(d.body)), d.footer),
    "dates_paren": lambda d, lab: Doc(d.header, _dates_pos(_lines_split(d.body), "paren"), d.footer),
    "contact_tabs": lambda d, lab: _contact_tabs(d),
    "loc_unlabelled": lambda d, lab: _loc(d, lab, "unlabelled"),
    "loc_hyphen": lambda d, lab: _loc(d, lab, "hyphen"),
    "loc_street": lambda d, lab: _loc(d, lab, "street"),
    **{k: _date_transform(fmt) for k, fmt in DATE_FORMATS.items()},
    # the open end of each open range written another way ("to date", "ongoing", ..., a dash alone), one per range
    "fmt_open_words": lambda d, lab: map_doc(d, (lambda f: lambda x: rewrite_ranges(x, f))(_fmt_open_words())),
    **{f"head_{name.lower().replace(' ', '_')}": _heading_transform(name)
       for name in ("Work Experience", "Professional Experience", "Employment History", "Career", "Military Service")},
    **{k: (lambda forms: lambda d, lab: map_doc(d, lambda x: rewrite_degrees(x, forms)))(v)
       for k, v in DEGREE_FORMS.items()},
    "deg_inprogress": _deg_inprogress,
    "head_upper_colon": lambda d, lab: _heading_style(d, "upper_colon"),
    "head_spaced": lambda d, lab: _heading_style(d, "spaced"),
    "head_table": lambda d, lab: _heading_style(d, "table"),
    "head_none": lambda d, lab: _heading_style(d, "none"),
    "contact_footer": lambda d, lab: _contact(d, "footer"),
    "loc_country": lambda d, lab: _loc(d, lab, "country"),
    "page_one_paragraph": lambda d, lab: _one_paragraph(d),
    "sidebar": lambda d, lab: _sidebar(d),
}
TRANSFORMS.update({  # several at once, as a CV written in another hand changes several things
    "combo_a": _compose("fmt_slash", "head_employment_history", "contact_runtogether", "dates_tab_end"),
    "combo_b": _compose("fmt_mon_now", "deg_abbrev", "contact_table", "exp_table"),
    "combo_c": _compose("fmt_dotted", "head_military_service", "deg_long", "contact_header", "dates_line_after"),
    "combo_d": _compose("fmt_year_month", "head_career", "deg_loose", "contact_textbox", "dates_line_before"),
    "combo_e": _compose("fmt_since", "head_professional_experience", "deg_inprogress", "sidebar"),
})
LOSSY = {"fmt_years_only"}


def flat_text(doc: Doc) -> str:
    def walk(bs: list) -> list[str]:
        out = []
        for b in bs:
            if isinstance(b, P):
                out.append(b.text)
            elif isinstance(b, Row):
                out.append(" | ".join(b.cells))
            elif isinstance(b, Cols):
                for c in b.cols:
                    out += walk(c)
            elif isinstance(b, TextBox):
                out += b.lines
        return out
    return "\n".join(walk(doc.header) + walk(doc.body) + walk(doc.footer))


# ---------------------------------------------------------------------------------------------------- main

def dev_word_labels() -> list[dict]:
    """The dev-split vanetik labels only (the test split's records are skipped unread)."""
    out = []
    for line in open(HERE / "labels" / "resume_fields.jsonl", encoding="utf-8"):
        r = json.loads(line)
        if r.get("split") == "dev" and r.get("source") == "vanetik":
            out.append(r)
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=HERE.parents[1] / "shared" / "data")
    ap.add_argument("--out-dir", type=Path, default=Path("/tmp/perturbed_docx"))
    ap.add_argument("--only", default="", help="comma-separated transform names (default: all)")
    ap.add_argument("--no-score", action="store_true", help="write the files only")
    ap.add_argument("--show", default="", help="print the failures of one transform (dev CVs only)")
    ap.add_argument("--out", type=Path, default=HERE / "results" / "perturb_docx.json")
    args = ap.parse_args()
    names = [n for n in (args.only.split(",") if args.only else TRANSFORMS) if n]
    labels = dev_word_labels()
    files: dict[str, list[tuple[dict, bytes]]] = {n: [] for n in names}
    changed: dict[str, int] = {n: 0 for n in names}
    originals: dict[str, bytes] = {}
    for lab in labels:
        src = (args.data / "resumes" / "vanetik_cv" / f"{lab['id']}.docx").read_bytes()
        originals[lab["id"]] = src
        doc = read_blocks(src)
        base = flat_text(doc)
        for n in names:
            new = TRANSFORMS[n](copy.deepcopy(doc), lab)
            if flat_text(new) != base or n.startswith("contact_") and new.body != doc.body:
                changed[n] += 1
            data = write_docx(new)
            (args.out_dir / n).mkdir(parents=True, exist_ok=True)
            (args.out_dir / n / f"{lab['id']}.docx").write_bytes(data)
            files[n].append((lab, data))
    print(f"wrote {sum(len(v) for v in files.values())} files under {args.out_dir}")
    if args.no_score:
        return 0

    from eval_parse import FIELDS, after_threshold, judge, score

    from matcher.domain import CandidateProfile
    from matcher.errors import ResumeError
    from matcher.resumes import ResumeParser
    from matcher.settings import Settings

    settings = Settings()
    t = settings.profile_min_confidence

    def parse(parser, data: bytes, lab: dict):  # type: ignore[no-untyped-def]
        try:
            return parser.parse(data, as_of=lab["as_of"], min_confidence=0.0).profile
        except ResumeError as e:
            why = f"{type(e).__name__}: the file could not be read"
            return CandidateProfile(unknown={f: why for f in FIELDS}, confidence={f: 0.0 for f in FIELDS})

    results: dict = {}
    t0 = time.time()
    with ResumeParser(settings) as parser:
        orig_rows = {lab["id"]: {"label": lab, "profile": parse(parser, originals[lab["id"]], lab)} for lab in labels}
        results["original"] = score(list(orig_rows.values()), t)
        results["original"]["changed"] = 0
        for n in names:
            rows = [{"label": lab, "profile": parse(parser, data, lab)} for lab, data in files[n]]
            s = score(rows, t)
            broken = 0
            for r in rows:
                o = orig_rows[r["label"]["id"]]
                for f in FIELDS:
                    if (judge(f, after_threshold(o["profile"], f, t), r["label"]) == "right"
                            and judge(f, after_threshold(r["profile"], f, t), r["label"]) != "right"):
                        broken += 1
                        if args.show == n:
                            p = r["profile"]
                            print(json.dumps({"id": r["label"]["id"], "field": f,
                                              "got": {"degree": p.degree, "months": p.months,
                                                      "location": p.location.text() if p.location else None}[f],
                                              "orig": {"degree": o["profile"].degree, "months": o["profile"].months,
                                                       "location": o["profile"].location.text()
                                                       if o["profile"].location else None}[f],
                                              "conf": p.confidence.get(f), "unknown": p.unknown.get(f),
                                              "ev": p.evidence.get(f)}, ensure_ascii=False)[:700])
            s["changed"] = changed[n]
            s["broken_fields"] = broken
            s["lossy"] = n in LOSSY
            results[n] = s
    from eval_parse import fmt

    print(f"\nPerturbed dev Word CVs ({len(labels)} per transform; threshold {t}; {time.time() - t0:.0f} s)")
    print(f"{'transform':28} {'chg':>3} {'degree':>6} {'m±12':>6} {'loc':>6} {'wrong':>6} {'unknown':>7} {'broken':>6}")
    for n, s in results.items():
        print(f"{n + (' (lossy)' if s.get('lossy') else ''):28} {s['changed']:>3} {fmt(s['degree']['right']):>6} "
              f"{fmt(s['months']['right']):>6} {fmt(s['location']['right']):>6} {fmt(s['wrong_not_unknown']):>6} "
              f"{fmt(s['unknown_rate']):>7} {s.get('broken_fields', 0):>6}")
    pert = [s for n, s in results.items() if n not in ("original", "identity") and not s.get("lossy")]
    if pert:
        tot = {k: sum(s[k]["right"] for s in pert) / len(pert) for k in ("degree", "months", "location")}
        wr = sum(s["wrong_not_unknown"] for s in pert) / len(pert)
        un = sum(s["unknown_rate"] for s in pert) / len(pert)
        br = sum(s["broken_fields"] for s in pert)
        results["all_perturbed_mean"] = {"transforms": len(pert), **tot, "wrong_not_unknown": wr,
                                         "unknown_rate": un, "broken_fields": br}
        print(f"{'mean over transforms':28} {'':>3} {tot['degree'] * 100:5.0f}% {tot['months'] * 100:5.0f}% "
              f"{tot['location'] * 100:5.0f}% {wr * 100:5.0f}% {un * 100:6.0f}% {br:>6}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".tmp")
    tmp.write_text(json.dumps({"threshold": t, "n_cvs": len(labels), "transforms": results,
                               "created": time.strftime("%Y-%m-%dT%H:%M:%S")}, indent=2, ensure_ascii=False))
    tmp.replace(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
