"""The HTTP API through the real app, with the real model and real resumes: status codes for every bad input,
jobs added and removed while uploads run, auth, metrics."""
from __future__ import annotations

import json
import threading

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from matcher.settings import Settings
from tests.conftest import IT_PDFS
from tests.test_resume_hostile import _doc_xml, _docx, _pdf_pages

pytestmark = pytest.mark.slow
AS_OF = "2021-08-01"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64


def real_pdf() -> bytes:
    return sorted(IT_PDFS.glob("*.pdf"))[0].read_bytes()


@pytest.fixture
def client(service_copy):
    settings = service_copy.settings.model_copy(update={"max_upload_bytes": 3 * 1024 * 1024, "max_pages": 10})
    with TestClient(create_app(settings, service=service_copy)) as c:
        yield c


def err(r) -> dict:
    body = r.json()
    assert "error" in body and body["error"]["message"], body
    return body["error"]


def test_upload_real_pdf_returns_profile_report_and_ranked_results(client):
    r = client.post("/v1/match/resume", files={"file": ("resume.pdf", real_pdf(), "application/pdf")},
                    data={"as_of": AS_OF, "top_k": "5", "location": "Austin, TX", "radius_km": "20000"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"candidate", "filters", "results", "next_cursor"}
    assert body["candidate"]["degree"] in ("high_school", "associate", "bachelor", "postgraduate", None)
    assert body["candidate"]["location"]["city"] == "Austin" and "location" in body["candidate"]["overridden"]
    assert [x["rule"] for x in body["filters"]["rules"]] == ["validity", "degree", "experience", "location",
                                                                 "employment_type", "salary", "freshness",
                                                                 "occupation"]
    assert len(body["results"]) == 5
    for m in body["results"]:
        assert {"id", "title", "company", "score", "location", "remote", "requirements"} <= set(m)
    strength = [m["match"] for m in body["results"]]  # the readable 0-100 score falls with the rank
    assert strength == sorted(strength, reverse=True) and all(0 <= x <= 100 for x in strength)
    assert all(set(m["match_signals"]) == {"semantic", "requirements", "text", "occupation"} for m in body["results"])


def test_upload_docx_and_text_and_json_resume(client):
    docx = _docx(_doc_xml(["Jane Doe", "Austin, TX", "Experience", "Python Developer Jan 2015 to Jan 2020",
                           "Built Django services on AWS with PostgreSQL", "Education", "B.S. Computer Science 2014"]))
    r = client.post("/v1/match/resume", files={"file": ("cv.docx", docx)}, data={"as_of": AS_OF})
    assert r.status_code == 200, r.text
    c = r.json()["candidate"]
    assert c["degree"] == "bachelor" and c["months"] == 60
    r = client.post("/v1/match/resume", files={"file": ("cv.txt", "Java developer, 5 years of experience".encode("utf-16"))},
                    data={"as_of": AS_OF})
    assert r.status_code == 200, r.text
    jr = {"basics": {"name": "A", "location": {"city": "Seattle", "region": "WA", "countryCode": "US"}},
          "work": [{"position": "Data Engineer", "name": "X", "startDate": "2016-01-01", "endDate": "2021-01-01",
                    "summary": "Spark and Python pipelines"}],
          "education": [{"studyType": "Master", "area": "CS", "endDate": "2015-06-01"}],
          "skills": [{"name": "Python"}]}
    r = client.post("/v1/match/resume", files={"file": ("resume.json", json.dumps(jr).encode())}, data={"as_of": AS_OF})
    assert r.status_code == 200, r.text
    c = r.json()["candidate"]
    assert c["degree"] == "postgraduate" and c["months"] == 60 and c["location"]["city"] == "Seattle"


def test_json_match_with_text_json_resume_or_profile(client):
    r = client.post("/v1/match", json={"text": "Senior Python engineer, AWS, 6 years", "as_of": AS_OF, "top_k": 3})
    assert r.status_code == 200 and len(r.json()["results"]) == 3
    r = client.post("/v1/match", json={"profile": {"text": "nurse", "degree": "bachelor", "months": 24},
                                       "as_of": AS_OF, "remote": "only"})
    assert r.status_code == 200
    assert all(m["remote"] for m in r.json()["results"])
    r = client.post("/v1/match", json={"json_resume": {"basics": {"summary": "Java developer"}}, "as_of": AS_OF})
    assert r.status_code == 200
    r = client.post("/v1/match", json={"text": "x", "as_of": AS_OF, "filters": False})
    assert {x["status"] for x in r.json()["filters"]["rules"]} == {"skipped"}


@pytest.mark.parametrize("name,data,status,code", [
    ("a.pdf", PNG, 415, "unsupported_file_type"),
    ("a.pdf", b"", 422, "empty_document"),
    ("a.pdf", b"%PDF-1.7\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n%%EO", 422, "corrupt_document"),
    ("a.docx", bytes(range(256)) * 40, 415, "unsupported_file_type"),
    ("a.txt", b"MZ\x90\x00\x03" + b"\x00" * 500, 415, "unsupported_file_type"),
])
def test_bad_uploads_get_clear_errors(client, name, data, status, code):
    r = client.post("/v1/match/resume", files={"file": (name, data)}, data={"as_of": AS_OF})
    assert r.status_code == status, r.text
    assert err(r)["code"] == code


def test_hostile_uploads(client):
    # zip bomb: a small DOCX declaring a huge document.xml
    bomb = _docx(_doc_xml(["A" * 10]), extra={"word/bomb.xml": b"\x00" * (200 * 1024 * 1024)})
    r = client.post("/v1/match/resume", files={"file": ("bomb.docx", bomb)})
    assert r.status_code in (413, 422) and err(r)["code"] in ("unsafe_document", "file_too_large")
    laughs = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
              b'<w:document ' + b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
              + b'><w:body><w:p><w:r><w:t>&lol2;</w:t></w:r></w:p></w:body></w:document>')
    r = client.post("/v1/match/resume", files={"file": ("l.docx", _docx(laughs))})
    assert r.status_code == 422 and err(r)["code"] == "unsafe_document"
    r = client.post("/v1/match/resume", files={"file": ("big.pdf", _pdf_pages(60))})
    assert r.status_code == 413 and err(r)["code"] == "too_many_pages"
    r = client.post("/v1/match/resume", files={"file": ("huge.txt", b"a" * (4 * 1024 * 1024))})
    assert r.status_code == 413
    # the service still answers
    r = client.post("/v1/match/resume", files={"file": ("ok.pdf", real_pdf())}, data={"as_of": AS_OF})
    assert r.status_code == 200


