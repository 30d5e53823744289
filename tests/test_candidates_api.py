"""The recruiter routes through the real app (real model, the bundled sample postings): add by upload and by
JSON, show, list, delete; candidates for a stored posting and for an inline one; bad input."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from tests.conftest import IT_PDFS
from tests.test_candidates import PY_RESUME

pytestmark = pytest.mark.slow


@pytest.fixture
def client(service_copy):
    settings = service_copy.settings.model_copy(update={"max_upload_bytes": 3 * 1024 * 1024, "max_pages": 10})
    with TestClient(create_app(settings, service=service_copy)) as c:
        yield c


def test_add_show_list_delete_and_match(client, make_job):
    pdf = sorted(IT_PDFS.glob("*.pdf"))[0].read_bytes()
    r = client.post("/v1/candidates", files={"file": ("it.pdf", pdf, "application/pdf")},
                    data={"as_of": "2021-08-01", "location": "Austin, TX"})
    assert r.status_code == 201, r.text
    pdf_c = r.json()
    assert pdf_c["outcome"] == "added" and pdf_c["candidate"]["kind"] == "pdf"
    assert pdf_c["candidate"]["label"] == "it.pdf"
    assert pdf_c["candidate"]["profile"]["location"]["city"] == "Austin"
    assert "location" in pdf_c["candidate"]["profile"]["overridden"]
    r = client.post("/v1/candidates", json={"text": PY_RESUME, "label": "jane"})
    assert r.status_code == 201, r.text
    jane = r.json()["id"]
    r = client.post("/v1/candidates", json={"json_resume": {"basics": {"name": "John", "location": {
        "city": "Denver", "region": "CO", "countryCode": "US"}}, "work": [{"position": "Registered Nurse",
        "startDate": "2012-03-01", "endDate": "2020-12-01", "summary": "ICU patient care"}]}})
    assert r.status_code == 201, r.text
    john = r.json()["id"]
    assert r.json()["candidate"]["kind"] == "json"
    listed = client.get("/v1/candidates").json()
    assert listed["total"] == 3 and {c["id"] for c in listed["items"]} == {pdf_c["id"], jane, john}
    shown = client.get(f"/v1/candidates/{jane}").json()
    assert shown["profile"]["text"].startswith("Jane Roe") and shown["profile"]["degree"] == "bachelor"

    # a stored posting (from the sample) and an inline one
    job_id = client.get("/v1/jobs", params={"q": "python", "limit": 1}).json()["items"][0]["id"]
    r = client.post(f"/v1/jobs/{job_id}/candidates", json={"filters": False, "top_k": 3})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["job"]["id"] == job_id and body["job"]["stored"] is True
    assert len(body["results"]) == 3 and [x["rule"] for x in body["filters"]["rules"]] == ["degree", "experience",
                                                                                            "location"]
    posting = make_job(title="Python Backend Developer", description="Python, Django and AWS services",
                       experienceRequirements={"monthsOfExperience": 12},
                       educationRequirements={"credentialCategory": "bachelor degree"},
                       jobLocation={"@type": "Place", "address": {"addressLocality": "Austin", "addressRegion": "TX",
                                                                  "addressCountry": "US"},
                                    "latitude": 30.2672, "longitude": -97.7431})
    r = client.post("/v1/match/job", json={"posting": posting, "top_k": 10})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["job"]["stored"] is False and body["filters"]["total"] == 3
    assert jane in [m["id"] for m in body["results"]]
    assert john not in [m["id"] for m in body["results"]]  # Denver is over 50 km from Austin
    loc_rule = body["filters"]["rules"][2]
    assert loc_rule["rule"] == "location" and loc_rule["removed"] >= 1
    m = next(m for m in body["results"] if m["id"] == jane)
    assert m["requirements"]["degree"]["met"] is True and m["distance_km"] is not None
    assert "Python" in m["skills_in_common"]
    # nothing of the inline posting was stored
    assert client.get("/v1/jobs", params={"q": "Backend Developer Django", "limit": 50}).json()["items"] == [] or \
        all(j["title"] != "Python Backend Developer" for j in client.get("/v1/jobs", params={"limit": 500}).json()["items"])

    r = client.delete(f"/v1/candidates/{jane}")
    assert r.status_code == 200 and r.json() == {"deleted": jane}
    assert client.get(f"/v1/candidates/{jane}").status_code == 404
    assert client.delete(f"/v1/candidates/{jane}").status_code == 404
    r = client.post("/v1/match/job", json={"posting": posting, "filters": False})
    assert jane not in [m["id"] for m in r.json()["results"]]


def test_bad_input(client, make_job):
    r = client.post("/v1/match/job", json={"posting": make_job(drop=("title",))})
    assert r.status_code == 422 and r.json()["error"]["code"] == "posting_error"
    assert "refused" in r.json()["error"]["message"]
    r = client.post("/v1/match/job", json={"posting": "{not json"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "posting_error"
    r = client.post("/v1/match/job", json={"posting": make_job(), "top_k": 100000})
    assert r.status_code == 422
    r = client.post("/v1/candidates", json={"text": "x", "json_resume": {}})
    assert r.status_code == 422 and "exactly one" in r.json()["error"]["message"]
    r = client.post("/v1/candidates", json={"json_resume": {"work": [{"position": "Dev", "highlights": 7}]}})
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_json_resume"
    r = client.post("/v1/candidates", json={"text": "hello", "months": -3})
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_request"
    r = client.post("/v1/candidates", files={"file": ("x.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64)})
    assert r.status_code == 415
    r = client.post("/v1/candidates", files={"file": ("big.txt", b"a " * (2 * 1024 * 1024))})
    assert r.status_code == 413
    r = client.post("/v1/candidates", content=b"", headers={"content-type": "application/json"})
    assert r.status_code == 422
    assert client.post("/v1/jobs/nope/candidates").status_code == 404
    assert client.get("/v1/candidates").json() == {"items": [], "total": 0}


def test_openapi_lists_the_candidate_routes(client):
    from openapi_spec_validator import validate

    doc = client.get("/openapi.json").json()
    validate(doc)
    for path in ("/v1/candidates", "/v1/candidates/{candidate_id}", "/v1/jobs/{job_id}/candidates", "/v1/match/job"):
        assert path in doc["paths"]
    assert "AddCandidateRequest" in doc["components"]["schemas"]
    assert {"multipart/form-data", "application/json"} <= set(
        doc["paths"]["/v1/candidates"]["post"]["requestBody"]["content"])


def test_page_has_the_candidates_tab(client):
    page = client.get("/").text
    for needle in ('id="tab-candidates"', 'id="tab-btn-candidates"', 'static/recruiter.js', 'id="add-form"',
                   'id="search-form"', 'id="rc-results"'):
        assert needle in page
    from matcher.candidates import ReverseOptions

    for field in ReverseOptions.model_fields:  # every option on the page but paging
        if field != "offset":
            assert f'id="rc-{"no_filters" if field == "filters" else field}"' in page, field
    js = client.get("/static/recruiter.js")
    assert js.status_code == 200 and "v1/match/job" in js.text and ".innerHTML" not in js.text


def test_matching_an_upload_stores_no_candidate(client, service_copy):
    marker = "Quokkaberry"
    text = PY_RESUME + f"\n{marker} Flibbertigibbet\n"
    assert client.post("/v1/match/resume", files={"file": ("cv.txt", text.encode())},
                       data={"as_of": "2021-08-01"}).status_code == 200
    assert client.post("/v1/match", json={"text": text, "as_of": "2021-08-01"}).status_code == 200
    d = service_copy.settings.data_dir
    assert not (d / "candidates").exists()
    assert not any(marker.encode() in f.read_bytes() for f in d.rglob("*") if f.is_file())
    assert client.get("/v1/candidates").json()["total"] == 0
