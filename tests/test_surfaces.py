"""Issue 17: every matching option on every surface with the same meaning (CLI flags, the upload form, the
JSON body, batch lines), OpenAPI that validates and documents auth, errors and examples, job listing with a
cursor that stays stable under inserts, match paging by offset, and CLI exit codes.

The option values are sent through the real parsers: argparse for the CLI, the real FastAPI app for the form
and the JSON body (its service records the options it is asked to match with), and the batch JSONL reader."""
from __future__ import annotations

import json
import types
import typing
from datetime import UTC, datetime

import numpy as np
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from matcher.domain import EMPLOYMENT_TYPES, CandidateProfile, FilterReport, Match, MatchOptions, MatchResponse
from matcher.paging import decode_match_cursor, encode_match_cursor, seen_key
from matcher.settings import Settings

# one value per option, none of them the default; a new option without a value here fails the first test
SAMPLES: dict[str, object] = {
    "top_k": 7, "offset": 3, "location": "Austin, TX", "radius_km": 25.5, "remote": "only", "degree": "bachelor",
    "months": 36, "months_slack": 12, "as_of": "2021-08-01", "strict": True, "filters": False,
    "employment_types": ["FULL_TIME", "CONTRACTOR"], "min_salary": 50000.0, "salary_currency": "USD",
    "posted_within_days": 30, "lat": 30.25, "lon": -97.75, "max_per_company": 5, "occupations": "15-1252,15-2051",
    "cursor": encode_match_cursor([seen_key("job-000"), seen_key("job-001")]),  # two results shown before
}
# a place is a name or coordinates, not both; a cursor is not given with an offset: two runs cover every option
RUNS = [{k: v for k, v in SAMPLES.items() if k not in ("lat", "lon", "cursor")},
        {k: SAMPLES[k] for k in ("lat", "lon", "top_k", "cursor")}]


def _base(annotation):
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    return args[0] if typing.get_origin(annotation) in (typing.Union, types.UnionType) else annotation


def cli_argv(values: dict) -> list[str]:
    """Flags for ``values``, spelled from each option's type (not from a list of names)."""
    argv: list[str] = []
    for name, v in values.items():
        base = _base(MatchOptions.model_fields[name].annotation)
        if base is bool:
            argv.append(("--" if v else "--no-") + name.replace("_", "-"))
        elif typing.get_origin(base) is list:
            argv += ["--" + name.replace("_", "-"), ",".join(v)]
        else:
            argv += ["--" + name.replace("_", "-"), str(v)]
    return argv


def form_fields(values: dict) -> dict:
    return {k: (",".join(v) if isinstance(v, list) else str(v).lower() if isinstance(v, bool) else str(v))
            for k, v in values.items()}


class RecordingService:
    """Stands in for MatchService: answers from a fixed ranking and records the options it was given."""

    def __init__(self, settings: Settings, n: int = 30):
        self.settings = settings
        self.seen: list[MatchOptions] = []
        self.n = n

    def profile_from_resume(self, data, *, filename=None, as_of=None, cancel=None):
        return CandidateProfile(text=data.decode())

    def embed_query(self, profile):
        return np.zeros(4, dtype=np.float32)  # the app embeds first, then passes the vector to match()

    def embed_query_lines(self, profile):
        return self.embed_query(profile), None  # (query vector, the distinct signal's line vectors)

    def match(self, profile, opts, *, query_vec=None, **kw):
        assert query_vec is not None
        self.seen.append(opts)
        results = [Match(id=f"job-{i:03d}", title=f"t{i}", company=None, location="", remote=False,
                         score=1.0 - i / 100, requirements={}) for i in range(min(opts.top_k, self.n))]
        report = FilterReport(as_of=datetime(2021, 8, 1, tzinfo=UTC), total=self.n, eligible=self.n, rules=[])
        return MatchResponse(candidate=profile, filters=report, results=results)

    def close(self):
        pass


@pytest.fixture
def recording(tmp_path):
    settings = Settings(data_dir=tmp_path)
    svc = RecordingService(settings)
    with TestClient(create_app(settings, service=svc)) as c:
        yield c, svc


