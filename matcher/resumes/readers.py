"""One reader per file type, from bytes to text, chosen by :func:`detect_kind` on the content.

The type is decided from the bytes (magic numbers, structure), never from the file name:
- ``%PDF``                                        -> ``pdf``  (pypdfium2)
- a zip holding ``word/document.xml``              -> ``docx`` (python-docx, after zip-bomb and DOCTYPE checks)
- a JSON object with JSON Resume keys              -> ``json``
- anything that decodes as text with few controls -> ``text`` (UTF-8/16, Latin-1, cp1252, ... via charset-normalizer)

Everything else (images, executables, other zips, binary) raises :class:`UnsupportedFileType`.
PDF and DOCX readers may be slow or hostile; run them through :mod:`matcher.resumes.safe`.
"""
from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from matcher.errors import CorruptDocument, EmptyDocument, TooManyPages, UnsupportedFileType
from matcher.resumes.sections import COLUMN_MARK

ACCEPTED = "PDF, Word (.docx), plain text (UTF-8, UTF-16, Latin-1/cp1252) or JSON Resume"

JSONRESUME_KEYS = {"basics", "work", "education", "skills", "volunteer", "awards", "projects", "languages",
                   "certificates", "publications", "interests", "references", "meta"}

_KNOWN_BINARY = [
    (b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"),
    (b"BM", None), (b"II*\x00", "a TIFF image"), (b"MM\x00*", "a TIFF image"), (b"RIFF", "a RIFF media file"),
    (b"\x7fELF", "an executable (ELF)"), (b"MZ", "an executable (Windows)"), (b"\xca\xfe\xba\xbe", "a binary"),
    (b"\x1f\x8b", "a gzip archive"), (b"Rar!", "a RAR archive"), (b"7z\xbc\xaf", "a 7z archive"),
    (b"\xd0\xcf\x11\xe0", "a legacy Office file (.doc); save it as .docx or PDF"),
    (b"{\\rtf", "an RTF file; save it as .docx or PDF"), (b"%!PS", "a PostScript file"),
]


@dataclass(frozen=True)
class Extracted:
    """Text from one reader; ``pages`` is 0 for types without pages."""

    text: str
    pages: int = 0
    profile_json: str | None = None  # the profile read from ``text`` in the isolated worker, when it was asked for


def _refuse(what: str) -> UnsupportedFileType:
    return UnsupportedFileType(f"This looks like {what}, which cannot be read as a resume. Upload {ACCEPTED}.")


def detect_kind(data: bytes) -> str:
    """``pdf`` | ``docx`` | ``json`` | ``text``; raise EmptyDocument / UnsupportedFileType otherwise."""
    if not data or not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise EmptyDocument("The file is empty. Upload a resume with some text in it.")
    head = data[:1024]
    if b"%PDF-" in head[:1024] and head.lstrip().startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                names = set(z.namelist())
        except (zipfile.BadZipFile, ValueError, OSError) as e:
            raise CorruptDocument(f"The zip/Word file is damaged ({e}). Re-save it as .docx or PDF.") from None
        if "word/document.xml" in names:
            return "docx"
        raise _refuse("a zip archive that is not a Word document")
    for magic, what in _KNOWN_BINARY:
        if head.startswith(magic) and what:
            raise _refuse(what)
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"{"):
        try:
            obj = json.loads(decode_text(data))
        except (ValueError, RecursionError, UnsupportedFileType):
            obj = None
        if isinstance(obj, dict) and JSONRESUME_KEYS & set(obj):
            return "json"
    decode_text(data)  # raises UnsupportedFileType for binary
    return "text"


# ---- text ---------------------------------------------------------------------------------------
_CTRL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _utf16_guess(data: bytes) -> str | None:
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    half = len(sample) / 2
    if odd > 0.3 * half and even < 0.05 * half:
        return "utf-16-le"
    if even > 0.3 * half and odd < 0.05 * half:
        return "utf-16-be"
    return None


