"""The PDF reader against an earlier version of itself: the same text from every shared PDF, and the CPU per PDF.

    .venv/bin/python benchmarks/bench_pdf_text.py --ref ab84406            # all 1,211 livecareer PDFs
    .venv/bin/python benchmarks/bench_pdf_text.py --ref ab84406 --limit 150 --repeats 3

``--ref`` names a git revision whose ``matcher/resumes/readers.py`` is loaded beside this tree's (``git show``
into a temporary module); every PDF under ``../shared/data/resumes`` (every ``--step``-th, at most ``--limit``)
is read by both, and the texts (and page counts, and errors) must be equal byte for byte. The CPU time per PDF of
each version (``read_pdf`` in this process, no worker) is timed in alternating rounds, best of ``--repeats``.
Exits 1 on any difference. Writes ``benchmarks/results/pdf_text.json`` (``--out``).
"""
from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import SHARED, hardware, write_json  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def load_ref(rev: str):  # type: ignore[no-untyped-def]
    src = subprocess.run(["git", "show", f"{rev}:matcher/resumes/readers.py"], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    path = Path(tempfile.mkdtemp()) / "readers_ref.py"
    path.write_text(src)
    spec = importlib.util.spec_from_file_location("readers_ref", path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules["readers_ref"] = mod  # dataclasses look their module up
    spec.loader.exec_module(mod)
    return mod


def read(mod, data: bytes) -> tuple[str, int]:  # type: ignore[no-untyped-def]
    try:
        e = mod.read_pdf(data)
        return e.text, e.pages
    except Exception as ex:  # noqa: BLE001 - an error must be the same error
        return f"{type(ex).__name__}: {ex}", -1


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ref", required=True, help="git revision to compare with (e.g. the commit before a change)")
    ap.add_argument("--step", type=int, default=1, help="every N-th PDF (sorted by path)")
    ap.add_argument("--limit", type=int, default=0, help="at most this many PDFs (0 = all)")
    ap.add_argument("--repeats", type=int, default=1, help="timed rounds per version (best is reported)")
    ap.add_argument("--out", default="pdf_text.json")
    a = ap.parse_args()
    from matcher.resumes import readers

    ref = load_ref(a.ref)
    paths = sorted((SHARED / "data" / "resumes").rglob("*.pdf"))[:: a.step]
    if a.limit:
        paths = paths[: a.limit]
    if not paths:
        print(f"no PDFs under {SHARED / 'data' / 'resumes'}", file=sys.stderr)
        return 2
    datas = [p.read_bytes() for p in paths]
    differ = [str(p) for p, d in zip(paths, datas, strict=True) if read(ref, d) != read(readers, d)]
    cpu: dict[str, list[float]] = {"ref": [], "tree": []}
    for _ in range(a.repeats):
        for name, mod in (("ref", ref), ("tree", readers)):
            t = time.process_time()
            for d in datas:
                read(mod, d)
            cpu[name].append((time.process_time() - t) * 1000 / len(datas))
    out = {"hardware": hardware(), "ref": a.ref, "pdfs": len(paths), "differ": len(differ),
           "differing": differ[:20], "cpu_ms_per_pdf": {k: min(v) for k, v in cpu.items()}, "rounds": cpu}
    write_json(a.out, out)
    print(f"{len(paths)} PDFs, {len(differ)} differ; CPU ms per PDF (best of {a.repeats}): "
          f"ref {out['cpu_ms_per_pdf']['ref']:.2f}, tree {out['cpu_ms_per_pdf']['tree']:.2f}")
    for p in differ[:20]:
        print("DIFFERS:", p)
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