def test_every_option_has_a_sample():
    assert set(SAMPLES) == set(MatchOptions.model_fields)


@pytest.mark.parametrize("values", RUNS, ids=["by-name", "by-coordinates"])
def test_every_option_means_the_same_on_every_surface(values, recording, tmp_path):
    import argparse

    from api.cmd_match import add_match_options, options_from
    from matcher.batch import candidate_options, iter_inputs
    from matcher.options import build_options

    client, svc = recording
    settings = svc.settings
    expected = MatchOptions(**values).model_dump()
    expected["as_of"] = MatchOptions(**values).as_of

    p = argparse.ArgumentParser()
    add_match_options(p)
    cli = options_from(p.parse_args(cli_argv(values)), settings)

    r = client.post("/v1/match/resume", files={"file": ("r.txt", b"python developer")}, data=form_fields(values))
    assert r.status_code == 200, r.text
    form = svc.seen[-1]

    r = client.post("/v1/match", json={"text": "python developer", **values})
    assert r.status_code == 200, r.text
    body = svc.seen[-1]

    lines = tmp_path / "in.jsonl"
    lines.write_text(json.dumps({"id": "c1", "text": "python developer", **values}) + "\n")
    (item,) = list(iter_inputs(lines))
    assert item.error is None and not item.ignored, (item.error, item.ignored)
    batch = candidate_options(build_options({}, settings), item.options)

    def as_ranked(o: MatchOptions) -> MatchOptions:  # what the service is asked for: the page's end, no offset
        return o.model_copy(update={"top_k": o.top_k + o.offset, "offset": 0})

    expected_ranked = as_ranked(MatchOptions(**values)).model_dump()
    seen = len(decode_match_cursor(values["cursor"])) if values.get("cursor") else 0
    for surface, got in (("cli", cli), ("form", form), ("json", body), ("batch", batch)):
        dumped = got.model_dump()
        if surface in ("form", "json"):  # recorded by the service, after paging widened the ranking
            dumped = {**dumped, "top_k": dumped["top_k"] - values.get("offset", 0) - seen,
                      "offset": values.get("offset", 0), "cursor": values.get("cursor")}
            assert got.top_k == expected_ranked["top_k"] + seen and got.offset == 0 and got.cursor is None
        wrong = {k: (dumped[k], expected[k]) for k in values if dumped[k] != expected[k]
                 and not (k == "as_of" and dumped[k].replace(tzinfo=None) == expected[k].replace(tzinfo=None))}
        assert not wrong, f"{surface} read these options differently (got, expected): {wrong}"
    # the offset was applied: the service ranked top_k + offset and the page starts after the offset
    if values.get("offset"):
        assert [m["id"] for m in r.json()["results"]] == [f"job-{i:03d}" for i in range(3, 10)]
    if values.get("cursor"):  # the two results the cursor names are not shown again
        assert [m["id"] for m in r.json()["results"]] == [f"job-{i:03d}" for i in range(2, 9)]
        assert decode_match_cursor(r.json()["next_cursor"]) == {seen_key(f"job-{i:03d}") for i in range(9)}


