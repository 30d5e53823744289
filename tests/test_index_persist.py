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

from index import ColumnRow, JobIndex, PlannerSettings, persist
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
    assert JobIndex.open(tmp_path / "ix", vectors="fp32").vectors == "fp32"
    with pytest.raises(IndexModelMismatch, match=r"fp32 vectors.*makes int8 ones.*JOBMATCH_EMBED_BACKEND"):
        JobIndex.open(tmp_path / "ix", model_id="model-a", vectors="int8")


def test_int8_vectors_are_recorded_and_an_older_manifest_means_fp32(tmp_path):
    import json

    from index import persist

    ix, _ = make(tmp_path / "ix", n=20)
    ix.vectors = "int8"
    ix.save()
    assert persist.read_manifest(tmp_path / "ix")["vectors"] == "int8"
    assert JobIndex.open(tmp_path / "ix", vectors="int8").vectors == "int8"
    with pytest.raises(IndexModelMismatch, match="int8 vectors"):
        JobIndex.open(tmp_path / "ix", vectors="fp32")
    old, _ = make(tmp_path / "old", n=20)
    old.save()
    mpath = tmp_path / "old" / persist.MANIFEST
    m = json.loads(mpath.read_text())
    del m["vectors"]  # a manifest written before the field existed
    mpath.write_text(json.dumps(m))
    assert JobIndex.open(tmp_path / "old", vectors="fp32", verify=False).vectors == "fp32"
    with pytest.raises(IndexModelMismatch, match="fp32 vectors"):
        JobIndex.open(tmp_path / "old", vectors="int8", verify=False)


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


# ---- incremental saves (format 3: segments, hard links, IVF file holding a prefix of the rows) ----------------
def _rows(n, start=0):
    return [ColumnRow(degree=(start + i) % 5, months=i % 60, remote=i % 4 == 0,
                      points=((40.0 + i % 7, -74.0 + i % 3),) * (i % 3), countries=("US",) * (i % 2),
                      applicant_countries=("CA",) if i % 5 == 0 else ()) for i in range(n)]


def _same_index(a, b):
    sa, sb = a.snapshot(), b.snapshot()
    assert sa.n_rows == sb.n_rows and np.array_equal(sa.alive, sb.alive)
    assert sa.key_of(range(sa.n_rows)) == sb.key_of(range(sb.n_rows))
    assert np.array_equal(np.asarray(sa.vectors), np.asarray(sb.vectors))
    for i in range(sa.n_rows):
        assert sa.columns.row(i) == sb.columns.row(i), i


def _gen_files(path):
    man = json.loads((path / "manifest.json").read_text())
    return man, path / man["generation_dir"]


@pytest.mark.parametrize("mmap", [False, True])
def test_save_writes_only_what_changed_and_links_the_rest(tmp_path, mmap):
    path = tmp_path / "ix"
    ix, _ = make(path, n=1000)
    ix.save()
    base_bytes = ix.last_save["bytes_written"]
    man1, gen1 = _gen_files(path)
    inode = (gen1 / "vectors.npy").stat().st_ino
    rng = np.random.default_rng(1)
    ix.upsert([f"add{i}" for i in range(20)], unit(rng.standard_normal((20, D))), _rows(20))
    ix.remove(["k5"])
    ix.save()
    man2, gen2 = _gen_files(path)
    assert [s["rows"] for s in man2["segments"]] == [1000, 20] and man2["format_version"] == 3
    assert (gen2 / "vectors.npy").stat().st_ino == inode  # the base segment is a hard link, not a copy
    seg = man2["segments"][1]["prefix"]
    new_files = {n for n in man2["files"] if n.startswith(seg)} | {"alive.npy"}
    assert ix.last_save["bytes_written"] == sum(man2["files"][n]["bytes"] for n in new_files)
    assert ix.last_save["bytes_written"] < 0.1 * base_bytes
    assert not gen1.exists()  # the previous generation is gone; its files live on as links
    back = JobIndex.open(path, mmap=mmap)
    _same_index(ix, back)
    assert "k5" not in back and back.segments == [1000, 20]
    q = unit(rng.standard_normal((3, D)))
    mask = ix.columns.degree_at_most(2) & ix.columns.any_point_within(41.0, -74.0, 300)
    assert back.search(q, 10, mask=mask).hits == ix.search(q, 10, mask=mask).hits
    # a save with nothing new writes the tombstone mask only
    back.save()
    assert back.last_save["bytes_written"] == man2["files"]["alive.npy"]["bytes"]


