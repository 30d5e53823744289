"""Helpers shared by the tests of the label files and their wiring into ``benchmarks/eval_parse.py``."""
from __future__ import annotations

import builtins
import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def load_module(name: str, path: Path):
    """A script of ``benchmarks/`` (not a package) loaded as a module."""
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def load_eval_parse():
    return load_module("eval_parse", ROOT / "benchmarks" / "eval_parse.py")


def empty_shared(tmp_path: Path) -> Path:
    """A data dir whose shared dev label file is empty, so a test needs no ../shared checkout."""
    (tmp_path / "labels").mkdir()
    (tmp_path / "labels" / "resume_fields_dev.jsonl").write_text("")
    return tmp_path


def record_opens(monkeypatch) -> list[str]:
    """Every path ``open`` is called with from now on (for "this run never opens a held-out file")."""
    opened: list[str] = []
    real_open = builtins.open

    def recording_open(path, *a, **kw):
        opened.append(str(path))
        return real_open(path, *a, **kw)

    monkeypatch.setattr(builtins, "open", recording_open)
    return opened


DEGREES = {"none_stated", "high_school", "associate", "bachelor", "postgraduate"}  # the shared label definitions


def read_jsonl(path: Path) -> list[dict]:
    import json

    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def flat(text: str) -> str:
    """Whitespace runs as one space, table-cell bars spaced: how an evidence quote is found in a document's text."""
    import re

    return re.sub(r"\s+", " ", text.replace("|", " | "))


def docx_text(path: Path) -> str:
    """A Word file's text as the labellers read it (``benchmarks/labels/show_resume.py``), part markers dropped,
    :func:`flat`."""
    import re

    show = load_module("show_resume", ROOT / "benchmarks" / "labels" / "show_resume.py")
    return flat(re.sub(r"----- \S+ -----", " ", show.docx_text(path)))
