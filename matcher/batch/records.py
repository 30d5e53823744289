"""Batch output: one JSONL record per candidate, the appending :class:`Writer`, and resuming a run.

A record is ``{id, source, profile, filters, results, error}``; ``results`` are the
:class:`~matcher.domain.Match` values of :meth:`MatchService.match` for the same resume and options. A
candidate that fails is written with ``error``: the :func:`~matcher.errors.error_payload` ``{code, message}`` of
its error (the codes of the HTTP API) and the run goes on. OUT is only ever
appended to (every line flushed); ``OUT.summary.json`` is written atomically at the end.
"""
from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..domain import MatchResponse
from ..errors import InvalidRequest


def ok_record(cid: str, source: str, resp: MatchResponse) -> dict[str, Any]:
    c = resp.candidate
    return {
        "id": cid,
        "source": source,
        "profile": {"degree": c.degree, "months": c.months, "location": c.location.text() if c.location else None,
                    "skills": len(c.skills), "overridden": list(c.overridden)},
        "filters": resp.filters.model_dump(mode="json"),
        "results": [m.model_dump(mode="json") for m in resp.results],
        "error": None,
    }


def error_record(cid: str, source: str, err: dict[str, str]) -> dict[str, Any]:
    return {"id": cid, "source": source, "profile": None, "filters": None, "results": [], "error": err}


def dumps(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"


def summary_path(out: Path) -> Path:
    return out.with_name(out.name + ".summary.json") if out.suffix != ".jsonl" else out.with_suffix(".summary.json")


def read_done(out: Path, *, repair: bool = True) -> set[str]:
    """Ids already written to ``out``; a torn or unreadable last line is cut off (``repair``)."""
    done: set[str] = set()
    if not out.exists():
        return done
    good = 0
    with open(out, "rb") as fh:
        pos = 0
        for raw in fh:
            end = pos + len(raw)
            if not raw.endswith(b"\n"):
                break
            try:
                done.add(str(json.loads(raw)["id"]))
            except (ValueError, KeyError, TypeError):
                break
            good = pos = end
    size = out.stat().st_size
    if good < size:
        if not repair:
            raise InvalidRequest(f"{out} has a damaged line at byte {good}")
        with open(out, "r+b") as fh:
            fh.truncate(good)
            fh.flush()
            os.fsync(fh.fileno())
    return done


class Writer:
    """Appends records to OUT, flushing every line; counts what it wrote."""

    def __init__(self, out: Path):
        out.parent.mkdir(parents=True, exist_ok=True)
        self.fh = open(out, "a", encoding="utf-8")
        self.ok = 0
        self.failed: list[dict[str, str]] = []
        self.codes: Counter[str] = Counter()

    @property
    def written(self) -> int:
        return self.ok + len(self.failed)

    def write(self, records: Iterable[dict[str, Any]]) -> int:
        n = 0
        for r in records:
            self.fh.write(dumps(r))
            self.fh.flush()
            n += 1
            if r["error"]:
                self.codes[r["error"]["code"]] += 1
                self.failed.append({"id": r["id"], "source": r["source"], **r["error"]})
            else:
                self.ok += 1
        return n

    def close(self) -> None:
        self.fh.flush()
        os.fsync(self.fh.fileno())
        self.fh.close()
