"""Typed values of the recruiter direction (candidates for a job): options, stored candidates, the reverse
filter report and ranked, explained candidate matches."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from matcher.domain import CandidateProfile

ReverseRule = Literal["degree", "experience", "location"]
REVERSE_RULES: tuple[str, ...] = ("degree", "experience", "location")


class ReverseOptions(BaseModel):
    """Options of a candidates-for-a-job search: the same names and meanings as the forward options."""

    model_config = ConfigDict(extra="forbid")

    top_k: int = Field(default=10, ge=1, le=1000, description="how many candidates (default 10; at most MAX_TOP_K)")
    offset: int = Field(default=0, ge=0, le=10_000, description="skip this many ranked candidates first")
    radius_km: float = Field(default=50.0, gt=0, le=20_000,
                             description="a candidate passes an on-site posting within this distance of one of its "
                                         "places (default 50)")
    months_slack: int = Field(default=0, ge=0, le=600,
                              description="let candidates with up to this many months fewer than required pass")
    strict: bool = Field(default=False, description="a candidate's unknown value fails its rule instead of skipping it")
    filters: bool = Field(default=True, description="apply the hard filters (default); false: rank by similarity alone")


class CandidateSummary(BaseModel):
    """One stored candidate as listed (no resume text)."""

    id: str
    label: str | None = None
    kind: str = Field(description="what was added: pdf, docx, text, json (JSON Resume) or profile")
    degree: str | None = None
    months: int | None = None
    location: str | None = None
    skills: int = 0
    created_at: datetime
    updated_at: datetime


class StoredCandidate(BaseModel):
    """A candidate in the pool: the extracted profile (text, evidence, confidence, unknowns) and where it came from."""

    id: str
    label: str | None = None
    kind: str
    profile: CandidateProfile
    created_at: datetime
    updated_at: datetime

    def summary(self) -> CandidateSummary:
        p = self.profile
        return CandidateSummary(id=self.id, label=self.label, kind=self.kind, degree=p.degree, months=p.months,
                                location=p.location.text() if p.location else None, skills=len(p.skills),
                                created_at=self.created_at, updated_at=self.updated_at)


class AddedCandidate(BaseModel):
    id: str
    outcome: Literal["added", "updated"]
    candidate: StoredCandidate


class ReverseRuleOutcome(BaseModel):
    rule: ReverseRule
    status: Literal["applied", "skipped"]
    reason: str | None = None
    removed: int = Field(default=0, description="candidates this rule removed among those the earlier rules left")
    unknown: int = Field(default=0, description="candidates whose own value is unknown and who passed because the "
                                                "rule was skipped for them (0 with strict: they were removed)")
    required: Any = Field(default=None, description="what the posting requires")


class ReverseReport(BaseModel):
    total: int = Field(description="candidates in the pool")
    eligible: int
    rules: list[ReverseRuleOutcome]


class CandidateRequirement(BaseModel):
    required: Any = None
    candidate: Any = None
    met: bool | None = Field(default=None, description="None when either side is unknown (the rule was skipped)")
    reason: str | None = Field(default=None, description="why it is unknown")


class CandidateMatch(BaseModel):
    id: str
    label: str | None = None
    score: float = Field(description="ranking score: reciprocal-rank fusion of semantic and BM25 ranks")
    similarity: float | None = Field(default=None, description="cosine of the resume and posting vectors")
    location: str | None = None
    distance_km: float | None = Field(default=None, description="to the posting's nearest place with coordinates")
    degree: str | None = None
    months: int | None = None
    requirements: dict[str, CandidateRequirement] = Field(default_factory=dict)
    skills_in_common: list[str] = Field(default_factory=list)
    skills_missing: list[str] = Field(default_factory=list, description="skills the posting names that the resume lacks")


class JobRef(BaseModel):
    """The posting the candidates were matched against."""

    id: str
    title: str
    company: str | None = None
    location: str = ""
    remote: bool = False
    degree: str | int | None = Field(default=None, description="required level name, 'none', or None when unknown")
    months: int | None = None
    valid_through: datetime | None = None
    stored: bool = Field(description="the posting is in the job store (false: given inline, not stored)")


class CandidatesResponse(BaseModel):
    job: JobRef
    filters: ReverseReport
    results: list[CandidateMatch]


class AddOptions(BaseModel):
    """What a caller may state when adding a candidate: a label, the clock for "Present" in the resume, and
    explicit values that override the extracted ones (the forward direction's option names)."""

    model_config = ConfigDict(extra="forbid")

    label: str | None = Field(default=None, max_length=200, description="a name for the candidate in lists "
                                                                        "(default: the file name)")
    as_of: datetime | None = Field(default=None, description="clock for 'Present' in the resume (default now)")
    degree: Literal["high_school", "associate", "bachelor", "postgraduate"] | None = Field(
        default=None, description="the candidate's degree (overrides the resume)")
    months: int | None = Field(default=None, ge=0, le=1200, description="months of experience (overrides the resume)")
    location: str | None = Field(default=None, max_length=300, description='e.g. "Austin, TX" (overrides the resume)')
    lat: float | None = Field(default=None, ge=-90, le=90, description="latitude (with lon; overrides the resume)")
    lon: float | None = Field(default=None, ge=-180, le=180, description="longitude (with lat)")

    def overrides(self):
        """The explicit values as :class:`~matcher.domain.MatchOptions` (for ``apply_overrides``)."""
        from matcher.options import build_options

        if self.location and (self.lat is not None or self.lon is not None):
            from matcher.errors import InvalidRequest

            raise InvalidRequest("give `location` or `lat`/`lon`, not both")
        return build_options(self.model_dump(include={"degree", "months", "location", "lat", "lon", "as_of"}))
