"""The split ``dev4w`` (issue 11): 24 synthetic Word CVs written by ``benchmarks/make_synthetic_cvs.py`` and their
labels in ``benchmarks/labels/resume_fields_dev4w.jsonl`` — held out in round 5 as ``test4w`` (run once), a tuning
split since round 6 (``benchmarks/labels/README.md``).

These tests check the files and the wiring into ``benchmarks/eval_parse.py`` only."""
from __future__ import annotations

import io
import json

import pytest
from docx import Document

from tests.label_tools import DEGREES, ROOT, docx_text, empty_shared, flat, load_eval_parse, load_module, read_jsonl

LABELS = ROOT / "benchmarks" / "labels" / "resume_fields_dev4w.jsonl"
CV_DIR = ROOT / "benchmarks" / "labels" / "synthetic_cv"


@pytest.fixture(scope="module")
def eval_parse():
    return load_eval_parse()


@pytest.fixture(scope="module")
def records() -> list[dict]:
    return read_jsonl(LABELS)


def test_dev4w_is_a_tuning_split(eval_parse):
    assert "dev4w" in eval_parse.TUNING_SPLITS and "dev4w" not in eval_parse.HELD_OUT_SPLITS


def test_load_labels_returns_the_24_synthetic_cvs_and_each_opens_with_python_docx(eval_parse, tmp_path):
    labels = eval_parse.load_labels(empty_shared(tmp_path), ("dev4w",))
    assert len(labels) == 24
    assert {r["split"] for r in labels} == {"dev4w"} and {r["source"] for r in labels} == {"synthetic"}
    assert sorted(r["id"] for r in labels) == [f"w{i:02d}" for i in range(1, 25)]
    for lab in labels:
        data = eval_parse.resume_bytes(tmp_path, lab, {}, {})
        assert data == (CV_DIR / f"{lab['id']}.docx").read_bytes()
        doc = Document(io.BytesIO(data))
        text = [p.text for p in doc.paragraphs] + [c.text for t in doc.tables for row in t.rows for c in row.cells]
        assert "".join(text).strip(), lab["id"]


def test_held_out_labels_do_not_include_dev4w(eval_parse, tmp_path):
    labels = eval_parse.load_labels(empty_shared(tmp_path), eval_parse.HELD_OUT_SPLITS)
    assert not [r for r in labels if r["split"] == "dev4w" or r["source"] == "synthetic"]


def test_records_have_the_shared_format_and_values(records):
    # the same keys as the other held-out label files (test3: one record's keys, nothing else read)
    first_test3 = json.loads((LABELS.parent / "resume_fields_test3.jsonl").open(encoding="utf-8").readline())
    assert all(set(r) == set(first_test3) for r in records)
    for r in records:
        assert r["source"] == "synthetic" and r["split"] == "dev4w" and r["as_of"] == "2023-01-01"
        assert r["highest_degree"] in DEGREES and isinstance(r["has_certificate"], bool)
        assert r["experience_basis"] == "dates" and isinstance(r["months_experience"], int)
        assert set(r["location"]) == {"city", "region", "country"}
        assert r["confidence"] in {"high", "medium", "low"}
        # the month arithmetic is written out and ends in the labelled total
        assert f"= {r['months_experience']}." in r["notes"], r["id"]


def test_known_answers_for_the_hard_cases(records):
    by_id = {r["id"]: r for r in records}
    assert by_id["w08"]["location"] == {"city": None, "region": None, "country": None}  # no location at all
    assert by_id["w09"]["location"] == {"city": None, "region": None, "country": "IL"}  # only "Israel"
    assert by_id["w12"]["location"]["city"] == "Pune"  # Present Address, not Permanent Address (Thrissur)
    assert by_id["w10"]["highest_degree"] == "associate"  # practical engineer (Handesai) diploma
    assert by_id["w15"]["highest_degree"] == "high_school" and by_id["w15"]["degree_in_progress"]
    assert by_id["w16"]["months_experience"] == 101  # "since 03/2019" counts to as_of
    assert by_id["w13"]["months_experience"] == 170  # overlapping jobs merged, undated reserve duty ignored


def test_every_evidence_quote_is_in_its_document(records):
    for r in records:
        text = docx_text(CV_DIR / f"{r['id']}.docx")
        for quote in r["evidence"]:
            assert flat(quote) in text, (r["id"], quote)


def test_the_script_writes_the_committed_files_byte_for_byte(tmp_path):
    gen = load_module("make_synthetic_cvs", ROOT / "benchmarks" / "make_synthetic_cvs.py")
    written = gen.build(tmp_path)
    assert len(written) == 24
    for p in written:
        assert p.read_bytes() == (CV_DIR / p.name).read_bytes(), p.name