def decode_text(data: bytes) -> str:
    """Decode text of unknown encoding; refuse binary (many control characters)."""
    text: str | None = None
    if data.startswith(b"\xef\xbb\xbf"):
        text = data[3:].decode("utf-8", errors="replace")
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16", errors="replace")
    else:
        enc = _utf16_guess(data)
        if enc:
            text = data.decode(enc, errors="replace")
    if text is None:
        if b"\x00" in data[:8192]:
            raise _refuse("a binary file")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            from charset_normalizer import from_bytes

            best = from_bytes(data[:200_000]).best()
            if best is None:
                raise _refuse("a binary file") from None
            enc = best.encoding
            if enc in ("latin_1", "iso8859_1", "ascii"):
                enc = "cp1252"  # superset that maps the 0x80-0x9f quotes and dashes
            text = data.decode(enc, errors="replace")
    sample = text[:20_000]
    if sample and len(_CTRL.findall(sample)) > 0.01 * len(sample) + 2:
        raise _refuse("a binary file")
    return text


def read_text(data: bytes, max_pages: int = 0) -> Extracted:
    return Extracted(decode_text(data))


# ---- PDF ----------------------------------------------------------------------------------------
def read_pdf(data: bytes, max_pages: int = 50) -> Extracted:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        msg = str(e).lower()
        if "password" in msg:
            raise CorruptDocument("The PDF is password-protected. Upload an unprotected copy.") from None
        raise CorruptDocument(f"The PDF could not be opened ({e}). Re-export it or upload a .docx.") from None
    try:
        n = len(pdf)
        if n > max_pages:
            raise TooManyPages(f"The PDF has {n} pages; the limit is {max_pages}. Upload a shorter resume.")
        parts = []
        for i in range(n):
            page = pdf[i]
            try:
                parts.append(_page_text(page))
            finally:
                page.close()
        return Extracted("\n".join(parts), n)
    finally:
        pdf.close()


def _page_text(page) -> str:  # type: ignore[no-untyped-def]
    """Page text char by char, adding the spaces pdfium drops between words placed by position. Text is kept in
    the order the PDF draws it (which is the reading order for PDFs written column by column), except on a
    page whose two columns are drawn interleaved line by line: that page is re-read column by column
    (:func:`_columns`).

    Spaces come from gaps between the tight glyph boxes (what the livecareer PDFs need); when that reads most
    words as single letters (fonts whose glyph boxes leave gaps inside words, such as the standard Helvetica),
    the page is read again spaced from the loose boxes (glyph advance), where letters of one word touch."""
    tp = page.get_textpage()
    try:
        width = page.get_width()
        text, boxes, jumps = _spaced(tp, loose=False, jump=0.25 * width)
        words = text.split()
        if words and sum(len(w) == 1 and w.isalpha() for w in words) > 0.3 * len(words):
            text, boxes, jumps = _spaced(tp, loose=True, jump=0.25 * width)
        # interleaved columns show as jumps across the page on one baseline; without them keep the drawn order
        reordered = _columns(boxes, width) if jumps >= 3 else None
        return reordered if reordered is not None else text.replace("\r\n", "\n").replace("\r", "\n")
    finally:
        tp.close()


_SPACE_CODES = (0x0D, 0x0A, 0x20, 0x09, 0xA0)  # the chars of "\r\n \t\xa0": no box, and they end a run of drawn chars
_NO_SPACE_BEFORE = tuple(map(ord, ".,;:)!?%'"))
_pdfium_calls = None


def _pdfium() -> tuple:  # type: ignore[type-arg]
    """pdfium's per-char text calls as ctypes function pointers without ``argtypes`` (the same C functions as
    ``pypdfium2.raw``'s, called with ready-made pointers: ctypes then converts no argument, ~4x cheaper a call)."""
    global _pdfium_calls
    if _pdfium_calls is None:
        import ctypes

        import pypdfium2.raw as R

        def bare(f, restype):  # type: ignore[no-untyped-def]
            g = type(f)(ctypes.cast(f, ctypes.c_void_p).value)
            g.restype = restype
            return g

        _pdfium_calls = (bare(R.FPDFText_GetUnicode, ctypes.c_uint), bare(R.FPDFText_GetCharBox, ctypes.c_int),
                         bare(R.FPDFText_GetLooseCharBox, ctypes.c_int))
    return _pdfium_calls


