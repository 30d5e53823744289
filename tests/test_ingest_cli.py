"""Ingest through the library and the CLI; one integration test over the whole shared LinkedIn file."""
from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime

import pytest

from api.cli import main
from tests.conftest import SHARED_JOBS
from matcher.ingest import ingest_paths
from matcher.stats import compute_stats


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
    from matcher.store import JobStore

    sample = Path(__file__).parents[1] / "data" / "sample" / "postings.jsonl"
    with JobStore(tmp_path / "jobs.sqlite3") as store:
        s = ingest_paths([sample], store, progress=False)
        assert s.rejected == 0 and s.added > 250 and s.duplicate >= 1 and s.records == 300
        stats = compute_stats(store)
        assert stats.remote["remote"] > 0 and len(stats.by_country) > 2


@pytest.mark.slow
@pytest.mark.skipif(not SHARED_JOBS.exists(), reason="shared data not present")
def test_whole_shared_file(tmp_path):
    from matcher.store import JobStore

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
