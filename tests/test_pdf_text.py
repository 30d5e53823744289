"""The PDF reader's fast char pass (:func:`matcher.resumes.readers._spaced`, numpy over one buffer of boxes) gives
exactly what its definition, the per-char loop :func:`_spaced_per_char`, gives: text, jumps and boxes, for tight
and loose boxes, on drawn test pages and on shared livecareer PDFs."""
from __future__ import annotations

import zlib

import pytest

from tests.conftest import IT_PDFS
from tests.hostile_tools import write_pdf


def _pdf(ops: list[tuple[float, float, str]], font: bytes = b"/Helvetica") -> bytes:
    """A one-page PDF drawing each (x, y, text) in the order given (10 pt)."""
    stream = b"".join(f"BT /F1 10 Tf {x} {y} Td ({t}) Tj ET\n".encode() for x, y, t in ops)
    content = zlib.compress(stream)
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [5 0 R] /Count 1 >>",
            b"<< /Type /Font /Subtype /Type1 /BaseFont " + font + b" >>",
            f"<< /Length {len(content)} /Filter /FlateDecode >>\nstream\n".encode() + content + b"\nendstream",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> "
            b"/Contents 4 0 R >>"]
    return write_pdf(objs)


def _both(data: bytes) -> list[tuple[tuple, tuple]]:  # type: ignore[type-arg]
    import pypdfium2 as pdfium

    from matcher.resumes.readers import _spaced, _spaced_per_char

    out = []
    pdf = pdfium.PdfDocument(data)
    try:
        for i in range(len(pdf)):
            page = pdf[i]
            tp = page.get_textpage()
            jump = 0.25 * page.get_width()
            for loose in (False, True):
                fast = _spaced(tp, loose=loose, jump=jump)
                slow = _spaced_per_char(tp, loose=loose, jump=jump)
                # boxes are only needed (and only returned by the fast pass) when the page jumps 3 times or more
                out.append(((fast[0], fast[2], fast[1] if fast[2] >= 3 else None),
                            (slow[0], slow[2], slow[1] if slow[2] >= 3 else None)))
            tp.close()
            page.close()
    finally:
        pdf.close()
    return out


LEFT = ["EXPERIENCE", "Developer, Acme Corp", "Jan 2016 - Dec 2019", "Built the billing service in Java, 3 5 7"]
RIGHT = ["SKILLS", "Java, Python; SQL: and Kafka!", "1 2 3 4 and 12  34", "B.Sc. (Computer Science) 100%"]


@pytest.mark.parametrize("font", [b"/Helvetica", b"/Courier", b"/Times-Roman"])
def test_fast_char_pass_matches_the_per_char_loop_on_drawn_pages(font):
    ops = [(40, 700, "Dana Levi, Backend Developer, Tel Aviv")]
    for i, (a, b) in enumerate(zip(LEFT, RIGHT, strict=True)):
        ops += [(40, 660 - 16 * i, a), (330, 660 - 16 * i, b)]  # interleaved columns: the boxes are returned
    ops += [(40, 300, "tight"), (62, 300, "gap"), (40, 280, "x"), (40, 279, "y")]
    pairs = _both(_pdf(ops, font))
    assert any(fast[1] >= 3 and fast[2] for fast, _ in pairs)  # the interleaved page exercised the boxes
    for fast, slow in pairs:
        assert fast == slow


def test_fast_char_pass_on_an_empty_and_a_one_char_page():
    for ops in ([], [(40, 700, "A")], [(40, 700, " ")]):
        for fast, slow in _both(_pdf(ops)):
            assert fast == slow


@pytest.mark.skipif(not IT_PDFS.is_dir(), reason="shared livecareer PDFs not present")
def test_fast_char_pass_matches_the_per_char_loop_on_real_resumes():
    pdfs = sorted(IT_PDFS.glob("*.pdf"))[:25]
    assert pdfs
    n = 0
    for p in pdfs:
        for fast, slow in _both(p.read_bytes()):
            assert fast == slow, p.name
            n += 1
    assert n >= 50
