"""Batch in the recruiter direction: one line per posting, the same answers as ``match_posting``, refused records
as error lines, resume after a partial run."""
from __future__ import annotations

import json

import pytest

from matcher.candidates import CandidatePool, ReverseOptions
from matcher.candidates.batch import run_job_batch
from matcher.domain import CandidateProfile
from matcher.errors import InvalidRequest
from matcher.postings import posting_from_jsonld
from matcher.settings import Settings
from tests.test_candidates import NURSE_RESUME, PY_RESUME


@pytest.fixture
def pool(tmp_path, embedder):
    p = CandidatePool(Settings(data_dir=tmp_path / "data"), embedder=embedder)
    p.add_profiles([(CandidateProfile(text=PY_RESUME, degree="bachelor", months=80), "text", "jane"),
                    (CandidateProfile(text=NURSE_RESUME, degree="associate", months=100), "text", "john")])
    yield p
    p.close()


def test_job_batch_lines_equal_match_posting(tmp_path, pool, make_job):
    jobs = [make_job(title="Python Developer", description="Django, AWS", drop=("jobLocation",)),
            make_job(title="ICU Nurse", description="patient care", drop=("jobLocation",),
                     educationRequirements={"credentialCategory": "associate degree"}),
            make_job(drop=("title",))]
    src = tmp_path / "jobs.jsonl"
    src.write_text("\n".join(json.dumps(j) for j in jobs) + "\n")
    out = tmp_path / "out.jsonl"
    opts = ReverseOptions(top_k=5)
    s = run_job_batch(src, out, opts, pool.settings, pool=pool, progress=False)
    assert s["complete"] and s["processed"] == 3 and s["ok"] == 2 and s["failures_by_code"] == {"posting_error": 1}
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert [x["error"] is None for x in lines] == [True, True, False]
    for line, job in zip(lines[:2], jobs[:2], strict=True):
        want = pool.match_posting(posting_from_jsonld(job), opts)
        assert line["results"] == [m.model_dump(mode="json") for m in want.results]
        assert line["filters"] == want.filters.model_dump(mode="json")
    assert lines[1]["filters"]["rules"][0]["removed"] == 0 and lines[0]["filters"]["rules"][0]["removed"] == 1
    assert (tmp_path / "out.summary.json").exists()
    with pytest.raises(InvalidRequest, match="--resume"):
        run_job_batch(src, out, opts, pool.settings, pool=pool, progress=False)
    # a run cut after the first line, then resumed, gives the same file
    out2 = tmp_path / "out2.jsonl"
    out2.write_text(out.read_text().splitlines()[0] + "\n" + '{"id": "torn')
    s2 = run_job_batch(src, out2, opts, pool.settings, pool=pool, resume=True, progress=False)
    assert s2["already_done"] == 1 and s2["processed"] == 2
    assert out2.read_text() == out.read_text()
