"""``jobmatch candidates`` and ``jobmatch match-job`` in-process (real model, a copy of the sample data dir)."""
from __future__ import annotations

import json

import pytest

from api.cli import main
from tests.test_candidates import NURSE_RESUME, PY_RESUME

pytestmark = pytest.mark.slow


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_candidates_cli_round_trip(tmp_path, service_copy, capsys, make_job):
    d = service_copy.settings.data_dir
    (tmp_path / "jane.txt").write_text(PY_RESUME)
    (tmp_path / "john.txt").write_text(NURSE_RESUME)
    code, out, _ = run(capsys, "candidates", "add", tmp_path / "jane.txt", tmp_path / "john.txt", "--data-dir", d,
                       "--as-of", "2021-08-01", "--json")
    assert code == 0
    added = json.loads(out)
    assert [a["outcome"] for a in added] == ["added", "added"]
    jane, john = added[0]["id"], added[1]["id"]
    code, out, _ = run(capsys, "candidates", "ls", "--data-dir", d)
    assert code == 0 and jane in out and john in out and "2 candidates" in out
    code, out, _ = run(capsys, "candidates", "show", jane, "--data-dir", d)
    assert code == 0 and "bachelor" in out and "evidence" in out

    posting = make_job(title="ICU Registered Nurse", description="Patient care and triage in the ICU",
                       educationRequirements={"credentialCategory": "associate degree"},
                       experienceRequirements={"monthsOfExperience": 24}, drop=("jobLocation",))
    (tmp_path / "job.json").write_text(json.dumps(posting))
    code, out, _ = run(capsys, "match-job", tmp_path / "job.json", "--data-dir", d, "--json")
    assert code == 0
    resp = json.loads(out)
    assert resp["job"]["stored"] is False and resp["results"][0]["id"] == john
    code, out, _ = run(capsys, "match-job", tmp_path / "job.json", "--data-dir", d)
    assert code == 0 and "Filters: 2 of 2 candidates eligible" in out and "location    skipped" in out

    job_id = service_copy.store.ids()[0]
    code, out, _ = run(capsys, "match-job", job_id, "--data-dir", d, "--json", "--no-filters", "--top-k", "1")
    assert code == 0 and json.loads(out)["job"]["stored"] is True and len(json.loads(out)["results"]) == 1

    code, _, err = run(capsys, "match-job", "no-such-job", "--data-dir", d, "--json")
    assert code == 1 and json.loads(err)["error"]["code"] == "not_found"
    (tmp_path / "bad.json").write_text(json.dumps(make_job(drop=("title",))))
    code, _, err = run(capsys, "match-job", tmp_path / "bad.json", "--data-dir", d, "--json")
    assert code == 1 and json.loads(err)["error"]["code"] == "posting_error"

    code, out, _ = run(capsys, "candidates", "rm", jane, "--data-dir", d)
    assert code == 0 and "removed" in out
    code, _, err = run(capsys, "candidates", "rm", jane, "--data-dir", d)
    assert code == 1 and "no candidate" in err
    code, out, _ = run(capsys, "candidates", "ls", "--data-dir", d, "--json")
    assert [c["id"] for c in json.loads(out)["items"]] == [john]


def test_reverse_options_read_the_same_from_flags_and_json():
    from api.cli import build_parser
    from api.cmd_match_job import reverse_options
    from matcher.candidates import ReverseOptions
    from matcher.settings import Settings

    values = {"top_k": 7, "offset": 3, "radius_km": 80.5, "months_slack": 6, "strict": True, "filters": False}
    assert set(values) == set(ReverseOptions.model_fields)  # a new option must be added here (and to the page)
    args = build_parser().parse_args(["match-job", "x", "--top-k", "7", "--offset", "3", "--radius-km", "80.5",
                                      "--months-slack", "6", "--strict", "--no-filters"])
    assert reverse_options(args, Settings()) == ReverseOptions(**values) == ReverseOptions.model_validate_json(
        json.dumps(values))
    batch = build_parser().parse_args(["batch", "in.jsonl", "--out", "o.jsonl", "--top-k", "7"])
    assert batch.top_k == 7


def test_batch_job_to_candidates(tmp_path, capsys, make_job):
    d = tmp_path / "data"
    (tmp_path / "jane.txt").write_text(PY_RESUME)
    (tmp_path / "john.txt").write_text(NURSE_RESUME)
    assert run(capsys, "candidates", "add", tmp_path / "jane.txt", tmp_path / "john.txt", "--data-dir", d)[0] == 0
    jobs = tmp_path / "jobs.jsonl"
    jobs.write_text("\n".join(json.dumps(j) for j in (
        make_job(title="Python Developer", description="Django", drop=("jobLocation",)),
        make_job(title="ICU Nurse", description="Patient care", drop=("jobLocation", "educationRequirements",
                                                                        "experienceRequirements")),
        make_job(drop=("title",)))) + "\n")
    out = tmp_path / "out.jsonl"
    code, stdout, _ = run(capsys, "batch", jobs, "--out", out, "--direction", "job-to-candidates", "--data-dir", d,
                          "--top-k", "1", "--json")
    assert code == 0
    s = json.loads(stdout)
    assert s["processed"] == 3 and s["ok"] == 2 and s["failures_by_code"] == {"posting_error": 1}
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert [len(x["results"]) for x in lines] == [1, 1, 0]
    assert lines[1]["results"][0]["label"] == "john.txt"
    code, _, err = run(capsys, "batch", jobs, "--out", tmp_path / "o2.jsonl", "--direction", "job-to-candidates",
                       "--data-dir", d, "--min-salary", "5", "--salary-currency", "USD")
    assert code == 1 and "--min-salary" in err
    code, _, err = run(capsys, "batch", jobs, "--out", out, "--direction", "job-to-candidates", "--data-dir", d)
    assert code == 1 and "--resume" in err
