"""Several processes on one data directory (issue 13): the writer lock, live readers, store/index reconcile,
crashes (SIGKILL at seeded crash points), a failing disk, damaged files, and two writers at once.

Known answers: the ids a writer acknowledged (its call returned) must be in the store and searchable after the
next open; the index must hold exactly the stored postings; a damaged index is refused with what to do.
"""
from __future__ import annotations

import errno
import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from matcher.domain import CandidateProfile, MatchOptions
from matcher.errors import IndexCorrupt, IndexWriteFailed
from matcher.lock import DataDirLock, WriterLockTimeout
from matcher.settings import Settings
from tests.crash_worker import job

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def _svc(d: Path, embedder, **kw):
    from matcher.service import MatchService

    return MatchService(Settings(data_dir=d, **kw), embedder=embedder)


def _indexed(svc) -> set[str]:
    snap = svc.index.snapshot()
    return set(snap.key_of(np.flatnonzero(snap.alive)))


def _top_ids(svc, text: str, k: int = 3) -> list[str]:
    prof = CandidateProfile(text=text)
    return [m.id for m in svc.match(prof, MatchOptions(top_k=k, filters=False)).results]


@pytest.fixture
def data_copy(tmp_path, sample_data_dir) -> Path:
    d = tmp_path / "data"
    shutil.copytree(sample_data_dir, d)
    return d


