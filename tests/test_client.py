"""The Python client (api/client.py) against the real app: in process (FastAPI's TestClient as its transport)
and over loopback HTTP to a uvicorn server the test starts and stops. Also match paging by cursor, stable
while postings are added between pages (issue 17: paging stable under concurrent inserts)."""
from __future__ import annotations

import json
import socket
import threading
import time

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.client import ApiError, JobmatchClient
from matcher.domain import MatchResponse
from tests.conftest import IT_PDFS
from tests.crash_worker import job

pytestmark = pytest.mark.slow
AS_OF = "2021-08-01"
QUERY = "Data engineer building pipelines in Python and SQL"


@pytest.fixture
def jm(service_copy):
    with TestClient(create_app(service_copy.settings, service=service_copy)) as http:
        yield JobmatchClient(http=http)


def test_every_route_through_the_client(jm):
    assert jm.health() and jm.ready()["postings"] > 250
    pdf = sorted(IT_PDFS.glob("*.pdf"))[0]
    page = jm.match_resume(pdf, as_of=AS_OF, top_k=3, remote="any", employment_types=["FULL_TIME", "CONTRACTOR"])
    assert isinstance(page, MatchResponse) and len(page.results) == 3
    assert page.filters.as_of.date().isoformat() == AS_OF
    et = next(r for r in page.filters.rules if r.rule == "employment_type")
    assert et.status == "applied"
    same = jm.match_resume(pdf.read_bytes(), filename="cv.pdf", as_of=AS_OF, top_k=3, remote="any",
                           employment_types=["FULL_TIME", "CONTRACTOR"])
    assert [m.id for m in same.results] == [m.id for m in page.results]
    by_text = jm.match(text=QUERY, as_of=AS_OF, top_k=2, filters=False)
    assert len(by_text.results) == 2 and not any(r.status == "applied" for r in by_text.filters.rules)

    summary = jm.add_jobs([job("clientkestrel"), job("clientmarten")])
    assert summary.added == 2 and len(summary.changed_ids) == 2
    kid = next(i for i in summary.changed_ids if jm.get_job(i)["title"].endswith("clientkestrel"))
    doc = jm.get_job(kid)
    assert doc["jsonld"]["url"] == "https://example.test/jobs/clientkestrel"
    hit = jm.match(text="clientkestrel platform data engineer", top_k=1, filters=False)
    assert hit.results[0].id == kid  # searchable at once
    listed = jm.list_jobs(q="clientkestrel")
    assert [j.id for j in listed.items] == [kid] and listed.next_cursor is None
    every = list(jm.iter_jobs(company="Crashtest", limit=1))  # one posting per page, cursor to cursor
    assert sorted(j.id for j in every) == sorted(summary.changed_ids)
    stats = jm.stats(as_of=AS_OF)
    assert stats.model_dump()["total"] == jm.ready()["postings"]
    jm.delete_job(kid)
    with pytest.raises(ApiError) as e:
        jm.get_job(kid)
    assert e.value.status == 404 and e.value.code == "not_found" and len(e.value.request_id) == 32

    with pytest.raises(ApiError) as e:  # the API's 422, with its code and the field
        jm.match(text=QUERY, top_k=0, request_id="mine-1")
    assert e.value.status == 422 and e.value.code == "invalid_request" and "top_k" in e.value.message
    assert e.value.request_id == "mine-1" == jm.last_request_id
    with pytest.raises(TypeError, match="unknown match option: topk"):  # caught before anything is sent
        jm.match(text=QUERY, topk=3)
    with pytest.raises(ApiError) as e:
        jm.add_jobs(b'{"@type": "Organization", "name": "x"}\n{"@type": "JobPosting"}')
    assert e.value.status == 422 and e.value.code


