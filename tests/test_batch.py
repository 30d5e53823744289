"""Offline batch matching (``jobmatch batch``): every input accounted for, the same answers as
``MatchService.match``, interrupted runs resumed without loss, and the Ray engine writing the same lines.

Uses the session fixtures of ``conftest.py`` (the bundled sample ingested and indexed with the real model).
"""
from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from matcher.batch import BatchConfig, candidate_options, embed_queries, ok_record, read_done, run_batch, summary_path
from matcher.domain import MatchOptions
from matcher.settings import Settings

pytestmark = pytest.mark.slow

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "resumes"
PDFS = sorted((SHARED / "livecareer" / "pdf" / "INFORMATION-TECHNOLOGY").glob("*.pdf"))[:5]
TEXTS = SHARED / "updated_resume_dataset" / "resumes.jsonl"
AS_OF = datetime(2021, 8, 1, tzinfo=UTC)
JSON_RESUME = {
    "basics": {"name": "Ada Example", "label": "Data Engineer", "summary": "Builds data pipelines in Python and SQL.",
               "location": {"city": "Austin", "region": "TX", "countryCode": "US"}},
    "work": [{"name": "Acme", "position": "Data Engineer", "startDate": "2016-01", "endDate": "2021-06",
              "highlights": ["Spark and Airflow pipelines on AWS", "PostgreSQL tuning"]}],
    "education": [{"institution": "UT Austin", "studyType": "Bachelor", "area": "Computer Science",
                   "endDate": "2015-05"}],
    "skills": [{"name": "Data", "keywords": ["Python", "SQL", "Spark", "AWS"]}],
}


def _texts(n: int) -> list[dict]:
    with open(TEXTS, encoding="utf-8") as fh:
        return [json.loads(line) for line, _ in zip(fh, range(n), strict=False)]


def _lines(out: Path) -> dict[str, dict]:
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    by_id = {r["id"]: r for r in rows}
    assert len(by_id) == len(rows), "an id was written twice"
    return by_id


