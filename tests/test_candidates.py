"""The candidate pool (issue 14): consent-only storage, erasure of every trace, the reverse filters against an
independent implementation (tests/oracle_reverse.py), and ranking of candidates for a posting."""
from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from matcher.candidates import CandidatePool, ReverseOptions, candidate_id, resolve_posting
from matcher.domain import CandidateProfile, Place
from matcher.errors import InvalidRequest, NotFound, PostingError
from matcher.postings import posting_from_jsonld
from matcher.settings import Settings
from tests import oracle_reverse as oracle

PY_RESUME = ("Jane Roe\nSenior Python Developer\nAustin, TX\n\nSkills: Python, Django, PostgreSQL, AWS, Docker\n"
             "Experience\nBackend Engineer, Acme Corp, Jan 2015 - Present\nBuilt data pipelines in Python and SQL.\n"
             "Education\nBachelor of Science in Computer Science, 2014\n")
NURSE_RESUME = ("John Doe\nRegistered Nurse\nDenver, CO\n\nPatient care, triage, ICU, medication administration.\n"
                "Experience\nICU Nurse, Mercy Hospital, Mar 2012 - Dec 2020\nEducation\nAssociate degree in Nursing\n")


@pytest.fixture
def pool(tmp_path, embedder):
    p = CandidatePool(Settings(data_dir=tmp_path / "data"), embedder=embedder)
    yield p
    p.close()


def profile(text: str, degree=None, months=None, location: Place | None = None, **kw) -> CandidateProfile:
    return CandidateProfile(text=text, degree=degree, months=months, location=location, **kw)


def test_profile_from_resume_counts_present_to_as_of_and_applies_overrides(pool):
    from datetime import datetime

    from matcher.domain import MatchOptions

    # Jan 2015 - Present: as_of 2020-01-01 (naive, taken as UTC) gives exactly 60 months
    prof, kind = pool.profile_from_resume(PY_RESUME.encode(), filename="jane.txt",
                                          overrides=MatchOptions(as_of=datetime(2020, 1, 1)))
    assert kind == "text" and prof.months == 60 and "months" not in prof.overridden
    prof, _ = pool.profile_from_resume(PY_RESUME.encode(), filename="jane.txt",
                                       overrides=MatchOptions(as_of=datetime(2020, 1, 1), months=7, degree="postgraduate"))
    assert (prof.months, prof.degree) == (7, "postgraduate") and {"months", "degree"} <= set(prof.overridden)
    assert len(pool) == 0  # reading a resume stores nothing



def add_file(pool, data: bytes, name: str):
    """What the CLI and the upload route do with a file."""
    prof, kind = pool.profile_from_resume(data, filename=name)
    return pool.add_profile(prof, kind=kind, label=name)

# ---- consent and erasure -----------------------------------------------------------------------------------------
def test_add_text_resume_stores_profile_evidence_and_text(pool):
    added = add_file(pool, PY_RESUME.encode(), "jane.txt")
    assert added.outcome == "added" and added.id == candidate_id(added.candidate.profile.text)
    got = pool.get(added.id)
    assert got.label == "jane.txt" and got.kind == "text"
    assert "Senior Python Developer" in got.profile.text
    assert got.profile.degree == "bachelor" and got.profile.evidence.get("degree")
    assert set(got.profile.confidence) >= {"degree"}
    assert "Python" in got.profile.skills
    again = add_file(pool, PY_RESUME.encode(), "jane2.txt")
    assert again.id == added.id and again.outcome == "updated" and len(pool) == 1
    assert [c.id for c in pool.store.iter_all()] == [added.id]


def _every_file_bytes(root: Path) -> list[tuple[Path, bytes]]:
    return [(f, f.read_bytes()) for f in root.rglob("*") if f.is_file()]


def test_remove_erases_every_trace(pool):
    secret = "Zyxwvut Quokkaberry Flibbertigibbet"  # words found nowhere else
    text = f"{secret}\nStaff Kotlin Engineer\nMunich, Germany\nExperience\nEngineer, Foo GmbH, 2010 - 2020\n"
    keep = pool.add_profiles([(profile(PY_RESUME), "text", "jane"), (profile(text), "text", "secret"),
                              (profile(NURSE_RESUME), "text", "john")])
    gone = keep[1].id
    vec = pool.view().index.vector_of(gone).astype(np.float32).tobytes()
    assert any(secret.encode() in b for _, b in _every_file_bytes(pool.root))  # it was on disk
    assert any(vec in b for _, b in _every_file_bytes(pool.root))
    pool.remove(gone)
    with pytest.raises(NotFound):
        pool.get(gone)
    for f, b in _every_file_bytes(pool.root):
        for needle in (secret.encode(), b"Quokkaberry", b"quokkaberri", b"quokkaberry", vec, gone.encode()):
            assert needle not in b, f"{needle[:30]!r} left in {f}"
    # still searchable for the others, and a search for the removed text finds nothing of it
    job = posting_from_jsonld({"@type": "JobPosting", "title": "Quokkaberry Flibbertigibbet Kotlin engineer",
                               "description": secret})
    resp = pool.match_posting(job, ReverseOptions(top_k=10, filters=False))
    assert {m.id for m in resp.results} == {keep[0].id, keep[2].id}
    with pytest.raises(NotFound):
        pool.remove(gone)


