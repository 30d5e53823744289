"""Offline batch matching: many resumes -> one JSONL line of ranked, explained results per candidate.

The pipeline (:func:`run_batch`, engine ``local``)::

    inputs ──> parse (process pool of ``workers``, in-process readers, the parser's limits)
           ──> embed (length-sorted batches of query texts, same windows as the service's query path)
           ──> MatchService.match per candidate with its vector (filters, ranking, explanations)
           ──> write (one flushed JSONL line per candidate, as it goes)

Inputs (:func:`iter_inputs`): a directory of resume files (recursive, any supported type; the id is
the path relative to the directory), or a JSONL file of ``{"id", "text" | "path" | "json_resume", ...}``
where the other keys are the matching options of ``jobmatch match`` for that candidate (``degree``,
``months``, ``location`` / ``lat`` + ``lon`` state profile fields; ``top_k``, ``radius_km``, ``remote``,
``months_slack``, ``as_of``, ``strict``, ``filters`` change the options); a nested ``"options"`` object
is read the same way. Other keys (``category``, ...) are ignored and counted in the summary.

Output: one line per input, ``{id, source, profile, filters, results, error}``; ``results`` are the
:class:`~matcher.domain.Match` values that :meth:`MatchService.match` returns for the same resume and
options (same filters, same query vector, same ranking and explanation code). A candidate that fails
is written with ``error: {code, message}`` and the run goes on. ``OUT.summary.json`` (written atomically)
counts everything and times every stage.

Resuming: with ``resume=True`` the ids already in OUT are skipped; a torn last line (a killed run) is
cut off first. OUT is only ever appended to.

Clock: when no ``as_of`` is given, one clock is pinned at the start of the run for parsing and filtering,
so every candidate of a run is judged at the same instant (it is recorded in the summary).
"""
from __future__ import annotations

import json
import os
import signal
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from .domain import CandidateProfile, MatchOptions, MatchResponse
from .errors import InvalidRequest, JobmatchError, ResumeError
from .options import build_options
from .paging import match_page
from .settings import Settings

OPTION_KEYS = frozenset(MatchOptions.model_fields)
# windows per forward pass: on 2 CPU cores 4-8 windows of 256 word pieces are fastest (64 is 10-15% slower:
# the attention tensors leave the cache); measured 2026-11-27, 128 resumes, 1 and 2 torch threads
FORWARD_BATCH = 8
SOURCE_KEYS = ("text", "path", "json_resume")


# ---- inputs -------------------------------------------------------------------------------------
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
            yield _jsonl_input(raw, n, src)


def _jsonl_input(raw: bytes, n: int, src: Path) -> BatchInput:
    where = f"{src.name}:{n}"
    try:
        obj = json.loads(raw)
    except ValueError as e:
        return BatchInput(id=f"line-{n}", source=where, error=("invalid_input", f"line {n} is not JSON ({e})"))
    if not isinstance(obj, dict):
        return BatchInput(id=f"line-{n}", source=where, error=("invalid_input", f"line {n} is not a JSON object"))
    cid = obj.get("id")
    if cid is None or (isinstance(cid, str) and not cid.strip()):
        cid = f"line-{n}"
    item = BatchInput(id=str(cid), source=where)
    given = [k for k in SOURCE_KEYS if obj.get(k) is not None]
    if len(given) != 1:
        item.error = ("invalid_input", f"give exactly one of {', '.join(SOURCE_KEYS)} (found {len(given)})")
        return item
    kind = given[0]
    if kind == "path":
        p = Path(obj["path"])
        p = p if p.is_absolute() else (src.parent / p)
        item.path, item.source = str(p), str(p)
    elif kind == "text":
        if not isinstance(obj["text"], str):
            item.error = ("invalid_input", "`text` must be a string")
        item.text = obj["text"] if isinstance(obj["text"], str) else None
    else:
        if not isinstance(obj["json_resume"], dict):
            item.error = ("invalid_input", "`json_resume` must be a JSON Resume object")
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


