"""Do second readings of a resume tell a wrong field from a right one? The measurement behind the round-5
"readings disagree" rules (issue #11; ``matcher/resumes/consistency.py``).

A *second reading* re-reads the same document another way and runs the profile rules on it; a field *disagrees*
when the second reading gives another degree, months more than 12 apart (or none), or another place (another
country, a city against none, cities more than 40 km apart, or none). A useful reading disagrees on wrong fields
and not on right ones. Three steps, so that an older parser can be scored with readings written now:

    # 1. primary profiles (+ text) of the tuning records and the perturbed dev Word CVs, by the parser under --root
    .venv/bin/python benchmarks/bench_parse_agreement.py dump --root . --perturbed /tmp/perturbed_docx --out /tmp/cur.json
    git archive 287ec25^ matcher index | tar -x -C /tmp/r1     # the parser before any rule was tuned on our labels
    .venv/bin/python benchmarks/bench_parse_agreement.py dump --root /tmp/r1 --out /tmp/r1.json
    # 2. second readings of each dumped text (and of each Word file), written by this tree
    .venv/bin/python benchmarks/bench_parse_agreement.py texts --dump /tmp/r1.json --out /tmp/r1_texts.json
    # 3. profile every second reading with the --root parser; agree / disagree against right / wrong
    .venv/bin/python benchmarks/bench_parse_agreement.py score --root /tmp/r1 --dump /tmp/r1.json --texts /tmp/r1_texts.json

Records: ``dev0`` + ``dev`` + ``dev3`` only (``eval_parse.load_labels(..., TUNING_SPLITS)``; no held-out file is
read) and ``benchmarks/perturb_docx.py``'s renders of the 27 dev Word CVs. A parser older than the labels is the proxy
for "a form nobody tuned on": its wrong fields on the dev records are what an unseen CV's look like.

Readings (``texts``): ``dates`` (every date range rewritten ``Mon YYYY - Mon YYYY`` by a second date reader:
shipped), ``contact`` (each contact label at the top on a line of its own: shipped); not shipped: ``dates_slash``
(``MM/YYYY``), ``dates_line_after`` / ``dates_line_before`` (a range moved to its own line), ``degrees_long``
(degree abbreviations spelled out), ``edu_pairs`` (wrapped education lines joined), ``cells_split`` (table-row cells
on lines of their own), and for Word files three other reading orders: ``docx_cells`` (every table cell on its own
lines, text boxes at the end, footers last), ``docx_columns`` (tables column by column), ``docx_joined`` (soft line
breaks as spaces).
"""
from __future__ import annotations

import argparse
import io
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE.parents[1] / "shared" / "data"
FIELDS = ("degree", "months", "location")


def _use_tree(root: Path):  # type: ignore[no-untyped-def]
    """eval_parse's judge from this tree (it needs today's geo helpers), then matcher from ``root``."""
    sys.path.insert(0, str(HERE))
    import eval_parse

    for m in [k for k in sys.modules if k.split(".")[0] in ("matcher", "index")]:
        del sys.modules[m]
    sys.path.insert(0, str(root.resolve()))
    return eval_parse


# ------------------------------------------------------------------------------------------------------------ dump
def cmd_dump(args: argparse.Namespace) -> None:
    ev = _use_tree(args.root)
    from matcher.errors import ResumeError
    from matcher.resumes import ResumeParser

    labels = ev.load_labels(DATA, ev.TUNING_SPLITS)
    live = {r["id"]: r for r in map(json.loads, open(DATA / "resumes/livecareer/resumes.jsonl", encoding="utf-8"))}
    urd = {r["id"]: r for r in map(json.loads, open(DATA / "resumes/updated_resume_dataset/resumes.jsonl",
                                                    encoding="utf-8"))}
    docs = [("orig", lab, lambda lab=lab: ev.resume_bytes(DATA, lab, live, urd)) for lab in labels]
    if args.perturbed:
        word = [x for x in labels if x["split"] == "dev" and x["source"] == "vanetik"]
        for t in sorted(p.name for p in args.perturbed.iterdir() if p.is_dir()):
            for lab in word:
                p = args.perturbed / t / f"{lab['id']}.docx"
                if p.exists():
                    docs.append((t, lab, lambda p=p: p.read_bytes()))
    rows = []
    with ResumeParser(isolated=False) as parser:
        for t, lab, get in docs:
            try:
                try:
                    pr = parser.parse(get(), as_of=lab["as_of"], min_confidence=0.0).profile
                except TypeError:  # a parser from before confidences
                    pr = parser.parse(get(), as_of=lab["as_of"]).profile
            except ResumeError:
                continue
            r = {"transform": t, "id": lab["id"], "source": lab["source"], "split": lab["split"],
                 "as_of": lab["as_of"], "text": pr.text, "confidence": getattr(pr, "confidence", {}),
                 "degree": pr.degree, "months": pr.months}
            for f in FIELDS:
                got = getattr(pr, f)
                if hasattr(pr, "confidence"):
                    got = ev.after_threshold(pr, f, 0.6)
                r["verdict_" + f] = ev.judge(f, got, lab)
                r["has_" + f] = getattr(pr, f) is not None
            rows.append(r)
    args.out.write_text(json.dumps(rows, ensure_ascii=False))
    print(f"{len(rows)} records -> {args.out}")


