"""The project's own exceptions. Each message says what the user can do about it.

The API maps these to status codes (see ``api/errors.py``); the CLI prints the message.
"""
from __future__ import annotations


class JobmatchError(Exception):
    """Base class of every error this project raises on purpose."""

    status_code = 400  # used by the API layer only


def error_code(e: BaseException) -> str:
    """The stable code of an error, the same over HTTP, in ``--json`` CLI errors and in batch records:
    the class name in snake case (``FileTooLarge`` -> ``file_too_large``)."""
    import re

    return re.sub(r"(?<!^)(?=[A-Z])", "_", type(e).__name__).lower().strip("_")


# ---- postings -------------------------------------------------------------
class PostingError(JobmatchError):
    """A JSON-LD record that cannot become a posting."""

    status_code = 422


class NotFound(JobmatchError):
    status_code = 404


# ---- resumes / uploads ------------------------------------------------------
class ResumeError(JobmatchError):
    """Base for every resume-reading failure."""

    status_code = 422
    reason = "invalid"


class UnsupportedFileType(ResumeError):
    status_code = 415
    reason = "unsupported_type"


class FileTooLarge(ResumeError):
    status_code = 413
    reason = "too_large"


class EmptyDocument(ResumeError):
    reason = "empty"


class CorruptDocument(ResumeError):
    reason = "corrupt"


class TooManyPages(ResumeError):
    status_code = 413
    reason = "too_many_pages"


class ParseTimeout(ResumeError):
    reason = "timeout"


class ParseMemoryExceeded(ResumeError):
    reason = "memory"


class UnsafeDocument(ResumeError):
    """A file built to attack the parser (zip bomb, XML entity expansion)."""

    reason = "unsafe"

class InvalidJsonResume(ResumeError):
    """A JSON Resume whose fields have the wrong types, or that is too large or too deep."""

    reason = "invalid_json_resume"


class ParseCancelled(ResumeError):
    """The request gave up (client gone, request time limit) while its file was queued or being read."""

    reason = "cancelled"


class ParserBusy(ResumeError):
    """Too many files are queued for the parser: retry in a moment (503 with ``Retry-After``)."""

    status_code = 503
    reason = "busy"


# ---- index ------------------------------------------------------------------
class IndexError_(JobmatchError):
    """Base for index problems (named with a trailing underscore to not shadow the builtin)."""

    status_code = 503


class IndexNotFound(IndexError_):
    pass


class IndexCorrupt(IndexError_):
    pass


class IndexModelMismatch(IndexError_):
    pass


class IndexWriteFailed(IndexError_):
    """A new index generation could not be written (disk full, read-only, ...); the previous one is served."""


# ---- model ------------------------------------------------------------------
class ModelUnavailable(JobmatchError):
    status_code = 503


class ModelChecksumMismatch(ModelUnavailable):
    pass


# ---- requests -------------------------------------------------------------
class InvalidRequest(JobmatchError):
    status_code = 422

