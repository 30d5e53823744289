"""matcher.ranking on a tiny synthetic corpus with known answers."""

import numpy as np
import pytest

from matcher import posting_index, ranking
from matcher.ranking import DenseRanker, HybridRanker, rrf_fuse, tokenize

TEXTS = [
    "Software Engineer\nBuild backend services in Java and Python.",
    "Data Scientist\nStatistics, Python, machine learning models.",
    "Site Reliability Engineer\nKubernetes, Terraform, on-call, Linux.",
    "Software Engineer\nFrontend React and TypeScript applications.",
    "Quantum Annealing Researcher\nZephyrine qubits and cryostat calibration.",
    "Software Engineer\nBuild backend services in Java and Python.",  # exact duplicate of 0
]


def _vecs(n, dim=8, seed=0):
    rng = np.random.default_rng(seed)
    v = rng.normal(size=(n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def _dense_scores_for(D, q):
    def dense_scores(mask, n):
        s = D @ q
        rows = np.flatnonzero(mask)
        o = np.lexsort((rows, -s[rows]))[:n]
        return rows[o], s[rows][o]

    return dense_scores


def test_tokenize_keeps_tech_tokens():
    toks = tokenize("Experience with C++, C#, .NET, Node.js and the AWS clouds.")
    assert "c++" in toks and "c#" in toks and ".net" in toks and "node.js" in toks
    assert "aws" in toks and "cloud" in toks and "the" not in toks


def test_rrf_fuse():
    f = rrf_fuse([np.array([1, 2]), np.array([2, 3])], k=60)
    assert f[2] == pytest.approx(1 / 62 + 1 / 61)
    assert f[1] == pytest.approx(1 / 61) and f[3] == pytest.approx(1 / 62)


@pytest.mark.parametrize("make", [DenseRanker, lambda: HybridRanker(candidates=3).build(TEXTS)])
def test_never_outside_eligible_and_count(make):
    ranker = make()
    D = _vecs(len(TEXTS))
    q = _vecs(1, seed=3)[0]
    for mask_bits in ([1, 1, 1, 1, 1, 1], [0, 1, 0, 1, 0, 0], [0, 0, 0, 0, 0, 0], [1, 0, 0, 0, 0, 0]):
        mask = np.array(mask_bits, dtype=bool)
        for k in (0, 1, 2, 10):
            res = ranker.rank("python java backend kubernetes", q, mask, k, _dense_scores_for(D, q))
            assert len(res) == min(k, int(mask.sum()))
            assert all(mask[r] for r, _ in res)
            assert len({r for r, _ in res}) == len(res)
            scores = [s for _, s in res]
            assert scores == sorted(scores, reverse=True)


def test_ties_broken_by_row():
    D = np.ones((5, 4), dtype=np.float32) / 2.0  # every doc identical
    q = D[0]
    mask = np.ones(5, dtype=bool)
    assert [r for r, _ in DenseRanker().rank("", q, mask, 5, _dense_scores_for(D, q))] == [0, 1, 2, 3, 4]
    texts = ["same words here"] * 5
    h = HybridRanker().build(texts)
    assert [r for r, _ in h.rank("same words", q, mask, 5, _dense_scores_for(D, q))] == [0, 1, 2, 3, 4]
    # dense_scores returning rows in a scrambled order must not matter
    def scrambled(mask, n):  # a planner that hands back more rows than asked, in reverse order
        rows = np.flatnonzero(mask)[::-1]
        return rows, np.full(rows.size, 0.5)
    assert [r for r, _ in DenseRanker().rank("", q, mask, 3, scrambled)] == [0, 1, 2]


def test_rare_words_rank_first_under_hybrid():
    D = _vecs(len(TEXTS), seed=1)
    q = -D[4]  # dense side says doc 4 is the *worst*
    h = HybridRanker().build(TEXTS)
    res = h.rank("zephyrine qubits cryostat", q, np.ones(len(TEXTS), bool), 3, _dense_scores_for(D, q))
    assert res[0][0] == 4
    # not eligible -> never returned, even though lexically best
    mask = np.ones(len(TEXTS), bool)
    mask[4] = False
    res = h.rank("zephyrine qubits cryostat", q, mask, 3, _dense_scores_for(D, q))
    assert 4 not in [r for r, _ in res]


def test_lexical_add_and_save_load(tmp_path):
    h = HybridRanker(candidates=7, rrf_k=30.0).build(TEXTS[:3])
    h.add([10], ["Zephyrine cryostat engineer"])
    assert h.lexical.scores("zephyrine", 12).argmax() == 10
    h.save(tmp_path / "lex")
    assert not list((tmp_path / "lex").rglob("*.pkl")) and not list((tmp_path / "lex").rglob("*.pickle"))
    h2 = HybridRanker.load(tmp_path / "lex")
    assert (h2.candidates, h2.rrf_k) == (7, 30.0)
    np.testing.assert_allclose(h2.lexical.scores("java kubernetes zephyrine", 12),
                               h.lexical.scores("java kubernetes zephyrine", 12))
    # replacing a row's text
    h2.add([0], ["Zephyrine only"])
    assert h2.lexical.scores("java", 12)[0] == 0


def test_text_representations():
    t = posting_index.posting_head_text("Data Scientist", "Acme", "Build  models.\n\n\nShip them.")
    assert t.startswith("Data Scientist") and "Build models." in t and "\n\n" not in t
    assert posting_index.posting_head_text("T", None, "a b c\nd e f", max_words=4) == "T\na b c\nd"
    assert posting_index.posting_text_for_embedding(" Data  Scientist ", "Acme", "long text") == "Data Scientist"
    assert posting_index.posting_text_for_embedding("", None, "x") == "x"
    assert posting_index.posting_texts_for_embedding("T", None, "body") == ("T", "T\nbody")
    assert ranking.query_text_for_embedding("  Jane Doe \n\n Python  ") == "Jane Doe\nPython"
    assert isinstance(ranking.default_ranker(), (DenseRanker, HybridRanker))


def test_embed_postings_combines_title_and_head():
    class FakeEmbedder:
        dim = 2

        def embed_documents(self, texts, max_windows=None, batch_size=64, progress=False):
            return np.array([[1.0, 0.0] if "\n" not in t else [0.0, 1.0] for t in texts], dtype=np.float32)

    v = posting_index.embed_postings(FakeEmbedder(), ["T"], [None], ["body"])
    np.testing.assert_allclose(v, [[2 ** -0.5, 2 ** -0.5]], rtol=1e-6)
    assert posting_index.embed_postings(FakeEmbedder(), [], [], []).shape == (0, 2)


# ---- diversity -------------------------------------------------------------------------------------------

from matcher.ranking import company_key, diversify, readable_scores, strength_parts  # noqa: E402


def signatures(texts):
    """The shipped near-duplicate sketches (PostingLines.signature) of postings with these descriptions, built in
    one index (token ids are the index's)."""
    from matcher.posting_index import posting_text_for_lexical
    from matcher.ranking import LexicalIndex

    lines = LexicalIndex().build([posting_text_for_lexical("Site Reliability Engineer", None, t) for t in texts]).lines
    return [lines.signature(i) for i in range(len(texts))]

AGENCY_TEXT = ("We are hiring a Site Reliability Engineer for a Fortune 500 client. Kubernetes, Terraform, AWS, "
               "on-call rotation, Linux, monitoring with Prometheus and Grafana. Apply today with your resume.")


def test_company_cap_holds_back_the_third_posting_of_a_company():
    companies = ["Acme, Inc.", "ACME Inc", "Other", "acme", "Third"]
    sigs = signatures(["kubernetes terraform linux aws cloud", "nursing patient ward care rounds",
                       "sales quota leads crm pipeline", "accounting ledger audit tax filing",
                       "chef kitchen menu food prep"])
    order, why = diversify(companies, sigs, max_per_company=2)
    assert order == [0, 1, 2, 4, 3]  # the third Acme posting goes after every other one
    assert set(why) == {3} and "Acme" in why[3] or "acme" in why[3]
    assert diversify(companies, sigs, max_per_company=0) == ([0, 1, 2, 3, 4], {})  # 0 = off
    assert diversify(companies, sigs, max_per_company=1)[0] == [0, 2, 4, 1, 3]


def test_near_identical_texts_from_other_companies_are_spaced():
    texts = [AGENCY_TEXT, AGENCY_TEXT + " Thanks.", "Recommendation infrastructure SRE for a "
             "video app: keep ranking services up across data centers", AGENCY_TEXT]
    companies = ["Agency A", "Agency B", "TikTok", "Agency C"]
    order, why = diversify(companies, signatures(texts), max_per_company=2)
    assert order == [0, 2, 1, 3]  # both copies wait for the next page, in their own order
    assert why[1].startswith("near-identical to a result above") and "Agency A" in why[1]
    assert company_key("Acme, Inc.") == company_key("ACME Inc") == "acme" and company_key(None) is None
    assert signatures(["", "x"])[0] == frozenset()


def test_held_back_postings_are_spaced_to_the_next_page_not_buried():
    companies = ["A", "A", "A", "B", "C", "D", "E", "F"]
    order, why = diversify(companies, [frozenset({i}) for i in range(8)], max_per_company=2, page=4)
    assert order == [0, 1, 3, 4, 2, 5, 6, 7]  # the third "A" opens page 2
    assert set(why) == {2}


def test_nothing_is_dropped_by_diversity():
    companies = ["A"] * 6 + ["B"]
    order, _ = diversify(companies, [frozenset({i}) for i in range(7)], max_per_company=2)
    assert sorted(order) == list(range(7)) and order[:3] == [0, 1, 6]


# ---- readable score --------------------------------------------------------------------------------------

def test_strength_parts_known_values():
    p = strength_parts(0.80, 0.5, 0.25, 1.0)
    assert p == {"semantic": 40.0, "requirements": 30.0, "text": 20.0, "occupation": 10.0}
    p = strength_parts(0.525, 0.25, 0.0, None)
    assert p == {"semantic": 20.0, "requirements": 15.0, "text": 0.0, "occupation": 0.0}
    assert strength_parts(None, None, None, None) == {"semantic": 0.0, "requirements": 0.0, "text": 0.0,
                                                      "occupation": 0.0}
    assert strength_parts(0.05, -1, 9, 2)["semantic"] == 0.0  # clipped to each signal's range


def test_readable_scores_fall_with_the_rank():
    parts = [{"a": 50.0, "b": 20.4}, {"a": 80.0}, {"a": 10.0}, {"a": 120.0}]
    assert readable_scores(parts) == [70, 70, 10, 10]
    assert readable_scores([]) == []


# ---- round 3: the recent-job-titles list and the semantic signal ------------------------------------------------

def test_title_list_is_fused_with_its_weight_and_reported():
    ranker = HybridRanker(candidates=3, w_titles=0.5).build(TEXTS)
    eye = np.eye(len(TEXTS), dtype=np.float32)
    q = eye[2]  # the dense side puts row 2 first, then rows by ascending id (ties)
    titles = _dense_scores_for(eye, eye[4])  # the titles list puts row 4 first
    mask = np.ones(len(TEXTS), dtype=bool)
    res = ranker.rank_detailed("quantum zephyrine cryostat", q, mask, 6, _dense_scores_for(eye, q),
                               title_scores=titles)
    by = {c.row: c for c in res}
    # row 4: first on the lexical side (only it has these words) and first in the titles list
    assert by[4].lex_rank == 1 and by[4].title_rank == 1
    assert by[4].fused == pytest.approx(1 / 61 + 0.5 / 61 + 1 / (60 + by[4].dense_rank))
    assert res[0].row == 4
    # without the titles list nothing has a title rank and row 4 scores less
    plain = {c.row: c for c in ranker.rank_detailed("quantum zephyrine cryostat", q, mask, 6,
                                                    _dense_scores_for(eye, q))}
    assert plain[4].title_rank is None and plain[4].fused == pytest.approx(by[4].fused - 0.5 / 61)
    # weight 0 turns the list off even when given
    off = HybridRanker(candidates=3, w_titles=0.0).build(TEXTS)
    assert off.rank_detailed("quantum", q, mask, 6, _dense_scores_for(eye, q), title_scores=titles)[0].title_rank \
        is None


def test_resume_title_text_reads_the_experience_section_not_the_headline():
    resume = ("DATA SCIENTIST\nSummary\nI like numbers.\nExperience\n"
              "Site Reliability Engineer, Acme, Seattle, WA 06/2017 to Current\n- On call.\n"
              "Systems Administrator, Beta, Bellevue, WA 01/2016 to 05/2017\n- Linux.\n")
    text = ranking.resume_title_text(resume)
    assert text.startswith("site reliability engineer") and "systems administrator" in text
    assert "data scientist" not in text
    assert ranking.resume_title_text("no sections here") == ""


def test_semantic_signal_in_the_second_stage():
    from matcher.second_stage import rerank_rows

    idx = HybridRanker().build(TEXTS).lexical
    titles = [t.split("\n")[0] for t in TEXTS[:3]]
    w = {"prior": 1.0, "coverage": 0.0, "text": 0.0, "occupation": 0.0, "semantic": 2.0}
    # prior says 0, 1, 2; the cosines say 2, 1, 0 with twice the weight: the order flips
    rr = rerank_rows(idx.lines, [0, 1, 2], [0.03, 0.02, 0.01], "python", titles, weights=w, resume_occ=None,
                     similarity=[0.1, 0.5, 0.9])
    assert rr.order == [2, 1, 0] and rr.readings[2].semantic == pytest.approx(0.9)
    # without cosines the signal is unknown and counts nothing
    rr = rerank_rows(idx.lines, [0, 1, 2], [0.03, 0.02, 0.01], "python", titles, weights=w, resume_occ=None)
    assert rr.order == [0, 1, 2] and rr.readings[0].semantic is None


# ---- round 4: a vector near-duplicate rule (measured, off by default); the lexical side at weight 0 -----------------

def test_vector_near_duplicates_are_spaced_only_when_asked():
    companies = ["Agency A", "TikTok", "Agency B", "Agency C"]
    sigs = [frozenset({i}) for i in range(4)]  # texts share nothing
    v = np.array([[1, 0, 0], [0, 1, 0], [0.99, 0.141, 0], [0.6, 0.8, 0]], dtype=np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    assert diversify(companies, sigs, 2, page=3) == ([0, 1, 2, 3], {})  # off: only the text sketch counts
    order, why = diversify(companies, sigs, 2, page=3, vectors=v, near_vector=0.95)
    assert order == [0, 1, 3, 2] and why[2].startswith("near-identical") and "Agency A" in why[2]


def test_lexical_side_not_scored_at_weight_zero():
    class NoLexical:
        def scores(self, *a, **k):
            raise AssertionError("BM25 scored at weight 0")

    eye = np.eye(len(TEXTS), dtype=np.float32)
    mask = np.ones(len(TEXTS), dtype=bool)
    res = HybridRanker(NoLexical(), candidates=3, w_lex=0.0).rank_detailed("java", eye[2], mask, 3,
                                                                            _dense_scores_for(eye, eye[2]))
    assert [c.row for c in res] == [2, 0, 1] and all(c.lex_rank is None for c in res)
    assert res[0].fused == pytest.approx(1 / 61)
