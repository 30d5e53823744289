"""JobIndex on disk: round trip, mmap, mismatch and corruption refused, crash safety."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from index import ColumnRow, JobIndex, PlannerSettings
from index import persist
from matcher.errors import IndexCorrupt, IndexModelMismatch, IndexNotFound

D = 16
ROOT = Path(__file__).resolve().parents[1]


def unit(x):
    x = np.asarray(x, np.float32)
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


def make(path, n=2000, seed=0, settings=None):
    rng = np.random.default_rng(seed)
    ix = JobIndex.create(path, dim=D, model_id="model-a", model_checksum="sum-a", settings=settings)
    X = unit(rng.standard_normal((n, D)))
    rows = [ColumnRow(degree=i % 5, months=i % 60, remote=i % 4 == 0, valid_through=None if i % 2 else 1e9 + i,
                      points=((40.0 + i % 7, -74.0 + i % 3),) if i % 3 else (),
                      countries=("US",) if i % 3 else ("DE",), country_only=() if i % 3 else ("DE",),
                      applicant_countries=("US", "CA") if i % 8 == 0 else ())
            for i in range(n)]
    ix.upsert([f"k{i}" for i in range(n)], X, rows)
    return ix, X


@pytest.mark.parametrize("mmap", [False, True])
def test_round_trip(tmp_path, mmap):
    ix, X = make(tmp_path / "ix", settings=PlannerSettings(nlist=16, subset_max=50))
    ix.remove(["k3", "k4"])
    ix.build_ann()
    assert ix.save() == 1
    man = json.loads((tmp_path / "ix" / "manifest.json").read_text())
    assert man["dim"] == D and man["metric"] == "ip" and man["rows"] == 2000 and man["alive"] == 1998
    assert man["model_id"] == "model-a" and man["versions"]["faiss"] and man["generation"] == 1
    ix2 = JobIndex.open(tmp_path / "ix", model_id="model-a", model_checksum="sum-a", dim=D, mmap=mmap)
    assert len(ix2) == 1998 and ix2.has_ann and ix2.snapshot().ann.nlist == 16
    assert ix2.snapshot().ann.nprobe == ix.snapshot().ann.nprobe and 1 <= ix.snapshot().ann.nprobe <= 16
    ix2.set_settings(ix.settings)
    Q = X[:5]
    mask = ix.columns.degree_at_most(2)
    a, b = ix.search(Q, 10, mask=mask), ix2.search(Q, 10, mask=mask)
    assert a.hits == b.hits and a.plans == b.plans
    for i in (0, 1, 3, 9, 1999):
        assert ix2.columns.row(i) == ix.columns.row(i)
    assert ix2.columns.country_only_in("DE").sum() == ix.columns.country_only_in("DE").sum()
    if mmap:
        assert isinstance(ix2.snapshot().vectors, np.memmap)
    # writes after load (mmap: copied on first write), then a second generation
    v = unit(np.ones((1, D)))
    ix2.upsert(["new"], v, [ColumnRow()])
    assert ix2.search(v, 1).hits[0][0][0] == "new"
    assert ix2.save() == 2
    dirs = sorted(p.name for p in (tmp_path / "ix").iterdir() if p.is_dir())
    assert dirs == ["gen-000002"]
    ix3 = JobIndex.open(tmp_path / "ix")
    assert len(ix3) == 1999 and ix3.search(v, 1).hits[0][0][0] == "new"


def test_save_compacts_when_many_tombstones(tmp_path):
    ix, X = make(tmp_path / "ix", n=100)
    ix.remove([f"k{i}" for i in range(50)])
    ix.save()
    ix2 = JobIndex.open(tmp_path / "ix")
    assert ix2.n_rows == 50 == len(ix2)
    assert ix2.row_of("k50") == 0


def test_missing_index(tmp_path):
    with pytest.raises(IndexNotFound, match="jobmatch reindex"):
        JobIndex.open(tmp_path / "nope")


def test_model_and_dim_mismatch_refused(tmp_path):
    ix, _ = make(tmp_path / "ix", n=50)
    ix.save()
    with pytest.raises(IndexModelMismatch, match=r"model-a.*jobmatch reindex.*JOBMATCH_MODEL=model-a"):
        JobIndex.open(tmp_path / "ix", model_id="model-b")
    with pytest.raises(IndexModelMismatch, match="checksum"):
        JobIndex.open(tmp_path / "ix", model_id="model-a", model_checksum="other")
    with pytest.raises(IndexModelMismatch, match="16-d"):
        JobIndex.open(tmp_path / "ix", dim=384)


def test_corrupt_manifest_refused(tmp_path):
    ix, _ = make(tmp_path / "ix", n=50)
    ix.save()
    m = tmp_path / "ix" / "manifest.json"
    m.write_text(m.read_text()[:40])
    with pytest.raises(IndexCorrupt, match="jobmatch reindex"):
        JobIndex.open(tmp_path / "ix")
    m.write_text(json.dumps({"format_version": 1}))
    with pytest.raises(IndexCorrupt, match="incomplete"):
        JobIndex.open(tmp_path / "ix")


@pytest.mark.parametrize("damage", ["truncate", "flip", "missing"])
def test_corrupt_array_file_refused(tmp_path, damage):
    ix, _ = make(tmp_path / "ix", n=300, settings=PlannerSettings(nlist=4))
    ix.build_ann()
    ix.save()
    gen = tmp_path / "ix" / "gen-000001"
    f = gen / "vectors.npy"
    if damage == "truncate":
        f.write_bytes(f.read_bytes()[:-100])
    elif damage == "flip":
        b = bytearray(f.read_bytes())
        b[len(b) // 2] ^= 0xFF
        f.write_bytes(bytes(b))
    else:
        f.unlink()
    with pytest.raises(IndexCorrupt, match="vectors.npy.*jobmatch reindex"):
        JobIndex.open(tmp_path / "ix")
    if damage == "truncate":  # caught without checksums too (size check)
        with pytest.raises(IndexCorrupt):
            JobIndex.open(tmp_path / "ix", mmap=True)


def test_corrupt_faiss_file_refused(tmp_path):
    ix, _ = make(tmp_path / "ix", n=300, settings=PlannerSettings(nlist=4))
    ix.build_ann()
    ix.save()
    f = tmp_path / "ix" / "gen-000001" / "ann.faiss"
    f.write_bytes(f.read_bytes()[: f.stat().st_size // 2])
    with pytest.raises(IndexCorrupt, match="ann.faiss"):
        JobIndex.open(tmp_path / "ix")


def test_crash_between_file_writes_keeps_previous_generation(tmp_path, monkeypatch):
    ix, X = make(tmp_path / "ix", n=200)
    ix.save()
    ix.upsert(["late"], unit(np.ones((1, D))), [ColumnRow()])
    calls = {"n": 0}
    real = persist.save_npy

    def dying(*a, **kw):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt("simulated crash")
        return real(*a, **kw)

    monkeypatch.setattr(persist, "save_npy", dying)
    with pytest.raises(KeyboardInterrupt):
        ix.save()
    monkeypatch.setattr(persist, "save_npy", real)
    ix2 = JobIndex.open(tmp_path / "ix")
    assert len(ix2) == 200 and "late" not in ix2 and ix2.generation == 1
    # the next save cleans up the stray temp directory
    ix.save()
    assert sorted(p.name for p in (tmp_path / "ix").iterdir() if p.is_dir()) == ["gen-000002"]


def test_sigkill_during_save_keeps_previous_generation(tmp_path):
    path = tmp_path / "ix"
    d = 256
    ix = JobIndex.create(path, dim=d, model_id="model-a")
    ix.upsert([f"k{i}" for i in range(100)], unit(np.random.default_rng(0).standard_normal((100, d))),
              [ColumnRow()] * 100)
    ix.save()
    script = textwrap.dedent(f"""
        import sys, numpy as np
        sys.path.insert(0, {str(ROOT)!r})
        from index import JobIndex, ColumnRow
        ix = JobIndex.open({str(path)!r})
        n, d = 60_000, {d}
        x = np.random.default_rng(0).standard_normal((n, d)).astype(np.float32)
        x /= np.linalg.norm(x, axis=1, keepdims=True)
        ix.upsert([f"big{{i}}" for i in range(n)], x, [ColumnRow()] * n)
        print("saving", flush=True)
        while True:
            ix.save()
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "saving"
        deadline = time.time() + 30
        # kill while a generation directory is being written (its 60 MB vectors file)
        while time.time() < deadline and not any(".tmp-" in p.name for p in path.iterdir()):
            time.sleep(0.001)
        time.sleep(0.01)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    ix2 = JobIndex.open(path)  # verifies checksums of whatever generation the manifest names
    assert len(ix2) in (100, 60_100)
    ix2.save()  # and a later save works and cleans up
    assert len(JobIndex.open(path)) == len(ix2)
    assert sum(1 for p in path.iterdir() if p.is_dir()) == 1
