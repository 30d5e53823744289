"""``ResumeParser``: bytes -> :class:`ParsedResume` (kind, text, pages, profile, notes).

PDF and DOCX are read in an isolated worker pool (:mod:`matcher.resumes.safe`) by default; text and
JSON Resume are read in-process. Build one parser, reuse it, ``close()`` it (or use ``with``).
"""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from datetime import date, datetime

from matcher.domain import CandidateProfile
from matcher.errors import FileTooLarge
from matcher.resumes.jsonresume import profile_from_json_resume
from matcher.resumes.profile import as_date, clean_text, profile_from_text
from matcher.resumes.readers import ISOLATED_KINDS, Extracted, decode_text, detect_kind, reader_for
from matcher.settings import Settings


@dataclass
class ParsedResume:
    kind: str
    text: str
    pages: int
    profile: CandidateProfile
    notes: list[str] = field(default_factory=list)


class ResumeParser:
    """Reads uploaded resumes safely. ``isolated=False`` parses PDF/DOCX in-process (trusted batch use only)."""

    def __init__(self, settings: Settings | None = None, *, isolated: bool = True, workers: int | None = None,
                 warm: bool = True) -> None:
        """``warm=False`` starts the isolated workers only when a PDF or DOCX first needs one (a one-shot
        command reading a text file then pays nothing for them)."""
        self.settings = settings or Settings()
        self.isolated = isolated
        self._workers = workers
        self._pool = None
        self._pool_lock = threading.Lock()
        if isolated and warm:
            self._start_pool()

    def _start_pool(self):  # type: ignore[no-untyped-def]
        with self._pool_lock:
            if self._pool is None:
                from matcher.resumes.safe import WorkerPool

                s = self.settings  # workers: None = settings.parse_workers (0 = cores, at least 2)
                self._pool = WorkerPool(s.parse_workers if self._workers is None else self._workers,
                                        burst=s.parse_burst_workers, max_waiting=s.parse_queue,
                                        timeout_s=s.parse_timeout_s, memory_mb=s.parse_memory_mb)
            return self._pool

    def extract(self, data: bytes, *, cancel=None, profile: tuple[str, float, int] | None = None) -> tuple[str, Extracted]:
        """(kind, text read). ``profile`` (as_of ISO date, min_confidence, max_chars): an isolated worker also reads
        the profile from the text (:meth:`matcher.resumes.safe.WorkerPool.run`)."""
        s = self.settings
        if len(data) > s.max_upload_bytes:
            raise FileTooLarge(f"The file is {len(data) / 1048576:.1f} MB; the limit is "
                               f"{s.max_upload_bytes / 1048576:.1f} MB. Upload a smaller file.")
        kind = detect_kind(data)
        if kind in ISOLATED_KINDS and self.isolated:
            return kind, (self._pool or self._start_pool()).run(kind, data, s.max_pages, timeout_s=s.parse_timeout_s,
                                                                cancel=cancel, profile=profile)
        return kind, reader_for(kind)(data, s.max_pages)

    def parse(self, data: bytes, *, filename: str | None = None,
              as_of: date | datetime | str | None = None, cancel=None,
              min_confidence: float | None = None) -> ParsedResume:
        """``filename`` is only used in notes; the type is decided from the content. ``cancel`` (a
        ``threading.Event``) set by the caller stops an isolated parse and kills its worker.
        ``min_confidence`` (default: the setting) is the confidence below which an extracted field is
        reported unknown."""
        from matcher.errors import EmptyDocument

        day = as_date(as_of)
        t = self.settings.profile_min_confidence if min_confidence is None else min_confidence
        # PDF / DOCX: the isolated worker runs the rules too (the same function on the same text), off this process
        kind, ext = self.extract(data, cancel=cancel, profile=(day.isoformat(), t, self.settings.max_chars))
        notes: list[str] = []
        text = ext.text
        if len(text) > self.settings.max_chars:
            notes.append(f"text truncated at {self.settings.max_chars} characters (of {len(text)})")
            text = text[: self.settings.max_chars]
        if kind == "json":
            obj = json.loads(decode_text(data))
            profile = profile_from_json_resume(obj, day, clean_text(text))
        else:
            if not text.strip():
                raise EmptyDocument("No text could be read from the file (is it a scanned image?). "
                                    "Upload a PDF with selectable text, a .docx or a text file.")
            if ext.profile_json is not None:
                profile = CandidateProfile.model_validate_json(ext.profile_json)
            else:
                profile = profile_from_text(text, day, min_confidence=t)
        if filename and kind not in (filename.rsplit(".", 1)[-1].lower(), "text"):
            notes.append(f"{filename!r} was read as {kind} (decided from its content)")
        return ParsedResume(kind=kind, text=profile.text, pages=ext.pages, profile=profile, notes=notes)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None

    def __enter__(self) -> ResumeParser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