# ----------------------------------------------------------------------------------------------------------- texts
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_SKIP = {"{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback", _W + "delText", _W + "instrText"}


class _DocxReading:
    """Another reading order of a Word file than ``readers.read_docx``'s (see the module docstring)."""

    def __init__(self, how: str) -> None:
        self.how, self.boxes = how, []

    def blocks(self, container, out: list[str]) -> None:  # type: ignore[no-untyped-def]
        for ch in container:
            if ch.tag == _W + "p":
                self.paragraph(ch, out)
            elif ch.tag == _W + "tbl":
                self.table(ch, out)
            elif ch.tag in (_W + "sdt", _W + "sdtContent", _W + "customXml", _W + "ins"):
                self.blocks(ch, out)

    def paragraph(self, p, out: list[str]) -> None:  # type: ignore[no-untyped-def]
        buf: list[str] = []
        boxes: list = []

        def walk(el) -> None:  # type: ignore[no-untyped-def]
            for ch in el:
                if ch.tag == _W + "t":
                    buf.append(ch.text or "")
                elif ch.tag == _W + "tab":
                    buf.append("\t")
                elif ch.tag in (_W + "br", _W + "cr"):
                    buf.append(" " if self.how == "joined" else "\n")
                elif ch.tag == _W + "txbxContent":
                    boxes.append(ch)
                elif ch.tag not in _SKIP and isinstance(ch.tag, str):
                    walk(ch)

        walk(p)
        if "".join(buf).strip():
            out.append("".join(buf))
        for box in boxes:
            self.blocks(box, self.boxes if self.how == "cells" else out)

    def table(self, tbl, out: list[str]) -> None:  # type: ignore[no-untyped-def]
        rows = []
        for tr in (x for x in tbl if x.tag == _W + "tr"):
            cells = []
            for tc in (x for x in tr if x.tag == _W + "tc"):
                lines: list[str] = []
                self.blocks(tc, lines)
                cells.append([ln for ln in lines if ln.strip()])
            rows.append(cells)
        if self.how == "columns":
            for j in range(max((len(r) for r in rows), default=0)):
                for r in rows:
                    out.extend(r[j] if j < len(r) else [])
        elif self.how == "cells":
            out.extend(ln for r in rows for c in r for ln in c)
        else:
            for r in rows:
                if all(len(c) <= 1 for c in r):
                    out.append(" | ".join(c[0].strip() for c in r if c))
                else:
                    out.extend(ln for c in r for ln in c)


def docx_readings(data: bytes) -> dict[str, str]:
    import docx
    from lxml import etree

    doc = docx.Document(io.BytesIO(data))
    parts = []
    for rel in doc.part.rels.values():
        kind = rel.reltype.rsplit("/", 1)[-1]
        if kind in ("header", "footer") and not rel.is_external:
            parts.append((kind, etree.fromstring(rel.target_part.blob,
                                                 parser=etree.XMLParser(resolve_entities=False, no_network=True))))
    out = {}
    for how in ("cells", "columns", "joined"):
        r = _DocxReading(how)
        heads: list[str] = []
        feet: list[str] = []
        for kind, root in parts:
            r.blocks(root, heads if kind == "header" else feet)
        body: list[str] = []
        r.blocks(doc.element.body, body)
        out["docx_" + how] = "\n".join(heads + body + r.boxes + feet)
    return out


def cmd_texts(args: argparse.Namespace) -> None:
    sys.path.insert(0, str(HERE.parent))
    sys.path.insert(0, str(HERE))
    import perturb_docx as P

    from matcher.resumes.consistency import canonical_dates, split_contact_labels
    from matcher.resumes.sections import split_lines

    def line_move(text: str, how: str) -> str:
        out = []
        for ln in text.split("\n"):
            sp = P._split_range(ln)
            if sp is None:
                out.append(ln)
                continue
            rest = P._rest(sp[0], sp[2])
            out += [sp[1], rest] if how == "before" else [rest, sp[1]]
        return "\n".join(out)

    def edu_pairs(text: str) -> str:
        ls, out, i = split_lines(text), [], 0
        while i < len(ls):
            if ls[i].section == "education" and i + 1 < len(ls) and ls[i + 1].section == "education":
                out.append(ls[i].text + " " + ls[i + 1].text)
                i += 2
            else:
                out.append(ls[i].text)
                i += 1
        return "\n".join(out)

    from matcher.resumes.sections import heading_of

    def headings_split(text: str) -> str:
        # a section heading run into the line's content ("EXPERIENCE Developer at Acme ..."): on a line of its own
        out = []
        for ln in text.split("\n"):
            words = ln.split()
            for n in (3, 2, 1):
                if len(words) > n and not heading_of(ln) and heading_of(" ".join(words[:n]).rstrip(":")) \
                        and (words[n - 1].isupper() or words[n - 1].endswith(":")):
                    out += [" ".join(words[:n]), " ".join(words[n:])]
                    break
            else:
                out.append(ln)
        return "\n".join(out)

    readings = {
        "headings_split": headings_split,
        "dates": canonical_dates,
        "contact": split_contact_labels,
        "dates_slash": lambda t: P.rewrite_ranges(t, P._fmt("slash", " - ", "present")),
        "dates_line_after": lambda t: line_move(t, "after"),
        "dates_line_before": lambda t: line_move(t, "before"),
        "degrees_long": lambda t: P.rewrite_degrees(t, P.DEGREE_FORMS["deg_long"]),
        "edu_pairs": edu_pairs,
        "cells_split": lambda t: re.sub(r"\s+\|\s+", "\n", t),
    }
    out = []
    for r in json.loads(args.dump.read_text()):
        d = {"identity": r["text"], **{k: f(r["text"]) for k, f in readings.items()}}
        if r["source"] == "vanetik":
            path = (DATA / "resumes" / "vanetik_cv" / f"{r['id']}.docx" if r["transform"] == "orig"
                    else args.perturbed / r["transform"] / f"{r['id']}.docx")
            d.update(docx_readings(path.read_bytes()))
        out.append(d)
    args.out.write_text(json.dumps(out, ensure_ascii=False))
    print(f"{len(out)} records -> {args.out}")


