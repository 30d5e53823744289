"""Metric functions of benchmarks/eval_quality.py on tiny hand-computed examples."""

import math
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import eval_quality as eq  # noqa: E402

RELS = {"a": 2, "b": 1, "c": 2}  # d, e unjudged (0)


def test_ndcg_perfect_and_known_value():
    assert eq.ndcg_at(["a", "c", "b"], RELS, 10) == pytest.approx(1.0)
    # ranking d, a, b: dcg = 2/log2(3) + 1/log2(4); ideal = 2 + 2/log2(3) + 1/2
    dcg = 2 / math.log2(3) + 1 / 2
    idcg = 2 + 2 / math.log2(3) + 0.5
    assert eq.ndcg_at(["d", "a", "b"], RELS, 10) == pytest.approx(dcg / idcg)
    assert eq.ndcg_at(["d", "e"], RELS, 10) == 0.0
    assert eq.ndcg_at(["a"], {}, 10) == 0.0


def test_ndcg_cutoff():
    # only the first k count; ideal is cut at k too
    assert eq.ndcg_at(["d", "a"], RELS, 1) == 0.0
    assert eq.ndcg_at(["a", "d"], RELS, 1) == pytest.approx(1.0)


def test_precision_recall_rr_thresholds():
    ranked = ["d", "b", "a", "e", "c"]
    assert eq.precision_at(ranked, RELS, 10, threshold=1) == pytest.approx(3 / 10)
    assert eq.precision_at(ranked, RELS, 2, threshold=2) == 0.0
    assert eq.precision_at(ranked, RELS, 3, threshold=2) == pytest.approx(1 / 3)
    assert eq.recall_at(ranked, RELS, 3, threshold=2) == pytest.approx(1 / 2)
    assert eq.recall_at(ranked, RELS, 50, threshold=1) == pytest.approx(1.0)
    assert eq.reciprocal_rank(ranked, RELS, threshold=1) == pytest.approx(1 / 2)
    assert eq.reciprocal_rank(ranked, RELS, threshold=2) == pytest.approx(1 / 3)
    assert eq.reciprocal_rank(["d"], RELS) == 0.0


def test_evaluate_means_skips_unscoreable_and_dedupes():
    qrels = {"q1": {"a": 2}, "q2": {"b": 2, "c": 1}, "q3": {"x": 1}}  # q3 has no rel>=2: skipped
    run = {"q1": ["a", "a", "z"], "q2": ["z", "b"]}
    m = eq.evaluate(run, qrels, threshold=2)
    assert m["queries"] == 2
    assert m["mrr"] == pytest.approx((1 + 0.5) / 2)
    assert m["p@10"] == pytest.approx((0.1 + 0.1) / 2)  # duplicate "a" counted once
    assert m["recall@50"] == pytest.approx(1.0)
    # missing run for a query counts as zeros
    m2 = eq.evaluate({"q1": ["a"]}, qrels, threshold=2)
    assert m2["mrr"] == pytest.approx(0.5)


def test_read_qrels(tmp_path):
    p = tmp_path / "x.qrels"
    p.write_text("q1 0 d1 2\nq1 0 d2 1\nq2 0 d1 1\n\n")
    assert eq.read_qrels(p) == {"q1": {"d1": 2, "d2": 1}, "q2": {"d1": 1}}


def test_family_macro_weighs_families_equally():
    qrels = {"q1": {"a": 2}, "q2": {"a": 2}, "q3": {"b": 2}}
    run = {"q1": ["a"], "q2": ["a"], "q3": ["z"]}
    fams = {"q1": "x", "q2": "x", "q3": "y"}
    assert eq.family_macro_ndcg(run, qrels, fams) == pytest.approx(0.5)


