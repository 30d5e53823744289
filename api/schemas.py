"""Request bodies of the HTTP API, built from the domain values (responses are the domain values).

Every field is bounded: strings by length, lists by items, numbers by range, and ``json_resume`` by the
JSON Resume checks (types of every schema field, values, depth and characters: :mod:`matcher.resumes.jsonresume`).
"""
from __future__ import annotations

import types
import typing
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, WithJsonSchema, create_model

from matcher.domain import EMPLOYMENT_TYPES, CandidateProfile, DegreeName, MatchOptions, Place

Short = Annotated[str, StringConstraints(max_length=200)]
Line = Annotated[str, StringConstraints(max_length=2_000)]


class PlaceIn(BaseModel):
    """A place given by the client: coordinates range-checked, names bounded."""

    model_config = ConfigDict(extra="forbid")

    city: Short | None = None
    region: Short | None = None
    country: Short | None = None
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)


class ProfileIn(BaseModel):
    """An explicit candidate profile (``POST /v1/match`` ``profile``): the fields of
    :class:`~matcher.domain.CandidateProfile`, each bounded."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(default="", max_length=500_000)
    degree: DegreeName | None = None
    months: int | None = Field(default=None, ge=0, le=1200, description="months of experience (0-1200)")
    location: PlaceIn | None = None
    skills: list[Short] = Field(default_factory=list, max_length=500)
    evidence: dict[Short, Annotated[list[Line], Field(max_length=100)]] = Field(default_factory=dict, max_length=20)
    overridden: list[Short] = Field(default_factory=list, max_length=20)

    def domain(self) -> CandidateProfile:
        data = self.model_dump()
        loc = data.pop("location")
        return CandidateProfile(**data, location=Place(**loc) if loc else None)


def _json_resume(value: dict[str, Any]) -> dict[str, Any]:
    from matcher.resumes.jsonresume import normalise_json_resume

    normalise_json_resume(value)  # raises InvalidJsonResume (422 in the error shape) naming the bad field
    return value


class MatchRequest(MatchOptions):
    """JSON body of ``POST /v1/match``: exactly one of ``text``, ``json_resume`` or ``profile``, plus options."""

    model_config = ConfigDict(extra="forbid")

    location: str | None = Field(default=None, max_length=300)
    text: str | None = Field(default=None, max_length=500_000, description="resume as plain text")
    json_resume: Annotated[dict[str, Any], AfterValidator(_json_resume)] | None = Field(
        default=None, description="a JSON Resume (jsonresume.org) document; every schema field type-checked")
    profile: ProfileIn | None = Field(default=None, description="an explicit candidate profile")

    def option_values(self) -> dict[str, Any]:
        """The options the client sent (for :func:`matcher.options.build_options`, which applies the limits)."""
        return self.model_dump(include=set(MatchOptions.model_fields), exclude_unset=True)


class ErrorBody(BaseModel):
    code: str
    message: str
    details: Any = None


class ErrorResponse(BaseModel):
    error: ErrorBody


MAX_FORM_VALUE = 1_000  # characters of one option given as a form field


def _optional_form_field(name: str, field) -> tuple[Any, Any]:
    """One form field from a :class:`MatchOptions` field: the same type, bounds, enum and description, optional
    (an empty field counts as not given). A list is repeated fields or one comma-separated field."""
    ann = field.annotation
    inner = [a for a in typing.get_args(ann) if a is not type(None)] if typing.get_origin(ann) in (
        typing.Union, types.UnionType) else [ann]
    base = inner[0]
    desc = field.description or ""
    if typing.get_origin(base) is list:
        values = list(typing.get_args(typing.get_args(base)[0]))  # the enum of the JSON body's items
        item = Annotated[str, StringConstraints(max_length=MAX_FORM_VALUE), WithJsonSchema({"anyOf": [
            {"type": "string", "enum": values},
            {"type": "string", "maxLength": MAX_FORM_VALUE, "description": "several of them, comma-separated"}]})]
        return (list[item] | None, Field(default=None, max_length=len(EMPLOYMENT_TYPES), description=(
            f"{desc}; any of {', '.join(EMPLOYMENT_TYPES)}: repeat the field or separate with commas")))
    metadata = list(field.metadata)
    if base is str and not any(hasattr(m, "max_length") for m in metadata):
        metadata.append(StringConstraints(max_length=MAX_FORM_VALUE))
    typ = Annotated[(base, *metadata)] if metadata else base
    return (typ | None, Field(default=None, description=desc))


MatchForm = create_model(
    "MatchForm", __config__=ConfigDict(extra="ignore"),
    __doc__="Form fields of ``POST /v1/match/resume``: every :class:`MatchOptions` field, generated from it.",
    **{name: _optional_form_field(name, f) for name, f in MatchOptions.model_fields.items()})