def test_upload_only_matching_stores_nothing(service_copy):
    from matcher.domain import MatchOptions

    svc = service_copy
    before = sorted(p.relative_to(svc.settings.data_dir) for p in svc.settings.data_dir.rglob("*"))
    resp = svc.match(profile(PY_RESUME + "Quokkaberry"), MatchOptions(as_of="2021-08-01"))
    assert resp.results
    after = sorted(p.relative_to(svc.settings.data_dir) for p in svc.settings.data_dir.rglob("*"))
    assert after == before and not (svc.settings.data_dir / "candidates").exists()
    assert not any(b"Quokkaberry" in f.read_bytes() for f in svc.settings.data_dir.rglob("*") if f.is_file())


def test_pool_survives_reopen_and_other_process_writes(tmp_path, embedder):
    s = Settings(data_dir=tmp_path / "d")
    with CandidatePool(s, embedder=embedder) as a, CandidatePool(s, embedder=embedder) as b:
        a.add_profile(profile(PY_RESUME), kind="text")
        job = posting_from_jsonld({"@type": "JobPosting", "title": "Python developer", "description": "Django"})
        assert len(b.match_posting(job, ReverseOptions()).results) == 1  # b sees a's generation
        b.add_profile(profile(NURSE_RESUME), kind="text")
        assert len(a.match_posting(job, ReverseOptions()).results) == 2
        gen = a.view().index.generation
    with CandidatePool(s, embedder=embedder) as c:
        assert len(c) == 2 and c.view().index.generation == gen


# ---- reverse filters against the oracle -----------------------------------------------------------------------------
CITIES = [("Austin", "TX", "US", 30.2672, -97.7431), ("Round Rock", "TX", "US", 30.5083, -97.6789),
          ("Denver", "CO", "US", 39.7392, -104.9903), ("Berlin", None, "DE", 52.52, 13.405),
          ("Toronto", "ON", "CA", 43.6532, -79.3832)]


def _random_profiles(n: int, seed: int = 7) -> dict[str, CandidateProfile]:
    rnd = random.Random(seed)
    out = {}
    for i in range(n):
        loc = None
        r = rnd.random()
        if r < 0.55:
            c = rnd.choice(CITIES)
            loc = Place(city=c[0], region=c[1], country=c[2], lat=c[3] + rnd.uniform(-0.3, 0.3),
                        lon=c[4] + rnd.uniform(-0.3, 0.3))
        elif r < 0.75:
            loc = Place(country=rnd.choice(["US", "DE", "CA"]))
        p = profile(f"candidate {i} resume python data engineer {rnd.choice(['sql', 'java', 'go', 'nursing'])}",
                    degree=rnd.choice([None, "high_school", "associate", "bachelor", "postgraduate"]),
                    months=rnd.choice([None, 0, 6, 12, 24, 36, 60, 120]), location=loc)
        out[candidate_id(p.text)] = p
    return out


