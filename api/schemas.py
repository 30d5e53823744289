"""Request bodies of the HTTP API, built from the domain values (responses are the domain values)."""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from matcher.domain import CandidateProfile, MatchOptions


class MatchRequest(MatchOptions):
    """JSON body of ``POST /v1/match``: exactly one of ``text``, ``json_resume`` or ``profile``, plus options."""

    model_config = ConfigDict(extra="forbid")

    text: str | None = Field(default=None, max_length=500_000, description="resume as plain text")
    json_resume: dict[str, Any] | None = Field(default=None, description="a JSON Resume (jsonresume.org) document")
    profile: CandidateProfile | None = Field(default=None, description="an explicit candidate profile")

    def options(self) -> MatchOptions:
        return MatchOptions(**self.model_dump(include=set(MatchOptions.model_fields)))


class ErrorBody(BaseModel):
    code: str
    message: str
    details: Any = None


class ErrorResponse(BaseModel):
    error: ErrorBody
