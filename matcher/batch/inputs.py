"""Batch inputs: a directory of resume files or a JSONL file of candidates, in a stable order.

A directory is read recursively (hidden files skipped); a candidate's id is its path relative to the
directory. A JSONL line is ``{"id", "text" | "path" | "json_resume", ...}`` where the other keys are the
matching options of ``jobmatch match`` for that candidate (``degree``, ``months``, ``location`` /
``lat`` + ``lon`` state profile fields; ``top_k``, ``radius_km``, ``remote``, ``months_slack``,
``as_of``, ``strict``, ``filters`` change the options); a nested ``"options"`` object is read the
same way. Other keys (``category``, ...) are ignored and counted in the summary.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..domain import MatchOptions
from ..errors import InvalidRequest
from ..options import build_options

OPTION_KEYS = frozenset(MatchOptions.model_fields)
SOURCE_KEYS = ("text", "path", "json_resume")


@dataclass
class BatchInput:
    """One candidate to match. Exactly one of ``path`` / ``text`` / ``json_resume`` is set, unless ``error``."""

    id: str
    source: str
    path: str | None = None
    text: str | None = None
    json_resume: dict | None = None
    options: dict[str, Any] = field(default_factory=dict)
    error: tuple[str, str] | None = None  # (code, message) found while reading the input itself
    ignored: tuple[str, ...] = ()


def iter_inputs(src: Path | str) -> Iterator[BatchInput]:
    """Candidates from a directory (recursive, sorted) or a JSONL file, in a stable order."""
    src = Path(src)
    if src.is_dir():
        for p in sorted(q for q in src.rglob("*") if q.is_file()):
            rel = p.relative_to(src).as_posix()
            if any(part.startswith(".") for part in Path(rel).parts):
                continue
            yield BatchInput(id=rel, source=str(p), path=str(p))
        return
    if not src.is_file():
        raise InvalidRequest(f"no such file or directory: {src}; give a directory of resumes or a JSONL file")
    with open(src, "rb") as fh:
        for n, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            yield jsonl_input(raw, n, src)


def jsonl_input(raw: bytes, n: int, src: Path) -> BatchInput:
    """The candidate on line ``n`` of the JSONL file ``src`` (an input with ``error`` set if it is malformed)."""
    where = f"{src.name}:{n}"
    try:
        obj = json.loads(raw)
    except ValueError as e:
        return BatchInput(id=f"line-{n}", source=where, error=(InvalidRequest.code, f"line {n} is not JSON ({e})"))
    if not isinstance(obj, dict):
        return BatchInput(id=f"line-{n}", source=where, error=(InvalidRequest.code, f"line {n} is not a JSON object"))
    cid = obj.get("id")
    if cid is None or (isinstance(cid, str) and not cid.strip()):
        cid = f"line-{n}"
    item = BatchInput(id=str(cid), source=where)
    given = [k for k in SOURCE_KEYS if obj.get(k) is not None]
    if len(given) != 1:
        item.error = (InvalidRequest.code, f"give exactly one of {', '.join(SOURCE_KEYS)} (found {len(given)})")
        return item
    kind = given[0]
    if kind == "path":
        p = Path(obj["path"])
        p = p if p.is_absolute() else (src.parent / p)
        item.path, item.source = str(p), str(p)
    elif kind == "text":
        if not isinstance(obj["text"], str):
            item.error = (InvalidRequest.code, "`text` must be a string")
        item.text = obj["text"] if isinstance(obj["text"], str) else None
    else:
        if not isinstance(obj["json_resume"], dict):
            item.error = (InvalidRequest.code, "`json_resume` must be a JSON Resume object")
        item.json_resume = obj["json_resume"] if isinstance(obj["json_resume"], dict) else None
    opts = dict(obj.get("options") or {}) if isinstance(obj.get("options"), dict) else {}
    opts.update({k: v for k, v in obj.items() if k in OPTION_KEYS})
    item.options = opts
    item.ignored = tuple(sorted(k for k in obj if k not in OPTION_KEYS and k not in SOURCE_KEYS
                                and k not in ("id", "options")))
    return item


def candidate_options(base: MatchOptions, over: dict[str, Any]) -> MatchOptions:
    """The run's options with one candidate's overrides (a stated place replaces the run's place)."""
    if not over:
        return base
    vals = base.model_dump()
    if "location" in over:
        vals["lat"] = vals["lon"] = None
    if "lat" in over or "lon" in over:
        vals["location"] = None
    vals.update(over)
    return build_options(vals, name=lambda k: f"option {k}")