@pytest.mark.parametrize("fields", [
    {"top_k": "abc"}, {"top_k": "0"}, {"top_k": "100000"}, {"remote": "sometimes"}, {"degree": "wizard"},
    {"months": "-3"}, {"as_of": "yesterday-ish"}, {"lat": "91", "lon": "0"}, {"lat": "10"}, {"radius_km": "-1"},
    {"location": "Xyzzyville, Nowhere"}, {"strict": "perhaps"},
])
def test_bad_options_are_422(client, fields):
    r = client.post("/v1/match/resume", files={"file": ("r.txt", b"Python developer")}, data=fields)
    assert r.status_code == 422, r.text
    assert err(r)["message"]


@pytest.mark.parametrize("body", [
    {}, {"text": "a", "profile": {"text": "b"}}, {"text": 5}, {"text": "a", "top_k": "many"},
    {"text": "a", "unknown": 1}, {"profile": {"degree": "wizard"}},
])
def test_bad_json_match_is_422(client, body):
    r = client.post("/v1/match", json=body)
    assert r.status_code == 422, r.text
    err(r)


def test_missing_file_and_malformed_body(client):
    r = client.post("/v1/match/resume", data={"as_of": AS_OF})
    assert r.status_code == 422
    r = client.post("/v1/match", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 422


def test_jobs_add_get_delete_are_searchable_at_once(client, make_job):
    job = make_job(title="Quantum Basket Weaver", description="Weave quantum baskets with Rust and Haskell.",
                   identifier={"@type": "PropertyValue", "name": "Acme", "value": "QBW-1"},
                   validThrough="2031-01-01T00:00:00Z")
    r = client.post("/v1/jobs", content=json.dumps(job))
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["added"] == 1
    jid = body["changed_ids"][0]
    r = client.post("/v1/match", json={"text": "quantum basket weaving in Rust and Haskell", "top_k": 1,
                                       "as_of": "2030-01-01", "filters": True})
    assert [m["id"] for m in r.json()["results"]] == [jid]
    got = client.get(f"/v1/jobs/{jid}").json()
    assert got["title"] == "Quantum Basket Weaver" and got["jsonld"]["title"] == "Quantum Basket Weaver"
    assert client.post("/v1/jobs", content=json.dumps(job)).json()["unchanged"] == 1  # idempotent
    assert client.delete(f"/v1/jobs/{jid}").status_code == 200
    assert client.get(f"/v1/jobs/{jid}").status_code == 404
    assert err(client.delete(f"/v1/jobs/{jid}"))["code"] == "not_found"
    r = client.post("/v1/match", json={"text": "quantum basket weaving", "top_k": 1, "as_of": "2030-01-01"})
    assert r.json()["results"] == []


def test_bad_postings_over_http_never_stop_the_batch(client, make_job):
    good = make_job(title="Rust Engineer", identifier={"@type": "PropertyValue", "name": "A", "value": "R-9"})
    bad = [
        make_job(drop=("title",)),
        make_job(drop=("description",)),
        make_job(experienceRequirements={"monthsOfExperience": "NaN"}, title="Odd months"),
        make_job(educationRequirements={"credentialCategory": {"@type": "X", "name": "wizard school"}}, title="Odd degree"),
        make_job(jobLocation=[{"@type": "Place", "address": "Berlin, Germany"}], title="Berlin job"),
        make_job(validThrough="not a date", title="Odd date"),
        make_job(description="<script>alert(1)</script>&lt;a href=&quot;javascript:alert(2)&quot;&gt;x&lt;/a&gt; Hi",
                 title="XSS job"),
        {"@type": "Organization", "name": "Not a job"},
    ]
    lines = "\n".join([json.dumps(good), "{not json", *map(json.dumps, bad)])
    r = client.post("/v1/jobs", content=("\ufeff" + lines).encode())
    assert r.status_code == 201, r.text
    s = r.json()
    # the posting without a description is stored with a warning (issue 12); no title and bad JSON are refused
    assert s["rejected"] == 2 and s["skipped"] == 1 and s["added"] == 7
    xss = next(i for i in s["changed_ids"] if "XSS" in client.get(f"/v1/jobs/{i}").json()["title"])
    doc = client.get(f"/v1/jobs/{xss}").json()
    from selectolax.lexbor import LexborHTMLParser as HTMLParser

    tree = HTMLParser(doc["description_html"])  # the markup a browser would build: no script, no js: links
    assert not tree.css("script")
    assert not [a for a in tree.css("[href]") if "javascript" in (a.attributes.get("href") or "").lower()]
    assert "alert(1)" not in doc["description"]
    r = client.post("/v1/jobs", content=b"{not json at all")
    assert r.status_code == 422
    r = client.post("/v1/jobs", content=b"")
    assert r.status_code == 422


def test_uploads_while_postings_change_never_fail(client, make_job):
    errors: list[str] = []
    stop = threading.Event()
    pdf = real_pdf()

    def uploader():
        while not stop.is_set():
            r = client.post("/v1/match/resume", files={"file": ("r.pdf", pdf)}, data={"as_of": AS_OF, "top_k": "5"})
            if r.status_code != 200 or len(r.json()["results"]) != 5:
                errors.append(r.text[:200])

    threads = [threading.Thread(target=uploader) for _ in range(2)]
    for t in threads:
        t.start()
    try:
        for i in range(4):
            job = make_job(title=f"Churn job {i}", identifier={"@type": "PropertyValue", "name": "C", "value": f"c{i}"})
            r = client.post("/v1/jobs", content=json.dumps(job))
            assert r.status_code == 201
            assert client.delete(f"/v1/jobs/{r.json()['changed_ids'][0]}").status_code == 200
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert errors == []


def test_health_ready_metrics_docs(client):
    assert client.get("/healthz").json() == {"status": "alive"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["postings"] > 250
    client.post("/v1/match/resume", files={"file": ("a.pdf", PNG)})
    text = client.get("/metrics").text
    assert 'jobmatch_requests_total{method="POST",route="/v1/match/resume",status="415"}' in text
    assert 'jobmatch_parse_failures_total{kind="resume",reason="unsupported_type"}' in text
    assert "jobmatch_index_postings" in text and "jobmatch_request_duration_seconds_bucket" in text
    assert client.get("/openapi.json").json()["paths"]["/v1/match/resume"]
    assert client.get("/docs").status_code == 200


def test_api_key(service_copy):
    settings = service_copy.settings.model_copy(update={"api_key": "s3cret"})
    with TestClient(create_app(settings, service=service_copy)) as c:
        r = c.post("/v1/match", json={"text": "python"})
        assert r.status_code == 401 and "X-API-Key" in err(r)["message"]
        assert c.post("/v1/match", json={"text": "python"}, headers={"X-API-Key": "wrong"}).status_code == 401
        assert c.post("/v1/match", json={"text": "python", "as_of": AS_OF},
                      headers={"X-API-Key": "s3cret"}).status_code == 200
        assert c.get("/healthz").status_code == 200


def test_not_ready_is_503(tmp_path):
    app = create_app(Settings(data_dir=tmp_path, model=str(tmp_path / "no-such-model")))
    with TestClient(app) as c:
        app.state.jm.loaded.wait(60)
        r = c.get("/readyz")
        assert r.status_code == 503
        r = c.post("/v1/match", json={"text": "python"})
        assert r.status_code == 503 and err(r)["message"]
