"""The matching contract, checked against an independent implementation (tests/oracle.py) with the real model
over the bundled sample of real postings: no result breaks an applied rule, the eligible count is right,
k results come back whenever k are eligible, and the ranking equals exact search over the eligible set."""
from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from matcher.domain import CandidateProfile, MatchOptions, Place
from matcher.service import apply_overrides
from tests import oracle

pytestmark = pytest.mark.slow

AS_OF = datetime(2021, 8, 1, tzinfo=UTC)
TEXT = ("Senior software engineer with 8 years of experience building Python and Java services on AWS, "
        "Kubernetes, SQL databases and data pipelines. Bachelor of Science in Computer Science.")

AUSTIN = Place(city="Austin", region="TX", country="US", lat=30.26715, lon=-97.74306)
NYC = Place(city="New York", region="NY", country="US", lat=40.71427, lon=-74.00597)

CASES = [
    dict(profile=dict(), opts=dict()),
    dict(profile=dict(degree="bachelor", months=60, location=AUSTIN), opts=dict()),
    dict(profile=dict(degree="associate", months=12, location=NYC), opts=dict(radius_km=100)),
    dict(profile=dict(degree="high_school", months=0), opts=dict(strict=True)),
    dict(profile=dict(), opts=dict(strict=True)),
    dict(profile=dict(location=NYC), opts=dict(remote="only")),
    dict(profile=dict(location=AUSTIN), opts=dict(remote="exclude", radius_km=300)),
    dict(profile=dict(location=Place(country="US")), opts=dict()),
    dict(profile=dict(location=Place(country="IN")), opts=dict()),
    dict(profile=dict(degree="postgraduate", months=24), opts=dict(months_slack=12, top_k=50)),
    dict(profile=dict(degree="bachelor", months=36, location=AUSTIN), opts=dict(top_k=3, radius_km=5)),
    dict(profile=dict(months=600, degree="postgraduate"), opts=dict(as_of=datetime(2021, 9, 15, tzinfo=UTC))),
    dict(profile=dict(degree="bachelor", location=NYC), opts=dict(filters=False)),
    # "More filters" (issue 12): employment type, annual salary in a currency, freshness; unknowns pass
    dict(profile=dict(), opts=dict(employment_types=["CONTRACTOR", "PART_TIME"])),
    dict(profile=dict(), opts=dict(min_salary=120_000, salary_currency="USD")),
    dict(profile=dict(), opts=dict(min_salary=50_000, salary_currency="EUR")),
    dict(profile=dict(), opts=dict(posted_within_days=7)),
    dict(profile=dict(degree="bachelor", location=NYC),
         opts=dict(employment_types=["FULL_TIME"], min_salary=80_000, salary_currency="usd", posted_within_days=30,
                   remote="only")),
]


@pytest.fixture(scope="module")
def corpus(sample_service):
    postings = list(sample_service.store.iter_postings())
    qv = sample_service.embed_query(CandidateProfile(text=TEXT))
    return postings, qv


def context_line_vectors(svc, text):
    """The resume's lines (matcher.second_stage.resume_lines) read in context: the query window's token vectors
    (one forward pass over the query text's first window) averaged over each line's word pieces, found here by
    the line's characters in the tokenizer's offsets."""
    from matcher.ranking import query_text_for_embedding
    from matcher.second_stage import resume_lines

    emb = svc.embedder
    qtext = query_text_for_embedding(text)
    lines = resume_lines(qtext)
    if not lines:
        return None
    enc = emb.model.tokenizer(qtext, add_special_tokens=True, truncation=True, max_length=emb.max_seq_length,
                              return_offsets_mapping=True)
    ids, offs = enc["input_ids"], enc["offset_mapping"]
    arrays = {"input_ids": np.array([ids]), "attention_mask": np.ones((1, len(ids)), np.int64)}
    if "token_type_ids" in emb.model.tokenizer.model_input_names:
        arrays["token_type_ids"] = np.zeros((1, len(ids)), np.int64)
    _, tokens = emb.forward_tokens(arrays)
    out, at = [], 0
    for line in lines:
        a = qtext.index(line, at)
        at = b = a + len(line)
        pos = [i for i, (s, e) in enumerate(offs) if e > s and s >= a and e <= b]
        if pos:
            v = tokens[0, pos].mean(axis=0)
            out.append(v / np.linalg.norm(v))
    return np.stack(out) if out else None


