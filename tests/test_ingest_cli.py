"""Ingest through the library and the CLI; one integration test over the whole shared LinkedIn file."""
from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime

import numpy as np
import pytest

from api.cli import main
from matcher.ingest import ingest_paths
from matcher.stats import compute_stats
from tests.conftest import SHARED_JOBS


def test_cli_ingest_show_rm_stats(tmp_path, make_job, capsys):
    src = tmp_path / "jobs.jsonl"
    src.write_text("\n".join([json.dumps(make_job(title="A")), "not json", json.dumps(make_job(drop=("title",)))]))
    data = ["--data-dir", str(tmp_path / "d")]
    assert main(["ingest", str(src), *data, "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert (summary["added"], summary["rejected"]) == (1, 2)
    assert [(r["position"], r["reason"][:12]) for r in summary["rejections"]] == [
        ("line 2", "invalid JSON"), ("line 3", "missing titl")]
    (pid,) = summary["changed_ids"]

    assert main(["ingest", str(src), *data]) == 0
    out = capsys.readouterr().out
    assert out.startswith("added 0, updated 0, unchanged 1, duplicate 0, rejected 2") and "line 2: invalid JSON" in out

    assert main(["jobs", "show", pid, *data, "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["title"] == "A" and shown["jsonld"]["title"] == "A" and shown["months"] == 60

    assert main(["stats", *data, "--json", "--as-of", "2021-08-01"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["total"] == 1 and stats["expired"] == 0 and stats["by_degree"] == {"bachelor": 1}

    assert main(["jobs", "rm", pid, *data]) == 0
    assert main(["jobs", "rm", pid, *data]) == 1  # runtime failure (issue 17: 2 is usage)
    assert "no posting" in capsys.readouterr().err


def test_cli_missing_file_fails_clearly(tmp_path, capsys):
    assert main(["ingest", str(tmp_path / "nope.jsonl"), "--data-dir", str(tmp_path)]) == 1
    assert "does not exist" in capsys.readouterr().err


def test_sample_file_ingests_cleanly(tmp_path):
    from pathlib import Path

    from matcher.jobstore import JobStore

    sample = Path(__file__).parents[1] / "data" / "sample" / "postings.jsonl"
    with JobStore(tmp_path / "jobs.sqlite3") as store:
        s = ingest_paths([sample], store, progress=False)
        assert s.rejected == 0 and s.added > 250 and s.duplicate >= 1 and s.records == 300
        stats = compute_stats(store)
        assert stats.remote["remote"] > 0 and len(stats.by_country) > 2


@pytest.mark.slow
@pytest.mark.skipif(not SHARED_JOBS.exists(), reason="shared data not present")
def test_whole_shared_file(tmp_path):
    from matcher.jobstore import JobStore

    with JobStore(tmp_path / "jobs.sqlite3") as store:
        first = ingest_paths([SHARED_JOBS], store, progress=False)
        # every line ends in exactly one count. "unchanged"/"updated" in a first run are lines that repeat a
        # posting id (same employer requisition id and place) with older/newer content
        assert first.records == 7684 and first.rejected == 0 and first.skipped == 0
        assert first.added == store.count() == len(first.changed_ids)
        assert first.duplicate > 100
        second = ingest_paths([SHARED_JOBS], store, progress=False)
        assert (second.added, second.updated, second.changed_ids) == (0, 0, [])

        stats = compute_stats(store, datetime(2021, 9, 1, tzinfo=UTC))
        # independent reading of the stored original JSON-LD with plain json
        degree, exp, remote, expired = Counter(), Counter(), Counter(), 0
        for pid in store.ids():
            job = json.loads(store.get(pid).jsonld)
            cat = (job.get("educationRequirements") or {}).get("credentialCategory")
            degree[{"bachelor degree": "bachelor", "associate degree": "associate", "high school": "high_school",
                    None: "none"}[cat]] += 1
            m = (job.get("experienceRequirements") or {}) if isinstance(job.get("experienceRequirements"), dict) else {}
            exp["stated" if m.get("monthsOfExperience") else "none"] += 1
            remote["remote" if job.get("jobLocationType") == "TELECOMMUTE" else "onsite"] += 1
            expired += job["validThrough"] < "2021-09-01"
        assert stats.by_degree == dict(degree)
        assert stats.experience == dict(exp)
        assert stats.remote == dict(remote)
        assert stats.expired == expired


def _sample_postings(n):
    from pathlib import Path

    from matcher.postings import read_path

    sample = Path(__file__).parents[1] / "data" / "sample" / "postings.jsonl"
    out = [r.posting for r in read_path(sample) if r.status == "ok"]
    return out[:n]


def test_threaded_encoder_gives_the_bits_of_one_thread_in_order(embedder):
    from matcher.ingest import LocalPostingEncoder

    postings = _sample_postings(60)
    chunks = [postings[a:a + 9] for a in range(0, len(postings), 9)]  # 7 chunks, the last one short
    one = list(LocalPostingEncoder(embedder, workers=1).encode(iter(chunks)))
    two = list(LocalPostingEncoder(embedder, workers=2).encode(iter(chunks)))
    assert [[p.id for p in c] for c, _ in two] == [[p.id for p in c] for c in chunks]
    for (chunk, a), (_, b) in zip(one, two, strict=True):
        assert a.shape == (len(chunk), embedder.dim) and np.array_equal(a, b)
    with pytest.raises(ValueError, match="workers"):
        LocalPostingEncoder(embedder, workers=-1)


def _index_vectors(data_dir):
    from index import JobIndex

    ix = JobIndex.open(data_dir / "index")
    snap = ix.snapshot()
    rows = np.flatnonzero(snap.alive)
    return dict(zip(snap.key_of(rows), np.asarray(snap.vectors)[rows], strict=True))


def test_ingest_workers_and_ray_engine_write_the_same_index(tmp_path, capsys):
    """`ingest --workers 2` and `ingest --engine ray` (a local Ray instance the command starts and stops) store
    the same vectors for the same postings as one thread; the Ray run leaves no Ray running."""
    pytest.importorskip("ray", reason="install the `ray` extra: pip install -e '.[ray]'")
    from pathlib import Path

    import ray

    sample = Path(__file__).parents[1] / "data" / "sample" / "postings.jsonl"
    src = tmp_path / "jobs.jsonl"
    src.write_text("".join(sample.read_text().splitlines(keepends=True)[:40]))
    got = {}
    for name, extra in (("one", ["--workers", "1"]), ("two", ["--workers", "2"]),
                        ("ray", ["--engine", "ray", "--workers", "1"])):
        assert main(["ingest", str(src), "--data-dir", str(tmp_path / name), "--json", *extra]) == 0
        summary = json.loads(capsys.readouterr().out)
        assert summary["indexed"] == summary["added"] > 30
        got[name] = _index_vectors(tmp_path / name)
    assert not ray.is_initialized()
    assert got["one"].keys() == got["two"].keys() == got["ray"].keys()
    for key, v in got["one"].items():
        assert np.array_equal(v, got["two"][key]) and np.array_equal(v, got["ray"][key]), key
