"""The DOCX pre-check, run before python-docx sees a file: zip-bomb limits and no DTD in any part.

python-docx parses every part whose *content type* is XML, whatever its name, and libxml2 reads any encoding
the XML spec allows (UTF-8, UTF-16/32 with or without a byte-order mark, and what an encoding declaration
names). So the check looks at **every** part of the zip, **whole** (streamed in chunks, never only a prefix),
and searches it for ``<!DOCTYPE`` / ``<!ENTITY`` as they would be written in each of those encodings:

- ASCII-compatible encodings (UTF-8, Latin-1, cp125x, ...) write the markup as the ASCII bytes;
- UTF-16 LE/BE and UTF-32 LE/BE write it as 2- or 4-byte units, with or without a BOM;
- any other declared encoding (UTF-7, EBCDIC, ISO-2022, Shift-JIS, ...) is refused outright: re-saving as
  .docx writes UTF-8.

A DOCTYPE anywhere (after a long comment, in ``customXml/item1.bin``, in an embedded SVG) refuses the file.
Declared sizes, the entry count and the compression ratio are checked before anything is decompressed, and
the bytes actually read are counted, so a zip that lies about its sizes is refused too.
"""
from __future__ import annotations

import io
import re
import zipfile

from matcher.errors import CorruptDocument, UnsafeDocument

MAX_ENTRIES = 2000
MAX_UNCOMPRESSED = 100 * 1024 * 1024
MAX_RATIO = 200
_CHUNK = 1 << 20  # a multiple of 4: UTF-32 units never straddle chunks
_OVERLAP = 64     # longer than the longest pattern in UTF-32 (9 characters x 4 bytes)

_WORDS = ("<!DOCTYPE", "<!ENTITY")
_ENCODINGS = ("latin-1", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")


def _pattern() -> re.Pattern[bytes]:
    alts = [re.escape(w.encode(enc)) for w in _WORDS for enc in _ENCODINGS]
    return re.compile(b"|".join(alts), re.I)  # re.I folds the ASCII letters inside every encoding's units


_DTD = _pattern()
# the encoding named by an XML declaration written in an ASCII-compatible encoding or in UTF-16/32
_DECL = re.compile(r"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:\-]+)["']""")
_SAFE_ENCODINGS = re.compile(r"^(utf-?8|utf-?16(le|be)?|utf-?32(le|be)?|ucs-?[24]|(us-)?ascii|iso-?8859-\d+|"
                             r"latin-?\d|windows-125\d|cp125\d)$", re.I)
_BOMS = ((b"\x00\x00\xfe\xff", "utf-32-be"), (b"\xff\xfe\x00\x00", "utf-32-le"), (b"\xef\xbb\xbf", "utf-8"),
         (b"\xfe\xff", "utf-16-be"), (b"\xff\xfe", "utf-16-le"))
_NO_BOM = ((b"\x00\x00\x00<", "utf-32-be"), (b"<\x00\x00\x00", "utf-32-le"), (b"\x00<", "utf-16-be"),
           (b"<\x00", "utf-16-le"))


def _declared_encoding(head: bytes) -> str | None:
    """The encoding in the XML declaration at the start of a part, read in whatever encoding the first bytes
    show (XML 1.0 appendix F); None when there is no declaration."""
    enc = "latin-1"
    for bom, name in _BOMS:
        if head.startswith(bom):
            enc, head = name, head[len(bom):]
            break
    else:
        for start, name in _NO_BOM:
            if head.startswith(start):
                enc = name
                break
    m = _DECL.match(head[:4096].decode(enc, errors="ignore"))
    return m.group(1) if m else None


def _refuse_dtd(name: str) -> UnsafeDocument:
    return UnsafeDocument(f"The Word file part {name} declares a DOCTYPE/ENTITY, which is not allowed "
                          "(XML entity attack). Re-save it or upload a PDF.")


def check_docx_zip(data: bytes) -> None:
    """Refuse zip bombs (declared sizes, entry count, ratio, sizes that lie) and any part holding a DTD in any
    encoding XML allows; raise :class:`UnsafeDocument` or :class:`CorruptDocument`."""
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as e:
        raise CorruptDocument(f"The Word file is damaged ({e}). Re-save it as .docx or PDF.") from None
    with z:
        infos = z.infolist()
        if len(infos) > MAX_ENTRIES:
            raise UnsafeDocument(f"The Word file has {len(infos)} parts (limit {MAX_ENTRIES}); "
                                 "it looks like a zip bomb. Re-save it or upload a PDF.")
        total = sum(i.file_size for i in infos)
        if total > MAX_UNCOMPRESSED:
            raise UnsafeDocument(f"The Word file expands to {total // (1024 * 1024)} MB (limit "
                                 f"{MAX_UNCOMPRESSED // (1024 * 1024)} MB); it looks like a zip bomb.")
        for i in infos:
            if i.file_size > 1024 * 1024 and i.file_size > MAX_RATIO * max(i.compress_size, 1):
                raise UnsafeDocument(f"The Word file part {i.filename} is compressed "
                                     f"{i.file_size // max(i.compress_size, 1)}:1; it looks like a zip bomb. "
                                     "Re-save it or upload a PDF.")
        read_total = 0
        for i in infos:
            read_total += _scan_part(z, i, MAX_UNCOMPRESSED - read_total)


def _scan_part(z: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int) -> int:
    """Stream one part whole; refuse a DTD or an unsafe declared encoding. Returns the bytes read."""
    n = 0
    tail = b""
    try:
        with z.open(info) as fh:
            while True:
                chunk = fh.read(_CHUNK)
                if not chunk:
                    break
                if n == 0:
                    enc = _declared_encoding(chunk)
                    if enc is not None and not _SAFE_ENCODINGS.match(enc):
                        raise UnsafeDocument(f"The Word file part {info.filename} is written in {enc!r}, which is "
                                             "not accepted. Re-save it as .docx (UTF-8) or upload a PDF.")
                n += len(chunk)
                if n > info.file_size + 1024 or n > budget:
                    raise UnsafeDocument("The Word file lies about its sizes; it looks like a zip bomb.")
                # keep alignment: the overlap is a multiple of 4 bytes from the start of the part
                window = tail + chunk
                if _DTD.search(window):
                    raise _refuse_dtd(info.filename)
                tail = window[-_OVERLAP:] if len(window) >= _OVERLAP else window
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError, ValueError) as e:
        raise CorruptDocument(f"The Word file is damaged ({type(e).__name__}). Re-save it as .docx or PDF.") from None
    return n
