"""Re-split of 2026-12-01 (issue 11, second round): move a seeded half of each source's ``test`` records to ``dev``.

Why: dev was saturated (100 % on every field) and taught nothing more, while the old test split had been measured
in aggregate seven times. The half to move is chosen by sha256 of ``SALT + source:id`` (lowest half of each source's
test ids, rounded down), before any of those resumes or labels was looked at. Moved records keep ``split: dev`` and
gain ``moved_from_test: true`` so eval_parse can show them as their own group. Idempotent (a second run moves nothing).

Run: ``python benchmarks/labels/resplit.py`` (standard library only; prints only ids and counts).
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections import defaultdict
from pathlib import Path

SALT = "issue11-resplit-2026-12-01:"
HERE = Path(__file__).resolve().parent


def key(source: str, id_: str) -> str:
    return hashlib.sha256(f"{SALT}{source}:{id_}".encode()).hexdigest()


def choose(records: list[dict]) -> set[tuple[str, str]]:
    by_src: dict[str, list[str]] = defaultdict(list)
    for r in records:
        if r["split"] == "test":
            by_src[r["source"]].append(r["id"])
    moved = set()
    for src, ids in by_src.items():
        ids.sort(key=lambda i: key(src, i))
        moved |= {(src, i) for i in ids[: len(ids) // 2]}
    return moved


def rewrite(path: Path, moved: set[tuple[str, str]]) -> None:
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        if (r["source"], r["id"]) in moved and r["split"] == "test":
            r["split"] = "dev"
            r["moved_from_test"] = True
        lines.append(json.dumps(r, ensure_ascii=False))
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def main() -> None:
    records = [json.loads(x) for x in (HERE / "resume_fields.jsonl").read_text(encoding="utf-8").splitlines()]
    moved = choose(records)
    for name in ("resume_fields.jsonl", "selection.jsonl"):
        rewrite(HERE / name, moved)
    for src in sorted({s for s, _ in moved}):
        print(src, sorted((i for s, i in moved if s == src), key=lambda x: (len(x), x)))
    print("moved", len(moved))


if __name__ == "__main__":
    main()
