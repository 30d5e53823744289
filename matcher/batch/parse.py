"""The parse worker: reads one candidate's resume into a profile, in a worker process (or a Ray task).

Each worker process builds one in-process :class:`~matcher.resumes.ResumeParser` (:func:`init_parse_worker`)
and caps its own memory like the isolated parser does; :func:`parse_one` never raises for a bad resume, it
returns the error as ``{code, message}``. The time limit is a ``SIGALRM`` in the worker's main thread.
"""
from __future__ import annotations

import os
import signal
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from ..domain import CandidateProfile
from ..errors import EmptyDocument, FileTooLarge, ParseMemoryExceeded, ParseTimeout, UnreadableFile, error_payload
from ..settings import Settings
from .inputs import BatchInput

_PARSER = None  # this process's ResumeParser, built by init_parse_worker


def _on_alarm(signum, frame):  # noqa: ARG001
    raise ParseTimeout("Reading the file took longer than the parse time limit and was stopped. "
                       "Upload a simpler PDF or a .docx/text version.")


def init_parse_worker(settings: Settings, memory_cap: bool = True, owner: int | None = None) -> None:
    """Build this process's in-process parser once; cap its memory like the isolated parser does. Exits when
    ``owner`` (the batch process) is gone, even SIGKILLed, so no worker outlives its run."""
    global _PARSER
    from ..resumes.safe import exit_with_owner

    exit_with_owner(owner)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    from ..resumes import ResumeParser

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


def ensure_parse_worker(settings: Settings, memory_cap: bool = True) -> None:
    """:func:`init_parse_worker` unless this process has its parser already."""
    if _PARSER is None:
        init_parse_worker(settings, memory_cap=memory_cap)


def parse_one(item: BatchInput, as_of: datetime) -> dict[str, Any]:
    """``{id, source, options, profile (JSON) | error, seconds}``; never raises for a bad resume."""
    t0 = time.perf_counter()
    out: dict[str, Any] = {"id": item.id, "source": item.source, "options": item.options, "profile": None,
                           "error": None}
    if item.error:
        out["error"] = {"code": item.error[0], "message": item.error[1]}
        out["seconds"] = 0.0
        return out
    ensure_parse_worker(Settings(), memory_cap=False)
    parser = _PARSER
    timeout = float(parser.settings.parse_timeout_s)
    use_alarm = timeout > 0 and hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    try:
        if use_alarm:
            old = signal.signal(signal.SIGALRM, _on_alarm)
            signal.setitimer(signal.ITIMER_REAL, timeout)
        try:
            out["profile"] = _profile_for(parser, item, as_of).model_dump(mode="json")
        finally:
            if use_alarm:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, old)
    except MemoryError:
        out["error"] = error_payload(ParseMemoryExceeded(
            f"Reading the file needed more than {parser.settings.parse_memory_mb} MB and was stopped."))
    except OSError as e:
        out["error"] = error_payload(UnreadableFile(f"could not read {item.source}: {e.strerror or e}"))
    except Exception as e:  # noqa: BLE001 - recorded for this candidate; the run goes on
        out["error"] = error_payload(e)
    out["seconds"] = time.perf_counter() - t0
    return out


def _profile_for(parser, item: BatchInput, as_of: datetime) -> CandidateProfile:
    """The same steps as :meth:`ResumeParser.parse` for files; texts and JSON Resumes skip the reader."""
    from ..resumes import clean_text, profile_from_json_resume, profile_from_text
    from ..resumes.jsonresume import json_resume_text
    from ..resumes.profile import as_date

    s = parser.settings
    if item.path is not None:
        p = Path(item.path)
        if p.stat().st_size > s.max_upload_bytes:
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
