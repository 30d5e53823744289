"""Which profile fields a parser change moves on the shared resumes outside every held-out split.

    .venv/bin/python benchmarks/bench_parse_drift.py --dump /tmp/new.json
    git archive <commit> matcher | tar -x -C /tmp/base && \
        PYTHONPATH=/tmp/base .venv/bin/python benchmarks/bench_parse_drift.py --root /tmp/base --dump /tmp/old.json
    .venv/bin/python benchmarks/bench_parse_drift.py --compare /tmp/old.json /tmp/new.json

Held-out resumes are skipped by id only (their ids are read from ``selection.jsonl``, ``selection_round3.jsonl`` and
the test2 id list in ``labels/README.md``; no held-out label file is opened). Fields are taken at the shipped
threshold: a value below it is ``None`` with its reason.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def held_out_ids() -> set[tuple[str, str]]:
    out = set()
    for name in ("selection.jsonl", "selection_round3.jsonl"):
        for line in open(HERE / "labels" / name, encoding="utf-8"):
            r = json.loads(line)
            if r["split"].startswith("test"):
                out.add((r["source"], str(r["id"])))
    readme = (HERE / "labels" / "README.md").read_text(encoding="utf-8")
    sec = readme.split("## test2", 1)[1].split("##", 1)[0]
    for src, pat in (("livecareer", r"livecareer: ([\d\s]+)\."), ("updated_resume_dataset", r"updated_resume_dataset: ([\w\s-]+)\.")):
        m = re.search(pat, sec)
        if m:
            out.update((src, i) for i in m.group(1).split())
    return out


def dump(root: Path, data: Path, out: Path) -> None:
    sys.path.insert(0, str(root))
    from matcher.errors import ResumeError
    from matcher.resumes import ResumeParser
    from matcher.settings import Settings

    held = held_out_ids()
    items = []
    for r in map(json.loads, open(data / "resumes/livecareer/resumes.jsonl", encoding="utf-8")):
        if ("livecareer", str(r["id"])) not in held:
            items.append((f"livecareer:{r['id']}", data / "resumes/livecareer" / r["pdf"], "2021-01-01"))
    for r in map(json.loads, open(data / "resumes/updated_resume_dataset/resumes.jsonl", encoding="utf-8")):
        if ("updated_resume_dataset", str(r["id"])) not in held:
            items.append((f"urd:{r['id']}", r["text"].encode("utf-8"), "2021-01-01"))
    for p in sorted((data / "resumes/vanetik_cv").glob("*.docx")):
        if ("vanetik", p.stem) not in held:
            items.append((f"vanetik:{p.stem}", p, "2023-01-01"))
    res = {}
    with ResumeParser(Settings(), isolated=False) as parser:
        for key, src, as_of in items:
            try:
                prof = parser.parse(src.read_bytes() if isinstance(src, Path) else src, as_of=as_of).profile
            except ResumeError as e:
                res[key] = {"error": type(e).__name__}
                continue
            res[key] = {"degree": prof.degree, "months": prof.months,
                        "location": prof.location.text() if prof.location else None,
                        "why": {k: v for k, v in prof.unknown.items()}}
    out.write_text(json.dumps(res, indent=1, ensure_ascii=False))
    print(f"{len(res)} resumes -> {out}")


def compare(a: Path, b: Path) -> None:
    old, new = json.loads(a.read_text()), json.loads(b.read_text())
    n = 0
    for k in sorted(set(old) & set(new)):
        for f in ("degree", "months", "location"):
            x, y = old[k].get(f), new[k].get(f)
            if x != y:
                n += 1
                print(f"{k:32} {f:9} {x!r:28} -> {y!r:28} {new[k].get('why', {}).get(f) or ''}")
    print(f"{n} fields changed over {len(set(old) & set(new))} resumes")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", type=Path, default=HERE.parent)
    ap.add_argument("--data", type=Path, default=HERE.parents[1] / "shared" / "data")
    ap.add_argument("--dump", type=Path)
    ap.add_argument("--compare", type=Path, nargs=2)
    a = ap.parse_args()
    if a.compare:
        compare(*a.compare)
    elif a.dump:
        dump(a.root, a.data, a.dump)
    else:
        ap.error("--dump or --compare")
    return 0


if __name__ == "__main__":
    sys.exit(main())