def _spaced(tp, *, loose: bool, jump: float) -> tuple[str, list[tuple[str, float, float, float, float]], int]:  # type: ignore[no-untyped-def]
    """(text with positioned spaces, (char, left, right, bottom, height) per drawn char — only when the drawing
    jumps 3 times or more, else [] —, how many times the drawing jumps right by more than ``jump`` on one
    baseline).

    :func:`_spaced_per_char` is the definition; this is the same arithmetic on numpy arrays: one pdfium call per
    char for its code point and one per drawn char for its box, the boxes gathered in one buffer. Same text, boxes
    and jumps as the per-char loop (every shared PDF, tested); a page with a NaN in a box goes the per-char way
    (Python's ``max`` and numpy's treat NaN differently)."""
    import ctypes
    from itertools import repeat

    import numpy as np
    import pypdfium2.raw as R

    get_unicode, get_box, get_loose_box = _pdfium()
    raw = tp.raw
    n = R.FPDFText_CountChars(raw)
    if n <= 0:
        return "", [], 0
    codes = np.fromiter(map(get_unicode, repeat(raw, n), range(n)), dtype=np.int64, count=n)
    valid = (codes > 0) & (codes < 0x110000)
    drawn = valid & ~np.isin(codes, _SPACE_CODES)
    idx = np.flatnonzero(drawn)
    buf = bytearray()
    if loose:
        rect = R.FS_RECTF()
        p = ctypes.byref(rect)
        for i in idx.tolist():
            get_loose_box(raw, i, p)
            buf += rect
        f = np.frombuffer(bytes(buf), dtype=np.float32).reshape(-1, 4).astype(np.float64)  # left, top, right, bottom
        left, right, bottom, h = f[:, 0], f[:, 2], f[:, 3], f[:, 1] - f[:, 3]
    else:
        box = (ctypes.c_double * 4)()
        a, b, c, d = (ctypes.byref(box, 8 * k) for k in range(4))
        for i in idx.tolist():
            get_box(raw, i, a, b, c, d)
            buf += box
        f = np.frombuffer(bytes(buf), dtype=np.float64).reshape(-1, 4)  # left, right, bottom, top
        left, right, bottom, h = f[:, 0], f[:, 1], f[:, 2], f[:, 3] - f[:, 2]
    if np.isnan(f).any():
        return _spaced_per_char(tp, loose=loose, jump=jump)
    text = codes[valid].astype(np.uint32).tobytes().decode("utf-32-le", errors="surrogatepass")
    if len(idx) < 2:
        return text, [], 0
    # jumps: from each drawn char to the next drawn one (spaces between them do not matter)
    reach = np.maximum(np.maximum(h[1:], h[:-1]), 1.0)
    jumps = int(np.count_nonzero((left[1:] - right[:-1] > jump) & (np.abs(bottom[1:] - bottom[:-1]) < 0.5 * reach)))
    # a space before a drawn char whose previous char (right before it, not a space) was drawn too
    size = np.maximum(h[1:], h[:-1])
    gap = left[1:] - right[:-1]
    cur = codes[idx[1:]]
    cand = ((idx[1:] - idx[:-1] == 1) & (h[1:] > 0) & (h[:-1] != 0) & (np.abs(bottom[1:] - bottom[:-1]) < 0.5 * size)
            & (gap > 0.12 * size) & ~np.isin(cur, _NO_SPACE_BEFORE))
    ks = np.flatnonzero(cand)
    wide = (gap[ks] > 0.3 * size[ks]).tolist()
    pos = np.cumsum(valid) - 1  # each char's place in ``text``
    at = pos[idx[1:][ks]].tolist()
    cuts = [t for t, w in zip(at, wide, strict=True) if w or not (text[t].isdigit() and text[t - 1].isdigit())]
    if cuts:
        text = " ".join(text[s:e] for s, e in zip([0, *cuts], [*cuts, len(text)], strict=True))
    boxes: list[tuple[str, float, float, float, float]] = []
    if jumps >= 3:
        chars = [chr(u) for u in codes[idx].tolist()]
        boxes = list(zip(chars, left.tolist(), right.tolist(), bottom.tolist(), h.tolist(), strict=True))
    return text, boxes, jumps