def expected_ranking(svc, eligible, qv, k, max_per_company=2) -> list[str]:
    """Brute-force first stage (exact dense top-100 + BM25 top-100 over the eligible set, reciprocal rank
    fusion; the resume has no experience titles, so no third list), then the second stage
    (matcher.second_stage.rerank_rows, with each candidate's cosine and the distinct signal) over its top STAGE2_N and
    the diversity pass
    (matcher.ranking.diversify), both tested on their own with known answers in tests/test_ranking.py."""
    from matcher.ranking import diversify, query_text_for_lexical, resume_title_text, rrf_fuse
    from matcher.second_stage import STAGE2_N, rerank_rows

    if not eligible:
        return []
    ids = [p.id for p in eligible]
    dense = sorted((-float(svc.index.vector_of(i) @ qv), i) for i in ids)[:100]
    lex_index = svc.lexical.index
    pos = {k_: n for n, k_ in enumerate(svc.lexical.keys)}
    lex_all = lex_index.scores(query_text_for_lexical(TEXT), len(svc.lexical.keys))
    lexical = sorted((-float(lex_all[pos[i]]), i) for i in ids if lex_all[pos[i]] > 0)[:100]
    assert resume_title_text(TEXT) == ""  # no experience titles: no third (recent-titles) list, see test_ranking.py
    fused = rrf_fuse([[i for _, i in dense], [i for _, i in lexical]], [1.0, 1.0], 60.0)
    first = sorted(fused.items(), key=lambda t: (-round(t[1], 12), t[0]))[:max(k + 32, STAGE2_N)]
    if len(first) < k:  # tiny eligible sets: the rest in row order, as the ranker pads
        first += [(i, 0.0) for i in ids if i not in fused][: k - len(first)]
    by_id = {p.id: p for p in eligible}
    ps = [by_id[i] for i, _ in first]
    rows = [pos[p.id] for p in ps]
    lines = lex_index.lines
    sims = [float(svc.index.vector_of(p.id) @ qv) for p in ps]  # the second stage's semantic signal
    # the distinct signal: the resume's lines vs the candidates' vectors, from their centroid; each line's vector is
    # the mean of the query window's token vectors over the line's word pieces (read from the same pass)
    rvecs = context_line_vectors(svc, TEXT)
    if rvecs is None:
        rvecs = np.asarray(qv)[None, :]
    vecs = np.stack([svc.index.vector_of(p.id) for p in ps[:STAGE2_N]])
    rr = rerank_rows(lines, rows, [s for _, s in first], TEXT, [p.title for p in ps], similarity=sims,
                     resume_vectors=rvecs, vectors=vecs)
    order = [rr.order[j] for j in range(len(ps))]
    new, _ = diversify([ps[j].company for j in order], [lines.signature(rows[j]) for j in order], max_per_company)
    return [ps[order[i]].id for i in new][:k]