@pytest.fixture(scope="module")
def resume_dir(tmp_path_factory) -> Path:
    """5 real PDFs, 2 real text resumes, a JSON Resume, and 3 files that cannot be matched."""
    if len(PDFS) < 5:
        pytest.skip("the shared resume PDFs are not there")
    d = tmp_path_factory.mktemp("resumes")
    for p in PDFS:
        shutil.copy(p, d / p.name)
    (d / "text").mkdir()
    for r in _texts(2):
        (d / "text" / f"{r['id']}.txt").write_text(r["text"], encoding="utf-8")
    (d / "text" / "ada.json").write_text(json.dumps(JSON_RESUME), encoding="utf-8")
    (d / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj garbage that is not a PDF")
    (d / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    (d / "text" / "empty.txt").write_bytes(b"")
    (d / ".hidden").write_text("ignored")
    return d


def _cfg(data_dir: Path, inp: Path, out: Path, **kw) -> BatchConfig:
    # a generous parse time limit: CI machines are shared and a 10 s limit can fire on a busy one
    return BatchConfig(input=inp, out=out, options=MatchOptions(as_of=AS_OF, top_k=5), progress=False,
                       settings=Settings(data_dir=data_dir, parse_timeout_s=120), **kw)


@pytest.fixture(scope="module")
def reference_parser():
    """What ``MatchService.profile_from_resume`` uses (the isolated parser), with the same time limit."""
    from matcher.resumes import ResumeParser

    with ResumeParser(Settings(parse_timeout_s=120)) as p:
        yield p


@pytest.fixture(scope="module")
def full_run(tmp_path_factory, sample_data_dir, resume_dir):
    out = tmp_path_factory.mktemp("out") / "full.jsonl"
    summary = run_batch(_cfg(sample_data_dir, resume_dir, out, workers=2))
    return out, summary


def test_every_input_is_accounted_for(full_run, resume_dir):
    out, summary = full_run
    lines = _lines(out)
    expected = {p.relative_to(resume_dir).as_posix() for p in resume_dir.rglob("*")
                if p.is_file() and not p.name.startswith(".")}
    assert set(lines) == expected
    errors = {i: r["error"]["code"] for i, r in lines.items() if r["error"]}
    # the codes of the HTTP API (matcher.errors: one vocabulary for the API, the CLI's --json and batch records)
    assert errors == {"broken.pdf": "corrupt_document", "photo.png": "unsupported_file_type",
                      "text/empty.txt": "empty_document"}
    for r in lines.values():
        if r["error"]:
            assert r["results"] == [] and r["error"]["message"]
        else:
            assert r["results"] and r["filters"]["as_of"].startswith("2021-08-01")
            assert set(r["profile"]) >= {"degree", "months", "location", "skills"}
    on_disk = json.loads(summary_path(out).read_text())
    assert on_disk == summary
    assert (summary["inputs"], summary["processed"], summary["ok"], summary["failed"]) == (11, 11, 8, 3)
    assert summary["complete"] and summary["failures_by_code"] == {"corrupt_document": 1, "unsupported_file_type": 1,
                                                                   "empty_document": 1}
    assert set(summary["stages_s"]) >= {"parse", "embed", "search", "write"}


def test_results_are_those_of_match_service(full_run, resume_dir, sample_service, reference_parser):
    """Same parse, same query vector, same filters, ranking and explanations as ``jobmatch match``."""
    out, _ = full_run
    lines = _lines(out)
    opts = MatchOptions(as_of=AS_OF, top_k=5)
    checked = 0
    for cid, rec in lines.items():
        if rec["error"]:
            continue
        path = resume_dir / cid
        profile = reference_parser.parse(path.read_bytes(), filename=path.name, as_of=AS_OF).profile
        expected = ok_record(cid, str(path), sample_service.match(profile, opts))
        assert rec == json.loads(json.dumps(expected)), cid
        checked += 1
    assert checked == 8


def test_batched_query_vectors_equal_embed_query(sample_service):
    texts = [r["text"] for r in _texts(12)] + ["short", "Python developer, 5 years, Austin TX"]
    s = sample_service.settings
    batch = embed_queries(sample_service.embedder, texts, max_windows=s.query_windows, batch_size=5)
    for t, v in zip(texts, batch, strict=False):
        assert (v == sample_service.embedder.embed_query(t, max_windows=s.query_windows)).all()


def test_batched_query_and_line_vectors_equal_one_at_a_time(sample_service):
    """The batch's query vectors and the distinct signal's line vectors (one pass per batch of resumes) are those
    of a single upload, bit for bit; a resume without such lines reads its own vector."""
    from matcher.domain import CandidateProfile

    profiles = [CandidateProfile(text=r["text"]) for r in _texts(8)] + [CandidateProfile(text="short")]
    Q, lines = sample_service.embed_queries_lines(profiles, batch_size=3)
    for p, q, lv in zip(profiles, Q, lines, strict=True):
        q1, l1 = sample_service.embed_query_lines(p)
        assert np.array_equal(q, q1) and np.array_equal(q1, sample_service.embed_query(p))
        assert lv is not None and np.array_equal(lv, l1)
    assert np.array_equal(lines[-1], Q[-1][None, :])  # "short": no line of 4 content words
    assert sum(len(lv) > 1 for lv in lines[:-1]) >= 4  # most resumes have several such lines


def test_split_embedding_gives_the_same_bits(sample_service):
    """``embed_step`` with a helper thread (two halves embedded side by side, as ``jobmatch batch`` does on 2+
    cores) returns the vectors and line vectors of one pass, in input order, and really ran two threads."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from matcher.batch.matching import embed_step, prepare

    parsed = [{"id": r["id"], "source": "t", "profile": {"text": r["text"]}} for r in _texts(10)]
    step = prepare(parsed, MatchOptions(top_k=5))
    (q1, l1), _ = embed_step(sample_service, step, batch_size=3)
    seen: set[str] = set()
    real = sample_service.embed_queries_lines

    def spy(profiles, **kw):  # type: ignore[no-untyped-def]
        seen.add(threading.current_thread().name)
        return real(profiles, **kw)

    sample_service.embed_queries_lines = spy
    try:
        with ThreadPoolExecutor(1, thread_name_prefix="split-test") as helper:
            (q2, l2), _ = embed_step(sample_service, step, batch_size=3, helper=helper)
    finally:
        del sample_service.embed_queries_lines
    assert len(seen) == 2 and any(n.startswith("split-test") for n in seen)
    assert np.array_equal(q1, q2) and len(l1) == len(l2) == 10
    assert all(np.array_equal(a, b) for a, b in zip(l1, l2, strict=True))


def test_an_upload_embeds_once(sample_service, monkeypatch):
    """One forward pass per upload: the query vector and the distinct signal's line vectors come from it."""
    from api.app import timed_match
    from matcher.domain import CandidateProfile, MatchOptions

    emb = sample_service.embedder
    calls = []
    for name in ("forward", "forward_tokens"):
        real = getattr(emb, name)
        monkeypatch.setattr(emb, name, lambda arrays, _r=real, _n=name: calls.append(_n) or _r(arrays))
    resp = timed_match(sample_service, CandidateProfile(text=_texts(1)[0]["text"]),
                       MatchOptions(top_k=5, as_of="2021-08-01"))
    assert resp.results and calls == ["forward_tokens"]


def test_interrupted_run_resumes_to_the_same_output(tmp_path, full_run, sample_data_dir, resume_dir):
    out = tmp_path / "part.jsonl"
    first = run_batch(_cfg(sample_data_dir, resume_dir, out, workers=1, stop_after=4, embed_batch=3))
    assert not first["complete"] and first["processed"] == 4
    with open(out, "a", encoding="utf-8") as fh:  # a line torn by a kill
        fh.write('{"id": "photo.png", "source": "/x", "resu')
    assert len(read_done(out)) == 4
    assert out.read_bytes().endswith(b"\n")
    second = run_batch(_cfg(sample_data_dir, resume_dir, out, workers=2, resume=True))
    assert second["already_done"] == 4 and second["processed"] == 7 and second["complete"]
    assert _lines(out) == _lines(full_run[0])
    again = run_batch(_cfg(sample_data_dir, resume_dir, out, resume=True))
    assert again["processed"] == 0 and again["already_done"] == 11


def test_existing_output_needs_resume(tmp_path, sample_data_dir, resume_dir):
    from api.cli import main

    out = tmp_path / "o.jsonl"
    out.write_text('{"id": "x"}\n')
    assert main(["batch", str(resume_dir), "--out", str(out), "--data-dir", str(sample_data_dir)]) == 1


def test_jsonl_input_with_text_path_json_resume_and_profile_fields(tmp_path, sample_data_dir, sample_service,
                                                                   reference_parser):
    from matcher.resumes import profile_from_json_resume, profile_from_text
    from matcher.resumes.jsonresume import json_resume_text
    from matcher.resumes.profile import clean_text

    t1, t2 = _texts(2)
    shutil.copy(PDFS[0], tmp_path / "cv.pdf")
    lines = [
        {"id": "t1", "text": t1["text"], "category": t1["category"]},
        {"id": "t2", "text": t2["text"], "degree": "postgraduate", "months": 30, "location": "Austin, TX",
         "top_k": 3, "remote": "exclude"},
        {"id": "p1", "path": "cv.pdf", "lat": 40.71, "lon": -74.0, "options": {"radius_km": 100}},
        {"id": "j1", "json_resume": JSON_RESUME},
        {"id": "bad-option", "text": t1["text"], "remote": "sometimes"},
        {"id": "no-source", "degree": "bachelor"},
        {"id": "t1", "text": "a second line with the same id"},
        {"id": "nowhere", "text": t1["text"], "location": "Qwxyzzy, Nowhere"},
    ]
    inp = tmp_path / "in.jsonl"
    inp.write_text("\n".join(json.dumps(x) for x in lines) + "\nnot json\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    summary = run_batch(_cfg(sample_data_dir, inp, out, workers=2))
    assert summary["ignored_keys"] == {"category": 1}
    got = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(got) == 9
    errs = sorted((r["id"], r["error"]["code"]) for r in got if r["error"])
    assert errs == [("bad-option", "invalid_request"), ("line-9", "invalid_request"), ("no-source", "invalid_request"),
                    ("nowhere", "invalid_request"), ("t1", "duplicate_id")]
    ok = {r["id"]: r for r in got if not r["error"]}
    assert set(ok) == {"t1", "t2", "p1", "j1"}

    base = MatchOptions(as_of=AS_OF, top_k=5)
    day = AS_OF.date()
    profiles = {
        "t1": profile_from_text(t1["text"], day),
        "t2": profile_from_text(t2["text"], day),
        "p1": reference_parser.parse(PDFS[0].read_bytes(), filename="cv.pdf", as_of=AS_OF).profile,
        "j1": profile_from_json_resume(JSON_RESUME, day, clean_text(json_resume_text(JSON_RESUME))),
    }
    over = {"t1": {}, "t2": {k: lines[1][k] for k in ("degree", "months", "location", "top_k", "remote")},
            "p1": {"lat": 40.71, "lon": -74.0, "radius_km": 100}, "j1": {}}
    for cid, profile in profiles.items():
        resp = sample_service.match(profile, candidate_options(base, over[cid]))
        assert ok[cid]["results"] == json.loads(json.dumps([m.model_dump(mode="json") for m in resp.results])), cid
        assert ok[cid]["filters"] == json.loads(resp.filters.model_dump_json()), cid
    assert len(ok["t2"]["results"]) <= 3
    assert ok["t2"]["profile"]["degree"] == "postgraduate" and ok["t2"]["profile"]["months"] == 30
    assert set(ok["t2"]["profile"]["overridden"]) == {"degree", "months", "location"}
    assert ok["p1"]["source"] == str(tmp_path / "cv.pdf")


def test_ray_engine_writes_the_same_lines(tmp_path, full_run, sample_data_dir, resume_dir):
    """One Ray test (start-up costs tens of seconds): a local Ray instance, same content as the local engine."""
    pytest.importorskip("ray", reason="install the `ray` extra: pip install -e '.[ray]'")
    import ray

    out = tmp_path / "ray.jsonl"
    try:
        summary = run_batch(_cfg(sample_data_dir, resume_dir, out, workers=2, engine="ray"))
    finally:
        ray.shutdown()
    assert summary["complete"] and summary["processed"] == 11
    assert _lines(out) == _lines(full_run[0])


def test_killed_command_loses_nothing_it_wrote(tmp_path, sample_data_dir):
    """``jobmatch batch`` killed with SIGKILL mid-run, then ``--resume``: the same lines as an uninterrupted run."""
    import os
    import signal
    import subprocess
    import sys
    import time

    inp = tmp_path / "in.jsonl"
    inp.write_text("".join(json.dumps({"id": r["id"], "text": r["text"]}) + "\n" for r in _texts(12)))
    out = tmp_path / "killed.jsonl"
    args = ["batch", str(inp), "--out", str(out), "--data-dir", str(sample_data_dir), "--as-of", "2021-08-01",
            "--top-k", "5", "--embed-batch", "2", "--no-progress"]
    env = {**os.environ, "JOBMATCH_PARSE_TIMEOUT_S": "120"}
    proc = subprocess.Popen([sys.executable, "-m", "api.cli", *args], env=env, cwd=Path(__file__).parents[1],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None:
        if out.exists() and out.read_bytes().count(b"\n") >= 3:
            break
        time.sleep(0.05)
    if proc.poll() is not None:
        pytest.fail(f"the run ended before it could be killed: {proc.stderr.read().decode()[-2000:]}")
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    written = out.read_bytes().count(b"\n")
    assert 3 <= written < 12

    from api.cli import main

    assert main([*args, "--resume"]) == 0
    summary = json.loads(summary_path(out).read_text())
    assert summary["already_done"] == written and summary["processed"] == 12 - written
    fresh = tmp_path / "fresh.jsonl"
    assert main([*args[:3], str(fresh), *args[4:]]) == 0
    assert _lines(out) == _lines(fresh)


def test_engines_behind_one_interface(tmp_path):
    """Each engine name resolves to one Engine implementation of that name; an unknown one says which exist."""
    from matcher.batch import ENGINES, Engine, engine_for
    from matcher.errors import InvalidRequest

    base = _cfg(tmp_path, tmp_path, tmp_path / "o.jsonl")
    for name in ENGINES:
        if name == "ray":
            pytest.importorskip("ray", reason="install the `ray` extra: pip install -e '.[ray]'")
        base.engine = name
        engine = engine_for(base)
        assert isinstance(engine, Engine) and engine.name == name and engine.cfg is base
    base.engine = "spark"
    with pytest.raises(InvalidRequest, match="use local or ray"):
        engine_for(base)