def _spaced_per_char(tp, *, loose: bool, jump: float) -> tuple[str, list[tuple[str, float, float, float, float]], int]:  # type: ignore[no-untyped-def]
    """(text with positioned spaces, (char, left, right, bottom, height) per drawn char, how many times the
    drawing jumps right by more than ``jump`` on one baseline), char by char: the definition of :func:`_spaced`."""
    import ctypes

    import pypdfium2.raw as R

    n = R.FPDFText_CountChars(tp.raw)
    le, ri, bo, to = ctypes.c_double(), ctypes.c_double(), ctypes.c_double(), ctypes.c_double()
    rect = R.FS_RECTF()
    out: list[str] = []
    boxes: list[tuple[str, float, float, float, float]] = []
    prev_r = prev_b = prev_h = None
    jumps = 0
    last: tuple[float, float, float] | None = None  # right, bottom, height of the previous drawn char
    for i in range(n):
        u = R.FPDFText_GetUnicode(tp.raw, i)
        ch = chr(u) if 0 < u < 0x110000 else ""
        if not ch or ch in "\r\n \t\xa0":
            out.append(ch)
            prev_r = None
            continue
        if loose:
            R.FPDFText_GetLooseCharBox(tp.raw, i, ctypes.byref(rect))
            left, right, bottom, h = rect.left, rect.right, rect.bottom, rect.top - rect.bottom
        else:
            R.FPDFText_GetCharBox(tp.raw, i, ctypes.byref(le), ctypes.byref(ri), ctypes.byref(bo), ctypes.byref(to))
            left, right, bottom, h = le.value, ri.value, bo.value, to.value - bo.value
        boxes.append((ch, left, right, bottom, h))
        if last is not None and left - last[0] > jump and abs(bottom - last[1]) < 0.5 * max(h, last[2], 1.0):
            jumps += 1
        last = (right, bottom, h)
        if prev_r is not None and h > 0 and prev_h:
            size = max(h, prev_h)
            gap = left - prev_r
            if abs(bottom - prev_b) < 0.5 * size and gap > 0.12 * size and ch not in ".,;:)!?%'":
                if gap > 0.3 * size or not (ch.isdigit() and out and out[-1].isdigit()):
                    out.append(" ")
        out.append(ch)
        prev_r, prev_b, prev_h = right, bottom, h
    return "".join(out), boxes, jumps


@dataclass
class _Run:
    """Characters drawn one after another on one baseline without a wide gap."""

    x0: float
    x1: float
    y: float
    size: float
    text: str


def _runs(boxes: list[tuple[str, float, float, float, float]]) -> list[_Run]:
    runs: list[_Run] = []
    cur: _Run | None = None
    for ch, left, right, bottom, h in boxes:
        size = max(h, 1.0)
        if cur is not None:
            same_line = abs(bottom - cur.y) < 0.5 * max(size, cur.size)
            gap = left - cur.x1
            if same_line and -0.5 * size < gap < 1.5 * max(size, cur.size):
                if gap > 0.12 * max(size, cur.size) and ch not in ".,;:)!?%'":
                    cur.text += " "
                cur.text += ch
                cur.x1 = max(cur.x1, right)
                continue
            runs.append(cur)
        cur = _Run(left, right, bottom, size, ch)
    if cur is not None:
        runs.append(cur)
    return runs


def _lines_of(runs: list[_Run]) -> list[str]:
    """Runs top to bottom, left to right; runs on one baseline make one line."""
    lines: list[list[_Run]] = []
    for r in sorted(runs, key=lambda r: (-r.y, r.x0)):
        if lines and abs(lines[-1][0].y - r.y) < 0.5 * max(r.size, lines[-1][0].size):
            lines[-1].append(r)
        else:
            lines.append([r])
    return [" ".join(x.text for x in sorted(ln, key=lambda r: r.x0)) for ln in lines]


