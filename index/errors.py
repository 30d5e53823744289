"""The project's error vocabulary, at its lowest layer (``index`` imports nothing above it).

Every error class has a stable ``code`` (snake case: the API's ``error.code``, the CLI's ``--json`` errors and
the ``error.code`` of batch records) and an HTTP ``status_code``, both class attributes, defined once, on the
class. Every class writes its ``code`` out (a class without one is refused at import): a code is an API contract
and must not change when a class is renamed.
:func:`error_payload` is the one ``{code, message}`` every surface shows. The codes and statuses are listed
in the README ("Error codes"); ``tests/test_errors.py`` checks that every class is there.

:mod:`matcher.errors` re-exports everything here and adds the matcher's own errors.
"""
from __future__ import annotations

from typing import ClassVar


class JobmatchError(Exception):
    """Base class of every error this project raises on purpose."""

    code: ClassVar[str] = "jobmatch_error"
    status_code: ClassVar[int] = 400  # the HTTP status the API answers with

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if "code" not in cls.__dict__:
            raise TypeError(f"{cls.__qualname__} must set its own `code` (the stable snake-case name clients switch "
                            "on; add a row to the README's 'Error codes' table too)")


INTERNAL = "internal"  # the code of an exception that is not a JobmatchError (a bug): HTTP 500


def error_code(e: BaseException) -> str:
    """The stable code of an error, the same over HTTP, in ``--json`` CLI errors and in batch records."""
    return e.code if isinstance(e, JobmatchError) else INTERNAL


def error_status(e: BaseException) -> int:
    """The HTTP status of an error (500 for an exception that is not a :class:`JobmatchError`)."""
    return e.status_code if isinstance(e, JobmatchError) else 500


def error_payload(e: BaseException) -> dict[str, str]:
    """``{code, message}``: what the API, the CLI's ``--json`` and batch records show for an error."""
    if isinstance(e, JobmatchError):
        return {"code": e.code, "message": str(e)}
    return {"code": INTERNAL, "message": f"{type(e).__name__}: {e}"}


# ---- index ------------------------------------------------------------------
class IndexError_(JobmatchError):
    """Base for index problems (named with a trailing underscore to not shadow the builtin)."""

    code = "index_error"
    status_code = 503


class IndexNotFound(IndexError_):
    code = "index_not_found"


class IndexCorrupt(IndexError_):
    code = "index_corrupt"


class IndexModelMismatch(IndexError_):
    code = "index_model_mismatch"


class IndexWriteFailed(IndexError_):
    """A new index generation could not be written (disk full, read-only, ...); the previous one is served."""

    code = "index_write_failed"