def test_openapi_validates_and_tells_the_truth(recording):
    from openapi_spec_validator import validate

    client, _ = recording
    doc = client.get("/openapi.json").json()
    validate(doc)  # raises on an invalid OpenAPI document
    assert doc["components"]["securitySchemes"]["ApiKey"] == {
        "type": "apiKey", "in": "header", "name": "X-API-Key",
        "description": "needed on every /v1 route when JOBMATCH_API_KEY is set"}
    schemas = doc["components"]["schemas"]
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            codes = set(op["responses"])
            ok = [c for c in codes if c.startswith("2")]
            assert ok, (method, path)
            content = op["responses"][ok[0]].get("content", {})
            assert any("example" in v or "examples" in v for v in content.values()), f"no example: {method} {path}"
            if path.startswith("/v1"):
                assert op.get("security") == [{"ApiKey": []}], (method, path)
                assert {"401", "503"} <= codes, (method, path)
                assert "Retry-After" in op["responses"]["503"]["headers"]
    # every option of the form, with the enums and ranges of MatchOptions
    form = schemas["MatchForm"]["properties"]
    assert set(form) == set(MatchOptions.model_fields)
    assert {"enum": ["any", "only", "exclude"], "type": "string"} in form["remote"]["anyOf"]
    assert {"enum": ["high_school", "associate", "bachelor", "postgraduate"], "type": "string"} in form["degree"]["anyOf"]
    assert {"maximum": 600, "minimum": 0, "type": "integer"} in form["months_slack"]["anyOf"]
    form_et = next(x for x in form["employment_types"]["anyOf"] if x.get("type") == "array")
    assert {"type": "string", "enum": list(EMPLOYMENT_TYPES)} in form_et["items"]["anyOf"]
    body = schemas["MatchRequest"]["properties"]
    assert set(MatchOptions.model_fields) <= set(body)
    et = next(x for x in body["employment_types"]["anyOf"] if x.get("type") == "array")
    assert "FULL_TIME" in et["items"]["enum"]
    jobs = doc["paths"]["/v1/jobs"]["post"]["requestBody"]["content"]
    assert {"application/ld+json", "application/json", "application/x-ndjson", "text/html"} <= set(jobs)
    assert "504" in doc["paths"]["/v1/match"]["post"]["responses"]
    listing = {p["name"] for p in doc["paths"]["/v1/jobs"]["get"]["parameters"]}
    assert {"company", "country", "remote", "expired", "as_of", "q", "limit", "cursor"} <= listing


def test_api_key_is_a_security_scheme_and_still_checked_before_the_body(tmp_path):
    settings = Settings(data_dir=tmp_path, api_key="s3cret")
    svc = RecordingService(settings)
    with TestClient(create_app(settings, service=svc)) as c:
        r = c.post("/v1/match", json={"text": "python"})
        assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"
        r = c.post("/v1/match", json={"text": "python"}, headers={"X-API-Key": "s3cret"})
        assert r.status_code == 200
        assert svc.seen and svc.seen[-1].top_k == settings.default_top_k


def test_not_ready_says_when_to_retry(tmp_path):
    app = create_app(Settings(data_dir=tmp_path, model=str(tmp_path / "no-model"), retry_after_s=7))
    with TestClient(app) as c:
        app.state.jm.loaded.wait(60)
        for r in (c.get("/readyz"), c.post("/v1/match", json={"text": "python"}), c.get("/v1/jobs")):
            assert r.status_code == 503 and r.headers["retry-after"] == "7", r.text


def test_a_request_that_runs_out_of_time_is_504(tmp_path):
    import time

    class Slow(RecordingService):
        def match(self, profile, opts, **kw):
            time.sleep(1.5)
            return super().match(profile, opts, **kw)

    settings = Settings(data_dir=tmp_path, request_timeout_s=0.3)
    with TestClient(create_app(settings, service=Slow(settings))) as c:
        r = c.post("/v1/match", json={"text": "python"})
        assert r.status_code == 504 and r.json()["error"]["code"] == "request_timeout", r.text


# ---- listing and paging ------------------------------------------------------------------------------------------
def _posting(i: int, **kw) -> dict:
    p = {"@type": "JobPosting", "identifier": f"p{i:04d}", "title": f"Nurse {i}",
         "description": f"Care for patients, shift {i}", "datePosted": "2021-07-01",
         "hiringOrganization": {"name": "Mercy" if i % 2 else "Acme"},
         "jobLocation": {"address": {"addressLocality": "Austin", "addressCountry": "US" if i % 3 else "CA"}}}
    p.update(kw)
    return p


def _add(store, postings: list[dict]) -> None:
    from matcher.ingest import ingest_records
    from matcher.postings import read_records

    s = ingest_records(read_records("\n".join(json.dumps(p) for p in postings).encode(), "test"), store)
    assert s.rejected == 0, s.rejections


