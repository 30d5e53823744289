"""The isolated parse worker reads the profile too (the rules off the server's process): the profile, notes, kind
and pages are those of reading the same bytes in-process, and a worker that cannot run the rules leaves them to the
caller (issue 15: a server's threads no longer hold the GIL for the rules of PDF and DOCX uploads)."""
from __future__ import annotations

from pathlib import Path

import pytest

from matcher.resumes import ResumeParser, safe
from matcher.settings import Settings

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "resumes"
PDFS = sorted((SHARED / "livecareer" / "pdf" / "ENGINEERING").glob("*.pdf"))[:6]


def _docx() -> bytes:
    import io

    import docx

    d = docx.Document()
    for line in ("Dana Levi", "Residence: Haifa", "EXPERIENCE", "Intel, Software Engineer, 03/2016 - Present",
                 "EDUCATION", "B.Sc. Computer Science, Technion, 2015"):
        d.add_paragraph(line)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


@pytest.mark.skipif(len(PDFS) < 6, reason="the shared resume PDFs are not there")
def test_worker_profile_equals_the_in_process_profile():
    files = [p.read_bytes() for p in PDFS] + [_docx()]
    s = Settings(max_chars=4000)  # long PDFs are truncated: the note and the profile must match too
    with ResumeParser(s) as iso, ResumeParser(s, isolated=False) as here:
        for b in files:
            kind, ext = iso.extract(b, profile=("2021-08-01", 0.6, s.max_chars))
            assert ext.profile_json is not None  # the worker read the profile
            a, c = iso.parse(b, as_of="2021-08-01"), here.parse(b, as_of="2021-08-01")
            assert (a.kind, a.pages, a.notes, a.text) == (c.kind, c.pages, c.notes, c.text)
            assert a.profile == c.profile
        assert any(here.parse(b, as_of="2021-08-01").notes for b in files)  # a truncation was exercised
        docx_profile = iso.parse(files[-1], as_of="2021-08-01").profile
        assert docx_profile.degree == "bachelor" and docx_profile.location.city == "Haifa"


def test_no_profile_asked_or_rules_failing_leaves_it_to_the_caller(monkeypatch):
    assert safe._profile_json("Engineer, Austin TX", None) is None
    assert safe._profile_json("   ", ("2021-08-01", 0.6, 100)) is None
    assert safe._profile_json("Engineer, Austin TX", ("2021-08-01", 0.6, 100)) is not None

    def boom(*a, **k):  # type: ignore[no-untyped-def]
        raise RuntimeError("rules bug")

    monkeypatch.setattr("matcher.resumes.profile.profile_from_text", boom)
    assert safe._profile_json("Engineer, Austin TX", ("2021-08-01", 0.6, 100)) is None


def test_burst_workers_stay_while_load_lasts_and_go_when_idle(monkeypatch):
    """A burst worker (started while every warm worker is busy) is kept while it is used again within
    ``BURST_IDLE_S`` — starting one costs a process and its warm-up — and stopped once it has been idle that long."""
    import threading

    with safe.WorkerPool(1, burst=2, timeout_s=10, demote_after_s=None) as pool:
        def two_at_once() -> None:
            ts = [threading.Thread(target=pool.run, args=("_sleep", 0.3, 1)) for _ in range(2)]
            for t in ts:
                t.start()
            for t in ts:
                t.join()

        two_at_once()
        assert pool.burst_started == 1 and len(pool._all) == 2  # returned, kept idle
        two_at_once()
        assert pool.burst_started == 1  # the kept worker served the second spike: none started
        monkeypatch.setattr(safe, "BURST_IDLE_S", 0.0)
        pool.run("_sleep", 0.0, 1)
        assert len(pool._all) == 1  # idle past BURST_IDLE_S: stopped, the warm size is kept
