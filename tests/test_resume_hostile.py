"""Hostile and broken uploads: each gets its own error type, and the parser stays usable afterwards."""
from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path

import pytest

from matcher import errors as E
from matcher.resumes import ResumeParser
from matcher.settings import Settings

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
LIVE = SHARED / "resumes" / "livecareer"
needs_shared = pytest.mark.skipif(not LIVE.exists(), reason="shared data not available")


@pytest.fixture(scope="module")
def parser():
    s = Settings(max_upload_bytes=2 * 1024 * 1024, max_pages=5, parse_timeout_s=10, parse_memory_mb=1024)
    with ResumeParser(s) as p:
        yield p


def _pdf_pages(n: int) -> bytes:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument.new()
    for _ in range(n):
        pdf.new_page(612, 792)
    buf = io.BytesIO()
    pdf.save(buf)
    pdf.close()
    return buf.getvalue()


def _docx(document_xml: bytes, extra: dict[str, bytes] | None = None, compress: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compress) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.'
                   'openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
                   '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                   'wordprocessingml.document.main+xml"/></Types>')
        z.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                   'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>')
        z.writestr("word/document.xml", document_xml)
        for k, v in (extra or {}).items():
            z.writestr(k, v)
    return buf.getvalue()


W = b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _doc_xml(paras: list[str]) -> bytes:
    body = "".join(f"<w:p><w:r><w:t>{p}</w:t></w:r></w:p>" for p in paras)
    return b'<?xml version="1.0" encoding="UTF-8"?><w:document ' + W + b"><w:body>" + body.encode() + b"</w:body></w:document>"


def _still_works(parser):
    r = parser.parse(_docx(_doc_xml(["Experience", "Clerk Jan 2019 to Jan 2020", "Education", "MBA 2015"])),
                     as_of="2021-01-01")
    assert r.kind == "docx" and r.profile.months == 12 and r.profile.degree == "postgraduate"


def test_valid_docx(parser):
    _still_works(parser)


def test_empty_file(parser):
    for data in (b"", b"   \n\t "):
        with pytest.raises(E.EmptyDocument):
            parser.parse(data)


def test_png_renamed_pdf(parser):
    png = b"\x89PNG\r\n\x1a\n" + os.urandom(200)
    with pytest.raises(E.UnsupportedFileType, match="PDF, Word"):
        parser.parse(png, filename="resume.pdf")


def test_random_binary_and_other_zip(parser):
    with pytest.raises(E.UnsupportedFileType):
        parser.parse(bytes(range(256)) * 20)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("a.txt", "hello")
    with pytest.raises(E.UnsupportedFileType, match="not a Word document"):
        parser.parse(buf.getvalue())