@pytest.mark.parametrize("case", range(len(CASES)))
def test_results_follow_the_contract(case, sample_service, corpus):
    postings, qv = corpus
    spec = CASES[case]
    opts = MatchOptions(**{"as_of": AS_OF, "top_k": 10, **spec["opts"]})
    profile = CandidateProfile(text=TEXT, **spec["profile"])
    resp = sample_service.match(profile, opts, query_vec=qv)
    cand = apply_overrides(profile, opts)
    loc = cand.location

    def ok(p):
        if not opts.filters:
            return True
        return oracle.passes(p, as_of=opts.as_of, degree=cand.degree, months=cand.months,
                             lat=loc.lat if loc else None, lon=loc.lon if loc else None,
                             country=loc.country if loc else None, radius_km=opts.radius_km, remote=opts.remote,
                             strict=opts.strict, slack=opts.months_slack, employment_types=opts.employment_types,
                             min_salary=opts.min_salary, salary_currency=opts.salary_currency,
                             posted_within_days=opts.posted_within_days)

    eligible = [p for p in postings if ok(p)]
    # the more filters come last: each one's "passed as unknown" count is over what the earlier rules left
    rules = {r.rule: r for r in resp.filters.rules}
    assert list(rules) == ["validity", "degree", "experience", "location", "employment_type", "salary", "freshness",
                           "occupation"]
    if opts.filters and opts.min_salary is not None and not opts.posted_within_days:
        cur = opts.salary_currency.upper()
        unknown = [p for p in eligible if p.salary is None or p.salary.currency != cur]
        assert rules["salary"].status == "applied" and rules["salary"].unknown == len(unknown)
    if opts.filters and opts.posted_within_days is not None and len(rules) and opts.min_salary is None:
        assert rules["freshness"].unknown == sum(p.date_posted is None for p in eligible)
    assert resp.filters.total == len(postings)
    assert resp.filters.eligible == len(eligible)
    assert sum(r.removed for r in resp.filters.rules) == len(postings) - len(eligible)
    assert len(resp.results) == min(opts.top_k, len(eligible))
    by_id = {p.id: p for p in postings}
    for m in resp.results:
        assert ok(by_id[m.id]), f"{m.id} breaks an applied rule"
    # ranking equals the shipped ranking computed from brute force: exact dense top-100 over the eligible set
    # (cosine with the stored vectors) and BM25 top-100 over the same set, fused by reciprocal rank, then
    # the second stage and the diversity pass
    assert [m.id for m in resp.results] == expected_ranking(sample_service, eligible, qv, opts.top_k,
                                                            opts.max_per_company)
    strength = [m.match for m in resp.results]
    assert strength == sorted(strength, reverse=True) and all(0 <= x <= 100 for x in strength)


def test_unknown_candidate_values_are_reported_as_skipped(sample_service, corpus):
    _, qv = corpus
    resp = sample_service.match(CandidateProfile(text=TEXT), MatchOptions(as_of=AS_OF), query_vec=qv)
    status = {r.rule: r.status for r in resp.filters.rules}
    assert status == {"validity": "applied", "degree": "skipped", "experience": "skipped", "location": "skipped",
                      "employment_type": "skipped", "salary": "skipped", "freshness": "skipped",
                      "occupation": "skipped"}
    assert all(r.reason for r in resp.filters.rules if r.status == "skipped")


def test_no_filters_skips_every_rule_on_request(sample_service, corpus):
    postings, qv = corpus
    resp = sample_service.match(CandidateProfile(text=TEXT, degree="high_school", months=0),
                                MatchOptions(as_of=datetime(2030, 1, 1, tzinfo=UTC), filters=False),
                                query_vec=qv)
    assert {r.status for r in resp.filters.rules} == {"skipped"}
    assert resp.filters.eligible == len(postings)
    assert len(resp.results) == 10


def test_everything_expired_gives_no_results_and_says_why(sample_service, corpus):
    _, qv = corpus
    resp = sample_service.match(CandidateProfile(text=TEXT), MatchOptions(as_of=datetime(2030, 1, 1, tzinfo=UTC)),
                                query_vec=qv)
    assert resp.results == []
    assert resp.filters.eligible == 0
    assert resp.filters.rules[0].rule == "validity" and resp.filters.rules[0].removed == resp.filters.total


def test_results_explain_themselves(sample_service, corpus):
    _, qv = corpus
    profile = CandidateProfile(text=TEXT, degree="bachelor", months=60, location=AUSTIN,
                               skills=["Python", "Java", "SQL", "Amazon Web Services AWS software"])
    resp = sample_service.match(profile, MatchOptions(as_of=AS_OF, radius_km=2000, remote="exclude"), query_vec=qv)
    assert resp.results
    for m in resp.results:
        assert m.distance_km is not None and m.distance_km <= 2000
        assert m.requirements["degree"].met in (True, None)
        assert m.requirements["months"].met in (True, None)
        assert set(m.skills_in_common) <= set(profile.skills)
    assert any(m.skills_in_common for m in resp.results)


