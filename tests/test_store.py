"""The SQLite job store: idempotent upserts, near-duplicate merge, newer-version updates, delete, expiry."""
from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime

import pytest

from matcher.errors import NotFound
from matcher.jobstore import JobStore, StoreError
from matcher.postings import posting_from_jsonld


def put(store, *jobs):
    import json
    postings = [posting_from_jsonld(j, geocode_missing=False) for j in jobs]
    return [o.outcome for o in store.upsert_many(postings, [json.dumps(j) for j in jobs])], postings


def test_idempotent_upsert_and_get(job_store, make_job):
    outcomes, (p,) = put(job_store, make_job())
    assert outcomes == ["added"]
    assert put(job_store, make_job())[0] == ["unchanged"]
    assert job_store.count() == 1 and job_store.ids() == [p.id]
    stored = job_store.get(p.id)
    assert stored.posting == p and '"Senior Data Engineer"' in stored.jsonld
    assert list(job_store.iter_postings()) == [p]


def test_near_duplicate_with_other_id_is_merged(job_store, make_job):
    first = make_job()
    near = make_job(title="SENIOR DATA ENGINEER.", url="https://jobs.example.com/9")  # other id, same dedup key
    outcomes, (a, b) = put(job_store, first, near)
    assert a.id != b.id
    assert outcomes == ["added", "duplicate"]
    out = job_store.upsert_many([b], ["{}"])[0]
    assert out.outcome == "duplicate" and out.duplicate_of == a.id
    assert job_store.count() == 1


def test_newer_version_updates_older_is_ignored(job_store, make_job):
    ident = {"@type": "PropertyValue", "name": "CyberCoders", "value": "SW3-1"}
    old = make_job(identifier=ident, datePosted="2021-07-01T00:00:00Z")
    new = make_job(identifier=ident, datePosted="2021-07-09T00:00:00Z", description="Now with Rust")
    assert put(job_store, old, new)[0] == ["added", "updated"]
    assert put(job_store, old, new)[0] == ["unchanged", "unchanged"]  # re-ingest: no flip-flop
    (p,) = job_store.iter_postings()
    assert p.description == "Now with Rust"


def test_delete_and_not_found(job_store, make_job):
    _, (p,) = put(job_store, make_job())
    assert job_store.delete(p.id) is True
    assert job_store.delete(p.id) is False
    with pytest.raises(NotFound, match="no posting with id"):
        job_store.get(p.id)


def test_expired_as_of(job_store, make_job):
    put(job_store, make_job(title="Old", validThrough="2021-08-01T00:00:00Z"),
        make_job(title="Later", validThrough="2021-12-01T00:00:00Z"), make_job(title="Open", drop=("validThrough",)))
    by_title = {p.title: p.id for p in job_store.iter_postings()}
    assert job_store.expired(datetime(2021, 9, 1, tzinfo=UTC)) == [by_title["Old"]]
    assert sorted(job_store.expired(datetime(2022, 1, 1, tzinfo=UTC))) == sorted([by_title["Old"], by_title["Later"]])


def test_refuses_a_newer_schema(tmp_path):
    path = tmp_path / "jobs.sqlite3"
    JobStore(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE meta SET value='99' WHERE key='schema_version'")
    with pytest.raises(StoreError, match="schema version 99"):
        JobStore(path)


def test_threads_share_a_store(job_store, make_job):
    errors: list[Exception] = []

    def work(i: int) -> None:
        try:
            put(job_store, make_job(title=f"Engineer {i}"))
            job_store.count()
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and job_store.count() == 8


def test_present_answers_in_chunks_past_the_parameter_limit(job_store, make_job):
    jobs = [make_job(title=f"Engineer {i}", url=f"https://jobs.example.com/p{i}") for i in range(3)]
    _, postings = put(job_store, *jobs)
    stored = [p.id for p in postings]
    asked = [f"missing-{i}" for i in range(1200)] + stored + stored[:1]  # > 2 chunks of 500, a repeat
    assert job_store.present(asked) == set(stored)
    assert job_store.present([]) == set()


def test_postings_reads_many_ids_like_get(job_store, make_job):
    jobs = [make_job(title=f"Engineer {i}", url=f"https://jobs.example.com/m{i}") for i in range(3)]
    _, postings = put(job_store, *jobs)
    ids = [p.id for p in postings]
    asked = [f"missing-{i}" for i in range(600)] + ids[::-1] + ids[:1]  # past one chunk of 500, a repeat
    got = job_store.postings(asked)
    assert set(got) == set(ids)
    assert all(got[i] == job_store.get(i).posting for i in ids)
    assert job_store.postings([]) == {}