def _columns(boxes: list[tuple[str, float, float, float, float]], width: float) -> str | None:
    """The page read column by column when it has two columns of text (a gutter that at most a tenth of the
    runs cross, each side with at least a quarter of the text) drawn interleaved (the drawing order switches sides on at least
    a third of its steps); otherwise None (keep the drawing order). Runs that cross the gutter (a full-width
    heading) split the page into bands, each read left column then right column."""
    runs = _runs(boxes)
    if len(runs) < 8 or width <= 0:
        return None
    import numpy as np

    x0 = np.array([r.x0 for r in runs])
    x1 = np.array([r.x1 for r in runs])
    n = np.array([len(r.text) for r in runs], dtype=float)
    chars = n.sum()
    gs = np.arange(int(width * 0.25), int(width * 0.75), 4, dtype=float)[:, None]
    crossing = (x0 < gs) & (gs < x1)
    cross = crossing.sum(axis=1)  # runs (full-width headings, long lines) that the gutter would cut
    left = (x1 <= gs) @ n
    right = chars - crossing @ n - left
    ok = (cross <= max(2, 0.1 * len(runs))) & (np.minimum(left, right) >= 0.25 * chars)
    if not ok.any():
        return None
    g = float(gs[np.flatnonzero(ok)[np.argmin(cross[ok])], 0])
    sides = [0 if r.x1 <= g else 1 if r.x0 >= g else -1 for r in runs]
    steps = [(a, b) for a, b in zip(sides, sides[1:], strict=False) if a >= 0 and b >= 0]
    if not steps or sum(a != b for a, b in steps) < len(steps) / 3:
        return None
    bands: list[list[_Run]] = [[]]
    for r, side in sorted(zip(runs, sides, strict=False), key=lambda rs: -rs[0].y):
        if side < 0:
            bands.append([r])
            bands.append([])
        else:
            bands[-1].append(r)
    out: list[str] = []
    for band in bands:
        if len(band) == 1 and band[0].x0 < g < band[0].x1:
            out.append(band[0].text)
            continue
        out += _lines_of([r for r in band if r.x1 <= g]) + _lines_of([r for r in band if r.x0 >= g])
    return "\n".join(out)


# ---- DOCX ---------------------------------------------------------------------------------------
def check_docx_zip(data: bytes) -> None:
    """Refuse zip bombs and DOCTYPE/ENTITY declarations in any part, in any encoding XML allows
    (:mod:`matcher.resumes.docxcheck`)."""
    from matcher.resumes.docxcheck import check_docx_zip as check

    check(data)


def read_docx(data: bytes, max_pages: int = 0) -> Extracted:
    """Every paragraph of the document in reading order, one per line: headers first, then the body
    (paragraphs, tables row by row, text boxes after the paragraph that anchors them, content controls),
    then footers (before the body when short or holding contact details). A table row whose cells are single lines
    becomes one line, cells joined by " | ", so a label and its value stay together and cells never run into
    each other."""
    check_docx_zip(data)
    import docx

    try:
        doc = docx.Document(io.BytesIO(data))
    except Exception as e:  # python-docx raises many types on broken packages
        raise CorruptDocument(f"The Word file could not be read ({type(e).__name__}). Re-save it as .docx or PDF.") from None
    heads: list[str] = []
    feet: list[str] = []
    seen: set[str] = set()
    for rel in doc.part.rels.values():
        kind = rel.reltype.rsplit("/", 1)[-1]
        if kind not in ("header", "footer") or rel.is_external:
            continue
        part = rel.target_part
        name = str(part.partname)
        if name in seen:
            continue
        seen.add(name)
        try:
            from lxml import etree

            root = etree.fromstring(part.blob, parser=etree.XMLParser(resolve_entities=False, no_network=True))
        except Exception:  # a broken header must not lose the body
            continue
        _docx_blocks(root, heads if kind == "header" else feet)
    body: list[str] = []
    _docx_blocks(doc.element.body, body)
    if feet and (len(feet) <= 8 or any(_CONTACT_LINE.search(x) for x in feet)):
        # a short footer, or one holding contact details (some templates put the name, phone and city there), is
        # read with the header: a résumé's contact lines are looked for at its top
        return Extracted("\n".join(heads + feet + body))
    return Extracted("\n".join(heads + body + feet))


