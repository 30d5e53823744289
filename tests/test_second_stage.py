"""matcher.second_stage with known answers: requirement lines, coverage, text similarity, the final order."""
import math

import pytest

from matcher.second_stage import posting_lines, stage2_scores

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


def _index(*pairs):
    from matcher.posting_index import posting_text_for_lexical
    from matcher.ranking import LexicalIndex

    return LexicalIndex().build([posting_text_for_lexical(t, None, d) for t, d in pairs])


def test_idf_and_coverage_known_answers():
    # three postings; "kubernete" (light stemming) in two, "terraform" in one, "linux" in one
    idx = _index(("Ops", "Kubernetes Terraform Linux"), ("Ops", "Kubernetes Helm charts"), ("Nurse", "Patient care ward"))
    L = idx.lines
    idf = {t: float(L.idf[L.vocab[t]]) for t in ("kubernete", "terraform", "linux")}
    assert idf["kubernete"] == pytest.approx(math.log(1 + (3 - 2 + 0.5) / 2.5), rel=1e-6)
    assert idf["terraform"] == pytest.approx(math.log(1 + (3 - 1 + 0.5) / 1.5), rel=1e-6)
    r = L.read(0, L.resume_side("Kubernetes and Terraform"))
    # one requirement line of three words (the title "Ops" is too short to be one): its weight shown
    assert r.lines == 1 and r.lines_met == 1
    want = (idf["kubernete"] + idf["terraform"]) / (idf["kubernete"] + idf["terraform"] + idf["linux"])
    assert r.coverage == pytest.approx(want, rel=1e-5)
    assert L.read(2, L.resume_side("Kubernetes and Terraform")).coverage == 0.0


def test_reading_prefers_the_posting_whose_duties_the_resume_shows():
    idx = _index(("Site Reliability Engineer", GENERIC), ("SRE, Recommendation Infrastructure", SPECIFIC),
                 ("Data scientist", "statistics python models"), ("Nurse", "patient care ward rounds"))
    L = idx.lines
    side = L.resume_side(RESUME)
    gen, spec = L.read(0, side), L.read(1, side)
    assert spec.coverage > gen.coverage and spec.text > gen.text
    # lines of >= 3 content words, each once (the title is twice in the lexical text and again in GENERIC),
    # boilerplate (equal opportunity, benefits) dropped: GENERIC title + 3 lines, SPECIFIC title + 3 lines
    assert gen.lines == 4 and spec.lines == 4
    assert 0 <= gen.coverage <= 1 and 0 <= spec.text <= 1


def test_stage2_scores_known_values():
    class R:  # a reading stand-in
        def __init__(self, c, t):
            self.coverage, self.text, self.occupation, self.contrast, self.semantic = c, t, None, 0.0, None
            self.distinct = None

    s = stage2_scores([3.0, 2.0, 1.0], [R(0.0, 0.0), R(0.5, 0.5), R(1.0, 1.0)],
                      {"prior": 1.0, "coverage": 1.0, "text": 1.0, "occupation": 0.0})
    assert s.tolist() == pytest.approx([1.0, 1.5, 2.0])
    assert stage2_scores([], [], None).size == 0


def test_skill_gap_of_a_match():
    from matcher.domain import CandidateProfile
    from matcher.service import skills_in_common, skills_missing

    text = "Engineer\nWe use Python, Terraform and Kubernetes."
    prof = CandidateProfile(text="Python and Kubernetes", skills=["Python"])
    assert skills_missing("jp_test_gap", text, prof) == ["IBM Terraform"]  # the vocabulary's name
    assert set(skills_in_common("jp_test_gap", text, ("Python", "Kubernetes"))) == {"Python", "Kubernetes"}


# ---- the arrays the service reads (PostingLines) ------------------------------------------------------------

def _lines():
    from matcher.posting_index import posting_text_for_lexical
    from matcher.ranking import LexicalIndex

    texts = [posting_text_for_lexical("Site Reliability Engineer", None, GENERIC),
             posting_text_for_lexical("SRE, Recommendation Infrastructure", None, SPECIFIC),
             posting_text_for_lexical("Data Scientist", None, "Statistics, Python and machine learning models.")]
    return LexicalIndex().build(texts)


def test_posting_lines_arrays_known_answers(tmp_path):
    from matcher.second_stage import PostingLines

    idx = _lines()
    L = PostingLines.build(dict(idx.texts))  # one block of arrays (the index's own, per segment: tests/test_bm25.py)
    assert L.n_docs == 3 and L.row_line.size == 4
    # row 1: the title (twice in the lexical text; counted once), then three of its four lines have >= 3 words
    assert int(L.line_req[L.row_line[1]:L.row_line[2]].sum()) == 4
    # row 0: the equal-opportunity and benefits lines are not requirements
    assert int(L.line_req[L.row_line[0]:L.row_line[1]].sum()) == 4
    side = L.resume_side(RESUME)
    r0, r1 = L.read(0, side), L.read(1, side)
    assert r1.coverage > r0.coverage and r1.text > r0.text and 0 < r1.text <= 1
    assert L.read(99, side).lines == 0  # a row it does not have
    # df and idf follow the texts: "engineer" only in row 0, "python" in row 2
    assert L.df[L.vocab["engineer"]] == 1 and L.df[L.vocab["python"]] == 1
    # saved and loaded: the same readings
    L.save(tmp_path)
    L2 = PostingLines.load(tmp_path)
    assert L2 is not None and L2.vocab == L.vocab
    assert L2.read(1, L2.resume_side(RESUME)).coverage == pytest.approx(r1.coverage)
    (tmp_path / "lines" / "vocab.json").write_text('{"version": 0}')
    assert PostingLines.load(tmp_path) is None  # another version: rebuilt from the texts


def test_signature_skips_the_title_and_finds_copies():
    from matcher.posting_index import posting_text_for_lexical
    from matcher.ranking import LexicalIndex, _jaccard

    body = "Kubernetes Terraform AWS Linux monitoring Prometheus Grafana alerting incident response " * 3
    idx = LexicalIndex().build([posting_text_for_lexical("SRE", None, body),
                                posting_text_for_lexical("Site Reliability Engineer II", None, body),
                                posting_text_for_lexical("SRE", None, "Recommendation ranking services uptime")])
    L = idx.lines
    assert _jaccard(L.signature(0), L.signature(1)) == 1.0  # same text under another title
    assert _jaccard(L.signature(0), L.signature(2)) == 0.0


def test_rerank_rows_moves_the_specific_posting_up():
    from matcher.second_stage import rerank_rows

    idx = _lines()
    rr = rerank_rows(idx.lines, [0, 1, 2], [0.03, 0.02, 0.01], RESUME, ["Site Reliability Engineer",
                     "SRE, Recommendation Infrastructure", "Data Scientist"], n=2, resume_occ=None)
    assert rr.order == [1, 0, 2] and rr.readings[2] is None and rr.scores[2] == 0.01


def test_rows_without_text_anywhere_are_fine():
    from matcher.ranking import LexicalIndex

    idx = LexicalIndex().build(["", "Site Reliability Engineer\nKubernetes and Terraform experience", ""])
    L = idx.lines
    assert L.doc_norm.tolist()[0] == 0.0 and L.doc_norm.tolist()[2] == 0.0 and L.doc_norm[1] > 0
    idx2 = idx.updated([1], [""])  # the last posting with text removed (a delete blanks its row)
    assert idx2.lines.doc_norm.tolist() == [0.0, 0.0, 0.0]
    assert idx2.lines.read(1, idx2.lines.resume_side("kubernetes")).lines == 0