def test_explicit_options_override_the_resume(sample_service, corpus):
    _, qv = corpus
    profile = CandidateProfile(text=TEXT, degree="high_school", months=3)
    resp = sample_service.match(profile, MatchOptions(as_of=AS_OF, degree="postgraduate", months=120,
                                                      location="Seattle, WA"), query_vec=qv)
    c = resp.candidate
    assert (c.degree, c.months) == ("postgraduate", 120)
    assert c.location.city == "Seattle" and c.location.country == "US" and abs(c.location.lat - 47.6) < 0.2
    assert set(c.overridden) == {"degree", "months", "location"}


def test_unknown_place_is_a_clear_error(sample_service, corpus):
    from matcher.errors import InvalidRequest

    _, qv = corpus
    with pytest.raises(InvalidRequest, match="gazetteer"):
        sample_service.match(CandidateProfile(text=TEXT), MatchOptions(location="Xyzzyville, Nowhere"), query_vec=qv)


def test_reindex_publishes_a_new_index_atomically(service_copy):
    """reindex builds beside the old index and swaps a symlink; the service and a fresh open both see it."""
    from matcher.service import MatchService

    svc = service_copy
    path = svc.settings.index_path
    before = len(svc.index)
    assert svc.reindex() == before
    assert path.is_symlink() and path.resolve().is_dir()
    first = path.resolve()
    assert len(svc.index) == before
    assert svc.reindex() == before
    second = path.resolve()
    assert second != first and first.exists()  # the previous build is kept for readers still opening it
    svc.reindex()
    assert not first.exists() and second.exists()  # older builds are removed
    with MatchService(svc.settings, embedder=svc.embedder, create_index=False) as other:
        assert len(other.index) == before
        resp = other.match(CandidateProfile(text=TEXT), MatchOptions(as_of=AS_OF, top_k=3))
        assert len(resp.results) == 3


def test_occupations_filter_keeps_only_those_occupations(sample_service, corpus):
    from matcher.occupations import classify_title

    postings, qv = corpus
    base = sample_service.match(CandidateProfile(text=TEXT), MatchOptions(as_of=AS_OF, top_k=50), query_vec=qv)
    resp = sample_service.match(CandidateProfile(text=TEXT), MatchOptions(as_of=AS_OF, top_k=50, occupations="15-2051"),
                                query_vec=qv)
    rule = {r.rule: r for r in resp.filters.rules}["occupation"]
    assert rule.status == "applied" and rule.candidate_value == ["15-2051"]
    occ = {p.id: classify_title(p.title) for p in postings}
    alive = [p for p in postings if p.valid_through is None or p.valid_through >= AS_OF]
    assert rule.removed == sum(1 for p in alive if occ[p.id] is not None and not occ[p.id].code.startswith("15-2051"))
    assert rule.unknown == sum(1 for p in alive if occ[p.id] is None)
    assert resp.filters.eligible == base.filters.eligible - rule.removed
    assert resp.results and all(occ[m.id] is None or occ[m.id].code.startswith("15-2051") for m in resp.results)
    assert any(m.occupation["posting"] and m.occupation["posting"]["code"].startswith("15-2051") for m in resp.results)
    strict = sample_service.match(CandidateProfile(text=TEXT),
                                  MatchOptions(as_of=AS_OF, top_k=50, occupations="15-2051", strict=True), query_vec=qv)
    assert all(occ[m.id] is not None for m in strict.results)


def test_a_posting_deleted_between_search_and_read_shows_as_removed(sample_service, monkeypatch):
    """The candidates' postings are read in one statement after the search; one deleted in between comes back as
    a "(removed)" result instead of failing the match."""
    opts = MatchOptions(as_of=AS_OF, top_k=5, max_per_company=0)
    first = sample_service.match(CandidateProfile(text=TEXT), opts).results[0].id
    real = sample_service.store.postings
    monkeypatch.setattr(sample_service.store, "postings", lambda ids: {k: p for k, p in real(ids).items() if k != first})
    got = {m.id: m.title for m in sample_service.match(CandidateProfile(text=TEXT), opts).results}
    assert got.get(first) == "(removed)"
