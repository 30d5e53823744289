"""Building :class:`~matcher.domain.MatchOptions` from raw values (CLI flags, form fields, JSON lines), the one
place where option defaults, dates and validation errors are turned into the project's own errors."""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from .domain import MatchOptions
from .errors import InvalidRequest
from .settings import Settings


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(dt: datetime | None) -> datetime:
    """``dt`` as an aware UTC datetime (a naive one is taken as UTC); now when None."""
    if dt is None:
        return utcnow()
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)

def parse_when(text: str) -> datetime:
    """An ISO 8601 date or date-time; a naive value is taken as UTC."""
    from dateutil import parser as dparser

    try:
        dt = dparser.isoparse(text.strip())
    except (ValueError, OverflowError, AttributeError):
        raise InvalidRequest(f"could not read the date {text!r}; use ISO 8601 like 2021-08-01") from None
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt


def build_options(values: dict[str, Any], settings: Settings | None = None, *,
                  name: Callable[[str], str] = str) -> MatchOptions:
    """MatchOptions from ``values`` (None entries ignored). With ``settings``, its defaults fill ``top_k`` and
    ``radius_km`` and ``max_top_k`` is enforced. ``name`` renders an option's name in error messages
    (``--top-k`` on the command line, ``top_k`` in the API)."""
    vals = {k: v for k, v in values.items() if v is not None}
    if settings is not None:
        vals.setdefault("top_k", settings.default_top_k)
        vals.setdefault("radius_km", settings.default_radius_km)
    if isinstance(vals.get("as_of"), str):
        vals["as_of"] = parse_when(vals["as_of"])
    elif isinstance(vals.get("as_of"), datetime) and vals["as_of"].tzinfo is None:  # a form or JSON date: UTC
        vals["as_of"] = vals["as_of"].replace(tzinfo=UTC)
    et = vals.get("employment_types")
    if isinstance(et, str):  # "FULL_TIME,PART_TIME" from a flag or a form field
        et = [et]
    if isinstance(et, list | tuple):  # repeated form fields, each possibly "A,B"
        parts = [re.sub(r"[\s-]+", "_", p.strip()).upper() if isinstance(p, str) else p
                 for x in et for p in (re.split(r"[,\s]+", x) if isinstance(x, str) else [x]) if p != ""]
        if parts:
            vals["employment_types"] = parts
        else:
            del vals["employment_types"]
    if isinstance(vals.get("salary_currency"), str):
        vals["salary_currency"] = vals["salary_currency"].strip().upper()
    try:
        opts = MatchOptions(**vals)
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "options"
        raise InvalidRequest(f"{name(where)}: {first.get('msg')}") from None
    if opts.min_salary is not None and not opts.salary_currency:
        raise InvalidRequest(f"{name('min_salary')} needs {name('salary_currency')} (ISO 4217, e.g. USD): salaries "
                             "are compared in the posting's own currency")
    if settings is not None and opts.top_k > settings.max_top_k:
        raise InvalidRequest(f"{name('top_k')} is {opts.top_k}; the most returned is {settings.max_top_k}")
    return opts
