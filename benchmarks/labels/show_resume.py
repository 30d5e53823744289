"""Print a resume's full text for labelling, independent of the project's parser.

    python3 benchmarks/labels/show_resume.py SOURCE ID [--data ../shared/data]

SOURCE is ``livecareer`` (the ``pdftotext -layout`` text in resumes.jsonl), ``updated_resume_dataset`` or
``vanetik`` (every paragraph of every XML part of the DOCX, in file order: body, tables, text boxes,
headers and footers, one paragraph per line). Standard library only, so labellers need no install.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import zipfile
from pathlib import Path

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def docx_text(path: Path) -> str:
    import xml.etree.ElementTree as ET

    out: list[str] = []
    with zipfile.ZipFile(path) as z:
        names = [n for n in z.namelist() if re.match(r"word/(document|header\d*|footer\d*)\.xml$", n)]
        names.sort(key=lambda n: (not n.startswith("word/document"), n))
        for name in names:
            out.append(f"----- {name} -----")
            root = ET.fromstring(z.read(name))
            for p in root.iter(_W + "p"):
                parts = []
                for el in p.iter():
                    if el.tag == _W + "t" and el.text:
                        parts.append(el.text)
                    elif el.tag in (_W + "tab",):
                        parts.append("\t")
                    elif el.tag in (_W + "br", _W + "cr"):
                        parts.append("\n")
                line = "".join(parts)
                if line.strip():
                    out.append(line)
    return "\n".join(out)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("source", choices=["livecareer", "updated_resume_dataset", "vanetik"])
    ap.add_argument("id")
    ap.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[3] / "shared" / "data")
    a = ap.parse_args()
    if a.source == "vanetik":
        print(docx_text(a.data / "resumes" / "vanetik_cv" / f"{a.id}.docx"))
        return 0
    path = a.data / "resumes" / a.source / "resumes.jsonl"
    for line in open(path, encoding="utf-8"):
        rec = json.loads(line)
        if str(rec["id"]) == a.id:
            print(rec["text"])
            return 0
    print(f"no resume {a.id!r} in {path}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
