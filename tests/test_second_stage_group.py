"""Same-title groups in the second stage (issue 16, round 5): known answers for title_key, group_order and
rerank_rows with and without the groups."""
import numpy as np

from matcher.ranking import LexicalIndex
from matcher.second_stage import STAGE2_GROUP, group_order, rerank_rows, title_key


def test_title_key_generic_title():
    assert title_key("Sr. Site Reliability Engineer - Recommendation Infrastructure") == "site reliability engineer"
    assert title_key("Site Reliability Engineer II") == "site reliability engineer"
    assert title_key("Data Scientist, Growth") == "data scientist"
    assert title_key("Staff Machine Learning Engineer (Speech)") == "machine learning engineer"
    assert title_key("SRE | Trading") == "sre"
    assert title_key(None) == "" and title_key("") == ""


def test_group_order_keeps_each_group_in_its_places():
    # positions 0, 2, 4 share a title: their places (1st, 3rd, 5th) are re-filled by inner, best first;
    # 1 is alone, 3 has no title key: both stay
    assert group_order([0, 1, 2, 3, 4], ["a", "b", "a", "", "a"], [0.1, 0.0, 0.5, 9.0, 0.3]) == [2, 1, 4, 3, 0]
    # the order given need not be 0..n-1; ties keep their order
    # (keys and inner are per position: the x group holds places 1, 2, 4 with positions 3, 0, 2)
    assert group_order([3, 0, 1, 2], ["x", "y", "x", "x"], [0.0, 0.2, 0.2, 0.9]) == [3, 2, 1, 0]
    assert group_order([1, 0], ["x", "x"], [0.5, 0.5]) == [1, 0]
    assert group_order([2, 1, 0], ["x", "x", "x"], [3.0, 2.0, 1.0]) == [0, 1, 2]
    assert group_order([], [], []) == []


BODY = "Kubernetes and Terraform experience\nOn-call rotation for production services"


def _lines():
    from matcher.posting_index import posting_text_for_lexical
    from matcher.ranking import LexicalIndex

    texts = [("Site Reliability Engineer", BODY), ("Data Engineer", "Spark pipelines and Airflow for analytics"),
             ("Sr. Site Reliability Engineer", BODY + "\nPostgres backups"),
             ("Site Reliability Engineer - Recommendation", "Keep recommendation and ranking services up\n" + BODY)]
    return LexicalIndex().build([posting_text_for_lexical(t, None, d) for t, d in texts]), [t for t, _ in texts]


def test_rerank_rows_orders_same_title_postings_by_their_description():
    idx, titles = _lines()
    resume = "Site reliability engineer: kept recommendation and ranking services up. Kubernetes, Terraform."
    only_prior = {"prior": 1.0, "coverage": 0.0, "text": 0.0, "occupation": 0.0, "semantic": 0.0, "distinct": 0.0}
    prior = [0.04, 0.03, 0.02, 0.01]
    off = rerank_rows(idx.lines, [0, 1, 2, 3], prior, resume, titles, weights=only_prior, resume_occ=None, group={})
    assert off.order == [0, 1, 2, 3]
    on = rerank_rows(idx.lines, [0, 1, 2, 3], prior, resume, titles, weights=only_prior, resume_occ=None,
                     group={"text": 1.0})
    # the three SRE postings hold places 1, 3, 4; the one whose text is closest to the resume takes the first;
    # the data engineer keeps the second place
    text = [r.text for r in on.readings]
    sre = sorted([0, 2, 3], key=lambda i: -text[i])
    assert sre[0] == 3 and on.order == [sre[0], 1, sre[1], sre[2]]
    assert on.scores == off.scores  # the stage-2 scores themselves do not change
    # the default is STAGE2_GROUP
    dflt = rerank_rows(idx.lines, [0, 1, 2, 3], prior, resume, titles, weights=only_prior, resume_occ=None)
    assert STAGE2_GROUP and dflt.order[1] == 1 and dflt.order[0] == 3


def test_rerank_rows_group_reads_the_distinct_signal():
    idx, titles = _lines()
    titles = ["SRE"] * 4  # one group
    vecs = np.eye(4, dtype=np.float32)[[0, 0, 0, 1]] + np.array([0, 0.1, 0, 0], dtype=np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    resume = np.array([[0.0, 0.0, 0.0, 1.0]], dtype=np.float32)
    only_prior = {"prior": 1.0, "coverage": 0.0, "text": 0.0, "occupation": 0.0, "semantic": 0.0, "distinct": 0.0}
    rr = rerank_rows(idx.lines, [0, 1, 2, 3], [0.04, 0.03, 0.02, 0.01], "nothing shared", titles, weights=only_prior,
                     resume_occ=None, resume_vectors=resume, vectors=vecs, group={"distinct": 1.0})
    assert rr.order[0] == 3  # the distinct reading is computed for the group order even at weight 0 in the score


def test_rerank_rows_group_reads_the_contrast_signal():
    # round 6: the groups are ordered by distinct + contrast; contrast (the resume's words a posting shares that few
    # of the other candidates share) is read for the groups even at weight 0 in the score. Postings 0 and 2 list the
    # resume's common stack like every SRE posting; 3 also shares "recommendation" and "ranking", which no other does
    idx, titles = _lines()
    resume = "Site reliability engineer: kept recommendation and ranking services up. Kubernetes, Terraform."
    only_prior = {"prior": 1.0, "coverage": 0.0, "text": 0.0, "occupation": 0.0, "semantic": 0.0, "distinct": 0.0}
    prior = [0.04, 0.03, 0.02, 0.01]
    rr = rerank_rows(idx.lines, [0, 1, 2, 3], prior, resume, titles, weights=only_prior, resume_occ=None,
                     group={"contrast": 1.0})
    con = [r.contrast for r in rr.readings]
    assert con[3] > max(con[0], con[2]) > 0 and con[1] == 0.0  # the data engineer shares no resume word
    assert rr.order == [3, 1, 0, 2]  # the SRE places 1, 3, 4: 3 first, then 0 and 2 (equal contrast) in input order
    assert STAGE2_GROUP == {"distinct": 1.0, "contrast": 1.0}
    off = rerank_rows(idx.lines, [0, 1, 2, 3], prior, resume, titles, weights=only_prior, resume_occ=None, group={})
    assert [r.contrast for r in off.readings] == [0.0] * 4  # not read when nothing uses it


def test_contrast_leaves_numbers_out():
    # a posting that shares only numbers with the resume (a phone's area code, a year) gets no contrast from them
    from matcher.second_stage import numeric_ids

    resume = "Seattle, WA | 206-555-0148. Kept recommendation services up, 2017 to 2021. Kubernetes, 5G, S3."
    num = LexicalIndex().build(["Site Reliability Engineer\ncall 206 555 0148 since 2017",
                                "Site Reliability Engineer\nKubernetes on call",
                                "Site Reliability Engineer\nrecommendation services"]).lines
    side = num.resume_side(resume)
    skip = numeric_ids(num.vocab, resume)
    # the resume's numbers the postings know ("2021" is in no posting; "5g", "s3" are words)
    assert {t for t, i in num.vocab.items() if i in skip} == {"206", "555", "0148", "2017"}
    with_numbers = num.contrast([0, 1, 2], side)
    without = num.contrast([0, 1, 2], side, skip)
    assert with_numbers[0] > 0 and without[0] == 0.0  # the first posting shares nothing but numbers
    assert without[1:].tolist() == with_numbers[1:].tolist()  # the others' words count as before
    assert without[2] > without[1] > 0  # two resume words only the third shares ("recommendation", "services"), one