# ---- records ------------------------------------------------------------------------------------
def error_of(exc: BaseException) -> dict[str, str]:
    """``{code, message}`` for a failed candidate: the resume error's reason, else the error's kind."""
    if isinstance(exc, ResumeError):
        return {"code": exc.reason, "message": str(exc)}
    if isinstance(exc, InvalidRequest):
        return {"code": "invalid_input", "message": str(exc)}
    if isinstance(exc, JobmatchError):
        name = type(exc).__name__.rstrip("_")
        return {"code": "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_"), "message": str(exc)}
    return {"code": "internal", "message": f"{type(exc).__name__}: {exc}"}


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


# ---- parsing (runs in worker processes, or Ray tasks) ----------------------------------------------
_PARSER = None


def _parse_timeout(signum, frame):  # noqa: ARG001
    from .errors import ParseTimeout

    raise ParseTimeout("Reading the file took longer than the parse time limit and was stopped. "
                       "Upload a simpler PDF or a .docx/text version.")


def init_parse_worker(settings: Settings, memory_cap: bool = True, owner: int | None = None) -> None:
    """Build this process's in-process parser once; cap its memory like the isolated parser does. Exits when
    ``owner`` (the batch process) is gone, even SIGKILLed, so no worker outlives its run."""
    global _PARSER
    from .resumes.safe import exit_with_owner

    exit_with_owner(owner)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    from .resumes import ResumeParser

    _PARSER = ResumeParser(settings, isolated=False)
    if memory_cap and settings.parse_memory_mb > 0:
        try:
            import resource

            with open("/proc/self/statm") as fh:
                vm = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
            limit = vm + settings.parse_memory_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        except (ImportError, OSError, ValueError):
            pass


def parse_one(item: BatchInput, as_of: datetime) -> dict[str, Any]:
    """``{id, source, options, profile (JSON) | error, seconds}``; never raises for a bad resume."""
    t0 = time.perf_counter()
    out: dict[str, Any] = {"id": item.id, "source": item.source, "options": item.options, "profile": None,
                           "error": None}
    if item.error:
        out["error"] = {"code": item.error[0], "message": item.error[1]}
        out["seconds"] = 0.0
        return out
    parser = _PARSER
    if parser is None:
        init_parse_worker(Settings(), memory_cap=False)
        parser = _PARSER
    timeout = float(parser.settings.parse_timeout_s)
    use_alarm = timeout > 0 and hasattr(signal, "setitimer") and _in_main_thread()
    try:
        if use_alarm:
            old = signal.signal(signal.SIGALRM, _parse_timeout)
            signal.setitimer(signal.ITIMER_REAL, timeout)
        try:
            out["profile"] = _profile_for(parser, item, as_of).model_dump(mode="json")
        finally:
            if use_alarm:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, old)
    except MemoryError:
        out["error"] = {"code": "memory", "message": f"Reading the file needed more than "
                        f"{parser.settings.parse_memory_mb} MB and was stopped."}
    except OSError as e:
        out["error"] = {"code": "unreadable", "message": f"could not read {item.source}: {e.strerror or e}"}
    except Exception as e:  # noqa: BLE001 - recorded for this candidate; the run goes on
        out["error"] = error_of(e)
    out["seconds"] = time.perf_counter() - t0
    return out


def _in_main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


def _profile_for(parser, item: BatchInput, as_of: datetime) -> CandidateProfile:
    """The same steps as :meth:`ResumeParser.parse` for files; texts and JSON Resumes skip the reader."""
    from .errors import EmptyDocument
    from .resumes import clean_text, profile_from_json_resume, profile_from_text
    from .resumes.jsonresume import json_resume_text
    from .resumes.profile import as_date

    s = parser.settings
    if item.path is not None:
        p = Path(item.path)
        if p.stat().st_size > s.max_upload_bytes:
            from .errors import FileTooLarge

            raise FileTooLarge(f"The file is {p.stat().st_size / 1048576:.1f} MB; the limit is "
                               f"{s.max_upload_bytes / 1048576:.1f} MB. Upload a smaller file.")
        return parser.parse(p.read_bytes(), filename=p.name, as_of=as_of).profile
    day = as_date(as_of)
    if item.json_resume is not None:
        return profile_from_json_resume(item.json_resume, day, clean_text(json_resume_text(item.json_resume)[: s.max_chars]))
    text = (item.text or "")[: s.max_chars]
    if not text.strip():
        raise EmptyDocument("The resume text is empty. Give the resume's text.")
    return profile_from_text(text, day, min_confidence=s.profile_min_confidence)