def test_job_pages_never_repeat_or_skip_under_concurrent_inserts(tmp_path):
    import threading

    from matcher.jobstore import JobStore
    from matcher.paging import JobQuery, list_jobs

    store = JobStore(tmp_path / "jobs.sqlite3")
    _add(store, [_posting(i) for i in range(0, 200, 2)])  # even numbers are there from the start
    before = {p.id for p in store.postings_after(None)}
    stop = threading.Event()

    def insert_odd():  # another writer adds postings while the pages are read
        i = 1
        while not stop.is_set() and i < 200:
            _add(store, [_posting(i)])
            i += 2

    writer = threading.Thread(target=insert_odd)
    writer.start()
    seen: list[str] = []
    cursor = None
    try:
        while True:
            page = list_jobs(store, JobQuery(limit=7, cursor=cursor))
            seen += [j.id for j in page.items]
            if not page.next_cursor:
                break
            cursor = page.next_cursor
    finally:
        stop.set()
        writer.join()
    assert len(seen) == len(set(seen)), "a posting appeared on two pages"
    assert before <= set(seen), "a posting that was there all along was skipped"
    assert seen == sorted(seen)
    store.close()


def test_job_listing_filters_and_stats_over_http(tmp_path):
    from matcher.jobstore import JobStore

    settings = Settings(data_dir=tmp_path)
    svc = RecordingService(settings)
    svc.store = JobStore(settings.store_path)
    _add(svc.store, [_posting(i) for i in range(1, 13)]
         + [_posting(50, title="Remote data engineer", jobLocationType="TELECOMMUTE", validThrough="2021-07-15",
                     applicantLocationRequirements={"@type": "Country", "name": "DE"})])
    with TestClient(create_app(settings, service=svc)) as c:
        def ids(**q):
            r = c.get("/v1/jobs", params=q)
            assert r.status_code == 200, r.text
            return [j["id"] for j in r.json()["items"]], r.json()["next_cursor"]

        everything, nxt = ids(limit=500)
        assert len(everything) == 13 and nxt is None
        mercy, _ = ids(company="merc")
        assert len(mercy) == 6  # odd i of 1..11
        ca, _ = ids(country="ca", remote="exclude")
        assert len(ca) == 4  # i = 3, 6, 9, 12
        remote, _ = ids(remote="only", country="DE", q="DATA engineer")
        assert len(remote) == 1
        expired, _ = ids(expired="true", as_of="2021-08-01")
        assert expired == remote
        assert len(ids(expired="false", as_of="2021-08-01")[0]) == 12
        first, cur = ids(limit=5)
        second, cur2 = ids(limit=5, cursor=cur)
        third, cur3 = ids(limit=5, cursor=cur2)
        assert first + second + third == everything and cur3 is None
        r = c.get("/v1/jobs", params={"cursor": "not a cursor!"})
        assert r.status_code == 422 and "next_cursor" in r.json()["error"]["message"]
        r = c.get("/v1/jobs", params={"limit": 0})
        assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_request"
        r = c.get("/v1/stats", params={"as_of": "2021-08-01"})
        assert r.status_code == 200 and r.json()["total"] == 13 and r.json()["expired"] == 1
        assert r.json()["remote"] == {"remote": 1, "onsite": 12}
        assert c.get("/v1/stats", params={"as_of": "soon"}).status_code == 422
    svc.store.close()


# ---- command line ----------------------------------------------------------------------------------------------
def _run(args: list[str], stdin: bytes = b"", env_dir=None):
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {**os.environ, "JOBMATCH_DATA_DIR": str(env_dir)} if env_dir else None
    return subprocess.run([sys.executable, "-m", "api.cli", *args], input=stdin, capture_output=True, timeout=120,
                          cwd=Path(__file__).parents[1], env=env)