_CONTACT_LINE = re.compile(r"@|\b(?:phone|mobile|tel|e-?mail|address|residence|location|linked-?in)\b\s*[:|]|"
                           r"\+\d{1,3}[\s(-]*\d", re.I)


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_DX = {k: _W + k for k in ("p", "tbl", "tr", "tc", "sdt", "sdtContent", "t", "tab", "br", "cr", "txbxContent",
                           "noBreakHyphen", "delText", "instrText", "customXml", "smartTag", "ins", "hyperlink")}


# between the cells of a two-column table row ("Skills ... Education ..." | "Developer, Acme 2015-2018 ..."): read
# by the profile as "the section heading of the previous column does not carry over", then dropped from the text.
# (sections.COLUMN_MARK: a private-use character only this reader writes; a form feed in pasted text or a PDF page
# break is not one)


def _docx_blocks(container, out: list[str]) -> None:  # type: ignore[no-untyped-def]
    for ch in container:
        tag = ch.tag
        if tag == _DX["p"]:
            _docx_paragraph(ch, out)
        elif tag == _DX["tbl"]:
            _docx_table(ch, out)
        elif tag in (_DX["sdt"], _DX["sdtContent"], _DX["customXml"], _DX["ins"]):
            _docx_blocks(ch, out)


def _docx_paragraph(p, out: list[str]) -> None:  # type: ignore[no-untyped-def]
    buf: list[str] = []
    boxes: list = []

    def walk(el) -> None:  # type: ignore[no-untyped-def]
        for ch in el:
            tag = ch.tag
            if tag == _DX["t"]:
                buf.append(ch.text or "")
            elif tag == _DX["tab"]:
                buf.append("\t")
            elif tag in (_DX["br"], _DX["cr"]):
                buf.append("\n")
            elif tag == _DX["noBreakHyphen"]:
                buf.append("-")
            elif tag == _DX["txbxContent"]:
                boxes.append(ch)
            elif tag in (_MC_FALLBACK, _DX["delText"], _DX["instrText"]):
                continue  # the fallback repeats the text box; deleted text and field codes are not shown
            elif isinstance(tag, str):
                walk(ch)

    walk(p)
    line = "".join(buf)
    if line.strip():
        out.append(line)
    for box in boxes:
        _docx_blocks(box, out)


def _docx_table(tbl, out: list[str]) -> None:  # type: ignore[no-untyped-def]
    for tr in tbl:
        if tr.tag != _DX["tr"]:
            continue
        cells: list[list[str]] = []
        for tc in tr:
            if tc.tag != _DX["tc"]:
                continue
            lines: list[str] = []
            _docx_blocks(tc, lines)
            cells.append([ln for ln in lines if ln.strip()])
        if all(len(c) <= 1 for c in cells):
            row = " | ".join(c[0].strip() for c in cells if c)
            if row:
                out.append(row)
        else:
            from matcher.resumes.sections import heading_of

            headed = False
            for c in cells:
                if headed and c:
                    out.append(COLUMN_MARK)  # a new column: the heading of the one before does not go on
                out.extend(c)
                headed = headed or any(heading_of(x) for x in c)


def read_json(data: bytes, max_pages: int = 0) -> Extracted:
    """JSON Resume: the text is a readable rendering; the structured profile comes from jsonresume.py."""
    from matcher.resumes.jsonresume import json_resume_text

    try:
        obj = json.loads(decode_text(data))
    except ValueError as e:
        raise CorruptDocument(f"The JSON Resume is not valid JSON ({e}).") from None
    return Extracted(json_resume_text(obj))


READERS: dict[str, Callable[[bytes, int], Extracted]] = {
    "pdf": read_pdf, "docx": read_docx, "text": read_text, "json": read_json,
}
ISOLATED_KINDS = frozenset({"pdf", "docx"})


def reader_for(kind: str) -> Callable[[bytes, int], Extracted]:
    """The factory: one reader per kind."""
    try:
        return READERS[kind]
    except KeyError:
        raise UnsupportedFileType(f"No reader for {kind!r}. Upload {ACCEPTED}.") from None
