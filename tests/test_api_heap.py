"""The server freezes its loaded heap (matcher.heap): later full GC passes do not walk the loaded objects.
Run in a subprocess, since ``gc.freeze`` is process-wide and the test process creates and drops services."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CODE = """
import gc, sys
import matcher.service as service

class Stub:  # what State.load needs of a MatchService, without the model
    generation = 0
    index = []
    def __init__(self, settings): pass
    def sync(self): pass
    def refresh(self): pass

service.MatchService = Stub
from api.app import State
from matcher.settings import Settings

state = State(Settings(data_dir=sys.argv[1]), freeze_heap=sys.argv[2] == "1")
state.load()
assert state.load_error is None, state.load_error
print(gc.get_freeze_count())
"""


def _frozen(tmp_path: Path, freeze: bool) -> int:
    out = subprocess.run([sys.executable, "-c", CODE, str(tmp_path), "1" if freeze else "0"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return int(out.stdout.strip())


def test_a_server_process_freezes_what_it_loaded(tmp_path):
    assert _frozen(tmp_path, True) > 1000  # the imported modules at least


def test_an_app_in_a_test_process_does_not(tmp_path):
    assert _frozen(tmp_path, False) == 0