def _postings(make_job) -> list:
    jobs = [make_job(),  # bachelor, 60 months, Alexandria VA point
            make_job(jobLocation={"@type": "Place", "address": {"@type": "PostalAddress", "addressLocality": "Austin",
                                                                "addressRegion": "TX", "addressCountry": "US"},
                                  "latitude": 30.2672, "longitude": -97.7431},
                     experienceRequirements={"monthsOfExperience": 24},
                     educationRequirements={"credentialCategory": "associate degree"}),
            make_job(jobLocation={"@type": "Place", "address": {"@type": "PostalAddress", "addressCountry": "DE"}},
                     educationRequirements={"credentialCategory": "postgraduate degree"}),
            make_job(jobLocationType="TELECOMMUTE", drop=("jobLocation",),
                     applicantLocationRequirements={"@type": "Country", "name": "US"}, experienceRequirements=None),
            make_job(jobLocationType="TELECOMMUTE", drop=("jobLocation", "educationRequirements"),
                     experienceRequirements={"monthsOfExperience": 12}),
            make_job(jobLocationType="TELECOMMUTE", applicantLocationRequirements={"@type": "Country", "name": "CA"},
                     jobLocation={"@type": "Place", "address": {"addressLocality": "Denver", "addressRegion": "CO",
                                                                "addressCountry": "US"},
                                  "latitude": 39.7392, "longitude": -104.9903}),
            make_job(drop=("jobLocation",), educationRequirements={"credentialCategory": "high school"}),
            make_job(educationRequirements="Bachelor's degree in a technical field",
                     experienceRequirements="lots of it, ask us"),
            make_job(jobLocation=[{"@type": "Place", "address": {"addressLocality": "Toronto", "addressCountry": "CA"},
                                   "latitude": 43.6532, "longitude": -79.3832},
                                  {"@type": "Place", "address": {"addressCountry": "US"}}])]
    return [posting_from_jsonld(j) for j in jobs]


@pytest.fixture(scope="module")
def filled_pool(tmp_path_factory, embedder):
    p = CandidatePool(Settings(data_dir=tmp_path_factory.mktemp("pool")), embedder=embedder)
    profiles = _random_profiles(120)
    p.add_profiles([(pr, "profile", None) for pr in profiles.values()])
    yield p, profiles
    p.close()


@pytest.mark.parametrize("kw", [{}, {"strict": True}, {"radius_km": 80.0, "slack": 12},
                                {"radius_km": 5.0, "strict": True, "slack": 6}])
def test_reverse_filters_agree_with_the_oracle(filled_pool, make_job, kw):
    pool, profiles = filled_pool
    opts = ReverseOptions(top_k=1000, radius_km=kw.get("radius_km", 50.0), months_slack=kw.get("slack", 0),
                          strict=kw.get("strict", False))
    assert {p.hybrid for p in _postings(make_job)} == {True, False}
    unknown_total, removed_total = 0, 0
    for job in _postings(make_job):
        resp = pool.match_posting(job, opts)
        unknown_total += sum(r.unknown for r in resp.filters.rules)
        removed_total += sum(r.removed for r in resp.filters.rules)
        want = oracle.eligible(job, profiles, **kw)
        assert {m.id for m in resp.results} == want, job.title
        assert resp.filters.eligible == len(want) and resp.filters.total == len(profiles)
        counts = oracle.removed_counts(job, profiles, **kw)
        got = {r.rule: r.removed for r in resp.filters.rules}
        assert got == counts
        assert {r.rule: r.unknown for r in resp.filters.rules} == oracle.unknown_counts(job, profiles, **kw)
        for r in resp.filters.rules:
            assert (r.status == "skipped") == all(oracle.rule_results(job, p, **kw)[r.rule] == "skipped"
                                                  for p in profiles.values())
    assert removed_total > 0 and (unknown_total == 0 if kw.get("strict") else unknown_total > 0)


def test_unknown_candidate_values_are_explained(filled_pool, make_job):
    pool, profiles = filled_pool
    job = _postings(make_job)[1]  # Austin, associate, 24 months
    resp = pool.match_posting(job, ReverseOptions(top_k=1000))
    by_id = {m.id: m for m in resp.results}
    no_degree = [cid for cid in by_id if profiles[cid].degree is None]
    assert no_degree
    for cid in no_degree:
        req = by_id[cid].requirements["degree"]
        assert req.met is None and req.reason == "no degree found in the resume"
    for m in resp.results:
        if profiles[m.id].location and profiles[m.id].location.lat is not None:
            assert m.distance_km is not None and m.distance_km <= 50.0 + 1e-6 or m.requirements["location"].met
    strict = pool.match_posting(job, ReverseOptions(top_k=1000, strict=True))
    assert not {m.id for m in strict.results} & set(no_degree)


def test_filters_off_and_paging(filled_pool, make_job):
    pool, profiles = filled_pool
    job = _postings(make_job)[0]
    all_ = pool.match_posting(job, ReverseOptions(top_k=30, filters=False))
    assert all_.filters.eligible == len(profiles) and {r.status for r in all_.filters.rules} == {"skipped"}
    page2 = pool.match_posting(job, ReverseOptions(top_k=10, offset=10, filters=False))
    assert [m.id for m in page2.results] == [m.id for m in all_.results[10:20]]