def test_segments_merge_size_tiered_and_compact_makes_one(tmp_path):
    path = tmp_path / "ix"
    ix, _ = make(path, n=64)
    ix.save()
    rng = np.random.default_rng(2)
    seen = []
    for r in range(12):
        ix.upsert([f"r{r}-{i}" for i in range(4)], unit(rng.standard_normal((4, D))), _rows(4, r))
        ix.save()
        seen.append(list(ix.segments))
        assert sum(ix.segments) == ix.n_rows
        assert all(a > b for a, b in zip(ix.segments, ix.segments[1:], strict=False)), ix.segments  # tiers shrink
        _same_index(ix, JobIndex.open(path))
    assert max(len(s) for s in seen) <= 4 and seen[0] == [64, 4] and seen[1] == [64, 8]
    ix.remove([f"r{r}-0" for r in range(12)])
    assert ix.compact() == 12
    ix.save()
    assert ix.segments == [ix.n_rows] == [64 + 36]
    _same_index(ix, JobIndex.open(path, mmap=True))
    assert json.loads((path / "manifest.json").read_text())["segments"] == [{"prefix": "", "rows": 100}]


def test_ivf_file_linked_while_it_holds_most_rows_and_retrained_on_drift(tmp_path):
    path = tmp_path / "ix"
    settings = PlannerSettings(nlist=16, subset_max=50, retrain_growth=0.25, ann_rewrite_tail=0.05)
    ix, X = make(path, n=2000, settings=settings)
    ix.build_ann()
    ix.save()
    man, gen = _gen_files(path)
    assert man["ann"]["rows"] == 2000 and man["ann"]["trained_rows"] == 2000 and man["ann"]["reason"] == "built"
    ann_inode = (gen / "ann.faiss").stat().st_ino
    rng = np.random.default_rng(3)
    v = unit(rng.standard_normal((50, D)))
    ix.upsert([f"n{i}" for i in range(50)], v, _rows(50))
    ix.save()  # 50 rows past the file: linked, the rows are added to the IVF lists on open
    man, gen = _gen_files(path)
    assert (gen / "ann.faiss").stat().st_ino == ann_inode and man["ann"]["rows"] == 2000
    q = unit(rng.standard_normal((4, D)))
    mask = ix.columns.degree_at_most(3)
    for mmap in (False, True):
        back = JobIndex.open(path, mmap=mmap, settings=settings)
        assert back.snapshot().ann.ivf.ntotal == 2050
        _same_index(ix, back)
        a, b = ix.search(q, 10, mask=mask), back.search(q, 10, mask=mask)
        assert a.hits == b.hits and set(b.plans) <= {"ivf", "ivf+fallback"}
        assert back.search(v[7], 1).hits[0][0][0] == "n7"
    # past ann_rewrite_tail the file is written again (same training: no retrain yet)
    ix.upsert([f"m{i}" for i in range(100)], unit(rng.standard_normal((100, D))), _rows(100))
    ix.save()
    man, gen = _gen_files(path)
    assert man["ann"]["rows"] == 2150 and man["ann"]["trained_rows"] == 2000
    # drift: more than retrain_growth x the training rows added -> retrained at save, the reason recorded
    ix.upsert([f"d{i}" for i in range(600)], unit(rng.standard_normal((600, D))), _rows(600))
    ix.save()
    man, _ = _gen_files(path)
    assert man["ann"]["trained_rows"] == 2750 and man["ann"]["rows"] == 2750
    assert man["ann"]["reason"].startswith("drift: 750 rows added since training on 2000")
    back = JobIndex.open(path, settings=settings)
    assert back.snapshot().ann.trained_rows == 2750
    assert back.search(q, 10, mask=mask).hits == ix.search(q, 10, mask=mask).hits