def test_cli_version_stdin_exit_codes_and_json_errors(tmp_path):
    d = ["--data-dir", str(tmp_path)]
    r = _run(["--version"])
    assert r.returncode == 0 and r.stdout.decode().startswith("jobmatch ")
    r = _run(["match", "--top-k", "many", "-"])  # usage error: argparse
    assert r.returncode == 2
    lines = "\n".join([json.dumps(_posting(1)), json.dumps(_posting(2)), '{"@type": "JobPosting", "title": ""}'])
    r = _run(["ingest", "-", *d, "--no-index", "--json"], stdin=lines.encode())
    assert r.returncode == 0, r.stderr.decode()
    assert json.loads(r.stdout)["added"] == 2 and json.loads(r.stdout)["rejected"] == 1
    r = _run(["ingest", "-", *d, "--no-index", "--strict"], stdin=lines.encode())
    assert r.returncode == 1 and "--strict" in r.stderr.decode()
    r = _run(["jobs", "ls", *d, "--limit", "1", "--json"])
    page = json.loads(r.stdout)
    assert r.returncode == 0 and len(page["items"]) == 1 and page["next_cursor"]
    r = _run(["jobs", "ls", *d, "--limit", "1", "--cursor", page["next_cursor"], "--json"])
    assert [j["id"] for j in json.loads(r.stdout)["items"]] != [j["id"] for j in page["items"]]
    r = _run(["jobs", "show", "nope", *d])  # not found: runtime failure, one sentence on stderr
    err = r.stderr.decode().strip()
    assert r.returncode == 1 and err.startswith("jobmatch: error: no posting") and "\n" not in err
    r = _run(["jobs", "show", "nope", *d, "--json"])
    assert r.returncode == 1 and json.loads(r.stderr)["error"]["code"] == "not_found"
    r = _run(["parse", "-", "--in-process", "--json", "--as-of", "2021-08-01"],
             stdin=b"Jane Doe\nAustin, TX\nExperience\nPython Developer Jan 2015 to Jan 2020\n"
                   b"Education\nB.S. Computer Science 2014\n")
    assert r.returncode == 0, r.stderr.decode()
    assert json.loads(r.stdout)["degree"] == "bachelor"
    r = _run(["parse", str(tmp_path / "missing.pdf"), "--in-process"])
    assert r.returncode == 1 and "no such file" in r.stderr.decode()


# ---- with the real model and the bundled sample ------------------------------------------------------------------
@pytest.mark.slow
def test_offset_pages_are_ranks_of_one_ranking_on_every_surface(service_copy, sample_data_dir):
    """Through the real service: ``offset=2, top_k=2`` is ranks 3-4 of ``top_k=4``, over HTTP (JSON body and
    upload form) and on the command line reading the resume from stdin."""
    resume = "Senior Python engineer: Django, AWS, PostgreSQL, 6 years of experience building cloud services"
    with TestClient(create_app(service_copy.settings, service=service_copy)) as c:
        whole = c.post("/v1/match", json={"text": resume, "as_of": "2021-08-01", "top_k": 4, "filters": False})
        assert whole.status_code == 200, whole.text
        ids = [m["id"] for m in whole.json()["results"]]
        assert len(ids) == 4
        page = c.post("/v1/match", json={"text": resume, "as_of": "2021-08-01", "top_k": 2, "offset": 2,
                                         "filters": False})
        assert [m["id"] for m in page.json()["results"]] == ids[2:]
        form = c.post("/v1/match/resume", files={"file": ("r.txt", resume.encode())},
                      data={"as_of": "2021-08-01", "top_k": "2", "offset": "2", "filters": "false"})
        assert form.status_code == 200, form.text
        form_whole = c.post("/v1/match/resume", files={"file": ("r.txt", resume.encode())},
                            data={"as_of": "2021-08-01", "top_k": "4", "filters": "false"})
        assert [m["id"] for m in form.json()["results"]] == [m["id"] for m in form_whole.json()["results"]][2:]
    r = _run(["match", "-", "--data-dir", str(sample_data_dir), "--as-of", "2021-08-01", "--top-k", "2",
              "--offset", "2", "--no-filters", "--json"], stdin=resume.encode())
    assert r.returncode == 0, r.stderr.decode()
    assert [m["id"] for m in json.loads(r.stdout)["results"]] == [m["id"] for m in form_whole.json()["results"]][2:]
