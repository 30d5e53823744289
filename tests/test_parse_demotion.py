"""A parse is moved to nice 19 by its worker's own CPU time, not by the wall clock: on a loaded host an honest parse
can wait for a core, and demoting it then starved it past the time limit (issue 15, round 6: 3 of ~4,000 uploads
failed with parse_timeout at load 4-10)."""
from __future__ import annotations

import io
import os
import sys
import time

import pytest

from matcher.resumes import safe

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def _docx() -> bytes:
    import docx

    d = docx.Document()
    for line in ("Dana Levi", "Residence: Haifa", "EXPERIENCE", "Intel, Software Engineer, 03/2016 - Present"):
        d.add_paragraph(line)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def test_over_demote_budget_counts_cpu_when_known_else_wall():
    # 5 s of wall clock but 0.1 s of CPU: a parse that waited for a core is not demoted
    assert not safe.over_demote_budget(1.0, start=0.0, now=5.0, cpu0=0.1, cpu=0.2)
    assert safe.over_demote_budget(1.0, start=0.0, now=1.5, cpu0=0.1, cpu=1.3)
    # no /proc: the wall clock decides, as before
    assert safe.over_demote_budget(1.0, start=0.0, now=5.0, cpu0=None, cpu=None)
    assert not safe.over_demote_budget(1.0, start=0.0, now=0.5, cpu0=0.1, cpu=None)


@linux_only
def test_process_cpu_s_reads_this_process_and_none_for_a_gone_one():
    before = safe.process_cpu_s(os.getpid())
    t = time.process_time()
    while time.process_time() - t < 0.3:  # burn 0.3 s of CPU
        pass
    after = safe.process_cpu_s(os.getpid())
    assert before is not None and after is not None and after - before >= 0.2
    import subprocess

    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    assert safe.process_cpu_s(p.pid) is None


@linux_only
def test_a_parse_waiting_for_a_core_is_not_demoted_one_using_the_cpu_is():
    with safe.WorkerPool(1, timeout_s=20, demote_after_s=0.2) as pool:
        pid = pool._all[0].proc.pid
        pool.run("_sleep", 0.8, 1)  # four times the budget of wall clock, ~0 CPU (a parse waiting for a core)
        assert [w.proc.pid for w in pool._all] == [pid]  # not demoted: the same worker is kept
        assert os.getpriority(os.PRIO_PROCESS, pid) == 0
        pool.run("_spin", 0.8, 1)  # four times the budget of CPU
        assert pid not in [w.proc.pid for w in pool._all]  # demoted to nice 19, then replaced
        assert pool.run("docx", _docx(), 1).text.startswith("Dana Levi")