# ----------------------------------------------------------------------------------------------------------- score
def cmd_score(args: argparse.Namespace) -> None:
    _use_tree(args.root)
    from matcher.geo import haversine_km
    from matcher.resumes.profile import profile_from_text

    def profile(text: str, as_of: str):  # type: ignore[no-untyped-def]
        try:
            return profile_from_text(text, as_of, min_confidence=0.0)
        except TypeError:
            return profile_from_text(text, as_of)

    def differ(f: str, x, y) -> bool:  # type: ignore[no-untyped-def]
        if f == "degree":
            return x != y
        if x is None or y is None:
            return (x is None) != (y is None)
        if f == "months":
            return abs(x - y) > 12
        return (x.country != y.country or bool(x.city) != bool(y.city)
                or (x.has_point and y.has_point and haversine_km(x.lat, x.lon, y.lat, y.lon) > 40))

    rows = json.loads(args.dump.read_text())
    texts = json.loads(args.texts.read_text())
    c: Counter = Counter()
    names: list[str] = []
    shown = []
    t0 = time.time()
    for r, alts in zip(rows, texts, strict=True):
        base = profile(alts["identity"], r["as_of"])  # the dumped text read again: what the readings differ from
        profs = {k: profile(t, r["as_of"]) for k, t in alts.items() if k != "identity"}
        names += [k for k in profs if k not in names]
        for f in FIELDS:
            v = r["verdict_" + f]
            if v == "unknown" or not r["has_" + f]:
                continue  # a field already unknown has nothing to catch
            group = "real" if r["transform"] == "orig" else "perturbed"
            for k, p in profs.items():
                d = differ(f, getattr(base, f), getattr(p, f))
                c[(f, k, group, v, d)] += 1
                if d and k in args.show.split(","):
                    shown.append(f"  {k:10} {f:8} {v:5} {r['transform']}/{r['id']} base={getattr(base, f)!s:.40} "
                                 f"second={getattr(p, f)!s:.40}")
    print(f"{len(rows)} records, {time.time() - t0:.0f} s; a field counts when the parser gave a value at its "
          f"threshold (0.6; all values for a parser without confidences)")
    print(f"{'field':9} {'reading':18} | {'real: right agree/disagree':>27} | {'wrong agree/disagree':>21} | "
          f"{'perturbed: right':>17} | {'wrong':>10}")
    for f in FIELDS:
        for k in names:
            cells = [f"{c[(f, k, g, v, False)]:6} / {c[(f, k, g, v, True)]:<5}" for g in ("real", "perturbed")
                     for v in ("right", "wrong")]
            print(f"{f:9} {k:18} | {cells[0]:>27} | {cells[1]:>21} | {cells[2]:>17} | {cells[3]:>10}")
    for s in shown[:60]:
        print(s)
    if args.out:
        args.out.write_text(json.dumps({"root": str(args.root), "dump": str(args.dump), "counts": [
            {"field": f, "reading": k, "group": g, "verdict": v, "disagree": d, "n": n}
            for (f, k, g, v, d), n in sorted(c.items())]}, indent=1))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("dump")
    a.add_argument("--root", type=Path, default=HERE.parent)
    a.add_argument("--perturbed", type=Path, default=None)
    a.add_argument("--out", type=Path, required=True)
    a = sub.add_parser("texts")
    a.add_argument("--dump", type=Path, required=True)
    a.add_argument("--perturbed", type=Path, default=Path("/tmp/perturbed_docx"))
    a.add_argument("--out", type=Path, required=True)
    a = sub.add_parser("score")
    a.add_argument("--root", type=Path, default=HERE.parent)
    a.add_argument("--dump", type=Path, required=True)
    a.add_argument("--texts", type=Path, required=True)
    a.add_argument("--show", default="", help="comma-separated readings whose disagreements to print")
    a.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    {"dump": cmd_dump, "texts": cmd_texts, "score": cmd_score}[args.cmd](args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