# ---- matching: batched query vectors, then MatchService.match per candidate ---------------------------
@dataclass
class StageTimes:
    parse: float = 0.0  # worker-seconds spent parsing (summed over workers)
    parse_wait: float = 0.0  # driver wall time spent waiting for parsed resumes
    embed: float = 0.0
    search: float = 0.0  # filters, search and explanations
    write: float = 0.0

    def add(self, other: dict[str, float]) -> None:
        for k, v in other.items():
            setattr(self, k, getattr(self, k) + v)

    def as_dict(self) -> dict[str, float]:
        return {k: round(v, 3) for k, v in self.__dict__.items()}


def match_parsed(svc, parsed: Sequence[dict[str, Any]], base: MatchOptions, *,
                 embed_batch_size: int = FORWARD_BATCH) -> tuple[list[dict[str, Any]], dict[str, float]]:
    """Records (one per parsed item, same order) and stage seconds ``{embed, search}``.

    Query vectors are computed for the whole batch at once (:func:`query_vectors`, equal to
    ``svc.embed_query``), then :meth:`MatchService.match` runs per candidate with its vector: the very
    code path of ``jobmatch match`` (filters, hybrid ranking, explanations), so results are identical.
    Search and explanation take about 1-2% of a run; a batched ``MatchService.match_many`` could go here.
    """
    records: list[dict[str, Any] | None] = [None] * len(parsed)
    todo: list[tuple[int, CandidateProfile, MatchOptions]] = []
    for i, p in enumerate(parsed):
        if p.get("error"):
            records[i] = error_record(p["id"], p["source"], p["error"])
            continue
        try:
            opts = candidate_options(base, p.get("options") or {})
            profile = CandidateProfile.model_validate(p["profile"])  # overrides are applied by match()
            if not profile.text.strip():
                raise InvalidRequest("the resume has no text to match on; send a resume with some text")
        except Exception as e:  # noqa: BLE001
            records[i] = error_record(p["id"], p["source"], error_of(e))
            continue
        todo.append((i, profile, opts))
    t0 = time.perf_counter()
    vecs = np.zeros((0, 0), np.float32)
    if todo:
        vecs = query_vectors(svc, [pr for _, pr, _ in todo], batch_size=embed_batch_size)
    t1 = time.perf_counter()
    resps: list[MatchResponse | BaseException] = []
    for (_, pr, o), v in zip(todo, vecs):
        try:
            resps.append(match_page(svc, pr, o, query_vec=v))  # top_k after offset, as on every surface
        except Exception as e:  # noqa: BLE001 - recorded for this candidate; the run goes on
            resps.append(e)
    for (i, _, _), r in zip(todo, resps):
        p = parsed[i]
        records[i] = error_record(p["id"], p["source"], error_of(r)) if isinstance(r, BaseException) \
            else ok_record(p["id"], p["source"], r)
    t2 = time.perf_counter()
    return records, {"embed": t1 - t0, "search": t2 - t1}  # type: ignore[return-value]


_CHECKED: dict[int, bool] = {}  # id(service) -> batched vectors verified equal to svc.embed_query


def query_vectors(svc, profiles: Sequence[CandidateProfile], *, batch_size: int = 64) -> np.ndarray:
    """``svc.embed_query(p)`` for every profile, computed in batches.

    Uses ``svc.embed_queries`` when the service offers it; else :func:`embed_queries` on the service's
    query text and windows, checked once per service against ``svc.embed_query`` (bit for bit): if the
    service's query path ever changes, the batch falls back to it, one candidate at a time, rather than
    give different answers.
    """
    from .service import query_text

    if hasattr(svc, "embed_queries"):
        return np.asarray(svc.embed_queries(list(profiles)), np.float32)
    ok = _CHECKED.get(id(svc))
    if ok is False:
        return np.stack([svc.embed_query(p) for p in profiles])
    vecs = embed_queries(svc.embedder, [query_text(p.text) for p in profiles],
                         max_windows=svc.settings.query_windows, batch_size=batch_size)
    if ok is None:
        _CHECKED[id(svc)] = ok = bool(np.array_equal(vecs[0], svc.embed_query(profiles[0])))
        if not ok:
            return np.stack([svc.embed_query(p) for p in profiles])
    return vecs