# ---- ranking ------------------------------------------------------------------------------------------------------
def test_ranking_puts_the_fitting_resume_first(pool, make_job):
    py = pool.add_profile(profile(PY_RESUME, skills=["Python", "Django", "Amazon Web Services AWS"]), kind="text", label="py")
    nurse = pool.add_profile(profile(NURSE_RESUME, skills=["Triage"]), kind="text", label="nurse")
    job = posting_from_jsonld(make_job(title="Python Backend Developer",
                                       description="Build APIs in Python and Django on AWS. SQL and Docker a plus."))
    resp = pool.match_posting(job, ReverseOptions(filters=False))
    assert [m.id for m in resp.results] == [py.id, nurse.id]
    top = resp.results[0]
    assert top.similarity > resp.results[1].similarity
    assert "Python" in top.skills_in_common and "Triage" not in top.skills_in_common
    assert "Python" not in top.skills_missing
    nurse_job = posting_from_jsonld(make_job(title="ICU Registered Nurse", description="Patient care in the ICU, triage"))
    assert pool.match_posting(nurse_job, ReverseOptions(filters=False)).results[0].id == nurse.id


# ---- inline postings -----------------------------------------------------------------------------------------------
def test_inline_posting_errors_are_the_ingestion_errors(make_job):
    import json

    assert resolve_posting(json.dumps(make_job())).title == "Senior Data Engineer"
    with pytest.raises(PostingError, match="refused"):
        resolve_posting(json.dumps(make_job(drop=("title",))))
    with pytest.raises(PostingError):
        resolve_posting("{not json")
    with pytest.raises(InvalidRequest, match="holds 2 postings"):
        resolve_posting(json.dumps([make_job(), make_job(title="Other")]))
    with pytest.raises(PostingError, match="no JobPosting"):
        resolve_posting(json.dumps({"@type": "Person", "name": "x"}))


def test_empty_pool_answers_with_an_empty_report(pool, make_job):
    resp = pool.match_posting(posting_from_jsonld(make_job()), ReverseOptions())
    assert resp.results == [] and resp.filters.total == 0


def test_store_and_index_are_reconciled_after_a_crash_between_them(pool, make_job):
    a = pool.add_profile(profile(PY_RESUME), kind="text")
    # a writer that died after the SQLite commit and before the index save: the row is stored and pending
    cid, _ = pool.store.upsert(profile(NURSE_RESUME), kind="text")
    assert pool.store.pending() == [cid] and cid not in pool.view().index
    pool.store.delete(a.id)  # and one deleted from the store whose index row was never removed
    counts = pool.sync()
    assert counts == {"indexed": 1, "removed": 1, "total": 1} and pool.store.pending() == []
    job = posting_from_jsonld(make_job(title="Nurse", description="ICU"))
    assert [m.id for m in pool.match_posting(job, ReverseOptions(filters=False)).results] == [cid]


def test_a_search_does_not_wait_for_a_write_in_progress(pool, make_job, monkeypatch):
    import threading

    first = pool.add_profile(profile(PY_RESUME), kind="text")
    job = posting_from_jsonld(make_job(title="Python developer", description="Django"))
    pool.match_posting(job, ReverseOptions(filters=False))
    entered, release = threading.Event(), threading.Event()
    real = pool.embedder.embed_queries

    def slow(texts, **kw):  # the writer holds the lock and the view while it embeds
        entered.set()
        release.wait(30)
        return real(texts, **kw)

    monkeypatch.setattr(pool.embedder, "embed_queries", slow)
    writer = threading.Thread(target=pool.add_profile, args=(profile(NURSE_RESUME),), kwargs={"kind": "text"})
    writer.start()
    try:
        assert entered.wait(30)
        got = pool.match_posting(job, ReverseOptions(filters=False))  # answered from the view before the write
        assert [m.id for m in got.results] == [first.id]
    finally:
        release.set()
        writer.join(60)
    assert len(pool.match_posting(job, ReverseOptions(filters=False)).results) == 2


def test_another_model_is_refused_with_what_to_do(tmp_path, embedder):
    from matcher.errors import IndexModelMismatch

    s = Settings(data_dir=tmp_path / "d")
    with CandidatePool(s, embedder=embedder) as p:
        p.add_profile(profile(PY_RESUME), kind="text")

    class OtherModel:
        def index_identity(self):
            return {**embedder.index_identity(), "model_id": "other-model", "model_checksum": "0" * 64}

    with CandidatePool(s, embedder=OtherModel()) as p:
        with pytest.raises(IndexModelMismatch, match="jobmatch candidates reindex"):
            p.view()
        assert len(p) == 1  # the store is intact; listing and removing need no model
    with CandidatePool(s, embedder=embedder) as p:
        assert p.reindex() == 1 and len(p.view().index) == 1
