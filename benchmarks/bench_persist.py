"""Incremental saves: bytes a save writes after adding postings to a big index, against the index's size.

    .venv/bin/python benchmarks/bench_persist.py --rows 1000000 --add 1000 --saves 3
    .venv/bin/python benchmarks/bench_persist.py --rows 100000 --add 1000 --no-ann      # a quick run

Builds a synthetic index (the seeded Gaussian mixture and filter columns of ``bench_search.py``; an IVF index
unless ``--no-ann``), saves it once (a full write), then ``--saves`` times: upsert ``--add`` new postings,
tombstone ``--remove`` old ones, save. Bytes written are counted two ways: the files the save created (its
``last_save``: new segment, tombstone mask, IVF file when rewritten) and the process's ``write_bytes`` from
``/proc/self/io`` (everything the kernel was asked to write, manifest included). Index bytes = every file of
the generation. Also reopens the index (plain and memory-mapped) and times it. Writes
``benchmarks/results/persist.json``.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common  # noqa: E402
from bench_search import DIM, synthetic_rows, synthetic_vectors  # noqa: E402

from index import JobIndex  # noqa: E402


def dir_bytes(gen_dir: Path) -> int:
    return sum(p.stat().st_size for p in gen_dir.iterdir() if p.is_file())


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--add", type=int, default=1000)
    ap.add_argument("--remove", type=int, default=100)
    ap.add_argument("--saves", type=int, default=3)
    ap.add_argument("--no-ann", action="store_true")
    ap.add_argument("--dir", type=Path, default=None, help="where to write the index (default: a temp dir)")
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args(argv)
    root = Path(tempfile.mkdtemp(prefix="bench-persist-", dir=args.dir))
    path = root / "ix"
    out = {"hardware": _common.hardware(), "args": vars(args) | {"dir": str(args.dir)}, "saves": []}
    try:
        t = time.perf_counter()
        X = synthetic_vectors(args.rows, seed=args.seed)
        rows = synthetic_rows(args.rows, seed=args.seed)
        ix = JobIndex.create(path, dim=DIM, model_id="bench")
        for a in range(0, args.rows, 100_000):
            ix.upsert([f"job-{i:08d}" for i in range(a, min(args.rows, a + 100_000))], X[a:a + 100_000],
                      rows[a:a + 100_000])
        print(f"built {args.rows} rows in {time.perf_counter() - t:.1f} s", flush=True)
        extra = synthetic_vectors(args.add * args.saves, seed=args.seed + 7)
        extra_rows = synthetic_rows(args.add * args.saves, seed=args.seed + 7)
        del X, rows
        for step in range(args.saves + 1):
            if step:
                a = (step - 1) * args.add
                ix.upsert([f"new-{i:08d}" for i in range(a, a + args.add)], extra[a:a + args.add],
                          extra_rows[a:a + args.add])
                ix.remove([f"job-{i:08d}" for i in range(a, a + args.remove)])
            w0, t = _common.io_written(), time.perf_counter()
            ix.save(build_ann=(step == 0 and not args.no_ann) or None)
            secs, wrote = time.perf_counter() - t, _common.io_written() - w0
            man = json.loads((path / "manifest.json").read_text())
            total = dir_bytes(path / man["generation_dir"])
            rec = {"step": step, "kind": "full (first save)" if step == 0 else f"+{args.add} / -{args.remove}",
                   "rows": man["rows"], "index_bytes": total, "save_bytes_written": ix.last_save["bytes_written"],
                   "save_bytes_linked": ix.last_save["bytes_linked"], "proc_write_bytes": wrote,
                   "share_written": round(ix.last_save["bytes_written"] / total, 5),
                   "share_proc_written": round(wrote / total, 5) if wrote >= 0 else None,
                   "seconds": round(secs, 3), "segments": ix.last_save["segments"],
                   "ann_rows": (man.get("ann") or {}).get("rows"), "load": [round(x, 2) for x in os.getloadavg()]}
            out["saves"].append(rec)
            print(f"save {step} ({rec['kind']}): index {total / 1e6:.1f} MB, wrote {rec['save_bytes_written'] / 1e6:.2f} MB "
                  f"({100 * rec['share_written']:.3f} %; kernel write_bytes {wrote / 1e6:.2f} MB = "
                  f"{100 * (rec['share_proc_written'] or 0):.3f} %), linked {rec['save_bytes_linked'] / 1e6:.1f} MB, "
                  f"{secs:.2f} s, segments {rec['segments']}, load {rec['load']}", flush=True)
        for mmap in (False, True):
            t = time.perf_counter()
            back = JobIndex.open(path, mmap=mmap)
            secs = time.perf_counter() - t
            assert back.n_rows == ix.n_rows
            out[f"open_s_mmap_{mmap}"] = round(secs, 2)
            print(f"open (mmap={mmap}): {secs:.2f} s", flush=True)
            del back
    finally:
        shutil.rmtree(root, ignore_errors=True)
    out["load_end"] = [round(x, 2) for x in os.getloadavg()]
    dest = _common.write_json("persist.json", out)
    print(f"wrote {dest}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
