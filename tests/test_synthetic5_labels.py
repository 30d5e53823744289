"""The held-out split ``test5w`` (issue 11, round 6): 24 synthetic Word CVs written by
``benchmarks/make_synthetic_cvs_test5w.py`` (by a helper that neither read nor ran the parser) and their labels in
``benchmarks/labels/resume_fields_test5w.jsonl`` (``benchmarks/labels/README.md``, "Round 6: test5w").

These tests check the files and the wiring into ``benchmarks/eval_parse.py`` only: nothing here parses the CVs with
the project's parser (the split is held out; the coordinator scores it once)."""
from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest
from docx import Document

from tests.label_tools import (
    DEGREES,
    ROOT,
    docx_text,
    empty_shared,
    flat,
    load_eval_parse,
    load_module,
    read_jsonl,
    record_opens,
)

LABELS = ROOT / "benchmarks" / "labels" / "resume_fields_test5w.jsonl"
CV_DIR = ROOT / "benchmarks" / "labels" / "synthetic_cv5"


@pytest.fixture(scope="module")
def eval_parse():
    return load_eval_parse()


@pytest.fixture(scope="module")
def records() -> list[dict]:
    return read_jsonl(LABELS)


def test_test5w_is_held_out(eval_parse):
    assert "test5w" in eval_parse.HELD_OUT_SPLITS and "test5w" not in eval_parse.TUNING_SPLITS


def test_show_failures_refuses_test5w(eval_parse, monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["eval_parse.py", "--show-failures", "test5w", "--no-timing"])
    with pytest.raises(SystemExit) as e:
        eval_parse.main()
    assert e.value.code == 2 and "invalid choice" in capsys.readouterr().err


def test_tuning_never_loads_test5w(eval_parse, tmp_path, monkeypatch):
    opened = record_opens(monkeypatch)
    labels = eval_parse.load_labels(empty_shared(tmp_path), eval_parse.TUNING_SPLITS)
    assert not [r for r in labels if r["split"] == "test5w" or r["source"] == "synthetic5"]
    assert not [p for p in opened if Path(p).name == "resume_fields_test5w.jsonl"], opened
    assert any(Path(p).name == "resume_fields_dev4w.jsonl" for p in opened)  # the recorder sees the label files


def test_load_labels_returns_the_24_cvs_and_each_opens_with_python_docx(eval_parse, tmp_path):
    shared = empty_shared(tmp_path)
    labels = eval_parse.load_labels(shared, ("test5w",))
    assert len(labels) == 24
    assert {r["split"] for r in labels} == {"test5w"} and {r["source"] for r in labels} == {"synthetic5"}
    assert sorted(r["id"] for r in labels) == [f"v{i:02d}" for i in range(1, 25)]
    for lab in labels:
        data = eval_parse.resume_bytes(tmp_path, lab, {}, {})
        assert data == (CV_DIR / f"{lab['id']}.docx").read_bytes()
        doc = Document(io.BytesIO(data))
        text = [p.text for p in doc.paragraphs] + [c.text for t in doc.tables for row in t.rows for c in row.cells]
        assert "".join(text).strip(), lab["id"]
    # the held-out selection (what the final run scores) includes them
    held = eval_parse.load_labels(shared, eval_parse.HELD_OUT_SPLITS)
    assert len([r for r in held if r["split"] == "test5w"]) == 24


def test_records_have_the_shared_format_and_values(records):
    # the same keys as the other held-out label files (test3: one record's keys, nothing else read)
    first_test3 = json.loads((LABELS.parent / "resume_fields_test3.jsonl").open(encoding="utf-8").readline())
    assert len(records) == 24
    for r in records:
        assert set(r) == set(first_test3), r["id"]
        assert r["source"] == "synthetic5" and r["split"] == "test5w" and r["as_of"] == "2023-01-01"
        assert r["highest_degree"] in DEGREES and isinstance(r["has_certificate"], bool)
        assert r["experience_basis"] in {"dates", "stated"} and isinstance(r["months_experience"], int)
        assert set(r["location"]) == {"city", "region", "country"}
        assert r["confidence"] in {"high", "medium", "low"}
        # the month arithmetic is written out and ends in the labelled total
        assert r["notes"].endswith(f"= {r['months_experience']}."), r["id"]


def test_known_answers_for_the_hard_cases(records):
    by_id = {r["id"]: r for r in records}
    nowhere = {"city": None, "region": None, "country": None}
    assert by_id["v15"]["location"] == nowhere  # only a +972 mobile number, no town
    assert by_id["v15"]["experience_basis"] == "stated" and by_id["v15"]["months_experience"] == 120  # "10+ years"
    assert by_id["v14"]["location"]["city"] == "Tel Aviv"  # current address, not the parents' Kiryat Shmona
    assert by_id["v16"]["location"]["city"] == "Bengaluru"  # Current Location, not Permanent Address (Kochi)
    assert by_id["v06"]["location"]["city"] == "Ashdod"  # Residence, not the place of birth (Kharkiv)
    assert by_id["v12"]["location"] == {"city": None, "region": "Gush Dan", "country": "IL"}  # a region only
    assert by_id["v20"]["location"]["city"] is None and by_id["v20"]["location"]["country"] == "IL"
    assert by_id["v05"]["months_experience"] == 120  # RTL "2018 - 2015" ranges read as 2015 to 2018
    assert by_id["v12"]["months_experience"] == 179  # overlapping freelance engagements merged
    assert by_id["v06"]["highest_degree"] == "postgraduate"  # Candidate of Sciences
    assert by_id["v20"]["highest_degree"] == "bachelor"  # CIS Specialist diploma
    assert by_id["v16"]["highest_degree"] == "bachelor"  # a PG diploma is not a degree
    assert by_id["v10"]["highest_degree"] == "high_school" and by_id["v10"]["degree_in_progress"]
    assert by_id["v12"]["highest_degree"] == "associate"  # practical engineer (Handesai) diploma
    assert by_id["v24"]["months_experience"] == 201  # "since 04/2019" to as_of; the career break is not work
    assert by_id["v23"]["months_experience"] == 144  # legal internship excluded


def test_every_evidence_quote_is_in_its_document(records):
    for r in records:
        text = docx_text(CV_DIR / f"{r['id']}.docx")
        assert r["evidence"], r["id"]
        for quote in r["evidence"]:
            assert flat(quote) in text, (r["id"], quote)


def test_the_script_writes_the_committed_files_byte_for_byte(tmp_path):
    gen = load_module("make_synthetic_cvs_test5w", ROOT / "benchmarks" / "make_synthetic_cvs_test5w.py")
    written = gen.build(tmp_path)
    assert sorted(p.name for p in written) == [f"v{i:02d}.docx" for i in range(1, 25)]
    for p in written:
        assert p.read_bytes() == (CV_DIR / p.name).read_bytes(), p.name