def embed_queries(embedder, texts: Sequence[str], *, max_windows: int | None, batch_size: int = 64) -> np.ndarray:
    """``embedder.embed_query`` of every text, bit for bit, in batches (:meth:`Embedder.embed_queries`)."""
    if not hasattr(embedder, "embed_queries"):
        return embedder.embed_documents(list(texts), max_windows=max_windows, batch_size=batch_size)
    return embedder.embed_queries(list(texts), max_windows=max_windows, batch_size=batch_size)


# ---- output ---------------------------------------------------------------------------------------
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


def write_json_atomic(path: Path, obj: Any) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(obj, fh, indent=2, ensure_ascii=False, default=str)
        fh.write("\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    try:
        fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        pass


class Writer:
    """Appends records to OUT, flushing every line; counts what it wrote."""

    def __init__(self, out: Path):
        out.parent.mkdir(parents=True, exist_ok=True)
        self.fh = open(out, "a", encoding="utf-8")
        self.ok = 0
        self.failed: list[dict[str, str]] = []
        self.codes: Counter[str] = Counter()

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


# ---- the run --------------------------------------------------------------------------------------
@dataclass
class BatchConfig:
    input: Path
    out: Path
    options: MatchOptions
    settings: Settings
    workers: int = 1
    engine: str = "local"
    ray_address: str | None = None
    match_actors: int = 1  # ray: actors holding the model and the index
    parse_cpus: float = 0.5  # ray: CPUs reserved per parse task
    resume: bool = False
    embed_batch: int = 64
    progress: bool | None = None
    stop_after: int | None = None  # test hook: stop (as if killed) after writing this many lines


def plan_inputs(cfg: BatchConfig) -> tuple[list[BatchInput], int, int, Counter]:
    """(inputs to do, inputs in total, already done, ignored keys) after reading OUT when resuming."""
    done = read_done(cfg.out) if cfg.resume else set()
    if not cfg.resume and cfg.out.exists() and cfg.out.stat().st_size:
        raise InvalidRequest(f"{cfg.out} already exists; pass --resume to continue it, or choose another --out")
    items = list(iter_inputs(cfg.input))
    ignored: Counter[str] = Counter(k for it in items for k in it.ignored)
    seen: set[str] = set()
    todo = []
    for it in items:
        if it.id in seen and not it.error:
            it.error = ("duplicate_id", f"the id {it.id!r} was already used by an earlier input; ids must be unique")
        seen.add(it.id)
        if it.id not in done:
            todo.append(it)
    return todo, len(items), len(items) - len(todo), ignored


def run_batch(cfg: BatchConfig) -> dict[str, Any]:
    """Run the whole batch; return (and write to ``OUT.summary.json``) the summary."""
    from .service import as_utc

    t_start = time.perf_counter()
    cfg.options = cfg.options.model_copy(update={"as_of": as_utc(cfg.options.as_of)})  # one clock for the run
    todo, total, skipped, ignored = plan_inputs(cfg)
    writer = Writer(cfg.out)
    times = StageTimes()
    extra: dict[str, Any] = {}
    interrupted = False
    try:
        if cfg.engine == "ray":
            from .batch_ray import run_ray

            extra = run_ray(cfg, todo, writer, times)
        elif cfg.engine == "local":
            extra = _run_local(cfg, todo, writer, times)
        else:
            raise InvalidRequest(f"unknown engine {cfg.engine!r}; use local or ray")
    except _Stop:
        interrupted = True
    except KeyboardInterrupt:
        interrupted = True
        raise
    finally:
        writer.close()
        elapsed = time.perf_counter() - t_start
        written = writer.ok + len(writer.failed)
        summary = {
            "input": str(cfg.input), "out": str(cfg.out), "engine": cfg.engine, "workers": cfg.workers,
            "as_of": cfg.options.as_of.isoformat() if cfg.options.as_of else None,
            "inputs": total, "already_done": skipped, "processed": written, "ok": writer.ok,
            "failed": len(writer.failed), "complete": (not interrupted) and written == len(todo),
            "failures_by_code": dict(writer.codes), "failures": writer.failed[:1000],
            "ignored_keys": dict(ignored), "elapsed_s": round(elapsed, 3),
            "candidates_per_s": round(written / elapsed, 3) if elapsed > 0 else None,
            "stages_s": times.as_dict(), **extra,
        }
        write_json_atomic(summary_path(cfg.out), summary)
    return summary


class _Stop(Exception):
    """Raised by the ``stop_after`` test hook."""


def _check_stop(cfg: BatchConfig, writer: Writer) -> None:
    if cfg.stop_after is not None and writer.ok + len(writer.failed) >= cfg.stop_after:
        raise _Stop()


def _progress(cfg: BatchConfig, total: int):
    from tqdm import tqdm

    return tqdm(total=total, unit="cand", desc="matching", smoothing=0.1, dynamic_ncols=True,
                disable=(None if cfg.progress is None else not cfg.progress))


def choose_threads(workers: int, settings: Settings) -> int:
    """Torch threads while parse workers are busy: the cores they leave, at least 1."""
    from .embed import usable_cores

    if settings.torch_threads:
        return settings.torch_threads
    return max(1, min(2, usable_cores() - workers))


def _run_local(cfg: BatchConfig, todo: list[BatchInput], writer: Writer, times: StageTimes) -> dict[str, Any]:
    import multiprocessing as mp
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    from .embed import resolve_threads
    from .service import MatchService

    as_of = cfg.options.as_of
    workers = max(1, cfg.workers)
    method = "forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn"
    ctx = mp.get_context(method)
    if method == "forkserver":
        ctx.set_forkserver_preload(["matcher.resumes", "matcher.batch"])

    def new_pool() -> ProcessPoolExecutor:
        return ProcessPoolExecutor(workers, mp_context=ctx, initializer=init_parse_worker,
                                   initargs=(cfg.settings, True, os.getpid()))

    t_start = time.perf_counter()
    startup = 0.0
    pool = new_pool()  # started before the model is loaded
    threads = choose_threads(workers, cfg.settings)
    settings = cfg.settings.model_copy(update={"torch_threads": threads})
    bar = _progress(cfg, len(todo))
    queue = list(reversed(todo))
    attempts: Counter[str] = Counter()
    pending: dict[Any, BatchInput] = {}
    ready: list[dict[str, Any]] = []
    max_pending = max(4 * cfg.embed_batch, 32 * workers)
    started = False
    try:
        with MatchService(settings, create_index=False) as svc:
            import torch

            startup = time.perf_counter() - t_start

            while queue or pending or ready:
                while queue and len(pending) < max_pending:
                    it = queue.pop()
                    pending[pool.submit(parse_one, it, as_of)] = it
                want = cfg.embed_batch if started else min(cfg.embed_batch, 8)  # start embedding early
                if pending and len(ready) < want:
                    t0 = time.perf_counter()
                    done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
                    times.parse_wait += time.perf_counter() - t0
                    broken = False
                    for f in done:
                        it = pending.pop(f)
                        try:
                            r = f.result()
                        except BrokenProcessPool:
                            broken = True
                            attempts[it.id] += 1
                            if attempts[it.id] >= 2:
                                r = {"id": it.id, "source": it.source, "options": it.options, "profile": None,
                                     "seconds": 0.0, "error": {"code": "corrupt", "message":
                                     "The parser crashed on this file. Re-save it as PDF or .docx and try again."}}
                            else:
                                queue.append(it)
                                continue
                        times.parse += r.pop("seconds", 0.0)
                        ready.append(r)
                    if broken:
                        for f, it in list(pending.items()):
                            queue.append(it)
                        pending.clear()
                        pool.shutdown(wait=False, cancel_futures=True)
                        pool = new_pool()
                    if (queue or pending) and len(ready) < want:
                        continue
                if not queue and not pending and torch.get_num_threads() != resolve_threads(cfg.settings.torch_threads):
                    torch.set_num_threads(resolve_threads(cfg.settings.torch_threads))  # parsing over: all cores
                batch, ready = ready[:cfg.embed_batch], ready[cfg.embed_batch:]
                started = True
                records, t = match_parsed(svc, batch, cfg.options, embed_batch_size=FORWARD_BATCH)
                times.add(t)
                t0 = time.perf_counter()
                for rec in records:
                    writer.write([rec])
                    bar.update(1)
                    _check_stop(cfg, writer)
                times.write += time.perf_counter() - t0
    finally:
        bar.close()
        pool.shutdown(wait=True, cancel_futures=True)
    return {"torch_threads": threads, "parse_start_method": method, "startup_s": round(startup, 3)}