# ---- the lock ---------------------------------------------------------------------------------------------------
HOLD = """
import sys, time
from matcher.lock import DataDirLock
with DataDirLock.for_dir(sys.argv[1]).hold(5):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def test_second_writer_waits_then_fails_naming_the_holder(tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(tmp_path), "30", "holder-marker"], env=ENV,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        t0 = time.monotonic()
        with pytest.raises(WriterLockTimeout) as e:
            with DataDirLock.for_dir(tmp_path).hold(0.5):
                pass
        waited = time.monotonic() - t0
        assert 0.45 <= waited < 3
        msg = str(e.value)
        assert f"pid {holder.pid}" in msg and "holder-marker" in msg and "JOBMATCH_WRITER_LOCK_TIMEOUT_S" in msg
    finally:
        holder.kill()  # SIGKILL: the kernel drops the flock with the process
        holder.wait(10)
    with DataDirLock.for_dir(tmp_path).hold(2):  # free again at once, no stale lock
        assert DataDirLock.for_dir(tmp_path).held
    assert not DataDirLock.for_dir(tmp_path).held


def test_lock_is_reentrant_and_waits_for_a_short_holder(tmp_path):
    lock = DataDirLock.for_dir(tmp_path)
    with lock.hold(1):
        with lock.hold(1):  # nested (a service write inside an ingest) does not deadlock
            assert lock.holder()["pid"] == os.getpid()
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(tmp_path), "0.5"], env=ENV,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with lock.hold(10):  # waits for the holder to finish (0.5 s), then gets it
            assert lock.holder()["pid"] == os.getpid()
    finally:
        holder.wait(10)


# ---- reconcile ---------------------------------------------------------------------------------------------------
def test_gap_is_reported_and_closed_by_the_next_writer(data_copy, embedder):
    from matcher.datadir import index_gap
    from matcher.ingest import ingest_records
    from matcher.jobstore import JobStore
    from matcher.postings import read_records

    settings = Settings(data_dir=data_copy)
    with JobStore(settings.store_path) as store:  # what a writer killed after its SQLite commit leaves
        before = store.count()
        s = ingest_records(read_records(json.dumps([job("gapalpha"), job("gapbeta")]), "t"), store)
        gone = sorted(set(store.ids()) - set(s.changed_ids))[0]
        assert store.delete(gone)
        gap = index_gap(settings, store)
        assert (gap.stored, gap.searchable) == (before + 1, before)
        assert gap.not_searchable == 2 and gap.removed_but_searchable == 1 and not gap.in_step
    svc = _svc(data_copy, embedder)
    try:
        assert not set(s.changed_ids) & _indexed(svc)  # a reader does not write: not searchable yet
        svc.sync()  # the next writer (a starting server does this)
        assert _indexed(svc) == set(svc.store.ids()) and gone not in _indexed(svc)
        assert svc.store.pending() == []
        assert _top_ids(svc, "gapbeta platform engineer")[0] in s.changed_ids
        assert index_gap(settings, svc.store).in_step
    finally:
        svc.close()
        svc.store.close()


# ---- live readers ------------------------------------------------------------------------------------------------
def test_reader_serves_a_generation_written_by_another_process(data_copy, embedder, tmp_path):
    reader = _svc(data_copy, embedder, reader_refresh_s=0)
    try:
        gen0, n0 = reader.generation, len(reader.index)
        f = tmp_path / "new.jsonl"
        f.write_text(json.dumps(job("livezebra")) + "\n")
        out = subprocess.run([sys.executable, "-m", "api.cli", "ingest", str(f), "--data-dir", str(data_copy),
                              "--json", "--no-progress"], env=ENV, capture_output=True, text=True, timeout=180)
        assert out.returncode == 0, out.stderr
        new_id = json.loads(out.stdout)["changed_ids"][0]
        assert reader.generation == gen0  # nothing swapped until a request looks
        top = _top_ids(reader, "livezebra data engineer platform")
        assert reader.generation > gen0 and len(reader.index) == n0 + 1
        assert top[0] == new_id  # found by BM25 too: the lexical side was swapped with the vectors
        assert reader.refresh() is False  # unchanged manifest: one stat, no reload
    finally:
        reader.close()
        reader.store.close()


def test_a_damaged_new_generation_is_not_served(data_copy, embedder):
    reader = _svc(data_copy, embedder, reader_refresh_s=0)
    try:
        gen0 = reader.generation
        before = _top_ids(reader, "python data engineer", k=5)
        (data_copy / "index" / "manifest.json").write_text('{"format_version": 2, "trunc')
        assert _top_ids(reader, "python data engineer", k=5) == before  # the old generation, same answers
        assert reader.generation == gen0 and "IndexCorrupt" in reader.refresh_error
        assert "reindex" in reader.refresh_error
    finally:
        reader.close()
        reader.store.close()


def test_a_generation_removed_while_a_reader_loads_it_is_not_taken_for_damage(data_copy, embedder, monkeypatch):
    """A writer may publish generation N+1 and remove N while a reader is still loading N (a file of N goes missing
    mid-load: the flaky failure of the two-writer test under load). The reader then loads N+1 instead of marking
    the index on disk as broken and staying on its old generation."""
    reader = _svc(data_copy, embedder, reader_refresh_s=0)
    writer = _svc(data_copy, embedder)
    try:
        gen0 = reader.generation
        writer.add_jsonld(json.dumps(job("racewalrus1")))  # generation gen0 + 1 on disk
        real = type(reader)._load_view
        calls = []

        def load_while_replaced(self, create):  # type: ignore[no-untyped-def]
            calls.append(create)
            if len(calls) == 1:  # the writer publishes gen0 + 2 and removes gen0 + 1 under this load
                writer.add_jsonld(json.dumps(job("racewalrus2")))
                raise IndexCorrupt("index file .../col_co_off.npy is missing")
            return real(self, create)

        monkeypatch.setattr(type(reader), "_load_view", load_while_replaced)
        assert reader.refresh(force=True) is True
        assert reader.generation == writer.generation == gen0 + 2 and reader.refresh_error is None
        assert len(calls) == 2 and _indexed(reader) == set(reader.store.ids())
    finally:
        for s in (reader, writer):
            s.close()
            s.store.close()


def test_a_generation_removed_while_a_process_starts_is_not_taken_for_damage(data_copy, embedder, monkeypatch):
    """The same race at start-up (a second writer process opening the directory while the first publishes: the
    two-writer test failed this way in a fresh-clone CI run): the new service loads the newer generation."""
    writer = _svc(data_copy, embedder)
    try:
        writer.add_jsonld(json.dumps(job("startwalrus1")))
        real = type(writer)._load_view
        calls = []

        def load_while_replaced(self, create):  # type: ignore[no-untyped-def]
            calls.append(create)
            if len(calls) == 1:  # the writer publishes the next generation and removes this one under this load
                writer.add_jsonld(json.dumps(job("startwalrus2")))
                raise IndexCorrupt("index file .../col_co_off.npy is missing")
            return real(self, create)

        monkeypatch.setattr(type(writer), "_load_view", load_while_replaced)
        starting = _svc(data_copy, embedder)
        try:
            assert starting.generation == writer.generation and len(calls) == 2
            assert _indexed(starting) == set(starting.store.ids())
        finally:
            starting.close()
            starting.store.close()
    finally:
        writer.close()
        writer.store.close()


@pytest.mark.parametrize("damage", ["manifest_truncated", "manifest_not_json", "npy_truncated", "npy_flipped"])
def test_damaged_index_is_refused_with_what_to_do(data_copy, embedder, damage):
    idx = data_copy / "index"
    gen = json.loads((idx / "manifest.json").read_text())["generation_dir"]
    if damage == "manifest_truncated":
        m = (idx / "manifest.json").read_bytes()
        (idx / "manifest.json").write_bytes(m[: len(m) // 2])
    elif damage == "manifest_not_json":
        (idx / "manifest.json").write_bytes(b"\x00\x01garbage")
    else:
        f = idx / gen / "vectors.npy"
        raw = bytearray(f.read_bytes())
        if damage == "npy_truncated":
            raw = raw[: len(raw) - 100]
        else:
            raw[len(raw) // 2] ^= 0xFF
        f.write_bytes(bytes(raw))
    with pytest.raises(IndexCorrupt) as e:
        _svc(data_copy, embedder)
    assert "jobmatch reindex" in str(e.value)


# ---- a failing disk ----------------------------------------------------------------------------------------------
def test_enospc_during_save_keeps_the_previous_generation(data_copy, embedder, monkeypatch):
    from index import persist

    svc = _svc(data_copy, embedder)
    try:
        gen0, keys0 = svc.generation, _indexed(svc)
        before = _top_ids(svc, "python data engineer", k=5)
        real, calls = persist.save_npy, []

        def full_disk(dirpath, name, arr):
            calls.append(name)
            if len(calls) == 3:
                raise OSError(errno.ENOSPC, "No space left on device")
            return real(dirpath, name, arr)

        monkeypatch.setattr(persist, "save_npy", full_disk)
        with pytest.raises(IndexWriteFailed) as e:
            svc.add_jsonld(json.dumps(job("diskfull")))
        msg = str(e.value)
        assert "No space left on device" in msg and f"generation {gen0} is still served" in msg
        assert "Free disk space" in msg
        assert svc.generation == gen0 and _indexed(svc) == keys0  # served == saved, no half generation
        assert _top_ids(svc, "python data engineer", k=5) == before
        assert not [p for p in (data_copy / "index").iterdir() if ".tmp-" in p.name]  # no torn directory left
        assert len(svc.store.pending()) == 1  # stored, visible as not yet searchable

        monkeypatch.setattr(persist, "save_npy", real)  # space again: the next write closes the gap
        svc.sync()
        assert _indexed(svc) == set(svc.store.ids()) and svc.store.pending() == []
    finally:
        svc.close()
        svc.store.close()


# ---- SIGKILL at seeded crash points -------------------------------------------------------------------------------
SITES = ["store.committed", "index.file", "index.published", "index.saved", "reindex.built", "reindex.swapped"]


def _cases(base: Path, sample: Path, n: int, seed: int = 13) -> list[dict]:
    rng = random.Random(seed)
    kinds = ["post", "ingest", "delete", "reindex"]
    cases = []
    for i in range(n):
        d = base / f"case{i}" / "data"
        shutil.copytree(sample, d)
        first = kinds[i % 4]  # every kind of write is the one crashed at, in turn
        ops = []
        for j, kind in enumerate([first] + rng.sample(kinds, 2)):
            if kind in ("post", "ingest"):
                ops.append([kind, [f"crash{i}t{j}a", f"crash{i}t{j}b"][: rng.randint(1, 2)]])
            elif kind == "delete":
                ops.append(["delete", rng.randrange(1000)])
            else:
                ops.append(["reindex"])
        site = rng.choice(SITES if first == "reindex" else SITES[:4])
        cases.append({"case": i, "dir": str(d), "acks": str(base / f"case{i}" / "acks.jsonl"), "ops": ops,
                      "crash_at": f"{site}:{rng.randint(1, 3)}"})
    return cases


@pytest.fixture(scope="module")
def small_data_dir(tmp_path_factory, embedder) -> Path:
    """The first 12 postings of the bundled sample, indexed (a reindex in a crash case then takes ~1 s)."""
    from tests.conftest import SAMPLE_POSTINGS

    d = tmp_path_factory.mktemp("small") / "data"
    src = d.parent / "small.jsonl"
    src.write_text("".join(SAMPLE_POSTINGS.read_text().splitlines(keepends=True)[:12]))
    svc = _svc(d, embedder)
    try:
        from matcher.ingest import ingest_paths

        with svc.writing():
            s = ingest_paths([src], svc.store, progress=False)
            svc.sync(s.changed_ids)
        assert len(svc.index) >= 10
    finally:
        svc.close()
        svc.store.close()
    return d


def test_sigkill_at_seeded_points_loses_no_acknowledged_write(tmp_path, small_data_dir, embedder):
    from matcher.datadir import index_gap

    cases = _cases(tmp_path, small_data_dir, 24)
    proc = subprocess.run([sys.executable, "-m", "tests.crash_worker"], env=ENV, cwd=ROOT, timeout=600,
                          input="".join(json.dumps(c) + "\n" for c in cases), capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    outcomes = {r["case"]: r for r in map(json.loads, proc.stdout.splitlines())}
    assert len(outcomes) == len(cases)
    assert all(r["signal"] == 9 or r["exit"] == 0 for r in outcomes.values()), (outcomes, proc.stderr[-3000:])
    killed = [c for c in cases if outcomes[c["case"]]["signal"] == 9]
    assert len(killed) >= 20, f"only {len(killed)} of {len(cases)} cases reached their crash point"
    for c in cases:
        d = Path(c["dir"])
        acks = [json.loads(x) for x in Path(c["acks"]).read_text().splitlines()] if Path(c["acks"]).exists() else []
        added = {i for a in acks if a["op"] in ("post", "ingest") for i in a["ids"]}
        deleted = {i for a in acks if a["op"] == "delete" for i in a["ids"]}
        svc = _svc(d, embedder)  # the next open, as a server starts: load, then reconcile under the lock
        try:
            svc.sync()
            stored, indexed = set(svc.store.ids()), _indexed(svc)
            where = f"case {c['case']} ({c['crash_at']}, ops {c['ops']}, acks {len(acks)})"
            assert added - deleted <= stored, where
            assert not deleted & stored, where
            assert indexed == stored, where
            assert index_gap(Settings(data_dir=d), svc.store).in_step, where
            last = [a for a in acks if a["op"] in ("post", "ingest") and a["ids"]]
            if last and last[-1]["ids"][0] not in deleted:  # searchable end to end: BM25 + vectors find it
                tag = last[-1]["tags"][0]
                assert last[-1]["ids"][0] in _top_ids(svc, f"{tag} platform data engineer"), where
        finally:
            svc.close()
            svc.store.close()


# ---- two writers at once ---------------------------------------------------------------------------------------------
def test_two_writer_processes_lose_nothing(data_copy, embedder):
    n = 6
    procs = [subprocess.Popen([sys.executable, "-m", "tests.crash_worker", "hammer", str(data_copy), tag, str(n)],
                              env=ENV, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for tag in ("hamA", "hamB")]
    reader = _svc(data_copy, embedder, reader_refresh_s=0)
    try:
        seen_gens = set()
        while any(p.poll() is None for p in procs):  # a reader answers throughout, never fails
            _top_ids(reader, "python data engineer")
            seen_gens.add(reader.generation)
            time.sleep(0.2)
        outs = [p.communicate(timeout=60) for p in procs]
        assert all(p.returncode == 0 for p in procs), [o[1][-2000:] for o in outs]
        acked = [json.loads(x) for o in outs for x in o[0].splitlines()]
        ids = {i for a in acked for i in a["ids"]}
        assert len(acked) == 2 * n and len(ids) == 2 * n
        gens = [a["generation"] for a in acked]
        assert len(set(gens)) == len(gens)  # every write its own generation: none overwrote another's
        reader.refresh(force=True)
        assert ids <= _indexed(reader) and _indexed(reader) == set(reader.store.ids())
        assert reader.generation == max(gens)
        from index import JobIndex

        JobIndex.open(data_copy / "index", verify=True)  # every file passes its checksum
    finally:
        reader.close()
        reader.store.close()
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait(10)


def test_readyz_and_metrics_show_the_generation_served(data_copy, embedder):
    from fastapi.testclient import TestClient

    from api.app import create_app

    server_svc = _svc(data_copy, embedder, reader_refresh_s=0)
    other = _svc(data_copy, embedder)  # another writer on the same directory (its own index object)
    try:
        with TestClient(create_app(server_svc.settings, service=server_svc)) as client:
            gen0 = client.get("/readyz").json()["generation"]
            other.add_jsonld(json.dumps(job("readyzwalrus")))
            ready = client.get("/readyz").json()
            assert ready["generation"] == other.generation == gen0 + 1 and ready["refresh_error"] is None
            assert f"jobmatch_index_generation {float(gen0 + 1)}" in client.get("/metrics").text
            r = client.post("/v1/match", json={"text": "readyzwalrus platform data engineer", "filters": False})
            assert r.status_code == 200 and "readyzwalrus" in r.json()["results"][0]["title"]
    finally:
        for s in (server_svc, other):
            s.close()
            s.store.close()


# ---- upkeep: what a long-running server must not accumulate or redo ------------------------------------------------
def test_store_connections_of_finished_threads_are_closed(tmp_path):
    """A server's thread pool retires idle threads and starts new ones; each thread opens its own SQLite
    connection (2 fds in WAL mode). Connections of exited threads are closed, so fds stay bounded (the
    soak's 23 -> 39 fd drift)."""
    import threading

    from matcher.jobstore import JobStore

    store = JobStore(tmp_path / "jobs.sqlite3")

    def fds() -> int:
        return len(os.listdir("/proc/self/fd"))

    def churn(n: int) -> None:
        for _ in range(n):
            t = threading.Thread(target=store.ids)
            t.start()
            t.join()

    try:
        store.ids()
        before = fds()
        churn(3)
        steady = fds()
        churn(40)
        # only the main thread's and the last exited thread's connections are open (that one is closed when
        # the next thread opens its own): 40 more threads leave no more fds than 3 did
        assert fds() == steady and len(store._all) == 2
        ids = []
        t = threading.Thread(target=lambda: ids.append(store.ids()))
        t.start()
        t.join()
        assert ids == [[]]  # the store still works from a new thread
    finally:
        store.close()
    assert fds() < before


def test_ordinary_writes_do_not_scan_the_store_but_still_index_pending_ids(data_copy, embedder, monkeypatch):
    """POST/DELETE reconcile through the pending list (every store write records its ids there), so a posting
    another process stored without indexing is still picked up, without reading every stored id."""
    from matcher.ingest import ingest_records
    from matcher.jobstore import JobStore
    from matcher.postings import read_records

    svc = _svc(data_copy, embedder)
    try:
        # another process stored a posting and died before indexing it: only the pending list knows
        other = JobStore(data_copy / "jobs.sqlite3")
        hidden = ingest_records(list(read_records(json.dumps(job("pendingotter")), "t")), other).changed_ids
        other.close()

        def no_scan(*a, **k):
            raise AssertionError("an ordinary write scanned every stored id")

        monkeypatch.setattr(svc.store, "ids", no_scan)
        monkeypatch.setattr(svc.store, "iter_postings", no_scan)
        added = svc.add_jsonld(json.dumps(job("postedbadger"))).changed_ids
        assert set(hidden) | set(added) <= _indexed(svc) and svc.store.pending() == []
        svc.delete_posting(hidden[0])
        assert hidden[0] not in _indexed(svc) and svc.store.pending() == []
        monkeypatch.undo()
        assert _indexed(svc) == set(svc.store.ids())  # exactly the stored postings
        assert _top_ids(svc, "postedbadger platform data engineer")[0] == added[0]
    finally:
        svc.close()
        svc.store.close()


def test_lexical_side_is_fsynced_and_survives_a_column_refill(data_copy, embedder, monkeypatch):
    """The BM25 side is written like a vector generation (every file fsynced before the directory is renamed);
    upgrading an index's filter columns on open saves the lexical side with it, so the next start loads it
    instead of rebuilding it from the store."""
    from matcher.lexical import LexicalSide

    synced: list[str] = []
    real_fsync = os.fsync

    def fsync(fd):
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        return real_fsync(fd)

    svc = _svc(data_copy, embedder)
    try:
        monkeypatch.setattr(os, "fsync", fsync)
        svc.add_jsonld(json.dumps(job("fsyncheron")))
        monkeypatch.undo()
        # an incremental save (matcher.bm25): the new segment, then the manifest, each fsynced under a temporary
        # name before its rename, and the directory after each rename
        lex = os.path.realpath(data_copy / "lexical")
        lex_files = [os.path.basename(p) for p in synced if p.startswith(lex + "/")]
        seg = [i for i, n in enumerate(lex_files) if n.startswith(".seg-") and n.endswith(".tmp")]
        man = [i for i, n in enumerate(lex_files) if n.startswith(".manifest.json.")]
        assert seg and man and max(seg) < min(man)
        assert lex in synced
    finally:
        svc.close()
        svc.store.close()

    # an index written before some filter columns existed: refilled on open, and the lexical side goes with it
    root = (data_copy / "index").resolve()
    man = json.loads((root / "manifest.json").read_text())
    gen_dir = root / man["generation_dir"]
    (gen_dir / "col_posted.npy").unlink()
    del man["files"]["col_posted.npy"]
    man["format_version"] = 1
    (root / "manifest.json").write_text(json.dumps(man))
    upgraded = _svc(data_copy, embedder)
    try:
        gen = upgraded.generation
        assert gen == man["generation"] + 1 and upgraded.index.missing_columns == []
        assert LexicalSide.load(data_copy / "lexical", upgraded._lexical_tag(gen)) is not None
    finally:
        upgraded.close()
        upgraded.store.close()

    def no_rebuild(*a, **k):
        raise AssertionError("the lexical side was rebuilt from the store")

    again = _svc(data_copy, embedder)
    try:
        monkeypatch.setattr(again.store, "iter_postings", no_rebuild)
        again._load_view(create=False)  # what the next start does: the saved side matches
        monkeypatch.undo()
        assert _top_ids(again, "fsyncheron platform data engineer")[0] in _indexed(again)
    finally:
        again.close()
        again.store.close()
