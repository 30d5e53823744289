"""matcher.second_stage with known answers: requirement lines, coverage, text similarity, the final order."""
import math

import numpy as np
import pytest

from matcher.second_stage import (IdfTable, digest_posting, digest_resume, posting_lines, read_whole, rerank,
                                  stage2_scores)

GENERIC = """Site Reliability Engineer
We are looking for an SRE for our client.
- Kubernetes and Terraform experience
- On-call rotation for production services
We are an equal opportunity employer and consider applicants without regard to race, color or disability.
Benefits: 401(k), dental and vision insurance."""

SPECIFIC = """Our Recommendation Infrastructure team keeps the recommendation system stable.
- Improve the whole lifecycle of recommendation and ranking services
- Measure and monitor availability, latency and service health
- Kubernetes experience"""

RESUME = ("Site reliability engineer. Kept recommendation and ranking services up; monitor availability and "
          "latency; Kubernetes; Python.")


def test_posting_lines_drop_boilerplate_and_short_lines():
    lines = posting_lines(GENERIC)
    assert lines == ["Site Reliability Engineer", "We are looking for an SRE for our client.", "Kubernetes and Terraform experience",
                     "On-call rotation for production services"]
    assert posting_lines(None) == [] and posting_lines("Apply") == []


def test_idf_table_from_texts_and_bm25():
    import bm25s

    from matcher.ranking import tokenize

    texts = ["kubernetes python", "kubernetes go", "recommendation ranking"]
    t = IdfTable.from_texts(texts)
    assert t.df["kubernete"] == 2 and t.n == 3
    assert t("recommendation") == pytest.approx(math.log(1 + (3 - 1 + 0.5) / 1.5))
    assert t("never-seen") > t("recommendation") > t("kubernete")
    bm = bm25s.BM25()
    bm.index([tokenize(x) for x in texts], show_progress=False)
    assert IdfTable.from_bm25(bm).df == t.df


def test_reading_prefers_the_posting_whose_duties_the_resume_shows():
    idf = IdfTable.from_texts([GENERIC, SPECIFIC, "Data scientist statistics python", "Nurse patient care"])
    r = digest_resume(RESUME, ["Kubernetes", "Python"])
    gen = read_whole(r, digest_posting("Site Reliability Engineer", GENERIC, skills=False), idf)
    spec = read_whole(r, digest_posting("SRE, Recommendation Infrastructure", SPECIFIC, skills=False), idf)
    assert spec.coverage > gen.coverage and spec.text > gen.text
    assert spec.lines == 3 and gen.lines == 4 and spec.lines_met == gen.lines_met == 1
    assert 0 <= gen.coverage <= 1 and 0 <= spec.text <= 1


def test_skills_in_common_and_missing():
    r = digest_resume("Python and Kubernetes", ["Python", "Kubernetes"])
    d = digest_posting("Engineer", "We use Python, Terraform and Kubernetes.")
    rd = read_whole(r, d, IdfTable({}, 10))
    assert set(rd.skills_in_common) == {"Python", "Kubernetes"}
    assert rd.skills_missing == ["IBM Terraform"] and rd.skills == pytest.approx(2 / 3)  # the vocabulary's name


def test_stage2_scores_and_rerank_order():
    class R:  # a reading stand-in
        def __init__(self, c, t):
            self.coverage, self.text, self.skills, self.occupation = c, t, 0.0, None

    s = stage2_scores([3.0, 2.0, 1.0], [R(0.0, 0.0), R(0.5, 0.5), R(1.0, 1.0)],
                      {"prior": 1.0, "coverage": 1.0, "text": 1.0, "skills": 0.0})
    assert s.tolist() == pytest.approx([1.0, 1.5, 2.0])
    assert stage2_scores([], [], None).size == 0
    idf = IdfTable.from_texts([GENERIC, SPECIFIC])
    rr = rerank(RESUME, None, ["Site Reliability Engineer", "SRE, Recommendation Infrastructure", "Other"],
                [GENERIC, SPECIFIC, "Unrelated text about nursing care"], [0.03, 0.02, 0.01], idf, n=2)
    assert rr.order == [1, 0, 2]  # the specific posting overtakes; the third is past n and keeps its place
    assert rr.readings[2] is None and rr.scores[2] == 0.01
    assert np.isfinite(rr.scores).all()