def test_specificity_hit_rate_known_answers():
    corpus = eq.Corpus(["t", "g1", "g2", "o"], ["SRE, Recommendation Infrastructure", "Site Reliability Engineer",
                                                 "Sr. Site Reliability Engineer", "Data Scientist"], [None] * 4, [""] * 4)
    cases = [{"case_id": "a", "targets": ["t"], "group": "site reliability engineer"},  # target title lacks the group
             {"case_id": "b", "targets": ["g2"], "group": "site reliability engineer"},
             {"case_id": "c", "targets": ["g1"], "group": "site reliability engineer"}]
    run = {"a": ["o", "t", "g1"], "b": ["g1", "g2"], "c": ["o", "o", "g2", "g1"]}
    sp = eq.specificity(run, cases, corpus)
    # a: the first "site reliability engineer" title is g1, not a target -> miss, but t is 2nd overall (top 3)
    # b: g1 comes before g2 -> miss; g2 2nd -> top 3. c: g2 before g1 -> miss; g1 3rd after dedupe -> top 3
    assert sp["per_case"] == {"a": {"hit": False, "rank": 2}, "b": {"hit": False, "rank": 2},
                              "c": {"hit": False, "rank": 3}}
    sp = eq.specificity({"a": [], "b": ["g2", "g1"], "c": ["g1"]}, cases, corpus)
    assert sp["hit_rate"] == pytest.approx(2 / 3) and sp["top3_rate"] == pytest.approx(2 / 3)
    assert sp["per_case"]["a"] == {"hit": False, "rank": None}


def test_specificity_cases_file_is_well_formed():
    cases = eq.load_specificity(eq.JUDGE / "specificity.jsonl")
    assert len(cases) == 18 and len({c["case_id"] for c in cases}) == 18
    for c in cases:
        assert c["targets"] and all(t.startswith("jp_") for t in c["targets"])
        assert c["group"] == c["group"].lower() and c["text"].strip()


def test_splits_are_stable_stratified_and_balanced():
    strata = {f"q{i}": ("a" if i < 7 else "b") for i in range(12)}  # 7 in a, 5 in b
    sp = eq.assign_splits(strata)
    assert sp == eq.assign_splits(dict(reversed(list(strata.items()))))  # order of input does not matter
    assert set(sp.values()) == {"tune", "held"}
    for st, n in (("a", 7), ("b", 5)):
        tune = sum(1 for q, s in sp.items() if strata[q] == st and s == "tune")
        assert tune in (n // 2, n - n // 2)
    assert sum(1 for s in sp.values() if s == "tune") == 6  # the odd ones out go to different halves
    assert eq.assign_splits(strata, salt="other") != sp  # the salt decides


def test_dev_split_is_the_recorded_one():
    import json

    fam = {}
    with open(eq.JUDGE / "dev.queries.jsonl", encoding="utf-8") as fh:
        for line in fh:
            q = json.loads(line)
            fam[q["query_id"]] = q["family"]
    sp = eq.assign_splits(fam)
    assert sum(1 for s in sp.values() if s == "tune") == 89 and len(sp) == 178
    spec = {c["case_id"]: c["group"] for c in eq.load_specificity(eq.JUDGE / "specificity.jsonl")}
    assert eq.assign_splits(spec)["seed-sre-recsys-plain"] == "held"


def test_title_key_and_pipe_names_of_round_4():
    assert eq._title_key("Sr. Site Reliability Engineer - Recommendation Infrastructure") == "site reliability engineer"
    assert eq._title_key("Data Scientist, Growth") == "data scientist" and eq._title_key(None) == ""

    class FakeLab:
        def pipeline(self, **kw):
            return kw

    kw = eq.pipe_variant(FakeLab(), "pipe:@dense=1;@lcl:100:4h=1;n=100;dupcos=0.9")()
    assert kw["signals"] == (("dense", 1.0), ("lcl:100:4h", 1.0)) and kw["n"] == 100 and kw["dupcos"] == 0.9


def test_r5_variant_names_parse_as_measured():
    class FakeLab:
        def r5_run(self, **kw):
            return kw

    kw = eq.r5_variant(FakeLab(), "r5:cov=0.6;text=0.6;n=50;group=off;prf=10:0.5:sem;lexprf=10:40:2;k=30;wlex=0.5")()
    assert kw == {"weights": {"coverage": 0.6, "text": 0.6}, "n": 50, "group": {}, "prf": (10, 0.5, "sem"),
                  "lexprf": (10, 40, 2), "rrf_k": 30.0, "w_lex": 0.5}
    assert eq.r5_variant(FakeLab(), "r5:group=1:2")() == {"group": {"distinct": 1.0, "text": 2.0}}
    # round 6: a third number is the contrast weight
    assert eq.r5_variant(FakeLab(), "r5:group=1:0.5:1")() == {"group": {"distinct": 1.0, "text": 0.5, "contrast": 1.0}}
    assert eq.r5_variant(FakeLab(), "r5:")() == {}
    with pytest.raises(ValueError):
        eq.r5_variant(FakeLab(), "r5:nope=1")()
