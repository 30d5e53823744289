"""The second stage's ``distinct`` signal (matcher.second_stage.local_contrast) with known answers: a posting that
differs from the generic majority in the direction the resume does rises; near-copies of the majority do not."""
import numpy as np
import pytest

from matcher.second_stage import STAGE2_WEIGHTS, local_contrast, resume_lines, stage2_scores


def _unit(*xs):
    v = np.asarray(xs, dtype=np.float64)
    return v / np.linalg.norm(v)


def test_local_contrast_known_values():
    # three generic postings along e0 (with a little noise on e2), one specific posting on e0 + e1
    C = np.stack([_unit(1, 0, 0.1), _unit(1, 0, -0.1), _unit(1, 0, 0.1), _unit(1, 1, 0)])
    q = _unit(1, 0.5, 0)  # the resume: mostly generic, with some of the specific direction
    got = local_contrast(q, C)
    m = C.mean(0)
    want = [float((q - m) @ (c - m) / np.linalg.norm(q - m) / np.linalg.norm(c - m)) for c in C]
    assert got.tolist() == pytest.approx(want)
    assert int(np.argmax(got)) == 3 and got[3] > 0.9  # the specific posting, pointing where the resume does
    # the plain cosine prefers the generic postings: this is what the signal changes
    assert (C @ q)[3] < max((C @ q)[:3]) + 0.1
    # several resume vectors (lines): the best line counts
    lines = np.stack([_unit(1, 0, 0), q])
    assert local_contrast(lines, C).tolist() == pytest.approx(np.maximum(local_contrast(lines[0], C), got).tolist())
    assert local_contrast(q, np.zeros((0, 3))).size == 0


def test_local_contrast_centres():
    C = np.stack([_unit(1, 0, 0), _unit(1, 0.1, 0), _unit(0, 1, 0), _unit(0, 1, 0.1)])
    q = _unit(0, 1, 1)
    # groups: a group's own centroid; a group below min_group uses all candidates' centroid
    g = local_contrast(q, C, groups=["a", "a", "b", "b"], min_group=2)
    ma = C[:2].mean(0)
    assert g[0] == pytest.approx(float((q - ma) @ (C[0] - ma) / np.linalg.norm(q - ma) / np.linalg.norm(C[0] - ma)))
    assert local_contrast(q, C, groups=["a", "a", "b", "b"], min_group=3).tolist() == pytest.approx(
        local_contrast(q, C).tolist())
    # one nearest neighbour: the centre of row 0 is row 1
    k = local_contrast(q, C, neighbours=1)
    d = C[0] - C[1]
    assert k[0] == pytest.approx(float((q - C[1]) @ d / np.linalg.norm(q - C[1]) / np.linalg.norm(d)))


def test_resume_lines_first_words_only():
    text = "SITE RELIABILITY ENGINEER FOR SEARCH\nKept recommendation and ranking services up at scale\n" \
           "Site Reliability Engineer\n" + "\n".join(f"Kept service number {i} up and running" for i in range(60))
    lines = resume_lines(text, max_words=40)
    # the headline (first line) is left out, "Site Reliability Engineer" (three content words) is too short
    assert lines[0] == "Kept recommendation and ranking services up at scale" and "Site Reliability Engineer" not in lines
    assert len(lines) == 5  # 8 + 3 + 4 x 7 = 39 words; the next line would pass 40 (the headline does not count)
    assert resume_lines(text, max_words=40, min_tokens=3, headline=True)[:3] == [
        "SITE RELIABILITY ENGINEER FOR SEARCH", "Kept recommendation and ranking services up at scale",
        "Site Reliability Engineer"]
    assert resume_lines("") == [] and resume_lines(None) == []


def test_distinct_signal_in_stage2_scores():
    class R:  # a reading stand-in: all other signals equal
        def __init__(self, d):
            self.coverage, self.text, self.occupation, self.contrast, self.semantic, self.distinct = \
                0.5, 0.5, None, 0.0, None, d

    s = stage2_scores([2.0, 1.0], [R(0.1), R(0.9)], {"prior": 1.0, "distinct": 2.0})
    assert s.tolist() == pytest.approx([1.0, 2.0])
    # not computed (None): the signal is left out
    assert stage2_scores([2.0, 1.0], [R(None), R(None)], {"prior": 1.0}).tolist() == pytest.approx([1.0, 0.0])
    assert STAGE2_WEIGHTS["distinct"] > 0


def test_rerank_rows_reads_the_distinct_signal():
    from matcher.posting_index import posting_text_for_lexical
    from matcher.ranking import LexicalIndex
    from matcher.second_stage import rerank_rows

    body = "Kubernetes and Terraform experience\nOn-call rotation for production services"
    idx = LexicalIndex().build([posting_text_for_lexical("Site Reliability Engineer", None, body)] * 3 +
                               [posting_text_for_lexical("Site Reliability Engineer", None, body)])
    vecs = np.stack([_unit(1, 0, 0.1), _unit(1, 0, -0.1), _unit(1, 0, 0.1), _unit(1, 1, 0)]).astype(np.float32)
    resume = np.stack([_unit(1, 0.5, 0)])
    only = {"prior": 1.0, "coverage": 0.0, "text": 0.0, "occupation": 0.0, "semantic": 0.0, "distinct": 3.0}
    rr = rerank_rows(idx.lines, [0, 1, 2, 3], [0.04, 0.03, 0.02, 0.01], "site reliability", ["SRE"] * 4,
                     weights=only, resume_occ=None, resume_vectors=resume, vectors=vecs)
    assert rr.order[0] == 3 and rr.readings[3].distinct > 0.9
    # without vectors the signal is not read and the first-stage order stays
    rr = rerank_rows(idx.lines, [0, 1, 2, 3], [0.04, 0.03, 0.02, 0.01], "site reliability", ["SRE"] * 4,
                     weights=only, resume_occ=None)
    assert rr.order == [0, 1, 2, 3] and rr.readings[0].distinct is None
