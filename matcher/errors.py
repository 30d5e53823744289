"""The project's own exceptions. Each message says what the user can do about it.

Every class has a stable ``code`` and an HTTP ``status_code`` (see :mod:`index.errors`, where the base class,
:func:`error_payload` and the index errors live; they are re-exported here). The API answers
``{"error": error_payload(e)}`` with ``e.status_code``; the CLI prints the message (or the payload with
``--json``); a batch record carries the payload. The README lists every code with its status.
"""
from __future__ import annotations

from index.errors import (  # noqa: F401 - re-exported: matcher.errors is where the project's errors are imported from
    INTERNAL,
    IndexCorrupt,
    IndexError_,
    IndexModelMismatch,
    IndexNotFound,
    IndexWriteFailed,
    JobmatchError,
    error_code,
    error_payload,
    error_status,
)


# ---- postings -------------------------------------------------------------
class PostingError(JobmatchError):
    """A JSON-LD record that cannot become a posting."""

    code = "posting_error"
    status_code = 422


class NotFound(JobmatchError):
    code = "not_found"
    status_code = 404


# ---- resumes / uploads ------------------------------------------------------
class ResumeError(JobmatchError):
    """Base for every resume-reading failure. ``reason`` is its label in the metric
    ``jobmatch_parse_failures_total{kind="resume",reason}`` (a short word; the error's code is ``code``)."""

    code = "resume_error"
    status_code = 422
    reason = "invalid"


class UnsupportedFileType(ResumeError):
    code = "unsupported_file_type"
    status_code = 415
    reason = "unsupported_type"


class FileTooLarge(ResumeError):
    code = "file_too_large"
    status_code = 413
    reason = "too_large"


class EmptyDocument(ResumeError):
    code = "empty_document"
    reason = "empty"


class CorruptDocument(ResumeError):
    code = "corrupt_document"
    reason = "corrupt"


class TooManyPages(ResumeError):
    code = "too_many_pages"
    status_code = 413
    reason = "too_many_pages"


class ParseTimeout(ResumeError):
    code = "parse_timeout"
    reason = "timeout"


class ParseMemoryExceeded(ResumeError):
    code = "parse_memory_exceeded"
    reason = "memory"


class UnreadableFile(ResumeError):
    """A resume file that could not be read from disk (batch inputs: missing, no permission)."""

    code = "unreadable_file"
    reason = "unreadable"


class UnsafeDocument(ResumeError):
    """A file built to attack the parser (zip bomb, XML entity expansion)."""

    code = "unsafe_document"
    reason = "unsafe"


class InvalidJsonResume(ResumeError):
    """A JSON Resume whose fields have the wrong types, or that is too large or too deep."""

    code = "invalid_json_resume"
    reason = "invalid_json_resume"


class ParseCancelled(ResumeError):
    """The request gave up (client gone, request time limit) while its file was queued or being read."""

    code = "parse_cancelled"
    reason = "cancelled"


class ParserBusy(ResumeError):
    """Too many files are queued for the parser: retry in a moment (503 with ``Retry-After``)."""

    code = "parser_busy"
    status_code = 503
    reason = "busy"


# ---- model ------------------------------------------------------------------
class ModelUnavailable(JobmatchError):
    code = "model_unavailable"
    status_code = 503


class ModelChecksumMismatch(ModelUnavailable):
    code = "model_checksum_mismatch"


# ---- requests -------------------------------------------------------------
class InvalidRequest(JobmatchError):
    code = "invalid_request"
    status_code = 422


class DuplicateId(InvalidRequest):
    """A batch input whose id an earlier input of the same run already used."""

    code = "duplicate_id"
