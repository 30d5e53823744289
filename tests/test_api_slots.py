"""The server's compute slots (``compute_slots``, one query embedding per core) are held around the query
embedding only: the ranking that follows (Python, under the GIL) runs outside them, beside the next request's
embedding (README Performance, round 6)."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

import api.app as app_module
from api.app import create_app

pytestmark = pytest.mark.slow
AS_OF = "2021-08-01"


def _watch(monkeypatch, svc, held):
    """Record, at each forward pass and each ranking, how many compute slots are taken (``held()``)."""
    seen: list[tuple[str, int]] = []
    emb = svc.embedder
    for name in ("forward", "forward_tokens"):
        real = getattr(emb, name)
        monkeypatch.setattr(emb, name, lambda arrays, _r=real: seen.append(("embed", held())) or _r(arrays))
    real_page = app_module.match_page
    monkeypatch.setattr(app_module, "match_page",
                        lambda *a, **k: seen.append(("rank", held())) or real_page(*a, **k))
    return seen


@pytest.mark.parametrize("route", ["upload", "json"])
def test_slot_is_held_while_embedding_and_free_while_ranking(service_copy, monkeypatch, route):
    settings = service_copy.settings.model_copy(update={"compute_slots": 1})
    app = create_app(settings, service=service_copy)
    state = app.state.jm
    seen = _watch(monkeypatch, service_copy, lambda: 1 - state.compute._value)  # slots taken (of 1)
    with TestClient(app) as client:
        if route == "upload":
            text = b"Senior Python engineer in Austin, TX. AWS, Docker, 6 years of backend work."
            r = client.post("/v1/match/resume", files={"file": ("cv.txt", text, "text/plain")},
                            data={"as_of": AS_OF, "top_k": "3"})
        else:
            r = client.post("/v1/match", json={"text": "Senior Python engineer, AWS, 6 years", "as_of": AS_OF,
                                               "top_k": 3})
    assert r.status_code == 200 and len(r.json()["results"]) == 3
    assert seen == [("embed", 1), ("rank", 0)]
    assert state.compute._value == 1  # given back


def test_timed_match_without_a_slot_is_the_same_answer(sample_service):
    from api.app import timed_match
    from matcher.domain import CandidateProfile, MatchOptions

    profile = CandidateProfile(text="Registered nurse, ICU, 5 years, Houston TX")
    opts = MatchOptions(top_k=5, as_of=AS_OF)
    taken = []

    class Slot:
        def __enter__(self):
            taken.append("in")

        def __exit__(self, *exc):
            taken.append("out")

    a = timed_match(sample_service, profile, opts)
    b = timed_match(sample_service, profile, opts, slot=Slot)
    assert taken == ["in", "out"]
    assert [m.id for m in a.results] == [m.id for m in b.results] and a.results
    assert [m.score for m in a.results] == [m.score for m in b.results]