def test_recall_probe_runs_on_growth_and_retrains_below_target(tmp_path):
    path = tmp_path / "ix"
    rng = np.random.default_rng(4)
    settings = PlannerSettings(nlist=16, retrain_growth=10.0, recall_probe_growth=0.05, ann_rewrite_tail=1.0)
    ix = JobIndex.create(path, dim=D, model_id="m", settings=settings)
    ix.upsert([f"k{i}" for i in range(2000)], unit(rng.standard_normal((2000, D))), _rows(2000))
    ix.build_ann()
    ix.save()
    ix.upsert([f"a{i}" for i in range(50)], unit(rng.standard_normal((50, D))), _rows(50))
    ix.save()  # 2.5 % growth: below recall_probe_growth, no probe
    man = json.loads((path / "manifest.json").read_text())["ann"]
    assert man["checked_rows"] == 2000 and man["recall"] is None
    ix.upsert([f"b{i}" for i in range(60)], unit(rng.standard_normal((60, D))), _rows(60))
    ix.save()  # 5.5 %: probed with rows added since training as queries; recall recorded, above target
    man = json.loads((path / "manifest.json").read_text())["ann"]
    assert man["checked_rows"] == 2110 and 0.98 <= man["recall"] <= 1.0 and man["reason"] == "built"
    # the same probe against an unreachable target retrains, and says why
    ix.set_settings(PlannerSettings(**{**settings.__dict__, "tune_recall": 1.01}))
    ix.upsert([f"c{i}" for i in range(120)], unit(rng.standard_normal((120, D))), _rows(120))
    ix.save()
    man = json.loads((path / "manifest.json").read_text())["ann"]
    assert man["reason"].startswith("drift: recall@10") and man["trained_rows"] == 2230 == man["rows"]


def test_crash_during_incremental_save_keeps_previous_generation_and_its_links(tmp_path, monkeypatch):
    path = tmp_path / "ix"
    ix, _ = make(path, n=300, settings=PlannerSettings(nlist=4))
    ix.build_ann()
    ix.save()
    ix.upsert(["late1"], unit(np.ones((1, D))), [ColumnRow()])
    ix.save()
    before = JobIndex.open(path)
    ix.upsert(["late2"], unit(-np.ones((1, D))), [ColumnRow()])
    real = persist.save_npy

    def dying(dirpath, name, arr):
        if name == "alive.npy":  # segment files written and links made: die before the last file
            raise KeyboardInterrupt("simulated crash")
        return real(dirpath, name, arr)

    monkeypatch.setattr(persist, "save_npy", dying)
    with pytest.raises(KeyboardInterrupt):
        ix.save()
    monkeypatch.setattr(persist, "save_npy", real)
    after = JobIndex.open(path)  # checksums verified: the linked files were not touched
    _same_index(before, after)
    assert "late2" not in after and after.generation == 2
    ix.save()
    final = JobIndex.open(path)
    assert "late2" in final and final.generation == 3
    assert sorted(p.name for p in path.iterdir() if p.is_dir()) == ["gen-000003"]


def test_merge_count_is_size_tiered():
    assert persist.merge_count([], 10) == 0
    assert persist.merge_count([1_000_000], 1000) == 0
    assert persist.merge_count([1_000_000, 1000], 1000) == 1
    assert persist.merge_count([1_000_000, 8000, 1000], 1000) == 1
    assert persist.merge_count([1_000_000, 3000, 1000], 1000) == 2
    assert persist.merge_count([1000], 600) == 1  # half the base or more: rewritten as one