def test_api_key_and_not_ready(service_copy, tmp_path):
    settings = service_copy.settings.model_copy(update={"api_key": "k3y"})
    with TestClient(create_app(settings, service=service_copy)) as http:
        with pytest.raises(ApiError) as e:
            JobmatchClient(http=http).stats()
        assert e.value.status == 401 and e.value.code == "unauthorized"
        assert JobmatchClient(http=http, api_key="k3y").stats().model_dump()["total"] > 250
    from matcher.settings import Settings

    app = create_app(Settings(data_dir=tmp_path, model=str(tmp_path / "no-model"), retry_after_s=7))
    with TestClient(app) as http:
        app.state.jm.loaded.wait(60)
        with pytest.raises(ApiError) as e:
            JobmatchClient(http=http).ready()
        assert e.value.status == 503 and e.value.code == "not_ready" and e.value.retry_after == 7


def test_match_cursor_pages_never_repeat_or_skip_while_postings_are_added(jm):
    """Page through every eligible posting 25 at a time while 3 postings that rank near the top are added
    before each page: each posting shows up exactly once, the ones there from the start and the added ones.
    (With ``offset`` the same run would show the postings pushed down a page twice.)"""
    opts = {"location": "Austin, TX", "radius_km": 100, "as_of": AS_OF}
    before = jm.match(text=QUERY, top_k=200, **opts)
    assert before.next_cursor is None and 50 < len(before.results) < 200
    original = {m.id for m in before.results}

    shown: list[str] = []
    added: set[str] = set()
    cursor = None
    pages = 0
    while True:
        page = jm.match(text=QUERY, top_k=25, cursor=cursor, **opts)
        pages += 1
        shown += [m.id for m in page.results]
        if not page.next_cursor:
            break
        cursor = page.next_cursor
        tags = [f"pagingnewt{pages}x{i}" for i in range(3)]
        added |= set(jm.add_jobs([job(t) for t in tags]).changed_ids)  # rank near the top of this query
        assert pages < 20
    assert len(shown) == len(set(shown)), "a posting was shown twice"
    assert set(shown) == original | added  # none skipped, the added ones included
    assert len(added) == 3 * (pages - 1) and pages >= 4

    # offset paging on the same moving ranking repeats what an insert pushed down (why the cursor exists)
    p1 = jm.match(text=QUERY, top_k=25, **opts)
    jm.add_jobs([job("pagingnewtlast")])
    p2 = jm.match(text=QUERY, top_k=25, offset=25, **opts)
    assert {m.id for m in p1.results} & {m.id for m in p2.results}
    # a cursor from another page of this query picks up where it was made; a made-up one is refused
    with pytest.raises(ApiError) as e:
        jm.match(text=QUERY, cursor="m_not_a_cursor", **opts)
    assert e.value.status == 422 and "cursor" in e.value.message
    with pytest.raises(ApiError) as e:
        jm.match(text=QUERY, cursor=p1.next_cursor, offset=5, **opts)
    assert e.value.status == 422 and "not both" in e.value.message


def test_loopback_server_with_request_ids(service_copy):
    """The client over real HTTP to a uvicorn server on 127.0.0.1 (stopped by the test)."""
    import uvicorn

    from api.server import uvicorn_config

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = create_app(service_copy.settings, service=service_copy)
    server = uvicorn.Server(uvicorn_config(app, service_copy.settings, port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="loopback-uvicorn", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started:
            assert time.monotonic() < deadline and thread.is_alive(), "the server did not start"
            time.sleep(0.05)
        with JobmatchClient(f"http://127.0.0.1:{port}", timeout=30) as jm:
            assert jm.health()
            page = jm.match(text=QUERY, as_of=AS_OF, top_k=4, request_id="loopback-7")
            assert jm.last_request_id == "loopback-7" and len(page.results) == 4
            nxt = jm.match(text=QUERY, as_of=AS_OF, top_k=4, cursor=page.next_cursor)
            assert not {m.id for m in page.results} & {m.id for m in nxt.results}
            assert json.loads(page.model_dump_json())["next_cursor"] == page.next_cursor
    finally:
        server.should_exit = True
        thread.join(30)
    assert not thread.is_alive()