def test_truncated_pdf(parser):
    good = _pdf_pages(1)
    with pytest.raises(E.CorruptDocument):
        parser.parse(good[: len(good) // 3])
    with pytest.raises(E.CorruptDocument):
        parser.parse(b"%PDF-1.7\n" + os.urandom(3000))
    _still_works(parser)


def test_too_many_pages(parser):
    with pytest.raises(E.TooManyPages, match="limit is 5"):
        parser.parse(_pdf_pages(8))
    with pytest.raises(E.EmptyDocument):  # a blank (scanned-like) page: no text
        parser.parse(_pdf_pages(1))


def test_file_too_large(parser):
    with pytest.raises(E.FileTooLarge):
        parser.parse(b"word " * (3 * 1024 * 1024 // 5))


def test_zip_bomb_docx(parser):
    bomb = _docx(_doc_xml(["x"]), extra={"word/bomb.xml": b"<a>" + b" " * (60 * 1024 * 1024) + b"</a>"})
    assert len(bomb) < 200_000  # high compression ratio
    with pytest.raises(E.UnsafeDocument, match="zip bomb"):
        parser.parse(bomb)
    _still_works(parser)


def test_billion_laughs_docx(parser):
    lol = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;'
           b'&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
           b"<w:document " + W + b"><w:body><w:p><w:r><w:t>&lol3;</w:t></w:r></w:p></w:body></w:document>")
    with pytest.raises(E.UnsafeDocument, match="DOCTYPE"):
        parser.parse(_docx(lol))
    _still_works(parser)


def test_timeout_memory_and_crash_replace_the_worker(parser):
    pool = parser._pool
    with pytest.raises(E.ParseTimeout):
        pool.run("_sleep", 5, 1, timeout_s=0.3)
    with pytest.raises(E.ParseMemoryExceeded):
        pool.run("_alloc", 4096, 1)
    with pytest.raises(E.CorruptDocument, match="crashed"):
        pool.run("_crash", 0, 1)
    _still_works(parser)
    assert pool.restarts >= 2


def _flate_bomb_pdf(mb: int) -> bytes:
    """A one-page PDF whose content stream inflates from under 1 MB to ``mb`` MB."""
    import zlib

    co = zlib.compressobj(9)
    content = b"".join([co.compress(b"0" * (1 << 20)) for _ in range(mb)] + [co.flush()])
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
            f"<< /Length {len(content)} /Filter /FlateDecode >>\nstream\n".encode() + content + b"\nendstream",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 3 0 R >>"]
    from tests.hostile_tools import write_pdf

    return write_pdf(objs)


def test_decompression_bomb_is_a_memory_failure_not_a_corrupt_file():
    with ResumeParser(Settings(parse_memory_mb=384, parse_workers=1, parse_burst_workers=0)) as p:
        with pytest.raises(E.ParseMemoryExceeded):
            p.parse(_flate_bomb_pdf(600))
        _still_works(p)


def test_max_chars_truncates_with_note():
    s = Settings(max_chars=1000)
    with ResumeParser(s, isolated=False) as p:
        r = p.parse(("Experience\nClerk Jan 2019 to Jan 2020\n" + "word " * 2000).encode())
    assert len(r.text) <= 1000 and any("truncated" in n for n in r.notes)


@needs_shared
def test_real_pdfs_against_labels(parser):
    labels = [json.loads(x) for x in open(SHARED / "labels" / "resume_fields_dev.jsonl")]
    live = {lab["id"]: lab for lab in labels if lab["source"] == "livecareer"}
    checked = 0
    for lab in list(live.values())[:4]:
        pdf = next(LIVE.glob(f"pdf/*/{lab['id']}.pdf"))
        prof = parser.parse(pdf.read_bytes(), as_of=lab["as_of"]).profile
        want = None if lab["highest_degree"] == "none_stated" else lab["highest_degree"]
        assert prof.degree == want, lab["id"]
        assert prof.months is not None and abs(prof.months - lab["months_experience"]) <= 12, lab["id"]
        checked += 1
    assert checked == 4


def test_cli_parse_json(tmp_path, capsys):
    from api.cli import main

    f = tmp_path / "r.txt"
    f.write_text("Jane\nAustin, TX\nExperience\nDev Jan 2019 to Present\nEducation\nBS Physics 2014\nSkills\nPython")
    assert main(["parse", str(f), "--as-of", "2021-01-01", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["degree"] == "bachelor" and out["months"] == 24 and out["location"]["country"] == "US"
    assert "Python" in out["skills"] and "degree" in out["evidence"] and out["text"]


# ---- DOCX pre-check bypasses (issue 19): every part, whole, any XML encoding -----------------------------------
DTD = '<!DOCTYPE d [<!ENTITY e "x">]>'


def _dtd_doc(enc: str, bom: bool = False, prefix: str = "") -> bytes:
    xml = (f'<?xml version="1.0" encoding="{enc.upper().replace("-LE", "").replace("-BE", "")}"?>{prefix}{DTD}'
           '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r>'
           "<w:t>&e;</w:t></w:r></w:p></w:body></w:document>")
    data = xml.encode(enc)
    if bom:
        data = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff", "utf-32-le": b"\xff\xfe\x00\x00",
                "utf-32-be": b"\x00\x00\xfe\xff", "utf-8": b"\xef\xbb\xbf"}[enc] + data
    return data


@pytest.mark.parametrize("enc,bom", [(e, b) for e in ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be", "utf-8")
                                     for b in (True, False)])
def test_docx_dtd_in_any_encoding_is_refused(parser, enc, bom):
    with pytest.raises(E.UnsafeDocument, match="DOCTYPE"):
        parser.parse(_docx(_dtd_doc(enc, bom)))


def test_docx_dtd_after_a_long_comment_is_refused(parser):
    with pytest.raises(E.UnsafeDocument, match="DOCTYPE"):
        parser.parse(_docx(_dtd_doc("utf-8", prefix="<!--" + "x" * 200_000 + "-->")))


@pytest.mark.parametrize("part", ["word/document2.xml", "customXml/item1.bin", "word/media/image1.svg", "docProps/x"])
def test_docx_dtd_in_a_part_with_another_name_is_refused(parser, part):
    with pytest.raises(E.UnsafeDocument, match="DOCTYPE"):
        parser.parse(_docx(_doc_xml(["Clerk"]), extra={part: _dtd_doc("utf-16-le", bom=True)}))


def test_docx_in_an_unsafe_declared_encoding_is_refused(parser):
    utf7 = b'<?xml version="1.0" encoding="UTF-7"?>+ADw-!DOCTYPE d +AFs-+AF0-+AD4-<w:document ' + W + b"/>"
    with pytest.raises(E.UnsafeDocument, match="UTF-7"):
        parser.parse(_docx(utf7))
    _still_works(parser)


def test_docx_main_part_under_another_name_with_dtd_is_refused(parser):
    """The main part is found through the relationships, not by name: a DTD in it must be caught too."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.'
                   'openxmlformats-package.relationships+xml"/><Override PartName="/word/main.dat" ContentType='
                   '"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
        z.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                   'officeDocument/2006/relationships/officeDocument" Target="word/main.dat"/></Relationships>')
        z.writestr("word/document.xml", _doc_xml(["decoy"]))
        z.writestr("word/main.dat", _dtd_doc("utf-32-le"))
    with pytest.raises(E.UnsafeDocument, match="DOCTYPE"):
        parser.parse(buf.getvalue())


# ---- type-confused JSON Resume fields (issue 19) --------------------------------------------------------------
BAD_VALUES = [5, 2.5, True, "text", {"k": "v"}, [1, [2]], [{"x": 1}], {"nested": [{"deep": {}}]}]


def _json_resume_paths():
    from matcher.resumes.jsonresume import _SCHEMA

    def walk(spec, path):
        yield path
        if isinstance(spec, list):
            yield from walk(spec[0], path + [0])
        elif isinstance(spec, dict):
            for k, sub in spec.items():
                yield from walk(sub, path + [k])
        elif spec == "list[str]":
            yield path + [0]
    for k, sub in _SCHEMA.items():
        yield from walk(sub, [k])


def _put(path, value):
    """The smallest document holding ``value`` at ``path``."""
    doc: object = value
    for p in reversed(path):
        doc = [doc] if p == 0 else {p: doc}
    return doc


def test_type_confused_json_resume_fields_everywhere_raise_the_project_error():
    from matcher.resumes import profile_from_json_resume

    paths = list(_json_resume_paths())
    assert len(paths) > 80
    checked = refused = 0
    for path in paths:
        for bad in BAD_VALUES + [None]:
            doc = _put(path, bad)
            try:
                prof = profile_from_json_resume(doc, as_of="2021-08-01")
            except E.InvalidJsonResume as e:
                refused += 1
                assert "JSON Resume field" in str(e)
            else:
                assert prof.text is not None  # accepted: a scalar read as text, or null as absent
            checked += 1
            # and as an uploaded .json file, through the parser: the same error, never another exception
            try:
                ResumeParser(Settings(), isolated=False).parse(json.dumps({"basics": {}, **doc}).encode()
                                                               if isinstance(doc, dict) else b"[]")
            except (E.InvalidJsonResume, E.EmptyDocument):
                pass
    assert refused > checked // 3


def test_json_resume_scalars_are_read_and_limits_hold():
    from matcher.resumes import profile_from_json_resume

    p = profile_from_json_resume({"work": [{"position": "Dev", "startDate": 2015, "endDate": 2020}],
                                  "education": [{"studyType": "Master", "endDate": 2010}],
                                  "skills": [{"name": "Go", "keywords": None}]}, as_of="2021-08-01")
    assert p.months == 60 and p.degree == "postgraduate" and "Go" in p.skills
    with pytest.raises(E.InvalidJsonResume, match="nesting"):
        deep: object = "x"
        for _ in range(40):
            deep = {"a": deep}
        profile_from_json_resume({"basics": deep}, as_of="2021-08-01")
    with pytest.raises(E.InvalidJsonResume, match="characters"):
        profile_from_json_resume({"basics": {"summary": "x " * 600_000}}, as_of="2021-08-01")


@pytest.mark.parametrize("cell", ["Jan 2015 | ", "Jan 2015 - ", "2015 - 2016 ", "Jan 2015 Feb "])
def test_a_line_of_thousands_of_dates_is_read_in_one_pass(cell):
    # every per-line fact (exclusion, word count, unpaired dates) is computed once per line, not once per date:
    # 18,000 dates on one line used to take minutes
    from matcher.resumes import profile_from_text

    p = profile_from_text(("Experience\n" + cell * 18000)[:200_000], "2021-01-01")
    assert p.months is None or 0 <= p.months <= 12 * 80
